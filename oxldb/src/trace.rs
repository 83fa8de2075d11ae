//! `trace`: runs writes (or a read) on a database with an event listener set, and prints what the engine did as a
//! timeline, one line per step: the writer queue, group commit, `make_room_for_write`'s decisions, the sequence
//! numbers, the log fragments, syncs, memtable inserts, memtable switches, flushes and compactions.
//!
//! `trace put K V` and `trace get K` show one operation; `trace --threads=N --ops=M` runs N writer threads of M
//! puts each, so that writers meet in the queue and a leader folds the others' batches into its group.
//!
//! Invariant: the lines are gathered by the listener as the engine reports them (in the order the engine made the
//! steps) and printed once the operations are over, so that printing never slows the path it watches.
//!
//! RocksDB: EventListener (include/rocksdb/listener.h), as a tool in the manner of `ldb`

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use oxleveldb::events::*;
use oxleveldb::{Options, WriteOptions, DB};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{db_path, hex_mode};
use crate::format::{input, output};

/// The listener: one line per event, prefixed by the reporting thread's name.
#[derive(Default)]
struct Timeline {
    lines: Mutex<Vec<String>>,
}

impl Timeline {
    fn line(&self, text: String) {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("background").to_string();
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.push(format!("[{name}] {text}"));
    }
}

/// `s` when `n` is not 1.
fn plural(n: impl Into<u64>) -> &'static str {
    if n.into() == 1 {
        ""
    } else {
        "s"
    }
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

