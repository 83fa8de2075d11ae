//! The merging iterator: one sorted view over several sorted children (the memtables and tables of a database,
//! the inputs of a compaction).
//!
//! The merged order is by key, and among equal keys by child index. Invariant while moving forward: every child
//! other than the current one is positioned at its first entry after `key()` in that order, so the next entry is
//! the smallest child; while moving in reverse, every other child is at its last entry before `key()`, so the
//! previous entry is the largest child. Changing direction re-positions the other children around `key()` (which
//! skips any of their entries equal to `key()`, exactly as LevelDB does).
//!
//! Where LevelDB scans every child for the smallest at each step, the valid children are kept in a binary heap
//! (as RocksDB's merging iterator keeps them): a step sifts the child that moved down from the top. And each child
//! keeps a copy of its key, refreshed when it moves (`Child`), as LevelDB's `IteratorWrapper` keeps a pointer to
//! it: asking the children instead cost two chains of dynamic calls per comparison (a level's iterator, then its
//! table's, then the block's). On a sequential scan of a reopened database, finding the smallest child had been
//! 45% of the instructions.
//!
//! LevelDB: table/merger.cc

use std::cmp::Ordering;
use std::ops::Deref;

use crate::error::Result;
use crate::table::iterator::{new_empty_iterator, Iterator};
use crate::table::iterator_wrapper::IteratorWrapper;
use crate::table::key_buffer::KeyBuffer;
use crate::util::comparator::Comparator;

/// Which way the iterator is moving.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// A child: any iterator, which may borrow for `'a` (a database iterator's children borrow what its super version
/// holds), with a copy of its current key.
///
/// Invariant: while `iter` is valid, `key` holds the bytes of `iter.key()`: every method that moves `iter` goes
/// through `Child` and copies the new key (one copy per step of the merged sequence, a few dozen bytes, into a
/// `KeyBuffer`: inline while short, and a longer key's heap buffer keeps its capacity).
///
/// LevelDB: IteratorWrapper (its cached `key_`)
struct Child<'a> {
    iter: IteratorWrapper<Box<dyn Iterator + 'a>>,
    /// Inline up to 32 bytes: no allocation per child of an iterator made for one seek.
    key: KeyBuffer,
}

impl<'a> Child<'a> {
    fn new(iter: Box<dyn Iterator + 'a>) -> Child<'a> {
        let mut child = Child {
            iter: IteratorWrapper::new(Some(iter)),
            key: KeyBuffer::new(),
        };
        child.update();
        child
    }

    /// Copies the key the iterator moved to.
    #[inline]
    fn update(&mut self) {
        if self.iter.valid() {
            self.key.clear();
            self.key.extend_from_slice(self.iter.key());
        }
    }

    #[inline]
    fn valid(&self) -> bool {
        self.iter.valid()
    }

    #[inline]
    fn key(&self) -> &[u8] {
        debug_assert!(self.iter.valid());
        &self.key
    }

    #[inline]
    fn value(&self) -> &[u8] {
        self.iter.value()
    }

    fn status(&self) -> Result<()> {
        self.iter.status()
    }

    #[inline]
    fn next(&mut self) {
        self.iter.next();
        self.update();
    }

    #[inline]
    fn prev(&mut self) {
        self.iter.prev();
        self.update();
    }

    fn seek(&mut self, target: &[u8]) {
        self.iter.seek(target);
        self.update();
    }

    fn seek_to_first(&mut self) {
        self.iter.seek_to_first();
        self.update();
    }

    fn seek_to_last(&mut self) {
        self.iter.seek_to_last();
        self.update();
    }
}

/// LevelDB: MergingIterator (with RocksDB's heap of children: MergingIterator's minHeap_ and maxHeap_)
struct MergingIterator<'a, C> {
    comparator: C,
    children: Vec<Child<'a>>,
    /// The valid children, as a binary heap in the order of the direction (see `Heap`): `heap[0]` is the child at
    /// the current entry. Empty when not valid.
    heap: Vec<usize>,
    /// The position in `heap` (1 or 2) of the child that comes next after the top, when known. It stays right
    /// while the top keeps its place: the two children below the top, and what is below them, do not move then.
    /// So a step that leaves the same child on top (the common case in a scan, where one level holds most keys)
    /// costs one comparison, against the runner-up, instead of two.
    runner_up: Option<usize>,
    direction: Direction,
}

