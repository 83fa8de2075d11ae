//! Snapshots: a read view of the database as of one sequence number.
//!
//! A [`Snapshot`] is a handle on a sequence number that the database promises to keep readable: compactions keep
//! every entry a live snapshot can see (see `DBImpl::do_compaction_work`). The database keeps the sequence numbers
//! of its live snapshots in a [`SnapshotList`]; the oldest one bounds what compactions may drop. A snapshot removes
//! itself from the list when its last handle is dropped (LevelDB's `ReleaseSnapshot`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::db::dbformat::SequenceNumber;

/// The sequence numbers of the live snapshots, with how many snapshots hold each.
///
/// LevelDB: SnapshotList
#[derive(Default)]
pub struct SnapshotList {
    live: Mutex<BTreeMap<SequenceNumber, usize>>,
}

impl SnapshotList {
    pub fn new() -> Arc<SnapshotList> {
        Arc::new(SnapshotList::default())
    }

    fn live(&self) -> MutexGuard<'_, BTreeMap<SequenceNumber, usize>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// LevelDB: SnapshotList::empty
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn is_empty(&self) -> bool {
        self.live().is_empty()
    }

    /// The sequence number of the oldest live snapshot.
    ///
    /// LevelDB: SnapshotList::oldest
    pub fn oldest(&self) -> Option<SequenceNumber> {
        self.live().keys().next().copied()
    }

    /// The sequence number of the newest live snapshot.
    ///
    /// LevelDB: SnapshotList::newest
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn newest(&self) -> Option<SequenceNumber> {
        self.live().keys().next_back().copied()
    }

    /// Registers a snapshot at `sequence_number`; it is released when the returned handle (and its clones) drop.
    ///
    /// LevelDB: SnapshotList::New
    pub fn new_snapshot(self: &Arc<Self>, sequence_number: SequenceNumber) -> Snapshot {
        *self.live().entry(sequence_number).or_insert(0) += 1;
        Snapshot(Arc::new(SnapshotImpl {
            sequence_number,
            list: self.clone(),
        }))
    }

    /// LevelDB: SnapshotList::Delete
    fn delete(&self, sequence_number: SequenceNumber) {
        let mut live = self.live();
        if let Some(count) = live.get_mut(&sequence_number) {
            *count -= 1;
            if *count == 0 {
                live.remove(&sequence_number);
            }
        }
    }
}

/// LevelDB: SnapshotImpl
struct SnapshotImpl {
    sequence_number: SequenceNumber,
    list: Arc<SnapshotList>,
}

impl Drop for SnapshotImpl {
    fn drop(&mut self) {
        self.list.delete(self.sequence_number);
    }
}

/// A consistent read view of a database. Clones share one registration; the view is released when the last
/// clone is dropped.
///
/// LevelDB: Snapshot (DB::GetSnapshot / DB::ReleaseSnapshot)
#[derive(Clone)]
pub struct Snapshot(Arc<SnapshotImpl>);

impl Snapshot {
    /// LevelDB: SnapshotImpl::sequence_number
    pub fn sequence_number(&self) -> SequenceNumber {
        self.0.sequence_number
    }

    /// Whether the snapshot was taken from the database whose live snapshots are `list`. A sequence number means
    /// nothing to another database, and its compactions would not keep what the snapshot sees.
    pub(crate) fn belongs_to(&self, list: &Arc<SnapshotList>) -> bool {
        Arc::ptr_eq(&self.0.list, list)
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Snapshot({})", self.sequence_number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_and_newest_follow_live_snapshots() {
        let list = SnapshotList::new();
        assert!(list.is_empty());
        let s1 = list.new_snapshot(10);
        let s2 = list.new_snapshot(20);
        let s2b = list.new_snapshot(20);
        let s1_clone = s1.clone();
        assert_eq!((list.oldest(), list.newest()), (Some(10), Some(20)));
        drop(s1);
        assert_eq!(list.oldest(), Some(10), "a clone keeps the snapshot alive");
        drop(s1_clone);
        assert_eq!(list.oldest(), Some(20));
        drop(s2);
        assert_eq!(
            list.oldest(),
            Some(20),
            "another snapshot at the same sequence remains"
        );
        assert_eq!(s2b.sequence_number(), 20);
        drop(s2b);
        assert!(list.is_empty());
        assert_eq!(list.oldest(), None);
    }
}
