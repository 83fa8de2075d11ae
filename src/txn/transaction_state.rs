//! The state of a transaction as other threads see it, and the registry of transactions that can expire.
//!
//! A transaction with an expiration may have its locks taken ("stolen") by another transaction once it has
//! expired. The two race: the owner moving from `Started` to `AwaitingCommit`, the thief from `Started` to
//! `LocksStolen`. Both are compare-and-swaps on the same atomic, so exactly one wins: either the commit goes ahead
//! with every lock still its own, or the locks go to the thief and the commit fails with `Expired`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::TransactionID;

/// Where a transaction is in its life.
///
/// RocksDB: Transaction::TransactionState
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TransactionState {
    /// Begun: it may read, lock and write.
    Started = 0,
    /// Its batch is being written.
    AwaitingCommit = 1,
    /// Its batch is in the database.
    Committed = 2,
    /// Rolled back (explicitly, by being dropped, or because its commit's write failed).
    RolledBack = 3,
    /// It expired and another transaction took its locks; it can no longer commit.
    LocksStolen = 4,
}

impl TransactionState {
    fn from_u8(value: u8) -> TransactionState {
        match value {
            0 => TransactionState::Started,
            1 => TransactionState::AwaitingCommit,
            2 => TransactionState::Committed,
            3 => TransactionState::RolledBack,
            _ => TransactionState::LocksStolen,
        }
    }
}

/// A transaction's state, shared with the threads that might steal its locks.
///
/// RocksDB: PessimisticTransaction::txn_state_
#[derive(Debug)]
pub(crate) struct SharedState(AtomicU8);

impl SharedState {
    pub(crate) fn new() -> Arc<SharedState> {
        Arc::new(SharedState(AtomicU8::new(TransactionState::Started as u8)))
    }

    pub(crate) fn get(&self) -> TransactionState {
        TransactionState::from_u8(self.0.load(Ordering::Acquire))
    }

    pub(crate) fn set(&self, state: TransactionState) {
        self.0.store(state as u8, Ordering::Release);
    }

    /// Moves from `from` to `to` if the state is still `from`; true if it did.
    pub(crate) fn compare_exchange(&self, from: TransactionState, to: TransactionState) -> bool {
        self.0
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

/// The live transactions that have an expiration, by id: the ones whose locks may be stolen.
///
/// RocksDB: PessimisticTransactionDB::expirable_transactions_map_
#[derive(Default)]
pub(crate) struct ExpirableTransactions {
    map: Mutex<HashMap<TransactionID, Arc<SharedState>>>,
}

impl ExpirableTransactions {
    fn map(&self) -> MutexGuard<'_, HashMap<TransactionID, Arc<SharedState>>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// RocksDB: PessimisticTransactionDB::InsertExpirableTransaction
    pub(crate) fn insert(&self, id: TransactionID, state: Arc<SharedState>) {
        self.map().insert(id, state);
    }

    /// RocksDB: PessimisticTransactionDB::RemoveExpirableTransaction
    pub(crate) fn remove(&self, id: TransactionID) {
        self.map().remove(&id);
    }

    /// Takes the locks of transaction `id`, whose locks have expired: true if they may be taken (it had not
    /// started to commit, and now never will).
    ///
    /// A holder that is not in the registry never loses its locks. RocksDB lets them go, which can steal the
    /// lock of a transaction without expiration that shares a key with an expired one; here that holder keeps
    /// it. (An expirable transaction gives its locks back before it leaves the registry, so no lock outlives its
    /// entry.)
    ///
    /// RocksDB: PessimisticTransactionDB::TryStealingExpiredTransactionLocks (and
    /// PessimisticTransaction::TryStealingLocks)
    pub(crate) fn try_stealing_expired_transaction_locks(&self, id: TransactionID) -> bool {
        match self.map().get(&id) {
            None => false,
            Some(state) => {
                state.compare_exchange(TransactionState::Started, TransactionState::LocksStolen)
            }
        }
    }
}
