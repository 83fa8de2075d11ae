//! Reopening a database: which MANIFEST and log it keeps (`reuse_logs`, on by default here as in LevelDB), what it
//! makes of extra, missing or stale logs, and a missing MANIFEST.
//!
//! LevelDB: db/recovery_test.cc

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxleveldb::db::dbformat::SequenceNumber;
use oxleveldb::db::filename::{current_file_name, log_file_name, FileType};
use oxleveldb::env::{default_env, read_file_to_string, Env};
use oxleveldb::log;
use oxleveldb::{Options, Result, WriteBatch, WriteOptions, DB};

mod common;
use common::db_files::get_files;

/// LevelDB: RecoveryTest
struct RecoveryTest {
    // Declared first so that the database closes before its directory goes.
    db: Option<DB>,
    env: Arc<dyn Env>,
    dbname: PathBuf,
    _dir: tempfile::TempDir,
}

impl RecoveryTest {
    fn new() -> RecoveryTest {
        let dir = tempfile::tempdir().unwrap();
        let mut t = RecoveryTest {
            db: None,
            env: default_env(),
            dbname: dir.path().join("recovery_test"),
            _dir: dir,
        };
        t.open(None);
        t
    }

    fn db(&self) -> &DB {
        self.db.as_ref().expect("the database is open")
    }

    /// Whether the Env can append to files (else a database cannot reuse its logs).
    fn can_append(&self) -> bool {
        match self
            .env
            .new_appendable_file(&current_file_name(&self.dbname))
        {
            Err(e) => !e.is_not_supported_error(),
            Ok(_) => true,
        }
    }

    fn close(&mut self) {
        self.db = None;
    }

    /// Opens with `options`, or with `reuse_logs` and `create_if_missing`.
    fn open_with_status(&mut self, options: Option<Options>) -> Result<()> {
        self.close();
        let opts = options.unwrap_or_else(|| Options {
            reuse_logs: true, // TODO (as in LevelDB): test both ways.
            create_if_missing: true,
            ..Options::default()
        });
        self.db = Some(DB::open(opts, &self.dbname)?);
        Ok(())
    }

    fn open(&mut self, options: Option<Options>) {
        self.open_with_status(options).unwrap();
        assert_eq!(1, self.num_logs());
    }

    fn put(&self, k: &str, v: &str) -> Result<()> {
        self.db().put(k.as_bytes(), v.as_bytes())
    }

    fn get(&self, k: &str) -> String {
        match self.db().get(k.as_bytes()) {
            Ok(Some(v)) => String::from_utf8(v).unwrap(),
            Ok(None) => "NOT_FOUND".to_string(),
            Err(e) => e.to_string(),
        }
    }

    fn manifest_file_name(&self) -> PathBuf {
        let current = read_file_to_string(&*self.env, &current_file_name(&self.dbname)).unwrap();
        let current = String::from_utf8(current).unwrap();
        self.dbname
            .join(current.strip_suffix('\n').unwrap_or(&current))
    }

    fn log_name(&self, number: u64) -> PathBuf {
        log_file_name(&self.dbname, number)
    }

    fn delete_log_files(&self) -> usize {
        let logs = self.get_files(FileType::LogFile);
        for &log in &logs {
            self.env.remove_file(&self.log_name(log)).unwrap();
        }
        logs.len()
    }

    fn delete_manifest_file(&self) {
        self.env.remove_file(&self.manifest_file_name()).unwrap();
    }

    fn first_log_file(&self) -> u64 {
        self.get_files(FileType::LogFile)[0]
    }

    fn get_files(&self, t: FileType) -> Vec<u64> {
        get_files(&*self.env, &self.dbname, t)
    }

    fn num_logs(&self) -> usize {
        self.get_files(FileType::LogFile).len()
    }

    fn num_tables(&self) -> usize {
        self.get_files(FileType::TableFile).len()
    }

    fn file_size(&self, fname: &Path) -> u64 {
        self.env.get_file_size(fname).unwrap()
    }

    fn compact_mem_table(&self) {
        self.db().test_compact_mem_table().unwrap();
    }

    /// Directly constructs a log file that sets key to val.
    fn make_log_file(&self, lognum: u64, seq: SequenceNumber, key: &str, val: &str) {
        let fname = log_file_name(&self.dbname, lognum);
        let file = self.env.new_writable_file(&fname).unwrap();
        let mut writer = log::Writer::new(file);
        let mut batch = WriteBatch::new();
        batch.put(key.as_bytes(), val.as_bytes());
        batch.set_sequence(seq);
        writer.add_record(batch.contents()).unwrap();
        writer.file().flush().unwrap();
    }
}

