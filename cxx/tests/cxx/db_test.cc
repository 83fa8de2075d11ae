// A C++ program written against LevelDB 1.23's headers, compiled once and run on two libraries: Debian's
// libleveldb.so.1d and oxleveldb's libleveldb.so (cxx/tests/cxx_abi_test.rs). It prints what it sees on stdout,
// which must be the same on both, and leaves its databases in the folder it is given, whose files must be the
// same too. On stderr it names the library it runs on.
//
// The writes fit in one memtable (the default write buffer), flushed and compacted by CompactRange: no
// background work races the writes, so the MANIFEST records the same sequence numbers in both runs.
//
// Usage: db_test <folder>
//        db_test <folder> throw   (a comparator that throws: the library must abort with a message)

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "leveldb/cache.h"
#include "leveldb/comparator.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/helpers/memenv.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/dumpfile.h"
#include "leveldb/table.h"
#include "leveldb/table_builder.h"
#include "leveldb/write_batch.h"

namespace {

void Print(const std::string& what, const leveldb::Status& s) { std::printf("%s: %s\n", what.c_str(), s.ToString().c_str()); }

std::string Escaped(const leveldb::Slice& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i++) {
    const unsigned char c = bytes[i];
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
  }
}

// Prints each record of a batch.
class PrintingHandler : public leveldb::WriteBatch::Handler {
 public:
  void Put(const leveldb::Slice& key, const leveldb::Slice& value) override {
    std::printf("  batch put '%s' '%s'\n", Escaped(key).c_str(), Escaped(value).c_str());
  }
  void Delete(const leveldb::Slice& key) override { std::printf("  batch delete '%s'\n", Escaped(key).c_str()); }
};

// Orders keys backwards and shortens them as the bytewise comparator does, mirrored: tables written with it hold
// separators the comparator chose.
class ReverseComparator : public leveldb::Comparator {
 public:
  const char* Name() const override { return "test.ReverseComparator"; }
  int Compare(const leveldb::Slice& a, const leveldb::Slice& b) const override { return -a.compare(b); }
  // The shortest prefix of *start that is still after limit in this order (before it bytewise) and after start.
  void FindShortestSeparator(std::string* start, const leveldb::Slice& limit) const override {
    size_t diff = 0;
    const size_t n = std::min(start->size(), limit.size());
    while (diff < n && (*start)[diff] == limit[diff]) {
      diff++;
    }
    if (diff < n) {
      const unsigned char byte = static_cast<unsigned char>((*start)[diff]);
      if (byte > 0 && byte - 1 > static_cast<unsigned char>(limit[diff])) {
        (*start)[diff] = static_cast<char>(byte - 1);
        start->resize(diff + 1);
      }
    }
  }
  void FindShortSuccessor(std::string* key) const override {
    // A prefix of the key is bytewise before it, hence after it in this order: keep the first byte.
    if (key->size() > 1) {
      key->resize(1);
    }
  }
};

// A filter that records the first byte of every key: a key may match when its first byte is there.
class FirstBytePolicy : public leveldb::FilterPolicy {
 public:
  const char* Name() const override { return "test.FirstByte"; }
  void CreateFilter(const leveldb::Slice* keys, int n, std::string* dst) const override {
    for (int i = 0; i < n; i++) {
      dst->push_back(keys[i].empty() ? '\0' : keys[i][0]);
    }
  }
  bool KeyMayMatch(const leveldb::Slice& key, const leveldb::Slice& filter) const override {
    const char first = key.empty() ? '\0' : key[0];
    return filter.ToString().find(first) != std::string::npos;
  }
};

// Counts what the database logs (the messages themselves differ between engines: timings, thread ids).
class CountingLogger : public leveldb::Logger {
 public:
  void Logv(const char*, std::va_list) override { calls++; }
  int calls = 0;
};

void Cleanup(void* arg1, void* arg2) {
  std::printf("  cleanup %s %s\n", static_cast<const char*>(arg1), static_cast<const char*>(arg2));
}

