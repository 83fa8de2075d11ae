//! The event listener: an opt-in observer (`Options::event_listener`) told each step of a write, of a memtable
//! flush and of a compaction, so that a learner can watch the write path work (`oxldb trace` prints it as a
//! timeline) and a program can log or count what its database does.
//!
//! The steps of one write, in the order a listener sees them (the writer ids are the database's own, counted
//! from 1, given only while a listener is set):
//!
//! ```text
//! on_write_queued        every writer, on its own thread, as it joins the writer queue
//! on_write_leader        the writer at the front of the queue, which will write a group
//! on_make_room           the leader's make_room_for_write decisions (each turn of its loop)
//! on_write_group         the group the leader built: its members, writers and bytes
//! on_write_folded        each follower folded into the leader's group (told by the leader)
//! on_sequence_assigned   the group's run of sequence numbers
//! on_log_record          the group written to the log as one record: offsets and fragment types
//! on_log_synced          the log synced (sync writes only)
//! on_memtable_insert     the group inserted into the memtable
//! on_followers_woken     the followers marked done and signalled
//! on_write_done          every writer, on its own thread, as its write returns
//! ```
//!
//! Beyond the write path: `on_get` (each file a point read probed: the bloom filter's answer, the block cache,
//! the seek charged), `on_flush_completed`, `on_compaction_completed` (with the entries each drop rule removed)
//! and `on_manifest_written`. The steps that cost time carry their `duration` (the log append, the sync, the
//! memtable insert, a read, a flush, a compaction, a MANIFEST write), measured only while a listener is set.
//!
//! Invariant: the database calls a listener only where `Options::event_listener` is set, and builds an event (or
//! reads the clock for it, or gathers a read's probes) only inside that branch, so an unset listener costs one
//! branch per step and nothing else (but for a compaction's drop counts: an addition per entry, kept always). Most calls are made with
//! the database mutex held (as RocksDB's listener callbacks are made on the thread doing the work): a listener
//! must be quick and must not call back into the database.
//!
//! RocksDB: include/rocksdb/listener.h (EventListener, FlushJobInfo, CompactionJobInfo)

use std::time::{Duration, Instant};

use crate::db::log::RecordType;
use crate::db::version_set::Compaction;
use crate::db::write_batch::WriteBatch;
use crate::error::Result;
pub use crate::table::{BlockSource, FilterAnswer, TableLookup};

/// The start of a timed step: the clock is read only while a listener is set (`listening`).
#[inline(always)]
pub(crate) fn step_start(listening: bool) -> Option<Instant> {
    if listening {
        cold_now()
    } else {
        None
    }
}

#[cold]
#[inline(never)]
fn cold_now() -> Option<Instant> {
    Some(Instant::now())
}

/// The time since `start` (zero when no listener was set at the start).
pub(crate) fn step_duration(start: Option<Instant>) -> Duration {
    start.map_or(Duration::ZERO, |start| start.elapsed())
}

/// Whether the step succeeded: `None`, or the error's text (LevelDB's `Status::ToString`).
pub(crate) fn status_text(s: &Result<()>) -> Option<String> {
    s.as_ref().err().map(|e| e.to_string())
}

/// A writer joined the writer queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteQueued {
    /// The writer's id (the database counts its writers from 1).
    pub writer: u64,
    /// The write asked for a log sync.
    pub sync: bool,
    /// The batch's entries (0 for a flush request).
    pub count: u32,
    /// The batch's size in bytes, header included (0 for a flush request).
    pub bytes: usize,
    /// The writers queued ahead of this one: 0 means it leads at once.
    pub ahead: usize,
}

impl WriteQueued {
    pub(crate) fn new(writer: u64, sync: bool, batch: Option<&WriteBatch>, ahead: usize) -> WriteQueued {
        WriteQueued {
            writer,
            sync,
            count: batch.map_or(0, WriteBatch::count),
            bytes: batch.map_or(0, WriteBatch::byte_size),
            ahead,
        }
    }
}

