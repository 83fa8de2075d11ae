//! Fuzz target `log_reader`: see `oxleveldb_fuzz::log_reader`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::log_reader::run(data));
