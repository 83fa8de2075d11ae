//! The system's C++ LevelDB 1.23, through its C API (the `system-leveldb` package), as an [`Engine`].
//!
//! Invariant: `db` is `Some` between `open` and `close`; the snapshots hold shares of the database, so they are
//! released (dropped) before the last share closes it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use system_leveldb as cpp;

use crate::engine::{BatchOp, Cursor, Engine, Position};
use crate::options::DbOptions;

/// C++ LevelDB 1.23.
#[derive(Default)]
pub struct CppEngine {
    db: Option<Arc<cpp::Db>>,
    snapshots: BTreeMap<u32, cpp::Snapshot<'static>>,
}

impl CppEngine {
    /// A closed engine.
    pub fn new() -> CppEngine {
        CppEngine::default()
    }

    fn db(&self) -> &cpp::Db {
        self.db.as_ref().expect("the engine is open")
    }

    fn read_options(&self, snapshot: Option<u32>) -> cpp::ReadOptions<'_> {
        let mut options = cpp::ReadOptions::new();
        options.set_snapshot(snapshot.and_then(|id| self.snapshots.get(&id)));
        options
    }
}

/// The C API's options for `options`.
pub fn cpp_options(options: &DbOptions) -> cpp::Options {
    let mut out = cpp::Options::new();
    out.set_create_if_missing(true)
        .set_paranoid_checks(options.paranoid_checks)
        .set_write_buffer_size(options.write_buffer_size)
        .set_max_open_files(options.max_open_files)
        .set_block_size(options.block_size)
        .set_block_restart_interval(options.block_restart_interval)
        .set_max_file_size(options.max_file_size)
        .set_snappy_compression(options.snappy)
        .set_reuse_logs(options.reuse_logs);
    if let Some(capacity) = options.block_cache {
        out.set_cache(cpp::Cache::new_lru(capacity));
    }
    if let Some(bits) = options.bloom_bits {
        out.set_filter_policy(cpp::FilterPolicy::new_bloom(bits));
    }
    out
}

impl Cursor for cpp::Iter<'_> {
    fn seek_to_first(&mut self) {
        cpp::Iter::seek_to_first(self);
    }
    fn seek_to_last(&mut self) {
        cpp::Iter::seek_to_last(self);
    }
    fn seek(&mut self, target: &[u8]) {
        cpp::Iter::seek(self, target);
    }
    fn next(&mut self) {
        cpp::Iter::next(self);
    }
    fn prev(&mut self) {
        cpp::Iter::prev(self);
    }
    fn position(&self) -> Position {
        self.valid()
            .then(|| (self.key().to_vec(), self.value().to_vec()))
    }
    fn status(&self) -> Result<(), String> {
        cpp::Iter::status(self)
    }
}

impl Engine for CppEngine {
    fn name(&self) -> String {
        "leveldb".to_string()
    }

    fn open(&mut self, path: &Path, options: &DbOptions) -> Result<(), String> {
        self.close();
        self.db = Some(Arc::new(cpp::Db::open(&cpp_options(options), path)?));
        Ok(())
    }

    fn close(&mut self) {
        self.snapshots.clear();
        self.db = None;
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        self.db().put(&cpp::WriteOptions::new(), key, value)
    }

    fn delete(&mut self, key: &[u8]) -> Result<(), String> {
        self.db().delete(&cpp::WriteOptions::new(), key)
    }

    fn write(&mut self, ops: &[BatchOp]) -> Result<(), String> {
        let mut batch = cpp::WriteBatch::new();
        for op in ops {
            match op {
                BatchOp::Put(k, v) => batch.put(k, v),
                BatchOp::Delete(k) => batch.delete(k),
            }
        }
        self.db().write(&cpp::WriteOptions::new(), &mut batch)
    }

    fn get(&mut self, snapshot: Option<u32>, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.db().get(&self.read_options(snapshot), key)
    }

    fn cursor(&mut self, snapshot: Option<u32>) -> Box<dyn Cursor + '_> {
        Box::new(self.db().iter(&self.read_options(snapshot)))
    }

    fn snapshot(&mut self, id: u32) {
        let snapshot = self
            .db
            .as_ref()
            .expect("the engine is open")
            .shared_snapshot();
        self.snapshots.insert(id, snapshot);
    }

    fn release(&mut self, id: u32) {
        self.snapshots.remove(&id);
    }

    fn compact_range(&mut self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<(), String> {
        self.db().compact_range(begin, end);
        Ok(())
    }

    fn property(&mut self, name: &str) -> Option<String> {
        self.db().property(name)
    }

    fn approximate_sizes(&mut self, ranges: &[(Vec<u8>, Vec<u8>)]) -> Vec<u64> {
        let ranges: Vec<(&[u8], &[u8])> = ranges
            .iter()
            .map(|(a, b)| (a.as_slice(), b.as_slice()))
            .collect();
        self.db().approximate_sizes(&ranges)
    }
}
