//! Reads a block written by the [`BlockBuilder`](super::block_builder::BlockBuilder).
//!
//! The iterator finds a key by binary search over the restart points (whose keys are stored whole), then a
//! linear scan of at most one restart interval. It rebuilds each key from the shared prefix of the previous one
//! in a buffer it reuses, so iterating allocates nothing per entry.
//!
//! Going backwards, LevelDB's iterator scans forward again from a restart point for every step back: about half a
//! restart interval of entries parsed per `prev`. This one remembers the entries of the interval it scanned (their
//! offsets and whole keys), and steps back through them until it leaves the interval: one scan per interval, the
//! same entries and the same errors.
//!
//! Corrupt contents never make a read go out of bounds: every offset is checked, and a bad entry makes the
//! iterator invalid with the status `Corruption: bad entry in block`.

use std::cmp::Ordering;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result};
use crate::table::block_buffers;
use crate::table::iterator::Iterator;
use crate::table::key_buffer::KeyBuffer;
use crate::util::cache::Handle;
use crate::util::coding::{decode_fixed32, decode_varint32};
use crate::util::comparator::Comparator;
use crate::util::prefetch::prefetch_range;

/// LevelDB: Block
pub struct Block {
    data: Vec<u8>,
    /// Offset in data of the restart array.
    restart_offset: u32,
    /// The contents are too short for their restart array (LevelDB marks this with `size_ = 0`).
    malformed: bool,
}

impl Block {
    /// Initializes the block with the specified contents.
    ///
    /// LevelDB: Block::Block
    pub fn new(data: Vec<u8>) -> Block {
        let mut block = Block {
            data,
            restart_offset: 0,
            malformed: false,
        };
        if block.data.len() < 4 {
            block.malformed = true; // Error marker.
        } else {
            let max_restarts_allowed = (block.data.len() - 4) / 4;
            if block.num_restarts() as usize > max_restarts_allowed {
                // The size is too small for num_restarts().
                block.malformed = true;
            } else {
                block.restart_offset =
                    (block.data.len() - (1 + block.num_restarts() as usize) * 4) as u32;
            }
        }
        block
    }

    /// The size of the block's contents (0 for malformed contents, as LevelDB counts it in the cache).
    ///
    /// LevelDB: Block::size
    pub fn size(&self) -> usize {
        if self.malformed {
            0
        } else {
            self.data.len()
        }
    }

    /// LevelDB: Block::NumRestarts
    fn num_restarts(&self) -> u32 {
        decode_fixed32(&self.data[self.data.len() - 4..])
    }

    /// An iterator over the block, which it keeps alive.
    ///
    /// LevelDB: Block::NewIterator
    pub fn iter(self: &Arc<Self>, comparator: Arc<dyn Comparator>) -> BlockIter {
        HeldBlock::Shared(self.clone()).iter(comparator)
    }

    /// An iterator that borrows the block and the comparator instead of holding references of its own, for a
    /// lookup that ends before the block could go (`Table::internal_get`): no reference count is touched, so
    /// readers on several threads do not contend for the counts of the blocks and comparator they share.
    pub fn borrowed_iter<'a>(
        &'a self,
        comparator: &'a (dyn Comparator + 'static),
    ) -> BlockIter<&'a Block, &'a (dyn Comparator + 'static)> {
        BlockIter::new(self, comparator)
    }

    /// [`Block::iter`], boxed as a cursor like any other.
    pub fn new_iterator(self: &Arc<Self>, comparator: Arc<dyn Comparator>) -> Box<dyn Iterator> {
        Box::new(self.iter(comparator))
    }
}

/// A dropped block's memory serves the thread's next block (see `block_buffers`).
impl Drop for Block {
    fn drop(&mut self) {
        block_buffers::give_back(std::mem::take(&mut self.data));
    }
}

