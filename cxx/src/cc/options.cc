// leveldb::Options (its constructor: LevelDB's defaults, with BytewiseComparator() and Env::Default()), and the
// translation of the options a program fills into the engine's: the library's own comparator, bloom policy and
// cache become the engine's, with no call across the seam per use; a user's comparator, filter policy and logger
// are passed as they are, for the engine to call.
//
// LevelDB: util/options.cc

#include "layer.h"

namespace leveldb {

// The members' defaults are in the header (inline initializers); the two that need the library are here.
//
// LevelDB: Options::Options
Options::Options() : comparator(BytewiseComparator()), env(Env::Default()) {}

}  // namespace leveldb

namespace oxleveldb_cxx {

leveldb::Status ToOxOptions(const leveldb::Options& options, OxOptions* result) {
  // The library's environments are the engine's; a program's own is called through user_env.cc.
  const auto* env = dynamic_cast<const EngineEnv*>(options.env);
  const void* cache = nullptr;
  if (options.block_cache != nullptr) {
    const auto* lru = dynamic_cast<const LRUCache*>(options.block_cache);
    if (lru == nullptr) {
      return leveldb::Status::NotSupported("oxleveldb: a block cache not made by NewLRUCache");
    }
    cache = lru->engine();
  }
  const auto* bloom = dynamic_cast<const BloomPolicy*>(options.filter_policy);
  result->comparator = options.comparator == leveldb::BytewiseComparator() ? nullptr : options.comparator;
  result->filter_policy = bloom != nullptr ? nullptr : options.filter_policy;
  result->bloom = bloom != nullptr ? bloom->engine() : nullptr;
  result->block_cache = cache;
  result->info_log = options.info_log;
  result->write_buffer_size = options.write_buffer_size;
  result->block_size = options.block_size;
  result->max_file_size = options.max_file_size;
  result->max_open_files = options.max_open_files;
  result->block_restart_interval = options.block_restart_interval;
  result->compression = options.compression;
  result->env = env != nullptr ? env->engine() : nullptr;
  result->user_env = env != nullptr ? nullptr : options.env;
  result->create_if_missing = options.create_if_missing;
  result->error_if_exists = options.error_if_exists;
  result->paranoid_checks = options.paranoid_checks;
  result->reuse_logs = options.reuse_logs;
  return leveldb::Status::OK();
}

}  // namespace oxleveldb_cxx
