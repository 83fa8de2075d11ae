//! The filter block of a table: one filter (e.g. a bloom filter) per 2 KiB of data block offsets, so that a
//! lookup can skip a data block whose filter says the key is absent.
//!
//! ```text
//! [filter 0] [filter 1] ... [filter N-1]
//! [offset of filter 0: fixed32] ... [offset of filter N-1: fixed32]
//! [offset of the offset array: fixed32]
//! [base_lg: u8]                       (11: a new filter every 2^11 bytes of data)
//! ```
//!
//! Filter `i` holds the keys of every data block that starts at an offset in `[i * 2 KiB, (i + 1) * 2 KiB)`.
//! The builder calls `start_block` when each data block starts; a 2 KiB step with no block start gets an empty
//! filter (its offset repeats). The reader never trusts the contents: any offset that does not fit makes it
//! answer "may match", which is always safe; an empty filter (start == limit) matches nothing.
//!
//! LevelDB: table/filter_block.cc

use std::sync::Arc;

use crate::util::coding::{decode_fixed32, put_fixed32};
use crate::util::filter_policy::FilterPolicy;

/// Generate new filter every 2KB of data.
///
/// LevelDB: kFilterBaseLg
const FILTER_BASE_LG: u8 = 11;

/// LevelDB: kFilterBase
const FILTER_BASE: u64 = 1 << FILTER_BASE_LG;

/// Builds the filter block of a table. The sequence of calls must match the regexp
/// `(start_block add_key*)* finish`.
///
/// LevelDB: FilterBlockBuilder
pub struct FilterBlockBuilder {
    policy: Arc<dyn FilterPolicy>,
    /// Flattened key contents.
    keys: Vec<u8>,
    /// Starting index in keys of each key.
    start: Vec<usize>,
    /// Filter data computed so far.
    result: Vec<u8>,
    /// Offset of each filter in result.
    filter_offsets: Vec<u32>,
}

impl FilterBlockBuilder {
    /// LevelDB: FilterBlockBuilder::FilterBlockBuilder
    pub fn new(policy: Arc<dyn FilterPolicy>) -> FilterBlockBuilder {
        FilterBlockBuilder {
            policy,
            keys: Vec::new(),
            start: Vec::new(),
            result: Vec::new(),
            filter_offsets: Vec::new(),
        }
    }

    /// The policy whose filters this builder makes.
    pub fn policy(&self) -> &Arc<dyn FilterPolicy> {
        &self.policy
    }

    /// Notes that a data block starts at `block_offset`: the filters of the 2 KiB steps before it are complete.
    ///
    /// LevelDB: FilterBlockBuilder::StartBlock
    pub fn start_block(&mut self, block_offset: u64) {
        let filter_index = block_offset / FILTER_BASE;
        debug_assert!(filter_index >= self.filter_offsets.len() as u64);
        while filter_index > self.filter_offsets.len() as u64 {
            self.generate_filter();
        }
    }

    /// LevelDB: FilterBlockBuilder::AddKey
    pub fn add_key(&mut self, key: &[u8]) {
        self.start.push(self.keys.len());
        self.keys.extend_from_slice(key);
    }

    /// Completes the block and returns its contents.
    ///
    /// LevelDB: FilterBlockBuilder::Finish
    pub fn finish(&mut self) -> &[u8] {
        if !self.start.is_empty() {
            self.generate_filter();
        }

        // Append array of per-filter offsets.
        let array_offset = self.result.len() as u32;
        for &offset in &self.filter_offsets {
            put_fixed32(&mut self.result, offset);
        }

        put_fixed32(&mut self.result, array_offset);
        self.result.push(FILTER_BASE_LG); // Save encoding parameter in result.
        &self.result
    }

    /// Appends the filter of the keys added since the last filter (an empty filter if there are none).
    ///
    /// LevelDB: FilterBlockBuilder::GenerateFilter
    fn generate_filter(&mut self) {
        self.filter_offsets.push(self.result.len() as u32);
        if self.start.is_empty() {
            // Fast path if there are no keys for this filter.
            return;
        }

        // Make list of keys from flattened key structure. One list per filter (per data block), not per key.
        let ends = self.start.iter().skip(1).copied().chain([self.keys.len()]);
        let tmp_keys: Vec<&[u8]> = self
            .start
            .iter()
            .zip(ends)
            .map(|(&s, e)| &self.keys[s..e])
            .collect();

        // Generate filter for current set of keys and append to result.
        self.policy.create_filter(&tmp_keys, &mut self.result);

        self.keys.clear();
        self.start.clear();
    }
}

