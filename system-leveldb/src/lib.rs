//! The system's C++ LevelDB 1.23 (Debian's libleveldb-dev, linked statically, plus the snappy library it is built
//! with and libstdc++), through its C API (leveldb/c.h): the raw declarations in [`ffi`] and thin safe wrappers
//! around them; and, for db_bench, through its C++ API as LevelDB's own db_bench calls it ([`cpp`]). Used by the differential tests (this package's tests/) and by db_bench (the `oxleveldb-bench`
//! package), so the bindings exist once. It links `libleveldb.a` rather than `libleveldb.so` because the tests
//! also compare LevelDB's internal crc32c, which the shared library does not export; that static library needs
//! `libsnappy-dev` and `g++` (libstdc++) installed.
//!
//! Ownership follows the C API's rules, enforced by the types:
//! - Every object created is destroyed exactly once, by `Drop`.
//! - `leveldb_open` copies the options, but the database keeps using the block cache and the filter policy they
//!   point to, and the Env; [`Options`] holds them in `Arc`s and the [`Db`] keeps its own clones, so they outlive
//!   it.
//! - Iterators and snapshots borrow their database; read options that name a snapshot borrow the snapshot.
//! - Errors come back as the `errptr` string, which is `Status::ToString()` of the C++ status.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr;
use std::sync::Arc;

pub mod cpp;

