//! The transactional database: a LevelDB database, a lock manager and the write-conflict history.
//!
//! The database underneath is unchanged: every change, a transaction's commit or a write made outside any
//! transaction, is one `WriteBatch` through `DB::write` and its writer queue, so the files are LevelDB 1.23's and
//! C++ LevelDB opens them. What the `TransactionDB` adds is the locking around those writes: every write, inside a
//! transaction or not, locks the keys it changes until it has been applied.

use std::ops::RangeBounds;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::options::{TransactionDBOptions, TransactionOptions};
use super::point_lock_manager::PointLockManager;
use super::transaction::Transaction;
use super::write_history::WriteHistory;
use super::TransactionID;
use crate::error::Result;
use crate::{DBIterator, DBRange, Options, ReadOptions, Snapshot, WriteBatch, WriteOptions, DB};

/// A database with pessimistic transactions. Share it between threads with `Arc<TransactionDB>` (or scoped
/// threads); each thread begins its own transactions.
///
/// All writes must go through it (the database is moved in, so they do): writes outside a transaction
/// ([`put`](TransactionDB::put), [`delete`](TransactionDB::delete), [`write`](TransactionDB::write)) lock the keys
/// they write, with `TransactionDBOptions::default_lock_timeout`, as RocksDB's do.
///
/// ```
/// use std::time::Duration;
///
/// use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
/// use oxleveldb::{Options, DB};
///
/// let dir = tempfile::tempdir().unwrap();
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = DB::open(options, dir.path()).unwrap();
/// let txn_db_options =
///     TransactionDBOptions { default_lock_timeout: Some(Duration::ZERO), ..TransactionDBOptions::default() };
/// let db = TransactionDB::from_db(db, txn_db_options);
///
/// let mut txn = db.begin_transaction();
/// txn.get_for_update("k", true).unwrap();
/// // A write outside the transaction waits for the lock: here not at all.
/// let err = db.put("k", "outside").unwrap_err();
/// assert_eq!(err.to_string(), "Operation timed out: Timeout waiting to lock key");
/// txn.commit().unwrap();
/// db.put("k", "outside").unwrap();
/// ```
///
/// RocksDB: TransactionDB (PessimisticTransactionDB, WriteCommittedTxnDB)
pub struct TransactionDB {
    db: DB,
    txn_db_options: TransactionDBOptions,
    lock_manager: PointLockManager,
    write_history: WriteHistory,
    next_txn_id: AtomicU64,
}

impl std::fmt::Debug for TransactionDB {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionDB")
            .field("db", &self.db)
            .field("txn_db_options", &self.txn_db_options)
            .finish_non_exhaustive()
    }
}

impl TransactionDB {
    /// Opens the database at `path` (as [`DB::open`]) for transactions.
    ///
    /// RocksDB: TransactionDB::Open
    pub fn open(
        options: Options,
        txn_db_options: TransactionDBOptions,
        path: impl AsRef<Path>,
    ) -> Result<TransactionDB> {
        Ok(TransactionDB::from_db(
            DB::open(options, path)?,
            txn_db_options,
        ))
    }

    /// Makes an open database transactional. From now on it is written through the `TransactionDB` only.
    ///
    /// RocksDB: TransactionDB::WrapDB
    pub fn from_db(db: DB, txn_db_options: TransactionDBOptions) -> TransactionDB {
        TransactionDB {
            db,
            lock_manager: PointLockManager::new(
                txn_db_options.num_stripes,
                txn_db_options.max_num_locks,
            ),
            txn_db_options,
            write_history: WriteHistory::default(),
            // RocksDB's ids start at 1.
            next_txn_id: AtomicU64::new(1),
        }
    }

