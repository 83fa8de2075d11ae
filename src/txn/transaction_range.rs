//! `TransactionRange`: a range of the database as a transaction sees it, its own uncommitted writes merged over
//! the database's entries.
//!
//! RocksDB's `Transaction::GetIterator` runs a `BaseDeltaIterator` over the database's iterator (the base) and the
//! transaction's `WriteBatchWithIndex` (the delta). Here the delta is the transaction's updates in the range,
//! copied and sorted by the database's comparator when the range is made; the base is a [`DBRange`] over the same
//! bounds. Both ends can be taken from, as a `DBRange`'s can.
//!
//! Invariants: the delta wins over the base for a key they share (a put replaces the database's value, a delete
//! hides it); every key is yielded once, in the comparator's order from the front and in reverse from the back;
//! an entry peeked from one end of the base and not yet yielded is the other end's last entry when the base's
//! ends have met.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::ops::Bound;

use crate::db::db_range::DBRange;
use crate::error::Result;

type Entry = Result<(Vec<u8>, Vec<u8>)>;

/// A std iterator over a key range as a transaction sees it: the database's entries (at `ReadOptions::snapshot`,
/// or now) with the transaction's own puts and deletes applied, as owned `(key, value)` pairs, both ways. Made by
/// [`Transaction::range`](super::Transaction::range), [`prefix`](super::Transaction::prefix) and
/// [`iter`](super::Transaction::iter). It holds copies: the transaction may go on writing while it is used (the
/// range does not see those writes).
///
/// RocksDB: BaseDeltaIterator (Transaction::GetIterator)
pub struct TransactionRange {
    base: DBRange,
    /// Entries taken from the base's ends but not yet yielded.
    base_front: Option<Entry>,
    base_back: Option<Entry>,
    /// The transaction's updates in the range, in order: a value, or `None` for a delete.
    delta: VecDeque<(Vec<u8>, Option<Vec<u8>>)>,
    done: bool,
}

/// Which end an entry is taken from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Front,
    Back,
}

impl TransactionRange {
    /// Merges `updates` (the transaction's, any order) that fall in `start..end` and under `prefix` over `base`.
    pub(crate) fn new<'a>(
        base: DBRange,
        updates: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
        (start, end): (&Bound<Vec<u8>>, &Bound<Vec<u8>>),
        prefix: Option<&[u8]>,
    ) -> TransactionRange {
        let cmp = base.user_comparator();
        let in_range = |key: &[u8]| {
            let after_start = match start {
                Bound::Unbounded => true,
                Bound::Included(s) => cmp.compare(key, s) != Ordering::Less,
                Bound::Excluded(s) => cmp.compare(key, s) == Ordering::Greater,
            };
            let before_end = match end {
                Bound::Unbounded => true,
                Bound::Included(e) => cmp.compare(key, e) != Ordering::Greater,
                Bound::Excluded(e) => cmp.compare(key, e) == Ordering::Less,
            };
            after_start && before_end && prefix.is_none_or(|p| key.starts_with(p))
        };
        let mut delta: Vec<(Vec<u8>, Option<Vec<u8>>)> = updates
            .filter(|(key, _)| in_range(key))
            .map(|(key, value)| (key.to_vec(), value.map(<[u8]>::to_vec)))
            .collect();
        delta.sort_by(|a, b| cmp.compare(&a.0, &b.0));
        TransactionRange {
            base,
            base_front: None,
            base_back: None,
            delta: delta.into(),
            done: false,
        }
    }

    /// The next entry from `end`: the nearer of the base's and the delta's, the delta's when they are at the same
    /// key; a delete of the delta is passed over with the base entry it hides.
    fn take(&mut self, end: End) -> Option<Entry> {
        while !self.done {
            let (peeked, other) = match end {
                End::Front => (&mut self.base_front, &mut self.base_back),
                End::Back => (&mut self.base_back, &mut self.base_front),
            };
            if peeked.is_none() {
                let next = match end {
                    End::Front => self.base.next(),
                    End::Back => self.base.next_back(),
                };
                // The base's ends have met: the entry the other end peeked is this end's last.
                *peeked = next.or_else(|| other.take());
            }
            let delta = match end {
                End::Front => self.delta.front(),
                End::Back => self.delta.back(),
            };
            // Which comes first from this end: the base's entry (Less), the delta's (Greater), or both (Equal).
            let order = match (peeked.as_ref(), delta) {
                (None, None) => {
                    self.done = true;
                    return None;
                }
                (None, Some(_)) => Ordering::Greater,
                (Some(Ok((base_key, _))), Some((delta_key, _))) => {
                    let order = self.base.user_comparator().compare(base_key, delta_key);
                    if end == End::Front {
                        order
                    } else {
                        order.reverse()
                    }
                }
                // The base's entry alone, or the base's error (the last item).
                (Some(_), _) => Ordering::Less,
            };
            if order == Ordering::Less {
                let entry = peeked.take();
                self.done = matches!(entry, Some(Err(_)));
                return entry;
            }
            if order == Ordering::Equal {
                *peeked = None;
            }
            let (key, value) = match end {
                End::Front => self.delta.pop_front(),
                End::Back => self.delta.pop_back(),
            }
            .expect("the delta has an entry at this end");
            if let Some(value) = value {
                return Some(Ok((key, value)));
            }
        }
        None
    }
}

impl Iterator for TransactionRange {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        self.take(End::Front)
    }
}

impl DoubleEndedIterator for TransactionRange {
    fn next_back(&mut self) -> Option<Entry> {
        self.take(End::Back)
    }
}

impl std::iter::FusedIterator for TransactionRange {}

impl std::fmt::Debug for TransactionRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionRange")
            .field("base", &self.base)
            .field("delta_left", &self.delta.len())
            .field("done", &self.done)
            .finish()
    }
}
