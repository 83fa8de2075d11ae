//! The lockstep runner: one operation log applied to two engines (each in its own directory), every answer
//! compared, and at checkpoints the files themselves; it stops at the first divergence with a report that names
//! the operation, both answers and the seed.
//!
//! What is compared:
//! - Every answer, always: the status of each write, compaction and open, every get, scan and iterator position
//!   (and the iterator's status). Snapshots are held across writes, compactions and other reads.
//! - Properties and approximate sizes depend on the files, so they are compared while the files are determined
//!   (below); an unknown property must be unknown to both engines at any time.
//! - The files, byte for byte (all but the info log), at two checkpoints: after each `compact` (both databases
//!   open, the compaction waited for) and at each close (a `reopen`, and the end of the log), while the files are
//!   determined; with them the `leveldb.sstables` listing.
//!
//! When the files are determined: background work runs on its own thread, and once it starts on its own the
//! files depend on timing (file numbers, what a compaction saw). So the runner follows, conservatively, what
//! could start it, and stops comparing files for the rest of the run once it could have started:
//! - a memtable that could fill: the writes since the last flush (open without `reuse_logs`, or `compact`), at
//!   `2 × (key + value) + 256` bytes an entry (more than LevelDB's arena charges), reach the write buffer;
//! - a size compaction pending after an open or a `compact`: 4 files at level 0, or a level over its byte limit
//!   (read from both engines' `leveldb.sstables`);
//! - a size compaction that could become due inside a `compact`: it flushes the memtable first (a table more at
//!   level 0), and the background thread may pick a compaction of its own before the manual one (found by the
//!   fuzzer: with three tables at level 0, LevelDB's size compaction moved the table of the empty key to level 1
//!   first, or the manual compaction left it alone at level 0, by timing);
//! - a seek compaction: reads charge a table a seek only when a key could be in two tables; a table needs 100
//!   charges. With two or more tables, each get counts 1 and each scan or iteration 1 plus 1 per 16 KiB read, and
//!   at 50 since the open the files count as undetermined.
//!
//! Invariant: the two engines see the same calls in the same order; the runner owns both directories and closes
//! both engines before it compares closed files or returns.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::bytes::show;
use crate::engine::{BatchOp, Engine, KeyValue, Position};
use crate::files::compare_dirs;
use crate::oplog::{BatchItem, Op, OpLog};
use crate::options::DbOptions;

/// One answer of an engine to one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The status of a write, compaction or open.
    Status(Result<(), String>),
    /// A get.
    Value(Result<Option<Vec<u8>>, String>),
    /// A scan.
    Entries(Result<Vec<KeyValue>, String>),
    /// An iteration's positions.
    Positions(Result<Vec<Position>, String>),
    /// A property.
    Property(Option<String>),
    /// Approximate sizes.
    Sizes(Vec<u64>),
    /// Snapshots and releases answer nothing.
    Nothing,
    /// An answer that depends on timing now (a property or approximate sizes while the files are not determined):
    /// not compared, and not kept, so that a replay gives the same answers.
    Undetermined,
}

fn show_position(p: &Position) -> String {
    match p {
        None => "(invalid)".to_string(),
        Some((k, v)) => format!("{} => {}", show(k), show(v)),
    }
}

fn show_list<T>(items: &[T], each: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().take(3).map(each).collect();
    let more = if items.len() > 3 { ", ..." } else { "" };
    format!("{} [{}{more}]", items.len(), shown.join(", "))
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let result = |f: &mut fmt::Formatter<'_>, r: Result<String, &String>| match r {
            Ok(text) => f.write_str(&text),
            Err(e) => write!(f, "error: {e}"),
        };
        match self {
            Answer::Status(r) => result(f, r.as_ref().map(|()| "ok".to_string())),
            Answer::Value(r) => result(
                f,
                r.as_ref()
                    .map(|v| v.as_ref().map_or("not found".to_string(), |v| show(v))),
            ),
            Answer::Entries(r) => result(
                f,
                r.as_ref().map(|e| {
                    format!(
                        "entries: {}",
                        show_list(e, |(k, v)| format!("{} => {}", show(k), show(v)))
                    )
                }),
            ),
            Answer::Positions(r) => result(
                f,
                r.as_ref()
                    .map(|p| format!("positions: {}", show_list(p, show_position))),
            ),
            Answer::Property(p) => match p {
                Some(text) => write!(f, "{text:?}"),
                None => f.write_str("(unknown property)"),
            },
            Answer::Sizes(s) => write!(f, "{s:?}"),
            Answer::Nothing => f.write_str("-"),
            Answer::Undetermined => f.write_str("(depends on timing)"),
        }
    }
}

