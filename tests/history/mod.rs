//! The concurrent history checker: a workload that records what concurrent threads saw ([`workload`]), and a
//! checker that decides whether a correct database could have shown them that ([`checker`]). Shared by the
//! suite (`tests/history_test.rs`, bounded) and the long stress run (`scripts/stress_long.sh`).

pub mod checker;
pub mod workload;

use std::time::{SystemTime, UNIX_EPOCH};

/// The seed given in `HISTORY_SEED`, or a new one (printed by the caller, so that a failure can be rerun).
pub fn seed_from_env() -> u64 {
    match std::env::var("HISTORY_SEED") {
        Ok(seed) => seed.parse().expect("HISTORY_SEED is a number"),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_007),
    }
}

/// Runs `config` and checks its history; `Err` is the report of the violation, with the configuration.
pub fn run_and_check(config: &workload::Config) -> Result<checker::CheckStats, String> {
    let history = workload::run(config).map_err(|e| format!("{config:?}\n{e}"))?;
    checker::check(&history)
        .map_err(|e| format!("{config:?}\n{e}\nrerun: HISTORY_SEED={} ...", config.seed))
}
