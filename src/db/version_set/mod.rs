//! `VersionSet`: the database's file bookkeeping — the current version, the MANIFEST that records how it came
//! to be, the counters (next file number, last sequence, log numbers), and the choice of the next compaction.
//!
//! The MANIFEST is a log of [`VersionEdit`]s: a new MANIFEST starts with a snapshot of the current version, and
//! every later change appends one edit. CURRENT names the MANIFEST in use. Recovery replays the edits.
//!
//! Concurrency: the set lives under the database mutex. LevelDB releases that mutex while it writes and syncs a
//! MANIFEST record; here that is explicit: [`VersionSet::prepare_log_and_apply`] (mutex held) builds the new
//! version and the record, [`ManifestWrite::write`] (mutex released) writes it, and
//! [`VersionSet::finish_log_and_apply`] (mutex held) installs the version, or drops it if the write failed.
//! Only one thread (the background thread, or the one opening the database) changes versions at a time.
//!
//! LevelDB: db/version_set.h, db/version_set.cc

mod builder;
mod compaction;
mod version;

#[cfg(test)]
mod tests;

pub use builder::Builder;
pub use compaction::Compaction;
pub use version::{new_concatenating_iterator, total_file_size, GetStats, Version};

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use crate::db::dbformat::{
    config, InternalKey, InternalKeyComparator, SequenceNumber, MAX_SEQUENCE_NUMBER,
};
use crate::db::filename::{
    current_file_name, descriptor_file_name, parse_file_name, set_current_file, FileType,
};
use crate::db::log;
use crate::db::table_cache::TableCache;
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::env::{read_file_to_string, Env, Logger};
use crate::error::{Error, Result};
use crate::info_log;
use crate::options::{Options, ReadOptions};
use crate::table::iterator::Iterator;
use crate::table::merger::new_merging_iterator;
use crate::util::comparator::Comparator;

/// Maximum number of bytes in all compacted files. We avoid expanding the lower level file set of a compaction if
/// it would make the total compaction cover more than this many bytes.
///
/// LevelDB: ExpandedCompactionByteSizeLimit
fn expanded_compaction_byte_size_limit(max_file_size: u64) -> u64 {
    25 * max_file_size
}

/// The size limit of a level: 10 MiB for levels 0 and 1, and ten times more for each level after.
///
/// LevelDB: MaxBytesForLevel
fn max_bytes_for_level(level: usize) -> f64 {
    // Note: the result for level zero is not really used since we set the level-0 compaction threshold based on
    // the number of files.
    let mut result = 10.0 * 1048576.0; // Result for both level-0 and level-1.
    for _ in 1..level.max(1) {
        result *= 10.0;
    }
    result
}

/// The minimal range that covers all entries in `inputs` (which must not be empty).
///
/// LevelDB: VersionSet::GetRange
fn get_range(
    icmp: &InternalKeyComparator,
    inputs: &[&Arc<FileMetaData>],
) -> (InternalKey, InternalKey) {
    let mut smallest = inputs[0].smallest.clone();
    let mut largest = inputs[0].largest.clone();
    for f in &inputs[1..] {
        if icmp.compare_internal_key(&f.smallest, &smallest) == Ordering::Less {
            smallest = f.smallest.clone();
        }
        if icmp.compare_internal_key(&f.largest, &largest) == Ordering::Greater {
            largest = f.largest.clone();
        }
    }
    (smallest, largest)
}

/// The minimal range that covers all entries of `inputs1` and `inputs2` (not both empty).
///
/// LevelDB: VersionSet::GetRange2
fn get_range2(
    icmp: &InternalKeyComparator,
    inputs1: &[Arc<FileMetaData>],
    inputs2: &[Arc<FileMetaData>],
) -> (InternalKey, InternalKey) {
    let all: Vec<&Arc<FileMetaData>> = inputs1.iter().chain(inputs2).collect();
    get_range(icmp, &all)
}

/// The largest key of `files`, if there are any.
///
/// LevelDB: FindLargestKey
pub fn find_largest_key(
    icmp: &InternalKeyComparator,
    files: &[Arc<FileMetaData>],
) -> Option<InternalKey> {
    let mut largest = &files.first()?.largest;
    for f in &files[1..] {
        if icmp.compare_internal_key(&f.largest, largest) == Ordering::Greater {
            largest = &f.largest;
        }
    }
    Some(largest.clone())
}