/// The raw C API (leveldb/c.h), plus the two internals db_bench measures directly: LevelDB's crc32c and
/// snappy's C API (snappy-c.h).
#[allow(non_camel_case_types)]
pub mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    pub enum leveldb_t {}
    pub enum leveldb_options_t {}
    pub enum leveldb_readoptions_t {}
    pub enum leveldb_writeoptions_t {}
    pub enum leveldb_writebatch_t {}
    pub enum leveldb_iterator_t {}
    pub enum leveldb_snapshot_t {}
    pub enum leveldb_cache_t {}
    pub enum leveldb_filterpolicy_t {}
    pub enum leveldb_env_t {}

    pub const LEVELDB_NO_COMPRESSION: c_int = 0;
    pub const LEVELDB_SNAPPY_COMPRESSION: c_int = 1;

    #[link(name = "leveldb", kind = "static", modifiers = "-bundle")]
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
        pub fn leveldb_delete(
            db: *mut leveldb_t,
            options: *const leveldb_writeoptions_t,
            key: *const c_char,
            keylen: usize,
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
        pub fn leveldb_create_snapshot(db: *mut leveldb_t) -> *const leveldb_snapshot_t;
        pub fn leveldb_release_snapshot(db: *mut leveldb_t, snapshot: *const leveldb_snapshot_t);
        pub fn leveldb_property_value(db: *mut leveldb_t, propname: *const c_char) -> *mut c_char;
        pub fn leveldb_approximate_sizes(
            db: *mut leveldb_t,
            num_ranges: c_int,
            range_start_key: *const *const c_char,
            range_start_key_len: *const usize,
            range_limit_key: *const *const c_char,
            range_limit_key_len: *const usize,
            sizes: *mut u64,
        );
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
        pub fn leveldb_repair_db(
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
        pub fn leveldb_iter_get_error(iter: *const leveldb_iterator_t, errptr: *mut *mut c_char);

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
        pub fn leveldb_writebatch_append(
            destination: *mut leveldb_writebatch_t,
            source: *const leveldb_writebatch_t,
        );

        pub fn leveldb_options_create() -> *mut leveldb_options_t;
        pub fn leveldb_options_destroy(options: *mut leveldb_options_t);
        pub fn leveldb_options_set_filter_policy(
            options: *mut leveldb_options_t,
            policy: *mut leveldb_filterpolicy_t,
        );
        pub fn leveldb_options_set_create_if_missing(options: *mut leveldb_options_t, v: u8);
        pub fn leveldb_options_set_error_if_exists(options: *mut leveldb_options_t, v: u8);
        pub fn leveldb_options_set_paranoid_checks(options: *mut leveldb_options_t, v: u8);
        pub fn leveldb_options_set_write_buffer_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_max_open_files(options: *mut leveldb_options_t, n: c_int);
        pub fn leveldb_options_set_cache(
            options: *mut leveldb_options_t,
            cache: *mut leveldb_cache_t,
        );
        pub fn leveldb_options_set_block_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_block_restart_interval(
            options: *mut leveldb_options_t,
            interval: c_int,
        );
        pub fn leveldb_options_set_max_file_size(options: *mut leveldb_options_t, size: usize);
        pub fn leveldb_options_set_compression(options: *mut leveldb_options_t, compression: c_int);

        pub fn leveldb_filterpolicy_create_bloom(
            bits_per_key: c_int,
        ) -> *mut leveldb_filterpolicy_t;
        pub fn leveldb_filterpolicy_destroy(policy: *mut leveldb_filterpolicy_t);
        pub fn leveldb_cache_create_lru(capacity: usize) -> *mut leveldb_cache_t;
        pub fn leveldb_cache_destroy(cache: *mut leveldb_cache_t);
        pub fn leveldb_options_set_env(options: *mut leveldb_options_t, env: *mut leveldb_env_t);
        pub fn leveldb_env_destroy(env: *mut leveldb_env_t);

        pub fn leveldb_readoptions_create() -> *mut leveldb_readoptions_t;
        pub fn leveldb_readoptions_destroy(options: *mut leveldb_readoptions_t);
        pub fn leveldb_readoptions_set_verify_checksums(options: *mut leveldb_readoptions_t, v: u8);
        pub fn leveldb_readoptions_set_fill_cache(options: *mut leveldb_readoptions_t, v: u8);
        pub fn leveldb_readoptions_set_snapshot(
            options: *mut leveldb_readoptions_t,
            snapshot: *const leveldb_snapshot_t,
        );
        pub fn leveldb_writeoptions_create() -> *mut leveldb_writeoptions_t;
        pub fn leveldb_writeoptions_destroy(options: *mut leveldb_writeoptions_t);
        pub fn leveldb_writeoptions_set_sync(options: *mut leveldb_writeoptions_t, v: u8);

        pub fn leveldb_free(ptr: *mut c_void);
        pub fn leveldb_major_version() -> c_int;
        pub fn leveldb_minor_version() -> c_int;

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

/// What leveldb/c.h lacks, from the C++ shim (compiled by build.rs): src/options_shim.cc's setters and
/// src/recording_env.cc's recording Env.
mod shim {
    use std::ffi::c_char;

    use super::ffi::{leveldb_env_t, leveldb_options_t};

    #[link(name = "system_leveldb_shim", kind = "static")]
    extern "C" {
        /// Sets `Options::reuse_logs`.
        pub fn system_leveldb_options_set_reuse_logs(options: *mut leveldb_options_t, v: u8);
        /// A recording Env over `Env::Default()`, destroyed by `leveldb_env_destroy`.
        pub fn system_leveldb_recording_env_create(
            skip_dir_sync: u8,
            skip_old_log_sync: u8,
            slow_table_creates: u8,
        ) -> *mut leveldb_env_t;
        pub fn system_leveldb_recording_env_acknowledge(
            env: *mut leveldb_env_t,
            write: u64,
            synced: u8,
        );
        /// The recording so far (emptied), malloc'd, `*length` bytes.
        pub fn system_leveldb_recording_env_take(
            env: *mut leveldb_env_t,
            length: *mut usize,
        ) -> *mut c_char;
    }
}

/// An Env over LevelDB's default one that records every file-system operation, in the format of oxleveldb's
/// `RecordingEnv` (src/recording_env.cc); the options and every database opened with them keep it alive.
pub struct RecordingEnv(*mut ffi::leveldb_env_t);

// SAFETY: the recording is guarded by a mutex; the default Env it wraps is thread-safe.
unsafe impl Send for RecordingEnv {}
// SAFETY: as above.
unsafe impl Sync for RecordingEnv {}

impl RecordingEnv {
    /// A recording Env; the first two flags make the recording leave out the directory syncs (LevelDB has one: a
    /// new MANIFEST's)
    /// or the sync of a log that is no longer the newest, to describe a broken env; the third makes each table's
    /// creation wait 20 ms, so that the writes run ahead of a memtable flush.
    pub fn new(
        skip_dir_sync: bool,
        skip_old_log_sync: bool,
        slow_table_creates: bool,
    ) -> Arc<RecordingEnv> {
        // SAFETY: no preconditions.
        Arc::new(RecordingEnv(unsafe {
            shim::system_leveldb_recording_env_create(
                u8::from(skip_dir_sync),
                u8::from(skip_old_log_sync),
                u8::from(slow_table_creates),
            )
        }))
    }

    /// Records that the workload's write number `write` returned Ok, synced or not.
    pub fn acknowledge(&self, write: u64, synced: bool) {
        // SAFETY: a live recording env.
        unsafe { shim::system_leveldb_recording_env_acknowledge(self.0, write, u8::from(synced)) };
    }

    /// The recording so far, emptied.
    pub fn take(&self) -> String {
        let mut length = 0;
        // SAFETY: a live recording env; `length` is a valid out pointer.
        let text = unsafe { shim::system_leveldb_recording_env_take(self.0, &mut length) };
        // SAFETY: the shim returns a malloc'd buffer of `length` bytes; it is copied, then freed once.
        let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), length) }.to_vec();
        // SAFETY: as above.
        unsafe { ffi::leveldb_free(text.cast()) };
        String::from_utf8(bytes).expect("the recording is ASCII")
    }
}

