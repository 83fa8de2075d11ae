//! The background error: the first failure that leaves the database's files in doubt (a failed log append or
//! sync, a failed flush, compaction or MANIFEST write, a panic in background work or in a memtable insert) is kept
//! in `bg_error`, and every later write fails with it while reads go on. `resume` clears an I/O error once the
//! file system works again; any other error stays until the database is reopened.
//!
//! Invariant: `bg_error` keeps the first error, and changes only in `resume`, at the front of the writer queue
//! with no background work running: it is cleared once the database has moved on to a new MANIFEST and a new log
//! and flushed its memtables (so no record is ever appended after one that may be torn), or else replaced by the
//! error that stopped it.
//!
//! LevelDB: DBImpl::RecordBackgroundError (db/db_impl.cc); RocksDB: DBImpl::Resume

use std::sync::Arc;

use super::write::Writer;
use super::{DBImpl, MutexLock};
use crate::error::{Error, Result};
use crate::info_log;

impl DBImpl {
    /// LevelDB: DBImpl::RecordBackgroundError
    pub(super) fn record_background_error(&self, l: &mut MutexLock<'_>, s: Error) {
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
    pub(super) fn resume(&self) -> Result<()> {
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
}
