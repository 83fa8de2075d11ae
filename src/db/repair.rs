//! `repair_db`: rebuilds a database's MANIFEST from the files it finds, when the MANIFEST is lost or damaged.
//!
//! We recover the contents of the descriptor from the other files we find.
//! 1. Any log files are first converted to tables (corrupt records are skipped, and logged).
//! 2. We scan every table to compute (a) smallest/largest for the table and (b) the largest sequence number in
//!    the table. A table that cannot be read whole is copied, entry by entry as far as it reads, into a new table
//!    that replaces it.
//! 3. We generate descriptor contents: the log number is set to zero; next-file-number is set to 1 + the largest
//!    file number we found; last-sequence-number is set to the largest sequence number found across all tables;
//!    compaction pointers are cleared; every table file is added at level 0.
//!
//! The old MANIFESTs, the converted logs and the tables that could not be saved are moved into `lost/`.
//!
//! LevelDB: db/repair.cc

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::builder::build_table;
use crate::db::db_impl::sanitize_options;
use crate::db::dbformat::{parse_internal_key, InternalKeyComparator, SequenceNumber};
use crate::db::filename::{
    descriptor_file_name, log_file_name, parse_file_name, set_current_file, sst_table_file_name,
    table_file_name, temp_file_name, FileType,
};
use crate::db::log;
use crate::db::memtable::MemTable;
use crate::db::table_cache::TableCache;
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::db::write_batch::WriteBatch;
use crate::env::Env;
use crate::error::{status_string, Error, Result};
use crate::info_log;
use crate::options::{Options, ReadOptions};
use crate::table::iterator::Iterator;
use crate::table::TableBuilder;
use crate::util::logging::escape_string;

/// A table found, with what a scan of it learned.
///
/// LevelDB: Repairer::TableInfo
struct TableInfo {
    meta: FileMetaData,
    max_sequence: SequenceNumber,
}

/// LevelDB: Repairer
struct Repairer {
    dbname: PathBuf,
    env: Arc<dyn Env>,
    icmp: InternalKeyComparator,
    options: Options,
    table_cache: Arc<TableCache>,
    edit: VersionEdit,

    manifests: Vec<String>,
    table_numbers: Vec<u64>,
    logs: Vec<u64>,
    tables: Vec<TableInfo>,
    next_file_number: u64,
}

/// Reports the corruptions of a log being converted; the repair goes on.
///
/// LevelDB: Repairer::ConvertLogToTable's LogReporter
struct LogReporter<'a> {
    info_log: &'a Option<Arc<dyn crate::env::Logger>>,
    lognum: u64,
}

impl log::Reporter for LogReporter<'_> {
    fn corruption(&self, bytes: usize, s: &Error) {
        // We print error messages for corruption, but continue repairing.
        info_log!(
            self.info_log,
            "Log #{}: dropping {} bytes; {}",
            self.lognum,
            bytes as i32,
            s
        );
    }
}

impl Repairer {
    /// LevelDB: Repairer::Repairer
    fn new(dbname: &Path, options: &Options) -> Repairer {
        let icmp = InternalKeyComparator::new(options.comparator.clone());
        let options = sanitize_options(dbname, &icmp, options);
        // The TableCache can be small since we expect each table to be opened once.
        let table_cache = Arc::new(TableCache::new(dbname, options.clone(), 10));
        Repairer {
            dbname: dbname.to_path_buf(),
            env: options.env.clone(),
            icmp,
            options,
            table_cache,
            edit: VersionEdit::new(),
            manifests: Vec::new(),
            table_numbers: Vec::new(),
            logs: Vec::new(),
            tables: Vec::new(),
            next_file_number: 1,
        }
    }

    /// LevelDB: Repairer::Run
    fn run(&mut self) -> Result<()> {
        self.find_files()?;
        self.convert_log_files_to_tables();
        self.extract_meta_data();
        self.write_descriptor()?;
        let bytes: u64 = self.tables.iter().map(|t| t.meta.file_size).sum();
        info_log!(
            self.options.info_log,
            "**** Repaired leveldb {}; recovered {} files; {} bytes. Some data may have been lost. ****",
            self.dbname.display(),
            self.tables.len(),
            bytes
        );
        Ok(())
    }

