//! The event listener (`Options::event_listener`): each write's steps arrive in order, group commit shows up as
//! writes folded into another writer's group, flushes and compactions report the files they read and wrote, and a
//! database without a listener reports nothing to anyone. Every test runs with LevelDB's write path and with the
//! pipelined one (`Options::enable_pipelined_write`).
//!
//! Group commit is made certain, not hoped for: the recording listener holds the first leader inside its log
//! append (`on_log_record`, called without the database mutex) until the other writers have queued behind it, so
//! the next leader finds them all in the queue and folds them into its group.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Condvar, Mutex};

use oxleveldb::events::*;
use oxleveldb::log::RecordType;
use oxleveldb::{MemEnv, Options, WriteBatch, WriteOptions, DB};

/// What the listener saw, in order: (writer id or leader id, step).
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<(u64, Step)>>,
    /// Hold the first log append until this many writers have queued (0: do not hold).
    hold_first_append_until: usize,
    queued: Mutex<usize>,
    queued_cv: Condvar,
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Queued(WriteQueued),
    Leader,
    MakeRoom(MakeRoom),
    Switched(MemTableSwitched),
    Group(WriteGroup),
    Folded(WriteFolded),
    Sequence(SequenceAssigned),
    Log(LogRecord),
    Synced(LogSynced),
    Insert(MemTableInsert),
    Woken(FollowersWoken),
    Done(WriteDone),
    Flush(FlushCompleted),
    Compaction(CompactionCompleted),
}

impl Recorder {
    fn push(&self, id: u64, step: Step) {
        self.events.lock().unwrap().push((id, step));
    }
    fn events(&self) -> Vec<(u64, Step)> {
        self.events.lock().unwrap().clone()
    }
}

impl EventListener for Recorder {
    fn on_write_queued(&self, e: &WriteQueued) {
        self.push(e.writer, Step::Queued(e.clone()));
        *self.queued.lock().unwrap() += 1;
        self.queued_cv.notify_all();
    }
    fn on_write_leader(&self, writer: u64) {
        self.push(writer, Step::Leader);
    }
    fn on_make_room(&self, e: &MakeRoom) {
        self.push(e.writer, Step::MakeRoom(e.clone()));
    }
    fn on_memtable_switched(&self, e: &MemTableSwitched) {
        self.push(e.writer, Step::Switched(e.clone()));
    }
    fn on_write_group(&self, e: &WriteGroup) {
        self.push(e.leader, Step::Group(e.clone()));
    }
    fn on_write_folded(&self, e: &WriteFolded) {
        self.push(e.writer, Step::Folded(e.clone()));
    }
    fn on_sequence_assigned(&self, e: &SequenceAssigned) {
        self.push(e.leader, Step::Sequence(e.clone()));
    }
    fn on_log_record(&self, e: &LogRecord) {
        self.push(e.leader, Step::Log(e.clone()));
        if self.hold_first_append_until > 0 && e.leader == 1 {
            let mut queued = self.queued.lock().unwrap();
            while *queued < self.hold_first_append_until {
                queued = self.queued_cv.wait(queued).unwrap();
            }
        }
    }
    fn on_log_synced(&self, e: &LogSynced) {
        self.push(e.leader, Step::Synced(e.clone()));
    }
    fn on_memtable_insert(&self, e: &MemTableInsert) {
        self.push(e.leader, Step::Insert(e.clone()));
    }
    fn on_followers_woken(&self, e: &FollowersWoken) {
        self.push(e.leader, Step::Woken(e.clone()));
    }
    fn on_write_done(&self, e: &WriteDone) {
        self.push(e.writer, Step::Done(e.clone()));
    }
    fn on_flush_completed(&self, e: &FlushCompleted) {
        self.push(0, Step::Flush(e.clone()));
    }
    fn on_compaction_completed(&self, e: &CompactionCompleted) {
        self.push(0, Step::Compaction(e.clone()));
    }
}

