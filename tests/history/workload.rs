//! The workload of the concurrent history checker: threads that write, read, scan and hold snapshots against one
//! database while another flushes and compacts it, every call recorded with the instants it began and returned.
//!
//! Each write is a batch of a few puts and deletes over a small key space, preceded by a put of a journal key of
//! its own (`j.<thread>.<batch>`): no later write hides a journal key, so no compaction drops it, and after the
//! run its sequence number (read from the internal keys) is the batch's. Every value names its batch and key, so
//! a read's result says which write it saw. Before the threads start, every key is written once and compacted
//! to the last level, so that old versions sit deep under the new ones (the reviewer's "older value" case).
//!
//! A run is decided by its `Config` (the seed draws every thread's operations); the interleaving is not, so a
//! failing seed is rerun until it fails again (`HISTORY_SEED=...`, see `tests/history_test.rs`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oxleveldb::db::dbformat::{parse_internal_key, ValueType};
use oxleveldb::env::{default_env, MemEnv};
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::txn::{TransactionDB, TransactionDBOptions};
use oxleveldb::util::random::Random;
use oxleveldb::{DBIterator, Options, ReadOptions, Snapshot, WriteBatch, DB};

use super::checker::{
    History, Observation, ReadAt, ReadRecord, SnapshotRecord, WriteId, WriteRecord,
};

/// Where the database lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    Memory,
    Disk,
}

/// Which API the threads go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// `DB`: writes with `DB::write`.
    Db,
    /// `TransactionDB`: every write is a transaction that locks its keys and commits.
    Transactions,
}

/// One run of the checker.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub storage: Storage,
    pub api: Api,
    pub pipelined_writes: bool,
    pub keys: usize,
    pub writers: usize,
    /// Threads of point reads.
    pub readers: usize,
    /// Threads of scans (iterators forwards and backwards, and `DB::range`).
    pub scanners: usize,
    /// Threads that take a snapshot, read through it while writes and compactions go on, and let it go.
    pub snapshot_holders: usize,
    /// Operations per thread (a write, a read, a scan, or a snapshot's whole life).
    pub ops_per_thread: usize,
    pub value_size: usize,
    /// `DB::test_set_read_pause`: reads sleep this long before they pin their super version, which widens the
    /// window of a read that took its sequence number first.
    pub read_pause: Option<Duration>,
    /// `DB::test_set_stale_read_order`: reads in the order the invariant forbids (to show the checker catches it).
    pub stale_read_order: bool,
}

impl Config {
    /// A configuration drawn from `seed`: the storage, the API and the pipelining as given, the rest drawn.
    pub fn drawn(
        seed: u64,
        storage: Storage,
        api: Api,
        pipelined_writes: bool,
        ops_per_thread: usize,
    ) -> Config {
        let mut rnd = Random::new(seed as u32 ^ (seed >> 32) as u32);
        Config {
            seed,
            storage,
            api,
            pipelined_writes,
            keys: [4, 16, 64][rnd.uniform(3) as usize],
            writers: 1 + rnd.uniform(3) as usize,
            readers: 1 + rnd.uniform(3) as usize,
            scanners: 1 + rnd.uniform(2) as usize,
            snapshot_holders: rnd.uniform(2) as usize,
            ops_per_thread,
            value_size: [8, 100, 1000][rnd.uniform(3) as usize],
            read_pause: None,
            stale_read_order: false,
        }
    }
}

impl Config {
    /// The shape that catches the read race of issue 24: one writer overwriting four keys, six point readers and
    /// a scanner on `MemEnv`, while the compactor flushes and compacts without pause. With the read order
    /// reverted (the sequence loaded before the super version), a release build found a read that missed an
    /// acknowledged write within seconds to minutes on a 2-core machine; the drawn configurations spread the same
    /// effort over more keys and threads.
    pub fn focused(seed: u64, ops_per_thread: usize) -> Config {
        Config {
            keys: 4,
            writers: 1,
            readers: 6,
            scanners: 1,
            snapshot_holders: 0,
            value_size: 100,
            ..Config::drawn(seed, Storage::Memory, Api::Db, false, ops_per_thread)
        }
    }
}

