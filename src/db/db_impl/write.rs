//! The write path: every write (a `WriteBatch`) joins a queue of writers under the database mutex. The writer at
//! the front is the leader: it makes room (switching to a new memtable and log when the current one is full),
//! gathers the batches queued behind it into one group, and writes the group to the log as one record and into
//! the memtable — with the mutex released, since it is the only thread doing so. Then it marks every writer of
//! the group done and wakes the next leader.
//!
//! Invariants: only the writer at the front of `writers` appends to `log` and inserts into `mem`, so the mutex can
//! be released meanwhile (pipelined writes, `pipelined_write.rs`, hand the insert to a second queue); a group's
//! sequence numbers follow the last ones given, and are published (`set_last_sequence`) only once the group is in
//! the memtable; the memtable and the log are switched between groups, never within one; after a failed log
//! append or sync (or a panic in the memtable insert) every later write fails (`background_error.rs`).
//!
//! Why the hand-off loses no writer (a follower woken too early, or never):
//! - what a writer waits for, "done" (with its status, written just before) and "I am the front of `writers`",
//!   changes only under the database mutex, and `wait_for_turn` checks both in a loop under that mutex; `done`
//!   is an atomic only to be set through the shared `Arc`, the mutex orders it (`Relaxed` is enough), so a
//!   follower that sees `done` sees its status;
//! - `Condvar::wait` releases the mutex and blocks in one step: a writer that found its condition false is
//!   waiting on its own `cv` before the leader can take the mutex to change it, and after every change the
//!   leader notifies that writer (`mark_followers_done`, then `wake` once the mutex is released; the new front
//!   likewise). Each `cv` has one waiter, its writer's thread, so `notify_one` suffices; a spurious or late
//!   wake-up only re-checks;
//! - only the front removes itself; others push at the back. The wake-ups are made on `Arc` clones, so a
//!   writer outlives the notify even if its thread has returned (`keep_spare` reuses one only when no clone is
//!   left).
//!
//! The history checker (`tests/history_test.rs`) checks the outcome under real threads; a loom model of this
//! hand-off needs it out of `DBImpl` (a `writer_queue.rs` over `util::sync`), as the super versions' and the lock
//! table's have (`scripts/loom.sh`).
//!
//! LevelDB: DBImpl::Write, DBImpl::BuildBatchGroup, DBImpl::MakeRoomForWrite (db/db_impl.cc)

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex};

use super::{DBImpl, MutexLock};
use crate::db::dbformat::{config, SequenceNumber};
use crate::db::event_listener::{self as events, MakeRoomDecision as Room};
use crate::db::filename::log_file_name;
use crate::db::log;
use crate::db::memtable::MemTable;
use crate::db::write_batch::WriteBatch;
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::WriteOptions;

/// Information kept for every waiting writer.
///
/// LevelDB: DBImpl::Writer
pub(super) struct Writer {
    /// The writer's id for the event listener (0 when no listener is set).
    pub(super) id: u64,
    /// A copy of the writer's batch, made when the writer queues behind others (a leader may then fold it into
    /// its group while the writer waits). `None` for a writer that led at once, and for a flush request.
    batch: Option<WriteBatch>,
    /// A flush request (LevelDB's null batch): it only makes room, forcing a memtable switch.
    is_flush: bool,
    sync: bool,
    /// Set, with `status`, by the leader that wrote this writer's batch; read and written under the DB mutex.
    done: AtomicBool,
    status: Mutex<Result<()>>,
    pub(super) cv: Condvar,
}

impl Writer {
    pub(super) fn new(id: u64, batch: Option<WriteBatch>, is_flush: bool, sync: bool) -> Writer {
        Writer {
            id,
            batch,
            is_flush,
            sync,
            done: AtomicBool::new(false),
            status: Mutex::new(Ok(())),
            cv: Condvar::new(),
        }
    }

    /// A shared writer for a new write. LevelDB's writer lives on the writing thread's stack; here it is shared
    /// with the queue, and a thread reuses the one it last led a write with ([`Writer::keep_spare`]) when nobody
    /// else holds it any more, so a thread that writes alone does not allocate one per write.
    fn new_shared(id: u64, batch: Option<WriteBatch>, is_flush: bool, sync: bool) -> Arc<Writer> {
        let fresh = Writer::new(id, batch, is_flush, sync);
        if let Some(mut spare) = SPARE_WRITER.take() {
            if let Some(writer) = Arc::get_mut(&mut spare) {
                *writer = fresh;
                return spare;
            }
        }
        Arc::new(fresh)
    }