/// The smallest file b2 = (l2, u2) of `level_files` with l2 > `largest_key` and user_key(l2) == user_key of
/// `largest_key`.
///
/// LevelDB: FindSmallestBoundaryFile
pub fn find_smallest_boundary_file<'a>(
    icmp: &InternalKeyComparator,
    level_files: &'a [Arc<FileMetaData>],
    largest_key: &InternalKey,
) -> Option<&'a Arc<FileMetaData>> {
    let user_cmp = icmp.user_comparator();
    let mut smallest_boundary_file: Option<&Arc<FileMetaData>> = None;
    for f in level_files {
        if icmp.compare_internal_key(&f.smallest, largest_key) == Ordering::Greater
            && user_cmp.compare(f.smallest.user_key(), largest_key.user_key()) == Ordering::Equal
            && smallest_boundary_file.is_none_or(|b| {
                icmp.compare_internal_key(&f.smallest, &b.smallest) == Ordering::Less
            })
        {
            smallest_boundary_file = Some(f);
        }
    }
    smallest_boundary_file
}

/// Extends `compaction_files` with the boundary files of `level_files`: if the largest file b1 = (l1, u1) of the
/// compaction and a file b2 = (l2, u2) of the level have user_key(u1) == user_key(l2), b2 must be compacted too,
/// or a later read would find the older entry of that user key in b2 (still at this level) before the newer one
/// (moved down a level).
///
/// LevelDB: AddBoundaryInputs
pub fn add_boundary_inputs(
    icmp: &InternalKeyComparator,
    level_files: &[Arc<FileMetaData>],
    compaction_files: &mut Vec<Arc<FileMetaData>>,
) {
    // Quick return if compaction_files is empty.
    let Some(mut largest_key) = find_largest_key(icmp, compaction_files) else {
        return;
    };
    // If a boundary file was found, advance largest_key, otherwise we're done.
    while let Some(f) = find_smallest_boundary_file(icmp, level_files, &largest_key) {
        compaction_files.push(f.clone());
        largest_key = f.largest.clone();
    }
}

/// A MANIFEST record prepared under the database mutex, to be written without it.
pub struct ManifestWrite {
    version: Version,
    record: Vec<u8>,
    /// The descriptor log, taken out of the set for the time of the write.
    log: Option<log::Writer>,
    /// Set when this write starts a new MANIFEST (CURRENT must then be switched to it).
    new_manifest_file: Option<PathBuf>,
    status: Result<()>,
    log_number: u64,
    prev_log_number: u64,
    env: Arc<dyn Env>,
    dbname: PathBuf,
    manifest_file_number: u64,
    info_log: Option<Arc<dyn Logger>>,
}

impl ManifestWrite {
    /// The MANIFEST's number, whether this write starts it, and the record's length: for an event listener.
    pub fn describe(&self) -> (u64, bool, usize) {
        (self.manifest_file_number, self.new_manifest_file.is_some(), self.record.len())
    }

    /// Writes and syncs the record, and switches CURRENT to a new MANIFEST. Call without the database mutex.
    ///
    /// LevelDB: the unlocked part of VersionSet::LogAndApply
    pub fn write(&mut self) {
        if self.status.is_err() {
            return;
        }
        if let Some(log) = self.log.as_mut() {
            // Write the new record to the MANIFEST log.
            self.status = log.add_record(&self.record).and_then(|_| log.file().sync());
            if let Err(e) = &self.status {
                info_log!(self.info_log, "MANIFEST write: {}\n", e);
            }
        }
        // If we just created a new descriptor file, install it by writing a new CURRENT file that points to it.
        if self.status.is_ok() && self.new_manifest_file.is_some() {
            self.status = set_current_file(&*self.env, &self.dbname, self.manifest_file_number);
        }
    }
}

/// Records the first corruption the MANIFEST reader reports.
///
/// LevelDB: VersionSet::Recover::LogReporter
struct LogReporter {
    status: RefCell<Result<()>>,
}

impl log::Reporter for LogReporter {
    fn corruption(&self, _bytes: usize, s: &Error) {
        let mut status = self.status.borrow_mut();
        if status.is_ok() {
            *status = Err(s.clone());
        }
    }
}

/// LevelDB: VersionSet
pub struct VersionSet {
    env: Arc<dyn Env>,
    dbname: PathBuf,
    options: Options,
    table_cache: Arc<TableCache>,
    icmp: InternalKeyComparator,
    next_file_number: u64,
    manifest_file_number: u64,
    last_sequence: SequenceNumber,
    log_number: u64,
    /// 0 or the backing store for the memtable being compacted.
    prev_log_number: u64,

    /// Opened lazily.
    descriptor_log: Option<log::Writer>,
    /// Every version made, to find the files still in use; versions nobody holds any more are skipped (and
    /// pruned).
    versions: Vec<Weak<Version>>,
    current: Arc<Version>,

    /// Per-level key at which the next compaction at that level should start. Either an empty string, or a valid
    /// InternalKey.
    compact_pointer: [Vec<u8>; config::NUM_LEVELS],
}

