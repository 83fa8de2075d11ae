//! Internal keys: how the database tells apart the versions of a user key.
//!
//! Every entry in a memtable or a table is stored under an *internal key*: the user key followed by an 8-byte
//! little-endian tag `(sequence << 8) | value_type`. Internal keys sort by user key ascending (with the user's
//! comparator), then by tag *descending*, so the newest version of a key comes first and a seek to
//! `(key, snapshot sequence)` lands on the newest version visible at that snapshot.
//!
//! This module also holds the tuning constants of LevelDB's `config` namespace.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::util::coding::{decode_fixed64, encode_varint32, put_fixed64};
use crate::util::comparator::{compare_bytes, BytewiseComparator, Comparator};
use crate::util::filter_policy::FilterPolicy;
use crate::util::logging::{append_escaped_string_to, escape_string};

/// Grouping of constants. We may want to make some of these parameters set via options.
///
/// LevelDB: namespace config
pub mod config {
    /// LevelDB: config::kNumLevels
    pub const NUM_LEVELS: usize = 7;
    /// Level-0 compaction is started when we hit this many files.
    ///
    /// LevelDB: config::kL0_CompactionTrigger
    pub const L0_COMPACTION_TRIGGER: usize = 4;
    /// Soft limit on the number of level-0 files: writes are slowed down at this point.
    ///
    /// LevelDB: config::kL0_SlowdownWritesTrigger
    pub const L0_SLOWDOWN_WRITES_TRIGGER: usize = 8;
    /// Maximum number of level-0 files: writes stop at this point.
    ///
    /// LevelDB: config::kL0_StopWritesTrigger
    pub const L0_STOP_WRITES_TRIGGER: usize = 12;
    /// The maximum level to which a new compacted memtable is pushed if it does not create overlap. Level 2 avoids
    /// relatively expensive level 0=>1 compactions and costly MANIFEST operations, without wasting much space if the
    /// same key space is overwritten repeatedly.
    ///
    /// LevelDB: config::kMaxMemCompactLevel
    pub const MAX_MEM_COMPACT_LEVEL: usize = 2;
    /// Approximate gap in bytes between samples of data read during iteration.
    ///
    /// LevelDB: config::kReadBytesPeriod
    pub const READ_BYTES_PERIOD: u64 = 1048576;
}

/// The kind of an entry. The values are part of the on-disk format.
///
/// LevelDB: ValueType
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    Deletion = 0x0,
    Value = 0x1,
}

impl ValueType {
    /// The type for a byte of the on-disk format, if it is one.
    pub fn from_byte(b: u8) -> Option<ValueType> {
        match b {
            0 => Some(ValueType::Deletion),
            1 => Some(ValueType::Value),
            _ => None,
        }
    }
}

/// The type a seek key is given: since tags sort descending, `ValueType::Value` (the highest type) makes the seek
/// key come before every entry of the same user key and sequence.
///
/// LevelDB: kValueTypeForSeek
pub const VALUE_TYPE_FOR_SEEK: ValueType = ValueType::Value;

/// LevelDB: SequenceNumber
pub type SequenceNumber = u64;

/// We leave eight bits empty at the bottom so a type and sequence number can be packed together into 64 bits.
///
/// LevelDB: kMaxSequenceNumber
pub const MAX_SEQUENCE_NUMBER: SequenceNumber = (1 << 56) - 1;

/// An internal key taken apart.
///
/// LevelDB: ParsedInternalKey
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedInternalKey<'a> {
    pub user_key: &'a [u8],
    pub sequence: SequenceNumber,
    pub value_type: ValueType,
}

impl<'a> ParsedInternalKey<'a> {
    pub fn new(
        user_key: &'a [u8],
        sequence: SequenceNumber,
        value_type: ValueType,
    ) -> ParsedInternalKey<'a> {
        ParsedInternalKey {
            user_key,
            sequence,
            value_type,
        }
    }

    /// `'<escaped user key>' @ <sequence> : <type as integer>`.
    ///
    /// LevelDB: ParsedInternalKey::DebugString
    pub fn debug_string(&self) -> String {
        let mut result = String::from("'");
        append_escaped_string_to(&mut result, self.user_key);
        result.push_str(&format!(
            "' @ {} : {}",
            self.sequence, self.value_type as u8
        ));
        result
    }
}

