//! Pessimistic transactions (`oxleveldb::txn`): isolation under concurrency (bank transfers, lost updates),
//! deadlocks with and without detection, lock timeouts, shared locks and upgrades, the write-conflict check,
//! rollback and save points, expiration, the lock limit, and locks released however a transaction ends (drop,
//! panic). The scenarios follow RocksDB's transaction_test.cc where it has one.
//!
//! No test measures time: a wait that must end is given a long timeout, and a wait that must time out is given a
//! short one and only its error is checked.

use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use oxleveldb::txn::{
    Transaction, TransactionDB, TransactionDBOptions, TransactionOptions, TransactionState,
};
use oxleveldb::util::random::Random;
use oxleveldb::{Options, ReadOptions, WriteOptions};

fn open_with(txn_db_options: TransactionDBOptions) -> (tempfile::TempDir, TransactionDB) {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        create_if_missing: true,
        ..Options::default()
    };
    let db = TransactionDB::open(options, txn_db_options, dir.path()).unwrap();
    (dir, db)
}

fn open() -> (tempfile::TempDir, TransactionDB) {
    open_with(TransactionDBOptions::default())
}

fn begin<'a>(db: &'a TransactionDB, options: &TransactionOptions) -> Transaction<'a> {
    db.begin_transaction_opt(&WriteOptions::default(), options)
}

/// A transaction that does not wait for locks.
fn begin_no_wait(db: &TransactionDB) -> Transaction<'_> {
    begin_no_wait_with(db, TransactionOptions::default())
}

/// A transaction with `options` that does not wait for locks.
fn begin_no_wait_with(db: &TransactionDB, options: TransactionOptions) -> Transaction<'_> {
    begin(
        db,
        &TransactionOptions {
            lock_timeout: Some(Duration::ZERO),
            ..options
        },
    )
}

/// A transaction with a snapshot that does not wait for locks.
fn begin_with_snapshot(db: &TransactionDB) -> Transaction<'_> {
    begin_no_wait_with(
        db,
        TransactionOptions {
            set_snapshot: true,
            ..TransactionOptions::default()
        },
    )
}

fn read() -> ReadOptions {
    ReadOptions::default()
}

fn get(db: &TransactionDB, key: &str) -> Option<String> {
    db.get_opt(key, &read())
        .unwrap()
        .map(|v| String::from_utf8(v).unwrap())
}

fn decode(value: Option<Vec<u8>>) -> i64 {
    i64::from_le_bytes(value.expect("a balance").try_into().unwrap())
}

fn account(i: u32) -> String {
    format!("account{i:03}")
}

const ACCOUNTS: u32 = 100;
const INITIAL_BALANCE: i64 = 1000;

/// 8 threads make 10,000 transfers between 100 accounts, each locking its two accounts in the random order the
/// transfer names them (so deadlocks happen, are detected and retried); a ninth thread sums all balances at
/// snapshots meanwhile. The total never changes and no balance goes below zero.
#[test]
fn bank_transfers_conserve_the_total() {
    let (_dir, db) = open();
    for i in 0..ACCOUNTS {
        db.put(account(i), INITIAL_BALANCE.to_le_bytes()).unwrap();
    }
    const THREADS: u32 = 8;
    const TRANSFERS: u32 = 10_000;
    let total = ACCOUNTS as i64 * INITIAL_BALANCE;
    let done = std::sync::atomic::AtomicU32::new(0);
    let retries = std::sync::atomic::AtomicU32::new(0);

    // Sums the balances as of one snapshot.
    let check = || {
        let snapshot = db.get_snapshot();
        let options = ReadOptions {
            snapshot: Some(snapshot),
            ..ReadOptions::default()
        };
        let mut sum = 0;
        for i in 0..ACCOUNTS {
            let balance = decode(db.get_opt(account(i), &options).unwrap());
            assert!(balance >= 0, "{} went below zero: {balance}", account(i));
            sum += balance;
        }
        assert_eq!(sum, total, "the total at a snapshot");
    };

    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (db, done, retries) = (&db, &done, &retries);
            s.spawn(move || {
                let mut rnd = Random::new(1000 + t);
                let txn_options = TransactionOptions {
                    deadlock_detect: true,
                    ..TransactionOptions::default()
                };
                for _ in 0..TRANSFERS / THREADS {
                    let from = rnd.uniform(ACCOUNTS);
                    let to = (from + 1 + rnd.uniform(ACCOUNTS - 1)) % ACCOUNTS;
                    let amount = rnd.uniform(300) as i64;
                    loop {
                        let mut txn = begin(db, &txn_options);
                        let result = (|| {
                            let a = decode(txn.get_for_update_opt(account(from), true, &read())?);
                            let b = decode(txn.get_for_update_opt(account(to), true, &read())?);
                            // Not enough money: the transfer does not happen (the transaction commits nothing).
                            if a >= amount {
                                txn.put(account(from), (a - amount).to_le_bytes())?;
                                txn.put(account(to), (b + amount).to_le_bytes())?;
                            }
                            txn.commit()
                        })();
                        match result {
                            Ok(()) => break,
                            Err(e) if e.is_deadlock() || e.is_timed_out() => {
                                retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            Err(e) => panic!("transfer: {e}"),
                        }
                    }
                }
                done.fetch_add(1, std::sync::atomic::Ordering::Release);
            });
        }
        s.spawn(|| {
            while done.load(std::sync::atomic::Ordering::Acquire) < THREADS {
                check();
            }
        });
    });
    check();
    eprintln!(
        "{} retries after deadlocks or timeouts",
        retries.into_inner()
    );
}