impl Drop for RecordingEnv {
    fn drop(&mut self) {
        // SAFETY: created by the shim, destroyed once, after every database using it (they hold an Arc).
        unsafe { ffi::leveldb_env_destroy(self.0) };
    }
}

/// Turns a C error message into an `Err`, freeing it (the C++ adapter of [`cpp`] reports its errors the same way:
/// strdup'd strings).
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

/// A block cache (`leveldb_cache_create_lru`), shared by the options and the databases opened with them.
pub struct Cache(*mut ffi::leveldb_cache_t);

// SAFETY: LevelDB's LRU cache is internally synchronized.
unsafe impl Send for Cache {}
// SAFETY: as above.
unsafe impl Sync for Cache {}

impl Cache {
    pub fn new_lru(capacity: usize) -> Arc<Cache> {
        // SAFETY: no preconditions.
        Arc::new(Cache(unsafe { ffi::leveldb_cache_create_lru(capacity) }))
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_cache_create_lru, destroyed once, after every database using it (they hold
        // an Arc).
        unsafe { ffi::leveldb_cache_destroy(self.0) };
    }
}

/// LevelDB's built-in bloom filter policy (`leveldb_filterpolicy_create_bloom`, "leveldb.BuiltinBloomFilter2").
pub struct FilterPolicy(*mut ffi::leveldb_filterpolicy_t);

// SAFETY: the bloom policy is immutable after creation.
unsafe impl Send for FilterPolicy {}
// SAFETY: as above.
unsafe impl Sync for FilterPolicy {}

impl FilterPolicy {
    pub fn new_bloom(bits_per_key: usize) -> Arc<FilterPolicy> {
        let bits = c_int::try_from(bits_per_key).expect("bits per key fit an int");
        // SAFETY: no preconditions.
        Arc::new(FilterPolicy(unsafe {
            ffi::leveldb_filterpolicy_create_bloom(bits)
        }))
    }
}

impl Drop for FilterPolicy {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_filterpolicy_create_bloom, destroyed once, after every database using it.
        unsafe { ffi::leveldb_filterpolicy_destroy(self.0) };
    }
}

/// `leveldb_options_t`, with LevelDB's defaults until set.
pub struct Options {
    raw: *mut ffi::leveldb_options_t,
    cache: Option<Arc<Cache>>,
    filter_policy: Option<Arc<FilterPolicy>>,
    env: Option<Arc<RecordingEnv>>,
}

impl Default for Options {
    fn default() -> Options {
        Options::new()
    }
}

impl Options {
    pub fn new() -> Options {
        Options {
            // SAFETY: no preconditions.
            raw: unsafe { ffi::leveldb_options_create() },
            cache: None,
            filter_policy: None,
            env: None,
        }
    }

