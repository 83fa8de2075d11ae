//! Fuzz target `version_edit`: see `oxleveldb_fuzz::version_edit`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::version_edit::run(data));