/// Sequence numbers past `MAX_SEQUENCE_NUMBER` lose their top byte, as in a release build of LevelDB (whose
/// assert is compiled out): they come only from a damaged log (a zeroed batch header wraps the last sequence to
/// 2^64 - 1), and such input must not panic.
///
/// LevelDB: PackSequenceAndType
#[inline]
pub fn pack_sequence_and_type(seq: SequenceNumber, t: ValueType) -> u64 {
    (seq << 8) | t as u64
}

/// Appends the serialization of `key` to `result`.
///
/// LevelDB: AppendInternalKey
pub fn append_internal_key(result: &mut Vec<u8>, key: &ParsedInternalKey<'_>) {
    result.reserve(key.user_key.len() + 8); // One allocation at most, not one per part.
    result.extend_from_slice(key.user_key);
    put_fixed64(result, pack_sequence_and_type(key.sequence, key.value_type));
}

/// Parses an internal key; `None` if it is shorter than 8 bytes or its type byte is not a `ValueType`.
///
/// LevelDB: ParseInternalKey
#[inline]
pub fn parse_internal_key(internal_key: &[u8]) -> Option<ParsedInternalKey<'_>> {
    let n = internal_key.len();
    if n < 8 {
        return None;
    }
    let num = decode_fixed64(&internal_key[n - 8..]);
    let value_type = ValueType::from_byte((num & 0xff) as u8)?;
    Some(ParsedInternalKey {
        user_key: &internal_key[..n - 8],
        sequence: num >> 8,
        value_type,
    })
}

/// The user key part of an internal key. A malformed key shorter than 8 bytes has an empty user key (LevelDB
/// asserts instead).
///
/// LevelDB: ExtractUserKey
#[inline]
pub fn extract_user_key(internal_key: &[u8]) -> &[u8] {
    &internal_key[..internal_key.len().saturating_sub(8)]
}

/// An internal key's user key and tag, as `InternalKeyComparator::compare_split` takes them.
#[inline]
pub fn split_internal_key(internal_key: &[u8]) -> (&[u8], u64) {
    (extract_user_key(internal_key), extract_tag(internal_key))
}

/// The tag (`sequence << 8 | type`) of an internal key; 0 for a malformed key shorter than 8 bytes.
#[inline]
fn extract_tag(internal_key: &[u8]) -> u64 {
    let n = internal_key.len();
    if n < 8 {
        0
    } else {
        decode_fixed64(&internal_key[n - 8..])
    }
}

/// Orders internal keys: user key ascending by the user comparator, then sequence and type descending.
///
/// LevelDB: InternalKeyComparator
#[derive(Clone)]
pub struct InternalKeyComparator {
    user_comparator: Arc<dyn Comparator>,
    /// The user order is the bytewise one: user keys are compared here directly, not through the trait. This is
    /// the innermost comparison of every search (a block's, the memtable's), and the call it saves is most of
    /// its cost for short keys.
    user_is_bytewise: bool,
}

impl InternalKeyComparator {
    pub fn new(user_comparator: Arc<dyn Comparator>) -> InternalKeyComparator {
        // The name says which order a comparator is: a database trusts it to (it is what the MANIFEST records),
        // and names starting with "leveldb." are LevelDB's own.
        let user_is_bytewise = user_comparator.name() == BytewiseComparator.name();
        InternalKeyComparator {
            user_comparator,
            user_is_bytewise,
        }
    }

    /// LevelDB: InternalKeyComparator::user_comparator
    pub fn user_comparator(&self) -> &Arc<dyn Comparator> {
        &self.user_comparator
    }

    /// Whether the user order is the bytewise one (by its name), where equal user keys are equal bytes.
    pub(crate) fn user_is_bytewise(&self) -> bool {
        self.user_is_bytewise
    }