    /// The database underneath, for the project's own tests (compactions, internal keys).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_db(&self) -> &DB {
        &self.db
    }

    /// Begins a transaction with the default [`WriteOptions`] and [`TransactionOptions`].
    pub fn begin_transaction(&self) -> Transaction<'_> {
        self.begin_transaction_opt(&WriteOptions::default(), &TransactionOptions::default())
    }

    /// Begins a transaction; its commit writes with `write_options`.
    ///
    /// RocksDB: TransactionDB::BeginTransaction
    pub fn begin_transaction_opt(
        &self,
        write_options: &WriteOptions,
        txn_options: &TransactionOptions,
    ) -> Transaction<'_> {
        Transaction::new(self, write_options, txn_options)
    }

    /// Sets `key` to `value` outside any transaction, with the default [`WriteOptions`]: see
    /// [`put_opt`](TransactionDB::put_opt).
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        self.put_opt(key, value, &WriteOptions::default())
    }

    /// Sets `key` to `value` outside any transaction, after locking `key` (waiting at most
    /// `default_lock_timeout`).
    ///
    /// RocksDB: PessimisticTransactionDB::Put
    pub fn put_opt(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        options: &WriteOptions,
    ) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(key.as_ref(), value.as_ref());
        self.write_opt(&batch, options)
    }

    /// Deletes `key` outside any transaction, with the default [`WriteOptions`].
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<()> {
        self.delete_opt(key, &WriteOptions::default())
    }

    /// Deletes `key` outside any transaction, after locking it.
    ///
    /// RocksDB: PessimisticTransactionDB::Delete
    pub fn delete_opt(&self, key: impl AsRef<[u8]>, options: &WriteOptions) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(key.as_ref());
        self.write_opt(&batch, options)
    }

    /// Applies `updates` atomically outside any transaction, with the default [`WriteOptions`]: see
    /// [`write_opt`](TransactionDB::write_opt).
    pub fn write(&self, updates: &WriteBatch) -> Result<()> {
        self.write_opt(updates, &WriteOptions::default())
    }

    /// Applies `updates` atomically outside any transaction, after locking all their keys exclusively (in key
    /// order). Errors as a transaction's locks: `TimedOut` if a key stays locked by a transaction for
    /// `default_lock_timeout`.
    ///
    /// RocksDB: PessimisticTransactionDB::Write
    pub fn write_opt(&self, updates: &WriteBatch, options: &WriteOptions) -> Result<()> {
        let mut txn = Transaction::new(self, options, &TransactionOptions::default());
        txn.set_lock_timeout(self.txn_db_options.default_lock_timeout);
        txn.commit_batch(updates)
    }

    /// The entries whose keys are in `range` as of now, outside any transaction (no lock taken), as
    /// [`DB::range`].
    pub fn range<K: AsRef<[u8]>>(&self, range: impl RangeBounds<K>) -> DBRange {
        self.db.range(range)
    }

    /// The entries whose keys are in `range`, read with `options`, as [`DB::range_opt`].
    pub fn range_opt<K: AsRef<[u8]>>(
        &self,
        range: impl RangeBounds<K>,
        options: &ReadOptions,
    ) -> DBRange {
        self.db.range_opt(range, options)
    }

    /// The entries whose keys start with `prefix` as of now, outside any transaction, as [`DB::prefix`].
    pub fn prefix(&self, prefix: impl AsRef<[u8]>) -> DBRange {
        self.db.prefix(prefix)
    }

    /// The entries whose keys start with `prefix`, read with `options`, as [`DB::prefix_opt`].
    pub fn prefix_opt(&self, prefix: impl AsRef<[u8]>, options: &ReadOptions) -> DBRange {
        self.db.prefix_opt(prefix, options)
    }

    /// Every entry as of now, outside any transaction, as [`DB::iter`].
    pub fn iter(&self) -> DBRange {
        self.db.iter()
    }

    /// Every entry, read with `options`, as [`DB::iter_opt`].
    pub fn iter_opt(&self, options: &ReadOptions) -> DBRange {
        self.db.iter_opt(options)
    }

    /// Reads `key` as of now outside any transaction (no lock taken), as [`DB::get`].
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.db.get(key)
    }

    /// Reads `key` with `options` outside any transaction, as [`DB::get_opt`].
    pub fn get_opt(&self, key: impl AsRef<[u8]>, options: &ReadOptions) -> Result<Option<Vec<u8>>> {
        self.db.get_opt(key, options)
    }

    /// LevelDB's cursor over the database as of now, as [`DB::new_iterator`].
    pub fn new_iterator(&self) -> DBIterator {
        self.db.new_iterator()
    }

    /// LevelDB's cursor over the database, read with `options`, as [`DB::new_iterator_opt`].
    pub fn new_iterator_opt(&self, options: &ReadOptions) -> DBIterator {
        self.db.new_iterator_opt(options)
    }

    /// A snapshot of the database, as [`DB::get_snapshot`].
    pub fn get_snapshot(&self) -> Snapshot {
        self.db.get_snapshot()
    }

    /// A property of the database, as [`DB::get_property`].
    pub fn get_property(&self, property: &str) -> Option<String> {
        self.db.get_property(property)
    }

    /// Compacts the key range `[begin, end]`, as [`DB::compact_range`].
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.db.compact_range(begin, end)
    }

    /// RocksDB: PessimisticTransactionDB::GetTxnDBOptions
    pub fn get_txn_db_options(&self) -> &TransactionDBOptions {
        &self.txn_db_options
    }

    /// RocksDB: PessimisticTransaction::GenTxnID
    pub(super) fn gen_txn_id(&self) -> TransactionID {
        self.next_txn_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn db(&self) -> &DB {
        &self.db
    }

    pub(super) fn lock_manager(&self) -> &PointLockManager {
        &self.lock_manager
    }

    pub(super) fn write_history(&self) -> &WriteHistory {
        &self.write_history
    }
}
