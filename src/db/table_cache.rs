//! The table cache: open tables, keyed by file number, so that reads do not reopen files.
//!
//! Opening a table reads its footer, index block and filter; the cache keeps up to `max_open_files - 10` of them
//! (charge 1 each). A table is opened from `NNNNNN.ldb`, or from the legacy `NNNNNN.sst` name. Failures are not
//! cached, so a transient error or a repaired file is retried on the next read.
//!
//! Invariant: an iterator over a cached table pins its cache entry until the iterator is dropped, as LevelDB's
//! iterator releases its handle in a cleanup function.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::event_listener::FileProbe;
use crate::db::filename::{sst_table_file_name, table_file_name};
use crate::env::Env;
use crate::error::Result;
use crate::options::{Options, ReadOptions};
use crate::table::iterator::{new_error_iterator, CleanupIterator, Iterator};
use crate::table::Table;
use crate::util::cache::{Cache, Handle};
use crate::util::coding::encode_fixed64;

/// A table's key in the cache: its file number, fixed64-encoded.
fn cache_key(file_number: u64) -> [u8; 8] {
    let mut key = [0u8; 8];
    encode_fixed64(&mut key, file_number);
    key
}

/// LevelDB: TableCache
pub struct TableCache {
    env: Arc<dyn Env>,
    dbname: PathBuf,
    options: Options,
    cache: Cache<Arc<Table>>,
}

impl TableCache {
    /// A cache of up to `entries` open tables of database `dbname`, opened with `options` (the database's
    /// sanitized options: internal key comparator and filter policy).
    ///
    /// LevelDB: TableCache::TableCache
    pub fn new(dbname: &Path, options: Options, entries: usize) -> TableCache {
        TableCache {
            env: options.env.clone(),
            dbname: dbname.to_path_buf(),
            options,
            cache: Cache::new(entries),
        }
    }

    /// The cache entry of table `file_number`, opening the table if it is not cached.
    ///
    /// LevelDB: TableCache::FindTable
    fn find_table(&self, file_number: u64, file_size: u64) -> Result<Handle<Arc<Table>>> {
        let key = cache_key(file_number);
        if let Some(handle) = self.cache.lookup(&key) {
            return Ok(handle);
        }
        self.open_table(&key, file_number, file_size)
    }

    /// The table `file_number`, for a lookup within one call: as `find_table`, with the cache entry released at
    /// once (`Cache::lookup_unpinned`); the `Arc` keeps the table open until the caller is done with it.
    ///
    /// Also says whether the table had to be opened (it was not in the cache), for a tracer.
    ///
    /// LevelDB: TableCache::FindTable, then Cache::Release once the lookup is done
    fn find_table_unpinned(&self, file_number: u64, file_size: u64) -> Result<(Arc<Table>, bool)> {
        let key = cache_key(file_number);
        if let Some(table) = self.cache.lookup_unpinned(&key, |table| Arc::clone(&**table)) {
            return Ok((table, false));
        }
        Ok((self.open_table(&key, file_number, file_size)?.value().clone(), true))
    }

    /// Opens table `file_number` and caches it under `key`.
    fn open_table(&self, key: &[u8], file_number: u64, file_size: u64) -> Result<Handle<Arc<Table>>> {
        let fname = table_file_name(&self.dbname, file_number);
        let file = match self.env.new_random_access_file(&fname) {
            Ok(file) => file,
            Err(e) => {
                // Fall back to the name LevelDB used before 1.14; if that fails too, report the first error.
                let old_fname = sst_table_file_name(&self.dbname, file_number);
                self.env.new_random_access_file(&old_fname).map_err(|_| e)?
            }
        };
        // We do not cache error results so that if the error is transient, or somebody repairs the file, we
        // recover automatically.
        let table = Table::open(&self.options, file, file_size)?;
        Ok(self.cache.insert(key, table, 1))
    }