void DumpDB(leveldb::DB* db, const leveldb::ReadOptions& options, bool backwards) {
  leveldb::Iterator* it = db->NewIterator(options);
  if (backwards) {
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      std::printf("  '%s' => '%s'\n", Escaped(it->key()).c_str(), Escaped(it->value()).c_str());
    }
  } else {
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::printf("  '%s' => '%s'\n", Escaped(it->key()).c_str(), Escaped(it->value()).c_str());
    }
  }
  Print("  iterator status", it->status());
  delete it;
}

void Properties(leveldb::DB* db) {
  for (const char* name : {"leveldb.num-files-at-level0", "leveldb.num-files-at-level1", "leveldb.num-files-at-level2",
                           "leveldb.sstables", "leveldb.no-such-property", "leveldb.num-files-at-level9"}) {
    std::string value;
    const bool found = db->GetProperty(name, &value);
    std::printf("property %s: %s '%s'\n", name, found ? "found" : "not found", value.c_str());
  }
}

// The basic operations with the default options, a bloom filter and an LRU cache.
void Basics(const std::string& dir) {
  std::printf("== basics\n");
  leveldb::Options options;
  std::printf("defaults: %d %d %d %zu %d %zu %d %zu %d %d\n", options.create_if_missing, options.error_if_exists,
              options.paranoid_checks, options.write_buffer_size, options.max_open_files, options.block_size,
              options.block_restart_interval, options.max_file_size, options.compression, options.reuse_logs);
  Check(options.comparator == leveldb::BytewiseComparator(), "the default comparator");
  Check(options.env == leveldb::Env::Default(), "the default env");
  std::printf("comparator %s\n", options.comparator->Name());
  const std::string name = dir + "/basics";
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, name, &db);
  Print("open missing", s);
  std::printf("db is null: %d, IsInvalidArgument %d\n", db == nullptr, s.IsInvalidArgument());

  options.create_if_missing = true;
  options.filter_policy = leveldb::NewBloomFilterPolicy(10);
  options.block_cache = leveldb::NewLRUCache(1 << 20);
  std::printf("filter %s\n", options.filter_policy->Name());
  Print("open", leveldb::DB::Open(options, name, &db));

  leveldb::WriteOptions write;
  leveldb::ReadOptions read;
  Print("put", db->Put(write, "apple", "red"));
  Print("put", db->Put(write, leveldb::Slice("nul\0key", 7), leveldb::Slice("nul\0value", 9)));
  std::string value;
  s = db->Get(read, "apple", &value);
  Print("get apple", s);
  std::printf("  value '%s'\n", value.c_str());
  s = db->Get(read, "pear", &value);
  Print("get pear", s);
  std::printf("  IsNotFound %d\n", s.IsNotFound());
  Print("delete apple", db->Delete(write, "apple"));
  Print("get apple", db->Get(read, "apple", &value));

  leveldb::WriteBatch batch;
  std::printf("empty batch size %zu\n", batch.ApproximateSize());
  batch.Put("banana", "yellow");
  batch.Delete("cherry");
  batch.Put("cherry", "dark red");
  leveldb::WriteBatch more;
  more.Put("date", "brown");
  batch.Append(more);
  leveldb::WriteBatch copy = batch;
  std::printf("batch size %zu, copy size %zu\n", batch.ApproximateSize(), copy.ApproximateSize());
  PrintingHandler handler;
  Print("iterate", batch.Iterate(&handler));
  Print("write", db->Write(write, &batch));
  copy.Clear();
  std::printf("cleared size %zu\n", copy.ApproximateSize());
  Print("iterate cleared", copy.Iterate(&handler));

  const leveldb::Snapshot* snapshot = db->GetSnapshot();
  Print("put", db->Put(write, "banana", "green"));
  leveldb::ReadOptions at_snapshot;
  at_snapshot.snapshot = snapshot;
  Print("get banana at snapshot", db->Get(at_snapshot, "banana", &value));
  std::printf("  value '%s'\n", value.c_str());
  Print("get banana now", db->Get(read, "banana", &value));
  std::printf("  value '%s'\n", value.c_str());
  std::printf("forwards at snapshot:\n");
  DumpDB(db, at_snapshot, false);
  db->ReleaseSnapshot(snapshot);
  std::printf("backwards:\n");
  DumpDB(db, read, true);

  leveldb::Iterator* it = db->NewIterator(read);
  it->RegisterCleanup(Cleanup, const_cast<char*>("first"), const_cast<char*>("1"));
  it->RegisterCleanup(Cleanup, const_cast<char*>("second"), const_cast<char*>("2"));
  it->RegisterCleanup(Cleanup, const_cast<char*>("third"), const_cast<char*>("3"));
  for (const char* target : {"b", "banana", "c", "zzz", ""}) {
    it->Seek(target);
    std::printf("seek '%s': valid %d", target, it->Valid());
    if (it->Valid()) {
      std::printf(" at '%s'", Escaped(it->key()).c_str());
      it->Prev();
      std::printf(", prev valid %d", it->Valid());
    }
    std::printf("\n");
  }
  delete it;

  // Enough data for several tables, then compactions.
  for (int i = 0; i < 3000; i++) {
    char key[32], val[160];
    std::snprintf(key, sizeof(key), "key%06d", i * 7 % 3000);
    std::snprintf(val, sizeof(val), "value %d of a size that fills tables %0100d", i, i);
    Check(db->Put(write, key, val).ok(), "put of many");
  }
  Properties(db);
  leveldb::Range ranges[2] = {leveldb::Range("key000000", "key001000"), leveldb::Range("z", "zz")};
  uint64_t sizes[2];
  db->GetApproximateSizes(ranges, 2, sizes);
  std::printf("sizes before compaction: first %s, second %llu\n", sizes[0] > 0 ? "> 0" : "0",
              static_cast<unsigned long long>(sizes[1]));
  db->CompactRange(nullptr, nullptr);
  Properties(db);
  db->GetApproximateSizes(ranges, 2, sizes);
  std::printf("sizes after compaction: %llu %llu\n", static_cast<unsigned long long>(sizes[0]),
              static_cast<unsigned long long>(sizes[1]));
  const leveldb::Slice begin("key001000"), end("key002000");
  db->CompactRange(&begin, &end);
  Print("get key002999", db->Get(read, "key002999", &value));
  std::printf("  value '%s'\n", value.c_str());
  delete db;

  leveldb::Options again = options;
  again.error_if_exists = true;
  Print("open existing with error_if_exists", leveldb::DB::Open(again, name, &db));
  Print("reopen", leveldb::DB::Open(options, name, &db));
  Print("get banana after reopen", db->Get(read, "banana", &value));
  std::printf("  value '%s'\n", value.c_str());
  delete db;
  delete options.block_cache;
  delete options.filter_policy;
}

