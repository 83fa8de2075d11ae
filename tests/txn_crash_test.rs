//! Process crashes during transactions: a child process commits transactions from two threads and is killed
//! (SIGKILL) at random moments. Each transaction writes three keys of its own and increments a shared counter read
//! with get_for_update, and rolls back a write to a save point. After every crash the database must hold each
//! transaction whole or not at all, the counter must equal the number of transactions present, nothing rolled
//! back may appear, and — when the commits were synced — every acknowledged transaction must be there.
//!
//! The child is this test binary again (see common/kill_child.rs).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use oxleveldb::txn::{TransactionDB, TransactionDBOptions, TransactionOptions};
use oxleveldb::{Options, ReadOptions, WriteOptions};

mod common;
use common::kill_child::{self, acknowledge};

/// Set in the child's environment to `<run>:<database path>`.
const CHILD_ENV: &str = "OXLEVELDB_TXN_CRASH_TEST_CHILD";
/// Writer threads in the child.
const WRITERS: usize = 2;
/// Keys of its own written by each transaction (besides the counter).
const KEYS_PER_TXN: usize = 3;
/// The key every transaction increments.
const COUNTER: &[u8] = b"counter";
/// Runs on one database before the test starts a new one (each check reads the whole database).
const RUNS_PER_DATABASE: usize = 100;

fn txn_key(run: usize, writer: usize, i: usize, j: usize) -> Vec<u8> {
    format!("r{run:04}w{writer}t{i:08}k{j}").into_bytes()
}

/// Parses a key written by `txn_key`.
fn parse_txn_key(key: &[u8]) -> Option<(usize, usize, usize, usize)> {
    let key = std::str::from_utf8(key).ok()?.strip_prefix('r')?;
    let (run, rest) = key.split_once('w')?;
    let (writer, rest) = rest.split_once('t')?;
    let (i, j) = rest.split_once('k')?;
    Some((
        run.parse().ok()?,
        writer.parse().ok()?,
        i.parse().ok()?,
        j.parse().ok()?,
    ))
}

/// About 100 bytes, so that the small write buffer fills and flushes and compactions run while the child does.
fn txn_value(run: usize, writer: usize, i: usize, j: usize) -> Vec<u8> {
    let head = format!("{run}/{writer}/{i}/{j}:");
    let mut value = head.clone().into_bytes();
    value.extend(head.bytes().cycle().take(100));
    value
}

fn options() -> Options {
    Options {
        create_if_missing: true,
        write_buffer_size: 64 << 10,
        ..Options::default()
    }
}

fn decode_counter(value: &[u8]) -> usize {
    u64::from_le_bytes(value.try_into().expect("an 8-byte counter")) as usize
}

/// The child: commits transactions from `WRITERS` threads until it is killed, printing the number committed.
fn child_main(run: usize, dbname: &Path, sync: bool) -> ! {
    let db = TransactionDB::open(options(), TransactionDBOptions::default(), dbname).unwrap();
    let committed = AtomicUsize::new(0);
    let out = Mutex::new(std::io::stdout());
    let write_options = WriteOptions { sync };
    std::thread::scope(|s| {
        for writer in 0..WRITERS {
            let (db, committed, out) = (&db, &committed, &out);
            s.spawn(move || {
                // A child whose parent has gone stops when its output pipe breaks; the bound is a safety net.
                for i in 0..1_000_000 {
                    loop {
                        let mut txn = db
                            .begin_transaction_opt(&write_options, &TransactionOptions::default());
                        let result = (|| {
                            let n = txn
                                .get_for_update(COUNTER, true)?
                                .map_or(0, |v| decode_counter(&v));
                            for j in 0..KEYS_PER_TXN {
                                txn.put(txn_key(run, writer, i, j), txn_value(run, writer, i, j))?;
                            }
                            // A write rolled back to a save point never reaches the database.
                            txn.set_save_point();
                            txn.put(b"rolled back", b"!")?;
                            txn.rollback_to_save_point()?;
                            txn.put(COUNTER, (n as u64 + 1).to_le_bytes())?;
                            txn.commit()
                        })();
                        match result {
                            Ok(()) => break,
                            Err(e) if e.is_timed_out() => continue,
                            Err(e) => panic!("commit: {e}"),
                        }
                    }
                    let count = committed.fetch_add(1, Ordering::SeqCst) + 1;
                    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                    if !acknowledge(&mut *out, count) {
                        break;
                    }
                }
            });
        }
    });
    std::process::exit(0);
}

