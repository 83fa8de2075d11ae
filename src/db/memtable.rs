//! The memtable: the newest writes, sorted in memory until they are flushed to a level-0 table.
//!
//! Each entry is one arena allocation, encoded as
//!
//! ```text
//!   key_size   varint32 of internal_key.len()
//!   key        user key bytes, then fixed64 (sequence << 8 | type)   (the internal key)
//!   value_size varint32 of value.len()
//!   value      bytes
//! ```
//!
//! and the skiplist orders pointers to these entries by internal key. Entries are never changed or removed; a
//! deletion is an entry of type `Deletion`. The memtable's size is its arena's size, which is what decides when it
//! is full.
//!
//! Under the bytewise comparator a memtable keeps a filter of its user keys (`memtable_filter.rs`, not in LevelDB),
//! so that a `get` of a key it does not hold skips the skiplist's search.
//!
//! Memtables are shared as `Arc<MemTable>`: the database, the readers that look into it and the iterators over
//! it each hold one, and the memory goes when the last of them lets go.

use std::cmp::Ordering;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::ptr;
use std::sync::Arc;

use crate::db::dbformat::{
    split_internal_key, InternalKeyComparator, LookupKey, SequenceNumber, ValueType,
};
use crate::db::memtable_filter::MemTableFilter;
use crate::db::skiplist::{Iter, KeyComparator as SkipListComparator, SkipList};
use crate::error::Result;
use crate::table::iterator::Iterator;
use crate::util::coding::{
    decode_fixed64, encode_varint32, put_varint32, varint_length,
};
use crate::util::comparator::Comparator;

/// A pointer to a length-prefixed key: an arena entry, or a `LookupKey`'s memtable key while it is searched for.
#[derive(Clone, Copy, Debug)]
pub struct EntryPtr(*const u8);

impl Default for EntryPtr {
    fn default() -> Self {
        EntryPtr(std::ptr::null())
    }
}

// SAFETY: an EntryPtr points into the memtable's arena, which is never written after an entry is inserted and
// lives as long as the skiplist holding the pointer; reading it from any thread is safe.
unsafe impl Send for EntryPtr {}
// SAFETY: as above.
unsafe impl Sync for EntryPtr {}

/// The length-prefixed slice at `p`.
///
/// # Safety
/// `p` must point to a well-formed varint32 length followed by that many readable bytes, which stay alive and
/// unchanged for `'a`.
unsafe fn length_prefixed<'a>(p: *const u8) -> &'a [u8] {
    let mut len: u32 = 0;
    let mut shift = 0;
    let mut i = 0;
    loop {
        // SAFETY: the varint is well formed, so every byte up to the one without the high bit is readable.
        let byte = unsafe { *p.add(i) };
        i += 1;
        len |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 || shift >= 28 {
            break;
        }
        shift += 7;
    }
    // SAFETY: the caller guarantees `len` readable bytes after the varint.
    unsafe { std::slice::from_raw_parts(p.add(i), len as usize) }
}

impl EntryPtr {
    /// The internal key of the entry.
    fn internal_key<'a>(self) -> &'a [u8] {
        // SAFETY: every EntryPtr in a skiplist or passed to its comparator points to a length-prefixed internal
        // key that outlives the comparison (entries live in the arena; lookup keys outlive the search).
        unsafe { length_prefixed(self.0) }
    }

    /// The value of an arena entry, which follows its internal key.
    fn value<'a>(self) -> &'a [u8] {
        let key = self.internal_key::<'a>();
        // SAFETY: an arena entry is followed by its length-prefixed value, in the same allocation.
        unsafe { length_prefixed(key.as_ptr().add(key.len())) }
    }
}

/// Writes an entry into its fresh, uninitialized arena bytes, front to back (the arena does not zero its blocks,
/// as LevelDB's does not: every byte of an entry is written before anything reads it).
struct EntryWriter<'a> {
    dst: &'a mut [MaybeUninit<u8>],
    len: usize,
}

impl EntryWriter<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let dst = &mut self.dst[self.len..self.len + bytes.len()];
        // SAFETY: `dst` is `bytes.len()` writable bytes (the slice above checked the bounds), which cannot overlap
        // `bytes` (it is borrowed mutably). A copy, where a loop of `MaybeUninit::write` compiled to a byte loop.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), dst.as_mut_ptr().cast::<u8>(), bytes.len()) };
        self.len += bytes.len();
    }
}

