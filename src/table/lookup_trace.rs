//! What one table lookup (`Table::internal_get`) did, for a tracer: the bloom filter's answer and where the data
//! block came from. The database gathers one per file a `get` probes (`events::FileProbe`) only while an event
//! listener is set; without one the lookup is given `None` and fills nothing.
//!
//! LevelDB: no counterpart (LevelDB's Table::InternalGet reports nothing; RocksDB's PerfContext counts the same
//! things: bloom_sst_hit_count, block_cache_hit_count, block_read_count)

/// The filter block's answer for the key in the one data block that may hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterAnswer {
    /// The table has no filter (no filter policy, or another policy's): the block is read.
    NoFilter,
    /// The filter may match: the block is read (about 1% of absent keys get this answer with 10 bits per key).
    MayMatch,
    /// The filter definitely does not match: the block is not read.
    DefinitelyNot,
}

/// Where a data block came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockSource {
    /// The block cache (`Options::block_cache`): no read from the file.
    Cache,
    /// The file: read, checked, uncompressed, and then put into the block cache.
    Disk,
    /// The file, and not put into the block cache: a raw (uncompressed) block of a memory-mapped file, which is
    /// in memory already (as LevelDB, which caches only what it had to copy), or `ReadOptions::fill_cache` off,
    /// or no block cache.
    DiskNotCached,
}

/// One lookup in one table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableLookup {
    /// The filter's answer; `NoFilter` too when the key is past the table's last block (no block to ask about).
    pub filter: FilterAnswer,
    /// The data block read, and where from; `None` when none was (the filter said no, or the key is past the
    /// table's last block).
    pub block: Option<BlockSource>,
}

impl Default for TableLookup {
    fn default() -> TableLookup {
        TableLookup {
            filter: FilterAnswer::NoFilter,
            block: None,
        }
    }
}
