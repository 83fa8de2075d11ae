//! Chapter 8: the merging iterator and the DB iterator (the tour's chapter 6, iterators and snapshots).
//!
//! A read of the database sees one sorted stream made of many: the memtable, the immutable memtable, each
//! level-0 table, each deeper level. The merging iterator merges sorted cursors into one: it is positioned at
//! the child with the smallest key (going forward) or the largest (going backward). When it changes direction,
//! every other child must first be moved to the other side of the current key.
//!
//! The merged stream holds internal keys: every version of every key, newest first. The DB iterator turns it
//! into what a user sees at a snapshot (sequence number s): for each user key, only the newest entry with a
//! sequence <= s, and nothing if that entry is a deletion. Going forward it skips the older entries of a key it
//! has yielded or found deleted; going backward it has to read every entry of a key (the oldest come first) to
//! know the newest visible one, so it keeps the key and value it found (saved_key, saved_value) and leaves the
//! inner cursor before them.
//!
//! The cursors here are the engine's cursor trait (`Cursor`: valid, seek_to_first, seek_to_last, seek, next,
//! prev, key, value, status).
//!
//! Grade: `cargo run -p course -- check 8`.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::support::{Comparator, Cursor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Forward,
    Reverse,
}

/// A cursor over the union of `children`, in `comparator`'s order (a key in several children is yielded once
/// per child).
///
/// LevelDB: NewMergingIterator
pub fn new_merging_iterator(
    comparator: Arc<dyn Comparator>,
    children: Vec<Box<dyn Cursor>>,
) -> Box<dyn Cursor> {
    Box::new(MergingIterator {
        comparator,
        children,
        current: None,
        direction: Direction::Forward,
    })
}

/// LevelDB: MergingIterator
struct MergingIterator {
    comparator: Arc<dyn Comparator>,
    children: Vec<Box<dyn Cursor>>,
    /// The child the iterator is positioned at.
    current: Option<usize>,
    direction: Direction,
}

impl MergingIterator {
    /// Points `current` at the valid child with the smallest key (the first such child on a tie), or `None`.
    ///
    /// LevelDB: MergingIterator::FindSmallest
    fn find_smallest(&mut self) {
        todo!("chapter 8: write MergingIterator::find_smallest")
    }

    /// Points `current` at the valid child with the largest key (the last such child on a tie), or `None`.
    ///
    /// LevelDB: MergingIterator::FindLargest
    fn find_largest(&mut self) {
        todo!("chapter 8: write MergingIterator::find_largest")
    }
}

impl Cursor for MergingIterator {
    fn valid(&self) -> bool {
        self.current.is_some()
    }

    fn seek_to_first(&mut self) {
        for child in &mut self.children {
            child.seek_to_first();
        }
        self.find_smallest();
        self.direction = Direction::Forward;
    }

    fn seek_to_last(&mut self) {
        for child in &mut self.children {
            child.seek_to_last();
        }
        self.find_largest();
        self.direction = Direction::Reverse;
    }

    fn seek(&mut self, target: &[u8]) {
        for child in &mut self.children {
            child.seek(target);
        }
        self.find_smallest();
        self.direction = Direction::Forward;
    }

    /// Moves to the next key. If the last move was backward, first position every other child after key():
    /// seek it to key(), and step it once more if it landed on key() itself. Then advance the current child
    /// and find the smallest.
    ///
    /// LevelDB: MergingIterator::Next
    fn next(&mut self) {
        todo!("chapter 8: write MergingIterator::next")
    }

    /// Moves to the previous key. If the last move was forward, first position every other child before
    /// key(): seek it to key() and step it back once (or, if the seek left it invalid, put it at its last
    /// entry). Then step the current child back and find the largest.
    ///
    /// LevelDB: MergingIterator::Prev
    fn prev(&mut self) {
        todo!("chapter 8: write MergingIterator::prev")
    }

    fn key(&self) -> &[u8] {
        self.children[self.current.expect("a valid iterator")].key()
    }

    fn value(&self) -> &[u8] {
        self.children[self.current.expect("a valid iterator")].value()
    }

    fn status(&self) -> oxleveldb::Result<()> {
        self.children.iter().try_for_each(|c| c.status())
    }
}

