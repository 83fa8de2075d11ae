//! Database iterators through C. A key or value pointer stays valid until the iterator moves or is destroyed.
//!
//! LevelDB: db/c.cc (Iterator)

use std::ffi::c_char;

use super::{bytes, save_error};
use ox::DBIterator;

/// An iterator created by `leveldb_create_iterator`.
///
/// LevelDB: leveldb_iterator_t
pub struct leveldb_iterator_t {
    pub(super) rep: DBIterator,
}

/// LevelDB: leveldb_iter_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_destroy(iter: *mut leveldb_iterator_t) {
    // SAFETY: c.h: `iter` came from leveldb_create_iterator and is destroyed once.
    drop(unsafe { Box::from_raw(iter) });
}

/// LevelDB: leveldb_iter_valid
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_valid(iter: *const leveldb_iterator_t) -> u8 {
    // SAFETY: c.h: `iter` is live.
    u8::from(unsafe { &*iter }.rep.valid())
}

/// LevelDB: leveldb_iter_seek_to_first
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_seek_to_first(iter: *mut leveldb_iterator_t) {
    // SAFETY: c.h: `iter` is live and used by one thread at a time.
    unsafe { &mut *iter }.rep.seek_to_first();
}

/// LevelDB: leveldb_iter_seek_to_last
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_seek_to_last(iter: *mut leveldb_iterator_t) {
    // SAFETY: c.h: `iter` is live and used by one thread at a time.
    unsafe { &mut *iter }.rep.seek_to_last();
}

/// LevelDB: leveldb_iter_seek
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_seek(
    iter: *mut leveldb_iterator_t,
    k: *const c_char,
    klen: usize,
) {
    // SAFETY: c.h: `iter` is live and used by one thread at a time; the key is readable.
    unsafe { (&mut *iter).rep.seek(bytes(k, klen)) };
}

/// LevelDB: leveldb_iter_next
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_next(iter: *mut leveldb_iterator_t) {
    // SAFETY: c.h: `iter` is live and used by one thread at a time.
    let iter = unsafe { &mut *iter };
    // LevelDB requires a valid iterator; an invalid one stays where it is instead of failing.
    if iter.rep.valid() {
        iter.rep.next();
    }
}

/// LevelDB: leveldb_iter_prev
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_prev(iter: *mut leveldb_iterator_t) {
    // SAFETY: c.h: `iter` is live and used by one thread at a time.
    let iter = unsafe { &mut *iter };
    // LevelDB requires a valid iterator; an invalid one stays where it is instead of failing.
    if iter.rep.valid() {
        iter.rep.prev();
    }
}

/// Stores the length of `bytes` in `*len` and returns a pointer to them; NULL (length 0) for no bytes at all.
unsafe fn expose(bytes: Option<&[u8]>, len: *mut usize) -> *const c_char {
    // SAFETY: c.h: `len` is writable.
    unsafe { *len = bytes.map_or(0, <[u8]>::len) };
    bytes.map_or(std::ptr::null(), |b| b.as_ptr().cast())
}

/// The current key; the iterator must be valid (else NULL).
///
/// LevelDB: leveldb_iter_key
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_key(
    iter: *const leveldb_iterator_t,
    klen: *mut usize,
) -> *const c_char {
    // SAFETY: c.h: `iter` is live and `klen` writable.
    unsafe {
        let iter = &*iter;
        expose(iter.rep.valid().then(|| iter.rep.key()), klen)
    }
}

/// The current value; the iterator must be valid (else NULL).
///
/// LevelDB: leveldb_iter_value
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_value(
    iter: *const leveldb_iterator_t,
    vlen: *mut usize,
) -> *const c_char {
    // SAFETY: c.h: `iter` is live and `vlen` writable.
    unsafe {
        let iter = &*iter;
        expose(iter.rep.valid().then(|| iter.rep.value()), vlen)
    }
}

/// Stores the iterator's error, if it met one, in `*errptr`.
///
/// LevelDB: leveldb_iter_get_error
#[no_mangle]
pub unsafe extern "C" fn leveldb_iter_get_error(
    iter: *const leveldb_iterator_t,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: `iter` is live and `errptr` valid.
    unsafe { save_error(errptr, (*iter).rep.status()) };
}
