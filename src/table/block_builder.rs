//! Builds a block: sorted entries with prefix-compressed keys.
//!
//! When we store a key, we drop the prefix shared with the previous string. This helps reduce the space
//! requirement significantly. Furthermore, once every K keys, we do not apply the prefix compression and store
//! the entire key. We call this a "restart point". The tail end of the block stores the offsets of all of the
//! restart points, and can be used to do a binary search when looking for a particular key. Values are stored
//! as-is (without compression) immediately following the corresponding key.
//!
//! An entry for a particular key-value pair has the form:
//!
//! ```text
//!     shared_bytes: varint32
//!     unshared_bytes: varint32
//!     value_length: varint32
//!     key_delta: char[unshared_bytes]
//!     value: char[value_length]
//! ```
//! shared_bytes == 0 for restart points.
//!
//! The trailer of the block has the form:
//! ```text
//!     restarts: uint32[num_restarts]
//!     num_restarts: uint32
//! ```
//! restarts[i] contains the offset within the block of the ith restart point.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::util::coding::{put_fixed32, put_varint32};
use crate::util::comparator::Comparator;

/// LevelDB: BlockBuilder
pub struct BlockBuilder {
    comparator: Arc<dyn Comparator>,
    block_restart_interval: usize,
    /// Destination buffer.
    buffer: Vec<u8>,
    /// Restart points.
    restarts: Vec<u32>,
    /// Number of entries emitted since restart.
    counter: usize,
    /// Has finish() been called?
    finished: bool,
    last_key: Vec<u8>,
}

impl BlockBuilder {
    /// LevelDB: BlockBuilder::BlockBuilder
    pub fn new(comparator: Arc<dyn Comparator>, block_restart_interval: usize) -> BlockBuilder {
        BlockBuilder {
            comparator,
            block_restart_interval,
            buffer: Vec::new(),
            restarts: vec![0], // First restart point is at offset 0.
            counter: 0,
            finished: false,
            last_key: Vec::new(),
        }
    }

    /// Changes the restart interval from the next entry on (LevelDB's builder reads it through a pointer to the
    /// options, so `TableBuilder::ChangeOptions` reaches the block being built). A run already longer than the
    /// new interval ends at the next entry, which becomes a restart point.
    pub fn set_block_restart_interval(&mut self, block_restart_interval: usize) {
        self.block_restart_interval = block_restart_interval;
    }

    /// Resets the contents as if the BlockBuilder was just constructed.
    ///
    /// LevelDB: BlockBuilder::Reset
    pub fn reset(&mut self) {
        self.buffer.clear();
        self.restarts.clear();
        self.restarts.push(0); // First restart point is at offset 0.
        self.counter = 0;
        self.finished = false;
        self.last_key.clear();
    }

    /// Adds an entry. Requires: `finish()` has not been called since the last `reset()`, and `key` is larger
    /// than any previously added key.
    ///
    /// LevelDB: BlockBuilder::Add
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        debug_assert!(!self.finished);
        debug_assert!(
            self.buffer.is_empty()
                || self.comparator.compare(key, &self.last_key) == Ordering::Greater
        );
        let mut shared = 0;
        if self.counter < self.block_restart_interval {
            // See how much sharing to do with the previous string.
            shared = self
                .last_key
                .iter()
                .zip(key)
                .take_while(|(a, b)| a == b)
                .count();
        } else {
            // Restart compression.
            self.restarts.push(self.buffer.len() as u32);
            self.counter = 0;
        }
        let non_shared = key.len() - shared;

        // Add "<shared><non_shared><value_size>" to the buffer.
        put_varint32(&mut self.buffer, shared as u32);
        put_varint32(&mut self.buffer, non_shared as u32);
        put_varint32(&mut self.buffer, value.len() as u32);

        // Add the string delta to the buffer followed by the value.
        self.buffer.extend_from_slice(&key[shared..]);
        self.buffer.extend_from_slice(value);

        // Update state.
        self.last_key.truncate(shared);
        self.last_key.extend_from_slice(&key[shared..]);
        debug_assert_eq!(self.last_key, key);
        self.counter += 1;
    }

    /// Finishes building the block and returns its contents, valid until `reset()`.
    ///
    /// LevelDB: BlockBuilder::Finish
    pub fn finish(&mut self) -> &[u8] {
        // Append the restart array.
        for &r in &self.restarts {
            put_fixed32(&mut self.buffer, r);
        }
        put_fixed32(&mut self.buffer, self.restarts.len() as u32);
        self.finished = true;
        &self.buffer
    }

    /// An estimate of the current (uncompressed) size of the block being built.
    ///
    /// LevelDB: BlockBuilder::CurrentSizeEstimate
    pub fn current_size_estimate(&self) -> usize {
        self.buffer.len()                 // Raw data buffer
            + self.restarts.len() * 4     // Restart array
            + 4 // Restart array length
    }

    /// True iff no entries have been added since the last `reset()`.
    ///
    /// LevelDB: BlockBuilder::empty
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }
}
