// leveldb::DB over the engine: DB::Open returns a DB whose virtual members forward to an oxleveldb database, and
// the iterators and snapshots it makes forward to the engine's. The abstract DB's own members (its destructor, the
// default Put and Delete that build a batch) are LevelDB's.
//
// Invariant: every object made here owns exactly one engine object (a database, an iterator, a snapshot) and
// gives it back to the engine when destroyed. A key or value an iterator returns points into the engine's
// iterator, valid until the iterator moves, as in LevelDB.
//
// LevelDB: db/db_impl.cc (DB, DB::Open, DestroyDB), db/repair.cc (RepairDB), db/db_iter.cc

#include "layer.h"

namespace {

using leveldb::ReadOptions;
using leveldb::Slice;
using leveldb::Status;
using leveldb::WriteOptions;

// A snapshot of the engine's.
class OxSnapshot final : public leveldb::Snapshot {
 public:
  explicit OxSnapshot(void* snapshot) : snapshot_(snapshot) {}
  ~OxSnapshot() override { oxcxx_snapshot_release(snapshot_); }
  const void* engine() const { return snapshot_; }

 private:
  void* snapshot_;
};

// A database of the engine's (LevelDB: DBImpl).
class OxDB final : public leveldb::DB {
 public:
  explicit OxDB(void* db) : db_(db) {}
  ~OxDB() override { oxcxx_db_close(db_); }

  Status Put(const WriteOptions& options, const Slice& key, const Slice& value) override {
    Status status;
    oxcxx_db_put(db_, options.sync, &key, &value, &status);
    return status;
  }
  Status Delete(const WriteOptions& options, const Slice& key) override {
    Status status;
    oxcxx_db_delete(db_, options.sync, &key, &status);
    return status;
  }
  // A null batch (which LevelDB's write queue takes for a compaction request) writes nothing.
  Status Write(const WriteOptions& options, leveldb::WriteBatch* updates) override {
    Status status;
    if (updates != nullptr) {
      const std::string& rep = leveldb::WriteBatchInternal::Contents(updates);
      oxcxx_db_write(db_, options.sync, rep.data(), rep.size(), &status);
    }
    return status;
  }
  Status Get(const ReadOptions& options, const Slice& key, std::string* value) override {
    Status status;
    const OxReadOptions read = oxleveldb_cxx::ToOxReadOptions(options);
    oxcxx_db_get(db_, &read, &key, value, &status);
    return status;
  }
  leveldb::Iterator* NewIterator(const ReadOptions& options) override {
    const OxReadOptions read = oxleveldb_cxx::ToOxReadOptions(options);
    return new oxleveldb_cxx::OxIterator(oxcxx_db_new_iterator(db_, &read));
  }
  const leveldb::Snapshot* GetSnapshot() override { return new OxSnapshot(oxcxx_db_get_snapshot(db_)); }
  void ReleaseSnapshot(const leveldb::Snapshot* snapshot) override {
    delete static_cast<const OxSnapshot*>(snapshot);
  }
  bool GetProperty(const Slice& property, std::string* value) override {
    return oxcxx_db_get_property(db_, &property, value);
  }
  void GetApproximateSizes(const leveldb::Range* range, int n, uint64_t* sizes) override {
    oxcxx_db_get_approximate_sizes(db_, range, n, sizes);
  }
  void CompactRange(const Slice* begin, const Slice* end) override { oxcxx_db_compact_range(db_, begin, end); }

 private:
  void* db_;
};

}  // namespace

namespace oxleveldb_cxx {

// LevelDB: ReadOptions
OxReadOptions ToOxReadOptions(const leveldb::ReadOptions& options) {
  OxReadOptions read;
  read.snapshot = options.snapshot == nullptr ? nullptr
                                              : static_cast<const OxSnapshot*>(options.snapshot)->engine();
  read.verify_checksums = options.verify_checksums;
  read.fill_cache = options.fill_cache;
  return read;
}

}  // namespace oxleveldb_cxx

namespace leveldb {

// LevelDB: Snapshot::~Snapshot
Snapshot::~Snapshot() = default;

// LevelDB: DB::~DB
DB::~DB() = default;

// A one-record batch (what a DB subclass that does not override Put gets).
//
// LevelDB: DB::Put
Status DB::Put(const WriteOptions& options, const Slice& key, const Slice& value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, &batch);
}

// LevelDB: DB::Delete
Status DB::Delete(const WriteOptions& options, const Slice& key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, &batch);
}

// LevelDB: DB::Open
Status DB::Open(const Options& options, const std::string& name, DB** dbptr) {
  *dbptr = nullptr;
  OxOptions ox;
  Status status = oxleveldb_cxx::ToOxOptions(options, &ox);
  if (!status.ok()) {
    return status;
  }
  void* db = oxcxx_db_open(&ox, name.data(), name.size(), &status);
  if (db != nullptr) {
    *dbptr = new OxDB(db);
  }
  return status;
}

namespace {

// Runs `operation`, a management operation of the engine, on the database `name`.
Status Manage(const std::string& name, const Options& options,
              void (*operation)(const OxOptions*, const char*, size_t, Status*)) {
  OxOptions ox;
  Status status = oxleveldb_cxx::ToOxOptions(options, &ox);
  if (status.ok()) {
    operation(&ox, name.data(), name.size(), &status);
  }
  return status;
}

}  // namespace

// LevelDB: DestroyDB
Status DestroyDB(const std::string& name, const Options& options) { return Manage(name, options, oxcxx_destroy_db); }

// LevelDB: RepairDB
Status RepairDB(const std::string& name, const Options& options) { return Manage(name, options, oxcxx_repair_db); }

}  // namespace leveldb
