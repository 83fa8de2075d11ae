// LevelDB 1.23 through its C++ API (leveldb::DB), as LevelDB's own benchmarks/db_bench.cc calls it, for the
// bench's `leveldb` engine (src/cpp.rs wraps these functions). The C API (leveldb/c.h) adds to every call a
// wrapper, to every Get a malloc and a copy of the value, and to every iterator step three calls where db_bench
// makes the iterator's virtual calls itself; this file pays none of that:
// - Get reads into a std::string kept by the calling thread, as db_bench's loops keep one;
// - Put and Write take a leveldb::WriteBatch and the WriteOptions built once at open;
// - one operation of SeekRandom (a new iterator, Seek, the key compared) is one call;
// - a whole ReadSequential or ReadReverse is one call, db_bench's loop itself (Next() or Prev(), key(), value()
//   per step), counting each step as db_bench's Stats::FinishedSingleOp does.
// Errors come back as malloc'd Status::ToString() strings (NULL: ok), freed by the caller with free().

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

// The options db_bench's flags set (Benchmark::Open); mirrored by `cpp::OpenOptions` in src/cpp.rs.
struct system_leveldb_cpp_options {
  unsigned char create_if_missing;
  unsigned char reuse_logs;
  size_t write_buffer_size;
  size_t max_file_size;
  size_t block_size;
  int max_open_files;
  // db_bench's FLAGS_cache_size and FLAGS_bloom_bits: negative means none (LevelDB's default 8 MB cache, no
  // filter).
  int64_t cache_size;
  int bloom_bits;
};

// db_bench's Stats::done_ and next_report_, shared with the caller's counters; mirrored in src/cpp.rs.
struct system_leveldb_cpp_progress {
  size_t done;
  size_t next_report;
};

// An open database with what it uses until it closes, and the options db_bench passes to every call.
struct system_leveldb_cpp_db {
  leveldb::DB* db = nullptr;
  leveldb::Cache* cache = nullptr;
  const leveldb::FilterPolicy* filter_policy = nullptr;
  leveldb::WriteOptions write_options;
  leveldb::WriteOptions sync_write_options;

  ~system_leveldb_cpp_db() {
    delete db;  // First: the database uses the cache and the filter policy until it closes.
    delete cache;
    delete filter_policy;
  }
};

namespace {

char* error(const leveldb::Status& s) {
  return s.ok() ? nullptr : strdup(s.ToString().c_str());
}

// db_bench's Stats::FinishedSingleOp, without the histogram (the caller steps one call at a time when it keeps one).
inline void FinishedSingleOp(system_leveldb_cpp_progress* progress) {
  progress->done++;
  if (progress->done >= progress->next_report) {
    if (progress->next_report < 1000)
      progress->next_report += 100;
    else if (progress->next_report < 5000)
      progress->next_report += 500;
    else if (progress->next_report < 10000)
      progress->next_report += 1000;
    else if (progress->next_report < 50000)
      progress->next_report += 5000;
    else if (progress->next_report < 100000)
      progress->next_report += 10000;
    else if (progress->next_report < 500000)
      progress->next_report += 50000;
    else
      progress->next_report += 100000;
    std::fprintf(stderr, "... finished %zu ops%30s\r", progress->done, "");
    std::fflush(stderr);
  }
}

}  // namespace