// A user comparator that shortens keys and a user filter policy: the tables hold what they chose.
void UserClasses(const std::string& dir) {
  std::printf("== user classes\n");
  ReverseComparator comparator;
  FirstBytePolicy policy;
  CountingLogger logger;
  leveldb::Options options;
  options.create_if_missing = true;
  options.comparator = &comparator;
  options.filter_policy = &policy;
  options.info_log = &logger;
  options.block_size = 256;
  options.compression = leveldb::kNoCompression;
  const std::string name = dir + "/user";
  leveldb::DB* db;
  Print("open", leveldb::DB::Open(options, name, &db));
  leveldb::WriteOptions write;
  for (int i = 0; i < 2000; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "%c%05d-long-key-suffix", 'a' + i % 26, i);
    Check(db->Put(write, key, std::string(40, 'v')).ok(), "put");
  }
  db->CompactRange(nullptr, nullptr);
  leveldb::ReadOptions read;
  std::string value;
  Print("get a00000", db->Get(read, "a00000-long-key-suffix", &value));
  Print("get missing", db->Get(read, "A-missing", &value));
  leveldb::Iterator* it = db->NewIterator(read);
  int n = 0;
  std::string first, last;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (n++ == 0) first = it->key().ToString();
    last = it->key().ToString();
  }
  std::printf("%d keys, first '%s', last '%s'\n", n, first.c_str(), last.c_str());
  delete it;
  Properties(db);
  delete db;
  std::printf("logger called: %s\n", logger.calls > 0 ? "yes" : "no");
  leveldb::Options wrong;
  Print("open with another comparator", leveldb::DB::Open(wrong, name, &db));
}