    pub fn set_create_if_missing(&mut self, v: bool) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_create_if_missing(self.raw, u8::from(v)) };
        self
    }
    pub fn set_error_if_exists(&mut self, v: bool) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_error_if_exists(self.raw, u8::from(v)) };
        self
    }
    pub fn set_paranoid_checks(&mut self, v: bool) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_paranoid_checks(self.raw, u8::from(v)) };
        self
    }
    pub fn set_write_buffer_size(&mut self, size: usize) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_write_buffer_size(self.raw, size) };
        self
    }
    pub fn set_max_open_files(&mut self, n: usize) -> &mut Options {
        let n = c_int::try_from(n).unwrap_or(c_int::MAX);
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_max_open_files(self.raw, n) };
        self
    }
    pub fn set_block_size(&mut self, size: usize) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_block_size(self.raw, size) };
        self
    }
    pub fn set_block_restart_interval(&mut self, interval: usize) -> &mut Options {
        let interval = c_int::try_from(interval).unwrap_or(c_int::MAX);
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_block_restart_interval(self.raw, interval) };
        self
    }
    pub fn set_max_file_size(&mut self, size: usize) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_max_file_size(self.raw, size) };
        self
    }
    /// Snappy (LevelDB's default) or no compression.
    pub fn set_snappy_compression(&mut self, snappy: bool) -> &mut Options {
        let compression = if snappy {
            ffi::LEVELDB_SNAPPY_COMPRESSION
        } else {
            ffi::LEVELDB_NO_COMPRESSION
        };
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_compression(self.raw, compression) };
        self
    }
    /// `Options::reuse_logs` (not in the C API: set through src/options_shim.cc).
    pub fn set_reuse_logs(&mut self, v: bool) -> &mut Options {
        // SAFETY: a live options object; the shim only stores the value in its `rep`.
        unsafe { shim::system_leveldb_options_set_reuse_logs(self.raw, u8::from(v)) };
        self
    }
    /// The block cache; the options and every database opened with them keep it alive.
    pub fn set_cache(&mut self, cache: Arc<Cache>) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_cache(self.raw, cache.0) };
        self.cache = Some(cache);
        self
    }
    /// The Env (a recording one); the options and every database opened with them keep it alive.
    pub fn set_env(&mut self, env: Arc<RecordingEnv>) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the pointer.
        unsafe { ffi::leveldb_options_set_env(self.raw, env.0) };
        self.env = Some(env);
        self
    }
    /// The filter policy; the options and every database opened with them keep it alive.
    pub fn set_filter_policy(&mut self, policy: Arc<FilterPolicy>) -> &mut Options {
        // SAFETY: a live options object; the setter only stores the value.
        unsafe { ffi::leveldb_options_set_filter_policy(self.raw, policy.0) };
        self.filter_policy = Some(policy);
        self
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_options_create, destroyed once. Databases copied the options when they
        // opened; the cache and policy they point to are kept by the databases' own Arcs.
        unsafe { ffi::leveldb_options_destroy(self.raw) };
    }
}

/// `leveldb_readoptions_t`; `'s` is the lifetime of the snapshot it reads at, if any.
pub struct ReadOptions<'s> {
    raw: *mut ffi::leveldb_readoptions_t,
    _snapshot: PhantomData<&'s Snapshot<'s>>,
}

// SAFETY: only read by LevelDB once set; the setters need `&mut`.
unsafe impl Send for ReadOptions<'_> {}
// SAFETY: as above.
unsafe impl Sync for ReadOptions<'_> {}

impl Default for ReadOptions<'_> {
    fn default() -> Self {
        ReadOptions::new()
    }
}

