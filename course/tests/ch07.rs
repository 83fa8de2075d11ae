//! Chapter 7: version edits and the MANIFEST. Graded against LevelDB's MANIFESTs: every edit, decoded and
//! encoded again, must be the same bytes; replaying them must give the files each fixture database holds.

use std::collections::BTreeSet;

use course::ch07_manifest::*;
use course::explain::edit_offset;
use course::fixtures::{files, log_records, table_entries, FIXTURES};
use course::grade::assert_same_bytes;
use oxleveldb::db::version_edit;
use quickcheck::{Arbitrary, Gen, QuickCheck};

#[test]
fn t1_an_edit_is_tagged_fields() {
    let edit = VersionEdit {
        comparator: Some("leveldb.BytewiseComparator".to_string()),
        log_number: Some(5),
        next_file_number: Some(300),
        last_sequence: Some(9),
        deleted_files: [(2, 4)].into_iter().collect(),
        ..VersionEdit::default()
    };
    let expected: Vec<u8> = [
        &[1, 26][..],
        b"leveldb.BytewiseComparator",
        &[2, 5],       // log number
        &[3, 0xac, 2], // next file number 300
        &[4, 9],       // last sequence
        &[6, 2, 4],    // deleted file: level 2, number 4
    ]
    .concat();
    let got = edit.encode();
    assert_same_bytes("the edit", &expected, &got, |at| edit_offset(&expected, at));
    assert_eq!(VersionEdit::decode(&expected), Ok(edit));
}

/// An internal key for the properties.
fn key(g: &mut Gen) -> Vec<u8> {
    let mut key = format!("{:08}", u32::arbitrary(g) % 1000).into_bytes();
    key.extend_from_slice(&((u64::arbitrary(g) >> 8) << 8 | 1).to_le_bytes());
    key
}

#[derive(Clone, Debug)]
struct Edit(VersionEdit);

impl Arbitrary for Edit {
    fn arbitrary(g: &mut Gen) -> Self {
        let level = |g: &mut Gen| usize::arbitrary(g) % NUM_LEVELS;
        let some = |g: &mut Gen| bool::arbitrary(g).then(|| u64::arbitrary(g));
        Edit(VersionEdit {
            comparator: bool::arbitrary(g).then(|| String::arbitrary(g)),
            log_number: some(g),
            prev_log_number: some(g),
            next_file_number: some(g),
            last_sequence: some(g).map(|s| s >> 8),
            compact_pointers: (0..usize::arbitrary(g) % 3)
                .map(|_| (level(g), key(g)))
                .collect(),
            deleted_files: (0..usize::arbitrary(g) % 4)
                .map(|_| (level(g), u64::arbitrary(g)))
                .collect(),
            new_files: (0..usize::arbitrary(g) % 4)
                .map(|_| {
                    let file = FileMetaData {
                        number: u64::arbitrary(g),
                        file_size: u64::arbitrary(g),
                        smallest: key(g),
                        largest: key(g),
                    };
                    (level(g), file)
                })
                .collect(),
        })
    }
}

#[test]
fn t2_an_edit_decodes_to_itself() {
    fn prop(edit: Edit) -> bool {
        VersionEdit::decode(&edit.0.encode()) == Ok(edit.0)
    }
    QuickCheck::new().quickcheck(prop as fn(Edit) -> bool);
}

#[test]
fn t3_bad_edits_name_the_field() {
    for (bytes, field) in [
        (&[8u8, 1][..], "unknown tag"),
        (&[0x80u8][..], "invalid tag"), // A tag varint cut short.
        (&[1, 5, b'a'][..], "comparator name"),
        (&[2][..], "log number"),
        (&[5, 7, 0][..], "compaction pointer"), // Level 7 does not exist.
        (&[6, 1][..], "deleted file"),
        (&[7, 0, 1, 2, 3, b'a'][..], "new-file entry"),
    ] {
        let error = VersionEdit::decode(bytes).expect_err("bad bytes must not decode");
        assert!(
            error.contains(field),
            "{bytes:?}: {error:?} should name {field:?}"
        );
    }
}

