//! The env under faults that LevelDB survives: a failing close(2) of a table file.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use oxleveldb::env::{default_env, Env, EnvWrapper, WritableFile};
use oxleveldb::{Error, Options, ReadOptions, Result, WriteOptions, DB};

fn options(env: Arc<dyn Env>) -> Options {
    Options {
        create_if_missing: true,
        env,
        ..Options::default()
    }
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
    let w = WriteOptions::default();
    let fail_table_close = Arc::new(AtomicBool::new(false));
    let env: Arc<dyn Env> = Arc::new(FailingCloseEnv {
        target: default_env(),
        fail_table_close: fail_table_close.clone(),
    });

    // A memtable flush (BuildTable).
    {
        let db = DB::open(options(env.clone()), &dbname).unwrap();
        db.put(&w, b"a", b"1").unwrap();
        fail_table_close.store(true, Ordering::Release);
        assert_table_close_error(db.test_compact_mem_table(), &dbname);
        assert!(
            table_files(&dbname).is_empty(),
            "the failed table is removed"
        );
        assert_table_close_error(db.put(&w, b"b", b"2"), &dbname);
        fail_table_close.store(false, Ordering::Release);
    }

    // A compaction's output (FinishCompactionOutputFile).
    let inputs;
    {
        let db = DB::open(options(env.clone()), &dbname).unwrap();
        db.test_compact_mem_table().unwrap();
        db.put(&w, b"c", b"3").unwrap();
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
    let r = ReadOptions::default();
    assert_eq!(db.get(&r, b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get(&r, b"b").unwrap(), None, "never acknowledged");
    assert_eq!(db.get(&r, b"c").unwrap().as_deref(), Some(&b"3"[..]));
}
