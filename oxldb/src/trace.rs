//! `trace`: runs writes, reads or a compaction on a database with an event listener set, and prints what the
//! engine did as a timeline, one line per step: the writer queue, group commit, `make_room_for_write`'s
//! decisions, the sequence numbers, the log fragments, syncs, memtable inserts, memtable switches; each file a
//! read probed (the bloom filter's answer, the block cache, the seek charged); flushes, compactions (with what
//! each drop rule removed) and MANIFEST writes. The steps that cost time end with their duration in brackets
//! (`[1.52 ms]`), so the cost of a sync shows.
//!
//! `trace put K V`, `trace get K...` and `trace compact` show one operation; `trace --threads=N --ops=M` runs N
//! writer threads of M puts each, so that writers meet in the queue and a leader folds the others' batches into
//! its group. `--only=KIND,...` prints only the lines of those kinds; `--svg[=FILE]` draws the writer queue
//! (`trace_svg.rs`).
//!
//! Invariant: the lines are gathered by the listener as the engine reports them (in the order the engine made the
//! steps) and printed once the operations are over, so that printing never slows the path it watches.
//!
//! RocksDB: EventListener (include/rocksdb/listener.h), as a tool in the manner of `ldb`

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxleveldb::events::*;
use oxleveldb::{BloomFilterPolicy, Options, WriteOptions, DB};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{db_path, hex_mode};
use crate::format::{debug_bytes, input, output};
use crate::trace_svg::{self, Stamp, Step};

/// What a line is about: `--only` picks lines by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A write's steps through the writer queue (and the everyday "room in the memtable").
    Write,
    /// `make_room_for_write` holding a write back or switching the memtable: the waits, the slowdown sleep and
    /// the switches.
    Room,
    /// A point read and the files it probed.
    Get,
    /// A memtable written to a table.
    Flush,
    /// A compaction or a trivial move.
    Compaction,
    /// A version edit written to the MANIFEST.
    Manifest,
}

/// The kinds by the names `--only` takes.
const KINDS: [(&str, Kind); 6] = [
    ("write", Kind::Write),
    ("room", Kind::Room),
    ("get", Kind::Get),
    ("flush", Kind::Flush),
    ("compaction", Kind::Compaction),
    ("manifest", Kind::Manifest),
];

/// One line of the timeline: when (since the trace began), on which thread, of which kind, and the writer-queue
/// step it draws in the SVG, if any.
struct Line {
    at: Duration,
    thread: String,
    kind: Kind,
    text: String,
    step: Option<Step>,
}

/// The listener: one line per event (a read's probes and a compaction's drop counts add lines of their own).
struct Timeline {
    start: Instant,
    /// Keys in hex (`--hex`, `--key_hex`).
    hex_keys: bool,
    lines: Mutex<Vec<Line>>,
}

impl Timeline {
    fn new(hex_keys: bool) -> Timeline {
        Timeline {
            start: Instant::now(),
            hex_keys,
            lines: Mutex::new(Vec::new()),
        }
    }

    fn push(&self, kind: Kind, text: String, step: Option<Step>) {
        let at = self.start.elapsed();
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("background").to_string();
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.push(Line {
            at,
            thread,
            kind,
            text,
            step,
        });
    }

    fn line(&self, kind: Kind, text: String) {
        self.push(kind, text, None);
    }

    /// A write-path line that is also a step of the SVG.
    fn step(&self, text: String, step: Step) {
        self.push(Kind::Write, text, Some(step));
    }

    fn take_lines(&self) -> Vec<Line> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A step's duration, as the end of its line: ` [35.2 µs]`, ` [1.52 ms]`, ` [1.02 s]`.
fn took(d: Duration) -> String {
    format!(" [{}]", trace_svg::duration_label(d))
}

/// `s` when `n` is not 1.
fn plural(n: impl Into<u64>) -> &'static str {
    if n.into() == 1 {
        ""
    } else {
        "s"
    }
}

/// `N entry` or `N entries`.
fn entries(n: impl Into<u64>) -> String {
    let n = n.into();
    format!("{n} entr{}", if n == 1 { "y" } else { "ies" })
}

/// ` (error: E)` or nothing.
fn outcome(error: &Option<String>) -> String {
    error
        .as_ref()
        .map_or(String::new(), |e| format!(" (error: {e})"))
}

