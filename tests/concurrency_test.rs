//! Eight threads share one database: each writes its own write batches and, between them, reads what the others
//! wrote (by point reads, through snapshots, and with iterators forwards, backwards and from a seek). Every thread
//! runs a fixed number of rounds: there is no time-based loop and no timing assertion.
//!
//! Why: concurrent writers meet in the write queue, where the front writer commits a whole group of batches as one
//! log record and one run of sequence numbers, while readers take snapshots and iterators without waiting for it
//! (DESIGN.md, "The write path"). A batch half visible, a sequence number given twice or skipped, or a write
//! acknowledged but not readable would show up only under real concurrency.
//!
//! Batch `b` of thread `t` (b = 1, 2, ...):
//! * puts `t{t}/k0` with a provisional value, then puts `t{t}/k0`..`t{t}/k3` all with values naming `b` (the
//!   provisional value must never be seen: later entries of a batch win);
//! * puts `t{t}/x` when `b` is even, deletes it when `b` is odd;
//! * puts `t{t}/log/{b}`, a key of its own, so the log keys of a thread are exactly `1..=b` for the last batch
//!   `b` that a reader sees.
//!
//! So a consistent view of thread `t` is a single batch number `b` (0: nothing yet) that explains all of its keys,
//! and it lies between the last batch `t` had acknowledged before the view was taken and the last batch `t` had
//! started writing after it. Afterwards every acknowledged batch is visible, the last sequence (the sequence number
//! of a new snapshot, LevelDB's VersionSet::LastSequence) equals the number of puts and deletes written, so
//! sequence numbers were dense, and both still hold after a reopen.
//!
//! Variants: default options on disk; a 64 KiB write buffer and 1 KiB values in memory, so that memtables flush
//! and compactions run under the concurrent writes; and sync writes mixed with plain ones on disk. Each runs with
//! LevelDB's write path and with pipelined writes (`Options::enable_pipelined_write`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use oxleveldb::env::{default_env, Env, MemEnv};
use oxleveldb::{Options, ReadOptions, WriteBatch, WriteOptions, DB};

const THREADS: usize = 8;
/// The keys `t{t}/k0..` that every batch of thread `t` overwrites.
const GROUP_KEYS: usize = 4;
/// The puts and deletes in one batch: the provisional put, the group, `x`, the log key.
const OPS_PER_BATCH: u64 = 1 + GROUP_KEYS as u64 + 1 + 1;

fn group_key(t: usize, i: usize) -> Vec<u8> {
    format!("t{t}/k{i}").into_bytes()
}

fn extra_key(t: usize) -> Vec<u8> {
    format!("t{t}/x").into_bytes()
}

fn log_key(t: usize, b: u64) -> Vec<u8> {
    format!("t{t}/log/{b:06}").into_bytes()
}

/// The value batch `b` of thread `t` writes to slot `slot` (`k0`.., `x`, `log`): it names all three, then
/// `pad` bytes that depend on them too, so a reader checks the whole value.
fn value(t: usize, b: u64, slot: &str, pad: usize) -> Vec<u8> {
    let mut v = format!("t{t}/b{b}/{slot}|").into_bytes();
    let seed = t * 31 + b as usize * 7 + slot.len();
    v.extend((0..pad).map(|j| b'a' + ((seed + j * 3) % 26) as u8));
    v
}

/// The batch number a value names, after checking that the value is exactly what that batch wrote there.
fn batch_of(t: usize, slot: &str, pad: usize, v: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(v);
    let b = text
        .split('/')
        .nth(1)
        .and_then(|s| s.strip_prefix('b'))
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("t{t}/{slot}: unexpected value {text:?}"));
    assert!(
        v == value(t, b, slot, pad).as_slice(),
        "t{t}/{slot}: value {text:?} is not what batch {b} wrote"
    );
    b
}

