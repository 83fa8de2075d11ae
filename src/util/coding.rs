//! Endian-neutral encoding of integers and length-prefixed byte strings.
//!
//! * Fixed-length numbers are little-endian (`fixed32`, `fixed64`).
//! * Varints (LEB128) store 7 bits per byte, least significant group first, with the high bit set on every byte but
//!   the last. A varint32 takes at most 5 bytes, a varint64 at most 10.
//! * A length-prefixed slice is a varint32 length followed by that many bytes.
//!
//! Decoders never read past the input: a varint that runs off the end (truncation) or that is longer than its type
//! allows (overflow) decodes to `None`. As in LevelDB, bits above the type's width in the last allowed byte are
//! dropped silently.

/// LevelDB: EncodeFixed32
#[inline]
pub fn encode_fixed32(dst: &mut [u8], value: u32) {
    dst[..4].copy_from_slice(&value.to_le_bytes());
}

/// LevelDB: EncodeFixed64
#[inline]
pub fn encode_fixed64(dst: &mut [u8], value: u64) {
    dst[..8].copy_from_slice(&value.to_le_bytes());
}

/// LevelDB: DecodeFixed32. `src` must hold at least 4 bytes.
#[inline]
pub fn decode_fixed32(src: &[u8]) -> u32 {
    // One bounds check and one load (indexing each byte checks the length up to four times).
    u32::from_le_bytes(*src.first_chunk().expect("decode_fixed32 needs 4 bytes"))
}

/// LevelDB: DecodeFixed64. `src` must hold at least 8 bytes.
#[inline]
pub fn decode_fixed64(src: &[u8]) -> u64 {
    u64::from_le_bytes(*src.first_chunk().expect("decode_fixed64 needs 8 bytes"))
}

/// LevelDB: PutFixed32
#[inline]
pub fn put_fixed32(dst: &mut Vec<u8>, value: u32) {
    dst.extend_from_slice(&value.to_le_bytes());
}

/// LevelDB: PutFixed64
#[inline]
pub fn put_fixed64(dst: &mut Vec<u8>, value: u64) {
    dst.extend_from_slice(&value.to_le_bytes());
}

/// Writes `value` as a varint at the start of `dst` (which must have room for 5 bytes) and returns the number of
/// bytes written.
///
/// LevelDB: EncodeVarint32
#[inline]
pub fn encode_varint32(dst: &mut [u8], value: u32) -> usize {
    encode_varint64(dst, u64::from(value))
}

/// Writes `value` as a varint at the start of `dst` (which must have room for 10 bytes) and returns the number of
/// bytes written.
///
/// LevelDB: EncodeVarint64
#[inline]
pub fn encode_varint64(dst: &mut [u8], mut value: u64) -> usize {
    let mut i = 0;
    while value >= 128 {
        dst[i] = (value as u8) | 128;
        value >>= 7;
        i += 1;
    }
    dst[i] = value as u8;
    i + 1
}

/// LevelDB: PutVarint32
#[inline]
pub fn put_varint32(dst: &mut Vec<u8>, value: u32) {
    put_varint64(dst, u64::from(value));
}

/// LevelDB: PutVarint64
#[inline]
pub fn put_varint64(dst: &mut Vec<u8>, value: u64) {
    let mut buf = [0u8; 10];
    let n = encode_varint64(&mut buf, value);
    dst.extend_from_slice(&buf[..n]);
}

/// LevelDB: PutLengthPrefixedSlice
#[inline]
pub fn put_length_prefixed_slice(dst: &mut Vec<u8>, value: &[u8]) {
    put_varint32(dst, value.len() as u32);
    dst.extend_from_slice(value);
}

/// The number of bytes the varint encoding of `value` takes.
///
/// LevelDB: VarintLength
#[inline]
pub fn varint_length(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 128 {
        value >>= 7;
        len += 1;
    }
    len
}