/// Checks `got`, decoded from `record`, field by field against the engine's decoding of it (which prints
/// every fixture MANIFEST as `leveldbutil dump` did: the library's tests/compat_manifest.rs).
fn assert_same_edit(what: &str, got: &VersionEdit, record: &[u8]) {
    let e = version_edit::VersionEdit::decode_from(record).unwrap();
    assert_eq!(
        got.comparator.as_deref(),
        e.comparator(),
        "{what}: comparator"
    );
    assert_eq!(
        [
            got.log_number,
            got.prev_log_number,
            got.next_file_number,
            got.last_sequence
        ],
        [
            e.log_number(),
            e.prev_log_number(),
            e.next_file_number(),
            e.last_sequence()
        ],
        "{what}: log number, prev log number, next file number, last sequence"
    );
    let pointers: Vec<(usize, Vec<u8>)> = e
        .compact_pointers()
        .iter()
        .map(|(l, k)| (*l, k.encode().to_vec()))
        .collect();
    assert_eq!(got.compact_pointers, pointers, "{what}: compact pointers");
    assert_eq!(
        &got.deleted_files,
        e.deleted_files(),
        "{what}: deleted files"
    );
    let files = |level: usize, n: u64, size: u64, smallest: &[u8], largest: &[u8]| {
        format!("level {level}: file {n}, {size} bytes, {smallest:x?} .. {largest:x?}")
    };
    let got_files: Vec<String> = got
        .new_files
        .iter()
        .map(|(l, f)| files(*l, f.number, f.file_size, &f.smallest, &f.largest))
        .collect();
    let expected: Vec<String> = e
        .new_files()
        .iter()
        .map(|(l, f)| {
            files(
                *l,
                f.number,
                f.file_size,
                f.smallest.encode(),
                f.largest.encode(),
            )
        })
        .collect();
    assert_eq!(got_files, expected, "{what}: new files");
}

#[test]
fn t4_leveldbs_manifests_decode_and_encode_byte_for_byte() {
    for name in FIXTURES {
        let manifest = &files(name, |f| f.starts_with("MANIFEST-"))[0];
        let file = manifest.file_name().unwrap().to_string_lossy().into_owned();
        for (i, record) in log_records(manifest).iter().enumerate() {
            let what = format!("{name}/{file}, edit {i}");
            let edit = VersionEdit::decode(record).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_same_edit(&what, &edit, record);
            assert_same_bytes(&what, record, &edit.encode(), |at| edit_offset(record, at));
        }
    }
}

#[test]
fn t5_replaying_a_manifest_gives_the_databases_files() {
    for name in FIXTURES {
        let manifest = &files(name, |f| f.starts_with("MANIFEST-"))[0];
        let mut levels = Levels::default();
        for record in log_records(manifest) {
            levels.apply(&VersionEdit::decode(&record).unwrap());
        }
        let mut numbers = BTreeSet::new();
        for (level, files) in levels.files.iter().enumerate() {
            for pair in files.windows(2) {
                let order = compare_internal_keys(&pair[0].smallest, &pair[1].smallest)
                    .then(pair[0].number.cmp(&pair[1].number));
                assert!(
                    order.is_lt(),
                    "{name}: level {level} is sorted by smallest key"
                );
            }
            for f in files {
                let path = course::fixtures::fixtures_dir()
                    .join(name)
                    .join(format!("db/{:06}.ldb", f.number));
                let entries = table_entries(&path);
                assert_eq!(
                    std::fs::metadata(&path).unwrap().len(),
                    f.file_size,
                    "{}",
                    path.display()
                );
                assert_eq!(
                    entries.first().unwrap().0,
                    f.smallest,
                    "{}: smallest key",
                    path.display()
                );
                assert_eq!(
                    entries.last().unwrap().0,
                    f.largest,
                    "{}: largest key",
                    path.display()
                );
                numbers.insert(f.number);
            }
        }
        // Every table in the folder is live, but the unfinished compaction output of multilevel-bloom.
        let on_disk: BTreeSet<u64> = files(name, |f| f.ends_with(".ldb") && f != "000158.ldb")
            .iter()
            .map(|p| p.file_stem().unwrap().to_string_lossy().parse().unwrap())
            .collect();
        assert_eq!(numbers, on_disk, "{name}: the live files");
    }
}

#[test]
fn t6_applying_edits_follows_the_model() {
    fn prop(edits: Vec<Edit>) -> bool {
        let mut levels = Levels::default();
        let mut model: Vec<Vec<FileMetaData>> = vec![Vec::new(); NUM_LEVELS];
        for Edit(edit) in edits.iter().take(6) {
            levels.apply(edit);
            for &(level, number) in &edit.deleted_files {
                model[level].retain(|f| f.number != number);
            }
            for (level, f) in &edit.new_files {
                model[*level].retain(|g| g.number != f.number || g.smallest != f.smallest);
                model[*level].push(f.clone());
            }
            for files in &mut model {
                files.sort_by(|a, b| {
                    compare_internal_keys(&a.smallest, &b.smallest).then(a.number.cmp(&b.number))
                });
            }
            // The last pointer an edit sets for a level wins.
            for (level, key) in &edit.compact_pointers {
                let last = edit.compact_pointers.iter().rev().find(|(l, _)| l == level);
                if last != Some(&(*level, key.clone())) {
                    continue;
                }
                if levels.compact_pointers[*level] != *key {
                    return false;
                }
            }
            if levels.files != model {
                return false;
            }
        }
        true
    }
    QuickCheck::new().quickcheck(prop as fn(Vec<Edit>) -> bool);
}
