//! The read path: `get`, the internal iterator a `DBIterator` walks, and the sequence number a read sees.
//!
//! The read path takes no mutex. A read that names no snapshot pins two things, in this order:
//! 1. the super version (mem, imm and the current version, one `Arc`, `super_version.rs`), and only then
//! 2. its sequence number S, the latest published (`last_sequence`).
//!
//! Why this order. Everything it reads at S is in what it pinned, unchanged:
//! - a compaction drops `k@s` only when a newer `k@t` in its own input hides it and `t <= smallest_snapshot`,
//!   the last sequence when that compaction started. The version the read pinned was installed before the read
//!   loaded S, so any compaction that made it started before that too: `t <= S`, and the read sees `k@t` (or a
//!   newer `k`) where `k@s` was. A compaction that ends after the pin installs a new version; the pinned one,
//!   and its files, stay as they were until the read lets go.
//! - every write acknowledged before the read began is in the pinned super version: its memtable was installed
//!   before the write went into it, and a flush installs the table and drops the memtable in one super version.
//! - writes in a memtable installed after the pin may be counted in S but are not in the pinned one: they all
//!   have larger sequence numbers than anything pinned (the memtable is switched between groups, never within
//!   one), so the read sees exactly the writes up to some S' <= S, a prefix, as a snapshot at S' would.
//!
//! The other order (S first, the super version after it) lets a flush and a compaction run in between with
//! `smallest_snapshot > S`: they drop the `k@s <= S` that a newer `k@S+1` hides and install a new version, in
//! which the read finds neither (`k@S+1` is above its sequence): it misses an acknowledged write, or finds an
//! older value in a deeper level. `tests/history_test.rs` checks every read against that, and shows it catches
//! the other order (`DB::test_set_stale_read_order`), and that the right one holds however long a read waits
//! before it pins its super version (`DB::test_set_read_pause`: a revert of this order fails that test).
//!
//! LevelDB: DBImpl::Get, DBImpl::NewInternalIterator, DBImpl::RecordReadSample (db/db_impl.cc)

use std::sync::atomic::Ordering as AtomicOrdering;
use std::sync::Arc;

use super::DBImpl;
use crate::db::db_iter::IterState;
use crate::db::dbformat::{config, LookupKey, SequenceNumber};
use crate::db::event_listener as events;
use crate::db::memtable::MemTableGet;
use crate::db::version_set::GetStats;
use crate::error::{Error, Result};
use crate::options::ReadOptions;
use crate::table::iterator::Iterator;
use crate::table::merger::new_merging_iterator;
use crate::util::comparator::Comparator;

impl DBImpl {
    /// Reads `key` without the database mutex: mem, imm and the version from the thread's cached super version,
    /// and then the sequence number from `last_sequence`. The mutex is taken only when the read used up a
    /// file's allowed seeks, to schedule its compaction.
    ///
    /// LevelDB: DBImpl::Get
    pub(super) fn get(&self, options: &ReadOptions, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let explicit = self.snapshot_sequence(options)?;
        let stale = self.test_stale_sequence();
        let listening = self.options.event_listener.is_some();
        let start = events::step_start(listening);
        let mut from_memtables = true;
        // The probes are gathered only for a listener (`None` otherwise: nothing allocated, one branch per file).
        let mut stats = GetStats {
            seek_file: None,
            probes: if listening { Some(Vec::new()) } else { None },
        };
        let mut snapshot = 0;
        let (result, compaction_wanted) = self
            .super_versions
            .with_current(|sv| {
                // The super version is pinned: only now the sequence (see the read path's invariant above).
                snapshot = explicit.unwrap_or_else(|| self.latest_sequence(stale));
                // First look in the memtable, then in the immutable memtable (if any).
                let lkey = LookupKey::new(key, snapshot);
                let found = match sv.mem.get(&lkey) {
                    MemTableGet::NotPresent => sv
                        .imm
                        .as_ref()
                        .map_or(MemTableGet::NotPresent, |imm| imm.get(&lkey)),
                    found => found,
                };
                match found {
                    MemTableGet::Found(value) => (Ok(Some(value)), false),
                    MemTableGet::Deleted => (Ok(None), false),
                    MemTableGet::NotPresent => {
                        from_memtables = false;
                        let result = sv.current.get(options, &lkey, &mut stats);
                        (result, sv.current.update_stats(&stats))
                    }
                }
            })
            .expect("an open database has a super version");
        self.listen(|li| {
            li.on_get(&events::GetDone {
                key: key.to_vec(),
                snapshot,
                from_memtables,
                value_length: result.as_ref().ok().and_then(|v| v.as_ref().map(Vec::len)),
                probes: stats.probes.take().unwrap_or_default(),
                charged: stats.seek_file.as_ref().map(|(f, level)| events::SeekCharge {
                    level: *level,
                    file_number: f.number,
                    allowed_seeks_left: f.allowed_seeks.load(AtomicOrdering::Relaxed),
                    compaction_wanted,
                }),
                duration: events::step_duration(start),
                error: result.as_ref().err().map(|e| e.to_string()),
            })
        });
        if compaction_wanted {
            self.maybe_schedule_compaction(&mut self.lock());
        }
        result
    }

