//! Fuzz target `snappy_roundtrip`: see `oxleveldb_fuzz::snappy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::snappy::run_roundtrip(data));
