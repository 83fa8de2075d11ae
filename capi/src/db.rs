//! The database through C: opening and closing, reads and writes, snapshots, properties, sizes, compaction, and
//! the management operations DestroyDB and RepairDB.
//!
//! LevelDB: db/c.cc (DB operations, management operations)

use std::ffi::{c_char, c_int, CStr};
use std::path::Path;

use super::iterator::leveldb_iterator_t;
use super::options::{leveldb_options_t, leveldb_readoptions_t, leveldb_writeoptions_t};
use super::write_batch::leveldb_writebatch_t;
use super::{bytes, copy_string, path, run, strdup};
use ox::{destroy_db, repair_db, Options, Range, Result, Snapshot, DB};

/// An open database.
///
/// LevelDB: leveldb_t
pub struct leveldb_t {
    rep: DB,
}

/// A snapshot of a database, created by `leveldb_create_snapshot`.
///
/// LevelDB: leveldb_snapshot_t
pub struct leveldb_snapshot_t {
    pub(super) rep: Snapshot,
}

/// Opens the database `name`; NULL and `*errptr` set on failure.
///
/// LevelDB: leveldb_open
#[no_mangle]
pub unsafe extern "C" fn leveldb_open(
    options: *const leveldb_options_t,
    name: *const c_char,
    errptr: *mut *mut c_char,
) -> *mut leveldb_t {
    // SAFETY: c.h: `options` is live, `name` a C string, `errptr` valid.
    let db = unsafe {
        let (options, name) = (&*options, path(name));
        run(errptr, || DB::open(options.rep.clone(), name))
    };
    db.map_or(std::ptr::null_mut(), |rep| {
        Box::into_raw(Box::new(leveldb_t { rep }))
    })
}

/// Closes the database (waiting for its background work) and frees `db`.
///
/// LevelDB: leveldb_close
#[no_mangle]
pub unsafe extern "C" fn leveldb_close(db: *mut leveldb_t) {
    // SAFETY: c.h: `db` came from leveldb_open and is closed once.
    drop(unsafe { Box::from_raw(db) });
}

/// LevelDB: leveldb_put
#[no_mangle]
pub unsafe extern "C" fn leveldb_put(
    db: *mut leveldb_t,
    options: *const leveldb_writeoptions_t,
    key: *const c_char,
    keylen: usize,
    val: *const c_char,
    vallen: usize,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: `db` and `options` are live, the key and value readable, `errptr` valid.
    unsafe {
        let (db, options) = (&*db, &*options);
        let (key, value) = (bytes(key, keylen), bytes(val, vallen));
        run(errptr, || db.rep.put_opt(key, value, &options.rep));
    }
}

/// LevelDB: leveldb_delete
#[no_mangle]
pub unsafe extern "C" fn leveldb_delete(
    db: *mut leveldb_t,
    options: *const leveldb_writeoptions_t,
    key: *const c_char,
    keylen: usize,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: `db` and `options` are live, the key readable, `errptr` valid.
    unsafe {
        let (db, options, key) = (&*db, &*options, bytes(key, keylen));
        run(errptr, || db.rep.delete_opt(key, &options.rep));
    }
}

/// LevelDB: leveldb_write
#[no_mangle]
pub unsafe extern "C" fn leveldb_write(
    db: *mut leveldb_t,
    options: *const leveldb_writeoptions_t,
    batch: *mut leveldb_writebatch_t,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: `db`, `options` and `batch` are live, `errptr` valid.
    unsafe {
        let (db, options, batch) = (&*db, &*options, &*batch);
        run(errptr, || db.rep.write_opt(&batch.rep, &options.rep));
    }
}

/// The value of `key`, malloc'd (not NUL-terminated; its length in `*vallen`), or NULL if there is none (without
/// an error) or on failure.
///
/// LevelDB: leveldb_get
#[no_mangle]
pub unsafe extern "C" fn leveldb_get(
    db: *mut leveldb_t,
    options: *const leveldb_readoptions_t,
    key: *const c_char,
    keylen: usize,
    vallen: *mut usize,
    errptr: *mut *mut c_char,
) -> *mut c_char {
    // SAFETY: c.h: `db` and `options` are live, the key readable, `vallen` writable, `errptr` valid.
    unsafe {
        let (db, options, key) = (&*db, &*options, bytes(key, keylen));
        let value = run(errptr, || db.rep.get_opt(key, &options.rep())).flatten();
        *vallen = value.as_ref().map_or(0, Vec::len);
        value.map_or(std::ptr::null_mut(), |v| copy_string(&v))
    }
}

/// An iterator over the database (not positioned yet); destroy it with `leveldb_iter_destroy`.
///
/// LevelDB: leveldb_create_iterator
#[no_mangle]
pub unsafe extern "C" fn leveldb_create_iterator(
    db: *mut leveldb_t,
    options: *const leveldb_readoptions_t,
) -> *mut leveldb_iterator_t {
    // SAFETY: c.h: `db` and `options` are live, and so is a snapshot the options name.
    let (db, options) = unsafe { (&*db, (*options).rep()) };
    Box::into_raw(Box::new(leveldb_iterator_t {
        rep: db.rep.new_iterator_opt(&options),
    }))
}

