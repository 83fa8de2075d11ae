//! The system's LevelDB 1.23 through its C++ API (`leveldb::DB`), as LevelDB's own benchmarks/db_bench.cc calls
//! it, by way of the C++ adapter src/cpp_db.cc: for db_bench's `leveldb` engine, so that LevelDB pays what its own
//! benchmark pays and nothing more. Each call here is one call into C++ (no C API wrapper, no copy of a value):
//! - [`Db::get`] reads into a `std::string` of the calling thread, as db_bench's `ReadRandom` does;
//! - [`Db::read_sequential`] is db_bench's whole `ReadSequential` (or `ReadReverse`) loop, run in C++;
//! - [`Db::seek_found`] is one operation of db_bench's `SeekRandom`.
//!
//! Ownership: [`Db`] owns the database with its block cache and filter policy (the adapter deletes the database
//! first); [`Iter`] borrows its database; [`WriteBatch`] is a `leveldb::WriteBatch`.

use std::ffi::{c_int, CStr};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr;

use crate::{c_path, check};

/// The options db_bench's flags set (`Benchmark::Open`), for [`Db::open`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    pub create_if_missing: bool,
    pub reuse_logs: bool,
    pub write_buffer_size: usize,
    pub max_file_size: usize,
    pub block_size: usize,
    pub max_open_files: usize,
    /// Bytes of block cache; `None` lets LevelDB make its default 8 MiB cache.
    pub cache_size: Option<usize>,
    /// Bloom filter bits per key; `None` means no filter.
    pub bloom_bits: Option<usize>,
}

/// db_bench's `Stats::done_` and `next_report_`, which the C++ loop of [`Db::read_sequential`] advances as
/// `Stats::FinishedSingleOp` does (printing the same progress lines).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub done: usize,
    pub next_report: usize,
}

/// The adapter's functions (src/cpp_db.cc).
mod ffi {
    use std::ffi::{c_char, c_int, c_uchar};

    use super::Progress;

    #[repr(C)]
    pub struct Options {
        pub create_if_missing: c_uchar,
        pub reuse_logs: c_uchar,
        pub write_buffer_size: usize,
        pub max_file_size: usize,
        pub block_size: usize,
        pub max_open_files: c_int,
        pub cache_size: i64,
        pub bloom_bits: c_int,
    }

    pub enum Db {}
    pub enum WriteBatch {}
    pub enum Iterator {}

    #[link(name = "system_leveldb_shim", kind = "static")]
    extern "C" {
        pub fn system_leveldb_cpp_open(
            options: *const Options,
            path: *const c_char,
            out: *mut *mut Db,
        ) -> *mut c_char;
        pub fn system_leveldb_cpp_close(db: *mut Db);
        pub fn system_leveldb_cpp_destroy(path: *const c_char) -> *mut c_char;
        pub fn system_leveldb_cpp_put(
            db: *mut Db,
            sync: c_uchar,
            key: *const c_char,
            key_length: usize,
            value: *const c_char,
            value_length: usize,
        ) -> *mut c_char;
        pub fn system_leveldb_cpp_write(
            db: *mut Db,
            sync: c_uchar,
            batch: *mut WriteBatch,
        ) -> *mut c_char;
        pub fn system_leveldb_cpp_get(db: *mut Db, key: *const c_char, key_length: usize) -> c_int;
        pub fn system_leveldb_cpp_compact_range(db: *mut Db);
        pub fn system_leveldb_cpp_property(db: *mut Db, name: *const c_char) -> *mut c_char;

        pub fn system_leveldb_cpp_batch_create() -> *mut WriteBatch;
        pub fn system_leveldb_cpp_batch_destroy(batch: *mut WriteBatch);
        pub fn system_leveldb_cpp_batch_clear(batch: *mut WriteBatch);
        pub fn system_leveldb_cpp_batch_put(
            batch: *mut WriteBatch,
            key: *const c_char,
            key_length: usize,
            value: *const c_char,
            value_length: usize,
        );
        pub fn system_leveldb_cpp_batch_delete(
            batch: *mut WriteBatch,
            key: *const c_char,
            key_length: usize,
        );

        pub fn system_leveldb_cpp_iter_create(db: *mut Db) -> *mut Iterator;
        pub fn system_leveldb_cpp_iter_destroy(iter: *mut Iterator);
        pub fn system_leveldb_cpp_iter_seek_to_first(iter: *mut Iterator);
        pub fn system_leveldb_cpp_iter_seek_to_last(iter: *mut Iterator);
        pub fn system_leveldb_cpp_iter_seek(
            iter: *mut Iterator,
            key: *const c_char,
            key_length: usize,
        );
        pub fn system_leveldb_cpp_iter_valid(iter: *const Iterator) -> c_uchar;
        pub fn system_leveldb_cpp_iter_next(iter: *mut Iterator);
        pub fn system_leveldb_cpp_iter_prev(iter: *mut Iterator);
        pub fn system_leveldb_cpp_iter_entry(
            iter: *const Iterator,
            key: *mut *const c_char,
            key_length: *mut usize,
        ) -> usize;
        pub fn system_leveldb_cpp_seek_found(
            db: *mut Db,
            key: *const c_char,
            key_length: usize,
        ) -> c_int;
        pub fn system_leveldb_cpp_read_sequential(
            db: *mut Db,
            reverse: c_uchar,
            reads: usize,
            progress: *mut Progress,
        ) -> i64;
    }
}

