//! What a machine crash may lose: the FaultInjectionEnv records how much of every file was synced, and which
//! files were created since their directory was last synced; the test then drops the unsynced data (or the
//! unsynced files) and checks that everything synced survives and nothing unsynced comes back.
//!
//! LevelDB: db/fault_injection_test.cc

use std::path::PathBuf;
use std::sync::Arc;

use oxleveldb::env::{default_env, FaultInjectionEnv};
use oxleveldb::util::cache::Cache;
use oxleveldb::util::random::Random;
use oxleveldb::{Error, Options, Result, WriteBatch, DB};

mod common;
use common::numbered_kv::{key, value};

const MAX_NUM_VALUES: u32 = 2000;
const NUM_ITERATIONS: usize = 3;

/// What `verify` expects of the values it reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpectedVerifResult {
    ValExpectNoError,
    ValExpectError,
}

/// How the state of an unclean shutdown is made.
#[derive(Clone, Copy)]
enum ResetMethod {
    ResetDropUnsyncedData,
    ResetDeleteUnsyncedFiles,
}

/// LevelDB: FaultInjectionTest
struct FaultInjectionTest {
    // Declared first so that the database closes before its directory goes.
    db: Option<DB>,
    env: Arc<FaultInjectionEnv>,
    dbname: PathBuf,
    options: Options,
    _dir: tempfile::TempDir,
}

impl FaultInjectionTest {
    fn new(reuse_logs: bool) -> FaultInjectionTest {
        let env = Arc::new(FaultInjectionEnv::new(default_env()));
        let dir = tempfile::tempdir().unwrap();
        let dbname = dir.path().join("fault_test");
        let options = Options {
            reuse_logs,
            env: env.clone(),
            paranoid_checks: true,
            block_cache: Some(Arc::new(Cache::new(100))),
            create_if_missing: true,
            ..Options::default()
        };
        FaultInjectionTest {
            db: None,
            env,
            dbname,
            options,
            _dir: dir,
        }
    }

    fn db(&self) -> &DB {
        self.db.as_ref().expect("the database is open")
    }

    fn build(&self, start_idx: usize, num_vals: usize) {
        let mut batch = WriteBatch::new();
        for i in start_idx..start_idx + num_vals {
            batch.clear();
            batch.put(key(i), value(i));
            self.db().write(&batch).unwrap();
        }
    }

    fn read_value(&self, i: usize) -> Result<Option<Vec<u8>>> {
        self.db().get(key(i))
    }

    /// Reads keys `start_idx..start_idx + num_vals`: each must have its value (`ValExpectNoError`) or be missing
    /// (`ValExpectError`).
    fn verify(
        &self,
        start_idx: usize,
        num_vals: usize,
        expected: ExpectedVerifResult,
    ) -> Result<()> {
        for i in start_idx..start_idx + num_vals {
            // LevelDB's Get reports a missing key as an error (NotFound): this is the error expected.
            let val = self.read_value(i)?;
            match (expected, val) {
                (ExpectedVerifResult::ValExpectNoError, Some(val)) => assert_eq!(val, value(i)),
                (ExpectedVerifResult::ValExpectNoError, None) => {
                    return Err(Error::not_found(format!("key {i}"), ""));
                }
                (ExpectedVerifResult::ValExpectError, Some(_)) => {
                    eprintln!("Expected an error at {i}, but was OK");
                    return Err(Error::io_error(
                        self.dbname.to_string_lossy(),
                        "Expected value error:",
                    ));
                }
                (ExpectedVerifResult::ValExpectError, None) => {} // An expected error.
            }
        }
        Ok(())
    }

    fn open_db(&mut self) -> Result<()> {
        self.db = None;
        self.env.reset_state();
        self.db = Some(DB::open(self.options.clone(), &self.dbname)?);
        Ok(())
    }

    fn close_db(&mut self) {
        self.db = None;
    }

