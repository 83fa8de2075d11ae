//! Model-based tests: random sequences of operations run against the database and against a `BTreeMap` (the
//! model), and every read must agree with the model. This is LevelDB's db_test `Randomized` test (random puts,
//! deletes and batches checked against its `ModelDB`) in spirit, extended to everything a user can do between
//! writes: point reads, full scans in both directions, seeks followed by a few `next`/`prev` moves, snapshots (the
//! model keeps a clone of the map as of the snapshot, and reads through a live snapshot must match that clone),
//! iterators held open across later writes, flushes and compactions, reopening the database, manual compactions.
//!
//! Why: each of those paths combines the memtable, the immutable memtable and the table files of several levels,
//! and a wrong sequence number, a dropped deletion marker or a compaction that forgets a snapshot shows up only
//! in some interleavings. Keys come from a small alphabet (with the empty key, `\x00` and `\xff` edges and one
//! 200-byte key) so that writes collide; some values are several KiB and the write buffer is LevelDB's minimum
//! (64 KiB), so memtables flush and level-0 compactions happen within a run.
//!
//! Every property runs under LevelDB's four `ChangeOptions` sets (default, `reuse_logs`, bloom filter,
//! uncompressed) and under pipelined writes (`Options::enable_pipelined_write`), in memory (`MemEnv`) and on disk (`PosixEnv`, in a temporary directory). A failure prints the
//! shrunk sequence of operations and the seed. The number of cases per property is `QUICKCHECK_TESTS` (default 60
//! in memory, 10 on disk, where flushes wait for fsyncs), the maximum sequence length `QUICKCHECK_GENERATOR_SIZE`
//! (default 250), and `QUICKCHECK_SEED` replays the cases of a seed that a failed run printed (each run picks a
//! new one).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use oxleveldb::env::{default_env, Env, MemEnv};
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::{CompressionType, DBIterator, Options, ReadOptions, Snapshot, WriteBatch, DB};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;
type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// The number of keys in the alphabet.
const NUM_KEYS: u8 = 14;

/// Key `i` of the alphabet: short keys that share prefixes, the empty key, bytes at both ends of the order,
/// and one long key (long keys are kept whole in index blocks, short ones shortened).
fn key_bytes(i: u8) -> Vec<u8> {
    match i % NUM_KEYS {
        0 => b"a".to_vec(),
        1 => b"b".to_vec(),
        2 => Vec::new(),
        3 => b"aa".to_vec(),
        4 => b"ab".to_vec(),
        5 => b"ba".to_vec(),
        6 => b"c".to_vec(),
        7 => b"\x00".to_vec(),
        8 => b"\x00\x00".to_vec(),
        9 => b"\xff".to_vec(),
        10 => b"\xff\xff".to_vec(),
        11 => b"a\x00b".to_vec(),
        12 => b"bb".to_vec(),
        _ => vec![b'x'; 200],
    }
}

/// A key of the alphabet, by index (shrinks toward the first keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key(u8);

