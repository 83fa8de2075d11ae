//! Chapter 4, the reference: the engine's `BlockBuilder` and `Block`.

use std::sync::Arc;

use oxleveldb::table::{block::Block, block_builder};

use crate::support::{Comparator, Cursor, Entry};

pub struct BlockBuilder(block_builder::BlockBuilder);

impl BlockBuilder {
    pub fn new(comparator: Arc<dyn Comparator>, block_restart_interval: usize) -> BlockBuilder {
        BlockBuilder(block_builder::BlockBuilder::new(
            comparator,
            block_restart_interval,
        ))
    }

    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        self.0.add(key, value)
    }

    pub fn finish(&mut self) -> &[u8] {
        self.0.finish()
    }

    pub fn current_size_estimate(&self) -> usize {
        self.0.current_size_estimate()
    }

    pub fn reset(&mut self) {
        self.0.reset()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub struct BlockReader(Arc<Block>);

/// The engine reads a block lazily: its errors show on the iterator. The entries of a block need no
/// comparator to be walked forward; this one is never asked.
fn walk_order() -> Arc<dyn Comparator> {
    oxleveldb::bytewise_comparator()
}

impl BlockReader {
    pub fn new(data: Vec<u8>) -> Result<BlockReader, String> {
        let block = Arc::new(Block::new(data));
        let mut iter = block.iter(walk_order());
        iter.seek_to_first();
        match iter.status() {
            Err(e) if e.to_string().contains("bad block contents") => Err(e.to_string()),
            _ => Ok(BlockReader(block)),
        }
    }

    pub fn entries(&self) -> Result<Vec<Entry>, String> {
        let mut iter = self.0.iter(walk_order());
        let mut entries = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            entries.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next();
        }
        iter.status().map_err(|e| e.to_string())?;
        Ok(entries)
    }

    pub fn seek(
        &self,
        comparator: &Arc<dyn Comparator>,
        target: &[u8],
    ) -> Result<Option<Entry>, String> {
        let mut iter = self.0.iter(comparator.clone());
        iter.seek(target);
        iter.status().map_err(|e| e.to_string())?;
        Ok(iter
            .valid()
            .then(|| (iter.key().to_vec(), iter.value().to_vec())))
    }
}
