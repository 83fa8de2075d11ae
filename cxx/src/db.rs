//! The database behind `leveldb::DB` (the C++ layer's `OxDB`): open, reads and writes, snapshots, properties,
//! sizes, compaction, and the management operations `DestroyDB` and `RepairDB`.
//!
//! LevelDB: db/db_impl.cc, db/repair.cc

use std::ffi::{c_char, c_int};
use std::path::Path;

use crate::env::path;
use crate::options::{OxOptions, OxReadOptions};
use crate::{assign, bytes, set_status, CSlice, CxxStatus, CxxString};
use ox::table::iterator::Iterator;
use ox::{destroy_db, repair_db, Options, Range, Snapshot, WriteBatch, WriteOptions, DB};

fn write_options(sync: bool) -> WriteOptions {
    WriteOptions { sync }
}

/// The database `name`, or null with the error in `status`.
///
/// LevelDB: DB::Open
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_open(
    options: *const OxOptions,
    name: *const c_char,
    name_len: usize,
    status: *mut CxxStatus,
) -> *mut DB {
    // SAFETY: ffi.h: `options` is live and what it names lives as long as the database; `name` readable.
    let result = unsafe { DB::open((*options).to_options(), path(name, name_len)) };
    // SAFETY: ffi.h: `status` is the caller's live Status.
    unsafe { set_status(status, result) }
        .map_or(std::ptr::null_mut(), |db| Box::into_raw(Box::new(db)))
}

/// Closes the database, waiting for its background work.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_close(db: *mut DB) {
    // SAFETY: ffi.h: `db` came from oxcxx_db_open and is closed once.
    drop(unsafe { Box::from_raw(db) });
}

/// LevelDB: DBImpl::Put
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_put(
    db: *const DB,
    sync: bool,
    key: *const CSlice,
    value: *const CSlice,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `db` is live, the slices readable, `status` the caller's.
    unsafe {
        let result = (*db).put_opt((*key).bytes(), (*value).bytes(), &write_options(sync));
        set_status(status, result);
    }
}

/// LevelDB: DBImpl::Delete
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_delete(
    db: *const DB,
    sync: bool,
    key: *const CSlice,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `db` is live, the slice readable, `status` the caller's.
    unsafe {
        let result = (*db).delete_opt((*key).bytes(), &write_options(sync));
        set_status(status, result);
    }
}

/// Applies the batch whose bytes (a `WriteBatch`'s `rep_`) are `rep`.
///
/// LevelDB: DBImpl::Write
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_write(
    db: *const DB,
    sync: bool,
    rep: *const c_char,
    rep_len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `db` is live, `rep` readable, `status` the caller's.
    unsafe {
        let result = WriteBatch::from_contents(bytes(rep, rep_len))
            .and_then(|batch| (*db).write_opt(&batch, &write_options(sync)));
        set_status(status, result);
    }
}

/// Sets `value` to the value of `key`; NotFound if there is none.
///
/// LevelDB: DBImpl::Get
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_get(
    db: *const DB,
    options: *const OxReadOptions,
    key: *const CSlice,
    value: *mut CxxString,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `db` and `options` are live, the key readable, `value` and `status` the caller's.
    unsafe {
        let result = (*db)
            .get_opt((*key).bytes(), &(*options).to_read_options())
            .and_then(|found| found.ok_or_else(|| ox::Error::not_found("", "")));
        if let Some(found) = set_status(status, result) {
            assign(value, &found);
        }
    }
}

/// LevelDB: DBImpl::NewIterator
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_new_iterator(
    db: *const DB,
    options: *const OxReadOptions,
) -> *mut Box<dyn Iterator> {
    // SAFETY: ffi.h: `db` and `options` are live.
    let iter = unsafe { (*db).new_iterator_opt(&(*options).to_read_options()) };
    Box::into_raw(Box::new(Box::new(iter) as Box<dyn Iterator>))
}

