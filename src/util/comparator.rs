//! The `Comparator`: the total order of user keys, and the key shortening that keeps index blocks small.
//!
//! A database remembers its comparator's name in the MANIFEST and refuses to open with a comparator of another
//! name, so a comparator's order must never change while it keeps its name. Names starting with `leveldb.` are
//! reserved for LevelDB's own.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

/// A total order over keys. Implementations must be thread-safe: a database calls them from many threads.
///
/// ```
/// use std::cmp::Ordering;
/// use std::sync::Arc;
/// use oxleveldb::{Comparator, Options, DB};
///
/// /// Keys in reverse byte order.
/// struct Reverse;
/// impl Comparator for Reverse {
///     fn compare(&self, a: &[u8], b: &[u8]) -> Ordering { b.cmp(a) }
///     fn name(&self) -> &str { "example.Reverse" }
///     fn find_shortest_separator(&self, _start: &mut Vec<u8>, _limit: &[u8]) {}
///     fn find_short_successor(&self, _key: &mut Vec<u8>) {}
/// }
///
/// let dir = tempfile::tempdir().unwrap();
/// let options = Options { create_if_missing: true, comparator: Arc::new(Reverse), ..Options::default() };
/// let db = DB::open(options, dir.path()).unwrap();
/// for key in ["a", "b", "c"] {
///     db.put(key, "").unwrap();
/// }
/// let keys: Vec<_> = db.iter().map(|e| e.unwrap().0).collect();
/// assert_eq!(keys, [b"c", b"b", b"a"]);
/// // A database remembers its comparator's name: another comparator cannot open it.
/// drop(db);
/// assert!(DB::open(Options::default(), dir.path()).is_err());
/// ```
///
/// LevelDB: Comparator
pub trait Comparator: Send + Sync {
    /// LevelDB: Comparator::Compare
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering;

    /// The comparator's name, stored in the MANIFEST and checked when the database is opened.
    ///
    /// LevelDB: Comparator::Name
    fn name(&self) -> &str;

    /// If `*start < limit`, may change `*start` into a shorter key in `[start, limit)`. Leaving it unchanged is
    /// always correct.
    ///
    /// LevelDB: Comparator::FindShortestSeparator
    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]);

    /// May change `*key` into a short key that is `>= *key`. Leaving it unchanged is always correct.
    ///
    /// LevelDB: Comparator::FindShortSuccessor
    fn find_short_successor(&self, key: &mut Vec<u8>);
}

/// Lexicographic byte order (memcmp, then the shorter key first). Name: `leveldb.BytewiseComparator`.
///
/// LevelDB: BytewiseComparatorImpl
#[derive(Clone, Copy, Debug, Default)]
pub struct BytewiseComparator;

impl Comparator for BytewiseComparator {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        compare_bytes(a, b)
    }

    fn name(&self) -> &str {
        "leveldb.BytewiseComparator"
    }

    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]) {
        // Find the length of the common prefix.
        let min_length = start.len().min(limit.len());
        let diff_index = start.iter().zip(limit).take_while(|(a, b)| a == b).count();
        if diff_index >= min_length {
            // One string is a prefix of the other: do not shorten.
            return;
        }
        let diff_byte = start[diff_index];
        if diff_byte < 0xff && diff_byte + 1 < limit[diff_index] {
            start[diff_index] += 1;
            start.truncate(diff_index + 1);
            debug_assert!(self.compare(start, limit) == Ordering::Less);
        }
    }

    fn find_short_successor(&self, key: &mut Vec<u8>) {
        // Find the first byte that can be incremented.
        if let Some(i) = key.iter().position(|&b| b != 0xff) {
            key[i] += 1;
            key.truncate(i + 1);
        }
        // A run of 0xff bytes is left alone.
    }
}