/// 16 threads each add 1 to one counter 1,000 times, reading it with get_for_update: no update is lost.
#[test]
fn no_lost_updates() {
    let (_dir, db) = open();
    const THREADS: u64 = 16;
    const INCREMENTS: u64 = 1000;
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..INCREMENTS {
                    loop {
                        let mut txn = begin(&db, &TransactionOptions::default());
                        let result =
                            txn.get_for_update_opt("counter", true, &read())
                                .and_then(|v| {
                                    let n =
                                        v.map_or(0, |v| u64::from_le_bytes(v.try_into().unwrap()));
                                    txn.put("counter", (n + 1).to_le_bytes())?;
                                    txn.commit()
                                });
                        match result {
                            Ok(()) => break,
                            Err(e) if e.is_timed_out() => continue,
                            Err(e) => panic!("increment: {e}"),
                        }
                    }
                }
            });
        }
    });
    let value = db.get_opt("counter", &read()).unwrap().unwrap();
    assert_eq!(
        u64::from_le_bytes(value.try_into().unwrap()),
        THREADS * INCREMENTS
    );
}

/// What one side of the two-transaction deadlock ended with.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Committed,
    Deadlock,
    TimedOut,
}

/// Two transactions: one locks A then B, the other B then A, each detecting deadlocks or not and waiting up to
/// `lock_timeout_ms`. Without detection, a refused transaction (and its first lock) stays alive until both have
/// tried their second lock.
fn two_way_deadlock(deadlock_detect: bool, lock_timeout_ms: u64) -> Vec<Outcome> {
    let (_dir, db) = open();
    let txn_options = TransactionOptions {
        deadlock_detect,
        lock_timeout: Some(Duration::from_millis(lock_timeout_ms)),
        ..TransactionOptions::default()
    };
    let hold_until_both_tried = !deadlock_detect;
    let first_locks = Barrier::new(2);
    let both_tried = Barrier::new(2);
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for (first, second) in [("A", "B"), ("B", "A")] {
            let (db, first_locks, both_tried, outcomes, txn_options) =
                (&db, &first_locks, &both_tried, &outcomes, &txn_options);
            s.spawn(move || {
                let mut txn = begin(db, txn_options);
                txn.put(first, first).unwrap();
                first_locks.wait();
                let result = txn.put(second, first);
                if hold_until_both_tried {
                    both_tried.wait();
                }
                let outcome = match result {
                    Ok(()) => {
                        txn.commit().unwrap();
                        Outcome::Committed
                    }
                    Err(e) if e.is_deadlock() => {
                        assert_eq!(e.to_string(), "Resource busy: Deadlock");
                        Outcome::Deadlock
                    }
                    Err(e) if e.is_timed_out() => Outcome::TimedOut,
                    Err(e) => panic!("unexpected error {e}"),
                };
                // Dropping the refused transaction releases its first lock.
                drop(txn);
                outcomes.lock().unwrap().push(outcome);
            });
        }
    });
    // The winner wrote both keys with its name.
    let (a, b) = (get(&db, "A"), get(&db, "B"));
    let mut outcomes = outcomes.into_inner().unwrap();
    if outcomes.contains(&Outcome::Committed) {
        assert!(a.is_some() && a == b, "the winner's writes: {a:?} {b:?}");
    } else {
        assert_eq!((a, b), (None, None));
    }
    outcomes.sort_by_key(|o| format!("{o:?}"));
    outcomes
}

