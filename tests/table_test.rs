//! The table layer through its public API: LevelDB's table_test.cc (the Harness over blocks, tables, memtables and
//! databases, MemTableTest, TableTest.ApproximateOffsetOf*), then round trips of random tables (quickcheck),
//! corruption of every byte, LevelDB's read error messages, bloom filters, the block cache, sharing between
//! threads, and a table written by LevelDB 1.23 itself (tests/fixtures/leveldb-1.23/).
//!
//! LevelDB: table/table_test.cc

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use oxleveldb::db::dbformat::{
    append_internal_key, config, parse_internal_key, InternalFilterPolicy, InternalKeyComparator,
    ParsedInternalKey, ValueType, MAX_SEQUENCE_NUMBER,
};
use oxleveldb::db::memtable::MemTable;
use oxleveldb::env::{
    default_env, read_file_to_string, write_string_to_file, Env, MemEnv, RandomAccessFile,
};
use oxleveldb::table::block::Block;
use oxleveldb::table::block_builder::BlockBuilder;
use oxleveldb::table::format::{read_block, BlockHandle, Footer};
use oxleveldb::table::iterator::Iterator as LdbIterator;
use oxleveldb::table::{Table, TableBuilder};
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::cache::Cache;
use oxleveldb::util::coding::encode_fixed32;
use oxleveldb::util::comparator::{bytewise_comparator, Comparator};
use oxleveldb::util::crc;
use oxleveldb::util::filter_policy::FilterPolicy;
use oxleveldb::util::random::Random;
use oxleveldb::{destroy_db, CompressionType, Error, Options, ReadOptions, Result, WriteBatch, DB};
use quickcheck::{Arbitrary, Gen, QuickCheck};

mod common;
use common::testutil::{between, compressible_string, random_key, random_string, RANDOM_SEED};

// ---------------------------------------------------------------------------------------------------------------
// Test helpers (LevelDB: util/testutil.cc, and the helpers at the top of table_test.cc)

/// Return reverse of "key". Used to test non-lexicographic comparators.
fn reverse(key: &[u8]) -> Vec<u8> {
    key.iter().rev().copied().collect()
}

/// LevelDB: ReverseKeyComparator (table_test.cc)
struct ReverseKeyComparator;

impl Comparator for ReverseKeyComparator {
    fn name(&self) -> &str {
        "leveldb.ReverseBytewiseComparator"
    }

    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        bytewise_comparator().compare(&reverse(a), &reverse(b))
    }

    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]) {
        let mut s = reverse(start);
        bytewise_comparator().find_shortest_separator(&mut s, &reverse(limit));
        *start = reverse(&s);
    }

    fn find_short_successor(&self, key: &mut Vec<u8>) {
        let mut s = reverse(key);
        bytewise_comparator().find_short_successor(&mut s);
        *key = reverse(&s);
    }
}

/// The smallest key after `key` in `cmp`'s order, for the two test comparators.
///
/// LevelDB: Increment (table_test.cc)
fn increment(cmp: &dyn Comparator, key: &mut Vec<u8>) {
    if cmp.name() == bytewise_comparator().name() {
        key.push(0);
    } else {
        assert_eq!(cmp.name(), ReverseKeyComparator.name());
        key.insert(0, 0);
    }
}

/// A key ordered by a `Comparator`, so that a `BTreeMap` keeps the test comparator's order.
///
/// LevelDB: STLLessThan
struct OrderedKey {
    key: Vec<u8>,
    comparator: Arc<dyn Comparator>,
}

impl PartialEq for OrderedKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for OrderedKey {}

impl PartialOrd for OrderedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.comparator.compare(&self.key, &other.key)
    }
}

/// The model: what the data structure under test must hold, in the comparator's order.
///
/// LevelDB: KVMap
type KvMap = BTreeMap<OrderedKey, Vec<u8>>;

/// Entries in the comparator's order, as the constructors take them.
type Entries = [(Vec<u8>, Vec<u8>)];

/// Entries, owned.
type EntryVec = Vec<(Vec<u8>, Vec<u8>)>;

/// Where tests keep a table: a file of a memory env, which plays the parts of LevelDB's StringSink and
/// StringSource.
const TABLE_FILE: &str = "/table";

/// Builds a table of `entries` (in the comparator's order) and returns its bytes.
fn build_table<'a>(
    options: &Options,
    entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Vec<u8> {
    let env = MemEnv::new(default_env());
    let fname = Path::new(TABLE_FILE);
    let mut builder = TableBuilder::new(options, env.new_writable_file(fname).unwrap());
    for (key, value) in entries {
        builder.add(key, value);
        assert!(builder.status().is_ok());
    }
    builder.finish().unwrap();
    builder.file().close().unwrap();
    let contents = read_file_to_string(&env, fname).unwrap();
    assert_eq!(contents.len() as u64, builder.file_size());
    contents
}

/// A file holding `contents`, to read a table from.
fn memory_file(contents: &[u8]) -> Box<dyn RandomAccessFile> {
    let env = MemEnv::new(default_env());
    write_string_to_file(&env, contents, Path::new(TABLE_FILE)).unwrap();
    env.new_random_access_file(Path::new(TABLE_FILE)).unwrap()
}

fn open_table(options: &Options, contents: Vec<u8>) -> Result<Arc<Table>> {
    Table::open(options, memory_file(&contents), contents.len() as u64)
}

/// The entry an iterator is at, or `None` ("END").
fn entry(iter: &dyn LdbIterator) -> Option<(Vec<u8>, Vec<u8>)> {
    iter.valid()
        .then(|| (iter.key().to_vec(), iter.value().to_vec()))
}

/// Every entry, from the first on.
fn scan_forward(iter: &mut dyn LdbIterator) -> EntryVec {
    let mut entries = Vec::new();
    iter.seek_to_first();
    while let Some(e) = entry(iter) {
        entries.push(e);
        iter.next();
    }
    entries
}

/// Every entry, from the last back (returned in forward order).
fn scan_backward(iter: &mut dyn LdbIterator) -> EntryVec {
    let mut entries = Vec::new();
    iter.seek_to_last();
    while let Some(e) = entry(iter) {
        entries.push(e);
        iter.prev();
    }
    entries.reverse();
    entries
}

// ---------------------------------------------------------------------------------------------------------------
// Constructors: one interface over BlockBuilder/Block, TableBuilder/Table and MemTable.

/// LevelDB: Constructor
trait Constructor {
    /// Construct the data structure from the data in "data" (sorted by options.comparator, no duplicates).
    fn finish_impl(&mut self, options: &Options, data: &Entries) -> Result<()>;

    fn new_iterator(&self) -> Box<dyn LdbIterator>;

