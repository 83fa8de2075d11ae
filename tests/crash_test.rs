//! Crashes: a child process writes batches to a database and is killed (SIGKILL) at random moments; or the
//! machine loses power (the FaultInjectionEnv drops what was not synced) at random points. The database must
//! then open, hold every batch whole or not at all, in the order acknowledged (what is there is a prefix of what
//! was written), and hold every batch acknowledged with `sync` (or before a synced one).
//!
//! The write buffer is small and some values are large (up to 200 KB), so that crashes land inside memtable
//! flushes and compactions, and inside records that span several log blocks; each test runs with `reuse_logs`
//! off and on. The long variants (#[ignore]d) are run by scripts/crash_long.sh.
//!
//! The child is this test binary again (see common/kill_child.rs): the parent test runs its own executable with arguments that select the
//! same test and an environment variable that puts that test in child mode. The child prints one line per
//! acknowledged batch (flushed at once), so the parent knows what was acknowledged when it kills the child. Every
//! run writes its own keys, so the checks cover the batches of all earlier runs too: once a run's batches have
//! been seen after its crash, they must stay exactly as they were.

use std::collections::BTreeMap;
use std::path::Path;

use std::sync::Arc;

use oxleveldb::env::{FaultInjectionEnv, MemEnv};
use oxleveldb::util::hash::hash;
use oxleveldb::util::random::Random;
use oxleveldb::{Options, ReadOptions, WriteBatch, WriteOptions, DB};

mod common;
use common::kill_child::{self, acknowledge};
use common::testutil::RANDOM_SEED;

/// Set in the child's environment to `<run>:<database path>`.
const CHILD_ENV: &str = "OXLEVELDB_CRASH_TEST_CHILD";
/// Keys written by each batch (besides the key `last`, which every batch overwrites).
const KEYS_PER_BATCH: usize = 4;
/// The most batches the parent lets a child acknowledge before it kills it.
const MAX_ACKS: u32 = 150;
/// Runs on one database before the test starts a new one: every check reads the whole database, so one database
/// for all the runs of the long tests would make them quadratic.
const RUNS_PER_DATABASE: usize = 50;
/// One value in this many is large.
const LARGE_VALUE_ONE_IN: u32 = 64;
/// The largest value.
const MAX_VALUE_SIZE: usize = 200 << 10;
/// Overrides the number of kills (or power losses) of the long tests.
const KILLS_ENV: &str = "OXLEVELDB_CRASH_KILLS";

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

/// The value of key `j` of batch `i` of run `run`: mostly about 100 bytes, one in LARGE_VALUE_ONE_IN up to
/// MAX_VALUE_SIZE, so that the small write buffer fills up every few dozen batches and memtable flushes and
/// compactions happen while the child runs. The size depends on the key alone, so the check can rebuild it.
fn batch_value(run: usize, i: usize, j: usize) -> Vec<u8> {
    let head = format!("{run}/{i}/{j}:");
    let h = hash(head.as_bytes(), 0x5eed);
    let size = if h % LARGE_VALUE_ONE_IN == 0 {
        (h / LARGE_VALUE_ONE_IN) as usize % MAX_VALUE_SIZE
    } else {
        100
    };
    let mut value = head.clone().into_bytes();
    value.extend(head.bytes().cycle().take(size));
    value
}

/// What the key `last` holds after batch `i` of run `run`.
fn last_value(run: usize, i: usize) -> Vec<u8> {
    format!("{run:04}/{i:08}").into_bytes()
}

fn options(reuse_logs: bool) -> Options {
    Options {
        create_if_missing: true,
        write_buffer_size: 64 << 10,
        reuse_logs,
        ..Options::default()
    }
}

/// Batch `i` of run `run`.
fn batch(run: usize, i: usize) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for j in 0..KEYS_PER_BATCH {
        batch.put(batch_key(run, i, j), batch_value(run, i, j));
    }
    batch.put(b"last", last_value(run, i));
    batch
}

/// The child: writes batch after batch of run `run` until it is killed, printing a line for each one
/// acknowledged.
fn child_main(run: usize, dbname: &Path, options: Options, sync: bool) -> ! {
    let db = DB::open(options, dbname).unwrap();
    let mut out = std::io::stdout().lock();
    let write_options = WriteOptions { sync };
    // A child whose parent has gone stops when its output pipe breaks; the bound is only a safety net.
    for i in 0..1_000_000 {
        db.write_opt(&batch(run, i), &write_options).unwrap();
        if !acknowledge(&mut out, i + 1) {
            break;
        }
    }
    std::process::exit(0);
}

/// Checks the database after run `run`, of which at least `durable` batches must be present (the synced ones,
/// and those before them). `present` holds how many batches of each earlier run were found after their crash;
/// this run's count is added to it.
fn verify(dbname: &Path, options: Options, run: usize, durable: usize, present: &mut Vec<usize>) {
    let db = DB::open(options, dbname).unwrap();
    let read_options = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };

    // For each run, the keys of each batch found.
    let mut found: BTreeMap<usize, BTreeMap<usize, usize>> = BTreeMap::new();
    let mut last = None;
    for item in db.iter_opt(&read_options) {
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
            assert!(
                n >= durable,
                "run {r}: {durable} batches acknowledged durably, {n} found"
            );
            present.push(n);
        }
        if n > 0 {
            newest = Some(last_value(r, n - 1));
        }
    }
    // The key every batch overwrites holds the value of the newest batch found.
    assert_eq!(last, newest, "the key `last`");
}

