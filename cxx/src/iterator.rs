//! The iterator behind the `leveldb::Iterator` of a database or of a table (the C++ layer's `OxIterator`): the
//! engine's iterator (a `OxIterator`, a table's), whose key and value C++ reads in place (valid until the iterator
//! moves, as in LevelDB).
//!
//! LevelDB requires `Valid()` before `key()`, `value()`, `Next()` and `Prev()` (and its release build does not
//! check); here those calls on an invalid iterator do nothing and read as empty, so a program's mistake cannot
//! make the engine panic.
//!
//! LevelDB: db/db_iter.cc, table/two_level_iterator.cc

use std::ffi::c_char;

use crate::{set_status, CSlice, CxxStatus};
use ox::table::iterator::Iterator;

/// An iterator as C++ holds it.
type OxIterator = Box<dyn Iterator>;

/// Destroys the iterator (its registered cleanups are the C++ side's).
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_destroy(iter: *mut OxIterator) {
    // SAFETY: ffi.h: `iter` came from oxcxx_db_new_iterator and is destroyed once.
    drop(unsafe { Box::from_raw(iter) });
}

/// The iterator behind a pointer the C++ layer holds.
unsafe fn iter_mut<'a>(iter: *mut OxIterator) -> &'a mut OxIterator {
    // SAFETY: ffi.h: `iter` is live and used by one thread at a time (LevelDB's rule for an iterator).
    unsafe { &mut *iter }
}

/// LevelDB: DBIter::Valid
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_valid(iter: *const OxIterator) -> bool {
    // SAFETY: ffi.h: `iter` is live.
    unsafe { (*iter).valid() }
}

/// LevelDB: DBIter::SeekToFirst
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_seek_to_first(iter: *mut OxIterator) {
    // SAFETY: ffi.h: `iter` is live.
    unsafe { iter_mut(iter) }.seek_to_first();
}

/// LevelDB: DBIter::SeekToLast
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_seek_to_last(iter: *mut OxIterator) {
    // SAFETY: ffi.h: `iter` is live.
    unsafe { iter_mut(iter) }.seek_to_last();
}

/// LevelDB: DBIter::Seek
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_seek(iter: *mut OxIterator, target: *const CSlice) {
    // SAFETY: ffi.h: `iter` is live, `target` readable for the call.
    unsafe { iter_mut(iter).seek((*target).bytes()) };
}

/// LevelDB: DBIter::Next
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_next(iter: *mut OxIterator) {
    // SAFETY: ffi.h: `iter` is live.
    let iter = unsafe { iter_mut(iter) };
    if iter.valid() {
        iter.next();
    }
}

/// LevelDB: DBIter::Prev
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_prev(iter: *mut OxIterator) {
    // SAFETY: ffi.h: `iter` is live.
    let iter = unsafe { iter_mut(iter) };
    if iter.valid() {
        iter.prev();
    }
}

/// Stores the length of `bytes` in `*len` and returns where they start.
unsafe fn out(bytes: &[u8], len: *mut usize) -> *const c_char {
    // SAFETY: ffi.h: `len` is writable.
    unsafe { *len = bytes.len() };
    bytes.as_ptr().cast()
}

/// LevelDB: DBIter::key
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_key(iter: *const OxIterator, len: *mut usize) -> *const c_char {
    // SAFETY: ffi.h: `iter` is live, `len` writable.
    unsafe {
        let iter = &*iter;
        out(if iter.valid() { iter.key() } else { &[] }, len)
    }
}

/// LevelDB: DBIter::value
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_value(
    iter: *const OxIterator,
    len: *mut usize,
) -> *const c_char {
    // SAFETY: ffi.h: `iter` is live, `len` writable.
    unsafe {
        let iter = &*iter;
        out(if iter.valid() { iter.value() } else { &[] }, len)
    }
}

/// LevelDB: DBIter::status
#[no_mangle]
pub unsafe extern "C" fn oxcxx_iter_status(iter: *const OxIterator, status: *mut CxxStatus) {
    // SAFETY: ffi.h: `iter` is live, `status` the caller's.
    unsafe { set_status(status, (*iter).status()) };
}