impl EventListener for Timeline {
    fn on_write_queued(&self, e: &WriteQueued) {
        let what = if e.count == 0 && e.bytes == 0 {
            "flush request".to_string()
        } else {
            format!(
                "{} entr{}, {} bytes{}",
                e.count,
                if e.count == 1 { "y" } else { "ies" },
                e.bytes,
                if e.sync { ", sync" } else { "" }
            )
        };
        self.line(format!(
            "#{} queued: {what}; {} writer{} ahead",
            e.writer,
            e.ahead,
            plural(e.ahead as u64)
        ));
    }
    fn on_write_leader(&self, writer: u64) {
        self.line(format!("#{writer} leads: at the front of the writer queue"));
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
        self.line(format!(
            "#{} make_room_for_write: {decision} (memtable {} of {} bytes, {} level-0 file{})",
            e.writer,
            e.memtable_usage,
            e.write_buffer_size,
            e.level0_files,
            plural(e.level0_files as u64)
        ));
    }
    fn on_memtable_switched(&self, e: &MemTableSwitched) {
        self.line(format!(
            "#{} memtable switched: the old one ({} bytes) is now imm, to be flushed; new log {:06}.log",
            e.writer, e.old_memtable_usage, e.new_log_number
        ));
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
        self.line(format!(
            "#{} group: {members}; {} entr{}, {} bytes{}",
            e.leader,
            e.count,
            if e.count == 1 { "y" } else { "ies" },
            e.bytes,
            if e.sync { ", sync" } else { "" }
        ));
    }
    fn on_write_folded(&self, e: &WriteFolded) {
        self.line(format!(
            "#{} folded into #{}'s group, which #{} writes",
            e.writer, e.leader, e.leader
        ));
    }
    fn on_sequence_assigned(&self, e: &SequenceAssigned) {
        self.line(format!("#{} sequence {}..={}", e.leader, e.first, e.last));
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
        self.line(format!(
            "#{} log {:06}.log: {}{}",
            e.leader,
            e.log_number,
            fragments.join(", "),
            outcome(&e.error)
        ));
    }
    fn on_log_synced(&self, e: &LogSynced) {
        self.line(format!(
            "#{} log {:06}.log synced{}",
            e.leader,
            e.log_number,
            outcome(&e.error)
        ));
    }
    fn on_memtable_insert(&self, e: &MemTableInsert) {
        self.line(format!(
            "#{} memtable insert: {} entr{}; memtable now {} bytes{}",
            e.leader,
            e.count,
            if e.count == 1 { "y" } else { "ies" },
            e.memtable_usage,
            outcome(&e.error)
        ));
    }
    fn on_followers_woken(&self, e: &FollowersWoken) {
        let woken = if e.followers.is_empty() {
            "no followers to wake".to_string()
        } else {
            format!("woke {}", writers(&e.followers))
        };
        self.line(format!(
            "#{} {woken}; reads now see sequence {}",
            e.leader, e.last_sequence
        ));
    }
    fn on_write_done(&self, e: &WriteDone) {
        let status = e.error.as_deref().unwrap_or("OK");
        self.line(format!("#{} done: {status}", e.writer));
    }
    fn on_get(&self, e: &GetDone) {
        let answer = match (&e.error, e.value_length) {
            (Some(error), _) => format!("error: {error}"),
            (None, Some(length)) => format!("found, {length} bytes"),
            (None, None) => "not found".to_string(),
        };
        let place = if e.from_memtables {
            "answered by the memtables"
        } else {
            "not in the memtables: searched the table files"
        };
        let mut line = format!("get at sequence {}: {place}; {answer}", e.snapshot);
        if let Some((level, number)) = e.charged_file {
            let _ = write!(
                line,
                "; a seek charged to {number:06}.ldb (level {level}), as more than one file was read"
            );
        }
        self.line(line);
    }
    fn on_flush_completed(&self, e: &FlushCompleted) {
        let what = if e.file_size == 0 {
            "nothing to keep".to_string()
        } else {
            format!(
                "table {:06}.ldb, {} bytes, to level {}",
                e.file_number, e.file_size, e.level
            )
        };
        self.line(format!("flush: {what}{}", outcome(&e.error)));
    }
    fn on_compaction_completed(&self, e: &CompactionCompleted) {
        let files = |numbers: &[u64]| {
            numbers
                .iter()
                .map(|n| format!("{n:06}.ldb"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let line = if e.trivial_move {
            format!(
                "trivial move: {} from level {} to level {}",
                files(&e.inputs),
                e.level,
                e.level + 1
            )
        } else {
            let outputs: Vec<String> = e
                .outputs
                .iter()
                .map(|(n, size)| format!("{n:06}.ldb ({size} bytes)"))
                .collect();
            format!(
                "compaction: level {} [{}] + level {} [{}] -> level {} [{}]",
                e.level,
                files(&e.inputs),
                e.level + 1,
                files(&e.inputs_next_level),
                e.level + 1,
                outputs.join(" ")
            )
        };
        self.line(format!("{line}{}", outcome(&e.error)));
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

/// `trace [--threads=N --ops=M] | put <key> <value> | get <key>`.
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let timeline = Arc::new(Timeline::default());
    let options = Options {
        create_if_missing: args.flag("create_if_missing"),
        write_buffer_size: count_option(
            args,
            "write_buffer_size",
            Options::default().write_buffer_size,
        )?,
        event_listener: Some(timeline.clone()),
        enable_pipelined_write: args.flag("pipelined_write"),
        ..Options::default()
    };
    let write_options = WriteOptions {
        sync: args.flag("sync"),
    };
    let hex = hex_mode(args);
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
            args.expect_params(2, "get <key>")?;
            let key = input(&args.params[1], hex.key)?;
            let value = db.get(&key)?;
            summary = match value {
                Some(value) => output(&value, hex.value),
                None => b"Key not found".to_vec(),
            };
            summary.push(b'\n');
        }
        Some(other) => {
            return Err(Failure::Usage(format!(
                "unknown operation {other}: put <key> <value>, get <key>, or --threads=N --ops=M"
            )))
        }
        None => {
            let threads = count_option(args, "threads", 4)?;
            let ops = count_option(args, "ops", 10)?;
            summary = several_writers(&db, &write_options, threads, ops, &timeline)?.into_bytes();
        }
    }
    drop(db);
    let lines = std::mem::take(&mut *timeline.lines.lock().unwrap_or_else(|e| e.into_inner()));
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.write_all(&summary)?;
    Ok(())
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
    let groups = lines.iter().filter(|l| l.contains(" group: #")).count();
    let folded = lines.iter().filter(|l| l.contains(" folded into ")).count();
    Ok(format!(
        "{} writes by {threads} threads: {groups} groups written by their leaders, {folded} writes folded into \
         another writer's group\n",
        threads * ops
    ))
}