/// Orders entries by their internal keys.
///
/// LevelDB: MemTable::KeyComparator
#[derive(Clone)]
pub struct KeyComparator {
    comparator: InternalKeyComparator,
}

impl SkipListComparator<EntryPtr> for KeyComparator {
    #[inline]
    fn compare(&self, a: &EntryPtr, b: &EntryPtr) -> Ordering {
        // Internal keys are encoded as length-prefixed strings.
        self.comparator.compare(a.internal_key(), b.internal_key())
    }

    /// The search key's user key and tag: its length prefix decoded and its tag read once per search.
    type Decoded<'a> = (&'a [u8], u64);

    #[inline]
    fn decode<'a>(&self, key: &'a EntryPtr) -> (&'a [u8], u64) {
        split_internal_key(key.internal_key())
    }

    #[inline]
    fn compare_decoded(&self, node_key: &EntryPtr, key: &(&[u8], u64)) -> Ordering {
        self.comparator
            .compare_split(split_internal_key(node_key.internal_key()), *key)
    }
}

type Table = SkipList<EntryPtr, KeyComparator>;

/// What a memtable knows about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum MemTableGet {
    /// The newest visible entry is a value.
    Found(Vec<u8>),
    /// The newest visible entry is a deletion: the key is known to be absent.
    Deleted,
    /// The memtable has no visible entry for the key: look further.
    NotPresent,
}

/// LevelDB: MemTable
pub struct MemTable {
    comparator: KeyComparator,
    table: Arc<Table>,
    /// The user keys added, under the bytewise comparator (`None` under another: see `memtable_filter.rs`).
    filter: Option<MemTableFilter>,
}

impl MemTable {
    /// A memtable that will be full at about `write_buffer_size` bytes (what its filter is sized for).
    ///
    /// LevelDB: MemTable::MemTable
    pub fn new(comparator: InternalKeyComparator, write_buffer_size: usize) -> MemTable {
        let filter = comparator.user_is_bytewise().then(|| MemTableFilter::new(write_buffer_size));
        let comparator = KeyComparator { comparator };
        MemTable {
            table: Arc::new(SkipList::new(comparator.clone())),
            comparator,
            filter,
        }
    }

    /// An estimate of the bytes of data in use by this structure; safe to call while it is modified.
    ///
    /// LevelDB: MemTable::ApproximateMemoryUsage
    pub fn approximate_memory_usage(&self) -> usize {
        self.table.memory_usage()
    }

    /// An iterator over the memtable's entries, keyed by internal key. It keeps the memtable's data alive.
    ///
    /// LevelDB: MemTable::NewIterator
    pub fn new_iterator(&self) -> MemTableIterator {
        MemTableIterator {
            iter: Iter::new(self.table.clone()),
            tmp: Vec::new(),
        }
    }

    /// An iterator that borrows the memtable instead (a database iterator's, which pins the memtable through its
    /// super version): no reference count taken, none that every reader shares.
    ///
    /// LevelDB: MemTable::NewIterator
    pub(crate) fn borrowed_iterator(&self) -> MemTableIterator<&Table> {
        MemTableIterator {
            iter: Iter::new(&*self.table),
            tmp: Vec::new(),
        }
    }

    /// Adds an entry that maps `key` to `value` at sequence number `seq` (`value` is empty for a deletion).
    /// Only one thread may add at a time; readers may run concurrently.
    ///
    /// LevelDB: MemTable::Add
    pub fn add(&self, seq: SequenceNumber, value_type: ValueType, key: &[u8], value: &[u8]) {
        let key_size = key.len();
        let val_size = value.len();
        let internal_key_size = key_size + 8;
        let encoded_len = varint_length(internal_key_size as u64)
            + internal_key_size
            + varint_length(val_size as u64)
            + val_size;
        // The filter first: a reader that can find the entry must find its bits (`memtable_filter.rs`).
        if let Some(filter) = &self.filter {
            filter.add(key);
        }
        self.table.insert_with(encoded_len, |dst| {
            let mut entry = EntryWriter { dst, len: 0 };
            let mut varint = [0u8; 5];
            let n = encode_varint32(&mut varint, internal_key_size as u32);
            entry.put(&varint[..n]);
            entry.put(key);
            entry.put(&((seq << 8) | value_type as u64).to_le_bytes());
            let n = encode_varint32(&mut varint, val_size as u32);
            entry.put(&varint[..n]);
            entry.put(value);
            debug_assert_eq!(entry.len, encoded_len);
            EntryPtr(entry.dst.as_ptr().cast())
        });
    }

