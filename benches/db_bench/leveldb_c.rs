//! The C++ LevelDB 1.23 of the system, through its C API (leveldb/c.h), linked statically from Debian's
//! libleveldb-dev, plus the two internals db_bench measures directly: LevelDB's crc32c and the snappy library it is
//! built with. Only compiled with the `system-leveldb` feature.
//!
//! Every call is `unsafe` FFI; the wrappers keep the C objects' lifetimes: a database outlives its iterators (they
//! borrow it), and everything created is destroyed once.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;
use std::ptr;

use crate::engine::{Engine, OpenOptions};

#[allow(non_camel_case_types)]
mod ffi {
    use super::*;

    pub enum leveldb_t {}
    pub enum leveldb_options_t {}
    pub enum leveldb_readoptions_t {}
    pub enum leveldb_writeoptions_t {}
    pub enum leveldb_writebatch_t {}
    pub enum leveldb_iterator_t {}
    pub enum leveldb_cache_t {}
    pub enum leveldb_filterpolicy_t {}

    #[link(name = "leveldb", kind = "static")]
    #[link(name = "snappy")]
    #[link(name = "stdc++")]
    extern "C" {
        pub fn leveldb_open(
            options: *const leveldb_options_t,
            name: *const c_char,
            errptr: *mut *mut c_char,
        ) -> *mut leveldb_t;
        pub fn leveldb_close(db: *mut leveldb_t);
        pub fn leveldb_put(
            db: *mut leveldb_t,
            options: *const leveldb_writeoptions_t,
            key: *const c_char,
            keylen: usize,
            val: *const c_char,
            vallen: usize,
            errptr: *mut *mut c_char,
        );
        pub fn leveldb_write(
            db: *mut leveldb_t,
            options: *const leveldb_writeoptions_t,
            batch: *mut leveldb_writebatch_t,
            errptr: *mut *mut c_char,
        );
        pub fn leveldb_get(
            db: *mut leveldb_t,
            options: *const leveldb_readoptions_t,
            key: *const c_char,
            keylen: usize,
            vallen: *mut usize,
            errptr: *mut *mut c_char,
        ) -> *mut c_char;
        pub fn leveldb_create_iterator(
            db: *mut leveldb_t,
            options: *const leveldb_readoptions_t,
        ) -> *mut leveldb_iterator_t;
        pub fn leveldb_property_value(db: *mut leveldb_t, propname: *const c_char) -> *mut c_char;
        pub fn leveldb_compact_range(
            db: *mut leveldb_t,
            start_key: *const c_char,
            start_key_len: usize,
            limit_key: *const c_char,
            limit_key_len: usize,
        );
        pub fn leveldb_destroy_db(
            options: *const leveldb_options_t,
            name: *const c_char,
            errptr: *mut *mut c_char,
        );

        pub fn leveldb_iter_destroy(iter: *mut leveldb_iterator_t);
        pub fn leveldb_iter_valid(iter: *const leveldb_iterator_t) -> u8;
        pub fn leveldb_iter_seek_to_first(iter: *mut leveldb_iterator_t);
        pub fn leveldb_iter_seek_to_last(iter: *mut leveldb_iterator_t);
        pub fn leveldb_iter_seek(iter: *mut leveldb_iterator_t, k: *const c_char, klen: usize);
        pub fn leveldb_iter_next(iter: *mut leveldb_iterator_t);
        pub fn leveldb_iter_prev(iter: *mut leveldb_iterator_t);
        pub fn leveldb_iter_key(iter: *const leveldb_iterator_t, klen: *mut usize)
            -> *const c_char;
        pub fn leveldb_iter_value(
            iter: *const leveldb_iterator_t,
            vlen: *mut usize,
        ) -> *const c_char;

        pub fn leveldb_writebatch_create() -> *mut leveldb_writebatch_t;
        pub fn leveldb_writebatch_destroy(batch: *mut leveldb_writebatch_t);
        pub fn leveldb_writebatch_clear(batch: *mut leveldb_writebatch_t);
        pub fn leveldb_writebatch_put(
            batch: *mut leveldb_writebatch_t,
            key: *const c_char,
            klen: usize,
            val: *const c_char,
            vlen: usize,
        );
        pub fn leveldb_writebatch_delete(
            batch: *mut leveldb_writebatch_t,
            key: *const c_char,
            klen: usize,
        );

        pub fn leveldb_options_create() -> *mut leveldb_options_t;
        pub fn leveldb_options_destroy(options: *mut leveldb_options_t);
        pub fn leveldb_options_set_create_if_missing(options: *mut leveldb_options_t, v: u8);
        pub fn leveldb_options_set_write_buffer_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_max_open_files(options: *mut leveldb_options_t, n: c_int);
        pub fn leveldb_options_set_cache(
            options: *mut leveldb_options_t,
            cache: *mut leveldb_cache_t,
        );
        pub fn leveldb_options_set_block_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_max_file_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_filter_policy(
            options: *mut leveldb_options_t,
            policy: *mut leveldb_filterpolicy_t,
        );
        pub fn leveldb_filterpolicy_create_bloom(
            bits_per_key: c_int,
        ) -> *mut leveldb_filterpolicy_t;
        pub fn leveldb_filterpolicy_destroy(policy: *mut leveldb_filterpolicy_t);
        pub fn leveldb_cache_create_lru(capacity: usize) -> *mut leveldb_cache_t;
        pub fn leveldb_cache_destroy(cache: *mut leveldb_cache_t);

        pub fn leveldb_readoptions_create() -> *mut leveldb_readoptions_t;
        pub fn leveldb_readoptions_destroy(options: *mut leveldb_readoptions_t);
        pub fn leveldb_writeoptions_create() -> *mut leveldb_writeoptions_t;
        pub fn leveldb_writeoptions_destroy(options: *mut leveldb_writeoptions_t);
        pub fn leveldb_writeoptions_set_sync(options: *mut leveldb_writeoptions_t, v: u8);

        pub fn leveldb_free(ptr: *mut c_void);

        /// leveldb::crc32c::Extend (util/crc32c.h), from the static library.
        #[link_name = "_ZN7leveldb6crc32c6ExtendEjPKcm"]
        pub fn leveldb_crc32c_extend(init_crc: u32, data: *const c_char, n: usize) -> u32;

        /// snappy-c.h
        pub fn snappy_compress(
            input: *const c_char,
            input_length: usize,
            compressed: *mut c_char,
            compressed_length: *mut usize,
        ) -> c_int;
        pub fn snappy_uncompress(
            compressed: *const c_char,
            compressed_length: usize,
            uncompressed: *mut c_char,
            uncompressed_length: *mut usize,
        ) -> c_int;
        pub fn snappy_max_compressed_length(source_length: usize) -> usize;
        pub fn snappy_uncompressed_length(
            compressed: *const c_char,
            compressed_length: usize,
            result: *mut usize,
        ) -> c_int;
    }
}

