//! LevelDB's 32-bit hash, similar to murmur hash. The bloom filter (seed `0xbc9f1d34`) and the LRU cache's
//! sharding (seed 0) depend on its exact values, so filters written by LevelDB answer the same here.

use crate::util::coding::decode_fixed32;

/// LevelDB: Hash
pub fn hash(data: &[u8], seed: u32) -> u32 {
    const M: u32 = 0xc6a4a793;
    const R: u32 = 24;
    let mut h = seed ^ (data.len() as u32).wrapping_mul(M);

    let mut words = data.chunks_exact(4);
    for word in &mut words {
        h = h.wrapping_add(decode_fixed32(word));
        h = h.wrapping_mul(M);
        h ^= h >> 16;
    }

    // The tail bytes are treated as unsigned (LevelDB's SignedUnsignedIssue fix).
    let rest = words.remainder();
    if rest.len() == 3 {
        h = h.wrapping_add(u32::from(rest[2]) << 16);
    }
    if rest.len() >= 2 {
        h = h.wrapping_add(u32::from(rest[1]) << 8);
    }
    if !rest.is_empty() {
        h = h.wrapping_add(u32::from(rest[0]));
        h = h.wrapping_mul(M);
        h ^= h >> R;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    // LevelDB: HASH.SignedUnsignedIssue
    #[test]
    fn signed_unsigned_issue() {
        let data1 = [0x62u8];
        let data2 = [0xc3u8, 0x97];
        let data3 = [0xe2u8, 0x99, 0xa5];
        let data4 = [0xe1u8, 0x80, 0xb9, 0x32];
        let data5: [u8; 48] = [
            0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14,
            0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(hash(&[], 0xbc9f1d34), 0xbc9f1d34);
        assert_eq!(hash(&data1, 0xbc9f1d34), 0xef1345c4);
        assert_eq!(hash(&data2, 0xbc9f1d34), 0x5b663814);
        assert_eq!(hash(&data3, 0xbc9f1d34), 0x323c078f);
        assert_eq!(hash(&data4, 0xbc9f1d34), 0xed21633a);
        assert_eq!(hash(&data5, 0x12345678), 0xf333dabb);
    }
}