    /// Keeps `w`, done with, for this thread's next write, if nobody else holds it. Without the copy of its batch,
    /// which may be large and is not needed again.
    fn keep_spare(mut w: Arc<Writer>) {
        if let Some(writer) = Arc::get_mut(&mut w) {
            writer.batch = None;
            SPARE_WRITER.set(Some(w));
        }
    }
}

/// Signals `writers`, done or now at the front of the queue. Called with the DB mutex released, as the state they
/// wait on was changed under it: a writer signalled while the mutex is held wakes only to wait for the mutex, and
/// the leader's unlock must wake it a second time.
///
/// LevelDB: the CondVar::Signal calls at the end of DBImpl::Write (made there with the mutex held)
pub(super) fn wake<'a>(writers: impl IntoIterator<Item = &'a Arc<Writer>>) {
    for w in writers {
        w.cv.notify_one();
    }
}

thread_local! {
    /// The writer this thread led its last write with (see [`Writer::new_shared`]).
    static SPARE_WRITER: Cell<Option<Arc<Writer>>> = const { Cell::new(None) };
}

impl DBImpl {
    /// LevelDB: DBImpl::Write
    pub(super) fn write(&self, options: &WriteOptions, updates: Option<&WriteBatch>) -> Result<()> {
        self.check_writable()?;
        // A batch the memtable would refuse must not reach the log (checked before the mutex: it is the caller's
        // batch alone).
        if let Some(updates) = updates {
            updates.verify()?;
        }
        if self.options.enable_pipelined_write {
            return self.pipelined_write(options, updates);
        }
        let mut l = self.lock();
        let w = match self.join_writer_queue(&mut l, options, updates) {
            Ok(leader) => leader,
            Err(status) => return status,
        };

        // May temporarily unlock and wait.
        let mut status = self.make_room_for_write(&mut l, updates.is_none());
        let mut last_sequence = l.versions.last_sequence();
        let mut group = 1;
        if let (Ok(()), Some(updates)) = (&status, updates) {
            // A flush request has no batch.
            let mut write_batch = l.tmp_batch.take().unwrap_or_default();
            group = self.build_batch_group(&mut l, updates, &mut write_batch);
            last_sequence = self.set_sequence(&w, &mut write_batch, last_sequence);
            let mem = l.mem.clone().expect("an open database has a memtable");
            let log_number = l.logfile_number;

            // Add to the log and apply to the memtable. We can release the lock during this phase since w is
            // currently responsible for logging and protects against concurrent loggers and concurrent writes into
            // mem.
            let sticky_error;
            (status, sticky_error) = l.unlocked(|| {
                let (status, sticky) =
                    self.write_to_log(w.id, log_number, write_batch.contents(), options.sync);
                if status.is_err() {
                    return (status, sticky);
                }
                let status = self.insert_into_memtable(&write_batch, &mem, w.id);
                let sticky = status.is_err();
                (status, sticky)
            });
            if sticky_error {
                // After a failed append or sync the state of the log file is indeterminate: the log record we just
                // added may or may not show up when the DB is re-opened. So we force the DB into a mode where all
                // future writes fail. Stricter than LevelDB, which does this for a failed sync only: a failed
                // append may leave a torn record in the log, and recovery stops at it, so a record appended after
                // it would be lost even once synced. The log takes no more records; `DB::resume` moves on to a new
                // one. After a panic in the memtable insert, the memtable holds part of the group and the log all
                // of it: the same mode.
                if let Err(e) = &status {
                    self.record_background_error(&mut l, e.clone());
                }
            }
            write_batch.clear();
            l.tmp_batch = Some(write_batch);
            if status.is_ok() || !sticky_error {
                self.set_last_sequence(&mut l, last_sequence);
            }
        }

        // The leader first, then the writers whose batches it wrote.
        let leader = l.writers.pop_front().expect("the leader is queued");
        debug_assert!(Arc::ptr_eq(&leader, &w));
        drop(leader);
        let last_sequence = l.versions.last_sequence();
        // A group of one (the usual single-threaded write) has no followers: nothing to collect.
        let followers: Vec<Arc<Writer>> = if group > 1 { l.writers.drain(..group - 1).collect() } else { Vec::new() };
        self.mark_followers_done(w.id, last_sequence, &followers, &status);

        // Notify the new head of the write queue.
        let next_leader = l.writers.front().cloned();
        self.listen(|li| li.on_write_done(&events::WriteDone::new(w.id, &status)));
        drop(l);
        wake(followers.iter().chain(&next_leader));
        Writer::keep_spare(w);
        status
    }