impl Arbitrary for Key {
    fn arbitrary(g: &mut Gen) -> Key {
        Key(u8::arbitrary(g) % NUM_KEYS)
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Key>> {
        Box::new(self.0.shrink().map(Key))
    }
}

/// The length of a value; its bytes are made when the operation runs, from the step number, so that every non-empty
/// value written is distinct (a read of a stale version cannot pass for the current one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Value(u32);

impl Arbitrary for Value {
    fn arbitrary(g: &mut Gen) -> Value {
        let r = u32::arbitrary(g);
        Value(match r % 100 {
            0..=4 => 0,                     // the empty value
            5..=64 => 1 + r / 100 % 40,     // small
            65..=74 => 100 + r / 100 % 900, // medium
            _ => 2000 + r / 100 % 14000,    // several KiB: fills the 64 KiB write buffer fast
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Value>> {
        Box::new(self.0.shrink().map(Value))
    }
}

/// The bytes of a value of length `len` (at least the length of its tag, unless 0) written by sub-operation
/// `sub` of step `step`: a unique tag, then filler that compresses to about half (so snappy keeps it).
fn value_bytes(step: usize, sub: usize, len: Value) -> Vec<u8> {
    if len.0 == 0 {
        return Vec::new();
    }
    let mut v = format!("{step}.{sub}|").into_bytes();
    let len = (len.0 as usize).max(v.len());
    let mut x = (step as u64 * 1_000_003 + sub as u64) | 1;
    while v.len() < len {
        // Random letters, each written twice.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let c = b'a' + (x % 26) as u8;
        v.push(c);
        v.push(c);
    }
    v.truncate(len);
    v
}

/// Which state a read sees: the latest one, or live snapshot number `i` (modulo the live ones; the latest if
/// there are none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Latest,
    Snapshot(u8),
}

impl Arbitrary for View {
    fn arbitrary(g: &mut Gen) -> View {
        if bool::arbitrary(g) {
            View::Latest
        } else {
            View::Snapshot(u8::arbitrary(g) % 8)
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = View>> {
        match *self {
            View::Latest => Box::new(std::iter::empty()),
            View::Snapshot(i) => {
                Box::new(std::iter::once(View::Latest).chain(i.shrink().map(View::Snapshot)))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Next,
    Prev,
}

impl Arbitrary for Move {
    fn arbitrary(g: &mut Gen) -> Move {
        *g.choose(&[Move::Next, Move::Prev]).unwrap()
    }
}

/// One entry of a write batch.
#[derive(Clone, Debug, PartialEq, Eq)]
enum BatchOp {
    Put(Key, Value),
    Delete(Key),
}

impl Arbitrary for BatchOp {
    fn arbitrary(g: &mut Gen) -> BatchOp {
        if u8::arbitrary(g) % 4 == 0 {
            BatchOp::Delete(Key::arbitrary(g))
        } else {
            BatchOp::Put(Key::arbitrary(g), Value::arbitrary(g))
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = BatchOp>> {
        match self.clone() {
            BatchOp::Put(k, v) => Box::new(
                std::iter::once(BatchOp::Delete(k))
                    .chain((k, v).shrink().map(|(k, v)| BatchOp::Put(k, v))),
            ),
            BatchOp::Delete(k) => Box::new(k.shrink().map(BatchOp::Delete)),
        }
    }
}

/// One step of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Put(Key, Value),
    Delete(Key),
    /// A write batch of several puts and deletes (later entries win over earlier ones for the same key).
    Batch(Vec<BatchOp>),
    Get(View, Key),
    /// A full scan with the Rust iterator (forward).
    ScanForward(View),
    /// A full scan with the cursor from the last entry (`seek_to_last`, `prev`).
    ScanBackward(View),
    /// `seek` to a key, then the moves (stopping where the model's cursor leaves the entries).
    SeekWalk(View, Key, Vec<Move>),
    TakeSnapshot,
    ReleaseSnapshot(u8),
    /// An iterator opened now and read later, after more writes, flushes and compactions.
    PinIterator,
    /// A full forward then backward scan of pinned iterator `i`, which must see the state when it was opened.
    ReadPinned(u8),
    DropPinned(u8),
    /// Close and open again (live snapshots and iterators are released first); the whole contents are checked.
    Reopen,
    /// `compact_range` over `[begin, end]` (`None`: unbounded).
    CompactRange(Option<Key>, Option<Key>),
    /// Flush the memtable to a table (LevelDB's TEST_CompactMemTable).
    CompactMemTable,
}

impl Arbitrary for Op {
    fn arbitrary(g: &mut Gen) -> Op {
        let small = |g: &mut Gen, max: u8| usize::from(u8::arbitrary(g) % max);
        match u8::arbitrary(g) % 100 {
            0..=29 => Op::Put(Key::arbitrary(g), Value::arbitrary(g)),
            30..=39 => Op::Delete(Key::arbitrary(g)),
            40..=47 => {
                let n = 1 + small(g, 8);
                Op::Batch((0..n).map(|_| BatchOp::arbitrary(g)).collect())
            }
            48..=59 => Op::Get(View::arbitrary(g), Key::arbitrary(g)),
            60..=63 => Op::ScanForward(View::arbitrary(g)),
            64..=67 => Op::ScanBackward(View::arbitrary(g)),
            68..=77 => {
                let n = small(g, 7);
                Op::SeekWalk(
                    View::arbitrary(g),
                    Key::arbitrary(g),
                    (0..n).map(|_| Move::arbitrary(g)).collect(),
                )
            }
            78..=81 => Op::TakeSnapshot,
            82..=83 => Op::ReleaseSnapshot(u8::arbitrary(g) % 8),
            84..=85 => Op::PinIterator,
            86..=88 => Op::ReadPinned(u8::arbitrary(g) % 4),
            89 => Op::DropPinned(u8::arbitrary(g) % 4),
            90..=92 => Op::Reopen,
            93..=96 => {
                // Half of them over everything.
                if bool::arbitrary(g) {
                    Op::CompactRange(None, None)
                } else {
                    Op::CompactRange(Option::arbitrary(g), Option::arbitrary(g))
                }
            }
            _ => Op::CompactMemTable,
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Op>> {
        match self.clone() {
            Op::Put(k, v) => Box::new((k, v).shrink().map(|(k, v)| Op::Put(k, v))),
            Op::Delete(k) => Box::new(k.shrink().map(Op::Delete)),
            Op::Batch(ops) => Box::new(ops.shrink().filter(|ops| !ops.is_empty()).map(Op::Batch)),
            Op::Get(view, k) => Box::new((view, k).shrink().map(|(v, k)| Op::Get(v, k))),
            Op::ScanForward(view) => Box::new(view.shrink().map(Op::ScanForward)),
            Op::ScanBackward(view) => Box::new(view.shrink().map(Op::ScanBackward)),
            Op::SeekWalk(view, k, moves) => Box::new(
                (view, k, moves)
                    .shrink()
                    .map(|(v, k, m)| Op::SeekWalk(v, k, m)),
            ),
            Op::ReleaseSnapshot(i) => Box::new(i.shrink().map(Op::ReleaseSnapshot)),
            Op::ReadPinned(i) => Box::new(i.shrink().map(Op::ReadPinned)),
            Op::DropPinned(i) => Box::new(i.shrink().map(Op::DropPinned)),
            Op::CompactRange(b, e) => {
                Box::new((b, e).shrink().map(|(b, e)| Op::CompactRange(b, e)))
            }
            Op::TakeSnapshot | Op::PinIterator | Op::Reopen | Op::CompactMemTable => {
                Box::new(std::iter::empty())
            }
        }
    }
}

/// LevelDB's `ChangeOptions` option sets (db_test.cc).
#[derive(Clone, Copy, Debug)]
enum Config {
    Default,
    Reuse,
    Filter,
    Uncompressed,
    /// Beyond LevelDB: pipelined writes (`Options::enable_pipelined_write`), which must keep every guarantee.
    Pipelined,
}

const CONFIGS: [Config; 5] = [
    Config::Default,
    Config::Reuse,
    Config::Filter,
    Config::Uncompressed,
    Config::Pipelined,
];

#[derive(Clone, Copy, Debug)]
enum EnvKind {
    Mem,
    Posix,
}

fn options(config: Config, env: &Arc<dyn Env>) -> Options {
    let mut options = Options {
        create_if_missing: true,
        env: env.clone(),
        // LevelDB's minimum (smaller values are clipped to it): a few large values fill a memtable.
        write_buffer_size: 64 << 10,
        ..Options::default()
    };
    match config {
        Config::Default => {}
        Config::Reuse => options.reuse_logs = true,
        Config::Filter => options.filter_policy = Some(Arc::new(BloomFilterPolicy::new(10))),
        Config::Uncompressed => options.compression = CompressionType::NoCompression,
        Config::Pipelined => options.enable_pipelined_write = true,
    }
    options
}

/// A database under test, its model, and what the run holds open.
///
/// The fields drop in order: iterators and snapshots before the database, the temporary directory last.
struct Harness {
    pinned: Vec<(DBIterator, Model)>,
    snapshots: Vec<(Snapshot, Model)>,
    db: Option<DB>,
    model: Model,
    config: Config,
    env: Arc<dyn Env>,
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// Fails the run with a message (the step and operation are added by the caller).
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

fn show(bytes: &[u8]) -> String {
    let s: String = bytes
        .iter()
        .take(40)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > 40 {
        format!("\"{s}...\" ({} bytes)", bytes.len())
    } else {
        format!("\"{s}\"")
    }
}

fn show_entry(e: Option<(&[u8], &[u8])>) -> String {
    match e {
        Some((k, v)) => format!("{} -> {}", show(k), show(v)),
        None => "(end)".to_string(),
    }
}

/// Compares a scan with the model's entries, naming the first difference.
fn compare_entries(what: &str, got: &[(Vec<u8>, Vec<u8>)], model: &Model) -> Result<(), String> {
    let mut expected = model.iter();
    for (i, (k, v)) in got.iter().enumerate() {
        match expected.next() {
            Some((ek, ev)) if ek == k && ev == v => {}
            e => {
                return Err(format!(
                    "{what}: entry {i} is {}, the model has {}",
                    show_entry(Some((k, v))),
                    show_entry(e.map(|(k, v)| (k.as_slice(), v.as_slice())))
                ))
            }
        }
    }
    if let Some((k, v)) = expected.next() {
        return Err(format!(
            "{what}: ended after {} entries, the model has {} next",
            got.len(),
            show_entry(Some((k, v)))
        ));
    }
    Ok(())
}

fn scan_forward(iter: &mut DBIterator) -> Result<Entries, String> {
    iter.seek_to_first();
    let mut entries = Vec::new();
    while iter.valid() {
        entries.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.next();
    }
    iter.status().map_err(|e| format!("iterator status: {e}"))?;
    Ok(entries)
}

/// The entries from the last to the first, returned in key order.
fn scan_backward(iter: &mut DBIterator) -> Result<Entries, String> {
    iter.seek_to_last();
    let mut entries = Vec::new();
    while iter.valid() {
        entries.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.prev();
    }
    iter.status().map_err(|e| format!("iterator status: {e}"))?;
    entries.reverse();
    Ok(entries)
}

impl Harness {
    fn new(config: Config, env_kind: EnvKind) -> Harness {
        let (env, path, dir): (Arc<dyn Env>, PathBuf, _) = match env_kind {
            EnvKind::Mem => (
                Arc::new(MemEnv::new(default_env())),
                PathBuf::from("/model/db"),
                None,
            ),
            EnvKind::Posix => {
                let dir = tempfile::tempdir().unwrap();
                (default_env(), dir.path().join("db"), Some(dir))
            }
        };
        let db = DB::open(options(config, &env), &path).expect("open a new database");
        Harness {
            config,
            env,
            path,
            _dir: dir,
            db: Some(db),
            model: Model::new(),
            snapshots: Vec::new(),
            pinned: Vec::new(),
        }
    }

    fn db(&self) -> &DB {
        self.db.as_ref().unwrap()
    }

    /// The read options and the model of a view.
    fn view(&self, view: View) -> (ReadOptions, &Model) {
        match view {
            View::Snapshot(i) if !self.snapshots.is_empty() => {
                let (snapshot, model) = &self.snapshots[usize::from(i) % self.snapshots.len()];
                let options = ReadOptions {
                    snapshot: Some(snapshot.clone()),
                    ..ReadOptions::default()
                };
                (options, model)
            }
            _ => (ReadOptions::default(), &self.model),
        }
    }

    fn write(&mut self, batch: &WriteBatch) -> Result<(), String> {
        self.db()
            .write(batch)
            .map_err(|e| format!("write failed: {e}"))
    }

    fn get(&self, view: View, key: &[u8]) -> Result<(), String> {
        let (options, model) = self.view(view);
        let got = self
            .db()
            .get_opt(key, &options)
            .map_err(|e| format!("get failed: {e}"))?;
        let expected = model.get(key);
        ensure!(
            got.as_ref() == expected,
            "get {} ({view:?}) gave {}, the model has {}",
            show(key),
            got.as_deref().map_or("not found".to_string(), show),
            expected.map_or("not found".to_string(), |v| show(v))
        );
        Ok(())
    }

    fn scan_forward(&self, view: View) -> Result<(), String> {
        let (options, model) = self.view(view);
        // The Rust iterator: starts at the first entry by itself.
        let got = self
            .db()
            .new_iterator_opt(&options)
            .into_iter()
            .collect::<oxleveldb::Result<Vec<_>>>()
            .map_err(|e| format!("iteration failed: {e}"))?;
        compare_entries(&format!("forward scan ({view:?})"), &got, model)
    }

    fn scan_backward(&self, view: View) -> Result<(), String> {
        let (options, model) = self.view(view);
        let got = scan_backward(&mut self.db().new_iterator_opt(&options))?;
        compare_entries(&format!("backward scan ({view:?})"), &got, model)
    }

    fn seek_walk(&self, view: View, target: &[u8], moves: &[Move]) -> Result<(), String> {
        let (options, model) = self.view(view);
        let entries: Vec<(&Vec<u8>, &Vec<u8>)> = model.iter().collect();
        let mut iter = self.db().new_iterator_opt(&options);
        iter.seek(target);
        // The model's cursor: an index into `entries`, `None` when not valid.
        let mut pos = Some(entries.partition_point(|(k, _)| k.as_slice() < target))
            .filter(|&p| p < entries.len());
        let mut trail = format!("seek {} ({view:?})", show(target));
        for step in 0..=moves.len() {
            if step > 0 {
                let m = moves[step - 1];
                trail.push_str(&format!(", {m:?}"));
                match m {
                    Move::Next => {
                        iter.next();
                        pos = pos.map(|p| p + 1).filter(|&p| p < entries.len());
                    }
                    Move::Prev => {
                        iter.prev();
                        pos = pos.and_then(|p| p.checked_sub(1));
                    }
                }
            }
            let got = iter.valid().then(|| (iter.key(), iter.value()));
            let expected = pos.map(|p| (entries[p].0.as_slice(), entries[p].1.as_slice()));
            ensure!(
                got == expected,
                "{trail}: the iterator is at {}, the model at {}",
                show_entry(got),
                show_entry(expected)
            );
            if pos.is_none() {
                // Moving an iterator that is not valid is not allowed.
                break;
            }
        }
        iter.status().map_err(|e| format!("{trail}: status {e}"))
    }

    /// Every key of the alphabet by `get`, and both full scans, against the model.
    fn check_all(&self) -> Result<(), String> {
        for i in 0..NUM_KEYS {
            self.get(View::Latest, &key_bytes(i))?;
        }
        self.scan_forward(View::Latest)?;
        self.scan_backward(View::Latest)
    }

    fn reopen(&mut self) -> Result<(), String> {
        self.snapshots.clear();
        self.pinned.clear();
        self.db = None;
        let db = DB::open(options(self.config, &self.env), &self.path)
            .map_err(|e| format!("reopen failed: {e}"))?;
        self.db = Some(db);
        self.check_all()
    }

    fn apply(&mut self, step: usize, op: &Op) -> Result<(), String> {
        match op {
            Op::Put(k, v) => {
                let (key, value) = (key_bytes(k.0), value_bytes(step, 0, *v));
                self.db()
                    .put(&key, &value)
                    .map_err(|e| format!("put failed: {e}"))?;
                self.model.insert(key, value);
            }
            Op::Delete(k) => {
                let key = key_bytes(k.0);
                self.db()
                    .delete(&key)
                    .map_err(|e| format!("delete failed: {e}"))?;
                self.model.remove(&key);
            }
            Op::Batch(ops) => {
                let mut batch = WriteBatch::new();
                let mut model = self.model.clone();
                for (sub, op) in ops.iter().enumerate() {
                    match op {
                        BatchOp::Put(k, v) => {
                            let (key, value) = (key_bytes(k.0), value_bytes(step, sub, *v));
                            batch.put(&key, &value);
                            model.insert(key, value);
                        }
                        BatchOp::Delete(k) => {
                            let key = key_bytes(k.0);
                            batch.delete(&key);
                            model.remove(&key);
                        }
                    }
                }
                self.write(&batch)?;
                self.model = model;
            }
            Op::Get(view, k) => self.get(*view, &key_bytes(k.0))?,
            Op::ScanForward(view) => self.scan_forward(*view)?,
            Op::ScanBackward(view) => self.scan_backward(*view)?,
            Op::SeekWalk(view, k, moves) => self.seek_walk(*view, &key_bytes(k.0), moves)?,
            Op::TakeSnapshot => {
                let snapshot = self.db().get_snapshot();
                self.snapshots.push((snapshot, self.model.clone()));
            }
            Op::ReleaseSnapshot(i) => {
                if !self.snapshots.is_empty() {
                    let i = usize::from(*i) % self.snapshots.len();
                    self.snapshots.remove(i);
                }
            }
            Op::PinIterator => {
                let iter = self.db().new_iterator();
                self.pinned.push((iter, self.model.clone()));
            }
            Op::ReadPinned(i) => {
                if !self.pinned.is_empty() {
                    let n = self.pinned.len();
                    let (iter, model) = &mut self.pinned[usize::from(*i) % n];
                    let forward = scan_forward(iter)?;
                    compare_entries("pinned iterator, forward", &forward, model)?;
                    let backward = scan_backward(iter)?;
                    compare_entries("pinned iterator, backward", &backward, model)?;
                }
            }
            Op::DropPinned(i) => {
                if !self.pinned.is_empty() {
                    let i = usize::from(*i) % self.pinned.len();
                    self.pinned.remove(i);
                }
            }
            Op::Reopen => self.reopen()?,
            Op::CompactRange(begin, end) => {
                let (begin, end) = (begin.map(|k| key_bytes(k.0)), end.map(|k| key_bytes(k.0)));
                self.db()
                    .compact_range(begin.as_deref(), end.as_deref())
                    .map_err(|e| format!("compact_range failed: {e}"))?;
            }
            Op::CompactMemTable => self
                .db()
                .test_compact_mem_table()
                .map_err(|e| format!("test_compact_mem_table failed: {e}"))?,
        }
        Ok(())
    }
}

/// Runs `ops`, then checks the whole contents, reopens and checks them again.
fn run(config: Config, env_kind: EnvKind, ops: &[Op]) -> Result<(), String> {
    let mut h = Harness::new(config, env_kind);
    for (step, op) in ops.iter().enumerate() {
        h.apply(step, op)
            .map_err(|e| format!("{config:?}/{env_kind:?}, step {step} ({op:?}): {e}"))?;
    }
    h.check_all()
        .and_then(|()| h.reopen())
        .map_err(|e| format!("{config:?}/{env_kind:?}, after the last step: {e}"))
}

/// The property for option set `C` (index into `CONFIGS`) and env `E` (0: MemEnv, 1: PosixEnv).
fn prop<const C: usize, const E: usize>(ops: Vec<Op>) -> TestResult {
    let env_kind = if E == 0 { EnvKind::Mem } else { EnvKind::Posix };
    match run(CONFIGS[C], env_kind, &ops) {
        Ok(()) => TestResult::passed(),
        Err(e) => TestResult::error(e),
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs `property` on `default_tests` random sequences (or `QUICKCHECK_TESTS`).
fn check(property: fn(Vec<Op>) -> TestResult, default_tests: u64) {
    let tests = env_number("QUICKCHECK_TESTS").unwrap_or(default_tests);
    let size = env_number("QUICKCHECK_GENERATOR_SIZE").unwrap_or(250) as usize;
    let seed = env_number("QUICKCHECK_SEED").unwrap_or_else(|| {
        use std::hash::{BuildHasher, RandomState};
        RandomState::new().hash_one(0u8)
    });
    // Printed with the test's output when it fails.
    println!("QUICKCHECK_SEED={seed} QUICKCHECK_GENERATOR_SIZE={size}");
    QuickCheck::new()
        .tests(tests)
        .max_tests(tests)
        .rng(Gen::from_size_and_seed(size, seed))
        .quickcheck(property);
}

/// Cases per property in memory, and on disk (where each flush and compaction waits for fsyncs).
const MEM_TESTS: u64 = 60;
const POSIX_TESTS: u64 = 10;

#[test]
fn model_default_mem() {
    check(prop::<0, 0>, MEM_TESTS);
}

#[test]
fn model_reuse_logs_mem() {
    check(prop::<1, 0>, MEM_TESTS);
}

#[test]
fn model_bloom_filter_mem() {
    check(prop::<2, 0>, MEM_TESTS);
}

#[test]
fn model_uncompressed_mem() {
    check(prop::<3, 0>, MEM_TESTS);
}

#[test]
fn model_pipelined_write_mem() {
    check(prop::<4, 0>, MEM_TESTS);
}

#[test]
fn model_default_posix() {
    check(prop::<0, 1>, POSIX_TESTS);
}

#[test]
fn model_reuse_logs_posix() {
    check(prop::<1, 1>, POSIX_TESTS);
}

#[test]
fn model_bloom_filter_posix() {
    check(prop::<2, 1>, POSIX_TESTS);
}

#[test]
fn model_uncompressed_posix() {
    check(prop::<3, 1>, POSIX_TESTS);
}

#[test]
fn model_pipelined_write_posix() {
    check(prop::<4, 1>, POSIX_TESTS);
}

/// A fixed run that must flush and compact, so that the properties above are known to reach the table levels:
/// 60 values of 8 KiB over the alphabet, a snapshot in the middle, a manual compaction, a reopen.
#[test]
fn model_fixed_run_reaches_tables() {
    let mut ops = Vec::new();
    for i in 0..60u8 {
        ops.push(Op::Put(Key(i % NUM_KEYS), Value(8000)));
        if i == 30 {
            ops.push(Op::TakeSnapshot);
            ops.push(Op::PinIterator);
        }
        if i % 7 == 0 {
            ops.push(Op::Delete(Key((i / 7) % NUM_KEYS)));
        }
    }
    ops.extend([
        Op::ReadPinned(0),
        Op::ScanBackward(View::Snapshot(0)),
        Op::CompactRange(None, None),
        Op::ScanForward(View::Snapshot(0)),
        Op::SeekWalk(
            View::Snapshot(0),
            Key(3),
            vec![Move::Next, Move::Prev, Move::Prev],
        ),
        Op::ReadPinned(0),
        Op::Reopen,
    ]);
    for config in CONFIGS {
        let mut h = Harness::new(config, EnvKind::Mem);
        for (step, op) in ops.iter().enumerate() {
            h.apply(step, op)
                .unwrap_or_else(|e| panic!("{config:?}, step {step}: {e}"));
        }
        let files: usize = (0..7)
            .map(|level| {
                h.db()
                    .get_property(&format!("leveldb.num-files-at-level{level}"))
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert!(files > 0, "{config:?}: the run wrote no table");
        h.check_all().unwrap();
    }
}
