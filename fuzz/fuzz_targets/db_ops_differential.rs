//! Fuzz target `db_ops_differential`: see `oxleveldb_fuzz::db_ops`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::db_ops::run_differential(data));
