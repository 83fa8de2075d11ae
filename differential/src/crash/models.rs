//! The persistence models: which crash states a recording can leave, under two file systems' rules.
//!
//! - [`Model::Ordered`] (ext4 `data=ordered`-like): the crash comes before some operation; directory operations
//!   before it all persist, in order; the appends made to a file since its last sync may be lost as a suffix, cut
//!   at an append's end or at a 4096-byte page boundary inside one.
//! - [`Model::AnythingUnsynced`]: any subset of the appends not yet synced persists, each possibly torn at a 512-
//!   or 4096-byte boundary (a prefix kept, or a sector lost as a hole of zeros); a create, rename or remove not
//!   followed by a directory sync may be lost, with every directory operation after it (journaling file systems
//!   commit directory operations in order).
//!
//! A crash comes just before an operation other than an append (a run of appends is cut by the models
//! themselves), or after the last one. The states of a model are built systematically: at every crash point,
//! the state where everything persisted, each single loss or tear the model allows (for `Ordered`, each cut of
//! one file), and everything unsynced lost; when they are more than the budget, a sample of them drawn from the
//! seed; when fewer, random combinations drawn from the seed fill the budget. The same recording, model, budget
//! and seed give the same states.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::recording::{FsOp, Recording};
use super::state::{CrashState, Deviation, Tear};
use crate::bytes::SplitMix64;

/// A persistence model (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Model {
    /// Unsynced appends lost as a suffix per file; directory operations persist in order.
    Ordered,
    /// Any unsynced append lost or torn; directory operations after the last directory sync lost as a suffix.
    AnythingUnsynced,
}

impl Model {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Model::Ordered => "ordered",
            Model::AnythingUnsynced => "anything-unsynced",
        }
    }
}

/// When each operation became durable: the index of the sync that covered it.
pub struct Durability {
    /// For an append: the file it went to (an id that follows renames).
    pub file_of: Vec<Option<usize>>,
    /// For an append: the sync of its file that made it durable; for a directory operation: the directory sync.
    pub durable_at: Vec<Option<usize>>,
}

/// Info logs are not recorded; their renames change nothing.
fn is_info_log(name: &str) -> bool {
    name == "LOG" || name == "LOG.old"
}

impl Durability {
    /// Follows the recording's files through renames, and finds the sync that made each operation durable.
    pub fn of(recording: &Recording) -> Durability {
        let n = recording.ops.len();
        let mut file_of = vec![None; n];
        let mut durable_at = vec![None; n];
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut next_id = 0;
        let mut unsynced: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut dir_unsynced: Vec<usize> = Vec::new();
        for (j, op) in recording.ops.iter().enumerate() {
            match op {
                FsOp::Create(name) => {
                    ids.insert(name.clone(), next_id);
                    next_id += 1;
                    dir_unsynced.push(j);
                }
                FsOp::Append { file, .. } => {
                    let id = *ids.entry(file.clone()).or_insert_with(|| {
                        next_id += 1;
                        next_id - 1
                    });
                    file_of[j] = Some(id);
                    unsynced.entry(id).or_default().push(j);
                }
                FsOp::Sync(name) => {
                    if let Some(id) = ids.get(name) {
                        for a in unsynced.remove(id).unwrap_or_default() {
                            durable_at[a] = Some(j);
                        }
                    }
                }
                FsOp::DirSync => {
                    for d in dir_unsynced.drain(..) {
                        durable_at[d] = Some(j);
                    }
                }
                FsOp::Rename(from, to) => {
                    if let Some(id) = ids.remove(from) {
                        ids.insert(to.clone(), id);
                    }
                    if !is_info_log(from) {
                        dir_unsynced.push(j);
                    }
                }
                FsOp::Remove(name) => {
                    ids.remove(name);
                    dir_unsynced.push(j);
                }
                FsOp::Truncate(..) | FsOp::Lock(_) | FsOp::Unlock | FsOp::Ack { .. } => {}
            }
        }
        Durability {
            file_of,
            durable_at,
        }
    }

