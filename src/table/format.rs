//! The framing of a table file: block handles, the footer, and how one block is read back.
//!
//! ```text
//! <beginning_of_file>
//! [data block 1] ... [data block N]
//! [meta block 1: the filter block, if any]
//! [metaindex block]
//! [index block]
//! [Footer]        (fixed size; starts at file_size - 48)
//! <end_of_file>
//! ```
//!
//! Every block is followed by a 5-byte trailer: a compression type byte and the masked CRC32C of the block
//! contents and that byte. A [`BlockHandle`] (two varint64s: offset and size, the size without the trailer) points
//! to a block. The footer holds the handles of the metaindex and index blocks, zero-padded to 40 bytes, and the
//! 8-byte magic number.

use crate::env::RandomAccessFile;
use crate::error::{Error, Result};
use crate::options::CompressionType;
use crate::table::block_buffers;
use crate::util::coding::{decode_fixed32, get_varint64, put_fixed32, put_varint64};
use crate::util::crc;
use crate::util::prefetch::prefetch_range;

/// The magic number at the end of every table file (picked by running `echo http://code.google.com/p/leveldb/ |
/// sha1sum` and taking the leading 64 bits).
///
/// LevelDB: kTableMagicNumber
pub const TABLE_MAGIC_NUMBER: u64 = 0xdb4775248b80fb57;

/// 1-byte type + 32-bit crc.
///
/// LevelDB: kBlockTrailerSize
pub const BLOCK_TRAILER_SIZE: usize = 5;

/// A pointer to the extent of a file that stores a data block or a meta block.
///
/// LevelDB: BlockHandle
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockHandle {
    offset: u64,
    size: u64,
}

impl BlockHandle {
    /// Maximum encoding length of a BlockHandle.
    ///
    /// LevelDB: BlockHandle::kMaxEncodedLength
    pub const MAX_ENCODED_LENGTH: usize = 10 + 10;

    pub fn new(offset: u64, size: u64) -> BlockHandle {
        BlockHandle { offset, size }
    }

    /// The offset of the block in the file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The size of the stored block (without its trailer).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// LevelDB: BlockHandle::EncodeTo
    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.offset);
        put_varint64(dst, self.size);
    }

    /// Decodes a handle from the front of `input`, advancing it.
    ///
    /// LevelDB: BlockHandle::DecodeFrom
    pub fn decode_from(input: &mut &[u8]) -> Result<BlockHandle> {
        match (get_varint64(input), get_varint64(input)) {
            (Some(offset), Some(size)) => Ok(BlockHandle { offset, size }),
            _ => Err(Error::corruption("bad block handle", "")),
        }
    }
}

/// The fixed information stored at the tail end of every table file.
///
/// LevelDB: Footer
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    pub metaindex_handle: BlockHandle,
    pub index_handle: BlockHandle,
}

impl Footer {
    /// Encoded length of a Footer. Note that the serialization of a Footer will always occupy exactly this many
    /// bytes. It consists of two block handles and a magic number.
    ///
    /// LevelDB: Footer::kEncodedLength
    pub const ENCODED_LENGTH: usize = 2 * BlockHandle::MAX_ENCODED_LENGTH + 8;

    /// LevelDB: Footer::EncodeTo
    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        let original_size = dst.len();
        self.metaindex_handle.encode_to(dst);
        self.index_handle.encode_to(dst);
        dst.resize(original_size + 2 * BlockHandle::MAX_ENCODED_LENGTH, 0); // Padding.
        put_fixed32(dst, (TABLE_MAGIC_NUMBER & 0xffff_ffff) as u32);
        put_fixed32(dst, (TABLE_MAGIC_NUMBER >> 32) as u32);
        debug_assert_eq!(dst.len(), original_size + Footer::ENCODED_LENGTH);
    }

    /// Decodes the footer from `input`, which must hold at least `ENCODED_LENGTH` bytes.
    ///
    /// LevelDB: Footer::DecodeFrom
    pub fn decode_from(input: &[u8]) -> Result<Footer> {
        if input.len() < Footer::ENCODED_LENGTH {
            // LevelDB 1.23 does not check (its callers always pass 48 bytes); say what is wrong instead of reading
            // out of bounds.
            return Err(Error::corruption("file is too short to be an sstable", ""));
        }
        let magic_ptr = &input[Footer::ENCODED_LENGTH - 8..];
        let magic_lo = decode_fixed32(magic_ptr);
        let magic_hi = decode_fixed32(&magic_ptr[4..]);
        let magic = (u64::from(magic_hi) << 32) | u64::from(magic_lo);
        if magic != TABLE_MAGIC_NUMBER {
            return Err(Error::corruption("not an sstable (bad magic number)", ""));
        }
        let mut handles = input;
        let metaindex_handle = BlockHandle::decode_from(&mut handles)?;
        let index_handle = BlockHandle::decode_from(&mut handles)?;
        Ok(Footer {
            metaindex_handle,
            index_handle,
        })
    }
}

