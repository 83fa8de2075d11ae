//! Bad input never panics and never reads back a wrong value: every file of a small database (its log, its tables,
//! its MANIFEST and CURRENT) is damaged in turn, with random bytes flipped or cut short at a random length, under
//! many seeds of LevelDB's `Random` and both values of `paranoid_checks`. Opening and reading the database then
//! gives either data that was written (each key read has one of the values written for it) or a Corruption or IO
//! error — naming the file where LevelDB does — and after `repair_db` the database opens again.
//!
//! Reads verify checksums. Without them, LevelDB (and so oxleveldb) returns whatever a damaged block decodes to;
//! likewise compactions read tables without checksums unless `paranoid_checks` is set, and `repair_db` reads logs
//! without checksums (and tables too, without `paranoid_checks`), so what they save from such files is checked for
//! errors but not for values. Two damages that the random ones rarely hit have tests of their own: a CURRENT that
//! names a file with a NUL byte, and a table whose keys decode out of order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use oxleveldb::db::filename::FileType;
use oxleveldb::env::default_env;
use oxleveldb::util::random::Random;
use oxleveldb::{repair_db, CompressionType, Error, Options, ReadOptions, DB};

mod common;
use common::db_files::files_of_type;
use common::testutil::{compressible_string, random_string, RANDOM_SEED};

/// Seeds tried per file type and kind of damage.
const SEEDS: u32 = 50;
/// Keys read with `get` per check: fewer than a file's 100 allowed seeks, so that reads trigger no compaction
/// (which, without paranoid checks, would copy damaged data into new tables with valid checksums).
const GETS: u32 = 50;

/// Every value written for each key (deleted keys keep theirs: damage may bring an old value back).
type Model = BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>>;

/// Writes the database to damage: two tables at different levels, overwrites and deletes, and a log with more,
/// half the values compressible (so snappy blocks are damaged too).
fn build_database(dbname: &Path) -> Model {
    let db = DB::open(
        Options {
            create_if_missing: true,
            ..Options::default()
        },
        dbname,
    )
    .unwrap();
    let mut rnd = Random::new(RANDOM_SEED);
    let mut model = Model::new();
    let mut put = |rnd: &mut Random, i: u32| {
        let key = key(i as usize);
        let len = 10 + rnd.uniform(200) as usize;
        let value = if rnd.one_in(2) {
            compressible_string(rnd, 0.25, len)
        } else {
            random_string(rnd, len)
        };
        db.put(&key, &value).unwrap();
        model.entry(key).or_default().insert(value);
    };
    for i in 0..300 {
        put(&mut rnd, i);
    }
    db.test_compact_mem_table().unwrap();
    for _ in 0..100 {
        let i = rnd.uniform(400);
        put(&mut rnd, i);
    }
    for _ in 0..50 {
        let key = key(rnd.uniform(400) as usize);
        db.delete(&key).unwrap();
    }
    db.test_compact_mem_table().unwrap();
    for _ in 0..100 {
        let i = rnd.uniform(400);
        put(&mut rnd, i);
    }
    model
}

/// The names of the files of type `file_type` in `dbname`.
fn file_names(dbname: &Path, file_type: FileType) -> Vec<String> {
    files_of_type(&*default_env(), dbname, file_type)
        .into_iter()
        .map(|(_, name)| name)
        .collect()
}