/// Reads a filter block. Malformed contents make every lookup answer "may match".
///
/// LevelDB: FilterBlockReader
pub struct FilterBlockReader {
    policy: Arc<dyn FilterPolicy>,
    /// The whole filter block.
    data: Vec<u8>,
    /// Where the offset array starts in data (the filters are data[..offset]).
    offset: usize,
    /// Number of entries in offset array.
    num: usize,
    /// Encoding parameter (see FILTER_BASE_LG).
    base_lg: u8,
}

impl FilterBlockReader {
    /// `contents` is the filter block as `FilterBlockBuilder::finish` made it.
    ///
    /// LevelDB: FilterBlockReader::FilterBlockReader
    pub fn new(policy: Arc<dyn FilterPolicy>, contents: Vec<u8>) -> FilterBlockReader {
        let mut reader = FilterBlockReader {
            policy,
            data: Vec::new(),
            offset: 0,
            num: 0,
            base_lg: 0,
        };
        let n = contents.len();
        if n < 5 {
            return reader; // 1 byte for base_lg and 4 for start of offset array.
        }
        reader.base_lg = contents[n - 1];
        let last_word = decode_fixed32(&contents[n - 5..]) as usize;
        if last_word > n - 5 {
            return reader;
        }
        reader.offset = last_word;
        reader.num = (n - 5 - last_word) / 4;
        reader.data = contents;
        reader
    }

    /// False only if the filter of the data block at `block_offset` proves that `key` is not in it.
    ///
    /// LevelDB: FilterBlockReader::KeyMayMatch
    pub fn key_may_match(&self, block_offset: u64, key: &[u8]) -> bool {
        // A shift by 64 or more is undefined in C++; here it shifts every bit out.
        let index = block_offset
            .checked_shr(u32::from(self.base_lg))
            .unwrap_or(0);
        if index < self.num as u64 {
            let entry = self.offset + index as usize * 4;
            let start = decode_fixed32(&self.data[entry..]) as usize;
            // For the last filter, the limit is the offset-array word that follows the array.
            let limit = decode_fixed32(&self.data[entry + 4..]) as usize;
            if start <= limit && limit <= self.offset {
                return self.policy.key_may_match(key, &self.data[start..limit]);
            } else if start == limit {
                // Empty filters do not match any keys.
                return false;
            }
        }
        true // Errors are treated as potential matches.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::bloom::BloomFilterPolicy;
    use crate::util::hash::hash;
    use crate::util::logging::escape_string;

    /// For testing: emit an array with one hash value per key.
    ///
    /// LevelDB: TestHashFilter (filter_block_test.cc)
    struct TestHashFilter;

    impl FilterPolicy for TestHashFilter {
        fn name(&self) -> &str {
            "TestHashFilter"
        }

        fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
            for key in keys {
                put_fixed32(dst, hash(key, 1));
            }
        }

        fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool {
            let h = hash(key, 1);
            filter.chunks_exact(4).any(|word| decode_fixed32(word) == h)
        }
    }

    fn policy() -> Arc<dyn FilterPolicy> {
        Arc::new(TestHashFilter)
    }

    // LevelDB: FilterBlockTest.EmptyBuilder
    #[test]
    fn empty_builder() {
        let mut builder = FilterBlockBuilder::new(policy());
        let block = builder.finish().to_vec();
        assert_eq!(escape_string(&block), "\\x00\\x00\\x00\\x00\\x0b");
        let reader = FilterBlockReader::new(policy(), block);
        assert!(reader.key_may_match(0, b"foo"));
        assert!(reader.key_may_match(100000, b"foo"));
    }

    // LevelDB: FilterBlockTest.SingleChunk
    #[test]
    fn single_chunk() {
        let mut builder = FilterBlockBuilder::new(policy());
        builder.start_block(100);
        builder.add_key(b"foo");
        builder.add_key(b"bar");
        builder.add_key(b"box");
        builder.start_block(200);
        builder.add_key(b"box");
        builder.start_block(300);
        builder.add_key(b"hello");
        let block = builder.finish().to_vec();
        let reader = FilterBlockReader::new(policy(), block);
        assert!(reader.key_may_match(100, b"foo"));
        assert!(reader.key_may_match(100, b"bar"));
        assert!(reader.key_may_match(100, b"box"));
        assert!(reader.key_may_match(100, b"hello"));
        assert!(reader.key_may_match(100, b"foo"));
        assert!(!reader.key_may_match(100, b"missing"));
        assert!(!reader.key_may_match(100, b"other"));
    }