    /// Looks up the newest entry for `key.user_key()` with a sequence number at most the lookup key's.
    ///
    /// LevelDB: MemTable::Get
    pub fn get(&self, key: &LookupKey) -> MemTableGet {
        if self.filter.as_ref().is_some_and(|filter| !filter.may_contain(key.user_key())) {
            return MemTableGet::NotPresent;
        }
        let mut iter = Iter::new(&*self.table);
        iter.seek(&EntryPtr(key.memtable_key().as_ptr()));
        if iter.valid() {
            // The entry is the first one at or after the lookup key. It belongs to our user key if the user keys
            // are equal; we do not check the sequence number, since the seek already skipped newer entries.
            let entry = *iter.key();
            let internal_key = entry.internal_key();
            let user_comparator = self.comparator.comparator.user_comparator();
            if user_comparator.compare(&internal_key[..internal_key.len() - 8], key.user_key())
                == Ordering::Equal
            {
                let tag = decode_fixed64(&internal_key[internal_key.len() - 8..]);
                return match ValueType::from_byte((tag & 0xff) as u8) {
                    Some(ValueType::Value) => MemTableGet::Found(entry.value().to_vec()),
                    Some(ValueType::Deletion) => MemTableGet::Deleted,
                    // Only add() writes entries, and it writes valid types.
                    None => MemTableGet::NotPresent,
                };
            }
        }
        MemTableGet::NotPresent
    }
}

/// An iterator over a memtable, keyed by internal key.
///
/// LevelDB: MemTableIterator
pub struct MemTableIterator<L: Deref<Target = Table> = Arc<Table>> {
    iter: Iter<EntryPtr, KeyComparator, L>,
    /// For passing to EncodeKey: the length-prefixed form of a seek target too long for the stack.
    tmp: Vec<u8>,
}

impl<L: Deref<Target = Table> + Send> Iterator for MemTableIterator<L> {
    fn valid(&self) -> bool {
        self.iter.valid()
    }
    fn seek(&mut self, k: &[u8]) {
        // LevelDB: EncodeKey. A short target is encoded on the stack: an iterator made for a single seek (as
        // db_bench's seekrandom makes them) then allocates nothing for it.
        let mut short = [0u8; 64];
        let encoded = if 5 + k.len() <= short.len() {
            let n = encode_varint32(&mut short, k.len() as u32);
            short[n..n + k.len()].copy_from_slice(k);
            &short[..]
        } else {
            self.tmp.clear();
            // One allocation of the whole size, not one for the length and a second as the key follows.
            self.tmp.reserve(5 + k.len());
            put_varint32(&mut self.tmp, k.len() as u32);
            self.tmp.extend_from_slice(k);
            &self.tmp[..]
        };
        self.iter.seek(&EntryPtr(encoded.as_ptr()));
    }
    fn seek_to_first(&mut self) {
        self.iter.seek_to_first()
    }
    fn seek_to_last(&mut self) {
        self.iter.seek_to_last()
    }
    fn next(&mut self) {
        self.iter.next()
    }
    fn prev(&mut self) {
        self.iter.prev()
    }
    fn key(&self) -> &[u8] {
        self.iter.key().internal_key()
    }
    fn value(&self) -> &[u8] {
        self.iter.key().value()
    }
    fn status(&self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::dbformat::{parse_internal_key, ParsedInternalKey};
    use crate::db::write_batch::WriteBatch;
    use crate::util::comparator::bytewise_comparator;
    use quickcheck::quickcheck;
    use std::collections::BTreeMap;

    fn new_memtable() -> Arc<MemTable> {
        sized_memtable(4 << 20)
    }

    /// A memtable whose filter is sized for `write_buffer_size` (0: one word, soon all ones).
    fn sized_memtable(write_buffer_size: usize) -> Arc<MemTable> {
        Arc::new(MemTable::new(InternalKeyComparator::new(bytewise_comparator()), write_buffer_size))
    }

    #[test]
    fn a_filter_under_the_bytewise_comparator_only() {
        assert!(new_memtable().filter.is_some());
        let case_insensitive = MemTable::new(InternalKeyComparator::new(Arc::new(CaseInsensitiveComparator)), 4 << 20);
        assert!(case_insensitive.filter.is_none());
        // Keys equal under the user comparator but not byte-equal: the filter would miss them.
        case_insensitive.add(1, ValueType::Value, b"Key", b"v");
        assert_eq!(case_insensitive.get(&LookupKey::new(b"KEY", 1)), MemTableGet::Found(b"v".to_vec()));
    }

    /// Orders keys by their upper-case forms: "Key" and "KEY" are the same key.
    struct CaseInsensitiveComparator;

    impl Comparator for CaseInsensitiveComparator {
        fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
            a.to_ascii_uppercase().cmp(&b.to_ascii_uppercase())
        }
        fn name(&self) -> &str {
            "test.CaseInsensitive"
        }
        fn find_shortest_separator(&self, _start: &mut Vec<u8>, _limit: &[u8]) {}
        fn find_short_successor(&self, _key: &mut Vec<u8>) {}
    }