/// Checks that the keys of thread `t` (as `get` reports them) are all explained by one batch, and returns it.
/// `log_keys` are the thread's log keys when the view is a scan (a point read checks the log keys around `b`).
fn check_thread(
    t: usize,
    pad: usize,
    get: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
    log_keys: Option<&[Vec<u8>]>,
) -> u64 {
    let first = get(&group_key(t, 0)).map(|v| batch_of(t, "k0", pad, &v));
    let b = first.unwrap_or(0);
    for i in 0..GROUP_KEYS {
        let slot = format!("k{i}");
        let got = get(&group_key(t, i)).map(|v| batch_of(t, &slot, pad, &v));
        assert_eq!(
            got, first,
            "t{t}: {slot} is from batch {got:?} but k0 from {first:?}: a batch was not atomic"
        );
    }
    let x = get(&extra_key(t));
    if b % 2 == 0 && b > 0 {
        let xb = x.map(|v| batch_of(t, "x", pad, &v));
        assert_eq!(xb, Some(b), "t{t}: batch {b} put x");
    } else {
        assert!(
            x.is_none(),
            "t{t}: x must be absent at batch {b}, found {:?}",
            String::from_utf8_lossy(&x.unwrap())
        );
    }
    match log_keys {
        Some(keys) => {
            let expected: Vec<Vec<u8>> = (1..=b).map(|n| log_key(t, n)).collect();
            assert!(
                keys == expected.as_slice(),
                "t{t}: at batch {b} the log keys must be exactly 1..={b}, found {} keys",
                keys.len()
            );
            for (n, key) in (1..=b).zip(keys) {
                let v = get(key).unwrap();
                assert_eq!(batch_of(t, "log", pad, &v), n);
            }
        }
        None => {
            if b > 0 {
                let v = get(&log_key(t, b)).unwrap_or_else(|| panic!("t{t}: log key {b} missing"));
                assert_eq!(batch_of(t, "log", pad, &v), b);
            }
            assert_eq!(
                get(&log_key(t, b + 1)),
                None,
                "t{t}: log key {} already there",
                b + 1
            );
        }
    }
    b
}

/// Checks a full scan (or the part of a scan for the threads in `threads`): each thread's entries, and nothing
/// else. Returns the batch seen for each thread of `threads`.
fn check_scan(entries: &[(Vec<u8>, Vec<u8>)], threads: &[usize], pad: usize) -> Vec<u64> {
    for pair in entries.windows(2) {
        assert!(
            pair[0].0 < pair[1].0,
            "the scan is not in strictly increasing key order"
        );
    }
    let mut per_thread: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = vec![BTreeMap::new(); THREADS];
    for (k, v) in entries {
        let t = std::str::from_utf8(k)
            .ok()
            .and_then(|k| k.strip_prefix('t'))
            .and_then(|k| k.split('/').next())
            .and_then(|t| t.parse::<usize>().ok())
            .filter(|t| threads.contains(t))
            .unwrap_or_else(|| panic!("unexpected key {:?}", String::from_utf8_lossy(k)));
        per_thread[t].insert(k.clone(), v.clone());
    }
    threads
        .iter()
        .map(|&t| {
            let map = &per_thread[t];
            let log_prefix = format!("t{t}/log/").into_bytes();
            let log_keys: Vec<Vec<u8>> = map
                .keys()
                .filter(|k| k.starts_with(&log_prefix))
                .cloned()
                .collect();
            let b = check_thread(t, pad, &|k| map.get(k).cloned(), Some(&log_keys));
            let expected_len =
                GROUP_KEYS * usize::from(b > 0) + usize::from(b % 2 == 0 && b > 0) + b as usize;
            assert_eq!(
                map.len(),
                expected_len,
                "t{t}: unexpected keys at batch {b}"
            );
            b
        })
        .collect()
}

