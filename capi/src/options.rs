//! Options, read options and write options through C: created with LevelDB's defaults, changed by setters.
//!
//! LevelDB: db/c.cc (Options, Read options, Write options)

use std::ffi::c_int;

use super::cache::leveldb_cache_t;
use super::comparator::leveldb_comparator_t;
use super::db::leveldb_snapshot_t;
use super::env::leveldb_env_t;
use super::filter_policy::leveldb_filterpolicy_t;
use ox::bytewise_comparator;
use ox::env::default_env;
use ox::{CompressionType, Options, ReadOptions, WriteOptions};

/// LevelDB: leveldb_options_t
pub struct leveldb_options_t {
    pub(super) rep: Options,
}

/// An info logger. The C API has no function that makes one: `leveldb_options_set_info_log` only takes NULL
/// (which logs to the LOG file in the database directory).
///
/// LevelDB: leveldb_logger_t
pub struct leveldb_logger_t {
    _private: [u8; 0],
}

/// A negative C `int` option counts as 0 (LevelDB then clips or treats it as it would a negative number).
fn non_negative(n: c_int) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// LevelDB: leveldb_options_create
#[no_mangle]
pub extern "C" fn leveldb_options_create() -> *mut leveldb_options_t {
    Box::into_raw(Box::new(leveldb_options_t {
        rep: Options::default(),
    }))
}

/// LevelDB: leveldb_options_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_destroy(options: *mut leveldb_options_t) {
    // SAFETY: c.h: `options` came from leveldb_options_create and is destroyed once.
    drop(unsafe { Box::from_raw(options) });
}

/// Applies `set` to the options behind `opt`.
unsafe fn set(opt: *mut leveldb_options_t, set: impl FnOnce(&mut Options)) {
    // SAFETY: c.h: `opt` is live and used by one thread at a time.
    set(unsafe { &mut (*opt).rep });
}

/// LevelDB: leveldb_options_set_comparator
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_comparator(
    opt: *mut leveldb_options_t,
    cmp: *mut leveldb_comparator_t,
) {
    // NULL, which LevelDB would crash on later, stands for the default comparator.
    // SAFETY: c.h: a non-NULL `cmp` is live.
    let comparator = unsafe { cmp.as_ref() }.map_or_else(bytewise_comparator, |c| c.rep.clone());
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.comparator = comparator) };
}

/// Sets the filter policy; NULL removes it.
///
/// LevelDB: leveldb_options_set_filter_policy
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_filter_policy(
    opt: *mut leveldb_options_t,
    policy: *mut leveldb_filterpolicy_t,
) {
    // SAFETY: c.h: a non-NULL `policy` is live.
    let policy = unsafe { policy.as_ref() }.map(|p| p.rep.clone());
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.filter_policy = policy) };
}

/// LevelDB: leveldb_options_set_create_if_missing
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_create_if_missing(opt: *mut leveldb_options_t, v: u8) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.create_if_missing = v != 0) };
}

/// LevelDB: leveldb_options_set_error_if_exists
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_error_if_exists(opt: *mut leveldb_options_t, v: u8) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.error_if_exists = v != 0) };
}

/// LevelDB: leveldb_options_set_paranoid_checks
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_paranoid_checks(opt: *mut leveldb_options_t, v: u8) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.paranoid_checks = v != 0) };
}

/// Sets the environment; NULL (which LevelDB would crash on later) stands for the default one.
///
/// LevelDB: leveldb_options_set_env
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_env(
    opt: *mut leveldb_options_t,
    env: *mut leveldb_env_t,
) {
    // SAFETY: c.h: a non-NULL `env` is live.
    let env = unsafe { env.as_ref() }.map_or_else(default_env, |e| e.rep.clone());
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.env = env) };
}

/// Sets the info logger: only NULL exists in C, which logs to the database's LOG file.
///
/// LevelDB: leveldb_options_set_info_log
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_info_log(
    opt: *mut leveldb_options_t,
    _l: *mut leveldb_logger_t,
) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.info_log = None) };
}

/// LevelDB: leveldb_options_set_write_buffer_size
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_write_buffer_size(
    opt: *mut leveldb_options_t,
    s: usize,
) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.write_buffer_size = s) };
}

/// LevelDB: leveldb_options_set_max_open_files
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_max_open_files(opt: *mut leveldb_options_t, n: c_int) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.max_open_files = non_negative(n)) };
}

/// LevelDB: leveldb_options_set_cache
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_cache(
    opt: *mut leveldb_options_t,
    c: *mut leveldb_cache_t,
) {
    // SAFETY: c.h: `c` is live.
    let cache = unsafe { &*c }.rep.clone();
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.block_cache = Some(cache)) };
}

/// LevelDB: leveldb_options_set_block_size
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_block_size(opt: *mut leveldb_options_t, s: usize) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.block_size = s) };
}

