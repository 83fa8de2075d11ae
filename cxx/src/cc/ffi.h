// The seam between the C++ layer (this folder) and oxleveldb (the Rust crate in ../): every function that crosses
// it, in both directions, declared once. The Rust side is cxx/src/*.rs.
//
// Invariant: nothing unwinds across the seam. The functions C++ defines for Rust are noexcept and catch what the
// user's code throws (Guard below: a message on stderr, then abort); the functions Rust defines are extern "C",
// which abort on a panic.
//
// Conventions: bytes cross as (pointer, length) or as leveldb::Slice, whose layout (a pointer, then a length) is
// the Rust side's CSlice; a Status and a std::string are filled by Rust through oxcxx_status_set and
// oxcxx_string_assign, so results are copied once, into the caller's own objects; the engine's objects (a
// database, an iterator, a snapshot, a cache, a bloom policy) are opaque pointers that C++ gives back to destroy.

#ifndef OXLEVELDB_CXX_FFI_H_
#define OXLEVELDB_CXX_FFI_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "leveldb/db.h"
#include "leveldb/slice.h"
#include "leveldb/status.h"

namespace oxleveldb_cxx {

// Runs `body`, which calls the user's code; an exception aborts with a message naming where it was thrown from,
// since it must not unwind into the engine.
template <typename F>
auto Guard(const char* where, F body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "oxleveldb: %s threw an exception (%s); aborting\n", where, e.what());
  } catch (...) {
    std::fprintf(stderr, "oxleveldb: %s threw an exception; aborting\n", where);
  }
  std::abort();
}

// Options as the engine takes them: each pointer of leveldb::Options mapped by the C++ layer to what it is.
struct OxOptions {
  const void* comparator;     // a user's leveldb::Comparator, or null for BytewiseComparator()
  const void* filter_policy;  // a user's leveldb::FilterPolicy, or null
  const void* bloom;          // the engine's bloom policy (NewBloomFilterPolicy), or null
  const void* block_cache;    // the engine's cache (NewLRUCache), or null for the database's own
  void* info_log;             // a user's leveldb::Logger, or null for the LOG file
  size_t write_buffer_size;
  size_t block_size;
  size_t max_file_size;
  int max_open_files;
  int block_restart_interval;
  int compression;
  const void* env;            // the engine's environment (Env::Default(), NewMemEnv), or null
  void* user_env;             // a program's leveldb::Env, or null
  bool create_if_missing;
  bool error_if_exists;
  bool paranoid_checks;
  bool reuse_logs;
};

struct OxReadOptions {
  const void* snapshot;  // the engine's snapshot, or null
  bool verify_checksums;
  bool fill_cache;
};

}  // namespace oxleveldb_cxx

// The operations of a writable file and on a name, by number, in both directions.
enum OxWritableFileOp { kAppend = 0, kClose = 1, kFlush = 2, kSync = 3 };
enum OxNameOp { kRemoveFile = 0, kCreateDir = 1, kRemoveDir = 2 };