impl<'s> ReadOptions<'s> {
    pub fn new() -> ReadOptions<'s> {
        ReadOptions {
            // SAFETY: no preconditions.
            raw: unsafe { ffi::leveldb_readoptions_create() },
            _snapshot: PhantomData,
        }
    }
    pub fn set_verify_checksums(&mut self, v: bool) -> &mut Self {
        // SAFETY: a live read options object.
        unsafe { ffi::leveldb_readoptions_set_verify_checksums(self.raw, u8::from(v)) };
        self
    }
    pub fn set_fill_cache(&mut self, v: bool) -> &mut Self {
        // SAFETY: a live read options object.
        unsafe { ffi::leveldb_readoptions_set_fill_cache(self.raw, u8::from(v)) };
        self
    }
    /// Reads at `snapshot` (or at the latest state for `None`); the options borrow the snapshot.
    pub fn set_snapshot(&mut self, snapshot: Option<&'s Snapshot<'_>>) -> &mut Self {
        let raw = snapshot.map_or(ptr::null(), |s| s.raw);
        // SAFETY: a live read options object; the snapshot outlives the options (the borrow).
        unsafe { ffi::leveldb_readoptions_set_snapshot(self.raw, raw) };
        self
    }
}

impl Drop for ReadOptions<'_> {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_readoptions_create, destroyed once.
        unsafe { ffi::leveldb_readoptions_destroy(self.raw) };
    }
}

/// `leveldb_writeoptions_t`.
pub struct WriteOptions {
    raw: *mut ffi::leveldb_writeoptions_t,
}

// SAFETY: only read by LevelDB once set; the setter needs `&mut`.
unsafe impl Send for WriteOptions {}
// SAFETY: as above.
unsafe impl Sync for WriteOptions {}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions::new()
    }
}

impl WriteOptions {
    pub fn new() -> WriteOptions {
        WriteOptions {
            // SAFETY: no preconditions.
            raw: unsafe { ffi::leveldb_writeoptions_create() },
        }
    }
    pub fn set_sync(&mut self, v: bool) -> &mut Self {
        // SAFETY: a live write options object.
        unsafe { ffi::leveldb_writeoptions_set_sync(self.raw, u8::from(v)) };
        self
    }
}

impl Drop for WriteOptions {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_writeoptions_create, destroyed once.
        unsafe { ffi::leveldb_writeoptions_destroy(self.raw) };
    }
}

/// `leveldb_writebatch_t`.
pub struct WriteBatch(*mut ffi::leveldb_writebatch_t);

// SAFETY: a batch is used by one thread at a time (its methods need `&mut`, or `&` for reads only).
unsafe impl Send for WriteBatch {}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

impl WriteBatch {
    pub fn new() -> WriteBatch {
        // SAFETY: no preconditions.
        WriteBatch(unsafe { ffi::leveldb_writebatch_create() })
    }
    pub fn clear(&mut self) {
        // SAFETY: a live batch.
        unsafe { ffi::leveldb_writebatch_clear(self.0) };
    }
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        // SAFETY: a live batch; the slices are valid for the call (LevelDB copies them).
        unsafe {
            ffi::leveldb_writebatch_put(
                self.0,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
            )
        };
    }
    pub fn delete(&mut self, key: &[u8]) {
        // SAFETY: as above.
        unsafe { ffi::leveldb_writebatch_delete(self.0, key.as_ptr().cast(), key.len()) };
    }
    /// Appends `source`'s operations (WriteBatch::Append).
    pub fn append(&mut self, source: &WriteBatch) {
        // SAFETY: two live batches; `source` is only read.
        unsafe { ffi::leveldb_writebatch_append(self.0, source.0) };
    }
}

impl Drop for WriteBatch {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_writebatch_create, destroyed once.
        unsafe { ffi::leveldb_writebatch_destroy(self.0) };
    }
}

/// An open C++ LevelDB database (`leveldb_t`); closed when dropped.
pub struct Db {
    raw: *mut ffi::leveldb_t,
    // The database uses these until it closes; `Drop` closes it first, then these fields drop.
    _cache: Option<Arc<Cache>>,
    _filter_policy: Option<Arc<FilterPolicy>>,
    _env: Option<Arc<RecordingEnv>>,
}

// SAFETY: LevelDB's DB is safe for concurrent use from several threads.
unsafe impl Send for Db {}
// SAFETY: as above.
unsafe impl Sync for Db {}

