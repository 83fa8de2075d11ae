//! Pipelined writes (`Options::enable_pipelined_write`, EXPERIMENTAL, off by default): RocksDB's second write
//! queue, built beside LevelDB's single one.
//!
//! In LevelDB's write path one leader at a time does everything: the log append (and sync) and then the memtable
//! insert, while the writers behind it wait. Here the leader of the writer queue (the log stage) builds its group,
//! takes the sequence numbers after the last ones given, appends and syncs, and then moves its group to a second
//! queue, of memtable writers, and leaves the writer queue at once: the next leader can append its group to the log
//! while this one is inserted into the memtable.
//!
//! Invariants (all under the database mutex):
//! - the memtable queue holds the groups whose log record is written, in log order; only its front inserts into
//!   the memtable (the skiplist takes one writer at a time), so the memtable sees groups in sequence order;
//! - the last sequence (what reads see, `VersionSet::last_sequence`) is published by the memtable stage, in order:
//!   a write is visible and acknowledged only once it and every earlier write are in the memtable;
//! - the next group's sequence numbers follow the last group queued for the memtable, or the last sequence when
//!   the queue is empty;
//! - the memtable is never switched out while the queue is not empty (`make_room_for_write` waits:
//!   `MakeRoomDecision::WaitForMemTableWriters`), so an immutable memtable is complete when it is flushed;
//! - a group whose log write failed never enters the memtable queue; a group that reaches the memtable stage after
//!   a background error is set is not inserted, and fails with that error (its record is in the log, and may show
//!   up after a reopen, as after LevelDB's failed sync).
//!
//! RocksDB: DBImpl::PipelinedWriteImpl (db/db_impl/db_impl_write.cc), WriteThread::EnterAsMemTableWriter and
//! ExitAsMemTableWriter (db/write_thread.cc)

use std::collections::VecDeque;
use std::sync::Arc;

use super::write::{wake, Writer};
use super::{DBImpl, MutexLock};
use crate::db::dbformat::SequenceNumber;
use crate::db::event_listener as events;
use crate::db::write_batch::WriteBatch;
use crate::error::Result;
use crate::options::WriteOptions;

/// A group waiting for, or doing, its memtable insert.
struct MemTableWriter {
    /// The group's leader: it does the insert, waiting on its own condvar for its turn.
    leader: Arc<Writer>,
    /// The group's last sequence number.
    last_sequence: SequenceNumber,
}

/// The memtable writer queue.
///
/// RocksDB: WriteThread::newest_memtable_writer_
#[derive(Default)]
pub(super) struct PipelineState {
    memtable_writers: VecDeque<MemTableWriter>,
}

impl PipelineState {
    /// Some group's log record is written and its memtable insert is not done.
    pub(super) fn memtable_writers_pending(&self) -> bool {
        !self.memtable_writers.is_empty()
    }

    /// The last sequence number given to a group: that of the newest group in the memtable queue, or `published`
    /// (the last sequence reads see) when the queue is empty.
    fn last_allocated(&self, published: SequenceNumber) -> SequenceNumber {
        self.memtable_writers
            .back()
            .map_or(published, |g| g.last_sequence)
    }
}

impl DBImpl {
    /// A write in two stages: the log stage under the writer queue, then the memtable stage under the memtable
    /// writer queue.
    ///
    /// RocksDB: DBImpl::PipelinedWriteImpl
    pub(super) fn pipelined_write(
        &self,
        options: &WriteOptions,
        updates: Option<&WriteBatch>,
    ) -> Result<()> {
        let mut l = self.lock();
        let w = match self.join_writer_queue(&mut l, options, updates) {
            Ok(leader) => leader,
            Err(status) => return status,
        };

        // The log stage. make_room_for_write waits for the memtable queue before it switches memtables.
        let mut status = self.make_room_for_write(&mut l, updates.is_none());
        let (Ok(()), Some(updates)) = (&status, updates) else {
            // A failure, or a flush request (no batch): nothing to log.
            l.writers.pop_front();
            if let Some(front) = l.writers.front() {
                front.cv.notify_one();
            }
            self.listen(|li| li.on_write_done(&events::WriteDone::new(w.id, &status)));
            return status;
        };
        let mut write_batch = l.tmp_batch.take().unwrap_or_default();
        let group = self.build_batch_group(&mut l, updates, &mut write_batch);
        let last_allocated = l.pipeline.last_allocated(l.versions.last_sequence());
        let last_sequence = self.set_sequence(&w, &mut write_batch, last_allocated);
        let log_number = l.logfile_number;
        let (log_status, sticky_error) = l.unlocked(|| {
            self.write_to_log(w.id, log_number, write_batch.contents(), options.sync)
        });
        status = log_status;
        if let (true, Err(e)) = (sticky_error, &status) {
            // As in DBImpl::Write: after a failed append or sync every later write fails.
            self.record_background_error(&mut l, e.clone());
        }

        // Leave the writer queue with the group, so that the next leader can log its group.
        let followers: Vec<Arc<Writer>> = l.writers.drain(..group).skip(1).collect();
        if let Some(front) = l.writers.front() {
            front.cv.notify_one();
        }

        if status.is_ok() {
            status = self.memtable_stage(&mut l, &w, &write_batch, last_sequence);
        }
        write_batch.clear();
        l.tmp_batch = Some(write_batch);
        let last_sequence = l.versions.last_sequence();
        self.mark_followers_done(w.id, last_sequence, &followers, &status);
        self.listen(|li| li.on_write_done(&events::WriteDone::new(w.id, &status)));
        drop(l);
        wake(&followers);
        status
    }

    /// Waits for the group's turn in the memtable writer queue, inserts it, publishes its last sequence and hands
    /// the turn to the next group.
    ///
    /// RocksDB: WriteThread::EnterAsMemTableWriter, WriteThread::ExitAsMemTableWriter
    fn memtable_stage(
        &self,
        l: &mut MutexLock<'_>,
        w: &Arc<Writer>,
        batch: &WriteBatch,
        last_sequence: SequenceNumber,
    ) -> Result<()> {
        l.pipeline.memtable_writers.push_back(MemTableWriter {
            leader: w.clone(),
            last_sequence,
        });
        while !Arc::ptr_eq(&l.pipeline.memtable_writers[0].leader, w) {
            l.wait(&w.cv);
        }
        let status = match l.bg_error.clone() {
            Err(e) => Err(e),
            Ok(()) => {
                // The memtable cannot be switched while this group is queued (see make_room_for_write).
                let mem = l.mem.clone().expect("an open database has a memtable");
                let status = l.unlocked(|| self.insert_into_memtable(batch, &mem, w.id));
                match &status {
                    Ok(()) => self.set_last_sequence(l, last_sequence),
                    Err(e) => self.record_background_error(l, e.clone()),
                }
                status
            }
        };
        l.pipeline.memtable_writers.pop_front();
        if let Some(next) = l.pipeline.memtable_writers.front() {
            next.leader.cv.notify_one();
        }
        // A leader in make_room_for_write may be waiting for the queue to drain.
        self.background_work_finished_signal.notify_all();
        status
    }
}