extern "C" {
using oxleveldb_cxx::OxOptions;
using oxleveldb_cxx::OxReadOptions;

// Defined in C++, called by Rust.
void oxcxx_status_set(leveldb::Status* out, int code, const char* msg, size_t len) noexcept;
void oxcxx_string_assign(std::string* out, const char* data, size_t len) noexcept;
void oxcxx_string_append(std::string* out, const char* data, size_t len) noexcept;
int oxcxx_comparator_compare(const void* cmp, const char* a, size_t alen, const char* b, size_t blen) noexcept;
const char* oxcxx_comparator_name(const void* cmp) noexcept;
void oxcxx_comparator_find_shortest_separator(const void* cmp, const char* start, size_t start_len,
                                              const char* limit, size_t limit_len, void* out_vec) noexcept;
void oxcxx_comparator_find_short_successor(const void* cmp, const char* key, size_t len, void* out_vec) noexcept;
const char* oxcxx_filter_policy_name(const void* policy) noexcept;
void oxcxx_filter_policy_create_filter(const void* policy, const leveldb::Slice* keys, int n,
                                       void* out_vec) noexcept;
bool oxcxx_filter_policy_key_may_match(const void* policy, const char* key, size_t key_len, const char* filter,
                                       size_t filter_len) noexcept;
void oxcxx_logger_log(void* logger, const char* msg, size_t len) noexcept;
void oxcxx_handler_put(void* handler, const char* key, size_t key_len, const char* value,
                       size_t value_len) noexcept;
void oxcxx_handler_delete(void* handler, const char* key, size_t key_len) noexcept;
void oxcxx_strings_push(void* vector, const char* data, size_t len) noexcept;
void oxcxx_run_work(void (*function)(void*), void* arg) noexcept;

// A program's Env and its objects (user_env.cc); `error` is the engine's error slot, set through
// oxcxx_error_set when the program's Status is not OK.
void* oxcxx_user_env_new_file(void* env, int kind, const char* name, size_t len, void* error) noexcept;
void oxcxx_user_file_delete(int kind, void* object) noexcept;
size_t oxcxx_user_seqfile_read(void* file, size_t n, char* scratch, void* error) noexcept;
void oxcxx_user_seqfile_skip(void* file, uint64_t n, void* error) noexcept;
size_t oxcxx_user_rafile_read(const void* file, uint64_t offset, size_t n, char* scratch, const char** data,
                              void* error) noexcept;
void oxcxx_user_wfile_op(void* file, int op, const char* data, size_t len, void* error) noexcept;
bool oxcxx_user_env_file_exists(void* env, const char* name, size_t len) noexcept;
void oxcxx_user_env_get_children(void* env, const char* name, size_t len, void* out, void* error) noexcept;
void oxcxx_user_env_name_op(void* env, int op, const char* name, size_t len, void* error) noexcept;
uint64_t oxcxx_user_env_get_file_size(void* env, const char* name, size_t len, void* error) noexcept;
void oxcxx_user_env_rename_file(void* env, const char* src, size_t src_len, const char* target, size_t target_len,
                                void* error) noexcept;
void oxcxx_user_env_unlock_file(void* env, void* lock, void* error) noexcept;
void oxcxx_user_env_schedule(void* env, bool start, void (*function)(void*), void* arg) noexcept;
void oxcxx_user_env_get_test_directory(void* env, void* out, void* error) noexcept;
uint64_t oxcxx_user_env_now_micros(void* env) noexcept;
void oxcxx_user_env_sleep_for_microseconds(void* env, int micros) noexcept;

void oxcxx_cache_delete_entry(void* deleter, const char* key, size_t len, void* value) noexcept;
void oxcxx_table_handle_result(void* handler, void* arg, const char* key, size_t key_len, const char* value,
                               size_t value_len) noexcept;

// Defined in Rust, called by C++.
void oxcxx_error_set(void* error, int code, const char* msg, size_t len);
void oxcxx_names_push(void* names, const char* data, size_t len);
void oxcxx_vec_assign(void* vec, const char* data, size_t len);
void oxcxx_vec_append(void* vec, const char* data, size_t len);

void* oxcxx_db_open(const OxOptions* options, const char* name, size_t name_len, leveldb::Status* status);
void oxcxx_db_close(void* db);
void oxcxx_db_put(void* db, bool sync, const leveldb::Slice* key, const leveldb::Slice* value,
                  leveldb::Status* status);
void oxcxx_db_delete(void* db, bool sync, const leveldb::Slice* key, leveldb::Status* status);
void oxcxx_db_write(void* db, bool sync, const char* rep, size_t rep_len, leveldb::Status* status);
void oxcxx_db_get(void* db, const OxReadOptions* options, const leveldb::Slice* key, std::string* value,
                  leveldb::Status* status);
void* oxcxx_db_new_iterator(void* db, const OxReadOptions* options);
void* oxcxx_db_get_snapshot(void* db);
void oxcxx_snapshot_release(void* snapshot);
bool oxcxx_db_get_property(void* db, const leveldb::Slice* property, std::string* value);
void oxcxx_db_get_approximate_sizes(void* db, const leveldb::Range* ranges, int n, uint64_t* sizes);
void oxcxx_db_compact_range(void* db, const leveldb::Slice* begin, const leveldb::Slice* end);
void oxcxx_destroy_db(const OxOptions* options, const char* name, size_t name_len, leveldb::Status* status);
void oxcxx_repair_db(const OxOptions* options, const char* name, size_t name_len, leveldb::Status* status);

void oxcxx_iter_destroy(void* iter);
bool oxcxx_iter_valid(const void* iter);
void oxcxx_iter_seek_to_first(void* iter);
void oxcxx_iter_seek_to_last(void* iter);
void oxcxx_iter_seek(void* iter, const leveldb::Slice* target);
void oxcxx_iter_next(void* iter);
void oxcxx_iter_prev(void* iter);
const char* oxcxx_iter_key(const void* iter, size_t* len);
const char* oxcxx_iter_value(const void* iter, size_t* len);
void oxcxx_iter_status(const void* iter, leveldb::Status* status);

void oxcxx_batch_iterate(const char* rep, size_t rep_len, void* handler, leveldb::Status* status);

int oxcxx_bytewise_compare(const leveldb::Slice* a, const leveldb::Slice* b);
// Assign the shortened key to `out` when it is shorter (as LevelDB changes `*start` and `*key` in place).
void oxcxx_bytewise_find_shortest_separator(const leveldb::Slice* start, const leveldb::Slice* limit,
                                            std::string* out);
void oxcxx_bytewise_find_short_successor(const leveldb::Slice* key, std::string* out);

void* oxcxx_bloom_new(int bits_per_key);
void oxcxx_bloom_destroy(void* bloom);
void oxcxx_bloom_create_filter(const void* bloom, const leveldb::Slice* keys, int n, std::string* dst);
bool oxcxx_bloom_key_may_match(const void* bloom, const leveldb::Slice* key, const leveldb::Slice* filter);

// The engine's environments (env.rs); files, locks and loggers are opaque, given back to destroy.
void* oxcxx_env_default();
void* oxcxx_env_new_mem(const void* base);
void oxcxx_env_destroy(void* env);
void* oxcxx_env_new_sequential_file(const void* env, const char* name, size_t len, leveldb::Status* status);
size_t oxcxx_seqfile_read(void* file, size_t n, char* scratch, leveldb::Status* status);
void oxcxx_seqfile_skip(void* file, uint64_t n, leveldb::Status* status);
void oxcxx_seqfile_destroy(void* file);
void* oxcxx_env_new_random_access_file(const void* env, const char* name, size_t len, leveldb::Status* status);
size_t oxcxx_rafile_read(const void* file, uint64_t offset, size_t n, char* scratch, leveldb::Status* status);
void oxcxx_rafile_destroy(void* file);
void* oxcxx_env_new_writable_file(const void* env, const char* name, size_t len, bool append,
                                  leveldb::Status* status);
void oxcxx_wfile_op(void* file, int op, const char* data, size_t len, leveldb::Status* status);
void oxcxx_wfile_destroy(void* file);
bool oxcxx_env_file_exists(const void* env, const char* name, size_t len);
void oxcxx_env_get_children(const void* env, const char* name, size_t len, std::vector<std::string>* out,
                            leveldb::Status* status);
void oxcxx_env_name_op(const void* env, int op, const char* name, size_t len, leveldb::Status* status);
uint64_t oxcxx_env_get_file_size(const void* env, const char* name, size_t len, leveldb::Status* status);
void oxcxx_env_rename_file(const void* env, const char* src, size_t src_len, const char* target, size_t target_len,
                           leveldb::Status* status);
void* oxcxx_env_lock_file(const void* env, const char* name, size_t len, leveldb::Status* status);
void oxcxx_env_unlock_file(const void* env, void* lock, leveldb::Status* status);
void oxcxx_env_schedule(const void* env, bool start, void (*function)(void*), void* arg);
void oxcxx_env_get_test_directory(const void* env, std::string* out, leveldb::Status* status);
void* oxcxx_env_new_logger(const void* env, const char* name, size_t len, leveldb::Status* status);
void oxcxx_engine_logger_log(const void* logger, const char* msg, size_t len);
void oxcxx_engine_logger_destroy(void* logger);
uint64_t oxcxx_env_now_micros(const void* env);
void oxcxx_env_sleep_for_microseconds(const void* env, int micros);

// Tables (table.rs): the files are the program's, lent.
void* oxcxx_table_builder_new(const OxOptions* options, void* file);
void oxcxx_table_builder_destroy(void* builder, bool closed);
void oxcxx_table_builder_change_options(void* builder, const OxOptions* options, leveldb::Status* status);
void oxcxx_table_builder_add(void* builder, const leveldb::Slice* key, const leveldb::Slice* value);
void oxcxx_table_builder_op(void* builder, int op, leveldb::Status* status);
uint64_t oxcxx_table_builder_count(const void* builder, bool file_size);
void* oxcxx_table_open(const OxOptions* options, void* file, uint64_t size, leveldb::Status* status);
void oxcxx_table_destroy(void* table);
void* oxcxx_table_new_iterator(const void* table, const OxReadOptions* options);
uint64_t oxcxx_table_approximate_offset_of(const void* table, const leveldb::Slice* key);
void oxcxx_table_internal_get(const void* table, const OxReadOptions* options, const leveldb::Slice* key, void* arg,
                              void* handler, leveldb::Status* status);
void oxcxx_dump_file(const void* env, void* user_env, const char* name, size_t len, void* dst,
                     leveldb::Status* status);

// NewLRUCache's cache (parts.rs): the engine's block cache and a program's entries; a Cache::Handle* is the
// engine's handle on an entry.
void* oxcxx_cache_new(size_t capacity);
void oxcxx_cache_destroy(void* cache);
void* oxcxx_cache_insert(const void* cache, const leveldb::Slice* key, void* value, size_t charge, void* deleter);
void* oxcxx_cache_lookup(const void* cache, const leveldb::Slice* key);
void oxcxx_cache_release(void* handle);
void* oxcxx_cache_value(const void* handle);
void oxcxx_cache_erase(const void* cache, const leveldb::Slice* key);
uint64_t oxcxx_cache_new_id(const void* cache);
void oxcxx_cache_prune(const void* cache);
size_t oxcxx_cache_total_charge(const void* cache);
}

#endif  // OXLEVELDB_CXX_FFI_H_