// Iterators of the library's own, Status, and the management operations.
void Misc(const std::string& dir) {
  std::printf("== misc\n");
  leveldb::Iterator* empty = leveldb::NewEmptyIterator();
  empty->SeekToFirst();
  std::printf("empty iterator valid %d\n", empty->Valid());
  Print("  status", empty->status());
  delete empty;
  leveldb::Iterator* error = leveldb::NewErrorIterator(leveldb::Status::Corruption("bad", "thing"));
  error->Seek("x");
  std::printf("error iterator valid %d\n", error->Valid());
  Print("  status", error->status());
  delete error;
  const leveldb::Status statuses[] = {
      leveldb::Status::OK(), leveldb::Status::NotFound("a"), leveldb::Status::Corruption("a", "b"),
      leveldb::Status::NotSupported("a", ""), leveldb::Status::InvalidArgument("", "b"), leveldb::Status::IOError("x")};
  for (const leveldb::Status& status : statuses) {
    leveldb::Status copy = status;
    leveldb::Status assigned;
    assigned = copy;
    Print("status", assigned);
  }
  std::string shortened = "abcdefg";
  leveldb::BytewiseComparator()->FindShortestSeparator(&shortened, "abzz");
  std::printf("separator '%s'\n", shortened.c_str());
  shortened = "\xff\xff" "abc";
  leveldb::BytewiseComparator()->FindShortSuccessor(&shortened);
  std::printf("successor '%s'\n", Escaped(shortened).c_str());
  std::printf("compare %d %d\n", leveldb::BytewiseComparator()->Compare("a", "b"),
              leveldb::BytewiseComparator()->Compare("b", "b"));

  const leveldb::FilterPolicy* bloom = leveldb::NewBloomFilterPolicy(10);
  const leveldb::Slice keys[] = {"hello", "world"};
  std::string filter = "prefix";
  bloom->CreateFilter(keys, 2, &filter);
  std::printf("bloom filter '%s'\n", Escaped(filter).c_str());
  const leveldb::Slice just_filter(filter.data() + 6, filter.size() - 6);
  std::printf("bloom match %d %d\n", bloom->KeyMayMatch("hello", just_filter), bloom->KeyMayMatch("x", just_filter));
  delete bloom;

  leveldb::Options options;
  const std::string name = dir + "/basics";
  Print("repair", leveldb::RepairDB(name, options));
  leveldb::DB* db;
  Print("open after repair", leveldb::DB::Open(options, name, &db));
  leveldb::Iterator* it = db->NewIterator(leveldb::ReadOptions());
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    n++;
  }
  std::printf("%d keys after repair\n", n);
  delete it;
  delete db;
  const std::string doomed = dir + "/doomed";
  options.create_if_missing = true;
  Print("open doomed", leveldb::DB::Open(options, doomed, &db));
  Print("destroy while open", leveldb::DestroyDB(doomed, options));
  delete db;
  Print("destroy", leveldb::DestroyDB(doomed, options));
  Print("destroy missing", leveldb::DestroyDB(dir + "/never", options));
}

// Logs through Logv (leveldb::Log is not exported by Debian's library).
void LogTo(leveldb::Logger* logger, const char* format, ...) {
  std::va_list ap;
  va_start(ap, format);
  logger->Logv(format, ap);
  va_end(ap);
}

// Prints the names in `dir`, sorted (an Env lists them in no particular order). LOCK is left out where asked:
// LevelDB's memenv makes no lock file, oxleveldb's does (its locks exclude; LevelDB's memenv's do not).
void Children(leveldb::Env* env, const std::string& dir, bool but_lock = false) {
  std::vector<std::string> children;
  leveldb::Status s = env->GetChildren(dir, &children);
  std::sort(children.begin(), children.end());
  std::printf("children: %s:", s.ToString().c_str());
  for (const std::string& child : children) {
    if (child != "." && child != ".." && !(but_lock && child == "LOCK")) {
      std::printf(" %s", child.c_str());
    }
  }
  std::printf("\n");
}

struct Done {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
};

void MarkDone(void* arg) {
  Done* done = static_cast<Done*>(arg);
  std::lock_guard<std::mutex> lock(done->mu);
  done->count++;
  done->cv.notify_all();
}

