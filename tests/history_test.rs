//! Reads never miss an acknowledged write: the concurrent history checker (`tests/history/`) run against the
//! database on every storage, API and write path, and shown to catch the read order that missed writes.
//!
//! Each test prints its seeds; `HISTORY_SEED=<seed> cargo test --test history_test <name>` reruns one (the
//! operations are the seed's; the interleaving is the machine's, so a rare failure may need a few reruns).
//! `scripts/stress_long.sh` runs `stress_for_a_while` for as long as it is given.

mod history;

use std::time::{Duration, Instant};

use history::checker::{
    check, History, Observation, ReadAt, ReadRecord, SnapshotRecord, WriteRecord,
};
use history::workload::{run, Api, Config, Storage};
use history::{run_and_check, seed_from_env};

// ---- The checker itself, on histories made by hand: it must reject each kind of violation. ----

fn write(id: (usize, u64), ticks: (u64, Option<u64>), ops: &[(usize, bool)]) -> WriteRecord {
    WriteRecord {
        id,
        invoke: ticks.0,
        response: ticks.1,
        ops: ops.to_vec(),
    }
}

fn read(
    thread: usize,
    ticks: (u64, u64),
    observed: &[(usize, Option<(usize, u64)>)],
) -> ReadRecord {
    ReadRecord {
        thread,
        invoke: ticks.0,
        response: ticks.1,
        at: ReadAt::Latest,
        what: "by hand".to_string(),
        observed: observed.iter().copied().collect::<Observation>(),
    }
}

/// Two writes of thread 0: batch 1 puts k0 and k1 (sequences 1..=3), batch 2 puts k0 and deletes k1 (4..=6);
/// batch 1 answered at tick 2, batch 2 ran from tick 10 to 20.
fn two_writes() -> History {
    History {
        writes: vec![
            write((0, 1), (1, Some(2)), &[(0, true), (1, true)]),
            write((0, 2), (10, Some(20)), &[(0, true), (1, false)]),
        ],
        sequences: [((0, 1), 1), ((0, 2), 4)].into_iter().collect(),
        ..History::default()
    }
}

/// Thread 3 takes a snapshot between the two writes (sequence 3: batch 1), and reads `observed` through it after
/// both.
fn read_through_a_snapshot_of_batch_1(h: &mut History, observed: (usize, Option<(usize, u64)>)) {
    h.snapshots.push(SnapshotRecord {
        thread: 3,
        invoke: 5,
        response: 6,
        sequence: 3,
    });
    h.reads.push(ReadRecord {
        at: ReadAt::Snapshot(h.snapshots.len() - 1),
        ..read(3, (25, 26), &[observed])
    });
}

#[test]
fn the_checker_accepts_what_a_database_may_show() {
    let mut h = two_writes();
    // Before batch 1 answered, nothing or batch 1; during batch 2, either state; after it, batch 2's.
    h.reads.push(read(1, (0, 1), &[(0, None)]));
    h.reads
        .push(read(1, (3, 4), &[(0, Some((0, 1))), (1, Some((0, 1)))]));
    h.reads
        .push(read(1, (12, 13), &[(0, Some((0, 2))), (1, None)]));
    h.reads.push(read(2, (14, 15), &[(0, Some((0, 1)))]));
    h.reads
        .push(read(2, (21, 22), &[(0, Some((0, 2))), (1, None)]));
    read_through_a_snapshot_of_batch_1(&mut h, (1, Some((0, 1))));
    let stats = check(&h).unwrap();
    assert_eq!((stats.writes, stats.reads, stats.snapshot_reads), (2, 5, 1));
}

#[test]
fn the_checker_rejects_a_missed_acknowledged_write() {
    let mut h = two_writes();
    h.reads.push(read(1, (21, 22), &[(0, Some((0, 1)))]));
    let err = check(&h).unwrap_err();
    assert!(
        err.contains("misses a write acknowledged before it began"),
        "{err}"
    );
}

#[test]
fn the_checker_rejects_a_write_seen_before_it_was_invoked() {
    let mut h = two_writes();
    h.reads.push(read(1, (5, 6), &[(0, Some((0, 2)))]));
    let err = check(&h).unwrap_err();
    assert!(err.contains("invoked after it returned"), "{err}");
}

#[test]
fn the_checker_rejects_half_a_batch() {
    let mut h = two_writes();
    h.reads
        .push(read(1, (12, 13), &[(0, Some((0, 2))), (1, Some((0, 1)))]));
    let err = check(&h).unwrap_err();
    assert!(err.contains("no state the database ever had"), "{err}");
}

#[test]
fn the_checker_rejects_a_read_that_goes_back_in_time() {
    let mut h = two_writes();
    h.reads.push(read(1, (12, 13), &[(0, Some((0, 2)))]));
    h.reads.push(read(1, (14, 15), &[(0, Some((0, 1)))]));
    let err = check(&h).unwrap_err();
    assert!(err.contains("goes back in time"), "{err}");
}

