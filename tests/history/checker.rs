//! The checker: is a recorded concurrent history one that a correct database could have produced?
//!
//! The promise checked (DESIGN.md, "The read path"): a read that names no snapshot returns the database as it was
//! after every write with a sequence number up to some S, where
//! - S is at least the sequence of every write acknowledged before the read was invoked (real time: a write
//!   whose response came before the read's invocation), and
//! - S is at most the last sequence at the read's response: no write invoked after the read returned is seen.
//!
//! A read through a snapshot returns the database after exactly the writes up to the snapshot's sequence, and
//! the snapshot's sequence itself obeys the two bounds of the `get_snapshot` call. A thread's reads never go back
//! in time: the S of each is at least the S of the one before. Since a read sees a prefix of the writes, a scan
//! sees all of a batch or none of it.
//!
//! How: the writes are ordered by their sequence numbers (each batch carries a journal key of its own, whose
//! sequence the workload finds after the run), so "the database after the first P writes" is known for every P.
//! A read's result is turned into the set of P that explain it (per key, the runs of P where the key had the
//! value read; intersected over the keys a scan covered), cut to the read's bounds. An empty set is a violation.
//! Instants are ticks of one counter that every thread increments (sequentially consistent), so "before" is the
//! real-time order of the calls.
//!
//! Wing and Gong's linearizability check, narrowed by the sequence numbers the database assigns: no search over
//! orders is needed, and the check is linear in the history.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// A write: one batch of one thread.
pub type WriteId = (usize, u64);

/// A recorded write.
#[derive(Clone, Debug)]
pub struct WriteRecord {
    pub id: WriteId,
    pub invoke: u64,
    /// `None`: it failed or has not returned; it may or may not be in the database.
    pub response: Option<u64>,
    /// The keys it changes, each put (`true`) or deleted (`false`); a put's value names the write and the key.
    /// The batch holds these after its journal key, so it takes `ops.len() + 1` sequence numbers.
    pub ops: Vec<(usize, bool)>,
}

/// What a read covered and what it found there: for each key of its range, the write whose value it read
/// (`None`: the key was absent).
pub type Observation = BTreeMap<usize, Option<WriteId>>;

/// How a read chose its sequence number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadAt {
    /// The latest: the read's S lies between its bounds.
    Latest,
    /// Through the snapshot of this index in [`History::snapshots`].
    Snapshot(usize),
}

/// A recorded read: a point read, or a scan forwards or backwards over a range of keys.
#[derive(Clone, Debug)]
pub struct ReadRecord {
    pub thread: usize,
    pub invoke: u64,
    pub response: u64,
    pub at: ReadAt,
    /// "get k3", "scan k2..k9 backwards", ...: for the report.
    pub what: String,
    pub observed: Observation,
}

/// A recorded `get_snapshot`: its sequence number, and the instants of the call.
#[derive(Clone, Debug)]
pub struct SnapshotRecord {
    pub thread: usize,
    pub invoke: u64,
    pub response: u64,
    pub sequence: u64,
}

/// Everything the threads did, and the sequence number of each write that reached the database.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub writes: Vec<WriteRecord>,
    /// Every thread's reads, each thread's in program order.
    pub reads: Vec<ReadRecord>,
    pub snapshots: Vec<SnapshotRecord>,
    /// The first sequence number of every write found in the database (by its journal key).
    pub sequences: HashMap<WriteId, u64>,
}

/// A set of prefix lengths P (the database after the first P writes), as sorted, disjoint, half-open ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Prefixes(Vec<(usize, usize)>);

impl Prefixes {
    fn range(lo: usize, hi: usize) -> Prefixes {
        Prefixes(if lo < hi { vec![(lo, hi)] } else { Vec::new() })
    }

