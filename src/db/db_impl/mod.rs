//! `DB`: LevelDB's DBImpl — the state that opening, writing, reading, flushing and compacting share, and the order
//! in which they take its locks. Each path through the database is one file of this module, each an `impl DBImpl`
//! block (LevelDB keeps them all in db/db_impl.cc):
//! - `mod.rs` (this file): the state (`DBImpl`, and `DBState` under the database mutex, held as a `MutexLock`),
//!   `FileHolder`, `sanitize_options`, making and shutting down a `DBImpl`, and the three steps that make a change
//!   visible to reads (`log_and_apply`, `install_super_version`, `set_last_sequence`);
//! - `db.rs`: the public handle `DB` (re-exported here, and as `oxleveldb::DB`), `destroy_db` and `Range`;
//! - `recovery.rs`: opening a database: a new database's MANIFEST, the MANIFEST recovered, the logs replayed;
//! - `write.rs`: the write path: the writer queue, group commit, the log record, the memtable insert, making room;
//! - `pipelined_write.rs`: RocksDB's pipelined writes, a second queue beside the write path's;
//! - `read.rs`: the read path: `get`, the internal iterator under a `DBIterator`, and the sequence a read sees;
//! - `flush.rs`: a memtable written to a level-0 table (LevelDB's memtable compaction);
//! - `compaction.rs`: background work: scheduling it, table compactions (picked, trivial moves, manual ones), and
//!   deleting the files no version needs;
//! - `background_error.rs`: the error that fails every later write, and `resume`, which clears it;
//! - `properties.rs`: `get_property` and `get_approximate_sizes`.
//!
//! Invariants (all under the mutex): `mem` is the memtable new writes go to and `log` its log; `imm`, if any, is
//! the full memtable being flushed to a level-0 table; `background_compaction_scheduled` is true while background
//! work is queued or running; `bg_error`, once set, fails every later write.
//!
//! Reads take no lock of the database's. What they see is published under the mutex, in three steps:
//! `install_super_version` (a new mem, imm or version), `set_last_sequence` (once the writes it covers are in the
//! memtable) and `log_and_apply` (a new version, installed once its MANIFEST record is written). `read.rs` says in
//! which order a read picks them up, and why that order.
//!
//! Lock order. A thread that holds more than one of the database's locks took them in this order:
//! 1. the database mutex (`mutex`, which guards `DBState`);
//! 2. `log`, the current log. The write leader holds it with the mutex released while it appends and syncs; the
//!    memtable switch, recovery and shutdown take it under the mutex;
//! 3. `prev_log`, the log before it: taken with `log` held by a synced write (to sync it too) and by the memtable
//!    switch (which moves the old log into it), and under the mutex alone by a flush and by shutdown.
//!
//! Every other lock comes after these: it may be taken with any of them held, and none of the three is taken
//! while it is held. They are the super versions' (`installed`, `slots`, a slot, ordered among themselves in
//! `super_version.rs`: `install_super_version` takes them under the database mutex, a read with no lock at all),
//! the snapshot list's, `db_lock`, each writer's `status`, the manual compaction's, the memtable's writer lock, the
//! version's `file_to_compact`, the table cache's and the block cache's shards, and the info log's. Both condvars
//! (`background_work_finished_signal`, each writer's `cv`) wait on the database mutex. The event listener is
//! called with the database mutex or `log` held: it must not call back into the database.
//!
//! LevelDB: db/db_impl.h, db/db_impl.cc

mod background_error;
mod compaction;
mod db;
mod flush;
mod pipelined_write;
mod properties;
mod read;
mod recovery;
mod write;

pub use db::{destroy_db, Range, DB};

use std::collections::{HashSet, VecDeque};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering as AtomicOrdering,
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

use crate::db::dbformat::{config, InternalFilterPolicy, InternalKeyComparator, SequenceNumber};
use crate::db::event_listener::{self as events, EventListener};
use crate::db::filename::{info_log_file_name, old_info_log_file_name};
use crate::db::log;
use crate::db::memtable::MemTable;
use crate::db::snapshot::SnapshotList;
use crate::db::super_version::SuperVersions;
use crate::db::table_cache::TableCache;
use crate::db::version_edit::VersionEdit;
use crate::db::version_set::VersionSet;
use crate::db::write_batch::WriteBatch;
use crate::env::{Env, FileLock};
use crate::error::{Error, Result};
use crate::options::{Options, NUM_NON_TABLE_CACHE_FILES};
use crate::util::cache::Cache;
use crate::util::comparator::Comparator;
use compaction::{CompactionStats, ManualCompaction};
use pipelined_write::PipelineState;
use write::Writer;

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
    /// `db_lock` is the database's LOCK, already taken (`None` for a read-only open).
    ///
    /// LevelDB: DBImpl::DBImpl
    fn new(
        raw_options: &Options,
        dbname: &Path,
        read_only: bool,
        db_lock: Option<Box<dyn FileLock>>,
    ) -> Arc<DBImpl> {
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
            db_lock: Mutex::new(db_lock),
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

    /// Applies `edit` with LevelDB's LogAndApply, releasing the mutex during the MANIFEST write.
    fn log_and_apply(&self, l: &mut MutexLock<'_>, edit: &mut VersionEdit) -> Result<()> {
        let mut write = l.versions.prepare_log_and_apply(edit);
        let start = events::step_start(self.options.event_listener.is_some());
        l.unlocked(|| write.write());
        let duration = events::step_duration(start);
        let (manifest_number, new_manifest, bytes) = write.describe();
        let status = l.versions.finish_log_and_apply(write);
        self.listen(|li| {
            li.on_manifest_written(&events::ManifestWritten {
                manifest_number,
                new_manifest,
                bytes,
                files_added: edit.new_files().len(),
                files_removed: edit.deleted_files().len(),
                duration,
                error: events::status_text(&status),
            })
        });
        self.install_super_version(l);
        status
    }

    /// A new, empty memtable (its filter sized for the write buffer it will fill).
    fn new_memtable(&self) -> Arc<MemTable> {
        Arc::new(MemTable::new(self.internal_comparator.clone(), self.options.write_buffer_size))
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
}
