//! The env under faults that LevelDB survives: a panic or an error out of `DB::open` after the database was locked,
//! a failing close(2) of a table file, and second opens of a database that is already open in this process, under
//! the same name or another spelling of it.
//!
//! The lock must hold across processes: some tests run this test binary again as a child process (selected by an
//! exact test filter, told its database by an environment variable), which reports what its open of the database
//! gave, and what LevelDB's own open gave (the system's C++ LevelDB, through this package's bindings).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use oxleveldb::env::{default_env, Env, EnvWrapper, MemEnv, WritableFile};
use oxleveldb::{Error, Options, Result, DB};

#[path = "../../tests/common/mod.rs"]
mod common;
use common::child_process::{report, run_test_in_child};

/// Set in a child's environment to the database it opens.
const CHILD_DB: &str = "OXLEVELDB_ENV_HARDENING_CHILD";

fn options(env: Arc<dyn Env>) -> Options {
    Options {
        create_if_missing: true,
        env,
        ..Options::default()
    }
}

fn lock_error(dbname: &Path, reason: &str) -> String {
    format!("IO error: lock {}: {reason}", dbname.join("LOCK").display())
}

/// An Env whose next directory listing panics, as `std::fs::read_dir` did when closedir failed: `DB::open` lists
/// the database's directory after it has locked it.
struct PanickingListEnv {
    target: Arc<dyn Env>,
    panic_next_listing: AtomicBool,
    fail_next_listing: AtomicBool,
}

impl PanickingListEnv {
    fn new(target: Arc<dyn Env>) -> PanickingListEnv {
        PanickingListEnv {
            target,
            panic_next_listing: AtomicBool::new(false),
            fail_next_listing: AtomicBool::new(false),
        }
    }
}

impl EnvWrapper for PanickingListEnv {
    fn target(&self) -> &dyn Env {
        &*self.target
    }

    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        if self.panic_next_listing.swap(false, Ordering::AcqRel) {
            panic!("unexpected error during closedir");
        }
        if self.fail_next_listing.swap(false, Ordering::AcqRel) {
            return Err(Error::io_error(dir.to_string_lossy(), "Input/output error"));
        }
        self.target.get_children(dir)
    }
}

/// Opens `dbname` over `base` while a panic, then an error, comes out of `DB::open` after the lock was taken; each
/// time the lock must be released, so that the next open of the database in this process succeeds.
fn check_failed_opens_release_the_lock(base: Arc<dyn Env>, dbname: &Path) {
    let env = Arc::new(PanickingListEnv::new(base));
    env.panic_next_listing.store(true, Ordering::Release);
    let opened = catch_unwind(AssertUnwindSafe(|| DB::open(options(env.clone()), dbname)));
    assert!(opened.is_err(), "the open panicked");

    env.fail_next_listing.store(true, Ordering::Release);
    let err = DB::open(options(env.clone()), dbname).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!("IO error: {}: Input/output error", dbname.display())
    );

    let db = DB::open(options(env.clone()), dbname).unwrap();
    db.put(b"k", b"v").unwrap();
    assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
}

// issue 10: after a panic out of DB::open, every later open of the database in the process failed with "already
// held by process" (the lock table kept its name).
#[test]
fn failed_opens_release_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    check_failed_opens_release_the_lock(default_env(), &dir.path().join("db"));
}

// The same over MemEnv, whose locks are released only by unlock_file: DB::open itself must release the lock on
// every way out.
#[test]
fn failed_opens_release_the_lock_over_mem_env() {
    check_failed_opens_release_the_lock(Arc::new(MemEnv::default()), Path::new("/db"));
}

/// An Env whose table files report a failed close(2) (after closing) while `fail_table_close` is set, as close
/// fails on a network file system when the last writes cannot be flushed.
struct FailingCloseEnv {
    target: Arc<dyn Env>,
    fail_table_close: Arc<AtomicBool>,
}

struct FailingCloseFile {
    base: Box<dyn WritableFile>,
    fname: String,
    fail: Arc<AtomicBool>,
}

impl WritableFile for FailingCloseFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.base.append(data)
    }
    fn close(&mut self) -> Result<()> {
        self.base.close()?;
        if self.fail.load(Ordering::Acquire) {
            return Err(Error::io_error(&self.fname, "Input/output error"));
        }
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        self.base.flush()
    }
    fn sync(&mut self) -> Result<()> {
        self.base.sync()
    }
}

impl EnvWrapper for FailingCloseEnv {
    fn target(&self) -> &dyn Env {
        &*self.target
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let base = self.target.new_writable_file(fname)?;
        if !fname.to_string_lossy().ends_with(".ldb") {
            return Ok(base);
        }
        Ok(Box::new(FailingCloseFile {
            base,
            fname: fname.to_string_lossy().into_owned(),
            fail: self.fail_table_close.clone(),
        }))
    }
}

fn table_files(dbname: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dbname)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ldb"))
        .collect();
    names.sort();
    names
}

