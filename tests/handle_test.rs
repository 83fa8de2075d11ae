//! The defects found by driving oxleveldb from outside, as a user's program would: a panic in the write leader,
//! a batch whose count header lies, a zeroed log record, an iterator that outlives its handle, a snapshot passed
//! to another database. Each test failed before its fix.

use std::cmp::Ordering;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use oxleveldb::error::Code;
use oxleveldb::log;
use oxleveldb::util::comparator::Comparator;
use oxleveldb::{Options, ReadOptions, WriteBatch, DB};

/// How long a write may take before the test calls it stuck (a liveness bound, far above any real write).
const STUCK: Duration = Duration::from_secs(20);

fn options() -> Options {
    Options {
        create_if_missing: true,
        ..Options::default()
    }
}

/// Bytewise order, except that it panics on the key `boom` while `armed`.
struct PanickyComparator {
    armed: Arc<AtomicBool>,
}

impl Comparator for PanickyComparator {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        if self.armed.load(AtomicOrdering::SeqCst) && (a == b"boom" || b == b"boom") {
            panic!("comparator refuses boom");
        }
        a.cmp(b)
    }
    fn name(&self) -> &str {
        "test.PanickyComparator"
    }
    fn find_shortest_separator(&self, _start: &mut Vec<u8>, _limit: &[u8]) {}
    fn find_short_successor(&self, _key: &mut Vec<u8>) {}
}

/// Runs `work` on another thread and returns its result, or fails the test if it does not finish: a write stuck
/// behind a dead leader never returns.
fn within_bound<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.recv_timeout(STUCK)
        .expect("the write never returned: the writer queue is stuck")
}

#[test]
fn a_panic_in_the_write_leader_fails_that_write_and_leaves_the_queue_moving() {
    let dir = tempfile::tempdir().unwrap();
    let armed = Arc::new(AtomicBool::new(false));
    let options = Options {
        comparator: Arc::new(PanickyComparator {
            armed: armed.clone(),
        }),
        ..options()
    };
    let db = Arc::new(DB::open(options.clone(), dir.path()).unwrap());
    db.put(b"a", b"1").unwrap();
    db.put(b"c", b"3").unwrap();
    armed.store(true, AtomicOrdering::SeqCst);

    // The leader's memtable insert calls the comparator on `boom`, which panics.
    let result = within_bound({
        let db = db.clone();
        move || db.put(b"boom", b"x")
    });
    let first = result.expect_err("the panicking write must fail");
    assert!(
        first.to_string().contains("comparator refuses boom"),
        "{first}"
    );

    // Writers from other threads are not stuck behind it: they fail with the background error, at once.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let db = db.clone();
            thread::spawn(move || within_bound(move || db.put(format!("k{i}"), b"v")))
        })
        .collect();
    for handle in handles {
        let err = handle
            .join()
            .unwrap()
            .expect_err("writes fail after the panic");
        assert_eq!(err.to_string(), first.to_string());
    }
    // Reads work, and the half-inserted group is invisible.
    armed.store(false, AtomicOrdering::SeqCst);
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get(b"boom").unwrap(), None);
    assert_eq!(db.get(b"k0").unwrap(), None);

    // Nothing acknowledged is lost after reopening (the failed write was logged, as a failed sync's may be).
    drop(db);
    let db = DB::open(options, dir.path()).unwrap();
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get(b"c").unwrap().as_deref(), Some(&b"3"[..]));
    db.put(b"d", b"4").unwrap();
}

/// A log record for a batch whose count header says `count` but which holds one put.
fn batch_with_count(count: u32) -> Vec<u8> {
    let mut batch = WriteBatch::new();
    batch.put(b"x", b"1");
    let mut rep = batch.contents().to_vec();
    rep[8..12].copy_from_slice(&count.to_le_bytes());
    rep
}