    /// Queues a writer for `updates` (`None`: a flush request) and waits until it is at the front of the queue,
    /// where it leads (`Ok`: the writer, still queued), or until a leader has written its batch (`Err`: the
    /// write's status).
    ///
    /// LevelDB: the first half of DBImpl::Write
    #[inline(always)]
    pub(super) fn join_writer_queue(
        &self,
        l: &mut MutexLock<'_>,
        options: &WriteOptions,
        updates: Option<&WriteBatch>,
    ) -> std::result::Result<Arc<Writer>, Result<()>> {
        // A writer that has to wait may see its batch folded into a leader's group: it leaves a copy.
        let must_wait = !l.writers.is_empty();
        let id = self.next_writer_id(l);
        let w = Writer::new_shared(
            id,
            if must_wait { updates.cloned() } else { None },
            updates.is_none(),
            options.sync,
        );
        let queued_behind = l.writers.len();
        self.listen(|li| li.on_write_queued(&events::WriteQueued::new(w.id, w.sync, updates, queued_behind)));
        if let Some(status) = self.wait_for_turn(l, &w) {
            self.listen(|li| li.on_write_done(&events::WriteDone::new(w.id, &status)));
            return Err(status);
        }
        self.listen(|li| li.on_write_leader(w.id));
        Ok(w)
    }