/// Where two answers first differ, for long answers (scans, walks).
fn first_difference(a: &Answer, b: &Answer) -> Option<String> {
    let (x, y) = match (a, b) {
        (Answer::Entries(Ok(x)), Answer::Entries(Ok(y))) => (
            x.iter().map(|e| Some(e.clone())).collect::<Vec<_>>(),
            y.iter().map(|e| Some(e.clone())).collect::<Vec<_>>(),
        ),
        (Answer::Positions(Ok(x)), Answer::Positions(Ok(y))) => (x.clone(), y.clone()),
        _ => return None,
    };
    let i = (0..x.len().max(y.len())).find(|&i| x.get(i) != y.get(i))?;
    let at = |v: &[Position]| v.get(i).map_or("(nothing)".to_string(), show_position);
    Some(format!(
        "first difference at #{i}: {} vs {}",
        at(&x),
        at(&y)
    ))
}

/// The first divergence of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The seed of the log, if it was generated.
    pub seed: Option<u64>,
    /// The operation's number in the log (from 1); 0 for the first open, `ops.len() + 1` for the final close.
    pub op_number: usize,
    /// The operation as the log writes it (or `open`, `close`).
    pub op: String,
    /// What differed: the answer, or the files at a checkpoint.
    pub what: String,
    /// The engines' names, left then right.
    pub engines: [String; 2],
    /// Their answers (for files, the comparison's report in `answers[0]`).
    pub answers: [String; 2],
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seed = self.seed.map_or(String::new(), |s| format!(" (seed {s})"));
        // A long key makes a long line: the whole operation is in the log.
        let op: String = self.op.chars().take(200).collect();
        let more = if op.len() < self.op.len() { "..." } else { "" };
        writeln!(
            f,
            "DIVERGENCE{seed} at operation #{}: {op}{more}",
            self.op_number
        )?;
        writeln!(f, "  {}", self.what)?;
        if self.answers[1].is_empty() {
            writeln!(f, "{}", self.answers[0])
        } else {
            writeln!(f, "  {:<10} {}", self.engines[0], self.answers[0])?;
            writeln!(f, "  {:<10} {}", self.engines[1], self.answers[1])
        }
    }
}

/// The run stopped at a divergence (it is in the outcome).
#[derive(Debug)]
pub struct Diverged;

/// What a run found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The answers both engines agreed on, one per operation ([`Answer::Undetermined`] where timing decides).
    pub answers: Vec<Answer>,
    /// How many times the files were compared byte for byte.
    pub file_checkpoints: usize,
    /// The first divergence, if any (the run stopped there).
    pub divergence: Option<Divergence>,
}

/// The runner's estimate of whether background work could have started on its own (module comment).
struct Timing {
    determined: bool,
    memtable_bytes: usize,
    seek_charges: usize,
    tables: usize,
}

/// LevelDB: kL0_CompactionTrigger
const L0_COMPACTION_TRIGGER: usize = 4;
const SEEK_CHARGES_LIMIT: usize = 50;

/// LevelDB: MaxBytesForLevel (level 1 holds 10 MiB, each further level 10 times more).
fn max_bytes_for_level(level: usize) -> u64 {
    10 * 1048576 * 10u64.pow(level.saturating_sub(1) as u32)
}

/// The tables of each level, as `leveldb.sstables` lists them ("--- level N ---" then " number:size[...]" lines).
struct Levels {
    /// Per level: the number of tables and their bytes.
    per_level: [(usize, u64); 8],
}