#[test]
fn a_batch_with_a_wrong_count_is_refused_before_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(options(), dir.path()).unwrap();
    db.put(b"a", b"1").unwrap();
    for count in [0, 2, u32::MAX] {
        let bad = WriteBatch::from_contents(&batch_with_count(count)).unwrap();
        let err = db.write(&bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Corruption: WriteBatch has wrong count",
            "count {count}"
        );
    }
    // The database goes on: no sequence number was used by the refused batches.
    db.put(b"b", b"2").unwrap();
    drop(db);

    let db = DB::open(
        Options {
            paranoid_checks: true,
            ..options()
        },
        dir.path(),
    )
    .expect("the log holds no refused batch");
    assert_eq!(db.get(b"x").unwrap(), None);
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(db.get(b"b").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(db.get_snapshot().sequence_number(), 2);
}

/// The name of the one log file in `dir`.
fn the_log(dir: &Path) -> std::path::PathBuf {
    let logs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs[0].clone()
}

/// A CRC-valid record of 12 zero bytes (sequence 0, count 0) wraps LevelDB's unsigned arithmetic: the last
/// sequence becomes 2^64 - 1, and the next write's sequence wraps to 0. The tests run with overflow checks on
/// (the test profile), where this used to panic.
#[test]
fn a_zeroed_batch_record_opens_with_leveldbs_unsigned_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    drop(DB::open(options(), dir.path()).unwrap());
    let env = oxleveldb::env::PosixEnv::new();
    let file = oxleveldb::env::Env::new_appendable_file(&env, &the_log(dir.path())).unwrap();
    let mut writer = log::Writer::new(file);
    writer.add_record(&[0u8; 12]).unwrap();
    drop(writer);

    let db = DB::open(options(), dir.path()).unwrap();
    assert_eq!(db.get_snapshot().sequence_number(), u64::MAX);
    db.put(b"k", b"v").unwrap();
    assert_eq!(db.get_snapshot().sequence_number(), 0);
    assert_eq!(db.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
}

#[test]
fn an_iterator_keeps_the_lock_after_its_handle_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(options(), dir.path()).unwrap();
    for i in 0..100 {
        db.put(format!("key{i:03}"), format!("value{i}")).unwrap();
    }
    db.compact_range(None, None).unwrap();
    let mut iter = db.new_iterator();
    drop(db);

    // No second handle can open the database (and compact away the files) while the iterator reads.
    let err = DB::open(options(), dir.path()).unwrap_err();
    assert_eq!(err.code(), Code::IOError);
    assert!(err.to_string().contains("already held by process"), "{err}");

    iter.seek_to_first();
    let mut n = 0;
    while iter.valid() {
        assert_eq!(iter.key(), format!("key{n:03}").as_bytes());
        assert_eq!(iter.value(), format!("value{n}").as_bytes());
        n += 1;
        iter.next();
    }
    assert!(iter.status().is_ok());
    assert_eq!(n, 100);

    drop(iter);
    let db = DB::open(options(), dir.path()).expect("the last iterator released the lock");
    assert_eq!(db.get(b"key042").unwrap().as_deref(), Some(&b"value42"[..]));
}

#[test]
fn a_snapshot_of_another_database_is_refused() {
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db1 = DB::open(options(), dir1.path()).unwrap();
    let db2 = DB::open(options(), dir2.path()).unwrap();
    db1.put(b"k", b"1").unwrap();
    db2.put(b"k", b"2").unwrap();
    let foreign = ReadOptions {
        snapshot: Some(db1.get_snapshot()),
        ..ReadOptions::default()
    };

    let err = db2.get_opt(b"k", &foreign).unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.to_string().contains("another database"), "{err}");

    let mut iter = db2.new_iterator_opt(&foreign);
    iter.seek_to_first();
    assert!(!iter.valid());
    assert_eq!(iter.status().unwrap_err().code(), Code::InvalidArgument);

    // Its own database still reads through it.
    assert_eq!(
        db1.get_opt(b"k", &foreign).unwrap().as_deref(),
        Some(&b"1"[..])
    );
}
