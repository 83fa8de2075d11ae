//! Tables written by LevelDB 1.23: every `.ldb` of the fixtures opens with checksums verified, every entry reads
//! back by iteration and by lookup, the bloom filters LevelDB wrote answer as LevelDB's do (never "absent" for a
//! key of the table, and rarely "present" for another), and `oxldb dump` prints exactly what `leveldbutil dump`
//! printed.

mod common;

use std::sync::Arc;

use common::*;
use oxleveldb::db::dbformat::{
    append_internal_key, parse_internal_key, InternalFilterPolicy, InternalKeyComparator,
    ParsedInternalKey, ValueType,
};
use oxleveldb::env::{default_env, read_file_to_string, Env, MemEnv};
use oxleveldb::table::block::Block;
use oxleveldb::table::filter_block::FilterBlockReader;
use oxleveldb::table::format::{read_block, BlockHandle, Footer};
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::table::{Table, TableBuilder};
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::comparator::bytewise_comparator;
use oxleveldb::util::filter_policy::FilterPolicy;
use oxleveldb::{CompressionType, Options, ReadOptions};

/// The options a database opens its tables with: internal keys, and the internal form of the bloom filter.
fn table_options(name: &str) -> Options {
    let user = fixture_options(name);
    Options {
        comparator: Arc::new(InternalKeyComparator::new(bytewise_comparator())),
        filter_policy: user
            .filter_policy
            .map(|p| Arc::new(InternalFilterPolicy::new(p)) as Arc<dyn FilterPolicy>),
        paranoid_checks: true,
        ..Options::default()
    }
}

fn open(path: &std::path::Path, options: &Options) -> Arc<Table> {
    let env = default_env();
    let size = env.get_file_size(path).unwrap();
    Table::open(options, env.new_random_access_file(path).unwrap(), size).unwrap()
}

/// The tables of fixture `name` that its MANIFEST lists: multilevel-bloom also holds the unfinished output of
/// a compaction that was running when LevelDB closed (000158.ldb, without a footer).
fn finished_tables(name: &str) -> Vec<std::path::PathBuf> {
    fixture_files(name, |f| {
        f.ends_with(".ldb") && !(name == "multilevel-bloom" && f == "000158.ldb")
    })
}

#[test]
fn the_unfinished_compaction_output_is_not_a_table() {
    let path = fixtures_dir().join("multilevel-bloom/db/000158.ldb");
    let env = default_env();
    let size = env.get_file_size(&path).unwrap();
    let err = Table::open(
        &Options::default(),
        env.new_random_access_file(&path).unwrap(),
        size,
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "Corruption: not an sstable (bad magic number)"
    );
}

#[test]
#[cfg_attr(
    not(feature = "snappy"),
    ignore = "the fixtures hold snappy-compressed tables"
)]
fn fixture_tables_read_back_by_iteration_and_lookup() {
    let read = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut tables = 0;
    for name in fixture_names() {
        let options = table_options(&name);
        for path in finished_tables(&name) {
            tables += 1;
            let table = open(&path, &options);
            let mut iter = table.new_iterator(&read);
            iter.seek_to_first();
            let mut entries = 0;
            while iter.valid() {
                let key = iter.key().to_vec();
                assert!(parse_internal_key(&key).is_some(), "{}", path.display());
                let mut found = None;
                table
                    .internal_get(&read, &key, &mut |k, v| {
                        found = Some((k.to_vec(), v.to_vec()))
                    })
                    .unwrap();
                assert_eq!(
                    found,
                    Some((key, iter.value().to_vec())),
                    "{}",
                    path.display()
                );
                entries += 1;
                iter.next();
            }
            iter.status().unwrap();
            assert!(entries > 0, "{}", path.display());
        }
    }
    assert_eq!(tables, 15);
}

