//! The log reader: reassembles records from physical records, checking each one's checksum, and reports what it
//! has to drop.
//!
//! A damaged physical record is dropped together with the rest of its block (its length cannot be trusted), and
//! the reader carries on at the next block. A record whose end is missing at the end of the file is not an error:
//! the writer may have died in the middle of it. Every drop is reported to the [`Reporter`] with the number of
//! bytes lost and a reason, LevelDB's messages exactly.
//!
//! With an `initial_offset`, the reader starts at the first block that can hold a record starting at or after
//! that offset, skips the pieces of a record that started before it, and reports only drops past it.
//!
//! A reader told to `tolerate_torn_last_record` (the MANIFEST's; not in LevelDB) holds its reports back until it
//! knows what follows the damage. Damage after which nothing valid begins (no record is returned, no FIRST
//! fragment starts) and which reaches the end of its block (so the dropped rest of the block hides no record) is
//! the last record torn by a crash: a write never synced that persisted in parts, with a hole inside. It is then
//! not reported; the reader ends as it does at a record cut short. Damage followed by anything valid is reported
//! as always.

use super::{RecordType, BLOCK_SIZE, HEADER_SIZE, MAX_RECORD_TYPE};
use crate::env::SequentialFile;
use crate::error::Error;
use crate::util::coding::decode_fixed32;
use crate::util::crc;

/// Is told about the bytes the reader drops because of corruption.
///
/// LevelDB: log::Reader::Reporter
pub trait Reporter {
    /// Some corruption was detected; `bytes` is the approximate number of bytes dropped.
    ///
    /// LevelDB: log::Reader::Reporter::Corruption
    fn corruption(&self, bytes: usize, status: &Error);
}

/// ReadPhysicalRecord's results beyond the record types: the end of the file, and a record to skip (corrupt, a
/// zero-filled preallocation, or one that starts before the initial offset).
///
/// LevelDB: log::Reader's kEof and kBadRecord
const EOF: u32 = MAX_RECORD_TYPE as u32 + 1;
const BAD_RECORD: u32 = MAX_RECORD_TYPE as u32 + 2;

const FULL: u32 = RecordType::Full as u32;
const FIRST: u32 = RecordType::First as u32;
const MIDDLE: u32 = RecordType::Middle as u32;
const LAST: u32 = RecordType::Last as u32;
const ZERO: u32 = RecordType::Zero as u32;

