//! Target `log_reader`: the input is a log file (db/log_format.h), read whole by the log reader with and without
//! checksums, and from an initial offset taken from the input.
//!
//! Oracles: no panic; bounded allocation; every record returned is at most as long as the file (a record is made
//! of the file's bytes); every drop reported is one of LevelDB's reasons; with checksums, a file that holds no
//! damage past its records reads back the records a writer writing them produces, byte for byte (write them again
//! with the log writer: the same file).

use std::cell::RefCell;
use std::path::Path;

use oxleveldb::env::{default_env, write_string_to_file, Env, MemEnv};
use oxleveldb::log::{Reader, Reporter};
use oxleveldb::Error;

use super::{alloc_bound, messages};

/// Collects the reports.
#[derive(Default)]
struct Reports(RefCell<Vec<(usize, String)>>);

impl Reporter for Reports {
    fn corruption(&self, bytes: usize, status: &Error) {
        self.0.borrow_mut().push((bytes, status.to_string()));
    }
}

/// Reads every record of `data` (starting at `initial_offset`), returning the records and the reports.
fn read_all(
    env: &MemEnv,
    path: &Path,
    checksum: bool,
    initial_offset: u64,
) -> (Vec<Vec<u8>>, Vec<(usize, String)>) {
    let reports = Reports::default();
    let file = env.new_sequential_file(path).expect("the file was written");
    let mut reader = Reader::new(file, Some(&reports), checksum, initial_offset);
    let mut records = Vec::new();
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        records.push(record.clone());
    }
    drop(reader);
    (records, reports.0.into_inner())
}

/// The target's body.
pub fn run(data: &[u8]) {
    let env = MemEnv::new(default_env());
    let path = Path::new("/fuzz/000003.log");
    write_string_to_file(&env, data, path).expect("MemEnv writes");
    let initial_offset = data.first().map_or(0, |&b| u64::from(b) * 97) % (data.len() as u64 + 1);
    let mut clean = None;
    for (checksum, offset) in [(true, 0), (false, 0), (true, initial_offset)] {
        let (records, reports) = alloc_bound::within(
            "the log reader",
            alloc_bound::reader_limit(data.len()),
            || read_all(&env, path, checksum, offset),
        );
        let total: usize = records.iter().map(Vec::len).sum();
        assert!(
            total <= data.len(),
            "{total} bytes of records from a {}-byte log",
            data.len()
        );
        for (_, report) in &reports {
            assert!(
                messages::is_log_report(report),
                "the log reader reported {report:?}, not LevelDB's words"
            );
        }
        match (checksum, offset, &clean) {
            (true, 0, _) if reports.is_empty() => clean = Some(records),
            (false, 0, Some(with_checksums)) => assert!(
                reports.is_empty() && &records == with_checksums,
                "a log read cleanly with checksums reads differently without"
            ),
            _ => {}
        }
    }
}
