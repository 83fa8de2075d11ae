//! Background work and table compactions. `maybe_schedule_compaction` queues one job at a time on the env's
//! background thread while there is work (an `imm` to flush, a manual compaction, a level over its size or a file
//! out of allowed seeks); `background_call` runs it: a flush first (`flush.rs`), else one compaction, picked by the
//! version set or asked for by `compact_range`. A compaction of one file that overlaps nothing at the next level
//! only moves it there in the MANIFEST (a trivial move); any other merges its inputs into new tables at the next
//! level, dropping the entries no snapshot can see (`do_compaction_work`). `remove_obsolete_files` deletes the
//! files that no version needs.
//!
//! Invariants: at most one job is scheduled or running (`background_compaction_scheduled`), and none is scheduled
//! after a background error or once shutdown has begun; a compaction's outputs stay in `pending_outputs`, safe
//! from deletion, until the MANIFEST names them; an entry is dropped only if a newer entry for its key, at or
//! below `smallest_snapshot`, hides it, or if it is a deletion at or below `smallest_snapshot` and the deeper
//! levels hold nothing for its key.
//!
//! LevelDB: DBImpl::MaybeScheduleCompaction, DBImpl::BackgroundCall, DBImpl::BackgroundCompaction,
//! DBImpl::DoCompactionWork, DBImpl::CompactRange, DBImpl::RemoveObsoleteFiles (db/db_impl.cc)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{DBImpl, MutexLock};
use crate::db::dbformat::{
    config, parse_internal_key, InternalKey, SequenceNumber, ValueType, MAX_SEQUENCE_NUMBER,
    VALUE_TYPE_FOR_SEEK,
};
use crate::db::event_listener as events;
use crate::db::filename::{parse_file_name, table_file_name, FileType};
use crate::db::version_set::Compaction;
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::ReadOptions;
use crate::table::iterator::Iterator;
use crate::table::TableBuilder;
use crate::util::comparator::Comparator;

/// Per level compaction stats. stats[level] stores the stats for compactions that produced data for the
/// specified "level".
///
/// LevelDB: DBImpl::CompactionStats
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct CompactionStats {
    pub(super) micros: u64,
    pub(super) bytes_read: u64,
    pub(super) bytes_written: u64,
}

impl CompactionStats {
    pub(super) fn add(&mut self, c: &CompactionStats) {
        self.micros += c.micros;
        self.bytes_read += c.bytes_read;
        self.bytes_written += c.bytes_written;
    }
}

/// Information for a manual compaction.
///
/// LevelDB: DBImpl::ManualCompaction
pub(super) struct ManualCompaction {
    level: usize,
    done: bool,
    /// None means beginning of key range.
    begin: Option<InternalKey>,
    /// None means end of key range.
    end: Option<InternalKey>,
}

/// Files produced by compaction.
///
/// LevelDB: DBImpl::CompactionState::Output
struct Output {
    number: u64,
    file_size: u64,
    smallest: InternalKey,
    largest: InternalKey,
}

/// LevelDB: DBImpl::CompactionState
struct CompactionState {
    compaction: Compaction,
    /// Sequence numbers < smallest_snapshot are not significant since we will never have to service a snapshot
    /// below smallest_snapshot. Therefore if we have seen a sequence number S <= smallest_snapshot, we can drop
    /// all entries for the same key with sequence numbers < S.
    smallest_snapshot: SequenceNumber,
    outputs: Vec<Output>,
    /// State kept for the output being generated (the builder owns the output file).
    builder: Option<TableBuilder>,
    total_bytes: u64,
    /// What the drop rules did with the entries read (counted always: an addition per entry; told to the
    /// event listener, if any).
    drops: events::CompactionDrops,
    /// The time the work took (LevelDB's CompactionStats::micros).
    micros: u64,
}

impl CompactionState {
    fn current_output(&mut self) -> &mut Output {
        self.outputs.last_mut().expect("an open compaction output")
    }
}