impl VersionSet {
    /// A version set for database `dbname`, opened with `options` (sanitized: the comparator is `icmp`).
    ///
    /// LevelDB: VersionSet::VersionSet
    pub fn new(
        dbname: &Path,
        options: &Options,
        table_cache: Arc<TableCache>,
        icmp: InternalKeyComparator,
    ) -> VersionSet {
        let current = Arc::new(Version::new(
            icmp.clone(),
            table_cache.clone(),
            options.max_file_size as u64,
        ));
        VersionSet {
            env: options.env.clone(),
            dbname: dbname.to_path_buf(),
            options: options.clone(),
            table_cache,
            icmp,
            next_file_number: 2,
            manifest_file_number: 0, // Filled by recover().
            last_sequence: 0,
            log_number: 0,
            prev_log_number: 0,
            descriptor_log: None,
            versions: vec![Arc::downgrade(&current)],
            current,
            compact_pointer: Default::default(),
        }
    }

    fn max_file_size(&self) -> u64 {
        self.options.max_file_size as u64
    }

    fn new_version(&self) -> Version {
        Version::new(
            self.icmp.clone(),
            self.table_cache.clone(),
            self.max_file_size(),
        )
    }

    /// The current version.
    ///
    /// LevelDB: VersionSet::current
    pub fn current(&self) -> &Arc<Version> {
        &self.current
    }

    /// LevelDB: VersionSet::AppendVersion
    fn append_version(&mut self, v: Version) {
        let v = Arc::new(v);
        self.versions.retain(|w| w.strong_count() > 0);
        self.versions.push(Arc::downgrade(&v));
        self.current = v;
    }

    /// Applies `edit` to the current version to form a new descriptor that is both saved to persistent state and
    /// installed as the new current version, without releasing any lock (for single-threaded callers: opening,
    /// repair, tests).
    ///
    /// LevelDB: VersionSet::LogAndApply
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn log_and_apply(&mut self, edit: &mut VersionEdit) -> Result<()> {
        let mut write = self.prepare_log_and_apply(edit);
        write.write();
        self.finish_log_and_apply(write)
    }

    /// The first part of LogAndApply, under the database mutex: fills in the edit's log numbers, next file and
    /// last sequence, builds the new version, and prepares the MANIFEST record (creating a new MANIFEST with a
    /// snapshot of the current version if none is open).
    ///
    /// LevelDB: VersionSet::LogAndApply (before the mutex is released)
    pub fn prepare_log_and_apply(&mut self, edit: &mut VersionEdit) -> ManifestWrite {
        match edit.log_number() {
            Some(n) => {
                debug_assert!(n >= self.log_number);
                debug_assert!(n < self.next_file_number);
            }
            None => edit.set_log_number(self.log_number),
        }
        if edit.prev_log_number().is_none() {
            edit.set_prev_log_number(self.prev_log_number);
        }
        edit.set_next_file(self.next_file_number);
        edit.set_last_sequence(self.last_sequence);

        let mut v = self.new_version();
        {
            let mut builder = Builder::new(&self.icmp, self.current.clone());
            builder.apply(edit, &mut self.compact_pointer);
            builder.save_to(&mut v);
        }
        self.finalize(&mut v);

        // Initialize a new descriptor log file if necessary by creating a temporary file that contains a snapshot
        // of the current version.
        let mut new_manifest_file = None;
        let mut status = Ok(());
        if self.descriptor_log.is_none() {
            // No reason to release the mutex here since we only hit this path in the first call to
            // log_and_apply (when opening the database).
            let fname = descriptor_file_name(&self.dbname, self.manifest_file_number);
            edit.set_next_file(self.next_file_number);
            status = self.env.new_writable_file(&fname).and_then(|file| {
                let mut log = log::Writer::new(file);
                let result = self.write_snapshot(&mut log);
                self.descriptor_log = Some(log);
                result
            });
            new_manifest_file = Some(fname);
        }

        let mut record = Vec::new();
        edit.encode_to(&mut record);
        ManifestWrite {
            version: v,
            record,
            log: self.descriptor_log.take(),
            new_manifest_file,
            status,
            log_number: edit.log_number().unwrap_or(0),
            prev_log_number: edit.prev_log_number().unwrap_or(0),
            env: self.env.clone(),
            dbname: self.dbname.clone(),
            manifest_file_number: self.manifest_file_number,
            info_log: self.options.info_log.clone(),
        }
    }

