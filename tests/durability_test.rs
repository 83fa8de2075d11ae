//! Where LevelDB 1.23 loses acknowledged data on an error path, oxleveldb loses nothing (issue 15). Each test
//! injects, through `IoFaultEnv`, the failure a real disk gives: a log append that fails half-way, a read error
//! while the log is replayed, a full disk. README.md, "Where oxleveldb is stricter than LevelDB", lists the cases.

use std::path::Path;
use std::sync::Arc;

use oxleveldb::env::{Env, IoFaultEnv, MemEnv};
use oxleveldb::{Options, WriteOptions, DB};

const DBNAME: &str = "/db";

fn key(i: usize) -> Vec<u8> {
    format!("key{i:06}").into_bytes()
}

fn value(i: usize) -> Vec<u8> {
    format!("value{i:06}-").repeat(10).into_bytes()
}

fn synced() -> WriteOptions {
    WriteOptions { sync: true }
}

fn fault_env() -> Arc<IoFaultEnv> {
    Arc::new(IoFaultEnv::new(Arc::new(MemEnv::default())))
}

fn options(env: &Arc<IoFaultEnv>) -> Options {
    Options {
        env: env.clone(),
        create_if_missing: true,
        ..Options::default()
    }
}

fn open(env: &Arc<IoFaultEnv>) -> DB {
    DB::open(options(env), DBNAME).unwrap()
}

fn put(db: &DB, i: usize) -> oxleveldb::Result<()> {
    db.put_opt(key(i), value(i), &synced())
}

fn get(db: &DB, i: usize) -> Option<Vec<u8>> {
    db.get(key(i)).unwrap()
}

/// Asserts that every key of `present` has its value and that no key of `absent` is there.
fn check(
    db: &DB,
    present: impl IntoIterator<Item = usize>,
    absent: impl IntoIterator<Item = usize>,
) {
    for i in present {
        assert_eq!(get(db, i), Some(value(i)), "key {i} was acknowledged");
    }
    for i in absent {
        assert_eq!(get(db, i), None, "key {i} was refused");
    }
}

fn files_named(env: &IoFaultEnv, part: &str) -> Vec<String> {
    let mut files: Vec<String> = Env::get_children(env, Path::new(DBNAME))
        .unwrap()
        .into_iter()
        .filter(|f| f.contains(part))
        .collect();
    files.sort();
    files
}

/// Issue 15, item 1. LevelDB goes on after a failed log append: its next records follow a torn one, recovery
/// stops at the torn record, and every later write is lost, synced ones too. Here the failed append is the
/// sticky background error: no later write is acknowledged, and a reopen finds every acknowledged one.
#[test]
fn a_failed_log_append_refuses_later_writes_and_loses_nothing() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..10 {
        put(&db, i).unwrap();
    }
    // The header goes in one append, the payload in the next: half the payload is written, then EIO.
    env.fail_append(".log", 2);
    let e = put(&db, 10).unwrap_err();
    assert!(e.to_string().ends_with(".log: Input/output error"), "{e}");
    // The fault was transient, the next append would succeed: the writes are refused all the same.
    for i in 11..30 {
        assert_eq!(
            put(&db, i).unwrap_err(),
            e,
            "write {i} after the failed append"
        );
    }
    assert!(db.compact_range(None, None).is_err());
    // Reads go on.
    check(&db, 0..10, 10..30);
    drop(db);

    // Nothing acknowledged is lost, even with paranoid checks (the torn record is at the end of the log).
    let db = DB::open(
        Options {
            paranoid_checks: true,
            ..options(&env)
        },
        DBNAME,
    )
    .unwrap();
    check(&db, 0..10, 10..30);
    put(&db, 30).unwrap();
}

/// Issue 15, item 1, with `DB::resume`: it moves on to a new log, and the writes it then acknowledges survive a
/// reopen along with the ones before the failure.
#[test]
fn resume_after_a_failed_log_append_starts_a_new_log() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..10 {
        put(&db, i).unwrap();
    }
    let old_logs = files_named(&env, ".log");
    env.fail_append(".log", 2);
    put(&db, 10).unwrap_err();
    put(&db, 11).unwrap_err();

    db.resume().unwrap();
    assert_ne!(
        files_named(&env, ".log"),
        old_logs,
        "resume started a new log"
    );
    for i in 11..30 {
        put(&db, i).unwrap();
    }
    check(&db, (0..10).chain(11..30), [10]);
    db.resume().unwrap(); // No error: nothing to do.
    drop(db);

    let db = open(&env);
    check(&db, (0..10).chain(11..30), [10]);
}

