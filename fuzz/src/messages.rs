//! LevelDB 1.23's errors for damaged input, per reader: the oracle that a reader gives LevelDB's error where
//! LevelDB gives one (these readers have no C API to compare with directly; the recovery and database targets
//! compare with LevelDB itself).
//!
//! Invariant: every string here is the `Status::ToString()` of an error LevelDB 1.23 returns from that reader
//! (table/format.cc, table/block.cc, db/log_reader.cc, db/write_batch.cc, db/version_edit.cc).

use oxleveldb::Error;

/// The table readers (Footer::DecodeFrom, BlockHandle::DecodeFrom, ReadBlock, Block::Iter, Table::Open).
pub const TABLE: &[&str] = &[
    "Corruption: file is too short to be an sstable",
    "Corruption: not an sstable (bad magic number)",
    "Corruption: bad block handle",
    "Corruption: truncated block read",
    "Corruption: block checksum mismatch",
    "Corruption: corrupted compressed block contents",
    "Corruption: bad block type",
    "Corruption: bad block contents",
    "Corruption: bad entry in block",
    // From the file, not the table: LevelDB's in-memory Env (helpers/memenv) refuses a read that starts past the
    // end (PosixEnv reads nothing there, and the reader says "truncated block read").
    "IO error: Offset greater than file size.",
];

/// The log reader's reports (log::Reader::ReportCorruption), but for "unknown record type N" (see
/// [`is_log_report`]).
const LOG: &[&str] = &[
    "Corruption: checksum mismatch",
    "Corruption: bad record length",
    "Corruption: partial record without end(1)",
    "Corruption: partial record without end(2)",
    "Corruption: missing start of fragmented record(1)",
    "Corruption: missing start of fragmented record(2)",
    "Corruption: error in middle of record",
];

/// WriteBatch::Iterate and WriteBatchInternal::SetContents.
pub const WRITE_BATCH: &[&str] = &[
    "Corruption: malformed WriteBatch (too small)",
    "Corruption: bad WriteBatch Put",
    "Corruption: bad WriteBatch Delete",
    "Corruption: unknown WriteBatch tag",
    "Corruption: WriteBatch has wrong count",
];

/// VersionEdit::DecodeFrom.
pub const VERSION_EDIT: &[&str] = &[
    "Corruption: VersionEdit: comparator name",
    "Corruption: VersionEdit: log number",
    "Corruption: VersionEdit: previous log number",
    "Corruption: VersionEdit: next file number",
    "Corruption: VersionEdit: last sequence number",
    "Corruption: VersionEdit: compaction pointer",
    "Corruption: VersionEdit: deleted file",
    "Corruption: VersionEdit: new-file entry",
    "Corruption: VersionEdit: unknown tag",
    "Corruption: VersionEdit: invalid tag",
];

/// Whether `report` is one of the log reader's reports. LevelDB reads the type byte through a signed char, so a
/// type from 0x80 shows as a number near 2^32 ("unknown record type 4294967295" for 0xff).
pub fn is_log_report(report: &str) -> bool {
    LOG.contains(&report)
        || report
            .strip_prefix("Corruption: unknown record type ")
            .is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Panics (a finding) unless `error` is one of `allowed`.
pub fn check(what: &str, error: &Error, allowed: &[&str]) {
    let text = error.to_string();
    assert!(
        allowed.contains(&text.as_str()),
        "{what} gave an error LevelDB does not give there: {text}"
    );
}
