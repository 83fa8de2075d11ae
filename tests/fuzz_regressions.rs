//! What coverage-guided fuzzing found (issue 28, fuzz/), each as a test of the library named after it. The inputs
//! the fuzzer found are in fuzz/regressions/<target>/ and are replayed through the targets' oracles by
//! differential/tests/fuzz_regressions.rs; these tests state the same findings directly.

use std::fs;

use oxleveldb::env::default_env;
use oxleveldb::table::TableBuilder;
use oxleveldb::{repair_db, Options, DB};

/// A database holding "kept" = "value" (in its log), closed; with the options it was made with.
fn database_with_one_key() -> (tempfile::TempDir, Options) {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        create_if_missing: true,
        ..Options::default()
    };
    let db = DB::open(options.clone(), dir.path()).unwrap();
    db.put("kept", "value").unwrap();
    drop(db);
    (dir, options)
}

/// Found by the target `recovery`: a table whose keys are all too short to be internal keys. LevelDB's repair
/// keeps it with empty bounds, which its MANIFEST cannot hold (an assertion; without assertions a MANIFEST that
/// does not read back, "VersionEdit: new-file entry"), so the repaired database did not open. Now the table is
/// set aside in lost/ and the repaired database opens, with the other tables' data.
#[test]
fn repair_sets_aside_a_table_without_parsable_keys() {
    let (dir, options) = database_with_one_key();
    DB::open(options.clone(), dir.path())
        .unwrap()
        .compact_range(None, None)
        .unwrap();
    // A table of raw 3-byte keys, numbered past every file of the database.
    let env = default_env();
    let path = dir.path().join("000100.ldb");
    let mut builder = TableBuilder::new(&options, env.new_writable_file(&path).unwrap());
    builder.add(b"abc", b"1");
    builder.add(b"abd", b"2");
    builder.finish().unwrap();
    builder.file().close().unwrap();
    drop(builder);

    repair_db(dir.path(), &options).unwrap();
    assert!(
        dir.path().join("lost/000100.ldb").exists(),
        "the table is set aside"
    );
    let db = DB::open(options, dir.path()).expect("the repaired database opens");
    let got = db.get("kept").unwrap();
    assert_eq!(got.as_deref(), Some(&b"value"[..]));
    assert!(!fs::read_dir(dir.path())
        .unwrap()
        .any(|e| e.unwrap().file_name() == "000100.ldb"));
}

/// Found by the target `recovery` (fuzz/regressions/recovery/a-log-named-5.log-is-opened-as-000005.log): a stray
/// file "5.log" is log 5 to both engines, which then open "000005.log", missing. LevelDB without paranoid checks
/// goes on without it (`MaybeIgnoreError`). oxleveldb goes on only when the error says the log is gone
/// (NotFound); `MemEnv`, like LevelDB's memenv, reports a missing file as an IOError ("File not found"), so on
/// `MemEnv` the open failed (on disk the error is NotFound and both engines open). `DBImpl::recover_log_file`
/// (src/db/db_impl/recovery.rs) now treats a log that `Env::file_exists` says is not there as gone, whatever the
/// error's code.
#[test]
fn a_missing_log_on_memenv_does_not_fail_the_open() {
    use std::path::Path;
    use std::sync::Arc;

    use oxleveldb::env::{write_string_to_file, Env, MemEnv};

    let env: Arc<dyn Env> = Arc::new(MemEnv::new(default_env()));
    let options = Options {
        env: env.clone(),
        create_if_missing: true,
        ..Options::default()
    };
    let db = DB::open(options.clone(), "/db").unwrap();
    db.put("k", "v").unwrap();
    drop(db);
    write_string_to_file(&*env, b"", Path::new("/db/5.log")).unwrap();
    let db = DB::open(options, "/db").expect("LevelDB opens it, without the missing log");
    assert_eq!(db.get("k").unwrap().as_deref(), Some(&b"v"[..]));
}

/// Found by the target `recovery_differential`: CURRENT names its MANIFEST with bytes that are not UTF-8. LevelDB
/// opens the name's bytes as they are; oxleveldb made them valid UTF-8 first (each bad byte three bytes), so it
/// opened another name, too long for the file system ("File name too long" where LevelDB's was not found). Now
/// the bytes are the name: a MANIFEST so named opens, and a missing one is LevelDB's corruption.
#[test]
fn current_names_its_manifest_by_the_bytes_it_holds() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let (dir, options) = database_with_one_key();
    let manifest = fs::read_to_string(dir.path().join("CURRENT")).unwrap();
    let manifest = dir.path().join(manifest.trim_end());
    // 100 bytes of 0x8f: a valid file name, 300 bytes once each is made U+FFFD.
    let name = [b"MANIFEST-".as_slice(), &[0x8f; 100]].concat();
    fs::rename(&manifest, dir.path().join(OsStr::from_bytes(&name))).unwrap();
    fs::write(
        dir.path().join("CURRENT"),
        [name.as_slice(), b"\n"].concat(),
    )
    .unwrap();

    let db = DB::open(options.clone(), dir.path()).unwrap();
    assert_eq!(db.get("kept").unwrap().as_deref(), Some(&b"value"[..]));
    drop(db);

    fs::write(
        dir.path().join("CURRENT"),
        [&[0x8f; 100][..], b"\n"].concat(),
    )
    .unwrap();
    let error = DB::open(options, dir.path()).unwrap_err().to_string();
    assert!(
        error.starts_with("Corruption: CURRENT points to a non-existent file: NotFound: "),
        "{error}"
    );
}