/// What one turn of `make_room_for_write` decided.
///
/// LevelDB: the branches of DBImpl::MakeRoomForWrite
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MakeRoomDecision {
    /// A background error is set: the write fails with it.
    BackgroundError,
    /// Level 0 has reached the slowdown trigger (8 files): the write sleeps 1 ms, once.
    SlowdownSleep,
    /// The memtable has room: the write goes on.
    HasRoom,
    /// The memtable is full and the previous one is still being flushed: wait.
    WaitForImmutable,
    /// Level 0 has reached the stop trigger (12 files): wait for a compaction.
    WaitForLevel0,
    /// A pipelined write is still inserting into the memtable: wait for it before switching the memtable out.
    WaitForMemTableWriters,
    /// The memtable was full (or a flush was asked for): a new log and memtable; the old one becomes `imm`.
    SwitchMemTable,
}

/// One turn of `make_room_for_write`.
///
/// LevelDB: DBImpl::MakeRoomForWrite
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MakeRoom {
    /// The leader making room.
    pub writer: u64,
    /// What it decided.
    pub decision: MakeRoomDecision,
    /// The memtable's approximate memory usage, in bytes, when it decided.
    pub memtable_usage: usize,
    /// `Options::write_buffer_size`: the usage beyond which the memtable is full.
    pub write_buffer_size: usize,
    /// The number of files on level 0.
    pub level0_files: usize,
}

/// The group a leader built: its own batch and those of the followers queued right behind it.
///
/// LevelDB: DBImpl::BuildBatchGroup
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteGroup {
    /// The leader.
    pub leader: u64,
    /// The followers folded in, in queue order.
    pub followers: Vec<u64>,
    /// The group's entries.
    pub count: u32,
    /// The group's size in bytes: the log record's length.
    pub bytes: usize,
    /// The group syncs the log.
    pub sync: bool,
}

/// A follower whose batch a leader folded into its group: the follower waits, the leader writes for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteFolded {
    /// The follower.
    pub writer: u64,
    /// The leader that writes its batch.
    pub leader: u64,
}

/// The sequence numbers of a group: `first..=last`, one per entry.
///
/// LevelDB: WriteBatchInternal::SetSequence
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequenceAssigned {
    /// The leader.
    pub leader: u64,
    /// The first entry's sequence number.
    pub first: u64,
    /// The last entry's sequence number.
    pub last: u64,
}

/// One physical record of the log: a record is split into fragments that never cross a 32 KiB block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogFragment {
    /// The offset of the fragment's 7-byte header in the log file.
    pub offset: u64,
    /// FULL, or FIRST, MIDDLE..., LAST.
    pub record_type: RecordType,
    /// The fragment's data length (the header not counted).
    pub length: usize,
}

/// A group appended to the log as one record.
///
/// LevelDB: log::Writer::AddRecord
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    /// The leader.
    pub leader: u64,
    /// The log file's number (`NNNNNN.log`).
    pub log_number: u64,
    /// The record's fragments, in file order.
    pub fragments: Vec<LogFragment>,
    /// The time the append took (a write to the OS, not yet to the disk).
    pub duration: Duration,
    /// `None`, or the append's error.
    pub error: Option<String>,
}

/// The log file synced for a sync write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSynced {
    /// The leader.
    pub leader: u64,
    /// The log file's number.
    pub log_number: u64,
    /// The time the sync took: the wait for the disk, usually the largest cost of a write that syncs.
    pub duration: Duration,
    /// `None`, or the sync's error (which becomes the background error: every later write fails).
    pub error: Option<String>,
}

/// A group inserted into the memtable.
///
/// LevelDB: WriteBatchInternal::InsertInto
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemTableInsert {
    /// The leader.
    pub leader: u64,
    /// The entries inserted.
    pub count: u32,
    /// The memtable's approximate memory usage after the insert.
    pub memtable_usage: usize,
    /// The time the insert took.
    pub duration: Duration,
    /// `None`, or the error that stopped the insert.
    pub error: Option<String>,
}

/// The leader marked its followers done and signalled them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowersWoken {
    /// The leader.
    pub leader: u64,
    /// The followers, in queue order.
    pub followers: Vec<u64>,
    /// The sequence number the group made visible to reads (LevelDB's VersionSet::LastSequence).
    pub last_sequence: u64,
}

