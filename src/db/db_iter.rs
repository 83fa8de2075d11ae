//! `DBIterator`: the user's view of the database, from the internal merging iterator.
//!
//! The memtables and tables hold `(user key, sequence, type) → value` entries; this iterator combines the entries
//! of each user key into one: the newest one visible at its sequence number (its snapshot), and none if that is a
//! deletion.
//!
//! Direction invariant (LevelDB's):
//! * moving forward, the internal iterator is positioned at the exact entry that yields `key()` and `value()`;
//! * moving backwards, the internal iterator is positioned just before all entries whose user key is `key()`,
//!   and `key()` and `value()` are copies (`saved_key`, `saved_value`).
//!
//! While it reads, the iterator samples about one key per megabyte read and reports it to the database, which may
//! schedule a compaction of the files those keys overlap (read-triggered compaction).

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use crate::db::db_impl::FileHolder;
use crate::db::db_range::{DBRange, Start};
use crate::db::dbformat::{
    append_internal_key, config, extract_user_key, parse_internal_key, ParsedInternalKey,
    SequenceNumber, ValueType, VALUE_TYPE_FOR_SEEK,
};
use crate::db::super_version::SuperVersion;
use crate::error::{Error, Result};
use crate::table::iterator::{CleanupIterator, Iterator};
use crate::util::comparator::Comparator;
use crate::util::random::Random;

/// Which direction is the iterator currently moving?
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Forward,
    Reverse,
}

/// A database's internal iterator (the merging iterator over its memtables and tables) with the super version it
/// reads: the memtables and the version, kept alive so that their files are not deleted under it.
///
/// The iterator borrows what it reads from the super version (`CleanupIterator::borrowing`): the memtables'
/// skiplists, the version's file lists, comparator and table cache. Holding a reference count on each instead
/// would take and drop five or six counts per seek that every reader of the database shares; with readers on
/// several threads, each of their cache lines would move between the CPUs. One count, on the super version, pins
/// all of it.
///
/// LevelDB: IterState (in db_impl.cc), with the iterator whose cleanup releases it
pub(crate) type IterState = CleanupIterator<Arc<SuperVersion>>;

/// An iterator over the contents of a database, as of one sequence number.
///
/// It is LevelDB's cursor: `valid`, `seek_to_first`, `seek_to_last`, `seek`, `next`, `prev`, `key`, `value`,
/// `status`. It is not itself a std iterator, so that a call of `next()` is always the cursor's; std iteration
/// goes through [`into_iter`](IntoIterator::into_iter) (or [`DB::range`](crate::DB::range) and
/// [`DB::prefix`](crate::DB::prefix)), which yields owned `(key, value)` pairs and ends with one `Err` item if
/// reading failed.
///
/// ```
/// use oxleveldb::{Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
/// for key in ["a", "b", "c"] {
///     db.put(key, "v")?;
/// }
/// let mut cursor = db.new_iterator();
/// cursor.seek_to_last();
/// let mut keys = Vec::new();
/// while cursor.valid() {
///     keys.push(cursor.key().to_vec());
///     cursor.prev();
/// }
/// cursor.status()?;
/// assert_eq!(keys, [b"c", b"b", b"a"]);
/// # Ok(())
/// # }
/// ```
///
/// LevelDB: DBIter
pub struct DBIterator {
    /// Keeps the database's files (and lock) while the iterator reads them.
    db: FileHolder,
    iter: IterState,
    sequence: SequenceNumber,
    status: Result<()>,
    /// == current key when direction == Reverse.
    saved_key: Vec<u8>,
    /// == current raw value when direction == Reverse.
    saved_value: Vec<u8>,
    direction: Direction,
    valid: bool,
    sampling: ReadSampling,
    /// Whether the cursor has been positioned: std iteration ([`IntoIterator`]) starts at the cursor if so, else
    /// at the first entry.
    started: bool,
}

/// When the iterator next charges a read to the files that hold its key: every `READ_BYTES_PERIOD` bytes read on
/// average, at random (LevelDB's `rnd_` and `bytes_until_read_sampling_`). The charges are what trigger compactions
/// by reads (LevelDB's `RecordReadSample`).
struct ReadSampling {
    rnd: Random,
    bytes_until_read_sampling: u64,
}

impl ReadSampling {
    fn new(seed: u32) -> ReadSampling {
        let mut rnd = Random::new(seed);
        let bytes_until_read_sampling = Self::random_compaction_period(&mut rnd);
        ReadSampling {
            rnd,
            bytes_until_read_sampling,
        }
    }

