//! The log writer: splits each record into physical records that fit the 32 KiB blocks.
//!
//! Invariant: `block_offset` is the offset in the current block where the next physical record goes; every byte
//! written is exactly what LevelDB's `log::Writer` writes for the same records, including the zero-filled trailer
//! of a block and the zero-length FIRST record written when exactly a header's worth of space is left.

use super::{RecordType, BLOCK_SIZE, HEADER_SIZE, MAX_RECORD_TYPE};
use crate::env::WritableFile;
use crate::error::Result;
use crate::util::coding::encode_fixed32;
use crate::util::crc;

/// LevelDB: log::Writer
pub struct Writer {
    dest: Box<dyn WritableFile>,
    /// Current offset in the block.
    block_offset: usize,
    /// Current offset in the file (told to `add_record_with`'s callback, for the event listener's timeline).
    file_offset: u64,
    /// crc32c values for all supported record types, precomputed to reduce the overhead of computing the crc of
    /// the record type stored in the header.
    type_crc: [u32; MAX_RECORD_TYPE as usize + 1],
}

impl Writer {
    /// A writer that appends to `dest`, which must be initially empty.
    ///
    /// LevelDB: log::Writer::Writer(WritableFile*)
    pub fn new(dest: Box<dyn WritableFile>) -> Writer {
        Writer::new_with_offset(dest, 0)
    }

    /// A writer that appends to `dest`, which already holds `dest_length` bytes of a log (reopen for append).
    ///
    /// LevelDB: log::Writer::Writer(WritableFile*, uint64_t)
    pub fn new_with_offset(dest: Box<dyn WritableFile>, dest_length: u64) -> Writer {
        let mut type_crc = [0u32; MAX_RECORD_TYPE as usize + 1];
        for (t, c) in type_crc.iter_mut().enumerate() {
            *c = crc::value(&[t as u8]);
        }
        Writer {
            dest,
            block_offset: (dest_length % BLOCK_SIZE as u64) as usize,
            file_offset: dest_length,
            type_crc,
        }
    }

    /// Appends `slice` as one record.
    ///
    /// LevelDB: log::Writer::AddRecord
    pub fn add_record(&mut self, slice: &[u8]) -> Result<()> {
        self.add_record_with(slice, |_, _, _| {})
    }

    /// Appends `slice` as one record, and tells `on_fragment` the file offset, type and data length of each
    /// physical record as it is written (`add_record` passes a closure that does nothing, which compiles away).
    #[inline]
    pub fn add_record_with(
        &mut self,
        slice: &[u8],
        mut on_fragment: impl FnMut(u64, RecordType, usize),
    ) -> Result<()> {
        let mut left = slice;
        // Fragment the record if necessary and emit it. Note that if slice is empty, we still want to iterate
        // once to emit a single zero-length record.
        let mut begin = true;
        loop {
            let leftover = BLOCK_SIZE - self.block_offset;
            if leftover < HEADER_SIZE {
                // Switch to a new block.
                if leftover > 0 {
                    // Fill the trailer (LevelDB ignores the status of this write; a failure will show in the
                    // next one).
                    let _ = self.dest.append(&[0u8; HEADER_SIZE - 1][..leftover]);
                    self.file_offset += leftover as u64;
                }
                self.block_offset = 0;
            }

            // Invariant: we never leave < HEADER_SIZE bytes in a block.
            let avail = BLOCK_SIZE - self.block_offset - HEADER_SIZE;
            let fragment_length = left.len().min(avail);
            let end = left.len() == fragment_length;
            let record_type = match (begin, end) {
                (true, true) => RecordType::Full,
                (true, false) => RecordType::First,
                (false, true) => RecordType::Last,
                (false, false) => RecordType::Middle,
            };
            let (fragment, rest) = left.split_at(fragment_length);
            on_fragment(self.file_offset, record_type, fragment_length);
            self.emit_physical_record(record_type, fragment)?;
            left = rest;
            begin = false;
            if left.is_empty() {
                return Ok(());
            }
        }
    }

    /// LevelDB: log::Writer::EmitPhysicalRecord
    #[inline]
    fn emit_physical_record(&mut self, t: RecordType, data: &[u8]) -> Result<()> {
        let length = data.len();
        debug_assert!(length <= 0xffff); // Must fit in two bytes.
        debug_assert!(self.block_offset + HEADER_SIZE + length <= BLOCK_SIZE);

        // Format the header.
        let mut buf = [0u8; HEADER_SIZE];
        buf[4] = (length & 0xff) as u8;
        buf[5] = (length >> 8) as u8;
        buf[6] = t as u8;

        // Compute the crc of the record type and the payload.
        let crc = crc::mask(crc::extend(self.type_crc[t as usize], data));
        encode_fixed32(&mut buf, crc);

        // Write the header and the payload.
        let result = self
            .dest
            .append(&buf)
            .and_then(|_| self.dest.append(data))
            .and_then(|_| self.dest.flush());
        self.block_offset += HEADER_SIZE + length;
        self.file_offset += (HEADER_SIZE + length) as u64;
        result
    }


    /// The file the log is written to (to sync or close it).
    pub fn file(&mut self) -> &mut dyn WritableFile {
        &mut *self.dest
    }
}
