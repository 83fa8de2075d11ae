//! Tests of the version set: LevelDB's version_set_test (FindFile, SomeFileOverlapsRange, AddBoundaryInputs), the
//! compaction choices of version_set.cc (scores, compaction pointers, seek compactions, input expansion,
//! grandparents, trivial moves, manual ranges, the memtable output level), LogAndApply's failures, Recover's
//! errors, MANIFEST reuse, and a property: any history of edits recovers from its MANIFEST to the same state.
//!
//! The versions are built as the database builds them: edits applied with `log_and_apply` to a version set over
//! an in-memory "/db". Only the sizes in the edits matter to these choices, so no table is ever written.

use super::version::{find_file, some_file_overlaps_range};
use super::*;
use crate::db::dbformat::{ValueType, MAX_SEQUENCE_NUMBER};
use crate::env::{write_string_to_file, MemEnv, PosixEnv, SpecialEnv};
use crate::util::comparator::bytewise_comparator;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

const MIB: u64 = 1 << 20;
const DBNAME: &str = "/db";

fn ikey(user_key: &str, seq: SequenceNumber) -> InternalKey {
    InternalKey::new(user_key.as_bytes(), seq, ValueType::Value)
}

fn bytewise_icmp() -> InternalKeyComparator {
    InternalKeyComparator::new(bytewise_comparator())
}

fn numbers(files: &[Arc<FileMetaData>]) -> Vec<u64> {
    files.iter().map(|f| f.number).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// LevelDB: FindFileTest

/// A user key range; `None` is unbounded.
type Range<'a> = (Option<&'a str>, Option<&'a str>);

struct FindFileTest {
    files: Vec<Arc<FileMetaData>>,
    disjoint_sorted_files: bool,
}

impl FindFileTest {
    fn new() -> FindFileTest {
        FindFileTest {
            files: Vec::new(),
            disjoint_sorted_files: true,
        }
    }

    fn add(&mut self, smallest: &str, largest: &str) {
        self.add_with_seqs(smallest, largest, 100, 100);
    }

    fn add_with_seqs(
        &mut self,
        smallest: &str,
        largest: &str,
        smallest_seq: SequenceNumber,
        largest_seq: SequenceNumber,
    ) {
        let number = self.files.len() as u64 + 1;
        self.files.push(Arc::new(FileMetaData::new(
            number,
            0,
            ikey(smallest, smallest_seq),
            ikey(largest, largest_seq),
        )));
    }

    fn find(&self, key: &str) -> usize {
        find_file(&bytewise_icmp(), &self.files, ikey(key, 100).encode())
    }

    fn overlaps(&self, (smallest, largest): Range) -> bool {
        some_file_overlaps_range(
            &bytewise_icmp(),
            self.disjoint_sorted_files,
            &self.files,
            smallest.map(str::as_bytes),
            largest.map(str::as_bytes),
        )
    }

    /// Asserts that `find` gives each (key, index) pair's index.
    fn assert_finds(&self, cases: &[(&str, usize)]) {
        for &(key, index) in cases {
            assert_eq!(self.find(key), index, "Find({key:?})");
        }
    }

    /// Asserts that each range overlaps some file, or that none does.
    fn assert_overlaps(&self, overlapping: bool, ranges: &[Range]) {
        for &range in ranges {
            assert_eq!(self.overlaps(range), overlapping, "Overlaps{range:?}");
        }
    }
}

// LevelDB: FindFileTest.Empty
#[test]
fn find_file_empty() {
    let t = FindFileTest::new();
    t.assert_finds(&[("foo", 0)]);
    t.assert_overlaps(
        false,
        &[
            (Some("a"), Some("z")),
            (None, Some("z")),
            (Some("a"), None),
            (None, None),
        ],
    );
}

// LevelDB: FindFileTest.Single
#[test]
fn find_file_single() {
    let mut t = FindFileTest::new();
    t.add("p", "q");
    t.assert_finds(&[("a", 0), ("p", 0), ("p1", 0), ("q", 0), ("q1", 1), ("z", 1)]);

    t.assert_overlaps(false, &[(Some("a"), Some("b")), (Some("z1"), Some("z2"))]);
    t.assert_overlaps(
        true,
        &[
            (Some("a"), Some("p")),
            (Some("a"), Some("q")),
            (Some("a"), Some("z")),
            (Some("p"), Some("p1")),
            (Some("p"), Some("q")),
            (Some("p"), Some("z")),
            (Some("p1"), Some("p2")),
            (Some("p1"), Some("z")),
            (Some("q"), Some("q")),
            (Some("q"), Some("q1")),
        ],
    );

    t.assert_overlaps(false, &[(None, Some("j")), (Some("r"), None)]);
    t.assert_overlaps(
        true,
        &[
            (None, Some("p")),
            (None, Some("p1")),
            (Some("q"), None),
            (None, None),
        ],
    );
}

/// The files of FindFileTest.Multiple and MultipleNullBoundaries.
fn multiple_files() -> FindFileTest {
    let mut t = FindFileTest::new();
    t.add("150", "200");
    t.add("200", "250");
    t.add("300", "350");
    t.add("400", "450");
    t
}

/// Ranges that overlap the files of FindFileTest.Multiple, and those of OverlappingFiles.
const OVERLAPPING_MULTIPLE: [Range; 8] = [
    (Some("100"), Some("150")),
    (Some("100"), Some("200")),
    (Some("100"), Some("300")),
    (Some("100"), Some("400")),
    (Some("100"), Some("500")),
    (Some("375"), Some("400")),
    (Some("450"), Some("450")),
    (Some("450"), Some("500")),
];

// LevelDB: FindFileTest.Multiple
#[test]
fn find_file_multiple() {
    let t = multiple_files();
    t.assert_finds(&[
        ("100", 0),
        ("150", 0),
        ("151", 0),
        ("199", 0),
        ("200", 0),
        ("201", 1),
        ("249", 1),
        ("250", 1),
        ("251", 2),
        ("299", 2),
        ("300", 2),
        ("349", 2),
        ("350", 2),
        ("351", 3),
        ("400", 3),
        ("450", 3),
        ("451", 4),
    ]);

    t.assert_overlaps(
        false,
        &[
            (Some("100"), Some("149")),
            (Some("251"), Some("299")),
            (Some("451"), Some("500")),
            (Some("351"), Some("399")),
        ],
    );
    t.assert_overlaps(true, &OVERLAPPING_MULTIPLE);
}

// LevelDB: FindFileTest.MultipleNullBoundaries
#[test]
fn find_file_multiple_null_boundaries() {
    let t = multiple_files();
    t.assert_overlaps(false, &[(None, Some("149")), (Some("451"), None)]);
    t.assert_overlaps(
        true,
        &[
            (None, None),
            (None, Some("150")),
            (None, Some("199")),
            (None, Some("200")),
            (None, Some("201")),
            (None, Some("400")),
            (None, Some("800")),
            (Some("100"), None),
            (Some("200"), None),
            (Some("449"), None),
            (Some("450"), None),
        ],
    );
}

// LevelDB: FindFileTest.OverlapSequenceChecks
#[test]
fn find_file_overlap_sequence_checks() {
    let mut t = FindFileTest::new();
    t.add_with_seqs("200", "200", 5000, 3000);
    t.assert_overlaps(
        false,
        &[(Some("199"), Some("199")), (Some("201"), Some("300"))],
    );
    t.assert_overlaps(
        true,
        &[
            (Some("200"), Some("200")),
            (Some("190"), Some("200")),
            (Some("200"), Some("210")),
        ],
    );
}

// LevelDB: FindFileTest.OverlappingFiles
#[test]
fn find_file_overlapping_files() {
    let mut t = FindFileTest::new();
    t.add("150", "600");
    t.add("400", "500");
    t.disjoint_sorted_files = false;
    t.assert_overlaps(
        false,
        &[(Some("100"), Some("149")), (Some("601"), Some("700"))],
    );
    t.assert_overlaps(true, &OVERLAPPING_MULTIPLE);
    t.assert_overlaps(
        true,
        &[(Some("450"), Some("700")), (Some("600"), Some("700"))],
    );
}

// ---------------------------------------------------------------------------------------------------------------
// LevelDB: AddBoundaryInputsTest (files are compared by identity, as LevelDB compares pointers)

fn create_file_meta_data(
    number: u64,
    smallest: InternalKey,
    largest: InternalKey,
) -> Arc<FileMetaData> {
    Arc::new(FileMetaData::new(number, 0, smallest, largest))
}

fn assert_same_files(actual: &[Arc<FileMetaData>], expected: &[&Arc<FileMetaData>]) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(Arc::ptr_eq(a, e), "file {i} is not the expected one");
    }
}

