//! The `Engine` trait: what a differential run asks of a LevelDB, in plain data, so that oxleveldb, the system's
//! C++ LevelDB and any wrapper around either (a fault injector, a tracer) answer the same calls the same way.
//!
//! Invariant: an engine is opened on one directory at a time; snapshots are named by the caller's ids and live
//! until released or until `close`; iterators do not outlive a call (`iterate` runs one whole walk), so no engine
//! state borrows another.

use std::path::Path;

use crate::options::DbOptions;

/// A key-value pair.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// An iterator position: the entry it is at, `None` when not valid.
pub type Position = Option<KeyValue>;

/// Where an iteration starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// `SeekToFirst`.
    First,
    /// `SeekToLast`.
    Last,
    /// `Seek(target)`.
    Seek(Vec<u8>),
}

/// One step of an iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// `Next`.
    Next,
    /// `Prev`.
    Prev,
}

/// One update of a write batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchOp {
    /// `WriteBatch::Put`.
    Put(Vec<u8>, Vec<u8>),
    /// `WriteBatch::Delete`.
    Delete(Vec<u8>),
}

impl BatchOp {
    /// The key it updates.
    pub fn key(&self) -> &[u8] {
        match self {
            BatchOp::Put(k, _) | BatchOp::Delete(k) => k,
        }
    }
}

/// A LevelDB under test. Errors are LevelDB's `Status::ToString()` text.
pub trait Engine {
    /// A short name for reports ("oxleveldb", "leveldb").
    fn name(&self) -> String;
    /// Opens (creating if missing) the database at `path`.
    fn open(&mut self, path: &Path, options: &DbOptions) -> Result<(), String>;
    /// Releases every snapshot and closes the database (waiting for its background work).
    fn close(&mut self);
    /// `DB::Put`.
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), String>;
    /// `DB::Delete`.
    fn delete(&mut self, key: &[u8]) -> Result<(), String>;
    /// `DB::Write` of a batch holding `ops` in order.
    fn write(&mut self, ops: &[BatchOp]) -> Result<(), String>;
    /// `DB::Get`, at the snapshot `snapshot` or at the latest state; `Ok(None)` for NotFound.
    fn get(&mut self, snapshot: Option<u32>, key: &[u8]) -> Result<Option<Vec<u8>>, String>;
    /// A new iterator (`DB::NewIterator`), at the snapshot `snapshot` or at the latest state, not positioned.
    fn cursor(&mut self, snapshot: Option<u32>) -> Box<dyn Cursor + '_>;
    /// A new iterator positioned by `start`, then moved by each of `moves` while it is valid: the position after
    /// the start and after each move (the walk ends at the first invalid position), then the iterator's status.
    fn iterate(
        &mut self,
        snapshot: Option<u32>,
        start: &Start,
        moves: &[Move],
    ) -> Result<Vec<Position>, String> {
        walk(start, moves, &mut *self.cursor(snapshot))
    }
    /// Every entry, first to last or last to first.
    fn scan(&mut self, snapshot: Option<u32>, reverse: bool) -> Result<Vec<KeyValue>, String> {
        scan_all(&mut *self.cursor(snapshot), reverse)
    }
    /// `DB::GetSnapshot`, held under `id` until released.
    fn snapshot(&mut self, id: u32);
    /// `DB::ReleaseSnapshot` of the snapshot `id` (nothing if there is none).
    fn release(&mut self, id: u32);
    /// `DB::CompactRange`; `None` is open-ended.
    fn compact_range(&mut self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<(), String>;
    /// `DB::GetProperty`; `None` for an unknown property.
    fn property(&mut self, name: &str) -> Option<String>;
    /// `DB::GetApproximateSizes` of `[start, limit)` ranges.
    fn approximate_sizes(&mut self, ranges: &[(Vec<u8>, Vec<u8>)]) -> Vec<u64>;
}

/// Walks a cursor as [`Engine::iterate`] says.
fn walk(start: &Start, moves: &[Move], cursor: &mut dyn Cursor) -> Result<Vec<Position>, String> {
    match start {
        Start::First => cursor.seek_to_first(),
        Start::Last => cursor.seek_to_last(),
        Start::Seek(target) => cursor.seek(target),
    }
    let mut positions = vec![cursor.position()];
    for step in moves {
        if positions.last().is_some_and(Option::is_none) {
            break;
        }
        match step {
            Move::Next => cursor.next(),
            Move::Prev => cursor.prev(),
        }
        positions.push(cursor.position());
    }
    cursor.status()?;
    Ok(positions)
}

/// Every entry of a fresh cursor, in one direction.
fn scan_all(cursor: &mut dyn Cursor, reverse: bool) -> Result<Vec<KeyValue>, String> {
    if reverse {
        cursor.seek_to_last();
    } else {
        cursor.seek_to_first();
    }
    let mut out = Vec::new();
    while let Some(entry) = cursor.position() {
        out.push(entry);
        if reverse {
            cursor.prev();
        } else {
            cursor.next();
        }
    }
    cursor.status()?;
    Ok(out)
}

/// LevelDB's iterator calls, as both engines' iterators have them.
pub trait Cursor {
    /// `SeekToFirst`.
    fn seek_to_first(&mut self);
    /// `SeekToLast`.
    fn seek_to_last(&mut self);
    /// `Seek(target)`.
    fn seek(&mut self, target: &[u8]);
    /// `Next`; only called when valid.
    fn next(&mut self);
    /// `Prev`; only called when valid.
    fn prev(&mut self);
    /// The entry at the cursor, `None` when not valid.
    fn position(&self) -> Position;
    /// `status()`.
    fn status(&self) -> Result<(), String>;
}