    /// The last part of LogAndApply, under the database mutex: installs the new version if the write succeeded;
    /// otherwise drops it and, if the write had started a new MANIFEST, removes that MANIFEST.
    ///
    /// LevelDB: VersionSet::LogAndApply (after the mutex is taken again)
    pub fn finish_log_and_apply(&mut self, write: ManifestWrite) -> Result<()> {
        let ManifestWrite {
            version,
            log,
            new_manifest_file,
            status,
            log_number,
            prev_log_number,
            ..
        } = write;
        match &status {
            Ok(()) => {
                self.descriptor_log = log;
                self.append_version(version);
                self.log_number = log_number;
                self.prev_log_number = prev_log_number;
            }
            Err(_) => {
                // The new version is dropped. A MANIFEST this write started is abandoned and removed; an existing
                // one stays open, as in LevelDB.
                match new_manifest_file {
                    Some(fname) => {
                        drop(log);
                        let _ = self.env.remove_file(&fname);
                    }
                    None => self.descriptor_log = log,
                }
            }
        }
        status
    }

    /// Recovers the last saved descriptor from persistent storage. Returns whether a new MANIFEST must be written
    /// (false when the old one is reused).
    ///
    /// LevelDB: VersionSet::Recover
    pub fn recover(&mut self) -> Result<bool> {
        // Read "CURRENT" file, which contains a pointer to the current manifest file.
        let current = read_file_to_string(&*self.env, &current_file_name(&self.dbname))?;
        if current.last() != Some(&b'\n') {
            return Err(Error::corruption(
                "CURRENT file does not end with newline",
                "",
            ));
        }
        // The name's bytes as they are, as LevelDB takes them: a damaged name made valid UTF-8 would be another name
        // (longer, too: it failed with "File name too long" where LevelDB's was not found; found by the
        // recovery_differential fuzz target).
        let current = &current[..current.len() - 1];
        let dscname = self.dbname.join(OsStr::from_bytes(current));
        let file = match self.env.new_sequential_file(&dscname) {
            Ok(file) => file,
            Err(e) if e.is_not_found() => {
                return Err(Error::corruption(
                    "CURRENT points to a non-existent file",
                    e.to_string(),
                ));
            }
            Err(e) => return Err(e),
        };

        let mut log_number = None;
        let mut prev_log_number = None;
        let mut next_file = None;
        let mut last_sequence = None;
        let mut builder = Builder::new(&self.icmp, self.current.clone());
        let mut read_records = 0;
        let mut torn_tail;
        let reporter = LogReporter {
            status: RefCell::new(Ok(())),
        };
        {
            let mut reader = log::Reader::new(
                file,
                Some(&reporter),
                true, /* checksum */
                0,    /* initial_offset */
            )
            // An edit torn by a crash was never synced, so nothing acknowledged depends on it (the logs it would
            // release are still there): recover the state before it. Not in LevelDB, which fails the open.
            .tolerate_torn_last_record();
            let mut record = Vec::new();
            while reader.read_record(&mut record) && reporter.status.borrow().is_ok() {
                read_records += 1;
                let mut status = VersionEdit::decode_from(&record);
                if let Ok(edit) = &status {
                    let user_comparator = self.icmp.user_comparator().name();
                    if let Some(name) = edit.comparator().filter(|name| *name != user_comparator) {
                        status = Err(Error::invalid_argument(
                            format!("{name} does not match existing comparator "),
                            user_comparator,
                        ));
                    }
                }
                match status {
                    Ok(edit) => {
                        builder.apply(&edit, &mut self.compact_pointer);
                        log_number = edit.log_number().or(log_number);
                        prev_log_number = edit.prev_log_number().or(prev_log_number);
                        next_file = edit.next_file_number().or(next_file);
                        last_sequence = edit.last_sequence().or(last_sequence);
                    }
                    Err(e) => {
                        *reporter.status.borrow_mut() = Err(e);
                    }
                }
            }
            torn_tail = reader.ends_in_torn_record();
            // A torn edit follows a whole state (the MANIFEST's first record, synced before CURRENT names the file,
            // holds every field). If the records before the damage lack one, the damage is no torn edit: it is
            // reported as LevelDB reports it (found by the recovery_differential fuzz target).
            if torn_tail && (next_file.is_none() || log_number.is_none() || last_sequence.is_none()) {
                reader.report_torn_tail();
                torn_tail = false;
            }
        }
        if torn_tail {
            info_log!(
                self.options.info_log,
                "MANIFEST {} ends in a torn record; recovering the state before it\n",
                dscname.display()
            );
        }

        let mut status = reporter.status.into_inner();
        if status.is_ok() {
            if next_file.is_none() {
                status = Err(Error::corruption(
                    "no meta-nextfile entry in descriptor",
                    "",
                ));
            } else if log_number.is_none() {
                status = Err(Error::corruption(
                    "no meta-lognumber entry in descriptor",
                    "",
                ));
            } else if last_sequence.is_none() {
                status = Err(Error::corruption(
                    "no last-sequence-number entry in descriptor",
                    "",
                ));
            }
        }
        if let Err(e) = status {
            info_log!(
                self.options.info_log,
                "Error recovering version set with {} records: {}",
                read_records,
                e
            );
            return Err(e);
        }

        let (next_file, log_number, last_sequence) = (
            next_file.unwrap_or(0),
            log_number.unwrap_or(0),
            last_sequence.unwrap_or(0),
        );
        let prev_log_number = prev_log_number.unwrap_or(0);
        self.mark_file_number_used(prev_log_number);
        self.mark_file_number_used(log_number);

        let mut v = self.new_version();
        builder.save_to(&mut v);
        drop(builder);
        // Install the recovered version.
        self.finalize(&mut v);
        self.append_version(v);
        self.manifest_file_number = next_file;
        self.next_file_number = next_file + 1;
        self.last_sequence = last_sequence;
        self.log_number = log_number;
        self.prev_log_number = prev_log_number;

        // See if we can reuse the existing MANIFEST file. Not one that ends in a torn record (the writer died in
        // the middle of it): a record appended after it would make the MANIFEST unreadable. Stricter than
        // LevelDB.
        Ok(torn_tail || !self.reuse_manifest(&dscname, &String::from_utf8_lossy(current)))
    }

