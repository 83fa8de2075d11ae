//! Chapter 4: a block, built and read (the tour's chapter 3, sstables).
//!
//! A block holds sorted entries. Each key is stored as the length of the prefix it shares with the previous key
//! and the rest (prefix compression); every `block_restart_interval` entries (16 in a data block) a key is
//! stored whole: a restart point. The restart points' offsets end the block, so a reader can binary-search them.
//!
//! ```text
//! entry:   shared: varint32 | non_shared: varint32 | value_length: varint32 | key[shared..] | value
//! trailer: restarts: fixed32 * num_restarts | num_restarts: fixed32      (the first restart is offset 0)
//! ```
//!
//! Grade: `cargo run -p course -- check 4`. Uses chapter 1's varints and fixed integers.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::ch01_log::{get_varint32, put_fixed32, put_varint32};
use crate::support::{Comparator, Entry};

/// Builds a block.
///
/// LevelDB: BlockBuilder
pub struct BlockBuilder {
    /// The keys' order (LevelDB only asserts with it that keys come in order).
    comparator: Arc<dyn Comparator>,
    block_restart_interval: usize,
    /// The block so far.
    buffer: Vec<u8>,
    /// The offsets of the restart points (the first is 0).
    restarts: Vec<u32>,
    /// Entries since the last restart point.
    counter: usize,
    last_key: Vec<u8>,
}

impl BlockBuilder {
    /// An empty block, with a restart point every `block_restart_interval` entries.
    pub fn new(comparator: Arc<dyn Comparator>, block_restart_interval: usize) -> BlockBuilder {
        BlockBuilder {
            comparator,
            block_restart_interval,
            buffer: Vec::new(),
            restarts: vec![0],
            counter: 0,
            last_key: Vec::new(),
        }
    }

    /// Appends an entry; `key` is after every key added so far. Below the restart interval, share the prefix
    /// common with the last key; at it, start a restart point (record the offset, reset the counter, share
    /// nothing).
    ///
    /// LevelDB: BlockBuilder::Add
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        todo!("chapter 4: write BlockBuilder::add")
    }

    /// Appends the restart array and its length, and returns the block.
    ///
    /// LevelDB: BlockBuilder::Finish
    pub fn finish(&mut self) -> &[u8] {
        todo!("chapter 4: write BlockBuilder::finish")
    }

    /// The size the block would have if finished now (the table builder cuts a block when it reaches
    /// block_size).
    ///
    /// LevelDB: BlockBuilder::CurrentSizeEstimate
    pub fn current_size_estimate(&self) -> usize {
        todo!("chapter 4: write BlockBuilder::current_size_estimate")
    }

    /// Starts a new block.
    ///
    /// LevelDB: BlockBuilder::Reset
    pub fn reset(&mut self) {
        self.buffer.clear();
        self.restarts = vec![0];
        self.counter = 0;
        self.last_key.clear();
    }

    /// True if no entry was added since the last reset.
    ///
    /// LevelDB: BlockBuilder::empty
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }
}

/// Reads a block.
///
/// LevelDB: Block
pub struct BlockReader {
    data: Vec<u8>,
    /// Where the restart array begins (the entries end there).
    restart_offset: usize,
    num_restarts: usize,
}

impl BlockReader {
    /// Reads the restart count from the last 4 bytes; "bad block contents" if the block is shorter than 4
    /// bytes or too short for that many restarts.
    ///
    /// LevelDB: Block::Block
    pub fn new(data: Vec<u8>) -> Result<BlockReader, String> {
        todo!("chapter 4: write BlockReader::new")
    }

    /// The offset of restart point `i`.
    fn restart_point(&self, i: usize) -> usize {
        let at = self.restart_offset + 4 * i;
        u32::from_le_bytes(self.data[at..at + 4].try_into().expect("4 bytes")) as usize
    }

    /// Decodes the entry at `offset`: (shared, non_shared, value_length, the offset of its key delta); `None`
    /// if its header or its lengths run past the restart array.
    ///
    /// LevelDB: DecodeEntry
    fn decode_entry(&self, offset: usize) -> Option<(usize, usize, usize, usize)> {
        todo!("chapter 4: write BlockReader::decode_entry")
    }

    /// Every entry, in order, its key rebuilt from the previous one; "bad entry in block" if one does not
    /// decode or shares more than the previous key has.
    ///
    /// LevelDB: Block::Iter::SeekToFirst, Next, ParseNextKey
    pub fn entries(&self) -> Result<Vec<Entry>, String> {
        todo!("chapter 4: write BlockReader::entries")
    }

    /// The first entry whose key is >= `target` in `comparator`'s order (`None` if there is none): binary
    /// search for the last restart point whose key is < target (restart keys are whole: shared is 0), then
    /// scan forward from it.
    ///
    /// LevelDB: Block::Iter::Seek
    pub fn seek(
        &self,
        comparator: &Arc<dyn Comparator>,
        target: &[u8],
    ) -> Result<Option<Entry>, String> {
        todo!("chapter 4: write BlockReader::seek")
    }
}