fn writers(ids: &[u64]) -> String {
    ids.iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One file probed by a read, as a line: `probe 1: 000007.ldb at level 0: ...`.
fn probe_line(n: usize, p: &FileProbe) -> String {
    let table = if p.table_opened {
        "table opened (footer, index and filter read)"
    } else {
        "table in the table cache"
    };
    let filter = match p.lookup.filter {
        FilterAnswer::NoFilter => "no bloom filter",
        FilterAnswer::MayMatch => "bloom filter: may match",
        FilterAnswer::DefinitelyNot => "bloom filter: definitely not",
    };
    let block = match p.lookup.block {
        None => "no block read",
        Some(BlockSource::Cache) => "block from the block cache",
        Some(BlockSource::Disk) => "block read from disk (now in the block cache)",
        Some(BlockSource::DiskNotCached) => {
            "block read from disk (not cached: a raw block of a memory-mapped file is in memory already)"
        }
    };
    let answer = match p.answer {
        ProbeAnswer::NotThere => "not there",
        ProbeAnswer::Value => "the key's value",
        ProbeAnswer::Deletion => "the key's deletion",
        ProbeAnswer::Error => "an error",
    };
    format!(
        "  probe {n}: {:06}.ldb at level {}: {table}; {filter}; {block}: {answer}",
        p.file_number, p.level
    )
}

/// The seek a read charged, as a line.
fn seek_charge_line(c: &SeekCharge) -> String {
    let mut line = format!(
        "  seek charged to {:06}.ldb (level {}), the first file probed, as the read probed more than one: {} \
         allowed seek{} left",
        c.file_number,
        c.level,
        c.allowed_seeks_left.max(0),
        plural(c.allowed_seeks_left.max(0) as u64)
    );
    if c.compaction_wanted {
        line.push_str("; it is now the file to compact (a seek compaction)");
    }
    line
}

/// The drop rules' counts of a compaction, as a line.
fn drops_line(d: &CompactionDrops) -> String {
    let read = d.hidden + d.obsolete_deletions + d.kept;
    let mut line = format!(
        "  {} read, smallest snapshot {}: {} dropped as hidden by a newer entry (rule A), {} deletion marker{} \
         dropped at the base level of {} key (rule B), {} kept",
        entries(read),
        d.smallest_snapshot,
        d.hidden,
        d.obsolete_deletions,
        plural(d.obsolete_deletions),
        if d.obsolete_deletions == 1 { "its" } else { "their" },
        d.kept
    );
    if d.kept_for_snapshots > 0 {
        let _ = write!(
            line,
            " ({} of them older version{} a snapshot still sees)",
            d.kept_for_snapshots,
            plural(d.kept_for_snapshots)
        );
    }
    line
}

/// The files of a compaction, as `000005.ldb 000007.ldb`.
fn files(numbers: &[u64]) -> String {
    numbers
        .iter()
        .map(|n| format!("{n:06}.ldb"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl EventListener for Timeline {
    fn on_write_queued(&self, e: &WriteQueued) {
        let what = if e.count == 0 && e.bytes == 0 {
            "flush request".to_string()
        } else {
            format!(
                "{}, {} bytes{}",
                entries(e.count),
                e.bytes,
                if e.sync { ", sync" } else { "" }
            )
        };
        self.step(
            format!(
                "#{} queued: {what}; {} writer{} ahead",
                e.writer,
                e.ahead,
                plural(e.ahead as u64)
            ),
            Step::Queued { writer: e.writer },
        );
    }
    fn on_write_leader(&self, writer: u64) {
        self.step(
            format!("#{writer} leads: at the front of the writer queue"),
            Step::Leads { writer },
        );
    }
    fn on_make_room(&self, e: &MakeRoom) {
        let decision = match e.decision {
            MakeRoomDecision::BackgroundError => "a background error: the write fails",
            MakeRoomDecision::SlowdownSleep => "level 0 is filling up: sleep 1 ms, once",
            MakeRoomDecision::HasRoom => "room in the memtable",
            MakeRoomDecision::WaitForImmutable => {
                "memtable full, the previous one still flushing: wait"
            }
            MakeRoomDecision::WaitForLevel0 => "too many level-0 files: wait for a compaction",
            MakeRoomDecision::WaitForMemTableWriters => {
                "a pipelined group is still inserting: wait before switching"
            }
            MakeRoomDecision::SwitchMemTable => "switch to a new memtable and log",
        };
        // The everyday decision is part of every write; the others hold writes back or switch the memtable.
        let kind = if e.decision == MakeRoomDecision::HasRoom {
            Kind::Write
        } else {
            Kind::Room
        };
        self.line(
            kind,
            format!(
                "#{} make_room_for_write: {decision} (memtable {} of {} bytes, {} level-0 file{})",
                e.writer,
                e.memtable_usage,
                e.write_buffer_size,
                e.level0_files,
                plural(e.level0_files as u64)
            ),
        );
    }
    fn on_memtable_switched(&self, e: &MemTableSwitched) {
        self.line(
            Kind::Room,
            format!(
                "#{} memtable switched: the old one ({} bytes) is now imm, to be flushed; new log {:06}.log",
                e.writer, e.old_memtable_usage, e.new_log_number
            ),
        );
    }
    fn on_write_group(&self, e: &WriteGroup) {
        let members = if e.followers.is_empty() {
            format!("#{} alone", e.leader)
        } else {
            format!(
                "#{} + {} ({} writers)",
                e.leader,
                writers(&e.followers),
                e.followers.len() + 1
            )
        };
        self.step(
            format!(
                "#{} group: {members}; {}, {} bytes{}",
                e.leader,
                entries(e.count),
                e.bytes,
                if e.sync { ", sync" } else { "" }
            ),
            Step::Group {
                leader: e.leader,
                followers: e.followers.clone(),
            },
        );
    }
    fn on_write_folded(&self, e: &WriteFolded) {
        self.line(
            Kind::Write,
            format!(
                "#{} folded into #{}'s group, which #{} writes",
                e.writer, e.leader, e.leader
            ),
        );
    }
    fn on_sequence_assigned(&self, e: &SequenceAssigned) {
        self.line(
            Kind::Write,
            format!("#{} sequence {}..={}", e.leader, e.first, e.last),
        );
    }
    fn on_log_record(&self, e: &LogRecord) {
        let fragments: Vec<String> = e
            .fragments
            .iter()
            .map(|f| {
                format!(
                    "{} @{} ({} bytes)",
                    format!("{:?}", f.record_type).to_uppercase(),
                    f.offset,
                    f.length
                )
            })
            .collect();
        self.step(
            format!(
                "#{} log {:06}.log: {}{}{}",
                e.leader,
                e.log_number,
                fragments.join(", "),
                outcome(&e.error),
                took(e.duration)
            ),
            Step::Log {
                leader: e.leader,
                duration: e.duration,
            },
        );
    }
    fn on_log_synced(&self, e: &LogSynced) {
        self.step(
            format!(
                "#{} log {:06}.log synced{}{}",
                e.leader,
                e.log_number,
                outcome(&e.error),
                took(e.duration)
            ),
            Step::Sync {
                leader: e.leader,
                duration: e.duration,
            },
        );
    }
    fn on_memtable_insert(&self, e: &MemTableInsert) {
        self.step(
            format!(
                "#{} memtable insert: {}; memtable now {} bytes{}{}",
                e.leader,
                entries(e.count),
                e.memtable_usage,
                outcome(&e.error),
                took(e.duration)
            ),
            Step::Insert {
                leader: e.leader,
                duration: e.duration,
            },
        );
    }
    fn on_followers_woken(&self, e: &FollowersWoken) {
        let woken = if e.followers.is_empty() {
            "no followers to wake".to_string()
        } else {
            format!("woke {}", writers(&e.followers))
        };
        self.step(
            format!(
                "#{} {woken}; reads now see sequence {}",
                e.leader, e.last_sequence
            ),
            Step::Woken {
                leader: e.leader,
                followers: e.followers.clone(),
            },
        );
    }
    fn on_write_done(&self, e: &WriteDone) {
        let status = e.error.as_deref().unwrap_or("OK");
        self.step(
            format!("#{} done: {status}", e.writer),
            Step::Done { writer: e.writer },
        );
    }
    fn on_get(&self, e: &GetDone) {
        let answer = match (&e.error, e.value_length) {
            (Some(error), _) => format!("error: {error}"),
            (None, Some(length)) => format!("found, {length} bytes"),
            (None, None) => "not found".to_string(),
        };
        let place = if e.from_memtables {
            "answered by the memtables".to_string()
        } else {
            format!(
                "not in the memtables; {} table file{} probed",
                e.probes.len(),
                plural(e.probes.len() as u64)
            )
        };
        self.line(
            Kind::Get,
            format!(
                "get {} at sequence {}: {place}; {answer}{}",
                debug_bytes(&e.key, self.hex_keys),
                e.snapshot,
                took(e.duration)
            ),
        );
        for (n, probe) in e.probes.iter().enumerate() {
            self.line(Kind::Get, probe_line(n + 1, probe));
        }
        if let Some(charge) = &e.charged {
            self.line(Kind::Get, seek_charge_line(charge));
        }
    }
    fn on_flush_completed(&self, e: &FlushCompleted) {
        let what = if e.file_size == 0 {
            "nothing to keep".to_string()
        } else if e.stopped_by_shutdown {
            format!(
                "table {:06}.ldb, {} bytes, built but not installed, as the database is closing (LevelDB's status \
                 \"Deleting DB during memtable compaction\", not a failure: the table is deleted, the log stays and \
                 the next open replays it)",
                e.file_number, e.file_size
            )
        } else {
            format!(
                "table {:06}.ldb, {} bytes, to level {}",
                e.file_number, e.file_size, e.level
            )
        };
        self.line(
            Kind::Flush,
            format!("flush: {what}{}{}", outcome(&e.error), took(e.duration)),
        );
    }
    fn on_compaction_completed(&self, e: &CompactionCompleted) {
        let inputs = format!(
            "level {} [{}] + level {} [{}]",
            e.level,
            files(&e.inputs),
            e.level + 1,
            files(&e.inputs_next_level)
        );
        let line = if e.trivial_move {
            format!(
                "trivial move: {} from level {} to level {}{}",
                files(&e.inputs),
                e.level,
                e.level + 1,
                outcome(&e.error)
            )
        } else if e.stopped_by_shutdown {
            format!(
                "compaction: {inputs} stopped, as the database is closing (LevelDB's status \"Deleting DB during \
                 compaction\", not a failure: the inputs stay, the outputs are deleted, the next open compacts again)"
            )
        } else {
            let outputs: Vec<String> = e
                .outputs
                .iter()
                .map(|(n, size)| format!("{n:06}.ldb ({size} bytes)"))
                .collect();
            format!(
                "compaction: {inputs} -> level {} [{}]{}",
                e.level + 1,
                outputs.join(" "),
                outcome(&e.error)
            )
        };
        self.line(Kind::Compaction, format!("{line}{}", took(e.duration)));
        if !e.trivial_move {
            self.line(Kind::Compaction, drops_line(&e.drops));
        }
    }
    fn on_manifest_written(&self, e: &ManifestWritten) {
        let edit = format!(
            "an edit adding {} file{} and removing {}",
            e.files_added,
            plural(e.files_added as u64),
            e.files_removed
        );
        let what = if e.new_manifest {
            format!(
                "new MANIFEST-{:06}: the whole version, then {edit} ({} bytes), synced; CURRENT now names it",
                e.manifest_number, e.bytes
            )
        } else {
            format!(
                "MANIFEST-{:06}: {edit} ({} bytes), appended and synced",
                e.manifest_number, e.bytes
            )
        };
        self.line(
            Kind::Manifest,
            format!("manifest: {what}{}{}", outcome(&e.error), took(e.duration)),
        );
    }
}

/// A number given as `--name=<n>`, or `default`.
fn count_option(args: &Args, name: &str, default: usize) -> Result<usize, Failure> {
    match args.option(name) {
        None => Ok(default),
        Some(value) => value
            .to_str()
            .and_then(|s| s.parse().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| Failure::Usage(format!("--{name} must be a positive integer"))),
    }
}

/// The kinds `--only=a,b` names (every kind without `--only`).
fn only_kinds(args: &Args) -> Result<BTreeSet<Kind>, Failure> {
    let Some(value) = args.option("only") else {
        return Ok(KINDS.iter().map(|(_, kind)| *kind).collect());
    };
    let names: Vec<&str> = KINDS.iter().map(|(name, _)| *name).collect();
    value
        .to_string_lossy()
        .split(',')
        .map(|name| {
            KINDS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, kind)| *kind)
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "unknown kind {name} for --only: the kinds are {}",
                        names.join(", ")
                    ))
                })
        })
        .collect()
}

