//! The engines db_bench drives: oxleveldb; with the `system-leveldb` feature, the C++ LevelDB 1.23 installed on the
//! system through its C++ API (`leveldb`, as LevelDB's own db_bench calls it) and through its C API
//! (`leveldb-c`); with the peers' features and `--cfg oxleveldb_peers`, RocksDB and rusty-leveldb. All are driven
//! by the same workload code (the same keys, values and options), so their numbers compare.
//!
//! An engine answers db_bench's calls one by one, except where an engine behind a foreign-function boundary
//! would pay a crossing per step of a cheap loop: `read_sequential` (db_bench's whole ReadSequential or
//! ReadReverse loop) and `seek_found` (one SeekRandom operation) are calls of their own, which such an engine
//! runs on its side of the boundary; the others take the defaults here, built on the per-step calls.

use std::path::Path;

use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::cache::Cache;
use oxleveldb::{destroy_db, Options, WriteBatch, WriteOptions, DB};

use crate::db_bench::Stats;

/// The options db_bench opens its database with (LevelDB's `Benchmark::Open`).
#[derive(Clone, Debug)]
pub struct OpenOptions {
    pub create_if_missing: bool,
    pub write_buffer_size: usize,
    pub max_file_size: usize,
    pub block_size: usize,
    pub max_open_files: usize,
    /// Bytes of block cache; `None` lets the database make its default 8 MiB cache.
    pub cache_size: Option<usize>,
    /// Bloom filter bits per key; `None` means no filter.
    pub bloom_bits: Option<usize>,
    pub reuse_logs: bool,
    /// oxleveldb's experimental pipelined writes (LevelDB has none: its engine ignores this).
    pub pipelined_write: bool,
}

