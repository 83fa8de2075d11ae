//! Pessimistic transactions, as RocksDB's `TransactionDB`, above an unchanged LevelDB.
//!
//! A [`Transaction`] locks every key before it reads it for update ([`Transaction::get_for_update`]) or writes it
//! ([`Transaction::put`], [`Transaction::delete`]), keeps its writes to itself (its own reads see them), and at
//! [`Transaction::commit`] writes them as one `WriteBatch` through `DB::write` — the same writer queue, log
//! record and memtable insert as any LevelDB write — and then releases its locks. So a commit is atomic and as
//! durable as its `WriteOptions::sync` makes it, and the files are LevelDB 1.23's: C++ LevelDB opens a database
//! written through transactions. This layer uses only the database's public API.
//!
//! # What it can do, and what it cannot
//! It can: lock keys shared or exclusive (with upgrades), wait for a lock with a timeout, detect deadlocks,
//! refuse a key written since the transaction's snapshot, read its own uncommitted writes, roll back all or to a
//! save point, let an expired transaction's locks be taken, cap the number of locked keys, and commit atomically
//! with the durability of `WriteOptions::sync`.
//!
//! A transaction also reads ranges (`Transaction::range`, `prefix`, `iter`: RocksDB's `GetIterator`), its own
//! writes merged over the database's entries; range reads take no locks, as RocksDB's iterators do not.
//!
//! It cannot (RocksDB's have these; this layer does not): optimistic transactions, two-phase commit (`Prepare` and recovery of prepared transactions), range locks,
//! column families, or locks and transactions that survive
//! a reopen (the lock table lives in memory: after a crash, a transaction either committed, as one batch, or
//! never happened). Writes that bypass the `TransactionDB` (another handle, another process) are not seen by its
//! locks or its conflict check: it takes the database by value so that nothing in this process can.
//!
//! The parts, each in its file:
//! - [`options`]: `TransactionDBOptions` and `TransactionOptions`, with RocksDB's defaults;
//! - `lock_map`: the striped lock table (shared and exclusive locks, upgrades, waiters per key);
//! - `point_lock_manager`: lock requests with timeouts, waits, expired locks;
//! - `deadlock`: deadlock detection over the wait-for graph;
//! - `write_history`: the write-conflict check of transactions with a snapshot;
//! - `key_hasher`: the hash of the maps keyed by user keys;
//! - `write_batch_with_index`: a transaction's buffered writes, indexed for its own reads, with save points;
//! - `transaction_state`: a transaction's state as seen by the threads that could steal its expired locks;
//! - `transaction_range`: a range as a transaction sees it, its writes merged over the database's;
//! - `transaction` and `transaction_db`: the public types.
//!
//! # Errors
//! Locks are refused with RocksDB's codes (see [`Error`](crate::Error)): `TimedOut` (`Operation timed out:
//! Timeout waiting to lock key`) after the lock timeout, or at once when the timeout is `Some(Duration::ZERO)`; `Busy` with sub-code
//! `Deadlock` (`Resource busy: Deadlock`) when waiting would deadlock and the transaction detects deadlocks;
//! `Busy` (`Resource busy: `) when the transaction has a snapshot and the key was written after it; `Aborted` at
//! `max_num_locks`; `Expired` at the commit of a transaction that outlived its expiration. A refused lock leaves
//! the transaction as it was: the caller may retry, or roll back to let the others proceed.
//!
//! # The write-conflict check
//! With a snapshot set, every key the transaction then locks is checked: if it was written after the snapshot,
//! the lock is refused with `Busy`. RocksDB asks its memtables for the key's newest sequence number; LevelDB's
//! public API has no such read, so the `TransactionDB` remembers the writes made through it while snapshots are
//! live. Exactly what is detected: any write to the key through this `TransactionDB` committed after the
//! snapshot — even one that wrote back the value the key had — is reported; a write committed while the
//! snapshot was being taken may be reported too (a spurious `Busy`, never a missed conflict). See
//! `write_history.rs` for why.
//!
//! # Example: a read-modify-write that retries on conflicts
//! ```
//! use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
//! use oxleveldb::Options;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let options = Options { create_if_missing: true, ..Options::default() };
//! let db = TransactionDB::open(options, TransactionDBOptions::default(), dir.path()).unwrap();
//!
//! // Adds `amount` to the counter at `key`, retrying when a lock is refused.
//! let add = |key: &[u8], amount: u64| loop {
//!     let mut txn = db.begin_transaction();
//!     let result = txn
//!         .get_for_update(key, true)
//!         .and_then(|value| {
//!             let old = value.map_or(0, |v| u64::from_le_bytes(v.try_into().unwrap()));
//!             txn.put(key, (old + amount).to_le_bytes())
//!         })
//!         .and_then(|()| txn.commit());
//!     match result {
//!         Ok(()) => break,
//!         Err(e) if e.is_busy() || e.is_timed_out() => continue, // dropping `txn` rolled it back
//!         Err(e) => panic!("{e}"),
//!     }
//! };
//! std::thread::scope(|s| {
//!     for _ in 0..4 {
//!         s.spawn(|| (0..25).for_each(|_| add(b"counter", 1)));
//!     }
//! });
//! let value = db.get(b"counter").unwrap().unwrap();
//! assert_eq!(u64::from_le_bytes(value.try_into().unwrap()), 100);
//! ```

pub mod options;

mod deadlock;
mod key_hasher;
mod lock_map;
mod point_lock_manager;
mod transaction;
mod transaction_db;
mod transaction_range;
mod transaction_state;
mod write_batch_with_index;
mod write_history;

pub use options::{TransactionDBOptions, TransactionOptions};
pub use transaction::Transaction;
pub use transaction_db::TransactionDB;
pub use transaction_range::TransactionRange;
pub use transaction_state::TransactionState;

/// The id of a transaction, unique within its `TransactionDB` (ids start at 1).
///
/// RocksDB: TransactionID
pub type TransactionID = u64;