/// A block without entries, for iterators that have nothing to show.
fn empty_block() -> &'static Arc<Block> {
    static EMPTY: OnceLock<Arc<Block>> = OnceLock::new();
    EMPTY.get_or_init(|| Arc::new(Block::new(vec![0, 0, 0, 0])))
}

/// How a block iterator holds its block: a reference of its own (`Arc`, for iterators that live on their own) or
/// a borrow (for a lookup within a call).
pub trait BlockRef: Deref<Target = Block> {
    /// The block without entries.
    fn empty() -> Self;
}

/// A block as a table's reader holds it: shared, or pinned in the block cache (the handle holds the entry, and
/// so the block, for as long as it lives; reading through it takes no count of its own).
pub enum HeldBlock {
    Shared(Arc<Block>),
    Cached(Handle<Block>),
}

impl Deref for HeldBlock {
    type Target = Block;
    fn deref(&self) -> &Block {
        match self {
            HeldBlock::Shared(block) => block,
            HeldBlock::Cached(handle) => handle.value(),
        }
    }
}

impl HeldBlock {
    /// An iterator over the block, which holds it (and so the cache entry that pins it) until it is dropped, as
    /// LevelDB's iterator releases its cache handle in a cleanup function.
    ///
    /// LevelDB: Block::NewIterator, with Table::BlockReader's RegisterCleanup
    pub fn iter<C: Deref<Target = dyn Comparator>>(self, comparator: C) -> BlockIter<HeldBlock, C> {
        BlockIter::new(self, comparator)
    }
}

impl BlockRef for HeldBlock {
    fn empty() -> Self {
        HeldBlock::Shared(empty_block().clone())
    }
}

impl BlockRef for &Block {
    fn empty() -> Self {
        empty_block()
    }
}

/// The header of an entry: shared key bytes, unshared key bytes, value length, and where the key delta starts.
/// `None` if the entry runs past `limit` or its varints are malformed.
///
/// LevelDB: DecodeEntry
#[inline]
fn decode_entry(data: &[u8], p: usize, limit: usize) -> Option<(u32, u32, u32, usize)> {
    let entry = data.get(p..limit)?;
    if entry.len() < 3 {
        return None;
    }
    let (shared, non_shared, value_length, header_len) = if (entry[0] | entry[1] | entry[2]) < 128 {
        // Fast path: all three values are encoded in one byte each.
        (
            u32::from(entry[0]),
            u32::from(entry[1]),
            u32::from(entry[2]),
            3,
        )
    } else {
        let (shared, n1) = decode_varint32(entry)?;
        let (non_shared, n2) = decode_varint32(&entry[n1..])?;
        let (value_length, n3) = decode_varint32(&entry[n1 + n2..])?;
        (shared, non_shared, value_length, n1 + n2 + n3)
    };
    if ((entry.len() - header_len) as u64) < u64::from(non_shared) + u64::from(value_length) {
        return None;
    }
    Some((shared, non_shared, value_length, p + header_len))
}

/// An iterator over a block. A block without restart points (or an iterator made for an error) has no entries,
/// and never becomes valid.
///
/// LevelDB: Block::Iter (and, for the empty and error cases, NewEmptyIterator and NewErrorIterator)
pub struct BlockIter<
    B: BlockRef = HeldBlock,
    C: Deref<Target = dyn Comparator> = Arc<dyn Comparator>,
> {
    block: B,
    /// None only for an error iterator, which never compares.
    comparator: Option<C>,
    /// Offset of the restart array (list of fixed32).
    restarts: u32,
    /// Number of u32 entries in the restart array.
    num_restarts: u32,
    /// Offset in data of the current entry; >= restarts if !valid().
    current: u32,
    /// Index of the restart block in which current falls.
    restart_index: u32,
    key: KeyBuffer,
    /// The current value: data[value_offset..value_offset + value_len].
    value_offset: u32,
    value_len: u32,
    status: Result<()>,
    /// The entries of the restart interval that `prev` or `seek_to_last` last scanned, in order, up to the entry
    /// it stopped at; their whole keys are in `interval_keys`.
    interval: Vec<IntervalEntry>,
    interval_keys: Vec<u8>,
    /// The index in `interval` of the current entry, while the iterator has only moved back through it since it
    /// was scanned (any other move forgets it: the entries stay right, but the position is no longer known).
    interval_index: Option<usize>,
}

