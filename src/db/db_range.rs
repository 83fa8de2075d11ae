//! `DBRange`: std iteration over a range of a database's keys, both ways, on top of the LevelDB cursor
//! ([`DBIterator`]).
//!
//! LevelDB has only the cursor; goleveldb adds `util.Range` and `BytesPrefix`, and Rust users expect
//! `for (key, value) in ...` and `.rev()`. A `DBRange` has one cursor and two ends: `next` takes entries from the
//! front, `next_back` from the back, and each yields owned `(key, value)` pairs. The cursor sits at one end at a
//! time; switching ends moves it there with one seek (to the last key taken from that end, or to the end's
//! bound), so a range walked one way only never seeks twice.
//!
//! Invariants: every key yielded from the front is less than every key yielded from the back (in the database's
//! comparator order): the two ends stop where they meet, so no entry is yielded twice. Once the range has
//! returned `None` (or its one `Err` item), it stays done, from both ends.

use std::cmp::Ordering;
use std::ops::Bound;

use crate::db::db_iter::DBIterator;
use crate::error::Result;
use crate::util::comparator::Comparator;

/// Where a range's first `next` starts.
pub(crate) enum Start {
    /// At the cursor's current position (which is then the range's lower bound, included).
    AtCursor,
    /// At the start bound.
    Bound(Bound<Vec<u8>>),
}

/// Which end of the range the cursor is at: the next entry that end would yield.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Nowhere,
    Front,
    Back,
}

/// A std iterator over the entries of a key range, in key order (or, with [`rev`](Iterator::rev) and
/// `next_back`, in reverse): `Ok((key, value))` items, then one `Err` item if reading failed. Both ends can be
/// taken from in any mix; they meet in the middle. Made by [`DB::range`](crate::DB::range),
/// [`DB::prefix`](crate::DB::prefix) and [`DBIterator::into_iter`](IntoIterator::into_iter).
///
/// ```
/// use oxleveldb::{Options, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
/// for key in ["user:1", "user:2", "users", "video:1"] {
///     db.put(key, "x")?;
/// }
/// let users: Vec<_> = db.prefix("user:").map(|e| e.unwrap().0).collect();
/// assert_eq!(users, [b"user:1".to_vec(), b"user:2".to_vec()]);
/// assert_eq!(db.range("user:2"..="users").count(), 2);
/// assert_eq!(db.range(.."v").count(), 3);
///
/// // Newest first: the same range backwards.
/// let newest_first: Vec<_> = db.prefix("user:").rev().map(|e| e.unwrap().0).collect();
/// assert_eq!(newest_first, [b"user:2".to_vec(), b"user:1".to_vec()]);
/// // Both ends at once: they meet in the middle.
/// let mut all = db.iter();
/// assert_eq!(all.next().unwrap()?.0, b"user:1");
/// assert_eq!(all.next_back().unwrap()?.0, b"video:1");
/// assert_eq!(all.count(), 2);
/// # Ok(())
/// # }
/// ```
pub struct DBRange {
    cursor: DBIterator,
    start: Bound<Vec<u8>>,
    end: Bound<Vec<u8>>,
    prefix: Option<Vec<u8>>,
    /// The last key yielded from the front: the back stops before reaching it.
    front_key: Option<Vec<u8>>,
    /// The last key yielded from the back: the front stops before reaching it.
    back_key: Option<Vec<u8>>,
    at: At,
    done: bool,
}

impl DBRange {
    pub(crate) fn new(
        cursor: DBIterator,
        start: Start,
        end: Bound<Vec<u8>>,
        prefix: Option<Vec<u8>>,
    ) -> DBRange {
        let (start, at, done) = match start {
            Start::Bound(bound) => (bound, At::Nowhere, false),
            // A cursor already positioned is the range's front; one past the end leaves nothing.
            Start::AtCursor if cursor.valid() => {
                (Bound::Included(cursor.key().to_vec()), At::Front, false)
            }
            Start::AtCursor => (Bound::Unbounded, At::Nowhere, cursor.status().is_ok()),
        };
        DBRange {
            cursor,
            start,
            end,
            prefix,
            front_key: None,
            back_key: None,
            at,
            done,
        }
    }

    /// Moves the cursor to the front: just after the last key yielded from the front, or at the start bound.
    fn position_front(&mut self) {
        let (key, excluded) = match (&self.front_key, &self.start) {
            (Some(key), _) => (Some(key.clone()), true),
            (None, Bound::Unbounded) => (None, false),
            (None, Bound::Included(key)) => (Some(key.clone()), false),
            (None, Bound::Excluded(key)) => (Some(key.clone()), true),
        };
        match key {
            None => self.cursor.seek_to_first(),
            Some(key) => {
                self.cursor.seek(&key);
                if excluded && self.cursor.valid() && self.compare(&key) == Ordering::Equal {
                    self.cursor.next();
                }
            }
        }
        self.at = At::Front;
    }