    fn intersect(&self, other: &Prefixes) -> Prefixes {
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < self.0.len() && j < other.0.len() {
            let (a, b) = (self.0[i], other.0[j]);
            let (lo, hi) = (a.0.max(b.0), a.1.min(b.1));
            if lo < hi {
                out.push((lo, hi));
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Prefixes(out)
    }

    /// The smallest P in the set that is at least `p`.
    fn first_at_least(&self, p: usize) -> Option<usize> {
        self.0.iter().find(|r| r.1 > p).map(|r| r.0.max(p))
    }
}

/// The writes in sequence order, and what each key held after each prefix of them.
struct Timeline<'h> {
    history: &'h History,
    /// Indices into `history.writes`, by sequence number.
    order: Vec<usize>,
    /// For each key, the positions (in `order`) of the writes that changed it, and what they wrote.
    per_key: HashMap<usize, Vec<(usize, Option<WriteId>)>>,
    /// `acked_before[i]`: (response tick, 1 + the largest position acknowledged by then), by tick.
    acked_before: Vec<(u64, usize)>,
    /// `invoked_prefix[p]`: the latest invocation among the first p writes.
    invoked_prefix: Vec<u64>,
}

impl<'h> Timeline<'h> {
    fn new(history: &'h History) -> Result<Timeline<'h>, String> {
        let mut order: Vec<usize> = (0..history.writes.len())
            .filter(|&i| history.sequences.contains_key(&history.writes[i].id))
            .collect();
        order.sort_by_key(|&i| history.sequences[&history.writes[i].id]);
        let mut per_key: HashMap<usize, Vec<(usize, Option<WriteId>)>> = HashMap::new();
        for (position, &i) in order.iter().enumerate() {
            let w = &history.writes[i];
            for &(key, put) in &w.ops {
                per_key
                    .entry(key)
                    .or_default()
                    .push((position, put.then_some(w.id)));
            }
        }
        let mut acked: Vec<(u64, usize)> = order
            .iter()
            .enumerate()
            .filter_map(|(position, &i)| history.writes[i].response.map(|r| (r, position + 1)))
            .collect();
        acked.sort_unstable();
        let mut most = 0;
        for entry in &mut acked {
            most = most.max(entry.1);
            entry.1 = most;
        }
        let mut invoked_prefix = vec![0];
        for &i in &order {
            let latest = (*invoked_prefix.last().unwrap()).max(history.writes[i].invoke);
            invoked_prefix.push(latest);
        }
        let timeline = Timeline {
            history,
            order,
            per_key,
            acked_before: acked,
            invoked_prefix,
        };
        timeline.check_writes()?;
        Ok(timeline)
    }

    fn writes(&self) -> usize {
        self.order.len()
    }

    fn write_at(&self, position: usize) -> &WriteRecord {
        &self.history.writes[self.order[position]]
    }

    fn sequence_at(&self, position: usize) -> u64 {
        self.history.sequences[&self.write_at(position).id]
    }

    /// Every acknowledged write reached the database; the writes' sequence ranges do not overlap; and a write
    /// acknowledged before another was invoked has the smaller sequence numbers.
    fn check_writes(&self) -> Result<(), String> {
        for w in &self.history.writes {
            if let (Some(response), false) =
                (w.response, self.history.sequences.contains_key(&w.id))
            {
                return Err(format!(
                    "write {:?} was acknowledged (tick {response}) but is not in the database",
                    w.id
                ));
            }
        }
        for p in 1..self.writes() {
            let (before, after) = (self.write_at(p - 1), self.write_at(p));
            // Each write's ops and its journal key take one sequence number each.
            let end = self.sequence_at(p - 1) + before.ops.len() as u64 + 1;
            if self.sequence_at(p) < end {
                return Err(format!(
                    "writes {:?} and {:?} overlap: sequences {} (+{}) and {}",
                    before.id,
                    after.id,
                    self.sequence_at(p - 1),
                    before.ops.len() + 1,
                    self.sequence_at(p)
                ));
            }
            if let Some(response) = after.response {
                if response < before.invoke {
                    return Err(format!(
                        "write {:?} (sequence {}) was acknowledged at tick {} before write {:?} (sequence {}) was \
                         invoked at tick {}, yet it has the larger sequence",
                        after.id,
                        self.sequence_at(p),
                        response,
                        before.id,
                        self.sequence_at(p - 1),
                        before.invoke
                    ));
                }
            }
        }
        Ok(())
    }

    /// The prefix lengths a read invoked at `invoke` and answered at `response` may see: at least every write
    /// acknowledged before `invoke`, and only writes invoked before `response`.
    fn bounds(&self, invoke: u64, response: u64) -> (usize, usize) {
        let acked = self
            .acked_before
            .partition_point(|&(tick, _)| tick < invoke);
        let lo = if acked == 0 {
            0
        } else {
            self.acked_before[acked - 1].1
        };
        let hi = self.invoked_prefix.partition_point(|&tick| tick < response) - 1;
        (lo, hi)
    }

    /// The prefix lengths P in `window` (half-open) after which `key` held `value`: found by a binary search for
    /// the key's last write before the window and a walk over its writes inside it.
    fn prefixes_where(
        &self,
        key: usize,
        value: Option<WriteId>,
        (lo, hi): (usize, usize),
    ) -> Prefixes {
        let writes = self.per_key.get(&key).map_or(&[][..], Vec::as_slice);
        // A write at position p shows from P = p + 1 on.
        let first = writes.partition_point(|&(p, _)| p < lo);
        let mut holding = if first == 0 {
            None
        } else {
            writes[first - 1].1
        };
        let (mut start, mut runs) = (lo, Vec::<(usize, usize)>::new());
        let close_run =
            |start: usize, end: usize, runs: &mut Vec<(usize, usize)>| match runs.last_mut() {
                Some((_, last_end)) if *last_end == start => *last_end = end,
                _ if start < end => runs.push((start, end)),
                _ => {}
            };
        for &(p, written) in &writes[first..] {
            if p + 1 >= hi {
                break;
            }
            if holding == value {
                close_run(start, p + 1, &mut runs);
            }
            start = p + 1;
            holding = written;
        }
        if holding == value {
            close_run(start, hi, &mut runs);
        }
        Prefixes(runs)
    }

    /// The prefix lengths in `window` that explain everything `observed` holds.
    fn explaining(&self, observed: &Observation, window: (usize, usize)) -> Prefixes {
        let mut set = Prefixes::range(window.0, window.1);
        for (&key, &value) in observed {
            if set.0.is_empty() {
                break;
            }
            set = set.intersect(&self.prefixes_where(key, value, window));
        }
        set
    }

    /// Every prefix length: the window of the whole history.
    fn everything(&self) -> (usize, usize) {
        (0, self.writes() + 1)
    }

    /// The report of a violation: the read, its bounds, and the writes of the keys it covered around them.
    fn report(&self, read: &ReadRecord, problem: &str, window: (usize, usize)) -> String {
        let mut out = format!(
            "{problem}\n  read by thread {} ({}), ticks {}..{}, {}\n",
            read.thread,
            read.what,
            read.invoke,
            read.response,
            match &read.at {
                ReadAt::Latest => "at the latest sequence".to_string(),
                ReadAt::Snapshot(s) => format!(
                    "through snapshot {s} (sequence {})",
                    self.history.snapshots[*s].sequence
                ),
            }
        );
        let seq = |p: usize| {
            if p == 0 {
                0
            } else {
                self.sequence_at(p - 1) + self.write_at(p - 1).ops.len() as u64
            }
        };
        let _ = writeln!(
            out,
            "  allowed: the first {}..={} writes (last sequence {}..={})",
            window.0,
            window.1,
            seq(window.0),
            seq(window.1)
        );
        for (&key, &value) in &read.observed {
            let wanted = self.prefixes_where(key, value, self.everything());
            let _ = writeln!(
                out,
                "  k{key}: read {value:?}, which the first P writes explain for P in {:?}",
                wanted.0
            );
            for &(position, written) in self.per_key.get(&key).map_or(&[][..], Vec::as_slice) {
                if position + 8 < window.0 || position > window.1 + 8 {
                    continue;
                }
                let w = self.write_at(position);
                let _ = writeln!(
                    out,
                    "    write #{} {:?}: sequence {}, {}, ticks {}..{}",
                    position + 1,
                    w.id,
                    self.sequence_at(position),
                    if written.is_some() { "put" } else { "delete" },
                    w.invoke,
                    w.response
                        .map_or("(no answer)".to_string(), |r| r.to_string())
                );
            }
        }
        out
    }
}

/// Checks a history; `Err` describes the first violation found.
pub fn check(history: &History) -> Result<CheckStats, String> {
    let timeline = Timeline::new(history)?;
    let mut stats = CheckStats {
        writes: timeline.writes(),
        ..CheckStats::default()
    };
    // The snapshots' own bounds, as prefix lengths.
    let mut snapshot_prefix = Vec::new();
    for (i, s) in history.snapshots.iter().enumerate() {
        let p = timeline
            .order
            .partition_point(|&w| history.sequences[&history.writes[w].id] <= s.sequence);
        let (lo, hi) = timeline.bounds(s.invoke, s.response);
        if p < lo || p > hi {
            return Err(format!(
                "snapshot {i} of thread {} (ticks {}..{}) has sequence {}, which covers {p} writes; it should cover \
                 {lo}..={hi}",
                s.thread, s.invoke, s.response, s.sequence
            ));
        }
        snapshot_prefix.push(p);
    }
    let mut last_seen: HashMap<usize, (usize, usize)> = HashMap::new();
    for (index, read) in history.reads.iter().enumerate() {
        match read.at {
            ReadAt::Snapshot(s) => {
                stats.snapshot_reads += 1;
                let p = snapshot_prefix[s];
                if timeline.explaining(&read.observed, (p, p + 1)).0.is_empty() {
                    return Err(timeline.report(
                        read,
                        "a read through a snapshot does not see the snapshot's state",
                        (p, p),
                    ));
                }
            }
            ReadAt::Latest => {
                stats.reads += 1;
                let (lo, hi) = timeline.bounds(read.invoke, read.response);
                let allowed = timeline.explaining(&read.observed, (lo, hi + 1));
                if allowed.0.is_empty() {
                    let explaining = timeline.explaining(&read.observed, timeline.everything());
                    let problem = if explaining.0.is_empty() {
                        "a read sees no state the database ever had (a batch in part?)"
                    } else if explaining.0.iter().any(|r| r.1 <= lo) {
                        "a read misses a write acknowledged before it began (or sees an older value)"
                    } else {
                        "a read sees a write invoked after it returned"
                    };
                    return Err(timeline.report(read, problem, (lo, hi)));
                }
                let (previous_index, previous) = last_seen
                    .get(&read.thread)
                    .copied()
                    .unwrap_or((usize::MAX, 0));
                let Some(p) = allowed.first_at_least(previous) else {
                    let mut report = timeline.report(read, "a read goes back in time", (lo, hi));
                    let _ = write!(
                        report,
                        "  the thread's read before it ({}) saw at least the first {previous} writes",
                        history.reads.get(previous_index).map_or("", |r| r.what.as_str())
                    );
                    return Err(report);
                };
                last_seen.insert(read.thread, (index, p));
                stats.concurrent_reads += usize::from(lo < hi);
            }
        }
    }
    Ok(stats)
}

/// What a passing check looked at.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckStats {
    pub writes: usize,
    pub reads: usize,
    pub snapshot_reads: usize,
    /// Reads that ran while a write was in flight (more than one state was allowed).
    pub concurrent_reads: usize,
}