    /// With `reuse_logs`, keeps appending to the MANIFEST just recovered, unless it has grown too big.
    ///
    /// LevelDB: VersionSet::ReuseManifest
    fn reuse_manifest(&mut self, dscname: &Path, dscbase: &str) -> bool {
        if !self.options.reuse_logs {
            return false;
        }
        let Some((manifest_number, FileType::DescriptorFile)) = parse_file_name(dscbase) else {
            return false;
        };
        let Ok(manifest_size) = self.env.get_file_size(dscname) else {
            return false;
        };
        // Make a new compacted MANIFEST if the old one is too big.
        if manifest_size >= self.max_file_size() {
            return false;
        }

        debug_assert!(self.descriptor_log.is_none());
        match self.env.new_appendable_file(dscname) {
            Ok(file) => {
                info_log!(
                    self.options.info_log,
                    "Reusing MANIFEST {}\n",
                    dscname.display()
                );
                self.descriptor_log = Some(log::Writer::new_with_offset(file, manifest_size));
                self.manifest_file_number = manifest_number;
                true
            }
            Err(e) => {
                info_log!(self.options.info_log, "Reuse MANIFEST: {}\n", e);
                false
            }
        }
    }

    /// The current log file number.
    ///
    /// LevelDB: VersionSet::LogNumber
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// The log file number of the log that is currently being compacted, or zero if there is none.
    ///
    /// LevelDB: VersionSet::PrevLogNumber
    pub fn prev_log_number(&self) -> u64 {
        self.prev_log_number
    }

    /// The current manifest file number.
    ///
    /// LevelDB: VersionSet::ManifestFileNumber
    pub fn manifest_file_number(&self) -> u64 {
        self.manifest_file_number
    }

    /// Allocates and returns a new file number.
    ///
    /// LevelDB: VersionSet::NewFileNumber
    pub fn new_file_number(&mut self) -> u64 {
        let n = self.next_file_number;
        self.next_file_number += 1;
        n
    }

    /// Arranges to reuse `file_number` unless a newer file number has already been allocated.
    ///
    /// LevelDB: VersionSet::ReuseFileNumber
    pub fn reuse_file_number(&mut self, file_number: u64) {
        if self.next_file_number == file_number + 1 {
            self.next_file_number = file_number;
        }
    }

    /// Marks the specified file number as used.
    ///
    /// LevelDB: VersionSet::MarkFileNumberUsed
    pub fn mark_file_number_used(&mut self, number: u64) {
        if self.next_file_number <= number {
            self.next_file_number = number + 1;
        }
    }

    /// Closes the MANIFEST being written, as the VersionSet's destructor does; a later `log_and_apply` would start
    /// a new one. The database calls it when it closes, so that the file is closed when the database handle is
    /// gone, whatever still holds the rest of the database (an iterator, a background job that just finished).
    ///
    /// LevelDB: VersionSet::~VersionSet (delete descriptor_log_, descriptor_file_)
    pub fn close_manifest(&mut self) {
        self.descriptor_log = None;
    }

    /// Closes the MANIFEST being written and takes a new file number for the next one, so that the next
    /// `log_and_apply` writes a new MANIFEST (a snapshot of the current version) and points CURRENT to it,
    /// rather than appending after what a failed write may have left torn. Not in LevelDB.
    ///
    /// RocksDB: what VersionSet::LogAndApply does after a MANIFEST write error
    pub fn start_new_manifest(&mut self) {
        self.descriptor_log = None;
        self.manifest_file_number = self.new_file_number();
    }