/// The filter block of a table, read the way `Table::open` reads it.
fn filter_of(path: &std::path::Path) -> Vec<u8> {
    let env = default_env();
    let size = env.get_file_size(path).unwrap();
    let file = env.new_random_access_file(path).unwrap();
    let mut scratch = Vec::new();
    let footer = Footer::decode_from(file.read(size - 48, 48, &mut scratch).unwrap()).unwrap();
    let metaindex = Arc::new(Block::new(
        read_block(&*file, true, &footer.metaindex_handle)
            .unwrap()
            .data,
    ));
    let mut iter = metaindex.new_iterator(bytewise_comparator());
    iter.seek(b"filter.leveldb.BuiltinBloomFilter2");
    assert!(
        iter.valid() && iter.key() == b"filter.leveldb.BuiltinBloomFilter2",
        "{}",
        path.display()
    );
    let mut handle_bytes = iter.value();
    let handle = BlockHandle::decode_from(&mut handle_bytes).unwrap();
    read_block(&*file, true, &handle).unwrap().data
}

#[test]
#[cfg_attr(
    not(feature = "snappy"),
    ignore = "the fixtures hold snappy-compressed tables"
)]
fn leveldb_bloom_filters_answer_as_leveldb() {
    let policy: Arc<dyn FilterPolicy> = Arc::new(InternalFilterPolicy::new(Arc::new(
        BloomFilterPolicy::new(10),
    )));
    let icmp = Arc::new(InternalKeyComparator::new(bytewise_comparator()));
    let env = default_env();
    let mut checked = 0;
    for name in ["compacted", "multilevel-bloom"] {
        for path in finished_tables(name) {
            let reader = FilterBlockReader::new(policy.clone(), filter_of(&path));
            let size = env.get_file_size(&path).unwrap();
            let file = env.new_random_access_file(&path).unwrap();
            let mut scratch = Vec::new();
            let footer =
                Footer::decode_from(file.read(size - 48, 48, &mut scratch).unwrap()).unwrap();
            let index = Arc::new(Block::new(
                read_block(&*file, true, &footer.index_handle).unwrap().data,
            ));

            // Every key of every data block passes the filter of its block.
            let mut block_offsets = Vec::new();
            let mut present = std::collections::HashSet::new();
            let mut index_iter = index.new_iterator(icmp.clone());
            index_iter.seek_to_first();
            while index_iter.valid() {
                let mut handle_bytes = index_iter.value();
                let handle = BlockHandle::decode_from(&mut handle_bytes).unwrap();
                let block = Arc::new(Block::new(read_block(&*file, true, &handle).unwrap().data));
                let mut block_iter = block.new_iterator(icmp.clone());
                block_iter.seek_to_first();
                while block_iter.valid() {
                    assert!(
                        reader.key_may_match(handle.offset(), block_iter.key()),
                        "{}",
                        path.display()
                    );
                    present.insert(
                        parse_internal_key(block_iter.key())
                            .unwrap()
                            .user_key
                            .to_vec(),
                    );
                    block_iter.next();
                }
                block_offsets.push(handle.offset());
                index_iter.next();
            }

            // Keys that are not in the table are rarely let through (10 bits per key: about 1%).
            let (mut false_positives, mut probes) = (0, 0);
            for i in 0..2000u32 {
                let user_key = format!("absent-{i:08}").into_bytes();
                assert!(!present.contains(&user_key));
                let mut ikey = Vec::new();
                append_internal_key(
                    &mut ikey,
                    &ParsedInternalKey::new(&user_key, 1, ValueType::Value),
                );
                for &offset in &block_offsets {
                    probes += 1;
                    false_positives += usize::from(reader.key_may_match(offset, &ikey));
                }
            }
            assert!(
                false_positives * 100 < probes * 3,
                "{}: {false_positives} of {probes}",
                path.display()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

/// Every entry of `table`, in order.
fn entries(table: &Arc<Table>) -> Entries {
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

/// Builds a table from the entries of the table at `path` with `options`, in a MemEnv; returns the rebuilt table
/// and its bytes.
fn rebuild(path: &std::path::Path, options: &Options) -> (Arc<Table>, Vec<u8>) {
    let env = MemEnv::default();
    let copy = std::path::Path::new("/rebuilt.ldb");
    let mut builder = TableBuilder::new(options, env.new_writable_file(copy).unwrap());
    for (key, value) in entries(&open(path, options)) {
        builder.add(&key, &value);
    }
    builder.finish().unwrap();
    drop(builder);
    let bytes = read_file_to_string(&env, copy).unwrap();
    let table = Table::open(
        options,
        env.new_random_access_file(copy).unwrap(),
        bytes.len() as u64,
    )
    .unwrap();
    (table, bytes)
}

#[test]
fn rebuilding_the_uncompressed_fixture_table_gives_the_same_bytes() {
    let options = Options {
        compression: CompressionType::NoCompression,
        ..table_options("uncompressed")
    };
    let path = fixtures_dir().join("uncompressed/db/000005.ldb");
    let (_, rebuilt) = rebuild(&path, &options);
    let original = std::fs::read(&path).unwrap();
    assert_eq!(rebuilt.len(), original.len());
    assert!(
        rebuilt == original,
        "the rebuilt table differs from LevelDB's"
    );
}

/// oxleveldb compresses as the C++ snappy 1.1.9 LevelDB was built with, so a snappy table rebuilt from its
/// entries is the same bytes as LevelDB's (every table of the snappy fixtures).
#[test]
#[cfg_attr(
    not(feature = "snappy"),
    ignore = "the fixtures hold snappy-compressed tables"
)]
fn rebuilding_the_snappy_fixture_tables_gives_the_same_bytes() {
    if CompressionType::SnappyCompression != Options::default().compression {
        eprintln!("skipping: snappy is off");
        return;
    }
    let mut rebuilt_tables = 0;
    for name in [
        "basic-snappy",
        "large-values",
        "compacted",
        "multilevel-bloom",
    ] {
        let mut options = table_options(name);
        if name == "multilevel-bloom" {
            options.block_size = 1024;
        }
        for path in finished_tables(name) {
            let (_, rebuilt) = rebuild(&path, &options);
            let original = std::fs::read(&path).unwrap();
            let same_prefix = rebuilt
                .iter()
                .zip(&original)
                .take_while(|(a, b)| a == b)
                .count();
            assert!(
                rebuilt == original,
                "{}: differs from byte {same_prefix} on",
                path.display()
            );
            rebuilt_tables += 1;
        }
    }
    assert_eq!(rebuilt_tables, 14);
}

/// The layout of every table LevelDB wrote tiles the file, and its data blocks' entries are the table's.
#[test]
#[cfg_attr(
    not(feature = "snappy"),
    ignore = "the fixtures hold snappy-compressed tables"
)]
fn the_layout_of_leveldb_tables_tiles_them_and_holds_their_entries() {
    use oxleveldb::table::layout::{BlockKind, TableLayout};
    let env = default_env();
    for name in fixture_names() {
        let options = table_options(&name);
        for path in finished_tables(&name) {
            let size = env.get_file_size(&path).unwrap();
            let file = env.new_random_access_file(&path).unwrap();
            let layout = TableLayout::read(&*file, size, "").unwrap();
            let mut next = 0;
            for region in &layout.regions {
                assert_eq!(region.offset, next, "{}: {region:?}", path.display());
                next += region.length;
            }
            assert_eq!(next, size, "{}", path.display());
            let data: Entries = layout
                .blocks
                .iter()
                .filter(|b| matches!(b.kind, BlockKind::Data { .. }))
                .flat_map(|b| b.entries.iter().map(|e| (e.key.clone(), e.value.clone())))
                .collect();
            assert_eq!(data, entries(&open(&path, &options)), "{}", path.display());
        }
    }
}