fn assert_table_close_error(result: Result<()>, dbname: &Path) {
    let err = result.unwrap_err().to_string();
    let file = err
        .strip_prefix(&format!("IO error: {}/", dbname.display()))
        .and_then(|rest| rest.strip_suffix(".ldb: Input/output error"));
    assert!(
        file.is_some_and(|number| number.len() == 6 && number.bytes().all(|b| b.is_ascii_digit())),
        "{err}"
    );
}

// issue 10 item 7: a table whose close fails is not kept, the error becomes the database's background error
// (LevelDB's `IO error: <dbname>/000005.ldb: Input/output error`), and nothing acknowledged is lost.
#[test]
fn table_close_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let dbname = dir.path().join("db");
    let fail_table_close = Arc::new(AtomicBool::new(false));
    let env: Arc<dyn Env> = Arc::new(FailingCloseEnv {
        target: default_env(),
        fail_table_close: fail_table_close.clone(),
    });

    // A memtable flush (BuildTable).
    {
        let db = DB::open(options(env.clone()), &dbname).unwrap();
        db.put(b"a", b"1").unwrap();
        fail_table_close.store(true, Ordering::Release);
        assert_table_close_error(db.test_compact_mem_table(), &dbname);
        assert!(
            table_files(&dbname).is_empty(),
            "the failed table is removed"
        );
        assert_table_close_error(db.put(b"b", b"2"), &dbname);
        fail_table_close.store(false, Ordering::Release);
    }

    // A compaction's output (FinishCompactionOutputFile).
    let inputs;
    {
        let db = DB::open(options(env.clone()), &dbname).unwrap();
        db.test_compact_mem_table().unwrap();
        db.put(b"c", b"3").unwrap();
        db.test_compact_mem_table().unwrap();
        inputs = table_files(&dbname);
        assert_eq!(inputs.len(), 2, "{inputs:?}");
        fail_table_close.store(true, Ordering::Release);
        assert_table_close_error(db.compact_range(None, None), &dbname);
        fail_table_close.store(false, Ordering::Release);
    }

    // The failed compaction's output stays until the next open, as in LevelDB (after a background error no
    // obsolete file is deleted), and the open deletes it.
    let db = DB::open(options(default_env()), &dbname).unwrap();
    assert_eq!(table_files(&dbname), inputs);
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get(b"b").unwrap(), None, "never acknowledged");
    assert_eq!(db.get(b"c").unwrap().as_deref(), Some(&b"3"[..]));
}

// issue 15: the in-process lock table compared names, so `db/.`, `db/../db` or a symlink opened a second handle
// on a database that was open.
#[test]
fn second_open_under_another_spelling_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dbname = dir.path().join("db");
    let db = DB::open(options(default_env()), &dbname).unwrap();
    db.put(b"k", b"v").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&dbname, &link).unwrap();
    let spellings = [dbname.clone(), dbname.join("."), dbname.join("../db"), link];
    for spelling in &spellings {
        let err = DB::open(options(default_env()), spelling).err().unwrap();
        assert_eq!(
            err.to_string(),
            lock_error(spelling, "already held by process")
        );
    }
    drop(db);
    for spelling in &spellings {
        let db = DB::open(options(default_env()), spelling).unwrap();
        assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
    }
}

/// The child's part: what opening `dbname` gives oxleveldb, and LevelDB.
fn child_opens(dbname: &Path) -> String {
    // Each engine's handle is closed before the next one tries: within one process fcntl locks exclude nothing.
    let report = match DB::open(options(default_env()), dbname) {
        Ok(_) => "oxleveldb: OK".to_string(),
        Err(e) => format!("oxleveldb: {e}"),
    };
    let report = {
        let opened = system_leveldb::Db::open(&system_leveldb::Options::new(), dbname);
        format!("{report}; leveldb: {}", opened.err().unwrap_or("OK".into()))
    };
    report
}

/// What `child_opens` reports when every engine gets `result`.
fn expected_report(result: &str) -> String {
    format!("oxleveldb: {result}; leveldb: {result}")
}

// issue 15: a refused second open closed its own descriptor of the LOCK file, and closing any descriptor of a
// file releases the process's fcntl locks on it: another process could then open the live database.
#[test]
fn refused_second_open_keeps_the_lock_against_other_processes() {
    if let Some(dbname) = std::env::var_os(CHILD_DB) {
        return report(child_opens(Path::new(&dbname)));
    }
    const TEST: &str = "refused_second_open_keeps_the_lock_against_other_processes";
    let dir = tempfile::tempdir().unwrap();
    let dbname = dir.path().join("db");
    let db = DB::open(options(default_env()), &dbname).unwrap();
    for spelling in [dbname.clone(), dbname.join(".")] {
        assert!(DB::open(options(default_env()), &spelling).is_err());
        assert_eq!(
            run_test_in_child(TEST, CHILD_DB, &dbname),
            expected_report(&lock_error(&dbname, "Resource temporarily unavailable"))
        );
    }
    drop(db);
    assert_eq!(
        run_test_in_child(TEST, CHILD_DB, &dbname),
        expected_report("OK")
    );
}
