//! `Options`, `ReadOptions` and `WriteOptions`: LevelDB's knobs, with LevelDB's defaults.
//!
//! They are plain structs with public fields: start from `Default::default()` and change what you need.
//! When a database opens, the numeric options are clipped to LevelDB's ranges (see [`Options::clip_to_ranges`]).

use std::fmt;
use std::sync::Arc;

use crate::db::event_listener::EventListener;
use crate::db::snapshot::Snapshot;
use crate::env::{default_env, Env, Logger};
use crate::table::block::Block;
use crate::util::cache::Cache;
use crate::util::comparator::{bytewise_comparator, Comparator};
use crate::util::filter_policy::FilterPolicy;

/// How the blocks of a table are compressed. The value is the byte stored in each block's trailer.
///
/// LevelDB: CompressionType
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompressionType {
    /// Blocks are stored as they are.
    NoCompression = 0x0,
    /// Blocks are compressed with snappy when that saves at least 12.5% (LevelDB's rule).
    SnappyCompression = 0x1,
}

/// The block cache: uncompressed data blocks, keyed by table cache id and block offset, charged by size.
pub type BlockCache = Cache<Block>;

/// The number of files of a database that are not tables (LOG, MANIFEST, CURRENT...), kept out of the table
/// cache's budget of open files.
///
/// LevelDB: kNumNonTableCacheFiles (db_impl.cc)
pub const NUM_NON_TABLE_CACHE_FILES: usize = 10;

/// Options that control a database (passed to `DB::open`) and the tables it writes. `Default` gives LevelDB's
/// defaults.
///
/// ```
/// use std::sync::Arc;
/// use oxleveldb::{BloomFilterPolicy, Cache, CompressionType, Options, DB};
///
/// let options = Options {
///     create_if_missing: true,
///     // A 4 MiB memtable, 16 KiB blocks, bloom filters, a 64 MiB block cache, no compression.
///     write_buffer_size: 4 << 20,
///     block_size: 16 << 10,
///     filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
///     block_cache: Some(Arc::new(Cache::new(64 << 20))),
///     compression: CompressionType::NoCompression,
///     ..Options::default()
/// };
/// assert_eq!(Options::default().write_buffer_size, 4 << 20);
/// let dir = tempfile::tempdir().unwrap();
/// let db = DB::open(options, dir.path()).unwrap();
/// ```
///
/// LevelDB: Options
#[derive(Clone)]
pub struct Options {
    /// The order of keys. The same comparator (by name) must be used every time a database is opened.
    pub comparator: Arc<dyn Comparator>,
    /// Create the database if it is missing.
    pub create_if_missing: bool,
    /// Fail if the database already exists.
    pub error_if_exists: bool,
    /// Check data aggressively and stop early on any corruption found (which may make more of the database
    /// unreadable, e.g. a corrupt log record stops the replay instead of being skipped).
    pub paranoid_checks: bool,
    /// The operating system interface: files, threads, the clock.
    pub env: Arc<dyn Env>,
    /// Where informational messages go; `None` writes them to a `LOG` file in the database directory.
    pub info_log: Option<Arc<dyn Logger>>,
    /// Bytes of writes to gather in memory (backed by the log) before they are sorted into a table.
    /// Clipped to [64 KiB, 1 GiB].
    pub write_buffer_size: usize,
    /// The number of files the database may keep open; the table cache gets this minus 10.
    /// Clipped to [74, 50000].
    pub max_open_files: usize,
    /// The cache of uncompressed blocks; `None` makes the database create an 8 MiB cache of its own.
    pub block_cache: Option<Arc<BlockCache>>,
    /// The approximate uncompressed size of a data block. Clipped to [1 KiB, 4 MiB].
    pub block_size: usize,
    /// Keys between restart points of prefix compression (not clipped).
    pub block_restart_interval: usize,
    /// The size at which a compaction starts a new table file. Clipped to [1 MiB, 1 GiB].
    pub max_file_size: usize,
    /// How blocks are compressed; snappy is kept only where it saves more than 12.5%.
    pub compression: CompressionType,
    /// EXPERIMENTAL: on open, append to the existing MANIFEST and log instead of starting new ones.
    pub reuse_logs: bool,
    /// A filter (such as a bloom filter) stored in each table to skip reads of blocks that miss.
    pub filter_policy: Option<Arc<dyn FilterPolicy>>,
    /// Beyond LevelDB: an observer told each step of every write, memtable flush and compaction (see
    /// [`crate::events`]). `None` (the default) costs one untaken branch per step.
    ///
    /// RocksDB: DBOptions::listeners
    pub event_listener: Option<Arc<dyn EventListener>>,
    /// Beyond LevelDB, EXPERIMENTAL: pipelined writes, as RocksDB's. A group's memtable insert overlaps the next
    /// group's log write: the writer queue hands the group to a second queue, of memtable writers, as soon as its
    /// log record is written. Off by default: the files are LevelDB's either way, and so is every guarantee
    /// (a write is visible and acknowledged only once it and every earlier write are in the memtable).
    ///
    /// RocksDB: DBOptions::enable_pipelined_write
    pub enable_pipelined_write: bool,
}

