//! `DB`: LevelDB's DBImpl — opening and recovery, the write queue, reads, iterators, snapshots, and the background
//! thread that flushes memtables and compacts tables.
//!
//! The write path: every write (a `WriteBatch`) joins a queue of writers under the database mutex. The writer at
//! the front is the leader: it makes room (switching to a new memtable and log when the current one is full),
//! gathers the batches queued behind it into one group, and writes the group to the log as one record and into
//! the memtable — with the mutex released, since it is the only thread doing so. Then it marks every writer of
//! the group done and wakes the next leader.
//!
//! The read path takes no mutex. A read that names no snapshot pins two things, in this order:
//! 1. the super version (mem, imm and the current version, one `Arc`, `super_version.rs`), and only then
//! 2. its sequence number S, the latest published (`last_sequence`).
//!
//! Why this order. Everything it reads at S is in what it pinned, unchanged:
//! - a compaction drops `k@s` only when a newer `k@t` in its own input hides it and `t <= smallest_snapshot`,
//!   the last sequence when that compaction started. The version the read pinned was installed before the read
//!   loaded S, so any compaction that made it started before that too: `t <= S`, and the read sees `k@t` (or a
//!   newer `k`) where `k@s` was. A compaction that ends after the pin installs a new version; the pinned one,
//!   and its files, stay as they were until the read lets go.
//! - every write acknowledged before the read began is in the pinned super version: its memtable was installed
//!   before the write went into it, and a flush installs the table and drops the memtable in one super version.
//! - writes in a memtable installed after the pin may be counted in S but are not in the pinned one: they all
//!   have larger sequence numbers than anything pinned (the memtable is switched between groups, never within
//!   one), so the read sees exactly the writes up to some S' <= S, a prefix, as a snapshot at S' would.
//!
//! The other order (S first, the super version after it) lets a flush and a compaction run in between with
//! `smallest_snapshot > S`: they drop the `k@s <= S` that a newer `k@S+1` hides and install a new version, in
//! which the read finds neither (`k@S+1` is above its sequence): it misses an acknowledged write, or finds an
//! older value in a deeper level. `tests/history_test.rs` checks every read against that, and shows it catches
//! the other order (`DB::test_set_stale_read_order`).
//!
//! Invariants (all under the mutex): `mem` is the memtable new writes go to and `log` its log; `imm`, if any, is
//! the full memtable being flushed to a level-0 table; `background_compaction_scheduled` is true while background
//! work is queued or running; `bg_error`, once set, fails every later write.
//!
//! LevelDB: db/db_impl.h, db/db_impl.cc

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::ops::{Bound, Deref, DerefMut, RangeBounds};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering as AtomicOrdering,
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

use crate::db::builder::build_table;
use crate::db::db_iter::{DBIterator, IterState};
use crate::db::db_range::{DBRange, Start};
use crate::db::event_listener::{self as events, EventListener, MakeRoomDecision as Room};
use pipelined_write::PipelineState;
use crate::db::dbformat::{
    config, parse_internal_key, InternalFilterPolicy, InternalKey, InternalKeyComparator,
    LookupKey, SequenceNumber, ValueType, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK,
};
use crate::db::filename::{
    descriptor_file_name, info_log_file_name, lock_file_name, log_file_name,
    old_info_log_file_name, parse_file_name, set_current_file, table_file_name, FileType,
};
use crate::db::log;
use crate::db::memtable::{MemTable, MemTableGet};
use crate::db::snapshot::{Snapshot, SnapshotList};
use crate::db::super_version::SuperVersions;
use crate::db::table_cache::TableCache;
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::db::version_set::{Compaction, GetStats, Version, VersionSet};
use crate::db::write_batch::WriteBatch;
use crate::env::{Env, FileLock};
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::{Options, ReadOptions, WriteOptions, NUM_NON_TABLE_CACHE_FILES};
use crate::table::iterator::Iterator;
use crate::table::merger::new_merging_iterator;
use crate::table::TableBuilder;
use crate::util::cache::Cache;
use crate::util::comparator::Comparator;
use crate::util::logging::consume_decimal_number;

mod pipelined_write;

/// A range of user keys, `[start, limit)`.
///
/// LevelDB: Range
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// Included in the range.
    pub start: Vec<u8>,
    /// Not included in the range.
    pub limit: Vec<u8>,
}

impl Range {
    /// The range `[start, limit)`.
    pub fn new(start: impl AsRef<[u8]>, limit: impl AsRef<[u8]>) -> Range {
        Range {
            start: start.as_ref().to_vec(),
            limit: limit.as_ref().to_vec(),
        }
    }
}

/// Information kept for every waiting writer.
///
/// LevelDB: DBImpl::Writer
struct Writer {
    /// The writer's id for the event listener (0 when no listener is set).
    id: u64,
    /// A copy of the writer's batch, made when the writer queues behind others (a leader may then fold it into
    /// its group while the writer waits). `None` for a writer that led at once, and for a flush request.
    batch: Option<WriteBatch>,
    /// A flush request (LevelDB's null batch): it only makes room, forcing a memtable switch.
    is_flush: bool,
    sync: bool,
    /// Set, with `status`, by the leader that wrote this writer's batch; read and written under the DB mutex.
    done: AtomicBool,
    status: Mutex<Result<()>>,
    cv: Condvar,
}

impl Writer {
    fn new(id: u64, batch: Option<WriteBatch>, is_flush: bool, sync: bool) -> Writer {
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
fn wake<'a>(writers: impl IntoIterator<Item = &'a Arc<Writer>>) {
    for w in writers {
        w.cv.notify_one();
    }
}

thread_local! {
    /// The writer this thread led its last write with (see [`Writer::new_shared`]).
    static SPARE_WRITER: Cell<Option<Arc<Writer>>> = const { Cell::new(None) };
}

/// Per level compaction stats. stats[level] stores the stats for compactions that produced data for the
/// specified "level".
///
/// LevelDB: DBImpl::CompactionStats
#[derive(Clone, Copy, Default, Debug)]
struct CompactionStats {
    micros: u64,
    bytes_read: u64,
    bytes_written: u64,
}

impl CompactionStats {
    fn add(&mut self, c: &CompactionStats) {
        self.micros += c.micros;
        self.bytes_read += c.bytes_read;
        self.bytes_written += c.bytes_written;
    }
}

/// Information for a manual compaction.
///
/// LevelDB: DBImpl::ManualCompaction
struct ManualCompaction {
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
}

impl CompactionState {
    fn current_output(&mut self) -> &mut Output {
        self.outputs.last_mut().expect("an open compaction output")
    }
}

/// The state guarded by the database mutex.
struct DBState {
    /// The memtable new writes go to (`None` only while the database opens).
    mem: Option<Arc<MemTable>>,
    /// The memtable being compacted.
    imm: Option<Arc<MemTable>>,
    logfile_number: u64,
    /// Queue of writers.
    writers: VecDeque<Arc<Writer>>,
    /// The batch a leader gathers its group in (taken out while the leader writes).
    tmp_batch: Option<WriteBatch>,
    /// Set of table files to protect from deletion because they are part of ongoing compactions.
    pending_outputs: HashSet<u64>,
    /// Has a background compaction been scheduled or is running?
    background_compaction_scheduled: bool,
    manual_compaction: Option<Arc<Mutex<ManualCompaction>>>,
    versions: VersionSet,
    /// Have we encountered a background error in paranoid mode?
    bg_error: Result<()>,
    stats: [CompactionStats; config::NUM_LEVELS],
    /// The last writer id given (counted only while an event listener is set).
    last_writer_id: u64,
    /// The pipelined write's state (`Options::enable_pipelined_write`).
    pipeline: PipelineState,
}

/// The database mutex, held; [`MutexLock::unlocked`] releases it for the duration of a closure, as LevelDB's code
/// does with `mutex_.Unlock(); ...; mutex_.Lock();`.
///
/// LevelDB: MutexLock (util/mutexlock.h)
struct MutexLock<'a> {
    db: &'a DBImpl,
    guard: Option<MutexGuard<'a, DBState>>,
}