impl DBImpl {
    /// LevelDB: DBImpl::MaybeScheduleCompaction
    pub(super) fn maybe_schedule_compaction(&self, l: &mut MutexLock<'_>) {
        if l.background_compaction_scheduled {
            // Already scheduled.
        } else if self.read_only {
            // Nothing is written to a database opened read-only.
        } else if self.shutting_down.load(AtomicOrdering::Acquire) {
            // DB is being deleted; no more background compactions.
        } else if l.bg_error.is_err() {
            // Already got an error; no more changes.
        } else if l.imm.is_none() && l.manual_compaction.is_none() && !l.versions.needs_compaction()
        {
            // No work to be done.
        } else if let Some(db) = self.weak_self.upgrade() {
            l.background_compaction_scheduled = true;
            self.env.schedule(Box::new(move || db.background_call()));
        }
    }

    /// LevelDB: DBImpl::BackgroundCall
    fn background_call(&self) {
        let mut l = self.lock();
        debug_assert!(l.background_compaction_scheduled);
        if self.shutting_down.load(AtomicOrdering::Acquire) {
            // No more background work when shutting down.
        } else if l.bg_error.is_err() {
            // No more background work after a background error.
        } else if let Err(panic) =
            catch_unwind(AssertUnwindSafe(|| self.background_compaction(&mut l)))
        {
            // A bug, not an input: contain it. Unwinding would end the background thread that every database of
            // the process shares, and leave this one waiting for its compaction forever. It becomes this
            // database's background error instead: writes fail from now on, reads keep working, and the files
            // the compaction was writing stay pending (never deleted) until the database is reopened.
            l.relock();
            let e = Error::from_panic(panic);
            info_log!(
                self.options.info_log,
                "Background compaction panicked: {}\n",
                e
            );
            self.record_background_error(&mut l, e);
        }

        l.background_compaction_scheduled = false;

        // The previous compaction may have produced too many files in a level, so reschedule another compaction
        // if needed.
        self.maybe_schedule_compaction(&mut l);
        self.background_work_finished_signal.notify_all();
    }

    /// LevelDB: DBImpl::BackgroundCompaction
    fn background_compaction(&self, l: &mut MutexLock<'_>) {
        if l.imm.is_some() {
            self.compact_mem_table(l);
            return;
        }

        let manual = l.manual_compaction.clone();
        let mut manual_end = InternalKey::default();
        let c = match &manual {
            Some(m) => {
                let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
                let c = l
                    .versions
                    .compact_range(m.level, m.begin.as_ref(), m.end.as_ref());
                m.done = c.is_none();
                if let Some(c) = &c {
                    manual_end = c.input(0, c.num_input_files(0) - 1).largest.clone();
                }
                info_log!(
                    self.options.info_log,
                    "Manual compaction at level-{} from {} .. {}; will stop at {}\n",
                    m.level,
                    m.begin
                        .as_ref()
                        .map_or("(begin)".to_string(), |k| k.debug_string()),
                    m.end
                        .as_ref()
                        .map_or("(end)".to_string(), |k| k.debug_string()),
                    if m.done {
                        "(end)".to_string()
                    } else {
                        manual_end.debug_string()
                    }
                );
                c
            }
            None => l.versions.pick_compaction(),
        };

        let mut status = Ok(());
        match c {
            None => {
                // Nothing to do.
            }
            Some(mut c) if manual.is_none() && c.is_trivial_move() => {
                // Move the file to the next level.
                debug_assert_eq!(c.num_input_files(0), 1);
                let f = c.input(0, 0).clone();
                let level = c.level();
                let start = events::step_start(self.options.event_listener.is_some());
                c.edit().remove_file(level, f.number);
                c.edit().add_file(
                    level + 1,
                    f.number,
                    f.file_size,
                    f.smallest.clone(),
                    f.largest.clone(),
                );
                let mut edit = std::mem::take(c.edit());
                status = self.log_and_apply(l, &mut edit);
                if let Err(e) = &status {
                    self.record_background_error(l, e.clone());
                }
                self.listen(|li| {
                    li.on_compaction_completed(&events::compaction_completed(
                        &c,
                        true,
                        [],
                        events::CompactionDrops::default(),
                        events::step_duration(start),
                        self.shutting_down.load(AtomicOrdering::Acquire),
                        &status,
                    ))
                });
                info_log!(
                    self.options.info_log,
                    "Moved #{} to level-{} {} bytes {}: {}\n",
                    f.number,
                    level + 1,
                    f.file_size,
                    crate::error::status_string(&status),
                    l.versions.level_summary()
                );
            }
            Some(c) => {
                let mut compact = CompactionState {
                    compaction: c,
                    smallest_snapshot: 0,
                    outputs: Vec::new(),
                    builder: None,
                    total_bytes: 0,
                    drops: events::CompactionDrops::default(),
                    micros: 0,
                };
                status = self.do_compaction_work(l, &mut compact);
                if let Err(e) = &status {
                    self.record_background_error(l, e.clone());
                }
                self.listen(|li| {
                    li.on_compaction_completed(&events::compaction_completed(
                        &compact.compaction,
                        false,
                        compact.outputs.iter().map(|o| (o.number, o.file_size)),
                        compact.drops,
                        Duration::from_micros(compact.micros),
                        self.shutting_down.load(AtomicOrdering::Acquire),
                        &status,
                    ))
                });
                self.cleanup_compaction(l, compact);
                self.remove_obsolete_files(l);
            }
        }

        if let Err(e) = &status {
            if self.shutting_down.load(AtomicOrdering::Acquire) {
                // Ignore compaction errors found during shutting down.
            } else {
                info_log!(self.options.info_log, "Compaction error: {}", e);
            }
        }

        if let Some(m) = manual {
            let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
            if status.is_err() {
                m.done = true;
            }
            if !m.done {
                // We only compacted part of the requested range. Update m to the range that is left to be
                // compacted.
                m.begin = Some(manual_end);
            }
            l.manual_compaction = None;
        }
    }