    /// The last sequence number.
    ///
    /// LevelDB: VersionSet::LastSequence
    pub fn last_sequence(&self) -> SequenceNumber {
        self.last_sequence
    }

    /// Sets the last sequence number to `s`, which must not be smaller than it, unless it wraps around: a damaged
    /// log can leave the last sequence past the largest valid one, and LevelDB's unsigned arithmetic then wraps.
    ///
    /// LevelDB: VersionSet::SetLastSequence
    pub fn set_last_sequence(&mut self, s: SequenceNumber) {
        debug_assert!(s >= self.last_sequence || self.last_sequence > MAX_SEQUENCE_NUMBER);
        self.last_sequence = s;
    }

    /// The number of table files at the specified level.
    ///
    /// LevelDB: VersionSet::NumLevelFiles
    pub fn num_level_files(&self, level: usize) -> usize {
        self.current.files(level).len()
    }

    /// The combined file size of all files at the specified level.
    ///
    /// LevelDB: VersionSet::NumLevelBytes
    pub fn num_level_bytes(&self, level: usize) -> u64 {
        total_file_size(self.current.files(level))
    }

    /// Precomputes the best level for the next compaction.
    ///
    /// LevelDB: VersionSet::Finalize
    fn finalize(&self, v: &mut Version) {
        let mut best_level = None;
        let mut best_score = -1.0;
        for level in 0..config::NUM_LEVELS - 1 {
            let score = if level == 0 {
                // We treat level-0 specially by bounding the number of files instead of the number of bytes for
                // two reasons:
                //
                // (1) With larger write-buffer sizes, it is nice not to do too many level-0 compactions.
                //
                // (2) The files in level-0 are merged on every read and therefore we wish to avoid too many files
                // when the individual file size is small (perhaps because of a small write-buffer setting, or very
                // high compression ratios, or lots of overwrites/deletions).
                v.files(level).len() as f64 / config::L0_COMPACTION_TRIGGER as f64
            } else {
                // Compute the ratio of the current size to the size limit.
                total_file_size(v.files(level)) as f64 / max_bytes_for_level(level)
            };
            if score > best_score {
                best_level = Some(level);
                best_score = score;
            }
        }
        v.compaction_level = best_level.unwrap_or(0);
        v.compaction_score = best_score;
    }

    /// Saves the current contents to `log`: the comparator name, the compaction pointers and every file.
    ///
    /// LevelDB: VersionSet::WriteSnapshot
    fn write_snapshot(&self, log: &mut log::Writer) -> Result<()> {
        // TODO (as in LevelDB): break up into multiple records to reduce memory usage on recovery?
        let mut edit = VersionEdit::new();
        edit.set_comparator_name(self.icmp.user_comparator().name());

        // Save compaction pointers.
        for (level, pointer) in self.compact_pointer.iter().enumerate() {
            if !pointer.is_empty() {
                edit.set_compact_pointer(level, InternalKey::from_encoding(pointer));
            }
        }

        // Save files.
        for level in 0..config::NUM_LEVELS {
            for f in self.current.files(level) {
                edit.add_file(
                    level,
                    f.number,
                    f.file_size,
                    f.smallest.clone(),
                    f.largest.clone(),
                );
            }
        }

        let mut record = Vec::new();
        edit.encode_to(&mut record);
        log.add_record(&record)
    }

    /// The number of files per level, as `files[ 0 1 2 0 0 0 0 ]`.
    ///
    /// LevelDB: VersionSet::LevelSummary
    pub fn level_summary(&self) -> String {
        let counts: Vec<String> = (0..config::NUM_LEVELS)
            .map(|l| self.current.files(l).len().to_string())
            .collect();
        format!("files[ {} ]", counts.join(" "))
    }

    /// The approximate offset in the database of the data for `ikey` as of version `v`.
    ///
    /// LevelDB: VersionSet::ApproximateOffsetOf
    pub fn approximate_offset_of(&self, v: &Version, ikey: &InternalKey) -> u64 {
        let mut result = 0;
        for level in 0..config::NUM_LEVELS {
            for f in v.files(level) {
                if self.icmp.compare_internal_key(&f.largest, ikey) != Ordering::Greater {
                    // The entire file is before "ikey", so just add the file size.
                    result += f.file_size;
                } else if self.icmp.compare_internal_key(&f.smallest, ikey) == Ordering::Greater {
                    // The entire file is after "ikey", so ignore.
                    if level > 0 {
                        // Files other than level 0 are sorted by smallest key, so no further files in this level
                        // will contain data for "ikey".
                        break;
                    }
                } else {
                    // "ikey" falls in the range for this table. Add the approximate offset of "ikey" within the
                    // table.
                    result += self.table_cache.approximate_offset_of(
                        f.number,
                        f.file_size,
                        ikey.encode(),
                    );
                }
            }
        }
        result
    }

