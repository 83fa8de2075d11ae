//! Fuzz target `write_batch`: see `oxleveldb_fuzz::write_batch`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::write_batch::run(data));
