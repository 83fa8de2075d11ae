//! Lockstep: generated workloads across the option space run on oxleveldb and on C++ LevelDB 1.23 with no
//! divergence. The seeds are drawn anew by each run (from the clock, or `OXLDB_DIFF_SEED=S` to start elsewhere) and
//! printed, so a failure replays with `oxldb diff --seed=S --ops=2000`.
//!
//! 200 seeds × 2,000 operations, split over two threads (CI's two cores), with the databases on a RAM disk when
//! there is one; the harness package is built with opt-level 2 in the dev profile (the root Cargo.toml), so the
//! suite stays within CI's time in debug builds (oxleveldb itself stays a debug build).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use std::path::PathBuf;

use leveldb_differential::{generate, run_in, CppEngine, OpLog, OxEngine};

const SEEDS: u64 = 200;
const OPS: usize = 2000;

fn first_seed() -> u64 {
    match std::env::var("OXLDB_DIFF_SEED") {
        Ok(s) => s.parse().expect("OXLDB_DIFF_SEED is a number"),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_007),
    }
}

/// Where the databases go: a RAM disk when there is one (fsyncs are most of a run's time on a real disk, and
/// durability is not what this suite compares), else the system's temporary directory.
fn databases_dir() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() && tempfile::tempdir_in(&shm).is_ok() {
        shm
    } else {
        std::env::temp_dir()
    }
}

#[test]
fn generated_workloads_agree_across_the_option_space() {
    let first = first_seed();
    let seeds: Vec<u64> = (0..SEEDS).map(|i| first + i).collect();
    println!(
        "lockstep seeds {first}..{} ({OPS} operations each)",
        first + SEEDS - 1
    );
    let dir = databases_dir();
    let next = AtomicUsize::new(0);
    let file_checkpoints = AtomicUsize::new(0);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut failures = Vec::new();
                    while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let log = generate(seed, OPS);
                        let outcome =
                            run_in(&dir, &log, &mut OxEngine::new(), &mut CppEngine::new())
                                .expect("a generated log runs");
                        file_checkpoints.fetch_add(outcome.file_checkpoints, Ordering::Relaxed);
                        if let Some(divergence) = outcome.divergence {
                            failures.push(format!(
                                "{divergence}  replay: oxldb diff --seed={seed} --ops={OPS}\n"
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    println!(
        "{} file checkpoints compared byte for byte",
        file_checkpoints.load(Ordering::Relaxed)
    );
    assert!(
        failures.is_empty(),
        "{} of {SEEDS} seeds diverged:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        file_checkpoints.load(Ordering::Relaxed) > 0,
        "some checkpoints compared files"
    );
}

/// The files after a `compact` are compared only when no background compaction could have run inside it. Its
/// memtable flush adds a table at level 0; with three there already, level 0 is due for a size compaction that
/// the background thread may pick before the manual one: it moves the table of the empty key (first by smallest
/// key, outside the range) to level 1, or the manual compaction runs first and leaves that table at level 0. Found
/// by the fuzzer (`db_ops_differential`), where both engines did either, by timing. With two tables at level 0 the
/// flush makes three, nothing is due, and the files after the `compact` are compared.
#[test]
fn a_compact_whose_flush_can_make_level_0_due_is_not_a_file_checkpoint() {
    let scenario = |tables_at_level_0: usize| {
        let mut text = String::from(
            "options write_buffer_size=65536 compression=none paranoid_checks=false reuse_logs=false\n",
        );
        // One table per reopen, at level 0 (recovery writes its tables there): "", then "b", then "c".
        for key in ["", "b", "c"].iter().take(tables_at_level_0) {
            text += &format!("put \"{key}\" \"v\"\nreopen\n");
        }
        text += "put \"a\" \"v\"\nput \"z\" \"v\"\ncompact \"b\" \"c\"\nget \"\"\n";
        let log = OpLog::parse(&text).unwrap();
        let outcome = run_in(
            &databases_dir(),
            &log,
            &mut OxEngine::new(),
            &mut CppEngine::new(),
        )
        .unwrap();
        assert_eq!(outcome.divergence, None, "{text}");
        outcome.file_checkpoints
    };
    // Two reopens, the compact and the close compare files; with a third table only the three reopens do.
    assert_eq!(scenario(2), 4);
    assert_eq!(scenario(3), 3);
}