impl Default for Options {
    /// LevelDB: Options::Options
    fn default() -> Options {
        Options {
            comparator: bytewise_comparator(),
            create_if_missing: false,
            error_if_exists: false,
            paranoid_checks: false,
            env: default_env(),
            info_log: None,
            write_buffer_size: 4 * 1024 * 1024,
            max_open_files: 1000,
            block_cache: None,
            block_size: 4 * 1024,
            block_restart_interval: 16,
            max_file_size: 2 * 1024 * 1024,
            // As in LevelDB, whether or not snappy is built in: without it, blocks are stored uncompressed.
            compression: CompressionType::SnappyCompression,
            reuse_logs: false,
            filter_policy: None,
            event_listener: None,
            enable_pipelined_write: false,
        }
    }
}

/// LevelDB: ClipToRange
fn clip_to_range(value: &mut usize, minvalue: usize, maxvalue: usize) {
    *value = (*value).clamp(minvalue, maxvalue);
}

impl Options {
    /// Clips the numeric options to the ranges LevelDB accepts (the first step of LevelDB's SanitizeOptions).
    pub fn clip_to_ranges(&mut self) {
        clip_to_range(
            &mut self.max_open_files,
            64 + NUM_NON_TABLE_CACHE_FILES,
            50000,
        );
        clip_to_range(&mut self.write_buffer_size, 64 << 10, 1 << 30);
        clip_to_range(&mut self.max_file_size, 1 << 20, 1 << 30);
        clip_to_range(&mut self.block_size, 1 << 10, 4 << 20);
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("comparator", &self.comparator.name())
            .field("create_if_missing", &self.create_if_missing)
            .field("error_if_exists", &self.error_if_exists)
            .field("paranoid_checks", &self.paranoid_checks)
            .field("info_log", &self.info_log.is_some())
            .field("write_buffer_size", &self.write_buffer_size)
            .field("max_open_files", &self.max_open_files)
            .field("block_cache", &self.block_cache.is_some())
            .field("block_size", &self.block_size)
            .field("block_restart_interval", &self.block_restart_interval)
            .field("max_file_size", &self.max_file_size)
            .field("compression", &self.compression)
            .field("reuse_logs", &self.reuse_logs)
            .field(
                "filter_policy",
                &self.filter_policy.as_ref().map(|p| p.name().to_string()),
            )
            .field("event_listener", &self.event_listener.is_some())
            .field("enable_pipelined_write", &self.enable_pipelined_write)
            .finish()
    }
}

/// Options for reads.
///
/// LevelDB: ReadOptions
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Verify the checksum of every block read.
    pub verify_checksums: bool,
    /// Put the blocks this read loads into the block cache (turn off for bulk scans).
    pub fill_cache: bool,
    /// Read as of this snapshot; `None` reads the current state.
    pub snapshot: Option<Snapshot>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            verify_checksums: false,
            fill_cache: true,
            snapshot: None,
        }
    }
}

/// Options for writes.
///
/// LevelDB: WriteOptions
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// Sync the log to stable storage before the write is acknowledged: slower, but the write survives a machine
    /// crash (without it, only a process crash).
    pub sync: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_leveldbs() {
        let o = Options::default();
        assert_eq!(o.comparator.name(), "leveldb.BytewiseComparator");
        assert!(!o.create_if_missing && !o.error_if_exists && !o.paranoid_checks && !o.reuse_logs);
        assert_eq!(o.write_buffer_size, 4194304);
        assert_eq!(o.max_open_files, 1000);
        assert_eq!(o.block_size, 4096);
        assert_eq!(o.block_restart_interval, 16);
        assert_eq!(o.max_file_size, 2097152);
        assert_eq!(o.compression, CompressionType::SnappyCompression);
        assert!(o.block_cache.is_none() && o.filter_policy.is_none() && o.info_log.is_none());
        let r = ReadOptions::default();
        assert!(!r.verify_checksums && r.fill_cache && r.snapshot.is_none());
        assert!(!WriteOptions::default().sync);
    }

    #[test]
    fn clipping() {
        let mut o = Options {
            max_open_files: 1,
            write_buffer_size: 1,
            max_file_size: 1,
            block_size: 1,
            ..Default::default()
        };
        o.clip_to_ranges();
        assert_eq!(
            (
                o.max_open_files,
                o.write_buffer_size,
                o.max_file_size,
                o.block_size
            ),
            (74, 65536, 1 << 20, 1024)
        );
        let mut o = Options {
            max_open_files: 1 << 30,
            write_buffer_size: 1 << 40,
            max_file_size: 1 << 40,
            block_size: 1 << 40,
            block_restart_interval: 100000,
            ..Default::default()
        };
        o.clip_to_ranges();
        assert_eq!(
            (
                o.max_open_files,
                o.write_buffer_size,
                o.max_file_size,
                o.block_size
            ),
            (50000, 1 << 30, 1 << 30, 4 << 20)
        );
        assert_eq!(o.block_restart_interval, 100000);
    }
}