/// The instants of the calls: one counter every thread increments, so the ticks order the calls as they happened.
#[derive(Default)]
struct Clock(AtomicU64);

impl Clock {
    fn tick(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

fn key(k: usize) -> Vec<u8> {
    format!("k{k:04}").into_bytes()
}

fn journal_key(id: WriteId) -> Vec<u8> {
    format!("j.{:02}.{:08}", id.0, id.1).into_bytes()
}

/// The value write `id` puts at key `k`: it names both, padded to `size` bytes with bytes that depend on them.
fn value(id: WriteId, k: usize, size: usize) -> Vec<u8> {
    let mut v = format!("{}.{}.{}.", id.0, id.1, k).into_bytes();
    let seed = id.0 * 131 + id.1 as usize * 31 + k;
    v.extend((v.len()..size).map(|j| b'a' + ((seed + j * 7) % 26) as u8));
    v
}

/// The write whose value `v` is at key `k`, after checking that `v` is exactly what that write put there.
fn writer_of(k: usize, v: &[u8], size: usize) -> Result<WriteId, String> {
    let text = String::from_utf8_lossy(v);
    let mut fields = text.split('.');
    let mut field = || fields.next().and_then(|f| f.parse::<u64>().ok());
    match (field(), field(), field()) {
        (Some(t), Some(b), Some(key))
            if key == k as u64 && value((t as usize, b), k, size) == v =>
        {
            Ok((t as usize, b))
        }
        _ => Err(format!("k{k}: a value no write put there: {text:?}")),
    }
}

/// The database the threads share, through the API of the configuration.
enum Target {
    Db(DB),
    Transactions(Box<TransactionDB>),
}

impl Target {
    fn db(&self) -> &DB {
        match self {
            Target::Db(db) => db,
            Target::Transactions(txn_db) => txn_db.test_db(),
        }
    }

    /// Writes the batch: its journal key first, then `ops`. In a transaction every key is locked as it is
    /// written, and the keys come in one order (the journal key is the batch's own), so no two deadlock.
    fn write(&self, id: WriteId, ops: &[(usize, bool)], size: usize) -> oxleveldb::Result<()> {
        match self {
            Target::Db(db) => {
                let mut batch = WriteBatch::new();
                batch.put(journal_key(id), b"");
                for &(k, put) in ops {
                    if put {
                        batch.put(key(k), value(id, k, size));
                    } else {
                        batch.delete(key(k));
                    }
                }
                db.write(&batch)
            }
            Target::Transactions(txn_db) => {
                let mut txn = txn_db.begin_transaction();
                txn.put(journal_key(id), b"")?;
                for &(k, put) in ops {
                    if put {
                        txn.put(key(k), value(id, k, size))?;
                    } else {
                        txn.delete(key(k))?;
                    }
                }
                txn.commit()
            }
        }
    }

    fn get(&self, options: &ReadOptions, k: &[u8]) -> oxleveldb::Result<Option<Vec<u8>>> {
        match self {
            Target::Db(db) => db.get_opt(k, options),
            Target::Transactions(txn_db) => txn_db.get_opt(k, options),
        }
    }

    fn new_iterator(&self, options: &ReadOptions) -> DBIterator {
        match self {
            Target::Db(db) => db.new_iterator_opt(options),
            Target::Transactions(txn_db) => txn_db.new_iterator_opt(options),
        }
    }

    fn get_snapshot(&self) -> Snapshot {
        match self {
            Target::Db(db) => db.get_snapshot(),
            Target::Transactions(txn_db) => txn_db.get_snapshot(),
        }
    }
}

/// What one thread recorded.
#[derive(Default)]
struct Recorded {
    writes: Vec<WriteRecord>,
    reads: Vec<ReadRecord>,
    /// Snapshots by their index within the thread (reads name them so, until the histories are merged).
    snapshots: Vec<SnapshotRecord>,
}

/// A thread of the run.
struct Worker<'a> {
    thread: usize,
    config: &'a Config,
    target: &'a Target,
    clock: &'a Clock,
    rnd: Random,
    recorded: Recorded,
}

impl Worker<'_> {
    fn write(&mut self, batch: u64) -> Result<(), String> {
        let id = (self.thread, batch);
        let mut keys: Vec<usize> = (0..1 + self.rnd.uniform(4) as usize)
            .map(|_| self.rnd.uniform(self.config.keys as u32) as usize)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let ops: Vec<(usize, bool)> = keys.into_iter().map(|k| (k, !self.rnd.one_in(5))).collect();
        let invoke = self.clock.tick();
        let result = self.target.write(id, &ops, self.config.value_size);
        let response = self.clock.tick();
        if let (Err(e), Api::Db) = (&result, self.config.api) {
            return Err(format!("write {id:?} failed: {e}"));
        }
        self.recorded.writes.push(WriteRecord {
            id,
            invoke,
            response: result.is_ok().then_some(response),
            ops,
        });
        Ok(())
    }

