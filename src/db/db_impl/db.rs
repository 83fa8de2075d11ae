//! `DB`, the handle a program holds: the public face of `DBImpl`. Each method is one call into the part of
//! `DBImpl` that does the work (`write.rs`, `read.rs`, `compaction.rs`, ...); `open` makes a `DBImpl` and recovers
//! it (`recovery.rs`). Also `destroy_db`, and `Range` for `get_approximate_sizes`.
//!
//! Invariant: a `DB` is one `FileHolder`: while it or one of its iterators lives, the database's LOCK is held.
//! Dropping it shuts the database down (background work finished, the log and the MANIFEST closed) before its
//! holder lets go, so the LOCK is released last.
//!
//! LevelDB: include/leveldb/db.h (DB, Range), DestroyDB (db/db_impl.cc)

use std::ops::{Bound, RangeBounds};
use std::path::Path;
#[cfg(feature = "internals")]
use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;

use super::{DBImpl, FileHolder};
use crate::db::db_iter::DBIterator;
use crate::db::db_range::{owned_bound, DBRange, Start};
use crate::db::filename::{lock_file_name, parse_file_name, FileType};
use crate::db::snapshot::Snapshot;
use crate::db::write_batch::WriteBatch;
use crate::error::Result;
use crate::options::{Options, ReadOptions, WriteOptions};
#[cfg(feature = "internals")]
use crate::table::iterator::Iterator;

/// A range of user keys, `[start, limit)`.
///
/// LevelDB: Range
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// Included in the range.
    pub start: Vec<u8>,
    /// Not included in the range.
    pub limit: Vec<u8>,
}

impl Range {
    /// The range `[start, limit)`.
    pub fn new(start: impl AsRef<[u8]>, limit: impl AsRef<[u8]>) -> Range {
        Range {
            start: start.as_ref().to_vec(),
            limit: limit.as_ref().to_vec(),
        }
    }
}

/// A LevelDB database: a persistent, ordered map from byte strings to byte strings, safe for concurrent use from
/// many threads (share it with `Arc<DB>`). Dropping it waits for background work and releases its lock.
///
/// LevelDB: DB
pub struct DB {
    inner: FileHolder,
}