/// One entry of a scanned restart interval: where it starts, its whole key (in `BlockIter::interval_keys`) and its
/// value.
#[derive(Clone, Copy)]
struct IntervalEntry {
    offset: u32,
    key_end: u32,
    value_offset: u32,
    value_len: u32,
}

impl<B: BlockRef, C: Deref<Target = dyn Comparator>> BlockIter<B, C> {
    /// An iterator over `block` (an error iterator if its contents are malformed).
    fn new(block: B, comparator: C) -> Self {
        if block.malformed {
            return BlockIter::error(Error::corruption("bad block contents", ""));
        }
        let (restarts, num_restarts) = (block.restart_offset, block.num_restarts());
        BlockIter {
            block,
            comparator: Some(comparator),
            restarts,
            num_restarts,
            current: restarts,
            restart_index: num_restarts,
            key: KeyBuffer::new(),
            value_offset: 0,
            value_len: 0,
            status: Ok(()),
            interval: Vec::new(),
            interval_keys: Vec::new(),
            interval_index: None,
        }
    }

    /// An iterator over nothing whose status is `status`.
    pub fn error(status: Error) -> Self {
        BlockIter {
            block: B::empty(),
            comparator: None,
            restarts: 0,
            num_restarts: 0,
            current: 0,
            restart_index: 0,
            key: KeyBuffer::new(),
            value_offset: 0,
            value_len: 0,
            status: Err(status),
            interval: Vec::new(),
            interval_keys: Vec::new(),
            interval_index: None,
        }
    }

    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        self.comparator
            .as_ref()
            .map_or(Ordering::Equal, |c| c.compare(a, b))
    }

    fn data(&self) -> &[u8] {
        &self.block.data
    }

    /// The offset in data just past the end of the current entry.
    ///
    /// LevelDB: Block::Iter::NextEntryOffset
    #[inline]
    fn next_entry_offset(&self) -> u32 {
        self.value_offset + self.value_len
    }

    /// LevelDB: Block::Iter::GetRestartPoint
    #[inline]
    fn get_restart_point(&self, index: u32) -> u32 {
        debug_assert!(index < self.num_restarts);
        decode_fixed32(&self.data()[(self.restarts + index * 4) as usize..])
    }

    /// LevelDB: Block::Iter::SeekToRestartPoint
    fn seek_to_restart_point(&mut self, index: u32) {
        self.key.clear();
        self.restart_index = index;
        // current will be fixed by parse_next_key(), which starts at the end of the value, so set the value
        // accordingly.
        self.value_offset = self.get_restart_point(index);
        self.value_len = 0;
    }

    /// LevelDB: Block::Iter::CorruptionError
    fn corruption_error(&mut self) {
        self.current = self.restarts;
        self.restart_index = self.num_restarts;
        self.status = Err(Error::corruption("bad entry in block", ""));
        self.key.clear();
        self.value_offset = 0;
        self.value_len = 0;
    }

    /// LevelDB: Block::Iter::ParseNextKey
    fn parse_next_key(&mut self) -> bool {
        self.current = self.next_entry_offset();
        let p = self.current as usize;
        let limit = self.restarts as usize; // Restarts come right after data.
        if p >= limit {
            // No more entries to return. Mark as invalid.
            self.current = self.restarts;
            self.restart_index = self.num_restarts;
            return false;
        }

        // Decode the next entry.
        match decode_entry(&self.block.data, p, limit) {
            Some((shared, non_shared, value_length, key_start))
                if self.key.len() >= shared as usize =>
            {
                let key_end = key_start + non_shared as usize;
                self.key.truncate(shared as usize);
                self.key
                    .extend_from_slice(&self.block.data[key_start..key_end]);
                self.value_offset = key_end as u32;
                self.value_len = value_length;
                while self.restart_index + 1 < self.num_restarts
                    && self.get_restart_point(self.restart_index + 1) < self.current
                {
                    self.restart_index += 1;
                }
                true
            }
            _ => {
                self.corruption_error();
                false
            }
        }
    }

    /// Parses the entries from restart point `index` on, remembering each, up to the first one that ends at or
    /// past `end`, and stops there (invalid, with the status set, if an entry is corrupt).
    ///
    /// LevelDB: the loops of Block::Iter::Prev and SeekToLast
    fn scan_interval_to(&mut self, index: u32, end: u32) {
        self.seek_to_restart_point(index);
        self.interval.clear();
        self.interval_keys.clear();
        self.interval_index = None;
        while self.parse_next_key() {
            if self.interval.capacity() == 0 {
                // One allocation each for a whole interval of the usual size (16 entries, keys alike in length)
                // rather than one per doubling: a backward scan makes an iterator per block. (Capped: a block of
                // huge keys may hold only a few.)
                self.interval.reserve(16);
                self.interval_keys.reserve((16 * self.key.len()).min(4096));
            }
            self.interval_keys.extend_from_slice(&self.key);
            self.interval.push(IntervalEntry {
                offset: self.current,
                key_end: self.interval_keys.len() as u32,
                value_offset: self.value_offset,
                value_len: self.value_len,
            });
            if self.next_entry_offset() >= end {
                self.interval_index = Some(self.interval.len() - 1);
                return;
            }
        }
    }

    /// Steps back to the entry before the current one within the scanned interval, if the iterator is in it and
    /// not at its first entry. Nothing is parsed: the entry and its whole key were remembered.
    fn step_back_in_interval(&mut self) -> bool {
        let Some(index) = self.interval_index.filter(|&i| i > 0) else {
            return false;
        };
        let entry = self.interval[index - 1];
        let key_start = if index == 1 {
            0
        } else {
            self.interval[index - 2].key_end as usize
        };
        self.key.clear();
        self.key
            .extend_from_slice(&self.interval_keys[key_start..entry.key_end as usize]);
        self.current = entry.offset;
        self.value_offset = entry.value_offset;
        self.value_len = entry.value_len;
        // The restart index stays: the whole interval lies after one restart point.
        self.interval_index = Some(index - 1);
        true
    }
}

