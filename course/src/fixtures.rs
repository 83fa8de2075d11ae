//! The databases LevelDB 1.23 wrote (the repository's `tests/fixtures/leveldb-1.23/`), and what the tests read
//! from them with the engine: a table's entries, a log's records. The learner's code is graded against these.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxleveldb::db::dbformat::{InternalFilterPolicy, InternalKeyComparator};
use oxleveldb::env::{default_env, Env, MemEnv};
use oxleveldb::log::{Reader, Reporter};
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::table::layout::TableLayout;
use oxleveldb::table::Table;
use oxleveldb::util::filter_policy::FilterPolicy;
use oxleveldb::{bytewise_comparator, BloomFilterPolicy, CompressionType, Options, ReadOptions};

/// Key/value pairs, in order.
pub type Entries = Vec<crate::support::Entry>;

/// The fixture folder, in the workspace root's tests/.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/leveldb-1.23")
}

/// The fixtures: basic-snappy, compacted, large-values, multilevel-bloom, uncompressed.
pub const FIXTURES: [&str; 5] = [
    "basic-snappy",
    "compacted",
    "large-values",
    "multilevel-bloom",
    "uncompressed",
];

/// The files of fixture `name`'s database whose names satisfy `matches`, sorted.
pub fn files(name: &str, matches: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let dir = fixtures_dir().join(name).join("db");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| matches(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// Every finished table of every fixture (multilevel-bloom's 000158.ldb is the unfinished output of a
/// compaction that was running when LevelDB closed: it has no footer).
pub fn tables() -> Vec<(&'static str, PathBuf)> {
    FIXTURES
        .iter()
        .flat_map(|&name| {
            files(name, |f| f.ends_with(".ldb") && f != "000158.ldb")
                .into_iter()
                .map(move |p| (name, p))
        })
        .collect()
}

/// The options LevelDB wrote fixture `name`'s tables with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableOptions {
    /// The uncompressed size of a data block before it is cut (LevelDB: Options::block_size).
    pub block_size: usize,
    /// Entries between restart points in a data block (LevelDB: Options::block_restart_interval).
    pub block_restart_interval: usize,
    /// Snappy-compress a block when that saves at least 1/8 of it (LevelDB: kSnappyCompression).
    pub snappy: bool,
    /// The bloom filter's bits per key, if the table has a filter block (LevelDB: NewBloomFilterPolicy).
    pub bloom_bits_per_key: Option<usize>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            block_size: 4096,
            block_restart_interval: 16,
            snappy: true,
            bloom_bits_per_key: None,
        }
    }
}

/// The table options of fixture `name` (see tests/fixtures/leveldb-1.23/README.md).
pub fn table_options(name: &str) -> TableOptions {
    TableOptions {
        block_size: if name == "multilevel-bloom" {
            1024
        } else {
            4096
        },
        snappy: name != "uncompressed",
        bloom_bits_per_key: matches!(name, "multilevel-bloom" | "compacted").then_some(10),
        ..TableOptions::default()
    }
}

/// The engine's options for a table written with `options`: internal keys, the internal bloom filter.
pub fn engine_options(options: &TableOptions) -> Options {
    Options {
        comparator: Arc::new(InternalKeyComparator::new(bytewise_comparator())),
        filter_policy: options.bloom_bits_per_key.map(|bits| {
            Arc::new(InternalFilterPolicy::new(Arc::new(BloomFilterPolicy::new(
                bits,
            )))) as Arc<dyn FilterPolicy>
        }),
        block_size: options.block_size,
        block_restart_interval: options.block_restart_interval,
        compression: if options.snappy {
            CompressionType::SnappyCompression
        } else {
            CompressionType::NoCompression
        },
        paranoid_checks: true,
        ..Options::default()
    }
}

/// The entries of the table at `path` (internal keys), read by the engine with checksums verified.
pub fn table_entries(path: &Path) -> Entries {
    let env = default_env();
    let size = env.get_file_size(path).unwrap();
    let file = env.new_random_access_file(path).unwrap();
    let options = engine_options(&TableOptions::default());
    let table = Table::open(&options, file, size).unwrap();
    let mut iter = table.new_iterator(&ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    });
    let mut entries = Vec::new();
    iter.seek_to_first();
    while iter.valid() {
        entries.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.next();
    }
    iter.status().unwrap();
    entries
}

/// The layout of the table `bytes` (LevelDB's, so it parses): what each byte is.
pub fn table_layout(bytes: &[u8]) -> TableLayout {
    let env = MemEnv::default();
    let path = Path::new("/table.ldb");
    let mut file = env.new_writable_file(path).unwrap();
    file.append(bytes).unwrap();
    file.close().unwrap();
    let file = env.new_random_access_file(path).unwrap();
    TableLayout::read(&*file, bytes.len() as u64, "table.ldb").unwrap()
}

/// Fails the reading of a log: the engine's reader found damage.
struct Fail;

impl Reporter for Fail {
    fn corruption(&self, bytes: usize, status: &oxleveldb::Error) {
        panic!("the log does not read back: {status} ({bytes} bytes dropped)");
    }
}

/// The records of the log (or MANIFEST) at `path`, read by the engine's log reader with checksums verified.
pub fn log_records(path: &Path) -> Vec<Vec<u8>> {
    read_log(&*default_env(), path)
}

/// The records of the log `bytes`, read by the engine's log reader with checksums verified; panics, saying
/// why, on a log it cannot read.
pub fn log_records_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    let env = MemEnv::default();
    let path = Path::new("/000001.log");
    let mut file = env.new_writable_file(path).unwrap();
    file.append(bytes).unwrap();
    file.close().unwrap();
    read_log(&env, path)
}

fn read_log(env: &dyn Env, path: &Path) -> Vec<Vec<u8>> {
    let file = env.new_sequential_file(path).unwrap();
    let mut reader = Reader::new(file, Some(&Fail), true, 0);
    let mut records = Vec::new();
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        records.push(record.clone());
    }
    records
}
