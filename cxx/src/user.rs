//! A program's own `leveldb::Comparator`, `leveldb::FilterPolicy` and `leveldb::Logger`, as the engine's traits:
//! each call goes through the C++ layer to the program's virtual member, from whichever engine thread makes it
//! (LevelDB calls them from its background thread and from every reader too).
//!
//! The names are asked for once, when the database is opened (LevelDB asks each time; a comparator's or a
//! policy's name must not change anyway, since the database stores it and checks it).
//!
//! LevelDB: include/leveldb/comparator.h, filter_policy.h, env.h (Logger)

use std::cmp::Ordering;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::fmt;

use crate::CSlice;
use ox::{Comparator, FilterPolicy, Logger};

extern "C" {
    fn oxcxx_comparator_compare(
        cmp: *const c_void,
        a: *const u8,
        alen: usize,
        b: *const u8,
        blen: usize,
    ) -> c_int;
    fn oxcxx_comparator_name(cmp: *const c_void) -> *const c_char;
    fn oxcxx_comparator_find_shortest_separator(
        cmp: *const c_void,
        start: *const u8,
        start_len: usize,
        limit: *const u8,
        limit_len: usize,
        out: *mut c_void,
    );
    fn oxcxx_comparator_find_short_successor(
        cmp: *const c_void,
        key: *const u8,
        len: usize,
        out: *mut c_void,
    );
    fn oxcxx_filter_policy_name(policy: *const c_void) -> *const c_char;
    fn oxcxx_filter_policy_create_filter(
        policy: *const c_void,
        keys: *const CSlice,
        n: c_int,
        out: *mut c_void,
    );
    fn oxcxx_filter_policy_key_may_match(
        policy: *const c_void,
        key: *const u8,
        key_len: usize,
        filter: *const u8,
        filter_len: usize,
    ) -> bool;
    fn oxcxx_logger_log(logger: *mut c_void, msg: *const u8, len: usize);
}

/// A `Vec` a C++ callback fills through `oxcxx_vec_assign` or `oxcxx_vec_append` (lib.rs).
fn vec_out(vec: &mut Vec<u8>) -> *mut c_void {
    (vec as *mut Vec<u8>).cast()
}

/// A C string a program's `Name()` returned, kept.
unsafe fn owned_name(name: *const c_char) -> String {
    // SAFETY: the caller passes a NUL-terminated string that lives for the call.
    unsafe { CStr::from_ptr(name) }
        .to_string_lossy()
        .into_owned()
}

/// A program's `leveldb::Comparator`.
pub struct CxxComparator {
    cmp: *const c_void,
    name: String,
}

// SAFETY: LevelDB's contract: a comparator may be called from any thread at once (its members are const).
unsafe impl Send for CxxComparator {}
// SAFETY: as for Send.
unsafe impl Sync for CxxComparator {}

impl CxxComparator {
    /// Wraps the program's comparator `cmp`, which must outlive the database.
    pub unsafe fn new(cmp: *const c_void) -> CxxComparator {
        // SAFETY: `cmp` is a live Comparator; Name() returns a string it keeps.
        let name = unsafe { owned_name(oxcxx_comparator_name(cmp)) };
        CxxComparator { cmp, name }
    }
}

impl Comparator for CxxComparator {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        // SAFETY: `cmp` is live (new's contract); both keys are readable for the call.
        let r =
            unsafe { oxcxx_comparator_compare(self.cmp, a.as_ptr(), a.len(), b.as_ptr(), b.len()) };
        r.cmp(&0)
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]) {
        let (start_ptr, start_len) = (start.as_ptr(), start.len());
        // SAFETY: `cmp` is live; the callback copies `start` before it assigns the result to it.
        unsafe {
            oxcxx_comparator_find_shortest_separator(
                self.cmp,
                start_ptr,
                start_len,
                limit.as_ptr(),
                limit.len(),
                vec_out(start),
            )
        };
    }

    fn find_short_successor(&self, key: &mut Vec<u8>) {
        let (key_ptr, key_len) = (key.as_ptr(), key.len());
        // SAFETY: `cmp` is live; the callback copies `key` before it assigns the result to it.
        unsafe { oxcxx_comparator_find_short_successor(self.cmp, key_ptr, key_len, vec_out(key)) };
    }
}

/// A program's `leveldb::FilterPolicy`.
pub struct CxxFilterPolicy {
    policy: *const c_void,
    name: String,
}

// SAFETY: LevelDB's contract: a filter policy may be called from any thread at once (its members are const).
unsafe impl Send for CxxFilterPolicy {}
// SAFETY: as for Send.
unsafe impl Sync for CxxFilterPolicy {}

impl CxxFilterPolicy {
    /// Wraps the program's filter policy `policy`, which must outlive the database.
    pub unsafe fn new(policy: *const c_void) -> CxxFilterPolicy {
        // SAFETY: `policy` is a live FilterPolicy; Name() returns a string it keeps.
        let name = unsafe { owned_name(oxcxx_filter_policy_name(policy)) };
        CxxFilterPolicy { policy, name }
    }
}

impl FilterPolicy for CxxFilterPolicy {
    fn name(&self) -> &str {
        &self.name
    }

    fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
        // The keys as LevelDB's Slices, an array C++ reads in place.
        let slices: Vec<CSlice> = keys.iter().map(|k| CSlice::of(k)).collect();
        let n =
            c_int::try_from(slices.len()).expect("a table's filter covers fewer than 2^31 keys");
        // SAFETY: `policy` is live (new's contract); `slices` and the keys are readable for the call.
        unsafe { oxcxx_filter_policy_create_filter(self.policy, slices.as_ptr(), n, vec_out(dst)) };
    }

    fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool {
        // SAFETY: `policy` is live (new's contract); the key and the filter are readable for the call.
        unsafe {
            oxcxx_filter_policy_key_may_match(
                self.policy,
                key.as_ptr(),
                key.len(),
                filter.as_ptr(),
                filter.len(),
            )
        }
    }
}

/// A program's `leveldb::Logger` (`Options::info_log`): the engine's messages go to it, and nothing to LOG.
pub struct CxxLogger {
    logger: *mut c_void,
}

// SAFETY: LevelDB's contract: a logger is called from any thread (LevelDB's own are thread-safe).
unsafe impl Send for CxxLogger {}
// SAFETY: as for Send.
unsafe impl Sync for CxxLogger {}

impl CxxLogger {
    /// Wraps the program's logger, which must outlive the database.
    pub fn new(logger: *mut c_void) -> CxxLogger {
        CxxLogger { logger }
    }
}

impl Logger for CxxLogger {
    fn logv(&self, args: fmt::Arguments<'_>) {
        // SAFETY: `logger` is live (new's contract).
        unsafe { log_to(self.logger, args) };
    }
}

/// Logs a message to a program's `leveldb::Logger`, which must be live.
pub unsafe fn log_to(logger: *mut c_void, args: fmt::Arguments<'_>) {
    let message = args.to_string();
    // SAFETY: the caller's logger is live; the message is readable for the call.
    unsafe { oxcxx_logger_log(logger, message.as_ptr(), message.len()) };
}
