//! The library's own instances of LevelDB's abstract classes, which the C++ layer wraps and the options map to
//! these engine objects: `BytewiseComparator()`'s key shortening, `NewBloomFilterPolicy`, `NewLRUCache` (whose cache
//! also holds a program's own entries); and the
//! parsing of a `WriteBatch`'s bytes for `WriteBatch::Iterate`.
//!
//! LevelDB: util/comparator.cc, util/bloom.cc, util/cache.cc, db/write_batch.cc (WriteBatch::Iterate)

use std::any::Any;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use crate::{append, assign, bytes, set_status, CSlice, CxxStatus, CxxString};
use ox::{
    BlockCache, BloomFilterPolicy, BytewiseComparator, Cache, Comparator, FilterPolicy, WriteBatch,
    WriteBatchHandler,
};

/// Sets `out` to the shortest key in `[start, limit)` that the bytewise order allows, if shorter than `start`.
///
/// LevelDB: BytewiseComparatorImpl::FindShortestSeparator
#[no_mangle]
pub unsafe extern "C" fn oxcxx_bytewise_find_shortest_separator(
    start: *const CSlice,
    limit: *const CSlice,
    out: *mut CxxString,
) {
    // SAFETY: ffi.h: the slices are readable for the call.
    let (start, limit) = unsafe { ((*start).bytes(), (*limit).bytes()) };
    let mut key = start.to_vec();
    BytewiseComparator.find_shortest_separator(&mut key, limit);
    if key.len() < start.len() {
        // SAFETY: ffi.h: `out` is the caller's live std::string (C++ copied `start` out of it first).
        unsafe { assign(out, &key) };
    }
}

/// Sets `out` to a short key at or after `key`, if shorter than `key`.
///
/// LevelDB: BytewiseComparatorImpl::FindShortSuccessor
#[no_mangle]
pub unsafe extern "C" fn oxcxx_bytewise_find_short_successor(
    key: *const CSlice,
    out: *mut CxxString,
) {
    // SAFETY: ffi.h: the slice is readable for the call.
    let key = unsafe { (*key).bytes() };
    let mut successor = key.to_vec();
    BytewiseComparator.find_short_successor(&mut successor);
    if successor.len() < key.len() {
        // SAFETY: ffi.h: `out` is the caller's live std::string.
        unsafe { assign(out, &successor) };
    }
}

/// LevelDB: NewBloomFilterPolicy
#[no_mangle]
pub extern "C" fn oxcxx_bloom_new(bits_per_key: c_int) -> *mut BloomFilterPolicy {
    // A negative count builds the filter a count of 0 does in LevelDB too: 64 bits and one probe.
    let bits_per_key = usize::try_from(bits_per_key).unwrap_or(0);
    Box::into_raw(Box::new(BloomFilterPolicy::new(bits_per_key)))
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_bloom_destroy(bloom: *mut BloomFilterPolicy) {
    // SAFETY: ffi.h: `bloom` came from oxcxx_bloom_new and is destroyed once.
    drop(unsafe { Box::from_raw(bloom) });
}

/// Appends the filter of `keys` to `dst`.
///
/// LevelDB: BloomFilterPolicy::CreateFilter
#[no_mangle]
pub unsafe extern "C" fn oxcxx_bloom_create_filter(
    bloom: *const BloomFilterPolicy,
    keys: *const CSlice,
    n: c_int,
    dst: *mut CxxString,
) {
    let n = usize::try_from(n).unwrap_or(0);
    // SAFETY: ffi.h: `keys` holds `n` slices, each readable for the call.
    let keys: Vec<&[u8]> = (0..n).map(|i| unsafe { (*keys.add(i)).bytes() }).collect();
    let mut filter = Vec::new();
    // SAFETY: ffi.h: `bloom` is live.
    unsafe { &*bloom }.create_filter(&keys, &mut filter);
    // SAFETY: ffi.h: `dst` is the caller's live std::string.
    unsafe { append(dst, &filter) };
}

/// LevelDB: BloomFilterPolicy::KeyMayMatch
#[no_mangle]
pub unsafe extern "C" fn oxcxx_bloom_key_may_match(
    bloom: *const BloomFilterPolicy,
    key: *const CSlice,
    filter: *const CSlice,
) -> bool {
    // SAFETY: ffi.h: `bloom` is live, the slices readable for the call.
    unsafe { (*bloom).key_may_match((*key).bytes(), (*filter).bytes()) }
}

/// A cache made by `NewLRUCache`: the engine's block cache, which databases given it share, and the entries a
/// program inserts itself (LevelDB's Cache is also a general LRU cache). The two are LRU caches of the same
/// capacity each (LevelDB's one cache counts both against one capacity).
pub struct LruCache {
    pub blocks: Arc<BlockCache>,
    entries: Cache<ProgramEntry>,
}

/// A program's entry: its value, and the deleter LevelDB calls with the key and the value once the entry is out
/// of the cache and no handle holds it (here: when the last holder drops it).
struct ProgramEntry {
    key: Vec<u8>,
    value: *mut c_void,
    deleter: *mut c_void,
}

// SAFETY: LevelDB's contract: a cache is used from any thread, and its deleters may run on any.
unsafe impl Send for ProgramEntry {}
// SAFETY: as for Send.
unsafe impl Sync for ProgramEntry {}

extern "C" {
    fn oxcxx_cache_delete_entry(
        deleter: *mut c_void,
        key: *const u8,
        key_len: usize,
        value: *mut c_void,
    );
}

impl Drop for ProgramEntry {
    fn drop(&mut self) {
        // SAFETY: the deleter is the program's, called once with the key and value it was inserted with.
        unsafe {
            oxcxx_cache_delete_entry(self.deleter, self.key.as_ptr(), self.key.len(), self.value)
        };
    }
}

/// A handle on a program's entry, as C++ holds it (`Cache::Handle*`): the cache's handle, which keeps the entry
/// pinned until released (held as `Any`: the engine does not name its type), and the entry's value.
pub struct EntryHandle {
    _pin: Box<dyn Any + Send>,
    value: *mut c_void,
}

/// A handle for C++ on the entry `handle` pins.
fn pinned(
    handle: impl std::ops::Deref<Target = ProgramEntry> + Send + 'static,
) -> *mut EntryHandle {
    let value = handle.value;
    Box::into_raw(Box::new(EntryHandle {
        _pin: Box::new(handle),
        value,
    }))
}

/// LevelDB: NewLRUCache
#[no_mangle]
pub extern "C" fn oxcxx_cache_new(capacity: usize) -> *mut LruCache {
    Box::into_raw(Box::new(LruCache {
        blocks: Arc::new(BlockCache::new(capacity)),
        entries: Cache::new(capacity),
    }))
}

/// Drops the program's hold on the cache: its entries go (their deleters run as their handles are released);
/// databases still open with the block cache keep theirs.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_destroy(cache: *mut LruCache) {
    // SAFETY: ffi.h: `cache` came from oxcxx_cache_new and is destroyed once.
    drop(unsafe { Box::from_raw(cache) });
}