// LevelDB: AddBoundaryInputsTest.TestEmptyFileSets
#[test]
fn add_boundary_inputs_test_empty_file_sets() {
    let level_files = Vec::new();
    let mut compaction_files = Vec::new();
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert!(compaction_files.is_empty());
    assert!(level_files.is_empty());
}

// LevelDB: AddBoundaryInputsTest.TestEmptyLevelFiles
#[test]
fn add_boundary_inputs_test_empty_level_files() {
    let f1 = create_file_meta_data(1, ikey("100", 2), ikey("100", 1));
    let level_files = Vec::new();
    let mut compaction_files = vec![f1.clone()];
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert_same_files(&compaction_files, &[&f1]);
    assert!(level_files.is_empty());
}

// LevelDB: AddBoundaryInputsTest.TestEmptyCompactionFiles
#[test]
fn add_boundary_inputs_test_empty_compaction_files() {
    let f1 = create_file_meta_data(1, ikey("100", 2), ikey("100", 1));
    let level_files = vec![f1.clone()];
    let mut compaction_files = Vec::new();
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert!(compaction_files.is_empty());
    assert_same_files(&level_files, &[&f1]);
}

// LevelDB: AddBoundaryInputsTest.TestNoBoundaryFiles
#[test]
fn add_boundary_inputs_test_no_boundary_files() {
    let f1 = create_file_meta_data(1, ikey("100", 2), ikey("100", 1));
    let f2 = create_file_meta_data(1, ikey("200", 2), ikey("200", 1));
    let f3 = create_file_meta_data(1, ikey("300", 2), ikey("300", 1));
    let level_files = vec![f3.clone(), f2.clone(), f1];
    let mut compaction_files = vec![f2, f3];
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert_eq!(compaction_files.len(), 2);
}

// LevelDB: AddBoundaryInputsTest.TestOneBoundaryFiles
#[test]
fn add_boundary_inputs_test_one_boundary_files() {
    let f1 = create_file_meta_data(1, ikey("100", 3), ikey("100", 2));
    let f2 = create_file_meta_data(1, ikey("100", 1), ikey("200", 3));
    let f3 = create_file_meta_data(1, ikey("300", 2), ikey("300", 1));
    let level_files = vec![f3, f2.clone(), f1.clone()];
    let mut compaction_files = vec![f1.clone()];
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert_same_files(&compaction_files, &[&f1, &f2]);
}

// LevelDB: AddBoundaryInputsTest.TestTwoBoundaryFiles
#[test]
fn add_boundary_inputs_test_two_boundary_files() {
    let f1 = create_file_meta_data(1, ikey("100", 6), ikey("100", 5));
    let f2 = create_file_meta_data(1, ikey("100", 2), ikey("300", 1));
    let f3 = create_file_meta_data(1, ikey("100", 4), ikey("100", 3));
    let level_files = vec![f2.clone(), f3.clone(), f1.clone()];
    let mut compaction_files = vec![f1.clone()];
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert_same_files(&compaction_files, &[&f1, &f3, &f2]);
}

// LevelDB: AddBoundaryInputsTest.TestDisjoinFilePointers
#[test]
fn add_boundary_inputs_test_disjoin_file_pointers() {
    let f1 = create_file_meta_data(1, ikey("100", 6), ikey("100", 5));
    let f2 = create_file_meta_data(1, ikey("100", 6), ikey("100", 5));
    let f3 = create_file_meta_data(1, ikey("100", 2), ikey("300", 1));
    let f4 = create_file_meta_data(1, ikey("100", 4), ikey("100", 3));
    let level_files = vec![f2, f3.clone(), f4.clone()];
    let mut compaction_files = vec![f1.clone()];
    add_boundary_inputs(&bytewise_icmp(), &level_files, &mut compaction_files);
    assert_same_files(&compaction_files, &[&f1, &f4, &f3]);
}

// ---------------------------------------------------------------------------------------------------------------
// Version sets over an in-memory database

fn options_over(env: Arc<dyn Env>) -> Options {
    Options {
        env,
        ..Options::default()
    }
}

fn mem_options() -> Options {
    options_over(Arc::new(MemEnv::default()))
}

/// A version set for database `dbname`, made as DBImpl makes it.
fn version_set_at(dbname: &Path, options: &Options) -> VersionSet {
    let icmp = InternalKeyComparator::new(options.comparator.clone());
    let table_cache = Arc::new(TableCache::new(dbname, options.clone(), 10));
    VersionSet::new(dbname, options, table_cache, icmp)
}