    /// Picks the number of bytes that can be read until a compaction is scheduled.
    ///
    /// LevelDB: DBIter::RandomCompactionPeriod
    fn random_compaction_period(rnd: &mut Random) -> u64 {
        u64::from(rnd.uniform(2 * config::READ_BYTES_PERIOD as u32))
    }

    /// Counts `bytes_read` at the internal key `k`, charging `k`'s files each time a period runs out.
    fn count(&mut self, db: &FileHolder, k: &[u8], bytes_read: u64) {
        while self.bytes_until_read_sampling < bytes_read {
            self.bytes_until_read_sampling += Self::random_compaction_period(&mut self.rnd);
            db.record_read_sample(k);
        }
        self.bytes_until_read_sampling -= bytes_read;
    }
}

impl DBIterator {
    /// LevelDB: NewDBIterator
    pub(crate) fn new(
        db: FileHolder,
        iter: IterState,
        sequence: SequenceNumber,
        seed: u32,
    ) -> DBIterator {
        DBIterator {
            db,
            iter,
            sequence,
            status: Ok(()),
            saved_key: Vec::new(),
            saved_value: Vec::new(),
            direction: Direction::Forward,
            valid: false,
            sampling: ReadSampling::new(seed),
            started: false,
        }
    }

    /// The database's user comparator (the iterator reaches it through the database it holds rather than take
    /// a reference of its own, a count every reader would share).
    pub(crate) fn user_comparator(&self) -> &dyn Comparator {
        &**self.db.user_comparator()
    }

    /// True if the iterator is positioned at an entry.
    ///
    /// LevelDB: DBIter::Valid
    pub fn valid(&self) -> bool {
        self.valid
    }