// An Env's members called directly: files, directories, locks, threads, loggers. A second lock of a locked file
// fails where `exclusive`; LevelDB's memenv's locks are not (oxleveldb's are, see Children).
void EnvMembers(leveldb::Env* env, const std::string& dir, bool exclusive) {
  Print("create dir", env->CreateDir(dir));
  const std::string file = dir + "/file";
  Print("write file", leveldb::WriteStringToFile(env, "hello, world", file));
  std::printf("exists %d %d\n", env->FileExists(file), env->FileExists(dir + "/none"));
  uint64_t size = 0;
  Print("size", env->GetFileSize(file, &size));
  std::printf("  %llu\n", static_cast<unsigned long long>(size));
  std::string data;
  Print("read file", leveldb::ReadFileToString(env, file, &data));
  std::printf("  '%s'\n", data.c_str());
  Print("read missing", leveldb::ReadFileToString(env, dir + "/none", &data));

  leveldb::WritableFile* appendable;
  Print("appendable", env->NewAppendableFile(file, &appendable));
  Print("  append", appendable->Append("!"));
  Print("  flush", appendable->Flush());
  Print("  sync", appendable->Sync());
  Print("  close", appendable->Close());
  delete appendable;

  leveldb::SequentialFile* sequential;
  Print("sequential", env->NewSequentialFile(file, &sequential));
  char scratch[16];
  leveldb::Slice chunk;
  Print("  skip", sequential->Skip(7));
  Print("  read", sequential->Read(3, &chunk, scratch));
  std::printf("  '%s'\n", chunk.ToString().c_str());
  Print("  read", sequential->Read(16, &chunk, scratch));
  std::printf("  '%s'\n", chunk.ToString().c_str());
  delete sequential;
  leveldb::RandomAccessFile* random;
  Print("random access", env->NewRandomAccessFile(file, &random));
  Print("  read", random->Read(4, 5, &chunk, scratch));
  std::printf("  '%s'\n", chunk.ToString().c_str());
  delete random;

  Print("rename", env->RenameFile(file, dir + "/renamed"));
  Print("rename missing", env->RenameFile(dir + "/none", dir + "/other"));
  Print("create subdir", env->CreateDir(dir + "/sub"));
  Children(env, dir);
  Print("remove subdir", env->RemoveDir(dir + "/sub"));
  Print("remove file", env->RemoveFile(dir + "/renamed"));
  Print("remove missing", env->RemoveFile(dir + "/renamed"));
  Children(env, dir);

  leveldb::FileLock* lock;
  leveldb::FileLock* again = nullptr;
  Print("lock", env->LockFile(dir + "/LOCK", &lock));
  if (exclusive) {
    Print("lock again", env->LockFile(dir + "/LOCK", &again));
    std::printf("  second lock is null %d\n", again == nullptr);
  }
  Print("unlock", env->UnlockFile(lock));
  Print("lock after unlock", env->LockFile(dir + "/LOCK", &lock));
  Print("unlock", env->UnlockFile(lock));

  leveldb::Logger* logger;
  Print("logger", env->NewLogger(dir + "/LOG", &logger));
  LogTo(logger, "logged %d", 42);
  delete logger;

  Done done;
  env->Schedule(MarkDone, &done);
  env->Schedule(MarkDone, &done);
  env->StartThread(MarkDone, &done);
  {
    std::unique_lock<std::mutex> lock(done.mu);
    done.cv.wait(lock, [&] { return done.count == 3; });
  }
  std::printf("scheduled and started: %d\n", done.count);
  const uint64_t before = env->NowMicros();
  env->SleepForMicroseconds(1000);
  std::printf("clock moves: %d\n", env->NowMicros() > before);
}

