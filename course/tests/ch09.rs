//! Chapter 9: the writer queue and group commit. Graded by the log it writes: one record per group, the
//! groups folded as LevelDB folds them (the writers right behind the leader, within the size limit, no sync
//! write behind a leader that does not sync), sequence numbers without gap, every write exactly once.
//!
//! To build a group deterministically, a test holds the first leader inside its log write (the queue's hook)
//! while it queues the other writers one by one; then it lets the leader go.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use course::ch03_memtable::{Op, WriteBatch};
use course::ch09_writer_queue::WriteQueue;

/// A batch of `puts` puts of `value_size` bytes, keys "<name>-<i>".
fn batch(name: &str, puts: usize, value_size: usize) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for i in 0..puts {
        batch.put(format!("{name}-{i}").as_bytes(), &vec![b'v'; value_size]);
    }
    batch
}

/// Joins a thread, passing its panic on (a `todo!` in a writer thread is the test's failure).
fn join(handle: thread::JoinHandle<()>) {
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Waits (polling) until `condition` holds, while the writers in `threads` wait in the queue. A writer that
/// returns early fails the test with its panic (a `todo!`), and 30 s without progress fails it too: a
/// leader that keeps the queue's lock while it writes the log blocks every writer behind it.
fn wait_until(condition: impl Fn() -> bool, what: &str, threads: &mut Vec<thread::JoinHandle<()>>) {
    let start = Instant::now();
    while !condition() {
        if threads.iter().any(|t| t.is_finished()) {
            std::mem::take(threads).into_iter().for_each(join);
            panic!("a writer returned while waiting for {what}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited 30 s for {what}: does a writer hold the queue's lock while the leader writes the log?"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// The batch names of a record, in order ("a", "b", ...), from its keys "<name>-<i>".
fn names(record: &[u8]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for op in WriteBatch::from_contents(record).unwrap().ops().unwrap() {
        let Op::Put(key, _) = op else {
            panic!("only puts")
        };
        let key = String::from_utf8(key).unwrap();
        let name = key.split('-').next().unwrap().to_string();
        if names.last() != Some(&name) {
            names.push(name);
        }
    }
    names
}

fn sequence_and_count(record: &[u8]) -> (u64, u32) {
    let batch = WriteBatch::from_contents(record).unwrap();
    (batch.sequence(), batch.count())
}

#[test]
fn t1_a_lone_writer_writes_its_batch_as_a_record() {
    let queue = WriteQueue::new(|| {});
    queue.write(batch("a", 3, 10), false);
    queue.write(batch("b", 2, 10), true);
    let records = queue.log_records();
    assert_eq!(records.len(), 2, "one record per write");
    let mut expected = batch("a", 3, 10);
    expected.set_sequence(1);
    assert_eq!(
        records[0],
        expected.contents(),
        "the first batch, at sequence 1"
    );
    let mut expected = batch("b", 2, 10);
    expected.set_sequence(4);
    assert_eq!(
        records[1],
        expected.contents(),
        "the second batch, at sequence 4"
    );
}

/// Runs writers: the first one leads and is held in its log write until all the others have queued (in
/// order); returns the log's records as the batch names of each.
fn groups(writers: Vec<(&'static str, WriteBatch, bool)>) -> Vec<Vec<String>> {
    let release = Arc::new(AtomicBool::new(false));
    let held = Arc::new(AtomicBool::new(false));
    let (r, h) = (release.clone(), held.clone());
    let queue = Arc::new(WriteQueue::new(move || {
        if !h.swap(true, Ordering::SeqCst) {
            while !r.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(1));
            }
        }
    }));
    let mut threads = Vec::new();
    for (i, (_, batch, sync)) in writers.into_iter().enumerate() {
        let q = queue.clone();
        threads.push(thread::spawn(move || q.write(batch, sync)));
        let joined = || queue.joined() > i;
        wait_until(
            joined,
            &format!("writer {} to join the queue", i + 1),
            &mut threads,
        );
        if i == 0 {
            // The leader reaches its log write and is held there.
            let is_held = || held.load(Ordering::SeqCst);
            wait_until(is_held, "the first leader to write its log", &mut threads);
        }
    }
    release.store(true, Ordering::SeqCst);
    threads.into_iter().for_each(join);
    let records = queue.log_records();
    // Sequence numbers follow each other.
    let mut next = 1;
    for record in &records {
        let (sequence, count) = sequence_and_count(record);
        assert_eq!(
            sequence, next,
            "a group's first sequence number follows the last group's"
        );
        next += u64::from(count);
    }
    records.iter().map(|r| names(r)).collect()
}

#[test]
fn t2_the_writers_behind_a_leader_are_folded_into_one_record() {
    let groups = groups(vec![
        ("a", batch("a", 1, 10), false),
        ("b", batch("b", 2, 10), false),
        ("c", batch("c", 1, 10), false),
        ("d", batch("d", 3, 10), false),
        ("e", batch("e", 1, 10), false),
    ]);
    assert_eq!(
        groups,
        [vec!["a"], vec!["b", "c", "d", "e"]],
        "b leads the writers queued behind a"
    );
}

#[test]
fn t3_a_group_stops_at_its_size_limit() {
    // b is small: its group may hold 128 KiB more than b, and c (200 KiB) does not fit.
    let small_first = groups(vec![
        ("a", batch("a", 1, 10), false),
        ("b", batch("b", 1, 100), false),
        ("c", batch("c", 2, 100 << 10), false),
        ("d", batch("d", 1, 100), false),
    ]);
    assert_eq!(small_first, [vec!["a"], vec!["b"], vec!["c", "d"]]);
    // b is larger than 128 KiB: its group may hold 1 MiB; b and c fit (700 KiB), d does not.
    let big_first = groups(vec![
        ("a", batch("a", 1, 10), false),
        ("b", batch("b", 2, 100 << 10), false),
        ("c", batch("c", 5, 100 << 10), false),
        ("d", batch("d", 4, 100 << 10), false),
    ]);
    assert_eq!(big_first, [vec!["a"], vec!["b", "c"], vec!["d"]]);
}

#[test]
fn t4_a_sync_write_is_not_folded_behind_a_write_that_does_not_sync() {
    let groups1 = groups(vec![
        ("a", batch("a", 1, 10), false),
        ("b", batch("b", 1, 10), false),
        ("c", batch("c", 1, 10), true),
        ("d", batch("d", 1, 10), false),
    ]);
    assert_eq!(
        groups1,
        [vec!["a"], vec!["b"], vec!["c", "d"]],
        "c syncs: b's group stops before it; c's takes d"
    );
}

#[test]
fn t5_many_writers_each_write_exactly_once_in_their_order() {
    let queue = Arc::new(WriteQueue::new(|| {}));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let q = queue.clone();
            thread::spawn(move || {
                for n in 0..40 {
                    let name = format!("t{t}n{n:02}");
                    q.write(batch(&name, 1 + (t + n) % 3, 50 * t), n % 7 == 0);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(join);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut next = 1;
    let mut last_of_thread: BTreeMap<String, String> = BTreeMap::new();
    for record in queue.log_records() {
        let (sequence, count) = sequence_and_count(&record);
        assert_eq!(sequence, next, "sequence numbers without gap");
        next += u64::from(count);
        for name in names(&record) {
            *seen.entry(name.clone()).or_default() += 1;
            let thread = name[..2].to_string();
            if let Some(previous) = last_of_thread.insert(thread, name.clone()) {
                assert!(
                    previous < name,
                    "{previous} was written before {name}, by the same thread"
                );
            }
        }
    }
    assert_eq!(seen.len(), 240, "every write is in the log");
    assert!(
        seen.values().all(|&n| n == 1),
        "every write is in the log once"
    );
}