#[test]
fn the_checker_rejects_a_snapshot_that_is_not_repeatable() {
    let mut h = two_writes();
    read_through_a_snapshot_of_batch_1(&mut h, (0, Some((0, 2))));
    let err = check(&h).unwrap_err();
    assert!(err.contains("does not see the snapshot's state"), "{err}");
}

#[test]
fn the_checker_rejects_lost_and_misordered_writes() {
    let mut h = two_writes();
    h.sequences.remove(&(0, 2));
    assert!(check(&h)
        .unwrap_err()
        .contains("acknowledged (tick 20) but is not in the database"));
    let mut h = two_writes();
    h.sequences.insert((0, 2), 2);
    assert!(check(&h).unwrap_err().contains("overlap"));
    let mut h = two_writes();
    h.sequences.insert((0, 1), 7);
    assert!(check(&h)
        .unwrap_err()
        .contains("yet it has the larger sequence"));
}

// ---- The database under the checker. ----

/// Every combination of storage, API and write path, each with a seed of its own, and the focused shape.
fn variants(seed: u64, ops_per_thread: usize) -> Vec<Config> {
    let mut configs = vec![Config::focused(seed.wrapping_add(8), ops_per_thread)];
    for (i, storage) in [Storage::Memory, Storage::Disk].into_iter().enumerate() {
        for (j, api) in [Api::Db, Api::Transactions].into_iter().enumerate() {
            for (k, pipelined) in [false, true].into_iter().enumerate() {
                let seed = seed.wrapping_add((i * 4 + j * 2 + k) as u64);
                configs.push(Config::drawn(seed, storage, api, pipelined, ops_per_thread));
            }
        }
    }
    configs
}

#[test]
fn concurrent_histories_are_consistent() {
    let seed = seed_from_env();
    println!("HISTORY_SEED={seed}");
    for config in variants(seed, 1000) {
        let stats = run_and_check(&config).unwrap_or_else(|e| panic!("{e}"));
        println!("{config:?}: {stats:?}");
    }
}

/// The focused shape with three readers that sleep 5 ms before they pin their super version (reading in the
/// stale order if `stale`): `runs` runs of it, one per seed from `seed`.
fn paused_runs(seed: u64, stale_read_order: bool, runs: u64) -> impl Iterator<Item = Config> {
    (0..runs).map(move |attempt| Config {
        readers: 3,
        read_pause: Some(Duration::from_millis(5)),
        stale_read_order,
        ..Config::focused(seed + attempt, 200)
    })
}

/// The old read order (the sequence loaded before the super version) is caught: with a pause before the pin, a
/// flush and a compaction run between the two loads and a read misses an acknowledged write. A run catches it
/// about one time in ten in a release build (more often in a debug build, where the writer is slower than the
/// compactions): up to 60 runs, stopping at the first that does.
#[test]
fn the_checker_catches_the_stale_read_order() {
    let seed = seed_from_env();
    println!("HISTORY_SEED={seed}");
    for (attempt, config) in paused_runs(seed, true, 60).enumerate() {
        let history = run(&config).unwrap_or_else(|e| panic!("{config:?}: {e}"));
        match check(&history) {
            Ok(stats) => println!("attempt {attempt}: no violation ({stats:?})"),
            Err(report) => {
                // A missed write, an older value, or (for a scan) keys from two states.
                println!("attempt {attempt} found, {config:?}:\n{report}");
                return;
            }
        }
    }
    panic!("60 runs of the stale read order found no violation");
}

/// The same pause before the pin with the read path as it is: the super version first, the sequence after, so
/// however long a read waits before it pins, nothing it needs can be compacted away. Reverting the fix (loading
/// the sequence first) makes this test fail, as the one above shows.
#[test]
fn reads_stay_consistent_however_long_they_wait_to_pin() {
    let seed = seed_from_env();
    println!("HISTORY_SEED={seed}");
    for (attempt, config) in paused_runs(seed, false, 20).enumerate() {
        let stats = run_and_check(&config).unwrap_or_else(|e| panic!("{e}"));
        println!("attempt {attempt}: {stats:?}");
    }
}

/// The long run for `scripts/stress_long.sh`: random seeds over every variant for `HISTORY_MINUTES` (default 1).
#[test]
#[ignore]
fn stress_for_a_while() {
    let minutes: u64 =
        std::env::var("HISTORY_MINUTES").map_or(1, |m| m.parse().expect("HISTORY_MINUTES"));
    let ops: usize = std::env::var("HISTORY_OPS").map_or(2000, |m| m.parse().expect("HISTORY_OPS"));
    let end = Instant::now() + Duration::from_secs(minutes * 60);
    let mut seed = seed_from_env();
    let (mut runs, mut reads) = (0, 0);
    while Instant::now() < end {
        println!("HISTORY_SEED={seed}");
        for config in variants(seed, ops) {
            let stats = run_and_check(&config).unwrap_or_else(|e| panic!("{e}"));
            runs += 1;
            reads += stats.reads + stats.snapshot_reads;
        }
        seed += 8;
    }
    println!("{runs} runs, {reads} reads checked, no violation");
}