impl Db {
    /// `leveldb_open`; the error is the C++ status string.
    pub fn open(options: &Options, path: &Path) -> Result<Db, String> {
        let name = c_path(path);
        let mut err = ptr::null_mut();
        // SAFETY: live options; a NUL-terminated name; errptr is a valid out pointer.
        let raw = unsafe { ffi::leveldb_open(options.raw, name.as_ptr(), &mut err) };
        check(err)?;
        assert!(!raw.is_null());
        Ok(Db {
            raw,
            _cache: options.cache.clone(),
            _filter_policy: options.filter_policy.clone(),
            _env: options.env.clone(),
        })
    }

    pub fn put(&self, options: &WriteOptions, key: &[u8], value: &[u8]) -> Result<(), String> {
        let mut err = ptr::null_mut();
        // SAFETY: live database and options; the slices are valid for the call; errptr is a valid out pointer.
        unsafe {
            ffi::leveldb_put(
                self.raw,
                options.raw,
                key.as_ptr().cast(),
                key.len(),
                value.as_ptr().cast(),
                value.len(),
                &mut err,
            )
        };
        check(err)
    }

    pub fn delete(&self, options: &WriteOptions, key: &[u8]) -> Result<(), String> {
        let mut err = ptr::null_mut();
        // SAFETY: as in `put`.
        unsafe {
            ffi::leveldb_delete(
                self.raw,
                options.raw,
                key.as_ptr().cast(),
                key.len(),
                &mut err,
            )
        };
        check(err)
    }

    /// Applies `batch` (`&mut`: LevelDB writes the assigned sequence number into it).
    pub fn write(&self, options: &WriteOptions, batch: &mut WriteBatch) -> Result<(), String> {
        let mut err = ptr::null_mut();
        // SAFETY: live database, options and batch; errptr is a valid out pointer.
        unsafe { ffi::leveldb_write(self.raw, options.raw, batch.0, &mut err) };
        check(err)
    }

    /// Looks `key` up and hands the value to `f` without copying it; `Ok(None)` for NotFound.
    pub fn get_with<R>(
        &self,
        options: &ReadOptions<'_>,
        key: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<Option<R>, String> {
        let mut vallen = 0;
        let mut err = ptr::null_mut();
        // SAFETY: live database and options; the key is valid for the call; errptr and vallen are valid out
        // pointers.
        let value = unsafe {
            ffi::leveldb_get(
                self.raw,
                options.raw,
                key.as_ptr().cast(),
                key.len(),
                &mut vallen,
                &mut err,
            )
        };
        if value.is_null() {
            return check(err).map(|_| None);
        }
        // SAFETY: a non-null result is a malloc'd buffer of `vallen` bytes, read here and freed once.
        let result = f(unsafe { std::slice::from_raw_parts(value.cast::<u8>(), vallen) });
        // SAFETY: as above.
        unsafe { ffi::leveldb_free(value.cast::<c_void>()) };
        check(err).map(|_| Some(result))
    }

    /// The value of `key`, `Ok(None)` for NotFound.
    pub fn get(&self, options: &ReadOptions<'_>, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.get_with(options, key, <[u8]>::to_vec)
    }

    /// A new iterator (not positioned); the read options are copied, the database is borrowed.
    pub fn iter(&self, options: &ReadOptions<'_>) -> Iter<'_> {
        Iter {
            // SAFETY: live database and options; the iterator borrows the database, and LevelDB copies the read
            // options (a snapshot's sequence is read at creation).
            raw: unsafe { ffi::leveldb_create_iterator(self.raw, options.raw) },
            _db: PhantomData,
        }
    }

    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            // SAFETY: a live database.
            raw: unsafe { ffi::leveldb_create_snapshot(self.raw) },
            db: SnapshotOwner::Borrowed(self),
        }
    }

