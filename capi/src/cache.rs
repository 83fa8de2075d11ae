//! Block caches through C: an LRU cache of uncompressed blocks that databases opened with it share.
//!
//! LevelDB: db/c.cc (Cache)

use std::sync::Arc;

use ox::BlockCache;
use ox::Cache;

/// LevelDB: leveldb_cache_t
pub struct leveldb_cache_t {
    pub(super) rep: Arc<BlockCache>,
}

/// An LRU cache that holds up to `capacity` bytes of blocks.
///
/// LevelDB: leveldb_cache_create_lru
#[no_mangle]
pub extern "C" fn leveldb_cache_create_lru(capacity: usize) -> *mut leveldb_cache_t {
    Box::into_raw(Box::new(leveldb_cache_t {
        rep: Arc::new(Cache::new(capacity)),
    }))
}

/// LevelDB: leveldb_cache_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_cache_destroy(cache: *mut leveldb_cache_t) {
    // SAFETY: c.h: `cache` came from leveldb_cache_create_lru and is destroyed once.
    drop(unsafe { Box::from_raw(cache) });
}
