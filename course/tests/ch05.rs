//! Chapter 5: the bloom filter and the filter block. Graded against LevelDB's hash values (util/hash_test.cc),
//! its false-positive rate (util/bloom_test.cc), and the filter blocks of LevelDB's tables, rebuilt from their
//! data blocks' keys, byte for byte.

use std::sync::Arc;

use course::ch05_bloom::*;
use course::fixtures::{table_layout, tables};
use course::grade::assert_same_bytes;
use oxleveldb::table::filter_block::FilterBlockReader;
use oxleveldb::table::layout::BlockKind;

#[test]
fn t1_the_hash_is_leveldbs() {
    // LevelDB's util/hash_test.cc, SignedUnsignedIssue.
    let data5: [u8; 48] = [
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, //
        0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00, //
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
    ];
    for (data, seed, expected) in [
        (&[][..], 0xbc9f1d34, 0xbc9f1d34),
        (&[0x62][..], 0xbc9f1d34, 0xef1345c4),
        (&[0xc3, 0x97][..], 0xbc9f1d34, 0x5b663814),
        (&[0xe2, 0x99, 0xa5][..], 0xbc9f1d34, 0x323c078f),
        (&[0xe1, 0x80, 0xb9, 0x32][..], 0xbc9f1d34, 0xed21633a),
        (&data5[..], 0x12345678, 0xf333dabb),
    ] {
        assert_eq!(
            leveldb_hash(data, seed),
            expected,
            "Hash({data:02x?}, {seed:#x})"
        );
    }
}

#[test]
fn t2_the_number_of_probes_is_bits_per_key_times_ln_2() {
    for (bits, k) in [
        (0, 1),
        (1, 1),
        (2, 1),
        (3, 2),
        (10, 6),
        (20, 13),
        (43, 29),
        (44, 30),
        (100, 30),
    ] {
        assert_eq!(
            BloomFilterPolicy::new(bits).k(),
            k,
            "k for {bits} bits per key"
        );
    }
}

fn key(i: u32) -> [u8; 4] {
    i.to_le_bytes()
}

#[test]
fn t3_a_filter_knows_its_keys_and_few_others() {
    let policy = BloomFilterPolicy::new(10);
    let mut empty = Vec::new();
    policy.create_filter(&[], &mut empty);
    assert_eq!(empty, [0, 0, 0, 0, 0, 0, 0, 0, 6], "64 bits, then k");
    assert!(!policy.key_may_match(b"hello", &empty));

    // LevelDB's bloom_test VaryingLengths: no false negatives, and at most 2% false positives.
    let mut length = 1;
    while length <= 10_000 {
        let keys: Vec<[u8; 4]> = (0..length).map(key).collect();
        let refs: Vec<&[u8]> = keys.iter().map(|k| &k[..]).collect();
        let mut filter = Vec::new();
        policy.create_filter(&refs, &mut filter);
        let bits = (length as usize * 10).max(64);
        assert_eq!(
            filter.len(),
            bits.div_ceil(8) + 1,
            "the filter of {length} keys"
        );
        for k in &keys {
            assert!(
                policy.key_may_match(k, &filter),
                "{length} keys: key {k:?} is in the filter"
            );
        }
        let false_positives = (0..10_000)
            .filter(|i| policy.key_may_match(&key(i + 1_000_000_000), &filter))
            .count();
        assert!(
            false_positives <= 200,
            "{length} keys: {false_positives} false positives in 10000"
        );
        length = if length < 10 {
            length + 1
        } else if length < 100 {
            length + 10
        } else {
            length + 1000
        };
    }
}

#[test]
fn t4_a_filter_block_has_a_filter_per_2_kib_of_offsets() {
    // LevelDB's filter_block_test MultiChunk.
    let mut builder = FilterBlockBuilder::new(BloomFilterPolicy::new(10));
    builder.start_block(0);
    builder.add_key(b"foo");
    builder.start_block(2000);
    builder.add_key(b"bar");
    builder.start_block(3100);
    builder.add_key(b"box");
    builder.start_block(9000);
    builder.add_key(b"box");
    builder.add_key(b"hello");
    let block = builder.finish().to_vec();
    assert_eq!(block[block.len() - 1], 11, "base_lg");
    let array =
        u32::from_le_bytes(block[block.len() - 5..block.len() - 1].try_into().unwrap()) as usize;
    assert_eq!(
        (block.len() - 5 - array) / 4,
        5,
        "filters for offsets 0, 2048, 4096, 6144, 8192"
    );

    let reader = FilterBlockReader::new(Arc::new(oxleveldb::BloomFilterPolicy::new(10)), block);
    for (offset, key, may) in [
        (0, "foo", true),
        (2000, "bar", true),
        (0, "box", false),
        (3100, "box", true),
        (3100, "foo", false),
        (4100, "box", false), // An empty filter: no key.
        (9000, "box", true),
        (9000, "hello", true),
        (9000, "foo", false),
    ] {
        assert_eq!(
            reader.key_may_match(offset, key.as_bytes()),
            may,
            "{key} at {offset}"
        );
    }
}

#[test]
fn t5_leveldbs_filter_blocks_are_rebuilt_byte_for_byte() {
    let mut checked = 0;
    for (name, path) in tables() {
        let bytes = std::fs::read(&path).unwrap();
        let layout = table_layout(&bytes);
        let Some(filter) = layout
            .blocks
            .iter()
            .find(|b| matches!(b.kind, BlockKind::Filter { .. }))
        else {
            continue;
        };
        let mut builder = FilterBlockBuilder::new(BloomFilterPolicy::new(10));
        for block in layout
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Data { .. }))
        {
            builder.start_block(block.handle.offset());
            for entry in &block.entries {
                // A table's filter holds the user keys: the internal key without its 8-byte tag.
                builder.add_key(&entry.key[..entry.key.len() - 8]);
            }
        }
        let what = format!("{name}/{}", path.file_name().unwrap().to_string_lossy());
        let start = filter.handle.offset();
        assert_same_bytes(&what, &filter.contents, builder.finish(), |at| {
            layout.describe(start + at)
        });
        checked += 1;
    }
    assert_eq!(checked, 10, "the tables of compacted and multilevel-bloom");
}