/// LevelDB: leveldb_create_snapshot
#[no_mangle]
pub unsafe extern "C" fn leveldb_create_snapshot(db: *mut leveldb_t) -> *const leveldb_snapshot_t {
    // SAFETY: c.h: `db` is live.
    let db = unsafe { &*db };
    Box::into_raw(Box::new(leveldb_snapshot_t {
        rep: db.rep.get_snapshot(),
    }))
}

/// Releases `snapshot` (read options must no longer name it).
///
/// LevelDB: leveldb_release_snapshot
#[no_mangle]
pub unsafe extern "C" fn leveldb_release_snapshot(
    _db: *mut leveldb_t,
    snapshot: *const leveldb_snapshot_t,
) {
    // SAFETY: c.h: `snapshot` came from leveldb_create_snapshot and is released once.
    drop(unsafe { Box::from_raw(snapshot.cast_mut()) });
}

/// The value of property `propname`, malloc'd and NUL-terminated, or NULL for an unknown property.
///
/// LevelDB: leveldb_property_value
#[no_mangle]
pub unsafe extern "C" fn leveldb_property_value(
    db: *mut leveldb_t,
    propname: *const c_char,
) -> *mut c_char {
    // SAFETY: c.h: `db` is live and `propname` a C string.
    let (db, propname) = unsafe { (&*db, CStr::from_ptr(propname)) };
    // A name that is not UTF-8 names no property.
    let value = propname
        .to_str()
        .ok()
        .and_then(|name| db.rep.get_property(name));
    value.map_or(std::ptr::null_mut(), |v| strdup(v.as_bytes()))
}

/// Stores in `sizes[i]` the approximate file space of the keys in `[start[i], limit[i])`.
///
/// LevelDB: leveldb_approximate_sizes
#[no_mangle]
pub unsafe extern "C" fn leveldb_approximate_sizes(
    db: *mut leveldb_t,
    num_ranges: c_int,
    range_start_key: *const *const c_char,
    range_start_key_len: *const usize,
    range_limit_key: *const *const c_char,
    range_limit_key_len: *const usize,
    sizes: *mut u64,
) {
    let n = usize::try_from(num_ranges).unwrap_or(0);
    // SAFETY: c.h: `db` is live, the four arrays hold `num_ranges` keys and lengths, `sizes` room for as many.
    unsafe {
        let db = &*db;
        let ranges: Vec<Range> = (0..n)
            .map(|i| {
                Range::new(
                    bytes(*range_start_key.add(i), *range_start_key_len.add(i)),
                    bytes(*range_limit_key.add(i), *range_limit_key_len.add(i)),
                )
            })
            .collect();
        for (i, size) in db
            .rep
            .get_approximate_sizes(&ranges)
            .into_iter()
            .enumerate()
        {
            *sizes.add(i) = size;
        }
    }
}

/// Compacts the keys in `[start_key, limit_key]`; a NULL key is open-ended.
///
/// LevelDB: leveldb_compact_range
#[no_mangle]
pub unsafe extern "C" fn leveldb_compact_range(
    db: *mut leveldb_t,
    start_key: *const c_char,
    start_key_len: usize,
    limit_key: *const c_char,
    limit_key_len: usize,
) {
    // SAFETY: c.h: `db` is live; a non-NULL key is readable.
    unsafe {
        let db = &*db;
        let start = (!start_key.is_null()).then(|| bytes(start_key, start_key_len));
        let limit = (!limit_key.is_null()).then(|| bytes(limit_key, limit_key_len));
        // LevelDB's CompactRange returns nothing, so the C API has no error to report.
        let _ = db.rep.compact_range(start, limit);
    }
}

/// Runs a management operation on database `name` and stores its error in `*errptr`.
unsafe fn manage(
    options: *const leveldb_options_t,
    name: *const c_char,
    errptr: *mut *mut c_char,
    operation: fn(&Path, &Options) -> Result<()>,
) {
    // SAFETY: c.h: `options` is live, `name` a C string, `errptr` valid.
    unsafe {
        let (options, name) = (&*options, path(name));
        run(errptr, || operation(name, &options.rep));
    }
}

/// LevelDB: leveldb_destroy_db
#[no_mangle]
pub unsafe extern "C" fn leveldb_destroy_db(
    options: *const leveldb_options_t,
    name: *const c_char,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: the caller's pointers are what `manage` requires.
    unsafe {
        manage(options, name, errptr, |name, options| {
            destroy_db(name, options)
        })
    };
}

/// LevelDB: leveldb_repair_db
#[no_mangle]
pub unsafe extern "C" fn leveldb_repair_db(
    options: *const leveldb_options_t,
    name: *const c_char,
    errptr: *mut *mut c_char,
) {
    // SAFETY: c.h: the caller's pointers are what `manage` requires.
    unsafe {
        manage(options, name, errptr, |name, options| {
            repair_db(name, options)
        })
    };
}
