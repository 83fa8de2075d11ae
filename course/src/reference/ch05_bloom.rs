//! Chapter 5, the reference: the engine's hash, `BloomFilterPolicy` and `FilterBlockBuilder`.

use std::sync::Arc;

use oxleveldb::table::filter_block;
use oxleveldb::util::{bloom, filter_policy::FilterPolicy, hash};

pub const FILTER_BASE_LG: u8 = 11;

pub fn leveldb_hash(data: &[u8], seed: u32) -> u32 {
    hash::hash(data, seed)
}

pub fn bloom_hash(key: &[u8]) -> u32 {
    leveldb_hash(key, 0xbc9f1d34)
}

#[derive(Clone, Debug)]
pub struct BloomFilterPolicy(bloom::BloomFilterPolicy);

impl BloomFilterPolicy {
    pub fn new(bits_per_key: usize) -> BloomFilterPolicy {
        BloomFilterPolicy(bloom::BloomFilterPolicy::new(bits_per_key))
    }

    /// The engine keeps k to itself; a filter ends with it.
    pub fn k(&self) -> usize {
        let mut filter = Vec::new();
        self.0.create_filter(&[], &mut filter);
        usize::from(filter[filter.len() - 1])
    }

    pub fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
        self.0.create_filter(keys, dst)
    }

    pub fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool {
        self.0.key_may_match(key, filter)
    }
}

pub struct FilterBlockBuilder(filter_block::FilterBlockBuilder);

impl FilterBlockBuilder {
    pub fn new(policy: BloomFilterPolicy) -> FilterBlockBuilder {
        FilterBlockBuilder(filter_block::FilterBlockBuilder::new(Arc::new(policy.0)))
    }

    pub fn start_block(&mut self, block_offset: u64) {
        self.0.start_block(block_offset)
    }

    pub fn add_key(&mut self, key: &[u8]) {
        self.0.add_key(key)
    }

    pub fn finish(&mut self) -> &[u8] {
        self.0.finish()
    }
}
