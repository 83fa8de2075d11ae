//! The library's own instances of LevelDB's abstract classes, which the C++ layer wraps and the options map to
//! these engine objects: `BytewiseComparator()`'s key shortening, `NewBloomFilterPolicy`, `NewLRUCache`; and the
//! parsing of a `WriteBatch`'s bytes for `WriteBatch::Iterate`.
//!
//! LevelDB: util/comparator.cc, util/bloom.cc, util/cache.cc, db/write_batch.cc (WriteBatch::Iterate)

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use crate::{append, assign, bytes, set_status, CSlice, CxxStatus, CxxString};
use ox::{
    BlockCache, BloomFilterPolicy, BytewiseComparator, Comparator, FilterPolicy, WriteBatch,
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

/// The engine's block cache, shared by every database given it.
///
/// LevelDB: NewLRUCache
#[no_mangle]
pub extern "C" fn oxcxx_cache_new(capacity: usize) -> *mut Arc<BlockCache> {
    Box::into_raw(Box::new(Arc::new(BlockCache::new(capacity))))
}

/// Drops the program's hold on the cache; databases still open with it keep theirs.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_destroy(cache: *mut Arc<BlockCache>) {
    // SAFETY: ffi.h: `cache` came from oxcxx_cache_new and is destroyed once.
    drop(unsafe { Box::from_raw(cache) });
}

/// LevelDB: Cache::Erase
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_erase(cache: *const Arc<BlockCache>, key: *const CSlice) {
    // SAFETY: ffi.h: `cache` is live, `key` readable for the call.
    unsafe { (*cache).erase((*key).bytes()) };
}

/// LevelDB: Cache::NewId
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_new_id(cache: *const Arc<BlockCache>) -> u64 {
    // SAFETY: ffi.h: `cache` is live.
    unsafe { (*cache).new_id() }
}

/// LevelDB: Cache::Prune
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_prune(cache: *const Arc<BlockCache>) {
    // SAFETY: ffi.h: `cache` is live.
    unsafe { (*cache).prune() };
}

/// LevelDB: Cache::TotalCharge
#[no_mangle]
pub unsafe extern "C" fn oxcxx_cache_total_charge(cache: *const Arc<BlockCache>) -> usize {
    // SAFETY: ffi.h: `cache` is live.
    unsafe { (*cache).total_charge() }
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
