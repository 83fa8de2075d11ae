//! Reading never changes a database: `DB::open_read_only` and every read command of oxldb (`get`, `scan`,
//! `idump`, `approxsize`, `get_property`, `checkconsistency`) leave each LevelDB 1.23 fixture database byte for
//! byte as it was, create no file (no LOCK, no LOG, no new log or MANIFEST) and delete none; and they work while
//! another handle has the database open for writing.

#[path = "../../tests/common/mod.rs"]
mod common;
mod runner;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;
use oxleveldb::{Options, DB};
use runner::oxldb;

/// Every file of `dir`, by name, with its bytes; the LOCK file only by its (empty) size: opening and closing it
/// would release a POSIX lock this process holds on it.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let contents = if name == "LOCK" {
                assert_eq!(e.metadata().unwrap().len(), 0);
                Vec::new()
            } else {
                fs::read(e.path()).unwrap()
            };
            (name, contents)
        })
        .collect()
}

/// A copy of fixture `name`'s database without its LOCK file (so that creating one would show), and the
/// snapshot of it.
fn fixture_copy(name: &str) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = copy_fixture_db(name);
    fs::remove_file(dir.path().join("LOCK")).unwrap();
    let before = snapshot(dir.path());
    assert!(
        before.contains_key("CURRENT") && before.len() >= 4,
        "{name}"
    );
    (dir, before)
}

/// The entries of `db`, as the fixtures' expected.txt lists them: `<hex key> <hex value>` lines.
fn as_expected_txt(db: &DB) -> Vec<u8> {
    db.iter()
        .map(|entry| {
            let (key, value) = entry.unwrap();
            format!("{} {}\n", hex(&key), hex(&value))
        })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn a_read_only_open_leaves_every_fixture_database_unchanged() {
    for name in fixture_names() {
        let (dir, before) = fixture_copy(&name);
        {
            let db = DB::open_read_only(fixture_options(&name), dir.path()).unwrap();
            assert_matches_leveldb(&name, "expected.txt", &as_expected_txt(&db));
            assert!(db.get_property("leveldb.stats").is_some());
            // Writes are refused rather than written.
            let refused = db.put("k", "v").unwrap_err();
            assert!(refused.is_not_supported_error(), "{refused}");
            assert!(db.compact_range(None, None).is_err());
        }
        assert!(snapshot(dir.path()) == before, "{name}: the files changed");
    }
}

#[test]
fn oxldb_read_commands_leave_every_fixture_database_unchanged() {
    for name in fixture_names() {
        let (dir, before) = fixture_copy(&name);
        let db = format!("--db={}", dir.path().display());
        let db = db.as_str();
        let first_key = {
            let (code, stdout, stderr) = oxldb(&["scan", db, "--max_keys=1"]);
            assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
            let line = String::from_utf8(stdout).unwrap();
            line.split_once(" ==> ").unwrap().0.to_string()
        };
        let commands: [&[&str]; 12] = [
            &["get", db, &first_key],
            &["get", db, "--hex", "0x00"],
            &["scan", db],
            &["scan", db, "--hex", "--from=0x30", "--max_keys=10"],
            &["idump", db],
            &["approxsize", db],
            &["get_property", db, "leveldb.stats"],
            &["get_property", db, "leveldb.sstables"],
            &["get_property", db, "leveldb.num-files-at-level0"],
            &["get_property", db, "leveldb.approximate-memory-usage"],
            &["checkconsistency", db],
            &["get_property", db, "leveldb.nosuch"],
        ];
        for args in commands {
            let (code, stdout, stderr) = oxldb(args);
            // The missing key and the unknown property fail; everything else succeeds and prints.
            let fails = args.contains(&"0x00") || args.contains(&"leveldb.nosuch");
            assert_eq!(code, i32::from(fails), "{name}: {args:?}: {stderr}");
            assert!(!stdout.is_empty() || fails, "{name}: {args:?}");
            assert!(
                snapshot(dir.path()) == before,
                "{name}: oxldb {args:?} changed the files"
            );
        }
    }
}

#[test]
fn read_commands_work_while_a_handle_has_the_database_open_for_writing() {
    let dir = tempfile::tempdir().unwrap();
    let writer = DB::open(
        Options {
            create_if_missing: true,
            ..Options::default()
        },
        dir.path(),
    )
    .unwrap();
    for i in 0..100 {
        writer.put(format!("k{i:03}"), format!("v{i}")).unwrap();
    }
    writer.delete("k050").unwrap();
    let db = format!("--db={}", dir.path().display());
    let ok = |args: &[&str]| {
        let (code, stdout, stderr) = oxldb(args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        String::from_utf8(stdout).unwrap()
    };

    // The readers see what the writer's log holds.
    let before = snapshot(dir.path());
    assert_eq!(ok(&["get", &db, "k007"]), "v7\n");
    let scan = ok(&["scan", &db]);
    assert_eq!(scan.lines().count(), 99);
    assert!(scan.starts_with("k000 ==> v0\nk001 ==> v1\n"), "{scan}");
    assert_eq!(
        ok(&["idump", &db, "--from=k050", "--max_keys=2"]),
        "'k050' seq:101, type:0 => \n'k050' seq:51, type:1 => v50\nInternal keys in range: 2\n"
    );
    assert_eq!(ok(&["checkconsistency", &db]), "OK\n");
    assert_eq!(
        ok(&["get_property", &db, "leveldb.num-files-at-level0"]),
        "leveldb.num-files-at-level0: 0\n"
    );
    ok(&["approxsize", &db]);
    assert!(
        snapshot(dir.path()) == before,
        "a read command changed the files"
    );

    // A later reader sees a later write; a writer is refused the lock, and so is repair (which LevelDB lets
    // rewrite the database under its writer).
    writer.put("k007", "new").unwrap();
    assert_eq!(ok(&["get", &db, "k007"]), "new\n");
    let before = snapshot(dir.path());
    for args in [
        &["put", &db, "k", "v"][..],
        &["repair", &db],
        &["compact", &db],
    ] {
        let (code, stdout, stderr) = oxldb(args);
        assert_eq!((code, stdout.len()), (1, 0), "{args:?}");
        assert!(
            stderr.contains("\noxldb: another process has the database open"),
            "{stderr}"
        );
    }
    assert!(
        snapshot(dir.path()) == before,
        "a refused command changed the files"
    );
    drop(writer);
    assert_eq!(ok(&["put", &db, "k", "v"]), "OK\n");
    assert_eq!(ok(&["repair", &db]), "OK\n");
    assert_eq!(ok(&["get", &db, "k007"]), "new\n");
}