    fn get(&mut self, options: &ReadOptions, at: ReadAt) -> Result<(), String> {
        let k = self.rnd.uniform(self.config.keys as u32) as usize;
        let invoke = self.clock.tick();
        let found = self.target.get(options, &key(k));
        let response = self.clock.tick();
        let found = found.map_err(|e| format!("get k{k} failed: {e}"))?;
        let seen = found
            .map(|v| writer_of(k, &v, self.config.value_size))
            .transpose()?;
        self.recorded.reads.push(ReadRecord {
            thread: self.thread,
            invoke,
            response,
            at,
            what: format!("get k{k}"),
            observed: Observation::from([(k, seen)]),
        });
        Ok(())
    }

    /// A scan of a random range, forwards or backwards, by the cursor or by `DB::range`. Its instants are those
    /// of the iterator's creation, which fixes what it sees.
    fn scan(&mut self, options: &ReadOptions, at: ReadAt) -> Result<(), String> {
        let a = self.rnd.uniform(self.config.keys as u32) as usize;
        let b = a + 1 + self.rnd.uniform((self.config.keys - a) as u32) as usize;
        let (lo, hi) = (key(a), key(b));
        let backwards = self.rnd.one_in(2);
        let by_range = self.rnd.one_in(3);
        let invoke = self.clock.tick();
        let mut entries = Vec::new();
        if by_range {
            let range = match self.target {
                Target::Db(db) => db.range_opt(lo.clone()..hi.clone(), options),
                Target::Transactions(_) => self.target.new_iterator(options).into_iter(),
            };
            let response = self.clock.tick();
            for entry in range {
                let (k, v) = entry.map_err(|e| format!("scan failed: {e}"))?;
                if k.as_slice() >= lo.as_slice() && k.as_slice() < hi.as_slice() {
                    entries.push((k, v));
                }
            }
            self.record_scan(invoke, response, at, (a, b), false, entries)
        } else {
            let mut it = self.target.new_iterator(options);
            let response = self.clock.tick();
            if backwards {
                it.seek(&hi);
                if it.valid() {
                    it.prev();
                } else {
                    it.seek_to_last();
                }
                while it.valid() && it.key() >= lo.as_slice() {
                    if it.key() < hi.as_slice() {
                        entries.push((it.key().to_vec(), it.value().to_vec()));
                    }
                    it.prev();
                }
            } else {
                it.seek(&lo);
                while it.valid() && it.key() < hi.as_slice() {
                    entries.push((it.key().to_vec(), it.value().to_vec()));
                    it.next();
                }
            }
            it.status().map_err(|e| format!("scan failed: {e}"))?;
            self.record_scan(invoke, response, at, (a, b), backwards, entries)
        }
    }