    /// The database, for the constructor that has one.
    fn db(&self) -> Option<&DB> {
        None
    }
}

/// LevelDB: BlockConstructor
struct BlockConstructor {
    comparator: Arc<dyn Comparator>,
    block: Option<Arc<Block>>,
}

impl Constructor for BlockConstructor {
    fn finish_impl(&mut self, options: &Options, data: &Entries) -> Result<()> {
        let mut builder =
            BlockBuilder::new(options.comparator.clone(), options.block_restart_interval);
        for (key, value) in data {
            builder.add(key, value);
        }
        // Open the block.
        self.block = Some(Arc::new(Block::new(builder.finish().to_vec())));
        Ok(())
    }

    fn new_iterator(&self) -> Box<dyn LdbIterator> {
        self.block
            .as_ref()
            .unwrap()
            .new_iterator(self.comparator.clone())
    }
}

/// LevelDB: TableConstructor
struct TableConstructor {
    table: Option<Arc<Table>>,
}

impl TableConstructor {
    fn approximate_offset_of(&self, key: &[u8]) -> u64 {
        self.table.as_ref().unwrap().approximate_offset_of(key)
    }
}

impl Constructor for TableConstructor {
    fn finish_impl(&mut self, options: &Options, data: &Entries) -> Result<()> {
        let contents = build_table(options, data.iter().map(|(k, v)| (&k[..], &v[..])));
        // Open the table.
        let table_options = Options {
            comparator: options.comparator.clone(),
            ..Options::default()
        };
        self.table = Some(open_table(&table_options, contents)?);
        Ok(())
    }

    fn new_iterator(&self) -> Box<dyn LdbIterator> {
        self.table
            .as_ref()
            .unwrap()
            .new_iterator(&ReadOptions::default())
    }
}

/// A helper class that converts internal format keys into user keys.
///
/// LevelDB: KeyConvertingIterator
struct KeyConvertingIterator<I> {
    iter: I,
    /// Set when key() meets a malformed internal key.
    status: Mutex<Result<()>>,
    /// Scratch space for seek targets.
    target: Vec<u8>,
}

impl<I: LdbIterator> LdbIterator for KeyConvertingIterator<I> {
    fn valid(&self) -> bool {
        self.iter.valid()
    }
    fn seek(&mut self, target: &[u8]) {
        self.target.clear();
        append_internal_key(
            &mut self.target,
            &ParsedInternalKey::new(target, MAX_SEQUENCE_NUMBER, ValueType::Value),
        );
        self.iter.seek(&self.target);
    }
    fn seek_to_first(&mut self) {
        self.iter.seek_to_first()
    }
    fn seek_to_last(&mut self) {
        self.iter.seek_to_last()
    }
    fn next(&mut self) {
        self.iter.next()
    }
    fn prev(&mut self) {
        self.iter.prev()
    }
    fn key(&self) -> &[u8] {
        match parse_internal_key(self.iter.key()) {
            Some(key) => key.user_key,
            None => {
                *self.status.lock().unwrap() = Err(Error::corruption("malformed internal key", ""));
                b"corrupted key"
            }
        }
    }
    fn value(&self) -> &[u8] {
        self.iter.value()
    }
    fn status(&self) -> Result<()> {
        self.status
            .lock()
            .unwrap()
            .clone()
            .and_then(|()| self.iter.status())
    }
}

/// LevelDB: MemTableConstructor
struct MemTableConstructor {
    internal_comparator: InternalKeyComparator,
    memtable: Arc<MemTable>,
}

impl MemTableConstructor {
    fn new(comparator: Arc<dyn Comparator>) -> MemTableConstructor {
        let internal_comparator = InternalKeyComparator::new(comparator);
        MemTableConstructor {
            memtable: Arc::new(MemTable::new(
                internal_comparator.clone(),
                Options::default().write_buffer_size,
            )),
            internal_comparator,
        }
    }
}

impl Constructor for MemTableConstructor {
    fn finish_impl(&mut self, options: &Options, data: &Entries) -> Result<()> {
        self.memtable = Arc::new(MemTable::new(
            self.internal_comparator.clone(),
            options.write_buffer_size,
        ));
        for (seq, (key, value)) in (1..).zip(data) {
            self.memtable.add(seq, ValueType::Value, key, value);
        }
        Ok(())
    }

    fn new_iterator(&self) -> Box<dyn LdbIterator> {
        Box::new(KeyConvertingIterator {
            iter: self.memtable.new_iterator(),
            status: Mutex::new(Ok(())),
            target: Vec::new(),
        })
    }
}

/// A fresh database, written one batch per entry with a small write buffer (so that the entries are merged from
/// memtables and tables of several levels), read through `DB::new_iterator`.
///
/// LevelDB: DBConstructor
struct DbConstructor {
    comparator: Arc<dyn Comparator>,
    /// Declared before `dir`: the database closes before its directory goes.
    db: Option<DB>,
    dir: tempfile::TempDir,
}

impl DbConstructor {
    fn new(comparator: Arc<dyn Comparator>) -> DbConstructor {
        let mut constructor = DbConstructor {
            comparator,
            db: None,
            dir: tempfile::tempdir().unwrap(),
        };
        constructor.new_db();
        constructor
    }

    /// LevelDB: DBConstructor::NewDB
    fn new_db(&mut self) {
        self.db = None;
        let name = self.dir.path().join("table_testdb");
        let mut options = Options {
            comparator: self.comparator.clone(),
            ..Options::default()
        };
        destroy_db(&name, &options).unwrap();

        options.create_if_missing = true;
        options.error_if_exists = true;
        options.write_buffer_size = 10000; // Something small to force merging.
        self.db = Some(DB::open(options, &name).unwrap());
    }
}

impl Constructor for DbConstructor {
    fn finish_impl(&mut self, _options: &Options, data: &Entries) -> Result<()> {
        self.new_db();
        let db = self.db.as_ref().expect("a new database");
        for (key, value) in data {
            let mut batch = WriteBatch::new();
            batch.put(key, value);
            db.write(&batch).unwrap();
        }
        Ok(())
    }

    fn new_iterator(&self) -> Box<dyn LdbIterator> {
        Box::new(self.db.as_ref().expect("a new database").new_iterator())
    }

    fn db(&self) -> Option<&DB> {
        self.db.as_ref()
    }
}

/// LevelDB: TestType
#[derive(Clone, Copy, Debug)]
enum TestType {
    Table,
    Block,
    Memtable,
    Db,
}

/// LevelDB: TestArgs
#[derive(Clone, Copy, Debug)]
struct TestArgs {
    test_type: TestType,
    reverse_compare: bool,
    restart_interval: usize,
}