    /// LevelDB: Repairer::FindFiles
    fn find_files(&mut self) -> Result<()> {
        let filenames = self.env.get_children(&self.dbname)?;
        if filenames.is_empty() {
            return Err(Error::io_error(
                self.dbname.to_string_lossy(),
                "repair found no files",
            ));
        }
        for filename in filenames {
            let Some((number, file_type)) = parse_file_name(&filename) else {
                continue;
            };
            if file_type == FileType::DescriptorFile {
                self.manifests.push(filename);
            } else {
                if number + 1 > self.next_file_number {
                    self.next_file_number = number + 1;
                }
                match file_type {
                    FileType::LogFile => self.logs.push(number),
                    FileType::TableFile => self.table_numbers.push(number),
                    _ => {} // Ignore other files.
                }
            }
        }
        Ok(())
    }

    /// LevelDB: Repairer::ConvertLogFilesToTables
    fn convert_log_files_to_tables(&mut self) {
        for log in self.logs.clone() {
            let logname = log_file_name(&self.dbname, log);
            if let Err(e) = self.convert_log_to_table(log) {
                info_log!(
                    self.options.info_log,
                    "Log #{}: ignoring conversion error: {}",
                    log,
                    e
                );
            }
            self.archive_file(&logname);
        }
    }

    /// LevelDB: Repairer::ConvertLogToTable
    fn convert_log_to_table(&mut self, log: u64) -> Result<()> {
        // Open the log file.
        let logname = log_file_name(&self.dbname, log);
        let lfile = self.env.new_sequential_file(&logname)?;

        // Create the log reader. Unlike recovery, it does not check checksums: a repair saves what it can.
        let reporter = LogReporter {
            info_log: &self.options.info_log,
            lognum: log,
        };
        let mut reader =
            log::Reader::new(lfile, Some(&reporter), false /* do not checksum */, 0);

        // Read all the records and add to a memtable.
        let mut record = Vec::new();
        let mut batch = WriteBatch::new();
        let mem = MemTable::new(self.icmp.clone(), self.options.write_buffer_size);
        let mut counter = 0;
        while reader.read_record(&mut record) {
            if batch.set_contents(&record).is_err() {
                log::Reporter::corruption(
                    &reporter,
                    record.len(),
                    &Error::corruption("log record too small", ""),
                );
                continue;
            }
            match batch.insert_into(&mem) {
                Ok(()) => counter += batch.count(),
                // Keep going with the rest of the file.
                Err(e) => info_log!(self.options.info_log, "Log #{}: ignoring {}", log, e),
            }
        }
        drop(reader);

        // Do not record a version edit for this conversion to a Table since extract_meta_data() will also
        // generate edits.
        let mut meta = FileMetaData {
            number: self.next_file_number,
            ..Default::default()
        };
        self.next_file_number += 1;
        let mut iter = mem.new_iterator();
        let status = build_table(
            &self.dbname,
            &*self.env,
            &self.options,
            &self.table_cache,
            &mut iter,
            &mut meta,
        );
        if status.is_ok() && meta.file_size > 0 {
            self.table_numbers.push(meta.number);
        }
        info_log!(
            self.options.info_log,
            "Log #{}: {} ops saved to Table #{} {}",
            log,
            counter,
            meta.number,
            status_string(&status)
        );
        status
    }

    /// LevelDB: Repairer::ExtractMetaData
    fn extract_meta_data(&mut self) {
        for number in self.table_numbers.clone() {
            self.scan_table(number);
        }
    }

    /// Same as compaction iterators: if paranoid_checks are on, turn on checksum verification.
    ///
    /// LevelDB: Repairer::NewTableIterator
    fn new_table_iterator(&self, meta: &FileMetaData) -> Box<dyn Iterator> {
        let r = ReadOptions {
            verify_checksums: self.options.paranoid_checks,
            ..ReadOptions::default()
        };
        self.table_cache
            .new_iterator(&r, meta.number, meta.file_size)
    }