/// The contents of a block, as read: the bytes, and whether they may go into the block cache.
///
/// LevelDB: BlockContents
pub struct BlockContents {
    /// Actual contents of data.
    pub data: Vec<u8>,
    /// True iff the data can be cached. LevelDB does not cache a raw block it read straight out of a memory map
    /// (it is in memory already), and neither does oxleveldb.
    pub cachable: bool,
}

/// Uncompresses snappy-compressed `input`, replacing the contents of `output`; false if it is not well formed.
///
/// LevelDB: port::Snappy_GetUncompressedLength and port::Snappy_Uncompress
#[cfg(feature = "snappy")]
pub fn snappy_uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
    crate::util::snappy::uncompress(input, output)
}

/// Without snappy support every compressed block is unreadable, as in a LevelDB built without snappy.
#[cfg(not(feature = "snappy"))]
pub fn snappy_uncompress(_input: &[u8], _output: &mut Vec<u8>) -> bool {
    false
}

/// The output capacity `snappy_uncompress` needs for `input` (0 if it cannot tell, or has no snappy).
fn snappy_uncompress_capacity(_input: &[u8]) -> usize {
    #[cfg(feature = "snappy")]
    return crate::util::snappy::uncompress_capacity(_input).unwrap_or(0);
    #[cfg(not(feature = "snappy"))]
    0
}

/// Snappy-compresses `input` into `output` (the bytes C++ snappy 1.1.9 writes); false when compression is not
/// available.
///
/// LevelDB: port::Snappy_Compress
#[cfg(feature = "snappy")]
pub fn snappy_compress(input: &[u8], output: &mut Vec<u8>) -> bool {
    crate::util::snappy::compress(input, output);
    true
}

/// Without snappy support blocks are stored uncompressed, as in a LevelDB built without snappy.
#[cfg(not(feature = "snappy"))]
pub fn snappy_compress(_input: &[u8], _output: &mut Vec<u8>) -> bool {
    false
}

