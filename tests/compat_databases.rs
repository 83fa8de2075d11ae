//! Databases written by LevelDB 1.23 open in oxleveldb (on a copy: opening replays the log into a new table) and
//! read back exactly their `expected.txt`, forwards and backwards, by iteration and by lookup; after the reopen,
//! which rewrote them, they read back the same again.

mod common;

use common::*;
use oxleveldb::{ReadOptions, DB};

/// The contents of `db` in the fixtures' `expected.txt` format, forwards; and the entries in reverse order.
fn contents(db: &DB) -> (Vec<u8>, Entries) {
    let read = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut text = String::new();
    let mut forward = Vec::new();
    for entry in db.new_iterator_opt(&read) {
        let (key, value) = entry.unwrap();
        text.push_str(&format!("{} {}\n", hex(&key), hex(&value)));
        forward.push((key, value));
    }
    let mut iter = db.new_iterator_opt(&read);
    iter.seek_to_last();
    let mut backward = Vec::new();
    while iter.valid() {
        backward.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.prev();
    }
    iter.status().unwrap();
    backward.reverse();
    assert!(
        backward == forward,
        "reverse iteration differs from forward iteration"
    );
    (text.into_bytes(), forward)
}

#[test]
#[cfg_attr(
    not(feature = "snappy"),
    ignore = "the fixtures hold snappy-compressed tables"
)]
fn fixture_databases_read_back_their_expected_contents() {
    for name in fixture_names() {
        let dir = copy_fixture_db(&name);
        for round in 0..2 {
            let db = DB::open(fixture_options(&name), dir.path()).unwrap();
            let (text, entries) = contents(&db);
            assert_matches_leveldb(&name, "expected.txt", &text);
            for (key, value) in entries.iter().step_by(7) {
                assert_eq!(
                    db.get(key).unwrap().as_ref(),
                    Some(value),
                    "{name}, round {round}"
                );
            }
            assert_eq!(db.get(b"not a key of the fixture").unwrap(), None);
        }
    }
}