fn new_version_set(options: &Options) -> VersionSet {
    version_set_at(Path::new(DBNAME), options)
}

/// A file to add: (level, number, size, smallest user key, largest user key); both keys get sequence 100.
type NewFile<'a> = (usize, u64, u64, &'a str, &'a str);

/// Writes MANIFEST-`number` with `records`, and points CURRENT to it.
fn write_manifest_records(env: &dyn Env, number: u64, records: &[Vec<u8>]) {
    let file = env
        .new_writable_file(&descriptor_file_name(Path::new(DBNAME), number))
        .unwrap();
    let mut log = log::Writer::new(file);
    for record in records {
        log.add_record(record).unwrap();
    }
    set_current_file(env, Path::new(DBNAME), number).unwrap();
}

/// Writes MANIFEST-`number` with one record per edit, and points CURRENT to it.
fn write_manifest(env: &dyn Env, number: u64, edits: &[VersionEdit]) {
    let records: Vec<Vec<u8>> = edits
        .iter()
        .map(|edit| {
            let mut record = Vec::new();
            edit.encode_to(&mut record);
            record
        })
        .collect();
    write_manifest_records(env, number, &records);
}

/// An edit with the fields recovery requires that `fields` names: 'c'omparator, 'l'og number, 'n'ext file and
/// last 's'equence, as DBImpl::NewDB sets them.
fn edit_with(fields: &str) -> VersionEdit {
    let mut edit = VersionEdit::new();
    for field in fields.chars() {
        match field {
            'c' => edit.set_comparator_name("leveldb.BytewiseComparator"),
            'l' => edit.set_log_number(0),
            'n' => edit.set_next_file(2),
            's' => edit.set_last_sequence(0),
            _ => unreachable!(),
        }
    }
    edit
}

/// A version set recovered from "/db".
fn recovered(options: &Options) -> VersionSet {
    let mut vset = new_version_set(options);
    vset.recover().unwrap();
    vset
}

/// A new database "/db" (MANIFEST-000001, as DBImpl::NewDB writes it) and the version set recovered from it, as
/// DB::open makes them: without reuse_logs, its first log_and_apply starts MANIFEST-000002.
fn new_db(options: &Options) -> VersionSet {
    write_manifest(&*options.env, 1, &[edit_with("clns")]);
    recovered(options)
}

/// Adds `files` in one edit, with log_and_apply.
fn add_files(vset: &mut VersionSet, files: &[NewFile]) {
    let mut edit = VersionEdit::new();
    for &(level, number, size, smallest, largest) in files {
        vset.mark_file_number_used(number);
        edit.add_file(level, number, size, ikey(smallest, 100), ikey(largest, 100));
    }
    vset.log_and_apply(&mut edit).unwrap();
}

/// A version set over a new in-memory database holding `files`.
fn version_set_with(files: &[NewFile]) -> VersionSet {
    let mut vset = new_db(&mem_options());
    add_files(&mut vset, files);
    vset
}

/// The compaction `pick_compaction` chooses; there must be one.
fn pick(vset: &mut VersionSet) -> Compaction {
    vset.pick_compaction().expect("a compaction")
}

/// The internal key `user_key`@100, as a compaction meets it.
fn encoded(user_key: &str) -> Vec<u8> {
    ikey(user_key, 100).encode().to_vec()
}

#[test]
fn level0_compacts_at_four_files() {
    let mut vset = version_set_with(&[
        (0, 10, 1000, "a", "b"),
        (0, 11, 1000, "c", "d"),
        (0, 12, 1000, "e", "f"),
    ]);
    assert_eq!(vset.current().compaction_score, 0.75);
    assert!(!vset.needs_compaction());
    assert!(vset.pick_compaction().is_none());

    add_files(&mut vset, &[(0, 13, 1000, "g", "h")]);
    assert_eq!(vset.current().compaction_score, 1.0);
    assert_eq!(vset.current().compaction_level, 0);
    assert!(vset.needs_compaction());
    let c = pick(&mut vset);
    assert_eq!(c.level(), 0);
    // The first file, alone: no other level-0 file overlaps it.
    assert_eq!(numbers(&c.inputs[0]), [10]);
    assert!(c.inputs[1].is_empty());
}

#[test]
fn size_scores_of_levels_1_to_5() {
    // Level 0 counts files, not bytes.
    let mut vset = version_set_with(&[
        (0, 10, 1000 * MIB, "a", "b"),
        (0, 11, 1000 * MIB, "a", "b"),
        (0, 12, 1000 * MIB, "a", "b"),
    ]);
    assert_eq!(vset.current().compaction_score, 0.75);
    assert_eq!(vset.current().compaction_level, 0);

    // 10 MiB at level 1 is a full level.
    add_files(
        &mut vset,
        &[(1, 20, 4 * MIB, "a", "b"), (1, 21, 6 * MIB, "c", "d")],
    );
    assert_eq!(vset.current().compaction_score, 1.0);
    assert_eq!(vset.current().compaction_level, 1);
    assert_eq!(pick(&mut vset).level(), 1);

    // 100 MiB at level 2, 1000 MiB at level 3, ...: the best score wins.
    add_files(&mut vset, &[(2, 30, 150 * MIB, "a", "z")]);
    assert_eq!(vset.current().compaction_score, 1.5);
    assert_eq!(vset.current().compaction_level, 2);
    add_files(&mut vset, &[(3, 40, 1000 * MIB, "a", "z")]);
    assert_eq!(vset.current().compaction_level, 2);
    add_files(&mut vset, &[(5, 50, 200_000 * MIB, "a", "z")]);
    assert_eq!(vset.current().compaction_score, 2.0);
    assert_eq!(vset.current().compaction_level, 5);
    assert_eq!(pick(&mut vset).level(), 5);
    assert_eq!(vset.level_summary(), "files[ 3 2 1 1 0 1 0 ]");
}

#[test]
fn the_last_level_is_never_scored() {
    let mut vset = version_set_with(&[(6, 10, 1 << 40, "a", "z")]);
    assert_eq!(vset.current().compaction_score, 0.0);
    assert_eq!(vset.current().compaction_level, 0);
    assert!(!vset.needs_compaction());
    assert!(vset.pick_compaction().is_none());
}

