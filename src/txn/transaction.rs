//! A pessimistic transaction: it locks each key before it reads it for update or writes it, buffers its writes,
//! and commits them as one `WriteBatch`.
//!
//! Invariants:
//! - `tracked_locks` holds exactly the keys this transaction has locked (and not released), with the mode and the
//!   sequence number after which the key is known unchanged (see [`TrackedKeyInfo`]).
//! - Every save point lists the keys first locked after it, so rolling back to it releases exactly those.
//! - Whatever ends the transaction — commit, rollback, drop, or a panic unwinding through its owner — releases
//!   every lock it holds ([`Transaction::clear`], called by `Drop`).

use std::collections::BTreeSet;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;
use std::time::Duration;

use super::key_hasher::KeyMap;
use super::options::TransactionOptions;
use super::point_lock_manager::{now_micros, LockOwner};
use super::transaction_db::TransactionDB;
use super::transaction_range::TransactionRange;
use super::transaction_state::{SharedState, TransactionState};
use super::write_batch_with_index::{BatchSavePoint, WriteBatchWithIndex};
use super::write_history::TransactionSnapshot;
use super::TransactionID;
use crate::db::db_range::owned_bound;
use crate::db::dbformat::SequenceNumber;
use crate::db::write_batch::Handler;
use crate::error::{Error, Result};
use crate::{ReadOptions, Snapshot, WriteBatch, WriteOptions};

/// What a transaction knows of a key it has locked.
///
/// RocksDB: TrackedKeyInfo (PointLockStatus)
#[derive(Clone, Copy, Debug)]
struct TrackedKeyInfo {
    /// The key has not been written after this sequence number: the snapshot it was validated against. 0 when it
    /// was locked while the transaction had no snapshot: every snapshot the transaction takes later is newer than
    /// the lock, and nobody can write the key while it is locked, so no later snapshot needs to validate it.
    seq: SequenceNumber,
    exclusive: bool,
}

/// RocksDB: TransactionBaseImpl::SavePoint
struct SavePoint<'db> {
    batch: BatchSavePoint,
    snapshot: Option<TransactionSnapshot<'db>>,
    /// The keys first locked after this save point.
    new_locks: Vec<Vec<u8>>,
}

/// A transaction of a [`TransactionDB`], begun by [`TransactionDB::begin_transaction`].
///
/// Its writes stay in the transaction (where its own reads see them) until [`commit`](Transaction::commit)
/// writes them as one batch; [`rollback`](Transaction::rollback), or dropping the transaction, discards them.
/// Either way its locks are released.
///
/// ```
/// use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
/// use oxleveldb::Options;
///
/// let dir = tempfile::tempdir().unwrap();
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = TransactionDB::open(options, TransactionDBOptions::default(), dir.path()).unwrap();
///
/// let mut txn = db.begin_transaction();
/// txn.put("a", "1").unwrap();
/// txn.set_save_point();
/// txn.put("a", "2").unwrap();
/// txn.put("b", "2").unwrap();
/// // The transaction reads its own writes; nobody else sees them yet.
/// assert_eq!(txn.get("a").unwrap().as_deref(), Some(&b"2"[..]));
/// assert_eq!(db.get("a").unwrap(), None);
/// // Undo the writes since the save point (and release "b", locked since).
/// txn.rollback_to_save_point().unwrap();
/// txn.commit().unwrap();
/// assert_eq!(db.get("a").unwrap().as_deref(), Some(&b"1"[..]));
/// assert_eq!(db.get("b").unwrap(), None);
/// ```
///
/// RocksDB: Transaction (PessimisticTransaction, WriteCommittedTxn)
pub struct Transaction<'db> {
    txn_db: &'db TransactionDB,
    write_options: WriteOptions,
    owner: LockOwner,
    state: Arc<SharedState>,
    write_batch: WriteBatchWithIndex,
    tracked_locks: KeyMap<TrackedKeyInfo>,
    snapshot: Option<TransactionSnapshot<'db>>,
    save_points: Vec<SavePoint<'db>>,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("id", &self.owner.id)
            .field("state", &self.state.get())
            .field(
                "snapshot",
                &self.snapshot.as_ref().map(|s| s.sequence_number()),
            )
            .finish_non_exhaustive()
    }
}

