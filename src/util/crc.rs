//! CRC-32C (Castagnoli) checksums, and the masking LevelDB applies before it stores one.
//!
//! The checksum itself comes from the `crc32c` crate (hardware-accelerated where the CPU allows). Stored CRCs are
//! masked: computing the CRC of a string that contains embedded CRCs is problematic, so every CRC written into a
//! log record or a block trailer is rotated and offset first. `unmask(mask(c)) == c` for every `c`.

const MASK_DELTA: u32 = 0xa282ead8;

/// The CRC-32C of `data`.
///
/// LevelDB: crc32c::Value
#[inline]
pub fn value(data: &[u8]) -> u32 {
    crc32c::crc32c(data)
}

/// The CRC-32C of `A ++ data`, where `init_crc` is the CRC-32C of some string `A`.
///
/// LevelDB: crc32c::Extend
#[inline]
pub fn extend(init_crc: u32, data: &[u8]) -> u32 {
    crc32c::crc32c_append(init_crc, data)
}

/// The masked form of `crc`, the form that is stored.
///
/// LevelDB: crc32c::Mask
#[inline]
pub fn mask(crc: u32) -> u32 {
    // Rotate right by 15 bits and add a constant.
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// The CRC whose masked form is `masked_crc`.
///
/// LevelDB: crc32c::Unmask
#[inline]
pub fn unmask(masked_crc: u32) -> u32 {
    masked_crc.wrapping_sub(MASK_DELTA).rotate_left(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    // LevelDB: CRC.StandardResults — the rfc3720 section B.4 vectors.
    #[test]
    fn standard_results() {
        assert_eq!(value(&[0u8; 32]), 0x8a9136aa);
        assert_eq!(value(&[0xffu8; 32]), 0x62a8ab43);
        let ascending: Vec<u8> = (0..32).collect();
        assert_eq!(value(&ascending), 0x46dd794e);
        let descending: Vec<u8> = (0..32).rev().collect();
        assert_eq!(value(&descending), 0x113fdb5c);
        let iscsi_read: [u8; 48] = [
            0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14,
            0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(value(&iscsi_read), 0xd9963a56);
    }

    // LevelDB: CRC.Values
    #[test]
    fn values_differ() {
        assert_ne!(value(b"a"), value(b"foo"));
    }

    // LevelDB: CRC.Extend
    #[test]
    fn extend_equals_whole() {
        assert_eq!(value(b"hello world"), extend(value(b"hello "), b"world"));
    }

    // LevelDB: CRC.Mask
    #[test]
    fn mask_round_trip() {
        let crc = value(b"foo");
        assert_ne!(crc, mask(crc));
        assert_ne!(crc, mask(mask(crc)));
        assert_eq!(crc, unmask(mask(crc)));
        assert_eq!(crc, unmask(unmask(mask(mask(crc)))));
    }
}