// Env::Default() and NewMemEnv, and a database in memory.
void Envs(const std::string& dir) {
  std::printf("== env\n");
  EnvMembers(leveldb::Env::Default(), dir + "/env", true);
  std::printf("== memenv\n");
  leveldb::Env* mem = leveldb::NewMemEnv(leveldb::Env::Default());
  EnvMembers(mem, "/mem", false);
  leveldb::Options options;
  options.env = mem;
  options.create_if_missing = true;
  leveldb::DB* db;
  Print("open in memory", leveldb::DB::Open(options, "/mem/db", &db));
  Print("put", db->Put(leveldb::WriteOptions(), "in", "memory"));
  db->CompactRange(nullptr, nullptr);
  std::string value;
  Print("get", db->Get(leveldb::ReadOptions(), "in", &value));
  std::printf("  '%s'\n", value.c_str());
  delete db;
  Children(mem, "/mem/db", true);
  std::string current;
  Print("CURRENT", leveldb::ReadFileToString(mem, "/mem/db/CURRENT", &current));
  std::printf("  '%s'\n", Escaped(current).c_str());
  std::printf("on disk: %d\n", leveldb::Env::Default()->FileExists("/mem/db/CURRENT"));
  delete mem;
}

// A program's own Env over Env::Default(): it records the files the database creates, counts its locks and its
// scheduled work, and can refuse the lock.
class RecordingEnv : public leveldb::EnvWrapper {
 public:
  RecordingEnv() : EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      created_.insert(f.substr(f.rfind('/') + 1));
    }
    return target()->NewWritableFile(f, r);
  }
  leveldb::Status LockFile(const std::string& f, leveldb::FileLock** l) override {
    if (refuse_lock) {
      return leveldb::Status::IOError("refused lock", f);
    }
    locks++;
    return target()->LockFile(f, l);
  }
  void Schedule(void (*function)(void*), void* arg) override {
    schedules++;
    target()->Schedule(function, arg);
  }
  std::string Created() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string names;
    for (const std::string& name : created_) {
      names += " " + name;
    }
    return names;
  }
  bool refuse_lock = false;
  std::atomic<int> locks{0};
  std::atomic<int> schedules{0};

 private:
  std::mutex mu_;
  std::set<std::string> created_;
};

// A database on a program's Env: the database's files go through it.
void UserEnv(const std::string& dir) {
  std::printf("== user env\n");
  RecordingEnv env;
  leveldb::Options options;
  options.env = &env;
  options.create_if_missing = true;
  const std::string name = dir + "/userenv";
  leveldb::DB* db;
  Print("open", leveldb::DB::Open(options, name, &db));
  for (int i = 0; i < 100; i++) {
    Check(db->Put(leveldb::WriteOptions(), std::to_string(i), std::string(100, 'x')).ok(), "put");
  }
  db->CompactRange(nullptr, nullptr);
  std::string value;
  Print("get", db->Get(leveldb::ReadOptions(), "42", &value));
  delete db;
  std::printf("created:%s\nlocks %d, scheduled work: %s\n", env.Created().c_str(), env.locks.load(),
              env.schedules > 0 ? "yes" : "no");
  env.refuse_lock = true;
  Print("open with the lock refused", leveldb::DB::Open(options, name, &db));
  Print("destroy with the lock refused", leveldb::DestroyDB(name, options));
  env.refuse_lock = false;
  Print("repair", leveldb::RepairDB(name, options));
  Print("reopen", leveldb::DB::Open(options, name, &db));
  Print("get after repair", db->Get(leveldb::ReadOptions(), "42", &value));
  delete db;
}

// A WritableFile of the program's: appends to a string.
class StringFile : public leveldb::WritableFile {
 public:
  leveldb::Status Append(const leveldb::Slice& data) override {
    contents.append(data.data(), data.size());
    return leveldb::Status::OK();
  }
  leveldb::Status Close() override { return leveldb::Status::OK(); }
  leveldb::Status Flush() override { return leveldb::Status::OK(); }
  leveldb::Status Sync() override { return leveldb::Status::OK(); }
  std::string contents;
};

// Opens the table `name` of `env` and walks it.
void ReadTable(leveldb::Env* env, const leveldb::Options& options, const std::string& name) {
  uint64_t size = 0;
  Print("size", env->GetFileSize(name, &size));
  leveldb::RandomAccessFile* file;
  Print("open file", env->NewRandomAccessFile(name, &file));
  leveldb::Table* table = nullptr;
  Print("open table", leveldb::Table::Open(options, file, size, &table));
  leveldb::Iterator* it = table->NewIterator(leveldb::ReadOptions());
  int n = 0;
  std::string first, last;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (n++ == 0) first = it->key().ToString();
    last = it->key().ToString();
  }
  std::printf("%d entries, first '%s', last '%s'\n", n, first.c_str(), last.c_str());
  it->Seek("k0500");
  std::printf("seek k0500: %s\n", it->Valid() ? it->value().ToString().c_str() : "invalid");
  Print("iterator status", it->status());
  delete it;
  for (const char* key : {"", "k0100", "k0900", "zzz"}) {
    std::printf("offset of '%s': %llu\n", key, static_cast<unsigned long long>(table->ApproximateOffsetOf(key)));
  }
  delete table;
  delete file;
}