    /// An iterator over the contents of table `file_number`; an error iterator if it cannot be opened. The
    /// iterator pins the table's cache entry until it is dropped.
    ///
    /// LevelDB: TableCache::NewIterator
    pub fn new_iterator(
        &self,
        options: &ReadOptions,
        file_number: u64,
        file_size: u64,
    ) -> Box<dyn Iterator> {
        match self.find_table(file_number, file_size) {
            // The iterator borrows the table; the cache's pin on it keeps it alive (LevelDB's RegisterCleanup).
            Ok(handle) => Box::new(CleanupIterator::borrowing(handle, |table: &Arc<Table>| {
                table.borrowing_iterator(options)
            })),
            Err(e) => new_error_iterator(e),
        }
    }

    /// Looks up internal key `k` in table `file_number`: if an entry is found at or after it, `handle_result`
    /// is called with that entry's key and value. `probe` (given only while an event listener is set) is told
    /// whether the table had to be opened, the filter's answer and where the block came from.
    ///
    /// LevelDB: TableCache::Get
    pub fn get(
        &self,
        options: &ReadOptions,
        file_number: u64,
        file_size: u64,
        k: &[u8],
        handle_result: &mut dyn FnMut(&[u8], &[u8]),
        probe: Option<&mut FileProbe>,
    ) -> Result<()> {
        let (table, opened) = self.find_table_unpinned(file_number, file_size)?;
        let Some(probe) = probe else {
            return table.internal_get(options, k, handle_result);
        };
        probe.table_opened = opened;
        table.internal_get_traced(options, k, handle_result, Some(&mut probe.lookup))
    }

    /// The approximate offset of internal key `key` in table `file_number`; 0 if the table cannot be opened.
    pub fn approximate_offset_of(&self, file_number: u64, file_size: u64, key: &[u8]) -> u64 {
        match self.find_table(file_number, file_size) {
            Ok(handle) => handle.value().approximate_offset_of(key),
            Err(_) => 0,
        }
    }

