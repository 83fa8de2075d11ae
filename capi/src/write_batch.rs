//! Write batches through C, with `leveldb_writebatch_iterate` handing each update to C callbacks.
//!
//! LevelDB: db/c.cc (Write batch)

use std::ffi::{c_char, c_void};

use super::bytes;
use ox::WriteBatch;
use ox::WriteBatchHandler as Handler;

/// A batch created by `leveldb_writebatch_create`.
///
/// LevelDB: leveldb_writebatch_t
pub struct leveldb_writebatch_t {
    pub(super) rep: WriteBatch,
}

/// LevelDB: leveldb_writebatch_create
#[no_mangle]
pub extern "C" fn leveldb_writebatch_create() -> *mut leveldb_writebatch_t {
    Box::into_raw(Box::new(leveldb_writebatch_t {
        rep: WriteBatch::new(),
    }))
}

/// LevelDB: leveldb_writebatch_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_destroy(b: *mut leveldb_writebatch_t) {
    // SAFETY: c.h: `b` came from leveldb_writebatch_create and is destroyed once.
    drop(unsafe { Box::from_raw(b) });
}

/// LevelDB: leveldb_writebatch_clear
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_clear(b: *mut leveldb_writebatch_t) {
    // SAFETY: c.h: `b` is live and used by one thread at a time.
    unsafe { &mut *b }.rep.clear();
}

/// LevelDB: leveldb_writebatch_put
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_put(
    b: *mut leveldb_writebatch_t,
    key: *const c_char,
    klen: usize,
    val: *const c_char,
    vlen: usize,
) {
    // SAFETY: c.h: `b` is live and used by one thread at a time; the key and value are readable.
    unsafe { (&mut *b).rep.put(bytes(key, klen), bytes(val, vlen)) };
}

/// LevelDB: leveldb_writebatch_delete
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_delete(
    b: *mut leveldb_writebatch_t,
    key: *const c_char,
    klen: usize,
) {
    // SAFETY: c.h: `b` is live and used by one thread at a time; the key is readable.
    unsafe { (&mut *b).rep.delete(bytes(key, klen)) };
}

/// The C callbacks of `leveldb_writebatch_iterate`, as a batch handler.
struct CallbackHandler {
    state: *mut c_void,
    put: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    deleted: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
}

impl Handler for CallbackHandler {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        // SAFETY: c.h: the callback takes `state` and byte ranges that live for the call.
        unsafe {
            (self.put)(
                self.state,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
    }
    fn delete(&mut self, key: &[u8]) {
        // SAFETY: c.h: the callback takes `state` and a byte range that lives for the call.
        unsafe { (self.deleted)(self.state, key.as_ptr().cast(), key.len()) };
    }
}

/// Calls `put(state, ...)` or `deleted(state, ...)` for each update of the batch, in order; a malformed batch
/// stops the walk (there is no error to report).
///
/// LevelDB: leveldb_writebatch_iterate
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_iterate(
    b: *const leveldb_writebatch_t,
    state: *mut c_void,
    put: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize),
    deleted: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
) {
    let mut handler = CallbackHandler {
        state,
        put,
        deleted,
    };
    // SAFETY: c.h: `b` is live.
    let _ = unsafe { &*b }.rep.iterate(&mut handler);
}

/// Appends the updates of `source` to `destination`.
///
/// LevelDB: leveldb_writebatch_append
#[no_mangle]
pub unsafe extern "C" fn leveldb_writebatch_append(
    destination: *mut leveldb_writebatch_t,
    source: *const leveldb_writebatch_t,
) {
    if std::ptr::eq(destination, source) {
        // Appending a batch to itself: read it before it changes.
        // SAFETY: c.h: the batch is live and used by one thread at a time.
        let destination = unsafe { &mut *destination };
        let source = destination.rep.clone();
        destination.rep.append(&source);
    } else {
        // SAFETY: c.h: both batches are live; `destination` is used by one thread at a time, and is not `source`.
        unsafe { (&mut *destination).rep.append(&(*source).rep) };
    }
}