/// LevelDB: leveldb_options_set_block_restart_interval
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_block_restart_interval(
    opt: *mut leveldb_options_t,
    n: c_int,
) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.block_restart_interval = non_negative(n)) };
}

/// LevelDB: leveldb_options_set_max_file_size
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_max_file_size(opt: *mut leveldb_options_t, s: usize) {
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.max_file_size = s) };
}

/// Sets the compression: `leveldb_no_compression` (0) or `leveldb_snappy_compression` (1); another value
/// (which LevelDB would store as an unknown block type) leaves the setting as it was.
///
/// LevelDB: leveldb_options_set_compression
#[no_mangle]
pub unsafe extern "C" fn leveldb_options_set_compression(opt: *mut leveldb_options_t, t: c_int) {
    let compression = match t {
        0 => CompressionType::NoCompression,
        1 => CompressionType::SnappyCompression,
        _ => return,
    };
    // SAFETY: c.h: `opt` is live.
    unsafe { set(opt, |o| o.compression = compression) };
}

/// Read options. The snapshot is kept as the caller's handle, as LevelDB keeps a pointer: releasing the snapshot
/// while read options still name it is the caller's error, as in LevelDB.
///
/// LevelDB: leveldb_readoptions_t
pub struct leveldb_readoptions_t {
    verify_checksums: bool,
    fill_cache: bool,
    snapshot: *const leveldb_snapshot_t,
}

impl leveldb_readoptions_t {
    /// The read options to pass to the database.
    pub(super) unsafe fn rep(&self) -> ReadOptions {
        ReadOptions {
            verify_checksums: self.verify_checksums,
            fill_cache: self.fill_cache,
            // SAFETY: c.h: a snapshot set in read options stays live while they are used.
            snapshot: unsafe { self.snapshot.as_ref() }.map(|s| s.rep.clone()),
        }
    }
}

/// LevelDB: leveldb_readoptions_create
#[no_mangle]
pub extern "C" fn leveldb_readoptions_create() -> *mut leveldb_readoptions_t {
    let defaults = ReadOptions::default();
    Box::into_raw(Box::new(leveldb_readoptions_t {
        verify_checksums: defaults.verify_checksums,
        fill_cache: defaults.fill_cache,
        snapshot: std::ptr::null(),
    }))
}

/// LevelDB: leveldb_readoptions_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_readoptions_destroy(opt: *mut leveldb_readoptions_t) {
    // SAFETY: c.h: `opt` came from leveldb_readoptions_create and is destroyed once.
    drop(unsafe { Box::from_raw(opt) });
}

/// LevelDB: leveldb_readoptions_set_verify_checksums
#[no_mangle]
pub unsafe extern "C" fn leveldb_readoptions_set_verify_checksums(
    opt: *mut leveldb_readoptions_t,
    v: u8,
) {
    // SAFETY: c.h: `opt` is live and used by one thread at a time.
    unsafe { (*opt).verify_checksums = v != 0 };
}

/// LevelDB: leveldb_readoptions_set_fill_cache
#[no_mangle]
pub unsafe extern "C" fn leveldb_readoptions_set_fill_cache(
    opt: *mut leveldb_readoptions_t,
    v: u8,
) {
    // SAFETY: c.h: `opt` is live and used by one thread at a time.
    unsafe { (*opt).fill_cache = v != 0 };
}

/// Reads through `opt` see `snap`; NULL reads the current state.
///
/// LevelDB: leveldb_readoptions_set_snapshot
#[no_mangle]
pub unsafe extern "C" fn leveldb_readoptions_set_snapshot(
    opt: *mut leveldb_readoptions_t,
    snap: *const leveldb_snapshot_t,
) {
    // SAFETY: c.h: `opt` is live and used by one thread at a time.
    unsafe { (*opt).snapshot = snap };
}

/// LevelDB: leveldb_writeoptions_t
pub struct leveldb_writeoptions_t {
    pub(super) rep: WriteOptions,
}

/// LevelDB: leveldb_writeoptions_create
#[no_mangle]
pub extern "C" fn leveldb_writeoptions_create() -> *mut leveldb_writeoptions_t {
    Box::into_raw(Box::new(leveldb_writeoptions_t {
        rep: WriteOptions::default(),
    }))
}

/// LevelDB: leveldb_writeoptions_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_writeoptions_destroy(opt: *mut leveldb_writeoptions_t) {
    // SAFETY: c.h: `opt` came from leveldb_writeoptions_create and is destroyed once.
    drop(unsafe { Box::from_raw(opt) });
}

/// LevelDB: leveldb_writeoptions_set_sync
#[no_mangle]
pub unsafe extern "C" fn leveldb_writeoptions_set_sync(opt: *mut leveldb_writeoptions_t, v: u8) {
    // SAFETY: c.h: `opt` is live and used by one thread at a time.
    unsafe { (*opt).rep.sync = v != 0 };
}