const fn args(test_type: TestType, reverse_compare: bool, restart_interval: usize) -> TestArgs {
    TestArgs {
        test_type,
        reverse_compare,
        restart_interval,
    }
}

/// LevelDB: kTestArgList
const TEST_ARG_LIST: [TestArgs; 16] = [
    args(TestType::Table, false, 16),
    args(TestType::Table, false, 1),
    args(TestType::Table, false, 1024),
    args(TestType::Table, true, 16),
    args(TestType::Table, true, 1),
    args(TestType::Table, true, 1024),
    args(TestType::Block, false, 16),
    args(TestType::Block, false, 1),
    args(TestType::Block, false, 1024),
    args(TestType::Block, true, 16),
    args(TestType::Block, true, 1),
    args(TestType::Block, true, 1024),
    // Restart interval does not matter for memtables.
    args(TestType::Memtable, false, 16),
    args(TestType::Memtable, true, 16),
    // Do not bother with restart interval variations for DB.
    args(TestType::Db, false, 16),
    args(TestType::Db, true, 16),
];

/// LevelDB: Harness
struct Harness {
    options: Options,
    constructor: Box<dyn Constructor>,
    data: KvMap,
}

impl Harness {
    /// LevelDB: Harness::Init
    fn new(args: TestArgs) -> Harness {
        let mut options = Options {
            block_restart_interval: args.restart_interval,
            // Use shorter block size for tests to exercise block boundary conditions more.
            block_size: 256,
            ..Options::default()
        };
        if args.reverse_compare {
            options.comparator = Arc::new(ReverseKeyComparator);
        }
        let comparator = options.comparator.clone();
        let constructor: Box<dyn Constructor> = match args.test_type {
            TestType::Table => Box::new(TableConstructor { table: None }),
            TestType::Block => Box::new(BlockConstructor {
                comparator: comparator.clone(),
                block: None,
            }),
            TestType::Memtable => Box::new(MemTableConstructor::new(comparator)),
            TestType::Db => Box::new(DbConstructor::new(comparator)),
        };
        Harness {
            options,
            constructor,
            data: KvMap::new(),
        }
    }

    /// LevelDB: Harness::db
    fn db(&self) -> &DB {
        self.constructor.db().expect("a DB constructor")
    }

    fn add(&mut self, key: &[u8], value: &[u8]) {
        let key = OrderedKey {
            key: key.to_vec(),
            comparator: self.options.comparator.clone(),
        };
        self.data.insert(key, value.to_vec());
    }

    /// Adds `n` entries with random keys and values of skewed lengths (keys from `random_key`'s few characters, so
    /// that they share prefixes and repeat).
    fn add_random_entries(&mut self, rnd: &mut Random, n: usize) {
        for _ in 0..n {
            let key_len = rnd.skewed(4) as usize;
            let key = random_key(rnd, key_len);
            let value_len = rnd.skewed(5) as usize;
            let value = random_string(rnd, value_len);
            self.add(&key, &value);
        }
    }

    /// Finishes the constructor with the data added so far and checks it against the model in every direction.
    ///
    /// LevelDB: Harness::Test (with Constructor::Finish)
    fn test(&mut self, rnd: &mut Random) {
        let data: EntryVec = std::mem::take(&mut self.data)
            .into_iter()
            .map(|(k, v)| (k.key, v))
            .collect();
        self.constructor.finish_impl(&self.options, &data).unwrap();

        self.test_forward_scan(&data);
        self.test_backward_scan(&data);
        self.test_random_access(rnd, &data);
    }

    /// LevelDB: Harness::TestForwardScan
    fn test_forward_scan(&self, data: &Entries) {
        let mut iter = self.constructor.new_iterator();
        assert!(!iter.valid());
        assert_eq!(scan_forward(&mut *iter), data);
    }

    /// LevelDB: Harness::TestBackwardScan
    fn test_backward_scan(&self, data: &Entries) {
        let mut iter = self.constructor.new_iterator();
        assert!(!iter.valid());
        assert_eq!(scan_backward(&mut *iter), data);
    }

    /// Random moves, with the model's position an index into `data` (`data.len()` is "END").
    ///
    /// LevelDB: Harness::TestRandomAccess
    fn test_random_access(&self, rnd: &mut Random, data: &Entries) {
        let cmp = &*self.options.comparator;
        let model = |pos: usize| data.get(pos).cloned();
        let lower_bound =
            |key: &[u8]| data.partition_point(|(k, _)| cmp.compare(k, key) == Ordering::Less);
        let mut iter = self.constructor.new_iterator();
        assert!(!iter.valid());
        let mut model_pos = 0;
        for _ in 0..200 {
            match rnd.uniform(5) {
                0 => {
                    if iter.valid() {
                        iter.next();
                        model_pos += 1;
                        assert_eq!(entry(&*iter), model(model_pos));
                    }
                }
                1 => {
                    iter.seek_to_first();
                    model_pos = 0;
                    assert_eq!(entry(&*iter), model(model_pos));
                }
                2 => {
                    let key = self.pick_random_key(rnd, data);
                    model_pos = lower_bound(&key);
                    iter.seek(&key);
                    assert_eq!(entry(&*iter), model(model_pos));
                }
                3 => {
                    if iter.valid() {
                        iter.prev();
                        // Wrap around to invalid value.
                        model_pos = model_pos.checked_sub(1).unwrap_or(data.len());
                        assert_eq!(entry(&*iter), model(model_pos));
                    }
                }
                _ => {
                    iter.seek_to_last();
                    model_pos = data.len().checked_sub(1).unwrap_or(data.len());
                    assert_eq!(entry(&*iter), model(model_pos));
                }
            }
        }
    }

    /// An existing key, or one just before or after it.
    ///
    /// LevelDB: Harness::PickRandomKey
    fn pick_random_key(&self, rnd: &mut Random, data: &Entries) -> Vec<u8> {
        if data.is_empty() {
            return b"foo".to_vec();
        }
        let index = rnd.uniform(data.len() as u32) as usize;
        let mut result = data[index].0.clone();
        match rnd.uniform(3) {
            0 => {} // Return an existing key.
            1 => {
                // Attempt to return something smaller than an existing key. LevelDB compares a (signed) char with
                // '\0', so bytes of 0x80 and above are left alone.
                if let Some(last) = result.last_mut() {
                    if (*last as i8) > 0 {
                        *last -= 1;
                    }
                }
            }
            _ => increment(&*self.options.comparator, &mut result), // Something larger than an existing key.
        }
        result
    }
}

/// Runs `body` on a fresh harness for every TestArgs.
fn for_each_test_arg(mut body: impl FnMut(&mut Harness)) {
    for args in TEST_ARG_LIST {
        let mut harness = Harness::new(args);
        body(&mut harness);
    }
}

