//! `oxldb manifest_dump --path=<MANIFEST> [--hex]`: a MANIFEST as RocksDB's `ldb manifest_dump` shows it: each
//! VersionEdit (in LevelDB's `VersionEdit::DebugString` form), then the files per level of the version the edits
//! build (`--- level L ---`, then ` <number>:<size>[<smallest> .. <largest>]` per file), then
//! `next_file_number N last_sequence N prev_log_number N`.
//!
//! The edits go through LevelDB's own `VersionSet::Builder`, so files are ordered as the database orders them
//! (with the bytewise comparator: the tool does not know a custom one). As in `VersionSet::Recover`, the first
//! corrupt record or undecodable edit stops the dump with an error, after the edits before it. A record cut off
//! at the end of the file, which `Recover` ignores, is reported on stderr after the files (exit status 1).
//!
//! RocksDB: ManifestDumpCommand, VersionSet::DumpManifest

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::db::dbformat::{config, InternalKeyComparator};
use oxleveldb::db::table_cache::TableCache;
use oxleveldb::db::version_edit::VersionEdit;
use oxleveldb::db::version_set::{Builder, Version};
use oxleveldb::Options;

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::internal_key;
use crate::log_records::{Drops, LogRecords};

/// The version a MANIFEST's edits build, and the counters its last edits set.
pub struct Replayed {
    pub version: Version,
    pub next_file: u64,
    pub last_sequence: u64,
    pub prev_log_number: u64,
    /// The report of a record cut off at the end of the file (`VersionSet::Recover` ignores it), if there is
    /// one; kept for the caller, which prints it after the version.
    pub cut_record: Result<Option<String>, Failure>,
}

impl Replayed {
    /// Reports on stderr the record cut off at the end of the MANIFEST, if there was one (exit status 1).
    pub fn report_cut_record(self) -> Result<(), Failure> {
        match self.cut_record? {
            Some(report) => {
                let _ = writeln!(std::io::stderr(), "{report}");
                Err(Failure::Quiet)
            }
            None => Ok(()),
        }
    }
}

/// Applies every edit of the MANIFEST at `path` in order, as `VersionSet::Recover` does, calling `each_edit` with
/// each one first. The first corrupt record or undecodable edit stops it with an error.
///
/// LevelDB: VersionSet::Recover
pub fn replay(
    path: &Path,
    mut each_edit: impl FnMut(&VersionEdit) -> Result<(), Failure>,
) -> Result<Replayed, Failure> {
    let options = Options::default();
    // The first drop stops the dump (LevelDB: VersionSet::Recover's LogReporter).
    let drops = Drops::quiet();
    let mut records = LogRecords::open(path, &drops)?;

    let icmp = InternalKeyComparator::new(options.comparator.clone());
    let dbname = path.parent().unwrap_or(Path::new("."));
    // No table is opened: the cache only completes the versions.
    let table_cache = Arc::new(TableCache::new(dbname, options.clone(), 0));
    let new_version = || {
        Version::new(
            icmp.clone(),
            table_cache.clone(),
            options.max_file_size as u64,
        )
    };
    let mut builder = Builder::new(&icmp, Arc::new(new_version()));
    let mut compact_pointers = Default::default();
    let (mut next_file, mut last_sequence, mut prev_log_number) = (0, 0, 0);

    let mut record = Vec::new();
    while records.next(&mut record).is_some() && drops.first().is_none() {
        let edit = VersionEdit::decode_from(&record)?;
        each_edit(&edit)?;
        builder.apply(&edit, &mut compact_pointers);
        next_file = edit.next_file_number().unwrap_or(next_file);
        last_sequence = edit.last_sequence().unwrap_or(last_sequence);
        prev_log_number = edit.prev_log_number().unwrap_or(prev_log_number);
    }
    if let Some(e) = drops.first() {
        return Err(e.into());
    }
    let mut version = new_version();
    builder.save_to(&mut version);
    Ok(Replayed {
        version,
        next_file,
        last_sequence,
        prev_log_number,
        cut_record: records.cut_record(),
    })
}

/// RocksDB: ManifestDumpCommand::DoCommand
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let path = args.required_path("path")?;
    let hex = args.flag("hex");
    let replayed = replay(&path, |edit| {
        out.write_all(edit.debug_string().as_bytes())?;
        Ok(())
    })?;
    let version = &replayed.version;
    for level in 0..config::NUM_LEVELS {
        writeln!(out, "--- level {level} ---")?;
        for f in version.files(level) {
            writeln!(
                out,
                " {}:{}[{} .. {}]",
                f.number,
                f.file_size,
                internal_key(f.smallest.encode(), hex),
                internal_key(f.largest.encode(), hex)
            )?;
        }
    }
    writeln!(
        out,
        "next_file_number {} last_sequence {} prev_log_number {}",
        replayed.next_file, replayed.last_sequence, replayed.prev_log_number
    )?;
    replayed.report_cut_record()
}
