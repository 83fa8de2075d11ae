//! RocksDB (the `rocksdb` crate, which compiles RocksDB's C++ in release mode, NDEBUG) as the db_bench engine
//! `rocksdb`, a peer measured beside LevelDB and oxleveldb (issue 27). Only compiled with the `rocksdb` feature
//! and `--cfg oxleveldb_peers`.
//!
//! LevelDB's settings, as db_bench's flags give them: write buffer (4 MB), target file size (2 MB), block size,
//! open files, snappy, an 8 MiB LRU block cache unless `--cache_size` says otherwise, no bloom filter unless
//! `--bloom_bits` sets one; and LevelDB's level sizes: 10 MB for level 1 (`max_bytes_for_level_base`), ten times
//! more per level, counted from level 1 (`level_compaction_dynamic_level_bytes` off: RocksDB's default sizes the
//! levels from the last one up). Everything else is RocksDB's default (two background jobs, its level-0
//! triggers).
//!
//! It is driven through the crate's Rust API, as a Rust user would: a get into a pinned slice (no copy), the raw
//! iterator (each of its calls goes through RocksDB's C API and checks validity first).

use std::path::Path;

use rocksdb::{
    BlockBasedOptions, Cache, DBCompressionType, DBRawIterator, Options, WriteBatch, WriteOptions,
    DB,
};

use crate::engine::{Engine, OpenOptions, OxLevelDb};

/// An open RocksDB database with the write options db_bench uses on it.
pub struct RocksDbHandle {
    db: DB,
    write_options: WriteOptions,
    sync_write_options: WriteOptions,
}

impl RocksDbHandle {
    fn write_options(&self, sync: bool) -> &WriteOptions {
        if sync {
            &self.sync_write_options
        } else {
            &self.write_options
        }
    }
}

/// RocksDB, release build.
pub struct RocksDb;

impl Engine for RocksDb {
    type Db = RocksDbHandle;
    type Batch = WriteBatch;
    type Iter<'a> = DBRawIterator<'a>;
    const NAME: &'static str = "rocksdb";

    fn open(path: &Path, o: &OpenOptions) -> Result<RocksDbHandle, String> {
        let mut table = BlockBasedOptions::default();
        table.set_block_size(o.block_size);
        table.set_block_cache(&Cache::new_lru_cache(o.cache_size.unwrap_or(8 << 20)));
        if let Some(bits) = o.bloom_bits {
            table.set_bloom_filter(bits as f64, false);
        }
        let mut options = Options::default();
        options.create_if_missing(o.create_if_missing);
        options.set_write_buffer_size(o.write_buffer_size);
        options.set_target_file_size_base(o.max_file_size as u64);
        options.set_max_bytes_for_level_base(10 << 20);
        options.set_level_compaction_dynamic_level_bytes(false);
        options.set_max_open_files(i32::try_from(o.max_open_files).unwrap_or(i32::MAX));
        options.set_compression_type(DBCompressionType::Snappy);
        options.set_block_based_table_factory(&table);
        let mut sync_write_options = WriteOptions::default();
        sync_write_options.set_sync(true);
        Ok(RocksDbHandle {
            db: DB::open(&options, path).map_err(|e| e.to_string())?,
            write_options: WriteOptions::default(),
            sync_write_options,
        })
    }

    fn destroy(path: &Path) {
        let _ = DB::destroy(&Options::default(), path);
    }

    fn new_batch() -> WriteBatch {
        WriteBatch::default()
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
    fn write(db: &RocksDbHandle, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        // The crate's write consumes the batch; db_bench clears it before reuse anyway.
        let batch = std::mem::take(batch);
        db.db
            .write_opt(batch, db.write_options(sync))
            .map_err(|e| e.to_string())
    }
    fn put(db: &RocksDbHandle, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        db.db
            .put_opt(key, value, db.write_options(sync))
            .map_err(|e| e.to_string())
    }
    fn get(db: &RocksDbHandle, key: &[u8]) -> bool {
        matches!(db.db.get_pinned(key), Ok(Some(_)))
    }

    fn new_iterator(db: &RocksDbHandle) -> DBRawIterator<'_> {
        db.db.raw_iterator()
    }
    fn seek_to_first(iter: &mut DBRawIterator<'_>) {
        iter.seek_to_first();
    }
    fn seek_to_last(iter: &mut DBRawIterator<'_>) {
        iter.seek_to_last();
    }
    fn seek(iter: &mut DBRawIterator<'_>, key: &[u8]) {
        iter.seek(key);
    }
    fn valid(iter: &DBRawIterator<'_>) -> bool {
        iter.valid()
    }
    fn next(iter: &mut DBRawIterator<'_>) {
        iter.next();
    }
    fn prev(iter: &mut DBRawIterator<'_>) {
        iter.prev();
    }
    fn entry<'i>(iter: &'i DBRawIterator<'_>) -> (&'i [u8], usize) {
        (
            iter.key().unwrap_or_default(),
            iter.value().map_or(0, <[u8]>::len),
        )
    }

    fn compact_range(db: &RocksDbHandle) {
        db.db.compact_range::<&[u8], &[u8]>(None, None);
    }
    fn property(db: &RocksDbHandle, name: &str) -> Option<String> {
        // LevelDB's property names, in RocksDB's namespace ("leveldb.stats" is "rocksdb.stats").
        let name = name.replacen("leveldb.", "rocksdb.", 1);
        db.db.property_value(name.as_str()).ok().flatten()
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