/// A write returned to its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteDone {
    /// The writer.
    pub writer: u64,
    /// `None`, or the error the write returned.
    pub error: Option<String>,
}

impl WriteDone {
    pub(crate) fn new(writer: u64, status: &Result<()>) -> WriteDone {
        WriteDone {
            writer,
            error: status_text(status),
        }
    }
}

/// The memtable was switched: the full one became the immutable memtable, to be flushed by the background thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemTableSwitched {
    /// The leader that switched it.
    pub writer: u64,
    /// The new log's number.
    pub new_log_number: u64,
    /// The old memtable's approximate memory usage.
    pub old_memtable_usage: usize,
}

/// A memtable was written to a table.
///
/// RocksDB: FlushJobInfo
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlushCompleted {
    /// The table's number (`NNNNNN.ldb`); its size is 0 when the memtable was empty and no table was kept.
    pub file_number: u64,
    /// The level the table went to (0, or deeper when nothing there overlaps: PickLevelForMemTableOutput).
    pub level: usize,
    /// The table's size in bytes.
    pub file_size: u64,
    /// The time the table took to build and sync (LevelDB's CompactionStats::micros of the flush).
    pub duration: Duration,
    /// The database was closing: the table is built but not installed (LevelDB's "Deleting DB during memtable
    /// compaction", no failure: the table is deleted, the log stays, and the next open replays it).
    pub stopped_by_shutdown: bool,
    /// `None`, or the error that failed the flush.
    pub error: Option<String>,
}

/// A compaction finished: the files it read from `level` and `level + 1`, and the files it wrote to `level + 1`.
///
/// RocksDB: CompactionJobInfo
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactionCompleted {
    /// The level compacted (its files go to `level + 1`).
    pub level: usize,
    /// The input files' numbers on `level`.
    pub inputs: Vec<u64>,
    /// The input files' numbers on `level + 1`.
    pub inputs_next_level: Vec<u64>,
    /// The output files: number and size.
    pub outputs: Vec<(u64, u64)>,
    /// A trivial move: the one input file was moved to the next level, not rewritten.
    pub trivial_move: bool,
    /// The entries the compaction read, by what the drop rules did with them (all zero for a trivial move).
    pub drops: CompactionDrops,
    /// The time the compaction took (LevelDB's CompactionStats::micros: the flushes it made way for not
    /// counted), or the MANIFEST write of a trivial move.
    pub duration: Duration,
    /// The database was closing: the compaction stopped early, and its `error` is LevelDB's "Deleting DB during
    /// compaction", which is no failure: the inputs stay, the outputs are deleted, the next open goes on.
    pub stopped_by_shutdown: bool,
    /// `None`, or the error that failed the compaction.
    pub error: Option<String>,
}

/// What the drop rules of a compaction did with the entries it read.
///
/// LevelDB: the drop decisions of DBImpl::DoCompactionWork
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompactionDrops {
    /// The sequence number the rules compared with: the oldest snapshot's, or the last sequence when none is held.
    pub smallest_snapshot: u64,
    /// Rule (A): older versions hidden by a newer entry for the same key at or below `smallest_snapshot`.
    pub hidden: u64,
    /// Rule (B): deletion markers at or below `smallest_snapshot` with nothing below them for their key in deeper
    /// levels (`Compaction::is_base_level_for_key`).
    pub obsolete_deletions: u64,
    /// The entries written to the outputs.
    pub kept: u64,
    /// Of `kept`: older versions kept because the newer entry is above `smallest_snapshot` (a snapshot still
    /// sees them).
    pub kept_for_snapshots: u64,
}

/// A version edit written to the MANIFEST (and synced): a flush, a compaction, a trivial move, or the open's.
///
/// LevelDB: VersionSet::LogAndApply
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestWritten {
    /// The MANIFEST's number (`MANIFEST-NNNNNN`).
    pub manifest_number: u64,
    /// The MANIFEST was new: the edit followed a snapshot of the whole version, and CURRENT was switched to it.
    pub new_manifest: bool,
    /// The record's length in bytes (the edit, or the snapshot and the edit).
    pub bytes: usize,
    /// The files the edit added.
    pub files_added: usize,
    /// The files the edit removed.
    pub files_removed: usize,
    /// The time the append, the sync (and a new MANIFEST's CURRENT) took.
    pub duration: Duration,
    /// `None`, or the write's error.
    pub error: Option<String>,
}

