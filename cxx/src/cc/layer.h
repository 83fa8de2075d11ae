// What the C++ layer's files share: the library's own implementations of LevelDB's abstract classes, which the
// options name (and the database maps to the engine's own objects, with no call across the seam per use), and the
// translation of leveldb::Options into the engine's.

#ifndef OXLEVELDB_CXX_LAYER_H_
#define OXLEVELDB_CXX_LAYER_H_

#include "ffi.h"
#include "leveldb/cache.h"
#include "leveldb/comparator.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"

namespace leveldb {

// The friend WriteBatch names: the database reads `rep_`, LevelDB's batch bytes.
class WriteBatchInternal {
 public:
  static const std::string& Contents(const WriteBatch* batch) { return batch->rep_; }
};

}  // namespace leveldb

namespace oxleveldb_cxx {

// NewBloomFilterPolicy's policy: the engine's BloomFilterPolicy.
class BloomPolicy final : public leveldb::FilterPolicy {
 public:
  explicit BloomPolicy(int bits_per_key) : bloom_(oxcxx_bloom_new(bits_per_key)) {}
  ~BloomPolicy() override { oxcxx_bloom_destroy(bloom_); }
  const char* Name() const override { return "leveldb.BuiltinBloomFilter2"; }
  void CreateFilter(const leveldb::Slice* keys, int n, std::string* dst) const override {
    oxcxx_bloom_create_filter(bloom_, keys, n, dst);
  }
  bool KeyMayMatch(const leveldb::Slice& key, const leveldb::Slice& filter) const override {
    return oxcxx_bloom_key_may_match(bloom_, &key, &filter);
  }
  const void* engine() const { return bloom_; }

 private:
  void* bloom_;
};

// NewLRUCache's cache: the engine's block cache, which a database given it shares, and a program's own entries.
class LRUCache final : public leveldb::Cache {
 public:
  explicit LRUCache(size_t capacity) : cache_(oxcxx_cache_new(capacity)) {}
  ~LRUCache() override { oxcxx_cache_destroy(cache_); }
  Handle* Insert(const leveldb::Slice& key, void* value, size_t charge,
                 void (*deleter)(const leveldb::Slice& key, void* value)) override;
  Handle* Lookup(const leveldb::Slice& key) override;
  void Release(Handle* handle) override;
  void* Value(Handle* handle) override;
  void Erase(const leveldb::Slice& key) override { oxcxx_cache_erase(cache_, &key); }
  uint64_t NewId() override { return oxcxx_cache_new_id(cache_); }
  void Prune() override { oxcxx_cache_prune(cache_); }
  size_t TotalCharge() const override { return oxcxx_cache_total_charge(cache_); }
  const void* engine() const { return cache_; }

 private:
  void* cache_;
};

// An environment of the engine's: Env::Default(), NewMemEnv.
class EngineEnv final : public leveldb::Env {
 public:
  explicit EngineEnv(void* env) : env_(env) {}
  ~EngineEnv() override { oxcxx_env_destroy(env_); }
  leveldb::Status NewSequentialFile(const std::string& f, leveldb::SequentialFile** r) override;
  leveldb::Status NewRandomAccessFile(const std::string& f, leveldb::RandomAccessFile** r) override;
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override;
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override;
  bool FileExists(const std::string& f) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& f) override { return NameOp(kRemoveFile, f); }
  leveldb::Status CreateDir(const std::string& d) override { return NameOp(kCreateDir, d); }
  leveldb::Status RemoveDir(const std::string& d) override { return NameOp(kRemoveDir, d); }
  leveldb::Status GetFileSize(const std::string& f, uint64_t* size) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;
  leveldb::Status LockFile(const std::string& f, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  void Schedule(void (*function)(void*), void* arg) override;
  void StartThread(void (*function)(void*), void* arg) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& f, leveldb::Logger** result) override;
  uint64_t NowMicros() override;
  void SleepForMicroseconds(int micros) override;
  const void* engine() const { return env_; }

 private:
  leveldb::Status NameOp(int op, const std::string& name);
  void* env_;
};

// An iterator of the engine's, over a database (LevelDB: DBIter) or a table (LevelDB: TwoLevelIterator).
class OxIterator final : public leveldb::Iterator {
 public:
  explicit OxIterator(void* iter) : iter_(iter) {}
  ~OxIterator() override { oxcxx_iter_destroy(iter_); }
  bool Valid() const override { return oxcxx_iter_valid(iter_); }
  void SeekToFirst() override { oxcxx_iter_seek_to_first(iter_); }
  void SeekToLast() override { oxcxx_iter_seek_to_last(iter_); }
  void Seek(const leveldb::Slice& target) override { oxcxx_iter_seek(iter_, &target); }
  void Next() override { oxcxx_iter_next(iter_); }
  void Prev() override { oxcxx_iter_prev(iter_); }
  leveldb::Slice key() const override {
    size_t len;
    const char* data = oxcxx_iter_key(iter_, &len);
    return leveldb::Slice(data, len);
  }
  leveldb::Slice value() const override {
    size_t len;
    const char* data = oxcxx_iter_value(iter_, &len);
    return leveldb::Slice(data, len);
  }
  leveldb::Status status() const override {
    leveldb::Status status;
    oxcxx_iter_status(iter_, &status);
    return status;
  }

 private:
  void* iter_;
};

// `options` as the engine takes them, or NotSupported for what this library cannot honour yet (a Cache not made by
// NewLRUCache).
leveldb::Status ToOxOptions(const leveldb::Options& options, OxOptions* result);

// The engine's read options for `options`.
OxReadOptions ToOxReadOptions(const leveldb::ReadOptions& options);

}  // namespace oxleveldb_cxx

#endif  // OXLEVELDB_CXX_LAYER_H_