    /// LevelDB: Repairer::ScanTable
    fn scan_table(&mut self, number: u64) {
        let mut t = TableInfo {
            meta: FileMetaData {
                number,
                ..Default::default()
            },
            max_sequence: 0,
        };
        let mut fname = table_file_name(&self.dbname, number);
        let mut status = self
            .env
            .get_file_size(&fname)
            .map(|size| t.meta.file_size = size);
        if status.is_err() {
            // Try the alternate file name.
            fname = sst_table_file_name(&self.dbname, number);
            if let Ok(size) = self.env.get_file_size(&fname) {
                t.meta.file_size = size;
                status = Ok(());
            }
        }
        if let Err(e) = status {
            self.archive_file(&table_file_name(&self.dbname, number));
            self.archive_file(&sst_table_file_name(&self.dbname, number));
            info_log!(
                self.options.info_log,
                "Table #{}: dropped: {}",
                t.meta.number,
                e
            );
            return;
        }

        // Extract metadata by scanning through the table.
        let mut counter = 0;
        let mut iter = self.new_table_iterator(&t.meta);
        let mut empty = true;
        iter.seek_to_first();
        while iter.valid() {
            let key = iter.key();
            match parse_internal_key(key) {
                None => {
                    info_log!(
                        self.options.info_log,
                        "Table #{}: unparsable key {}",
                        t.meta.number,
                        escape_string(key)
                    );
                }
                Some(parsed) => {
                    counter += 1;
                    if empty {
                        empty = false;
                        t.meta.smallest.decode_from(key);
                    }
                    t.meta.largest.decode_from(key);
                    if parsed.sequence > t.max_sequence {
                        t.max_sequence = parsed.sequence;
                    }
                }
            }
            iter.next();
        }
        if let Err(e) = iter.status() {
            status = Err(e);
        }
        drop(iter);
        info_log!(
            self.options.info_log,
            "Table #{}: {} entries {}",
            t.meta.number,
            counter,
            status_string(&status)
        );

        if status.is_ok() && t.meta.smallest.is_empty() {
            // No parsable key, so no bounds: LevelDB keeps the table with empty bounds, which its MANIFEST cannot
            // hold (InternalKey::Encode asserts; without assertions the MANIFEST it writes does not read back,
            // "VersionEdit: new-file entry", and the repaired database does not open). Nothing in the table can be
            // read through a database: it is set aside.
            info_log!(
                self.options.info_log,
                "Table #{}: no parsable keys: dropped",
                t.meta.number
            );
            self.archive_file(&fname);
        } else if status.is_ok() {
            self.tables.push(t);
        } else {
            self.repair_table(&fname, t); // repair_table archives the input file.
        }
    }

    /// Copies the readable entries of table `src` into a new table that replaces it.
    ///
    /// LevelDB: Repairer::RepairTable
    fn repair_table(&mut self, src: &Path, mut t: TableInfo) {
        // We will copy src contents to a new table and then rename the new table over the source.

        // Create the builder.
        let copy = table_file_name(&self.dbname, self.next_file_number);
        self.next_file_number += 1;
        let Ok(file) = self.env.new_writable_file(&copy) else {
            return;
        };
        let mut builder = TableBuilder::new(&self.options, file);

        // Copy data.
        let mut iter = self.new_table_iterator(&t.meta);
        let mut counter = 0;
        let mut last_key: Vec<u8> = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            let key = iter.key();
            // A damaged table read without checksums can yield keys out of order, and the builder takes only
            // increasing keys (LevelDB asserts it, and without assertions writes an unsorted table whose lookups go
            // wrong): such entries are dropped (the original table is kept in lost/).
            if counter > 0 && self.options.comparator.compare(key, &last_key) != Ordering::Greater {
                info_log!(
                    self.options.info_log,
                    "Table #{}: dropping out-of-order key {}",
                    t.meta.number,
                    escape_string(key)
                );
            } else {
                builder.add(key, iter.value());
                last_key.clear();
                last_key.extend_from_slice(key);
                counter += 1;
            }
            iter.next();
        }
        drop(iter);

        self.archive_file(src);
        let mut s = Ok(());
        if counter == 0 {
            builder.abandon(); // Nothing to save.
        } else {
            s = builder.finish();
            if s.is_ok() {
                t.meta.file_size = builder.file_size();
            }
        }
        if s.is_ok() {
            s = builder.file().close();
        }
        drop(builder);