/// An open database (`leveldb::DB` with its cache and filter policy); closed when dropped.
pub struct Db(*mut ffi::Db);

// SAFETY: LevelDB's DB is safe for concurrent use from several threads; the adapter's per-database state (the
// write options) is only read after open.
unsafe impl Send for Db {}
// SAFETY: as above.
unsafe impl Sync for Db {}

impl Db {
    /// `DB::Open` with db_bench's options; the error is the C++ status string.
    pub fn open(o: &OpenOptions, path: &Path) -> Result<Db, String> {
        let options = ffi::Options {
            create_if_missing: u8::from(o.create_if_missing),
            reuse_logs: u8::from(o.reuse_logs),
            write_buffer_size: o.write_buffer_size,
            max_file_size: o.max_file_size,
            block_size: o.block_size,
            max_open_files: c_int::try_from(o.max_open_files).unwrap_or(c_int::MAX),
            cache_size: o
                .cache_size
                .map_or(-1, |size| i64::try_from(size).unwrap_or(i64::MAX)),
            bloom_bits: o
                .bloom_bits
                .map_or(-1, |bits| c_int::try_from(bits).unwrap_or(c_int::MAX)),
        };
        let name = c_path(path);
        let mut raw = ptr::null_mut();
        // SAFETY: valid options and NUL-terminated name for the call; `raw` is a valid out pointer.
        check(unsafe { ffi::system_leveldb_cpp_open(&options, name.as_ptr(), &mut raw) })?;
        Ok(Db(raw))
    }