    /// A snapshot that keeps its database open itself, so that it can be stored beside the database (as the
    /// differential harness holds snapshots across writes, compactions and other calls).
    pub fn shared_snapshot(self: &Arc<Db>) -> Snapshot<'static> {
        Snapshot {
            // SAFETY: a live database.
            raw: unsafe { ffi::leveldb_create_snapshot(self.raw) },
            db: SnapshotOwner::Shared(Arc::clone(self)),
        }
    }

    /// `leveldb_property_value`; `None` for an unknown property.
    pub fn property(&self, name: &str) -> Option<String> {
        let name = CString::new(name).ok()?;
        // SAFETY: a live database; the result is a malloc'd NUL-terminated string (or null), freed here.
        unsafe {
            let value = ffi::leveldb_property_value(self.raw, name.as_ptr());
            if value.is_null() {
                return None;
            }
            let text = CStr::from_ptr(value).to_string_lossy().into_owned();
            ffi::leveldb_free(value.cast());
            Some(text)
        }
    }

    /// The approximate sizes of the ranges `[start, limit)`.
    pub fn approximate_sizes(&self, ranges: &[(&[u8], &[u8])]) -> Vec<u64> {
        let starts: Vec<*const c_char> = ranges.iter().map(|r| r.0.as_ptr().cast()).collect();
        let start_lens: Vec<usize> = ranges.iter().map(|r| r.0.len()).collect();
        let limits: Vec<*const c_char> = ranges.iter().map(|r| r.1.as_ptr().cast()).collect();
        let limit_lens: Vec<usize> = ranges.iter().map(|r| r.1.len()).collect();
        let mut sizes = vec![0u64; ranges.len()];
        let n = c_int::try_from(ranges.len()).expect("range count fits an int");
        // SAFETY: a live database; every array has `n` elements and the keys are valid for the call.
        unsafe {
            ffi::leveldb_approximate_sizes(
                self.raw,
                n,
                starts.as_ptr(),
                start_lens.as_ptr(),
                limits.as_ptr(),
                limit_lens.as_ptr(),
                sizes.as_mut_ptr(),
            )
        };
        sizes
    }

    /// Compacts `[begin, end]`; `None` is open-ended.
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) {
        let (b, blen) = begin.map_or((ptr::null(), 0), |k| (k.as_ptr().cast(), k.len()));
        let (e, elen) = end.map_or((ptr::null(), 0), |k| (k.as_ptr().cast(), k.len()));
        // SAFETY: a live database; the keys are valid for the call, and a null key means an open end.
        unsafe { ffi::leveldb_compact_range(self.raw, b, blen, e, elen) };
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        // SAFETY: opened by leveldb_open, closed once; iterators and snapshots borrow the database, so none is
        // left. The cache and filter policy are still alive (our fields drop after this).
        unsafe { ffi::leveldb_close(self.raw) };
    }
}

/// `leveldb_destroy_db`.
pub fn destroy_db(options: &Options, path: &Path) -> Result<(), String> {
    let name = c_path(path);
    let mut err = ptr::null_mut();
    // SAFETY: live options; a NUL-terminated name; errptr is a valid out pointer.
    unsafe { ffi::leveldb_destroy_db(options.raw, name.as_ptr(), &mut err) };
    check(err)
}

/// `leveldb_repair_db`.
pub fn repair_db(options: &Options, path: &Path) -> Result<(), String> {
    let name = c_path(path);
    let mut err = ptr::null_mut();
    // SAFETY: as above.
    unsafe { ffi::leveldb_repair_db(options.raw, name.as_ptr(), &mut err) };
    check(err)
}

/// A snapshot (`leveldb_create_snapshot`), released when dropped.
pub struct Snapshot<'a> {
    raw: *const ffi::leveldb_snapshot_t,
    db: SnapshotOwner<'a>,
}

/// How a snapshot keeps its database alive: by a borrow, or by a share of it.
enum SnapshotOwner<'a> {
    Borrowed(&'a Db),
    Shared(Arc<Db>),
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        let db = match &self.db {
            SnapshotOwner::Borrowed(db) => db,
            SnapshotOwner::Shared(db) => &**db,
        };
        // SAFETY: created on this database, which the borrow or the Arc keeps open; released once; read options
        // naming it borrow it, so none is left.
        unsafe { ffi::leveldb_release_snapshot(db.raw, self.raw) };
    }
}

/// A database iterator (`leveldb_iterator_t`); it borrows its database.
///
/// The safe cursor methods check `valid()` first (LevelDB requires it: moving or reading an invalid iterator is
/// undefined behaviour in C++); db_bench, which checks validity itself, uses the `_unchecked` variants.
pub struct Iter<'a> {
    raw: *mut ffi::leveldb_iterator_t,
    _db: PhantomData<&'a Db>,
}