/// Batches started and acknowledged by each writer, published around each write.
struct Progress {
    started: Vec<AtomicU64>,
    acked: Vec<AtomicU64>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            started: (0..THREADS).map(|_| AtomicU64::new(0)).collect(),
            acked: (0..THREADS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
    fn acked(&self) -> Vec<u64> {
        self.acked
            .iter()
            .map(|a| a.load(Ordering::SeqCst))
            .collect()
    }
    fn started(&self) -> Vec<u64> {
        self.started
            .iter()
            .map(|a| a.load(Ordering::SeqCst))
            .collect()
    }
}

/// Asserts that the batch seen for thread `t` lies between what it had acknowledged before the view was taken
/// (`lo`) and what it had started after (`hi`).
fn check_bounds(what: &str, t: usize, b: u64, lo: &[u64], hi: &[u64]) {
    assert!(
        lo[t] <= b && b <= hi[t],
        "{what}: thread {t} seen at batch {b}, but it had acknowledged {} before and started only {} after",
        lo[t],
        hi[t]
    );
}

struct Variant {
    batches: u64,
    pad: usize,
    options: Options,
    /// Batches `b` with `b % sync_every == t % sync_every` are written with `sync`.
    sync_every: Option<u64>,
    /// Whether the run must have made tables below level 0 (flushes and compactions under the writes).
    expect_compactions: bool,
}

fn open(variant: &Variant, path: &Path) -> DB {
    DB::open(variant.options.clone(), path).expect("open")
}

/// One thread: its batches, each followed by a read of its own keys and one read of the others' keys.
fn worker(db: &DB, progress: &Progress, variant: &Variant, t: usize) {
    let pad = variant.pad;
    let all: Vec<usize> = (0..THREADS).collect();
    let mut last_snapshot_sequence = 0;
    for b in 1..=variant.batches {
        let mut batch = WriteBatch::new();
        batch.put(group_key(t, 0), format!("t{t}/provisional {b}").as_bytes());
        for i in 0..GROUP_KEYS {
            batch.put(group_key(t, i), value(t, b, &format!("k{i}"), pad));
        }
        if b % 2 == 0 {
            batch.put(extra_key(t), value(t, b, "x", pad));
        } else {
            batch.delete(extra_key(t));
        }
        batch.put(log_key(t, b), value(t, b, "log", pad));
        assert_eq!(u64::from(batch.count()), OPS_PER_BATCH);
        let sync = variant.sync_every.is_some_and(|n| b % n == t as u64 % n);
        progress.started[t].store(b, Ordering::SeqCst);
        db.write_opt(&batch, &WriteOptions { sync })
            .unwrap_or_else(|e| panic!("t{t}: batch {b} failed: {e}"));
        progress.acked[t].store(b, Ordering::SeqCst);

        // Read your writes: nobody else writes these keys.
        let own = check_thread(t, pad, &|k| db.get(k).unwrap(), None);
        assert_eq!(
            own, b,
            "t{t}: an acknowledged batch is not visible to its writer"
        );

        let other = (t + b as usize) % THREADS;
        match b % 4 {
            0 => {
                // Point reads of every thread through one snapshot.
                let lo = progress.acked();
                let snapshot = db.get_snapshot();
                let hi = progress.started();
                assert!(snapshot.sequence_number() >= last_snapshot_sequence);
                last_snapshot_sequence = snapshot.sequence_number();
                let options = ReadOptions {
                    snapshot: Some(snapshot),
                    ..ReadOptions::default()
                };
                for u in 0..THREADS {
                    let seen = check_thread(u, pad, &|k| db.get_opt(k, &options).unwrap(), None);
                    check_bounds("snapshot get", u, seen, &lo, &hi);
                }
            }
            1 => {
                // Point reads without a snapshot are not atomic together, but each sees a state at least as
                // new as the one before it.
                let lo = progress.acked();
                let mut previous = lo[other];
                for i in 0..GROUP_KEYS {
                    let got = db
                        .get(group_key(other, i))
                        .unwrap()
                        .map_or(0, |v| batch_of(other, &format!("k{i}"), pad, &v));
                    assert!(
                        got >= previous,
                        "t{other}/k{i} at batch {got} after a read of batch {previous}"
                    );
                    previous = got;
                }
                let hi = progress.started();
                assert!(previous <= hi[other], "a read saw a batch not started yet");
            }
            2 => {
                // A full scan forwards (the Rust iterator); the iterator's implicit snapshot makes it atomic.
                let lo = progress.acked();
                let iter = db.new_iterator();
                let hi = progress.started();
                let entries: Vec<_> = iter.into_iter().map(|e| e.unwrap()).collect();
                for (u, seen) in check_scan(&entries, &all, pad).into_iter().enumerate() {
                    check_bounds("forward scan", u, seen, &lo, &hi);
                }
            }
            _ => {
                let lo = progress.acked();
                let mut iter = db.new_iterator();
                let hi = progress.started();
                let mut entries = Vec::new();
                if b % 8 == 3 {
                    // A full scan backwards.
                    iter.seek_to_last();
                    while iter.valid() {
                        entries.push((iter.key().to_vec(), iter.value().to_vec()));
                        iter.prev();
                    }
                    iter.status().unwrap();
                    entries.reverse();
                    for (u, seen) in check_scan(&entries, &all, pad).into_iter().enumerate() {
                        check_bounds("backward scan", u, seen, &lo, &hi);
                    }
                } else {
                    // The keys of one thread, from a seek to its prefix.
                    let prefix = format!("t{other}/").into_bytes();
                    iter.seek(&prefix);
                    while iter.valid() && iter.key().starts_with(&prefix) {
                        entries.push((iter.key().to_vec(), iter.value().to_vec()));
                        iter.next();
                    }
                    iter.status().unwrap();
                    let seen = check_scan(&entries, &[other], pad)[0];
                    check_bounds("prefix scan", other, seen, &lo, &hi);
                }
            }
        }
    }
}

/// The state after all threads are done: every batch of every thread, and the last sequence.
fn check_final(db: &DB, variant: &Variant, what: &str) {
    let expected_sequence = THREADS as u64 * variant.batches * OPS_PER_BATCH;
    assert_eq!(
        db.get_snapshot().sequence_number(),
        expected_sequence,
        "{what}: the last sequence must be the number of puts and deletes written (dense sequence numbers)"
    );
    let entries: Vec<_> = db.new_iterator().into_iter().map(|e| e.unwrap()).collect();
    let all: Vec<usize> = (0..THREADS).collect();
    let seen = check_scan(&entries, &all, variant.pad);
    assert_eq!(
        seen,
        vec![variant.batches; THREADS],
        "{what}: the last batches"
    );
    for t in 0..THREADS {
        let b = check_thread(t, variant.pad, &|k| db.get(k).unwrap(), None);
        assert_eq!(b, variant.batches, "{what}: thread {t}");
    }
}

fn files_below_level0(db: &DB) -> usize {
    (1..7)
        .map(|level| {
            db.get_property(&format!("leveldb.num-files-at-level{level}"))
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum()
}

fn run(variant: Variant, path: PathBuf) {
    let db = open(&variant, &path);
    let progress = Progress::new();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (db, progress, variant) = (&db, &progress, &variant);
            s.spawn(move || worker(db, progress, variant, t));
        }
    });
    check_final(&db, &variant, "after the threads");
    if variant.expect_compactions {
        assert!(
            files_below_level0(&db) > 0,
            "the writes were to flush memtables and compact level 0: {}",
            db.get_property("leveldb.stats").unwrap()
        );
    }
    drop(db);