/// A point read (`DB::get`) answered.
///
/// LevelDB: DBImpl::Get
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetDone {
    /// The key read.
    pub key: Vec<u8>,
    /// The sequence number the read saw (its snapshot's, or the last one).
    pub snapshot: u64,
    /// The answer came from the memtable or the immutable memtable (a value or a deletion); otherwise the
    /// version's table files were searched.
    pub from_memtables: bool,
    /// The value's length, if one was found.
    pub value_length: Option<usize>,
    /// The table files probed, in the order probed (empty when the memtables answered).
    pub probes: Vec<FileProbe>,
    /// The seek charged because the read probed more than one file.
    pub charged: Option<SeekCharge>,
    /// The time the read took.
    pub duration: Duration,
    /// `None`, or the read's error.
    pub error: Option<String>,
}

/// One table file a point read probed.
///
/// LevelDB: one call of Version::Get's Match (TableCache::Get, Table::InternalGet)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileProbe {
    /// The file's level.
    pub level: usize,
    /// The file's number (`NNNNNN.ldb`).
    pub file_number: u64,
    /// The table was not in the table cache: it was opened (its footer, index and filter read).
    pub table_opened: bool,
    /// The filter's answer and where the data block came from.
    pub lookup: TableLookup,
    /// What the file held for the key.
    pub answer: ProbeAnswer,
}

impl FileProbe {
    pub(crate) fn new(level: usize, file_number: u64) -> FileProbe {
        FileProbe {
            level,
            file_number,
            table_opened: false,
            lookup: TableLookup::default(),
            answer: ProbeAnswer::NotThere,
        }
    }
}

/// What a probed file held for the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// Nothing for the key (or the filter said so): the read goes on to the next file.
    NotThere,
    /// A value: the read's answer.
    Value,
    /// A deletion marker: the read's answer is "not found".
    Deletion,
    /// The file could not be read, or held a corrupt key.
    Error,
}

/// The seek a read charged to the first file it probed, because it had to probe another one.
///
/// LevelDB: Version::GetStats, Version::UpdateStats
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeekCharge {
    /// The file's level.
    pub level: usize,
    /// The file's number.
    pub file_number: u64,
    /// The file's allowed seeks left after this charge (LevelDB's allowed_seeks).
    pub allowed_seeks_left: i32,
    /// The charge used up the file's seeks: it is now the file to compact (a seek compaction).
    pub compaction_wanted: bool,
}

/// An observer of the write path, flushes and compactions. Every method does nothing unless overridden.
///
/// RocksDB: EventListener
#[allow(unused_variables)]
pub trait EventListener: Send + Sync {
    /// A writer joined the writer queue.
    fn on_write_queued(&self, event: &WriteQueued) {}
    /// A writer reached the front of the queue: it leads the next group.
    fn on_write_leader(&self, writer: u64) {}
    /// One turn of the leader's `make_room_for_write`.
    fn on_make_room(&self, event: &MakeRoom) {}
    /// The memtable was switched.
    fn on_memtable_switched(&self, event: &MemTableSwitched) {}
    /// The leader built its group.
    fn on_write_group(&self, event: &WriteGroup) {}
    /// A follower was folded into a leader's group.
    fn on_write_folded(&self, event: &WriteFolded) {}
    /// The group got its sequence numbers.
    fn on_sequence_assigned(&self, event: &SequenceAssigned) {}
    /// The group was appended to the log.
    fn on_log_record(&self, event: &LogRecord) {}
    /// The log was synced.
    fn on_log_synced(&self, event: &LogSynced) {}
    /// The group was inserted into the memtable.
    fn on_memtable_insert(&self, event: &MemTableInsert) {}
    /// The leader woke its followers.
    fn on_followers_woken(&self, event: &FollowersWoken) {}
    /// A write returned.
    fn on_write_done(&self, event: &WriteDone) {}
    /// A point read was answered.
    fn on_get(&self, event: &GetDone) {}
    /// A memtable was flushed to a table.
    ///
    /// RocksDB: EventListener::OnFlushCompleted
    fn on_flush_completed(&self, event: &FlushCompleted) {}
    /// A compaction (or a trivial move) finished.
    ///
    /// RocksDB: EventListener::OnCompactionCompleted
    fn on_compaction_completed(&self, event: &CompactionCompleted) {}
    /// A version edit was written to the MANIFEST.
    fn on_manifest_written(&self, event: &ManifestWritten) {}
}

