//! Chapter 9: the writer queue and group commit (the tour's chapter 1, the write path, and 7, durability).
//!
//! Writers join a queue. The writer at the front is the leader: it takes its own batch and the batches of the
//! writers queued right behind it (up to a size limit, and never a sync write into a group that is not synced),
//! gives the group its sequence numbers, writes it to the log as ONE record with the lock released (new writers
//! queue meanwhile), then takes the lock again, removes the group's writers from the queue, marks the followers
//! done and wakes them, and the next writer at the front leads the next group. Under load, many writes share
//! one log append (and one sync).
//!
//! The size limit: 1 MiB, but if the first batch is small (at most 128 KiB), only 128 KiB more than it, so that
//! a small write does not wait for a big group.
//!
//! Grade: `cargo run -p course -- check 9`. Uses chapter 3's write batch.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::ch03_memtable::{WriteBatch, HEADER};

/// A queued write.
///
/// LevelDB: DBImpl::Writer
struct Writer {
    id: u64,
    batch: WriteBatch,
    sync: bool,
}

/// What the queue's mutex guards.
#[derive(Default)]
struct State {
    /// The queued writers; the front one leads.
    queue: VecDeque<Writer>,
    /// The ids of followers whose batches a leader has written.
    done: HashSet<u64>,
    next_id: u64,
    /// The sequence number of the last update written.
    last_sequence: u64,
}

/// A writer queue in front of a log held in memory.
///
/// LevelDB: DBImpl's writers_ queue, DBImpl::Write
pub struct WriteQueue {
    state: Mutex<State>,
    /// Signalled when writers are done or a new leader may be at the front.
    wake: Condvar,
    /// The log: one record per group.
    log: Mutex<Vec<Vec<u8>>>,
    /// Called by each log write, before the record is appended (the tests use it to hold a leader there).
    on_log_write: Box<dyn Fn() + Send + Sync>,
    /// Writers that have joined the queue so far (read without the lock, which a leader may hold).
    joined: AtomicUsize,
}

/// How many bytes a group whose first batch has `first_batch_size` bytes may hold.
///
/// LevelDB: DBImpl::BuildBatchGroup (its max_size)
fn max_group_size(first_batch_size: usize) -> usize {
    todo!("chapter 9: write max_group_size")
}

/// Appends the records of `src` to `dst` and adds their count to `dst`'s.
///
/// LevelDB: WriteBatchInternal::Append
fn append_batch(dst: &mut WriteBatch, src: &WriteBatch) {
    todo!("chapter 9: write append_batch")
}

impl WriteQueue {
    /// An empty queue and log; `on_log_write` runs at each log write.
    pub fn new(on_log_write: impl Fn() + Send + Sync + 'static) -> WriteQueue {
        WriteQueue {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            log: Mutex::new(Vec::new()),
            on_log_write: Box::new(on_log_write),
            joined: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of writers that have joined the queue so far.
    pub fn joined(&self) -> usize {
        self.joined.load(Ordering::SeqCst)
    }

    /// Queues a writer for `batch` and counts it; returns its id.
    fn join(&self, state: &mut State, batch: WriteBatch, sync: bool) -> u64 {
        let id = state.next_id;
        state.next_id += 1;
        state.queue.push_back(Writer { id, batch, sync });
        self.joined.fetch_add(1, Ordering::SeqCst);
        id
    }

    /// The log's records, in order.
    pub fn log_records(&self) -> Vec<Vec<u8>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Writes a group's record to the log. Call it with the state's lock released.
    fn append_to_log(&self, record: &[u8]) {
        (self.on_log_write)();
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record.to_vec());
    }

    /// The group the leader (the front writer) writes: its batch and those of the writers right behind it,
    /// while the total size (`contents().len()` of each batch) stays within max_group_size of the first, and
    /// never a sync writer behind a leader that does not sync. Returns the group's batch and how many writers
    /// it holds.
    ///
    /// LevelDB: DBImpl::BuildBatchGroup
    fn build_batch_group(queue: &VecDeque<Writer>) -> (WriteBatch, usize) {
        todo!("chapter 9: write WriteQueue::build_batch_group")
    }

    /// Writes `batch` (synced if `sync`): join the queue (`join`), wait until done or at the front; at the front, lead: build the group, give it the sequence numbers after last_sequence, append it
    /// to the log with the lock released, then pop the group's writers, mark the followers done, and wake the
    /// waiting writers.
    ///
    /// LevelDB: DBImpl::Write
    pub fn write(&self, batch: WriteBatch, sync: bool) {
        todo!("chapter 9: write WriteQueue::write")
    }
}