#[test]
fn compact_pointer_rotates_through_the_level() {
    let files = [
        (1, 21, 3 * MIB, "a", "b"),
        (1, 22, 3 * MIB, "c", "d"),
        (1, 23, 3 * MIB, "e", "f"),
        (1, 24, 3 * MIB, "g", "h"),
    ];
    let mut vset = version_set_with(&files);
    // Each compaction starts after the largest key of the one before, and wraps around.
    for (number, largest) in [(21, "b"), (22, "d"), (23, "f"), (24, "h"), (21, "b")] {
        let mut c = pick(&mut vset);
        assert_eq!(c.level(), 1);
        assert_eq!(numbers(&c.inputs[0]), [number]);
        assert_eq!(vset.compact_pointer[1], encoded(largest));
        assert_eq!(c.edit().compact_pointers(), [(1, ikey(largest, 100))]);
    }

    // The pointer reaches the MANIFEST with the compaction's edit: a recovered set continues after it.
    let mut c = pick(&mut vset);
    assert_eq!(numbers(&c.inputs[0]), [22]);
    vset.log_and_apply(c.edit()).unwrap();
    let mut recovered = new_version_set(&vset.options);
    recovered.recover().unwrap();
    assert_eq!(recovered.compact_pointer[1], encoded("d"));
    assert_eq!(numbers(&pick(&mut recovered).inputs[0]), [23]);
}

#[test]
fn allowed_seeks_grow_with_the_file_size() {
    let vset = version_set_with(&[
        (1, 10, 1000, "a", "a"),
        (1, 11, 100 * 16384 - 1, "b", "b"),
        (1, 12, 200 * 16384, "c", "c"),
        (1, 13, 4 * MIB, "d", "d"),
    ]);
    let allowed: Vec<i32> = vset
        .current()
        .files(1)
        .iter()
        .map(|f| f.allowed_seeks.load(AtomicOrdering::Relaxed))
        .collect();
    assert_eq!(allowed, [100, 100, 200, 256]);
}

#[test]
fn exhausted_seeks_make_a_seek_compaction() {
    let mut vset = version_set_with(&[
        (1, 31, MIB, "a", "m"),
        (2, 32, MIB, "a", "z"),
        (3, 33, MIB, "x", "z"),
    ]);
    let v = vset.current().clone();
    let seek_file = v.files(1)[0].clone();

    // A key only one file holds charges nothing.
    assert!(!v.record_read_sample(&encoded("p")));
    assert_eq!(seek_file.allowed_seeks.load(AtomicOrdering::Relaxed), 100);
    // A key two files hold charges the first (newest) of them.
    for _ in 0..99 {
        assert!(!v.record_read_sample(&encoded("c")));
    }
    assert!(v.file_to_compact().is_none());
    assert!(!vset.needs_compaction());
    assert!(v.record_read_sample(&encoded("c")));
    let (file, level) = v.file_to_compact().unwrap();
    assert_eq!((file.number, level), (31, 1));
    assert!(vset.needs_compaction());

    // A second file running out of seeks does not replace the first.
    let other = v.files(3)[0].clone();
    let stats = GetStats {
        seek_file: Some((other.clone(), 3)),
        probes: None,
    };
    other.allowed_seeks.store(1, AtomicOrdering::Relaxed);
    assert!(!v.update_stats(&stats));
    assert_eq!(v.file_to_compact().unwrap().0.number, 31);

    let c = pick(&mut vset);
    assert_eq!(c.level(), 1);
    assert_eq!(numbers(&c.inputs[0]), [31]);
    assert_eq!(numbers(&c.inputs[1]), [32]);
}

#[test]
fn update_stats_charges_the_file_it_is_given() {
    let vset = version_set_with(&[(2, 40, MIB, "a", "z")]);
    let v = vset.current();
    let f = v.files(2)[0].clone();
    let stats = GetStats {
        seek_file: Some((f.clone(), 2)),
        probes: None,
    };
    for _ in 0..99 {
        assert!(!v.update_stats(&stats));
    }
    assert!(v.update_stats(&stats));
    assert_eq!(f.allowed_seeks.load(AtomicOrdering::Relaxed), 0);
    assert_eq!(v.file_to_compact().unwrap().1, 2);
    assert!(!v.update_stats(&GetStats::default()));
}

#[test]
fn size_compactions_win_over_seek_compactions() {
    let mut vset = version_set_with(&[
        (0, 10, 1000, "a", "b"),
        (0, 11, 1000, "c", "d"),
        (0, 12, 1000, "e", "f"),
        (0, 13, 1000, "g", "h"),
        (1, 14, MIB, "p", "q"),
        (2, 15, MIB, "p", "q"),
    ]);
    let v = vset.current().clone();
    while !v.record_read_sample(&encoded("p")) {}
    assert_eq!(v.file_to_compact().unwrap().0.number, 14);
    let c = pick(&mut vset);
    assert_eq!(c.level(), 0);
    assert_eq!(numbers(&c.inputs[0]), [10]);
}

#[test]
fn level0_inputs_grow_to_every_overlapping_file() {
    let mut vset = version_set_with(&[
        (0, 41, 1000, "a", "c"),
        (0, 42, 1000, "b", "e"),
        (0, 43, 1000, "x", "z"),
        (0, 44, 1000, "d", "f"),
        (1, 45, 1000, "e", "g"),
    ]);
    let c = pick(&mut vset);
    assert_eq!(c.level(), 0);
    let mut inputs = numbers(&c.inputs[0]);
    inputs.sort();
    assert_eq!(inputs, [41, 42, 44]);
    assert_eq!(numbers(&c.inputs[1]), [45]);
    assert_eq!(vset.compact_pointer[0], encoded("f"));

    // The next level-0 compaction starts after "f".
    let c = pick(&mut vset);
    assert_eq!(numbers(&c.inputs[0]), [43]);
}

/// The level-1 inputs of the compaction of level 1 files `a..b`, `c..d`, `e..f` (sizes `level1_size`) into a
/// level 2 that holds `level2`.
fn level1_inputs(level1_size: u64, level2: &[NewFile]) -> (Vec<u64>, Vec<u64>) {
    let mut vset = version_set_with(&[
        (1, 51, level1_size, "a", "b"),
        (1, 52, level1_size, "c", "d"),
        (1, 53, level1_size, "e", "f"),
    ]);
    add_files(&mut vset, level2);
    let c = pick(&mut vset);
    assert_eq!(c.level(), 1);
    (numbers(&c.inputs[0]), numbers(&c.inputs[1]))
}

#[test]
fn level_inputs_expand_while_the_next_level_inputs_stay() {
    // a..b pulls in a..c from level 2, which covers c..d of level 1 too.
    assert_eq!(
        level1_inputs(4 * MIB, &[(2, 54, MIB, "a", "c")]),
        (vec![51, 52], vec![54])
    );
    // Unless taking c..d would pull in another level-2 file.
    assert_eq!(
        level1_inputs(4 * MIB, &[(2, 54, MIB, "a", "c"), (2, 55, MIB, "d", "d")]),
        (vec![51], vec![54])
    );
}