fn open(listener: Option<Arc<Recorder>>, pipelined: bool, write_buffer_size: usize) -> DB {
    let options = Options {
        create_if_missing: true,
        env: Arc::new(MemEnv::new(oxleveldb::env::default_env())),
        write_buffer_size,
        event_listener: listener.map(|l| l as Arc<dyn EventListener>),
        enable_pipelined_write: pipelined,
        ..Options::default()
    };
    DB::open(options, "/listener/db").unwrap()
}

/// A name for a step, to compare a write's steps with the order they must come in.
fn kind(step: &Step) -> &'static str {
    match step {
        Step::Queued(_) => "queued",
        Step::Leader => "leader",
        Step::MakeRoom(_) => "make_room",
        Step::Switched(_) => "switched",
        Step::Group(_) => "group",
        Step::Folded(_) => "folded",
        Step::Sequence(_) => "sequence",
        Step::Log(_) => "log",
        Step::Synced(_) => "synced",
        Step::Insert(_) => "insert",
        Step::Woken(_) => "woken",
        Step::Done(_) => "done",
        Step::Flush(_) => "flush",
        Step::Compaction(_) => "compaction",
    }
}

const THREADS: usize = 4;
const WRITES: usize = 25;

fn several_writers(pipelined: bool) {
    let recorder = Arc::new(Recorder {
        hold_first_append_until: THREADS,
        ..Recorder::default()
    });
    let db = open(Some(recorder.clone()), pipelined, 4 << 20);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let db = &db;
            s.spawn(move || {
                for i in 0..WRITES {
                    let mut batch = WriteBatch::new();
                    batch.put(format!("t{t}/{i}"), "v");
                    batch.delete(format!("t{t}/gone"));
                    let sync = i % 10 == 9;
                    db.write_opt(&batch, &WriteOptions { sync }).unwrap();
                }
            });
        }
    });
    let events = recorder.events();

    // Every write's own steps, in the order they came.
    let mut by_writer: BTreeMap<u64, Vec<&Step>> = BTreeMap::new();
    for (id, step) in &events {
        by_writer.entry(*id).or_default().push(step);
    }
    assert_eq!(by_writer.len(), THREADS * WRITES, "one id per write");
    let mut folded = 0;
    for (id, steps) in &by_writer {
        let kinds: Vec<&str> = steps.iter().map(|s| kind(s)).collect();
        let Step::Queued(queued) = steps[0] else {
            panic!("write {id} starts with {kinds:?}");
        };
        // The header (12), the put (tag, lengths, a key of 4 or 5 bytes, "v"), the delete (tag, length, "tT/gone").
        assert_eq!(queued.count, 2);
        assert!([29, 30].contains(&queued.bytes), "{queued:?}");
        if kinds[1] == "folded" {
            folded += 1;
            assert_eq!(kinds, ["queued", "folded", "done"], "write {id}");
        } else {
            // A leader: it makes room (no memtable is full here: room at once), writes, wakes its followers.
            let expect_sync = queued.sync;
            let mut want = vec!["queued", "leader", "make_room", "group", "sequence", "log"];
            let Step::Group(group) = steps[3] else {
                panic!("write {id}: {kinds:?}")
            };
            if group.sync {
                want.push("synced");
            }
            want.extend(["insert", "woken", "done"]);
            assert_eq!(kinds, want, "write {id}");
            assert!(
                group.sync || !expect_sync,
                "a sync write leads a sync group"
            );
            let Step::MakeRoom(room) = steps[2] else {
                unreachable!()
            };
            assert_eq!(room.decision, MakeRoomDecision::HasRoom);
            let Step::Log(log) = steps[5] else {
                unreachable!()
            };
            assert_eq!(log.fragments.len(), 1);
            assert_eq!(log.fragments[0].record_type, RecordType::Full);
            assert_eq!(log.fragments[0].length, group.bytes);
            let Step::Woken(woken) = &steps[steps.len() - 2] else {
                unreachable!()
            };
            assert_eq!(
                woken.followers, group.followers,
                "the leader wakes the writers it folded in"
            );
        }
        let Step::Done(done) = steps.last().unwrap() else {
            unreachable!()
        };
        assert_eq!(done.error, None);
    }
    // The first leader was held until the others queued: the second leader folds in the rest of them.
    assert!(
        folded >= THREADS - 2,
        "group commit: {folded} writes folded into another's group"
    );

    // Across groups: the log records follow each other, and the sequence numbers are dense, in log order.
    let mut next_sequence = 1;
    let mut next_offset = 0;
    let mut followers_seen = BTreeSet::new();
    for (_, step) in &events {
        match step {
            Step::Sequence(s) => {
                assert_eq!(s.first, next_sequence);
                next_sequence = s.last + 1;
            }
            Step::Log(log) => {
                assert_eq!(log.fragments[0].offset, next_offset);
                next_offset += 7 + log.fragments[0].length as u64;
            }
            Step::Folded(f) => assert!(followers_seen.insert(f.writer)),
            _ => {}
        }
    }
    assert_eq!(next_sequence - 1, (2 * THREADS * WRITES) as u64);
    assert_eq!(
        db.get_snapshot().sequence_number(),
        (2 * THREADS * WRITES) as u64
    );
}