    fn unsynced_at(&self, j: usize, crash_at: usize) -> bool {
        self.durable_at[j].is_none_or(|d| d >= crash_at)
    }
}

/// The crash points of a recording: before each operation that is not an append, and after the last.
pub fn crash_points(recording: &Recording) -> Vec<usize> {
    let ops = &recording.ops;
    (1..=ops.len())
        .filter(|&c| c == ops.len() || !matches!(ops[c], FsOp::Append { .. }))
        .collect()
}

/// The ways an append at file offset `offset`, `len` bytes long, can be torn: at the first and last 512-byte
/// boundaries inside it (a prefix kept), its first sector lost, a sector in its middle lost, and at its first
/// 4096-byte boundary. None for an append inside one sector.
pub fn tears(offset: u64, len: u64) -> Vec<Tear> {
    let boundary_after = |unit: u64| (offset / unit + 1) * unit;
    let first = boundary_after(512);
    if first >= offset + len {
        return Vec::new();
    }
    let last = (offset + len - 1) / 512 * 512;
    let mut tears = BTreeSet::from([
        Tear::Prefix(first - offset),
        Tear::Prefix(last - offset),
        Tear::Hole(0, first - offset),
    ]);
    if first + 512 < offset + len {
        tears.insert(Tear::Hole(first - offset, 512));
    }
    let page = boundary_after(4096);
    if page < offset + len {
        tears.insert(Tear::Prefix(page - offset));
    }
    tears.into_iter().collect()
}

/// The 4096-byte page boundaries inside an append: where `Ordered` may cut it.
fn page_cuts(offset: u64, len: u64) -> Vec<Tear> {
    let mut cuts = Vec::new();
    let mut page = (offset / 4096 + 1) * 4096;
    while page < offset + len {
        cuts.push(Tear::Prefix(page - offset));
        page += 4096;
    }
    // The first and the last are enough: the appends of a log or MANIFEST are smaller than a page.
    if cuts.len() > 2 {
        cuts.drain(1..cuts.len() - 1);
    }
    cuts
}

fn append_tears(recording: &Recording, j: usize, ordered: bool) -> Vec<Tear> {
    match &recording.ops[j] {
        FsOp::Append { offset, data, .. } if ordered => page_cuts(*offset, data.len() as u64),
        FsOp::Append { offset, data, .. } => tears(*offset, data.len() as u64),
        _ => Vec::new(),
    }
}

/// What can be lost at one crash point.
struct Unsynced {
    /// The unsynced appends of each file, in order.
    appends_by_file: BTreeMap<usize, Vec<usize>>,
    /// The unsynced directory operations, in order.
    dir_ops: Vec<usize>,
}

fn unsynced(recording: &Recording, durability: &Durability, crash_at: usize) -> Unsynced {
    let mut appends_by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut dir_ops = Vec::new();
    for (j, op) in recording.ops.iter().enumerate().take(crash_at) {
        if !durability.unsynced_at(j, crash_at) {
            continue;
        }
        match op {
            FsOp::Append { .. } => {
                let file = durability.file_of[j].expect("an append has a file");
                appends_by_file.entry(file).or_default().push(j);
            }
            FsOp::Rename(from, _) if is_info_log(from) => {}
            op if op.is_dir_op() => dir_ops.push(j),
            _ => {}
        }
    }
    Unsynced {
        appends_by_file,
        dir_ops,
    }
}

fn state(crash_at: usize, deviations: impl IntoIterator<Item = (usize, Deviation)>) -> CrashState {
    CrashState {
        crash_at,
        deviations: deviations.into_iter().collect(),
    }
}

