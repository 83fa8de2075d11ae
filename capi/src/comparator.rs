//! User comparators written in C: a state pointer and callbacks for the order and the name. The key shortening
//! methods are no-ops, as in LevelDB's C binding; `leveldb_comparator_destroy` calls the destructor.
//!
//! The name is asked for once, when the comparator is created (LevelDB asks each time; a comparator's name must
//! not change anyway, since the database stores it).
//!
//! LevelDB: db/c.cc (leveldb_comparator_t)

use std::cmp::Ordering;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use super::{callback_name, Destructor, NameCallback};
use ox::Comparator;

/// The C callbacks, as a `Comparator`.
struct CComparator {
    state: *mut c_void,
    compare: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize) -> c_int,
    name: String,
}

// SAFETY: c.h: a comparator's callbacks may be called from any thread (LevelDB calls them from its background
// thread and from every reader), so the state they share is the C side's to protect.
unsafe impl Send for CComparator {}
// SAFETY: as for Send.
unsafe impl Sync for CComparator {}

impl Comparator for CComparator {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        // SAFETY: c.h: `compare` takes the state and two byte ranges that live for the call.
        let r = unsafe {
            (self.compare)(
                self.state,
                a.as_ptr().cast(),
                a.len(),
                b.as_ptr().cast(),
                b.len(),
            )
        };
        r.cmp(&0)
    }

    fn name(&self) -> &str {
        &self.name
    }

    // No-ops since the C binding does not support key shortening methods.
    fn find_shortest_separator(&self, _start: &mut Vec<u8>, _limit: &[u8]) {}
    fn find_short_successor(&self, _key: &mut Vec<u8>) {}
}

/// A comparator created by `leveldb_comparator_create`.
///
/// LevelDB: leveldb_comparator_t
pub struct leveldb_comparator_t {
    pub(super) rep: Arc<dyn Comparator>,
    destructor: Destructor,
}

/// LevelDB: leveldb_comparator_create
#[no_mangle]
pub unsafe extern "C" fn leveldb_comparator_create(
    state: *mut c_void,
    destructor: unsafe extern "C" fn(*mut c_void),
    compare: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize) -> c_int,
    name: NameCallback,
) -> *mut leveldb_comparator_t {
    // SAFETY: c.h: `name` takes the state.
    let name = unsafe { callback_name(name, state) };
    Box::into_raw(Box::new(leveldb_comparator_t {
        rep: Arc::new(CComparator {
            state,
            compare,
            name,
        }),
        destructor: Destructor { state, destructor },
    }))
}

/// Calls the destructor on the state and frees `cmp` (no database may still use it).
///
/// LevelDB: leveldb_comparator_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_comparator_destroy(cmp: *mut leveldb_comparator_t) {
    // SAFETY: c.h: `cmp` came from leveldb_comparator_create and is destroyed once.
    unsafe { Box::from_raw(cmp).destructor.call() };
}