/// The children's order for a direction: by key, and among equal keys by child index; reversed when moving
/// backwards (so that among equal keys the last child comes first, as LevelDB's FindLargest scans from the end).
///
/// A step moves the child at the top and sifts it down, two comparisons per level of the heap, and often only
/// one (see `runner_up`): LevelDB compares every child with the smallest so far at each step, and a database
/// iterator has a child per memtable, per level-0 table and per level.
struct Heap<'s, 'a> {
    comparator: &'s dyn Comparator,
    children: &'s [Child<'a>],
    direction: Direction,
}

impl Heap<'_, '_> {
    /// Whether child `a` comes before child `b`.
    #[inline]
    fn before(&self, a: usize, b: usize) -> bool {
        let order = self
            .comparator
            .compare(self.children[a].key(), self.children[b].key())
            .then(a.cmp(&b));
        match self.direction {
            Direction::Forward => order == Ordering::Less,
            Direction::Reverse => order == Ordering::Greater,
        }
    }

    /// Moves `heap[i]` down until it comes before both children below it.
    fn sift_down(&self, heap: &mut [usize], mut i: usize) {
        loop {
            let left = 2 * i + 1;
            if left >= heap.len() {
                return;
            }
            let right = left + 1;
            let first = if right < heap.len() && self.before(heap[right], heap[left]) {
                right
            } else {
                left
            };
            if !self.before(heap[first], heap[i]) {
                return;
            }
            heap.swap(i, first);
            i = first;
        }
    }
}

impl<C: Deref<Target = dyn Comparator>> MergingIterator<'_, C> {
    fn order(&self) -> Heap<'_, '_> {
        Heap {
            comparator: &*self.comparator,
            children: &self.children,
            direction: self.direction,
        }
    }

    /// The child at the current entry.
    fn current(&self) -> Option<usize> {
        self.heap.first().copied()
    }

    /// Builds the heap of the valid children for the current direction: the top is the smallest child moving
    /// forward, the largest moving backwards.
    ///
    /// LevelDB: MergingIterator::FindSmallest, MergingIterator::FindLargest
    fn build_heap(&mut self) {
        let mut heap = std::mem::take(&mut self.heap);
        heap.clear();
        heap.extend((0..self.children.len()).filter(|&i| self.children[i].valid()));
        let order = self.order();
        for i in (0..heap.len() / 2).rev() {
            order.sift_down(&mut heap, i);
        }
        self.heap = heap;
        self.runner_up = None;
    }

    /// Restores the heap after the child at its top moved: sifts it down, or removes it if it ran out.
    fn top_moved(&mut self) {
        let mut heap = std::mem::take(&mut self.heap);
        if !self.children[heap[0]].valid() {
            heap.swap_remove(0);
            if !heap.is_empty() {
                self.order().sift_down(&mut heap, 0);
            }
            self.runner_up = None;
        } else if heap.len() > 1 {
            let order = self.order();
            let runner_up = self.runner_up.unwrap_or_else(|| {
                if heap.len() > 2 && order.before(heap[2], heap[1]) {
                    2
                } else {
                    1
                }
            });
            if order.before(heap[runner_up], heap[0]) {
                heap.swap(0, runner_up);
                order.sift_down(&mut heap, runner_up);
                self.runner_up = None;
            } else {
                self.runner_up = Some(runner_up);
            }
        }
        self.heap = heap;
    }
}

/// The child at `current`, and the others (mutable), to re-position them around its key.
fn split_at_current<'s, 'a>(
    children: &'s mut [Child<'a>],
    current: usize,
) -> (
    &'s Child<'a>,
    impl std::iter::Iterator<Item = &'s mut Child<'a>>,
) {
    let (before, rest) = children.split_at_mut(current);
    let (current, after) = rest.split_first_mut().expect("current is a child index");
    (&*current, before.iter_mut().chain(after.iter_mut()))
}