// LevelDB: RecoveryTest.ManifestReused
#[test]
fn manifest_reused() {
    let mut t = RecoveryTest::new();
    assert!(t.can_append(), "the default Env appends");
    t.put("foo", "bar").unwrap();
    t.close();
    let old_manifest = t.manifest_file_name();
    t.open(None);
    assert_eq!(old_manifest, t.manifest_file_name());
    assert_eq!("bar", t.get("foo"));
    t.open(None);
    assert_eq!(old_manifest, t.manifest_file_name());
    assert_eq!("bar", t.get("foo"));
}

// LevelDB: RecoveryTest.LargeManifestCompacted
#[test]
fn large_manifest_compacted() {
    let mut t = RecoveryTest::new();
    assert!(t.can_append(), "the default Env appends");
    t.put("foo", "bar").unwrap();
    t.close();
    let old_manifest = t.manifest_file_name();

    // Pad with zeroes to make manifest file very big.
    {
        let len = t.file_size(&old_manifest);
        let mut file = t.env.new_appendable_file(&old_manifest).unwrap();
        let zeroes = vec![0u8; 3 * 1048576 - len as usize];
        file.append(&zeroes).unwrap();
        file.flush().unwrap();
    }

    t.open(None);
    let new_manifest = t.manifest_file_name();
    assert_ne!(old_manifest, new_manifest);
    assert!(10000 > t.file_size(&new_manifest));
    assert_eq!("bar", t.get("foo"));

    t.open(None);
    assert_eq!(new_manifest, t.manifest_file_name());
    assert_eq!("bar", t.get("foo"));
}

// LevelDB: RecoveryTest.NoLogFiles
#[test]
fn no_log_files() {
    let mut t = RecoveryTest::new();
    t.put("foo", "bar").unwrap();
    assert_eq!(1, t.delete_log_files());
    t.open(None);
    assert_eq!("NOT_FOUND", t.get("foo"));
    t.open(None);
    assert_eq!("NOT_FOUND", t.get("foo"));
}

// LevelDB: RecoveryTest.LogFileReuse
#[test]
fn log_file_reuse() {
    let mut t = RecoveryTest::new();
    assert!(t.can_append(), "the default Env appends");
    for i in 0..2 {
        t.put("foo", "bar").unwrap();
        if i == 0 {
            // Compact to ensure current log is empty.
            t.compact_mem_table();
        }
        t.close();
        assert_eq!(1, t.num_logs());
        let number = t.first_log_file();
        if i == 0 {
            assert_eq!(0, t.file_size(&t.log_name(number)));
        } else {
            assert!(0 < t.file_size(&t.log_name(number)));
        }
        t.open(None);
        assert_eq!(1, t.num_logs());
        assert_eq!(number, t.first_log_file(), "did not reuse log file");
        assert_eq!("bar", t.get("foo"));
        t.open(None);
        assert_eq!(1, t.num_logs());
        assert_eq!(number, t.first_log_file(), "did not reuse log file");
        assert_eq!("bar", t.get("foo"));
    }
}

// LevelDB: RecoveryTest.MultipleMemTables
#[test]
fn multiple_mem_tables() {
    let mut t = RecoveryTest::new();
    // Make a large log.
    const NUM: usize = 1000;
    for i in 0..NUM {
        let buf = format!("{i:050}");
        t.put(&buf, &buf).unwrap();
    }
    assert_eq!(0, t.num_tables());
    t.close();
    assert_eq!(0, t.num_tables());
    assert_eq!(1, t.num_logs());
    let old_log_file = t.first_log_file();

    // Force creation of multiple memtables by reducing the write buffer size.
    let opt = Options {
        reuse_logs: true,
        write_buffer_size: (NUM * 100) / 2,
        ..Options::default()
    };
    t.open(Some(opt));
    assert!(2 <= t.num_tables());
    assert_eq!(1, t.num_logs());
    assert_ne!(old_log_file, t.first_log_file(), "must not reuse log");
    for i in 0..NUM {
        let buf = format!("{i:050}");
        assert_eq!(buf, t.get(&buf));
    }
}

