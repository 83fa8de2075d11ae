//! Fuzz target `oplog`: see `oxleveldb_fuzz::oplog`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxleveldb_fuzz::oplog::run(data));