impl<B: BlockRef + Send, C: Deref<Target = dyn Comparator> + Send> Iterator for BlockIter<B, C> {
    fn valid(&self) -> bool {
        self.current < self.restarts
    }

    fn status(&self) -> Result<()> {
        self.status.clone()
    }

    fn key(&self) -> &[u8] {
        assert!(self.valid());
        &self.key
    }

    fn value(&self) -> &[u8] {
        assert!(self.valid());
        &self.data()[self.value_offset as usize..(self.value_offset + self.value_len) as usize]
    }

    fn next(&mut self) {
        assert!(self.valid());
        self.interval_index = None;
        self.parse_next_key();
    }

    fn prev(&mut self) {
        assert!(self.valid());
        if self.step_back_in_interval() {
            return;
        }
        // Scan backwards to a restart point before current.
        let original = self.current;
        while self.get_restart_point(self.restart_index) >= original {
            if self.restart_index == 0 {
                // No more entries.
                self.current = self.restarts;
                self.restart_index = self.num_restarts;
                return;
            }
            self.restart_index -= 1;
        }
        // Loop until the end of the current entry hits the start of the original entry.
        self.scan_interval_to(self.restart_index, original);
    }

    fn seek(&mut self, target: &[u8]) {
        if self.num_restarts == 0 {
            return; // No entries.
        }
        self.interval_index = None;
        // Binary search in the restart array to find the last restart point with a key < target.
        let mut left = 0u32;
        let mut right = self.num_restarts - 1;
        let mut current_key_compare = Ordering::Equal;

        if self.valid() {
            // If we're already scanning, use the current position as a starting point. This is beneficial if the
            // key we're seeking to is ahead of the current position.
            current_key_compare = self.compare(&self.key, target);
            match current_key_compare {
                Ordering::Less => left = self.restart_index, // key is smaller than target
                Ordering::Greater => right = self.restart_index,
                Ordering::Equal => return, // We're seeking to the key we're already at.
            }
        }

        while left < right {
            let mid = (left + right).div_ceil(2);
            let region_offset = self.get_restart_point(mid) as usize;
            match decode_entry(&self.block.data, region_offset, self.restarts as usize) {
                Some((0, non_shared, _, key_start)) => {
                    let mid_key = &self.block.data[key_start..key_start + non_shared as usize];
                    if self.compare(mid_key, target) == Ordering::Less {
                        // Key at "mid" is smaller than "target". Therefore all blocks before "mid" are
                        // uninteresting.
                        left = mid;
                    } else {
                        // Key at "mid" is >= "target". Therefore all blocks at or after "mid" are uninteresting.
                        right = mid - 1;
                    }
                }
                // A restart point must hold a whole key (shared == 0).
                _ => {
                    self.corruption_error();
                    return;
                }
            }
        }

        // We might be able to use our current position within the restart block. This is true if we determined
        // the key we desire is in the current block and is after the current key.
        let skip_seek = left == self.restart_index && current_key_compare == Ordering::Less;
        if !skip_seek {
            self.seek_to_restart_point(left);
            // The scan walks the interval's entries one after another, each found from the one before: ask for
            // all of their lines at once (a block found in the cache has usually left the CPU's caches).
            let start = self.get_restart_point(left) as usize;
            let end = if left + 1 < self.num_restarts {
                self.get_restart_point(left + 1) as usize
            } else {
                self.restarts as usize
            };
            if let Some(interval) = self.block.data.get(start..end) {
                prefetch_range(interval.as_ptr(), interval.len());
            }
        }
        // Linear search (within the restart block) for the first key >= target.
        loop {
            if !self.parse_next_key() {
                return;
            }
            if self.compare(&self.key, target) != Ordering::Less {
                return;
            }
        }
    }