/// The bytewise order of `a` and `b` (memcmp, then the shorter first), as `a.cmp(b)`, compared eight bytes at a
/// time in place: keys are short, and a call of the C library's memcmp costs more than the comparison itself.
#[inline]
pub(crate) fn compare_bytes(a: &[u8], b: &[u8]) -> Ordering {
    let common = a.len().min(b.len());
    let (mut a_rest, mut b_rest) = (&a[..common], &b[..common]);
    while let (Some((a8, a_next)), Some((b8, b_next))) = (
        a_rest.split_first_chunk::<8>(),
        b_rest.split_first_chunk::<8>(),
    ) {
        if a8 != b8 {
            // Big-endian: the first byte that differs decides.
            return u64::from_be_bytes(*a8).cmp(&u64::from_be_bytes(*b8));
        }
        (a_rest, b_rest) = (a_next, b_next);
    }
    // The last (fewer than eight) common bytes, padded alike with zeros, then the lengths.
    word(a_rest).cmp(&word(b_rest)).then(a.len().cmp(&b.len()))
}

/// Fewer than eight bytes as a big-endian word, padded with zeros (byte by byte: a copy of a length not known
/// at compile time would be a call of memcpy).
#[inline]
fn word(bytes: &[u8]) -> u64 {
    debug_assert!(bytes.len() < 8);
    let w = bytes.iter().fold(0u64, |w, &b| (w << 8) | u64::from(b));
    // Shifted to the top; no bytes leave a zero word (a shift by 64 would overflow).
    w.checked_shl(8 * (8 - bytes.len() as u32)).unwrap_or(0)
}

/// The process-wide bytewise comparator, shared by every `Options` that does not set its own.
///
/// LevelDB: BytewiseComparator()
pub fn bytewise_comparator() -> Arc<dyn Comparator> {
    static BYTEWISE: OnceLock<Arc<dyn Comparator>> = OnceLock::new();
    BYTEWISE
        .get_or_init(|| Arc::new(BytewiseComparator))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn separator(start: &[u8], limit: &[u8]) -> Vec<u8> {
        let mut s = start.to_vec();
        BytewiseComparator.find_shortest_separator(&mut s, limit);
        s
    }

    fn successor(key: &[u8]) -> Vec<u8> {
        let mut k = key.to_vec();
        BytewiseComparator.find_short_successor(&mut k);
        k
    }

    quickcheck::quickcheck! {
        /// Eight bytes at a time, the order is the slices' own. The keys often share a prefix (of a length that
        /// falls anywhere in an eight-byte word), so that the word that differs is not always the first.
        fn compare_bytes_is_the_slice_order(prefix: Vec<u8>, a: Vec<u8>, b: Vec<u8>) -> bool {
            let (a, b) = ([&prefix[..], &a].concat(), [&prefix[..], &b].concat());
            compare_bytes(&a, &b) == a.cmp(&b)
                && compare_bytes(&b, &a) == b.cmp(&a)
                && compare_bytes(&a, &a) == Ordering::Equal
                && compare_bytes(&a[..a.len() / 2], &a) == a[..a.len() / 2].cmp(&a)
        }
    }

    #[test]
    fn bytewise_order_and_name() {
        let c = BytewiseComparator;
        assert_eq!(c.name(), "leveldb.BytewiseComparator");
        assert_eq!(c.compare(b"a", b"b"), Ordering::Less);
        assert_eq!(c.compare(b"ab", b"a"), Ordering::Greater);
        assert_eq!(c.compare(b"\xff", b"\x01"), Ordering::Greater);
        assert_eq!(c.compare(b"", b""), Ordering::Equal);
        assert_eq!(bytewise_comparator().name(), "leveldb.BytewiseComparator");
    }

    #[test]
    fn shortest_separator() {
        assert_eq!(separator(b"foo", b"hello"), b"g");
        assert_eq!(separator(b"foo", b"foobar"), b"foo");
        assert_eq!(separator(b"foobar", b"foo"), b"foobar");
        assert_eq!(separator(b"abc1xyz", b"abc3"), b"abc2");
        // Adjacent bytes cannot be separated by a shorter key.
        assert_eq!(separator(b"abc1xyz", b"abc2"), b"abc1xyz");
        assert_eq!(separator(b"a\xffb", b"b"), b"a\xffb");
    }

    #[test]
    fn short_successor() {
        assert_eq!(successor(b"foo"), b"g");
        assert_eq!(successor(b"\xff\xffa"), b"\xff\xffb");
        assert_eq!(successor(b"\xff\xff"), b"\xff\xff");
        assert_eq!(successor(b""), b"");
    }
}
