//! Opening a database. A new database gets its first MANIFEST (`new_db`). An existing one has its MANIFEST
//! recovered (`VersionSet::recover`) and every log at or after the MANIFEST's log number replayed, in order, into
//! memtables (`recover_log_file`), which are written to tables unless the last log is reused (`reuse_logs`). Then
//! `open_impl` starts a new log if none was reused, and writes a MANIFEST record if recovery changed anything.
//!
//! Invariant: when open returns, every record the logs held (up to a torn end, or damage that the missing
//! `paranoid_checks` lets it drop) is in a table the MANIFEST names or in the memtable of the reused log, and the
//! last sequence is at least the largest one replayed. A replayed log is deleted only once the MANIFEST's log
//! number is past it, that is once its records are in tables. Opened read-only, every log goes into the one
//! memtable the database reads, and nothing is written.
//!
//! LevelDB: DBImpl::NewDB, DBImpl::Recover, DBImpl::RecoverLogFile, DB::Open (db/db_impl.cc)

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;

use super::db::DB;
use super::{DBImpl, MutexLock};
use crate::db::dbformat::SequenceNumber;
use crate::db::filename::{
    descriptor_file_name, log_file_name, parse_file_name, set_current_file, table_file_name,
    FileType,
};
use crate::db::log;
use crate::db::memtable::MemTable;
use crate::db::version_edit::VersionEdit;
use crate::db::write_batch::WriteBatch;
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::Options;

impl DBImpl {
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

    /// Recovers the descriptor from persistent storage. May do a significant amount of work to recover recently
    /// logged updates. Any changes to be made to the descriptor are added to `edit`; returns whether a new
    /// MANIFEST must be written.
    ///
    /// LevelDB: DBImpl::Recover
    fn recover(&self, l: &mut MutexLock<'_>, edit: &mut VersionEdit) -> Result<bool> {
        // LevelDB creates the directory and takes the LOCK here; DB::open_with has done both already, before the
        // info log was opened.
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
        // anything to lose): stricter than LevelDB, which goes on without it and then deletes it. Gone is
        // NotFound, or any error for a file that does not exist: MemEnv, as LevelDB's memenv, reports a missing
        // file as an IOError (a stray `5.log` names the missing `000005.log`).
        let fname = log_file_name(&self.dbname, log_number);
        let file = match self.env.new_sequential_file(&fname) {
            Ok(file) => file,
            Err(e) if e.is_not_found() || !self.env.file_exists(&fname) => {
                return self.maybe_ignore_error(Err(e))
            }
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
        // With paranoid_checks, a log whose last write is torn (damage at the end, nothing valid after it: a
        // write never synced that a crash left in parts) is recovered up to that write rather than refused:
        // stricter than LevelDB, which refuses the open though nothing acknowledged as durable is lost. (Without
        // paranoid_checks the damage is dropped and reported, as in LevelDB, and recovery goes on either way.)
        if self.options.paranoid_checks {
            reader = reader.tolerate_torn_last_write();
        }
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
                .get_or_insert_with(|| self.new_memtable());
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
                        self.new_memtable()
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
}

// The body of `DB::open`, after `db.rs` has made the DBImpl and its handle: the recovery above, then the log and
// the MANIFEST record the database goes on with.
impl DB {
    /// The body of `open`, with the mutex held.
    pub(super) fn open_impl(inner: &Arc<DBImpl>, options: &Options) -> Result<()> {
        let mut l = inner.lock();
        let mut edit = VersionEdit::new();
        // recover handles create_if_missing, error_if_exists.
        let save_manifest = inner.recover(&mut l, &mut edit)?;
        if inner.read_only {
            // The logs are in the memtable; nothing else to do, and nothing may be written.
            if l.mem.is_none() {
                l.mem = Some(inner.new_memtable());
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
            l.mem = Some(inner.new_memtable());
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
}