/// LevelDB: log::Reader
pub struct Reader<'a> {
    file: Box<dyn SequentialFile>,
    reporter: Option<&'a dyn Reporter>,
    checksum: bool,
    backing_store: Vec<u8>,
    /// The unread part of the last block read: `backing_store[buffer_start..buffer_end]`.
    buffer_start: usize,
    buffer_end: usize,
    /// Last read indicated EOF by returning less than a block.
    eof: bool,
    /// Offset of the last record returned by read_record.
    last_record_offset: u64,
    /// Offset of the first location past the end of the buffer.
    end_of_buffer_offset: u64,
    /// Offset at which to start looking for the first record to return.
    initial_offset: u64,
    /// True if we are resynchronizing after a seek (initial_offset > 0). In particular, a run of MIDDLE and LAST
    /// records can be silently skipped in this mode.
    resyncing: bool,
    /// The end of the file cut a record short (not in LevelDB; see `ends_in_torn_record`).
    torn_tail: bool,
    /// Hold drops back until what follows them is known (not in LevelDB; see `tolerate_torn_last_record`).
    tolerate_torn_tail: bool,
    /// The drops held back since the last record returned, to report if the damage proves not to be a torn tail.
    held_drops: Vec<(u64, Error)>,
    /// Something was dropped (reported or not: a zero-filled block rest is dropped silently) since the last record
    /// returned.
    damaged_since_record: bool,
    /// Some drop since the last record returned cannot be the pieces of a torn last record.
    damage_not_torn: bool,
    /// A record was returned: there is a state before a torn last record to recover.
    returned_record: bool,
    /// Damage before any record may be a torn tail too (`tolerate_torn_last_write`: a log, not a MANIFEST).
    first_record_may_be_torn: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `file`, reporting drops to `reporter` (if any). With `checksum`, checksums are verified. The
    /// reader returns the first record that starts at or after `initial_offset`.
    ///
    /// LevelDB: log::Reader::Reader
    pub fn new(
        file: Box<dyn SequentialFile>,
        reporter: Option<&'a dyn Reporter>,
        checksum: bool,
        initial_offset: u64,
    ) -> Reader<'a> {
        Reader {
            file,
            reporter,
            checksum,
            backing_store: vec![0; BLOCK_SIZE],
            buffer_start: 0,
            buffer_end: 0,
            eof: false,
            last_record_offset: 0,
            end_of_buffer_offset: 0,
            initial_offset,
            resyncing: initial_offset > 0,
            torn_tail: false,
            tolerate_torn_tail: false,
            held_drops: Vec::new(),
            damaged_since_record: false,
            damage_not_torn: false,
            returned_record: false,
            first_record_may_be_torn: false,
        }
    }

    /// Makes the reader take damage at the end of the file, after which nothing valid begins, for a last record
    /// torn by a crash (see the module comment): it ends there without reporting it, and `ends_in_torn_record`
    /// says so. For the MANIFEST, whose every edit is synced before anything depends on it: only the last one can
    /// be torn, and the state before it is the one to recover. Not in LevelDB, which fails the open.
    pub fn tolerate_torn_last_record(mut self) -> Reader<'a> {
        self.tolerate_torn_tail = true;
        self
    }

    /// As [`tolerate_torn_last_record`](Reader::tolerate_torn_last_record), for a write-ahead log: its first
    /// record, too, may be a write never synced and torn by a crash (nothing is synced before a log's first
    /// write), so no record needs to come before the damage. Used by recovery with `paranoid_checks`, which would
    /// otherwise refuse to open a database over a write that was never promised to survive.
    pub fn tolerate_torn_last_write(mut self) -> Reader<'a> {
        self.tolerate_torn_tail = true;
        self.first_record_may_be_torn = true;
        self
    }

    fn buffer_len(&self) -> usize {
        self.buffer_end - self.buffer_start
    }

    fn clear_buffer(&mut self) {
        self.buffer_start = 0;
        self.buffer_end = 0;
    }

    /// Reads the next record into `record`; false at the end of the input. The record is whole: corrupt pieces
    /// are dropped (and reported), never returned.
    ///
    /// LevelDB: log::Reader::ReadRecord
    pub fn read_record(&mut self, record: &mut Vec<u8>) -> bool {
        if self.last_record_offset < self.initial_offset && !self.skip_to_initial_block() {
            return false;
        }

        // `record` doubles as LevelDB's scratch: it accumulates the fragments of a fragmented record.
        record.clear();
        let mut in_fragmented_record = false;
        // Record offset of the logical record that we're reading.
        let mut prospective_record_offset = 0u64;

        loop {
            let (record_type, fragment_start, fragment_len) = self.read_physical_record();

            // read_physical_record may have only had an empty trailer remaining in its internal buffer. Calculate
            // the offset of the next physical record now that it has returned, properly accounting for its header
            // size.
            let physical_record_offset = self
                .end_of_buffer_offset
                .wrapping_sub(self.buffer_len() as u64)
                .wrapping_sub(HEADER_SIZE as u64)
                .wrapping_sub(fragment_len as u64);

            if self.resyncing {
                if record_type == MIDDLE {
                    continue;
                } else if record_type == LAST {
                    self.resyncing = false;
                    continue;
                } else {
                    self.resyncing = false;
                }
            }

            let fragment = fragment_start..fragment_start + fragment_len;
            match record_type {
                FULL => {
                    if in_fragmented_record && !record.is_empty() {
                        // Handle bug in earlier versions of log::Writer where it could emit an empty FIRST record
                        // at the tail end of a block followed by a FULL or FIRST record at the beginning of the
                        // next block.
                        self.report_corruption(
                            record.len() as u64,
                            "partial record without end(1)",
                        );
                    }
                    prospective_record_offset = physical_record_offset;
                    record.clear();
                    record.extend_from_slice(&self.backing_store[fragment]);
                    self.last_record_offset = prospective_record_offset;
                    self.returning_record();
                    return true;
                }
                FIRST => {
                    if in_fragmented_record && !record.is_empty() {
                        // Same bug handling as above.
                        self.report_corruption(
                            record.len() as u64,
                            "partial record without end(2)",
                        );
                    }
                    // A record that begins after the damage: the damaged one was not the last.
                    self.damage_not_torn |= self.damaged_since_record;
                    prospective_record_offset = physical_record_offset;
                    record.clear();
                    record.extend_from_slice(&self.backing_store[fragment]);
                    in_fragmented_record = true;
                }
                MIDDLE => {
                    if !in_fragmented_record {
                        // The rest of a record whose start was damaged, or damage of its own.
                        self.report_fragment_without_start(
                            fragment_len as u64,
                            "missing start of fragmented record(1)",
                        );
                    } else {
                        record.extend_from_slice(&self.backing_store[fragment]);
                    }
                }
                LAST => {
                    if !in_fragmented_record {
                        self.report_fragment_without_start(
                            fragment_len as u64,
                            "missing start of fragmented record(2)",
                        );
                    } else {
                        record.extend_from_slice(&self.backing_store[fragment]);
                        self.last_record_offset = prospective_record_offset;
                        self.returning_record();
                        return true;
                    }
                }
                EOF => {
                    // A fragmented record cut at the end can be caused by the writer dying immediately after
                    // writing a physical record but before completing the next; don't treat it as a corruption,
                    // just ignore the entire logical record.
                    self.torn_tail |= in_fragmented_record;
                    self.end_held_drops();
                    record.clear();
                    return false;
                }
                BAD_RECORD => {
                    if in_fragmented_record {
                        // A consequence of the bad record, which was judged when it was dropped.
                        self.report_drop_of(
                            record.len() as u64,
                            &Error::corruption("error in middle of record", ""),
                            true,
                        );
                        in_fragmented_record = false;
                        record.clear();
                    }
                }
                _ => {
                    let dropped = fragment_len
                        + if in_fragmented_record {
                            record.len()
                        } else {
                            0
                        };
                    self.report_corruption(
                        dropped as u64,
                        &format!("unknown record type {record_type}"),
                    );
                    in_fragmented_record = false;
                    record.clear();
                }
            }
        }
    }

    /// True once `read_record` has returned false at an end of file that cut a record short: a truncated header,
    /// a truncated payload, or a fragmented record without its last piece; or, with `tolerate_torn_last_record`,
    /// damage it took for a torn last record. Such a tail is not an error (the
    /// writer died in the middle of a record), but a writer must not append after it: the next reader would stop
    /// at the torn record, or drop the rest of its block, and so lose what was appended. Not in LevelDB, whose
    /// `reuse_logs` appends after it.
    pub fn ends_in_torn_record(&self) -> bool {
        self.torn_tail
    }

    /// Reports the damage `ends_in_torn_record` forgave after all, as LevelDB reports it: for a caller that finds
    /// what came before it could not have been followed by a torn write (a MANIFEST whose records before the
    /// damage do not make a whole state).
    pub fn report_torn_tail(&mut self) {
        self.torn_tail = false;
        self.report_held_drops();
    }

    /// The physical offset of the last record returned by `read_record`; undefined before the first call.
    ///
    /// LevelDB: log::Reader::LastRecordOffset
    pub fn last_record_offset(&self) -> u64 {
        self.last_record_offset
    }

    /// Skips all blocks that are completely before `initial_offset`; false on a skip error (reported).
    ///
    /// LevelDB: log::Reader::SkipToInitialBlock
    fn skip_to_initial_block(&mut self) -> bool {
        let offset_in_block = self.initial_offset % BLOCK_SIZE as u64;
        let mut block_start_location = self.initial_offset - offset_in_block;

        // Don't search a block if we'd be in the trailer.
        if offset_in_block > (BLOCK_SIZE - 6) as u64 {
            block_start_location += BLOCK_SIZE as u64;
        }

        self.end_of_buffer_offset = block_start_location;

        // Skip to start of first block that can contain the initial record.
        if block_start_location > 0 {
            if let Err(skip_status) = self.file.skip(block_start_location) {
                self.report_drop(block_start_location, &skip_status);
                self.end_held_drops();
                return false;
            }
        }
        true
    }

    /// Reports dropped bytes to the reporter: damage that cannot be the pieces of a torn last record.
    ///
    /// LevelDB: log::Reader::ReportCorruption
    fn report_corruption(&mut self, bytes: u64, reason: &str) {
        self.report_drop(bytes, &Error::corruption(reason, ""));
    }

    /// LevelDB: log::Reader::ReportDrop
    fn report_drop(&mut self, bytes: u64, reason: &Error) {
        self.report_drop_of(bytes, reason, false);
    }

    /// Reports a fragment that continues a record whose start is missing: the rest of a torn record if its start
    /// was dropped as damage, else damage of its own.
    fn report_fragment_without_start(&mut self, bytes: u64, reason: &str) {
        let may_be_torn = self.damaged_since_record;
        self.report_drop_of(bytes, &Error::corruption(reason, ""), may_be_torn);
    }

    /// Reports dropped bytes, or holds them back when tolerating a torn last record; `may_be_torn` says whether
    /// they can be a piece of one.
    fn report_drop_of(&mut self, bytes: u64, reason: &Error, may_be_torn: bool) {
        self.damaged_since_record = true;
        self.damage_not_torn |= !may_be_torn;
        if let Some(reporter) = self.reporter {
            // Drops that end before the initial offset are not reported (LevelDB's unsigned arithmetic, kept).
            let start = self
                .end_of_buffer_offset
                .wrapping_sub(self.buffer_len() as u64)
                .wrapping_sub(bytes);
            if start >= self.initial_offset {
                if self.tolerate_torn_tail {
                    self.held_drops.push((bytes, reason.clone()));
                } else {
                    reporter.corruption(bytes as usize, reason);
                }
            }
        }
    }

    /// Reports what was held back, and forgets the damage.
    fn report_held_drops(&mut self) {
        if let Some(reporter) = self.reporter {
            for (bytes, reason) in self.held_drops.drain(..) {
                reporter.corruption(bytes as usize, &reason);
            }
        }
        self.damaged_since_record = false;
        self.damage_not_torn = false;
    }

    /// A record is about to be returned: the damage before it, if any, was not a torn tail.
    fn returning_record(&mut self) {
        self.report_held_drops();
        self.returned_record = true;
    }

    /// The end of the input: damage since the last record is a torn tail if every piece of it can be one, and a
    /// record came before it (the first one is synced before anyone reads the file: a MANIFEST before CURRENT
    /// names it), and the reader tolerates it; else what was held back is reported.
    fn end_held_drops(&mut self) {
        if self.tolerate_torn_tail
            && self.damaged_since_record
            && !self.damage_not_torn
            && (self.returned_record || self.first_record_may_be_torn)
        {
            // Kept, in case the caller finds the record could not have been torn (`report_torn_tail`).
            self.torn_tail = true;
        } else {
            self.report_held_drops();
        }
    }

    /// The type of the next physical record and where its data is in `backing_store`, or EOF / BAD_RECORD.
    ///
    /// LevelDB: log::Reader::ReadPhysicalRecord
    fn read_physical_record(&mut self) -> (u32, usize, usize) {
        loop {
            if self.buffer_len() < HEADER_SIZE {
                if !self.eof {
                    // The last read was a full read, so this is a trailer to skip.
                    self.clear_buffer();
                    match self.file.read(&mut self.backing_store) {
                        Ok(n) => {
                            self.end_of_buffer_offset += n as u64;
                            self.buffer_end = n;
                            if n < BLOCK_SIZE {
                                self.eof = true;
                            }
                        }
                        Err(status) => {
                            self.report_drop(BLOCK_SIZE as u64, &status);
                            self.eof = true;
                            return (EOF, 0, 0);
                        }
                    }
                    continue;
                } else {
                    // Note that if the buffer is non-empty, we have a truncated header at the end of the file,
                    // which can be caused by the writer crashing in the middle of writing the header. Instead of
                    // considering this an error, just report EOF.
                    self.torn_tail |= self.buffer_len() > 0;
                    self.clear_buffer();
                    return (EOF, 0, 0);
                }
            }

            // Parse the header.
            let header = &self.backing_store[self.buffer_start..self.buffer_end];
            let a = u32::from(header[4]);
            let b = u32::from(header[5]);
            // LevelDB reads the type through a (signed, on x86) char: bytes >= 0x80 become huge unsigned numbers,
            // which then show in the "unknown record type" message.
            let record_type = header[6] as i8 as i32 as u32;
            let length = (a | (b << 8)) as usize;
            if HEADER_SIZE + length > header.len() {
                let drop_size = header.len();
                self.clear_buffer();
                if !self.eof {
                    self.report_corruption(drop_size as u64, "bad record length");
                    return (BAD_RECORD, 0, 0);
                }
                // If the end of the file has been reached without reading `length` bytes of payload, assume the
                // writer died in the middle of writing the record. Don't report a corruption.
                self.torn_tail = true;
                // Unless a record begins here after damage: then the damage was not the last record.
                self.damage_not_torn |=
                    self.damaged_since_record && (record_type == FULL || record_type == FIRST);
                return (EOF, 0, 0);
            }

            if record_type == ZERO && length == 0 {
                // Skip zero length records without reporting any drops since such records are produced by the
                // mmap based writing code in env_posix.cc that preallocates file regions.
                self.clear_buffer();
                // In a MANIFEST, though, zeros are a hole a crash left (see `tolerate_torn_last_record`).
                self.damaged_since_record = true;
                return (BAD_RECORD, 0, 0);
            }

            // Check the crc.
            if self.checksum {
                let expected_crc = crc::unmask(decode_fixed32(header));
                let actual_crc = crc::value(&header[6..HEADER_SIZE + length]);
                if actual_crc != expected_crc {
                    // Drop the rest of the buffer since "length" itself may have been corrupted and if we trust it,
                    // we could find some fragment of a real log record that just happens to look like a valid log
                    // record.
                    let drop_size = header.len();
                    // A torn last record ends where its block does: the rest dropped with it hides no record.
                    let may_be_torn = drop_size - (HEADER_SIZE + length) < HEADER_SIZE;
                    self.clear_buffer();
                    self.report_drop_of(
                        drop_size as u64,
                        &Error::corruption("checksum mismatch", ""),
                        may_be_torn,
                    );
                    return (BAD_RECORD, 0, 0);
                }
            }

            let data_start = self.buffer_start + HEADER_SIZE;
            self.buffer_start += HEADER_SIZE + length;

            // Skip a physical record that started before initial_offset.
            let record_start = self
                .end_of_buffer_offset
                .wrapping_sub(self.buffer_len() as u64)
                .wrapping_sub(HEADER_SIZE as u64)
                .wrapping_sub(length as u64);
            if record_start < self.initial_offset {
                return (BAD_RECORD, 0, 0);
            }

            return (record_type, data_start, length);
        }
    }
}
