//! Chapter 6: the table builder. Graded against LevelDB's tables: each fixture table, rebuilt from its entries
//! with the options LevelDB wrote it with, must be the same bytes. A difference is named by the table's layout
//! (`oxleveldb::table::layout`): "block 3 (data, snappy-compressed), compressed contents, offset 4100".

use course::ch06_table::*;
use course::fixtures::{
    engine_options, table_entries, table_layout, table_options, tables, Entries,
};
use course::grade::assert_same_bytes;
use oxleveldb::db::dbformat::{
    append_internal_key, ParsedInternalKey, ValueType, MAX_SEQUENCE_NUMBER,
};
use oxleveldb::env::{read_file_to_string, Env, MemEnv};

fn ikey(user_key: &str, seq: u64, t: ValueType) -> Vec<u8> {
    let mut key = Vec::new();
    append_internal_key(
        &mut key,
        &ParsedInternalKey::new(user_key.as_bytes(), seq, t),
    );
    key
}

#[test]
fn t1_separators_are_short_and_between() {
    use ValueType::Value;
    // LevelDB's db/dbformat_test.cc, InternalKeyShortSeparator and InternalKeyShortestSuccessor.
    let foo = ikey("foo", 100, Value);
    for (limit, expected, why) in [
        (ikey("foo", 99, Value), foo.clone(), "the same user key"),
        (ikey("bar", 99, Value), foo.clone(), "misordered user keys"),
        (
            ikey("hello", 200, Value),
            ikey("g", MAX_SEQUENCE_NUMBER, Value),
            "different user keys",
        ),
        (
            ikey("foobar", 200, Value),
            foo.clone(),
            "start a prefix of limit",
        ),
    ] {
        assert_eq!(find_shortest_separator(&foo, &limit), expected, "{why}");
    }
    let foobar = ikey("foobar", 100, Value);
    assert_eq!(
        find_shortest_separator(&foobar, &ikey("foo", 200, Value)),
        foobar,
        "limit a prefix of start"
    );
    assert_eq!(
        find_shortest_separator(&foobar, &ikey("fp", 200, Value)),
        foobar,
        "o + 1 is not below p: no shorter user key between"
    );
    assert_eq!(
        find_short_successor(&foo),
        ikey("g", MAX_SEQUENCE_NUMBER, Value)
    );
    let high = ikey_bytes(&[0xff, b'a', b'a'], 100);
    assert_eq!(
        find_short_successor(&high),
        ikey_bytes(&[0xff, b'b'], MAX_SEQUENCE_NUMBER),
        "skips a 0xff byte"
    );
    let all_ff = ikey_bytes(&[0xff, 0xff], 100);
    assert_eq!(
        find_short_successor(&all_ff),
        all_ff,
        "no byte to increment"
    );
}

fn ikey_bytes(user_key: &[u8], seq: u64) -> Vec<u8> {
    let mut key = Vec::new();
    append_internal_key(
        &mut key,
        &ParsedInternalKey::new(user_key, seq, ValueType::Value),
    );
    key
}

#[test]
fn t2_the_footer_is_leveldbs() {
    for (name, path) in tables() {
        let bytes = std::fs::read(&path).unwrap();
        let layout = table_layout(&bytes);
        let handle = |h: oxleveldb::table::format::BlockHandle| BlockHandle {
            offset: h.offset(),
            size: h.size(),
        };
        let footer = encode_footer(
            handle(layout.footer.metaindex_handle),
            handle(layout.footer.index_handle),
        );
        let start = bytes.len() - FOOTER_LENGTH;
        let what = format!(
            "{name}/{}, footer",
            path.file_name().unwrap().to_string_lossy()
        );
        assert_same_bytes(&what, &bytes[start..], &footer, |at| {
            layout.describe(start as u64 + at)
        });
    }
}

/// The table the engine writes for `entries` with `options` (the engine writes LevelDB's bytes: the library's
/// tests/compat_tables.rs checks it on every fixture table).
fn engine_table(entries: &Entries, options: TableOptions) -> Vec<u8> {
    let env = MemEnv::default();
    let path = std::path::Path::new("/t.ldb");
    let mut builder = oxleveldb::table::TableBuilder::new(
        &engine_options(&options),
        env.new_writable_file(path).unwrap(),
    );
    for (k, v) in entries {
        builder.add(k, v);
    }
    builder.finish().unwrap();
    drop(builder);
    read_file_to_string(&env, path).unwrap()
}

fn build(entries: &Entries, options: TableOptions) -> Vec<u8> {
    let mut builder = TableBuilder::new(options);
    for (k, v) in entries {
        builder.add(k, v);
    }
    builder.finish()
}

#[test]
fn t3_a_small_table_is_leveldbs() {
    let entries: Entries = (0..300u64)
        .map(|i| {
            (
                ikey(&format!("key{:05}", i * 7), 1000 - i, ValueType::Value),
                format!("value {i} ").repeat(3).into_bytes(),
            )
        })
        .collect();
    for (what, options) in [
        (
            "one block, uncompressed",
            TableOptions {
                snappy: false,
                block_size: 1 << 20,
                ..TableOptions::default()
            },
        ),
        (
            "small blocks, uncompressed",
            TableOptions {
                snappy: false,
                block_size: 256,
                ..TableOptions::default()
            },
        ),
        (
            "small blocks, bloom filter",
            TableOptions {
                snappy: false,
                block_size: 256,
                bloom_bits_per_key: Some(10),
                ..TableOptions::default()
            },
        ),
        (
            "snappy, bloom filter",
            TableOptions {
                block_size: 1024,
                bloom_bits_per_key: Some(10),
                ..TableOptions::default()
            },
        ),
        ("an empty table", TableOptions::default()),
    ] {
        let entries = if what == "an empty table" {
            Vec::new()
        } else {
            entries.clone()
        };
        let expected = engine_table(&entries, options);
        let got = build(&entries, options);
        let layout = table_layout(&expected);
        assert_same_bytes(what, &expected, &got, |at| layout.describe(at));
    }
}

#[test]
fn t4_leveldbs_tables_are_rebuilt_byte_for_byte() {
    let mut checked = 0;
    for (name, path) in tables() {
        let expected = std::fs::read(&path).unwrap();
        let got = build(&table_entries(&path), table_options(name));
        let layout = table_layout(&expected);
        let what = format!("{name}/{}", path.file_name().unwrap().to_string_lossy());
        assert_same_bytes(&what, &expected, &got, |at| layout.describe(at));
        checked += 1;
    }
    assert_eq!(checked, 15, "every finished table of the five fixtures");
}
