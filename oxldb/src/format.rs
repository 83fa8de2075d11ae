//! How oxldb writes and reads keys and values.
//!
//! User data (`get`, `scan`, `load`) goes as raw bytes, so that `scan` output loads back, or as `0x` followed by
//! uppercase hex digits with the hex flags (RocksDB's `StringToHex`/`HexToString`). Internal views (`idump`,
//! `sst_dump`, `manifest_dump`) quote keys as RocksDB's `ParsedInternalKey::DebugString` does,
//! `'<user key>' seq:<N>, type:<T>`, and escape unprintable bytes as leveldbutil does (`\xNN`), unless asked for
//! hex.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use oxleveldb::db::dbformat::parse_internal_key;
use oxleveldb::util::logging::escape_string;

use crate::commands::Failure;

/// Which of keys and values are written and read in hex (`--hex` is both).
///
/// RocksDB: LDBCommand::IsKeyHex, LDBCommand::IsValueHex
#[derive(Clone, Copy)]
pub struct HexMode {
    pub key: bool,
    pub value: bool,
}

/// `0x` and the uppercase hex digits of `bytes`.
///
/// RocksDB: LDBCommand::StringToHex
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// The bytes written as `0x` and pairs of hex digits (either case).
///
/// RocksDB: LDBCommand::HexToString
fn from_hex(text: &[u8]) -> Option<Vec<u8>> {
    let digits = text.strip_prefix(b"0x")?;
    // from_str_radix alone would also take a sign.
    if digits.len() % 2 != 0 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// Bytes as the user wrote them: the bytes themselves, or those their hex stands for; `None` for bad hex.
pub fn decode(text: &[u8], hex: bool) -> Option<Vec<u8>> {
    if hex {
        from_hex(text)
    } else {
        Some(text.to_vec())
    }
}

/// A key or value from the command line.
pub fn input(arg: &OsStr, hex: bool) -> Result<Vec<u8>, Failure> {
    decode(arg.as_bytes(), hex).ok_or_else(|| {
        Failure::Usage(format!(
            "invalid hex input {}: it must be 0x followed by pairs of hex digits",
            arg.to_string_lossy()
        ))
    })
}

/// User data as oxldb writes it: the bytes themselves, or their hex.
pub fn output(bytes: &[u8], hex: bool) -> Vec<u8> {
    if hex {
        to_hex(bytes).into_bytes()
    } else {
        bytes.to_vec()
    }
}

/// Bytes in an internal view: escaped, or their hex.
pub fn debug_bytes(bytes: &[u8], hex: bool) -> String {
    if hex {
        to_hex(bytes)
    } else {
        escape_string(bytes)
    }
}

/// An encoded internal key as `'<user key>' seq:<N>, type:<T>`, or `(bad)'<bytes>'` if it does not parse.
///
/// RocksDB: ParsedInternalKey::DebugString
pub fn internal_key(encoded: &[u8], hex: bool) -> String {
    match parse_internal_key(encoded) {
        Some(key) => format!(
            "'{}' seq:{}, type:{}",
            debug_bytes(key.user_key, hex),
            key.sequence,
            key.value_type as u8
        ),
        None => format!("(bad)'{}'", debug_bytes(encoded, hex)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(to_hex(b"a\x00\xff"), "0x6100FF");
        assert_eq!(from_hex(b"0x6100ff"), Some(b"a\x00\xff".to_vec()));
        assert_eq!(from_hex(b"0x"), Some(Vec::new()));
        assert_eq!(from_hex(b"6100"), None);
        assert_eq!(from_hex(b"0x610"), None);
        assert_eq!(from_hex(b"0x6g"), None);
        assert_eq!(from_hex(b"0x+1"), None);
    }
}