/// Turns a C error message into an `Err`, freeing it.
fn check(err: *mut c_char) -> Result<(), String> {
    if err.is_null() {
        return Ok(());
    }
    // SAFETY: a non-null errptr is a NUL-terminated string malloc'd by LevelDB; it is copied, then freed once.
    let message = unsafe { CStr::from_ptr(err) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above.
    unsafe { ffi::leveldb_free(err.cast()) };
    Err(message)
}

fn c_path(path: &Path) -> CString {
    CString::new(path.to_string_lossy().as_bytes()).expect("a path without NUL bytes")
}

/// An open C++ LevelDB database with the option objects it was opened with.
pub struct CppDb {
    db: *mut ffi::leveldb_t,
    options: *mut ffi::leveldb_options_t,
    cache: *mut ffi::leveldb_cache_t,
    filter: *mut ffi::leveldb_filterpolicy_t,
    read_options: *mut ffi::leveldb_readoptions_t,
    write_options: *mut ffi::leveldb_writeoptions_t,
    sync_write_options: *mut ffi::leveldb_writeoptions_t,
}

// SAFETY: LevelDB's DB is safe for concurrent use from several threads, and the option objects are only read
// after creation.
unsafe impl Send for CppDb {}
// SAFETY: as above.
unsafe impl Sync for CppDb {}

impl Drop for CppDb {
    fn drop(&mut self) {
        // SAFETY: every pointer was created by the matching create function and is destroyed once, the database
        // first (it uses the others).
        unsafe {
            if !self.db.is_null() {
                ffi::leveldb_close(self.db);
            }
            ffi::leveldb_options_destroy(self.options);
            if !self.cache.is_null() {
                ffi::leveldb_cache_destroy(self.cache);
            }
            if !self.filter.is_null() {
                ffi::leveldb_filterpolicy_destroy(self.filter);
            }
            ffi::leveldb_readoptions_destroy(self.read_options);
            ffi::leveldb_writeoptions_destroy(self.write_options);
            ffi::leveldb_writeoptions_destroy(self.sync_write_options);
        }
    }
}

/// A LevelDB write batch.
pub struct CppBatch(*mut ffi::leveldb_writebatch_t);

// SAFETY: a batch is used by one thread at a time.
unsafe impl Send for CppBatch {}

impl Drop for CppBatch {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_writebatch_create, destroyed once.
        unsafe { ffi::leveldb_writebatch_destroy(self.0) };
    }
}

