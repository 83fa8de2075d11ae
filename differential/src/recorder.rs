//! Bring your own workload: a recording wrapper around oxleveldb's `DB`. A program drives it with the `DB` calls
//! it already makes; each call runs on the database and is appended to an operation log, which the runner then
//! replays on both engines.
//!
//! Invariant: the log holds exactly the recorded calls, in the order they returned, with the options the database
//! was opened with; a snapshot is named in the log by the order it was taken in (1, 2, ...), so a read at it
//! replays at the same point of the history.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use oxleveldb::{
    Range, ReadOptions, Result, Snapshot, WriteBatch, WriteBatchHandler, WriteOptions, DB,
};

use crate::bytes::Bytes;
use crate::oplog::{BatchItem, Op, OpLog};
use crate::options::DbOptions;
use crate::ox_engine::ox_options;

/// A `DB` that logs what it is asked (`put`, `delete`, `write`, `get`, `get_snapshot`, `compact_range`,
/// `get_property`, `get_approximate_sizes`, and the recorder's own `release_snapshot` and `reopen`).
pub struct RecordingDb {
    db: Option<DB>,
    path: PathBuf,
    state: Mutex<Recorded>,
}

struct Recorded {
    log: OpLog,
    /// Live snapshots: their sequence numbers and names in the log.
    snapshots: Vec<(u64, u32)>,
    next_snapshot: u32,
}

impl RecordingDb {
    /// Opens (creating if missing) the database at `path` with `options`, and starts a log.
    pub fn open(options: DbOptions, path: impl AsRef<Path>) -> Result<RecordingDb> {
        let path = path.as_ref().to_path_buf();
        let db = DB::open(ox_options(&options), &path)?;
        Ok(RecordingDb {
            db: Some(db),
            path,
            state: Mutex::new(Recorded {
                log: OpLog::new(options),
                snapshots: Vec::new(),
                next_snapshot: 1,
            }),
        })
    }

    fn db(&self) -> &DB {
        self.db.as_ref().expect("open (reopen failed before)")
    }

    fn record(&self, op: Op) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .log
            .ops
            .push(op);
    }

    /// The log's name for the snapshot of `options`, if any.
    fn snapshot_of(&self, options: &ReadOptions) -> Option<u32> {
        let sequence = options.snapshot.as_ref()?.sequence_number();
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .snapshots
            .iter()
            .find(|(s, _)| *s == sequence)
            .map(|&(_, id)| id)
    }

    /// `DB::put`, recorded.
    pub fn put(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        self.put_opt(key, value, &WriteOptions::default())
    }

    /// `DB::put_opt`, recorded.
    pub fn put_opt(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        options: &WriteOptions,
    ) -> Result<()> {
        let (key, value) = (key.as_ref(), value.as_ref());
        self.db().put_opt(key, value, options)?;
        self.record(Op::Put(Bytes::literal(key), Bytes::literal(value)));
        Ok(())
    }

    /// `DB::delete`, recorded.
    pub fn delete(&self, key: impl AsRef<[u8]>) -> Result<()> {
        self.delete_opt(key, &WriteOptions::default())
    }

    /// `DB::delete_opt`, recorded.
    pub fn delete_opt(&self, key: impl AsRef<[u8]>, options: &WriteOptions) -> Result<()> {
        self.db().delete_opt(key.as_ref(), options)?;
        self.record(Op::Delete(Bytes::literal(key)));
        Ok(())
    }

    /// `DB::write`, recorded with the batch's updates.
    pub fn write(&self, updates: &WriteBatch) -> Result<()> {
        self.write_opt(updates, &WriteOptions::default())
    }

    /// `DB::write_opt`, recorded with the batch's updates.
    pub fn write_opt(&self, updates: &WriteBatch, options: &WriteOptions) -> Result<()> {
        struct Items(Vec<BatchItem>);
        impl WriteBatchHandler for Items {
            fn put(&mut self, key: &[u8], value: &[u8]) {
                self.0
                    .push(BatchItem::Put(Bytes::literal(key), Bytes::literal(value)));
            }
            fn delete(&mut self, key: &[u8]) {
                self.0.push(BatchItem::Delete(Bytes::literal(key)));
            }
        }
        let mut items = Items(Vec::new());
        updates.iterate(&mut items)?;
        self.db().write_opt(updates, options)?;
        self.record(Op::Batch(items.0));
        Ok(())
    }

    /// `DB::get`, recorded.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.get_opt(key, &ReadOptions::default())
    }

    /// `DB::get_opt`, recorded (at its snapshot, if it is one of this recorder's).
    pub fn get_opt(&self, key: impl AsRef<[u8]>, options: &ReadOptions) -> Result<Option<Vec<u8>>> {
        let value = self.db().get_opt(key.as_ref(), options)?;
        let snapshot = self.snapshot_of(options);
        self.record(Op::Get {
            snapshot,
            key: Bytes::literal(key),
        });
        Ok(value)
    }

    /// `DB::get_snapshot`, recorded; release it with [`RecordingDb::release_snapshot`] to record the release.
    pub fn get_snapshot(&self) -> Snapshot {
        let snapshot = self.db().get_snapshot();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let id = state.next_snapshot;
        state.next_snapshot += 1;
        state.snapshots.push((snapshot.sequence_number(), id));
        state.log.ops.push(Op::Snapshot(id));
        snapshot
    }

    /// Releases `snapshot` (LevelDB's `ReleaseSnapshot`), recorded.
    pub fn release_snapshot(&self, snapshot: Snapshot) {
        let sequence = snapshot.sequence_number();
        drop(snapshot);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = state.snapshots.iter().position(|(s, _)| *s == sequence) {
            let (_, id) = state.snapshots.remove(i);
            state.log.ops.push(Op::Release(id));
        }
    }

    /// `DB::compact_range`, recorded.
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.db().compact_range(begin, end)?;
        self.record(Op::Compact(
            begin.map(Bytes::literal),
            end.map(Bytes::literal),
        ));
        Ok(())
    }

    /// `DB::get_property`, recorded.
    pub fn get_property(&self, property: &str) -> Option<String> {
        let value = self.db().get_property(property);
        self.record(Op::Property(property.to_string()));
        value
    }

    /// `DB::get_approximate_sizes` of `(start, limit)` pairs, recorded.
    pub fn get_approximate_sizes(&self, ranges: &[(&[u8], &[u8])]) -> Vec<u64> {
        let sizes = self.db().get_approximate_sizes(
            &ranges
                .iter()
                .map(|(a, b)| Range::new(a, b))
                .collect::<Vec<_>>(),
        );
        self.record(Op::Sizes(
            ranges
                .iter()
                .map(|(a, b)| (Bytes::literal(a), Bytes::literal(b)))
                .collect(),
        ));
        sizes
    }

    /// Closes and opens the database again (every snapshot must have been released or dropped), recorded.
    pub fn reopen(&mut self) -> Result<()> {
        self.db = None;
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        state.snapshots.clear();
        self.db = Some(DB::open(ox_options(&state.log.options), &self.path)?);
        state.log.ops.push(Op::Reopen);
        Ok(())
    }

    /// The database, for calls that are not recorded.
    pub fn inner(&self) -> &DB {
        self.db()
    }

    /// Closes the database and gives the log.
    pub fn into_log(self) -> OpLog {
        self.state
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .log
    }
}