/// Issue 15, item 2. Without paranoid_checks, LevelDB takes a read error in a log for its end, and then deletes
/// the log: every write in it is lost. Here the open fails and deletes nothing, and a later open (the device
/// back) finds everything. The same holds for the MANIFEST and CURRENT.
#[test]
fn a_read_error_during_recovery_fails_the_open_and_deletes_nothing() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..1000 {
        db.put(key(i), value(i)).unwrap();
    }
    drop(db);

    for part in [".log", "MANIFEST", "CURRENT"] {
        let files = files_named(&env, "");
        env.fail_reads(Some(part));
        let options = Options {
            paranoid_checks: false,
            ..options(&env)
        };
        let e = DB::open(options, DBNAME).expect_err("the open fails");
        let message = e.to_string();
        assert!(
            message.starts_with("IO error: /db/")
                && message.contains(part)
                && message.ends_with(": Input/output error"),
            "{message}"
        );
        // LOG is the info log, renamed to LOG.old by every open.
        let data_files = |files: Vec<String>| -> Vec<String> {
            files
                .into_iter()
                .filter(|f| !f.starts_with("LOG"))
                .collect()
        };
        assert_eq!(data_files(files_named(&env, "")), data_files(files));

        env.fail_reads(None);
        let db = open(&env);
        check(&db, 0..1000, []);
        drop(db);
    }
}

/// Issue 15, item 4. A full disk: writes fail with a clear error, reads go on; once space is freed,
/// `DB::resume` lets writes in again without a reopen, and nothing acknowledged is lost.
#[test]
fn a_full_disk_fails_writes_until_space_is_freed_and_resume() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..100 {
        put(&db, i).unwrap();
    }
    env.set_disk_full(true);
    let e = put(&db, 100).unwrap_err();
    assert!(
        e.to_string().starts_with("IO error: /db/")
            && e.to_string().ends_with(".log: No space left on device"),
        "{e}"
    );
    assert!(put(&db, 101).is_err());
    check(&db, 0..100, 100..102);
    let mut iter = db.new_iterator();
    iter.seek_to_first();
    assert_eq!(iter.key(), key(0));
    drop(iter);

    // Still full: resume fails, and says why.
    let e = db.resume().unwrap_err();
    assert!(e.to_string().ends_with(": No space left on device"), "{e}");
    assert!(put(&db, 102).is_err());

    env.set_disk_full(false);
    db.resume().unwrap();
    // Enough to fill a few memtables: flushes and compactions run again.
    for i in 103..3000 {
        put(&db, i).unwrap();
    }
    db.compact_range(None, None).unwrap();
    check(&db, (0..100).chain(103..3000), 100..103);
    drop(db);

    let db = open(&env);
    check(&db, (0..100).chain(103..3000), 100..103);
}

/// Issue 15, item 4: a failed flush (here a table write that fails) is the background error; `resume` retries
/// the flush.
#[test]
fn resume_retries_a_failed_flush() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..100 {
        put(&db, i).unwrap();
    }
    env.fail_append(".ldb", 1);
    let e = db.test_compact_mem_table().unwrap_err();
    assert!(e.to_string().ends_with(".ldb: Input/output error"), "{e}");
    assert_eq!(put(&db, 100).unwrap_err(), e);
    assert!(
        files_named(&env, ".ldb").is_empty(),
        "the failed table is gone"
    );

    db.resume().unwrap();
    assert_eq!(
        files_named(&env, ".ldb").len(),
        1,
        "the memtable is flushed"
    );
    put(&db, 101).unwrap();
    drop(db);
    let db = open(&env);
    check(&db, (0..100).chain([101]), [100]);
}

/// Issue 15, item 4: an open that needs space (here to flush the replayed log) fails with a clear error and
/// loses nothing.
#[test]
fn an_open_without_space_fails_and_loses_nothing() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..100 {
        put(&db, i).unwrap();
    }
    drop(db);

    env.set_disk_full(true);
    let e = DB::open(options(&env), DBNAME).expect_err("no space to open");
    assert!(e.to_string().ends_with(": No space left on device"), "{e}");
    env.set_disk_full(false);
    let db = open(&env);
    check(&db, 0..100, []);
}

/// `resume` does not clear an error it cannot make safe: a corrupt table met by a compaction stays the
/// background error until the database is reopened.
#[test]
fn resume_refuses_to_clear_a_corruption() {
    let env = fault_env();
    let db = open(&env);
    for i in 0..100 {
        put(&db, i).unwrap();
    }
    db.test_compact_mem_table().unwrap();
    for i in 50..150 {
        put(&db, i).unwrap();
    }
    db.test_compact_mem_table().unwrap();
    // Damage a table: rewrite it with its middle bytes flipped.
    let table = Path::new(DBNAME).join(&files_named(&env, ".ldb")[0]);
    let mut contents = oxleveldb::env::read_file_to_string(&*env, &table).unwrap();
    for b in &mut contents[100..200] {
        *b ^= 0x55;
    }
    oxleveldb::env::write_string_to_file(&*env, &contents, &table).unwrap();

    let e = db.compact_range(None, None).unwrap_err();
    assert!(e.is_corruption(), "{e}");
    assert_eq!(db.resume().unwrap_err(), e);
    assert_eq!(put(&db, 1000).unwrap_err(), e);
}