/// Checks the database after run `run`, of which at least `acked` transactions must be present when the commits
/// were synced. `present` holds how many transactions of each (earlier run, writer) were found after their crash.
fn verify(
    dbname: &Path,
    run: usize,
    acked: usize,
    sync: bool,
    present: &mut BTreeMap<(usize, usize), usize>,
) {
    let db = TransactionDB::open(options(), TransactionDBOptions::default(), dbname).unwrap();
    let read_options = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    // For each (run, writer), the number of keys of each transaction found.
    let mut found: BTreeMap<(usize, usize), BTreeMap<usize, usize>> = BTreeMap::new();
    let mut counter = 0;
    for item in db.new_iterator_opt(&read_options) {
        let (key, value) = item.unwrap();
        if key == COUNTER {
            counter = decode_counter(&value);
            continue;
        }
        let (r, w, i, j) = parse_txn_key(&key)
            .unwrap_or_else(|| panic!("a key that was never committed: {key:?}"));
        assert_eq!(value, txn_value(r, w, i, j), "the value of {key:?}");
        *found.entry((r, w)).or_default().entry(i).or_default() += 1;
    }
    assert!(
        found.keys().all(|&(r, _)| r <= run),
        "keys of a run not started"
    );

    let mut total = 0;
    let mut this_run = 0;
    for r in 0..=run {
        for w in 0..WRITERS {
            let txns = found.remove(&(r, w)).unwrap_or_default();
            // Each writer commits in order, each transaction whole or not at all: 0..n, each with all its keys.
            for (index, (&i, &keys)) in txns.iter().enumerate() {
                assert_eq!(
                    i, index,
                    "run {r} writer {w}: transaction {i} is there, {index} is not"
                );
                assert_eq!(
                    keys, KEYS_PER_TXN,
                    "run {r} writer {w}: transaction {i} is half there"
                );
            }
            let n = txns.len();
            if r < run {
                assert_eq!(
                    n,
                    present[&(r, w)],
                    "run {r} writer {w}: changed after its crash"
                );
            } else {
                present.insert((r, w), n);
                this_run += n;
            }
            total += n;
        }
    }
    assert_eq!(
        counter, total,
        "the counter counts the transactions present"
    );
    if sync {
        assert!(
            this_run >= acked,
            "run {run}: {acked} commits acknowledged, {this_run} found"
        );
    }
}

/// Kills a child `kills` times, after a random number (up to `max_acks`) of acknowledged commits each time,
/// checking the database after each crash.
fn crash_test(test_name: &str, sync: bool, kills: usize, max_acks: u32) {
    kill_child::crash_test(
        (test_name, CHILD_ENV),
        (kills, max_acks, RUNS_PER_DATABASE),
        |run, dbname| child_main(run, dbname, sync),
        |dbname, run, acks, present| verify(dbname, run, acks, sync, present),
    );
}

#[test]
fn synced_transactions_survive_kills() {
    crash_test("synced_transactions_survive_kills", true, 50, 40);
}

#[test]
fn unsynced_transactions_are_whole_or_absent_after_kills() {
    crash_test(
        "unsynced_transactions_are_whole_or_absent_after_kills",
        false,
        50,
        150,
    );
}

#[test]
#[ignore = "1000 kills; run with --ignored"]
fn synced_transactions_survive_many_kills() {
    crash_test("synced_transactions_survive_many_kills", true, 1000, 150);
}

#[test]
#[ignore = "1000 kills; run with --ignored"]
fn unsynced_transactions_are_whole_or_absent_after_many_kills() {
    crash_test(
        "unsynced_transactions_are_whole_or_absent_after_many_kills",
        false,
        1000,
        150,
    );
}
