//! Keys and values as the operation log writes them: literal bytes, or bytes made from a seed, so that a 100 KB
//! value takes one short token that a person can still edit (change its length, and the shrinker can too).
//!
//! The three forms (docs/oplog.md):
//! - `"text\x00\xff"`: literal bytes in double quotes; printable ASCII stands for itself except `"` and `\`, every
//!   other byte is `\xNN` (two lowercase hex digits). The printer writes exactly this canonical form.
//! - `rand(LEN,SEED)`: LEN bytes of the SplitMix64 stream started at SEED, each 8-byte output little-endian.
//! - `text(LEN,SEED)`: LEN compressible bytes: a run of LEN/2 (at least 1) printable characters, each
//!   `' ' + (SplitMix64 output % 95)`, repeated until LEN bytes (LevelDB's test::CompressibleString at 50%).
//!
//! Invariant: `Bytes::parse` of `Bytes::to_string` gives back the same value in the same form, so a log round-trips.

use std::fmt;

/// A byte string in one of the log's three forms; [`Bytes::bytes`] gives its contents.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bytes {
    /// Literal bytes.
    Literal(Vec<u8>),
    /// `len` pseudo-random (incompressible) bytes from `seed`.
    Random {
        /// The length in bytes.
        len: usize,
        /// The SplitMix64 seed.
        seed: u64,
    },
    /// `len` compressible bytes from `seed`.
    Text {
        /// The length in bytes.
        len: usize,
        /// The SplitMix64 seed.
        seed: u64,
    },
}

/// SplitMix64 (Steele, Lea and Flood): the log's generator of bytes and the workload's random source. Tiny, fast,
/// and fully defined by its seed, so a log means the same bytes everywhere.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A stream started at `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[0, n)` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

impl Bytes {
    /// Literal bytes.
    pub fn literal(bytes: impl AsRef<[u8]>) -> Bytes {
        Bytes::Literal(bytes.as_ref().to_vec())
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Bytes::Literal(b) => b.len(),
            Bytes::Random { len, .. } | Bytes::Text { len, .. } => *len,
        }
    }

    /// True for no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The contents.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Bytes::Literal(b) => b.clone(),
            Bytes::Random { len, seed } => {
                let mut rnd = SplitMix64::new(*seed);
                let mut out = Vec::with_capacity(len + 8);
                while out.len() < *len {
                    out.extend_from_slice(&rnd.next_u64().to_le_bytes());
                }
                out.truncate(*len);
                out
            }
            Bytes::Text { len, seed } => {
                let mut rnd = SplitMix64::new(*seed);
                let run: Vec<u8> = (0..(len / 2).max(1))
                    .map(|_| b' ' + rnd.below(95) as u8)
                    .collect();
                run.iter().copied().cycle().take(*len).collect()
            }
        }
    }

    /// The same form cut to `len` bytes (at most its length): what the shrinker tries.
    pub fn with_len(&self, len: usize) -> Bytes {
        match self {
            Bytes::Literal(b) => Bytes::Literal(b[..len.min(b.len())].to_vec()),
            Bytes::Random { seed, len: old } => Bytes::Random {
                len: len.min(*old),
                seed: *seed,
            },
            Bytes::Text { seed, len: old } => Bytes::Text {
                len: len.min(*old),
                seed: *seed,
            },
        }
    }

    /// Parses one token (its whole text) in any of the three forms.
    pub fn parse(token: &str) -> Result<Bytes, String> {
        if let Some(body) = token.strip_prefix('"') {
            let body = body
                .strip_suffix('"')
                .ok_or_else(|| format!("unterminated string {token}"))?;
            return unescape(body).map(Bytes::Literal);
        }
        for (name, random) in [("rand(", true), ("text(", false)] {
            if let Some(args) = token.strip_prefix(name) {
                let args = args
                    .strip_suffix(')')
                    .ok_or_else(|| format!("missing ) in {token}"))?;
                let (len, seed) = args
                    .split_once(',')
                    .ok_or_else(|| format!("expected {name}LEN,SEED) in {token}"))?;
                let len = len.parse().map_err(|_| format!("bad length in {token}"))?;
                let seed = seed.parse().map_err(|_| format!("bad seed in {token}"))?;
                return Ok(if random {
                    Bytes::Random { len, seed }
                } else {
                    Bytes::Text { len, seed }
                });
            }
        }
        Err(format!(
            "expected \"...\", rand(LEN,SEED) or text(LEN,SEED), found {token}"
        ))
    }
}

/// The body of a quoted literal: `\xNN`, `\\` and `\"` escapes.
fn unescape(body: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'"') => out.push(b'"'),
            Some(b'x') => {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                let digits = std::str::from_utf8(&hex).unwrap_or("");
                let value = u8::from_str_radix(digits, 16)
                    .ok()
                    .filter(|_| digits.len() == 2)
                    .ok_or_else(|| format!("bad escape \\x{digits} in \"{body}\""))?;
                out.push(value);
            }
            _ => return Err(format!("bad escape in \"{body}\"")),
        }
    }
    Ok(out)
}

/// Writes `bytes` as a quoted literal (the canonical form).
pub fn write_quoted(f: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    f.write_char('"')?;
    for &b in bytes {
        match b {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            0x20..=0x7e => f.write_char(b as char)?,
            _ => write!(f, "\\x{b:02x}")?,
        }
    }
    f.write_char('"')
}

/// A short description of bytes for reports: the first 40 as a quoted literal, then the length.
pub fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    let _ = write_quoted(&mut s, &bytes[..bytes.len().min(40)]);
    if bytes.len() > 40 {
        s.push_str(&format!("...({} bytes)", bytes.len()));
    }
    s
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bytes::Literal(b) => write_quoted(f, b),
            Bytes::Random { len, seed } => write!(f, "rand({len},{seed})"),
            Bytes::Text { len, seed } => write!(f, "text({len},{seed})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_round_trip_and_generate_their_lengths() {
        for b in [
            Bytes::literal(b"a \"quoted\" \\ \x00\xff~"),
            Bytes::literal(b""),
            Bytes::Random { len: 13, seed: 7 },
            Bytes::Text { len: 9, seed: 1 },
        ] {
            assert_eq!(Bytes::parse(&b.to_string()).unwrap(), b);
            assert_eq!(b.bytes().len(), b.len());
        }
        assert_eq!(
            Bytes::literal(b"\x00\"\\x").to_string(),
            "\"\\x00\\\"\\\\x\""
        );
        let text = Bytes::Text { len: 10, seed: 3 }.bytes();
        assert_eq!(text[..5], text[5..]);
        assert!(Bytes::parse("\"\\x4\"").is_err());
        assert!(Bytes::parse("rand(3)").is_err());
    }
}