/// LevelDB: DBImpl::GetSnapshot
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_get_snapshot(db: *const DB) -> *mut Snapshot {
    // SAFETY: ffi.h: `db` is live.
    Box::into_raw(Box::new(unsafe { (*db).get_snapshot() }))
}

/// LevelDB: DBImpl::ReleaseSnapshot
#[no_mangle]
pub unsafe extern "C" fn oxcxx_snapshot_release(snapshot: *mut Snapshot) {
    // SAFETY: ffi.h: `snapshot` came from oxcxx_db_get_snapshot and is released once.
    drop(unsafe { Box::from_raw(snapshot) });
}

/// Sets `value` to the property's value; false for an unknown property (a name that is not UTF-8 names none).
///
/// LevelDB: DBImpl::GetProperty
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_get_property(
    db: *const DB,
    property: *const CSlice,
    value: *mut CxxString,
) -> bool {
    // SAFETY: ffi.h: `db` is live, the name readable.
    let (db, name) = unsafe { (&*db, (*property).bytes()) };
    let found = std::str::from_utf8(name)
        .ok()
        .and_then(|name| db.get_property(name));
    if let Some(found) = &found {
        // SAFETY: ffi.h: `value` is the caller's live std::string.
        unsafe { assign(value, found.as_bytes()) };
    }
    found.is_some()
}

/// Stores in `sizes[i]` the approximate file space of the keys in `ranges[i]`.
///
/// LevelDB: DBImpl::GetApproximateSizes
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_get_approximate_sizes(
    db: *const DB,
    ranges: *const [CSlice; 2],
    n: c_int,
    sizes: *mut u64,
) {
    let n = usize::try_from(n).unwrap_or(0);
    // SAFETY: ffi.h: `db` is live; `ranges` holds `n` Ranges (two Slices each), `sizes` room for as many.
    unsafe {
        let ranges: Vec<Range> = (0..n)
            .map(|i| {
                let [start, limit] = &*ranges.add(i);
                Range::new(start.bytes(), limit.bytes())
            })
            .collect();
        for (i, size) in (*db).get_approximate_sizes(&ranges).into_iter().enumerate() {
            *sizes.add(i) = size;
        }
    }
}

/// Compacts the keys in `[begin, end]`; a null bound is open.
///
/// LevelDB: DBImpl::CompactRange
#[no_mangle]
pub unsafe extern "C" fn oxcxx_db_compact_range(
    db: *const DB,
    begin: *const CSlice,
    end: *const CSlice,
) {
    // SAFETY: ffi.h: `db` is live; a non-null slice is readable.
    unsafe {
        let begin = begin.as_ref().map(|s| s.bytes());
        let end = end.as_ref().map(|s| s.bytes());
        // LevelDB's CompactRange returns nothing: an error stays with the database (a later write reports it).
        let _ = (*db).compact_range(begin, end);
    }
}

/// Runs a management operation on the database `name`, its error in `status`.
unsafe fn manage(
    options: *const OxOptions,
    name: *const c_char,
    name_len: usize,
    status: *mut CxxStatus,
    operation: fn(&Path, &Options) -> ox::Result<()>,
) {
    // SAFETY: ffi.h: `options` is live, `name` readable, `status` the caller's.
    unsafe {
        let result = operation(path(name, name_len), &(*options).to_options());
        set_status(status, result);
    }
}

/// LevelDB: DestroyDB
#[no_mangle]
pub unsafe extern "C" fn oxcxx_destroy_db(
    options: *const OxOptions,
    name: *const c_char,
    name_len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: the caller's pointers are what `manage` requires.
    unsafe {
        manage(options, name, name_len, status, |path, options| {
            destroy_db(path, options)
        })
    };
}

/// LevelDB: RepairDB
#[no_mangle]
pub unsafe extern "C" fn oxcxx_repair_db(
    options: *const OxOptions,
    name: *const c_char,
    name_len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: the caller's pointers are what `manage` requires.
    unsafe {
        manage(options, name, name_len, status, |path, options| {
            repair_db(path, options)
        })
    };
}
