//! A drop-in `libleveldb.so.1`: LevelDB 1.23's C++ ABI and its C API over oxleveldb, so that a program built
//! against Debian's `libleveldb.so.1d` runs on oxleveldb unchanged (`LD_LIBRARY_PATH`).
//!
//! Two layers meet in the library. The C++ layer (`src/cc`, compiled by build.rs against LevelDB 1.23's own
//! headers) defines LevelDB's classes with the headers' layouts, since programs compile parts of them inline
//! (`Status`, `Slice`, `WriteBatch`'s `rep_`, `Options`' defaults, the iterator's cleanup list, the vtables). It
//! calls this crate through the functions declared in `src/cc/ffi.h`, which hand the engine bytes, codes and
//! opaque pointers: the database, its iterators and snapshots, the cache and the bloom policy are oxleveldb's. A
//! program's own comparator, filter policy and logger are called back from the engine's threads (user.rs). The C
//! API's 68 functions are the `oxleveldb-capi` package's, compiled in from its source and exported as they are.
//!
//! Invariant: nothing unwinds across the seam. Every function here is `extern "C"`, which aborts on a panic
//! (the engine raises none for any input); the C++ callbacks catch what a program's code throws and abort.
//!
//! Safety: the C++ layer is the only caller. It passes pointers this crate returned and has not destroyed, and
//! byte ranges that are readable for the call; every `unsafe` block names what it relies on.

#![allow(clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod db;
mod env;
mod iterator;
mod options;
mod parts;
mod table;
mod user;
mod user_env;

use std::ffi::{c_char, c_int, c_void};

// The C API: the C library's source (capi/), compiled into this library too, so that its functions are exported
// from it as from liboxleveldb.so. (Not the package as a dependency: cargo would pass its build script's SONAME
// to this library's link as well.)
#[path = "../../capi/src/lib.rs"]
mod capi;

/// LevelDB's `Slice`, as C++ lays it out: a pointer and a length.
#[repr(C)]
pub struct CSlice {
    data: *const u8,
    size: usize,
}

impl CSlice {
    /// The bytes the slice points at.
    ///
    /// # Safety
    /// `data` points at `size` bytes that stay readable while the result is used (a slice of size 0 may have
    /// any pointer).
    unsafe fn bytes<'a>(&self) -> &'a [u8] {
        // SAFETY: as the caller promises.
        unsafe { bytes(self.data.cast(), self.size) }
    }

    /// A slice of `bytes`, for C++ to read while `bytes` lives.
    fn of(bytes: &[u8]) -> CSlice {
        CSlice {
            data: bytes.as_ptr(),
            size: bytes.len(),
        }
    }
}

/// The bytes of a `(pointer, length)` pair. A zero length needs no readable pointer (it may even be null).
unsafe fn bytes<'a>(data: *const c_char, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: ffi.h: a pointer and its length describe `len` bytes readable for the call.
    unsafe { std::slice::from_raw_parts(data.cast(), len) }
}

/// A `leveldb::Status` or `std::string` of the C++ side, filled through the callbacks below.
type CxxStatus = c_void;
type CxxString = c_void;

extern "C" {
    fn oxcxx_status_set(out: *mut CxxStatus, code: c_int, msg: *const c_char, len: usize);
    fn oxcxx_string_assign(out: *mut CxxString, data: *const c_char, len: usize);
    fn oxcxx_string_append(out: *mut CxxString, data: *const c_char, len: usize);
}

/// Stores `result`'s error, if any, in the caller's `Status` (left OK on success); returns the value.
unsafe fn set_status<T>(status: *mut CxxStatus, result: ox::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            let message = e.message();
            // SAFETY: ffi.h: `status` is the caller's live Status; the message is readable for the call.
            unsafe {
                oxcxx_status_set(
                    status,
                    e.code() as c_int,
                    message.as_ptr().cast(),
                    message.len(),
                )
            };
            None
        }
    }
}

/// Sets the caller's `std::string` to `bytes`.
unsafe fn assign(out: *mut CxxString, bytes: &[u8]) {
    // SAFETY: ffi.h: `out` is the caller's live std::string; `bytes` is readable for the call.
    unsafe { oxcxx_string_assign(out, bytes.as_ptr().cast(), bytes.len()) };
}

/// Appends `bytes` to the caller's `std::string`.
unsafe fn append(out: *mut CxxString, bytes: &[u8]) {
    // SAFETY: ffi.h: `out` is the caller's live std::string; `bytes` is readable for the call.
    unsafe { oxcxx_string_append(out, bytes.as_ptr().cast(), bytes.len()) };
}

/// Sets the engine's `Vec` behind `vec` (a C++ callback's output) to `data`.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_vec_assign(vec: *mut c_void, data: *const c_char, len: usize) {
    // SAFETY: ffi.h: `vec` is the `&mut Vec<u8>` this crate passed to the callback that calls this.
    let vec = unsafe { &mut *vec.cast::<Vec<u8>>() };
    vec.clear();
    // SAFETY: ffi.h: `data` holds `len` readable bytes.
    vec.extend_from_slice(unsafe { bytes(data, len) });
}

/// Appends `data` to the engine's `Vec` behind `vec` (a C++ callback's output).
#[no_mangle]
pub unsafe extern "C" fn oxcxx_vec_append(vec: *mut c_void, data: *const c_char, len: usize) {
    // SAFETY: ffi.h: `vec` is the `&mut Vec<u8>` this crate passed to the callback that calls this.
    let vec = unsafe { &mut *vec.cast::<Vec<u8>>() };
    // SAFETY: ffi.h: `data` holds `len` readable bytes.
    vec.extend_from_slice(unsafe { bytes(data, len) });
}