/// Runs the harness over every TestArgs with `entries`, drawing random moves from `RANDOM_SEED + seed_offset`.
fn harness_simple(seed_offset: u32, entries: &[(&[u8], &[u8])]) {
    for_each_test_arg(|h| {
        let mut rnd = Random::new(RANDOM_SEED + seed_offset);
        for (key, value) in entries {
            h.add(key, value);
        }
        h.test(&mut rnd);
    });
}

// LevelDB: Harness.Empty — test empty table/block.
#[test]
fn harness_empty() {
    harness_simple(1, &[]);
}

// LevelDB: Harness.ZeroRestartPointsInBlock — special test for a block with no restart entries. The C++ leveldb
// code never generates such blocks, but the Java version of leveldb seems to.
#[test]
fn harness_zero_restart_points_in_block() {
    let block = Arc::new(Block::new(vec![0u8; 4]));
    let mut iter = block.new_iterator(bytewise_comparator());
    iter.seek_to_first();
    assert!(!iter.valid());
    iter.seek_to_last();
    assert!(!iter.valid());
    iter.seek(b"foo");
    assert!(!iter.valid());
}

// LevelDB: Harness.SimpleEmptyKey — test the empty key.
#[test]
fn harness_simple_empty_key() {
    harness_simple(1, &[(b"", b"v")]);
}

// LevelDB: Harness.SimpleSingle
#[test]
fn harness_simple_single() {
    harness_simple(2, &[(b"abc", b"v")]);
}

// LevelDB: Harness.SimpleMulti
#[test]
fn harness_simple_multi() {
    harness_simple(3, &[(b"abc", b"v"), (b"abcd", b"v"), (b"ac", b"v2")]);
}

// LevelDB: Harness.SimpleSpecialKey
#[test]
fn harness_simple_special_key() {
    harness_simple(4, &[(b"\xff\xff", b"v3")]);
}

// LevelDB: Harness.Randomized
#[test]
fn harness_randomized() {
    for_each_test_arg(|h| {
        let mut rnd = Random::new(RANDOM_SEED + 5);
        let mut num_entries = 0;
        while num_entries < 2000 {
            h.add_random_entries(&mut rnd, num_entries);
            h.test(&mut rnd);
            num_entries += if num_entries < 50 { 1 } else { 200 };
        }
    });
}