// LevelDB: RecoveryTest.MultipleLogFiles
#[test]
fn multiple_log_files() {
    let mut t = RecoveryTest::new();
    t.put("foo", "bar").unwrap();
    t.close();
    assert_eq!(1, t.num_logs());

    // Make a bunch of uncompacted log files.
    let old_log = t.first_log_file();
    t.make_log_file(old_log + 1, 1000, "hello", "world");
    t.make_log_file(old_log + 2, 1001, "hi", "there");
    t.make_log_file(old_log + 3, 1002, "foo", "bar2");

    // Recover and check that all log files were processed.
    t.open(None);
    assert!(1 <= t.num_tables());
    assert_eq!(1, t.num_logs());
    let new_log = t.first_log_file();
    assert!(old_log + 3 <= new_log);
    assert_eq!("bar2", t.get("foo"));
    assert_eq!("world", t.get("hello"));
    assert_eq!("there", t.get("hi"));

    // Test that previous recovery produced recoverable state.
    t.open(None);
    assert!(1 <= t.num_tables());
    assert_eq!(1, t.num_logs());
    assert!(t.can_append(), "the default Env appends");
    assert_eq!(new_log, t.first_log_file());
    assert_eq!("bar2", t.get("foo"));
    assert_eq!("world", t.get("hello"));
    assert_eq!("there", t.get("hi"));

    // Check that introducing an older log file does not cause it to be re-read.
    t.close();
    t.make_log_file(old_log + 1, 2000, "hello", "stale write");
    t.open(None);
    assert!(1 <= t.num_tables());
    assert_eq!(1, t.num_logs());
    assert_eq!(new_log, t.first_log_file());
    assert_eq!("bar2", t.get("foo"));
    assert_eq!("world", t.get("hello"));
    assert_eq!("there", t.get("hi"));
}

// LevelDB: RecoveryTest.ManifestMissing
#[test]
fn manifest_missing() {
    let mut t = RecoveryTest::new();
    t.put("foo", "bar").unwrap();
    t.close();
    t.delete_manifest_file();

    let status = t.open_with_status(None);
    assert!(status.unwrap_err().is_corruption());
}

/// A database being written to, and the MANIFEST's length after each edit, to build the states a crash in the
/// middle of an edit leaves.
struct ManifestEdits {
    db: DB,
    dbname: PathBuf,
    _dir: tempfile::TempDir,
}

impl ManifestEdits {
    fn new() -> ManifestEdits {
        let dir = tempfile::tempdir().unwrap();
        let dbname = dir.path().join("db");
        let options = Options {
            create_if_missing: true,
            ..Options::default()
        };
        ManifestEdits {
            db: DB::open(options, &dbname).unwrap(),
            dbname,
            _dir: dir,
        }
    }

    /// Writes keys `range` (the last one synced).
    fn write(&self, range: std::ops::Range<usize>) {
        let last = range.end - 1;
        for i in range {
            let options = WriteOptions { sync: i == last };
            self.db
                .put_opt(key(i).as_bytes(), value(i).as_bytes(), &options)
                .unwrap();
        }
    }

    fn manifest(&self) -> PathBuf {
        let current = std::fs::read_to_string(current_file_name(&self.dbname)).unwrap();
        self.dbname.join(current.trim_end())
    }
}

/// A copy of the files of directory `from`, as they are now, in a new directory `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn key(i: usize) -> String {
    format!("key{i:06}")
}

fn value(i: usize) -> String {
    format!("value{i}-").repeat(10)
}

/// Opens `dbname` (with or without paranoid checks) and checks that keys `0..n` have their values.
fn open_and_check(dbname: &Path, paranoid_checks: bool, n: usize) -> Result<DB> {
    let options = Options {
        paranoid_checks,
        ..Options::default()
    };
    let db = DB::open(options, dbname)?;
    for i in 0..n {
        let got = db.get(key(i).as_bytes()).unwrap();
        assert_eq!(got.as_deref(), Some(value(i).as_bytes()), "key {i}");
    }
    Ok(db)
}

/// A crash in the middle of a MANIFEST edit (a memtable flush's) that persisted in parts: the edit's bytes are there
/// with a hole inside, nothing after them, and the log the edit would have released is still there. The open
/// recovers the state before the edit, with every write, and goes on in a new MANIFEST (a torn one is not reused).
/// Not in LevelDB, which fails the open with `Corruption: checksum mismatch`.
#[test]
fn torn_last_manifest_record_recovers_the_state_before_it() {
    let t = ManifestEdits::new();
    t.write(0..200);
    let before = t._dir.path().join("before");
    copy_dir(&t.dbname, &before);
    let manifest = t.manifest();
    let start = std::fs::metadata(&manifest).unwrap().len() as usize;
    t.db.test_compact_mem_table().unwrap();
    let mut contents = std::fs::read(&manifest).unwrap();
    assert!(contents.len() > start + 20, "the flush appended an edit");
    let middle = start + (contents.len() - start) / 2;
    contents[middle - 8..middle + 8].fill(0);
    let torn_manifest = before.join(manifest.file_name().unwrap());
    std::fs::write(&torn_manifest, &contents).unwrap();

    for paranoid_checks in [false, true] {
        let state = t._dir.path().join(format!("state-{paranoid_checks}"));
        copy_dir(&before, &state);
        let db = open_and_check(&state, paranoid_checks, 200).unwrap();
        let current = std::fs::read_to_string(current_file_name(&state)).unwrap();
        assert_ne!(
            current.trim_end(),
            manifest.file_name().unwrap().to_str().unwrap(),
            "a torn MANIFEST is not reused"
        );
        drop(db);
        // The recovered state was saved whole: the next open sees no damage.
        open_and_check(&state, true, 200).unwrap();
    }
}