    /// Adds all files listed in any live version to `live`.
    ///
    /// LevelDB: VersionSet::AddLiveFiles
    pub fn add_live_files(&mut self, live: &mut HashSet<u64>) {
        self.versions.retain(|w| w.strong_count() > 0);
        for v in self.versions.iter().filter_map(Weak::upgrade) {
            for level in 0..config::NUM_LEVELS {
                live.extend(v.files(level).iter().map(|f| f.number));
            }
        }
    }

    /// The maximum overlapping data (in bytes) at the next level for any file at a level >= 1.
    ///
    /// LevelDB: VersionSet::MaxNextLevelOverlappingBytes
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn max_next_level_overlapping_bytes(&self) -> u64 {
        let mut result = 0;
        for level in 1..config::NUM_LEVELS - 1 {
            for f in self.current.files(level) {
                let overlaps = self.current.get_overlapping_inputs(
                    level + 1,
                    Some(&f.smallest),
                    Some(&f.largest),
                );
                result = result.max(total_file_size(&overlaps));
            }
        }
        result
    }

    /// An iterator that reads over the compaction inputs for `c`.
    ///
    /// LevelDB: VersionSet::MakeInputIterator
    pub fn make_input_iterator(&self, c: &Compaction) -> Box<dyn Iterator> {
        let options = ReadOptions {
            verify_checksums: self.options.paranoid_checks,
            fill_cache: false,
            snapshot: None,
        };

        // Level-0 files have to be merged together. For other levels, we will make a concatenating iterator per
        // level.
        let mut list: Vec<Box<dyn Iterator>> = Vec::new();
        for (which, files) in c.inputs.iter().enumerate() {
            if files.is_empty() {
                continue;
            }
            if c.level() + which == 0 {
                for f in files {
                    list.push(
                        self.table_cache
                            .new_iterator(&options, f.number, f.file_size),
                    );
                }
            } else {
                // Create a concatenating iterator for the files from this level.
                list.push(new_concatenating_iterator(
                    self.icmp.clone(),
                    self.table_cache.clone(),
                    Arc::new(files.clone()),
                    &options,
                ));
            }
        }
        new_merging_iterator(self.comparator(), list)
    }

    /// The internal key comparator, as the `Comparator` iterators take.
    fn comparator(&self) -> Arc<dyn Comparator> {
        Arc::new(self.icmp.clone())
    }

    /// True iff some level needs a compaction.
    ///
    /// LevelDB: VersionSet::NeedsCompaction
    pub fn needs_compaction(&self) -> bool {
        self.current.compaction_score >= 1.0 || self.current.file_to_compact().is_some()
    }

    /// Picks level and inputs for a new compaction; `None` if there is no compaction to be done.
    ///
    /// LevelDB: VersionSet::PickCompaction
    pub fn pick_compaction(&mut self) -> Option<Compaction> {
        // We prefer compactions triggered by too much data in a level over the compactions triggered by seeks.
        let current = self.current.clone();
        let size_compaction = current.compaction_score >= 1.0;
        let seek_compaction = current.file_to_compact();
        let level;
        let mut c;
        if size_compaction {
            level = current.compaction_level;
            debug_assert!(level + 1 < config::NUM_LEVELS);
            c = Compaction::new(
                self.icmp.clone(),
                self.max_file_size(),
                level,
                current.clone(),
            );

            // Pick the first file that comes after compact_pointer[level].
            let pointer = &self.compact_pointer[level];
            let first = current.files(level).iter().find(|f| {
                pointer.is_empty()
                    || self.icmp.compare(f.largest.encode(), pointer) == Ordering::Greater
            });
            // Wrap around to the beginning of the key space.
            let first = first.or_else(|| current.files(level).first())?;
            c.inputs[0].push(first.clone());
        } else if let Some((file, file_level)) = seek_compaction {
            level = file_level;
            c = Compaction::new(
                self.icmp.clone(),
                self.max_file_size(),
                level,
                current.clone(),
            );
            c.inputs[0].push(file);
        } else {
            return None;
        }

        // Files in level 0 may overlap each other, so pick up all overlapping ones.
        if level == 0 {
            let inputs: Vec<&Arc<FileMetaData>> = c.inputs[0].iter().collect();
            let (smallest, largest) = get_range(&self.icmp, &inputs);
            // Note that the next call will discard the file we placed in c.inputs[0] earlier and replace it with
            // an overlapping set which will include the picked file.
            c.inputs[0] = current.get_overlapping_inputs(0, Some(&smallest), Some(&largest));
            debug_assert!(!c.inputs[0].is_empty());
        }

        self.setup_other_inputs(&mut c);
        Some(c)
    }