    /// Merges the compaction's inputs into new files at the next level, dropping entries no snapshot can see.
    ///
    /// LevelDB: DBImpl::DoCompactionWork
    fn do_compaction_work(
        &self,
        l: &mut MutexLock<'_>,
        compact: &mut CompactionState,
    ) -> Result<()> {
        let start_micros = self.env.now_micros();
        let mut imm_micros = 0; // Micros spent doing imm compactions.

        info_log!(
            self.options.info_log,
            "Compacting {}@{} + {}@{} files",
            compact.compaction.num_input_files(0),
            compact.compaction.level(),
            compact.compaction.num_input_files(1),
            compact.compaction.level() + 1
        );

        debug_assert!(l.versions.num_level_files(compact.compaction.level()) > 0);
        debug_assert!(compact.builder.is_none());
        compact.smallest_snapshot = self
            .snapshots
            .oldest()
            .unwrap_or_else(|| l.versions.last_sequence());
        compact.drops.smallest_snapshot = compact.smallest_snapshot;

        let mut input = l.versions.make_input_iterator(&compact.compaction);

        // Release the mutex while we're actually doing the compaction work.
        let status = l.unlocked(|| {
            input.seek_to_first();
            let mut status = Ok(());
            let mut current_user_key: Vec<u8> = Vec::new();
            let mut has_current_user_key = false;
            let mut last_sequence_for_key = MAX_SEQUENCE_NUMBER;
            let user_comparator = self.user_comparator().clone();
            // The last key written to the outputs.
            let mut last_key_added: Option<Vec<u8>> = None;
            while input.valid() && !self.shutting_down.load(AtomicOrdering::Acquire) {
                // Prioritize immutable compaction work.
                if self.has_imm.load(AtomicOrdering::Relaxed) {
                    let imm_start = self.env.now_micros();
                    let mut l = self.lock();
                    if l.imm.is_some() {
                        self.compact_mem_table(&mut l);
                        // Wake up make_room_for_write() if necessary.
                        self.background_work_finished_signal.notify_all();
                    }
                    drop(l);
                    imm_micros += self.env.now_micros().saturating_sub(imm_start);
                }

                let key = input.key();
                if compact.compaction.should_stop_before(key) && compact.builder.is_some() {
                    status = self.finish_compaction_output_file(compact, &*input);
                    if status.is_err() {
                        break;
                    }
                }

                // Handle key/value, add to state, etc.
                let key = input.key();
                let mut drop_entry = false;
                match parse_internal_key(key) {
                    None => {
                        // Do not hide error keys.
                        current_user_key.clear();
                        has_current_user_key = false;
                        last_sequence_for_key = MAX_SEQUENCE_NUMBER;
                    }
                    Some(ikey) => {
                        if !has_current_user_key
                            || user_comparator.compare(ikey.user_key, &current_user_key)
                                != std::cmp::Ordering::Equal
                        {
                            // First occurrence of this user key.
                            current_user_key.clear();
                            current_user_key.extend_from_slice(ikey.user_key);
                            has_current_user_key = true;
                            last_sequence_for_key = MAX_SEQUENCE_NUMBER;
                        }

                        if last_sequence_for_key <= compact.smallest_snapshot {
                            // Hidden by a newer entry for the same user key.
                            drop_entry = true; // (A)
                            compact.drops.hidden += 1;
                        } else if ikey.value_type == ValueType::Deletion
                            && ikey.sequence <= compact.smallest_snapshot
                            && compact.compaction.is_base_level_for_key(ikey.user_key)
                        {
                            // For this user key:
                            // (1) there is no data in higher levels
                            // (2) data in lower levels will have larger sequence numbers
                            // (3) data in layers that are being compacted here and have smaller sequence numbers
                            //     will be dropped in the next few iterations of this loop (by rule (A) above).
                            // Therefore this deletion marker is obsolete and can be dropped.
                            drop_entry = true;
                            compact.drops.obsolete_deletions += 1;
                        } else if last_sequence_for_key != MAX_SEQUENCE_NUMBER {
                            // An older version that a snapshot above the newer one's sequence still sees.
                            compact.drops.kept_for_snapshots += 1;
                        }

                        last_sequence_for_key = ikey.sequence;
                    }
                }

                if !drop_entry {
                    compact.drops.kept += 1;
                    // Inputs read without checksums (no paranoid_checks) may be damaged and yield keys out of
                    // order. The outputs must be sorted (LevelDB only asserts it, and without assertions writes
                    // unsorted tables), so the compaction fails instead, keeping its inputs: no data is lost.
                    let key = input.key();
                    if last_key_added.as_ref().is_some_and(|last| {
                        self.internal_comparator.compare(key, last) != std::cmp::Ordering::Greater
                    }) {
                        status = Err(Error::corruption("compaction input keys out of order", ""));
                        break;
                    }
                    let last = last_key_added.get_or_insert_with(Vec::new);
                    last.clear();
                    last.extend_from_slice(key);

                    // Open the output file if necessary.
                    if compact.builder.is_none() {
                        status = self.open_compaction_output_file(compact);
                        if status.is_err() {
                            break;
                        }
                    }
                    let key = input.key();
                    let builder = compact.builder.as_mut().expect("an open compaction output");
                    if builder.num_entries() == 0 {
                        compact
                            .outputs
                            .last_mut()
                            .expect("an output")
                            .smallest
                            .decode_from(key);
                    }
                    compact
                        .outputs
                        .last_mut()
                        .expect("an output")
                        .largest
                        .decode_from(key);
                    let builder = compact.builder.as_mut().expect("an open compaction output");
                    builder.add(key, input.value());

                    // Close the output file if it is big enough.
                    if builder.file_size() >= compact.compaction.max_output_file_size() {
                        status = self.finish_compaction_output_file(compact, &*input);
                        if status.is_err() {
                            break;
                        }
                    }
                }

                input.next();
            }

            if status.is_ok() && self.shutting_down.load(AtomicOrdering::Acquire) {
                status = Err(Error::io_error("Deleting DB during compaction", ""));
            }
            if status.is_ok() && compact.builder.is_some() {
                status = self.finish_compaction_output_file(compact, &*input);
            }
            if status.is_ok() {
                status = input.status();
            }
            status
        });
        drop(input);

        let mut stats = CompactionStats {
            micros: self
                .env
                .now_micros()
                .saturating_sub(start_micros)
                .saturating_sub(imm_micros),
            ..Default::default()
        };
        for which in 0..2 {
            for i in 0..compact.compaction.num_input_files(which) {
                stats.bytes_read += compact.compaction.input(which, i).file_size;
            }
        }
        stats.bytes_written = compact.outputs.iter().map(|o| o.file_size).sum();
        compact.micros = stats.micros;

        let level = compact.compaction.level();
        l.stats[level + 1].add(&stats);

        let status = status.and_then(|_| self.install_compaction_results(l, compact));
        if let Err(e) = &status {
            self.record_background_error(l, e.clone());
        }
        info_log!(
            self.options.info_log,
            "compacted to: {}",
            l.versions.level_summary()
        );
        status
    }