// LevelDB: Harness.RandomizedLongDB
#[test]
fn harness_randomized_long_db() {
    let mut rnd = Random::new(RANDOM_SEED);
    let mut h = Harness::new(args(TestType::Db, false, 16));
    h.add_random_entries(&mut rnd, 100000);
    h.test(&mut rnd);

    // We must have created enough data to force merging.
    let files: usize = (0..config::NUM_LEVELS)
        .map(|level| {
            h.db()
                .get_property(&format!("leveldb.num-files-at-level{level}"))
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert!(files > 0);
}

/// A table of `entries` (bytewise ordered) built with `options`.
fn table_constructor(options: &Options, entries: &[(&[u8], Vec<u8>)]) -> TableConstructor {
    let data: EntryVec = entries
        .iter()
        .map(|(k, v)| (k.to_vec(), v.clone()))
        .collect();
    let mut c = TableConstructor { table: None };
    c.finish_impl(options, &data).unwrap();
    c
}

// LevelDB: TableTest.ApproximateOffsetOfPlain
#[test]
fn table_approximate_offset_of_plain() {
    let options = Options {
        block_size: 1024,
        compression: CompressionType::NoCompression,
        ..Options::default()
    };
    let c = table_constructor(
        &options,
        &[
            (b"k01", b"hello".to_vec()),
            (b"k02", b"hello2".to_vec()),
            (b"k03", vec![b'x'; 10000]),
            (b"k04", vec![b'x'; 200000]),
            (b"k05", vec![b'x'; 300000]),
            (b"k06", b"hello3".to_vec()),
            (b"k07", vec![b'x'; 100000]),
        ],
    );

    assert!(between(c.approximate_offset_of(b"abc"), 0, 0));
    assert!(between(c.approximate_offset_of(b"k01"), 0, 0));
    assert!(between(c.approximate_offset_of(b"k01a"), 0, 0));
    assert!(between(c.approximate_offset_of(b"k02"), 0, 0));
    assert!(between(c.approximate_offset_of(b"k03"), 0, 0));
    assert!(between(c.approximate_offset_of(b"k04"), 10000, 11000));
    assert!(between(c.approximate_offset_of(b"k04a"), 210000, 211000));
    assert!(between(c.approximate_offset_of(b"k05"), 210000, 211000));
    assert!(between(c.approximate_offset_of(b"k06"), 510000, 511000));
    assert!(between(c.approximate_offset_of(b"k07"), 510000, 511000));
    assert!(between(c.approximate_offset_of(b"xyz"), 610000, 612000));
}

/// LevelDB: SnappyCompressionSupported
fn snappy_compression_supported() -> bool {
    let mut out = Vec::new();
    oxleveldb::table::format::snappy_compress(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &mut out)
}

// LevelDB: TableTest.ApproximateOffsetOfCompressed
#[test]
fn table_approximate_offset_of_compressed() {
    if !snappy_compression_supported() {
        eprintln!("skipping compression tests");
        return;
    }

    let mut rnd = Random::new(301);
    let k02 = compressible_string(&mut rnd, 0.25, 10000);
    let k04 = compressible_string(&mut rnd, 0.25, 10000);
    let options = Options {
        block_size: 1024,
        compression: CompressionType::SnappyCompression,
        ..Options::default()
    };
    let c = table_constructor(
        &options,
        &[
            (b"k01", b"hello".to_vec()),
            (b"k02", k02),
            (b"k03", b"hello3".to_vec()),
            (b"k04", k04),
        ],
    );

    // Expected upper and lower bounds of space used by compressible strings.
    const SLOP: u64 = 1000; // Compressor effectiveness varies.
    const EXPECTED: u64 = 2500; // 10000 * compression ratio (0.25)
    const MIN_Z: u64 = EXPECTED - SLOP;
    const MAX_Z: u64 = EXPECTED + SLOP;

    assert!(between(c.approximate_offset_of(b"abc"), 0, SLOP));
    assert!(between(c.approximate_offset_of(b"k01"), 0, SLOP));
    assert!(between(c.approximate_offset_of(b"k02"), 0, SLOP));
    // Have now emitted a large compressible string, so adjust expected offset.
    assert!(between(c.approximate_offset_of(b"k03"), MIN_Z, MAX_Z));
    assert!(between(c.approximate_offset_of(b"k04"), MIN_Z, MAX_Z));
    // Have now emitted two large compressible strings, so adjust expected offset.
    assert!(between(
        c.approximate_offset_of(b"xyz"),
        2 * MIN_Z,
        2 * MAX_Z
    ));
}

// ---------------------------------------------------------------------------------------------------------------
// Beyond table_test.cc: round trips, corruption, error messages, filters, the block cache, LevelDB's own bytes.

/// A bytewise table with a bloom filter (10 bits per key) and the given block size and compression; reads of the
/// index block and filter verify checksums.
fn filtered_options(block_size: usize, compression: CompressionType) -> Options {
    Options {
        block_size,
        compression,
        filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
        paranoid_checks: true,
        ..Options::default()
    }
}

/// The entry `internal_get` finds for `key`, if any.
fn get(table: &Table, options: &ReadOptions, key: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut found = None;
    table.internal_get(options, key, &mut |k, v| {
        found = Some((k.to_vec(), v.to_vec()))
    })?;
    Ok(found)
}

/// A random table and what to ask it.
#[derive(Clone, Debug)]
struct TableCase {
    /// Sorted, without duplicate keys.
    entries: EntryVec,
    /// Keys to seek and get, present or not.
    probes: Vec<Vec<u8>>,
    block_size: usize,
    restart_interval: usize,
    compression: CompressionType,
    bloom: bool,
    block_cache: bool,
}

/// A short key over few byte values (so keys share prefixes), including the extremes 0x00 and 0xff.
fn arbitrary_key(g: &mut Gen) -> Vec<u8> {
    let len = u32::arbitrary(g) % 12;
    (0..len)
        .map(|_| *g.choose(&[0u8, 1, b'a', b'b', b'c', 0xfe, 0xff]).unwrap())
        .collect()
}

/// An empty, short random, or long repetitive (compressible) value.
fn arbitrary_value(g: &mut Gen) -> Vec<u8> {
    match u8::arbitrary(g) % 4 {
        0 => Vec::new(),
        1 | 2 => Vec::<u8>::arbitrary(g),
        _ => {
            let unit = Vec::<u8>::arbitrary(g);
            let len = u32::arbitrary(g) as usize % 3000;
            unit.iter().copied().cycle().take(len).collect()
        }
    }
}

/// Sorts and deduplicates entries (the last value of a key wins).
fn sorted(entries: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) -> EntryVec {
    entries
        .into_iter()
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

impl Arbitrary for TableCase {
    fn arbitrary(g: &mut Gen) -> TableCase {
        let n = u32::arbitrary(g) % 400;
        TableCase {
            entries: sorted((0..n).map(|_| (arbitrary_key(g), arbitrary_value(g)))),
            probes: (0..20).map(|_| arbitrary_key(g)).collect(),
            block_size: *g.choose(&[1, 64, 256, 1024, 4096]).unwrap(),
            restart_interval: *g.choose(&[1, 2, 16, 1024]).unwrap(),
            compression: *g
                .choose(&[
                    CompressionType::NoCompression,
                    CompressionType::SnappyCompression,
                ])
                .unwrap(),
            bloom: bool::arbitrary(g),
            block_cache: bool::arbitrary(g),
        }
    }

    fn shrink(&self) -> Box<dyn std::iter::Iterator<Item = TableCase>> {
        let case = self.clone();
        Box::new(self.entries.shrink().map(move |entries| TableCase {
            entries: sorted(entries),
            ..case.clone()
        }))
    }
}

/// Builds the case's table and reads it forward, backward, by seek and by internal_get against the model.
fn table_round_trip(case: TableCase) -> bool {
    let options = Options {
        block_size: case.block_size,
        block_restart_interval: case.restart_interval,
        compression: case.compression,
        filter_policy: case
            .bloom
            .then(|| Arc::new(BloomFilterPolicy::new(10)) as Arc<dyn FilterPolicy>),
        block_cache: case.block_cache.then(|| Arc::new(Cache::new(1 << 20))),
        ..Options::default()
    };
    let entries = &case.entries;
    let table = open_table(
        &options,
        build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..]))),
    )
    .unwrap();
    let read = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut iter = table.new_iterator(&read);

    let forward = scan_forward(&mut *iter);
    assert_eq!(&forward, entries);

    let backward = scan_backward(&mut *iter);
    assert_eq!(&backward, entries);

    for probe in entries.iter().map(|(k, _)| k).chain(&case.probes) {
        let lower_bound = entries.partition_point(|(k, _)| k < probe);
        iter.seek(probe);
        assert_eq!(
            entry(&*iter).as_ref(),
            entries.get(lower_bound),
            "seek {probe:?}"
        );
        // internal_get finds the first entry at or after the key in the key's block: for a present key, the key
        // itself (a filter never hides it); for an absent one, nothing or a later key.
        let found = get(&table, &read, probe).unwrap();
        match entries.get(lower_bound) {
            Some(e) if e.0 == *probe => assert_eq!(found.as_ref(), Some(e)),
            _ => assert!(found.is_none_or(|(k, _)| k > *probe)),
        }
    }
    assert!(iter.status().is_ok());
    true
}

#[test]
fn random_tables_round_trip() {
    QuickCheck::new()
        .tests(150)
        .quickcheck(table_round_trip as fn(TableCase) -> bool);
}

/// Everything a table holds, read every way with checksums verified: the forward scan, the backward scan and a
/// get of each of `keys`. The first error stops the reading.
fn read_everything(
    options: &Options,
    contents: Vec<u8>,
    keys: &[Vec<u8>],
) -> Result<Vec<EntryVec>> {
    let table = open_table(options, contents)?;
    let read = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut iter = table.new_iterator(&read);
    let forward = scan_forward(&mut *iter);
    iter.status()?;
    let backward = scan_backward(&mut *iter);
    iter.status()?;
    let mut gets = Vec::new();
    for key in keys {
        gets.extend(get(&table, &read, key)?);
    }
    Ok(vec![forward, backward, gets])
}

