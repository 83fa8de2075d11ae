//! What a database makes of damaged files: corrupt log records, tables and MANIFESTs, and files that cannot be
//! created; with and without paranoid checks, and through `repair_db`.
//!
//! The database lives in memory (LevelDB's `test::ErrorEnv` over its memenv); corrupting a byte XORs it with 0x80.
//!
//! LevelDB: db/corruption_test.cc

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use oxleveldb::db::dbformat::config;
use oxleveldb::db::filename::FileType;
use oxleveldb::db::log::BLOCK_SIZE;
use oxleveldb::env::{read_file_to_string, write_string_to_file, Env, EnvWrapper};
use oxleveldb::util::cache::Cache;
use oxleveldb::util::logging::consume_decimal_number;
use oxleveldb::{destroy_db, repair_db, Options, Result, WriteBatch, WriteOptions, DB};

mod common;
use common::db_files::get_files;
use common::error_env::ErrorEnv;
use common::numbered_kv::{key, value, VALUE_SIZE};

/// LevelDB: CorruptionTest
struct CorruptionTest {
    env: Arc<ErrorEnv>,
    options: Options,
    db: Option<DB>,
    dbname: PathBuf,
}

impl CorruptionTest {
    fn new() -> CorruptionTest {
        let env = Arc::new(ErrorEnv::default());
        let mut options = Options {
            env: env.clone(),
            // A tiny cache, so that reads go to the (corrupted) files.
            block_cache: Some(Arc::new(Cache::new(100))),
            ..Options::default()
        };
        let dbname = PathBuf::from("/memenv/corruption_test");
        destroy_db(&dbname, &options).unwrap();

        options.create_if_missing = true;
        let mut t = CorruptionTest {
            env,
            options,
            db: None,
            dbname,
        };
        t.reopen();
        t.options.create_if_missing = false;
        t
    }

    fn db(&self) -> &DB {
        self.db.as_ref().expect("the database is open")
    }

    fn try_reopen(&mut self) -> Result<()> {
        self.db = None;
        self.db = Some(DB::open(self.options.clone(), &self.dbname)?);
        Ok(())
    }

    fn reopen(&mut self) {
        self.try_reopen().unwrap();
    }

    fn repair_db(&mut self) {
        self.db = None;
        repair_db(&self.dbname, &self.options).unwrap();
    }

    /// Writes keys 0..n, one batch each; the last write is synced.
    fn build(&self, n: usize) {
        let mut batch = WriteBatch::new();
        for i in 0..n {
            batch.clear();
            batch.put(key(i), value(i));
            let options = WriteOptions { sync: i == n - 1 };
            self.db().write_opt(&batch, &options).unwrap();
        }
    }

    /// Scans the database and checks that between `min_expected` and `max_expected` keys have their right value.
    fn check(&self, min_expected: usize, max_expected: usize) {
        let mut next_expected = 0;
        let mut missed = 0;
        let mut bad_keys = 0;
        let mut bad_values = 0;
        let mut correct = 0;
        let mut iter = self.db().new_iterator();
        iter.seek_to_first();
        while iter.valid() {
            let mut input = iter.key();
            if input.is_empty() || input == b"~" {
                // Ignore boundary keys.
                iter.next();
                continue;
            }
            match consume_decimal_number(&mut input) {
                Some(k) if input.is_empty() && k as usize >= next_expected => {
                    let k = k as usize;
                    missed += k - next_expected;
                    next_expected = k + 1;
                    if iter.value() != value(k) {
                        bad_values += 1;
                    } else {
                        correct += 1;
                    }
                }
                _ => bad_keys += 1,
            }
            iter.next();
        }
        eprintln!(
            "expected={min_expected}..{max_expected}; got={correct}; bad_keys={bad_keys}; bad_values={bad_values}; \
             missed={missed}"
        );
        assert!(min_expected <= correct, "{correct} correct values");
        assert!(max_expected >= correct, "{correct} correct values");
    }

