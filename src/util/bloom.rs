//! The built-in bloom filter policy, `leveldb.BuiltinBloomFilter2`.
//!
//! A filter for `n` keys at `bits_per_key` is `n * bits_per_key` bits (at least 64), rounded up to whole bytes,
//! followed by one byte holding `k`, the number of probes. Each key sets `k` bits chosen by double hashing:
//! `h = Hash(key, 0xbc9f1d34)`, then `h += delta` with `delta = h rotated right by 17`. Filters written by LevelDB
//! and by oxleveldb are the same bytes, and each engine reads the other's.

use crate::util::filter_policy::FilterPolicy;
use crate::util::hash::hash;

/// LevelDB: BloomHash
#[inline]
fn bloom_hash(key: &[u8]) -> u32 {
    hash(key, 0xbc9f1d34)
}

/// LevelDB's bloom filter: about `bits_per_key` bits per key in each table's filter block, so that a `get` of a
/// key a table does not hold skips the table's data blocks (10 bits per key: about 1% false positives). It is
/// stored under the name `leveldb.BuiltinBloomFilter2`, so LevelDB reads the filters oxleveldb writes.
///
/// ```
/// use oxleveldb::{BloomFilterPolicy, FilterPolicy};
///
/// let policy = BloomFilterPolicy::new(10);
/// let keys: Vec<&[u8]> = vec![b"hello", b"world"];
/// let mut filter = Vec::new();
/// policy.create_filter(&keys, &mut filter);
/// assert!(policy.key_may_match(b"hello", &filter));
/// assert!(!policy.key_may_match(b"absent", &filter)); // Usually: false positives are possible.
/// assert_eq!(policy.name(), "leveldb.BuiltinBloomFilter2");
/// ```
///
/// LevelDB: BloomFilterPolicy
#[derive(Clone, Debug)]
pub struct BloomFilterPolicy {
    bits_per_key: usize,
    k: usize,
}

impl BloomFilterPolicy {
    /// A bloom filter with about `bits_per_key` bits per key; 10 gives a false positive rate of about 1%.
    ///
    /// LevelDB: NewBloomFilterPolicy
    pub fn new(bits_per_key: usize) -> BloomFilterPolicy {
        // We intentionally round down to reduce probing cost a little bit: 0.69 =~ ln(2).
        let k = ((bits_per_key as f64 * 0.69) as usize).clamp(1, 30);
        BloomFilterPolicy { bits_per_key, k }
    }
}

impl FilterPolicy for BloomFilterPolicy {
    fn name(&self) -> &str {
        "leveldb.BuiltinBloomFilter2"
    }

    fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
        // Compute the bloom filter size (in both bits and bytes). For small n, a very high false positive rate is
        // avoided by enforcing a minimum bloom filter length.
        let bits = (keys.len() * self.bits_per_key).max(64);
        let bytes = bits.div_ceil(8);
        let bits = bytes * 8;