fn corrupt_every_byte(compression: CompressionType) {
    let options = filtered_options(128, compression);
    let entries: EntryVec = (0..40)
        .map(|i| {
            (
                format!("key{i:03}").into_bytes(),
                format!("value{i}").repeat(i % 7 + 1).into_bytes(),
            )
        })
        .collect();
    let keys: Vec<Vec<u8>> = entries.iter().map(|(k, _)| k.clone()).collect();
    let contents = build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..])));
    let expected = vec![entries.clone(), entries.clone(), entries.clone()];
    assert_eq!(
        read_everything(&options, contents.clone(), &keys).unwrap(),
        expected
    );

    // The bytes whose corruption must be detected: the data blocks (the filter does not change them, so they end
    // where the metaindex block of the same table without a filter starts), the index block, and the magic
    // number. A corrupt filter or metaindex block is ignored (the table is read without a filter), and some
    // footer bytes are padding or re-encode the same handle: there, reads must fail or be right.
    let unfiltered = Options {
        filter_policy: None,
        ..options.clone()
    };
    let data_end = open_table(
        &unfiltered,
        build_table(&unfiltered, entries.iter().map(|(k, v)| (&k[..], &v[..]))),
    )
    .unwrap()
    .approximate_offset_of(b"\xff");
    let footer = Footer::decode_from(&contents[contents.len() - Footer::ENCODED_LENGTH..]).unwrap();
    let index_start = footer.index_handle.offset() as usize;
    let index_end = index_start + footer.index_handle.size() as usize + 5;
    let must_fail = |i: usize| {
        i < data_end as usize || (index_start..index_end).contains(&i) || i >= contents.len() - 8
    };

    let mut detected = 0;
    for i in 0..contents.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut corrupt = contents.clone();
            corrupt[i] ^= mask;
            match read_everything(&options, corrupt, &keys) {
                Err(e) => {
                    detected += 1;
                    assert!(!must_fail(i) || e.is_corruption(), "byte {i}: {e}");
                }
                Ok(read) => {
                    assert!(!must_fail(i), "byte {i} ^ {mask:#x} went unnoticed");
                    assert_eq!(read, expected, "byte {i} ^ {mask:#x}");
                }
            }
        }
    }
    eprintln!(
        "{compression:?}: {} of {} single-byte corruptions detected; data ends at {data_end}, index at \
         {index_start}..{index_end} of {}",
        detected,
        contents.len() * 3,
        contents.len()
    );
}

#[test]
fn corrupting_any_byte_fails_or_reads_right() {
    corrupt_every_byte(CompressionType::NoCompression);
    corrupt_every_byte(CompressionType::SnappyCompression);
}

/// Rewrites the type byte of the block at `handle` (and its checksum, so that only the type is wrong).
fn set_block_type(contents: &mut [u8], handle: &BlockHandle, block_type: u8) {
    let start = handle.offset() as usize;
    let end = start + handle.size() as usize;
    contents[end] = block_type;
    let crc = crc::extend(crc::value(&contents[start..end]), &[block_type]);
    encode_fixed32(&mut contents[end + 1..], crc::mask(crc));
}

#[test]
fn read_errors_use_leveldb_messages() {
    let options = Options {
        compression: CompressionType::NoCompression,
        paranoid_checks: true,
        ..Options::default()
    };
    let entries: EntryVec = (0..100)
        .map(|i| (format!("k{i:04}").into_bytes(), vec![b'v'; 100]))
        .collect();
    let contents = build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..])));
    let len = contents.len();
    let footer = Footer::decode_from(&contents[len - Footer::ENCODED_LENGTH..]).unwrap();
    let open_error =
        |contents: Vec<u8>| open_table(&options, contents).err().map(|e| e.to_string());

    assert_eq!(
        open_error(Vec::new()).unwrap(),
        "Corruption: file is too short to be an sstable"
    );
    assert_eq!(
        open_error(contents[len - 47..].to_vec()).unwrap(),
        "Corruption: file is too short to be an sstable"
    );

    let mut bad_magic = contents.clone();
    bad_magic[len - 1] ^= 1;
    assert_eq!(
        open_error(bad_magic).unwrap(),
        "Corruption: not an sstable (bad magic number)"
    );

    let mut bad_handle = contents.clone();
    bad_handle[len - 48..len - 8].fill(0xff);
    assert_eq!(
        open_error(bad_handle).unwrap(),
        "Corruption: bad block handle"
    );

    // An index block that runs past the end of the file.
    let mut truncated = contents[..len - Footer::ENCODED_LENGTH].to_vec();
    Footer {
        metaindex_handle: footer.metaindex_handle,
        index_handle: BlockHandle::new(footer.index_handle.offset(), len as u64),
    }
    .encode_to(&mut truncated);
    assert_eq!(
        open_error(truncated).unwrap(),
        "Corruption: truncated block read"
    );

    // The checksum of the index block is checked on open with paranoid_checks only.
    let mut bad_index = contents.clone();
    bad_index[footer.index_handle.offset() as usize] ^= 1;
    assert_eq!(
        open_error(bad_index.clone()).unwrap(),
        "Corruption: block checksum mismatch"
    );
    let lenient = Options {
        paranoid_checks: false,
        ..options.clone()
    };
    assert!(open_table(&lenient, bad_index).is_ok());

    let mut bad_type = contents.clone();
    set_block_type(&mut bad_type, &footer.index_handle, 2); // No zstd in LevelDB 1.23.
    assert_eq!(open_error(bad_type).unwrap(), "Corruption: bad block type");

    let mut bad_snappy = contents.clone();
    set_block_type(
        &mut bad_snappy,
        &footer.index_handle,
        CompressionType::SnappyCompression as u8,
    );
    assert_eq!(
        open_error(bad_snappy).unwrap(),
        "Corruption: corrupted compressed block contents"
    );

    // A corrupt data block is found when it is read with verify_checksums.
    let mut bad_data = contents.clone();
    bad_data[10] ^= 1;
    let table = open_table(&options, bad_data).unwrap();
    let mut iter = table.new_iterator(&ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    });
    iter.seek_to_first();
    // The iterator skips the bad block, and remembers why.
    assert!(iter.key() > &b"k0000"[..]);
    assert_eq!(
        iter.status().unwrap_err().to_string(),
        "Corruption: block checksum mismatch"
    );
    let get_error = get(
        &table,
        &ReadOptions {
            verify_checksums: true,
            ..ReadOptions::default()
        },
        b"k0000",
    );
    assert_eq!(
        get_error.unwrap_err().to_string(),
        "Corruption: block checksum mismatch"
    );
}

