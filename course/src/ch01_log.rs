//! Chapter 1: varints and the log record format (the tour's chapter 1, the write path).
//!
//! Integers are stored little-endian: fixed32/fixed64 take 4/8 bytes; a varint takes 7 bits per byte, low bits
//! first, with the high bit set on every byte but the last (so 300 is `0xac 0x02`).
//!
//! The log (`NNNNNN.log`, and the MANIFEST) is a sequence of 32 KiB blocks. A record is written as one or more
//! physical records, each a 7-byte header and a fragment of the payload:
//!
//! ```text
//! crc: fixed32 (the masked crc32c of the type byte and the fragment) | length: 2 bytes, little-endian | type: 1 byte
//! ```
//!
//! type is FULL (1) for a record in one piece, else FIRST (2), MIDDLE (3) ..., LAST (4). A physical record never
//! straddles a block: when fewer than 7 bytes are left in a block, they are filled with zeros and the writer
//! moves to the next block (a header may be followed by an empty fragment when exactly 7 bytes are left).
//!
//! Grade: `cargo run -p course -- check 1`.

use crate::support::crc32c_extend;

/// The size of a log block. LevelDB: log::kBlockSize
pub const BLOCK_SIZE: usize = 32768;
/// crc (4) + length (2) + type (1). LevelDB: log::kHeaderSize
pub const HEADER_SIZE: usize = 7;

/// The type byte of a physical record. LevelDB: log::RecordType
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordType {
    Full = 1,
    First = 2,
    Middle = 3,
    Last = 4,
}

/// Appends `value` as 4 bytes, little-endian.
///
/// LevelDB: PutFixed32
pub fn put_fixed32(dst: &mut Vec<u8>, value: u32) {
    todo!("chapter 1: write put_fixed32")
}

/// Appends `value` as 8 bytes, little-endian.
///
/// LevelDB: PutFixed64
pub fn put_fixed64(dst: &mut Vec<u8>, value: u64) {
    todo!("chapter 1: write put_fixed64")
}

/// Appends `value` as a varint: 7 bits per byte, low bits first, the high bit set on all bytes but the last.
///
/// LevelDB: PutVarint32 (and PutVarint64: write this one for u64 and let `put_varint32` call it)
pub fn put_varint64(dst: &mut Vec<u8>, value: u64) {
    todo!("chapter 1: write put_varint64")
}

/// Appends `value` as a varint (at most 5 bytes).
///
/// LevelDB: PutVarint32
pub fn put_varint32(dst: &mut Vec<u8>, value: u32) {
    put_varint64(dst, u64::from(value));
}

/// Decodes a varint64 from the front of `input` and advances `input` past it; `None` (and `input` unchanged)
/// if `input` ends inside the varint or it is longer than 10 bytes.
///
/// LevelDB: GetVarint64 (GetVarint64Ptr)
pub fn get_varint64(input: &mut &[u8]) -> Option<u64> {
    todo!("chapter 1: write get_varint64")
}

/// Decodes a varint32 from the front of `input` and advances `input` past it; `None` (and `input` unchanged)
/// if `input` ends inside the varint or it is longer than 5 bytes.
///
/// LevelDB: GetVarint32 (GetVarint32PtrFallback: at most 5 bytes, shifts 0, 7, ..., 28)
pub fn get_varint32(input: &mut &[u8]) -> Option<u32> {
    todo!("chapter 1: write get_varint32")
}

/// Masks a crc32c for storage: rotate right by 15 bits, then add 0xa282ead8. (A crc of data that itself holds
/// crcs is weak; the mask makes a stored crc look unlike a crc.)
///
/// LevelDB: crc32c::Mask
pub fn mask_crc(crc: u32) -> u32 {
    todo!("chapter 1: write mask_crc")
}

/// The 7-byte header of a physical record of `record_type` holding `fragment`: the masked crc32c of the type byte
/// followed by the fragment (`crc32c_extend(crc32c_extend(0, &[type]), fragment)`), the fragment's length
/// (2 bytes, little-endian), the type.
///
/// LevelDB: log::Writer::EmitPhysicalRecord (the header part)
pub fn record_header(record_type: RecordType, fragment: &[u8]) -> [u8; HEADER_SIZE] {
    todo!("chapter 1: write record_header")
}

/// Writes records into a log held in memory, starting at offset 0 of an empty log.
///
/// LevelDB: log::Writer
pub struct LogWriter {
    /// The log's bytes so far.
    dest: Vec<u8>,
    /// Where the next physical record goes in the current block.
    block_offset: usize,
}

impl Default for LogWriter {
    fn default() -> Self {
        LogWriter::new()
    }
}

impl LogWriter {
    /// An empty log.
    pub fn new() -> LogWriter {
        LogWriter {
            dest: Vec::new(),
            block_offset: 0,
        }
    }

    /// Appends `record`, fragmented across blocks: pad a block with zeros when fewer than HEADER_SIZE bytes are
    /// left, then emit as much of the record as fits (FULL, or FIRST / MIDDLE ... / LAST). An empty record is
    /// one empty FULL physical record.
    ///
    /// LevelDB: log::Writer::AddRecord
    pub fn add_record(&mut self, record: &[u8]) {
        todo!("chapter 1: write LogWriter::add_record")
    }

    /// The log's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.dest
    }
}

