// leveldb::TableBuilder and leveldb::Table over the engine's (cxx/src/table.rs), and leveldb::DumpFile. The
// files are the program's, lent for as long as the builder or the table lives, as in LevelDB. The private members
// Debian's library exports (WriteBlock, ReadMeta, ...) are LevelDB's helpers of its own implementation: here the
// engine does their work, and they are defined only so that the symbols exist.
//
// LevelDB: table/table_builder.cc, table/table.cc, db/dumpfile.cc

#include "layer.h"
#include "leveldb/dumpfile.h"
#include "leveldb/table.h"
#include "leveldb/table_builder.h"

namespace {

// The builder's operations of table.rs's oxcxx_table_builder_op, by number.
enum class BuilderOp { kFlush = 0, kStatus = 1, kFinish = 2, kAbandon = 3 };

// A private member of LevelDB's implementation was called (only a program reaching into LevelDB's internals can).
[[noreturn]] void Internal(const char* what) {
  std::fprintf(stderr, "oxleveldb: %s is LevelDB's internal helper, not provided\n", what);
  std::abort();
}

}  // namespace

namespace leveldb {

// The engine's builder, or the error that kept it from being made (the options named what the engine cannot use).
struct TableBuilder::Rep {
  void* builder = nullptr;
  Status status;
  bool closed = false;
};

// LevelDB: TableBuilder::TableBuilder
TableBuilder::TableBuilder(const Options& options, WritableFile* file) : rep_(new Rep) {
  OxOptions ox;
  rep_->status = oxleveldb_cxx::ToOxOptions(options, &ox);
  if (rep_->status.ok()) {
    rep_->builder = oxcxx_table_builder_new(&ox, file);
  }
}

// LevelDB: TableBuilder::~TableBuilder
TableBuilder::~TableBuilder() {
  if (rep_->builder != nullptr) {
    oxcxx_table_builder_destroy(rep_->builder, rep_->closed);
  }
  delete rep_;
}

// LevelDB: TableBuilder::ChangeOptions
Status TableBuilder::ChangeOptions(const Options& options) {
  OxOptions ox;
  Status s = oxleveldb_cxx::ToOxOptions(options, &ox);
  if (s.ok() && rep_->builder != nullptr) {
    oxcxx_table_builder_change_options(rep_->builder, &ox, &s);
  }
  return s;
}

// LevelDB: TableBuilder::Add
void TableBuilder::Add(const Slice& key, const Slice& value) {
  if (rep_->builder != nullptr) {
    oxcxx_table_builder_add(rep_->builder, &key, &value);
  }
}

namespace {

// Runs one of the builder's operations; its status (the one that kept the builder from being made, if so).
Status RunBuilderOp(void* builder, const Status& failed, BuilderOp op) {
  if (builder == nullptr) {
    return failed;
  }
  Status s;
  oxcxx_table_builder_op(builder, static_cast<int>(op), &s);
  return s;
}

}  // namespace

// LevelDB: TableBuilder::Flush
void TableBuilder::Flush() { RunBuilderOp(rep_->builder, rep_->status, BuilderOp::kFlush); }

// LevelDB: TableBuilder::status
Status TableBuilder::status() const { return RunBuilderOp(rep_->builder, rep_->status, BuilderOp::kStatus); }

// LevelDB: TableBuilder::Finish
Status TableBuilder::Finish() {
  rep_->closed = true;
  return RunBuilderOp(rep_->builder, rep_->status, BuilderOp::kFinish);
}

// LevelDB: TableBuilder::Abandon
void TableBuilder::Abandon() {
  rep_->closed = true;
  RunBuilderOp(rep_->builder, rep_->status, BuilderOp::kAbandon);
}

// LevelDB: TableBuilder::NumEntries
uint64_t TableBuilder::NumEntries() const {
  return rep_->builder != nullptr ? oxcxx_table_builder_count(rep_->builder, false) : 0;
}

// LevelDB: TableBuilder::FileSize
uint64_t TableBuilder::FileSize() const {
  return rep_->builder != nullptr ? oxcxx_table_builder_count(rep_->builder, true) : 0;
}

// LevelDB: TableBuilder::WriteBlock
void TableBuilder::WriteBlock(BlockBuilder*, BlockHandle*) { Internal("TableBuilder::WriteBlock"); }

// LevelDB: TableBuilder::WriteRawBlock
void TableBuilder::WriteRawBlock(const Slice&, CompressionType, BlockHandle*) {
  Internal("TableBuilder::WriteRawBlock");
}

// The engine's table.
struct Table::Rep {
  void* table;
};

// LevelDB: Table::Open
Status Table::Open(const Options& options, RandomAccessFile* file, uint64_t size, Table** table) {
  *table = nullptr;
  OxOptions ox;
  Status s = oxleveldb_cxx::ToOxOptions(options, &ox);
  if (s.ok()) {
    void* engine = oxcxx_table_open(&ox, file, size, &s);
    if (engine != nullptr) {
      *table = new Table(new Rep{engine});
    }
  }
  return s;
}

// LevelDB: Table::~Table
Table::~Table() {
  oxcxx_table_destroy(rep_->table);
  delete rep_;
}

namespace {

// A table has no snapshot: the read options' other members.
OxReadOptions TableReadOptions(const ReadOptions& options) {
  OxReadOptions read;
  read.snapshot = nullptr;
  read.verify_checksums = options.verify_checksums;
  read.fill_cache = options.fill_cache;
  return read;
}

}  // namespace

// LevelDB: Table::NewIterator
Iterator* Table::NewIterator(const ReadOptions& options) const {
  const OxReadOptions read = TableReadOptions(options);
  return new oxleveldb_cxx::OxIterator(oxcxx_table_new_iterator(rep_->table, &read));
}

// LevelDB: Table::ApproximateOffsetOf
uint64_t Table::ApproximateOffsetOf(const Slice& key) const {
  return oxcxx_table_approximate_offset_of(rep_->table, &key);
}

// LevelDB: Table::InternalGet
Status Table::InternalGet(const ReadOptions& options, const Slice& key, void* arg,
                          void (*handle_result)(void*, const Slice&, const Slice&)) {
  const OxReadOptions read = TableReadOptions(options);
  Status s;
  oxcxx_table_internal_get(rep_->table, &read, &key, arg, reinterpret_cast<void*>(handle_result), &s);
  return s;
}

// LevelDB: Table::BlockReader
Iterator* Table::BlockReader(void*, const ReadOptions&, const Slice&) { Internal("Table::BlockReader"); }

// LevelDB: Table::ReadMeta
void Table::ReadMeta(const Footer&) { Internal("Table::ReadMeta"); }

// LevelDB: Table::ReadFilter
void Table::ReadFilter(const Slice&) { Internal("Table::ReadFilter"); }

// The file is read through the engine's environment when `env` is one of this library's, through the program's
// own otherwise.
//
// LevelDB: DumpFile
Status DumpFile(Env* env, const std::string& fname, WritableFile* dst) {
  const auto* engine = dynamic_cast<const oxleveldb_cxx::EngineEnv*>(env);
  Status s;
  oxcxx_dump_file(engine != nullptr ? engine->engine() : nullptr, engine != nullptr ? nullptr : env, fname.data(),
                  fname.size(), dst, &s);
  return s;
}

}  // namespace leveldb

void oxcxx_table_handle_result(void* handler, void* arg, const char* key, size_t key_len, const char* value,
                               size_t value_len) noexcept {
  oxleveldb_cxx::Guard("the handle_result of Table::InternalGet", [&] {
    auto* handle_result = reinterpret_cast<void (*)(void*, const leveldb::Slice&, const leveldb::Slice&)>(handler);
    handle_result(arg, leveldb::Slice(key, key_len), leveldb::Slice(value, value_len));
  });
}
