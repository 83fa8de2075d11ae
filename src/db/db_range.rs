//! `DBRange`: std iteration over a range of a database's keys, on top of the LevelDB cursor ([`DBIterator`]).
//!
//! LevelDB has only the cursor; goleveldb adds `util.Range` and `BytesPrefix`, and Rust users expect
//! `for (key, value) in ...`. A `DBRange` positions its cursor at the start bound on the first `next`, then yields
//! owned `(key, value)` pairs until the end bound (compared with the database's comparator) or the end of the
//! prefix. Invariant: once it has returned `None` (or its one `Err` item) it stays done.

use std::cmp::Ordering;
use std::ops::Bound;

use crate::db::db_iter::DBIterator;
use crate::error::Result;

/// Where a range's first `next` starts.
pub(crate) enum Start {
    /// At the cursor's current position.
    AtCursor,
    /// At the start bound.
    Bound(Bound<Vec<u8>>),
}

/// A std iterator over the entries of a key range, in key order: `Ok((key, value))` items, then one `Err` item if
/// reading failed. Made by [`DB::range`](crate::DB::range), [`DB::prefix`](crate::DB::prefix) and
/// [`DBIterator::into_iter`](IntoIterator::into_iter).
///
/// ```
/// use oxleveldb::{Options, ReadOptions, WriteOptions, DB};
///
/// # fn main() -> oxleveldb::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = DB::open(Options { create_if_missing: true, ..Options::default() }, dir.path())?;
/// let w = WriteOptions::default();
/// for key in ["user:1", "user:2", "users", "video:1"] {
///     db.put(&w, key, "x")?;
/// }
/// let r = ReadOptions::default();
/// let users: Vec<_> = db.prefix(&r, "user:").map(|e| e.unwrap().0).collect();
/// assert_eq!(users, [b"user:1".to_vec(), b"user:2".to_vec()]);
/// assert_eq!(db.range(&r, "user:2"..="users").count(), 2);
/// assert_eq!(db.range(&r, .."v").count(), 3);
/// # Ok(())
/// # }
/// ```
pub struct DBRange {
    cursor: DBIterator,
    start: Option<Start>,
    end: Bound<Vec<u8>>,
    prefix: Option<Vec<u8>>,
    done: bool,
}

impl DBRange {
    pub(crate) fn new(
        cursor: DBIterator,
        start: Start,
        end: Bound<Vec<u8>>,
        prefix: Option<Vec<u8>>,
    ) -> DBRange {
        DBRange {
            cursor,
            start: Some(start),
            end,
            prefix,
            done: false,
        }
    }

    /// Positions the cursor at the start bound.
    fn position(&mut self, start: Start) {
        match start {
            Start::AtCursor => {}
            Start::Bound(Bound::Unbounded) => self.cursor.seek_to_first(),
            Start::Bound(Bound::Included(key)) => self.cursor.seek(&key),
            Start::Bound(Bound::Excluded(key)) => {
                self.cursor.seek(&key);
                if self.cursor.valid() && self.compare(&key) == Ordering::Equal {
                    self.cursor.next();
                }
            }
        }
    }

    /// The cursor's key against `key`, in the database's order.
    fn compare(&self, key: &[u8]) -> Ordering {
        self.cursor.user_comparator().compare(self.cursor.key(), key)
    }

    /// Whether the cursor's (valid) key is past the range.
    fn past_end(&self) -> bool {
        let past_bound = match &self.end {
            Bound::Unbounded => false,
            Bound::Included(end) => self.compare(end) == Ordering::Greater,
            Bound::Excluded(end) => self.compare(end) != Ordering::Less,
        };
        past_bound
            || self
                .prefix
                .as_ref()
                .is_some_and(|prefix| !self.cursor.key().starts_with(prefix))
    }
}

impl Iterator for DBRange {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(start) = self.start.take() {
            self.position(start);
        }
        if !self.cursor.valid() {
            self.done = true;
            return self.cursor.status().err().map(Err);
        }
        if self.past_end() {
            self.done = true;
            return None;
        }
        let item = (self.cursor.key().to_vec(), self.cursor.value().to_vec());
        self.cursor.next();
        Some(Ok(item))
    }
}

impl std::iter::FusedIterator for DBRange {}

impl std::fmt::Debug for DBRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DBRange")
            .field("end", &self.end)
            .field("prefix", &self.prefix)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