    /// LevelDB: DBImpl::OpenCompactionOutputFile
    fn open_compaction_output_file(&self, compact: &mut CompactionState) -> Result<()> {
        debug_assert!(compact.builder.is_none());
        let file_number = {
            let mut l = self.lock();
            let file_number = l.versions.new_file_number();
            l.pending_outputs.insert(file_number);
            file_number
        };
        compact.outputs.push(Output {
            number: file_number,
            file_size: 0,
            smallest: InternalKey::default(),
            largest: InternalKey::default(),
        });

        // Make the output file.
        let fname = table_file_name(&self.dbname, file_number);
        let outfile = self.env.new_writable_file(&fname)?;
        compact.builder = Some(TableBuilder::new(&self.options, outfile));
        Ok(())
    }

    /// LevelDB: DBImpl::FinishCompactionOutputFile
    fn finish_compaction_output_file(
        &self,
        compact: &mut CompactionState,
        input: &dyn Iterator,
    ) -> Result<()> {
        let mut builder = compact.builder.take().expect("an open compaction output");
        let output_number = compact.current_output().number;
        debug_assert_ne!(output_number, 0);

        // Check for iterator errors.
        let mut s = input.status();
        let current_entries = builder.num_entries();
        if s.is_ok() {
            s = builder.finish();
        } else {
            builder.abandon();
        }
        let current_bytes = builder.file_size();
        compact.current_output().file_size = current_bytes;
        compact.total_bytes += current_bytes;

        // Finish and check for file errors.
        if s.is_ok() {
            s = builder.file().sync();
        }
        if s.is_ok() {
            s = builder.file().close();
        }
        drop(builder);

        if s.is_ok() && current_entries > 0 {
            // Verify that the table is usable.
            let iter = self.table_cache.new_iterator(
                &ReadOptions::default(),
                output_number,
                current_bytes,
            );
            s = iter.status();
            if s.is_ok() {
                info_log!(
                    self.options.info_log,
                    "Generated table #{}@{}: {} keys, {} bytes",
                    output_number,
                    compact.compaction.level() + 1,
                    current_entries,
                    current_bytes
                );
            }
        }
        s
    }