    /// Queues `w` and waits until it is at the front of the queue (`None`: it leads) or a leader has done its
    /// write (its status).
    pub(super) fn wait_for_turn(&self, l: &mut MutexLock<'_>, w: &Arc<Writer>) -> Option<Result<()>> {
        l.writers.push_back(w.clone());
        // A pipelined leader leaves the queue before its followers are done: the queue may be empty.
        while !w.done.load(AtomicOrdering::Relaxed)
            && !l.writers.front().is_some_and(|front| Arc::ptr_eq(w, front))
        {
            l.wait(&w.cv);
        }
        w.done
            .load(AtomicOrdering::Relaxed)
            .then(|| w.status.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Gives the group in `batch` the sequence numbers after `last_sequence`, and returns its last one.
    ///
    /// LevelDB: WriteBatchInternal::SetSequence (as DBImpl::Write calls it)
    #[inline(always)]
    pub(super) fn set_sequence(&self, w: &Writer, batch: &mut WriteBatch, last_sequence: SequenceNumber) -> SequenceNumber {
        // Unsigned, as LevelDB's (a damaged log can leave the last sequence at the top of the range).
        batch.set_sequence(last_sequence.wrapping_add(1));
        let last = last_sequence.wrapping_add(u64::from(batch.count()));
        self.listen(|li| li.on_sequence_assigned(&events::SequenceAssigned { leader: w.id, first: batch.sequence(), last }));
        last
    }

    /// Appends a group's record to the log, and syncs the log (and the previous one, if still open) if asked.
    /// Returns the status and whether a failure is sticky: every failure is, since after a failed append or sync
    /// the record may or may not show up when the database is reopened (stricter than LevelDB, see `write`).
    ///
    /// LevelDB: the log half of DBImpl::Write
    #[inline(always)]
    pub(super) fn write_to_log(&self, leader: u64, log_number: u64, contents: &[u8], sync: bool) -> (Result<()>, bool) {
        let mut log = self.log_writer();
        let log = log.as_mut().expect("an open database has a log");
        let listener = self.options.event_listener.as_deref().map(|l| (l, leader));
        let status = events::add_record_listened(log, log_number, contents, listener);
        if status.is_err() || !sync {
            // A failed append may leave a torn record, after which recovery reads nothing: sticky too.
            let sticky = status.is_err();
            return (status, sticky);
        }
        // A synced write makes the writes before it durable too, those in the previous log included.
        if let Some(mut prev_log) = self.prev_log_writer().take() {
            let status = prev_log.file().sync();
            if status.is_err() {
                return (status, true);
            }
        }
        let status = events::sync_listened(log, log_number, listener);
        let sticky = status.is_err();
        (status, sticky)
    }

    /// Gives the next writer id, or 0 when no event listener is set (nothing is counted then).
    #[inline(always)]
    fn next_writer_id(&self, l: &mut MutexLock<'_>) -> u64 {
        if self.options.event_listener.is_none() {
            return 0;
        }
        l.last_writer_id += 1;
        l.last_writer_id
    }

    /// Inserts a group's batch into `mem`. The user's comparator runs here: a panic in it must not unwind past the
    /// writer queue, which would leave the leader at its front and every later write waiting forever; it becomes
    /// an error (which the caller makes the background error: the memtable holds part of the group).
    ///
    /// LevelDB: WriteBatchInternal::InsertInto (as DBImpl::Write calls it)
    #[inline(always)]
    pub(super) fn insert_into_memtable(&self, batch: &WriteBatch, mem: &Arc<MemTable>, leader: u64) -> Result<()> {
        let start = events::step_start(self.options.event_listener.is_some());
        let status = catch_unwind(AssertUnwindSafe(|| batch.insert_into(mem)))
            .unwrap_or_else(|panic| Err(Error::from_panic(panic)));
        self.listen(|li| {
            li.on_memtable_insert(&events::MemTableInsert {
                leader,
                count: batch.count(),
                memtable_usage: mem.approximate_memory_usage(),
                duration: events::step_duration(start),
                error: events::status_text(&status),
            })
        });
        status
    }

    /// Marks the writers whose batches the leader wrote done with its status (under the DB mutex); the caller
    /// signals them (`wake`) once it has let the mutex go.
    #[inline(always)]
    pub(super) fn mark_followers_done(
        &self,
        leader: u64,
        last_sequence: SequenceNumber,
        followers: &[Arc<Writer>],
        status: &Result<()>,
    ) {
        // Filled only for the listener (an empty Vec allocates nothing).
        let mut woken = Vec::new();
        for ready in followers {
            *ready.status.lock().unwrap_or_else(|e| e.into_inner()) = status.clone();
            ready.done.store(true, AtomicOrdering::Relaxed);
            if self.options.event_listener.is_some() {
                woken.push(ready.id);
            }
        }
        self.listen(|li| li.on_followers_woken(&events::FollowersWoken { leader, followers: woken, last_sequence }));
    }

    /// Gathers the leader's batch and the batches queued behind it into `result`, and returns how many writers
    /// the group has (the leader and those right behind it; LevelDB returns the last of them). Requires: the writer queue is not empty, and the first writer (the leader, whose batch is
    /// `first_batch`) has a batch.
    ///
    /// LevelDB: DBImpl::BuildBatchGroup
    #[inline(always)]
    pub(super) fn build_batch_group(
        &self,
        l: &mut MutexLock<'_>,
        first_batch: &WriteBatch,
        result: &mut WriteBatch,
    ) -> usize {
        let first_sync = l.writers.front().expect("the leader is queued").sync;
        let mut size = first_batch.byte_size();

        // Allow the group to grow up to a maximum size, but if the original write is small, limit the growth so we
        // do not slow down the small write too much.
        let mut max_size = 1 << 20;
        if size <= (128 << 10) {
            max_size = size + (128 << 10);
        }

        result.append(first_batch);
        let mut group = 1;
        for w in l.writers.iter().skip(1) {
            if w.sync && !first_sync {
                // Do not include a sync write into a batch handled by a non-sync write.
                break;
            }
            if !w.is_flush {
                let batch = w
                    .batch
                    .as_ref()
                    .expect("a waiting writer leaves a copy of its batch");
                size += batch.byte_size();
                if size > max_size {
                    // Do not make the batch too big.
                    break;
                }
                // Append to the group.
                result.append(batch);
            }
            group += 1;
        }
        self.listen(|li| events::report_group(li, l.writers.iter().take(group).map(|w| w.id), result, first_sync));
        group
    }

    /// Makes room in the memtable for a write: sleeps 1 ms once when level 0 is filling up, waits while the
    /// previous memtable is flushed or level 0 is full, and switches to a new memtable and log when the current
    /// one is full (or when `force` asks for a switch). Requires: this thread is at the front of the writer queue.
    ///
    /// LevelDB: DBImpl::MakeRoomForWrite
    #[inline(always)]
    pub(super) fn make_room_for_write(&self, l: &mut MutexLock<'_>, mut force: bool) -> Result<()> {
        debug_assert!(!l.writers.is_empty());
        let mut allow_delay = !force;
        loop {
            if let Err(e) = &l.bg_error {
                // Yield the previous error.
                self.listen_make_room(l, Room::BackgroundError);
                return Err(e.clone());
            } else if allow_delay
                && l.versions.num_level_files(0) >= config::L0_SLOWDOWN_WRITES_TRIGGER
            {
                // We are getting close to hitting a hard limit on the number of L0 files. Rather than delaying a
                // single write by several seconds when we hit the hard limit, start delaying each individual write by
                // 1ms to reduce latency variance. Also, this delay hands over some CPU to the compaction thread in
                // case it is sharing the same core as the writer.
                self.listen_make_room(l, Room::SlowdownSleep);
                l.unlocked(|| self.env.sleep_for_microseconds(1000));
                allow_delay = false; // Do not delay a single write more than once.
            } else if !force
                && l.mem
                    .as_ref()
                    .expect("an open database has a memtable")
                    .approximate_memory_usage()
                    <= self.options.write_buffer_size
            {
                // There is room in the current memtable.
                self.listen_make_room(l, Room::HasRoom);
                return Ok(());
            } else if l.imm.is_some() {
                // We have filled up the current memtable, but the previous one is still being compacted, so we
                // wait.
                info_log!(self.options.info_log, "Current memtable full; waiting...\n");
                self.listen_make_room(l, Room::WaitForImmutable);
                l.wait_for_background_work();
            } else if l.versions.num_level_files(0) >= config::L0_STOP_WRITES_TRIGGER {
                // There are too many level-0 files.
                info_log!(self.options.info_log, "Too many L0 files; waiting...\n");
                self.listen_make_room(l, Room::WaitForLevel0);
                l.wait_for_background_work();
            } else if l.pipeline.memtable_writers_pending() {
                // A pipelined group is still inserting into the memtable: it cannot be switched out under it.
                self.listen_make_room(l, Room::WaitForMemTableWriters);
                l.wait_for_background_work();
            } else {
                // Attempt to switch to a new memtable and trigger compaction of the old one.
                self.listen_make_room(l, Room::SwitchMemTable);
                self.switch_to_new_log(l)?;
                force = false; // Do not force another compaction if we have room.
                self.maybe_schedule_compaction(l);
            }
        }
    }

    /// Tells the event listener one decision of `make_room_for_write`.
    #[inline(always)]
    fn listen_make_room(&self, l: &MutexLock<'_>, decision: Room) {
        self.listen(|li| {
            li.on_make_room(&events::MakeRoom {
                writer: l.writers.front().map_or(0, |w| w.id),
                decision,
                memtable_usage: l.mem.as_ref().map_or(0, |m| m.approximate_memory_usage()),
                write_buffer_size: self.options.write_buffer_size,
                level0_files: l.versions.num_level_files(0),
            })
        });
    }

    /// Starts a new log and memtable; the current memtable becomes the immutable one, to be flushed. Requires:
    /// there is no immutable memtable, and this thread is at the front of the writer queue.
    ///
    /// LevelDB: the memtable switch of DBImpl::MakeRoomForWrite
    pub(super) fn switch_to_new_log(&self, l: &mut MutexLock<'_>) -> Result<()> {
        debug_assert!(l.imm.is_none());
        debug_assert_eq!(l.versions.prev_log_number(), 0);
        let new_log_number = l.versions.new_file_number();
        let lfile = match self
            .env
            .new_writable_file(&log_file_name(&self.dbname, new_log_number))
        {
            Ok(lfile) => lfile,
            Err(e) => {
                // Avoid chewing through file number space in a tight loop.
                l.versions.reuse_file_number(new_log_number);
                return Err(e);
            }
        };
        // The old log stays open until the first synced write syncs it, or its memtable is flushed. LevelDB
        // closes it unsynced: a power loss could then keep a synced write of the new log and lose the writes
        // acknowledged before it in the old one, and recovery would no longer be a prefix of what was
        // acknowledged. (It is closed when its writer is dropped; LevelDB 1.23 ignores the close status too.)
        *self.prev_log_writer() = self.log_writer().replace(log::Writer::new(lfile));
        l.logfile_number = new_log_number;
        self.listen(|li| li.on_memtable_switched(&events::MemTableSwitched { writer: l.writers.front().map_or(0, |w| w.id), new_log_number, old_memtable_usage: l.mem.as_ref().map_or(0, |m| m.approximate_memory_usage()) }));
        l.imm = l.mem.take();
        self.has_imm.store(true, AtomicOrdering::Release);
        l.mem = Some(self.new_memtable());
        self.install_super_version(l);
        Ok(())
    }
}