        // As in scan_table, a table without bounds (only unparsable keys were copied) is not kept; its copy goes
        // (the original is in lost/).
        if counter > 0 && t.meta.smallest.is_empty() && s.is_ok() {
            s = Err(Error::corruption("no parsable keys", ""));
        }
        if counter > 0 && s.is_ok() {
            let orig = table_file_name(&self.dbname, t.meta.number);
            s = self.env.rename_file(&copy, &orig);
            if s.is_ok() {
                info_log!(
                    self.options.info_log,
                    "Table #{}: {} entries repaired",
                    t.meta.number,
                    counter
                );
                self.tables.push(t);
            }
        }
        if s.is_err() {
            let _ = self.env.remove_file(&copy);
        }
    }

    /// LevelDB: Repairer::WriteDescriptor
    fn write_descriptor(&mut self) -> Result<()> {
        let tmp = temp_file_name(&self.dbname, 1);
        let file = self.env.new_writable_file(&tmp)?;

        let max_sequence = self
            .tables
            .iter()
            .map(|t| t.max_sequence)
            .max()
            .unwrap_or(0);

        self.edit
            .set_comparator_name(self.icmp.user_comparator().name());
        self.edit.set_log_number(0);
        self.edit.set_next_file(self.next_file_number);
        self.edit.set_last_sequence(max_sequence);

        for t in &self.tables {
            // TODO (as in LevelDB): separate out into multiple levels.
            self.edit.add_file(
                0,
                t.meta.number,
                t.meta.file_size,
                t.meta.smallest.clone(),
                t.meta.largest.clone(),
            );
        }

        let mut log = log::Writer::new(file);
        let mut record = Vec::new();
        self.edit.encode_to(&mut record);
        let mut status = log.add_record(&record);
        if status.is_ok() {
            status = log.file().close();
        }
        drop(log);

        if status.is_err() {
            let _ = self.env.remove_file(&tmp);
            return status;
        }
        // Discard older manifests.
        for manifest in self.manifests.clone() {
            self.archive_file(&self.dbname.join(manifest));
        }

        // Install the new manifest.
        match self
            .env
            .rename_file(&tmp, &descriptor_file_name(&self.dbname, 1))
        {
            Ok(()) => set_current_file(&*self.env, &self.dbname, 1),
            Err(e) => {
                let _ = self.env.remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Moves `fname` into the `lost` directory next to it (e.g. `dir/foo` to `dir/lost/foo`).
    ///
    /// LevelDB: Repairer::ArchiveFile
    fn archive_file(&self, fname: &Path) {
        let new_dir = fname.parent().unwrap_or(Path::new("")).join("lost");
        let _ = self.env.create_dir(&new_dir); // Ignore error.
        let new_file = new_dir.join(fname.file_name().unwrap_or_default());
        let s = self.env.rename_file(fname, &new_file);
        info_log!(
            self.options.info_log,
            "Archiving {}: {}\n",
            fname.display(),
            status_string(&s)
        );
    }
}

/// Tries to recover as much data as possible from a corrupted database; some data may be lost. Call it only on
/// a database that is not open.
///
/// ```
/// use oxleveldb::{repair_db, Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let options = Options { create_if_missing: true, ..Options::default() };
/// let db = DB::open(options.clone(), dir.path())?;
/// db.put("k", "v")?;
/// drop(db);
///
/// // Lose the MANIFEST: the database no longer opens, until it is repaired from its logs and tables.
/// std::fs::remove_file(dir.path().join("CURRENT")).unwrap();
/// assert!(DB::open(Options::default(), dir.path()).is_err());
/// repair_db(dir.path(), &options)?;
/// let db = DB::open(Options::default(), dir.path())?;
/// assert_eq!(db.get("k")?, Some(b"v".to_vec()));
/// # Ok(())
/// # }
/// ```
///
/// LevelDB: RepairDB
pub fn repair_db(path: impl AsRef<Path>, options: &Options) -> Result<()> {
    Repairer::new(path.as_ref(), options).run()
}
