//! The hash of the transaction layer's maps keyed by user keys (the lock table, a transaction's tracked locks and
//! buffered writes, the write history): LevelDB's own hash, spread over 64 bits.
//!
//! Every transaction looks its keys up in three or four such maps; std's default SipHash made about a quarter
//! of the transaction layer's own cost in `txnrandom` (COMPARISON.md). This hash is not keyed (RocksDB's lock
//! table's is not either): keys chosen to collide slow the maps down, but cannot make them wrong.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::util::hash::hash;

/// Multiplying by an odd constant spreads LevelDB's 32-bit hash over all 64 bits (the hash table takes its
/// bucket from the low bits and a tag from the high ones).
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

/// RocksDB: GetSliceNPHash64 (the unkeyed hash of its lock table)
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = (self.0 ^ u64::from(hash(bytes, self.0 as u32))).wrapping_mul(SPREAD);
    }

    /// The length a slice's hash starts with.
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(SPREAD);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from user keys to `V`.
pub(crate) type KeyMap<V> = HashMap<Vec<u8>, V, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_alike_and_lookups_by_slice_work() {
        let build = BuildHasherDefault::<KeyHasher>::default();
        assert_eq!(build.hash_one(b"key".to_vec()), build.hash_one(&b"key"[..]));
        assert_ne!(build.hash_one(&b"key"[..]), build.hash_one(&b"kez"[..]));
        let mut map = KeyMap::default();
        for i in 0..1000u32 {
            map.insert(i.to_le_bytes().to_vec(), i);
        }
        assert!((0..1000u32).all(|i| map.get(&i.to_le_bytes()[..]) == Some(&i)));
        // The high bits vary too (the table's tags).
        let tags: std::collections::HashSet<u64> = (0..1000u32)
            .map(|i| build.hash_one(&i.to_le_bytes()[..]) >> 57)
            .collect();
        assert!(tags.len() > 64, "{} distinct tags", tags.len());
    }
}