impl<C: Deref<Target = dyn Comparator> + Send> Iterator for MergingIterator<'_, C> {
    fn valid(&self) -> bool {
        !self.heap.is_empty()
    }

    fn seek_to_first(&mut self) {
        for child in &mut self.children {
            child.seek_to_first();
        }
        self.direction = Direction::Forward;
        self.build_heap();
    }

    fn seek_to_last(&mut self) {
        for child in &mut self.children {
            child.seek_to_last();
        }
        self.direction = Direction::Reverse;
        self.build_heap();
    }

    fn seek(&mut self, target: &[u8]) {
        for child in &mut self.children {
            child.seek(target);
        }
        self.direction = Direction::Forward;
        self.build_heap();
    }

    fn next(&mut self) {
        // Ensure that all children are positioned after key(). If we are moving in the forward direction, it is
        // already true for all of the non-current children since current is the smallest child and key() ==
        // current.key(). Otherwise, we explicitly position the non-current children.
        let current = self
            .current()
            .expect("next() of an invalid merging iterator");
        if self.direction != Direction::Forward {
            let comparator = &*self.comparator;
            let (current_child, others) = split_at_current(&mut self.children, current);
            let key = current_child.key();
            for child in others {
                child.seek(key);
                if child.valid() && comparator.compare(key, child.key()) == Ordering::Equal {
                    child.next();
                }
            }
            self.direction = Direction::Forward;
            self.children[current].next();
            self.build_heap();
            return;
        }
        self.children[current].next();
        self.top_moved();
    }

    fn prev(&mut self) {
        // Ensure that all children are positioned before key(). If we are moving in the reverse direction, it is
        // already true for all of the non-current children since current is the largest child and key() ==
        // current.key(). Otherwise, we explicitly position the non-current children.
        let current = self
            .current()
            .expect("prev() of an invalid merging iterator");
        if self.direction != Direction::Reverse {
            let (current_child, others) = split_at_current(&mut self.children, current);
            let key = current_child.key();
            for child in others {
                child.seek(key);
                if child.valid() {
                    // Child is at first entry >= key(). Step back one to be < key().
                    child.prev();
                } else {
                    // Child has no entries >= key(). Position at last entry.
                    child.seek_to_last();
                }
            }
            self.direction = Direction::Reverse;
            self.children[current].prev();
            self.build_heap();
            return;
        }
        self.children[current].prev();
        self.top_moved();
    }

    fn key(&self) -> &[u8] {
        let current = self
            .current()
            .expect("key() of an invalid merging iterator");
        self.children[current].key()
    }

    fn value(&self) -> &[u8] {
        let current = self
            .current()
            .expect("value() of an invalid merging iterator");
        self.children[current].value()
    }

    /// The first error among the children.
    fn status(&self) -> Result<()> {
        self.children.iter().try_for_each(Child::status)
    }
}

