//! rusty-leveldb 4.0.2 (a LevelDB written in Rust, the `rusty-leveldb` crate) as the db_bench engine
//! `rusty-leveldb`, a peer measured beside LevelDB and oxleveldb (issue 27). Only compiled with the
//! `rusty-leveldb` feature and `--cfg oxleveldb_peers`.
//!
//! LevelDB's settings, as db_bench's flags give them: write buffer, file size, block size, open files, snappy,
//! the block cache (8 MiB unless `--cache_size` says otherwise), no bloom filter unless `--bloom_bits` sets one
//! (rusty-leveldb always writes a filter block; without bloom bits, one byte per filter, matching every key),
//! `reuse_logs` (rusty-leveldb reuses logs and the MANIFEST by default; LevelDB does neither). Its level sizes are
//! LevelDB's, fixed in the crate (10 MB for level 1).
//!
//! Its API differs from LevelDB's in three ways that shape this engine:
//! - every call takes `&mut DB`, and a `DB` shares `Rc`s with its iterators: the engine keeps it in a mutex, and
//!   an iterator holds the lock while it lives, so no two threads ever touch those `Rc`s at once;
//! - an iterator hands out copies of the current key and value (`current()`), which the engine takes at every
//!   position, as a user must;
//! - its iterator cannot seek to the last entry: readreverse is skipped;
//! - its `WriteBatch::clear` leaves a batch without its header: the engine starts a new batch instead.

use std::path::Path;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use rusty_leveldb::compressor::SnappyCompressor;
use rusty_leveldb::{
    BloomPolicy, CompressorId, DBIterator, FilterPolicy, LdbIterator, Options, WriteBatch, DB,
};

use crate::engine::{Engine, OpenOptions, OxLevelDb};

/// The database, behind the lock that every call and every live iterator holds.
pub struct RustyDb(Mutex<DB>);

// SAFETY: a `DB` is !Send and !Sync only for the `Rc`s it shares with its iterators and tables; every use of the
// database and of its iterators happens under the mutex (an iterator holds the guard until it is dropped, and its
// own `Rc`s drop before the guard), so no two threads touch them at once, and none is left to a thread that does
// not hold the lock. rusty-leveldb starts no thread of its own.
unsafe impl Send for RustyDb {}
// SAFETY: as above.
unsafe impl Sync for RustyDb {}

impl RustyDb {
    fn lock(&self) -> MutexGuard<'_, DB> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An iterator with the copy of its current entry, and the lock on its database.
pub struct RustyIter<'a> {
    // Dropped in this order: the entry and the iterator (with its `Rc`s) before the lock.
    current: Option<(Bytes, Bytes)>,
    iter: DBIterator,
    _db: MutexGuard<'a, DB>,
}

impl RustyIter<'_> {
    /// Takes the current entry (a copy, the crate's only way to read it).
    fn load(&mut self) {
        self.current = self.iter.current();
    }
}

/// No filter: a one-byte filter that matches every key. rusty-leveldb always writes a filter block, and its reader
/// asserts that each filter is not empty (its own `NoFilterPolicy`, private, would fail there).
struct NoFilter;

impl FilterPolicy for NoFilter {
    fn name(&self) -> &'static str {
        "_"
    }
    fn create_filter(&self, _keys: &[u8], _key_offsets: &[usize]) -> Vec<u8> {
        vec![0]
    }
    fn key_may_match(&self, _key: &[u8], _filter: &[u8]) -> bool {
        true
    }
}

/// rusty-leveldb 4.0.2.
pub struct RustyLevelDb;

impl Engine for RustyLevelDb {
    type Db = RustyDb;
    type Batch = WriteBatch;
    type Iter<'a> = RustyIter<'a>;
    const NAME: &'static str = "rusty-leveldb";
    const SEEKS_TO_LAST: bool = false;

