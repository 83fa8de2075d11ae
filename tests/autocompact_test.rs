//! Compactions triggered by reads alone: after every key is deleted, scanning a range over and over makes the
//! iterator's read sampling charge the files that overlap it, until a compaction drops the deleted data of that
//! range, while the range that is not read stays about the same size.
//!
//! LevelDB: db/autocompact_test.cc

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use oxleveldb::env::{default_env, Env, EnvWrapper, Work};
use oxleveldb::util::cache::Cache;
use oxleveldb::{CompressionType, Options, Range, DB};

const VALUE_SIZE: usize = 200 * 1024;
const TOTAL_SIZE: usize = 100 * 1024 * 1024;
const COUNT: usize = TOTAL_SIZE / VALUE_SIZE;

/// The default Env, except that background work scheduled while it is held waits until it is let go.
///
/// Not in LevelDB's test: a scan charges its read samples to the files of the version current at each sample, and
/// the compactions that the first charges trigger ran during the rest of the scan, so that which files the later
/// samples charged depended on how far those compactions had got: on a loaded machine a scan of the first half
/// once charged (and compacted) the files of the second half too, and the last check failed. Held during each
/// scan, the compactions run between scans, and every run of the test is the same.
struct HeldEnv {
    base: Arc<dyn Env>,
    /// `Some` while held: the work scheduled meanwhile.
    held: Mutex<Option<Vec<Work>>>,
}

impl HeldEnv {
    fn hold(&self) {
        *self.held.lock().unwrap() = Some(Vec::new());
    }

    fn let_go(&self) {
        let work = self.held.lock().unwrap().take().unwrap_or_default();
        for work in work {
            self.target().schedule(work);
        }
    }
}

impl EnvWrapper for HeldEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn schedule(&self, work: Work) {
        match &mut *self.held.lock().unwrap() {
            Some(held) => held.push(work),
            None => self.target().schedule(work),
        }
    }
}

/// LevelDB: AutoCompactTest
struct AutoCompactTest {
    // Declared first so that the database closes before its directory goes.
    db: DB,
    env: Arc<HeldEnv>,
    _dir: tempfile::TempDir,
}

impl AutoCompactTest {
    fn new() -> AutoCompactTest {
        let dir = tempfile::tempdir().unwrap();
        let dbname: PathBuf = dir.path().join("autocompact_test");
        let env = Arc::new(HeldEnv {
            base: default_env(),
            held: Mutex::new(None),
        });
        let options = Options {
            env: env.clone(),
            block_cache: Some(Arc::new(Cache::new(100))),
            create_if_missing: true,
            compression: CompressionType::NoCompression,
            ..Options::default()
        };
        let db = DB::open(options, &dbname).unwrap();
        AutoCompactTest { db, env, _dir: dir }
    }

    fn key(i: usize) -> Vec<u8> {
        format!("key{i:06}").into_bytes()
    }

    fn size(&self, start: &[u8], limit: &[u8]) -> u64 {
        self.db.get_approximate_sizes(&[Range::new(start, limit)])[0]
    }

    /// Reads through the first n keys repeatedly and checks that they get compacted (verified by checking the
    /// size of the key space).
    fn do_reads(&self, n: usize) {
        let value = vec![b'x'; VALUE_SIZE];

        // Fill database.
        for i in 0..COUNT {
            self.db.put(Self::key(i), &value).unwrap();
        }
        self.db.test_compact_mem_table().unwrap();
        // Not in LevelDB's test: let the fill's compactions finish (all the data then sits in level 2, where they
        // leave it). Otherwise where the data is when the deletions arrive depends on how far the background
        // compactions got, and with some of it still in level 1 the compaction of the deletions (whose table
        // spans every key) drops data of the range that is not read too, which the last check forbids. Both
        // engines were seen to behave alike from the same starting state.
        self.db.compact_range(None, None).unwrap();

        // Delete everything.
        for i in 0..COUNT {
            self.db.delete(Self::key(i)).unwrap();
        }
        self.db.test_compact_mem_table().unwrap();

        // Get initial measurement of the space we will be reading.
        let initial_size = self.size(&Self::key(0), &Self::key(n)) as i64;
        let initial_other_size = self.size(&Self::key(n), &Self::key(COUNT)) as i64;

        // Read until size drops significantly.
        let limit_key = Self::key(n);
        let mut read = 0;
        loop {
            assert!(read < 100, "Taking too long to compact");
            self.env.hold();
            let mut iter = self.db.new_iterator();
            iter.seek_to_first();
            while iter.valid() && iter.key() < &limit_key[..] {
                // Drop data.
                iter.next();
            }
            drop(iter);
            self.env.let_go();
            // Allow any triggered compactions to complete. LevelDB's test sleeps a second; here the test waits until
            // they are done, since a loaded machine may need longer: a compaction measured half done sends the loop
            // round once more, and that read's samples can charge the other range's files too.
            self.db.test_wait_for_background_work();
            let size = self.size(&Self::key(0), &Self::key(n));
            eprintln!(
                "iter {:3} => {:7.3} MB [other {:7.3} MB]",
                read + 1,
                size as f64 / 1048576.0,
                self.size(&Self::key(n), &Self::key(COUNT)) as f64 / 1048576.0
            );
            if size as i64 <= initial_size / 10 {
                break;
            }
            read += 1;
        }

        // Verify that the size of the key space not touched by the reads is pretty much unchanged.
        let final_other_size = self.size(&Self::key(n), &Self::key(COUNT)) as i64;
        assert!(final_other_size <= initial_other_size + 1048576);
        assert!(final_other_size >= initial_other_size / 5 - 1048576);
    }
}

// LevelDB: AutoCompactTest.ReadAll
#[test]
fn read_all() {
    AutoCompactTest::new().do_reads(COUNT);
}

// LevelDB: AutoCompactTest.ReadHalf
#[test]
fn read_half() {
    AutoCompactTest::new().do_reads(COUNT / 2);
}