/// The parts of an internal key: user key, sequence, and whether it is a put (type 1) rather than a deletion
/// (type 0). (Given.)
pub fn parse(internal_key: &[u8]) -> (&[u8], u64, bool) {
    let (user_key, tag) = internal_key.split_at(internal_key.len() - 8);
    let tag = u64::from_le_bytes(tag.try_into().expect("8 bytes"));
    (user_key, tag >> 8, tag & 0xff == 1)
}

/// The user's view of a merged stream of internal keys at a snapshot.
///
/// LevelDB: DBIter
pub struct DbIter {
    /// The merged internal entries.
    iter: Box<dyn Cursor>,
    /// The snapshot: entries with a larger sequence are invisible.
    sequence: u64,
    direction: Direction,
    valid: bool,
    /// Forward: the user key being skipped. Reverse: the current user key.
    saved_key: Vec<u8>,
    /// Reverse: the current value.
    saved_value: Vec<u8>,
}

impl DbIter {
    /// A DB iterator over the internal cursor `internal` (sorted by the internal key comparator) at snapshot
    /// `sequence`.
    pub fn new(internal: Box<dyn Cursor>, sequence: u64) -> DbIter {
        DbIter {
            iter: internal,
            sequence,
            direction: Direction::Forward,
            valid: false,
            saved_key: Vec::new(),
            saved_value: Vec::new(),
        }
    }

    pub fn valid(&self) -> bool {
        self.valid
    }

    /// The current user key.
    pub fn key(&self) -> &[u8] {
        assert!(self.valid);
        match self.direction {
            Direction::Forward => parse(self.iter.key()).0,
            Direction::Reverse => &self.saved_key,
        }
    }

    /// The current value.
    pub fn value(&self) -> &[u8] {
        assert!(self.valid);
        match self.direction {
            Direction::Forward => self.iter.value(),
            Direction::Reverse => &self.saved_value,
        }
    }

    pub fn seek_to_first(&mut self) {
        self.direction = Direction::Forward;
        self.saved_value.clear();
        self.iter.seek_to_first();
        if self.iter.valid() {
            self.find_next_user_entry(false);
        } else {
            self.valid = false;
        }
    }

    pub fn seek_to_last(&mut self) {
        self.direction = Direction::Reverse;
        self.saved_value.clear();
        self.iter.seek_to_last();
        self.find_prev_user_entry();
    }

    /// Positions at the first user key >= `target`: seek the inner cursor to the newest entry of `target`
    /// visible at the snapshot (target, sequence, type 1).
    pub fn seek(&mut self, target: &[u8]) {
        self.direction = Direction::Forward;
        self.saved_value.clear();
        self.saved_key = target.to_vec();
        self.saved_key
            .extend_from_slice(&(self.sequence << 8 | 1).to_le_bytes());
        self.iter.seek(&self.saved_key);
        if self.iter.valid() {
            self.find_next_user_entry(false);
        } else {
            self.valid = false;
        }
    }

    /// Moves the inner cursor forward to the next entry a user sees: skip entries above the snapshot; a
    /// deletion makes its user key one to skip (saved_key); a put of a key not being skipped is the entry
    /// (stop there, valid); with `skipping`, saved_key holds a user key already yielded: skip its entries.
    ///
    /// LevelDB: DBIter::FindNextUserEntry
    fn find_next_user_entry(&mut self, mut skipping: bool) {
        todo!("chapter 8: write DbIter::find_next_user_entry")
    }

    /// Moves the inner cursor backward until it is before every entry of the previous visible user key,
    /// keeping that key and its value in saved_key / saved_value (valid); invalid if there is none. Walking
    /// back, each visible entry of a new user key, after a put was kept, means the kept one is the answer; a
    /// deletion clears the kept key; a put is kept (it is newer than what was kept before for the same key).
    ///
    /// LevelDB: DBIter::FindPrevUserEntry
    fn find_prev_user_entry(&mut self) {
        todo!("chapter 8: write DbIter::find_prev_user_entry")
    }

    /// Moves to the next user key. Coming from reverse, the inner cursor is before the current key's entries:
    /// step it to them (to the first entry, or the next one if it is invalid), then skip them.
    ///
    /// LevelDB: DBIter::Next
    pub fn next(&mut self) {
        todo!("chapter 8: write DbIter::next")
    }

    /// Moves to the previous user key. Coming from forward, the inner cursor is at the current key's entry:
    /// step it back past every entry of that user key (saving the key), then find the previous user entry.
    ///
    /// LevelDB: DBIter::Prev
    pub fn prev(&mut self) {
        todo!("chapter 8: write DbIter::prev")
    }
}