/// Inserts a program's entry; returns a handle on it.
///
/// LevelDB: Cache::Insert
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_insert(
    cache: *const LruCache,
    key: *const CSlice,
    value: *mut c_void,
    charge: usize,
    deleter: *mut c_void,
) -> *mut EntryHandle {
    // SAFETY: ffi.h: `cache` is live, `key` readable for the call.
    let (cache, key) = unsafe { (&*cache, (*key).bytes()) };
    let entry = ProgramEntry {
        key: key.to_vec(),
        value,
        deleter,
    };
    pinned(cache.entries.insert(key, entry, charge))
}

/// A handle on the program's entry of `key`, or null.
///
/// LevelDB: Cache::Lookup
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_lookup(
    cache: *const LruCache,
    key: *const CSlice,
) -> *mut EntryHandle {
    // SAFETY: ffi.h: `cache` is live, `key` readable for the call.
    let handle = unsafe { (*cache).entries.lookup((*key).bytes()) };
    handle.map_or(std::ptr::null_mut(), pinned)
}

/// LevelDB: Cache::Release
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_release(handle: *mut EntryHandle) {
    // SAFETY: ffi.h: `handle` came from oxcxx_cache_insert or oxcxx_cache_lookup and is released once.
    drop(unsafe { Box::from_raw(handle) });
}

/// LevelDB: Cache::Value
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_value(handle: *const EntryHandle) -> *mut c_void {
    // SAFETY: ffi.h: `handle` is live.
    unsafe { (*handle).value }
}

/// Erases `key`'s entry, a program's or a block.
///
/// LevelDB: Cache::Erase
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_erase(cache: *const LruCache, key: *const CSlice) {
    // SAFETY: ffi.h: `cache` is live, `key` readable for the call.
    let (cache, key) = unsafe { (&*cache, (*key).bytes()) };
    cache.entries.erase(key);
    cache.blocks.erase(key);
}

/// LevelDB: Cache::NewId
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_new_id(cache: *const LruCache) -> u64 {
    // SAFETY: ffi.h: `cache` is live.
    unsafe { (*cache).blocks.new_id() }
}

/// LevelDB: Cache::Prune
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_prune(cache: *const LruCache) {
    // SAFETY: ffi.h: `cache` is live.
    let cache = unsafe { &*cache };
    cache.entries.prune();
    cache.blocks.prune();
}

/// LevelDB: Cache::TotalCharge
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_total_charge(cache: *const LruCache) -> usize {
    // SAFETY: ffi.h: `cache` is live.
    let cache = unsafe { &*cache };
    cache.entries.total_charge() + cache.blocks.total_charge()
}

extern "C" {
    fn oxcxx_handler_put(
        handler: *mut c_void,
        key: *const u8,
        key_len: usize,
        value: *const u8,
        value_len: usize,
    );
    fn oxcxx_handler_delete(handler: *mut c_void, key: *const u8, key_len: usize);
}

/// A program's `WriteBatch::Handler`.
struct CxxHandler(*mut c_void);

impl WriteBatchHandler for CxxHandler {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        // SAFETY: the handler is live for the Iterate call; the key and value are readable for the call.
        unsafe { oxcxx_handler_put(self.0, key.as_ptr(), key.len(), value.as_ptr(), value.len()) };
    }

    fn delete(&mut self, key: &[u8]) {
        // SAFETY: the handler is live for the Iterate call; the key is readable for the call.
        unsafe { oxcxx_handler_delete(self.0, key.as_ptr(), key.len()) };
    }
}

/// Calls `handler` for each record of the batch bytes `rep`, in order; the status says what is malformed.
///
/// LevelDB: WriteBatch::Iterate
#[no_mangle]
pub unsafe extern "C" fn oxcxx_batch_iterate(
    rep: *const c_char,
    rep_len: usize,
    handler: *mut c_void,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `rep` holds `rep_len` readable bytes.
    let rep = unsafe { bytes(rep, rep_len) };
    let result =
        WriteBatch::from_contents(rep).and_then(|batch| batch.iterate(&mut CxxHandler(handler)));
    // SAFETY: ffi.h: `status` is the caller's live Status.
    unsafe { set_status(status, result) };
}
