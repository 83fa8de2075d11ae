//! The records of a log file (a WAL or a MANIFEST), read for the dump commands, which must also say what
//! LevelDB's log reader drops without a report: a record cut off at the end of the file. The reader takes it for a
//! write its writer never finished, which is right for a database opening after a crash; a dump reads the file as
//! it is, and a lost record there is worth saying.
//!
//! Invariant: a record written from offset `o` with `n` bytes ends at `physical_end(o, n)` (its fragments, their
//! headers and the block trailers between them, as `log::Writer` lays them out). So what the file holds past the
//! end of the last record read, with no drop reported since, is a record cut short, unless it is all zeros (the
//! padding of a block trailer, or space an old LevelDB preallocated, which the reader skips on purpose too).
//!
//! LevelDB: log::Reader, log::Writer::AddRecord

use std::cell::{Cell, RefCell};
use std::path::Path;

use oxleveldb::env::default_env;
use oxleveldb::log::{Reader, Reporter, BLOCK_SIZE, HEADER_SIZE};
use oxleveldb::Error;

use crate::commands::Failure;

/// Remembers the drops the log reader reports (the first one, and whether one came after the last record), and
/// hands each to `echo`.
pub struct Drops {
    first: RefCell<Option<Error>>,
    since_last_record: Cell<bool>,
    echo: fn(&Error),
}

impl Drops {
    /// Drops handed to `echo` as they are reported.
    pub fn new(echo: fn(&Error)) -> Drops {
        Drops {
            first: RefCell::new(None),
            since_last_record: Cell::new(false),
            echo,
        }
    }

    /// Drops that are only remembered.
    pub fn quiet() -> Drops {
        Drops::new(|_| {})
    }

    /// The first drop reported, if any.
    pub fn first(&self) -> Option<Error> {
        self.first.borrow().clone()
    }
}

impl Reporter for Drops {
    fn corruption(&self, _bytes: usize, status: &Error) {
        self.first
            .borrow_mut()
            .get_or_insert_with(|| status.clone());
        self.since_last_record.set(true);
        (self.echo)(status);
    }
}

/// The records of one log file, with their offsets.
pub struct LogRecords<'a> {
    path: &'a Path,
    reader: Reader<'a>,
    drops: &'a Drops,
    /// The size of the file when it was opened.
    file_size: u64,
    /// Where the last record read ends.
    end: u64,
}

impl<'a> LogRecords<'a> {
    /// Opens `path`, reporting drops to `drops`; checksums are verified.
    pub fn open(path: &'a Path, drops: &'a Drops) -> Result<LogRecords<'a>, Failure> {
        let env = default_env();
        let file_size = env.get_file_size(path)?;
        let file = env.new_sequential_file(path)?;
        Ok(LogRecords {
            path,
            reader: Reader::new(file, Some(drops), true, 0),
            drops,
            file_size,
            end: 0,
        })
    }

    /// Reads the next record into `record`, and gives its offset (where its first fragment starts); `None` at
    /// the end of the file.
    pub fn next(&mut self, record: &mut Vec<u8>) -> Option<u64> {
        if !self.reader.read_record(record) {
            return None;
        }
        let offset = self.reader.last_record_offset();
        self.end = physical_end(offset, record.len() as u64);
        self.drops.since_last_record.set(false);
        Some(offset)
    }

    /// After the last record: a report of the record cut off at the end of the file, if there is one.
    pub fn cut_record(&self) -> Result<Option<String>, Failure> {
        let rest = self.file_size.saturating_sub(self.end);
        if rest == 0 || self.drops.since_last_record.get() {
            // Nothing past the last record, or what is there was reported as it was dropped.
            return Ok(None);
        }
        let mut file = default_env().new_sequential_file(self.path)?;
        file.skip(self.end)?;
        let mut chunk = vec![0; BLOCK_SIZE];
        loop {
            let n = file.read(&mut chunk)?;
            if n == 0 {
                return Ok(None);
            }
            if chunk[..n].iter().any(|&b| b != 0) {
                return Ok(Some(format!(
                    "{}: incomplete record at the end of the file: {rest} bytes dropped",
                    self.path.display()
                )));
            }
        }
    }
}

/// Where a record of `len` bytes that starts at `offset` ends: `log::Writer` cuts it into fragments, each with
/// its header, and starts a new block (after a zero trailer) where fewer than a header's bytes are left. Even an
/// empty record has a fragment.
///
/// LevelDB: log::Writer::AddRecord
fn physical_end(offset: u64, len: u64) -> u64 {
    let (block, header) = (BLOCK_SIZE as u64, HEADER_SIZE as u64);
    let (mut pos, mut left) = (offset, len);
    loop {
        let leftover = block - pos % block;
        if leftover < header {
            pos += leftover;
        }
        let fragment = left.min(block - pos % block - header);
        pos += header + fragment;
        left -= fragment;
        if left == 0 {
            return pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxleveldb::log::Writer;

    /// Writes records of the given lengths with LevelDB's writer, and checks that each ends at `physical_end` of
    /// where the file ended before it.
    fn check_ends(lens: &[usize]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("000001.log");
        let env = default_env();
        let mut writer = Writer::new(env.new_writable_file(&path).unwrap());
        for (i, &len) in lens.iter().enumerate() {
            let start = env.get_file_size(&path).unwrap();
            writer.add_record(&vec![b'x'; len]).unwrap();
            let end = env.get_file_size(&path).unwrap();
            assert_eq!(
                physical_end(start, len as u64),
                end,
                "record {i} of {lens:?}"
            );
        }
    }

    #[test]
    fn physical_end_is_where_the_writer_stops() {
        let (block, header) = (BLOCK_SIZE, HEADER_SIZE);
        // Empty records; a block filled to 3 bytes before its end (the next record starts a block); a record
        // over several blocks.
        check_ends(&[0, 100, block - 100 - 3 * header - 3, 10, 3 * block, 0, 5]);
        // A block filled to exactly a header before its end: the next record's first fragment is empty.
        check_ends(&[block - 2 * header, 10, 1]);
        // A record that ends a block exactly.
        check_ends(&[block - header, 1]);
    }
}