    /// A writer adds keys and publishes each one's sequence number after it (as the database's writer does);
    /// readers get every key up to the sequence number they loaded and must find each one, through the filter.
    #[test]
    fn concurrent_gets_find_every_published_key() {
        use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
        const KEYS: u64 = 20_000;
        let mem = sized_memtable(100_000);
        let last_sequence = Arc::new(AtomicU64::new(0));
        let writer = {
            let (mem, last_sequence) = (mem.clone(), last_sequence.clone());
            std::thread::spawn(move || {
                for seq in 1..=KEYS {
                    mem.add(seq, ValueType::Value, format!("{seq:08}").as_bytes(), &seq.to_le_bytes());
                    last_sequence.store(seq, AtomicOrdering::Release);
                }
            })
        };
        let readers: Vec<_> = (0..2)
            .map(|reader| {
                let (mem, last_sequence) = (mem.clone(), last_sequence.clone());
                std::thread::spawn(move || {
                    let mut checked = 0;
                    while checked < KEYS {
                        let snapshot = last_sequence.load(AtomicOrdering::Acquire);
                        // The newest keys, where a read races the writer, and one further back each time.
                        let older = (checked * 7919 + reader) % snapshot.max(1) + 1;
                        for seq in [snapshot, snapshot.saturating_sub(1), older] {
                            if seq == 0 || seq > snapshot {
                                continue;
                            }
                            let got = mem.get(&LookupKey::new(format!("{seq:08}").as_bytes(), snapshot));
                            assert_eq!(got, MemTableGet::Found(seq.to_le_bytes().to_vec()), "key {seq} at {snapshot}");
                        }
                        checked += 1;
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            r.join().unwrap();
        }
    }

    #[test]
    fn get_value_deletion_and_miss() {
        let mem = new_memtable();
        mem.add(1, ValueType::Value, b"k1", b"v1");
        mem.add(2, ValueType::Value, b"k2", b"v2");
        mem.add(3, ValueType::Deletion, b"k1", b"");
        mem.add(4, ValueType::Value, b"k1", b"v1b");
        assert_eq!(
            mem.get(&LookupKey::new(b"k1", 1)),
            MemTableGet::Found(b"v1".to_vec())
        );
        assert_eq!(
            mem.get(&LookupKey::new(b"k1", 2)),
            MemTableGet::Found(b"v1".to_vec())
        );
        assert_eq!(mem.get(&LookupKey::new(b"k1", 3)), MemTableGet::Deleted);
        assert_eq!(
            mem.get(&LookupKey::new(b"k1", 100)),
            MemTableGet::Found(b"v1b".to_vec())
        );
        assert_eq!(mem.get(&LookupKey::new(b"k2", 1)), MemTableGet::NotPresent);
        assert_eq!(
            mem.get(&LookupKey::new(b"k2", 2)),
            MemTableGet::Found(b"v2".to_vec())
        );
        assert_eq!(
            mem.get(&LookupKey::new(b"k0", 100)),
            MemTableGet::NotPresent
        );
        assert_eq!(
            mem.get(&LookupKey::new(b"k3", 100)),
            MemTableGet::NotPresent
        );
        // Long keys go through the heap form of LookupKey.
        let long = vec![b'x'; 1000];
        mem.add(5, ValueType::Value, &long, b"long");
        assert_eq!(
            mem.get(&LookupKey::new(&long, 5)),
            MemTableGet::Found(b"long".to_vec())
        );
    }

    // LevelDB: MemTableTest.Simple (table_test.cc) — entries come back in internal key order.
    #[test]
    fn iterator_walks_in_internal_key_order() {
        let mem = new_memtable();
        mem.add(100, ValueType::Value, b"k1", b"v1");
        mem.add(101, ValueType::Value, b"k2", b"v2");
        mem.add(102, ValueType::Value, b"k3", b"v3");
        mem.add(103, ValueType::Value, b"largekey", b"vlarge");
        let mut iter = mem.new_iterator();
        iter.seek_to_first();
        let mut seen = Vec::new();
        while iter.valid() {
            let parsed = parse_internal_key(iter.key()).unwrap();
            seen.push((
                parsed.user_key.to_vec(),
                parsed.sequence,
                iter.value().to_vec(),
            ));
            iter.next();
        }
        assert_eq!(
            seen,
            vec![
                (b"k1".to_vec(), 100, b"v1".to_vec()),
                (b"k2".to_vec(), 101, b"v2".to_vec()),
                (b"k3".to_vec(), 102, b"v3".to_vec()),
                (b"largekey".to_vec(), 103, b"vlarge".to_vec()),
            ]
        );
        // Seek and reverse.
        let mut target = Vec::new();
        crate::db::dbformat::append_internal_key(
            &mut target,
            &ParsedInternalKey::new(b"k2", 200, ValueType::Value),
        );
        iter.seek(&target);
        assert_eq!(extract(&iter), b"k2");
        iter.prev();
        assert_eq!(extract(&iter), b"k1");
        iter.prev();
        assert!(!iter.valid());
        iter.seek_to_last();
        assert_eq!(extract(&iter), b"largekey");
        assert!(iter.status().is_ok());
    }

    #[test]
    fn seek_encodes_short_targets_on_the_stack_and_long_ones_on_the_heap() {
        let mem = new_memtable();
        // User keys around the stack buffer's limit (64 bytes for the length, the key and its 8-byte tag).
        let keys: Vec<Vec<u8>> = [1, 50, 51, 52, 55, 56, 57, 200]
            .iter()
            .map(|&n| vec![b'k'; n])
            .collect();
        for (i, k) in keys.iter().enumerate() {
            mem.add(i as u64 + 1, ValueType::Value, k, k);
        }
        let mut iter = mem.new_iterator();
        for (i, k) in keys.iter().enumerate() {
            for (probe, expected) in [(k.clone(), i), ([&k[..], b"\0"].concat(), i + 1)] {
                let mut target = Vec::new();
                crate::db::dbformat::append_internal_key(
                    &mut target,
                    &ParsedInternalKey::new(&probe, 100, ValueType::Value),
                );
                iter.seek(&target);
                match keys.get(expected) {
                    Some(k) => assert_eq!(extract(&iter), &k[..], "probe of {} bytes", probe.len()),
                    None => assert!(!iter.valid()),
                }
            }
        }
    }

    fn extract(iter: &MemTableIterator) -> &[u8] {
        crate::db::dbformat::extract_user_key(iter.key())
    }

    #[test]
    fn memory_usage_is_arena_usage() {
        let mem = new_memtable();
        // The skiplist head is allocated at construction: one 4096-byte block.
        assert_eq!(mem.approximate_memory_usage(), 4096 + 8);
        for i in 0..1000u32 {
            mem.add(
                u64::from(i),
                ValueType::Value,
                format!("key{i:06}").as_bytes(),
                &[b'v'; 100],
            );
        }
        let usage = mem.approximate_memory_usage();
        // Each entry takes 1 + 17 + 1 + 100 bytes plus its node (8 + 8 * height).
        assert!(usage > 1000 * (119 + 16), "{usage}");
        assert!(usage < 1000 * (119 + 16) * 2, "{usage}");
    }

    #[test]
    fn iterator_keeps_memtable_alive() {
        let mem = new_memtable();
        mem.add(1, ValueType::Value, b"a", b"1");
        let mut iter = mem.new_iterator();
        drop(mem);
        iter.seek_to_first();
        assert_eq!(iter.value(), b"1");
    }

    #[test]
    fn concurrent_readers_see_every_inserted_key_in_order() {
        let mem = new_memtable();
        let writer = {
            let mem = mem.clone();
            std::thread::spawn(move || {
                for i in 0..20000u32 {
                    mem.add(
                        u64::from(i) + 1,
                        ValueType::Value,
                        format!("{:08}", (i * 7919) % 20000).as_bytes(),
                        b"v",
                    );
                }
            })
        };
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let mem = mem.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let mut iter = mem.new_iterator();
                        iter.seek_to_first();
                        let mut last: Option<Vec<u8>> = None;
                        while iter.valid() {
                            let key = iter.key().to_vec();
                            let parsed = parse_internal_key(&key).expect("a well-formed entry");
                            let n: u64 = std::str::from_utf8(parsed.user_key)
                                .unwrap()
                                .parse()
                                .unwrap();
                            assert!(n < 20000);
                            if let Some(prev) = &last {
                                assert!(prev < &key, "ordered");
                            }
                            last = Some(key);
                            iter.next();
                        }
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            r.join().unwrap();
        }
        let mut iter = mem.new_iterator();
        iter.seek_to_first();
        let mut count = 0;
        while iter.valid() {
            count += 1;
            iter.next();
        }
        assert_eq!(count, 20000);
    }

    quickcheck! {
        // Random puts and deletes against a model: the newest version of each key wins, at every snapshot.
        // With a one-word filter as well, whose false positives send most gets on to the skiplist.
        fn matches_btreemap_model(ops: Vec<(u8, bool, u8)>, tiny_filter: bool) -> bool {
            let mem = sized_memtable(if tiny_filter { 0 } else { 4 << 20 });
            // Each key's versions: (sequence, Some(value) or None for a deletion).
            type Versions = Vec<(u64, Option<Vec<u8>>)>;
            let mut history: BTreeMap<Vec<u8>, Versions> = BTreeMap::new();
            for (seq, &(k, is_put, v)) in ops.iter().enumerate() {
                let seq = seq as u64 + 1;
                let key = vec![b'k', k % 16];
                if is_put {
                    mem.add(seq, ValueType::Value, &key, &[v]);
                    history.entry(key).or_default().push((seq, Some(vec![v])));
                } else {
                    mem.add(seq, ValueType::Deletion, &key, b"");
                    history.entry(key).or_default().push((seq, None));
                }
            }
            let last = ops.len() as u64;
            (0..=last).all(|snapshot| {
                (0..16u8).all(|k| {
                    let key = vec![b'k', k];
                    let expected = history.get(&key).and_then(|versions| {
                        versions.iter().rev().find(|(s, _)| *s <= snapshot)
                    });
                    let actual = mem.get(&LookupKey::new(&key, snapshot));
                    match expected {
                        None => actual == MemTableGet::NotPresent,
                        Some((_, None)) => actual == MemTableGet::Deleted,
                        Some((_, Some(v))) => actual == MemTableGet::Found(v.clone()),
                    }
                })
            })
        }
    }

    // LevelDB: MemTableTest.Simple
    #[test]
    fn memtable_simple() {
        let memtable = MemTable::new(InternalKeyComparator::new(bytewise_comparator()), 4 << 20);
        let mut batch = WriteBatch::new();
        batch.set_sequence(100);
        batch.put(b"k1", b"v1");
        batch.put(b"k2", b"v2");
        batch.put(b"k3", b"v3");
        batch.put(b"largekey", b"vlarge");
        batch.insert_into(&memtable).unwrap();

        let mut iter = memtable.new_iterator();
        iter.seek_to_first();
        let mut seen = Vec::new();
        while iter.valid() {
            let key = parse_internal_key(iter.key()).unwrap();
            seen.push((key.user_key.to_vec(), key.sequence, iter.value().to_vec()));
            iter.next();
        }
        let expected: Vec<(Vec<u8>, u64, Vec<u8>)> = [
            (&b"k1"[..], 100, &b"v1"[..]),
            (b"k2", 101, b"v2"),
            (b"k3", 102, b"v3"),
            (b"largekey", 103, b"vlarge"),
        ]
        .iter()
        .map(|(k, s, v)| (k.to_vec(), *s, v.to_vec()))
        .collect();
        assert_eq!(seen, expected);
    }
}