    /// LevelDB: DBImpl::InstallCompactionResults
    fn install_compaction_results(
        &self,
        l: &mut MutexLock<'_>,
        compact: &mut CompactionState,
    ) -> Result<()> {
        let c = &mut compact.compaction;
        info_log!(
            self.options.info_log,
            "Compacted {}@{} + {}@{} files => {} bytes",
            c.num_input_files(0),
            c.level(),
            c.num_input_files(1),
            c.level() + 1,
            compact.total_bytes
        );

        // Add compaction outputs.
        let mut edit = std::mem::take(c.edit());
        c.add_input_deletions(&mut edit);
        let level = c.level();
        for out in &compact.outputs {
            edit.add_file(
                level + 1,
                out.number,
                out.file_size,
                out.smallest.clone(),
                out.largest.clone(),
            );
        }
        self.log_and_apply(l, &mut edit)
    }

    /// Abandons a compaction's unfinished output and stops protecting its outputs from deletion.
    ///
    /// LevelDB: DBImpl::CleanupCompaction
    fn cleanup_compaction(&self, l: &mut MutexLock<'_>, mut compact: CompactionState) {
        if let Some(mut builder) = compact.builder.take() {
            // May happen if we get a shutdown call in the middle of compaction.
            builder.abandon();
        }
        for out in &compact.outputs {
            l.pending_outputs.remove(&out.number);
        }
        compact.compaction.release_inputs();
    }

