//! Fuzz target `recovery_differential`: see `oxleveldb_fuzz::recovery` (LevelDB runs in a child process, which
//! `init` sets up).
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: oxleveldb_fuzz::recovery::init_differential(),
    |data: &[u8]| oxleveldb_fuzz::recovery::run_differential(data)
);
