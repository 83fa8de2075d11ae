//! The table cache: open tables, keyed by file number, so that reads do not reopen files.
//!
//! Opening a table reads its footer, index block and filter; the cache keeps up to `max_open_files - 10` of them
//! (charge 1 each). A table is opened from `NNNNNN.ldb`, or from the legacy `NNNNNN.sst` name. Failures are not
//! cached, so a transient error or a repaired file is retried on the next read.
//!
//! Invariant: an iterator over a cached table pins its cache entry until the iterator is dropped, as LevelDB's
//! iterator releases its handle in a cleanup function.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::filename::{sst_table_file_name, table_file_name};
use crate::env::Env;
use crate::error::Result;
use crate::options::{Options, ReadOptions};
use crate::table::iterator::{new_error_iterator, Iterator};
use crate::table::Table;
use crate::util::cache::{Cache, Handle};
use crate::util::coding::encode_fixed64;

/// A table's key in the cache: its file number, fixed64-encoded.
fn cache_key(file_number: u64) -> [u8; 8] {
    let mut key = [0u8; 8];
    encode_fixed64(&mut key, file_number);
    key
}

/// A table, pinned in the cache while this lives.
struct PinnedTable(Handle<Arc<Table>>);

impl Deref for PinnedTable {
    type Target = Table;
    fn deref(&self) -> &Table {
        self.0.value()
    }
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
    /// LevelDB: TableCache::FindTable, then Cache::Release once the lookup is done
    fn find_table_unpinned(&self, file_number: u64, file_size: u64) -> Result<Arc<Table>> {
        let key = cache_key(file_number);
        if let Some(table) = self.cache.lookup_unpinned(&key, |table| Arc::clone(&**table)) {
            return Ok(table);
        }
        Ok(self.open_table(&key, file_number, file_size)?.value().clone())
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
            Ok(handle) => Table::iterator_of(PinnedTable(handle), options),
            Err(e) => new_error_iterator(e),
        }
    }

    /// Looks up internal key `k` in table `file_number`: if an entry is found at or after it, `handle_result`
    /// is called with that entry's key and value.
    ///
    /// LevelDB: TableCache::Get
    pub fn get(
        &self,
        options: &ReadOptions,
        file_number: u64,
        file_size: u64,
        k: &[u8],
        handle_result: &mut dyn FnMut(&[u8], &[u8]),
    ) -> Result<()> {
        self.find_table_unpinned(file_number, file_size)?
            .internal_get(options, k, handle_result)
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
