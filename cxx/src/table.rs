//! `leveldb::TableBuilder` and `leveldb::Table` over the engine's: a program builds a table into a
//! `WritableFile` of its own (or of an Env of this library) and reads one from a `RandomAccessFile`, the files lent
//! for as long as the builder or table lives, as in LevelDB. And `leveldb::DumpFile`.
//!
//! LevelDB: table/table_builder.cc, table/table.cc, db/dumpfile.cc

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use crate::env::{path, EnvHandle};
use crate::options::{OxOptions, OxReadOptions};
use crate::user_env::{lent_random_access_file, lent_writable_file, CxxEnv};
use crate::{set_status, CSlice, CxxStatus};
use ox::table::iterator::Iterator;
use ox::table::{Table, TableBuilder};
use ox::Env;

/// A builder writing to the program's `file`.
///
/// LevelDB: TableBuilder::TableBuilder
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_new(
    options: *const OxOptions,
    file: *mut c_void,
) -> *mut TableBuilder {
    // SAFETY: ffi.h: `options` is live; `file` is the program's, live as long as the builder.
    let builder = TableBuilder::new(
        unsafe { &(*options).to_options() },
        lent_writable_file(file),
    );
    Box::into_raw(Box::new(builder))
}

/// Frees the builder, abandoning it if neither Finish nor Abandon was called (which LevelDB asserts).
///
/// LevelDB: TableBuilder::~TableBuilder
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_destroy(builder: *mut TableBuilder, closed: bool) {
    // SAFETY: ffi.h: `builder` came from oxcxx_table_builder_new and is destroyed once.
    let mut builder = unsafe { Box::from_raw(builder) };
    if !closed {
        builder.abandon();
    }
}

/// LevelDB: TableBuilder::ChangeOptions
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_change_options(
    builder: *mut TableBuilder,
    options: *const OxOptions,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `builder` and `options` are live, `status` the caller's.
    unsafe { set_status(status, (*builder).change_options(&(*options).to_options())) };
}

/// LevelDB: TableBuilder::Add
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_add(
    builder: *mut TableBuilder,
    key: *const CSlice,
    value: *const CSlice,
) {
    // SAFETY: ffi.h: `builder` is live, the slices readable.
    unsafe { (*builder).add((*key).bytes(), (*value).bytes()) };
}

/// The builder's operations without arguments, by number (ffi.h's OxBuilderOp): 0 Flush, 1 status, 2 Finish,
/// 3 Abandon; the status is the builder's after the operation.
///
/// LevelDB: TableBuilder::Flush, TableBuilder::status, TableBuilder::Finish, TableBuilder::Abandon
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_op(
    builder: *mut TableBuilder,
    op: i32,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `builder` is live, `status` the caller's.
    let builder = unsafe { &mut *builder };
    let result = match op {
        0 => {
            builder.flush();
            builder.status()
        }
        1 => builder.status(),
        2 => builder.finish(),
        _ => {
            builder.abandon();
            builder.status()
        }
    };
    // SAFETY: ffi.h: `status` is the caller's.
    unsafe { set_status(status, result) };
}

/// The number of entries added (`file_size` false) or the size of the file so far (true).
///
/// LevelDB: TableBuilder::NumEntries, TableBuilder::FileSize
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_builder_count(
    builder: *const TableBuilder,
    file_size: bool,
) -> u64 {
    // SAFETY: ffi.h: `builder` is live.
    let builder = unsafe { &*builder };
    if file_size {
        builder.file_size()
    } else {
        builder.num_entries()
    }
}

/// The table in the first `size` bytes of the program's `file`, or null with the error in `status`.
///
/// LevelDB: Table::Open
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_open(
    options: *const OxOptions,
    file: *mut c_void,
    size: u64,
    status: *mut CxxStatus,
) -> *mut Arc<Table> {
    // SAFETY: ffi.h: `options` is live; `file` is the program's, live as long as the table.
    let table = Table::open(
        unsafe { &(*options).to_options() },
        lent_random_access_file(file),
        size,
    );
    // SAFETY: ffi.h: `status` is the caller's.
    unsafe { set_status(status, table) }
        .map_or(std::ptr::null_mut(), |t| Box::into_raw(Box::new(t)))
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_destroy(table: *mut Arc<Table>) {
    // SAFETY: ffi.h: `table` came from oxcxx_table_open and is destroyed once.
    drop(unsafe { Box::from_raw(table) });
}

/// An iterator over the table's entries (iterator.rs serves it, as a database's).
///
/// LevelDB: Table::NewIterator
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_new_iterator(
    table: *const Arc<Table>,
    options: *const OxReadOptions,
) -> *mut Box<dyn Iterator> {
    // SAFETY: ffi.h: `table` and `options` are live.
    let iter = unsafe { (*table).new_iterator(&(*options).to_read_options()) };
    Box::into_raw(Box::new(iter))
}

/// LevelDB: Table::ApproximateOffsetOf
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_approximate_offset_of(
    table: *const Arc<Table>,
    key: *const CSlice,
) -> u64 {
    // SAFETY: ffi.h: `table` is live, the key readable.
    unsafe { (*table).approximate_offset_of((*key).bytes()) }
}

extern "C" {
    fn oxcxx_table_handle_result(
        handler: *mut c_void,
        arg: *mut c_void,
        key: *const u8,
        key_len: usize,
        value: *const u8,
        value_len: usize,
    );
}

/// Calls the program's `handle_result(arg, key, value)` with the first entry at or after `key` in the block
/// that may hold it.
///
/// LevelDB: Table::InternalGet
#[no_mangle]
pub unsafe extern "C" fn oxcxx_table_internal_get(
    table: *const Arc<Table>,
    options: *const OxReadOptions,
    key: *const CSlice,
    arg: *mut c_void,
    handler: *mut c_void,
    status: *mut CxxStatus,
) {
    let mut handle = |k: &[u8], v: &[u8]| {
        // SAFETY: ffi.h: `handler` is the program's function, which takes `arg`; the bytes live for the call.
        unsafe {
            oxcxx_table_handle_result(handler, arg, k.as_ptr(), k.len(), v.as_ptr(), v.len())
        };
    };
    // SAFETY: ffi.h: `table` and `options` are live, the key readable, `status` the caller's.
    unsafe {
        let result =
            (*table).internal_get(&(*options).to_read_options(), (*key).bytes(), &mut handle);
        set_status(status, result);
    }
}

/// Writes the contents of the log, MANIFEST or table `name` in text to the program's `dst`, read through the
/// engine's `env` or the program's `user_env`.
///
/// LevelDB: DumpFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_dump_file(
    env: *const EnvHandle,
    user_env: *mut c_void,
    name: *const c_char,
    len: usize,
    dst: *mut c_void,
    status: *mut CxxStatus,
) {
    let user;
    let env: &dyn Env = if user_env.is_null() {
        // SAFETY: ffi.h: a null `user_env` comes with a live engine `env`.
        unsafe { &**env }
    } else {
        user = CxxEnv::new(user_env);
        &user
    };
    let mut dst = lent_writable_file(dst);
    // SAFETY: ffi.h: `name` is readable, `status` the caller's.
    unsafe { set_status(status, ox::dump::dump_file(env, path(name, len), &mut *dst)) };
}