    /// XORs 0x80 into `bytes_to_corrupt` bytes at `offset` (from the end if negative) of the newest file of
    /// type `filetype`, bypassing the ErrorEnv.
    fn corrupt(&self, filetype: FileType, offset: i64, bytes_to_corrupt: usize) {
        // Pick the latest file.
        let target = EnvWrapper::target(&*self.env);
        let number = *get_files(target, &self.dbname, filetype)
            .last()
            .unwrap_or_else(|| panic!("no file of type {filetype:?}"));
        let fname = file_name(&self.dbname, filetype, number);
        let file_size = target.get_file_size(&fname).unwrap() as i64;

        let mut offset = if offset < 0 {
            // Relative to end of file; make it absolute.
            (file_size + offset).max(0)
        } else {
            offset
        };
        offset = offset.min(file_size);
        let offset = offset as usize;
        let bytes_to_corrupt = bytes_to_corrupt.min(file_size as usize - offset);

        let mut contents = read_file_to_string(target, &fname).unwrap();
        for byte in &mut contents[offset..offset + bytes_to_corrupt] {
            *byte ^= 0x80;
        }
        write_string_to_file(target, &contents, &fname).unwrap();
    }

    /// The integer value of property `name`, or -1.
    fn property(&self, name: &str) -> i64 {
        self.db()
            .get_property(name)
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(-1)
    }
}

/// The name of file `number` of type `filetype`.
fn file_name(dbname: &Path, filetype: FileType, number: u64) -> PathBuf {
    use oxleveldb::db::filename::{descriptor_file_name, log_file_name, table_file_name};
    match filetype {
        FileType::LogFile => log_file_name(dbname, number),
        FileType::TableFile => table_file_name(dbname, number),
        FileType::DescriptorFile => descriptor_file_name(dbname, number),
        other => panic!("corrupt() does not handle {other:?}"),
    }
}

// LevelDB: CorruptionTest.Recovery
#[test]
fn recovery() {
    let mut t = CorruptionTest::new();
    t.build(100);
    t.check(100, 100);
    t.corrupt(FileType::LogFile, 19, 1); // WriteBatch tag for first record.
    t.corrupt(FileType::LogFile, BLOCK_SIZE as i64 + 1000, 1); // Somewhere in second block.
    t.reopen();

    // The 64 records in the first two log blocks are completely lost.
    t.check(36, 36);
}

// LevelDB: CorruptionTest.RecoverWriteError
#[test]
fn recover_write_error() {
    let mut t = CorruptionTest::new();
    t.env.writable_file_error.store(true, Ordering::Release);
    assert!(t.try_reopen().is_err());
}

// LevelDB: CorruptionTest.NewFileErrorDuringWrite
#[test]
fn new_file_error_during_write() {
    let mut t = CorruptionTest::new();
    // Do enough writing to force minor compaction.
    t.env.writable_file_error.store(true, Ordering::Release);
    let num = 3 + Options::default().write_buffer_size / VALUE_SIZE;
    let mut s = Ok(());
    for _ in 0..num {
        let mut batch = WriteBatch::new();
        batch.put(b"a", value(100));
        s = t.db().write(&batch);
        if s.is_err() {
            break;
        }
    }
    assert!(s.is_err());
    assert!(t.env.num_writable_file_errors.load(Ordering::Acquire) >= 1);
    t.env.writable_file_error.store(false, Ordering::Release);
    t.reopen();
}

// LevelDB: CorruptionTest.TableFile
#[test]
fn table_file() {
    let t = CorruptionTest::new();
    t.build(100);
    t.db().test_compact_mem_table().unwrap();
    t.db().test_compact_range(0, None, None);
    t.db().test_compact_range(1, None, None);

    t.corrupt(FileType::TableFile, 100, 1);
    t.check(90, 99);
}

// LevelDB: CorruptionTest.TableFileRepair
#[test]
fn table_file_repair() {
    let mut t = CorruptionTest::new();
    t.options.block_size = 2 * VALUE_SIZE; // Limit scope of corruption.
    t.options.paranoid_checks = true;
    t.reopen();
    t.build(100);
    t.db().test_compact_mem_table().unwrap();
    t.db().test_compact_range(0, None, None);
    t.db().test_compact_range(1, None, None);

    t.corrupt(FileType::TableFile, 100, 1);
    t.repair_db();
    t.reopen();
    t.check(95, 99);
}

