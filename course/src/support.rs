//! What the chapters are given: the crc32c and snappy codecs, LevelDB's random generator, the cursor trait of
//! the engine's iterators and a cursor over a sorted vector. These are not part of the lesson; they come from the
//! engine.

use std::cmp::Ordering;
use std::sync::Arc;

pub use oxleveldb::table::iterator::Iterator as Cursor;
pub use oxleveldb::util::random::Random;
pub use oxleveldb::{bytewise_comparator, Comparator};

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The crc32c of `data`, continuing from `crc` (0 to start).
///
/// LevelDB: crc32c::Extend
pub fn crc32c_extend(crc: u32, data: &[u8]) -> u32 {
    oxleveldb::util::crc::extend(crc, data)
}

/// `input` compressed by snappy, byte for byte as the C++ snappy 1.1.9 that LevelDB 1.23 is built with.
///
/// LevelDB: port::Snappy_Compress
pub fn snappy_compress(input: &[u8]) -> Vec<u8> {
    let mut output = Vec::new();
    let compressed = oxleveldb::table::format::snappy_compress(input, &mut output);
    assert!(compressed, "the course's engine is built with snappy");
    output
}

/// The comparator of internal keys (user key ascending, then sequence number descending).
///
/// LevelDB: InternalKeyComparator
pub fn internal_key_comparator() -> Arc<dyn Comparator> {
    Arc::new(oxleveldb::db::dbformat::InternalKeyComparator::new(
        bytewise_comparator(),
    ))
}

/// A cursor over entries held in a vector, sorted by `comparator` (as a memtable's or a table's iterator would
/// yield them).
pub struct VecCursor {
    entries: Vec<Entry>,
    comparator: Arc<dyn Comparator>,
    /// The current entry; `entries.len()` when not valid.
    at: usize,
}

impl VecCursor {
    /// A cursor over `entries`, which it sorts by `comparator`.
    pub fn new(mut entries: Vec<Entry>, comparator: Arc<dyn Comparator>) -> VecCursor {
        entries.sort_by(|a, b| comparator.compare(&a.0, &b.0));
        let at = entries.len();
        VecCursor {
            entries,
            comparator,
            at,
        }
    }
}

impl Cursor for VecCursor {
    fn valid(&self) -> bool {
        self.at < self.entries.len()
    }
    fn seek_to_first(&mut self) {
        self.at = 0;
    }
    fn seek_to_last(&mut self) {
        self.at = self
            .entries
            .len()
            .checked_sub(1)
            .unwrap_or(self.entries.len());
    }
    fn seek(&mut self, target: &[u8]) {
        self.at = self
            .entries
            .partition_point(|(k, _)| self.comparator.compare(k, target) == Ordering::Less);
    }
    fn next(&mut self) {
        assert!(self.valid(), "next on an invalid cursor");
        self.at += 1;
    }
    fn prev(&mut self) {
        assert!(self.valid(), "prev on an invalid cursor");
        self.at = self.at.checked_sub(1).unwrap_or(self.entries.len());
    }
    fn key(&self) -> &[u8] {
        &self.entries[self.at].0
    }
    fn value(&self) -> &[u8] {
        &self.entries[self.at].1
    }
    fn status(&self) -> oxleveldb::Result<()> {
        Ok(())
    }
}