// TableBuilder and Table over Env::Default() and over a program's file; DumpFile.
void Tables(const std::string& dir) {
  std::printf("== tables\n");
  leveldb::Env* env = leveldb::Env::Default();
  const std::string folder = dir + "/tables";
  Print("create dir", env->CreateDir(folder));
  leveldb::Options options;
  options.filter_policy = leveldb::NewBloomFilterPolicy(10);
  options.block_size = 1024;
  const std::string name = folder + "/000001.ldb";
  leveldb::WritableFile* file;
  Print("new file", env->NewWritableFile(name, &file));
  leveldb::TableBuilder* builder = new leveldb::TableBuilder(options, file);
  for (int i = 0; i < 1000; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%04d", i);
    builder->Add(key, std::string("value of ") + key);
    if (i == 500) {
      builder->Flush();
    }
  }
  Print("status", builder->status());
  Print("finish", builder->Finish());
  std::printf("entries %llu, size %llu\n", static_cast<unsigned long long>(builder->NumEntries()),
              static_cast<unsigned long long>(builder->FileSize()));
  delete builder;
  Print("close", file->Close());
  delete file;
  ReadTable(env, options, name);

  ReverseComparator reverse;
  leveldb::Options reversed;
  reversed.comparator = &reverse;
  reversed.compression = leveldb::kNoCompression;
  reversed.block_size = 256;
  StringFile in_memory;
  builder = new leveldb::TableBuilder(reversed, &in_memory);
  for (int i = 999; i >= 0; i--) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%04d-long-suffix", i);
    builder->Add(key, "v");
  }
  Print("change options", builder->ChangeOptions(reversed));
  Print("finish reversed", builder->Finish());
  delete builder;
  Print("write reversed", leveldb::WriteStringToFile(env, in_memory.contents, folder + "/000002.ldb"));
  std::printf("reversed table: %zu bytes\n", in_memory.contents.size());

  StringFile abandoned;
  builder = new leveldb::TableBuilder(options, &abandoned);
  builder->Add("a", "b");
  builder->Abandon();
  std::printf("abandoned: %llu entries, %zu bytes written\n", static_cast<unsigned long long>(builder->NumEntries()),
              abandoned.contents.size());
  delete builder;

  Print("write short", leveldb::WriteStringToFile(env, "short", folder + "/000003.ldb"));
  leveldb::RandomAccessFile* short_file;
  Print("open short file", env->NewRandomAccessFile(folder + "/000003.ldb", &short_file));
  leveldb::Table* table = nullptr;
  Print("open short table", leveldb::Table::Open(options, short_file, 5, &table));
  std::printf("  table is null %d\n", table == nullptr);
  delete short_file;

  StringFile dump;
  Print("dump table", leveldb::DumpFile(env, name, &dump));
  std::printf("dump: %zu bytes, first line '%s'\n", dump.contents.size(),
              dump.contents.substr(0, dump.contents.find('\n')).c_str());
  StringFile log_dump;
  Print("dump log", leveldb::DumpFile(env, dir + "/basics/CURRENT", &log_dump));
  RecordingEnv recording;
  StringFile manifest_dump;
  Print("dump manifest through a program's env",
        leveldb::DumpFile(&recording, dir + "/userenv/MANIFEST-000007", &manifest_dump));
  std::printf("%s", manifest_dump.contents.c_str());
  delete options.filter_policy;
}