    /// The current entry, `None` when the cursor is not positioned at one: the way in that cannot panic.
    ///
    /// ```
    /// use oxleveldb::{Options, DB};
    ///
    /// # fn main() -> oxleveldb::Result<()> {
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
    /// db.put("k", "v")?;
    /// let mut cursor = db.new_iterator();
    /// assert_eq!(cursor.current(), None); // not positioned yet
    /// cursor.seek(b"k");
    /// assert_eq!(cursor.current(), Some((&b"k"[..], &b"v"[..])));
    /// cursor.next();
    /// assert_eq!(cursor.current(), None); // past the end
    /// cursor.status()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn current(&self) -> Option<(&[u8], &[u8])> {
        self.valid.then(|| (self.key(), self.value()))
    }

    /// The current user key.
    ///
    /// # Panics
    /// If the cursor is not [`valid`](DBIterator::valid) (LevelDB's precondition, checked): see
    /// [`current`](DBIterator::current) for the way that cannot panic.
    ///
    /// LevelDB: DBIter::key
    pub fn key(&self) -> &[u8] {
        assert!(self.valid);
        match self.direction {
            Direction::Forward => extract_user_key(self.iter.key()),
            Direction::Reverse => &self.saved_key,
        }
    }

    /// The current value.
    ///
    /// # Panics
    /// If the cursor is not [`valid`](DBIterator::valid): see [`current`](DBIterator::current).
    ///
    /// LevelDB: DBIter::value
    pub fn value(&self) -> &[u8] {
        assert!(self.valid);
        match self.direction {
            Direction::Forward => self.iter.value(),
            Direction::Reverse => &self.saved_value,
        }
    }

    /// The error met while iterating, if any.
    ///
    /// LevelDB: DBIter::status
    pub fn status(&self) -> Result<()> {
        match &self.status {
            Ok(()) => self.iter.status(),
            Err(e) => Err(e.clone()),
        }
    }

    fn save_key(k: &[u8], dst: &mut Vec<u8>) {
        dst.clear();
        dst.extend_from_slice(k);
    }

    /// LevelDB: DBIter::ClearSavedValue
    fn clear_saved_value(&mut self) {
        if self.saved_value.capacity() > 1048576 {
            self.saved_value = Vec::new();
        } else {
            self.saved_value.clear();
        }
    }

    /// Parses `k`, the internal iterator's key, after counting the bytes read (`k` and a value of `value_len`
    /// bytes) towards the next read sample. It takes the fields it uses rather than `&mut self`, so that the caller
    /// keeps the user key inside `k` instead of asking the iterator tree for the key once more (a call through
    /// every layer of it).
    ///
    /// LevelDB: DBIter::ParseKey
    fn parse_key<'k>(
        k: &'k [u8],
        value_len: usize,
        sampling: &mut ReadSampling,
        db: &FileHolder,
    ) -> Result<ParsedInternalKey<'k>> {
        sampling.count(db, k, (k.len() + value_len) as u64);
        parse_internal_key(k).ok_or_else(|| Error::corruption("corrupted internal key in DBIter", ""))
    }

    /// Moves to the next user key.
    ///
    /// # Panics
    /// If the cursor is not [`valid`](DBIterator::valid) (LevelDB's precondition, checked: there is no entry to
    /// move from). `while cursor.valid() { ... }` loops, and std iteration (`into_iter`, `DB::range`), never
    /// call it so.
    ///
    /// LevelDB: DBIter::Next
    pub fn next(&mut self) {
        assert!(self.valid);
        if self.direction == Direction::Reverse {
            // Switch directions: the internal iterator is pointing just before the entries for key(), so advance
            // into the range of entries for key() and then use the normal skipping code below.
            self.direction = Direction::Forward;
            if !self.iter.valid() {
                self.iter.seek_to_first();
            } else {
                self.iter.next();
            }
            if !self.iter.valid() {
                self.valid = false;
                self.saved_key.clear();
                return;
            }
            // saved_key already contains the key to skip past.
        } else {
            // Store in saved_key the current key so we skip it below.
            Self::save_key(extract_user_key(self.iter.key()), &mut self.saved_key);

            // The internal iterator is pointing to the current key. We can now safely move to the next to avoid
            // checking the current key.
            self.iter.next();
            if !self.iter.valid() {
                self.valid = false;
                self.saved_key.clear();
                return;
            }
        }
        self.find_next_user_entry(true);
    }

    /// Skips to the first entry that yields a user key: visible at the iterator's sequence, not a deletion, and
    /// (if `skipping`) past the user key in `saved_key`.
    ///
    /// LevelDB: DBIter::FindNextUserEntry
    fn find_next_user_entry(&mut self, mut skipping: bool) {
        // Loop until we hit an acceptable entry to yield.
        debug_assert!(self.iter.valid());
        debug_assert_eq!(self.direction, Direction::Forward);
        loop {
            let k = self.iter.key();
            match Self::parse_key(k, self.iter.value().len(), &mut self.sampling, &self.db) {
                Err(e) => self.status = Err(e),
                Ok(ikey) if ikey.sequence <= self.sequence => match ikey.value_type {
                    ValueType::Deletion => {
                        // Arrange to skip all upcoming entries for this key since they are hidden by this
                        // deletion.
                        Self::save_key(ikey.user_key, &mut self.saved_key);
                        skipping = true;
                    }
                    ValueType::Value => {
                        if skipping
                            && self.user_comparator().compare(ikey.user_key, &self.saved_key) != Ordering::Greater
                        {
                            // Entry hidden.
                        } else {
                            self.valid = true;
                            self.saved_key.clear();
                            return;
                        }
                    }
                },
                Ok(_) => {}
            }
            self.iter.next();
            if !self.iter.valid() {
                break;
            }
        }
        self.saved_key.clear();
        self.valid = false;
    }

    /// Moves to the previous user key.
    ///
    /// # Panics
    /// If the cursor is not [`valid`](DBIterator::valid) (LevelDB's precondition, checked: there is no entry to
    /// move from). `while cursor.valid() { ... }` loops, and std iteration (`into_iter`, `DB::range`), never
    /// call it so.
    ///
    /// LevelDB: DBIter::Prev
    pub fn prev(&mut self) {
        assert!(self.valid);
        if self.direction == Direction::Forward {
            // Switch directions: the internal iterator is pointing at the current entry. Scan backwards until the
            // key changes so we can use the normal reverse scanning code.
            debug_assert!(self.iter.valid()); // Otherwise valid would have been false.
            Self::save_key(extract_user_key(self.iter.key()), &mut self.saved_key);
            loop {
                self.iter.prev();
                if !self.iter.valid() {
                    self.valid = false;
                    self.saved_key.clear();
                    self.clear_saved_value();
                    return;
                }
                if self
                    .user_comparator()
                    .compare(extract_user_key(self.iter.key()), &self.saved_key)
                    == Ordering::Less
                {
                    break;
                }
            }
            self.direction = Direction::Reverse;
        }
        self.find_prev_user_entry();
    }

    /// Scans backwards for the newest visible entry of the previous user key, saving it.
    ///
    /// LevelDB: DBIter::FindPrevUserEntry
    fn find_prev_user_entry(&mut self) {
        debug_assert_eq!(self.direction, Direction::Reverse);
        let mut value_type = ValueType::Deletion;
        if self.iter.valid() {
            loop {
                let (k, raw_value) = (self.iter.key(), self.iter.value());
                match Self::parse_key(k, raw_value.len(), &mut self.sampling, &self.db) {
                    Err(e) => self.status = Err(e),
                    Ok(ikey) if ikey.sequence <= self.sequence => {
                        if value_type != ValueType::Deletion
                            && self.user_comparator().compare(ikey.user_key, &self.saved_key) == Ordering::Less
                        {
                            // We encountered a non-deleted value in entries for previous keys.
                            break;
                        }
                        value_type = ikey.value_type;
                        if value_type == ValueType::Deletion {
                            self.saved_key.clear();
                            self.clear_saved_value();
                        } else {
                            if self.saved_value.capacity() > raw_value.len() + 1048576 {
                                self.saved_value = Vec::new();
                            }
                            Self::save_key(ikey.user_key, &mut self.saved_key);
                            self.saved_value.clear();
                            self.saved_value.extend_from_slice(raw_value);
                        }
                    }
                    Ok(_) => {}
                }
                self.iter.prev();
                if !self.iter.valid() {
                    break;
                }
            }
        }

        if value_type == ValueType::Deletion {
            // End.
            self.valid = false;
            self.saved_key.clear();
            self.clear_saved_value();
            self.direction = Direction::Forward;
        } else {
            self.valid = true;
        }
    }

    /// Positions at the first user key at or past `target`.
    ///
    /// LevelDB: DBIter::Seek
    pub fn seek(&mut self, target: &[u8]) {
        self.started = true;
        self.direction = Direction::Forward;
        self.clear_saved_value();
        self.saved_key.clear();
        append_internal_key(
            &mut self.saved_key,
            &ParsedInternalKey::new(target, self.sequence, VALUE_TYPE_FOR_SEEK),
        );
        self.iter.seek(&self.saved_key);
        if self.iter.valid() {
            self.find_next_user_entry(false);
        } else {
            self.valid = false;
        }
    }

    /// LevelDB: DBIter::SeekToFirst
    pub fn seek_to_first(&mut self) {
        self.started = true;
        self.direction = Direction::Forward;
        self.clear_saved_value();
        self.iter.seek_to_first();
        if self.iter.valid() {
            self.find_next_user_entry(false);
        } else {
            self.valid = false;
        }
    }

    /// LevelDB: DBIter::SeekToLast
    pub fn seek_to_last(&mut self) {
        self.started = true;
        self.direction = Direction::Reverse;
        self.clear_saved_value();
        self.iter.seek_to_last();
        self.find_prev_user_entry();
    }
}

