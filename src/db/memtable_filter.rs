//! A filter over the user keys in a memtable: a point read of a key the memtable does not hold (nearly every read,
//! in a database many times its write buffer) answers from one word instead of walking the skiplist.
//!
//! Not in LevelDB, whose `MemTable::Get` always searches: a search in a full 4 MB memtable visits some twenty
//! nodes scattered over the arena, each a miss in every cache but the last, a fifth of a random read's time
//! right after the writes. RocksDB has the same idea (`memtable_whole_key_filtering`, its `DynamicBloom`).
//! It is memory only: nothing on disk, no answer and no flush decision changes (the memtable's size is its arena's,
//! the filter is not counted).
//!
//! A bloom filter blocked to one 64-bit word per key: a key's hash picks a word and `PROBES` bits in it, so adding
//! is a load and a store and asking one load. One word per `MEMTABLE_BYTES_PER_WORD` bytes of write buffer: a 4 MB
//! memtable of db_bench's 116-byte entries puts about four keys in a word, and a key never added finds all of its
//! bits set about once in 250 reads (then it searches the skiplist, as LevelDB does). Adding is not an atomic
//! read-modify-write (a locked instruction, which cost the fills 2-3%): like the skiplist, the filter takes one
//! adder at a time (`MemTable::add`'s contract; the writer queue hands the memtable from one writer to the next
//! under the database mutex, so each adder sees every bit the one before set).
//!
//! Invariant: bits are only ever set, and `add(k)` sets all of k's bits, so `may_contain(k)` is false only for a
//! key that no `add` has set the bits of yet (false positives, never false negatives). The memtable calls `add`
//! before it puts the entry in the skiplist, and the writer publishes the entry's sequence number (a release
//! store of `last_sequence`) only after that; a read takes its sequence number with an acquire load first, so a
//! read whose sequence covers an entry sees the entry's bits. A read that finds no bits for a key being added
//! concurrently comes before that write, as a read that misses it in the skiplist would. The loom model below
//! checks this protocol, and that it fails with the publication done first.
//!
//! The filter only knows byte-equal keys: the memtable keeps one only under the bytewise comparator, where equal
//! means byte-equal (a user comparator may call different bytes equal).

use std::sync::atomic::Ordering;

use crate::util::sync::AtomicU64;

/// Bytes of write buffer per word of filter: 64 KB of filter for LevelDB's 4 MB write buffer.
const MEMTABLE_BYTES_PER_WORD: usize = 512;

/// Bits set per key, all in its word.
const PROBES: u32 = 4;

/// Not in LevelDB; RocksDB: DynamicBloom
pub(crate) struct MemTableFilter {
    words: Box<[AtomicU64]>,
    /// `words.len() - 1`: the length is a power of two.
    mask: usize,
}

impl MemTableFilter {
    /// A filter sized for a memtable that is full at `write_buffer_size` bytes (a larger one works too, with more
    /// false positives), at most 1 GB, as the option is clipped (`Options::clip_to_ranges`): 16 MB of filter.
    pub(crate) fn new(write_buffer_size: usize) -> MemTableFilter {
        let len = (write_buffer_size.min(1 << 30) / MEMTABLE_BYTES_PER_WORD).max(1).next_power_of_two();
        MemTableFilter {
            words: zeroed_words(len),
            mask: len - 1,
        }
    }

    /// The word `user_key` maps to and the bits it sets there: the word from the hash's low bits, the probes
    /// from its high ones, six bits each.
    fn locate(&self, user_key: &[u8]) -> (usize, u64) {
        let h = hash64(user_key);
        let mut bits = 0u64;
        for probe in 1..=PROBES {
            bits |= 1 << ((h >> (64 - 6 * probe)) & 63);
        }
        (h as usize & self.mask, bits)
    }

    /// Marks `user_key` present. Call it before the entry can be found any other way (see the invariant), from
    /// one thread at a time.
    pub(crate) fn add(&self, user_key: &[u8]) {
        let (word, bits) = self.locate(user_key);
        let word = &self.words[word];
        word.store(word.load(Ordering::Relaxed) | bits, Ordering::Relaxed);
    }

    /// False only when `user_key` was never added (by an `add` this thread is ordered after).
    pub(crate) fn may_contain(&self, user_key: &[u8]) -> bool {
        let (word, bits) = self.locate(user_key);
        self.words[word].load(Ordering::Relaxed) & bits == bits
    }
}

