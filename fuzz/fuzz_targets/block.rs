//! Fuzz target `block`: see `oxleveldb_fuzz::table`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::table::run_block(data));