/// Where `--svg` sends the drawing: nowhere, stdout (instead of the lines), or a file.
enum SvgTarget {
    None,
    Stdout,
    File(std::path::PathBuf),
}

fn svg_target(args: &Args) -> Result<SvgTarget, Failure> {
    match args.option("svg") {
        Some(path) if path.is_empty() => {
            Err(Failure::Usage("--svg= needs a file name".to_string()))
        }
        Some(path) => Ok(SvgTarget::File(path.into())),
        None if args.flag("svg") => Ok(SvgTarget::Stdout),
        None => Ok(SvgTarget::None),
    }
}

/// `trace [--threads=N --ops=M] | put <key> <value> | get <key>... | compact`, with `--only=KIND,...` and
/// `--svg[=FILE]`.
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let only = only_kinds(args)?;
    let svg = svg_target(args)?;
    let hex = hex_mode(args);
    let timeline = Arc::new(Timeline::new(hex.key));
    let options = Options {
        create_if_missing: args.flag("create_if_missing"),
        write_buffer_size: count_option(
            args,
            "write_buffer_size",
            Options::default().write_buffer_size,
        )?,
        filter_policy: match args.option("bloom_bits") {
            None => None,
            Some(_) => Some(Arc::new(BloomFilterPolicy::new(count_option(
                args,
                "bloom_bits",
                10,
            )?))),
        },
        event_listener: Some(timeline.clone()),
        enable_pipelined_write: args.flag("pipelined_write"),
        ..Options::default()
    };
    let write_options = WriteOptions {
        sync: args.flag("sync"),
    };
    let path = db_path(args)?;
    let op = args.params.first().and_then(|p| p.to_str());
    let mut summary = Vec::new();
    // Opening may flush the logs of the last run: those steps are part of the timeline too.
    let db = DB::open(options, path)?;
    match op {
        Some("put") => {
            args.expect_params(3, "put <key> <value>")?;
            let key = input(&args.params[1], hex.key)?;
            let value = input(&args.params[2], hex.value)?;
            db.put_opt(key, value, &write_options)?;
        }
        Some("get") => {
            if args.params.len() < 2 {
                return Err(Failure::Usage("expected get <key>...".to_string()));
            }
            for param in &args.params[1..] {
                let key = input(param, hex.key)?;
                match db.get(&key)? {
                    Some(value) => summary.extend(output(&value, hex.value)),
                    None => summary.extend_from_slice(b"Key not found"),
                }
                summary.push(b'\n');
            }
        }
        Some("compact") => {
            args.expect_params(1, "compact")?;
            db.compact_range(None::<&[u8]>, None::<&[u8]>)?;
        }
        Some(other) => {
            return Err(Failure::Usage(format!(
                "unknown operation {other}: put <key> <value>, get <key>..., compact, or --threads=N --ops=M"
            )))
        }
        None => {
            let threads = count_option(args, "threads", 4)?;
            let ops = count_option(args, "ops", 10)?;
            summary = several_writers(&db, &write_options, threads, ops, &timeline)?.into_bytes();
        }
    }
    drop(db);
    let lines = timeline.take_lines();
    match svg {
        SvgTarget::Stdout => return Ok(out.write_all(draw(&lines).as_bytes())?),
        SvgTarget::File(path) => std::fs::write(&path, draw(&lines))
            .map_err(|e| Failure::Failed(format!("oxldb: {}: {e}", path.display())))?,
        SvgTarget::None => {}
    }
    for line in lines.iter().filter(|l| only.contains(&l.kind)) {
        writeln!(out, "[{}] {}", line.thread, line.text)?;
    }
    out.write_all(&summary)?;
    Ok(())
}