// LevelDB: CorruptionTest.TableFileIndexData
#[test]
fn table_file_index_data() {
    let mut t = CorruptionTest::new();
    t.build(10000); // Enough to build multiple Tables.
    t.db().test_compact_mem_table().unwrap();

    t.corrupt(FileType::TableFile, -2000, 500);
    t.reopen();
    t.check(5000, 9999);
}

// LevelDB: CorruptionTest.MissingDescriptor
#[test]
fn missing_descriptor() {
    let mut t = CorruptionTest::new();
    t.build(1000);
    t.repair_db();
    t.reopen();
    t.check(1000, 1000);
}

// LevelDB: CorruptionTest.SequenceNumberRecovery
#[test]
fn sequence_number_recovery() {
    let mut t = CorruptionTest::new();
    for v in ["v1", "v2", "v3", "v4", "v5"] {
        t.db().put(b"foo", v.as_bytes()).unwrap();
    }
    t.repair_db();
    t.reopen();
    let get = |t: &CorruptionTest| t.db().get(b"foo").unwrap();
    assert_eq!(get(&t).as_deref(), Some(&b"v5"[..]));
    // Write something. If sequence number was not recovered properly, it will be hidden by an earlier write.
    t.db().put(b"foo", b"v6").unwrap();
    assert_eq!(get(&t).as_deref(), Some(&b"v6"[..]));
    t.reopen();
    assert_eq!(get(&t).as_deref(), Some(&b"v6"[..]));
}

// LevelDB: CorruptionTest.CorruptedDescriptor
#[test]
fn corrupted_descriptor() {
    let mut t = CorruptionTest::new();
    t.db().put(b"foo", b"hello").unwrap();
    t.db().test_compact_mem_table().unwrap();
    t.db().test_compact_range(0, None, None);

    t.corrupt(FileType::DescriptorFile, 0, 1000);
    assert!(t.try_reopen().is_err());

    t.repair_db();
    t.reopen();
    assert_eq!(t.db().get(b"foo").unwrap().as_deref(), Some(&b"hello"[..]));
}

// LevelDB: CorruptionTest.CompactionInputError
#[test]
fn compaction_input_error() {
    let t = CorruptionTest::new();
    t.build(10);
    t.db().test_compact_mem_table().unwrap();
    let last = config::MAX_MEM_COMPACT_LEVEL;
    assert_eq!(1, t.property(&format!("leveldb.num-files-at-level{last}")));

    t.corrupt(FileType::TableFile, 100, 1);
    t.check(5, 9);

    // Force compactions by writing lots of values.
    t.build(10000);
    t.check(10000, 10000);
}

// LevelDB: CorruptionTest.CompactionInputErrorParanoid
#[test]
fn compaction_input_error_paranoid() {
    let mut t = CorruptionTest::new();
    t.options.paranoid_checks = true;
    t.options.write_buffer_size = 512 << 10;
    t.reopen();

    // Make multiple inputs so we need to compact.
    for _ in 0..2 {
        t.build(10);
        t.db().test_compact_mem_table().unwrap();
        t.corrupt(FileType::TableFile, 100, 1);
        Env::sleep_for_microseconds(&*t.env, 100000);
    }
    // The compaction of the corrupted inputs fails, and CompactRange reports that background error.
    assert!(t.db().compact_range(None, None).is_err());

    // Write must fail because of corrupted table.
    let s = t.db().put(key(5), value(5));
    assert!(s.is_err(), "write did not fail in corrupted paranoid db");
}

// LevelDB: CorruptionTest.UnrelatedKeys
#[test]
fn unrelated_keys() {
    let t = CorruptionTest::new();
    t.build(10);
    t.db().test_compact_mem_table().unwrap();
    t.corrupt(FileType::TableFile, 100, 1);

    t.db().put(key(1000), value(1000)).unwrap();
    let get = || t.db().get(key(1000)).unwrap();
    assert_eq!(get(), Some(value(1000)));
    t.db().test_compact_mem_table().unwrap();
    assert_eq!(get(), Some(value(1000)));
}
