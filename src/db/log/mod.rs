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
//! ```
//! use oxleveldb::{env::default_env, log, Env};
//!
//! # fn main() -> oxleveldb::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("000001.log");
//! let env = default_env();
//! let mut writer = log::Writer::new(env.new_writable_file(&path)?);
//! writer.add_record(b"first")?;
//! writer.add_record(&vec![b'x'; 40_000])?; // Longer than a block: a FIRST and a LAST fragment.
//! drop(writer);
//! // 7 + 5 bytes, then 7 + 32756 bytes to the end of the first block, then 7 + 7244 bytes.
//! assert_eq!(env.get_file_size(&path)?, 12 + 32_768 - 12 + 7 + (40_000 - (32_768 - 12 - 7)));
//!
//! let mut reader = log::Reader::new(env.new_sequential_file(&path)?, None, true, 0);
//! let mut record = Vec::new();
//! assert!(reader.read_record(&mut record));
//! assert_eq!(record, b"first");
//! assert!(reader.read_record(&mut record));
//! assert_eq!(record.len(), 40_000);
//! assert!(!reader.read_record(&mut record));
//! # Ok(())
//! # }
//! ```
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