#[test]
fn each_writes_events_come_in_order_and_group_commit_shows() {
    several_writers(false);
}

#[test]
fn each_writes_events_come_in_order_and_group_commit_shows_pipelined() {
    several_writers(true);
}

fn flush_and_compaction(pipelined: bool) {
    let recorder = Arc::new(Recorder::default());
    let db = open(Some(recorder.clone()), pipelined, 64 << 10);
    let value = vec![b'x'; 1000];
    // Keys in a scattered order, so that each flushed table overlaps the others and stays on level 0.
    for i in 0..300 {
        db.put(format!("key{:05}", i * 7919 % 300), &value).unwrap();
    }
    db.compact_range(None, None).unwrap();
    let events = recorder.events();
    let steps: Vec<&Step> = events.iter().map(|(_, s)| s).collect();

    // The memtable filled: a leader decided to switch it, and the switch came with a new log.
    let switches: Vec<&MemTableSwitched> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Switched(e) => Some(e),
            _ => None,
        })
        .collect();
    let full = switches
        .iter()
        .filter(|e| e.old_memtable_usage > 64 << 10)
        .count();
    assert!(
        full >= 4,
        "300 KB through a 64 KiB write buffer: {switches:?}"
    );
    for (i, step) in steps.iter().enumerate() {
        if let Step::Switched(e) = step {
            let Step::MakeRoom(room) = steps[i - 1] else {
                panic!("{:?}", steps[i - 1])
            };
            assert_eq!(room.decision, MakeRoomDecision::SwitchMemTable);
            assert_eq!(room.memtable_usage, e.old_memtable_usage);
        }
    }

    // Each flush wrote a table; the compaction read tables and wrote the ones that are left.
    let flushes: Vec<&FlushCompleted> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Flush(e) => Some(e),
            _ => None,
        })
        .collect();
    assert!(flushes.len() >= switches.len());
    assert!(flushes.iter().all(|f| f.error.is_none()));
    let compactions: Vec<&CompactionCompleted> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Compaction(e) => Some(e),
            _ => None,
        })
        .collect();
    assert!(!compactions.is_empty());
    let flushed: BTreeSet<u64> = flushes
        .iter()
        .filter(|f| f.file_size > 0)
        .map(|f| f.file_number)
        .collect();
    let mut live = flushed.clone();
    for c in &compactions {
        assert_eq!(c.error, None);
        for input in c.inputs.iter().chain(&c.inputs_next_level) {
            assert!(
                live.contains(input),
                "compaction input {input} is a table written before"
            );
            if !c.trivial_move {
                live.remove(input);
            }
        }
        if c.trivial_move {
            assert!(c.outputs.is_empty() && c.inputs.len() == 1 && c.inputs_next_level.is_empty());
        }
        live.extend(c.outputs.iter().map(|(number, _)| *number));
    }
    let sstables = db.get_property("leveldb.sstables").unwrap();
    let on_disk: BTreeSet<u64> = sstables
        .lines()
        .filter_map(|line| line.trim().split(':').next()?.parse().ok())
        .collect();
    assert_eq!(
        live, on_disk,
        "the events account for every live table:\n{sstables}"
    );
}