    /// Moves the cursor to the back: just before the last key yielded from the back, or at the end bound (for a
    /// prefix, the last key before the prefix's successor).
    fn position_back(&mut self) {
        let limit = match (&self.back_key, &self.end) {
            (Some(key), _) => Some((key.clone(), true)),
            (None, Bound::Included(key)) => Some((key.clone(), false)),
            (None, Bound::Excluded(key)) => Some((key.clone(), true)),
            (None, Bound::Unbounded) => self
                .prefix
                .as_deref()
                .and_then(prefix_successor)
                .map(|key| (key, true)),
        };
        match limit {
            None => self.cursor.seek_to_last(),
            Some((key, excluded)) => {
                // The first key at or after the limit; the entry before it, unless it may be taken itself.
                self.cursor.seek(&key);
                if !self.cursor.valid() {
                    if self.cursor.status().is_ok() {
                        self.cursor.seek_to_last();
                    }
                } else if excluded || self.compare(&key) == Ordering::Greater {
                    self.cursor.prev();
                }
            }
        }
        self.at = At::Back;
    }

    /// The database's user comparator, which orders the range.
    pub(crate) fn user_comparator(&self) -> &dyn Comparator {
        self.cursor.user_comparator()
    }

    /// The cursor's key against `key`, in the database's order.
    fn compare(&self, key: &[u8]) -> Ordering {
        self.cursor
            .user_comparator()
            .compare(self.cursor.key(), key)
    }

    /// Whether the cursor's (valid) key is outside the prefix.
    fn outside_prefix(&self) -> bool {
        self.prefix
            .as_ref()
            .is_some_and(|prefix| !self.cursor.key().starts_with(prefix))
    }

    /// Whether the cursor's (valid) key is past the range's end, or at or past the last key yielded from the back.
    fn past_end(&self) -> bool {
        let past_bound = match (&self.back_key, &self.end) {
            (Some(back), _) => self.compare(back) != Ordering::Less,
            (None, Bound::Unbounded) => false,
            (None, Bound::Included(end)) => self.compare(end) == Ordering::Greater,
            (None, Bound::Excluded(end)) => self.compare(end) != Ordering::Less,
        };
        past_bound || self.outside_prefix()
    }

    /// Whether the cursor's (valid) key is before the range's start, or at or before the last key yielded from the
    /// front.
    fn before_start(&self) -> bool {
        let before_bound = match (&self.front_key, &self.start) {
            (Some(front), _) => self.compare(front) != Ordering::Greater,
            (None, Bound::Unbounded) => false,
            (None, Bound::Included(start)) => self.compare(start) == Ordering::Less,
            (None, Bound::Excluded(start)) => self.compare(start) != Ordering::Greater,
        };
        before_bound || self.outside_prefix()
    }

    /// The entry at the cursor, if the cursor is valid and the entry in the range; `None` ends the range (after
    /// the one `Err` item, if the cursor failed).
    fn take(&mut self, outside: fn(&DBRange) -> bool) -> Option<Result<(Vec<u8>, Vec<u8>)>> {
        if !self.cursor.valid() {
            self.done = true;
            return self.cursor.status().err().map(Err);
        }
        if outside(self) {
            self.done = true;
            return None;
        }
        Some(Ok((
            self.cursor.key().to_vec(),
            self.cursor.value().to_vec(),
        )))
    }
}

/// The shortest key after every key that starts with `prefix`, in the bytewise order (the prefix with its last
/// byte below 0xff incremented, the bytes after it dropped); `None` if there is none (the prefix is empty or all
/// 0xff bytes).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut successor = prefix[..=last].to_vec();
    successor[last] += 1;
    Some(successor)
}

/// A range bound over borrowed keys, as one over owned keys (a range keeps its bounds).
pub(crate) fn owned_bound<K: AsRef<[u8]>>(bound: Bound<&K>) -> Bound<Vec<u8>> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_ref().to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.as_ref().to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// Keeps `key` as the last one an end yielded, in that end's buffer (allocated once).
fn remember(last: &mut Option<Vec<u8>>, key: &[u8]) {
    let buffer = last.get_or_insert_with(Vec::new);
    buffer.clear();
    buffer.extend_from_slice(key);
}

impl Iterator for DBRange {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.at != At::Front {
            self.position_front();
        }
        let item = self.take(DBRange::past_end)?;
        if let Ok((key, _)) = &item {
            remember(&mut self.front_key, key);
            self.cursor.next();
        }
        Some(item)
    }
}

impl DoubleEndedIterator for DBRange {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.at != At::Back {
            self.position_back();
        }
        let item = self.take(DBRange::before_start)?;
        if let Ok((key, _)) = &item {
            remember(&mut self.back_key, key);
            self.cursor.prev();
        }
        Some(item)
    }
}

impl std::iter::FusedIterator for DBRange {}

impl std::fmt::Debug for DBRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DBRange")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("prefix", &self.prefix)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_successor;

    #[test]
    fn prefix_successors() {
        assert_eq!(prefix_successor(b"user:"), Some(b"user;".to_vec()));
        assert_eq!(prefix_successor(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"\xff"), None);
        assert_eq!(prefix_successor(b""), None);
    }
}
