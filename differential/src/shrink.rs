//! Shrinking: a diverging log reduced to a small one that still diverges, by delta debugging (Zeller and
//! Hildebrandt's ddmin) over the operations, then over the lengths of every key and value.
//!
//! Invariant: every log the shrinker keeps still diverges (it asks the predicate of each candidate), and logs
//! that cannot run (`OpLog::check` fails: a read at a snapshot whose `snapshot` line was removed) count as not
//! diverging. The result is 1-minimal over operations: removing any single operation loses the divergence.

use crate::engine::Engine;
use crate::oplog::OpLog;
use std::path::Path;

use crate::runner::run_in;

/// Shrinks `log`, for which `diverges` is true, and returns the smallest diverging log found.
pub fn shrink(log: &OpLog, diverges: &mut dyn FnMut(&OpLog) -> bool) -> OpLog {
    let mut test = |candidate: &OpLog| candidate.check().is_ok() && diverges(candidate);
    let mut best = log.clone();
    // ddmin over the operations: try removing one of n chunks, refining n until single operations.
    let mut n = 2;
    while best.ops.len() >= 2 {
        let len = best.ops.len();
        let chunk = len.div_ceil(n);
        let mut reduced = false;
        for start in (0..len).step_by(chunk) {
            let mut candidate = best.clone();
            candidate.ops.drain(start..(start + chunk).min(len));
            if test(&candidate) {
                best = candidate;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= len {
                break;
            }
            n = (2 * n).min(len);
        }
    }
    if best.ops.len() == 1 {
        let mut empty = best.clone();
        empty.ops.clear();
        if test(&empty) {
            best = empty;
        }
    }
    // Then every key and value as short as it can be: 0 first, else a binary search.
    for i in 0..best.ops.len() {
        let strings = best.ops[i].byte_strings_mut().len();
        for j in 0..strings {
            let len = best.ops[i].byte_strings_mut()[j].len();
            let mut with_len = |best: &OpLog, new_len: usize| {
                let mut candidate = best.clone();
                let bytes = &mut *candidate.ops[i].byte_strings_mut()[j];
                *bytes = bytes.with_len(new_len);
                test(&candidate).then_some(candidate)
            };
            if len == 0 {
                continue;
            }
            if let Some(candidate) = with_len(&best, 0) {
                best = candidate;
                continue;
            }
            // A binary search between a length that does not diverge and one that does.
            let (mut lo, mut hi) = (0, len);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                match with_len(&best, mid) {
                    Some(candidate) => {
                        best = candidate;
                        hi = mid;
                    }
                    None => lo = mid,
                }
            }
        }
    }
    best
}

/// Shrinks a log that diverges between the engines `make_left()` and `make_right()` make (fresh ones for each
/// try), running each try in databases under `parent`.
pub fn shrink_divergence(
    parent: &Path,
    log: &OpLog,
    make_left: &dyn Fn() -> Box<dyn Engine>,
    make_right: &dyn Fn() -> Box<dyn Engine>,
) -> OpLog {
    shrink(log, &mut |candidate| {
        let (mut left, mut right) = (make_left(), make_right());
        run_in(parent, candidate, &mut *left, &mut *right)
            .is_ok_and(|outcome| outcome.divergence.is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::Bytes;
    use crate::oplog::Op;

    #[test]
    fn ddmin_finds_the_two_operations_that_matter_and_cuts_the_value() {
        // "Diverges" when a put of key "b" with a value of at least 3 bytes comes after a delete of "a".
        let mut log = OpLog::default();
        for i in 0..40 {
            log.put(format!("k{i}"), "v");
        }
        log.delete("a");
        for i in 0..30 {
            log.get(format!("k{i}"));
        }
        log.push(Op::Put(
            Bytes::literal("b"),
            Bytes::Random { len: 5000, seed: 1 },
        ));
        log.scan();
        let mut tries = 0;
        let shrunk = shrink(&log, &mut |l| {
            tries += 1;
            let deleted = l
                .ops
                .iter()
                .position(|op| *op == Op::Delete(Bytes::literal("a")));
            l.ops.iter().enumerate().any(|(i, op)| {
                matches!(op, Op::Put(k, v) if k.bytes() == b"b" && v.len() >= 3)
                    && deleted.is_some_and(|d| d < i)
            })
        });
        assert_eq!(
            shrunk.ops,
            vec![
                Op::Delete(Bytes::literal("a")),
                Op::Put(Bytes::literal("b"), Bytes::Random { len: 3, seed: 1 })
            ]
        );
        assert!(tries < 200, "{tries} tries");
    }
}