    // LevelDB: FilterBlockTest.MultiChunk
    #[test]
    fn multi_chunk() {
        let mut builder = FilterBlockBuilder::new(policy());

        // First filter.
        builder.start_block(0);
        builder.add_key(b"foo");
        builder.start_block(2000);
        builder.add_key(b"bar");

        // Second filter.
        builder.start_block(3100);
        builder.add_key(b"box");

        // Third filter is empty.

        // Last filter.
        builder.start_block(9000);
        builder.add_key(b"box");
        builder.add_key(b"hello");

        let block = builder.finish().to_vec();
        let reader = FilterBlockReader::new(policy(), block);

        // Check first filter.
        assert!(reader.key_may_match(0, b"foo"));
        assert!(reader.key_may_match(2000, b"bar"));
        assert!(!reader.key_may_match(0, b"box"));
        assert!(!reader.key_may_match(0, b"hello"));

        // Check second filter.
        assert!(reader.key_may_match(3100, b"box"));
        assert!(!reader.key_may_match(3100, b"foo"));
        assert!(!reader.key_may_match(3100, b"bar"));
        assert!(!reader.key_may_match(3100, b"hello"));

        // Check third filter (empty).
        assert!(!reader.key_may_match(4100, b"foo"));
        assert!(!reader.key_may_match(4100, b"bar"));
        assert!(!reader.key_may_match(4100, b"box"));
        assert!(!reader.key_may_match(4100, b"hello"));

        // Check last filter.
        assert!(reader.key_may_match(9000, b"box"));
        assert!(reader.key_may_match(9000, b"hello"));
        assert!(!reader.key_may_match(9000, b"foo"));
        assert!(!reader.key_may_match(9000, b"bar"));
    }

    #[test]
    fn malformed_contents_may_match_everything() {
        let mut builder = FilterBlockBuilder::new(policy());
        builder.start_block(0);
        builder.add_key(b"foo");
        let good = builder.finish().to_vec();
        // Too short, an array offset past the end, and a shift of 64 or more.
        for contents in [vec![], vec![0, 0, 0, 0], {
            let mut c = good.clone();
            let n = c.len();
            c[n - 5] = 0xff;
            c
        }] {
            let reader = FilterBlockReader::new(policy(), contents);
            assert!(reader.key_may_match(0, b"missing"));
        }
        let mut huge_shift = good.clone();
        *huge_shift.last_mut().unwrap() = 200;
        let reader = FilterBlockReader::new(policy(), huge_shift);
        assert!(reader.key_may_match(u64::MAX, b"foo"));
        assert!(!reader.key_may_match(u64::MAX, b"missing"));
        // Offsets that run past the filters (start > limit, limit past the array) may match.
        let mut bad_offsets = good.clone();
        let array_offset = decode_fixed32(&good[good.len() - 5..]) as usize;
        bad_offsets[array_offset] = 0xff;
        let reader = FilterBlockReader::new(policy(), bad_offsets);
        assert!(reader.key_may_match(0, b"missing"));
        // Random bytes never panic.
        let mut rnd = crate::util::random::Random::new(301);
        for _ in 0..2000 {
            let mut c = good.clone();
            let i = rnd.uniform(c.len() as u32) as usize;
            c[i] = rnd.next() as u8;
            let reader = FilterBlockReader::new(policy(), c);
            let _ = reader.key_may_match(u64::from(rnd.next()), b"foo");
        }
    }

    #[test]
    fn bloom_filter_block_never_misses_a_present_key() {
        let policy: Arc<dyn FilterPolicy> = Arc::new(BloomFilterPolicy::new(10));
        let mut builder = FilterBlockBuilder::new(policy.clone());
        let mut blocks = Vec::new();
        let mut offset = 0u64;
        for block in 0..50u64 {
            builder.start_block(offset);
            let keys: Vec<Vec<u8>> = (0..block * 3)
                .map(|i| format!("{block}-{i}").into_bytes())
                .collect();
            for key in &keys {
                builder.add_key(key);
            }
            blocks.push((offset, keys));
            offset += 500 + block * 97;
        }
        let reader = FilterBlockReader::new(policy, builder.finish().to_vec());
        let mut false_positives = 0;
        for (offset, keys) in &blocks {
            for key in keys {
                assert!(reader.key_may_match(*offset, key));
            }
            for i in 0..100 {
                false_positives +=
                    usize::from(reader.key_may_match(*offset, format!("absent{i}").as_bytes()));
            }
        }
        // Several blocks share a filter, so a few more than 1% of absent keys may pass.
        assert!(false_positives < 50 * 100 / 10, "{false_positives}");
    }
}