/// Damage in a MANIFEST edit followed by valid ones is not a torn write: the open fails, as in LevelDB.
#[test]
fn damaged_manifest_record_before_valid_ones_fails_the_open() {
    let t = ManifestEdits::new();
    t.write(0..100);
    let manifest = t.manifest();
    let start = std::fs::metadata(&manifest).unwrap().len() as usize;
    t.db.test_compact_mem_table().unwrap();
    let end = std::fs::metadata(&manifest).unwrap().len() as usize;
    t.write(100..200);
    t.db.test_compact_mem_table().unwrap();
    let dbname = t.dbname.clone();
    let dir = t._dir;
    drop(t.db);

    let mut contents = std::fs::read(&manifest).unwrap();
    assert!(contents.len() > end, "the second flush appended an edit");
    let middle = start + (end - start) / 2;
    contents[middle - 8..middle + 8].fill(0);
    std::fs::write(&manifest, &contents).unwrap();
    for paranoid_checks in [false, true] {
        let status = open_and_check(&dbname, paranoid_checks, 0).map(drop);
        assert_eq!(
            status.unwrap_err().to_string(),
            "Corruption: checksum mismatch"
        );
    }
    drop(dir);
}

/// The write-ahead log of `dbname` (the one `.log` file) and its bytes.
fn the_log(dbname: &Path) -> (PathBuf, Vec<u8>) {
    let log = std::fs::read_dir(dbname)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .expect("a log");
    let bytes = std::fs::read(&log).unwrap();
    (log, bytes)
}

/// A crash in the middle of a write that was never synced, which persisted in parts: the log ends in that write's
/// record with a hole inside. With `paranoid_checks` too the open recovers every write before it (nothing
/// acknowledged as durable is lost with it), and the torn log is not reused. Not in LevelDB, whose paranoid open
/// fails with `Corruption: checksum mismatch`.
#[test]
fn torn_last_log_write_recovers_the_writes_before_it() {
    let t = ManifestEdits::new();
    t.write(0..200);
    let (log, synced) = the_log(&t.dbname);
    t.db.put(key(200), value(200)).unwrap();
    let (_, grown) = the_log(&t.dbname);
    assert!(
        grown.len() > synced.len() + 20,
        "the unsynced write went to the log"
    );
    let mut torn = grown.clone();
    let middle = synced.len() + (grown.len() - synced.len()) / 2;
    torn[middle - 8..middle + 8].fill(0);
    let before = t._dir.path().join("before");
    copy_dir(&t.dbname, &before);
    std::fs::write(before.join(log.file_name().unwrap()), &torn).unwrap();
    for paranoid_checks in [false, true] {
        let state = t._dir.path().join(format!("state-{paranoid_checks}"));
        copy_dir(&before, &state);
        let db = open_and_check(&state, paranoid_checks, 200).unwrap();
        assert_eq!(db.get(key(200)).unwrap(), None, "the torn write is gone");
        drop(db);
        open_and_check(&state, true, 200).unwrap();
    }
}

/// Damage in a log record followed by valid records is not a torn write: with `paranoid_checks` the open fails,
/// as in LevelDB (without it, the damaged block is dropped and the open goes on, as in LevelDB).
#[test]
fn damaged_log_record_before_valid_ones_fails_a_paranoid_open() {
    let t = ManifestEdits::new();
    t.write(0..200);
    let dbname = t.dbname.clone();
    let dir = t._dir;
    drop(t.db);
    let (log, mut bytes) = the_log(&dbname);
    // A record early in the log: 199 valid records after it.
    bytes[40..56].fill(0);
    std::fs::write(&log, &bytes).unwrap();
    let copy = dir.path().join("copy");
    copy_dir(&dbname, &copy);
    let status = open_and_check(&dbname, true, 0).map(drop);
    assert_eq!(
        status.unwrap_err().to_string(),
        "Corruption: checksum mismatch"
    );
    // Without paranoid_checks the damaged block is dropped (here the whole log: the records share its first block)
    // and the open goes on, as LevelDB's does.
    open_and_check(&copy, false, 0).unwrap();
}