    /// Completes the inputs of `c`: boundary files, the overlapping files of the next level, an expansion of the
    /// level's inputs if it does not pull in more next-level files, the grandparents, and the compaction pointer.
    ///
    /// LevelDB: VersionSet::SetupOtherInputs
    fn setup_other_inputs(&mut self, c: &mut Compaction) {
        let level = c.level();
        let current = self.current.clone();

        add_boundary_inputs(&self.icmp, current.files(level), &mut c.inputs[0]);
        let inputs0: Vec<&Arc<FileMetaData>> = c.inputs[0].iter().collect();
        let (_, mut largest) = get_range(&self.icmp, &inputs0);
        let (smallest, _) = get_range(&self.icmp, &inputs0);

        c.inputs[1] = current.get_overlapping_inputs(level + 1, Some(&smallest), Some(&largest));

        // Get the entire range covered by the compaction.
        let (mut all_start, mut all_limit) = get_range2(&self.icmp, &c.inputs[0], &c.inputs[1]);

        // See if we can grow the number of inputs in "level" without changing the number of "level+1" files we
        // pick up.
        if !c.inputs[1].is_empty() {
            let mut expanded0 =
                current.get_overlapping_inputs(level, Some(&all_start), Some(&all_limit));
            add_boundary_inputs(&self.icmp, current.files(level), &mut expanded0);
            let inputs0_size = total_file_size(&c.inputs[0]);
            let inputs1_size = total_file_size(&c.inputs[1]);
            let expanded0_size = total_file_size(&expanded0);
            if expanded0.len() > c.inputs[0].len()
                && inputs1_size + expanded0_size
                    < expanded_compaction_byte_size_limit(self.max_file_size())
            {
                let expanded0_refs: Vec<&Arc<FileMetaData>> = expanded0.iter().collect();
                let (new_start, new_limit) = get_range(&self.icmp, &expanded0_refs);
                let expanded1 =
                    current.get_overlapping_inputs(level + 1, Some(&new_start), Some(&new_limit));
                if expanded1.len() == c.inputs[1].len() {
                    info_log!(
                        self.options.info_log,
                        "Expanding@{} {}+{} ({}+{} bytes) to {}+{} ({}+{} bytes)\n",
                        level,
                        c.inputs[0].len(),
                        c.inputs[1].len(),
                        inputs0_size,
                        inputs1_size,
                        expanded0.len(),
                        expanded1.len(),
                        expanded0_size,
                        inputs1_size
                    );
                    largest = new_limit;
                    c.inputs[0] = expanded0;
                    c.inputs[1] = expanded1;
                    (all_start, all_limit) = get_range2(&self.icmp, &c.inputs[0], &c.inputs[1]);
                }
            }
        }

        // Compute the set of grandparent files that overlap this compaction (parent == level+1;
        // grandparent == level+2).
        if level + 2 < config::NUM_LEVELS {
            c.grandparents =
                current.get_overlapping_inputs(level + 2, Some(&all_start), Some(&all_limit));
        }

        // Update the place where we will do the next compaction for this level. We update this immediately instead
        // of waiting for the VersionEdit to be applied so that if the compaction fails, we will try a different key
        // range next time.
        self.compact_pointer[level] = largest.encode().to_vec();
        c.edit.set_compact_pointer(level, largest);
    }

    /// A compaction for the range `[begin, end]` (`None` is unbounded) in the specified level; `None` if nothing
    /// in that level overlaps the range.
    ///
    /// LevelDB: VersionSet::CompactRange
    pub fn compact_range(
        &mut self,
        level: usize,
        begin: Option<&InternalKey>,
        end: Option<&InternalKey>,
    ) -> Option<Compaction> {
        let current = self.current.clone();
        let mut inputs = current.get_overlapping_inputs(level, begin, end);
        if inputs.is_empty() {
            return None;
        }

        // Avoid compacting too much in one shot in case the range is large. But we cannot do this for level-0
        // since level-0 files can overlap and we must not pick one file and drop another older file if the two
        // files overlap.
        if level > 0 {
            let limit = self.max_file_size();
            let mut total = 0;
            if let Some(i) = inputs.iter().position(|f| {
                total += f.file_size;
                total >= limit
            }) {
                inputs.truncate(i + 1);
            }
        }

        let mut c = Compaction::new(self.icmp.clone(), self.max_file_size(), level, current);
        c.inputs[0] = inputs;
        self.setup_other_inputs(&mut c);
        Some(c)
    }
}