impl Levels {
    fn parse(sstables: &str) -> Levels {
        let mut level = 0;
        let mut per_level = [(0usize, 0u64); 8];
        for line in sstables.lines() {
            if let Some(rest) = line.strip_prefix("--- level ") {
                level = rest
                    .trim_end_matches(" ---")
                    .parse()
                    .unwrap_or(0usize)
                    .min(7);
            } else if let Some((_, rest)) = line.split_once(':') {
                let size = rest.split('[').next().unwrap_or("").parse().unwrap_or(0);
                per_level[level].0 += 1;
                per_level[level].1 += size;
            }
        }
        Levels { per_level }
    }

    fn tables(&self) -> usize {
        self.per_level.iter().map(|&(tables, _)| tables).sum()
    }

    /// LevelDB: VersionSet::Finalize (a score of 1 or more): 4 tables at level 0, or a level over its bytes.
    fn compaction_due(&self) -> bool {
        self.per_level[0].0 >= L0_COMPACTION_TRIGGER
            || (1..6).any(|l| self.per_level[l].1 >= max_bytes_for_level(l))
    }

    /// Whether a size compaction could become due while a `compact` runs. LevelDB's `CompactRange` first flushes
    /// the memtable (one more table, at level 0, 1 or 2), then compacts level by level, each output going one
    /// level down; between two of these steps the background thread may pick a size compaction of its own, and
    /// what the `compact` leaves then depends on timing. Conservatively: the flush's table could make level 0
    /// due, or the bytes of all tables and the memtable could fill level 1.
    fn compaction_due_during_compact(&self, memtable_bytes: usize) -> bool {
        let flushed_table = usize::from(memtable_bytes > 0);
        let bytes: u64 = self.per_level.iter().map(|&(_, bytes)| bytes).sum();
        self.compaction_due()
            || self.per_level[0].0 + flushed_table >= L0_COMPACTION_TRIGGER
            || bytes + memtable_bytes as u64 >= max_bytes_for_level(1)
    }
}

/// The two engines, their directories and the run's state.
pub struct Lockstep<'e> {
    engines: [&'e mut dyn Engine; 2],
    _dir: tempfile::TempDir,
    paths: [PathBuf; 2],
    options: DbOptions,
    seed: Option<u64>,
    timing: Timing,
    /// Operations applied so far (the number of the last one).
    op_number: usize,
    outcome: Outcome,
}