    let db = open(&variant, &path);
    check_final(&db, &variant, "after a reopen");
    // Recovery continues the sequence where it was: a new write takes the next numbers.
    let before = db.get_snapshot().sequence_number();
    let mut batch = WriteBatch::new();
    batch.put(b"after", b"reopen");
    batch.delete(b"after");
    db.write(&batch).unwrap();
    assert_eq!(db.get_snapshot().sequence_number(), before + 2);
}

fn mem_env() -> Arc<dyn Env> {
    Arc::new(MemEnv::new(default_env()))
}

/// Default options on disk.
fn default_options(pipelined: bool) {
    let dir = tempfile::tempdir().unwrap();
    let variant = Variant {
        batches: 120,
        pad: 10,
        options: Options {
            create_if_missing: true,
            enable_pipelined_write: pipelined,
            ..Options::default()
        },
        sync_every: None,
        expect_compactions: false,
    };
    run(variant, dir.path().join("db"));
}

/// A 64 KiB write buffer and 1 KiB values in memory: memtables flush and compactions run under the writes.
fn with_flushes_and_compactions(pipelined: bool) {
    let variant = Variant {
        batches: 60,
        pad: 1000,
        options: Options {
            create_if_missing: true,
            env: mem_env(),
            // LevelDB's minimum: about 9 batches of all threads fill a memtable.
            write_buffer_size: 64 << 10,
            enable_pipelined_write: pipelined,
            ..Options::default()
        },
        sync_every: None,
        expect_compactions: true,
    };
    run(variant, PathBuf::from("/concurrency/db"));
}

/// Sync writes mixed with plain ones on disk.
fn with_sync_writes_mixed_in(pipelined: bool) {
    let dir = tempfile::tempdir().unwrap();
    let variant = Variant {
        batches: 40,
        pad: 100,
        options: Options {
            create_if_missing: true,
            enable_pipelined_write: pipelined,
            ..Options::default()
        },
        sync_every: Some(3),
        expect_compactions: false,
    };
    run(variant, dir.path().join("db"));
}