impl Iter<'_> {
    pub fn valid(&self) -> bool {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_valid(self.raw) != 0 }
    }
    pub fn seek_to_first(&mut self) {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_seek_to_first(self.raw) };
    }
    pub fn seek_to_last(&mut self) {
        // SAFETY: a live iterator.
        unsafe { ffi::leveldb_iter_seek_to_last(self.raw) };
    }
    pub fn seek(&mut self, key: &[u8]) {
        // SAFETY: a live iterator; the key is valid for the call.
        unsafe { ffi::leveldb_iter_seek(self.raw, key.as_ptr().cast(), key.len()) };
    }
    /// Moves to the next entry. Panics if the iterator is not valid.
    pub fn next(&mut self) {
        assert!(self.valid(), "next() on an invalid iterator");
        // SAFETY: checked above.
        unsafe { self.next_unchecked() };
    }
    /// Moves to the previous entry. Panics if the iterator is not valid.
    pub fn prev(&mut self) {
        assert!(self.valid(), "prev() on an invalid iterator");
        // SAFETY: checked above.
        unsafe { self.prev_unchecked() };
    }
    /// The current key. Panics if the iterator is not valid.
    pub fn key(&self) -> &[u8] {
        assert!(self.valid(), "key() on an invalid iterator");
        // SAFETY: checked above.
        unsafe { self.key_unchecked() }
    }
    /// The current value. Panics if the iterator is not valid.
    pub fn value(&self) -> &[u8] {
        assert!(self.valid(), "value() on an invalid iterator");
        // SAFETY: checked above.
        unsafe { self.value_unchecked() }
    }
    /// The iterator's error status (`leveldb_iter_get_error`).
    pub fn status(&self) -> Result<(), String> {
        let mut err = ptr::null_mut();
        // SAFETY: a live iterator; errptr is a valid out pointer.
        unsafe { ffi::leveldb_iter_get_error(self.raw, &mut err) };
        check(err)
    }

    /// # Safety
    /// The iterator is valid.
    pub unsafe fn next_unchecked(&mut self) {
        ffi::leveldb_iter_next(self.raw);
    }
    /// # Safety
    /// The iterator is valid.
    pub unsafe fn prev_unchecked(&mut self) {
        ffi::leveldb_iter_prev(self.raw);
    }
    /// # Safety
    /// The iterator is valid. The key points into the iterator until it moves, which the borrow prevents.
    pub unsafe fn key_unchecked(&self) -> &[u8] {
        let mut len = 0;
        let key = ffi::leveldb_iter_key(self.raw, &mut len);
        std::slice::from_raw_parts(key.cast(), len)
    }
    /// # Safety
    /// The iterator is valid. The value points into the iterator until it moves, which the borrow prevents.
    pub unsafe fn value_unchecked(&self) -> &[u8] {
        let mut len = 0;
        let value = ffi::leveldb_iter_value(self.raw, &mut len);
        std::slice::from_raw_parts(value.cast(), len)
    }
}

impl Drop for Iter<'_> {
    fn drop(&mut self) {
        // SAFETY: created by leveldb_create_iterator on a database that outlives it (the borrow); destroyed once.
        unsafe { ffi::leveldb_iter_destroy(self.raw) };
    }
}

/// `(leveldb_major_version(), leveldb_minor_version())`.
pub fn version() -> (i32, i32) {
    // SAFETY: no preconditions.
    unsafe { (ffi::leveldb_major_version(), ffi::leveldb_minor_version()) }
}

/// LevelDB's own CRC-32C (crc32c::Value, unmasked).
pub fn crc32c(data: &[u8]) -> u32 {
    // SAFETY: the data is valid for the call.
    unsafe { ffi::leveldb_crc32c_extend(0, data.as_ptr().cast(), data.len()) }
}

/// Compresses `input` with the system's snappy into `output` (resized to the compressed length); false on
/// failure.
pub fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
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

/// Uncompresses `input` into `output` as LevelDB's ReadBlock does: the length first, then the bytes into a buffer
/// of that size (resized only when the length changes, so a reused buffer is not re-zeroed); false on failure.
pub fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
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