/// An iterator over the union of `children`, in `comparator`'s order. Keys present in several children are
/// yielded once per child (no duplicate suppression).
///
/// LevelDB: NewMergingIterator
pub fn new_merging_iterator<'a, C>(
    comparator: C,
    mut children: Vec<Box<dyn Iterator + 'a>>,
) -> Box<dyn Iterator + 'a>
where
    C: Deref<Target = dyn Comparator> + Send + 'a,
{
    match children.len() {
        0 => new_empty_iterator(),
        1 => children.pop().expect("one child"),
        _ => Box::new(MergingIterator {
            comparator,
            children: children.into_iter().map(Child::new).collect(),
            heap: Vec::new(),
            runner_up: None,
            direction: Direction::Forward,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::table::block::Block;
    use crate::table::block_builder::BlockBuilder;
    use crate::table::iterator::new_error_iterator;
    use crate::util::comparator::bytewise_comparator;
    use crate::util::random::Random;
    use std::sync::Arc;

    /// An iterator over `entries` (sorted, distinct keys), backed by a block.
    fn block_iterator(entries: &[(Vec<u8>, Vec<u8>)]) -> Box<dyn Iterator> {
        let mut builder = BlockBuilder::new(bytewise_comparator(), 2);
        for (k, v) in entries {
            builder.add(k, v);
        }
        Arc::new(Block::new(builder.finish().to_vec())).new_iterator(bytewise_comparator())
    }

    fn current(iter: &dyn Iterator) -> Option<(Vec<u8>, Vec<u8>)> {
        iter.valid()
            .then(|| (iter.key().to_vec(), iter.value().to_vec()))
    }

    #[test]
    fn zero_and_one_children() {
        let mut empty = new_merging_iterator(bytewise_comparator(), Vec::new());
        empty.seek_to_first();
        assert!(!empty.valid());
        assert!(empty.status().is_ok());

        let entries = vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"b".to_vec(), b"2".to_vec()),
        ];
        let mut one = new_merging_iterator(bytewise_comparator(), vec![block_iterator(&entries)]);
        one.seek_to_last();
        assert_eq!(current(&*one), Some(entries[1].clone()));
        one.prev();
        assert_eq!(current(&*one), Some(entries[0].clone()));
    }

    #[test]
    fn status_is_the_first_error_of_the_children() {
        let entries = vec![(b"a".to_vec(), b"1".to_vec())];
        let mut iter = new_merging_iterator(
            bytewise_comparator(),
            vec![
                block_iterator(&entries),
                new_error_iterator(Error::corruption("first", "")),
                new_error_iterator(Error::io_error("second", "")),
            ],
        );
        iter.seek_to_first();
        assert_eq!(current(&*iter), Some(entries[0].clone()));
        assert_eq!(iter.status().unwrap_err().to_string(), "Corruption: first");
    }

    /// What LevelDB's merging iterator shows: the entries of all children ordered by (key, child index), walked
    /// one by one, except that a change of direction skips every other entry whose key equals the current key
    /// (the other children are re-positioned strictly after, or before, it).
    struct Model {
        entries: Vec<(Vec<u8>, usize, Vec<u8>)>,
        pos: Option<usize>,
        forward: bool,
    }

    impl Model {
        fn current(&self) -> Option<(Vec<u8>, Vec<u8>)> {
            self.pos
                .map(|p| (self.entries[p].0.clone(), self.entries[p].2.clone()))
        }
        fn at(&self, p: usize) -> Option<usize> {
            (p < self.entries.len()).then_some(p)
        }
        fn seek(&mut self, target: &[u8]) {
            self.pos = self.at(self.entries.partition_point(|e| e.0.as_slice() < target));
            self.forward = true;
        }
        fn next(&mut self) {
            let p = self.pos.unwrap();
            let key = &self.entries[p].0;
            self.pos = if self.forward {
                self.at(p + 1)
            } else {
                self.at(self.entries.partition_point(|e| e.0 <= *key))
            };
            self.forward = true;
        }
        fn prev(&mut self) {
            let p = self.pos.unwrap();
            let key = &self.entries[p].0;
            self.pos = if self.forward {
                self.entries.partition_point(|e| e.0 < *key).checked_sub(1)
            } else {
                p.checked_sub(1)
            };
            self.forward = false;
        }
    }

    #[test]
    fn direction_switches_and_ties_follow_the_model() {
        let mut rnd = Random::new(301);
        for _ in 0..300 {
            // Up to 9 children: heaps three levels deep, where the cached runner-up matters.
            let num_children = 2 + rnd.uniform(8) as usize;
            let mut children = Vec::new();
            let mut entries = Vec::new();
            for child in 0..num_children {
                // Few distinct keys, so that children often share keys.
                let mut keys: Vec<Vec<u8>> = (0..rnd.uniform(12))
                    .map(|_| vec![b'a' + rnd.uniform(10) as u8])
                    .collect();
                keys.sort();
                keys.dedup();
                let child_entries: Vec<(Vec<u8>, Vec<u8>)> = keys
                    .into_iter()
                    .map(|k| {
                        let v = [&k[..], format!("@{child}").as_bytes()].concat();
                        (k, v)
                    })
                    .collect();
                for (k, v) in &child_entries {
                    entries.push((k.clone(), child, v.clone()));
                }
                children.push(block_iterator(&child_entries));
            }
            entries.sort();
            let mut model = Model {
                entries,
                pos: None,
                forward: true,
            };
            let mut iter = new_merging_iterator(bytewise_comparator(), children);
            for _ in 0..100 {
                match rnd.uniform(8) {
                    0 => {
                        iter.seek_to_first();
                        model.seek(b"");
                    }
                    1 => {
                        iter.seek_to_last();
                        model.pos = model.entries.len().checked_sub(1);
                        model.forward = false;
                    }
                    2 => {
                        let target = [b'a' + rnd.uniform(11) as u8];
                        iter.seek(&target);
                        model.seek(&target);
                    }
                    3..=5 if iter.valid() => {
                        iter.next();
                        model.next();
                    }
                    _ if iter.valid() => {
                        iter.prev();
                        model.prev();
                    }
                    _ => {}
                }
                assert_eq!(current(&*iter), model.current());
            }
            assert!(iter.status().is_ok());
        }
    }
}