/// Reads the block identified by `handle` from `file`, verifying its checksum if `verify_checksums`, and
/// uncompresses it.
///
/// LevelDB: ReadBlock
pub fn read_block(
    file: &dyn RandomAccessFile,
    verify_checksums: bool,
    handle: &BlockHandle,
) -> Result<BlockContents> {
    // Read the block contents as well as the type/crc footer.
    let n = handle.size() as usize;
    let Some(total) = n.checked_add(BLOCK_TRAILER_SIZE) else {
        return Err(Error::corruption("bad block handle", ""));
    };
    let mut buf = Vec::new();
    let contents = file.read(handle.offset(), total, &mut buf)?;
    if contents.len() != total {
        return Err(Error::corruption("truncated block read", ""));
    }
    // The block is usually read from a memory map of a file that is not in the CPU's caches yet: start loading
    // all of it now, before the checksum or the decompression walks through it.
    prefetch_range(contents.as_ptr(), contents.len());

    // Check the crc of the type and the block contents.
    if verify_checksums {
        let expected = crc::unmask(decode_fixed32(&contents[n + 1..]));
        let actual = crc::value(&contents[..n + 1]);
        if actual != expected {
            return Err(Error::corruption("block checksum mismatch", ""));
        }
    }

    match contents[n] {
        // A block read from the file's own memory (a map) is in memory already: do not double-cache it.
        t if t == CompressionType::NoCompression as u8 => {
            if file.is_memory_mapped() {
                Ok(BlockContents {
                    data: contents[..n].to_vec(),
                    cachable: false,
                })
            } else {
                // The data is at the start of `buf`: keep it without a copy.
                buf.truncate(n);
                Ok(BlockContents {
                    data: buf,
                    cachable: true,
                })
            }
        }
        t if t == CompressionType::SnappyCompression as u8 => {
            // Into the memory of a block this thread dropped, if it has one of the right size (`block_buffers`).
            let mut data = block_buffers::take(snappy_uncompress_capacity(&contents[..n]));
            if !snappy_uncompress(&contents[..n], &mut data) {
                return Err(Error::corruption("corrupted compressed block contents", ""));
            }
            Ok(BlockContents {
                data,
                cachable: true,
            })
        }
        _ => Err(Error::corruption("bad block type", "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_layout_and_magic() {
        let footer = Footer {
            metaindex_handle: BlockHandle::new(300, 20),
            index_handle: BlockHandle::new(325, 70000),
        };
        let mut dst = Vec::new();
        footer.encode_to(&mut dst);
        assert_eq!(dst.len(), 48);
        assert_eq!(
            &dst[40..],
            &[0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]
        );
        assert_eq!(Footer::decode_from(&dst).unwrap(), footer);

        let mut bad = dst.clone();
        bad[47] ^= 1;
        assert_eq!(
            Footer::decode_from(&bad).unwrap_err().to_string(),
            "Corruption: not an sstable (bad magic number)"
        );
        let mut bad_handle = vec![0xffu8; 40];
        bad_handle.extend_from_slice(&dst[40..]);
        assert_eq!(
            Footer::decode_from(&bad_handle).unwrap_err().to_string(),
            "Corruption: bad block handle"
        );
    }

    // A reused buffer much larger than a block would make the block cache hold more memory than it charges.
    #[cfg(feature = "snappy")]
    #[test]
    fn a_block_is_uncompressed_into_memory_of_about_its_size() {
        use crate::env::{default_env, write_string_to_file, Env, MemEnv};
        let raw: Vec<u8> = (0..4096u32).map(|i| (i % 13 * 17 + i / 700) as u8).collect();
        let mut file_bytes = Vec::new();
        assert!(snappy_compress(&raw, &mut file_bytes));
        let n = file_bytes.len() as u64;
        file_bytes.extend_from_slice(&[CompressionType::SnappyCompression as u8, 0, 0, 0, 0]);
        let env = MemEnv::new(default_env());
        let path = std::path::Path::new("/block");
        write_string_to_file(&env, &file_bytes, path).unwrap();
        let file = env.new_random_access_file(path).unwrap();
        // Spares too large (one twice the size, as `Vec::reserve` used to make them) and too small.
        for capacity in [4000, 20_000, 2 * (4096 + 64)] {
            block_buffers::give_back(Vec::with_capacity(capacity));
        }
        let contents = read_block(&*file, false, &BlockHandle::new(0, n)).unwrap();
        assert_eq!(contents.data, raw);
        let need = 4096 + 64;
        assert!(
            contents.data.capacity() >= 4096 && contents.data.capacity() <= need + need / 16,
            "capacity {}",
            contents.data.capacity()
        );
    }

    #[test]
    fn block_handle_round_trip() {
        for (offset, size) in [(0u64, 0u64), (1, 127), (128, 1 << 20), (u64::MAX, u64::MAX)] {
            let h = BlockHandle::new(offset, size);
            let mut dst = Vec::new();
            h.encode_to(&mut dst);
            assert!(dst.len() <= BlockHandle::MAX_ENCODED_LENGTH);
            let mut input = &dst[..];
            assert_eq!(BlockHandle::decode_from(&mut input).unwrap(), h);
            assert!(input.is_empty());
        }
        let mut truncated: &[u8] = &[0x80];
        assert!(BlockHandle::decode_from(&mut truncated).is_err());
    }
}