    fn open(path: &Path, o: &OpenOptions) -> Result<RustyDb, String> {
        let filter_policy: Box<dyn FilterPolicy> = match o.bloom_bits {
            Some(bits) => Box::new(BloomPolicy::new(bits as u32)),
            None => Box::new(NoFilter),
        };
        let options = Options {
            create_if_missing: o.create_if_missing,
            write_buffer_size: o.write_buffer_size,
            max_file_size: o.max_file_size,
            block_size: o.block_size,
            max_open_files: o.max_open_files,
            block_cache_capacity_bytes: o.cache_size.unwrap_or(8 << 20),
            compressor: SnappyCompressor::ID,
            filter_policy: Rc::new(filter_policy),
            reuse_logs: o.reuse_logs,
            reuse_manifest: o.reuse_logs,
            ..Options::default()
        };
        DB::open(path, options)
            .map(|db| RustyDb(Mutex::new(db)))
            .map_err(|e| e.to_string())
    }

    fn destroy(path: &Path) {
        let _ = std::fs::remove_dir_all(path);
    }

    fn new_batch() -> WriteBatch {
        WriteBatch::default()
    }
    fn batch_clear(batch: &mut WriteBatch) {
        // A new batch: the crate's `clear` drops the batch's header too, and the next write then reads its
        // entries from the wrong offset (a panic).
        *batch = WriteBatch::default();
    }
    fn batch_put(batch: &mut WriteBatch, key: &[u8], value: &[u8]) {
        batch.put(key, value);
    }
    fn batch_delete(batch: &mut WriteBatch, key: &[u8]) {
        batch.delete(key);
    }
    fn write(db: &RustyDb, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        // The crate's write consumes the batch; db_bench clears it before reuse anyway.
        let batch = std::mem::take(batch);
        db.lock().write(batch, sync).map_err(|e| e.to_string())
    }
    fn put(db: &RustyDb, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        if !sync {
            return db.lock().put(key, value).map_err(|e| e.to_string());
        }
        let mut batch = WriteBatch::default();
        batch.put(key, value);
        db.lock().write(batch, true).map_err(|e| e.to_string())
    }
    fn get(db: &RustyDb, key: &[u8]) -> bool {
        db.lock().get(key).is_some()
    }

    fn new_iterator(db: &RustyDb) -> RustyIter<'_> {
        let mut guard = db.lock();
        let iter = guard.new_iter().expect("an iterator on an open database");
        RustyIter {
            current: None,
            iter,
            _db: guard,
        }
    }
    fn seek_to_first(iter: &mut RustyIter<'_>) {
        iter.iter.seek_to_first();
        iter.load();
    }
    fn seek_to_last(iter: &mut RustyIter<'_>) {
        // Not in the crate (SEEKS_TO_LAST is false, so db_bench never calls it): an invalid iterator.
        iter.iter.reset();
        iter.current = None;
    }
    fn seek(iter: &mut RustyIter<'_>, key: &[u8]) {
        iter.iter.seek(key);
        iter.load();
    }
    fn valid(iter: &RustyIter<'_>) -> bool {
        iter.current.is_some()
    }
    fn next(iter: &mut RustyIter<'_>) {
        iter.iter.advance();
        iter.load();
    }
    fn prev(iter: &mut RustyIter<'_>) {
        iter.iter.prev();
        iter.load();
    }
    fn entry<'i>(iter: &'i RustyIter<'_>) -> (&'i [u8], usize) {
        iter.current
            .as_ref()
            .map_or((&[][..], 0), |(key, value)| (&key[..], value.len()))
    }

    fn compact_range(db: &RustyDb) {
        // The whole key space: db_bench's keys are digits, below 0xff.
        let _ = db.lock().compact_range(b"", &[0xff; 64]);
    }
    fn property(_db: &RustyDb, _name: &str) -> Option<String> {
        None
    }

    // db_bench's crc32c and snappy benchmarks measure no database: oxleveldb's stand in.
    fn crc32c(data: &[u8]) -> u32 {
        OxLevelDb::crc32c(data)
    }
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
        OxLevelDb::snappy_compress(input, output)
    }
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
        OxLevelDb::snappy_uncompress(input, output)
    }
}