/// Decodes a varint32 at the start of `src`: the value and the number of bytes it took, or `None` when the
/// varint is truncated or longer than 5 bytes.
///
/// LevelDB: GetVarint32Ptr
#[inline]
pub fn decode_varint32(src: &[u8]) -> Option<(u32, usize)> {
    // Fast path: most lengths in blocks and memtable entries are under 128.
    if let Some(&b) = src.first() {
        if b & 128 == 0 {
            return Some((u32::from(b), 1));
        }
    }
    let mut result: u32 = 0;
    for (i, &byte) in src.iter().take(5).enumerate() {
        let shift = 7 * i as u32;
        if byte & 128 != 0 {
            result |= u32::from(byte & 127) << shift;
        } else {
            result |= u32::from(byte) << shift;
            return Some((result, i + 1));
        }
    }
    None
}

/// Decodes a varint64 at the start of `src`: the value and the number of bytes it took, or `None` when the
/// varint is truncated or longer than 10 bytes.
///
/// LevelDB: GetVarint64Ptr
#[inline]
pub fn decode_varint64(src: &[u8]) -> Option<(u64, usize)> {
    let mut result: u64 = 0;
    for (i, &byte) in src.iter().take(10).enumerate() {
        let shift = 7 * i as u32;
        if byte & 128 != 0 {
            result |= u64::from(byte & 127) << shift;
        } else {
            result |= u64::from(byte) << shift;
            return Some((result, i + 1));
        }
    }
    None
}

/// Parses a varint32 from the front of `input` and advances it past the varint.
///
/// LevelDB: GetVarint32
#[inline]
pub fn get_varint32(input: &mut &[u8]) -> Option<u32> {
    let (value, n) = decode_varint32(input)?;
    *input = &input[n..];
    Some(value)
}

/// Parses a varint64 from the front of `input` and advances it past the varint.
///
/// LevelDB: GetVarint64
#[inline]
pub fn get_varint64(input: &mut &[u8]) -> Option<u64> {
    let (value, n) = decode_varint64(input)?;
    *input = &input[n..];
    Some(value)
}

