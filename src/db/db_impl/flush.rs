//! The flush: a memtable written to a table (LevelDB's memtable compaction). A full memtable becomes `imm` when
//! the write path switches to a new one (`write.rs`); the background thread writes it to a table
//! (`write_level0_table`, which recovery uses too), records the table, and the log it no longer needs, in the
//! MANIFEST, and drops it.
//!
//! Invariant: `imm` is dropped, and the log before `log` closed, only once the MANIFEST record that names its
//! table is written: until then a read finds its entries in `imm`, and a recovery in its log.
//!
//! LevelDB: DBImpl::CompactMemTable, DBImpl::WriteLevel0Table (db/db_impl.cc)

use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;
use std::time::Duration;

use super::compaction::CompactionStats;
use super::{DBImpl, MutexLock};
use crate::db::builder::build_table;
use crate::db::event_listener as events;
use crate::db::memtable::MemTable;
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::db::version_set::Version;
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::WriteOptions;

impl DBImpl {
    /// Compacts the in-memory write buffer to disk. Switches to a new log-file/memtable and writes a new
    /// descriptor iff successful. Errors are recorded in bg_error.
    ///
    /// LevelDB: DBImpl::CompactMemTable
    pub(super) fn compact_mem_table(&self, l: &mut MutexLock<'_>) {
        if let Err(e) = self.flush_imm(l) {
            self.record_background_error(l, e);
        }
    }

    /// The work of `compact_mem_table`: writes the immutable memtable to a table and records it (with the log it
    /// no longer needs) in the MANIFEST; on success the memtable is dropped.
    pub(super) fn flush_imm(&self, l: &mut MutexLock<'_>) -> Result<()> {
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

    /// Writes `mem` to a new table (at the level `base` picks, or level 0) and records it in `edit`.
    ///
    /// LevelDB: DBImpl::WriteLevel0Table
    pub(super) fn write_level0_table(
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
        self.listen(|li| {
            li.on_flush_completed(&events::FlushCompleted {
                file_number: meta.number,
                level,
                file_size: meta.file_size,
                duration: Duration::from_micros(stats.micros),
                // `flush_imm` checks the same flag next, under the same hold of the mutex, under which shutdown
                // sets it: the event says exactly what happens to the table (recovery runs before any shutdown).
                stopped_by_shutdown: s.is_ok() && self.shutting_down.load(AtomicOrdering::Acquire),
                error: events::status_text(&s),
            })
        });
        s
    }

    /// Forces the current memtable contents to be compacted, and waits for it.
    ///
    /// LevelDB: DBImpl::TEST_CompactMemTable
    pub(super) fn test_compact_mem_table(&self) -> Result<()> {
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
}