#[test]
fn bloom_filter_never_hides_a_present_key() {
    let options = filtered_options(4096, CompressionType::NoCompression);
    let key = |i: u32| format!("key{i:06}").into_bytes();
    // Even keys are present, odd keys absent (and between present keys of the same block).
    let entries: EntryVec = (0..10000).step_by(2).map(|i| (key(i), key(i))).collect();
    let contents = build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..])));
    let read = ReadOptions::default();

    let table = open_table(&options, contents.clone()).unwrap();
    for (k, v) in &entries {
        assert_eq!(get(&table, &read, k).unwrap(), Some((k.clone(), v.clone())));
    }
    // Without the filter nearly every absent key reaches its block (and finds the next key); with it about 1%.
    let reaching_block = |table: &Table| {
        (1..10000)
            .step_by(2)
            .filter(|&i| get(table, &read, &key(i)).unwrap().is_some())
            .count()
    };
    let with_filter = reaching_block(&table);
    let unfiltered = Options {
        filter_policy: None,
        ..options.clone()
    };
    let without_filter = reaching_block(&open_table(&unfiltered, contents.clone()).unwrap());
    eprintln!("absent keys reaching a data block: {with_filter} of 5000 with the bloom filter, {without_filter} without");
    assert!(with_filter < 5000 / 40, "{with_filter}");
    assert!(without_filter > 5000 * 9 / 10, "{without_filter}");

    // A policy of another name finds no filter in the table, and reads without one.
    struct OtherFilter;
    impl FilterPolicy for OtherFilter {
        fn name(&self) -> &str {
            "OtherFilter"
        }
        fn create_filter(&self, _keys: &[&[u8]], _dst: &mut Vec<u8>) {}
        fn key_may_match(&self, _key: &[u8], _filter: &[u8]) -> bool {
            false
        }
    }
    let other = Options {
        filter_policy: Some(Arc::new(OtherFilter)),
        ..options.clone()
    };
    let table = open_table(&other, contents).unwrap();
    assert_eq!(
        get(&table, &read, &key(42)).unwrap(),
        Some((key(42), key(42)))
    );
}

#[test]
fn block_cache_is_filled_and_pins_blocks() {
    let entries: EntryVec = (0..1000)
        .map(|i| (format!("k{i:05}").into_bytes(), vec![b'v'; 50]))
        .collect();
    let build_options = Options {
        block_size: 1024,
        compression: CompressionType::NoCompression,
        ..Options::default()
    };
    let contents = build_table(
        &build_options,
        entries.iter().map(|(k, v)| (&k[..], &v[..])),
    );
    let cache = Arc::new(Cache::new(1 << 20));
    let options = Options {
        block_cache: Some(cache.clone()),
        ..build_options.clone()
    };
    let scan = |table: &Arc<Table>, fill_cache: bool| {
        let mut iter = table.new_iterator(&ReadOptions {
            fill_cache,
            ..ReadOptions::default()
        });
        assert_eq!(scan_forward(&mut *iter), entries);
    };

    let table = open_table(&options, contents.clone()).unwrap();
    scan(&table, false);
    assert_eq!(cache.total_charge(), 0);
    scan(&table, true);
    let charge = cache.total_charge();
    // Every data block is cached once, charged its size: the entries (prefix compressed) and restart arrays.
    assert!(
        charge > entries.len() * 50 && charge < contents.len(),
        "{charge}"
    );
    scan(&table, true);
    assert_eq!(cache.total_charge(), charge);
    // Another table (even of the same file) has its own cache id.
    let same_file = open_table(&options, contents.clone()).unwrap();
    scan(&same_file, true);
    assert_eq!(cache.total_charge(), 2 * charge);

    // An iterator pins its block: prune cannot evict it until the iterator lets go.
    cache.prune();
    assert_eq!(cache.total_charge(), 0);
    let mut iter = table.new_iterator(&ReadOptions::default());
    iter.seek(b"k00500");
    let pinned = cache.total_charge();
    assert!(pinned > 0);
    cache.prune();
    assert_eq!(cache.total_charge(), pinned);
    drop(iter);
    cache.prune();
    assert_eq!(cache.total_charge(), 0);
}

#[test]
fn blocks_of_a_memory_mapped_file_are_not_cached() {
    let env = default_env();
    let dir = tempfile::tempdir().unwrap();
    let fname = dir.path().join("000001.ldb");
    let entries: EntryVec = (0..100)
        .map(|i| (format!("k{i:03}").into_bytes(), vec![b'v'; 100]))
        .collect();
    let cache = Arc::new(Cache::new(1 << 20));
    // Uncompressed blocks: a compressed block is uncompressed into memory of its own, which is cached.
    let options = Options {
        block_cache: Some(cache.clone()),
        compression: CompressionType::NoCompression,
        ..Options::default()
    };
    let mut builder = TableBuilder::new(&options, env.new_writable_file(&fname).unwrap());
    for (k, v) in &entries {
        builder.add(k, v);
    }
    builder.finish().unwrap();
    builder.file().sync().unwrap();
    builder.file().close().unwrap();
    let size = env.get_file_size(&fname).unwrap();
    assert_eq!(size, builder.file_size());

    let file = env.new_random_access_file(&fname).unwrap();
    let mapped = file.is_memory_mapped();
    let table = Table::open(&options, file, size).unwrap();
    let mut iter = table.new_iterator(&ReadOptions::default());
    assert_eq!(scan_forward(&mut *iter), entries);
    assert_eq!(cache.total_charge() == 0, mapped);
}

/// A file that records the ranges read from it and the ranges let go (`RandomAccessFile::release`), in order.
struct RecordingFile {
    target: Box<dyn RandomAccessFile>,
    /// `(released, offset, n)`: a read when `released` is false. Shared with the test, which reads it.
    events: Arc<Mutex<Vec<(bool, u64, usize)>>>,
}

impl RandomAccessFile for RecordingFile {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        self.events.lock().unwrap().push((false, offset, n));
        self.target.read(offset, n, scratch)
    }
    fn release(&self, offset: u64, n: usize) {
        self.events.lock().unwrap().push((true, offset, n));
    }
}

/// A scan that does not fill the block cache (a compaction's) lets the file go of each megabyte once it has read
/// past it, and of nothing it has not read; a scan that fills the cache lets nothing go.
#[test]
fn a_scan_that_does_not_fill_the_cache_releases_the_megabytes_it_has_read() {
    const MEGABYTE: u64 = 1 << 20;
    let mut rnd = Random::new(RANDOM_SEED);
    // Incompressible values, so that the table is as large as its entries: 3.4 MB.
    let entries: EntryVec = (0..3500)
        .map(|i| {
            (
                format!("k{i:05}").into_bytes(),
                random_string(&mut rnd, 1000),
            )
        })
        .collect();
    let contents = build_table(
        &Options::default(),
        entries.iter().map(|(k, v)| (&k[..], &v[..])),
    );
    let size = contents.len() as u64;

    for fill_cache in [false, true] {
        let events = Arc::new(Mutex::new(Vec::new()));
        let file = RecordingFile {
            target: memory_file(&contents),
            events: events.clone(),
        };
        let options = Options {
            block_cache: Some(Arc::new(Cache::new(8 << 20))),
            ..Options::default()
        };
        let table = Table::open(&options, Box::new(file), size).unwrap();
        let read_options = ReadOptions {
            fill_cache,
            ..ReadOptions::default()
        };
        assert_eq!(
            scan_forward(&mut *table.new_iterator(&read_options)),
            entries
        );

        let events = events.lock().unwrap();
        let releases: Vec<(u64, usize)> =
            events.iter().filter(|e| e.0).map(|e| (e.1, e.2)).collect();
        if fill_cache {
            assert_eq!(releases, []);
            continue;
        }
        // Whole megabytes, one after the other from the start, up to the last the data blocks went past (they
        // end between 3 and 4 MB).
        assert_eq!(size / MEGABYTE, 3, "{size}");
        let mut next = 0;
        for &(offset, n) in &releases {
            assert_eq!((offset, n as u64 % MEGABYTE), (next, 0));
            next += n as u64;
        }
        assert_eq!(next, 3 * MEGABYTE);
        // Nothing is let go before it was read.
        let mut read_end = 0;
        for &(released, offset, n) in events.iter() {
            if released {
                assert!(
                    offset + n as u64 <= read_end,
                    "released {offset}+{n} before reading past {read_end}"
                );
            } else {
                read_end = read_end.max(offset + n as u64);
            }
        }
    }
}

