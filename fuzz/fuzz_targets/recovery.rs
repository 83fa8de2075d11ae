//! Fuzz target `recovery`: see `oxleveldb_fuzz::recovery`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::recovery::run(data));