    fn seek_to_first(&mut self) {
        if self.num_restarts == 0 {
            return; // No entries.
        }
        self.interval_index = None;
        self.seek_to_restart_point(0);
        self.parse_next_key();
    }

    fn seek_to_last(&mut self) {
        if self.num_restarts == 0 {
            return; // No entries.
        }
        // Keep skipping to the entry that ends where the restart array starts, remembering the last interval for
        // the `prev`s that usually follow.
        self.scan_interval_to(self.num_restarts - 1, self.restarts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::block_builder::BlockBuilder;
    use crate::util::comparator::bytewise_comparator;

    fn build(entries: &[(&[u8], &[u8])], restart_interval: usize) -> Arc<Block> {
        let mut builder = BlockBuilder::new(bytewise_comparator(), restart_interval);
        for (k, v) in entries {
            builder.add(k, v);
        }
        Arc::new(Block::new(builder.finish().to_vec()))
    }

    fn collect(iter: &mut dyn Iterator) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            out.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next();
        }
        out
    }

    #[test]
    fn prefix_compression_layout() {
        let block = build(
            &[(b"apple", b"1"), (b"applesauce", b"2"), (b"banana", b"3")],
            16,
        );
        // Entry 2 shares "apple" with entry 1.
        let expected: Vec<u8> = [
            &[0u8, 5, 1][..],
            b"apple1",
            &[5, 5, 1],
            b"sauce2",
            &[0, 6, 1],
            b"banana3",
            &[0, 0, 0, 0, 1, 0, 0, 0],
        ]
        .concat();
        assert_eq!(block.data, expected);
    }

