//! Filter policies through C: user policies (a state pointer and callbacks that build a malloc'd filter, probe it
//! and name it), and LevelDB's bloom filter. `leveldb_filterpolicy_destroy` calls a user policy's destructor.
//!
//! As for comparators, a user policy's name is asked for once, when it is created.
//!
//! LevelDB: db/c.cc (leveldb_filterpolicy_t)

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use super::{bytes, callback_name, free, Destructor, NameCallback};
use ox::BloomFilterPolicy;
use ox::FilterPolicy;

type CreateFilter = unsafe extern "C" fn(
    *mut c_void,
    *const *const c_char,
    *const usize,
    c_int,
    *mut usize,
) -> *mut c_char;
type KeyMayMatch =
    unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize) -> u8;

/// The C callbacks, as a `FilterPolicy`.
struct CFilterPolicy {
    state: *mut c_void,
    create: CreateFilter,
    key_match: KeyMayMatch,
    name: String,
}

// SAFETY: c.h: a policy's callbacks may be called from any thread (LevelDB builds filters on its background thread
// and probes them from every reader), so the state they share is the C side's to protect.
unsafe impl Send for CFilterPolicy {}
// SAFETY: as for Send.
unsafe impl Sync for CFilterPolicy {}

impl FilterPolicy for CFilterPolicy {
    fn name(&self) -> &str {
        &self.name
    }

    fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
        let key_pointers: Vec<*const c_char> = keys.iter().map(|k| k.as_ptr().cast()).collect();
        let key_sizes: Vec<usize> = keys.iter().map(|k| k.len()).collect();
        // A table holds far fewer than 2^31 keys per filter; LevelDB passes the count as an int too.
        let n = c_int::try_from(keys.len()).unwrap_or(c_int::MAX);
        let mut len = 0;
        // SAFETY: c.h: `create_filter` reads `n` keys from the two arrays, which live for the call, writes the
        // filter's length, and returns a malloc'd filter of that length, which we own.
        unsafe {
            let filter = (self.create)(
                self.state,
                key_pointers.as_ptr(),
                key_sizes.as_ptr(),
                n,
                &mut len,
            );
            dst.extend_from_slice(bytes(filter, len));
            free(filter.cast());
        }
    }

    fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool {
        // SAFETY: c.h: `key_may_match` takes the state and two byte ranges that live for the call.
        unsafe {
            (self.key_match)(
                self.state,
                key.as_ptr().cast(),
                key.len(),
                filter.as_ptr().cast(),
                filter.len(),
            ) != 0
        }
    }
}

/// A policy created by `leveldb_filterpolicy_create` (with its destructor) or by
/// `leveldb_filterpolicy_create_bloom` (without).
///
/// LevelDB: leveldb_filterpolicy_t
pub struct leveldb_filterpolicy_t {
    pub(super) rep: Arc<dyn FilterPolicy>,
    destructor: Option<Destructor>,
}

/// LevelDB: leveldb_filterpolicy_create
#[no_mangle]
pub unsafe extern "C" fn leveldb_filterpolicy_create(
    state: *mut c_void,
    destructor: unsafe extern "C" fn(*mut c_void),
    create_filter: CreateFilter,
    key_may_match: KeyMayMatch,
    name: NameCallback,
) -> *mut leveldb_filterpolicy_t {
    // SAFETY: c.h: `name` takes the state.
    let name = unsafe { callback_name(name, state) };
    Box::into_raw(Box::new(leveldb_filterpolicy_t {
        rep: Arc::new(CFilterPolicy {
            state,
            create: create_filter,
            key_match: key_may_match,
            name,
        }),
        destructor: Some(Destructor { state, destructor }),
    }))
}

/// Calls a user policy's destructor on its state and frees `policy` (no database may still use it).
///
/// LevelDB: leveldb_filterpolicy_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_filterpolicy_destroy(policy: *mut leveldb_filterpolicy_t) {
    // SAFETY: c.h: `policy` came from this API and is destroyed once.
    unsafe {
        if let Some(destructor) = Box::from_raw(policy).destructor {
            destructor.call();
        }
    }
}

/// LevelDB's bloom filter with `bits_per_key` bits per key. A negative count (with which LevelDB would compute a
/// huge filter size) counts as 0: one probe into a 64-bit filter.
///
/// LevelDB: leveldb_filterpolicy_create_bloom
#[no_mangle]
pub extern "C" fn leveldb_filterpolicy_create_bloom(
    bits_per_key: c_int,
) -> *mut leveldb_filterpolicy_t {
    Box::into_raw(Box::new(leveldb_filterpolicy_t {
        rep: Arc::new(BloomFilterPolicy::new(
            usize::try_from(bits_per_key).unwrap_or(0),
        )),
        destructor: None,
    }))
}
