//! Process crashes: a child process writes batches to a database and is killed (SIGKILL) at random moments; the
//! database must then open, hold every batch whole or not at all, and — when the writes were synced — hold every
//! batch the child saw acknowledged.
//!
//! The child is this test binary again (see common/kill_child.rs): it prints one line per acknowledged batch, so
//! the parent knows what was acknowledged when it kills the child. Every
//! run writes its own keys, so the checks cover the batches of all earlier runs too: once a run's batches have
//! been seen after its crash, they must stay exactly as they were.

use std::collections::BTreeMap;
use std::path::Path;

use oxleveldb::{Options, ReadOptions, WriteBatch, WriteOptions, DB};

mod common;
use common::kill_child::{self, acknowledge};

/// Set in the child's environment to `<run>:<database path>`.
const CHILD_ENV: &str = "OXLEVELDB_CRASH_TEST_CHILD";
/// Keys written by each batch (besides the key `last`, which every batch overwrites).
const KEYS_PER_BATCH: usize = 4;
/// The most batches the parent lets a child acknowledge before it kills it.
const MAX_ACKS: u32 = 150;
/// Runs on one database before the test starts a new one: every check reads the whole database, so one database
/// for all the runs of the long tests would make them quadratic.
const RUNS_PER_DATABASE: usize = 100;

fn batch_key(run: usize, i: usize, j: usize) -> Vec<u8> {
    format!("r{run:04}b{i:08}k{j}").into_bytes()
}

/// Parses a key written by `batch_key`.
fn parse_batch_key(key: &[u8]) -> Option<(usize, usize, usize)> {
    let key = std::str::from_utf8(key).ok()?.strip_prefix('r')?;
    let (run, rest) = key.split_once('b')?;
    let (i, j) = rest.split_once('k')?;
    Some((run.parse().ok()?, i.parse().ok()?, j.parse().ok()?))
}

/// The value of key `j` of batch `i` of run `run`: about 100 bytes, so that the small write buffer fills up every
/// hundred batches or so and memtable flushes and compactions happen while the child runs.
fn batch_value(run: usize, i: usize, j: usize) -> Vec<u8> {
    let head = format!("{run}/{i}/{j}:");
    let mut value = head.clone().into_bytes();
    value.extend(head.bytes().cycle().take(100));
    value
}

/// What the key `last` holds after batch `i` of run `run`.
fn last_value(run: usize, i: usize) -> Vec<u8> {
    format!("{run:04}/{i:08}").into_bytes()
}

fn options() -> Options {
    Options {
        create_if_missing: true,
        write_buffer_size: 64 << 10,
        ..Options::default()
    }
}

/// The child: writes batch after batch of run `run` until it is killed, printing a line for each one
/// acknowledged.
fn child_main(run: usize, dbname: &Path, sync: bool) -> ! {
    let db = DB::open(options(), dbname).unwrap();
    let mut out = std::io::stdout().lock();
    let write_options = WriteOptions { sync };
    // A child whose parent has gone stops when its output pipe breaks; the bound is only a safety net.
    for i in 0..1_000_000 {
        let mut batch = WriteBatch::new();
        for j in 0..KEYS_PER_BATCH {
            batch.put(batch_key(run, i, j), batch_value(run, i, j));
        }
        batch.put(b"last", last_value(run, i));
        db.write(&write_options, &batch).unwrap();
        if !acknowledge(&mut out, i + 1) {
            break;
        }
    }
    std::process::exit(0);
}

/// Checks the database after run `run`, of which at least `acked` batches must be present when the writes were
/// synced. `present` holds how many batches of each earlier run were found after their crash; this run's count
/// is added to it.
fn verify(dbname: &Path, run: usize, acked: usize, sync: bool, present: &mut Vec<usize>) {
    let db = DB::open(options(), dbname).unwrap();
    let read_options = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };

    // For each run, the keys of each batch found.
    let mut found: BTreeMap<usize, BTreeMap<usize, usize>> = BTreeMap::new();
    let mut last = None;
    for item in db.new_iterator(&read_options) {
        let (key, value) = item.unwrap();
        if key == b"last" {
            last = Some(value);
            continue;
        }
        let (r, i, j) = parse_batch_key(&key)
            .unwrap_or_else(|| panic!("a key that was never written: {key:?}"));
        assert_eq!(value, batch_value(r, i, j), "the value of {key:?}");
        *found.entry(r).or_default().entry(i).or_default() += 1;
    }

    assert!(found.keys().all(|&r| r <= run), "keys of a run not started");
    let mut newest = None;
    for r in 0..=run {
        let batches = found.remove(&r).unwrap_or_default();
        // Batches are applied in order, each whole or not at all: the ones found are 0..n, each with all its keys.
        let n = batches.len();
        for (index, (&i, &keys)) in batches.iter().enumerate() {
            assert_eq!(
                i, index,
                "run {r}: batch {i} is there, batch {index} is not"
            );
            assert_eq!(keys, KEYS_PER_BATCH, "run {r}: batch {i} is half applied");
        }
        if r < run {
            assert_eq!(
                n, present[r],
                "run {r}: its batches changed after its crash"
            );
        } else {
            if sync {
                assert!(
                    n >= acked,
                    "run {r}: {acked} batches acknowledged, {n} found"
                );
            }
            present.push(n);
        }
        if n > 0 {
            newest = Some(last_value(r, n - 1));
        }
    }
    // The key every batch overwrites holds the value of the newest batch found.
    assert_eq!(last, newest, "the key `last`");
}

/// Kills a child `kills` times (after a random number of acknowledged batches each time), checking the database
/// after each crash.
fn crash_test(test_name: &str, sync: bool, kills: usize) {
    kill_child::crash_test(
        (test_name, CHILD_ENV),
        (kills, MAX_ACKS, RUNS_PER_DATABASE),
        |run, dbname| child_main(run, dbname, sync),
        |dbname, run, acks, present| verify(dbname, run, acks, sync, present),
    );
}

#[test]
fn synced_batches_survive_kills() {
    crash_test("synced_batches_survive_kills", true, 50);
}

#[test]
#[ignore = "1000 kills; run with --ignored"]
fn synced_batches_survive_many_kills() {
    crash_test("synced_batches_survive_many_kills", true, 1000);
}

#[test]
fn unsynced_batches_are_whole_or_absent_after_kills() {
    crash_test(
        "unsynced_batches_are_whole_or_absent_after_kills",
        false,
        30,
    );
}

#[test]
#[ignore = "1000 kills; run with --ignored"]
fn unsynced_batches_are_whole_or_absent_after_many_kills() {
    crash_test(
        "unsynced_batches_are_whole_or_absent_after_many_kills",
        false,
        1000,
    );
}
