//! The options of a [`TransactionDB`](super::TransactionDB) and of each [`Transaction`](super::Transaction), with
//! RocksDB's names and defaults.
//!
//! Times are `Option<Duration>`: `None` waits forever (a lock timeout) or never expires (an expiration),
//! `Some(Duration::ZERO)` tries once without waiting. RocksDB counts them in milliseconds with negatives for
//! "forever": its `-1` is `None` here, its `1000` is `Some(Duration::from_secs(1))`.

use std::time::Duration;

/// Options of the lock manager and of writes made through the `TransactionDB` outside any transaction.
///
/// RocksDB: TransactionDBOptions
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionDBOptions {
    /// The most keys that may be locked at once (each key counts once, however many transactions share its
    /// lock); 0 or less means no limit. Past it, a lock is refused with `Aborted` (`is_lock_limit()`).
    pub max_num_locks: i64,
    /// The lock table is split into this many stripes, each with its own mutex, so that transactions locking
    /// different keys rarely meet on one mutex. Raise it for many concurrent transactions (0 counts as 1).
    pub num_stripes: usize,
    /// The lock timeout of transactions whose `TransactionOptions::lock_timeout` is `None`; `None` here waits
    /// forever (RocksDB: a negative `transaction_lock_timeout`).
    pub transaction_lock_timeout: Option<Duration>,
    /// The lock timeout of writes made outside a transaction (`TransactionDB::put`, `delete`, `write`); `None`
    /// waits forever. They lock the keys they write, so that they never change a key a transaction holds.
    pub default_lock_timeout: Option<Duration>,
}

impl Default for TransactionDBOptions {
    /// RocksDB's defaults: no lock limit, 16 stripes, one second for both timeouts.
    fn default() -> TransactionDBOptions {
        TransactionDBOptions {
            max_num_locks: -1,
            num_stripes: 16,
            transaction_lock_timeout: Some(Duration::from_secs(1)),
            default_lock_timeout: Some(Duration::from_secs(1)),
        }
    }
}

/// Options of one transaction.
///
/// ```
/// use std::time::Duration;
///
/// use oxleveldb::txn::{TransactionDB, TransactionDBOptions, TransactionOptions};
/// use oxleveldb::{Options, WriteOptions};
///
/// let dir = tempfile::tempdir().unwrap();
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = TransactionDB::open(options, TransactionDBOptions::default(), dir.path()).unwrap();
/// let detect = TransactionOptions {
///     deadlock_detect: true,
///     lock_timeout: Some(Duration::ZERO),
///     ..TransactionOptions::default()
/// };
/// let mut t1 = db.begin_transaction_opt(&WriteOptions::default(), &detect);
/// let mut t2 = db.begin_transaction_opt(&WriteOptions::default(), &detect);
/// t1.put("a", "1").unwrap();
/// t2.put("b", "2").unwrap();
/// // With lock_timeout 0 nobody waits, so there is no deadlock: just a refused lock.
/// assert!(t1.put("b", "1").unwrap_err().is_timed_out());
/// ```
///
/// RocksDB: TransactionOptions
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionOptions {
    /// Take a snapshot when the transaction begins (as `Transaction::set_snapshot` does): every key the
    /// transaction then locks must not have been written since, or the lock is refused with `Busy`.
    pub set_snapshot: bool,
    /// Detect deadlocks when this transaction waits for a lock, instead of waiting for the timeout.
    pub deadlock_detect: bool,
    /// How many transactions deep the deadlock search follows the wait-for graph; a longer chain of waiters is
    /// taken for a deadlock.
    pub deadlock_detect_depth: i64,
    /// How long to wait for a lock: `None` uses `TransactionDBOptions::transaction_lock_timeout`,
    /// `Some(Duration::ZERO)` tries once without waiting. (RocksDB: milliseconds, negative for the database's.)
    pub lock_timeout: Option<Duration>,
    /// After this long the transaction expires: other transactions may take its locks, and its commit then
    /// fails with `Expired`. `None`: never. (RocksDB: milliseconds, negative for never.)
    pub expiration: Option<Duration>,
}

impl Default for TransactionOptions {
    /// RocksDB's defaults: no snapshot, no deadlock detection (depth 50 when enabled), the database's lock
    /// timeout, no expiration.
    fn default() -> TransactionOptions {
        TransactionOptions {
            set_snapshot: false,
            deadlock_detect: false,
            deadlock_detect_depth: 50,
            lock_timeout: None,
            expiration: None,
        }
    }
}
