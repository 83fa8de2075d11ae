// leveldb::WriteBatch: `rep_` holds LevelDB's batch bytes, which the database takes as they are. A header of 12
// bytes (the sequence number, fixed64, and the count, fixed32, both little-endian) and then the records: a tag
// (1 for a put, 0 for a deletion), the key and, for a put, the value, each prefixed by its varint32 length.
// Programs copy and assign batches inline (the header's defaulted members), so this is the whole state.
//
// The records are appended here; they are parsed by the engine (oxcxx_batch_iterate), whose errors are LevelDB's.
//
// LevelDB: db/write_batch.cc

#include <cstring>

#include "layer.h"

namespace {

constexpr size_t kHeader = 12;
constexpr char kTypeDeletion = 0x0;
constexpr char kTypeValue = 0x1;

uint32_t Count(const std::string& rep) {
  uint32_t count;
  std::memcpy(&count, rep.data() + 8, sizeof(count));  // little-endian, as on every target Debian builds this for
  return count;
}

void SetCount(std::string* rep, uint32_t count) { std::memcpy(&(*rep)[8], &count, sizeof(count)); }

void PutLengthPrefixed(std::string* rep, const leveldb::Slice& bytes) {
  uint32_t v = static_cast<uint32_t>(bytes.size());
  while (v >= 0x80) {
    rep->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  rep->push_back(static_cast<char>(v));
  rep->append(bytes.data(), bytes.size());
}

}  // namespace

namespace leveldb {

// LevelDB: WriteBatch::Handler::~Handler
WriteBatch::Handler::~Handler() = default;

// LevelDB: WriteBatch::WriteBatch
WriteBatch::WriteBatch() { Clear(); }

// LevelDB: WriteBatch::~WriteBatch
WriteBatch::~WriteBatch() = default;

// LevelDB: WriteBatch::Clear
void WriteBatch::Clear() {
  rep_.clear();
  rep_.resize(kHeader);
}

// LevelDB: WriteBatch::ApproximateSize
size_t WriteBatch::ApproximateSize() const { return rep_.size(); }

// LevelDB: WriteBatch::Put
void WriteBatch::Put(const Slice& key, const Slice& value) {
  SetCount(&rep_, Count(rep_) + 1);
  rep_.push_back(kTypeValue);
  PutLengthPrefixed(&rep_, key);
  PutLengthPrefixed(&rep_, value);
}

// LevelDB: WriteBatch::Delete
void WriteBatch::Delete(const Slice& key) {
  SetCount(&rep_, Count(rep_) + 1);
  rep_.push_back(kTypeDeletion);
  PutLengthPrefixed(&rep_, key);
}

// The records of `source` follow this batch's (LevelDB's WriteBatchInternal::Append).
//
// LevelDB: WriteBatch::Append
void WriteBatch::Append(const WriteBatch& source) {
  SetCount(&rep_, Count(rep_) + Count(source.rep_));
  rep_.append(source.rep_.data() + kHeader, source.rep_.size() - kHeader);
}

// LevelDB: WriteBatch::Iterate
Status WriteBatch::Iterate(Handler* handler) const {
  Status status;
  oxcxx_batch_iterate(rep_.data(), rep_.size(), handler, &status);
  return status;
}

}  // namespace leveldb

void oxcxx_handler_put(void* handler, const char* key, size_t key_len, const char* value,
                       size_t value_len) noexcept {
  oxleveldb_cxx::Guard("WriteBatch::Handler::Put", [&] {
    static_cast<leveldb::WriteBatch::Handler*>(handler)->Put(leveldb::Slice(key, key_len),
                                                             leveldb::Slice(value, value_len));
  });
}

void oxcxx_handler_delete(void* handler, const char* key, size_t key_len) noexcept {
  oxleveldb_cxx::Guard("WriteBatch::Handler::Delete", [&] {
    static_cast<leveldb::WriteBatch::Handler*>(handler)->Delete(leveldb::Slice(key, key_len));
  });
}