/// A lock timeout as the lock table counts it: microseconds, negative for forever.
fn lock_table_timeout(timeout: Option<Duration>) -> i64 {
    timeout.map_or(-1, |t| i64::try_from(t.as_micros()).unwrap_or(i64::MAX))
}

impl<'db> Transaction<'db> {
    /// RocksDB: PessimisticTransaction::PessimisticTransaction and PessimisticTransaction::Initialize
    pub(super) fn new(
        txn_db: &'db TransactionDB,
        write_options: &WriteOptions,
        txn_options: &TransactionOptions,
    ) -> Transaction<'db> {
        let lock_timeout = txn_options
            .lock_timeout
            .or(txn_db.get_txn_db_options().transaction_lock_timeout);
        // 0 is "never" in the lock table, so an expiration always lies after it.
        let expiration_time = txn_options.expiration.map_or(0, |expiration| {
            now_micros()
                .saturating_add(u64::try_from(expiration.as_micros()).unwrap_or(u64::MAX))
                .max(1)
        });
        let mut txn = Transaction {
            txn_db,
            write_options: *write_options,
            owner: LockOwner {
                id: txn_db.gen_txn_id(),
                expiration_time,
                lock_timeout: lock_table_timeout(lock_timeout),
                deadlock_detect: txn_options.deadlock_detect,
                deadlock_detect_depth: txn_options.deadlock_detect_depth,
            },
            state: SharedState::new(),
            write_batch: WriteBatchWithIndex::default(),
            tracked_locks: KeyMap::default(),
            snapshot: None,
            save_points: Vec::new(),
        };
        if txn_options.set_snapshot {
            txn.set_snapshot();
        }
        if expiration_time > 0 {
            txn_db
                .lock_manager()
                .expirable()
                .insert(txn.owner.id, txn.state.clone());
        }
        txn
    }

    /// This transaction's id, unique in its `TransactionDB`.
    ///
    /// RocksDB: Transaction::GetID
    pub fn get_id(&self) -> TransactionID {
        self.owner.id
    }

    /// Where the transaction is in its life.
    ///
    /// RocksDB: Transaction::GetState
    pub fn get_state(&self) -> TransactionState {
        self.state.get()
    }

    /// Changes how long this transaction waits for a lock: `None` forever, `Some(Duration::ZERO)` not at all.
    ///
    /// RocksDB: Transaction::SetLockTimeout (milliseconds there, negative for forever)
    pub fn set_lock_timeout(&mut self, timeout: Option<Duration>) {
        self.owner.lock_timeout = lock_table_timeout(timeout);
    }

    /// Reads `key` with `options` as this transaction sees it: its own write of the key if it made one, otherwise the database
    /// (as of `options.snapshot`, or now). It takes no lock.
    ///
    /// RocksDB: Transaction::Get
    pub fn get_opt(&self, key: impl AsRef<[u8]>, options: &ReadOptions) -> Result<Option<Vec<u8>>> {
        let key = key.as_ref();
        match self.write_batch.get_from_batch(key) {
            Some(update) => Ok(update.map(<[u8]>::to_vec)),
            None => self.txn_db.db().get_opt(key, options),
        }
    }

    /// Reads `key` as this transaction sees it, the database read as of now (or as of the transaction's snapshot
    /// only when passed in [`get_opt`](Transaction::get_opt)'s options). It takes no lock.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.get_opt(key, &ReadOptions::default())
    }

    /// The entries whose keys are in `range`, as this transaction sees them: its own puts and deletes applied over
    /// the database's entries (as of `options.snapshot`, or now), in the database's order, both ways. It takes no
    /// lock (RocksDB's `GetIterator` takes none either): lock what you will write with
    /// [`get_for_update`](Transaction::get_for_update).
    ///
    /// ```
    /// use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
    /// use oxleveldb::Options;
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = Options { create_if_missing: true, ..Options::default() };
    /// let db = TransactionDB::open(options, TransactionDBOptions::default(), dir.path())?;
    /// db.put("bob/1", "x")?;
    /// db.put("bob/2", "y")?;
    /// // Move bob's bookmarks to carol's, in one transaction.
    /// let mut txn = db.begin_transaction();
    /// let bobs: Vec<_> = txn.prefix("bob/").collect::<Result<_, _>>()?;
    /// for (key, value) in bobs {
    ///     txn.get_for_update(&key, true)?;
    ///     txn.delete(&key)?;
    ///     txn.put([&b"carol/"[..], &key[4..]].concat(), value)?;
    /// }
    /// // The transaction sees its own moves; the database does not, until the commit.
    /// assert_eq!(txn.prefix("bob/").count(), 0);
    /// assert_eq!(db.prefix("bob/").count(), 2);
    /// let carols: Vec<_> = txn.prefix("carol/").rev().map(|e| e.unwrap().0).collect();
    /// assert_eq!(carols, [b"carol/2".to_vec(), b"carol/1".to_vec()]);
    /// txn.commit()?;
    /// assert_eq!(db.prefix("carol/").count(), 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// RocksDB: Transaction::GetIterator
    pub fn range<K: AsRef<[u8]>>(&self, range: impl RangeBounds<K>) -> TransactionRange {
        self.range_opt(range, &ReadOptions::default())
    }

    /// The entries whose keys are in `range`, as this transaction sees them, the database read with `options`
    /// (see [`range`](Transaction::range)).
    pub fn range_opt<K: AsRef<[u8]>>(
        &self,
        range: impl RangeBounds<K>,
        options: &ReadOptions,
    ) -> TransactionRange {
        let (start, end) = (
            owned_bound(range.start_bound()),
            owned_bound(range.end_bound()),
        );
        let base = self.txn_db.range_opt((start.clone(), end.clone()), options);
        TransactionRange::new(base, self.write_batch.updates(), (&start, &end), None)
    }

    /// The entries whose keys start with `prefix`, as this transaction sees them (see [`range`](Transaction::range)).
    pub fn prefix(&self, prefix: impl AsRef<[u8]>) -> TransactionRange {
        self.prefix_opt(prefix, &ReadOptions::default())
    }

    /// The entries whose keys start with `prefix`, as this transaction sees them, the database read with
    /// `options`.
    pub fn prefix_opt(&self, prefix: impl AsRef<[u8]>, options: &ReadOptions) -> TransactionRange {
        let prefix = prefix.as_ref();
        let base = self.txn_db.prefix_opt(prefix, options);
        let start = Bound::Included(prefix.to_vec());
        TransactionRange::new(
            base,
            self.write_batch.updates(),
            (&start, &Bound::Unbounded),
            Some(prefix),
        )
    }

    /// Every entry, as this transaction sees it (see [`range`](Transaction::range)).
    pub fn iter(&self) -> TransactionRange {
        self.iter_opt(&ReadOptions::default())
    }

    /// Every entry, as this transaction sees it, the database read with `options`.
    pub fn iter_opt(&self, options: &ReadOptions) -> TransactionRange {
        TransactionRange::new(
            self.txn_db.iter_opt(options),
            self.write_batch.updates(),
            (&Bound::Unbounded, &Bound::Unbounded),
            None,
        )
    }

    /// Locks `key` (shared, or exclusive to write it later) and reads it as [`get`](Transaction::get) does. The
    /// lock is held until the transaction ends, so the value read stays the latest until then: the read of a
    /// read-modify-write.
    ///
    /// Errors: `TimedOut` when the lock was not granted within the lock timeout, `Busy` (`is_deadlock()`) when
    /// waiting would have deadlocked, `Busy` when the transaction has a snapshot and the key was written after
    /// it (the read would not be repeatable), `Aborted` at the lock limit.
    ///
    /// RocksDB: Transaction::GetForUpdate
    pub fn get_for_update(
        &mut self,
        key: impl AsRef<[u8]>,
        exclusive: bool,
    ) -> Result<Option<Vec<u8>>> {
        self.get_for_update_opt(key, exclusive, &ReadOptions::default())
    }

    /// Locks `key` as [`get_for_update`](Transaction::get_for_update) does and reads it with `options`, as
    /// [`get_opt`](Transaction::get_opt) does.
    pub fn get_for_update_opt(
        &mut self,
        key: impl AsRef<[u8]>,
        exclusive: bool,
        options: &ReadOptions,
    ) -> Result<Option<Vec<u8>>> {
        let key = key.as_ref();
        self.try_lock(key, exclusive)?;
        self.get_opt(key, options)
    }

    /// Locks `key` exclusively and buffers `key → value`, to be written at commit. Errors as
    /// [`get_for_update`](Transaction::get_for_update).
    ///
    /// RocksDB: Transaction::Put
    pub fn put(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        let key = key.as_ref();
        self.try_lock(key, true)?;
        self.write_batch.put(key, value.as_ref());
        Ok(())
    }

    /// Locks `key` exclusively and buffers its deletion, to be written at commit. Errors as
    /// [`get_for_update`](Transaction::get_for_update).
    ///
    /// RocksDB: Transaction::Delete
    pub fn delete(&mut self, key: impl AsRef<[u8]>) -> Result<()> {
        let key = key.as_ref();
        self.try_lock(key, true)?;
        self.write_batch.delete(key);
        Ok(())
    }

    /// Takes a snapshot of the database now. From here on, locking a key written after it fails with `Busy`
    /// (RocksDB's write-conflict check), and reads through [`get_snapshot`](Transaction::get_snapshot) see the
    /// database as of it.
    ///
    /// ```
    /// use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
    /// use oxleveldb::Options;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = Options { create_if_missing: true, ..Options::default() };
    /// let db = TransactionDB::open(options, TransactionDBOptions::default(), dir.path()).unwrap();
    /// let mut txn = db.begin_transaction();
    /// txn.set_snapshot();
    /// // Written after the snapshot (the same value or not): the transaction may not lock it.
    /// db.put("k", "v").unwrap();
    /// let err = txn.put("k", "mine").unwrap_err();
    /// assert!(err.is_busy());
    /// assert_eq!(err.to_string(), "Resource busy: ");
    /// ```
    ///
    /// RocksDB: Transaction::SetSnapshot
    pub fn set_snapshot(&mut self) {
        self.snapshot = Some(self.txn_db.write_history().take_snapshot(self.txn_db.db()));
    }

    /// The snapshot set by [`set_snapshot`](Transaction::set_snapshot) (or `TransactionOptions::set_snapshot`),
    /// to read with (`ReadOptions { snapshot: txn.get_snapshot(), .. }`).
    ///
    /// RocksDB: Transaction::GetSnapshot
    pub fn get_snapshot(&self) -> Option<Snapshot> {
        self.snapshot.as_ref().map(|s| s.snapshot().clone())
    }

    /// Marks the current state (writes, snapshot, locks), to come back to with
    /// [`rollback_to_save_point`](Transaction::rollback_to_save_point). Save points nest.
    ///
    /// RocksDB: Transaction::SetSavePoint
    pub fn set_save_point(&mut self) {
        self.save_points.push(SavePoint {
            batch: self.write_batch.set_save_point(),
            snapshot: self.snapshot.clone(),
            new_locks: Vec::new(),
        });
    }

    /// Undoes everything since the latest save point, and removes it: the writes are dropped, the snapshot is
    /// the one the save point saw, and the keys first locked since are unlocked. `NotFound` if there is no save
    /// point.
    ///
    /// RocksDB: Transaction::RollbackToSavePoint
    pub fn rollback_to_save_point(&mut self) -> Result<()> {
        if self.state.get() != TransactionState::Started {
            return Err(Error::invalid_argument(
                "Transaction is beyond state for rollback.",
                "",
            ));
        }
        let Some(save_point) = self.save_points.pop() else {
            return Err(Error::not_found("", ""));
        };
        let lock_manager = self.txn_db.lock_manager();
        for key in &save_point.new_locks {
            if self.tracked_locks.remove(key).is_some() {
                lock_manager.unlock(self.owner.id, key);
            }
        }
        self.snapshot = save_point.snapshot;
        self.write_batch.rollback_to_save_point(save_point.batch)
    }

    /// Removes the latest save point without undoing anything. `NotFound` if there is none.
    ///
    /// RocksDB: Transaction::PopSavePoint
    pub fn pop_save_point(&mut self) -> Result<()> {
        let Some(save_point) = self.save_points.pop() else {
            return Err(Error::not_found("", ""));
        };
        // The keys locked since belong to the save point below, if any.
        if let Some(below) = self.save_points.last_mut() {
            below.new_locks.extend(save_point.new_locks);
        }
        Ok(())
    }

    /// Writes the transaction's changes as one `WriteBatch` through the database's writer queue (synced if the
    /// transaction's `WriteOptions` say so), then releases its locks. A commit is atomic: after a crash the batch
    /// is there whole or not at all. A failed write rolls the transaction back.
    ///
    /// Errors: `Expired` if the transaction outlived its expiration; `InvalidArgument` if it has already ended.
    ///
    /// RocksDB: PessimisticTransaction::Commit
    pub fn commit(&mut self) -> Result<()> {
        self.check_started()?;
        if self.is_expired() {
            return Err(Error::expired("", ""));
        }
        if self.owner.expiration_time > 0 {
            // Its locks may be stolen from here on: the compare-and-swap decides between the commit and a thief.
            if !self
                .state
                .compare_exchange(TransactionState::Started, TransactionState::AwaitingCommit)
            {
                return Err(Error::expired("", ""));
            }
        } else {
            self.state.set(TransactionState::AwaitingCommit);
        }
        let result = self.commit_without_prepare_internal();
        self.clear();
        self.state.set(if result.is_ok() {
            TransactionState::Committed
        } else {
            TransactionState::RolledBack
        });
        result
    }

    /// Writes the batch and remembers its keys for the write-conflict check, with the locks still held.
    ///
    /// RocksDB: WriteCommittedTxn::CommitWithoutPrepareInternal
    fn commit_without_prepare_internal(&self) -> Result<()> {
        if self.write_batch.is_empty() {
            return Ok(());
        }
        let db = self.txn_db.db();
        db.write_opt(self.write_batch.write_batch(), &self.write_options)?;
        self.txn_db
            .write_history()
            .record_writes(db, self.write_batch.keys());
        Ok(())
    }

    /// Discards the transaction's changes and releases its locks.
    ///
    /// RocksDB: PessimisticTransaction::Rollback
    pub fn rollback(&mut self) -> Result<()> {
        if self.state.get() == TransactionState::Committed {
            return Err(Error::invalid_argument(
                "This transaction has already been committed.",
                "",
            ));
        }
        self.clear();
        self.state.set(TransactionState::RolledBack);
        Ok(())
    }

    /// Locks all the keys of `batch` exclusively (in key order, so that two such batches never deadlock), writes
    /// it, and releases the locks: a write made outside any transaction.
    ///
    /// RocksDB: PessimisticTransaction::CommitBatch
    pub(super) fn commit_batch(&mut self, batch: &WriteBatch) -> Result<()> {
        let mut keys = KeyCollector::default();
        batch.iterate(&mut keys)?;
        for key in &keys.0 {
            self.try_lock(key, true)?;
        }
        let db = self.txn_db.db();
        db.write_opt(batch, &self.write_options)?;
        self.txn_db
            .write_history()
            .record_writes(db, keys.0.iter().map(Vec::as_slice));
        self.clear();
        self.state.set(TransactionState::Committed);
        Ok(())
    }

    /// `Ok` while the transaction may still lock, write and commit.
    fn check_started(&self) -> Result<()> {
        match self.state.get() {
            TransactionState::Started => Ok(()),
            TransactionState::Committed => Err(Error::invalid_argument(
                "Transaction has already been committed.",
                "",
            )),
            TransactionState::RolledBack => Err(Error::invalid_argument(
                "Transaction has already been rolledback.",
                "",
            )),
            TransactionState::LocksStolen => Err(Error::expired("", "")),
            TransactionState::AwaitingCommit => Err(Error::invalid_argument(
                "Transaction is not in state for commit.",
                "",
            )),
        }
    }

    /// RocksDB: PessimisticTransaction::IsExpired
    fn is_expired(&self) -> bool {
        self.owner.expiration_time > 0 && now_micros() >= self.owner.expiration_time
    }

    /// Locks `key` unless this transaction holds it already (in the mode asked for, or exclusive), then runs the
    /// write-conflict check against the transaction's snapshot, if it has one. A refused check gives back what
    /// it took: a new lock is released, an upgrade goes back to shared.
    ///
    /// RocksDB: PessimisticTransaction::TryLock and PessimisticTransaction::ValidateSnapshot
    fn try_lock(&mut self, key: &[u8], exclusive: bool) -> Result<()> {
        self.check_started()?;
        let lock_manager = self.txn_db.lock_manager();
        let tracked = self.tracked_locks.get(key).copied();
        let previously_locked = tracked.is_some();
        let lock_upgrade = tracked.is_some_and(|t| exclusive && !t.exclusive);
        if !previously_locked || lock_upgrade {
            lock_manager.try_lock(&self.owner, key, exclusive)?;
        }

        let mut tracked_at_seq = tracked.map_or(SequenceNumber::MAX, |t| t.seq);
        match &self.snapshot {
            Some(snapshot) => {
                let snap_seq = snapshot.sequence_number();
                // A key validated at (or locked before) an older snapshot cannot have changed since.
                if tracked_at_seq > snap_seq {
                    if self.txn_db.write_history().written_after(key, snap_seq) {
                        if lock_upgrade {
                            // Back to shared: the only holder's downgrade is granted at once.
                            let _ = lock_manager.try_lock(&self.owner, key, false);
                        } else if !previously_locked {
                            lock_manager.unlock(self.owner.id, key);
                        }
                        return Err(Error::busy("", ""));
                    }
                    tracked_at_seq = snap_seq;
                }
            }
            // No snapshot to validate against: see `TrackedKeyInfo::seq`.
            None => tracked_at_seq = 0,
        }

        match self.tracked_locks.get_mut(key) {
            Some(info) => {
                info.seq = tracked_at_seq;
                info.exclusive |= exclusive;
            }
            None => {
                self.tracked_locks.insert(
                    key.to_vec(),
                    TrackedKeyInfo {
                        seq: tracked_at_seq,
                        exclusive,
                    },
                );
                if let Some(save_point) = self.save_points.last_mut() {
                    save_point.new_locks.push(key.to_vec());
                }
            }
        }
        Ok(())
    }

    /// Releases every lock and drops the writes, the snapshot and the save points.
    ///
    /// RocksDB: PessimisticTransaction::Clear
    fn clear(&mut self) {
        let lock_manager = self.txn_db.lock_manager();
        for key in self.tracked_locks.keys() {
            lock_manager.unlock(self.owner.id, key);
        }
        self.tracked_locks.clear();
        self.write_batch.clear();
        self.snapshot = None;
        self.save_points.clear();
    }
}

impl Drop for Transaction<'_> {
    /// Rolls back a transaction that did not commit: its writes are dropped and its locks released (also when a
    /// panic unwinds through its owner).
    ///
    /// RocksDB: PessimisticTransaction::~PessimisticTransaction
    fn drop(&mut self) {
        self.clear();
        if self.owner.expiration_time > 0 {
            self.txn_db.lock_manager().expirable().remove(self.owner.id);
        }
    }
}

/// The keys of a batch, sorted, each once.
#[derive(Default)]
struct KeyCollector(BTreeSet<Vec<u8>>);

impl Handler for KeyCollector {
    fn put(&mut self, key: &[u8], _value: &[u8]) {
        self.0.insert(key.to_vec());
    }

    fn delete(&mut self, key: &[u8]) {
        self.0.insert(key.to_vec());
    }
}