    /// Evicts any entry for the specified file number (its file is being deleted).
    ///
    /// LevelDB: TableCache::Evict
    pub fn evict(&self, file_number: u64) {
        self.cache.erase(&cache_key(file_number));
    }

}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemEnv;
    use crate::table::TableBuilder;
    use std::sync::{Mutex, Weak};

    const N: usize = 500;

    fn key(i: usize) -> Vec<u8> {
        format!("key{i:06}").into_bytes()
    }

    /// A table cache over a memory env holding table 5 with `N` entries (small blocks, so a scan reads many).
    fn cache_with_one_table() -> (TableCache, u64) {
        cache_with_one_table_of(Options::default())
    }

    /// `cache_with_one_table`, the table built and read with `options` (its env and block size replaced).
    fn cache_with_one_table_of(options: Options) -> (TableCache, u64) {
        let options = Options {
            env: Arc::new(MemEnv::default()),
            block_size: 256,
            ..options
        };
        let dbname = Path::new("/table_cache_test");
        let file = options.env.new_writable_file(&table_file_name(dbname, 5)).unwrap();
        let mut builder = TableBuilder::new(&options, file);
        for i in 0..N {
            builder.add(&key(i), format!("value{i}").as_bytes());
        }
        builder.finish().unwrap();
        let size = builder.file_size();
        (TableCache::new(dbname, options, 10), size)
    }

    /// Reads the whole table through `it`.
    fn check_all(it: &mut dyn Iterator) {
        it.seek_to_first();
        for i in 0..N {
            assert!(it.valid(), "entry {i}");
            assert_eq!(it.key(), key(i));
            assert_eq!(it.value(), format!("value{i}").as_bytes());
            it.next();
        }
        assert!(!it.valid());
        it.status().unwrap();
    }

    /// The table an iterator borrows from stays open while the iterator lives, evicted or not, and closes with the
    /// iterator: the pin on its cache entry is what keeps it (the invariant `CleanupIterator::borrowing` relies on).
    #[test]
    fn an_iterator_keeps_its_evicted_table_open() {
        let (cache, size) = cache_with_one_table();
        let mut it = cache.new_iterator(&ReadOptions::default(), 5, size);
        let table: Weak<Table> = Arc::downgrade(&cache.find_table_unpinned(5, size).unwrap().0);
        cache.evict(5);
        assert!(table.upgrade().is_some(), "the iterator's pin keeps the evicted table");
        check_all(&mut *it);
        // The cache itself may go first, too.
        drop(cache);
        check_all(&mut *it);
        drop(it);
        assert!(table.upgrade().is_none(), "the table closes with its last iterator");
    }

    /// Readers on several threads each keep iterators over the table while they evict it again and again (so it is
    /// reopened, and the copies they pinned close as their iterators go): each iterator goes on reading the table it
    /// was made over, which stays open exactly as long as it does.
    #[test]
    fn iterators_on_threads_keep_their_tables_across_evictions() {
        let (cache, size) = cache_with_one_table();
        // Held while an iterator is made and its table noted, so that no eviction comes in between.
        let making = Mutex::new(());
        let tables: Vec<Weak<Table>> = std::thread::scope(|s| {
            let mut readers = Vec::new();
            for reader in 0..4 {
                let (cache, making) = (&cache, &making);
                readers.push(s.spawn(move || {
                    let mut live: Vec<(Box<dyn Iterator>, Weak<Table>)> = Vec::new();
                    for round in 0..50 {
                        {
                            let _making = making.lock().unwrap();
                            let it = cache.new_iterator(&ReadOptions::default(), 5, size);
                            let table = Arc::downgrade(&cache.find_table_unpinned(5, size).unwrap().0);
                            live.push((it, table));
                            cache.evict(5);
                        }
                        if live.len() > 3 {
                            live.remove(0);
                        }
                        for (it, table) in &mut live {
                            assert!(table.upgrade().is_some(), "a live iterator's table is open");
                            let i = (reader * 101 + round * 37) % N;
                            it.seek(&key(i));
                            assert!(it.valid());
                            assert_eq!(it.key(), key(i));
                        }
                        check_all(&mut *live[0].0);
                    }
                    live.into_iter().map(|(_, table)| table).collect::<Vec<_>>()
                }));
            }
            readers.into_iter().flat_map(|r| r.join().unwrap()).collect()
        });
        // Every iterator is gone, and every copy of the table was evicted last: none is open any more.
        assert!(tables.iter().all(|table| table.upgrade().is_none()));
    }

    /// A traced lookup says whether the table was opened, what the bloom filter answered and where the block came
    /// from: the first lookup opens the table and reads the block from the file, the second finds both cached; a
    /// key the filter rules out reads no block.
    #[test]
    fn a_traced_get_tells_the_table_open_the_filter_answer_and_the_block_source() {
        use crate::db::event_listener::{BlockSource, FilterAnswer};
        use crate::util::bloom::BloomFilterPolicy;
        use crate::util::cache::Cache;
        let (cache, size) = cache_with_one_table_of(Options {
            block_cache: Some(Arc::new(Cache::new(1 << 20))),
            filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
            ..Options::default()
        });
        let lookup = |k: &[u8]| {
            let mut probe = FileProbe::new(0, 5);
            let mut found = false;
            cache
                .get(&ReadOptions::default(), 5, size, k, &mut |key, _| found = key == k, Some(&mut probe))
                .unwrap();
            (probe.table_opened, probe.lookup.filter, probe.lookup.block, found)
        };
        let present = key(123);
        assert_eq!(lookup(&present), (true, FilterAnswer::MayMatch, Some(BlockSource::Disk), true));
        assert_eq!(lookup(&present), (false, FilterAnswer::MayMatch, Some(BlockSource::Cache), true));
        // Absent keys in the middle of the table: with 10 bits per key, most get a certain no.
        let ruled_out = (0..N - 1)
            .map(|i| format!("key{i:06}x").into_bytes())
            .filter(|k| lookup(k) == (false, FilterAnswer::DefinitelyNot, None, false))
            .count();
        assert!(ruled_out > (N - 1) * 9 / 10, "{ruled_out}");
    }
}