impl<'a> MutexLock<'a> {
    /// Runs `f` with the mutex released, and takes it again.
    fn unlocked<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.guard = None;
        let result = f();
        self.guard = Some(self.db.mutex.lock().unwrap_or_else(|e| e.into_inner()));
        result
    }

    /// Takes the mutex again if a panic left it released (in the middle of `unlocked`).
    fn relock(&mut self) {
        if self.guard.is_none() {
            self.guard = Some(self.db.mutex.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// Releases the mutex and waits on `cv` until it is signalled (LevelDB's `CondVar::Wait`).
    fn wait(&mut self, cv: &Condvar) {
        let guard = self.guard.take().expect("the mutex is held");
        self.guard = Some(cv.wait(guard).unwrap_or_else(|e| e.into_inner()));
    }

    /// Waits on the "background work finished" signal.
    fn wait_for_background_work(&mut self) {
        let db = self.db;
        self.wait(&db.background_work_finished_signal);
    }
}

impl Deref for MutexLock<'_> {
    type Target = DBState;
    fn deref(&self) -> &DBState {
        self.guard.as_ref().expect("the mutex is held")
    }
}

impl DerefMut for MutexLock<'_> {
    fn deref_mut(&mut self) -> &mut DBState {
        self.guard.as_mut().expect("the mutex is held")
    }
}

/// The shared implementation behind a [`DB`] handle, its iterators and its background work.
///
/// LevelDB: DBImpl
pub(crate) struct DBImpl {
    env: Arc<dyn Env>,
    internal_comparator: InternalKeyComparator,
    /// `options` after sanitizing: the internal key comparator and filter policy, clipped sizes, a LOG and a
    /// block cache.
    options: Options,
    dbname: PathBuf,
    /// table_cache provides its own synchronization.
    table_cache: Arc<TableCache>,
    /// Lock over the persistent DB state. Some iff successfully acquired; released by the last [`FileHolder`].
    db_lock: Mutex<Option<Box<dyn FileLock>>>,
    /// How many [`FileHolder`]s there are.
    file_holders: AtomicUsize,
    /// Opened by [`DB::open_read_only`]: no LOCK, no file written, no compaction.
    read_only: bool,
    shutting_down: AtomicBool,
    mutex: Mutex<DBState>,
    background_work_finished_signal: Condvar,
    /// So background work can find out if there is a pending imm without the mutex.
    has_imm: AtomicBool,
    /// The log of `mem`. Only the write leader (and, under the mutex, the memtable switch) touches it: it is
    /// written without the database mutex.
    log: Mutex<Option<log::Writer>>,
    /// The log before `log`, until a synced write syncs it or its memtable is flushed (see
    /// `switch_to_new_log`). Touched as `log` is.
    prev_log: Mutex<Option<log::Writer>>,
    snapshots: Arc<SnapshotList>,
    /// What reads see (mem, imm, the current version), installed under the mutex each time one of them changes
    /// and read without it.
    super_versions: Arc<SuperVersions>,
    /// The versions' last sequence, published (under the mutex) after the writes it covers are in the memtable,
    /// so that reads pick their sequence without the mutex.
    last_sequence: AtomicU64,
    /// For sampling.
    seed: AtomicU32,
    /// The test hook `DB::test_set_stale_read_order`.
    #[cfg(feature = "internals")]
    stale_read_order: AtomicBool,
    /// For scheduling background work, which holds the implementation alive.
    weak_self: Weak<DBImpl>,
}

/// Fixes user-supplied options to be reasonable: clips the sizes, substitutes the internal key comparator and
/// filter policy, opens the info log and creates the block cache if the user gave none.
///
/// LevelDB: SanitizeOptions
pub(crate) fn sanitize_options(
    dbname: &Path,
    icmp: &InternalKeyComparator,
    src: &Options,
) -> Options {
    let mut result = src.clone();
    result.comparator = Arc::new(icmp.clone());
    result.filter_policy = src.filter_policy.as_ref().map(|policy| {
        Arc::new(InternalFilterPolicy::new(policy.clone()))
            as Arc<dyn crate::util::filter_policy::FilterPolicy>
    });
    result.clip_to_ranges();
    if result.info_log.is_none() {
        // Open a log file in the same directory as the db.
        let _ = src.env.create_dir(dbname); // In case it does not exist.
        let _ = src
            .env
            .rename_file(&info_log_file_name(dbname), &old_info_log_file_name(dbname));
        // No place suitable for logging is not an error.
        result.info_log = src.env.new_logger(&info_log_file_name(dbname)).ok();
    }
    if result.block_cache.is_none() {
        result.block_cache = Some(Arc::new(Cache::new(8 << 20)));
    }
    result
}

/// Reserve ten files or so for other uses and give the rest to the TableCache.
///
/// LevelDB: TableCacheSize
fn table_cache_size(sanitized_options: &Options) -> usize {
    sanitized_options.max_open_files - NUM_NON_TABLE_CACHE_FILES
}

/// A holder of the database's files: the [`DB`] handle, or one of its iterators. The database lock (LOCK) is
/// released when the last holder goes, so that an iterator that outlives its handle keeps any other handle from
/// opening the database and compacting away the files it reads. (LevelDB leaves that case undefined: its
/// iterators must be deleted before the DB.) Background work does not hold the files: it is over once the
/// handle is dropped.
pub(crate) struct FileHolder(Arc<DBImpl>);

impl FileHolder {
    pub(crate) fn new(db: &Arc<DBImpl>) -> FileHolder {
        db.file_holders.fetch_add(1, AtomicOrdering::AcqRel);
        FileHolder(db.clone())
    }
}

impl Deref for FileHolder {
    type Target = DBImpl;
    fn deref(&self) -> &DBImpl {
        &self.0
    }
}

impl Drop for FileHolder {
    /// LevelDB: DBImpl::~DBImpl (the unlock)
    fn drop(&mut self) {
        if self.0.file_holders.fetch_sub(1, AtomicOrdering::AcqRel) == 1 {
            let lock = self
                .0
                .db_lock
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(lock) = lock {
                let _ = self.0.env.unlock_file(lock);
            }
        }
    }
}

impl DBImpl {
    /// LevelDB: DBImpl::DBImpl
    fn new(raw_options: &Options, dbname: &Path, read_only: bool) -> Arc<DBImpl> {
        let internal_comparator = InternalKeyComparator::new(raw_options.comparator.clone());
        let options = sanitize_options(dbname, &internal_comparator, raw_options);
        let table_cache = Arc::new(TableCache::new(
            dbname,
            options.clone(),
            table_cache_size(&options),
        ));
        let versions = VersionSet::new(
            dbname,
            &options,
            table_cache.clone(),
            internal_comparator.clone(),
        );
        Arc::new_cyclic(|weak_self| DBImpl {
            env: raw_options.env.clone(),
            internal_comparator,
            dbname: dbname.to_path_buf(),
            table_cache,
            db_lock: Mutex::new(None),
            file_holders: AtomicUsize::new(0),
            read_only,
            shutting_down: AtomicBool::new(false),
            mutex: Mutex::new(DBState {
                mem: None,
                imm: None,
                logfile_number: 0,
                writers: VecDeque::new(),
                tmp_batch: Some(WriteBatch::new()),
                pending_outputs: HashSet::new(),
                background_compaction_scheduled: false,
                manual_compaction: None,
                versions,
                bg_error: Ok(()),
                stats: Default::default(),
                last_writer_id: 0,
                pipeline: Default::default(),
            }),
            background_work_finished_signal: Condvar::new(),
            has_imm: AtomicBool::new(false),
            log: Mutex::new(None),
            prev_log: Mutex::new(None),
            snapshots: SnapshotList::new(),
            super_versions: SuperVersions::new(),
            last_sequence: AtomicU64::new(0),
            seed: AtomicU32::new(0),
            #[cfg(feature = "internals")]
            stale_read_order: AtomicBool::new(false),
            weak_self: weak_self.clone(),
            options,
        })
    }

