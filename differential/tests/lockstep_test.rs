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

use leveldb_differential::{generate, run_in, CppEngine, OxEngine};

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