#[test]
fn concurrent_batches_default_options() {
    default_options(false);
}

#[test]
fn concurrent_batches_with_flushes_and_compactions() {
    with_flushes_and_compactions(false);
}

#[test]
fn concurrent_batches_with_sync_writes_mixed_in() {
    with_sync_writes_mixed_in(false);
}

// The same under pipelined writes (Options::enable_pipelined_write): every guarantee above must hold there too.

#[test]
fn pipelined_concurrent_batches_default_options() {
    default_options(true);
}

#[test]
fn pipelined_concurrent_batches_with_flushes_and_compactions() {
    with_flushes_and_compactions(true);
}

#[test]
fn pipelined_concurrent_batches_with_sync_writes_mixed_in() {
    with_sync_writes_mixed_in(true);
}

/// A database iterator borrows what it reads (memtables, file lists, table cache) from the super version it pins,
/// rather than holding counts of its own: the pin alone must keep all of it alive and in place while newer super
/// versions replace it, and after the database handle is gone.
///
/// A writer rewrites every key in one batch per generation; with a 64 KiB write buffer each batch fills a
/// memtable, so each generation installs new super versions (a flush, often a compaction) and drops the old
/// memtables as soon as nothing pins them. Four readers each keep three iterators of different ages alive across
/// those generations and check, through each of them, one consistent generation: every key, all with the same
/// value. An iterator reading a memtable or version that had been let go would find other values or none.
#[test]
fn iterators_keep_what_they_borrow_alive_across_new_versions() {
    const KEYS: usize = 200;
    const GENERATIONS: usize = 40;
    const READERS: usize = 4;
    let key = |i: usize| format!("key{i:05}").into_bytes();
    let value = |g: usize| format!("{g:06}").repeat(50).into_bytes();
    let write_generation = |db: &DB, g: usize| {
        let mut batch = WriteBatch::new();
        for i in 0..KEYS {
            batch.put(key(i), value(g));
        }
        db.write(&batch).unwrap();
    };
    // The generation an iterator shows, checked whole from the first key; and one key found by a seek.
    let check_scan = |it: &mut oxleveldb::DBIterator| -> Vec<u8> {
        it.seek_to_first();
        let first = it.value().to_vec();
        let mut n = 0;
        while it.valid() {
            assert_eq!(it.key(), key(n));
            assert_eq!(it.value(), first, "one iterator, one generation");
            n += 1;
            it.next();
        }
        it.status().unwrap();
        assert_eq!(n, KEYS);
        first
    };
    let check_seek = |it: &mut oxleveldb::DBIterator, i: usize, expected: &[u8]| {
        it.seek(&key(i));
        assert!(it.valid());
        assert_eq!((it.key(), it.value()), (&key(i)[..], expected));
    };

    let db = DB::open(
        Options {
            create_if_missing: true,
            env: mem_env(),
            write_buffer_size: 64 << 10,
            ..Options::default()
        },
        "/iterators_keep",
    )
    .unwrap();
    write_generation(&db, 0);
    let done = AtomicU64::new(0);
    let leftovers = std::thread::scope(|s| {
        let readers: Vec<_> = (0..READERS)
            .map(|r| {
                let (db, done) = (&db, &done);
                s.spawn(move || {
                    let mut live: Vec<(oxleveldb::DBIterator, Vec<u8>)> = Vec::new();
                    let mut round = 0;
                    while done.load(Ordering::Acquire) == 0 || round < 3 {
                        let mut it = db.new_iterator();
                        let generation = check_scan(&mut it);
                        live.push((it, generation));
                        if live.len() > 3 {
                            live.remove(0);
                        }
                        // The older iterators still show their own generation, whatever was written since.
                        for (j, (it, generation)) in live.iter_mut().enumerate() {
                            check_seek(it, (r * 37 + round * 11 + j) % KEYS, generation);
                        }
                        round += 1;
                    }
                    live
                })
            })
            .collect();
        for g in 1..=GENERATIONS {
            write_generation(&db, g);
        }
        done.store(1, Ordering::Release);
        readers
            .into_iter()
            .flat_map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });
    // The handle goes; the iterators still read what they pinned.
    drop(db);
    for (mut it, generation) in leftovers {
        assert_eq!(check_scan(&mut it), generation);
    }
}