    fn record_scan(
        &mut self,
        invoke: u64,
        response: u64,
        at: ReadAt,
        (a, b): (usize, usize),
        backwards: bool,
        entries: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Result<(), String> {
        let mut observed: Observation = (a..b).map(|k| (k, None)).collect();
        for (k, v) in entries {
            let text = String::from_utf8_lossy(&k);
            let k = text
                .strip_prefix('k')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|k| (a..b).contains(k))
                .ok_or_else(|| format!("a scan of k{a}..k{b} returned the key {text:?}"))?;
            observed.insert(k, Some(writer_of(k, &v, self.config.value_size)?));
        }
        self.recorded.reads.push(ReadRecord {
            thread: self.thread,
            invoke,
            response,
            at,
            what: format!(
                "scan k{a}..k{b}{}",
                if backwards { " backwards" } else { "" }
            ),
            observed,
        });
        Ok(())
    }

    /// Takes a snapshot, reads through it a few times while the others go on, and lets it go.
    fn hold_snapshot(&mut self) -> Result<(), String> {
        let invoke = self.clock.tick();
        let snapshot = self.target.get_snapshot();
        let response = self.clock.tick();
        let index = self.recorded.snapshots.len();
        self.recorded.snapshots.push(SnapshotRecord {
            thread: self.thread,
            invoke,
            response,
            sequence: snapshot.sequence_number(),
        });
        let options = ReadOptions {
            snapshot: Some(snapshot),
            ..ReadOptions::default()
        };
        for _ in 0..4 {
            std::thread::yield_now();
            if self.rnd.one_in(2) {
                self.get(&options, ReadAt::Snapshot(index))?;
            } else {
                self.scan(&options, ReadAt::Snapshot(index))?;
            }
        }
        Ok(())
    }
}

/// Flushes and compacts until told to stop: memtable flushes, whole-range compactions and every level's own.
fn compact_until(db: &DB, stop: &AtomicBool, seed: u64) -> Result<(), String> {
    let mut rnd = Random::new(seed as u32 ^ 0x5eed);
    while !stop.load(Ordering::SeqCst) {
        match rnd.uniform(4) {
            0 => db
                .test_compact_mem_table()
                .map_err(|e| format!("flush failed: {e}"))?,
            1 => db
                .compact_range(None, None)
                .map_err(|e| format!("compaction failed: {e}"))?,
            _ => {
                let level =
                    rnd.uniform(oxleveldb::db::dbformat::config::NUM_LEVELS as u32 - 1) as usize;
                db.test_compact_range(level, None, None);
            }
        }
    }
    Ok(())
}

/// The sequence number of every write in the database, by its journal key.
fn journal_sequences(db: &DB) -> Result<std::collections::HashMap<WriteId, u64>, String> {
    let mut sequences = std::collections::HashMap::new();
    let mut it = db.test_new_internal_iterator();
    it.seek(b"j.");
    while it.valid() && it.key().starts_with(b"j.") {
        let parsed = parse_internal_key(it.key()).ok_or("an internal key that does not parse")?;
        let text = String::from_utf8_lossy(parsed.user_key).into_owned();
        let mut fields = text.split('.').skip(1).map(|f| f.parse::<u64>());
        let id = match (fields.next(), fields.next()) {
            (Some(Ok(t)), Some(Ok(b))) => (t as usize, b),
            _ => return Err(format!("a journal key that does not parse: {text:?}")),
        };
        if parsed.value_type != ValueType::Value || sequences.insert(id, parsed.sequence).is_some()
        {
            return Err(format!("journal key {text:?} has more than one version"));
        }
        it.next();
    }
    it.status()
        .map_err(|e| format!("reading the journal: {e}"))?;
    Ok(sequences)
}