impl<'e> Lockstep<'e> {
    /// Two fresh directories under `parent` for `left` and `right`; nothing is opened yet.
    pub fn new(
        parent: &Path,
        left: &'e mut dyn Engine,
        right: &'e mut dyn Engine,
        options: DbOptions,
        seed: Option<u64>,
    ) -> Result<Lockstep<'e>, String> {
        let dir = tempfile::tempdir_in(parent)
            .map_err(|e| format!("cannot make a directory in {}: {e}", parent.display()))?;
        let paths = [dir.path().join("left"), dir.path().join("right")];
        Ok(Lockstep {
            engines: [left, right],
            _dir: dir,
            paths,
            options,
            seed,
            timing: Timing {
                determined: true,
                memtable_bytes: 0,
                seek_charges: 0,
                tables: 0,
            },
            op_number: 0,
            outcome: Outcome::default(),
        })
    }

    fn names(&self) -> [String; 2] {
        [self.engines[0].name(), self.engines[1].name()]
    }

    fn diverge(&mut self, op: &str, what: String, answers: [String; 2]) -> Result<(), Diverged> {
        self.outcome.divergence = Some(Divergence {
            seed: self.seed,
            op_number: self.op_number,
            op: op.to_string(),
            what,
            engines: self.names(),
            answers,
        });
        Err(Diverged)
    }

    /// Compares two answers; `comparable` is false for answers that depend on timing now.
    fn agree(&mut self, op: &str, a: Answer, b: Answer, comparable: bool) -> Result<(), Diverged> {
        if !comparable {
            self.outcome.answers.push(Answer::Undetermined);
            return Ok(());
        }
        if a != b {
            let what = first_difference(&a, &b).unwrap_or_else(|| "the answers differ".to_string());
            return self.diverge(op, what, [a.to_string(), b.to_string()]);
        }
        self.outcome.answers.push(a);
        Ok(())
    }

    /// Opens both engines, each on its directory, and compares the results.
    pub fn open(&mut self) -> Result<(), Diverged> {
        let options = self.options.clone();
        let [a, b] = [0, 1].map(|i| {
            let path = self.paths[i].clone();
            Answer::Status(self.engines[i].open(&path, &options))
        });
        let failed = a != Answer::Status(Ok(()));
        if a != b {
            return self.diverge(
                "open",
                "the opens differ".to_string(),
                [a.to_string(), b.to_string()],
            );
        }
        if failed {
            // Both refused the same way: nothing more can run.
            return self.diverge(
                "open",
                "both engines failed to open".to_string(),
                [a.to_string(), b.to_string()],
            );
        }
        if !options.reuse_logs {
            self.timing.memtable_bytes = 0;
        }
        self.timing.seek_charges = 0;
        self.check_levels("open")
    }

    /// Closes both engines, then compares their files (a checkpoint).
    pub fn close(&mut self, op: &str) -> Result<(), Diverged> {
        for engine in self.engines.iter_mut() {
            engine.close();
        }
        self.compare_files(op)
    }

    /// After an open or a compaction: the tables, whether a size compaction is due (then the files are no longer
    /// determined), and, while determined, both engines' listings.
    fn check_levels(&mut self, op: &str) -> Result<(), Diverged> {
        let [a, b] = [0, 1].map(|i| self.engines[i].property("leveldb.sstables"));
        for listing in [&a, &b] {
            let levels = Levels::parse(listing.as_deref().unwrap_or(""));
            self.timing.tables = self.timing.tables.max(levels.tables());
            self.timing.determined &= !levels.compaction_due();
        }
        let [x, y] = [Answer::Property(a), Answer::Property(b)];
        if self.timing.determined && x != y {
            return self.diverge(
                op,
                "leveldb.sstables differ".to_string(),
                [x.to_string(), y.to_string()],
            );
        }
        Ok(())
    }

    /// Before a `compact`: whether a size compaction could become due while it runs (`Levels`), from both
    /// engines' listings.
    fn foresee_compact(&mut self) {
        for i in 0..2 {
            let listing = self.engines[i].property("leveldb.sstables");
            let levels = Levels::parse(listing.as_deref().unwrap_or(""));
            self.timing.determined &=
                !levels.compaction_due_during_compact(self.timing.memtable_bytes);
        }
    }

    /// A file checkpoint: while the files are determined, both directories must be byte-identical.
    fn compare_files(&mut self, op: &str) -> Result<(), Diverged> {
        if !self.timing.determined {
            return Ok(());
        }
        let names = self.names();
        match compare_dirs(&self.paths[0], &self.paths[1], [&names[0], &names[1]]) {
            Ok(_) => {
                self.outcome.file_checkpoints += 1;
                Ok(())
            }
            Err(report) => {
                self.diverge(op, "the files differ".to_string(), [report, String::new()])
            }
        }
    }

    /// Counts a write's entries against the memtable.
    fn charge_write(&mut self, entries: impl Iterator<Item = (usize, usize)>) {
        for (k, v) in entries {
            self.timing.memtable_bytes += 2 * (k + v) + 256;
        }
        if self.timing.memtable_bytes >= self.options.write_buffer_size {
            self.timing.determined = false;
        }
    }

    /// Counts a read's possible seek charges.
    fn charge_read(&mut self, bytes_read: usize) {
        if self.timing.tables >= 2 {
            self.timing.seek_charges += 1 + bytes_read / 16384;
            if self.timing.seek_charges >= SEEK_CHARGES_LIMIT {
                self.timing.determined = false;
            }
        }
    }

    /// Applies one operation to both engines and compares.
    pub fn step(&mut self, op: &Op) -> Result<(), Diverged> {
        self.op_number += 1;
        let text = op.to_string();
        let determined_before = self.timing.determined;
        let mut answers = Vec::with_capacity(2);
        if let Op::Reopen = op {
            self.close(&text)?;
            self.open()?;
            return self.agree(&text, Answer::Status(Ok(())), Answer::Status(Ok(())), true);
        }
        if let Op::Compact(..) = op {
            self.foresee_compact();
        }
        for engine in self.engines.iter_mut() {
            answers.push(apply(&mut **engine, op));
        }
        let b = answers.pop().expect("two answers");
        let a = answers.pop().expect("two answers");
        let comparable = match op {
            Op::Property(_) => {
                determined_before
                    || matches!(a, Answer::Property(None))
                    || matches!(b, Answer::Property(None))
            }
            Op::Sizes(_) => determined_before,
            _ => true,
        };
        let a = match (op, a) {
            (Op::Property(name), Answer::Property(Some(text))) if name == "leveldb.stats" => {
                Answer::Property(Some(without_times(&text)))
            }
            (_, a) => a,
        };
        let b = match (op, b) {
            (Op::Property(name), Answer::Property(Some(text))) if name == "leveldb.stats" => {
                Answer::Property(Some(without_times(&text)))
            }
            (_, b) => b,
        };
        let read_bytes = match &a {
            Answer::Value(_) => Some(0),
            Answer::Entries(Ok(e)) => Some(e.iter().map(|(k, v)| k.len() + v.len()).sum()),
            Answer::Positions(Ok(p)) => {
                Some(p.iter().flatten().map(|(k, v)| k.len() + v.len()).sum())
            }
            Answer::Entries(_) | Answer::Positions(_) => Some(0),
            _ => None,
        };
        self.agree(&text, a, b, comparable)?;
        match op {
            Op::Put(k, v) => self.charge_write(std::iter::once((k.len(), v.len()))),
            Op::Delete(k) => self.charge_write(std::iter::once((k.len(), 0))),
            Op::Batch(items) => self.charge_write(items.iter().map(|item| match item {
                BatchItem::Put(k, v) => (k.len(), v.len()),
                BatchItem::Delete(k) => (k.len(), 0),
            })),
            Op::Compact(..) => {
                self.timing.memtable_bytes = 0;
                self.check_levels(&text)?;
                self.compare_files(&text)?;
            }
            _ => {}
        }
        if let Some(bytes) = read_bytes {
            self.charge_read(bytes);
        }
        Ok(())
    }

    /// Ends the run: closes both engines (a checkpoint) and gives what was found.
    pub fn finish(mut self) -> Outcome {
        if self.outcome.divergence.is_none() {
            self.op_number += 1;
            let _ = self.close("close");
        }
        for engine in self.engines.iter_mut() {
            engine.close();
        }
        self.outcome
    }

    /// Closes both engines and swaps their directories: each opens the other's database from then on.
    pub fn swap_directories(&mut self) -> Result<(), Diverged> {
        self.op_number += 1;
        self.close("cross-open")?;
        self.paths.swap(0, 1);
        self.open()
    }

    /// Compares both engines' whole contents, both ways (after a cross-open).
    pub fn compare_contents(&mut self, what: &str) -> Result<(), Diverged> {
        for reverse in [false, true] {
            let op = Op::Scan {
                snapshot: None,
                reverse,
            };
            let [a, b] = [0, 1].map(|i| apply(&mut *self.engines[i], &op));
            self.agree(&format!("{what}: {op}"), a, b, true)?;
        }
        Ok(())
    }
}