    /// Compacts the underlying storage for the key range `[begin, end]` (`None` is unbounded): the memtable is
    /// flushed, then every level up to the last one with overlapping files is compacted.
    ///
    /// LevelDB: DBImpl::CompactRange
    pub(super) fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.check_writable()?;
        let mut max_level_with_files = 1;
        {
            let l = self.lock();
            let base = l.versions.current();
            for level in 1..config::NUM_LEVELS {
                if base.overlap_in_level(level, begin, end) {
                    max_level_with_files = level;
                }
            }
        }
        // TODO (as in LevelDB): skip if the memtable does not overlap.
        self.test_compact_mem_table()?;
        for level in 0..max_level_with_files {
            self.test_compact_range(level, begin, end);
        }
        self.lock().bg_error.clone()
    }

    /// Compacts the files of `level` that overlap `[begin, end]` into `level + 1`.
    ///
    /// LevelDB: DBImpl::TEST_CompactRange
    pub(super) fn test_compact_range(&self, level: usize, begin: Option<&[u8]>, end: Option<&[u8]>) {
        assert!(level + 1 < config::NUM_LEVELS);
        let manual = Arc::new(Mutex::new(ManualCompaction {
            level,
            done: false,
            begin: begin.map(|k| InternalKey::new(k, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK)),
            end: end.map(|k| InternalKey::new(k, 0, ValueType::Deletion)),
        }));
        let is_done =
            |m: &Arc<Mutex<ManualCompaction>>| m.lock().unwrap_or_else(|e| e.into_inner()).done;

        let mut l = self.lock();
        while !is_done(&manual)
            && !self.shutting_down.load(AtomicOrdering::Acquire)
            && l.bg_error.is_ok()
        {
            if l.manual_compaction.is_none() {
                // Idle.
                l.manual_compaction = Some(manual.clone());
                self.maybe_schedule_compaction(&mut l);
            } else {
                // Running either my compaction or another compaction.
                l.wait_for_background_work();
            }
        }
        if l.manual_compaction
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(m, &manual))
        {
            // Cancel my manual compaction since we aborted early for some reason.
            l.manual_compaction = None;
        }
    }

    /// Deletes any unneeded files and stale in-memory entries.
    ///
    /// LevelDB: DBImpl::RemoveObsoleteFiles
    pub(super) fn remove_obsolete_files(&self, l: &mut MutexLock<'_>) {
        if l.bg_error.is_err() {
            // After a background error, we don't know whether a new version may or may not have been committed, so
            // we cannot safely garbage collect.
            return;
        }

        // Make a set of all of the live files.
        let mut live = l.pending_outputs.clone();
        l.versions.add_live_files(&mut live);

        // Ignoring errors on purpose.
        let filenames = self.env.get_children(&self.dbname).unwrap_or_default();
        let mut files_to_delete = Vec::new();
        for filename in filenames {
            let Some((number, file_type)) = parse_file_name(&filename) else {
                continue;
            };
            let keep = match file_type {
                FileType::LogFile => {
                    number >= l.versions.log_number() || number == l.versions.prev_log_number()
                }
                // Keep my manifest file, and any newer incarnations' (in case there is a race that allows other
                // incarnations).
                FileType::DescriptorFile => number >= l.versions.manifest_file_number(),
                FileType::TableFile => live.contains(&number),
                // Any temp files that are currently being written to must be recorded in pending_outputs, which
                // is inserted into "live".
                FileType::TempFile => live.contains(&number),
                FileType::CurrentFile | FileType::DBLockFile | FileType::InfoLogFile => true,
            };
            if !keep {
                if file_type == FileType::TableFile {
                    self.table_cache.evict(number);
                }
                info_log!(
                    self.options.info_log,
                    "Delete type={} #{}\n",
                    file_type as i32,
                    number
                );
                files_to_delete.push(filename);
            }
        }

        // While deleting all files unblock other threads. All files being deleted have unique names which will not
        // collide with newly created files and are therefore safe to delete while allowing other threads to
        // proceed.
        l.unlocked(|| {
            for filename in &files_to_delete {
                let _ = self.env.remove_file(&self.dbname.join(filename));
            }
        });
    }
}
