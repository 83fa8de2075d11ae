//! The C++ LevelDB 1.23 of the system as the db_bench engine `leveldb`: its C++ API (`leveldb::DB`), called as
//! LevelDB's own benchmarks/db_bench.cc calls it, through the `system-leveldb` package's adapter (src/cpp_db.cc,
//! compiled -O2 -DNDEBUG like Debian's LevelDB). These are the figures oxleveldb is held to (issue 27).
//!
//! Crossings from Rust into C++, per operation: one. A `get` is one call (`DB::Get` into a `std::string` of the
//! thread); a `put` one, a batch one per `Put` plus one `DB::Write`; a SeekRandom operation one (iterator, seek,
//! compare, delete, all in C++); and a whole ReadSequential or ReadReverse is a single call for all its steps, the
//! loop of db_bench itself running in C++ (`Next()` or `Prev()`, `key()`, `value()` per step, counted as db_bench's
//! `FinishedSingleOp` counts). With `--histogram=1`, which times every step, the scan goes one step per call
//! instead (four calls per step: valid, the entry, next). Only compiled with the `system-leveldb` feature.

use std::path::Path;

use system_leveldb::cpp::{self, Db, Iter, Progress, WriteBatch};

use crate::db_bench::Stats;
use crate::engine::{walk, CLevelDb, Engine, OpenOptions};

/// LevelDB 1.23, as installed (Debian's libleveldb-dev), through its C++ API.
pub struct CppLevelDb;

impl Engine for CppLevelDb {
    type Db = Db;
    type Batch = WriteBatch;
    type Iter<'a> = Iter<'a>;
    const NAME: &'static str = "leveldb";

    fn open(path: &Path, o: &OpenOptions) -> Result<Db, String> {
        Db::open(
            &cpp::OpenOptions {
                create_if_missing: o.create_if_missing,
                reuse_logs: o.reuse_logs,
                write_buffer_size: o.write_buffer_size,
                max_file_size: o.max_file_size,
                block_size: o.block_size,
                max_open_files: o.max_open_files,
                cache_size: o.cache_size,
                bloom_bits: o.bloom_bits,
            },
            path,
        )
    }

    fn destroy(path: &Path) {
        let _ = cpp::destroy_db(path);
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
    fn write(db: &Db, sync: bool, batch: &mut WriteBatch) -> Result<(), String> {
        db.write(sync, batch)
    }
    fn put(db: &Db, sync: bool, key: &[u8], value: &[u8]) -> Result<(), String> {
        db.put(sync, key, value)
    }
    fn get(db: &Db, key: &[u8]) -> bool {
        db.get(key)
    }

    fn new_iterator(db: &Db) -> Iter<'_> {
        db.iter()
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
    // db_bench calls next, prev and entry only on valid iterators (it checks `valid` first).
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
        unsafe { iter.entry_unchecked() }
    }

    fn read_sequential(db: &Db, reverse: bool, reads: usize, stats: &mut Stats) -> u64 {
        if stats.histogram {
            return walk::<Self>(db, reverse, reads, || stats.finished_single_op());
        }
        let mut progress = Progress {
            done: stats.done,
            next_report: stats.next_report,
        };
        let bytes = db.read_sequential(reverse, reads, &mut progress);
        (stats.done, stats.next_report) = (progress.done, progress.next_report);
        bytes
    }

    fn seek_found(db: &Db, key: &[u8]) -> bool {
        db.seek_found(key)
    }

    fn compact_range(db: &Db) {
        db.compact_range();
    }
    fn property(db: &Db, name: &str) -> Option<String> {
        db.property(name)
    }

    // db_bench's crc32c and snappy benchmarks call LevelDB's internals directly, the same through either API.
    fn crc32c(data: &[u8]) -> u32 {
        CLevelDb::crc32c(data)
    }
    fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
        CLevelDb::snappy_compress(input, output)
    }
    fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
        CLevelDb::snappy_uncompress(input, output)
    }
}