/// The cursor interface, so a database iterator can stand wherever LevelDB's `Iterator` can.
impl Iterator for DBIterator {
    fn valid(&self) -> bool {
        DBIterator::valid(self)
    }
    fn seek_to_first(&mut self) {
        DBIterator::seek_to_first(self)
    }
    fn seek_to_last(&mut self) {
        DBIterator::seek_to_last(self)
    }
    fn seek(&mut self, target: &[u8]) {
        DBIterator::seek(self, target)
    }
    fn next(&mut self) {
        DBIterator::next(self)
    }
    fn prev(&mut self) {
        DBIterator::prev(self)
    }
    fn key(&self) -> &[u8] {
        DBIterator::key(self)
    }
    fn value(&self) -> &[u8] {
        DBIterator::value(self)
    }
    fn status(&self) -> Result<()> {
        DBIterator::status(self)
    }
}

/// Std iteration over the entries from the cursor's position on (from the first entry if the cursor was never
/// positioned): `for entry in db.new_iterator()`. The cursor's own methods stay LevelDB's.
impl IntoIterator for DBIterator {
    type Item = Result<(Vec<u8>, Vec<u8>)>;
    type IntoIter = DBRange;

    fn into_iter(self) -> DBRange {
        let start = if self.started {
            Start::AtCursor
        } else {
            Start::Bound(Bound::Unbounded)
        };
        DBRange::new(self, start, Bound::Unbounded, None)
    }
}