    /// A merging iterator over the memtables and the current version's tables, with the state it must keep
    /// alive, the latest sequence number and a seed for read sampling.
    ///
    /// LevelDB: DBImpl::NewInternalIterator
    pub(super) fn new_internal_iterator(&self, options: &ReadOptions) -> (IterState, SequenceNumber, u32) {
        let stale = self.test_stale_sequence();
        // The super version first, the sequence after it: see the read path's invariant above.
        let sv = self
            .super_versions
            .with_current(Arc::clone)
            .expect("an open database has a super version");
        let latest_snapshot = self.latest_sequence(stale);
        let state = IterState::borrowing(sv, |sv| {
            // Collect together all needed child iterators.
            // Room for mem, imm, the level-0 tables and a concatenating iterator per other level.
            let mut list: Vec<Box<dyn Iterator>> =
                Vec::with_capacity(2 + sv.current.files(0).len() + config::NUM_LEVELS - 1);
            list.push(Box::new(sv.mem.borrowed_iterator()));
            if let Some(imm) = &sv.imm {
                list.push(Box::new(imm.borrowed_iterator()));
            }
            sv.current.add_iterators(options, &mut list);
            let comparator: &dyn Comparator = sv.current.icmp();
            new_merging_iterator(comparator, list)
        });
        let seed = self
            .seed
            .fetch_add(1, AtomicOrdering::Relaxed)
            .wrapping_add(1);
        (state, latest_snapshot, seed)
    }

    /// The sequence number of the snapshot a read with `options` names; `None` when it names none (it then reads
    /// at the latest sequence, [`DBImpl::latest_sequence`]). A snapshot of another database is refused.
    pub(super) fn snapshot_sequence(&self, options: &ReadOptions) -> Result<Option<SequenceNumber>> {
        match &options.snapshot {
            None => Ok(None),
            Some(snapshot) if snapshot.belongs_to(&self.snapshots) => {
                Ok(Some(snapshot.sequence_number()))
            }
            Some(_) => Err(Error::invalid_argument(
                "snapshot was taken from another database",
                self.dbname.to_string_lossy(),
            )),
        }
    }

    /// The latest sequence number, for a read that has pinned its super version (the read path's invariant:
    /// never before). `stale` is what [`DBImpl::test_stale_sequence`] returned.
    fn latest_sequence(&self, stale: Option<SequenceNumber>) -> SequenceNumber {
        stale.unwrap_or_else(|| self.last_sequence.load(AtomicOrdering::SeqCst))
    }

    /// After `DB::test_set_stale_read_order(true)`: the latest sequence number, loaded BEFORE the read pins its
    /// super version: the read order this module's invariant forbids, so that a test can show the concurrent
    /// history checker catches it (with `DB::test_set_read_pause`, flushes and compactions run in between).
    #[cfg(feature = "internals")]
    fn test_stale_sequence(&self) -> Option<SequenceNumber> {
        self.stale_read_order
            .load(AtomicOrdering::Relaxed)
            .then(|| self.last_sequence.load(AtomicOrdering::SeqCst))
    }

    /// Without the test hooks, reads always follow the invariant.
    #[cfg(not(feature = "internals"))]
    #[inline(always)]
    fn test_stale_sequence(&self) -> Option<SequenceNumber> {
        None
    }

    /// Records a sample of bytes read at the specified internal key: may schedule a compaction.
    ///
    /// LevelDB: DBImpl::RecordReadSample
    pub(crate) fn record_read_sample(&self, key: &[u8]) {
        let mut l = self.lock();
        if l.versions.current().record_read_sample(key) {
            self.maybe_schedule_compaction(&mut l);
        }
    }
}