/// A database engine, as db_bench uses it. Implementations are zero-sized: everything lives in `Db`, `Batch` and
/// `Iter`, and calls are monomorphized, so the harness adds no dynamic dispatch to either engine.
pub trait Engine: 'static {
    type Db: Send + Sync;
    type Batch: Send;
    type Iter<'a>
    where
        Self: 'a;

    /// The name printed in results.
    const NAME: &'static str;

    fn open(path: &Path, options: &OpenOptions) -> Result<Self::Db, String>;
    fn destroy(path: &Path);
    /// Opens the database at `path` for transactions (oxleveldb's `TransactionDB`, with RocksDB's default
    /// `TransactionDBOptions`); `None` for an engine without transactions (LevelDB has none).
    fn open_transaction_db(
        _path: &Path,
        _options: &OpenOptions,
    ) -> Option<Result<TransactionDB, String>> {
        None
    }

    fn new_batch() -> Self::Batch;
    fn batch_clear(batch: &mut Self::Batch);
    fn batch_put(batch: &mut Self::Batch, key: &[u8], value: &[u8]);
    fn batch_delete(batch: &mut Self::Batch, key: &[u8]);
    fn write(db: &Self::Db, sync: bool, batch: &mut Self::Batch) -> Result<(), String>;
    fn put(db: &Self::Db, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String>;
    /// Looks `key` up; true if it was found (the value is fetched, as a user would).
    fn get(db: &Self::Db, key: &[u8]) -> bool;

    fn new_iterator(db: &Self::Db) -> Self::Iter<'_>;
    fn seek_to_first(iter: &mut Self::Iter<'_>);
    fn seek_to_last(iter: &mut Self::Iter<'_>);
    fn seek(iter: &mut Self::Iter<'_>, key: &[u8]);
    fn valid(iter: &Self::Iter<'_>) -> bool;
    fn next(iter: &mut Self::Iter<'_>);
    fn prev(iter: &mut Self::Iter<'_>);
    /// The current entry's key, and its value's size.
    fn entry<'i>(iter: &'i Self::Iter<'_>) -> (&'i [u8], usize);

    /// db_bench's ReadSequential (`reverse`: ReadReverse): a new iterator reads at most `reads` entries from the
    /// first (last), each step counted in `stats`; returns the bytes of keys and values read.
    fn read_sequential(db: &Self::Db, reverse: bool, reads: usize, stats: &mut Stats) -> u64 {
        walk::<Self>(db, reverse, reads, || stats.finished_single_op())
    }

    /// One operation of db_bench's SeekRandom: a new iterator seeks `key`; true if it lands on `key` itself.
    fn seek_found(db: &Self::Db, key: &[u8]) -> bool {
        let mut iter = Self::new_iterator(db);
        Self::seek(&mut iter, key);
        Self::valid(&iter) && Self::entry(&iter).0 == key
    }

    fn compact_range(db: &Self::Db);
    fn property(db: &Self::Db, name: &str) -> Option<String>;

    fn crc32c(data: &[u8]) -> u32;
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool;
    /// Uncompresses `input` into `output` (its allocation reused from one call to the next).
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool;
}

/// Walks a new iterator over at most `limit` entries from the first (`reverse`: the last), calling `step` at each;
/// returns the bytes of keys and values read.
pub(crate) fn walk<E: Engine + ?Sized>(
    db: &E::Db,
    reverse: bool,
    limit: usize,
    mut step: impl FnMut(),
) -> u64 {
    let mut iter = E::new_iterator(db);
    let mut i = 0;
    let mut bytes = 0u64;
    if reverse {
        E::seek_to_last(&mut iter);
    } else {
        E::seek_to_first(&mut iter);
    }
    while i < limit && E::valid(&iter) {
        let (key, value_len) = E::entry(&iter);
        bytes += (key.len() + value_len) as u64;
        step();
        i += 1;
        if reverse {
            E::prev(&mut iter);
        } else {
            E::next(&mut iter);
        }
    }
    bytes
}

/// oxleveldb itself.
pub struct OxLevelDb;

impl OxLevelDb {
    /// The database options db_bench's flags ask for.
    fn options(o: &OpenOptions) -> Options {
        Options {
            create_if_missing: o.create_if_missing,
            write_buffer_size: o.write_buffer_size,
            max_file_size: o.max_file_size,
            block_size: o.block_size,
            max_open_files: o.max_open_files,
            block_cache: o
                .cache_size
                .map(|size| std::sync::Arc::new(Cache::new(size))),
            filter_policy: o
                .bloom_bits
                .map(|bits| std::sync::Arc::new(BloomFilterPolicy::new(bits)) as std::sync::Arc<_>),
            reuse_logs: o.reuse_logs,
            enable_pipelined_write: o.pipelined_write,
            ..Options::default()
        }
    }
}

impl Engine for OxLevelDb {
    type Db = DB;
    type Batch = WriteBatch;
    type Iter<'a> = oxleveldb::DBIterator;
    const NAME: &'static str = "oxleveldb";

    fn open(path: &Path, o: &OpenOptions) -> Result<DB, String> {
        DB::open(OxLevelDb::options(o), path).map_err(|e| e.to_string())
    }

    fn open_transaction_db(path: &Path, o: &OpenOptions) -> Option<Result<TransactionDB, String>> {
        Some(
            TransactionDB::open(OxLevelDb::options(o), TransactionDBOptions::default(), path)
                .map_err(|e| e.to_string()),
        )
    }

    fn destroy(path: &Path) {
        let _ = destroy_db(path, &Options::default());
    }

    fn new_batch() -> WriteBatch {
        WriteBatch::new()
    }
    fn batch_clear(batch: &mut WriteBatch) {
        batch.clear();
    }
    fn batch_put(batch: &mut WriteBatch, key: &[u8], value: &[u8]) {
        batch.put(key, value);
    }
    fn batch_delete(batch: &mut WriteBatch, key: &[u8]) {
        batch.delete(key);
    }
    fn write(db: &DB, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        db.write_opt(batch, &WriteOptions { sync })
            .map_err(|e| e.to_string())
    }
    fn put(db: &DB, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        db.put_opt(key, value, &WriteOptions { sync })
            .map_err(|e| e.to_string())
    }
    fn get(db: &DB, key: &[u8]) -> bool {
        matches!(db.get(key), Ok(Some(_)))
    }

    fn new_iterator(db: &DB) -> oxleveldb::DBIterator {
        db.new_iterator()
    }
    fn seek_to_first(iter: &mut oxleveldb::DBIterator) {
        iter.seek_to_first();
    }
    fn seek_to_last(iter: &mut oxleveldb::DBIterator) {
        iter.seek_to_last();
    }
    fn seek(iter: &mut oxleveldb::DBIterator, key: &[u8]) {
        iter.seek(key);
    }
    fn valid(iter: &oxleveldb::DBIterator) -> bool {
        iter.valid()
    }
    fn next(iter: &mut oxleveldb::DBIterator) {
        oxleveldb::DBIterator::next(iter);
    }
    fn prev(iter: &mut oxleveldb::DBIterator) {
        iter.prev();
    }
    fn entry(iter: &oxleveldb::DBIterator) -> (&[u8], usize) {
        (iter.key(), iter.value().len())
    }

    fn compact_range(db: &DB) {
        let _ = db.compact_range(None, None);
    }
    fn property(db: &DB, name: &str) -> Option<String> {
        db.get_property(name)
    }

    fn crc32c(data: &[u8]) -> u32 {
        oxleveldb::util::crc::value(data)
    }
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
        oxleveldb::table::format::snappy_compress(input, output)
    }
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
        oxleveldb::table::format::snappy_uncompress(input, output)
    }
}

/// The C++ LevelDB 1.23 of the system (libleveldb-dev), through its C API.
#[cfg(feature = "system-leveldb")]
mod leveldb_c;
#[cfg(feature = "system-leveldb")]
pub use leveldb_c::CLevelDb;

/// The C++ LevelDB 1.23 of the system, through its C++ API.
#[cfg(feature = "system-leveldb")]
mod leveldb_cpp;
#[cfg(feature = "system-leveldb")]
pub use leveldb_cpp::CppLevelDb;