impl DB {
    /// Opens the database at `path`, creating it if `options.create_if_missing` is set. It takes the database's
    /// `LOCK` first: an open that is refused changes nothing (LevelDB starts a new `LOG`, moving the running
    /// one's to `LOG.old`, before it finds the `LOCK` taken).
    ///
    /// # Errors
    /// - `IO error: lock <path>/LOCK: Resource temporarily unavailable` (another process has the database open) or
    ///   `IO error: lock <path>/LOCK: already held by process` (another `DB` of this process has it): one handle
    ///   at a time writes a database. Share that handle (`Arc<DB>`), or read beside it with
    ///   [`DB::open_read_only`], which takes no lock.
    /// - `Invalid argument: <path>: does not exist (create_if_missing is false)`, or `... exists
    ///   (error_if_exists is true)`.
    /// - `Corruption: ...` when the MANIFEST, CURRENT or (with `paranoid_checks`) a log is damaged; `repair_db`
    ///   salvages what it can. `IO error: ...` when the file system fails.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// // A missing database is an error unless create_if_missing is set.
    /// let err = DB::open(Options::default(), dir.path().join("db")).unwrap_err();
    /// assert!(err.to_string().ends_with("does not exist (create_if_missing is false)"));
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path().join("db")).unwrap();
    /// // A second handle is refused while the first is open: the first has the LOCK.
    /// let err = DB::open(Options::default(), dir.path().join("db")).unwrap_err();
    /// assert!(err.to_string().starts_with("IO error: lock "), "{err}");
    /// // Reading beside it needs no lock.
    /// assert!(DB::open_read_only(Options::default(), dir.path().join("db")).is_ok());
    /// ```
    ///
    /// LevelDB: DB::Open
    pub fn open(options: Options, path: impl AsRef<Path>) -> Result<DB> {
        DB::open_with(options, path.as_ref(), false)
    }

    /// Opens the database at `path` for reading only, as it is at this moment. No LOCK is taken and no file is
    /// created, written or deleted: the logs are replayed into memory and nothing is compacted. So any number of
    /// processes may read one database this way, even while another process writes it (they see the state at
    /// the open). Writes and `compact_range` fail with the code `NotSupported`, which LevelDB's text shows as
    /// `Not implemented: Not supported operation in read only mode.` (RocksDB's words). The database must exist.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let writer = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// writer.put("k", "v1")?;
    ///
    /// // The writer keeps its LOCK; the reader needs none.
    /// let reader = DB::open_read_only(Options::default(), dir.path())?;
    /// writer.put("k", "v2")?;
    /// assert_eq!(reader.get("k")?, Some(b"v1".to_vec()));
    /// assert!(reader.put("k", "v3").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// RocksDB: DB::OpenForReadOnly
    pub fn open_read_only(options: Options, path: impl AsRef<Path>) -> Result<DB> {
        let options = Options {
            // Reusing a log or the MANIFEST means appending to it.
            reuse_logs: false,
            // An info log of the caller's own, or none: LevelDB's LOG file would be written.
            info_log: Some(
                options
                    .info_log
                    .clone()
                    .unwrap_or_else(|| Arc::new(NoLogger)),
            ),
            ..options
        };
        DB::open_with(options, path.as_ref(), true)
    }

    fn open_with(options: Options, dbname: &Path, read_only: bool) -> Result<DB> {
        // The LOCK before anything else: DBImpl::new opens the info log, which moves LOG to LOG.old, and an open
        // refused by the lock must leave the running database's LOG alone. (LevelDB's DBImpl::Recover takes it
        // after SanitizeOptions has done that.)
        let lock = if read_only {
            None
        } else {
            // Ignore an error from create_dir: the database exists only once its descriptor is written, and this
            // directory may be left from a failed attempt.
            let _ = options.env.create_dir(dbname);
            Some(options.env.lock_file(&lock_file_name(dbname))?)
        };
        // Until the database is open, every way out of here (an error or a panic) drops the handle, which shuts
        // the database down and releases its lock; a lock left behind would refuse every later open of this
        // database in the process.
        let handle = DB {
            inner: FileHolder::new(&DBImpl::new(&options, dbname, read_only, lock)),
        };
        DB::open_impl(&handle.inner.0, &options)?;
        Ok(handle)
    }

    /// Sets the database entry for `key` to `value`, with the default [`WriteOptions`] (not synced): see
    /// [`put_opt`](DB::put_opt).
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("key", vec![0u8, 1, 2])?;
    /// assert_eq!(db.get("key")?, Some(vec![0, 1, 2]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        self.put_opt(key, value, &WriteOptions::default())
    }

    /// Sets the database entry for `key` to `value`, written with `options`.
    ///
    /// ```
    /// use oxleveldb::{Options, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// // A synced write is on disk when put_opt returns.
    /// db.put_opt("key", "value", &WriteOptions { sync: true })?;
    /// assert_eq!(db.get("key")?.as_deref(), Some(&b"value"[..]));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Put
    pub fn put_opt(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        options: &WriteOptions,
    ) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(key, value);
        self.write_opt(&batch, options)
    }

    /// Removes the database entry (if any) for `key`, with the default [`WriteOptions`]. It is not an error if
    /// `key` did not exist.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("key", "value")?;
    /// db.delete("key")?;
    /// db.delete("never written")?;
    /// assert_eq!(db.get("key")?, None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<()> {
        self.delete_opt(key, &WriteOptions::default())
    }

    /// Removes the database entry (if any) for `key`, written with `options`.
    ///
    /// LevelDB: DB::Delete
    pub fn delete_opt(&self, key: impl AsRef<[u8]>, options: &WriteOptions) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(key);
        self.write_opt(&batch, options)
    }

    /// Applies `updates` to the database atomically, with the default [`WriteOptions`].
    ///
    /// ```
    /// use oxleveldb::{Options, WriteBatch, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("from", "100")?;
    /// // Move the value in one step: no reader sees it in both places, or in neither.
    /// let mut batch = WriteBatch::new();
    /// batch.delete("from");
    /// batch.put("to", "100");
    /// db.write(&batch)?;
    /// assert_eq!((db.get("from")?, db.get("to")?), (None, Some(b"100".to_vec())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn write(&self, updates: &WriteBatch) -> Result<()> {
        self.write_opt(updates, &WriteOptions::default())
    }

    /// Applies `updates` to the database atomically, written with `options`.
    ///
    /// LevelDB: DB::Write
    pub fn write_opt(&self, updates: &WriteBatch, options: &WriteOptions) -> Result<()> {
        self.inner.write(options, Some(updates))
    }

    /// The value for `key` as of now: `Ok(None)` if there is none (LevelDB's NotFound). See
    /// [`get_opt`](DB::get_opt) to read a snapshot or verify checksums.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.get_opt(key, &ReadOptions::default())
    }

    /// The value for `key`, read with `options`: `Ok(None)` if there is none.
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("k", "v")?;
    /// let snapshot = db.get_snapshot();
    /// db.put("k", "v2")?;
    /// // Verify the checksums of what the read touches, leave the block cache alone, read the snapshot.
    /// let careful = ReadOptions {
    ///     verify_checksums: true,
    ///     fill_cache: false,
    ///     snapshot: Some(snapshot),
    /// };
    /// assert_eq!(db.get_opt("k", &careful)?.as_deref(), Some(&b"v"[..]));
    /// assert_eq!(db.get_opt("missing", &careful)?, None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Get
    pub fn get_opt(&self, key: impl AsRef<[u8]>, options: &ReadOptions) -> Result<Option<Vec<u8>>> {
        self.inner.get(options, key.as_ref())
    }

    /// LevelDB's cursor over the contents of the database as of now (initially not positioned): see
    /// [`DBIterator`]. For a std iterator, see [`iter`](DB::iter), [`range`](DB::range), [`prefix`](DB::prefix).
    pub fn new_iterator(&self) -> DBIterator {
        self.new_iterator_opt(&ReadOptions::default())
    }

    /// LevelDB's cursor over the contents of the database (initially not positioned). It sees the database as of
    /// `options.snapshot`, or as of now.
    ///
    /// LevelDB: DB::NewIterator
    pub fn new_iterator_opt(&self, options: &ReadOptions) -> DBIterator {
        let (mut iter, latest_snapshot, seed) = self.inner.new_internal_iterator(options);
        let sequence = match self.inner.snapshot_sequence(options) {
            Ok(sequence) => sequence.unwrap_or(latest_snapshot),
            Err(e) => {
                // An iterator that is never valid, whose status() says why.
                iter.fail(e);
                latest_snapshot
            }
        };
        DBIterator::new(FileHolder::new(&self.inner.0), iter, sequence, seed)
    }

    /// Every entry of the database as of now, in key order, as a std iterator of owned `(key, value)` pairs.
    pub fn iter(&self) -> DBRange {
        self.iter_opt(&ReadOptions::default())
    }

    /// Every entry of the database, read with `options` (as of `options.snapshot`, or now).
    pub fn iter_opt(&self, options: &ReadOptions) -> DBRange {
        self.new_iterator_opt(options).into_iter()
    }

    /// The entries whose keys are in `range` (in the database's order) as of now, as a std iterator of owned
    /// `(key, value)` pairs, both ways. See [`DBRange`] for an example.
    pub fn range<K: AsRef<[u8]>>(&self, range: impl RangeBounds<K>) -> DBRange {
        self.range_opt(range, &ReadOptions::default())
    }

    /// The entries whose keys are in `range`, read with `options`.
    pub fn range_opt<K: AsRef<[u8]>>(
        &self,
        range: impl RangeBounds<K>,
        options: &ReadOptions,
    ) -> DBRange {
        DBRange::new(
            self.new_iterator_opt(options),
            Start::Bound(owned_bound(range.start_bound())),
            owned_bound(range.end_bound()),
            None,
        )
    }

    /// The entries whose keys start with the bytes of `prefix` (goleveldb's `BytesPrefix`) as of now, as a std
    /// iterator of owned `(key, value)` pairs. It assumes that keys sharing a prefix are adjacent, as they are in
    /// the bytewise order.
    pub fn prefix(&self, prefix: impl AsRef<[u8]>) -> DBRange {
        self.prefix_opt(prefix, &ReadOptions::default())
    }

    /// The entries whose keys start with the bytes of `prefix`, read with `options`.
    pub fn prefix_opt(&self, prefix: impl AsRef<[u8]>, options: &ReadOptions) -> DBRange {
        let prefix = prefix.as_ref().to_vec();
        DBRange::new(
            self.new_iterator_opt(options),
            Start::Bound(Bound::Included(prefix.clone())),
            Bound::Unbounded,
            Some(prefix),
        )
    }

    /// A handle to the current state of the database; reads through it see that state. It is released when
    /// dropped.
    ///
    /// LevelDB: DB::GetSnapshot
    pub fn get_snapshot(&self) -> Snapshot {
        let l = self.inner.lock();
        self.inner
            .snapshots
            .new_snapshot(l.versions.last_sequence())
    }

    /// A property of the database (`leveldb.num-files-at-level<N>`, `leveldb.stats`, `leveldb.sstables`,
    /// `leveldb.approximate-memory-usage`); `None` for an unknown property.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("k", "v")?;
    /// db.compact_range(None, None)?;
    /// // The memtable was flushed to a table, which the manual compaction pushed down a level or two.
    /// let files: u32 = (0..7)
    ///     .map(|level| db.get_property(&format!("leveldb.num-files-at-level{level}")).unwrap())
    ///     .map(|n| n.parse::<u32>().unwrap())
    ///     .sum();
    /// assert_eq!(files, 1);
    /// assert_eq!(db.get_property("leveldb.no-such-property"), None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::GetProperty
    pub fn get_property(&self, property: &str) -> Option<String> {
        self.inner.get_property(property)
    }

    /// The approximate file system space used by the keys of each range.
    ///
    /// ```
    /// use oxleveldb::{CompressionType, Options, Range, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = Options {
    ///     create_if_missing: true,
    ///     compression: CompressionType::NoCompression,
    ///     ..Options::default()
    /// };
    /// let db = DB::open(options, dir.path())?;
    /// for i in 0..1000 {
    ///     db.put(format!("key{i:04}"), [b'x'; 1000])?;
    /// }
    /// db.compact_range(None, None)?; // Sizes count tables only, not the memtable.
    /// let sizes = db.get_approximate_sizes(&[Range::new("key0000", "key0500"), Range::new("z", "zz")]);
    /// assert!(sizes[0] > 400_000 && sizes[0] < 600_000, "{sizes:?}");
    /// assert_eq!(sizes[1], 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::GetApproximateSizes
    pub fn get_approximate_sizes(&self, ranges: &[Range]) -> Vec<u64> {
        self.inner.get_approximate_sizes(ranges)
    }

    /// Lets a database whose writes fail after a file system error (a full disk, a failed log write or sync, a
    /// failed flush or compaction) take writes again, without reopening it. Not in LevelDB, where only a reopen
    /// clears such an error.
    ///
    /// Once the cause is gone (space freed, the device back), `resume` waits for running background work, then
    /// moves on to a new MANIFEST and a new log (a failed write may have left a torn record at the end of the old
    /// ones, and a record appended after a torn one would be lost at recovery), flushes the memtables to tables,
    /// clears the error and restarts background work. It returns `Ok(())` when writes are accepted again, at
    /// once if there was no error.
    ///
    /// It fails, and the error stays, if the file system still fails (the error is then the new one). It
    /// refuses to clear an error that is not an I/O error (a corruption, or a bug caught in background work):
    /// only a reopen clears those, since going on could spread the damage.
    ///
    /// Nothing acknowledged is lost either way: writes that returned `Ok` before the error are in the old log
    /// (before any torn record) or in the memtables `resume` flushes. A write that returned an error may or may
    /// not be there after a reopen.
    ///
    /// RocksDB: DB::Resume
    pub fn resume(&self) -> Result<()> {
        self.inner.resume()
    }

    /// Compacts the underlying storage for the key range `[begin, end]`; `None` is before all keys (for begin)
    /// or after all keys (for end).
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// for i in 0..100 {
    ///     db.put(format!("k{i}"), "old")?;
    ///     db.put(format!("k{i}"), "new")?;
    /// }
    /// // Rewrites the tables: the overwritten values are dropped, the data stays.
    /// db.compact_range(Some(b"k"), None)?;
    /// assert_eq!(db.get("k42")?, Some(b"new".to_vec()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::CompactRange
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.inner.compact_range(begin, end)
    }

    /// Compacts the files of `level` that overlap `[begin, end]` into `level + 1`.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_compact_range(&self, level: usize, begin: Option<&[u8]>, end: Option<&[u8]>) {
        self.inner.test_compact_range(level, begin, end)
    }

    /// Forces the current memtable contents to be compacted, and waits for it.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_compact_mem_table(&self) -> Result<()> {
        self.inner.test_compact_mem_table()
    }

    /// Waits until no compaction is scheduled or running: those that reads or writes triggered have finished.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_wait_for_background_work(&self) {
        let mut l = self.inner.lock();
        while l.background_compaction_scheduled {
            l.wait_for_background_work();
        }
    }

    /// With `true`, reads that name no snapshot load the latest sequence number before they pin their super
    /// version: the order the read path's invariant forbids. Only for the test that shows the concurrent history
    /// checker catches a read that misses an acknowledged write.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_set_stale_read_order(&self, stale: bool) {
        self.inner
            .stale_read_order
            .store(stale, AtomicOrdering::Relaxed);
    }

    /// Makes every read sleep for `pause` before it pins its super version (`None`: not at all): the window in
    /// which a read that took its sequence number first could miss a write.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_set_read_pause(&self, pause: Option<std::time::Duration>) {
        self.inner.super_versions.test_set_pause_before_pin(pause);
    }

    /// An iterator over the internal keys of the database.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_new_internal_iterator(&self) -> Box<dyn Iterator> {
        Box::new(self.inner.new_internal_iterator(&ReadOptions::default()).0)
    }

    /// The maximum overlapping data (in bytes) at the next level for any file at a level >= 1.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_max_next_level_overlapping_bytes(&self) -> u64 {
        self.inner
            .lock()
            .versions
            .max_next_level_overlapping_bytes()
    }
}