    fn lock(&self) -> MutexLock<'_> {
        MutexLock {
            db: self,
            guard: Some(self.mutex.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Tells the event listener, if one is set (`f` builds the event only then, out of line: the hot path keeps
    /// one untaken branch and its code stays as small as without a listener).
    #[inline(always)]
    fn listen(&self, f: impl FnOnce(&dyn EventListener)) {
        if let Some(listener) = &self.options.event_listener {
            events::cold(|| f(&**listener))
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

    fn log_writer(&self) -> MutexGuard<'_, Option<log::Writer>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn prev_log_writer(&self) -> MutexGuard<'_, Option<log::Writer>> {
        self.prev_log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn user_comparator(&self) -> &Arc<dyn Comparator> {
        self.internal_comparator.user_comparator()
    }

    /// Waits for background work to finish and closes the log and the MANIFEST (the part of LevelDB's destructor
    /// that writers see). The database lock is released by the last [`FileHolder`].
    fn shutdown(&self) {
        {
            let mut l = self.lock();
            self.shutting_down.store(true, AtomicOrdering::Release);
            while l.background_compaction_scheduled {
                l.wait_for_background_work();
            }
            // Close the log and the MANIFEST now, as LevelDB's destructor does, rather than when the last holder
            // of the DBImpl lets go (an iterator, or the background job that just signalled): whoever looks at
            // the files once the handle is dropped (a reopen, a crash test) finds them closed.
            *self.log_writer() = None;
            *self.prev_log_writer() = None;
            l.versions.close_manifest();
        }
        self.super_versions.clear();
    }

    /// Writes the MANIFEST of a new, empty database and points CURRENT to it.
    ///
    /// LevelDB: DBImpl::NewDB
    fn new_db(&self) -> Result<()> {
        let mut new_db = VersionEdit::new();
        new_db.set_comparator_name(self.user_comparator().name());
        new_db.set_log_number(0);
        new_db.set_next_file(2);
        new_db.set_last_sequence(0);

        let manifest = descriptor_file_name(&self.dbname, 1);
        let file = self.env.new_writable_file(&manifest)?;
        let mut log = log::Writer::new(file);
        let mut record = Vec::new();
        new_db.encode_to(&mut record);
        let mut s = log.add_record(&record);
        if s.is_ok() {
            s = log.file().sync();
        }
        if s.is_ok() {
            s = log.file().close();
        }
        drop(log);
        match s {
            // Make "CURRENT" file that points to the new manifest file.
            Ok(()) => set_current_file(&*self.env, &self.dbname, 1),
            Err(e) => {
                let _ = self.env.remove_file(&manifest);
                Err(e)
            }
        }
    }

    /// Turns an error into OK, logging it, unless `paranoid_checks` is set.
    ///
    /// LevelDB: DBImpl::MaybeIgnoreError
    fn maybe_ignore_error(&self, s: Result<()>) -> Result<()> {
        match s {
            Err(e) if !self.options.paranoid_checks => {
                info_log!(self.options.info_log, "Ignoring error {}", e);
                Ok(())
            }
            s => s,
        }
    }

    /// Deletes any unneeded files and stale in-memory entries.
    ///
    /// LevelDB: DBImpl::RemoveObsoleteFiles
    fn remove_obsolete_files(&self, l: &mut MutexLock<'_>) {
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

    /// Recovers the descriptor from persistent storage. May do a significant amount of work to recover recently
    /// logged updates. Any changes to be made to the descriptor are added to `edit`; returns whether a new
    /// MANIFEST must be written.
    ///
    /// LevelDB: DBImpl::Recover
    fn recover(&self, l: &mut MutexLock<'_>, edit: &mut VersionEdit) -> Result<bool> {
        // Ignore error from create_dir since the creation of the DB is committed only when the descriptor is
        // created, and this directory may already exist from a previous failed creation attempt.
        if !self.read_only {
            let _ = self.env.create_dir(&self.dbname);
            let lock = self.env.lock_file(&lock_file_name(&self.dbname))?;
            *self.db_lock.lock().unwrap_or_else(|e| e.into_inner()) = Some(lock);
        }

        let dbname = self.dbname.to_string_lossy();
        if !self
            .env
            .file_exists(&crate::db::filename::current_file_name(&self.dbname))
        {
            if self.options.create_if_missing && !self.read_only {
                info_log!(
                    self.options.info_log,
                    "Creating DB {} since it was missing.",
                    dbname
                );
                self.new_db()?;
            } else {
                return Err(Error::invalid_argument(
                    &dbname,
                    "does not exist (create_if_missing is false)",
                ));
            }
        } else if self.options.error_if_exists {
            return Err(Error::invalid_argument(
                &dbname,
                "exists (error_if_exists is true)",
            ));
        }

        let mut save_manifest = l.versions.recover()?;
        let mut max_sequence: SequenceNumber = 0;

        // Recover from all newer log files than the ones named in the descriptor (new log files may have been
        // added by the previous incarnation without registering them in the descriptor).
        //
        // Note that prev_log_number() is no longer used, but we pay attention to it in case we are recovering a
        // database produced by an older version of leveldb.
        let min_log = l.versions.log_number();
        let prev_log = l.versions.prev_log_number();
        let filenames = self.env.get_children(&self.dbname)?;
        let mut live = HashSet::new();
        l.versions.add_live_files(&mut live);
        let mut expected: BTreeSet<u64> = live.into_iter().collect();
        let mut logs = Vec::new();
        for filename in &filenames {
            if let Some((number, file_type)) = parse_file_name(filename) {
                expected.remove(&number);
                if file_type == FileType::LogFile && (number >= min_log || number == prev_log) {
                    logs.push(number);
                }
            }
        }
        if let Some(&first) = expected.iter().next() {
            return Err(Error::corruption(
                format!("{} missing files; e.g.", expected.len()),
                table_file_name(&self.dbname, first).to_string_lossy(),
            ));
        }

        // Recover in the order in which the logs were generated.
        logs.sort_unstable();
        for (i, &log_number) in logs.iter().enumerate() {
            self.recover_log_file(
                l,
                log_number,
                i == logs.len() - 1,
                &mut save_manifest,
                edit,
                &mut max_sequence,
            )?;
            // The previous incarnation may not have written any MANIFEST records after allocating this log
            // number. So we manually update the file number allocation counter in VersionSet.
            l.versions.mark_file_number_used(log_number);
        }

        if l.versions.last_sequence() < max_sequence {
            l.versions.set_last_sequence(max_sequence);
        }
        self.last_sequence
            .store(l.versions.last_sequence(), AtomicOrdering::SeqCst);
        self.last_sequence
            .store(l.versions.last_sequence(), AtomicOrdering::SeqCst);
        Ok(save_manifest)
    }

    /// Replays log `log_number` into memtables, flushing them to level-0 tables as they fill up; with
    /// `reuse_logs`, the last log may stay the current log (with its memtable as the current memtable).
    ///
    /// LevelDB: DBImpl::RecoverLogFile
    fn recover_log_file(
        &self,
        l: &mut MutexLock<'_>,
        log_number: u64,
        last_log: bool,
        save_manifest: &mut bool,
        edit: &mut VersionEdit,
        max_sequence: &mut SequenceNumber,
    ) -> Result<()> {
        /// LevelDB: RecoverLogFile's LogReporter
        struct LogReporter<'a> {
            info_log: &'a Option<Arc<dyn crate::env::Logger>>,
            fname: String,
            paranoid_checks: bool,
            /// The first error that fails the recovery.
            status: RefCell<Result<()>>,
            /// Something was dropped (then the log is not reused: what it dropped may be at its end).
            dropped: std::cell::Cell<bool>,
        }
        impl log::Reporter for LogReporter<'_> {
            fn corruption(&self, bytes: usize, s: &Error) {
                // A read error is not damage in the log: the records past it may all be there, and taking it
                // for the end of the log (as LevelDB does without paranoid_checks) would lose them when the log
                // is then deleted. It fails the recovery whatever paranoid_checks says; a corrupt record is
                // dropped unless paranoid_checks is set, as in LevelDB.
                let fails = self.paranoid_checks || s.is_io_error();
                let prefix = if fails { "" } else { "(ignoring error) " };
                info_log!(
                    self.info_log,
                    "{}{}: dropping {} bytes; {}",
                    prefix,
                    self.fname,
                    bytes as i32,
                    s
                );
                self.dropped.set(true);
                let mut status = self.status.borrow_mut();
                if fails && status.is_ok() {
                    *status = Err(s.clone());
                }
            }
        }

        // Open the log file. A log that cannot be opened fails the recovery (unless it has gone, and with it
        // anything to lose): stricter than LevelDB, which goes on without it and then deletes it.
        let fname = log_file_name(&self.dbname, log_number);
        let file = match self.env.new_sequential_file(&fname) {
            Ok(file) => file,
            Err(e) if e.is_not_found() => return self.maybe_ignore_error(Err(e)),
            Err(e) => return Err(e),
        };

        // Create the log reader.
        let reporter = LogReporter {
            info_log: &self.options.info_log,
            fname: fname.to_string_lossy().into_owned(),
            paranoid_checks: self.options.paranoid_checks,
            status: RefCell::new(Ok(())),
            dropped: std::cell::Cell::new(false),
        };
        let reporter_status = || reporter.status.borrow().clone();
        // We intentionally make log::Reader do checksumming even if paranoid_checks==false so that corruptions
        // cause entire commits to be skipped instead of propagating bad information (like overly large sequence
        // numbers).
        let mut reader = log::Reader::new(
            file,
            Some(&reporter),
            true, /* checksum */
            0,    /* initial_offset */
        );
        info_log!(self.options.info_log, "Recovering log #{}", log_number);

        // Read all the records and add to a memtable.
        let mut record = Vec::new();
        let mut batch = WriteBatch::new();
        let mut compactions = 0;
        // Read-only, every log goes into the one memtable the database will read (nothing is flushed).
        let mut mem: Option<Arc<MemTable>> = if self.read_only { l.mem.take() } else { None };
        let mut status: Result<()> = Ok(());
        while reader.read_record(&mut record) && status.is_ok() && reporter_status().is_ok() {
            if batch.set_contents(&record).is_err() {
                log::Reporter::corruption(
                    &reporter,
                    record.len(),
                    &Error::corruption("log record too small", ""),
                );
                continue;
            }
            let m = mem
                .get_or_insert_with(|| Arc::new(MemTable::new(self.internal_comparator.clone())));
            status = self.maybe_ignore_error(batch.insert_into(m));
            if status.is_err() {
                break;
            }
            // Unsigned arithmetic, as LevelDB's: a batch with no updates ends just before its first sequence
            // number (and a zeroed header wraps around).
            let last_seq = batch
                .sequence()
                .wrapping_add(u64::from(batch.count()))
                .wrapping_sub(1);
            if last_seq > *max_sequence {
                *max_sequence = last_seq;
            }

            if !self.read_only && m.approximate_memory_usage() > self.options.write_buffer_size {
                compactions += 1;
                *save_manifest = true;
                let m = mem.take().expect("the memtable just filled");
                status = self.write_level0_table(l, &m, edit, None);
                if status.is_err() {
                    // Reflect errors immediately so that conditions like full file-systems cause the DB::Open() to
                    // fail.
                    break;
                }
            }
        }
        // A log that ends in a torn record (the writer died, or failed, in the middle of it), or that had damage
        // the reader dropped, is not reused: records appended after a torn or damaged one would be lost at the
        // next recovery. Stricter than LevelDB.
        let torn_tail = reader.ends_in_torn_record() || reporter.dropped.get();
        drop(reader);
        if status.is_ok() {
            status = reporter_status();
        }
        if self.read_only {
            l.mem = mem;
            return status;
        }

        // See if we should keep reusing the last log file.
        if status.is_ok() && self.options.reuse_logs && last_log && compactions == 0 && !torn_tail {
            debug_assert!(l.mem.is_none());
            if let Ok(lfile_size) = self.env.get_file_size(&fname) {
                if let Ok(logfile) = self.env.new_appendable_file(&fname) {
                    info_log!(
                        self.options.info_log,
                        "Reusing old log {} \n",
                        fname.display()
                    );
                    *self.log_writer() = Some(log::Writer::new_with_offset(logfile, lfile_size));
                    l.logfile_number = log_number;
                    // mem can be None if the log exists but was empty.
                    l.mem = Some(mem.take().unwrap_or_else(|| {
                        Arc::new(MemTable::new(self.internal_comparator.clone()))
                    }));
                }
            }
        }

        if let Some(mem) = mem {
            // mem did not get reused; compact it.
            if status.is_ok() {
                *save_manifest = true;
                status = self.write_level0_table(l, &mem, edit, None);
            }
        }
        status
    }

    /// Writes `mem` to a new table (at the level `base` picks, or level 0) and records it in `edit`.
    ///
    /// LevelDB: DBImpl::WriteLevel0Table
    fn write_level0_table(
        &self,
        l: &mut MutexLock<'_>,
        mem: &Arc<MemTable>,
        edit: &mut VersionEdit,
        base: Option<&Arc<Version>>,
    ) -> Result<()> {
        let start_micros = self.env.now_micros();
        let mut meta = FileMetaData {
            number: l.versions.new_file_number(),
            ..Default::default()
        };
        l.pending_outputs.insert(meta.number);
        let mut iter = mem.new_iterator();
        info_log!(
            self.options.info_log,
            "Level-0 table #{}: started",
            meta.number
        );

        let s = l.unlocked(|| {
            build_table(
                &self.dbname,
                &*self.env,
                &self.options,
                &self.table_cache,
                &mut iter,
                &mut meta,
            )
        });

        info_log!(
            self.options.info_log,
            "Level-0 table #{}: {} bytes {}",
            meta.number,
            meta.file_size,
            crate::error::status_string(&s)
        );
        drop(iter);
        l.pending_outputs.remove(&meta.number);

        // Note that if file_size is zero, the file has been deleted and should not be added to the manifest.
        let mut level = 0;
        if s.is_ok() && meta.file_size > 0 {
            if let Some(base) = base {
                level = base.pick_level_for_memtable_output(
                    meta.smallest.user_key(),
                    meta.largest.user_key(),
                );
            }
            edit.add_file(
                level,
                meta.number,
                meta.file_size,
                meta.smallest.clone(),
                meta.largest.clone(),
            );
        }

        let stats = CompactionStats {
            micros: self.env.now_micros().saturating_sub(start_micros),
            bytes_read: 0,
            bytes_written: meta.file_size,
        };
        l.stats[level].add(&stats);
        self.listen(|li| li.on_flush_completed(&events::FlushCompleted::new(meta.number, level, meta.file_size, &s)));
        s
    }

    /// Applies `edit` with LevelDB's LogAndApply, releasing the mutex during the MANIFEST write.
    fn log_and_apply(&self, l: &mut MutexLock<'_>, edit: &mut VersionEdit) -> Result<()> {
        let mut write = l.versions.prepare_log_and_apply(edit);
        l.unlocked(|| write.write());
        let status = l.versions.finish_log_and_apply(write);
        self.install_super_version(l);
        status
    }

    /// Sets the last sequence number, and publishes it to the reads that take no mutex (`get`, iterators).
    fn set_last_sequence(&self, l: &mut MutexLock<'_>, last_sequence: SequenceNumber) {
        l.versions.set_last_sequence(last_sequence);
        self.last_sequence
            .store(last_sequence, AtomicOrdering::SeqCst);
    }

    /// Makes reads see the current mem, imm and version (called each time one of them changes).
    fn install_super_version(&self, l: &DBState) {
        if let Some(mem) = &l.mem {
            self.super_versions
                .install(mem.clone(), l.imm.clone(), l.versions.current().clone());
        }
    }

    /// Compacts the in-memory write buffer to disk. Switches to a new log-file/memtable and writes a new
    /// descriptor iff successful. Errors are recorded in bg_error.
    ///
    /// LevelDB: DBImpl::CompactMemTable
    fn compact_mem_table(&self, l: &mut MutexLock<'_>) {
        if let Err(e) = self.flush_imm(l) {
            self.record_background_error(l, e);
        }
    }

    /// The work of `compact_mem_table`: writes the immutable memtable to a table and records it (with the log it
    /// no longer needs) in the MANIFEST; on success the memtable is dropped.
    fn flush_imm(&self, l: &mut MutexLock<'_>) -> Result<()> {
        let imm = l.imm.clone().expect("an immutable memtable to compact");

        // Save the contents of the memtable as a new Table.
        let mut edit = VersionEdit::new();
        let base = l.versions.current().clone();
        let mut s = self.write_level0_table(l, &imm, &mut edit, Some(&base));
        drop(base);

        if s.is_ok() && self.shutting_down.load(AtomicOrdering::Acquire) {
            s = Err(Error::io_error(
                "Deleting DB during memtable compaction",
                "",
            ));
        }

        // Replace the immutable memtable with the generated Table.
        if s.is_ok() {
            edit.set_prev_log_number(0);
            edit.set_log_number(l.logfile_number); // Earlier logs no longer needed.
            s = self.log_and_apply(l, &mut edit);
        }

        if s.is_ok() {
            // Commit to the new state. The previous log is no longer needed, synced or not.
            l.imm = None;
            self.has_imm.store(false, AtomicOrdering::Release);
            self.install_super_version(l);
            *self.prev_log_writer() = None;
            self.remove_obsolete_files(l);
        }
        s
    }

    /// Compacts the underlying storage for the key range `[begin, end]` (`None` is unbounded): the memtable is
    /// flushed, then every level up to the last one with overlapping files is compacted.
    ///
    /// LevelDB: DBImpl::CompactRange
    fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
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
    fn test_compact_range(&self, level: usize, begin: Option<&[u8]>, end: Option<&[u8]>) {
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

    /// Forces the current memtable contents to be compacted, and waits for it.
    ///
    /// LevelDB: DBImpl::TEST_CompactMemTable
    fn test_compact_mem_table(&self) -> Result<()> {
        // A flush request (no batch) means just wait for earlier writes to be done.
        self.write(&WriteOptions::default(), None)?;
        // Wait until the compaction completes.
        let mut l = self.lock();
        while l.imm.is_some() && l.bg_error.is_ok() {
            l.wait_for_background_work();
        }
        if l.imm.is_some() {
            return l.bg_error.clone();
        }
        Ok(())
    }

    /// LevelDB: DBImpl::RecordBackgroundError
    fn record_background_error(&self, l: &mut MutexLock<'_>, s: Error) {
        if l.bg_error.is_ok() {
            l.bg_error = Err(s);
            self.background_work_finished_signal.notify_all();
        }
    }

    /// Clears a background error caused by the file system (a failed log append or sync, a failed flush,
    /// compaction or MANIFEST write: a full disk, an I/O error) once the database can go on safely; see
    /// [`DB::resume`].
    ///
    /// RocksDB: DBImpl::Resume
    fn resume(&self) -> Result<()> {
        let mut l = self.lock();
        if l.bg_error.is_ok() {
            return Ok(());
        }
        // Queue as a flush request and wait to be the leader: no other writer touches the log while it is
        // replaced. A leader that takes the request into its group wrote, so the error was gone.
        let w = Arc::new(Writer::new(0, None, true, false));
        if let Some(status) = self.wait_for_turn(&mut l, &w) {
            return status;
        }
        let status = self.resume_as_leader(&mut l);
        l.writers.pop_front();
        if let Some(front) = l.writers.front() {
            front.cv.notify_one();
        }
        status
    }

    /// The body of `resume`, at the front of the writer queue.
    fn resume_as_leader(&self, l: &mut MutexLock<'_>) -> Result<()> {
        let Err(e) = l.bg_error.clone() else {
            return Ok(()); // Another resume got there first.
        };
        if !e.is_io_error() || e.is_panic() {
            // Corruption, or a bug: going on could spread the damage. Only a reopen clears it.
            return Err(e);
        }
        // Background work starts nothing after an error; let what runs finish, so that this thread alone
        // changes the version set from here on.
        while l.background_compaction_scheduled {
            l.wait_for_background_work();
        }
        // The error may have left a torn record at the end of the MANIFEST or the log, and a record appended
        // after a torn one would be lost at recovery: go on in a new MANIFEST (the next log_and_apply writes it,
        // a snapshot of the current version, and points CURRENT to it) and a new log. The old log stays until
        // its memtable is in a table: recovery reads its records up to the torn one, all that was acknowledged.
        l.versions.start_new_manifest();
        let mut status = Ok(());
        if l.imm.is_some() {
            status = self.flush_imm(l);
        }
        if status.is_ok() {
            status = self.switch_to_new_log(l);
        }
        if status.is_ok() {
            status = self.flush_imm(l);
        }
        match status {
            Ok(()) => {
                info_log!(self.options.info_log, "Resumed after error: {}\n", e);
                l.bg_error = Ok(());
                self.remove_obsolete_files(l);
                self.maybe_schedule_compaction(l);
                Ok(())
            }
            Err(e) => {
                l.bg_error = Err(e.clone());
                Err(e)
            }
        }
    }

    /// LevelDB: DBImpl::MaybeScheduleCompaction
    fn maybe_schedule_compaction(&self, l: &mut MutexLock<'_>) {
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
                self.listen(|li| li.on_compaction_completed(&events::compaction_completed(&c, true, [], &status)));
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
                };
                status = self.do_compaction_work(l, &mut compact);
                if let Err(e) = &status {
                    self.record_background_error(l, e.clone());
                }
                self.listen(|li| li.on_compaction_completed(&events::compaction_completed(&compact.compaction, false, compact.outputs.iter().map(|o| (o.number, o.file_size)), &status)));
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
                        }

                        last_sequence_for_key = ikey.sequence;
                    }
                }

                if !drop_entry {
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

    /// A merging iterator over the memtables and the current version's tables, with the state it must keep
    /// alive, the latest sequence number and a seed for read sampling.
    ///
    /// LevelDB: DBImpl::NewInternalIterator
    fn new_internal_iterator(&self, options: &ReadOptions) -> (IterState, SequenceNumber, u32) {
        let stale = self.test_stale_sequence();
        // The super version first, the sequence after it: see the read path's invariant above.
        let sv = self
            .super_versions
            .with_current(Arc::clone)
            .expect("an open database has a super version");
        let latest_snapshot = self.latest_sequence(stale);
        let state = IterState::borrowing(sv, |sv| {
            // Collect together all needed child iterators.
            // Room for mem, imm, the level-0 tables and a concatenating iterator per other level.
            let mut list: Vec<Box<dyn Iterator>> =
                Vec::with_capacity(2 + sv.current.files(0).len() + config::NUM_LEVELS - 1);
            list.push(Box::new(sv.mem.borrowed_iterator()));
            if let Some(imm) = &sv.imm {
                list.push(Box::new(imm.borrowed_iterator()));
            }
            sv.current.add_iterators(options, &mut list);
            let comparator: &dyn Comparator = sv.current.icmp();
            new_merging_iterator(comparator, list)
        });
        let seed = self
            .seed
            .fetch_add(1, AtomicOrdering::Relaxed)
            .wrapping_add(1);
        (state, latest_snapshot, seed)
    }

    /// Records a sample of bytes read at the specified internal key: may schedule a compaction.
    ///
    /// LevelDB: DBImpl::RecordReadSample
    pub(crate) fn record_read_sample(&self, key: &[u8]) {
        let mut l = self.lock();
        if l.versions.current().record_read_sample(key) {
            self.maybe_schedule_compaction(&mut l);
        }
    }

    /// Refuses a change to a database opened read-only (RocksDB's words).
    fn check_writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::not_supported(
                "Not supported operation in read only mode.",
                "",
            ));
        }
        Ok(())
    }

    /// The sequence number of the snapshot a read with `options` names; `None` when it names none (it then reads
    /// at the latest sequence, [`DBImpl::latest_sequence`]). A snapshot of another database is refused.
    fn snapshot_sequence(&self, options: &ReadOptions) -> Result<Option<SequenceNumber>> {
        match &options.snapshot {
            None => Ok(None),
            Some(snapshot) if snapshot.belongs_to(&self.snapshots) => {
                Ok(Some(snapshot.sequence_number()))
            }
            Some(_) => Err(Error::invalid_argument(
                "snapshot was taken from another database",
                self.dbname.to_string_lossy(),
            )),
        }
    }

    /// The latest sequence number, for a read that has pinned its super version (the read path's invariant:
    /// never before). `stale` is what [`DBImpl::test_stale_sequence`] returned.
    fn latest_sequence(&self, stale: Option<SequenceNumber>) -> SequenceNumber {
        stale.unwrap_or_else(|| self.last_sequence.load(AtomicOrdering::SeqCst))
    }

    /// With `DB::test_set_stale_read_order(true)`: the latest sequence number, loaded BEFORE the read pins its
    /// super version, then a pause that lets a flush or compaction install a new one: the read order this
    /// module's invariant forbids, so that a test can show the concurrent history checker catches it.
    #[cfg(feature = "internals")]
    fn test_stale_sequence(&self) -> Option<SequenceNumber> {
        if !self.stale_read_order.load(AtomicOrdering::Relaxed) {
            return None;
        }
        let stale = self.last_sequence.load(AtomicOrdering::SeqCst);
        std::thread::sleep(std::time::Duration::from_micros(500));
        Some(stale)
    }

    /// Without the test hooks, reads always follow the invariant.
    #[cfg(not(feature = "internals"))]
    #[inline(always)]
    fn test_stale_sequence(&self) -> Option<SequenceNumber> {
        None
    }

    /// Reads `key` without the database mutex: mem, imm and the version from the thread's cached super version,
    /// and then the sequence number from `last_sequence`. The mutex is taken only when the read used up a
    /// file's allowed seeks, to schedule its compaction.
    ///
    /// LevelDB: DBImpl::Get
    fn get(&self, options: &ReadOptions, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let explicit = self.snapshot_sequence(options)?;
        let stale = self.test_stale_sequence();
        let mut from_memtables = true;
        let mut stats = GetStats::default();
        let mut snapshot = 0;
        let (result, compaction_wanted) = self
            .super_versions
            .with_current(|sv| {
                // The super version is pinned: only now the sequence (see the read path's invariant above).
                snapshot = explicit.unwrap_or_else(|| self.latest_sequence(stale));
                // First look in the memtable, then in the immutable memtable (if any).
                let lkey = LookupKey::new(key, snapshot);
                let found = match sv.mem.get(&lkey) {
                    MemTableGet::NotPresent => sv
                        .imm
                        .as_ref()
                        .map_or(MemTableGet::NotPresent, |imm| imm.get(&lkey)),
                    found => found,
                };
                match found {
                    MemTableGet::Found(value) => (Ok(Some(value)), false),
                    MemTableGet::Deleted => (Ok(None), false),
                    MemTableGet::NotPresent => {
                        from_memtables = false;
                        let result = sv.current.get(options, &lkey, &mut stats);
                        (result, sv.current.update_stats(&stats))
                    }
                }
            })
            .expect("an open database has a super version");
        self.listen(|li| {
            li.on_get(&events::GetDone {
                key: key.to_vec(),
                snapshot,
                from_memtables,
                value_length: result.as_ref().ok().and_then(|v| v.as_ref().map(Vec::len)),
                charged_file: stats.seek_file.as_ref().map(|(f, level)| (*level, f.number)),
                error: result.as_ref().err().map(|e| e.to_string()),
            })
        });
        if compaction_wanted {
            self.maybe_schedule_compaction(&mut self.lock());
        }
        result
    }

    /// LevelDB: DBImpl::Write
    fn write(&self, options: &WriteOptions, updates: Option<&WriteBatch>) -> Result<()> {
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
        let followers: Vec<Arc<Writer>> = l.writers.drain(..group - 1).collect();
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
    fn join_writer_queue(
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
    fn wait_for_turn(&self, l: &mut MutexLock<'_>, w: &Arc<Writer>) -> Option<Result<()>> {
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
    fn set_sequence(&self, w: &Writer, batch: &mut WriteBatch, last_sequence: SequenceNumber) -> SequenceNumber {
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
    fn write_to_log(&self, leader: u64, log_number: u64, contents: &[u8], sync: bool) -> (Result<()>, bool) {
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
    fn insert_into_memtable(&self, batch: &WriteBatch, mem: &Arc<MemTable>, leader: u64) -> Result<()> {
        let status = catch_unwind(AssertUnwindSafe(|| batch.insert_into(mem)))
            .unwrap_or_else(|panic| Err(Error::from_panic(panic)));
        self.listen(|li| {
            li.on_memtable_insert(&events::MemTableInsert {
                leader,
                count: batch.count(),
                memtable_usage: mem.approximate_memory_usage(),
                error: events::status_text(&status),
            })
        });
        status
    }

    /// Marks the writers whose batches the leader wrote done with its status (under the DB mutex); the caller
    /// signals them (`wake`) once it has let the mutex go.
    #[inline(always)]
    fn mark_followers_done(
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
    fn build_batch_group(
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
    fn make_room_for_write(&self, l: &mut MutexLock<'_>, mut force: bool) -> Result<()> {
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

    /// Starts a new log and memtable; the current memtable becomes the immutable one, to be flushed. Requires:
    /// there is no immutable memtable, and this thread is at the front of the writer queue.
    ///
    /// LevelDB: the memtable switch of DBImpl::MakeRoomForWrite
    fn switch_to_new_log(&self, l: &mut MutexLock<'_>) -> Result<()> {
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
        l.mem = Some(Arc::new(MemTable::new(self.internal_comparator.clone())));
        self.install_super_version(l);
        Ok(())
    }

    /// LevelDB: DBImpl::GetProperty
    fn get_property(&self, property: &str) -> Option<String> {
        let l = self.lock();
        let rest = property.strip_prefix("leveldb.")?;

        if let Some(level) = rest.strip_prefix("num-files-at-level") {
            let mut input = level.as_bytes();
            let level = consume_decimal_number(&mut input).filter(|_| input.is_empty())?;
            if level >= config::NUM_LEVELS as u64 {
                return None;
            }
            return Some(format!("{}", l.versions.num_level_files(level as usize)));
        }
        match rest {
            "stats" => {
                let mut value = String::from(
                    "                               Compactions\n\
                     Level  Files Size(MB) Time(sec) Read(MB) Write(MB)\n\
                     --------------------------------------------------\n",
                );
                for level in 0..config::NUM_LEVELS {
                    let files = l.versions.num_level_files(level);
                    let stats = &l.stats[level];
                    if stats.micros > 0 || files > 0 {
                        value.push_str(&format!(
                            "{:3} {:8} {:8.0} {:9.0} {:8.0} {:9.0}\n",
                            level,
                            files,
                            l.versions.num_level_bytes(level) as f64 / 1048576.0,
                            stats.micros as f64 / 1e6,
                            stats.bytes_read as f64 / 1048576.0,
                            stats.bytes_written as f64 / 1048576.0
                        ));
                    }
                }
                Some(value)
            }
            "sstables" => Some(l.versions.current().debug_string()),
            "approximate-memory-usage" => {
                let mut total_usage = self
                    .options
                    .block_cache
                    .as_ref()
                    .map_or(0, |c| c.total_charge());
                if let Some(mem) = &l.mem {
                    total_usage += mem.approximate_memory_usage();
                }
                if let Some(imm) = &l.imm {
                    total_usage += imm.approximate_memory_usage();
                }
                Some(format!("{total_usage}"))
            }
            _ => None,
        }
    }

    /// LevelDB: DBImpl::GetApproximateSizes
    fn get_approximate_sizes(&self, ranges: &[Range]) -> Vec<u64> {
        // TODO (as in LevelDB): better implementation.
        let l = self.lock();
        let v = l.versions.current().clone();
        ranges
            .iter()
            .map(|range| {
                // Convert user keys into corresponding internal keys.
                let k1 = InternalKey::new(&range.start, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
                let k2 = InternalKey::new(&range.limit, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
                let start = l.versions.approximate_offset_of(&v, &k1);
                let limit = l.versions.approximate_offset_of(&v, &k2);
                limit.saturating_sub(start)
            })
            .collect()
    }
}

/// A LevelDB database: a persistent, ordered map from byte strings to byte strings, safe for concurrent use from
/// many threads (share it with `Arc<DB>`). Dropping it waits for background work and releases its lock.
///
/// LevelDB: DB
pub struct DB {
    inner: FileHolder,
}

impl DB {
    /// Opens the database at `path`, creating it if `options.create_if_missing` is set.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// // A missing database is an error unless create_if_missing is set.
    /// let err = DB::open(Options::default(), dir.path().join("db")).unwrap_err();
    /// assert!(err.to_string().ends_with("does not exist (create_if_missing is false)"));
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path().join("db"));
    /// assert!(db.is_ok());
    /// ```
    ///
    /// LevelDB: DB::Open
    pub fn open(options: Options, path: impl AsRef<Path>) -> Result<DB> {
        DB::open_with(options, path.as_ref(), false)
    }

    /// Opens the database at `path` for reading only, as it is at this moment. No LOCK is taken and no file is
    /// created, written or deleted: the logs are replayed into memory and nothing is compacted. So any number of
    /// processes may read one database this way, even while another process writes it (they see the state at
    /// the open). Writes and `compact_range` fail with `NotSupported`. The database must exist.
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let writer = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// writer.put(&WriteOptions::default(), "k", "v1")?;
    ///
    /// // The writer keeps its LOCK; the reader needs none.
    /// let reader = DB::open_read_only(Options::default(), dir.path())?;
    /// writer.put(&WriteOptions::default(), "k", "v2")?;
    /// assert_eq!(reader.get(&ReadOptions::default(), "k")?, Some(b"v1".to_vec()));
    /// assert!(reader.put(&WriteOptions::default(), "k", "v3").is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// RocksDB: DB::OpenForReadOnly
    pub fn open_read_only(options: Options, path: impl AsRef<Path>) -> Result<DB> {
        let options = Options {
            // Reusing a log or the MANIFEST means appending to it.
            reuse_logs: false,
            // An info log of the caller's own, or none: LevelDB's LOG file would be written.
            info_log: Some(options.info_log.clone().unwrap_or_else(|| Arc::new(NoLogger))),
            ..options
        };
        DB::open_with(options, path.as_ref(), true)
    }

    fn open_with(options: Options, dbname: &Path, read_only: bool) -> Result<DB> {
        // Until the database is open, every way out of here (an error or a panic) drops the handle, which shuts
        // the database down and releases its lock; a lock left behind would refuse every later open of this
        // database in the process.
        let handle = DB {
            inner: FileHolder::new(&DBImpl::new(&options, dbname, read_only)),
        };
        DB::open_impl(&handle.inner.0, &options)?;
        Ok(handle)
    }

    /// The body of `open`, with the mutex held.
    fn open_impl(inner: &Arc<DBImpl>, options: &Options) -> Result<()> {
        let mut l = inner.lock();
        let mut edit = VersionEdit::new();
        // recover handles create_if_missing, error_if_exists.
        let save_manifest = inner.recover(&mut l, &mut edit)?;
        if inner.read_only {
            // The logs are in the memtable; nothing else to do, and nothing may be written.
            if l.mem.is_none() {
                l.mem = Some(Arc::new(MemTable::new(inner.internal_comparator.clone())));
            }
            inner.install_super_version(&l);
            return Ok(());
        }
        if l.mem.is_none() {
            // Create a new log and a corresponding memtable.
            let new_log_number = l.versions.new_file_number();
            let lfile = options
                .env
                .new_writable_file(&log_file_name(&inner.dbname, new_log_number))?;
            edit.set_log_number(new_log_number);
            *inner.log_writer() = Some(log::Writer::new(lfile));
            l.logfile_number = new_log_number;
            l.mem = Some(Arc::new(MemTable::new(inner.internal_comparator.clone())));
        }
        if save_manifest {
            edit.set_prev_log_number(0); // No older logs needed after recovery.
            let logfile_number = l.logfile_number;
            edit.set_log_number(logfile_number);
            inner.log_and_apply(&mut l, &mut edit)?;
        }
        inner.install_super_version(&l);
        inner.remove_obsolete_files(&mut l);
        inner.maybe_schedule_compaction(&mut l);
        Ok(())
    }

    /// Sets the database entry for `key` to `value`.
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// // A synced write is on disk when put returns.
    /// db.put(&WriteOptions { sync: true }, "key", vec![0u8, 1, 2])?;
    /// assert_eq!(db.get(&ReadOptions::default(), "key")?, Some(vec![0, 1, 2]));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Put
    pub fn put(
        &self,
        options: &WriteOptions,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(key, value);
        self.write(options, &batch)
    }

    /// Removes the database entry (if any) for `key`. It is not an error if `key` did not exist.
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// let w = WriteOptions::default();
    /// db.put(&w, "key", "value")?;
    /// db.delete(&w, "key")?;
    /// db.delete(&w, "never written")?;
    /// assert_eq!(db.get(&ReadOptions::default(), "key")?, None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Delete
    pub fn delete(&self, options: &WriteOptions, key: impl AsRef<[u8]>) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(key);
        self.write(options, &batch)
    }

    /// Applies the specified updates to the database, atomically.
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteBatch, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put(&WriteOptions::default(), "from", "100")?;
    /// // Move the value in one step: no reader sees it in both places, or in neither.
    /// let mut batch = WriteBatch::new();
    /// batch.delete("from");
    /// batch.put("to", "100");
    /// db.write(&WriteOptions::default(), &batch)?;
    /// let r = ReadOptions::default();
    /// assert_eq!((db.get(&r, "from")?, db.get(&r, "to")?), (None, Some(b"100".to_vec())));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Write
    pub fn write(&self, options: &WriteOptions, updates: &WriteBatch) -> Result<()> {
        self.inner.write(options, Some(updates))
    }

    /// The value for `key`: `Ok(None)` if there is none (LevelDB's NotFound).
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put(&WriteOptions::default(), "k", "v")?;
    /// // Verify the checksums of what the read touches, and leave the block cache alone.
    /// let careful = ReadOptions { verify_checksums: true, fill_cache: false, ..ReadOptions::default() };
    /// assert_eq!(db.get(&careful, "k")?.as_deref(), Some(&b"v"[..]));
    /// assert_eq!(db.get(&careful, "missing")?, None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::Get
    pub fn get(&self, options: &ReadOptions, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>> {
        self.inner.get(options, key.as_ref())
    }

    /// An iterator over the contents of the database (initially not positioned). It sees the database as of
    /// `options.snapshot`, or as of now.
    ///
    /// LevelDB: DB::NewIterator
    pub fn new_iterator(&self, options: &ReadOptions) -> DBIterator {
        let (mut iter, latest_snapshot, seed) = self.inner.new_internal_iterator(options);
        let sequence = match self.inner.snapshot_sequence(options) {
            Ok(sequence) => sequence.unwrap_or(latest_snapshot),
            Err(e) => {
                // An iterator that is never valid, whose status() says why.
                iter.fail(e);
                latest_snapshot
            }
        };
        DBIterator::new(FileHolder::new(&self.inner.0), iter, sequence, seed)
    }

    /// Every entry of the database, in key order, as a std iterator of owned `(key, value)` pairs.
    pub fn iter(&self, options: &ReadOptions) -> DBRange {
        self.new_iterator(options).into_iter()
    }

    /// The entries whose keys are in `range` (in the database's order), as a std iterator of owned
    /// `(key, value)` pairs. See [`DBRange`] for an example.
    pub fn range<K: AsRef<[u8]>>(&self, options: &ReadOptions, range: impl RangeBounds<K>) -> DBRange {
        let owned = |bound: Bound<&K>| match bound {
            Bound::Included(k) => Bound::Included(k.as_ref().to_vec()),
            Bound::Excluded(k) => Bound::Excluded(k.as_ref().to_vec()),
            Bound::Unbounded => Bound::Unbounded,
        };
        DBRange::new(
            self.new_iterator(options),
            Start::Bound(owned(range.start_bound())),
            owned(range.end_bound()),
            None,
        )
    }

    /// The entries whose keys start with the bytes of `prefix` (goleveldb's `BytesPrefix`), as a std iterator of
    /// owned `(key, value)` pairs. It assumes that keys sharing a prefix are adjacent, as they are in the
    /// bytewise order.
    pub fn prefix(&self, options: &ReadOptions, prefix: impl AsRef<[u8]>) -> DBRange {
        let prefix = prefix.as_ref().to_vec();
        DBRange::new(
            self.new_iterator(options),
            Start::Bound(Bound::Included(prefix.clone())),
            Bound::Unbounded,
            Some(prefix),
        )
    }

    /// A handle to the current state of the database; reads through it see that state. It is released when
    /// dropped.
    ///
    /// LevelDB: DB::GetSnapshot
    pub fn get_snapshot(&self) -> Snapshot {
        let l = self.inner.lock();
        self.inner
            .snapshots
            .new_snapshot(l.versions.last_sequence())
    }

    /// A property of the database (`leveldb.num-files-at-level<N>`, `leveldb.stats`, `leveldb.sstables`,
    /// `leveldb.approximate-memory-usage`); `None` for an unknown property.
    ///
    /// ```
    /// use oxleveldb::{Options, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put(&WriteOptions::default(), "k", "v")?;
    /// db.compact_range(None, None)?;
    /// // The memtable was flushed to a table, which the manual compaction pushed down a level or two.
    /// let files: u32 = (0..7)
    ///     .map(|level| db.get_property(&format!("leveldb.num-files-at-level{level}")).unwrap())
    ///     .map(|n| n.parse::<u32>().unwrap())
    ///     .sum();
    /// assert_eq!(files, 1);
    /// assert_eq!(db.get_property("leveldb.no-such-property"), None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::GetProperty
    pub fn get_property(&self, property: &str) -> Option<String> {
        self.inner.get_property(property)
    }

    /// The approximate file system space used by the keys of each range.
    ///
    /// ```
    /// use oxleveldb::{CompressionType, Options, Range, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let options = Options {
    ///     create_if_missing: true,
    ///     compression: CompressionType::NoCompression,
    ///     ..Options::default()
    /// };
    /// let db = DB::open(options, dir.path())?;
    /// for i in 0..1000 {
    ///     db.put(&WriteOptions::default(), format!("key{i:04}"), [b'x'; 1000])?;
    /// }
    /// db.compact_range(None, None)?; // Sizes count tables only, not the memtable.
    /// let sizes = db.get_approximate_sizes(&[Range::new("key0000", "key0500"), Range::new("z", "zz")]);
    /// assert!(sizes[0] > 400_000 && sizes[0] < 600_000, "{sizes:?}");
    /// assert_eq!(sizes[1], 0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::GetApproximateSizes
    pub fn get_approximate_sizes(&self, ranges: &[Range]) -> Vec<u64> {
        self.inner.get_approximate_sizes(ranges)
    }

    /// Lets a database whose writes fail after a file system error (a full disk, a failed log write or sync, a
    /// failed flush or compaction) take writes again, without reopening it. Not in LevelDB, where only a reopen
    /// clears such an error.
    ///
    /// Once the cause is gone (space freed, the device back), `resume` waits for running background work, then
    /// moves on to a new MANIFEST and a new log (a failed write may have left a torn record at the end of the old
    /// ones, and a record appended after a torn one would be lost at recovery), flushes the memtables to tables,
    /// clears the error and restarts background work. It returns `Ok(())` when writes are accepted again, at
    /// once if there was no error.
    ///
    /// It fails, and the error stays, if the file system still fails (the error is then the new one). It
    /// refuses to clear an error that is not an I/O error (a corruption, or a bug caught in background work):
    /// only a reopen clears those, since going on could spread the damage.
    ///
    /// Nothing acknowledged is lost either way: writes that returned `Ok` before the error are in the old log
    /// (before any torn record) or in the memtables `resume` flushes. A write that returned an error may or may
    /// not be there after a reopen.
    ///
    /// RocksDB: DB::Resume
    pub fn resume(&self) -> Result<()> {
        self.inner.resume()
    }

    /// Compacts the underlying storage for the key range `[begin, end]`; `None` is before all keys (for begin)
    /// or after all keys (for end).
    ///
    /// ```
    /// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// let w = WriteOptions::default();
    /// for i in 0..100 {
    ///     db.put(&w, format!("k{i}"), "old")?;
    ///     db.put(&w, format!("k{i}"), "new")?;
    /// }
    /// // Rewrites the tables: the overwritten values are dropped, the data stays.
    /// db.compact_range(Some(b"k"), None)?;
    /// assert_eq!(db.get(&ReadOptions::default(), "k42")?, Some(b"new".to_vec()));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// LevelDB: DB::CompactRange
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.inner.compact_range(begin, end)
    }

    /// Compacts the files of `level` that overlap `[begin, end]` into `level + 1`.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_compact_range(&self, level: usize, begin: Option<&[u8]>, end: Option<&[u8]>) {
        self.inner.test_compact_range(level, begin, end)
    }

    /// Forces the current memtable contents to be compacted, and waits for it.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_compact_mem_table(&self) -> Result<()> {
        self.inner.test_compact_mem_table()
    }

    /// Waits until no compaction is scheduled or running: those that reads or writes triggered have finished.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_wait_for_background_work(&self) {
        let mut l = self.inner.lock();
        while l.background_compaction_scheduled {
            l.wait_for_background_work();
        }
    }

    /// Makes reads that name no snapshot load the latest sequence number before they pin their super version,
    /// and pause in between (`true`), or follow the read path's invariant (`false`, the default). Only for the
    /// test that shows the concurrent history checker catches a read that misses an acknowledged write.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_set_stale_read_order(&self, stale: bool) {
        self.inner
            .stale_read_order
            .store(stale, AtomicOrdering::Relaxed);
    }

    /// An iterator over the internal keys of the database.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_new_internal_iterator(&self) -> Box<dyn Iterator> {
        Box::new(self.inner.new_internal_iterator(&ReadOptions::default()).0)
    }

    /// The maximum overlapping data (in bytes) at the next level for any file at a level >= 1.
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn test_max_next_level_overlapping_bytes(&self) -> u64 {
        self.inner
            .lock()
            .versions
            .max_next_level_overlapping_bytes()
    }
}

/// The info log of a database opened read-only without one of the caller's: it writes nothing.
struct NoLogger;

impl crate::env::Logger for NoLogger {
    fn logv(&self, _args: std::fmt::Arguments<'_>) {}
}

impl std::fmt::Debug for DB {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DB")
            .field("path", &self.inner.dbname)
            .finish_non_exhaustive()
    }
}

impl Drop for DB {
    /// LevelDB: DBImpl::~DBImpl
    fn drop(&mut self) {
        self.inner.shutdown();
    }
}

/// Destroys the contents of the database at `path`: every file whose name is a database file, then the lock file
/// and the directory (if it is empty). Fails if the database is open. A missing directory is not an error.
///
/// ```
/// use oxleveldb::{destroy_db, Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("db");
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = DB::open(options.clone(), &path)?;
/// assert!(destroy_db(&path, &options).is_err(), "an open database is locked");
/// drop(db);
/// destroy_db(&path, &options)?;
/// assert!(!path.exists());
/// # Ok(())
/// # }
/// ```
///
/// LevelDB: DestroyDB
pub fn destroy_db(path: impl AsRef<Path>, options: &Options) -> Result<()> {
    let dbname = path.as_ref();
    let env = &*options.env;
    let Ok(filenames) = env.get_children(dbname) else {
        // Ignore error in case the directory does not exist.
        return Ok(());
    };

    let lockname = lock_file_name(dbname);
    let lock = env.lock_file(&lockname)?;
    let mut result = Ok(());
    for filename in &filenames {
        if let Some((_, file_type)) = parse_file_name(filename) {
            if file_type != FileType::DBLockFile {
                // The lock file will be deleted at the end.
                let del = env.remove_file(&dbname.join(filename));
                if result.is_ok() {
                    result = del;
                }
            }
        }
    }
    let _ = env.unlock_file(lock); // Ignore error since state is already gone.
    let _ = env.remove_file(&lockname);
    let _ = env.remove_dir(dbname); // Ignore error in case the dir contains other files.
    result
}
