//! The lock table: which transactions hold a lock on which key, split into stripes.
//!
//! Each key hashes to one of `num_stripes` stripes; a stripe is a mutex over a map from key to [`LockInfo`].
//! Transactions locking keys of different stripes never meet on a mutex.
//!
//! Invariants, under the stripe's mutex:
//! - A key is locked when its entry has holders (`txn_ids` not empty): one exclusive holder, or any number of
//!   shared ones.
//! - An entry without holders exists only while transactions wait for the key (`waiters > 0`): it keeps the key's
//!   condition variable alive for them. The last waiter to leave an unheld entry removes it.
//! - `locked_key_cnt` counts the entries with holders, when there is a lock limit (a key shared by many
//!   transactions counts once).
//!
//! Waiters sleep on their key's own condition variable, so releasing a key wakes only the transactions waiting
//! for that key, not the whole stripe.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::key_hasher::KeyMap;
use super::transaction_state::ExpirableTransactions;
use super::TransactionID;
use crate::util::hash::hash;
// loom's under `cfg(loom)`, for the models in `point_lock_manager.rs`.
use crate::util::sync::{AtomicI64, Condvar, Mutex, MutexGuard};

/// Who holds the lock on one key, and who waits for it.
///
/// RocksDB: LockInfo
#[derive(Debug)]
pub(crate) struct LockInfo {
    exclusive: bool,
    txn_ids: Vec<TransactionID>,
    /// When the holders' locks expire (microseconds of [`now_micros`](super::point_lock_manager::now_micros)),
    /// the latest of the holders' expirations; 0: never.
    expiration_time: u64,
    /// How many transactions sleep on `cv`.
    waiters: usize,
    /// The key's condition variable, made when the first waiter arrives.
    cv: Option<Arc<Condvar>>,
}

/// The keys of one stripe.
pub(crate) type StripeKeys = KeyMap<LockInfo>;

/// RocksDB: LockMapStripe
#[derive(Default)]
pub(crate) struct LockMapStripe {
    keys: Mutex<StripeKeys>,
}

impl LockMapStripe {
    /// Locks the stripe. The map is consistent between statements, so a panic under the mutex leaves it usable:
    /// a poisoned mutex is taken as it is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, StripeKeys> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A lock request: the requesting transaction, the mode, and when its lock would expire.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LockRequest {
    pub(crate) txn_id: TransactionID,
    pub(crate) exclusive: bool,
    pub(crate) expiration_time: u64,
}

/// What [`LockMap::acquire_locked`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The lock is the requester's (newly, by upgrade, or by stealing expired locks).
    Granted,
    /// Other transactions hold the key: the requester must wait for `wait_ids`; their locks expire at
    /// `expire_time` (0: never).
    Held {
        wait_ids: Vec<TransactionID>,
        expire_time: u64,
    },
    /// The lock limit is reached.
    LockLimit,
}

/// The stripes and the lock count.
///
/// RocksDB: LockMap
pub(crate) struct LockMap {
    stripes: Box<[LockMapStripe]>,
    /// The most keys locked at once; 0 or less: no limit.
    max_num_locks: i64,
    /// RocksDB: LockMap::locked_key_cnt (kept only when there is a limit)
    locked_key_cnt: AtomicI64,
}

impl LockMap {
    pub(crate) fn new(num_stripes: usize, max_num_locks: i64) -> LockMap {
        LockMap {
            stripes: (0..num_stripes.max(1))
                .map(|_| LockMapStripe::default())
                .collect(),
            max_num_locks,
            locked_key_cnt: AtomicI64::new(0),
        }
    }

    /// The stripe `key` hashes to.
    ///
    /// RocksDB: LockMap::GetStripe
    pub(crate) fn get_stripe(&self, key: &[u8]) -> &LockMapStripe {
        // Multiply-shift maps the 32-bit hash onto 0..n without a division (RocksDB's FastRange).
        let n = self.stripes.len() as u64;
        &self.stripes[((hash(key, 0) as u64 * n) >> 32) as usize]
    }

