//! oxleveldb as an [`Engine`].
//!
//! Invariant: `db` is `Some` between `open` and `close`; the snapshots are dropped before the database.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::{
    BloomFilterPolicy, Cache, CompressionType, DBIterator, Options, Range, ReadOptions, Snapshot,
    WriteBatch, DB,
};

use crate::engine::{BatchOp, Cursor, Engine, Position};
use crate::options::DbOptions;

/// oxleveldb, driven through its public API.
#[derive(Default)]
pub struct OxEngine {
    db: Option<DB>,
    snapshots: BTreeMap<u32, Snapshot>,
}

impl OxEngine {
    /// A closed engine.
    pub fn new() -> OxEngine {
        OxEngine::default()
    }

    fn db(&self) -> &DB {
        self.db.as_ref().expect("the engine is open")
    }

    fn read_options(&self, snapshot: Option<u32>) -> ReadOptions {
        ReadOptions {
            snapshot: snapshot.and_then(|id| self.snapshots.get(&id).cloned()),
            ..ReadOptions::default()
        }
    }
}

/// oxleveldb's `Options` for `options`.
pub fn ox_options(options: &DbOptions) -> Options {
    Options {
        create_if_missing: true,
        paranoid_checks: options.paranoid_checks,
        write_buffer_size: options.write_buffer_size,
        max_open_files: options.max_open_files,
        block_cache: options
            .block_cache
            .map(|capacity| Arc::new(Cache::new(capacity))),
        block_size: options.block_size,
        block_restart_interval: options.block_restart_interval,
        max_file_size: options.max_file_size,
        compression: if options.snappy {
            CompressionType::SnappyCompression
        } else {
            CompressionType::NoCompression
        },
        reuse_logs: options.reuse_logs,
        filter_policy: options
            .bloom_bits
            .map(|bits| Arc::new(BloomFilterPolicy::new(bits)) as Arc<_>),
        ..Options::default()
    }
}

impl Cursor for DBIterator {
    fn seek_to_first(&mut self) {
        DBIterator::seek_to_first(self);
    }
    fn seek_to_last(&mut self) {
        DBIterator::seek_to_last(self);
    }
    fn seek(&mut self, target: &[u8]) {
        DBIterator::seek(self, target);
    }
    fn next(&mut self) {
        DBIterator::next(self);
    }
    fn prev(&mut self) {
        DBIterator::prev(self);
    }
    fn position(&self) -> Position {
        self.valid()
            .then(|| (self.key().to_vec(), self.value().to_vec()))
    }
    fn status(&self) -> Result<(), String> {
        DBIterator::status(self).map_err(|e| e.to_string())
    }
}

impl Engine for OxEngine {
    fn name(&self) -> String {
        "oxleveldb".to_string()
    }

    fn open(&mut self, path: &Path, options: &DbOptions) -> Result<(), String> {
        self.close();
        self.db = Some(DB::open(ox_options(options), path).map_err(|e| e.to_string())?);
        Ok(())
    }

    fn close(&mut self) {
        self.snapshots.clear();
        self.db = None;
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        self.db().put(key, value).map_err(|e| e.to_string())
    }

    fn delete(&mut self, key: &[u8]) -> Result<(), String> {
        self.db().delete(key).map_err(|e| e.to_string())
    }

    fn write(&mut self, ops: &[BatchOp]) -> Result<(), String> {
        let mut batch = WriteBatch::new();
        for op in ops {
            match op {
                BatchOp::Put(k, v) => batch.put(k, v),
                BatchOp::Delete(k) => batch.delete(k),
            }
        }
        self.db().write(&batch).map_err(|e| e.to_string())
    }

    fn get(&mut self, snapshot: Option<u32>, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.db()
            .get_opt(key, &self.read_options(snapshot))
            .map_err(|e| e.to_string())
    }

    fn cursor(&mut self, snapshot: Option<u32>) -> Box<dyn Cursor + '_> {
        Box::new(self.db().new_iterator_opt(&self.read_options(snapshot)))
    }

    fn snapshot(&mut self, id: u32) {
        let snapshot = self.db().get_snapshot();
        self.snapshots.insert(id, snapshot);
    }

    fn release(&mut self, id: u32) {
        self.snapshots.remove(&id);
    }

    fn compact_range(&mut self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<(), String> {
        self.db()
            .compact_range(begin, end)
            .map_err(|e| e.to_string())
    }

    fn property(&mut self, name: &str) -> Option<String> {
        self.db().get_property(name)
    }

    fn approximate_sizes(&mut self, ranges: &[(Vec<u8>, Vec<u8>)]) -> Vec<u64> {
        let ranges: Vec<Range> = ranges.iter().map(|(a, b)| Range::new(a, b)).collect();
        self.db().get_approximate_sizes(&ranges)
    }
}
