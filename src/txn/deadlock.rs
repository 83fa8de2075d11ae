//! Deadlock detection over the wait-for graph.
//!
//! A transaction that is about to wait for a lock records an edge to each transaction holding it ("I wait for
//! them"), and then looks for a path from those holders back to itself. Such a path is a cycle of waiters none of
//! whom can ever proceed: the transaction that would close it is refused (`Busy`, sub-code `Deadlock`) instead of
//! waiting, and the others go on once it gives its locks back.
//!
//! Invariant: `wait_txn_map` holds an entry exactly for the transactions that detect deadlocks and are waiting
//! right now (from the check before a wait until the wait ends), and `rev_wait_txn_map[t]` counts the edges
//! pointing at `t`. Only transactions with `deadlock_detect` take part, as in RocksDB: a cycle through a
//! transaction that does not detect deadlocks is left to the lock timeout.
//!
//! The search is breadth first and bounded: it looks at no more than `deadlock_detect_depth` transactions, and a
//! chain of waiters longer than that is taken for a deadlock (the cost of waiting on a very long chain is about
//! the same as that of retrying).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::TransactionID;

/// The wait-for graph: who waits for whom.
#[derive(Default)]
struct WaitForGraph {
    /// Each waiting transaction and the transactions it waits for.
    wait_txn_map: HashMap<TransactionID, Vec<TransactionID>>,
    /// For each transaction, how many waiting transactions wait for it.
    rev_wait_txn_map: HashMap<TransactionID, usize>,
}

impl WaitForGraph {
    /// RocksDB: PointLockManager::DecrementWaitersImpl
    fn decrement_waiters(&mut self, id: TransactionID) {
        let Some(wait_ids) = self.wait_txn_map.remove(&id) else {
            return;
        };
        for wait_id in wait_ids {
            if let Some(count) = self.rev_wait_txn_map.get_mut(&wait_id) {
                *count -= 1;
                if *count == 0 {
                    self.rev_wait_txn_map.remove(&wait_id);
                }
            }
        }
    }
}

/// The wait-for graph of one `TransactionDB`, behind its own mutex (taken while a stripe's mutex is held, never
/// the other way round).
///
/// RocksDB: PointLockManager's wait_txn_map_, rev_wait_txn_map_ and wait_txn_map_mutex_
#[derive(Default)]
pub(crate) struct DeadlockDetector {
    graph: Mutex<WaitForGraph>,
}

impl DeadlockDetector {
    fn graph(&self) -> MutexGuard<'_, WaitForGraph> {
        // The graph is consistent between statements: a panic elsewhere leaves nothing half done.
        self.graph.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `id` is about to wait for `wait_ids`, and looks for a cycle through `id` among at most
    /// `depth` transactions. On a deadlock the edges are taken back and `None` is returned; otherwise the returned
    /// registration takes them back when dropped (after the wait, or on unwinding).
    ///
    /// RocksDB: PointLockManager::IncrementWaiters
    pub(crate) fn increment_waiters(
        &self,
        id: TransactionID,
        wait_ids: &[TransactionID],
        depth: i64,
    ) -> Option<WaitRegistration<'_>> {
        let mut graph = self.graph();
        graph.wait_txn_map.insert(id, wait_ids.to_vec());
        for &wait_id in wait_ids {
            *graph.rev_wait_txn_map.entry(wait_id).or_insert(0) += 1;
        }
        let registration = WaitRegistration { detector: self, id };
        // Nobody waits for `id`: no cycle can pass through it.
        if !graph.rev_wait_txn_map.contains_key(&id) {
            return Some(registration);
        }

        let depth = depth.max(0) as usize;
        let mut queue: Vec<TransactionID> = Vec::with_capacity(depth);
        queue.extend(wait_ids.iter().take(depth));
        for head in 0..depth {
            let Some(&next) = queue.get(head) else {
                // Every path ends at a transaction that is not waiting: no deadlock.
                return Some(registration);
            };
            if next == id {
                drop(graph);
                drop(registration);
                return None;
            }
            if let Some(neighbors) = graph.wait_txn_map.get(&next) {
                let room = depth - queue.len();
                queue.extend(neighbors.iter().take(room));
            }
        }
        // The chain of waiters is longer than the search may follow: assume a deadlock.
        drop(graph);
        drop(registration);
        None
    }
}

/// The edges of one waiting transaction in the wait-for graph; dropping it takes them out.
pub(crate) struct WaitRegistration<'a> {
    detector: &'a DeadlockDetector,
    id: TransactionID,
}

impl Drop for WaitRegistration<'_> {
    /// RocksDB: PointLockManager::DecrementWaiters
    fn drop(&mut self) {
        self.detector.graph().decrement_waiters(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_is_found_and_taken_back() {
        let detector = DeadlockDetector::default();
        let one_waits_for_two = detector.increment_waiters(1, &[2], 50);
        assert!(one_waits_for_two.is_some(), "nobody waits for 1 yet");
        assert!(
            detector.increment_waiters(2, &[1], 50).is_none(),
            "2 waiting for 1 closes the cycle"
        );
        // 2's edges were taken back: 3 waiting for 2 closes nothing.
        let three = detector.increment_waiters(3, &[2], 50);
        assert!(three.is_some());
        drop(one_waits_for_two);
        drop(three);
        let graph = detector.graph();
        assert!(graph.wait_txn_map.is_empty() && graph.rev_wait_txn_map.is_empty());
    }

    #[test]
    fn longer_cycles_and_the_depth_bound() {
        let detector = DeadlockDetector::default();
        // 1 -> 2 -> 3 -> 4, then 4 -> 1 closes a cycle of four.
        let _a = detector.increment_waiters(1, &[2], 50).unwrap();
        let _b = detector.increment_waiters(2, &[3], 50).unwrap();
        let _c = detector.increment_waiters(3, &[4], 50).unwrap();
        assert!(detector.increment_waiters(4, &[1], 50).is_none());
        // With a search of two transactions, 4 -> 5 where 5 is waited for by nobody is fine, but 4 -> 1 is a
        // chain too long to follow, taken for a deadlock.
        assert!(detector.increment_waiters(4, &[5], 2).is_some());
        assert!(detector.increment_waiters(4, &[1], 2).is_none());
        // A waiter nobody waits for never deadlocks, whatever the depth.
        assert!(detector.increment_waiters(9, &[1], 0).is_some());
    }

    #[test]
    fn shared_holders_are_all_followed() {
        let detector = DeadlockDetector::default();
        // 1 waits for the shared lock of 2 and 3; 3 waits for 4.
        let _a = detector.increment_waiters(1, &[2, 3], 50).unwrap();
        let _b = detector.increment_waiters(3, &[4], 50).unwrap();
        // 4 waiting for 1 closes 1 -> 3 -> 4 -> 1.
        assert!(detector.increment_waiters(4, &[1], 50).is_none());
        // 2 is not waiting: 4 waiting for 2 is fine.
        assert!(detector.increment_waiters(4, &[2], 50).is_some());
    }
}
