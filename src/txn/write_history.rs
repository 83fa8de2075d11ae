//! The write-conflict check's memory: after which sequence number each key was last written, for as long as a
//! transaction snapshot might ask.
//!
//! RocksDB answers "was this key written after sequence S?" by reading the newest sequence number of the key in
//! its memtables (`DBImpl::GetLatestSequenceForKey`). LevelDB's public API has no such read, and comparing the
//! value at the snapshot with the latest value would miss a write that put back the same value. The
//! `TransactionDB`, though, sees every write: all of them go through it and take the key's lock. So it remembers
//! them itself:
//!
//! - A transaction's snapshot is registered here when it is taken ([`WriteHistory::take_snapshot`]) and
//!   unregistered when dropped.
//! - After a write is applied, and before its keys' locks are released, [`WriteHistory::record_writes`] stores
//!   for each key a sequence number `L` at least that of the write: the database's last sequence, read after the
//!   write returned.
//! - A transaction with snapshot `S` that locks a key asks [`WriteHistory::written_after`]`(key, S)`: `L > S`
//!   refuses the lock (`Busy`).
//!
//! Exactly what is detected: every write to the key through this `TransactionDB` whose sequence number is above
//! `S` — whatever value it wrote, the same as before or not, a put or a delete — is reported. As `L` may exceed
//! the write's own sequence when other writes land between it and the read of `L`, a write that committed while
//! the snapshot was being taken may also be reported (a spurious `Busy`, never a missed conflict). Writes made
//! before the `TransactionDB` was opened are older than every snapshot and need no record.
//!
//! What is kept: nothing while no transaction holds a snapshot (a snapshot taken later is newer than every write
//! already applied). Otherwise one entry per key written, pruned down to the writes after the oldest live
//! snapshot when the map has doubled, and emptied when the last snapshot goes.
//!
//! Why a missing entry means "not written after `S`": an entry is dropped only if its `L` is at or below the
//! oldest live snapshot (so at or below `S`), and a write is not recorded only when no snapshot was live after it
//! had been applied — and snapshots are registered under this mutex, so one registered later is newer than it.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::key_hasher::KeyMap;
use crate::db::dbformat::SequenceNumber;
use crate::{Snapshot, DB};

/// The fewest entries at which the map is pruned.
const MIN_PRUNE_SIZE: usize = 1024;

#[derive(Default)]
struct HistoryState {
    /// The sequence numbers of the live transaction snapshots, with how many hold each.
    snapshots: BTreeMap<SequenceNumber, usize>,
    /// For each key written while a snapshot was live: a sequence number at or after its last write.
    last_write: KeyMap<SequenceNumber>,
    /// Prune `last_write` when it grows past this.
    prune_at: usize,
}

/// The write history of one `TransactionDB` (see the module comment).
#[derive(Default)]
pub(crate) struct WriteHistory {
    state: Mutex<HistoryState>,
}

impl WriteHistory {
    fn state(&self) -> MutexGuard<'_, HistoryState> {
        // Every update is complete between statements: a poisoned mutex holds a consistent history.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a snapshot of `db` for a transaction, registered so that the writes after it are remembered.
    pub(crate) fn take_snapshot<'a>(&'a self, db: &DB) -> TransactionSnapshot<'a> {
        let mut state = self.state();
        // Taken under the mutex: a write that finds no snapshot registered (and records nothing) was applied
        // before this snapshot, so the snapshot sees it.
        let snapshot = db.get_snapshot();
        *state
            .snapshots
            .entry(snapshot.sequence_number())
            .or_insert(0) += 1;
        TransactionSnapshot {
            snapshot,
            history: self,
        }
    }

    fn release(&self, sequence: SequenceNumber) {
        let mut state = self.state();
        if let Some(count) = state.snapshots.get_mut(&sequence) {
            *count -= 1;
            if *count == 0 {
                state.snapshots.remove(&sequence);
            }
        }
        if state.snapshots.is_empty() {
            state.last_write = KeyMap::default();
            state.prune_at = 0;
        }
    }

    /// Records that `keys` were just written to `db` (the write has returned; their locks are still held).
    pub(crate) fn record_writes<'k>(&self, db: &DB, keys: impl IntoIterator<Item = &'k [u8]>) {
        if self.state().snapshots.is_empty() {
            return;
        }
        // At or after the write's sequence number, since the write has been applied. Read outside the mutex, so
        // that committers do not queue on it behind the database's mutex.
        let written_at = db.get_snapshot().sequence_number();
        let mut state = self.state();
        if state.snapshots.is_empty() {
            return;
        }
        for key in keys {
            match state.last_write.get_mut(key) {
                Some(sequence) => *sequence = (*sequence).max(written_at),
                None => {
                    state.last_write.insert(key.to_vec(), written_at);
                }
            }
        }
        if state.last_write.len() > state.prune_at.max(MIN_PRUNE_SIZE) {
            let oldest = *state.snapshots.keys().next().expect("a live snapshot");
            state
                .last_write
                .retain(|_, &mut sequence| sequence > oldest);
            state.prune_at = 2 * state.last_write.len();
        }
    }

    /// True if `key` may have been written after sequence `sequence` (the sequence of a live snapshot).
    ///
    /// RocksDB: TransactionUtil::CheckKeyForConflicts (the question it asks of the memtables)
    pub(crate) fn written_after(&self, key: &[u8], sequence: SequenceNumber) -> bool {
        self.state()
            .last_write
            .get(key)
            .is_some_and(|&written_at| written_at > sequence)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state().last_write.len()
    }
}