    /// Compares two internal keys given as their user keys and tags (`split_internal_key`): `compare` once the
    /// keys are taken apart, for a caller that compares one key with many and takes it apart once (the memtable's
    /// search).
    #[inline]
    pub fn compare_split(&self, (a, a_tag): (&[u8], u64), (b, b_tag): (&[u8], u64)) -> Ordering {
        let by_user_key = if self.user_is_bytewise {
            compare_bytes(a, b)
        } else {
            self.user_comparator.compare(a, b)
        };
        match by_user_key {
            Ordering::Equal => b_tag.cmp(&a_tag),
            r => r,
        }
    }

    /// LevelDB: InternalKeyComparator::Compare(const InternalKey&, const InternalKey&)
    pub fn compare_internal_key(&self, a: &InternalKey, b: &InternalKey) -> Ordering {
        self.compare(a.encode(), b.encode())
    }
}

impl fmt::Debug for InternalKeyComparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InternalKeyComparator({})", self.user_comparator.name())
    }
}

impl Comparator for InternalKeyComparator {
    #[inline]
    fn compare(&self, akey: &[u8], bkey: &[u8]) -> Ordering {
        // Order by: increasing user key (according to the user-supplied comparator), decreasing sequence number,
        // decreasing type (though the sequence number should be enough to disambiguate).
        self.compare_split(split_internal_key(akey), split_internal_key(bkey))
    }

    fn name(&self) -> &str {
        "leveldb.InternalKeyComparator"
    }

    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]) {
        // Attempt to shorten the user portion of the key.
        let user_start = extract_user_key(start);
        let user_limit = extract_user_key(limit);
        let mut tmp = user_start.to_vec();
        self.user_comparator
            .find_shortest_separator(&mut tmp, user_limit);
        if tmp.len() < user_start.len()
            && self.user_comparator.compare(user_start, &tmp) == Ordering::Less
        {
            // The user key has become shorter physically, but larger logically. Tack on the earliest possible
            // number to the shortened user key.
            put_fixed64(
                &mut tmp,
                pack_sequence_and_type(MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK),
            );
            debug_assert_eq!(self.compare(start, &tmp), Ordering::Less);
            debug_assert_eq!(self.compare(&tmp, limit), Ordering::Less);
            *start = tmp;
        }
    }

    fn find_short_successor(&self, key: &mut Vec<u8>) {
        let user_key = extract_user_key(key);
        let mut tmp = user_key.to_vec();
        self.user_comparator.find_short_successor(&mut tmp);
        if tmp.len() < user_key.len()
            && self.user_comparator.compare(user_key, &tmp) == Ordering::Less
        {
            // The user key has become shorter physically, but larger logically. Tack on the earliest possible
            // number to the shortened user key.
            put_fixed64(
                &mut tmp,
                pack_sequence_and_type(MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK),
            );
            debug_assert_eq!(self.compare(key, &tmp), Ordering::Less);
            *key = tmp;
        }
    }
}

/// Filter policy wrapper that converts from internal keys to user keys: filters summarize user keys.
///
/// LevelDB: InternalFilterPolicy
pub struct InternalFilterPolicy {
    user_policy: Arc<dyn FilterPolicy>,
}

impl InternalFilterPolicy {
    pub fn new(user_policy: Arc<dyn FilterPolicy>) -> InternalFilterPolicy {
        InternalFilterPolicy { user_policy }
    }
}

impl FilterPolicy for InternalFilterPolicy {
    fn name(&self) -> &str {
        self.user_policy.name()
    }

    fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>) {
        // We rely on the fact that the code in table.cc does not mind us adjusting keys[].
        let user_keys: Vec<&[u8]> = keys.iter().map(|k| extract_user_key(k)).collect();
        self.user_policy.create_filter(&user_keys, dst);
    }

    fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool {
        self.user_policy
            .key_may_match(extract_user_key(key), filter)
    }
}

/// An encoded internal key. Modules in this directory wrap internal keys in this type instead of plain byte
/// strings so that a user key is never compared where an internal key is expected.
///
/// LevelDB: InternalKey
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct InternalKey {
    rep: Vec<u8>,
}

impl InternalKey {
    /// LevelDB: InternalKey::InternalKey(user_key, s, t)
    pub fn new(user_key: &[u8], s: SequenceNumber, t: ValueType) -> InternalKey {
        let mut rep = Vec::with_capacity(user_key.len() + 8);
        append_internal_key(&mut rep, &ParsedInternalKey::new(user_key, s, t));
        InternalKey { rep }
    }