    #[test]
    fn iterate_seek_and_reverse_over_restart_intervals() {
        let keys: Vec<Vec<u8>> = (0..200)
            .map(|i| format!("key{:05}", i * 3).into_bytes())
            .collect();
        let entries: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (&k[..], &k[3..])).collect();
        for interval in [1, 2, 16, 1024] {
            let block = build(&entries, interval);
            let mut iter = block.new_iterator(bytewise_comparator());
            let all = collect(&mut *iter);
            assert_eq!(all.len(), 200);
            for (i, (k, v)) in all.iter().enumerate() {
                assert_eq!(k, &keys[i]);
                assert_eq!(&v[..], &keys[i][3..]);
            }
            // Seek to present and absent keys, from invalid and valid positions.
            for probe in 0..610 {
                let target = format!("key{probe:05}").into_bytes();
                iter.seek(&target);
                let expected = keys.iter().find(|k| **k >= target);
                assert_eq!(
                    iter.valid().then(|| iter.key().to_vec()).as_ref(),
                    expected,
                    "interval {interval}"
                );
            }
            // Backwards.
            iter.seek_to_last();
            for i in (0..200).rev() {
                assert_eq!(iter.key(), &keys[i][..]);
                iter.prev();
            }
            assert!(!iter.valid());
            assert!(iter.status().is_ok());
        }
    }

    /// One move of an iterator, for the model-checked walks below.
    #[derive(Clone, Debug)]
    enum Move {
        Next,
        Prev,
        Seek(u16),
        SeekToFirst,
        SeekToLast,
    }

    impl quickcheck::Arbitrary for Move {
        fn arbitrary(g: &mut quickcheck::Gen) -> Move {
            // Mostly steps, so that walks go through several restart intervals both ways.
            match u8::arbitrary(g) % 16 {
                0 => Move::Seek(u16::arbitrary(g)),
                1 => Move::SeekToFirst,
                2 => Move::SeekToLast,
                3..=8 => Move::Next,
                _ => Move::Prev,
            }
        }
    }

    quickcheck::quickcheck! {
        /// Any walk, however it mixes steps back (served from a remembered interval) with steps forward and seeks,
        /// lands on the entries a sorted list says, with their values.
        fn a_walk_lands_where_a_sorted_list_says(
            count: u8,
            interval: u8,
            moves: Vec<Move>
        ) -> bool {
            let keys: Vec<Vec<u8>> = (0..count as u32)
                .map(|i| format!("k{:04}", i * 7 % 1000).into_bytes())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let entries: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (&k[..], &k[1..])).collect();
            let block = build(&entries, 1 + interval as usize % 20);
            let mut iter = block.new_iterator(bytewise_comparator());
            // The model: the index of the current entry, if any.
            let mut at: Option<usize> = None;
            for m in moves {
                match m {
                    Move::Next | Move::Prev if at.is_none() => continue,
                    Move::Next => {
                        iter.next();
                        at = at.map(|i| i + 1).filter(|&i| i < keys.len());
                    }
                    Move::Prev => {
                        iter.prev();
                        at = at.and_then(|i| i.checked_sub(1));
                    }
                    Move::Seek(t) => {
                        let target = format!("k{:04}", t % 1100).into_bytes();
                        iter.seek(&target);
                        at = keys.iter().position(|k| *k >= target);
                    }
                    Move::SeekToFirst => {
                        iter.seek_to_first();
                        at = (!keys.is_empty()).then_some(0);
                    }
                    Move::SeekToLast => {
                        iter.seek_to_last();
                        at = keys.len().checked_sub(1);
                    }
                }
                let lands = match at {
                    Some(i) => iter.valid() && iter.key() == &keys[i][..] && iter.value() == &keys[i][1..],
                    None => !iter.valid(),
                };
                if !lands || iter.status().is_err() {
                    return false;
                }
            }
            true
        }
    }

    #[test]
    fn steps_back_through_a_remembered_interval_then_forward_again() {
        let keys: Vec<Vec<u8>> = (0..40).map(|i| format!("key{i:03}").into_bytes()).collect();
        let entries: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (&k[..], &k[3..])).collect();
        let block = build(&entries, 16);
        let mut iter = block.new_iterator(bytewise_comparator());
        // Back from the last entry into the middle interval, forward across its end, and back again.
        iter.seek_to_last();
        for i in (20..39).rev() {
            iter.prev();
            assert_eq!(iter.key(), &keys[i][..]);
        }
        for k in &keys[21..35] {
            iter.next();
            assert_eq!(iter.key(), &k[..]);
            assert_eq!(iter.value(), &k[3..]);
        }
        for i in (0..34).rev() {
            iter.prev();
            assert_eq!(iter.key(), &keys[i][..]);
            assert_eq!(iter.value(), &keys[i][3..]);
        }
        iter.prev();
        assert!(!iter.valid());
        assert!(iter.status().is_ok());
    }

    #[test]
    fn steps_back_through_huge_keys() {
        let keys: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'a' + i; 50_000]).collect();
        let entries: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (&k[..], &b"v"[..])).collect();
        let block = build(&entries, 16);
        let mut iter = block.new_iterator(bytewise_comparator());
        iter.seek_to_last();
        for k in keys.iter().rev() {
            assert_eq!(iter.key(), &k[..]);
            iter.prev();
        }
        assert!(!iter.valid());
        assert!(iter.status().is_ok());
    }

    #[test]
    fn malformed_blocks() {
        let block = Arc::new(Block::new(vec![1, 2]));
        assert_eq!(block.size(), 0);
        let iter = block.new_iterator(bytewise_comparator());
        assert_eq!(
            iter.status().unwrap_err().to_string(),
            "Corruption: bad block contents"
        );
        // Too many restarts for the size.
        let block = Arc::new(Block::new(vec![0, 0, 0, 0, 9, 0, 0, 0]));
        assert!(block
            .new_iterator(bytewise_comparator())
            .status()
            .is_err());
        // Zero restarts: an empty block.
        let block = Arc::new(Block::new(vec![0, 0, 0, 0]));
        let mut iter = block.new_iterator(bytewise_comparator());
        iter.seek_to_first();
        assert!(!iter.valid());
        assert!(iter.status().is_ok());
        // An entry whose lengths run past the restart array.
        let mut data = vec![0u8, 50, 1, b'a'];
        data.extend_from_slice(&[0, 0, 0, 0, 1, 0, 0, 0]);
        let block = Arc::new(Block::new(data));
        let mut iter = block.new_iterator(bytewise_comparator());
        iter.seek_to_first();
        assert!(!iter.valid());
        assert_eq!(
            iter.status().unwrap_err().to_string(),
            "Corruption: bad entry in block"
        );
        // A restart point past the data.
        let block = Arc::new(Block::new(vec![0xff, 0, 0, 0, 1, 0, 0, 0]));
        let mut iter = block.new_iterator(bytewise_comparator());
        iter.seek_to_first();
        assert!(!iter.valid());
        iter.seek(b"x");
        assert!(!iter.valid());
        iter.seek_to_last();
        assert!(!iter.valid());
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rnd = crate::util::random::Random::new(17);
        let good = build(
            &[(b"a", b"1"), (b"abc", b"2"), (b"abd", b"3"), (b"b", b"4")],
            2,
        );
        for _ in 0..2000 {
            let mut data = good.data.clone();
            for _ in 0..1 + rnd.uniform(3) {
                let i = rnd.uniform(data.len() as u32) as usize;
                data[i] = rnd.next() as u8;
            }
            let block = Arc::new(Block::new(data));
            let mut iter = block.new_iterator(bytewise_comparator());
            let _ = collect(&mut *iter);
            iter.seek(b"abc");
            iter.seek_to_last();
            while iter.valid() {
                let _ = (iter.key(), iter.value());
                iter.prev();
            }
        }
    }
}