/// Runs the workload of `config` and returns its history, with every write's sequence number.
pub fn run(config: &Config) -> Result<History, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path: PathBuf = dir.path().join("db");
    let options = Options {
        create_if_missing: true,
        write_buffer_size: 64 << 10,
        enable_pipelined_write: config.pipelined_writes,
        env: match config.storage {
            Storage::Memory => Arc::new(MemEnv::new(default_env())),
            Storage::Disk => default_env(),
        },
        ..Options::default()
    };
    let db = DB::open(options, &path).map_err(|e| format!("open: {e}"))?;
    let target = match config.api {
        Api::Db => Target::Db(db),
        Api::Transactions => Target::Transactions(Box::new(TransactionDB::from_db(
            db,
            TransactionDBOptions::default(),
        ))),
    };
    let clock = Clock::default();
    // Every key once, compacted to the last level: old versions deep under the new ones.
    let preload_thread =
        config.writers + config.readers + config.scanners + config.snapshot_holders;
    let mut preload = Worker {
        thread: preload_thread,
        config,
        target: &target,
        clock: &clock,
        rnd: Random::new(1),
        recorded: Recorded::default(),
    };
    for k in 0..config.keys {
        let id = (preload_thread, k as u64);
        let invoke = clock.tick();
        target
            .write(id, &[(k, true)], config.value_size)
            .map_err(|e| format!("preload: {e}"))?;
        let response = clock.tick();
        preload.recorded.writes.push(WriteRecord {
            id,
            invoke,
            response: Some(response),
            ops: vec![(k, true)],
        });
    }
    target
        .db()
        .compact_range(None, None)
        .map_err(|e| format!("preload compaction: {e}"))?;
    let preloaded = preload.recorded;
    target.db().test_set_read_pause(config.read_pause);
    target
        .db()
        .test_set_stale_read_order(config.stale_read_order);

    let stop = AtomicBool::new(false);
    let recorded: Vec<Result<Recorded, String>> = std::thread::scope(|scope| {
        let compactor = scope.spawn(|| compact_until(target.db(), &stop, config.seed));
        let workers: Vec<_> = (0..preload_thread)
            .map(|thread| {
                let (target, clock) = (&target, &clock);
                scope.spawn(move || {
                    let mut worker = Worker {
                        thread,
                        config,
                        target,
                        clock,
                        rnd: Random::new(
                            (config.seed as u32)
                                .wrapping_mul(2654435761)
                                .wrapping_add(thread as u32 + 1),
                        ),
                        recorded: Recorded::default(),
                    };
                    let latest = ReadOptions::default();
                    for op in 0..config.ops_per_thread {
                        if thread < config.writers {
                            worker.write(op as u64)?;
                        } else if thread < config.writers + config.readers {
                            worker.get(&latest, ReadAt::Latest)?;
                        } else if thread < config.writers + config.readers + config.scanners {
                            worker.scan(&latest, ReadAt::Latest)?;
                        } else {
                            worker.hold_snapshot()?;
                        }
                    }
                    Ok(worker.recorded)
                })
            })
            .collect();
        let recorded = workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"))
            .collect();
        stop.store(true, Ordering::SeqCst);
        let compacted = compactor.join().expect("the compactor panicked");
        match compacted {
            Ok(()) => recorded,
            Err(e) => vec![Err(e)],
        }
    });
    target.db().test_set_read_pause(None);
    target.db().test_set_stale_read_order(false);

    let mut history = History::default();
    for part in std::iter::once(Ok(preloaded)).chain(recorded) {
        let part = part?;
        let base = history.snapshots.len();
        history.writes.extend(part.writes);
        history.snapshots.extend(part.snapshots);
        history.reads.extend(part.reads.into_iter().map(|mut r| {
            if let ReadAt::Snapshot(s) = &mut r.at {
                *s += base;
            }
            r
        }));
    }
    history.sequences = journal_sequences(target.db())?;
    Ok(history)
}