#[test]
fn level_inputs_expand_below_25_times_max_file_size() {
    // The limit is 50 MiB (25 × 2 MiB) for the expanded level inputs and the next level's inputs together.
    assert_eq!(
        level1_inputs(20 * MIB, &[(2, 54, 10 * MIB - 1, "a", "c")]),
        (vec![51, 52], vec![54])
    );
    assert_eq!(
        level1_inputs(20 * MIB, &[(2, 54, 10 * MIB, "a", "c")]),
        (vec![51], vec![54])
    );
}

#[test]
fn level_inputs_take_the_files_that_continue_their_last_user_key() {
    // Files 111 and 112 of level 1 both hold entries of user key "c", files 114 and 115 of level 2 of "d".
    let mut vset = new_db(&mem_options());
    let mut edit = VersionEdit::new();
    // (Too large for the expansion to take 112 in.)
    for (level, number, size, smallest, largest) in [
        (1, 111, 4 * MIB, ikey("a", 100), ikey("c", 50)),
        (1, 112, 30 * MIB, ikey("c", 40), ikey("c", 30)),
        (1, 113, 4 * MIB, ikey("f", 100), ikey("g", 100)),
        (2, 114, 20 * MIB, ikey("a", 20), ikey("d", 50)),
        (2, 115, 4 * MIB, ikey("d", 40), ikey("h", 100)),
    ] {
        vset.mark_file_number_used(number);
        edit.add_file(level, number, size, smallest, largest);
    }
    vset.log_and_apply(&mut edit).unwrap();
    let c = vset.compact_range(1, None, Some(&ikey("b", 0))).unwrap();
    // Moving 111 alone down a level would let a read find the older "c"@40 above the newer "c"@50.
    assert_eq!(numbers(&c.inputs[0]), [111, 112]);
    assert_eq!(vset.compact_pointer[1], ikey("c", 30).encode());
    // LevelDB 1.23 adds no boundary files to the level+1 inputs (later versions add 115).
    assert_eq!(numbers(&c.inputs[1]), [114]);
}

#[test]
fn outputs_stop_after_ten_max_file_sizes_of_grandparent_overlap() {
    let mut vset = version_set_with(&[
        (1, 61, 10 * MIB, "a", "z"),
        (3, 62, 10 * MIB, "b", "c"),
        (3, 63, 10 * MIB, "d", "e"),
        (3, 64, 10 * MIB, "f", "g"),
        (3, 65, 10 * MIB, "h", "i"),
        (4, 66, 10 * MIB, "a", "z"),
    ]);
    let mut c = pick(&mut vset);
    assert_eq!(c.level(), 1);
    assert_eq!(numbers(&c.grandparents), [62, 63, 64, 65]);
    assert!(!c.is_trivial_move(), "40 MiB of grandparents");

    // The overlap is counted from the first key on, and must exceed 20 MiB (10 × 2 MiB).
    assert!(!c.should_stop_before(&encoded("a")));
    assert!(!c.should_stop_before(&encoded("d"))); // 10 MiB
    assert!(!c.should_stop_before(&encoded("f"))); // 20 MiB
    assert!(c.should_stop_before(&encoded("h"))); // 30 MiB: a new output starts
    assert!(!c.should_stop_before(&encoded("j"))); // 10 MiB into the new output

    // The grandparents passed before the first key are not counted.
    let mut c = vset.compact_range(1, None, None).unwrap();
    assert!(!c.should_stop_before(&encoded("h")));
    assert!(!c.should_stop_before(&encoded("j")));
}

/// Whether the compaction of a level-1 file `a..z` is a trivial move, given the files of levels 2 and 3.
fn is_trivial_move_over(lower_levels: &[NewFile]) -> bool {
    let mut vset = version_set_with(&[(1, 70, 10 * MIB, "a", "z")]);
    add_files(&mut vset, lower_levels);
    let c = pick(&mut vset);
    assert_eq!(c.level(), 1);
    c.is_trivial_move()
}

#[test]
fn trivial_move_needs_one_input_and_little_grandparent_overlap() {
    assert!(is_trivial_move_over(&[]));
    assert!(is_trivial_move_over(&[
        (3, 71, 12 * MIB, "a", "c"),
        (3, 72, 8 * MIB, "x", "z")
    ]));
    assert!(!is_trivial_move_over(&[
        (3, 71, 12 * MIB, "a", "c"),
        (3, 72, 8 * MIB + 1, "x", "z")
    ]));
    // A level-2 file to merge with.
    assert!(!is_trivial_move_over(&[(2, 71, 1000, "m", "m")]));
    // Two inputs.
    let mut vset = version_set_with(&[(1, 70, MIB, "a", "b"), (1, 71, MIB, "c", "d")]);
    let c = vset.compact_range(1, None, None).unwrap();
    assert_eq!(numbers(&c.inputs[0]), [70, 71]);
    assert!(!c.is_trivial_move());
}

#[test]
fn base_level_for_key_looks_two_levels_down_and_beyond() {
    let mut vset = version_set_with(&[
        (1, 80, 10 * MIB, "a", "z"),
        (2, 81, 1000, "f", "f"),
        (3, 82, 1000, "c", "e"),
        (3, 83, 1000, "m", "p"),
        (4, 84, 1000, "x", "y"),
    ]);
    let mut c = pick(&mut vset);
    assert_eq!(c.level(), 1);
    // The keys come in order, as a compaction meets them.
    for (key, is_base) in [
        ("a", true),
        ("c", false),
        ("d", false),
        ("f", true), // level 2 is the output level
        ("m", false),
        ("q", true),
        ("x", false),
        ("z", true),
    ] {
        assert_eq!(c.is_base_level_for_key(key.as_bytes()), is_base, "{key}");
    }
}

#[test]
fn compact_range_stops_once_max_file_size_is_reached_above_level_0() {
    let mut vset = version_set_with(&[
        (1, 91, MIB / 2, "a", "a"),
        (1, 92, MIB / 2, "b", "b"),
        (1, 93, MIB / 2, "c", "c"),
        (1, 94, MIB / 2, "d", "d"),
        (1, 95, 3 * MIB, "e", "e"),
        (1, 96, MIB, "f", "f"),
    ]);
    let mut inputs = |begin: Option<&str>, end: Option<&str>| {
        let begin = begin.map(|k| ikey(k, MAX_SEQUENCE_NUMBER));
        let end = end.map(|k| ikey(k, 0));
        vset.compact_range(1, begin.as_ref(), end.as_ref())
            .map(|c| numbers(&c.inputs[0]))
    };
    // 2 MiB, the file that reaches it included.
    assert_eq!(inputs(None, None), Some(vec![91, 92, 93, 94]));
    assert_eq!(inputs(Some("c"), None), Some(vec![93, 94, 95]));
    assert_eq!(inputs(Some("e"), None), Some(vec![95]));
    assert_eq!(inputs(Some("f"), Some("z")), Some(vec![96]));
    assert_eq!(inputs(Some("g"), None), None);
}

