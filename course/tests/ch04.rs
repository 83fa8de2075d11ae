//! Chapter 4: blocks. Graded against the blocks of LevelDB's tables (each data, index and metaindex block,
//! rebuilt from its entries, must be the same bytes) and against a BTreeMap for the reader's seek.

use std::collections::BTreeMap;
use std::sync::Arc;

use course::ch04_block::*;
use course::explain::block_offset;
use course::fixtures::{table_layout, tables};
use course::grade::assert_same_bytes;
use course::support::{bytewise_comparator, internal_key_comparator};
use oxleveldb::table::layout::BlockKind;
use quickcheck::{QuickCheck, TestResult};

fn build(entries: &[(Vec<u8>, Vec<u8>)], interval: usize) -> Vec<u8> {
    let mut builder = BlockBuilder::new(bytewise_comparator(), interval);
    for (k, v) in entries {
        builder.add(k, v);
    }
    builder.finish().to_vec()
}

#[test]
fn t1_a_block_is_prefix_compressed_entries_and_restarts() {
    let entries: Vec<(Vec<u8>, Vec<u8>)> = [("apple", "1"), ("apply", "22"), ("banana", "")]
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    let expected: Vec<u8> = [
        &[0, 5, 1][..],
        b"apple",
        b"1", // a restart point: the whole key
        &[4, 1, 2],
        b"y",
        b"22", // shares "appl"
        &[0, 6, 0],
        b"banana",     // shares nothing
        &[0, 0, 0, 0], // restart array: offset 0
        &[1, 0, 0, 0], // one restart
    ]
    .concat();
    let got = build(&entries, 16);
    assert_same_bytes("apple, apply, banana", &expected, &got, |at| {
        block_offset(&expected, at)
    });

    // With a restart interval of 2, the third key starts a restart point (at offset 15).
    let got = build(&entries, 2);
    let expected: Vec<u8> = [&expected[..24], &[0, 0, 0, 0, 15, 0, 0, 0, 2, 0, 0, 0][..]].concat();
    assert_same_bytes("restart interval 2", &expected, &got, |at| {
        block_offset(&expected, at)
    });
}

/// Sorted distinct keys with values, from arbitrary ones.
fn sorted(entries: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
    entries
        .into_iter()
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

#[test]
fn t2_the_size_estimate_is_the_finished_size() {
    fn prop(entries: Vec<(Vec<u8>, Vec<u8>)>, interval: u8) -> bool {
        let interval = usize::from(interval % 20) + 1;
        let mut builder = BlockBuilder::new(bytewise_comparator(), interval);
        let mut estimates = vec![builder.current_size_estimate()];
        for (k, v) in sorted(entries.clone()) {
            builder.add(&k, &v);
            estimates.push(builder.current_size_estimate());
        }
        let last = *estimates.last().unwrap();
        estimates[0] == 8 && builder.finish().len() == last
    }
    QuickCheck::new().quickcheck(prop as fn(Vec<(Vec<u8>, Vec<u8>)>, u8) -> bool);
}

#[test]
fn t3_leveldbs_blocks_are_rebuilt_byte_for_byte() {
    let mut blocks = 0;
    for (name, path) in tables() {
        let layout = table_layout(&std::fs::read(&path).unwrap());
        for block in &layout.blocks {
            // LevelDB's index block has a restart point at every entry.
            let (comparator, interval) = match block.kind {
                BlockKind::Data { .. } => (internal_key_comparator(), 16),
                BlockKind::Index => (internal_key_comparator(), 1),
                BlockKind::Metaindex => (bytewise_comparator(), 16),
                _ => continue,
            };
            let mut builder = BlockBuilder::new(comparator, interval);
            for entry in &block.entries {
                builder.add(&entry.key, &entry.value);
            }
            let what = format!(
                "{name}/{}, block at {} ({})",
                path.file_name().unwrap().to_string_lossy(),
                block.handle.offset(),
                block.kind.name()
            );
            assert_same_bytes(&what, &block.contents, builder.finish(), |at| {
                block_offset(&block.contents, at)
            });
            blocks += 1;
        }
    }
    assert!(blocks > 1000, "{blocks} blocks");
}

#[test]
fn t4_the_reader_reads_leveldbs_blocks() {
    let (_, path) = tables()
        .into_iter()
        .find(|(name, _)| *name == "uncompressed")
        .unwrap();
    let layout = table_layout(&std::fs::read(&path).unwrap());
    let icmp = internal_key_comparator();
    for block in &layout.blocks[..5] {
        let reader = BlockReader::new(block.contents.clone()).unwrap();
        let expected: Vec<(Vec<u8>, Vec<u8>)> = block
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        assert_eq!(
            reader.entries().unwrap(),
            expected,
            "block at {}",
            block.handle.offset()
        );
        for (i, (key, value)) in expected.iter().enumerate() {
            assert_eq!(
                reader.seek(&icmp, key).unwrap(),
                Some((key.clone(), value.clone())),
                "seek to entry {i} of the block at {}",
                block.handle.offset()
            );
        }
    }
}

#[test]
fn t5_seek_finds_the_first_key_at_or_after_the_target() {
    fn prop(entries: Vec<(Vec<u8>, Vec<u8>)>, targets: Vec<Vec<u8>>, interval: u8) -> TestResult {
        let interval = usize::from(interval % 5) + 1;
        let model: BTreeMap<Vec<u8>, Vec<u8>> = entries.into_iter().collect();
        let block = build(&model.clone().into_iter().collect::<Vec<_>>(), interval);
        let reader = BlockReader::new(block).unwrap();
        let all: Vec<_> = model.clone().into_iter().collect();
        if reader.entries().unwrap() != all {
            return TestResult::error("entries() differs from the entries added");
        }
        let cmp: Arc<dyn oxleveldb::Comparator> = bytewise_comparator();
        for target in targets.iter().chain(model.keys()) {
            let expected = model
                .range(target.clone()..)
                .next()
                .map(|(k, v)| (k.clone(), v.clone()));
            if reader.seek(&cmp, target).unwrap() != expected {
                return TestResult::error(format!("seek({target:?})"));
            }
        }
        TestResult::passed()
    }
    QuickCheck::new()
        .quickcheck(prop as fn(Vec<(Vec<u8>, Vec<u8>)>, Vec<Vec<u8>>, u8) -> TestResult);
}

#[test]
fn t6_bad_blocks_are_errors() {
    assert!(BlockReader::new(vec![1, 0])
        .err()
        .unwrap()
        .contains("bad block contents"));
    // Claims 100 restarts in 8 bytes.
    assert!(BlockReader::new(vec![0, 0, 0, 0, 100, 0, 0, 0])
        .err()
        .unwrap()
        .contains("bad block contents"));
    // An entry whose value runs into the restart array.
    let mut block = build(&[(b"key".to_vec(), b"value".to_vec())], 16);
    block[2] = 40;
    let reader = BlockReader::new(block).unwrap();
    assert!(reader
        .entries()
        .err()
        .unwrap()
        .contains("bad entry in block"));
}
