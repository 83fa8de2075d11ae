//! Chapter 6: the table builder (the tour's chapter 3, sstables). Its output must be the `.ldb` bytes LevelDB
//! 1.23 wrote for the same entries.
//!
//! ```text
//! [data block 1] ... [data block N]   entries (internal keys), cut when a block reaches block_size
//! [filter block]                      if a bloom filter is set: chapter 5's filter block, never compressed
//! [metaindex block]                   "filter.leveldb.BuiltinBloomFilter2" -> the filter block's handle
//! [index block]                       a short separator per data block -> its handle (restart interval 1)
//! [footer]                            48 bytes: metaindex handle, index handle, zero padding to 40, the magic
//! ```
//!
//! Every block is followed by a 5-byte trailer: its compression type (0 none, 1 snappy) and the masked crc32c
//! of the block's stored bytes and that type byte. A block handle is two varint64s: offset and size (the size
//! without the trailer). A block is stored snappy-compressed only if that saves at least an eighth of it.
//!
//! The index block's key for a data block is a short key between its last key and the next block's first
//! (`find_shortest_separator`), or after the last block, a short key after its last key
//! (`find_short_successor`): index blocks stay small.
//!
//! Grade: `cargo run -p course -- check 6`. Uses chapters 1 (varints, fixed integers, mask_crc), 4 (the block
//! builder) and 5 (the filter block).

use crate::ch01_log::{mask_crc, put_fixed32, put_fixed64, put_varint64};
use crate::ch04_block::BlockBuilder;
use crate::ch05_bloom::{BloomFilterPolicy, FilterBlockBuilder};
pub use crate::fixtures::TableOptions;
use crate::support::{crc32c_extend, internal_key_comparator, snappy_compress};

/// The magic number that ends a table. LevelDB: kTableMagicNumber
pub const TABLE_MAGIC_NUMBER: u64 = 0xdb4775248b80fb57;
/// The footer's size: two handles of at most 20 bytes each, padded, and the magic. LevelDB: Footer::kEncodedLength
pub const FOOTER_LENGTH: usize = 48;
/// The largest sequence number (56 bits). LevelDB: kMaxSequenceNumber
pub const MAX_SEQUENCE_NUMBER: u64 = (1 << 56) - 1;

/// Where a block is: offset and size (without its trailer).
///
/// LevelDB: BlockHandle
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockHandle {
    pub offset: u64,
    pub size: u64,
}

impl BlockHandle {
    /// LevelDB: BlockHandle::EncodeTo
    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.offset);
        put_varint64(dst, self.size);
    }
}

/// A short internal key k with start <= k < limit. Shorten the user keys as the bytewise comparator does (at
/// the first differing byte d, if `start[d] < 0xff` and `start[d] + 1 < limit[d]`, keep `start[..=d]` with that
/// byte incremented; else leave start alone); if that gives a shorter user key that is still after start's, append
/// the tag (MAX_SEQUENCE_NUMBER << 8 | 1) (the largest internal key of that user key); else return start.
///
/// LevelDB: InternalKeyComparator::FindShortestSeparator (BytewiseComparatorImpl::FindShortestSeparator)
pub fn find_shortest_separator(start: &[u8], limit: &[u8]) -> Vec<u8> {
    todo!("chapter 6: write find_shortest_separator")
}

/// A short internal key k >= `key`: increment the user key's first byte that is not 0xff and cut after it; if
/// that is shorter and after the user key, append the tag (MAX_SEQUENCE_NUMBER << 8 | 1); else return `key`.
///
/// LevelDB: InternalKeyComparator::FindShortSuccessor (BytewiseComparatorImpl::FindShortSuccessor)
pub fn find_short_successor(key: &[u8]) -> Vec<u8> {
    todo!("chapter 6: write find_short_successor")
}

/// The footer: the two handles, zeros up to 40 bytes, then the magic number as a fixed64.
///
/// LevelDB: Footer::EncodeTo
pub fn encode_footer(metaindex: BlockHandle, index: BlockHandle) -> Vec<u8> {
    todo!("chapter 6: write encode_footer")
}

/// Builds a table in memory.
///
/// LevelDB: TableBuilder
pub struct TableBuilder {
    options: TableOptions,
    /// The table's bytes so far.
    file: Vec<u8>,
    data_block: BlockBuilder,
    /// A restart point at every entry.
    index_block: BlockBuilder,
    /// The filter block, if the options ask for a bloom filter (its keys are user keys).
    filter_block: Option<FilterBlockBuilder>,
    last_key: Vec<u8>,
    num_entries: u64,
    /// The index entry of the last data block waits for the next key (to choose a short separator), or for
    /// finish.
    pending_index_entry: bool,
    pending_handle: BlockHandle,
}

impl TableBuilder {
    /// An empty table. (The filter block starts its first block at offset 0.)
    pub fn new(options: TableOptions) -> TableBuilder {
        let filter_block = options.bloom_bits_per_key.map(|bits| {
            let mut filter_block = FilterBlockBuilder::new(BloomFilterPolicy::new(bits));
            filter_block.start_block(0);
            filter_block
        });
        TableBuilder {
            options,
            file: Vec::new(),
            data_block: BlockBuilder::new(internal_key_comparator(), options.block_restart_interval),
            index_block: BlockBuilder::new(internal_key_comparator(), 1),
            filter_block,
            last_key: Vec::new(),
            num_entries: 0,
            pending_index_entry: false,
            pending_handle: BlockHandle::default(),
        }
    }

    /// Adds an entry (keys in increasing internal-key order): first the pending index entry of the previous
    /// block (its last key shortened toward this key), then the key to the filter (its user key: without the
    /// 8-byte tag) and to the data block; flush the data block once its size estimate reaches block_size.
    ///
    /// LevelDB: TableBuilder::Add
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        todo!("chapter 6: write TableBuilder::add")
    }

    /// Writes the data block (if it has entries), marks its index entry pending, and starts the filter's next
    /// block at the new end of the file.
    ///
    /// LevelDB: TableBuilder::Flush
    fn flush(&mut self) {
        todo!("chapter 6: write TableBuilder::flush")
    }

    /// Writes a finished block: snappy-compressed if the options ask for it and it saves at least 1/8
    /// (compressed.len() < raw.len() - raw.len() / 8), else raw.
    ///
    /// LevelDB: TableBuilder::WriteBlock
    fn write_block(&mut self, raw: &[u8]) -> BlockHandle {
        todo!("chapter 6: write TableBuilder::write_block")
    }

    /// Appends `contents` and its trailer: the compression type, then the masked crc32c of the contents
    /// followed by the type byte.
    ///
    /// LevelDB: TableBuilder::WriteRawBlock
    fn write_raw_block(&mut self, contents: &[u8], compression: u8) -> BlockHandle {
        todo!("chapter 6: write TableBuilder::write_raw_block")
    }

    /// Flushes the last data block, then writes the filter block (raw), the metaindex block (a
    /// `BlockBuilder` with the data blocks' restart interval: "filter.leveldb.BuiltinBloomFilter2" -> the
    /// filter block's handle, if there is a filter), the index block (after adding the last block's entry
    /// with find_short_successor) and the footer. Returns the table's bytes.
    ///
    /// LevelDB: TableBuilder::Finish
    pub fn finish(self) -> Vec<u8> {
        todo!("chapter 6: write TableBuilder::finish")
    }
}