extern "C" {

char* system_leveldb_cpp_open(const system_leveldb_cpp_options* o, const char* path, system_leveldb_cpp_db** out) {
  auto* db = new system_leveldb_cpp_db;
  leveldb::Options options;
  options.create_if_missing = o->create_if_missing != 0;
  options.reuse_logs = o->reuse_logs != 0;
  options.write_buffer_size = o->write_buffer_size;
  options.max_file_size = o->max_file_size;
  options.block_size = o->block_size;
  options.max_open_files = o->max_open_files;
  if (o->cache_size >= 0) db->cache = leveldb::NewLRUCache(static_cast<size_t>(o->cache_size));
  if (o->bloom_bits >= 0) db->filter_policy = leveldb::NewBloomFilterPolicy(o->bloom_bits);
  options.block_cache = db->cache;
  options.filter_policy = db->filter_policy;
  db->sync_write_options.sync = true;
  leveldb::Status s = leveldb::DB::Open(options, path, &db->db);
  if (!s.ok()) {
    delete db;
    *out = nullptr;
    return error(s);
  }
  *out = db;
  return nullptr;
}

void system_leveldb_cpp_close(system_leveldb_cpp_db* db) { delete db; }

char* system_leveldb_cpp_destroy(const char* path) { return error(leveldb::DestroyDB(path, leveldb::Options())); }

char* system_leveldb_cpp_put(system_leveldb_cpp_db* db, unsigned char sync, const char* key, size_t key_length,
                             const char* value, size_t value_length) {
  return error(db->db->Put(sync ? db->sync_write_options : db->write_options, leveldb::Slice(key, key_length),
                           leveldb::Slice(value, value_length)));
}

char* system_leveldb_cpp_write(system_leveldb_cpp_db* db, unsigned char sync, leveldb::WriteBatch* batch) {
  return error(db->db->Write(sync ? db->sync_write_options : db->write_options, batch));
}

// db_bench's `db_->Get(options, key, &value).ok()`: 1 if the key was found, the value read into the calling
// thread's string (reused from one call to the next, as db_bench's loops reuse theirs).
int system_leveldb_cpp_get(system_leveldb_cpp_db* db, const char* key, size_t key_length) {
  thread_local std::string value;
  return db->db->Get(leveldb::ReadOptions(), leveldb::Slice(key, key_length), &value).ok() ? 1 : 0;
}

void system_leveldb_cpp_compact_range(system_leveldb_cpp_db* db) { db->db->CompactRange(nullptr, nullptr); }

// The property's value, malloc'd and NUL-terminated, or NULL if the database has no such property.
char* system_leveldb_cpp_property(system_leveldb_cpp_db* db, const char* name) {
  std::string value;
  return db->db->GetProperty(name, &value) ? strdup(value.c_str()) : nullptr;
}

leveldb::WriteBatch* system_leveldb_cpp_batch_create() { return new leveldb::WriteBatch; }
void system_leveldb_cpp_batch_destroy(leveldb::WriteBatch* batch) { delete batch; }
void system_leveldb_cpp_batch_clear(leveldb::WriteBatch* batch) { batch->Clear(); }
void system_leveldb_cpp_batch_put(leveldb::WriteBatch* batch, const char* key, size_t key_length, const char* value,
                                  size_t value_length) {
  batch->Put(leveldb::Slice(key, key_length), leveldb::Slice(value, value_length));
}
void system_leveldb_cpp_batch_delete(leveldb::WriteBatch* batch, const char* key, size_t key_length) {
  batch->Delete(leveldb::Slice(key, key_length));
}

leveldb::Iterator* system_leveldb_cpp_iter_create(system_leveldb_cpp_db* db) {
  return db->db->NewIterator(leveldb::ReadOptions());
}
void system_leveldb_cpp_iter_destroy(leveldb::Iterator* iter) { delete iter; }
void system_leveldb_cpp_iter_seek_to_first(leveldb::Iterator* iter) { iter->SeekToFirst(); }
void system_leveldb_cpp_iter_seek_to_last(leveldb::Iterator* iter) { iter->SeekToLast(); }
void system_leveldb_cpp_iter_seek(leveldb::Iterator* iter, const char* key, size_t key_length) {
  iter->Seek(leveldb::Slice(key, key_length));
}
unsigned char system_leveldb_cpp_iter_valid(const leveldb::Iterator* iter) { return iter->Valid() ? 1 : 0; }
void system_leveldb_cpp_iter_next(leveldb::Iterator* iter) { iter->Next(); }
void system_leveldb_cpp_iter_prev(leveldb::Iterator* iter) { iter->Prev(); }
// The current key (its bytes and length through the out pointers) and the current value's length.
size_t system_leveldb_cpp_iter_entry(const leveldb::Iterator* iter, const char** key, size_t* key_length) {
  leveldb::Slice k = iter->key();
  *key = k.data();
  *key_length = k.size();
  return iter->value().size();
}

// One operation of db_bench's SeekRandom: a new iterator, Seek(key), and 1 if it lands on the key itself.
int system_leveldb_cpp_seek_found(system_leveldb_cpp_db* db, const char* key, size_t key_length) {
  leveldb::Iterator* iter = db->db->NewIterator(leveldb::ReadOptions());
  leveldb::Slice k(key, key_length);
  iter->Seek(k);
  int found = iter->Valid() && iter->key() == k ? 1 : 0;
  delete iter;
  return found;
}

// db_bench's ReadSequential (reverse = 0) or ReadReverse: a new iterator from the first (last) entry, at most
// `reads` steps, each counted in `progress`; returns the bytes of keys and values read.
int64_t system_leveldb_cpp_read_sequential(system_leveldb_cpp_db* db, unsigned char reverse, size_t reads,
                                           system_leveldb_cpp_progress* progress) {
  leveldb::Iterator* iter = db->db->NewIterator(leveldb::ReadOptions());
  size_t i = 0;
  int64_t bytes = 0;
  if (reverse) {
    for (iter->SeekToLast(); i < reads && iter->Valid(); iter->Prev()) {
      bytes += iter->key().size() + iter->value().size();
      FinishedSingleOp(progress);
      ++i;
    }
  } else {
    for (iter->SeekToFirst(); i < reads && iter->Valid(); iter->Next()) {
      bytes += iter->key().size() + iter->value().size();
      FinishedSingleOp(progress);
      ++i;
    }
  }
  delete iter;
  return bytes;
}

}  // extern "C"