        let init_size = dst.len();
        dst.resize(init_size + bytes, 0);
        dst.push(self.k as u8); // Remember the number of probes in the filter.
        let array = &mut dst[init_size..init_size + bytes];
        for key in keys {
            // Use double hashing to generate a sequence of hash values.
            let mut h = bloom_hash(key);
            let delta = h.rotate_right(17);
            for _ in 0..self.k {
                let bitpos = h as usize % bits;
                array[bitpos / 8] |= 1 << (bitpos % 8);
                h = h.wrapping_add(delta);
            }
        }
    }

    fn key_may_match(&self, key: &[u8], bloom_filter: &[u8]) -> bool {
        let len = bloom_filter.len();
        if len < 2 {
            return false;
        }
        let array = &bloom_filter[..len - 1];
        let bits = array.len() * 8;

        // Use the encoded k so that filters made with other parameters can be read. LevelDB reads the byte through
        // a (signed) char, so bytes of 0x80 and above count as "over 30" too.
        let k = bloom_filter[len - 1] as i8;
        if !(0..=30).contains(&k) {
            // Reserved for potentially new encodings of short bloom filters: consider it a match.
            return true;
        }

        let mut h = bloom_hash(key);
        let delta = h.rotate_right(17);
        for _ in 0..k {
            let bitpos = h as usize % bits;
            if array[bitpos / 8] & (1 << (bitpos % 8)) == 0 {
                return false;
            }
            h = h.wrapping_add(delta);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::coding::encode_fixed32;

    /// LevelDB's BloomTest fixture: a policy at 10 bits per key and the keys added so far.
    struct BloomTest {
        policy: BloomFilterPolicy,
        filter: Vec<u8>,
        keys: Vec<Vec<u8>>,
    }

    impl BloomTest {
        fn new() -> BloomTest {
            BloomTest {
                policy: BloomFilterPolicy::new(10),
                filter: Vec::new(),
                keys: Vec::new(),
            }
        }
        fn reset(&mut self) {
            self.keys.clear();
            self.filter.clear();
        }
        fn add(&mut self, key: &[u8]) {
            self.keys.push(key.to_vec());
        }
        fn build(&mut self) {
            let key_slices: Vec<&[u8]> = self.keys.iter().map(|k| &k[..]).collect();
            self.filter.clear();
            self.policy.create_filter(&key_slices, &mut self.filter);
            self.keys.clear();
        }
        fn filter_size(&self) -> usize {
            self.filter.len()
        }
        fn matches(&mut self, key: &[u8]) -> bool {
            if !self.keys.is_empty() {
                self.build();
            }
            self.policy.key_may_match(key, &self.filter)
        }
        fn false_positive_rate(&mut self) -> f64 {
            let mut result = 0;
            for i in 0..10000 {
                if self.matches(&key(i + 1_000_000_000)) {
                    result += 1;
                }
            }
            f64::from(result) / 10000.0
        }
    }

    fn key(i: u32) -> [u8; 4] {
        let mut buf = [0u8; 4];
        encode_fixed32(&mut buf, i);
        buf
    }

    // LevelDB: BloomTest.EmptyFilter
    #[test]
    fn empty_filter() {
        let mut t = BloomTest::new();
        assert!(!t.matches(b"hello"));
        assert!(!t.matches(b"world"));
    }

    // LevelDB: BloomTest.Small
    #[test]
    fn small() {
        let mut t = BloomTest::new();
        t.add(b"hello");
        t.add(b"world");
        assert!(t.matches(b"hello"));
        assert!(t.matches(b"world"));
        assert!(!t.matches(b"x"));
        assert!(!t.matches(b"foo"));
    }

    fn next_length(length: u32) -> u32 {
        if length < 10 {
            length + 1
        } else if length < 100 {
            length + 10
        } else if length < 1000 {
            length + 100
        } else {
            length + 1000
        }
    }

    // LevelDB: BloomTest.VaryingLengths
    #[test]
    fn varying_lengths() {
        let mut t = BloomTest::new();
        // Count number of filters that significantly exceed the false positive rate.
        let mut mediocre_filters = 0;
        let mut good_filters = 0;
        let mut length = 1;
        while length <= 10000 {
            t.reset();
            for i in 0..length {
                t.add(&key(i));
            }
            t.build();
            assert!(
                t.filter_size() <= (length as usize * 10 / 8) + 40,
                "length {length}"
            );

            // All added keys must match.
            for i in 0..length {
                assert!(t.matches(&key(i)), "length {length}; key {i}");
            }

            // Check false positive rate.
            let rate = t.false_positive_rate();
            assert!(rate <= 0.02, "length {length}: {rate}"); // Must not be over 2%.
            if rate > 0.0125 {
                mediocre_filters += 1; // Allowed, but not too often.
            } else {
                good_filters += 1;
            }
            length = next_length(length);
        }
        assert!(mediocre_filters <= good_filters / 5);
    }

    #[test]
    fn k_follows_bits_per_key_and_reserved_k_matches() {
        assert_eq!(BloomFilterPolicy::new(10).k, 6);
        assert_eq!(BloomFilterPolicy::new(0).k, 1);
        assert_eq!(BloomFilterPolicy::new(100).k, 30);
        let policy = BloomFilterPolicy::new(10);
        // k = 31 and k >= 0x80 are reserved encodings: "may match".
        assert!(policy.key_may_match(b"anything", &[0, 0, 0, 0, 0, 0, 0, 0, 31]));
        assert!(policy.key_may_match(b"anything", &[0, 0, 0, 0, 0, 0, 0, 0, 0x80]));
        // Exact layout: 64 bits minimum, k in the last byte.
        let mut dst = vec![0xaa];
        policy.create_filter(&[b"hello"], &mut dst);
        assert_eq!(dst.len(), 1 + 8 + 1);
        assert_eq!(dst[0], 0xaa);
        assert_eq!(dst[9], 6);
    }
}