    pub fn put(&self, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        // SAFETY: a live database; the slices are valid for the call.
        check(unsafe {
            ffi::system_leveldb_cpp_put(
                self.0,
                u8::from(sync),
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        })
    }

    /// `DB::Write` (`&mut`: LevelDB writes the assigned sequence number into the batch).
    pub fn write(&self, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        // SAFETY: a live database and batch.
        check(unsafe { ffi::system_leveldb_cpp_write(self.0, u8::from(sync), batch.0) })
    }

    /// `DB::Get(ReadOptions(), key, &value).ok()`: true if found (the value is read, into C++'s string).
    pub fn get(&self, key: &[u8]) -> bool {
        // SAFETY: a live database; the key is valid for the call.
        unsafe { ffi::system_leveldb_cpp_get(self.0, key.as_ptr().cast(), key.len()) != 0 }
    }

    /// One operation of db_bench's `SeekRandom`: a new iterator seeks `key`; true if it lands on `key` itself.
    pub fn seek_found(&self, key: &[u8]) -> bool {
        // SAFETY: a live database; the key is valid for the call.
        unsafe { ffi::system_leveldb_cpp_seek_found(self.0, key.as_ptr().cast(), key.len()) != 0 }
    }

    /// db_bench's `ReadSequential` (or `ReadReverse`), run in C++: at most `reads` entries from the first (last),
    /// each step counted in `progress`; returns the bytes of keys and values read.
    pub fn read_sequential(&self, reverse: bool, reads: usize, progress: &mut Progress) -> u64 {
        // SAFETY: a live database; `progress` is valid for the call.
        let bytes = unsafe {
            ffi::system_leveldb_cpp_read_sequential(self.0, u8::from(reverse), reads, progress)
        };
        u64::try_from(bytes).unwrap_or(0)
    }

    /// `DB::CompactRange(nullptr, nullptr)`.
    pub fn compact_range(&self) {
        // SAFETY: a live database.
        unsafe { ffi::system_leveldb_cpp_compact_range(self.0) };
    }

    /// `DB::GetProperty`; `None` if the database has no such property.
    pub fn property(&self, name: &str) -> Option<String> {
        let name = std::ffi::CString::new(name).ok()?;
        // SAFETY: a live database and a NUL-terminated name.
        let value = unsafe { ffi::system_leveldb_cpp_property(self.0, name.as_ptr()) };
        if value.is_null() {
            return None;
        }
        // SAFETY: a non-null result is a strdup'd string; copied, then freed once.
        let text = unsafe { CStr::from_ptr(value) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: as above (LevelDB's `leveldb_free` is `free`).
        unsafe { crate::ffi::leveldb_free(value.cast()) };
        Some(text)
    }

    /// A new iterator (`DB::NewIterator(ReadOptions())`), not positioned; it borrows the database.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            // SAFETY: a live database, which the iterator borrows.
            raw: unsafe { ffi::system_leveldb_cpp_iter_create(self.0) },
            _db: PhantomData,
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        // SAFETY: opened by the adapter, closed once; iterators borrow the database, so none is left.
        unsafe { ffi::system_leveldb_cpp_close(self.0) };
    }
}

/// `DestroyDB(path, Options())`.
pub fn destroy_db(path: &Path) -> Result<(), String> {
    let name = c_path(path);
    // SAFETY: a NUL-terminated name.
    check(unsafe { ffi::system_leveldb_cpp_destroy(name.as_ptr()) })
}

/// A `leveldb::WriteBatch`.
pub struct WriteBatch(*mut ffi::WriteBatch);

// SAFETY: a batch is plain owned data.
unsafe impl Send for WriteBatch {}

impl Default for WriteBatch {
    fn default() -> WriteBatch {
        WriteBatch::new()
    }
}

impl WriteBatch {
    pub fn new() -> WriteBatch {
        // SAFETY: no preconditions.
        WriteBatch(unsafe { ffi::system_leveldb_cpp_batch_create() })
    }
    pub fn clear(&mut self) {
        // SAFETY: a live batch.
        unsafe { ffi::system_leveldb_cpp_batch_clear(self.0) };
    }
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        // SAFETY: a live batch; the slices are valid for the call (the batch copies them).
        unsafe {
            ffi::system_leveldb_cpp_batch_put(
                self.0,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
    }
    pub fn delete(&mut self, key: &[u8]) {
        // SAFETY: as in `put`.
        unsafe { ffi::system_leveldb_cpp_batch_delete(self.0, key.as_ptr().cast(), key.len()) };
    }
}

impl Drop for WriteBatch {
    fn drop(&mut self) {
        // SAFETY: created by the adapter, destroyed once.
        unsafe { ffi::system_leveldb_cpp_batch_destroy(self.0) };
    }
}

/// A `leveldb::Iterator`; it borrows its database. Its calls are the iterator's virtual calls, one each; the
/// caller checks [`Iter::valid`] before moving or reading it, as a C++ caller must.
pub struct Iter<'a> {
    raw: *mut ffi::Iterator,
    _db: PhantomData<&'a Db>,
}

impl Iter<'_> {
    pub fn valid(&self) -> bool {
        // SAFETY: a live iterator.
        unsafe { ffi::system_leveldb_cpp_iter_valid(self.raw) != 0 }
    }
    pub fn seek_to_first(&mut self) {
        // SAFETY: a live iterator.
        unsafe { ffi::system_leveldb_cpp_iter_seek_to_first(self.raw) };
    }
    pub fn seek_to_last(&mut self) {
        // SAFETY: a live iterator.
        unsafe { ffi::system_leveldb_cpp_iter_seek_to_last(self.raw) };
    }
    pub fn seek(&mut self, key: &[u8]) {
        // SAFETY: a live iterator; the key is valid for the call.
        unsafe { ffi::system_leveldb_cpp_iter_seek(self.raw, key.as_ptr().cast(), key.len()) };
    }
    /// # Safety
    /// The iterator is valid.
    pub unsafe fn next_unchecked(&mut self) {
        ffi::system_leveldb_cpp_iter_next(self.raw);
    }
    /// # Safety
    /// The iterator is valid.
    pub unsafe fn prev_unchecked(&mut self) {
        ffi::system_leveldb_cpp_iter_prev(self.raw);
    }
    /// The current key and the current value's length (`key()`, `value().size()`).
    ///
    /// # Safety
    /// The iterator is valid. The key points into the iterator until it moves, which the borrow prevents.
    pub unsafe fn entry_unchecked(&self) -> (&[u8], usize) {
        let (mut key, mut key_length) = (ptr::null(), 0);
        let value_length = ffi::system_leveldb_cpp_iter_entry(self.raw, &mut key, &mut key_length);
        (
            std::slice::from_raw_parts(key.cast(), key_length),
            value_length,
        )
    }
}

impl Drop for Iter<'_> {
    fn drop(&mut self) {
        // SAFETY: created on a database that outlives it (the borrow); destroyed once.
        unsafe { ffi::system_leveldb_cpp_iter_destroy(self.raw) };
    }
}