#[test]
fn compact_range_takes_all_overlapping_level0_files() {
    let mut vset = version_set_with(&[
        (0, 101, MIB, "a", "c"),
        (0, 102, MIB, "b", "b"),
        (0, 103, MIB, "c", "e"),
        (0, 104, MIB, "w", "z"),
        (0, 105, MIB, "x", "y"),
    ]);
    let mut inputs = |begin: &str, end: &str| {
        let c = vset
            .compact_range(
                0,
                Some(&ikey(begin, MAX_SEQUENCE_NUMBER)),
                Some(&ikey(end, 0)),
            )
            .unwrap();
        let mut inputs = numbers(&c.inputs[0]);
        inputs.sort();
        inputs
    };
    // b..b grows to a..e; never cut at 2 MiB.
    assert_eq!(inputs("b", "b"), [101, 102, 103]);
    assert_eq!(inputs("a", "z"), [101, 102, 103, 104, 105]);
}

#[test]
fn memtable_output_goes_down_to_level_2_unless_something_overlaps() {
    let level = |files: &[NewFile]| {
        version_set_with(files)
            .current()
            .pick_level_for_memtable_output(b"m", b"p")
    };
    assert_eq!(level(&[]), 2);
    assert_eq!(
        level(&[(1, 10, 1000, "a", "c"), (2, 11, 1000, "q", "z")]),
        2
    );
    assert_eq!(
        level(&[(0, 10, 1000, "p", "z"), (0, 11, 1000, "a", "b")]),
        0
    );
    assert_eq!(level(&[(1, 10, 1000, "a", "m")]), 0);
    assert_eq!(level(&[(2, 10, 1000, "n", "n")]), 1);
    // More than 20 MiB of grandparents stop it too.
    assert_eq!(level(&[(2, 10, 20 * MIB, "a", "m")]), 1);
    assert_eq!(level(&[(2, 10, 20 * MIB + 1, "a", "m")]), 0);
    assert_eq!(level(&[(3, 10, 20 * MIB, "a", "z")]), 2);
    assert_eq!(level(&[(3, 10, 20 * MIB + 1, "a", "z")]), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// LogAndApply's failures, Recover's errors, MANIFEST reuse

/// The files of `v`, as (level, number) pairs.
fn file_list(v: &Version) -> Vec<(usize, u64)> {
    (0..config::NUM_LEVELS)
        .flat_map(|level| v.files(level).iter().map(move |f| (level, f.number)))
        .collect()
}

fn current_contents(env: &dyn Env) -> String {
    let current = read_file_to_string(env, &current_file_name(Path::new(DBNAME))).unwrap();
    String::from_utf8(current).unwrap()
}

fn manifest_exists(env: &dyn Env, number: u64) -> bool {
    env.file_exists(&descriptor_file_name(Path::new(DBNAME), number))
}

/// A database over a `SpecialEnv` with file 5 at level 1, in MANIFEST-000002; then a version set recovered from
/// it (which will start a new MANIFEST).
fn special_db() -> (Arc<SpecialEnv>, Options, VersionSet) {
    let env = Arc::new(SpecialEnv::new(Arc::new(MemEnv::default())));
    let options = options_over(env.clone());
    add_files(&mut new_db(&options), &[(1, 5, 1000, "a", "b")]);
    let mut vset = new_version_set(&options);
    assert!(vset.recover().unwrap(), "a new MANIFEST is needed");
    (env, options, vset)
}

/// An edit that adds file `number` at level 2 and moves the log number on.
fn edit_adding(vset: &mut VersionSet, number: u64) -> VersionEdit {
    vset.mark_file_number_used(number);
    let mut edit = VersionEdit::new();
    edit.set_log_number(vset.new_file_number());
    edit.add_file(2, number, 1000, ikey("c", 100), ikey("d", 100));
    edit
}

/// Applies an edit that adds file `number` at level 2.
fn apply_adding(vset: &mut VersionSet, number: u64) -> Result<()> {
    let mut edit = edit_adding(vset, number);
    vset.log_and_apply(&mut edit)
}

#[test]
fn failing_to_start_a_manifest_changes_nothing() {
    type Switch = fn(&SpecialEnv) -> &AtomicBool;
    let switches: [(Switch, &str); 3] = [
        (
            |env| &env.flags().manifest_write_error,
            "IO error: simulated writer error",
        ),
        (
            |env| &env.flags().manifest_sync_error,
            "IO error: simulated sync error",
        ),
        (
            |env| &env.flags().non_writable,
            "IO error: simulated write error",
        ),
    ];
    for (switch, message) in switches {
        let (env, options, mut vset) = special_db();
        let manifest = vset.manifest_file_number();
        let mut edit = edit_adding(&mut vset, 8);

        switch(&env).store(true, AtomicOrdering::Release);
        let err = vset.log_and_apply(&mut edit).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(file_list(vset.current()), [(1, 5)], "{message}");
        assert_eq!(vset.log_number(), 0);
        assert!(!manifest_exists(&*env, manifest), "{message}");
        assert_eq!(current_contents(&*env), "MANIFEST-000002\n");
        let before = recovered(&options);
        assert_eq!(file_list(before.current()), [(1, 5)]);
        assert_eq!(before.log_number(), 0);

        // Once the fault is gone, the same edit goes through, to the same new MANIFEST.
        switch(&env).store(false, AtomicOrdering::Release);
        vset.log_and_apply(&mut edit).unwrap();
        assert_eq!(file_list(vset.current()), [(1, 5), (2, 8)]);
        assert_eq!(current_contents(&*env), format!("MANIFEST-{manifest:06}\n"));
        let after = recovered(&options);
        assert_eq!(file_list(after.current()), [(1, 5), (2, 8)]);
        assert_eq!(after.log_number(), vset.log_number());
    }
}

#[test]
fn failing_to_write_the_open_manifest_keeps_the_previous_version() {
    let (env, options, mut vset) = special_db();
    apply_adding(&mut vset, 8).unwrap();
    let manifest = vset.manifest_file_number();
    let log_number = vset.log_number();

    env.flags()
        .manifest_write_error
        .store(true, AtomicOrdering::Release);
    let err = apply_adding(&mut vset, 20).unwrap_err();
    assert_eq!(err.to_string(), "IO error: simulated writer error");
    assert_eq!(file_list(vset.current()), [(1, 5), (2, 8)]);
    assert_eq!(vset.log_number(), log_number);
    // The MANIFEST in use stays, and stays open.
    assert!(manifest_exists(&*env, manifest));
    assert_eq!(file_list(recovered(&options).current()), [(1, 5), (2, 8)]);

    env.flags()
        .manifest_write_error
        .store(false, AtomicOrdering::Release);
    apply_adding(&mut vset, 30).unwrap();
    assert_eq!(vset.manifest_file_number(), manifest);
    assert_eq!(
        file_list(recovered(&options).current()),
        [(1, 5), (2, 8), (2, 30)]
    );
}

#[test]
fn failing_to_sync_the_open_manifest_keeps_the_previous_version() {
    let (env, options, mut vset) = special_db();
    apply_adding(&mut vset, 8).unwrap();

    env.flags()
        .manifest_sync_error
        .store(true, AtomicOrdering::Release);
    let err = apply_adding(&mut vset, 20).unwrap_err();
    assert_eq!(err.to_string(), "IO error: simulated sync error");
    assert_eq!(file_list(vset.current()), [(1, 5), (2, 8)]);
    // As in LevelDB, the record written before the failed sync stays in the file: a recovery finds it.
    assert_eq!(
        file_list(recovered(&options).current()),
        [(1, 5), (2, 8), (2, 20)]
    );
}

/// The error recovering from a MANIFEST of `edits` gives.
fn recover_error(edits: &[VersionEdit]) -> String {
    let options = mem_options();
    write_manifest(&*options.env, 1, edits);
    new_version_set(&options).recover().unwrap_err().to_string()
}

#[test]
fn recover_needs_next_file_log_number_and_last_sequence() {
    assert_eq!(
        recover_error(&[edit_with("cls")]),
        "Corruption: no meta-nextfile entry in descriptor"
    );
    assert_eq!(
        recover_error(&[edit_with("cns")]),
        "Corruption: no meta-lognumber entry in descriptor"
    );
    assert_eq!(
        recover_error(&[edit_with("cln")]),
        "Corruption: no last-sequence-number entry in descriptor"
    );
    assert_eq!(
        recover_error(&[edit_with("")]),
        "Corruption: no meta-nextfile entry in descriptor"
    );

    // They may come in different records.
    let options = mem_options();
    write_manifest(
        &*options.env,
        1,
        &[
            edit_with("c"),
            edit_with("n"),
            edit_with("l"),
            edit_with("s"),
        ],
    );
    let vset = recovered(&options);
    assert_eq!(vset.manifest_file_number(), 2);
    assert_eq!(vset.next_file_number, 3);
}

#[test]
fn recover_rejects_another_comparator_and_bad_records() {
    let mut other = edit_with("lns");
    other.set_comparator_name("leveldb.OtherComparator");
    assert_eq!(
        recover_error(&[other]),
        "Invalid argument: leveldb.OtherComparator does not match existing comparator : \
         leveldb.BytewiseComparator"
    );

    let options = mem_options();
    let env = &*options.env;
    write_manifest(env, 1, &[edit_with("clns")]);
    let manifest = descriptor_file_name(Path::new(DBNAME), 1);
    // Damage in the only record is not a torn edit: the first one is synced before CURRENT names the MANIFEST.
    let mut contents = read_file_to_string(env, &manifest).unwrap();
    contents[10] ^= 1;
    write_string_to_file(env, &contents, &manifest).unwrap();
    assert_eq!(
        new_version_set(&options).recover().unwrap_err().to_string(),
        "Corruption: checksum mismatch"
    );

    // Tag 8 (large value references) is no longer known.
    let options = mem_options();
    write_manifest_records(&*options.env, 1, &[vec![8]]);
    assert_eq!(
        new_version_set(&options).recover().unwrap_err().to_string(),
        "Corruption: VersionEdit: unknown tag"
    );
}

#[test]
fn recover_reads_current() {
    let options = mem_options();
    let env = &*options.env;
    write_manifest(env, 1, &[edit_with("clns")]);
    let current = current_file_name(Path::new(DBNAME));
    for contents in ["MANIFEST-000001", ""] {
        write_string_to_file(env, contents.as_bytes(), &current).unwrap();
        assert_eq!(
            new_version_set(&options).recover().unwrap_err().to_string(),
            "Corruption: CURRENT file does not end with newline"
        );
    }
    // The in-memory Env reports a missing file as an IO error (as LevelDB's memenv does) ...
    write_string_to_file(env, b"MANIFEST-000009\n", &current).unwrap();
    assert_eq!(
        new_version_set(&options).recover().unwrap_err().to_string(),
        "IO error: /db/MANIFEST-000009: File not found"
    );

    // ... and the POSIX Env as NotFound, which recovery explains.
    let dir = tempfile::tempdir().unwrap();
    let options = options_over(Arc::new(PosixEnv::new()));
    let current = current_file_name(dir.path());
    write_string_to_file(&*options.env, b"MANIFEST-000009\n", &current).unwrap();
    let err = version_set_at(dir.path(), &options)
        .recover()
        .unwrap_err()
        .to_string();
    let prefix = "Corruption: CURRENT points to a non-existent file: NotFound: ";
    assert!(err.starts_with(prefix), "{err}");
    assert!(err.contains("MANIFEST-000009"), "{err}");
}

#[test]
fn manifest_is_reused_with_reuse_logs_while_smaller_than_max_file_size() {
    let env: Arc<dyn Env> = Arc::new(MemEnv::default());
    let mut options = options_over(env.clone());
    options.reuse_logs = true;
    let manifest_size = || {
        env.get_file_size(&descriptor_file_name(Path::new(DBNAME), 1))
            .unwrap()
    };
    let manifests = || {
        let mut names = env.get_children(Path::new(DBNAME)).unwrap();
        names.retain(|name| name.starts_with("MANIFEST-"));
        names.sort();
        names
    };

    // A new database keeps its first MANIFEST.
    let mut vset = new_db(&options);
    assert_eq!(vset.manifest_file_number(), 1);
    add_files(&mut vset, &[(1, 5, 1000, "a", "b")]);
    assert_eq!(manifests(), ["MANIFEST-000001"]);

    // Smaller than max_file_size: edits are appended to it.
    options.max_file_size = manifest_size() as usize + 1;
    let mut vset = new_version_set(&options);
    assert!(!vset.recover().unwrap(), "the MANIFEST is reused");
    assert_eq!(vset.manifest_file_number(), 1);
    apply_adding(&mut vset, 8).unwrap();
    assert_eq!(manifests(), ["MANIFEST-000001"]);
    assert_eq!(current_contents(&*env), "MANIFEST-000001\n");
    assert_eq!(file_list(recovered(&options).current()), [(1, 5), (2, 8)]);

    // As large as max_file_size: a new one.
    options.max_file_size = manifest_size() as usize;
    let mut vset = new_version_set(&options);
    assert!(vset.recover().unwrap(), "a new MANIFEST is needed");
    let manifest = vset.manifest_file_number();
    apply_adding(&mut vset, 20).unwrap();
    let name = format!("MANIFEST-{manifest:06}");
    assert_eq!(manifests(), ["MANIFEST-000001".to_string(), name.clone()]);
    assert_eq!(current_contents(&*env), name + "\n");

    // Without reuse_logs, always a new one.
    options.reuse_logs = false;
    options.max_file_size = usize::MAX;
    assert!(new_version_set(&options).recover().unwrap());
}

// ---------------------------------------------------------------------------------------------------------------
// Property: a MANIFEST recovers to the state its writer had

/// One change of a random edit.
#[derive(Clone, Debug)]
enum Change {
    /// A level-0 file over the keys `k(a)..k(b)`.
    AddLevel0 {
        a: u16,
        b: u16,
        size: u32,
    },
    /// A file at `1 + level % 6`, over keys no other file of those levels has.
    AddFile {
        level: u8,
        span: u8,
        size: u32,
    },
    /// Removes the `pick % n`th of the n files of the current version.
    Remove {
        pick: u16,
    },
    CompactPointer {
        level: u8,
        key: u16,
    },
    LogNumber,
    PrevLogNumber,
    LastSequence {
        advance: u16,
    },
}

impl Arbitrary for Change {
    fn arbitrary(g: &mut Gen) -> Change {
        match u8::arbitrary(g) % 7 {
            0 => Change::AddLevel0 {
                a: u16::arbitrary(g),
                b: u16::arbitrary(g),
                size: u32::arbitrary(g),
            },
            1 => Change::AddFile {
                level: u8::arbitrary(g),
                span: u8::arbitrary(g),
                size: u32::arbitrary(g),
            },
            2 => Change::Remove {
                pick: u16::arbitrary(g),
            },
            3 => Change::CompactPointer {
                level: u8::arbitrary(g),
                key: u16::arbitrary(g),
            },
            4 => Change::LogNumber,
            5 => Change::PrevLogNumber,
            _ => Change::LastSequence {
                advance: u16::arbitrary(g),
            },
        }
    }
}

fn k(n: u64) -> String {
    format!("{n:012}")
}

/// Turns `changes` into an edit of `vset`'s current version.
fn edit_of(vset: &mut VersionSet, changes: &[Change]) -> VersionEdit {
    let mut edit = VersionEdit::new();
    let live = file_list(vset.current());
    for change in changes {
        match *change {
            Change::AddLevel0 { a, b, size } => {
                let number = vset.new_file_number();
                let (a, b) = (a.min(b) as u64, a.max(b) as u64);
                edit.add_file(
                    0,
                    number,
                    size as u64,
                    InternalKey::new(k(a).as_bytes(), number, ValueType::Value),
                    InternalKey::new(k(b).as_bytes(), number, ValueType::Deletion),
                );
            }
            Change::AddFile { level, span, size } => {
                // Keys derived from the (unique) file number keep the files of a level apart.
                let number = vset.new_file_number();
                let start = number * 1000;
                edit.add_file(
                    1 + level as usize % (config::NUM_LEVELS - 1),
                    number,
                    size as u64,
                    ikey(&k(start), 1),
                    ikey(&k(start + span as u64), 1),
                );
            }
            Change::Remove { pick } => {
                if !live.is_empty() {
                    let (level, number) = live[pick as usize % live.len()];
                    edit.remove_file(level, number);
                }
            }
            Change::CompactPointer { level, key } => edit
                .set_compact_pointer(level as usize % config::NUM_LEVELS, ikey(&k(key as u64), 7)),
            Change::LogNumber => edit.set_log_number(vset.new_file_number()),
            Change::PrevLogNumber => edit.set_prev_log_number(vset.new_file_number()),
            Change::LastSequence { advance } => {
                vset.set_last_sequence(vset.last_sequence() + advance as u64)
            }
        }
    }
    edit
}

/// Everything a MANIFEST records of `vset`'s state.
#[derive(Debug, PartialEq)]
struct RecordedState {
    files: Vec<Vec<(u64, u64, InternalKey, InternalKey)>>,
    compact_pointer: [Vec<u8>; config::NUM_LEVELS],
    last_sequence: SequenceNumber,
    log_number: u64,
    prev_log_number: u64,
    compaction: (f64, usize),
}

fn recorded_state(vset: &VersionSet) -> RecordedState {
    let v = vset.current();
    RecordedState {
        files: (0..config::NUM_LEVELS)
            .map(|level| {
                v.files(level)
                    .iter()
                    .map(|f| (f.number, f.file_size, f.smallest.clone(), f.largest.clone()))
                    .collect()
            })
            .collect(),
        compact_pointer: vset.compact_pointer.clone(),
        last_sequence: vset.last_sequence(),
        log_number: vset.log_number(),
        prev_log_number: vset.prev_log_number(),
        compaction: (v.compaction_score, v.compaction_level),
    }
}

fn history_recovers_from_its_manifest(history: Vec<Vec<Change>>) -> TestResult {
    if history.is_empty() {
        return TestResult::discard(); // Nothing written: the MANIFEST is still the new database's.
    }
    let options = mem_options();
    let mut vset = new_db(&options);
    for changes in &history {
        let mut edit = edit_of(&mut vset, changes);
        vset.log_and_apply(&mut edit).unwrap();
    }
    let expected = recorded_state(&vset);

    let mut first = recovered(&options);
    assert_eq!(recorded_state(&first), expected);
    assert_eq!(first.manifest_file_number(), vset.next_file_number);
    // A new MANIFEST starts with a snapshot of that state, compaction pointers included.
    first.log_and_apply(&mut VersionEdit::new()).unwrap();
    let second = recovered(&options);
    assert_eq!(second.manifest_file_number(), first.next_file_number);
    assert_eq!(recorded_state(&second), expected);
    TestResult::passed()
}

#[test]
fn random_histories_recover_from_their_manifest() {
    QuickCheck::new()
        .rng(Gen::new(30))
        .tests(200)
        .quickcheck(history_recovers_from_its_manifest as fn(Vec<Vec<Change>>) -> TestResult);
}