/// The number of kills (or power losses) of a long test: `default`, or $OXLEVELDB_CRASH_KILLS.
fn long_run(default: usize) -> usize {
    std::env::var(KILLS_ENV).map_or(default, |n| n.parse().expect("a number of kills"))
}

/// Kills a child `kills` times (after a random number of acknowledged batches each time), checking the database
/// after each crash.
fn crash_test(test_name: &str, sync: bool, reuse_logs: bool, kills: usize) {
    kill_child::crash_test(
        (test_name, CHILD_ENV),
        (kills, MAX_ACKS, RUNS_PER_DATABASE),
        |run, dbname| child_main(run, dbname, options(reuse_logs), sync),
        |dbname, run, acks, present| {
            let durable = if sync { acks } else { 0 };
            verify(dbname, options(reuse_logs), run, durable, present)
        },
    );
    eprintln!("{test_name}: {kills} kills, every check passed");
}

/// The machine loses power `points` times, each after a random number of batches (one in four of them synced),
/// while background work may be running: the FaultInjectionEnv then drops every write not synced, and every file
/// whose directory entry was not synced, and the database is checked.
fn power_loss_test(test_name: &str, reuse_logs: bool, points: usize) {
    let env = Arc::new(FaultInjectionEnv::new(Arc::new(MemEnv::default())));
    let options = Options {
        env: env.clone(),
        ..options(reuse_logs)
    };
    let mut rnd = Random::new(RANDOM_SEED);
    for (database, first_run) in (0..points).step_by(RUNS_PER_DATABASE).enumerate() {
        let dbname = Path::new("/power").join(format!("db{database}"));
        let mut present = Vec::new();
        for run in 0..RUNS_PER_DATABASE.min(points - first_run) {
            let db = DB::open(options.clone(), &dbname).unwrap();
            let batches = rnd.uniform(MAX_ACKS + 1) as usize;
            let mut durable = 0;
            for i in 0..batches {
                let sync = rnd.one_in(4);
                db.write_opt(&batch(run, i), &WriteOptions { sync })
                    .unwrap();
                if sync {
                    durable = i + 1;
                }
            }
            // The power goes: nothing is written, created, renamed or removed any more.
            env.set_filesystem_active(false);
            drop(db);
            env.drop_unsynced_file_data().unwrap();
            env.delete_files_created_after_last_dir_sync().unwrap();
            env.reset_state();
            verify(&dbname, options.clone(), run, durable, &mut present);
        }
    }
    eprintln!("{test_name}: {points} power losses, every check passed");
}

#[test]
fn synced_batches_survive_kills() {
    crash_test("synced_batches_survive_kills", true, false, 20);
}

#[test]
fn synced_batches_survive_kills_with_reused_logs() {
    crash_test(
        "synced_batches_survive_kills_with_reused_logs",
        true,
        true,
        20,
    );
}

#[test]
#[ignore = "1000 kills; run with --ignored (scripts/crash_long.sh)"]
fn synced_batches_survive_many_kills() {
    crash_test(
        "synced_batches_survive_many_kills",
        true,
        false,
        long_run(1000),
    );
}

#[test]
#[ignore = "1000 kills; run with --ignored (scripts/crash_long.sh)"]
fn synced_batches_survive_many_kills_with_reused_logs() {
    crash_test(
        "synced_batches_survive_many_kills_with_reused_logs",
        true,
        true,
        long_run(1000),
    );
}

#[test]
fn unsynced_batches_are_whole_or_absent_after_kills() {
    crash_test(
        "unsynced_batches_are_whole_or_absent_after_kills",
        false,
        true,
        15,
    );
}

#[test]
#[ignore = "1000 kills; run with --ignored (scripts/crash_long.sh)"]
fn unsynced_batches_are_whole_or_absent_after_many_kills() {
    crash_test(
        "unsynced_batches_are_whole_or_absent_after_many_kills",
        false,
        true,
        long_run(1000),
    );
}

#[test]
fn synced_batches_survive_power_losses() {
    power_loss_test("synced_batches_survive_power_losses", false, 12);
}

#[test]
fn synced_batches_survive_power_losses_with_reused_logs() {
    power_loss_test(
        "synced_batches_survive_power_losses_with_reused_logs",
        true,
        12,
    );
}

#[test]
#[ignore = "1000 power losses; run with --ignored (scripts/crash_long.sh)"]
fn synced_batches_survive_many_power_losses() {
    power_loss_test(
        "synced_batches_survive_many_power_losses",
        false,
        long_run(1000),
    );
}

#[test]
#[ignore = "1000 power losses; run with --ignored (scripts/crash_long.sh)"]
fn synced_batches_survive_many_power_losses_with_reused_logs() {
    power_loss_test(
        "synced_batches_survive_many_power_losses_with_reused_logs",
        true,
        long_run(1000),
    );
}
