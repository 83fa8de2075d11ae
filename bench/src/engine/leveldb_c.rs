//! The C++ LevelDB 1.23 of the system as the db_bench engine `leveldb-c`, through its C API (`leveldb/c.h`, the
//! `system-leveldb` package's bindings, linked statically from Debian's libleveldb-dev, plus the two internals
//! db_bench measures directly: LevelDB's crc32c and the snappy library it is built with). Every call crosses the
//! C API: a `get` pays a malloc and a copy of the value, an iterator step the calls `valid`, `next`, `key` and
//! `value`, each wrapping the C++ one. The `leveldb` engine (leveldb_cpp.rs) pays none of it; this one shows the
//! difference. Only compiled with the `system-leveldb` feature.

use std::path::Path;

use crate::engine::{Engine, OpenOptions};
use system_leveldb::{
    self as c, Cache, Db, FilterPolicy, Iter, ReadOptions, WriteBatch, WriteOptions,
};

/// An open C++ LevelDB database with the read and write options db_bench uses on it.
pub struct CppDb {
    db: Db,
    read_options: ReadOptions<'static>,
    write_options: WriteOptions,
    sync_write_options: WriteOptions,
}

/// LevelDB 1.23, as installed (Debian's libleveldb-dev), through its C API.
pub struct CLevelDb;

impl Engine for CLevelDb {
    type Db = CppDb;
    type Batch = WriteBatch;
    type Iter<'a> = Iter<'a>;
    const NAME: &'static str = "leveldb-c";

    fn open(path: &Path, o: &OpenOptions) -> Result<CppDb, String> {
        let mut options = c::Options::new();
        options
            .set_create_if_missing(o.create_if_missing)
            .set_write_buffer_size(o.write_buffer_size)
            .set_max_file_size(o.max_file_size)
            .set_block_size(o.block_size)
            .set_max_open_files(o.max_open_files);
        if let Some(size) = o.cache_size {
            options.set_cache(Cache::new_lru(size));
        }
        if let Some(bits) = o.bloom_bits {
            options.set_filter_policy(FilterPolicy::new_bloom(bits));
        }
        // The C API has no reuse_logs option; db_bench's --reuse_logs applies to oxleveldb only.
        let mut sync_write_options = WriteOptions::new();
        sync_write_options.set_sync(true);
        Ok(CppDb {
            db: Db::open(&options, path)?,
            read_options: ReadOptions::new(),
            write_options: WriteOptions::new(),
            sync_write_options,
        })
    }

    fn destroy(path: &Path) {
        let _ = c::destroy_db(&c::Options::new(), path);
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
    fn write(db: &CppDb, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        let options = if sync {
            &db.sync_write_options
        } else {
            &db.write_options
        };
        db.db.write(options, batch)
    }
    fn put(db: &CppDb, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        let options = if sync {
            &db.sync_write_options
        } else {
            &db.write_options
        };
        db.db.put(options, key, value)
    }
    fn get(db: &CppDb, key: &[u8]) -> bool {
        // The value is fetched (and freed) without a copy, as a C++ caller would.
        matches!(db.db.get_with(&db.read_options, key, |_| ()), Ok(Some(())))
    }

    fn new_iterator(db: &CppDb) -> Iter<'_> {
        db.db.iter(&db.read_options)
    }
    fn seek_to_first(iter: &mut Iter<'_>) {
        iter.seek_to_first();
    }
    fn seek_to_last(iter: &mut Iter<'_>) {
        iter.seek_to_last();
    }
    fn seek(iter: &mut Iter<'_>, key: &[u8]) {
        iter.seek(key);
    }
    fn valid(iter: &Iter<'_>) -> bool {
        iter.valid()
    }
    // db_bench calls next, prev and entry only on valid iterators (it checks `valid` first), so these skip the
    // safe wrappers' extra validity check, which would add FFI calls to the C++ engine's measured loops.
    fn next(iter: &mut Iter<'_>) {
        // SAFETY: db_bench only moves a valid iterator.
        unsafe { iter.next_unchecked() };
    }
    fn prev(iter: &mut Iter<'_>) {
        // SAFETY: as above.
        unsafe { iter.prev_unchecked() };
    }
    fn entry<'i>(iter: &'i Iter<'_>) -> (&'i [u8], usize) {
        // SAFETY: db_bench only reads a valid iterator.
        unsafe { (iter.key_unchecked(), iter.value_unchecked().len()) }
    }

    fn compact_range(db: &CppDb) {
        db.db.compact_range(None, None);
    }
    fn property(db: &CppDb, name: &str) -> Option<String> {
        db.db.property(name)
    }

    fn crc32c(data: &[u8]) -> u32 {
        c::crc32c(data)
    }
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
        c::snappy_compress(input, output)
    }
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
        c::snappy_uncompress(input, output)
    }
}