/// The info log of a database opened read-only without one of the caller's: it writes nothing.
struct NoLogger;

impl crate::env::Logger for NoLogger {
    fn logv(&self, _args: std::fmt::Arguments<'_>) {}
}

impl std::fmt::Debug for DB {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DB")
            .field("path", &self.inner.dbname)
            .finish_non_exhaustive()
    }
}

impl Drop for DB {
    /// LevelDB: DBImpl::~DBImpl
    fn drop(&mut self) {
        self.inner.shutdown();
    }
}

/// Destroys the contents of the database at `path`: every file whose name is a database file, then the lock file
/// and the directory (if it is empty). Fails if the database is open. A missing directory is not an error.
///
/// ```
/// use oxleveldb::{destroy_db, Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("db");
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = DB::open(options.clone(), &path)?;
/// assert!(destroy_db(&path, &options).is_err(), "an open database is locked");
/// drop(db);
/// destroy_db(&path, &options)?;
/// assert!(!path.exists());
/// # Ok(())
/// # }
/// ```
///
/// LevelDB: DestroyDB
pub fn destroy_db(path: impl AsRef<Path>, options: &Options) -> Result<()> {
    let dbname = path.as_ref();
    let env = &*options.env;
    let Ok(filenames) = env.get_children(dbname) else {
        // Ignore error in case the directory does not exist.
        return Ok(());
    };

    let lockname = lock_file_name(dbname);
    let lock = env.lock_file(&lockname)?;
    let mut result = Ok(());
    for filename in &filenames {
        if let Some((_, file_type)) = parse_file_name(filename) {
            if file_type != FileType::DBLockFile {
                // The lock file will be deleted at the end.
                let del = env.remove_file(&dbname.join(filename));
                if result.is_ok() {
                    result = del;
                }
            }
        }
    }
    let _ = env.unlock_file(lock); // Ignore error since state is already gone.
    let _ = env.remove_file(&lockname);
    let _ = env.remove_dir(dbname); // Ignore error in case the dir contains other files.
    result
}