/// A database snapshot held by a transaction, registered with the write history. Clones register again; each
/// unregisters when dropped.
pub(crate) struct TransactionSnapshot<'a> {
    snapshot: Snapshot,
    history: &'a WriteHistory,
}

impl TransactionSnapshot<'_> {
    pub(crate) fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub(crate) fn sequence_number(&self) -> SequenceNumber {
        self.snapshot.sequence_number()
    }
}

impl Clone for TransactionSnapshot<'_> {
    fn clone(&self) -> Self {
        *self
            .history
            .state()
            .snapshots
            .entry(self.sequence_number())
            .or_insert(0) += 1;
        TransactionSnapshot {
            snapshot: self.snapshot.clone(),
            history: self.history,
        }
    }
}

impl Drop for TransactionSnapshot<'_> {
    fn drop(&mut self) {
        self.history.release(self.sequence_number());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn open() -> (tempfile::TempDir, DB) {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            create_if_missing: true,
            ..Options::default()
        };
        let db = DB::open(options, dir.path()).unwrap();
        (dir, db)
    }

    fn write(history: &WriteHistory, db: &DB, key: &[u8], value: &[u8]) {
        db.put(key, value).unwrap();
        history.record_writes(db, [key]);
    }

    #[test]
    fn writes_after_a_snapshot_are_seen_even_when_they_restore_the_value() {
        let (_dir, db) = open();
        let history = WriteHistory::default();
        write(&history, &db, b"k", b"v");
        assert_eq!(history.len(), 0, "nothing kept without a snapshot");
        let snapshot = history.take_snapshot(&db);
        let s = snapshot.sequence_number();
        assert!(
            !history.written_after(b"k", s),
            "written before the snapshot"
        );
        // The same value again: a write all the same.
        write(&history, &db, b"k", b"v");
        assert!(history.written_after(b"k", s));
        assert!(!history.written_after(b"other", s));
        // A newer snapshot does not see the write as a conflict.
        let newer = history.take_snapshot(&db);
        assert!(!history.written_after(b"k", newer.sequence_number()));
        drop(snapshot);
        drop(newer);
        assert_eq!(history.len(), 0, "emptied with the last snapshot");
    }

    #[test]
    fn pruning_keeps_what_the_oldest_snapshot_needs() {
        let (_dir, db) = open();
        let history = WriteHistory::default();
        let old = history.take_snapshot(&db);
        write(&history, &db, b"early", b"1");
        let clone = old.clone();
        drop(old);
        for i in 0..2 * MIN_PRUNE_SIZE {
            write(&history, &db, format!("key{i}").as_bytes(), b"x");
        }
        // The clone keeps the old snapshot registered: every write after it is still known.
        assert!(history.written_after(b"early", clone.sequence_number()));
        assert_eq!(history.len(), 1 + 2 * MIN_PRUNE_SIZE);

        let young = history.take_snapshot(&db);
        drop(clone);
        for i in 0..2 * MIN_PRUNE_SIZE {
            write(&history, &db, format!("more{i}").as_bytes(), b"x");
        }
        // The young snapshot is now the oldest: the writes before it were pruned, the ones after it kept.
        assert_eq!(history.len(), 2 * MIN_PRUNE_SIZE);
        assert!(!history.written_after(b"early", young.sequence_number()));
        assert!(!history.written_after(b"key0", young.sequence_number()));
        assert!(history.written_after(b"more0", young.sequence_number()));
    }
}