#[test]
fn deadlock_is_detected_and_the_other_transaction_completes() {
    let outcomes = two_way_deadlock(true, 60_000);
    assert_eq!(outcomes, [Outcome::Committed, Outcome::Deadlock]);
}

#[test]
fn deadlock_without_detection_times_out() {
    let outcomes = two_way_deadlock(false, 100);
    assert_eq!(outcomes, [Outcome::TimedOut, Outcome::TimedOut]);
}

/// A longer cycle, A -> B -> C -> A, is found as well: the transaction that closes it is refused, the other two
/// complete.
#[test]
fn three_way_deadlock_is_detected() {
    let (_dir, db) = open();
    let options = TransactionOptions {
        deadlock_detect: true,
        lock_timeout: Some(Duration::from_secs(60)),
        ..TransactionOptions::default()
    };
    let first_locks = Barrier::new(3);
    let deadlocks = std::sync::atomic::AtomicU32::new(0);
    std::thread::scope(|s| {
        for (first, second) in [("A", "B"), ("B", "C"), ("C", "A")] {
            let (db, options, first_locks, deadlocks) = (&db, &options, &first_locks, &deadlocks);
            s.spawn(move || {
                let mut txn = begin(db, options);
                txn.put(first, "x").unwrap();
                first_locks.wait();
                match txn.put(second, "x") {
                    Ok(()) => txn.commit().unwrap(),
                    Err(e) if e.is_deadlock() => {
                        deadlocks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(e) => panic!("{e}"),
                }
            });
        }
    });
    assert_eq!(deadlocks.into_inner(), 1, "exactly one closes the cycle");
}

#[test]
fn lock_timeouts() {
    let (_dir, db) = open();
    let mut holder = begin_no_wait(&db);
    holder.put("k", "holder").unwrap();

    // 0: one try, no wait.
    let mut other = begin_no_wait(&db);
    let err = other.get_for_update_opt("k", false, &read()).unwrap_err();
    assert!(err.is_timed_out());
    assert_eq!(
        err.to_string(),
        "Operation timed out: Timeout waiting to lock key"
    );
    // A positive timeout waits, then gives up.
    other.set_lock_timeout(Some(Duration::from_millis(20)));
    assert!(other.put("k", "other").unwrap_err().is_timed_out());
    // The refused transaction is intact and keeps working on other keys.
    other.put("free", "other").unwrap();

    // A waiter with a long timeout gets the lock when the holder commits, and reads what it wrote.
    let waiter = std::thread::scope(|s| {
        let waiting = s.spawn(|| {
            let mut txn = begin(
                &db,
                &TransactionOptions {
                    lock_timeout: Some(Duration::from_secs(60)),
                    ..TransactionOptions::default()
                },
            );
            let value = txn.get_for_update_opt("k", true, &read()).unwrap();
            txn.commit().unwrap();
            value
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        holder.commit().unwrap();
        waiting.join().unwrap()
    });
    assert_eq!(waiter.as_deref(), Some(&b"holder"[..]));
    other.commit().unwrap();
    assert_eq!(get(&db, "free").as_deref(), Some("other"));
}

/// Readers share a lock and keep a writer out; a reader's upgrade to exclusive waits until it is the last reader.
#[test]
fn shared_locks_block_writers_and_upgrade_when_alone() {
    let (_dir, db) = open();
    db.put("k", "v0").unwrap();
    let mut readers: Vec<Transaction> = (0..4).map(|_| begin_no_wait(&db)).collect();
    for reader in &mut readers {
        assert_eq!(
            reader
                .get_for_update_opt("k", false, &read())
                .unwrap()
                .as_deref(),
            Some(&b"v0"[..])
        );
    }
    let mut writer = begin_no_wait(&db);
    assert!(writer.put("k", "w").unwrap_err().is_timed_out());
    assert!(writer
        .get_for_update_opt("k", true, &read())
        .unwrap_err()
        .is_timed_out());
    let mut first = readers.remove(0);
    // Three other readers: no upgrade.
    assert!(first.put("k", "first").unwrap_err().is_timed_out());
    readers.pop();
    readers.pop();
    assert!(first.put("k", "first").unwrap_err().is_timed_out());
    // The last other reader leaves while the upgrade waits.
    let last = readers.pop().unwrap();
    std::thread::scope(|s| {
        let upgrading = s.spawn(|| {
            first.set_lock_timeout(Some(Duration::from_secs(60)));
            first.put("k", "first").unwrap();
            first
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(last);
        let mut first = upgrading.join().unwrap();
        // Now exclusive: not even a reader gets in.
        assert!(writer
            .get_for_update_opt("k", false, &read())
            .unwrap_err()
            .is_timed_out());
        first.commit().unwrap();
    });
    assert_eq!(get(&db, "k").as_deref(), Some("first"));
    writer.put("k", "w").unwrap();
}

/// A write outside any transaction waits for the key's lock like a transaction does.
#[test]
fn writes_outside_transactions_take_locks() {
    let (_dir, db) = open_with(TransactionDBOptions {
        default_lock_timeout: Some(Duration::ZERO),
        ..TransactionDBOptions::default()
    });
    let mut txn = begin_no_wait(&db);
    txn.get_for_update_opt("k", false, &read()).unwrap();
    let err = db.put("k", "outside").unwrap_err();
    assert!(err.is_timed_out(), "{err}");
    assert!(db.delete("k").is_err());
    // A batch that touches the locked key is refused whole.
    let mut batch = oxleveldb::WriteBatch::new();
    batch.put(b"other", b"1");
    batch.put(b"k", b"2");
    assert!(db.write(&batch).is_err());
    assert_eq!(get(&db, "other"), None, "nothing of the refused batch");
    // The outside write locked nothing it kept: the transaction can now write "other".
    txn.put("other", "txn").unwrap();
    txn.commit().unwrap();
    db.write(&batch).unwrap();
    assert_eq!(get(&db, "k").as_deref(), Some("2"));
}

/// RocksDB's write-conflict check: with a snapshot, a key written after it cannot be locked (even if the write
/// put back the same value), and the refused lock is not kept.
#[test]
fn snapshot_refuses_keys_written_after_it() {
    let (_dir, db) = open();
    db.put("before", "1").unwrap();
    db.put("same", "v").unwrap();
    db.put("upgraded", "1").unwrap();
    let mut txn = begin_with_snapshot(&db);
    txn.get_for_update_opt("upgraded", false, &read()).unwrap();
    db.put("after", "1").unwrap();
    db.put("same", "v").unwrap();

    txn.put("before", "2").unwrap();
    let err = txn.put("after", "2").unwrap_err();
    assert!(err.is_busy() && !err.is_deadlock());
    assert_eq!(err.to_string(), "Resource busy: ");
    assert!(txn
        .get_for_update_opt("same", false, &read())
        .unwrap_err()
        .is_busy());
    // Refused locks were released: another transaction takes them at once.
    let mut other = begin_no_wait(&db);
    other.put("after", "other").unwrap();
    other.put("same", "other").unwrap();
    other.commit().unwrap();

    // The shared lock taken before the outside writes is still good for an upgrade.
    txn.put("upgraded", "2").unwrap();
    // Reads at the snapshot see the database as it was.
    let at_snapshot = ReadOptions {
        snapshot: txn.get_snapshot(),
        ..ReadOptions::default()
    };
    assert_eq!(txn.get_opt("after", &at_snapshot).unwrap(), None);
    // A new snapshot sees the writes, so the keys can be locked again.
    txn.set_snapshot();
    txn.put("after", "txn").unwrap();
    txn.commit().unwrap();
    assert_eq!(get(&db, "after").as_deref(), Some("txn"));
    assert_eq!(get(&db, "before").as_deref(), Some("2"));
    assert_eq!(get(&db, "upgraded").as_deref(), Some("2"));
}

/// A transaction that only read with get_for_update and committed is not a conflict for a snapshot, and a
/// transaction's own commit is not a conflict for a later one.
#[test]
fn snapshot_conflicts_come_only_from_writes() {
    let (_dir, db) = open();
    let mut txn = begin_with_snapshot(&db);
    let mut reader = begin_no_wait(&db);
    reader.get_for_update_opt("k", true, &read()).unwrap();
    reader.commit().unwrap();
    txn.put("k", "v").unwrap();
    txn.commit().unwrap();
}

#[test]
fn reads_see_own_writes() {
    let (_dir, db) = open();
    db.put("a", "db").unwrap();
    db.put("b", "db").unwrap();
    let mut txn = begin_no_wait(&db);
    txn.put("a", "txn").unwrap();
    txn.delete("b").unwrap();
    txn.put("c", "txn").unwrap();
    assert_eq!(
        txn.get_opt("a", &read()).unwrap().as_deref(),
        Some(&b"txn"[..])
    );
    assert_eq!(txn.get_opt("b", &read()).unwrap(), None);
    assert_eq!(
        txn.get_for_update_opt("c", true, &read())
            .unwrap()
            .as_deref(),
        Some(&b"txn"[..])
    );
    // Nobody else sees them before the commit.
    assert_eq!(get(&db, "a").as_deref(), Some("db"));
    assert_eq!(get(&db, "c"), None);
    txn.commit().unwrap();
    assert_eq!(get(&db, "a").as_deref(), Some("txn"));
    assert_eq!(get(&db, "b"), None);
    assert_eq!(get(&db, "c").as_deref(), Some("txn"));
}

#[test]
fn rollback_and_save_points_leave_no_trace() {
    let (_dir, db) = open();
    db.put("a", "db").unwrap();
    let sequence = db.get_snapshot().sequence_number();

    // Rollback: nothing written, every lock released.
    let mut txn = begin_no_wait(&db);
    txn.put("a", "txn").unwrap();
    txn.put("b", "txn").unwrap();
    txn.rollback().unwrap();
    assert_eq!(txn.get_state(), TransactionState::RolledBack);
    assert!(
        txn.put("a", "again").is_err(),
        "a rolled back transaction is over"
    );
    assert_eq!(
        txn.commit().unwrap_err().to_string(),
        "Invalid argument: Transaction has already been rolledback."
    );
    drop(txn);
    assert_eq!(get(&db, "a").as_deref(), Some("db"));
    assert_eq!(get(&db, "b"), None);
    assert_eq!(
        db.get_snapshot().sequence_number(),
        sequence,
        "nothing reached the log"
    );

    // Save points nest; rolling back to one drops the writes and the new locks since.
    let mut txn = begin_no_wait(&db);
    assert!(txn.rollback_to_save_point().unwrap_err().is_not_found());
    txn.put("a", "1").unwrap();
    txn.set_save_point();
    txn.put("a", "2").unwrap();
    txn.put("b", "2").unwrap();
    txn.set_save_point();
    txn.delete("a").unwrap();
    txn.put("c", "3").unwrap();
    txn.rollback_to_save_point().unwrap();
    assert_eq!(
        txn.get_opt("a", &read()).unwrap().as_deref(),
        Some(&b"2"[..])
    );
    assert_eq!(txn.get_opt("c", &read()).unwrap(), None);
    // "c" was locked after the inner save point only: it is free again.
    let mut other = begin_no_wait(&db);
    other.put("c", "other").unwrap();
    other.commit().unwrap();
    txn.rollback_to_save_point().unwrap();
    assert_eq!(
        txn.get_opt("a", &read()).unwrap().as_deref(),
        Some(&b"1"[..])
    );
    assert_eq!(txn.get_opt("b", &read()).unwrap(), None);
    // "a" was locked before the outer save point: still locked. "b" is free.
    let mut other = begin_no_wait(&db);
    assert!(other.put("a", "other").unwrap_err().is_timed_out());
    other.put("b", "other").unwrap();
    other.commit().unwrap();
    txn.commit().unwrap();
    assert_eq!(get(&db, "a").as_deref(), Some("1"));
    assert_eq!(get(&db, "b").as_deref(), Some("other"));
    assert_eq!(get(&db, "c").as_deref(), Some("other"));
    assert_eq!(
        txn.commit().unwrap_err().to_string(),
        "Invalid argument: Transaction has already been committed."
    );
}

#[test]
fn pop_save_point_keeps_the_changes() {
    let (_dir, db) = open();
    let mut txn = begin_no_wait(&db);
    txn.set_save_point();
    txn.put("a", "1").unwrap();
    txn.set_save_point();
    txn.put("b", "2").unwrap();
    txn.pop_save_point().unwrap();
    // Back to the first save point: both writes, and both locks, go.
    txn.rollback_to_save_point().unwrap();
    assert_eq!(txn.get_opt("b", &read()).unwrap(), None);
    let mut other = begin_no_wait(&db);
    other.put("a", "x").unwrap();
    other.put("b", "x").unwrap();
    assert!(txn.pop_save_point().unwrap_err().is_not_found());
}

#[test]
fn dropping_a_transaction_releases_its_locks() {
    let (_dir, db) = open();
    {
        let mut txn = begin_no_wait(&db);
        txn.put("a", "1").unwrap();
        txn.get_for_update_opt("b", false, &read()).unwrap();
    }
    let mut other = begin_no_wait(&db);
    other.put("a", "2").unwrap();
    other.put("b", "2").unwrap();
    other.commit().unwrap();
    assert_eq!(get(&db, "a").as_deref(), Some("2"));
}

/// A panic in a thread that holds locks unwinds through its transaction: the locks are released and nothing is
/// written.
#[test]
fn a_panic_releases_the_locks() {
    let (_dir, db) = open();
    let db = Arc::new(db);
    let panicking = {
        let db = db.clone();
        std::thread::spawn(move || {
            let mut txn = begin_no_wait(&db);
            txn.put("k", "panicked").unwrap();
            panic!("a bug in the caller");
        })
    };
    assert!(panicking.join().is_err());
    let mut txn = begin_no_wait(&db);
    txn.put("k", "after").unwrap();
    txn.commit().unwrap();
    assert_eq!(get(&db, "k").as_deref(), Some("after"));
}

/// A transaction past its expiration loses its locks to the next one that asks, and cannot commit.
#[test]
fn expired_transactions_lose_their_locks() {
    let (_dir, db) = open();
    let mut expiring = begin_no_wait_with(
        &db,
        TransactionOptions {
            expiration: Some(Duration::from_millis(1)),
            ..TransactionOptions::default()
        },
    );
    expiring.put("k", "expiring").unwrap();
    // Sleep past the expiration (the test checks what happens after it, not how long it takes).
    std::thread::sleep(std::time::Duration::from_millis(10));
    let mut other = begin_no_wait(&db);
    other.put("k", "other").unwrap();
    let err = expiring.commit().unwrap_err();
    assert!(err.is_expired());
    assert_eq!(err.to_string(), "Operation expired: ");
    other.commit().unwrap();
    drop(expiring);
    assert_eq!(get(&db, "k").as_deref(), Some("other"));

    // Without expiration a transaction keeps its locks however long it runs.
    let mut holder = begin_no_wait(&db);
    holder.put("k", "holder").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    assert!(begin_no_wait(&db).put("k", "x").unwrap_err().is_timed_out());
    holder.commit().unwrap();
}

#[test]
fn lock_limit() {
    let (_dir, db) = open_with(TransactionDBOptions {
        max_num_locks: 3,
        ..TransactionDBOptions::default()
    });
    let mut txn = begin_no_wait(&db);
    for key in ["a", "b", "c"] {
        txn.put(key, "1").unwrap();
    }
    let err = txn.put("d", "1").unwrap_err();
    assert!(err.is_lock_limit());
    assert_eq!(
        err.to_string(),
        "Operation aborted: Failed to acquire lock due to max_num_locks limit"
    );
    // Keys it holds already are no new locks.
    txn.put("a", "2").unwrap();
    txn.commit().unwrap();
    let mut txn = begin_no_wait(&db);
    txn.put("d", "1").unwrap();
    txn.commit().unwrap();
}

#[test]
fn options_have_rocksdb_defaults() {
    let db_options = TransactionDBOptions::default();
    assert_eq!(
        (
            db_options.max_num_locks,
            db_options.num_stripes,
            db_options.transaction_lock_timeout,
            db_options.default_lock_timeout
        ),
        (
            -1,
            16,
            Some(Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        )
    );
    let txn_options = TransactionOptions::default();
    assert!(!txn_options.set_snapshot && !txn_options.deadlock_detect);
    assert_eq!(
        (
            txn_options.deadlock_detect_depth,
            txn_options.lock_timeout,
            txn_options.expiration
        ),
        (50, None, None)
    );
}

/// A synced commit is in the database after a reopen, as any synced write.
#[test]
fn commits_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let options = || Options {
        create_if_missing: true,
        ..Options::default()
    };
    {
        let db =
            TransactionDB::open(options(), TransactionDBOptions::default(), dir.path()).unwrap();
        let mut txn =
            db.begin_transaction_opt(&WriteOptions { sync: true }, &TransactionOptions::default());
        txn.put("a", "1").unwrap();
        txn.delete("b").unwrap();
        txn.commit().unwrap();
        assert_eq!(txn.get_state(), TransactionState::Committed);
        let mut uncommitted = db.begin_transaction();
        uncommitted.put("c", "lost").unwrap();
    }
    let db = oxleveldb::DB::open(options(), dir.path()).unwrap();
    assert_eq!(
        db.get_opt(b"a", &read()).unwrap().as_deref(),
        Some(&b"1"[..])
    );
    assert_eq!(db.get_opt(b"c", &read()).unwrap(), None);
    let db = TransactionDB::from_db(db, TransactionDBOptions::default());
    assert_eq!(get(&db, "a").as_deref(), Some("1"));
}