    fn delete_all_data(&self) {
        let mut iter = self.db().new_iterator();
        iter.seek_to_first();
        while iter.valid() {
            self.db().delete(iter.key()).unwrap();
            iter.next();
        }
    }

    fn reset_db_state(&self, reset_method: ResetMethod) {
        match reset_method {
            ResetMethod::ResetDropUnsyncedData => self.env.drop_unsynced_file_data().unwrap(),
            ResetMethod::ResetDeleteUnsyncedFiles => {
                self.env.delete_files_created_after_last_dir_sync().unwrap()
            }
        }
    }

    fn partial_compact_test_pre_fault(&self, num_pre_sync: usize, num_post_sync: usize) {
        self.delete_all_data();
        self.build(0, num_pre_sync);
        self.db().compact_range(None, None).unwrap();
        self.build(num_pre_sync, num_post_sync);
    }

    fn partial_compact_test_reopen_with_fault(
        &mut self,
        reset_method: ResetMethod,
        num_pre_sync: usize,
        num_post_sync: usize,
    ) {
        self.env.set_filesystem_active(false);
        self.close_db();
        self.reset_db_state(reset_method);
        self.open_db().unwrap();
        self.verify(0, num_pre_sync, ExpectedVerifResult::ValExpectNoError)
            .unwrap();
        self.verify(
            num_pre_sync,
            num_post_sync,
            ExpectedVerifResult::ValExpectError,
        )
        .unwrap();
    }

    fn no_write_test_pre_fault(&self) {}

    fn no_write_test_reopen_with_fault(&mut self, reset_method: ResetMethod) {
        self.close_db();
        self.reset_db_state(reset_method);
        self.open_db().unwrap();
    }

    fn do_test(&mut self) {
        let mut rnd = Random::new(0);
        self.open_db().unwrap();
        for _ in 0..NUM_ITERATIONS {
            let num_pre_sync = rnd.uniform(MAX_NUM_VALUES) as usize;
            let num_post_sync = rnd.uniform(MAX_NUM_VALUES) as usize;

            self.partial_compact_test_pre_fault(num_pre_sync, num_post_sync);
            self.partial_compact_test_reopen_with_fault(
                ResetMethod::ResetDropUnsyncedData,
                num_pre_sync,
                num_post_sync,
            );

            self.no_write_test_pre_fault();
            self.no_write_test_reopen_with_fault(ResetMethod::ResetDropUnsyncedData);

            self.partial_compact_test_pre_fault(num_pre_sync, num_post_sync);
            // No new files created so we expect all values since no files will be dropped.
            self.partial_compact_test_reopen_with_fault(
                ResetMethod::ResetDeleteUnsyncedFiles,
                num_pre_sync + num_post_sync,
                0,
            );

            self.no_write_test_pre_fault();
            self.no_write_test_reopen_with_fault(ResetMethod::ResetDeleteUnsyncedFiles);
        }
    }
}

// LevelDB: FaultInjectionTest.FaultTestNoLogReuse
#[test]
fn fault_test_no_log_reuse() {
    FaultInjectionTest::new(false).do_test();
}

// LevelDB: FaultInjectionTest.FaultTestWithLogReuse
#[test]
fn fault_test_with_log_reuse() {
    FaultInjectionTest::new(true).do_test();
}

// Not in LevelDB, where an iterator must not outlive its database. Here it may, and it keeps the rest of the
// database alive; the files must still be closed when the handle is dropped, so that what a crash right then
// would lose is what is lost: the log's unsynced writes.
#[test]
fn dropping_the_handle_closes_the_files_while_an_iterator_lives() {
    let mut t = FaultInjectionTest::new(false);
    t.open_db().unwrap();
    t.build(0, 10);
    let iter = t.db().new_iterator();
    t.close_db();
    t.reset_db_state(ResetMethod::ResetDropUnsyncedData);
    drop(iter);
    t.open_db().unwrap();
    t.verify(0, 10, ExpectedVerifResult::ValExpectError)
        .unwrap();
}