fn copy_database(from: &Path, to: &Path) {
    fs::create_dir(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// How a file is damaged.
#[derive(Clone, Copy, Debug)]
enum Damage {
    /// One to three random bytes are XORed with a random non-zero byte.
    FlipBytes,
    /// The file is cut at a random length shorter than it is.
    Truncate,
}

/// Damages `fname` as `damage` says, drawing from `rnd`; returns what was done, for failure messages.
fn damage_file(fname: &Path, damage: Damage, rnd: &mut Random) -> String {
    let mut contents = fs::read(fname).unwrap();
    assert!(!contents.is_empty(), "{} is empty", fname.display());
    let done = match damage {
        Damage::FlipBytes => {
            let mut flips = Vec::new();
            for _ in 0..=rnd.uniform(3) {
                let offset = rnd.uniform(contents.len() as u32) as usize;
                let mask = 1 + rnd.uniform(255) as u8;
                contents[offset] ^= mask;
                flips.push(format!("{offset}^{mask:#04x}"));
            }
            format!("flipped {}", flips.join(", "))
        }
        Damage::Truncate => {
            let len = rnd.uniform(contents.len() as u32) as usize;
            contents.truncate(len);
            format!("truncated to {len}")
        }
    };
    fs::write(fname, contents).unwrap();
    done
}

/// An error of damaged input: Corruption or IOError, and naming the file where LevelDB's message does (every
/// Env error, a missing table, a MANIFEST that CURRENT names but that does not exist).
fn check_error(e: &Error, dbname: &Path, context: &str) {
    assert!(
        e.is_corruption() || e.is_io_error(),
        "{context}: unexpected kind of error: {e}"
    );
    let names_file = e.message().contains(&*dbname.to_string_lossy());
    let leveldb_names_file = e.is_io_error()
        || e.message().contains("missing files; e.g.")
        || e.message()
            .starts_with("CURRENT points to a non-existent file");
    assert!(
        names_file || !leveldb_names_file,
        "{context}: the error does not name the file: {e}"
    );
}

/// Reads the whole database and `GETS` keys: each read gives a value written for its key (when `genuine`, else
/// anything), nothing, or an error of damaged input.
fn check_reads(
    db: &DB,
    model: &Model,
    dbname: &Path,
    genuine: bool,
    rnd: &mut Random,
    context: &str,
) {
    let read_options = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let check_value = |key: &[u8], value: &[u8]| {
        if genuine {
            assert!(
                model.get(key).is_some_and(|values| values.contains(value)),
                "{context}: {key:?} reads a value never written for it: {value:?}"
            );
        }
    };
    for item in db.new_iterator_opt(&read_options) {
        match item {
            Ok((key, value)) => check_value(&key, &value),
            Err(e) => check_error(&e, dbname, context),
        }
    }
    let keys: Vec<&Vec<u8>> = model.keys().collect();
    for _ in 0..GETS {
        let key = keys[rnd.uniform(keys.len() as u32) as usize];
        match db.get_opt(key, &read_options) {
            Ok(Some(value)) => check_value(key, &value),
            Ok(None) => {}
            Err(e) => check_error(&e, dbname, context),
        }
    }
}

/// Damages each file of type `file_type` in every way under every seed, and checks what the database makes of it,
/// with and without paranoid checks.
fn damage_files_of_type(file_type: FileType) {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    let model = build_database(&pristine);
    let names = file_names(&pristine, file_type);
    assert!(!names.is_empty(), "the database has no {file_type:?}");

    let mut case = 0;
    for damage in [Damage::FlipBytes, Damage::Truncate] {
        for seed in 0..SEEDS {
            let mut rnd = Random::new(RANDOM_SEED + seed);
            let name = &names[rnd.uniform(names.len() as u32) as usize];
            // The same damage for both values of paranoid_checks.
            let damage_rnd = rnd.clone();
            for paranoid_checks in [false, true] {
                let mut damage_rnd = damage_rnd.clone();
                case += 1;
                let dbname = dir.path().join(format!("case{case}"));
                copy_database(&pristine, &dbname);
                let done = damage_file(&dbname.join(name), damage, &mut damage_rnd);
                let context = format!("{name} {done}, paranoid_checks={paranoid_checks}");
                let options = Options {
                    paranoid_checks,
                    ..Options::default()
                };

                match DB::open(options.clone(), &dbname) {
                    Ok(db) => {
                        check_reads(&db, &model, &dbname, true, &mut rnd, &context);
                        // A compaction rewrites what it reads; without paranoid checks it reads tables without
                        // checksums, so what it makes of a damaged table is checked for errors but not for values.
                        if let Err(e) = db.compact_range(None, None) {
                            check_error(&e, &dbname, &context);
                        }
                        let genuine = paranoid_checks || file_type != FileType::TableFile;
                        let context = format!("{context}, after compact_range");
                        check_reads(&db, &model, &dbname, genuine, &mut rnd, &context);
                    }
                    Err(e) => {
                        // Opening reads CURRENT, the MANIFEST and the logs (their damage is a Corruption, and a
                        // damaged log only matters with paranoid checks), never a table.
                        let open_may_fail = match file_type {
                            FileType::LogFile => paranoid_checks,
                            FileType::TableFile => false,
                            _ => true,
                        };
                        assert!(
                            open_may_fail && e.is_corruption(),
                            "{context}: open failed: {e}"
                        );
                        check_error(&e, &dbname, &context);
                    }
                }

                repair_db(&dbname, &options)
                    .unwrap_or_else(|e| panic!("{context}: repair_db failed: {e}"));
                let db = DB::open(options, &dbname).unwrap_or_else(|e| {
                    panic!("{context}: the repaired database does not open: {e}")
                });
                // What repair saves from a damaged log, or from a damaged table without paranoid checks, was read
                // without checksums.
                let genuine = match file_type {
                    FileType::LogFile => false,
                    FileType::TableFile => paranoid_checks,
                    _ => true,
                };
                let context = format!("{context}, after repair_db");
                check_reads(&db, &model, &dbname, genuine, &mut rnd, &context);
                drop(db);
                fs::remove_dir_all(&dbname).unwrap();
            }
        }
    }
}

#[test]
fn damaged_log() {
    damage_files_of_type(FileType::LogFile);
}

#[test]
fn damaged_table() {
    damage_files_of_type(FileType::TableFile);
}

#[test]
fn damaged_manifest() {
    damage_files_of_type(FileType::DescriptorFile);
}

#[test]
fn damaged_current() {
    damage_files_of_type(FileType::CurrentFile);
}

/// The one table of `dbname`.
fn only_table(dbname: &Path) -> std::path::PathBuf {
    let tables = file_names(dbname, FileType::TableFile);
    assert_eq!(tables.len(), 1, "{tables:?}");
    dbname.join(&tables[0])
}

// LevelDB passes file names to the C library as C strings, which end at a NUL byte: a CURRENT damaged to name
// "MANIFEST-0\x0000002" names a MANIFEST-0 that does not exist, a Corruption.
#[test]
fn current_naming_a_file_with_a_nul_byte() {
    let dir = tempfile::tempdir().unwrap();
    let dbname = dir.path().join("db");
    build_database(&dbname);
    fs::write(dbname.join("CURRENT"), b"MANIFEST-0\x0000002\n").unwrap();
    for paranoid_checks in [false, true] {
        let options = Options {
            paranoid_checks,
            ..Options::default()
        };
        let e = DB::open(options, &dbname).err().unwrap();
        assert!(e.is_corruption(), "{e}");
        assert!(
            e.message()
                .starts_with("CURRENT points to a non-existent file: NotFound: "),
            "{e}"
        );
        check_error(&e, &dbname, "CURRENT with a NUL byte");
    }
}

// A damaged table read without checksums can decode to keys out of order. A compaction must not write them into
// its (sorted) output: it fails with a Corruption, like any damaged input it detects, and keeps its inputs.
#[test]
fn compaction_of_keys_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let dbname = dir.path().join("db");
    let options = Options {
        compression: CompressionType::NoCompression,
        ..Options::default()
    };
    let value = |i: usize| format!("value{i}").into_bytes();
    {
        let db = DB::open(
            Options {
                create_if_missing: true,
                ..options.clone()
            },
            &dbname,
        )
        .unwrap();
        for i in 0..300 {
            db.put(key(i), value(i)).unwrap();
        }
        db.test_compact_mem_table().unwrap();
    }

    // Key 160 starts a restart interval, so it is stored whole: making it "zey00160" makes it and the 15 keys
    // after it (which share its prefix) sort after key 176, which starts the next interval.
    let table = only_table(&dbname);
    let mut contents = fs::read(&table).unwrap();
    let at = contents
        .windows(8)
        .position(|w| w == key(160))
        .expect("key 160 stored whole");
    contents[at] = b'z';
    fs::write(&table, &contents).unwrap();

    let db = DB::open(options.clone(), &dbname).unwrap();
    // A newer file over the damaged one, so that compact_range merges the two.
    db.put(key(0), b"new").unwrap();
    db.test_compact_mem_table().unwrap();
    let e = db.compact_range(None, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Corruption: compaction input keys out of order"
    );
    // As after any compaction error, writes fail until the database is reopened.
    assert_eq!(db.put(key(1), b"x").unwrap_err(), e);
    drop(db);

    // Nothing was lost: the damaged table is still there as it was, and the keys of its first block (about 150
    // entries of 27 bytes in 4 KiB) and the newer file read as written.
    assert_eq!(fs::read(&table).unwrap(), contents);
    let db = DB::open(options, &dbname).unwrap();
    assert_eq!(db.get(key(0)).unwrap().as_deref(), Some(&b"new"[..]));
    for i in 1..100 {
        assert_eq!(db.get(key(i)).unwrap(), Some(value(i)), "key {i}");
    }
}

fn key(i: usize) -> Vec<u8> {
    format!("key{i:05}").into_bytes()
}