    /// Grants `request` on `key` if it can be granted now.
    ///
    /// An exclusive lock (or an upgrade from shared) is granted when nobody else holds the key; a shared lock when
    /// nobody holds it exclusively. Locks whose holders have all expired (and could be stolen) count as free.
    ///
    /// RocksDB: PointLockManager::AcquireLocked
    pub(crate) fn acquire_locked(
        &self,
        keys: &mut StripeKeys,
        key: &[u8],
        request: LockRequest,
        expirable: &ExpirableTransactions,
        now: u64,
    ) -> Acquired {
        let id = request.txn_id;
        match keys.get_mut(key) {
            Some(info) if !info.txn_ids.is_empty() => {
                if !info.exclusive && !request.exclusive {
                    // Shared access to a shared lock: granted. (A holder asking again stays listed once.)
                    if !info.txn_ids.contains(&id) {
                        info.txn_ids.push(id);
                    }
                    // The latest expiration of the holders: an expiration never goes down while one is listed.
                    info.expiration_time = info.expiration_time.max(request.expiration_time);
                    return Acquired::Granted;
                }
                if info.txn_ids.len() == 1 && info.txn_ids[0] == id {
                    // The only holder is the requester: take it in the new mode (an upgrade, or a downgrade).
                    info.exclusive = request.exclusive;
                    info.expiration_time = request.expiration_time;
                    return Acquired::Granted;
                }
                let expire_time = match is_lock_expired(id, info, expirable, now) {
                    LockExpiry::Stolen => {
                        info.txn_ids.clear();
                        info.txn_ids.push(id);
                        info.exclusive = request.exclusive;
                        info.expiration_time = request.expiration_time;
                        return Acquired::Granted;
                    }
                    LockExpiry::At(expire_time) => expire_time,
                };
                Acquired::Held {
                    wait_ids: info.txn_ids.iter().copied().filter(|&t| t != id).collect(),
                    expire_time,
                }
            }
            entry => {
                if self.max_num_locks > 0 {
                    if self.locked_key_cnt.load(Ordering::Acquire) >= self.max_num_locks {
                        return Acquired::LockLimit;
                    }
                    self.locked_key_cnt.fetch_add(1, Ordering::AcqRel);
                }
                match entry {
                    // An entry kept for its waiters: this request got there first.
                    Some(info) => {
                        info.txn_ids.push(id);
                        info.exclusive = request.exclusive;
                        info.expiration_time = request.expiration_time;
                    }
                    None => {
                        keys.insert(
                            key.to_vec(),
                            LockInfo {
                                exclusive: request.exclusive,
                                txn_ids: vec![id],
                                expiration_time: request.expiration_time,
                                waiters: 0,
                                cv: None,
                            },
                        );
                    }
                }
                Acquired::Granted
            }
        }
    }

    /// Releases `txn_id`'s lock on `key` (if it still holds one: an expired lock may have been stolen) and wakes
    /// the key's waiters.
    ///
    /// RocksDB: PointLockManager::UnLockKey
    pub(crate) fn unlock_key(&self, keys: &mut StripeKeys, key: &[u8], txn_id: TransactionID) {
        let Some(info) = keys.get_mut(key) else {
            return;
        };
        let Some(at) = info.txn_ids.iter().position(|&t| t == txn_id) else {
            return;
        };
        info.txn_ids.swap_remove(at);
        if let Some(cv) = &info.cv {
            // Shared holders may remain: a waiter for an upgrade may now be the only one.
            cv.notify_all();
        }
        if info.txn_ids.is_empty() {
            if self.max_num_locks > 0 {
                self.locked_key_cnt.fetch_sub(1, Ordering::AcqRel);
            }
            if info.waiters == 0 {
                keys.remove(key);
            }
        }
    }

    /// Sleeps on `key`'s condition variable (the key must be held by others) until woken or until `timeout`
    /// passes (`None`: no limit), and returns the stripe's guard.
    ///
    /// RocksDB: LockMapStripe::WaitOnKeyFor
    pub(crate) fn wait_on_key<'a>(
        &self,
        mut keys: MutexGuard<'a, StripeKeys>,
        key: &[u8],
        timeout: Option<Duration>,
    ) -> MutexGuard<'a, StripeKeys> {
        let Some(info) = keys.get_mut(key) else {
            return keys;
        };
        info.waiters += 1;
        let cv = info.cv.get_or_insert_with(Default::default).clone();
        // A poisoned mutex is taken as it is (see `LockMapStripe::lock`); the waits themselves do not panic, so
        // the count taken above is always given back below.
        keys = match timeout {
            None => cv.wait(keys).unwrap_or_else(|e| e.into_inner()),
            Some(timeout) => {
                cv.wait_timeout(keys, timeout)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
        };
        // The entry is still there: an entry with waiters is never removed.
        if let Some(info) = keys.get_mut(key) {
            info.waiters -= 1;
            if info.waiters == 0 && info.txn_ids.is_empty() {
                keys.remove(key);
            }
        }
        keys
    }
}

/// What [`is_lock_expired`] found.
#[derive(Debug, PartialEq, Eq)]
enum LockExpiry {
    /// Every other holder has expired and its locks were taken from it.
    Stolen,
    /// The holders' locks may expire at this time (the waiter looks again then); 0: not by expiring (they
    /// never expire, or they expired but cannot be stolen), so the waiter sleeps until it is woken or its own
    /// lock timeout ends.
    At(u64),
}

/// Whether every other holder of `info` has expired and their locks could be taken from them. An expired holder
/// whose locks cannot be stolen (it is committing, or not registered as expirable) gives `At(0)`, not its past
/// expiration time: that would make the waiter compute a zero timeout and spin until its own timeout ends.
///
/// RocksDB: PointLockManager::IsLockExpired
fn is_lock_expired(
    txn_id: TransactionID,
    info: &LockInfo,
    expirable: &ExpirableTransactions,
    now: u64,
) -> LockExpiry {
    if info.expiration_time == 0 || info.expiration_time > now {
        return LockExpiry::At(info.expiration_time);
    }
    let stolen = info
        .txn_ids
        .iter()
        .filter(|&&holder| holder != txn_id)
        .all(|&holder| expirable.try_stealing_expired_transaction_locks(holder));
    if stolen {
        LockExpiry::Stolen
    } else {
        LockExpiry::At(0)
    }
}