/// A LevelDB iterator; it borrows its database.
pub struct CppIter<'a> {
    iter: *mut ffi::leveldb_iterator_t,
    _db: &'a CppDb,
}

impl Drop for CppIter<'_> {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_create_iterator on a database that outlives it; destroyed once.
        unsafe { ffi::leveldb_iter_destroy(self.iter) };
    }
}

/// LevelDB 1.23, as installed (Debian's libleveldb-dev).
pub struct CppLevelDb;

impl Engine for CppLevelDb {
    type Db = CppDb;
    type Batch = CppBatch;
    type Iter<'a> = CppIter<'a>;
    const NAME: &'static str = "leveldb";

    fn open(path: &Path, o: &OpenOptions) -> Result<CppDb, String> {
        // SAFETY: plain C calls on objects created here; they are owned by the CppDb, which destroys them when it
        // drops.
        unsafe {
            let options = ffi::leveldb_options_create();
            ffi::leveldb_options_set_create_if_missing(options, u8::from(o.create_if_missing));
            ffi::leveldb_options_set_write_buffer_size(options, o.write_buffer_size);
            ffi::leveldb_options_set_max_file_size(options, o.max_file_size);
            ffi::leveldb_options_set_block_size(options, o.block_size);
            ffi::leveldb_options_set_max_open_files(options, o.max_open_files as c_int);
            let cache = o
                .cache_size
                .map_or(ptr::null_mut(), |size| ffi::leveldb_cache_create_lru(size));
            if !cache.is_null() {
                ffi::leveldb_options_set_cache(options, cache);
            }
            let filter = o.bloom_bits.map_or(ptr::null_mut(), |bits| {
                ffi::leveldb_filterpolicy_create_bloom(bits as c_int)
            });
            if !filter.is_null() {
                ffi::leveldb_options_set_filter_policy(options, filter);
            }
            // The C API has no reuse_logs option; db_bench's --reuse_logs applies to oxleveldb only.
            let sync_write_options = ffi::leveldb_writeoptions_create();
            ffi::leveldb_writeoptions_set_sync(sync_write_options, 1);
            let mut db = CppDb {
                db: ptr::null_mut(),
                options,
                cache,
                filter,
                read_options: ffi::leveldb_readoptions_create(),
                write_options: ffi::leveldb_writeoptions_create(),
                sync_write_options,
            };
            let name = c_path(path);
            let mut err = ptr::null_mut();
            db.db = ffi::leveldb_open(options, name.as_ptr(), &mut err);
            // On failure the database is null, and dropping `db` destroys only the options.
            check(err).map(|_| db)
        }
    }

    fn destroy(path: &Path) {
        let name = c_path(path);
        // SAFETY: options created and destroyed here; errptr is a valid out pointer.
        unsafe {
            let options = ffi::leveldb_options_create();
            let mut err = ptr::null_mut();
            ffi::leveldb_destroy_db(options, name.as_ptr(), &mut err);
            let _ = check(err);
            ffi::leveldb_options_destroy(options);
        }
    }