/// Parses a length-prefixed slice from the front of `input` and advances it past the slice.
///
/// LevelDB: GetLengthPrefixedSlice
#[inline]
pub fn get_length_prefixed_slice<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = get_varint32(input)? as usize;
    if input.len() < len {
        return None;
    }
    let (slice, rest) = input.split_at(len);
    *input = rest;
    Some(slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::quickcheck;

    // LevelDB: Coding.Fixed32
    #[test]
    fn fixed32() {
        let mut s = Vec::new();
        for v in 0..100000u32 {
            put_fixed32(&mut s, v);
        }
        for (i, chunk) in s.chunks(4).enumerate() {
            assert_eq!(decode_fixed32(chunk), i as u32);
        }
    }

    // LevelDB: Coding.Fixed64
    #[test]
    fn fixed64() {
        let mut s = Vec::new();
        for power in 0..=63 {
            let v = 1u64 << power;
            put_fixed64(&mut s, v - 1);
            put_fixed64(&mut s, v);
            put_fixed64(&mut s, v + 1);
        }
        let mut p = &s[..];
        for power in 0..=63 {
            let v = 1u64 << power;
            for expected in [v - 1, v, v + 1] {
                assert_eq!(decode_fixed64(p), expected);
                p = &p[8..];
            }
        }
    }

    // LevelDB: Coding.EncodingOutput — the bytes are little-endian.
    #[test]
    fn encoding_output() {
        let mut dst = Vec::new();
        put_fixed32(&mut dst, 0x04030201);
        assert_eq!(dst, [0x01, 0x02, 0x03, 0x04]);
        dst.clear();
        put_fixed64(&mut dst, 0x0807060504030201);
        assert_eq!(dst, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
    }

    // LevelDB: Coding.Varint32
    #[test]
    fn varint32() {
        let mut s = Vec::new();
        for i in 0..(32 * 32u32) {
            let v = (i / 32) << (i % 32);
            put_varint32(&mut s, v);
        }
        let mut p = &s[..];
        for i in 0..(32 * 32u32) {
            let expected = (i / 32) << (i % 32);
            let before = p.len();
            let actual = get_varint32(&mut p).unwrap();
            assert_eq!(actual, expected);
            assert_eq!(varint_length(u64::from(actual)), before - p.len());
        }
        assert!(p.is_empty());
    }

    // LevelDB: Coding.Varint64
    #[test]
    fn varint64() {
        let mut values = vec![0u64, 100, !0u64, !0u64 - 1];
        for k in 0..64 {
            let power = 1u64 << k;
            values.extend([power, power - 1, power + 1]);
        }
        let mut s = Vec::new();
        for &v in &values {
            put_varint64(&mut s, v);
        }
        let mut p = &s[..];
        for &expected in &values {
            let before = p.len();
            let actual = get_varint64(&mut p).unwrap();
            assert_eq!(actual, expected);
            assert_eq!(varint_length(actual), before - p.len());
        }
        assert!(p.is_empty());
    }

    // LevelDB: Coding.Varint32Overflow
    #[test]
    fn varint32_overflow() {
        assert_eq!(decode_varint32(&[0x81, 0x82, 0x83, 0x84, 0x85, 0x11]), None);
    }

    // LevelDB: Coding.Varint32Truncation
    #[test]
    fn varint32_truncation() {
        let large = (1u32 << 31) + 100;
        let mut s = Vec::new();
        put_varint32(&mut s, large);
        for len in 0..s.len() - 1 {
            assert_eq!(decode_varint32(&s[..len]), None);
        }
        assert_eq!(decode_varint32(&s), Some((large, s.len())));
    }

    // LevelDB: Coding.Varint64Overflow
    #[test]
    fn varint64_overflow() {
        let input = [
            0x81, 0x82, 0x83, 0x84, 0x85, 0x81, 0x82, 0x83, 0x84, 0x85, 0x11,
        ];
        assert_eq!(decode_varint64(&input), None);
    }

    // LevelDB: Coding.Varint64Truncation
    #[test]
    fn varint64_truncation() {
        let large = (1u64 << 63) + 100;
        let mut s = Vec::new();
        put_varint64(&mut s, large);
        for len in 0..s.len() - 1 {
            assert_eq!(decode_varint64(&s[..len]), None);
        }
        assert_eq!(decode_varint64(&s), Some((large, s.len())));
    }

    // LevelDB: Coding.Strings
    #[test]
    fn strings() {
        let mut s = Vec::new();
        let long = vec![b'x'; 200];
        put_length_prefixed_slice(&mut s, b"");
        put_length_prefixed_slice(&mut s, b"foo");
        put_length_prefixed_slice(&mut s, b"bar");
        put_length_prefixed_slice(&mut s, &long);
        let mut input = &s[..];
        assert_eq!(get_length_prefixed_slice(&mut input), Some(&b""[..]));
        assert_eq!(get_length_prefixed_slice(&mut input), Some(&b"foo"[..]));
        assert_eq!(get_length_prefixed_slice(&mut input), Some(&b"bar"[..]));
        assert_eq!(get_length_prefixed_slice(&mut input), Some(&long[..]));
        assert!(input.is_empty());
        // A length that runs past the input is an error, not a short read.
        let mut short: &[u8] = &[5, b'a', b'b'];
        assert_eq!(get_length_prefixed_slice(&mut short), None);
    }

    // High bits past the type's width in the last byte are dropped, as LevelDB does.
    #[test]
    fn varint32_drops_bits_past_width() {
        assert_eq!(
            decode_varint32(&[0xff, 0xff, 0xff, 0xff, 0x7f]),
            Some((u32::MAX, 5))
        );
    }

    quickcheck! {
        fn varint32_round_trip(v: u32) -> bool {
            let mut s = Vec::new();
            put_varint32(&mut s, v);
            s.len() == varint_length(u64::from(v)) && decode_varint32(&s) == Some((v, s.len()))
        }

        fn varint64_round_trip(v: u64, tail: Vec<u8>) -> bool {
            let mut s = Vec::new();
            put_varint64(&mut s, v);
            let n = s.len();
            s.extend_from_slice(&tail);
            n == varint_length(v) && decode_varint64(&s) == Some((v, n))
        }

        fn length_prefixed_round_trip(parts: Vec<Vec<u8>>) -> bool {
            let mut s = Vec::new();
            for p in &parts {
                put_length_prefixed_slice(&mut s, p);
            }
            let mut input = &s[..];
            parts.iter().all(|p| get_length_prefixed_slice(&mut input) == Some(&p[..])) && input.is_empty()
        }
    }
}