/// Runs `f` out of line, on a path the compiler treats as unlikely: the database's calls to the listener, so that
/// the code of an unset listener's hot path is the code without one.
#[cold]
#[inline(never)]
pub(crate) fn cold(f: impl FnOnce()) {
    f()
}

/// Tells `listener` the group a leader built (`members`: the leader, then its followers) and each follower folded.
pub(crate) fn report_group(
    listener: &dyn EventListener,
    mut members: impl Iterator<Item = u64>,
    batch: &WriteBatch,
    sync: bool,
) {
    let leader = members.next().unwrap_or(0);
    let followers: Vec<u64> = members.collect();
    listener.on_write_group(&WriteGroup {
        leader,
        followers: followers.clone(),
        count: batch.count(),
        bytes: batch.byte_size(),
        sync,
    });
    for writer in followers {
        listener.on_write_folded(&WriteFolded { writer, leader });
    }
}

/// The event of a finished compaction `c` (a trivial move has no outputs and drops nothing).
pub(crate) fn compaction_completed(
    c: &Compaction,
    trivial_move: bool,
    outputs: impl IntoIterator<Item = (u64, u64)>,
    drops: CompactionDrops,
    duration: Duration,
    stopped_by_shutdown: bool,
    status: &Result<()>,
) -> CompactionCompleted {
    let inputs = |which: usize| (0..c.num_input_files(which)).map(|i| c.input(which, i).number).collect();
    CompactionCompleted {
        level: c.level(),
        inputs: inputs(0),
        inputs_next_level: inputs(1),
        outputs: outputs.into_iter().collect(),
        trivial_move,
        drops,
        duration,
        stopped_by_shutdown: stopped_by_shutdown && status.is_err(),
        error: status_text(status),
    }
}

/// Appends a group's record to `log`, telling `listener` (if any) the fragments written.
#[inline]
pub(crate) fn add_record_listened(
    log: &mut crate::db::log::Writer,
    log_number: u64,
    contents: &[u8],
    listener: Option<(&dyn EventListener, u64)>,
) -> Result<()> {
    let Some((listener, leader)) = listener else {
        return log.add_record(contents);
    };
    add_record_reported(log, log_number, contents, listener, leader)
}

/// `add_record_listened` with a listener: the fragments gathered and reported.
#[cold]
#[inline(never)]
fn add_record_reported(
    log: &mut crate::db::log::Writer,
    log_number: u64,
    contents: &[u8],
    listener: &dyn EventListener,
    leader: u64,
) -> Result<()> {
    let mut fragments = Vec::new();
    let start = Instant::now();
    let status = log.add_record_with(contents, |offset, record_type, length| {
        fragments.push(LogFragment {
            offset,
            record_type,
            length,
        })
    });
    listener.on_log_record(&LogRecord {
        leader,
        log_number,
        fragments,
        duration: start.elapsed(),
        error: status_text(&status),
    });
    status
}

/// Syncs `log`, telling `listener` (if any).
#[inline]
pub(crate) fn sync_listened(
    log: &mut crate::db::log::Writer,
    log_number: u64,
    listener: Option<(&dyn EventListener, u64)>,
) -> Result<()> {
    let start = step_start(listener.is_some());
    let status = log.file().sync();
    if let Some((listener, leader)) = listener {
        listener.on_log_synced(&LogSynced {
            leader,
            log_number,
            duration: step_duration(start),
            error: status_text(&status),
        });
    }
    status
}