/// The SVG of the writer-queue steps of `lines`.
fn draw(lines: &[Line]) -> String {
    let stamps: Vec<Stamp<'_>> = lines
        .iter()
        .filter_map(|l| {
            l.step.as_ref().map(|step| Stamp {
                at: l.at,
                thread: &l.thread,
                step,
            })
        })
        .collect();
    trace_svg::render(
        &stamps,
        "oxldb trace: the writer queue, one lane per thread",
    )
}

/// Runs `threads` writer threads of `ops` puts each, and sums up the groups the timeline shows.
fn several_writers(
    db: &DB,
    write_options: &WriteOptions,
    threads: usize,
    ops: usize,
    timeline: &Timeline,
) -> Result<String, Failure> {
    let results: Vec<oxleveldb::Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                std::thread::Builder::new()
                    .name(format!("writer-{t}"))
                    .spawn_scoped(s, move || {
                        (0..ops).try_for_each(|i| {
                            db.put_opt(
                                format!("trace/{t}/{i:06}"),
                                format!("value {i}"),
                                write_options,
                            )
                        })
                    })
                    .expect("a writer thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a writer thread ends"))
            .collect()
    });
    results.into_iter().collect::<oxleveldb::Result<()>>()?;
    let lines = timeline.lines.lock().unwrap_or_else(|e| e.into_inner());
    let groups = lines
        .iter()
        .filter(|l| matches!(l.step, Some(Step::Group { .. })))
        .count();
    let folded: usize = lines
        .iter()
        .map(|l| match &l.step {
            Some(Step::Group { followers, .. }) => followers.len(),
            _ => 0,
        })
        .sum();
    Ok(format!(
        "{} writes by {threads} threads: {groups} groups written by their leaders, {folded} writes folded into \
         another writer's group\n",
        threads * ops
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_unit() {
        assert_eq!(took(Duration::from_nanos(1_540)), " [1.5 µs]");
        assert_eq!(took(Duration::from_micros(1_520)), " [1.52 ms]");
        assert_eq!(took(Duration::from_millis(1_020)), " [1.02 s]");
    }

    /// A flush or a compaction the closing database stopped shows as that, with LevelDB's status named, not as an
    /// error.
    #[test]
    fn work_stopped_by_the_shutdown_is_explained_not_an_error() {
        let timeline = Timeline::new(false);
        timeline.on_flush_completed(&FlushCompleted {
            file_number: 22,
            level: 0,
            file_size: 9187,
            duration: Duration::from_micros(4_920),
            stopped_by_shutdown: true,
            error: None,
        });
        let flush = timeline.take_lines().remove(0);
        assert_eq!(
            (flush.kind, flush.text.as_str()),
            (
                Kind::Flush,
                "flush: table 000022.ldb, 9187 bytes, built but not installed, as the database is closing (LevelDB's \
                 status \"Deleting DB during memtable compaction\", not a failure: the table is deleted, the log \
                 stays and the next open replays it) [4.92 ms]"
            )
        );
        timeline.on_compaction_completed(&CompactionCompleted {
            level: 0,
            inputs: vec![9, 11],
            inputs_next_level: vec![7],
            outputs: vec![(16, 0)],
            trivial_move: false,
            drops: CompactionDrops {
                smallest_snapshot: 40,
                hidden: 0,
                obsolete_deletions: 0,
                kept: 12,
                kept_for_snapshots: 0,
            },
            duration: Duration::from_micros(1_500),
            stopped_by_shutdown: true,
            error: Some("IO error: Deleting DB during compaction".to_string()),
        });
        let lines: Vec<(Kind, String)> = timeline
            .take_lines()
            .into_iter()
            .map(|l| (l.kind, l.text))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    Kind::Compaction,
                    "compaction: level 0 [000009.ldb 000011.ldb] + level 1 [000007.ldb] stopped, as the database is \
                     closing (LevelDB's status \"Deleting DB during compaction\", not a failure: the inputs stay, the \
                     outputs are deleted, the next open compacts again) [1.50 ms]"
                        .to_string()
                ),
                (
                    Kind::Compaction,
                    "  12 entries read, smallest snapshot 40: 0 dropped as hidden by a newer entry (rule A), 0 \
                     deletion markers dropped at the base level of their key (rule B), 12 kept"
                        .to_string()
                ),
            ]
        );
    }
}