/// The suffix cuts of one file's unsynced appends under `Ordered`: (the first append cut, how), the rest lost.
fn ordered_cuts(recording: &Recording, appends: &[usize]) -> Vec<Vec<(usize, Deviation)>> {
    let mut cuts = Vec::new();
    for k in 0..appends.len() {
        let lost_from = |first: usize| appends[first..].iter().map(|&j| (j, Deviation::Lost));
        cuts.push(lost_from(k).collect());
        for tear in append_tears(recording, appends[k], true) {
            let mut cut: Vec<(usize, Deviation)> = vec![(appends[k], Deviation::Torn(tear))];
            cut.extend(lost_from(k + 1));
            cuts.push(cut);
        }
    }
    cuts
}

/// The systematic states of `model` at `crash_at`.
fn systematic(
    recording: &Recording,
    durability: &Durability,
    model: Model,
    crash_at: usize,
) -> Vec<CrashState> {
    let u = unsynced(recording, durability, crash_at);
    let mut states = vec![state(crash_at, [])];
    let all_appends = u.appends_by_file.values().flatten().copied();
    let mut everything: Vec<(usize, Deviation)> =
        all_appends.map(|j| (j, Deviation::Lost)).collect();
    match model {
        Model::Ordered => {
            for appends in u.appends_by_file.values() {
                for cut in ordered_cuts(recording, appends) {
                    states.push(state(crash_at, cut));
                }
            }
        }
        Model::AnythingUnsynced => {
            for &j in u.appends_by_file.values().flatten() {
                states.push(state(crash_at, [(j, Deviation::Lost)]));
                for tear in append_tears(recording, j, false) {
                    states.push(state(crash_at, [(j, Deviation::Torn(tear))]));
                }
            }
            for k in 0..u.dir_ops.len() {
                states.push(state(
                    crash_at,
                    u.dir_ops[k..].iter().map(|&j| (j, Deviation::Lost)),
                ));
            }
            everything.extend(u.dir_ops.iter().map(|&j| (j, Deviation::Lost)));
        }
    }
    states.push(state(crash_at, everything));
    states
}

/// A random state of `model` at `crash_at`.
fn random(
    recording: &Recording,
    durability: &Durability,
    model: Model,
    crash_at: usize,
    rnd: &mut SplitMix64,
) -> CrashState {
    let u = unsynced(recording, durability, crash_at);
    let mut deviations = Vec::new();
    match model {
        Model::Ordered => {
            for appends in u.appends_by_file.values() {
                let mut cuts = ordered_cuts(recording, appends);
                let pick = rnd.below(cuts.len() as u64 + 1) as usize;
                if pick < cuts.len() {
                    deviations.append(&mut cuts[pick]);
                }
            }
        }
        Model::AnythingUnsynced => {
            for &j in u.appends_by_file.values().flatten() {
                match rnd.below(6) {
                    0 | 1 => deviations.push((j, Deviation::Lost)),
                    2 => {
                        let tears = append_tears(recording, j, false);
                        if !tears.is_empty() {
                            let tear = tears[rnd.below(tears.len() as u64) as usize];
                            deviations.push((j, Deviation::Torn(tear)));
                        }
                    }
                    _ => {}
                }
            }
            if !u.dir_ops.is_empty() && rnd.one_in(2) {
                let k = rnd.below(u.dir_ops.len() as u64) as usize;
                deviations.extend(u.dir_ops[k..].iter().map(|&j| (j, Deviation::Lost)));
            }
        }
    }
    state(crash_at, deviations)
}