/// `leveldb.stats` without its Time(sec) column, which measures the machine.
fn without_times(stats: &str) -> String {
    stats
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() == 6 && fields.iter().all(|f| f.parse::<f64>().is_ok()) {
                format!(
                    "{} {} {} - {} {}",
                    fields[0], fields[1], fields[2], fields[4], fields[5]
                )
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies one operation (not `reopen`) to one engine.
pub fn apply(engine: &mut dyn Engine, op: &Op) -> Answer {
    match op {
        Op::Put(k, v) => Answer::Status(engine.put(&k.bytes(), &v.bytes())),
        Op::Delete(k) => Answer::Status(engine.delete(&k.bytes())),
        Op::Batch(items) => {
            let ops: Vec<BatchOp> = items
                .iter()
                .map(|item| match item {
                    BatchItem::Put(k, v) => BatchOp::Put(k.bytes(), v.bytes()),
                    BatchItem::Delete(k) => BatchOp::Delete(k.bytes()),
                })
                .collect();
            Answer::Status(engine.write(&ops))
        }
        Op::Get { snapshot, key } => Answer::Value(engine.get(*snapshot, &key.bytes())),
        Op::Scan { snapshot, reverse } => Answer::Entries(engine.scan(*snapshot, *reverse)),
        Op::Iter {
            snapshot,
            start,
            moves,
        } => Answer::Positions(engine.iterate(*snapshot, &Op::engine_start(start), moves)),
        Op::Snapshot(id) => {
            engine.snapshot(*id);
            Answer::Nothing
        }
        Op::Release(id) => {
            engine.release(*id);
            Answer::Nothing
        }
        Op::Compact(b, e) => {
            let (b, e) = (b.as_ref().map(|k| k.bytes()), e.as_ref().map(|k| k.bytes()));
            Answer::Status(engine.compact_range(b.as_deref(), e.as_deref()))
        }
        Op::Property(name) => Answer::Property(engine.property(name)),
        Op::Sizes(ranges) => {
            let ranges: Vec<(Vec<u8>, Vec<u8>)> =
                ranges.iter().map(|(a, b)| (a.bytes(), b.bytes())).collect();
            Answer::Sizes(engine.approximate_sizes(&ranges))
        }
        Op::Reopen => unreachable!("the runner reopens"),
    }
}

/// Runs `log` on `left` and `right` in lockstep (each in a fresh directory under the system's temporary
/// directory): the first divergence, or none. `Err` if the log cannot run (a snapshot that is not live).
pub fn run(log: &OpLog, left: &mut dyn Engine, right: &mut dyn Engine) -> Result<Outcome, String> {
    run_in(&std::env::temp_dir(), log, left, right)
}

/// [`run`] with the databases under `parent` (a RAM disk spares the fsyncs, which are most of a run's time).
pub fn run_in(
    parent: &Path,
    log: &OpLog,
    left: &mut dyn Engine,
    right: &mut dyn Engine,
) -> Result<Outcome, String> {
    log.check()?;
    let mut lockstep = Lockstep::new(parent, left, right, log.options.clone(), log.seed)?;
    if lockstep.open().is_ok() {
        for op in &log.ops {
            if lockstep.step(op).is_err() {
                break;
            }
        }
    }
    Ok(lockstep.finish())
}

/// Runs `log`, then has each engine open the other's database: their contents must be identical, and stay so
/// through `further` (writes, compactions, reopens, each engine in the other's files); at last each engine opens
/// its own directory again, as the other left it, and the contents are compared once more.
pub fn run_cross_open(
    log: &OpLog,
    further: &OpLog,
    left: &mut dyn Engine,
    right: &mut dyn Engine,
) -> Result<Outcome, String> {
    log.check()?;
    further.check()?;
    let mut lockstep = Lockstep::new(
        &std::env::temp_dir(),
        left,
        right,
        log.options.clone(),
        log.seed,
    )?;
    let _ = (|| -> Result<(), Diverged> {
        lockstep.open()?;
        for op in &log.ops {
            lockstep.step(op)?;
        }
        lockstep.swap_directories()?;
        lockstep.compare_contents("cross-opened")?;
        for op in &further.ops {
            lockstep.step(op)?;
        }
        lockstep.compare_contents("after the other engine's writes")?;
        lockstep.swap_directories()?;
        lockstep.compare_contents("reopened by their own engines")
    })();
    Ok(lockstep.finish())
}