// A comparator whose Compare throws.
class ThrowingComparator : public leveldb::Comparator {
 public:
  const char* Name() const override { return "test.Throwing"; }
  int Compare(const leveldb::Slice&, const leveldb::Slice&) const override {
    throw std::runtime_error("thrown by Compare");
  }
  void FindShortestSeparator(std::string*, const leveldb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

// Opens a database whose comparator throws on the first comparison, in a batch of two keys.
void Throw(const std::string& dir) {
  ThrowingComparator comparator;
  leveldb::Options options;
  options.create_if_missing = true;
  options.comparator = &comparator;
  leveldb::DB* db;
  Print("open", leveldb::DB::Open(options, dir + "/throwing", &db));
  std::fflush(stdout);
  try {
    leveldb::WriteBatch batch;
    batch.Put("a", "1");
    batch.Put("b", "2");
    Print("write", db->Write(leveldb::WriteOptions(), &batch));
  } catch (const std::exception& e) {
    std::printf("caught: %s\n", e.what());
  }
  delete db;
}

std::vector<std::string>* deleted_entries = nullptr;

void DeleteEntry(const leveldb::Slice& key, void* value) {
  deleted_entries->push_back(key.ToString() + "=" + std::to_string(reinterpret_cast<uintptr_t>(value)));
}

void PrintDeleted(const char* when) {
  std::printf("deleted %s:", when);
  for (const std::string& entry : *deleted_entries) {
    std::printf(" %s", entry.c_str());
  }
  std::printf("\n");
  deleted_entries->clear();
}

// NewLRUCache's cache as a program's own LRU cache: entries, handles, deleters, eviction (LevelDB's cache_test).
void Caches() {
  std::printf("== cache\n");
  std::vector<std::string> deleted;
  deleted_entries = &deleted;
  leveldb::Cache* cache = leveldb::NewLRUCache(160);  // 10 per shard
  leveldb::Cache::Handle* h = cache->Insert("a", reinterpret_cast<void*>(1), 1, DeleteEntry);
  std::printf("value %d\n", static_cast<int>(reinterpret_cast<uintptr_t>(cache->Value(h))));
  cache->Release(h);
  h = cache->Lookup("a");
  std::printf("lookup a: %d, b: %d\n", h != nullptr, cache->Lookup("b") != nullptr);
  cache->Release(cache->Insert("a", reinterpret_cast<void*>(2), 1, DeleteEntry));  // replaces; the old one is held
  cache->Release(cache->Lookup("a"));
  PrintDeleted("after replacing a held entry");
  cache->Release(h);
  PrintDeleted("after releasing it");
  cache->Erase("a");
  PrintDeleted("after erasing a");
  std::printf("charge %zu\n", cache->TotalCharge());
  for (int i = 0; i < 400; i++) {
    cache->Release(cache->Insert(std::to_string(i), reinterpret_cast<void*>(i), 1 + i % 3, DeleteEntry));
  }
  std::printf("after 400 inserts: charge %zu, %zu deleted, first %s, last %s\n", cache->TotalCharge(), deleted.size(),
              deleted.front().c_str(), deleted.back().c_str());
  deleted.clear();
  int found = 0;
  for (int i = 0; i < 400; i++) {
    leveldb::Cache::Handle* handle = cache->Lookup(std::to_string(i));
    if (handle != nullptr) {
      found++;
      cache->Release(handle);
    }
  }
  std::printf("still cached: %d\n", found);
  cache->Prune();
  std::printf("after prune: charge %zu, %zu deleted\n", cache->TotalCharge(), deleted.size());
  deleted.clear();
  const uint64_t id = cache->NewId();
  std::printf("new ids differ: %d\n", cache->NewId() != id);
  cache->Release(cache->Insert("last", reinterpret_cast<void*>(7), 1, DeleteEntry));
  delete cache;
  PrintDeleted("after deleting the cache");
  deleted_entries = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 3 && std::string(argv[2]) == "throw")) {
    std::fprintf(stderr, "usage: %s <folder> [throw]\n", argv[0]);
    return 2;
  }
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&leveldb::DestroyDB), &info) != 0) {
    std::fprintf(stderr, "library: %s\n", info.dli_fname);
  }
  const std::string dir = argv[1];
  if (argc == 3) {
    Throw(dir);
    return 0;
  }
  Basics(dir);
  UserClasses(dir);
  Misc(dir);
  Envs(dir);
  UserEnv(dir);
  Tables(dir);
  Caches();
  return 0;
}