/// The states of `model` for `recording`: at most `budget`, drawn from `seed` (see the module comment), in a
/// fixed order.
pub fn states(recording: &Recording, model: Model, budget: usize, seed: u64) -> Vec<CrashState> {
    let durability = Durability::of(recording);
    let points = crash_points(recording);
    let mut all = BTreeSet::new();
    for &c in &points {
        all.extend(systematic(recording, &durability, model, c));
    }
    let mut rnd = SplitMix64::new(seed);
    let mut states: Vec<CrashState> = all.into_iter().collect();
    if states.len() > budget {
        // A seeded shuffle (Fisher-Yates), then the first `budget`.
        for i in (1..states.len()).rev() {
            states.swap(i, rnd.below(i as u64 + 1) as usize);
        }
        states.truncate(budget);
        states.sort();
        return states;
    }
    let mut seen: BTreeSet<CrashState> = states.iter().cloned().collect();
    let mut attempts = 0;
    while seen.len() < budget && attempts < 4 * budget && !points.is_empty() {
        attempts += 1;
        let c = points[rnd.below(points.len() as u64) as usize];
        let candidate = random(recording, &durability, model, c, &mut rnd);
        if seen.insert(candidate.clone()) {
            states.push(candidate);
        }
    }
    states
}

/// The deviations of `state` that the model loses together, for shrinking: for `Ordered`, the cut of each file;
/// for `AnythingUnsynced`, each append, and the lost directory operations as one suffix.
pub fn groups(recording: &Recording, model: Model, state: &CrashState) -> Vec<Vec<usize>> {
    let durability = Durability::of(recording);
    let mut by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut dir_ops = Vec::new();
    let mut singles = Vec::new();
    for &j in state.deviations.keys() {
        match (durability.file_of.get(j).copied().flatten(), model) {
            (Some(file), Model::Ordered) => by_file.entry(file).or_default().push(j),
            (Some(_), Model::AnythingUnsynced) => singles.push(vec![j]),
            (None, _) => dir_ops.push(j),
        }
    }
    let mut groups: Vec<Vec<usize>> = by_file.into_values().collect();
    groups.extend(singles);
    if !dir_ops.is_empty() {
        groups.push(dir_ops);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tears_cut_at_sector_and_page_boundaries() {
        assert!(tears(0, 512).is_empty());
        assert!(tears(100, 300).is_empty());
        assert_eq!(tears(500, 100), vec![Tear::Prefix(12), Tear::Hole(0, 12)]);
        assert_eq!(
            tears(4000, 1500),
            vec![
                Tear::Prefix(96),
                Tear::Prefix(1120),
                Tear::Hole(0, 96),
                Tear::Hole(96, 512)
            ]
        );
    }

    fn recording() -> Recording {
        Recording::parse(
            "create 000003.log\nappend 000003.log 0 10 00000000000000000000\nack 0 0\n\
             append 000003.log 10 2 0000\nack 1 0\nsync 000003.log\nack 2 1\ncreate CURRENT\n",
        )
        .unwrap()
    }

    #[test]
    fn ordered_loses_suffixes_of_unsynced_appends() {
        let recording = recording();
        assert_eq!(crash_points(&recording), vec![2, 4, 5, 6, 7, 8]);
        let states = states(&recording, Model::Ordered, 100, 1);
        let texts: BTreeSet<String> = states.iter().map(|s| s.to_string()).collect();
        assert!(texts.contains("crash=5 lost=1,3"));
        assert!(texts.contains("crash=5 lost=3"));
        assert!(!texts.contains("crash=5 lost=1"), "not a suffix");
        assert!(texts.contains("crash=8"));
        assert!(
            !texts.iter().any(|t| t.starts_with("crash=8 ")),
            "all synced"
        );
    }

    #[test]
    fn anything_unsynced_loses_any_append_and_unsynced_directory_operations() {
        let recording = recording();
        let states = states(&recording, Model::AnythingUnsynced, 100, 1);
        let texts: BTreeSet<String> = states.iter().map(|s| s.to_string()).collect();
        assert!(texts.contains("crash=5 lost=1"));
        assert!(texts.contains("crash=8 lost=0,7"), "{texts:?}");
        assert!(texts.contains("crash=8 lost=7"));
        assert_eq!(
            states,
            super::states(&recording, Model::AnythingUnsynced, 100, 1)
        );
        assert_eq!(
            super::states(&recording, Model::AnythingUnsynced, 3, 1).len(),
            3
        );
    }
}