    /// Takes `s` as the encoding; false (and the key left empty) if `s` is empty.
    ///
    /// LevelDB: InternalKey::DecodeFrom
    pub fn decode_from(&mut self, s: &[u8]) -> bool {
        self.rep.clear();
        self.rep.extend_from_slice(s);
        !self.rep.is_empty()
    }

    /// An internal key with the given encoding.
    pub fn from_encoding(s: &[u8]) -> InternalKey {
        InternalKey { rep: s.to_vec() }
    }

    /// LevelDB: InternalKey::Encode
    pub fn encode(&self) -> &[u8] {
        &self.rep
    }

    /// LevelDB: InternalKey::user_key
    pub fn user_key(&self) -> &[u8] {
        extract_user_key(&self.rep)
    }

    /// LevelDB: InternalKey::Clear
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn clear(&mut self) {
        self.rep.clear();
    }

    /// Whether the key is unset (a table's bounds before a key was found; LevelDB's `rep_.empty()`).
    pub fn is_empty(&self) -> bool {
        self.rep.is_empty()
    }

    /// The parsed form's debug string, or `(bad)` and the escaped bytes if the key does not parse.
    ///
    /// LevelDB: InternalKey::DebugString
    pub fn debug_string(&self) -> String {
        match parse_internal_key(&self.rep) {
            Some(parsed) => parsed.debug_string(),
            None => format!("(bad){}", escape_string(&self.rep)),
        }
    }
}

impl fmt::Debug for InternalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug_string())
    }
}

/// Keys up to this size are built in place, without a heap allocation.
const LOOKUP_KEY_INLINE: usize = 200;

/// The key `DB::get` looks up: one buffer that holds the memtable key, the internal key and the user key.
///
/// ```text
///   klength  varint32                <-- start
///   userkey  char[klength - 8]       <-- kstart
///   tag      fixed64
///                                    <-- end
/// ```
///
/// LevelDB: LookupKey
pub struct LookupKey {
    space: [u8; LOOKUP_KEY_INLINE],
    heap: Vec<u8>,
    kstart: usize,
    end: usize,
}

impl LookupKey {
    /// A key that finds the newest entry for `user_key` with a sequence number of at most `sequence`.
    ///
    /// LevelDB: LookupKey::LookupKey
    pub fn new(user_key: &[u8], sequence: SequenceNumber) -> LookupKey {
        let usize_ = user_key.len();
        let needed = usize_ + 13; // A conservative estimate.
        let mut key = LookupKey {
            space: [0; LOOKUP_KEY_INLINE],
            heap: Vec::new(),
            kstart: 0,
            end: 0,
        };
        if needed > LOOKUP_KEY_INLINE {
            key.heap = vec![0; needed];
        }
        let dst: &mut [u8] = if key.heap.is_empty() {
            &mut key.space
        } else {
            &mut key.heap
        };
        let kstart = encode_varint32(dst, (usize_ + 8) as u32);
        dst[kstart..kstart + usize_].copy_from_slice(user_key);
        let tag = pack_sequence_and_type(sequence, VALUE_TYPE_FOR_SEEK);
        dst[kstart + usize_..kstart + usize_ + 8].copy_from_slice(&tag.to_le_bytes());
        key.kstart = kstart;
        key.end = kstart + usize_ + 8;
        key
    }

