//! The log format: the write-ahead log (`NNNNNN.log`) and the MANIFEST are both sequences of records in this
//! format.
//!
//! The file is a sequence of 32 KiB blocks. A record is written as one or more *physical records*, each with a
//! 7-byte header:
//!
//! ```text
//! checksum: u32 LE   masked crc32c of the type byte and the data
//! length:   u16 LE   of the data
//! type:     u8       FULL, or FIRST / MIDDLE... / LAST for a record split across blocks
//! data:     u8[length]
//! ```
//!
//! A physical record never crosses a block boundary: when fewer than 7 bytes are left in a block they are filled
//! with zeros, and a record that does not fit is split. So a reader that meets a damaged block can resynchronize
//! at the next one.
//!
//! LevelDB: db/log_format.h

#[cfg(test)]
mod log_test;
mod reader;
mod writer;

pub use reader::{Reader, Reporter};
pub use writer::Writer;

/// The type of a physical record.
///
/// LevelDB: log::RecordType
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordType {
    /// Zero is reserved for preallocated files.
    Zero = 0,
    /// A whole record in one fragment.
    Full = 1,
    /// For fragments.
    First = 2,
    /// An inner fragment of a record.
    Middle = 3,
    /// The last fragment of a record.
    Last = 4,
}

/// LevelDB: log::kMaxRecordType
pub const MAX_RECORD_TYPE: u8 = RecordType::Last as u8;

/// LevelDB: log::kBlockSize
pub const BLOCK_SIZE: usize = 32768;

/// Header is checksum (4 bytes), length (2 bytes), type (1 byte).
///
/// LevelDB: log::kHeaderSize
pub const HEADER_SIZE: usize = 4 + 2 + 1;