    fn new_batch() -> CppBatch {
        // SAFETY: no preconditions.
        CppBatch(unsafe { ffi::leveldb_writebatch_create() })
    }
    fn batch_clear(batch: &mut CppBatch) {
        // SAFETY: a live batch.
        unsafe { ffi::leveldb_writebatch_clear(batch.0) };
    }
    fn batch_put(batch: &mut CppBatch, key: &[u8], value: &[u8]) {
        // SAFETY: a live batch; the slices are valid for the call (LevelDB copies them).
        unsafe {
            ffi::leveldb_writebatch_put(
                batch.0,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
    }
    fn batch_delete(batch: &mut CppBatch, key: &[u8]) {
        // SAFETY: as above.
        unsafe { ffi::leveldb_writebatch_delete(batch.0, key.as_ptr().cast(), key.len()) };
    }
    fn write(db: &CppDb, sync: bool, batch: &mut CppBatch) -> Result<(), String> {
        let options = if sync {
            db.sync_write_options
        } else {
            db.write_options
        };
        let mut err = ptr::null_mut();
        // SAFETY: live database, options and batch; errptr is a valid out pointer.
        unsafe { ffi::leveldb_write(db.db, options, batch.0, &mut err) };
        check(err)
    }
    fn put(db: &CppDb, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        let options = if sync {
            db.sync_write_options
        } else {
            db.write_options
        };
        let mut err = ptr::null_mut();
        // SAFETY: as above; the slices are valid for the call.
        unsafe {
            ffi::leveldb_put(
                db.db,
                options,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
                &mut err,
            )
        };
        check(err)
    }
    fn get(db: &CppDb, key: &[u8]) -> bool {
        let mut vallen = 0;
        let mut err = ptr::null_mut();
        // SAFETY: live database and options; the returned value is malloc'd and freed here.
        let value = unsafe {
            ffi::leveldb_get(
                db.db,
                db.read_options,
                key.as_ptr().cast(),
                key.len(),
                &mut vallen,
                &mut err,
            )
        };
        let found = !value.is_null();
        if found {
            // SAFETY: as above.
            unsafe { ffi::leveldb_free(value.cast()) };
        }
        found && check(err).is_ok()
    }

    fn new_iterator(db: &CppDb) -> CppIter<'_> {
        // SAFETY: live database and options; the iterator borrows the database.
        CppIter {
            iter: unsafe { ffi::leveldb_create_iterator(db.db, db.read_options) },
            _db: db,
        }
    }
    fn seek_to_first(iter: &mut CppIter<'_>) {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_seek_to_first(iter.iter) };
    }
    fn seek_to_last(iter: &mut CppIter<'_>) {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_seek_to_last(iter.iter) };
    }
    fn seek(iter: &mut CppIter<'_>, key: &[u8]) {
        // SAFETY: a live iterator; the key is valid for the call.
        unsafe { ffi::leveldb_iter_seek(iter.iter, key.as_ptr().cast(), key.len()) };
    }
    fn valid(iter: &CppIter<'_>) -> bool {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_valid(iter.iter) != 0 }
    }
    fn next(iter: &mut CppIter<'_>) {
        // SAFETY: a live, valid iterator.
        unsafe { ffi::leveldb_iter_next(iter.iter) };
    }
    fn prev(iter: &mut CppIter<'_>) {
        // SAFETY: a live, valid iterator.
        unsafe { ffi::leveldb_iter_prev(iter.iter) };
    }
    fn entry<'i>(iter: &'i CppIter<'_>) -> (&'i [u8], usize) {
        let (mut klen, mut vlen) = (0, 0);
        // SAFETY: a live, valid iterator: key and value point into it until it moves, which the borrow prevents.
        unsafe {
            let key = ffi::leveldb_iter_key(iter.iter, &mut klen);
            ffi::leveldb_iter_value(iter.iter, &mut vlen);
            (std::slice::from_raw_parts(key.cast(), klen), vlen)
        }
    }

    fn compact_range(db: &CppDb) {
        // SAFETY: a live database; null keys mean an open range.
        unsafe { ffi::leveldb_compact_range(db.db, ptr::null(), 0, ptr::null(), 0) };
    }
    fn property(db: &CppDb, name: &str) -> Option<String> {
        let name = CString::new(name).ok()?;
        // SAFETY: a live database; the result is a malloc'd NUL-terminated string (or null), freed here.
        unsafe {
            let value = ffi::leveldb_property_value(db.db, name.as_ptr());
            if value.is_null() {
                return None;
            }
            let text = CStr::from_ptr(value).to_string_lossy().into_owned();
            ffi::leveldb_free(value.cast());
            Some(text)
        }
    }

    fn crc32c(data: &[u8]) -> u32 {
        // SAFETY: the data is valid for the call.
        unsafe { ffi::leveldb_crc32c_extend(0, data.as_ptr().cast(), data.len()) }
    }
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
        // SAFETY: the output buffer is sized to snappy's maximum for the input; snappy writes the real length.
        unsafe {
            output.resize(ffi::snappy_max_compressed_length(input.len()), 0);
            let mut len = output.len();
            let ok = ffi::snappy_compress(
                input.as_ptr().cast(),
                input.len(),
                output.as_mut_ptr().cast(),
                &mut len,
            ) == 0;
            output.truncate(len);
            ok
        }
    }
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
        // As LevelDB's ReadBlock: the length first, then the bytes into a buffer of that size (resized once: the
        // benchmark passes the same buffer each time).
        let mut len = 0;
        // SAFETY: snappy reads `input` and writes one length; then it writes at most `len` bytes into `output`.
        unsafe {
            if ffi::snappy_uncompressed_length(input.as_ptr().cast(), input.len(), &mut len) != 0 {
                return false;
            }
            output.resize(len, 0);
            ffi::snappy_uncompress(
                input.as_ptr().cast(),
                input.len(),
                output.as_mut_ptr().cast(),
                &mut len,
            ) == 0
        }
    }
}