/// A 64-bit hash of `key`: each 8 bytes xored into the state, which is then multiplied by an odd constant and
/// rotated (a bijection, so two keys of one length that differ in one word always differ after it; the rotation
/// brings the product's high bits, which the next multiply would not spread, down where it spreads them), then
/// SplitMix64's finalizer, which makes every bit of the state move every bit of the result.
///
/// Not LevelDB's `Hash`: keys that differ in a few characters (db_bench's decimal keys) collide in its 32 bits
/// often, as its last step adds the key's last four bytes to the hash of the rest; 6% of the keys a full memtable
/// did not hold passed the filter with it. Nor the CRC-32C of the table checksums, whose library call costs five
/// times this for a short key.
fn hash64(key: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (key.len() as u64).wrapping_mul(K);
    let mut words = key.chunks_exact(8);
    for word in &mut words {
        h = (h ^ u64::from_le_bytes(word.try_into().expect("8 bytes"))).wrapping_mul(K).rotate_left(29);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(last)).wrapping_mul(K).rotate_left(29);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// `len` words of zero, from zeroed memory: pages the filter never sets a bit in (a memtable that stays empty,
/// after a reopen) cost no memory.
#[cfg(not(loom))]
fn zeroed_words(len: usize) -> Box<[AtomicU64]> {
    use std::alloc::{alloc_zeroed, handle_alloc_error, Layout};
    let layout = Layout::array::<AtomicU64>(len).expect("a filter smaller than the write buffer");
    // SAFETY: `len >= 1`, so the layout is not empty; all-zero bytes are a valid AtomicU64 (zero); and the
    // memory comes from the global allocator with the layout of `[AtomicU64; len]`, as `Box<[AtomicU64]>`
    // frees it.
    unsafe {
        let words = alloc_zeroed(layout).cast::<AtomicU64>();
        if words.is_null() {
            handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(words, len))
    }
}

/// loom's atomics are not plain memory: made one by one.
#[cfg(loom)]
fn zeroed_words(len: usize) -> Box<[AtomicU64]> {
    (0..len).map(|_| AtomicU64::new(0)).collect()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use quickcheck::quickcheck;

    #[test]
    fn every_added_key_may_be_contained() {
        let filter = MemTableFilter::new(4 << 20);
        for i in 0..50_000u32 {
            filter.add(format!("{i:016}").as_bytes());
        }
        for i in 0..50_000u32 {
            assert!(filter.may_contain(format!("{i:016}").as_bytes()), "key {i}");
        }
    }

    #[test]
    fn keys_never_added_are_mostly_ruled_out() {
        // A full 4 MB memtable of db_bench's entries holds about 29,000 keys.
        let filter = MemTableFilter::new(4 << 20);
        for i in 0..29_000u32 {
            filter.add(format!("{i:016}").as_bytes());
        }
        let false_positives = (29_000..129_000u32)
            .filter(|i| filter.may_contain(format!("{i:016}").as_bytes()))
            .count();
        // About 300 expected (0.3%); a filter that answered yes to everything would give 100,000.
        assert!(false_positives < 1_000, "{false_positives} false positives in 100,000");
    }

    #[test]
    fn binary_keys_that_differ_in_their_words_high_bytes_are_ruled_out_too() {
        // Two bytes vary, each the last (most significant) byte of one of the key's two words: a hash whose
        // words' high bits were not spread could let such differences cancel.
        let key = |i: u32| {
            let mut key = [0u8; 16];
            key[7] = (i >> 8) as u8;
            key[15] = i as u8;
            key
        };
        let filter = MemTableFilter::new(4 << 20);
        for i in 0..29_000 {
            filter.add(&key(i));
        }
        let false_positives = (29_000..65_536).filter(|&i| filter.may_contain(&key(i))).count();
        assert!(false_positives < 365, "{false_positives} false positives in 36,536");
    }

    #[test]
    fn an_empty_filter_contains_nothing_and_a_tiny_one_still_works() {
        let filter = MemTableFilter::new(0);
        assert_eq!(filter.words.len(), 1);
        assert!(!filter.may_contain(b""));
        assert!(!filter.may_contain(b"key"));
        filter.add(b"");
        filter.add(b"key");
        assert!(filter.may_contain(b""));
        assert!(filter.may_contain(b"key"));
    }

    #[test]
    fn sized_by_the_write_buffer() {
        assert_eq!(MemTableFilter::new(4 << 20).words.len(), 8192);
        assert_eq!(MemTableFilter::new(1000).words.len(), 1);
        assert_eq!(MemTableFilter::new(1024).words.len(), 2);
        assert_eq!(MemTableFilter::new(100_000).words.len(), 256);
        // A write buffer beyond what the options allow gets the filter of the largest they allow.
        assert_eq!(MemTableFilter::new(usize::MAX).words.len(), 1 << 21);
    }

    quickcheck! {
        fn no_false_negatives(added: Vec<Vec<u8>>, size: u16) -> bool {
            let filter = MemTableFilter::new(usize::from(size));
            added.iter().for_each(|k| filter.add(k));
            added.iter().all(|k| filter.may_contain(k))
        }
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::util::sync::check_model;
    use std::sync::Arc;

    /// The writer adds a key and publishes its sequence number (`publish_first`: the other way round); a
    /// reader that sees the sequence number asks the filter for the key.
    fn add_then_read(publish_first: bool) {
        let filter = Arc::new(MemTableFilter::new(0));
        let last_sequence = Arc::new(AtomicU64::new(0));
        let writer = {
            let (filter, last_sequence) = (filter.clone(), last_sequence.clone());
            loom::thread::spawn(move || {
                if publish_first {
                    last_sequence.store(1, Ordering::Release);
                }
                filter.add(b"key");
                if !publish_first {
                    last_sequence.store(1, Ordering::Release);
                }
            })
        };
        if last_sequence.load(Ordering::Acquire) >= 1 {
            assert!(filter.may_contain(b"key"), "a read at the key's sequence found no bits");
        }
        writer.join().unwrap();
    }

    #[test]
    fn a_read_that_sees_the_sequence_sees_the_bits() {
        check_model("memtable filter: add, then publish", None, || add_then_read(false));
    }

    /// The model can fail: publishing before the bits are set lets a read miss the key.
    #[test]
    #[should_panic(expected = "found no bits")]
    fn publishing_first_lets_a_read_miss_the_key() {
        check_model("memtable filter: publish, then add", None, || add_then_read(true));
    }
}