#[test]
fn builder_options_entries_and_abandon() {
    let env = MemEnv::new(default_env());
    let fname = Path::new(TABLE_FILE);
    let options = Options::default();
    let mut builder = TableBuilder::new(&options, env.new_writable_file(fname).unwrap());
    builder.add(b"a", b"1");
    let reverse = Options {
        comparator: Arc::new(ReverseKeyComparator),
        ..Options::default()
    };
    assert_eq!(
        builder.change_options(&reverse).unwrap_err().to_string(),
        "Invalid argument: changing comparator while building table"
    );
    // Other options may change mid-table: here the block size and restart interval.
    let smaller = Options {
        block_size: 1,
        block_restart_interval: 1,
        ..Options::default()
    };
    builder.change_options(&smaller).unwrap();
    builder.add(b"b", b"2");
    builder.add(b"c", b"3");
    assert_eq!(builder.num_entries(), 3);
    builder.finish().unwrap();
    let table = open_table(&options, read_file_to_string(&env, fname).unwrap()).unwrap();
    assert_eq!(
        get(&table, &ReadOptions::default(), b"c").unwrap(),
        Some((b"c".to_vec(), b"3".to_vec()))
    );
    // Each entry after the change is a block of its own: "c" is in the third block.
    assert!(table.approximate_offset_of(b"c") > table.approximate_offset_of(b"b"));

    let mut abandoned = TableBuilder::new(&options, env.new_writable_file(fname).unwrap());
    abandoned.add(b"a", b"1");
    abandoned.abandon();
    assert_eq!(abandoned.num_entries(), 1);
}

/// The blocks of a table, uncompressed: each index key with its data block, and the metaindex block.
fn table_blocks(contents: Vec<u8>) -> (EntryVec, Vec<u8>) {
    let footer = Footer::decode_from(&contents[contents.len() - Footer::ENCODED_LENGTH..]).unwrap();
    let file = memory_file(&contents);
    let file = &*file;
    let index = read_block(file, true, &footer.index_handle).unwrap().data;
    let mut index_iter = Arc::new(Block::new(index)).new_iterator(bytewise_comparator());
    let mut blocks = Vec::new();
    index_iter.seek_to_first();
    while index_iter.valid() {
        let handle = BlockHandle::decode_from(&mut index_iter.value()).unwrap();
        blocks.push((
            index_iter.key().to_vec(),
            read_block(file, true, &handle).unwrap().data,
        ));
        index_iter.next();
    }
    (
        blocks,
        read_block(file, true, &footer.metaindex_handle)
            .unwrap()
            .data,
    )
}

/// A table written by LevelDB 1.23 (level 1 of the multilevel-bloom fixture: internal keys, bloom filter of 10
/// bits per key, block size 1 KiB, snappy) reads back, and building its entries again cuts the same blocks with
/// the same contents and index keys, and gives the same bytes (oxleveldb compresses as C++ snappy 1.1.9 does).
#[test]
fn leveldb_table_reads_and_rebuilds_the_same_blocks() {
    if !snappy_compression_supported() {
        eprintln!("skipping: the fixture's blocks are snappy-compressed");
        return;
    }
    let original = include_bytes!("fixtures/leveldb-1.23/multilevel-bloom/db/000156.ldb").to_vec();
    let options = Options {
        comparator: Arc::new(InternalKeyComparator::new(bytewise_comparator())),
        filter_policy: Some(Arc::new(InternalFilterPolicy::new(Arc::new(
            BloomFilterPolicy::new(10),
        )))),
        block_size: 1024,
        compression: CompressionType::SnappyCompression,
        paranoid_checks: true,
        ..Options::default()
    };
    let table = open_table(&options, original.clone()).unwrap();
    let read = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut iter = table.new_iterator(&read);
    let entries = scan_forward(&mut *iter);
    assert!(iter.status().is_ok());
    // LevelDB's dump of this table starts with this entry.
    let first = parse_internal_key(&entries[0].0).unwrap();
    assert_eq!(
        (first.user_key, first.sequence),
        (&b"0000000000000304"[..], 39191)
    );
    for (k, v) in &entries {
        assert_eq!(
            get(&table, &read, k).unwrap().as_ref(),
            Some(&(k.clone(), v.clone()))
        );
    }

    let rebuilt = build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..])));
    let (original_blocks, original_metaindex) = table_blocks(original.clone());
    let (rebuilt_blocks, rebuilt_metaindex) = table_blocks(rebuilt.clone());
    assert_eq!(rebuilt_blocks.len(), original_blocks.len());
    assert!(
        rebuilt_blocks == original_blocks,
        "the data blocks or index keys differ from LevelDB's"
    );
    assert_eq!(rebuilt_metaindex.len(), original_metaindex.len());
    assert!(
        rebuilt == original,
        "the rebuilt table is not LevelDB's bytes"
    );
}

#[test]
fn tables_are_shared_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_and_sync::<Table>();
    send::<TableBuilder>();
    send::<Box<dyn LdbIterator>>();

    let entries: EntryVec = (0..1000)
        .map(|i| {
            (
                format!("k{i:04}").into_bytes(),
                format!("v{i}").into_bytes(),
            )
        })
        .collect();
    let options = Options {
        block_cache: Some(Arc::new(Cache::new(1 << 20))),
        ..Options::default()
    };
    let table = open_table(
        &options,
        build_table(&options, entries.iter().map(|(k, v)| (&k[..], &v[..]))),
    )
    .unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut iter = table.new_iterator(&ReadOptions::default());
                assert_eq!(scan_forward(&mut *iter), entries);
            });
        }
    });
}
