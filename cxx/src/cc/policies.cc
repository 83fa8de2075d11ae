// The abstract classes a program hands the database (Comparator, FilterPolicy, Cache, Logger): their destructors,
// the library's own instances (BytewiseComparator, NewBloomFilterPolicy, NewLRUCache), and the callbacks through
// which the engine calls a program's own subclasses from its threads.
//
// LevelDB: util/comparator.cc, util/bloom.cc, util/cache.cc, util/filter_policy.cc

#include <cstdarg>

#include "layer.h"

namespace {

using leveldb::Slice;

// LevelDB: BytewiseComparatorImpl
class BytewiseComparatorImpl final : public leveldb::Comparator {
 public:
  const char* Name() const override { return "leveldb.BytewiseComparator"; }
  int Compare(const Slice& a, const Slice& b) const override { return a.compare(b); }
  void FindShortestSeparator(std::string* start, const Slice& limit) const override {
    const Slice current(*start);
    oxcxx_bytewise_find_shortest_separator(&current, &limit, start);
  }
  void FindShortSuccessor(std::string* key) const override {
    const Slice current(*key);
    oxcxx_bytewise_find_short_successor(&current, key);
  }
};

// Calls the logger's Logv with a va_list, as LevelDB's Log does.
void LogFormatted(leveldb::Logger* logger, const char* format, ...) {
  std::va_list ap;
  va_start(ap, format);
  logger->Logv(format, ap);
  va_end(ap);
}

}  // namespace

namespace leveldb {

// LevelDB: Comparator::~Comparator
Comparator::~Comparator() = default;

// LevelDB: FilterPolicy::~FilterPolicy
FilterPolicy::~FilterPolicy() = default;

// LevelDB: Cache::~Cache
Cache::~Cache() = default;

// One comparator for the life of the process (never destroyed: databases may be closed at exit).
//
// LevelDB: BytewiseComparator
const Comparator* BytewiseComparator() {
  static const Comparator* const singleton = new BytewiseComparatorImpl();
  return singleton;
}

// LevelDB: NewBloomFilterPolicy
const FilterPolicy* NewBloomFilterPolicy(int bits_per_key) {
  return new oxleveldb_cxx::BloomPolicy(bits_per_key);
}

// LevelDB: NewLRUCache
Cache* NewLRUCache(size_t capacity) { return new oxleveldb_cxx::LRUCache(capacity); }

}  // namespace leveldb

namespace oxleveldb_cxx {

leveldb::Cache::Handle* LRUCache::Insert(const Slice& key, void* value, size_t charge,
                                        void (*deleter)(const Slice& key, void* value)) {
  return static_cast<Handle*>(oxcxx_cache_insert(cache_, &key, value, charge, reinterpret_cast<void*>(deleter)));
}

leveldb::Cache::Handle* LRUCache::Lookup(const Slice& key) {
  return static_cast<Handle*>(oxcxx_cache_lookup(cache_, &key));
}

void LRUCache::Release(Handle* handle) { oxcxx_cache_release(handle); }

void* LRUCache::Value(Handle* handle) { return oxcxx_cache_value(handle); }

}  // namespace oxleveldb_cxx

// The callbacks through which the engine calls a program's subclasses.

int oxcxx_comparator_compare(const void* cmp, const char* a, size_t alen, const char* b, size_t blen) noexcept {
  return oxleveldb_cxx::Guard("Comparator::Compare", [&] {
    return static_cast<const leveldb::Comparator*>(cmp)->Compare(Slice(a, alen), Slice(b, blen));
  });
}

const char* oxcxx_comparator_name(const void* cmp) noexcept {
  return oxleveldb_cxx::Guard("Comparator::Name",
                              [&] { return static_cast<const leveldb::Comparator*>(cmp)->Name(); });
}

void oxcxx_comparator_find_shortest_separator(const void* cmp, const char* start, size_t start_len,
                                              const char* limit, size_t limit_len, void* out_vec) noexcept {
  oxleveldb_cxx::Guard("Comparator::FindShortestSeparator", [&] {
    std::string key(start, start_len);
    static_cast<const leveldb::Comparator*>(cmp)->FindShortestSeparator(&key, Slice(limit, limit_len));
    oxcxx_vec_assign(out_vec, key.data(), key.size());
  });
}

void oxcxx_comparator_find_short_successor(const void* cmp, const char* key, size_t len, void* out_vec) noexcept {
  oxleveldb_cxx::Guard("Comparator::FindShortSuccessor", [&] {
    std::string successor(key, len);
    static_cast<const leveldb::Comparator*>(cmp)->FindShortSuccessor(&successor);
    oxcxx_vec_assign(out_vec, successor.data(), successor.size());
  });
}

const char* oxcxx_filter_policy_name(const void* policy) noexcept {
  return oxleveldb_cxx::Guard("FilterPolicy::Name",
                              [&] { return static_cast<const leveldb::FilterPolicy*>(policy)->Name(); });
}

void oxcxx_filter_policy_create_filter(const void* policy, const Slice* keys, int n, void* out_vec) noexcept {
  oxleveldb_cxx::Guard("FilterPolicy::CreateFilter", [&] {
    std::string filter;
    static_cast<const leveldb::FilterPolicy*>(policy)->CreateFilter(keys, n, &filter);
    oxcxx_vec_append(out_vec, filter.data(), filter.size());
  });
}

bool oxcxx_filter_policy_key_may_match(const void* policy, const char* key, size_t key_len, const char* filter,
                                       size_t filter_len) noexcept {
  return oxleveldb_cxx::Guard("FilterPolicy::KeyMayMatch", [&] {
    return static_cast<const leveldb::FilterPolicy*>(policy)->KeyMayMatch(Slice(key, key_len),
                                                                          Slice(filter, filter_len));
  });
}

void oxcxx_cache_delete_entry(void* deleter, const char* key, size_t len, void* value) noexcept {
  oxleveldb_cxx::Guard("a Cache entry's deleter", [&] {
    reinterpret_cast<void (*)(const Slice&, void*)>(deleter)(Slice(key, len), value);
  });
}

void oxcxx_logger_log(void* logger, const char* msg, size_t len) noexcept {
  oxleveldb_cxx::Guard("Logger::Logv", [&] {
    LogFormatted(static_cast<leveldb::Logger*>(logger), "%.*s", static_cast<int>(len), msg);
  });
}