#[test]
fn flushes_and_compactions_report_their_files() {
    flush_and_compaction(false);
}

#[test]
fn flushes_and_compactions_report_their_files_pipelined() {
    flush_and_compaction(true);
}

#[test]
fn an_unset_listener_receives_nothing() {
    // Two databases in one process: the listener is set on the second only, and the first one's writes, flushes
    // and compactions must reach nobody.
    let recorder = Arc::new(Recorder::default());
    let quiet = open(None, false, 64 << 10);
    for i in 0..200 {
        quiet
            .put_opt(
                format!("{i:05}"),
                vec![b'q'; 1000],
                &WriteOptions { sync: i % 50 == 0 },
            )
            .unwrap();
    }
    quiet.compact_range(None, None).unwrap();
    assert!(recorder.events().is_empty());

    let listened = open(Some(recorder.clone()), false, 64 << 10);
    listened.put("k", "v").unwrap();
    for i in 0..50 {
        quiet.put(format!("more{i}"), "q").unwrap();
    }
    let events = recorder.events();
    assert!(events.iter().all(|(id, _)| *id == 1), "{events:?}");
    let kinds: Vec<&str> = events.iter().map(|(_, s)| kind(s)).collect();
    assert_eq!(
        kinds,
        [
            "queued",
            "leader",
            "make_room",
            "group",
            "sequence",
            "log",
            "insert",
            "woken",
            "done"
        ]
    );
}

/// A compaction counts what each drop rule did: an overwritten value (rule A), a deleted key at its base level
/// (the deletion by rule B, the value under it by rule A) and an old value a snapshot still sees (kept).
///
/// LevelDB: the drop decisions of DBImpl::DoCompactionWork
#[test]
fn a_compaction_counts_what_each_drop_rule_removed() {
    let recorder = Arc::new(Recorder::default());
    let db = open(Some(recorder.clone()), false, 4 << 20);
    db.put("a", "old").unwrap(); // 1: hidden by 2, rule (A)
    db.put("a", "new").unwrap(); // 2: kept
    db.put("b", "gone").unwrap(); // 3: hidden by the deletion, rule (A)
    db.delete("b").unwrap(); // 4: nothing for b in deeper levels, rule (B)
    db.put("c", "seen").unwrap(); // 5: kept, the snapshot sees it
    let snapshot = db.get_snapshot();
    db.put("c", "later").unwrap(); // 6: kept
                                   // The flush keeps every entry; into an empty database it goes down to level 2. Then level 2 is compacted
                                   // into level 3, with nothing deeper: the base level of every key.
    db.test_compact_mem_table().unwrap();
    let flushed = recorder.events().iter().find_map(|(_, s)| match s {
        Step::Flush(f) => Some(f.level),
        _ => None,
    });
    assert_eq!(flushed, Some(2));
    db.test_compact_range(2, None, None);
    let compactions: Vec<CompactionCompleted> = recorder
        .events()
        .into_iter()
        .filter_map(|(_, s)| match s {
            Step::Compaction(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(compactions.len(), 1, "{compactions:?}");
    let c = &compactions[0];
    assert_eq!(
        (c.level, c.trivial_move, c.stopped_by_shutdown, &c.error),
        (2, false, false, &None)
    );
    assert_eq!(
        c.drops,
        CompactionDrops {
            smallest_snapshot: 5,
            hidden: 2,
            obsolete_deletions: 1,
            kept: 3,
            kept_for_snapshots: 1,
        }
    );
    // What the drop rules left: a and c, and c's old value for the snapshot.
    assert_eq!(db.get("a").unwrap().as_deref(), Some(&b"new"[..]));
    assert_eq!(db.get("b").unwrap(), None);
    let at_snapshot = oxleveldb::ReadOptions {
        snapshot: Some(snapshot),
        ..Default::default()
    };
    assert_eq!(
        db.get_opt("c", &at_snapshot).unwrap().as_deref(),
        Some(&b"seen"[..])
    );
}
