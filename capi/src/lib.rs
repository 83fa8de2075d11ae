//! The C API of LevelDB 1.23 (`include/leveldb/c.h`): the same 68 functions, with the same names, signatures
//! and conventions, over oxleveldb. C programs include the header shipped in
//! `capi/include/leveldb/c.h` and link the `cdylib` (liboxleveldb.so) or the `staticlib` (liboxleveldb.a).
//!
//! LevelDB's conventions, kept here:
//! - the structs are opaque: the API creates them (`..._create`, `leveldb_open`) and destroys them;
//! - an operation that can fail takes `char** errptr`: on failure the old message (if any) is freed and a new
//!   malloc'd one, `Status::ToString`'s text, is stored; on success `*errptr` is left as it was;
//! - results the caller owns are malloc'd (free them with `leveldb_free`); NULL means "not found";
//! - bools are `uint8_t`; every pointer argument must be non-NULL unless the function says otherwise.
//!
//! Safety: every function trusts c.h's contract, stated once here: each object pointer was returned by this API
//! and not destroyed yet, each `(ptr, len)` pair points at `len` readable bytes, each C string is NUL-terminated,
//! each callback is safe to call from any thread. Every `unsafe` block names the part of the contract it relies on.
//!
//! Invariant: nothing unwinds into C. The functions that report errors run the engine under `catch_unwind` and
//! report a panic through `errptr`; elsewhere a panic (which the engine never raises for any input) aborts, as
//! Rust does at every `extern "C"` boundary, and the iterator functions check validity instead of asserting it.
//!
//! The functions are exported under their C names (`#[no_mangle]`). This package builds only the C library
//! (`liboxleveldb.so`, with the SONAME `liboxleveldb.so.1`, and `liboxleveldb.a`); Rust programs use the
//! `oxleveldb` crate itself.
//!
//! LevelDB: db/c.cc

// The types and functions keep their C names; their contract is c.h's, stated once above.
#![allow(non_camel_case_types, clippy::missing_safety_doc)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod cache;
pub mod comparator;
pub mod db;
pub mod env;
pub mod filter_policy;
pub mod iterator;
pub mod options;
pub mod write_batch;

use std::ffi::{c_char, c_int, c_void, CStr, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use ox::{Error, Result};

extern "C" {
    // The C library's allocator: the caller frees what we return with free() (through leveldb_free), and we free
    // what callbacks return (a filter) and error messages the caller leaves in *errptr.
    fn malloc(size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
}

/// A malloc'd copy of `bytes`, not NUL-terminated (LevelDB's `CopyString`: `malloc(len)` even for 0 bytes).
///
/// LevelDB: CopyString
fn copy_string(bytes: &[u8]) -> *mut c_char {
    // SAFETY: malloc may be called with any size; a NULL result is checked before it is written to.
    let result = unsafe { malloc(bytes.len()) }.cast::<c_char>();
    if !result.is_null() {
        // SAFETY: `result` holds `bytes.len()` bytes, and fresh memory does not overlap `bytes`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), result, bytes.len()) };
    }
    result
}

/// A malloc'd NUL-terminated copy of `text`, cut at its first NUL byte, as `strdup(text.c_str())` would be.
fn strdup(text: &[u8]) -> *mut c_char {
    let text = &text[..text.iter().position(|&b| b == 0).unwrap_or(text.len())];
    // SAFETY: malloc may be called with any size; a NULL result is checked before it is written to.
    let result = unsafe { malloc(text.len() + 1) }.cast::<c_char>();
    if !result.is_null() {
        // SAFETY: `result` holds `text.len() + 1` bytes, and fresh memory does not overlap `text`.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr().cast(), result, text.len());
            *result.add(text.len()) = 0;
        }
    }
    result
}

/// Stores `result`'s error in `*errptr` (freeing the message already there); returns the value on success.
///
/// LevelDB: SaveError
unsafe fn save_error<T>(errptr: *mut *mut c_char, result: Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            // SAFETY: c.h: `errptr` points at NULL or at a message malloc'd by this library.
            unsafe {
                if !(*errptr).is_null() {
                    free((*errptr).cast());
                }
                *errptr = strdup(e.to_string().as_bytes());
            }
            None
        }
    }
}

/// Runs `work` and stores its error in `*errptr`; a panic becomes an error too, so that it never unwinds into C.
unsafe fn run<T>(errptr: *mut *mut c_char, work: impl FnOnce() -> Result<T>) -> Option<T> {
    let result =
        catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(Error::from_panic(panic)));
    // SAFETY: the caller passes on c.h's contract for `errptr`.
    unsafe { save_error(errptr, result) }
}

/// The bytes of a `(pointer, length)` pair. A zero length needs no readable pointer (it may even be NULL).
unsafe fn bytes<'a>(data: *const c_char, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: c.h: a pointer and its length describe `len` readable bytes that outlive the call.
    unsafe { std::slice::from_raw_parts(data.cast(), len) }
}

/// The path in a C string.
unsafe fn path<'a>(name: *const c_char) -> &'a Path {
    // SAFETY: c.h: a name is a NUL-terminated string that outlives the call.
    let name = unsafe { CStr::from_ptr(name) };
    Path::new(OsStr::from_bytes(name.to_bytes()))
}

/// The `name(state)` callback of a user comparator or filter policy.
type NameCallback = unsafe extern "C" fn(*mut c_void) -> *const c_char;

/// The name a `name(state)` callback gives (asked for once: the database stores it, so it must not change).
unsafe fn callback_name(name: NameCallback, state: *mut c_void) -> String {
    // SAFETY: c.h: `name` takes the state and returns a C string that the C side keeps alive.
    unsafe { CStr::from_ptr(name(state)) }
        .to_string_lossy()
        .into_owned()
}

/// The state of a user comparator or filter policy and its destructor, which LevelDB calls when the object is
/// destroyed.
struct Destructor {
    state: *mut c_void,
    destructor: unsafe extern "C" fn(*mut c_void),
}

impl Destructor {
    /// Calls `destructor(state)`.
    unsafe fn call(self) {
        // SAFETY: c.h: the destructor takes the state it was given with.
        unsafe { (self.destructor)(self.state) }
    }
}

/// Calls `free(ptr)`: frees what this library returned malloc'd.
///
/// LevelDB: leveldb_free
#[no_mangle]
pub unsafe extern "C" fn leveldb_free(ptr: *mut c_void) {
    // SAFETY: c.h: `ptr` was malloc'd and returned by one of these routines (free(NULL) does nothing).
    unsafe { free(ptr) }
}

/// LevelDB: leveldb_major_version
#[no_mangle]
pub extern "C" fn leveldb_major_version() -> c_int {
    1
}

/// LevelDB: leveldb_minor_version
#[no_mangle]
pub extern "C" fn leveldb_minor_version() -> c_int {
    23
}