    fn data(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.space[..self.end]
        } else {
            &self.heap[..self.end]
        }
    }

    /// A key suitable for lookup in a memtable (the length-prefixed internal key).
    ///
    /// LevelDB: LookupKey::memtable_key
    pub fn memtable_key(&self) -> &[u8] {
        self.data()
    }

    /// An internal key (suitable for passing to an internal iterator).
    ///
    /// LevelDB: LookupKey::internal_key
    pub fn internal_key(&self) -> &[u8] {
        &self.data()[self.kstart..]
    }

    /// LevelDB: LookupKey::user_key
    pub fn user_key(&self) -> &[u8] {
        &self.data()[self.kstart..self.end - 8]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::comparator::bytewise_comparator;

    fn ikey(user_key: &[u8], seq: u64, vt: ValueType) -> Vec<u8> {
        let mut encoded = Vec::new();
        append_internal_key(&mut encoded, &ParsedInternalKey::new(user_key, seq, vt));
        encoded
    }

    /// The bytewise order under a name of its own: an `InternalKeyComparator` calls it through the trait.
    struct NamedOtherwise;
    impl Comparator for NamedOtherwise {
        fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
            a.cmp(b)
        }
        fn name(&self) -> &str {
            "test.Bytewise"
        }
        fn find_shortest_separator(&self, _: &mut Vec<u8>, _: &[u8]) {}
        fn find_short_successor(&self, _: &mut Vec<u8>) {}
    }

    quickcheck::quickcheck! {
        /// Comparing bytewise user keys in place orders internal keys (and keys too short to be internal keys)
        /// exactly as the call through the trait does.
        fn the_bytewise_shortcut_orders_as_the_trait_call(a: Vec<u8>, b: Vec<u8>, same_user_key: bool) -> bool {
            // Often the same user key with another tag, so that the tags decide.
            let b = if same_user_key {
                [extract_user_key(&a), &b[b.len().saturating_sub(8)..]].concat()
            } else {
                b
            };
            let shortcut = InternalKeyComparator::new(bytewise_comparator());
            let call = InternalKeyComparator::new(Arc::new(NamedOtherwise));
            assert!(shortcut.user_is_bytewise && !call.user_is_bytewise);
            shortcut.compare(&a, &b) == call.compare(&a, &b) && shortcut.compare(&b, &a) == call.compare(&b, &a)
        }
    }

    fn shorten(s: &[u8], l: &[u8]) -> Vec<u8> {
        let mut result = s.to_vec();
        InternalKeyComparator::new(bytewise_comparator()).find_shortest_separator(&mut result, l);
        result
    }

    fn short_successor(s: &[u8]) -> Vec<u8> {
        let mut result = s.to_vec();
        InternalKeyComparator::new(bytewise_comparator()).find_short_successor(&mut result);
        result
    }

    fn test_key(key: &[u8], seq: u64, vt: ValueType) {
        let encoded = ikey(key, seq, vt);
        let decoded = parse_internal_key(&encoded).unwrap();
        assert_eq!(decoded.user_key, key);
        assert_eq!(decoded.sequence, seq);
        assert_eq!(decoded.value_type, vt);
        assert!(parse_internal_key(b"bar").is_none());
    }

    // LevelDB: FormatTest.InternalKey_EncodeDecode
    #[test]
    fn internal_key_encode_decode() {
        let keys: [&[u8]; 4] = [b"", b"k", b"hello", b"longggggggggggggggggggggg"];
        let seq = [
            1u64,
            2,
            3,
            (1 << 8) - 1,
            1 << 8,
            (1 << 8) + 1,
            (1 << 16) - 1,
            1 << 16,
            (1 << 16) + 1,
            (1 << 32) - 1,
            1 << 32,
            (1 << 32) + 1,
        ];
        for k in keys {
            for &s in &seq {
                test_key(k, s, ValueType::Value);
                test_key(b"hello", 1, ValueType::Deletion);
            }
        }
    }

    // LevelDB: FormatTest.InternalKey_DecodeFromEmpty
    #[test]
    fn internal_key_decode_from_empty() {
        let mut internal_key = InternalKey::default();
        assert!(!internal_key.decode_from(b""));
    }

    // LevelDB: FormatTest.InternalKeyShortSeparator
    #[test]
    fn internal_key_short_separator() {
        use ValueType::{Deletion, Value};
        // When user keys are same.
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"foo", 99, Value))
        );
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"foo", 101, Value))
        );
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"foo", 100, Value))
        );
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"foo", 100, Deletion))
        );
        // When user keys are misordered.
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"bar", 99, Value))
        );
        // When user keys are different, but correctly ordered.
        assert_eq!(
            ikey(b"g", MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"hello", 200, Value))
        );
        // When start user key is prefix of limit user key.
        assert_eq!(
            ikey(b"foo", 100, Value),
            shorten(&ikey(b"foo", 100, Value), &ikey(b"foobar", 200, Value))
        );
        // When limit user key is prefix of start user key.
        assert_eq!(
            ikey(b"foobar", 100, Value),
            shorten(&ikey(b"foobar", 100, Value), &ikey(b"foo", 200, Value))
        );
    }

    // LevelDB: FormatTest.InternalKeyShortestSuccessor
    #[test]
    fn internal_key_shortest_successor() {
        assert_eq!(
            ikey(b"g", MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK),
            short_successor(&ikey(b"foo", 100, ValueType::Value))
        );
        assert_eq!(
            ikey(b"\xff\xff", 100, ValueType::Value),
            short_successor(&ikey(b"\xff\xff", 100, ValueType::Value))
        );
    }

    // LevelDB: FormatTest.ParsedInternalKeyDebugString
    #[test]
    fn parsed_internal_key_debug_string() {
        let key = ParsedInternalKey::new(b"The \"key\" in 'single quotes'", 42, ValueType::Value);
        assert_eq!(
            key.debug_string(),
            "'The \"key\" in 'single quotes'' @ 42 : 1"
        );
    }

    // LevelDB: FormatTest.InternalKeyDebugString
    #[test]
    fn internal_key_debug_string() {
        let key = InternalKey::new(b"The \"key\" in 'single quotes'", 42, ValueType::Value);
        assert_eq!(
            key.debug_string(),
            "'The \"key\" in 'single quotes'' @ 42 : 1"
        );
        let invalid_key = InternalKey::default();
        assert_eq!(invalid_key.debug_string(), "(bad)");
        assert_eq!(
            InternalKey::from_encoding(b"\x01abc").debug_string(),
            "(bad)\\x01abc"
        );
    }

    #[test]
    fn ordering_puts_newer_versions_first() {
        let icmp = InternalKeyComparator::new(bytewise_comparator());
        let a = ikey(b"a", 5, ValueType::Value);
        let a_newer = ikey(b"a", 6, ValueType::Value);
        let a_del = ikey(b"a", 5, ValueType::Deletion);
        let b = ikey(b"b", 1, ValueType::Value);
        assert_eq!(icmp.compare(&a_newer, &a), Ordering::Less);
        assert_eq!(icmp.compare(&a, &a_del), Ordering::Less);
        assert_eq!(icmp.compare(&a, &b), Ordering::Less);
        assert_eq!(icmp.compare(&a, &a), Ordering::Equal);
        assert_eq!(icmp.name(), "leveldb.InternalKeyComparator");
        // Malformed keys compare without panicking.
        assert_eq!(icmp.compare(b"x", b"y"), Ordering::Equal);
    }

    #[test]
    fn lookup_key_layout() {
        for len in [0usize, 5, 186, 187, 188, 300] {
            let user_key = vec![b'k'; len];
            let lk = LookupKey::new(&user_key, 77);
            assert_eq!(lk.user_key(), &user_key[..]);
            assert_eq!(
                lk.internal_key(),
                &ikey(&user_key, 77, VALUE_TYPE_FOR_SEEK)[..]
            );
            let mut mk = Vec::new();
            crate::util::coding::put_varint32(&mut mk, (len + 8) as u32);
            mk.extend_from_slice(lk.internal_key());
            assert_eq!(lk.memtable_key(), &mk[..]);
        }
    }

    #[test]
    fn internal_filter_policy_uses_user_keys() {
        let policy =
            InternalFilterPolicy::new(Arc::new(crate::util::bloom::BloomFilterPolicy::new(10)));
        assert_eq!(policy.name(), "leveldb.BuiltinBloomFilter2");
        let k1 = ikey(b"hello", 1, ValueType::Value);
        let k2 = ikey(b"world", 2, ValueType::Deletion);
        let mut filter = Vec::new();
        policy.create_filter(&[&k1, &k2], &mut filter);
        assert!(policy.key_may_match(&ikey(b"hello", 99, ValueType::Value), &filter));
        assert!(policy.key_may_match(&ikey(b"world", 1, ValueType::Value), &filter));
        assert!(!policy.key_may_match(&ikey(b"foo", 1, ValueType::Value), &filter));
    }
}
