//! oxleveldb: LevelDB 1.23, written again in Rust.
//!
//! A persistent, ordered map from byte strings to byte strings, kept in a directory: a log-structured merge tree
//! with LevelDB's files, byte for byte. A database written by LevelDB 1.23 opens here, and one written here opens
//! in LevelDB.
//!
//! # The life of a database
//!
//! ```
//! use oxleveldb::{Options, ReadOptions, WriteBatch, WriteOptions, DB};
//!
//! # fn main() -> oxleveldb::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let options = Options { create_if_missing: true, ..Options::default() };
//! let db = DB::open(options.clone(), dir.path())?;
//!
//! // Single writes; keys and values are anything that is `AsRef<[u8]>`.
//! db.put("apple", "red")?;
//! db.put(b"banana", b"yellow")?;
//! db.delete("apple")?;
//! assert_eq!(db.get("banana")?, Some(b"yellow".to_vec()));
//! assert_eq!(db.get("apple")?, None);
//!
//! // Every call has an `_opt` twin that takes LevelDB's options: here, a write synced to disk.
//! db.put_opt("elderberry", "purple", &WriteOptions { sync: true })?;
//!
//! // A batch is applied atomically: readers see all of it or none of it.
//! let mut batch = WriteBatch::new();
//! batch.put("cherry", "dark red");
//! batch.put("date", "brown");
//! batch.delete("banana");
//! db.write(&batch)?;
//!
//! // A snapshot keeps seeing the database as it was.
//! let snapshot = db.get_snapshot();
//! db.put("cherry", "black")?;
//! let then = ReadOptions { snapshot: Some(snapshot), ..ReadOptions::default() };
//! assert_eq!(db.get_opt("cherry", &then)?, Some(b"dark red".to_vec()));
//!
//! // Iterate a range of keys, in order, with std's iterators.
//! let keys: Vec<Vec<u8>> = db
//!     .range("b".."d")
//!     .map(|entry| entry.map(|(key, _value)| key))
//!     .collect::<oxleveldb::Result<_>>()?;
//! assert_eq!(keys, [b"cherry".to_vec()]);
//!
//! // Close (drop) and reopen: everything written is there.
//! drop(db);
//! let db = DB::open(options, dir.path())?;
//! assert_eq!(db.get("date")?, Some(b"brown".to_vec()));
//! # Ok(())
//! # }
//! ```
//!
//! # What the crate guarantees
//!
//! - **File compatibility with LevelDB 1.23.** The logs, tables, MANIFEST and CURRENT are the bytes LevelDB writes
//!   for the same operations (the project's differential tests run both engines and compare the files), with the
//!   same defaults, the same snappy compression and the same error messages.
//! - **Durability as `WriteOptions::sync` says.** A write with `sync: true` returns once the log is on disk
//!   (`fdatasync`): it survives a crash of the machine. Without it, a write survives a crash of the process (the
//!   log is in the operating system's buffers) but may be lost if the machine goes down. A batch is atomic either
//!   way. Where LevelDB would lose acknowledged data on an error path, oxleveldb stops writing instead (the README
//!   lists each case).
//! - **Thread safety.** [`DB`] is `Send + Sync`: share it with `Arc<DB>`. Writes from many threads meet in one
//!   queue and are committed in groups; reads do not wait for writes. One process at a time may open a database
//!   for writing (a LOCK file); [`DB::open_read_only`] opens it without the lock, for any number of readers.
//!
//! # How it works
//!
//! **The write path.** [`DB::put`] makes a one-entry [`WriteBatch`]. The writer joins a queue; the writer at the
//! front (the leader) folds the batches queued behind it into one group, appends the group to the log as one
//! record, syncs when asked, and inserts it into the memtable, a skiplist in an arena. When the memtable is full
//! it becomes immutable and a background thread writes it to a level-0 table.
//!
//! **The read path.** [`DB::get`] looks in the memtable, then the immutable memtable, then the tables: every
//! level-0 table that may hold the key (newest first), then at most one table per deeper level. A bloom filter
//! ([`BloomFilterPolicy`]) skips most tables that do not hold the key, and a block [`Cache`] keeps recently read
//! blocks. Background compactions merge tables into the next level, dropping what no snapshot can see.
//!
//! Each module names the LevelDB file it corresponds to, and each main item its LevelDB counterpart
//! (`LevelDB: DBImpl::Write`), so the code reads side by side with LevelDB's. The layers a learner can drive on
//! their own are public: [`log`] (the log format), [`table`] (sorted tables) and [`dump`] (leveldbutil's dump).

#![deny(missing_docs)]

/// Declares modules of the engine's internals: `pub(crate)`, or, with the feature `internals`, public but hidden
/// from the docs (the project's own tests, bench and tools take the engine apart through them; not a stable
/// API).
macro_rules! internal_mod {
    ($($(#[$attr:meta])* $name:ident;)*) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        $(#[$attr])*
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        $(#[$attr])*
        pub(crate) mod $name;
    )*};
}

internal_mod! {
    db;
    error;
    options;
    util;
}
pub mod env;
pub mod table;
pub mod txn;

pub use db::db_impl::{destroy_db, Range, DB};
pub use db::db_iter::DBIterator;
pub use db::db_range::DBRange;
/// The event listener (`Options::event_listener`) and its events: each step of a write, the files a point read
/// probed, flushes, compactions and MANIFEST writes, with their durations.
pub mod events {
    pub use crate::db::event_listener::*;
}
pub use db::log;
pub use db::repair::repair_db;
pub use db::snapshot::Snapshot;
pub use db::write_batch::{Handler as WriteBatchHandler, WriteBatch};
pub use env::{Env, Logger, MemEnv, PosixEnv};
pub use error::{Code, Error, Result, SubCode};
pub use options::{BlockCache, CompressionType, Options, ReadOptions, WriteOptions};
pub use util::bloom::BloomFilterPolicy;
pub use util::cache::Cache;
pub use util::comparator::{bytewise_comparator, BytewiseComparator, Comparator};
pub use util::filter_policy::FilterPolicy;

/// leveldbutil's `dump`: a log, a MANIFEST or a table printed as LevelDB's own tool prints it.
///
/// ```
/// use oxleveldb::{Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
/// db.put("k", "v")?;
/// drop(db);
///
/// let mut out = Vec::new();
/// let env = oxleveldb::env::default_env();
/// oxleveldb::dump::dump_file(&*env, &dir.path().join("000003.log"), &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "--- offset 0; sequence 1\n  put 'k' 'v'\n");
/// # Ok(())
/// # }
/// ```
pub mod dump {
    pub use crate::db::dumpfile::dump_file;
}
