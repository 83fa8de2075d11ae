//! The explorer: checks every crash state of a model, shrinks the failing ones to their cause, and groups them
//! into vulnerabilities, as ALICE (Pillai et al., OSDI'14) reports them: a vulnerability is a kind of failure
//! (the open fails, a synced write is lost, ...) together with the loss that causes it (which operations, on
//! which kind of file), with one minimal state as its example.
//!
//! Invariant: a state fails if its check fails with or without `paranoid_checks`; its example is shrunk by
//! restoring, one at a time, each group of deviations the model loses together, keeping the restoration when the
//! state still fails the same way.

use std::collections::BTreeMap;
use std::path::Path;

use super::check::{open_and_read, Expectations, Violation};
use super::models::{groups, states, Model};
use super::recording::{EngineKind, FsOp, Recording};
use super::state::{CrashState, Deviation};
use super::workload::CrashWorkload;
use crate::options::DbOptions;

/// How many failing states are shrunk, at most, and how many of those that look alike before shrinking (the
/// same failure, the same deviations in words); the fewest deviations first. The others are only counted.
const MAX_SHRUNK: usize = 60;
const MAX_SHRUNK_ALIKE: usize = 2;

/// One kind of failure and its cause.
#[derive(Clone, Debug)]
pub struct Vulnerability {
    /// The failure and its cause, in words (the grouping key).
    pub kind: String,
    /// How many of the shrunk failing states have this kind.
    pub count: usize,
    /// A minimal state.
    pub example: CrashState,
    /// How the example fails.
    pub violation: Violation,
    /// The example fails only with `paranoid_checks`.
    pub paranoid_only: bool,
    /// The recording's lines the example loses or tears, and the operation it crashes before.
    pub example_ops: Vec<String>,
}

/// What exploring one model of one engine's recording found.
#[derive(Clone, Debug)]
pub struct ModelReport {
    /// The engine.
    pub engine: EngineKind,
    /// The model.
    pub model: Model,
    /// The states checked.
    pub states: usize,
    /// The states that failed.
    pub failing: usize,
    /// The vulnerabilities, by kind.
    pub vulnerabilities: Vec<Vulnerability>,
}

/// What checking a state needs: the engine that wrote the recording, the workload it ran, and a directory to
/// materialize states in.
pub struct Checker<'a> {
    /// The engine that opens the states.
    pub engine: EngineKind,
    /// The workload the recording ran.
    pub workload: &'a CrashWorkload,
    /// What the workload's writes allow.
    pub expectations: Expectations,
    /// The recording the states come from.
    pub recording: &'a Recording,
    /// Where each state is materialized, afresh for each open.
    pub scratch: &'a Path,
}

impl<'a> Checker<'a> {
    /// A checker of the states of `recording`, made by `engine` running `workload`, materialized in `scratch`.
    pub fn new(
        engine: EngineKind,
        workload: &'a CrashWorkload,
        recording: &'a Recording,
        scratch: &'a Path,
    ) -> Checker<'a> {
        Checker {
            engine,
            workload,
            expectations: Expectations::of(workload),
            recording,
            scratch,
        }
    }

    /// Checks one state: `Err` with how it fails, and whether only with `paranoid_checks`.
    pub fn check(&self, state: &CrashState) -> Result<(), (Violation, bool)> {
        let (acked, last_synced) = state.acknowledged(self.recording);
        for paranoid_checks in [false, true] {
            state
                .materialize(self.recording, self.scratch)
                .expect("the scratch directory is writable");
            let options = DbOptions {
                paranoid_checks,
                ..self.workload.options.clone()
            };
            let verdict = open_and_read(self.engine, self.scratch, &options)
                .and_then(|entries| self.expectations.judge(&entries, acked, last_synced));
            if let Err(violation) = verdict {
                return Err((violation, paranoid_checks));
            }
        }
        Ok(())
    }

    /// Restores the groups of deviations one at a time while the state still fails the same way.
    fn shrink(
        &self,
        model: Model,
        state: &CrashState,
        failure: (Violation, bool),
    ) -> (CrashState, (Violation, bool)) {
        let mut current = state.clone();
        let mut current_failure = failure;
        let mut try_without = |current: &mut CrashState, removed: &[usize]| {
            let mut candidate = current.clone();
            for j in removed {
                candidate.deviations.remove(j);
            }
            match self.check(&candidate) {
                Err(f) if f.0.kind() == current_failure.0.kind() => {
                    *current = candidate;
                    current_failure = f;
                    true
                }
                _ => false,
            }
        };
        for group in groups(self.recording, model, state) {
            try_without(&mut current, &group);
        }
        // Lost directory operations are a suffix: shorten it from its start while the state still fails.
        while let Some(first) = current
            .deviations
            .keys()
            .copied()
            .find(|&j| self.recording.ops[j].is_dir_op())
        {
            if !try_without(&mut current, &[first]) {
                break;
            }
        }
        (current, current_failure)
    }
}

/// The kind of file `name` is, at crash point `crash_at`: an old log is one older than the newest log created.
fn file_kind(recording: &Recording, crash_at: usize, name: &str) -> String {
    let log_number = |n: &str| n.strip_suffix(".log").and_then(|d| d.parse::<u64>().ok());
    if let Some(number) = log_number(name) {
        let newest = recording.ops[..crash_at]
            .iter()
            .filter_map(|op| match op {
                FsOp::Create(n) => log_number(n),
                _ => None,
            })
            .max();
        return if newest.is_some_and(|newest| number < newest) {
            "old log".to_string()
        } else {
            "log".to_string()
        };
    }
    if name.starts_with("MANIFEST") {
        "MANIFEST".to_string()
    } else if name.ends_with(".ldb") || name.ends_with(".sst") {
        "table".to_string()
    } else if name.ends_with(".dbtmp") {
        "temp file".to_string()
    } else {
        name.to_string()
    }
}

/// One deviation in words: "lost append to old log", "torn append to MANIFEST", "lost rename to CURRENT".
fn describe(recording: &Recording, crash_at: usize, j: usize, deviation: Deviation) -> String {
    let how = match deviation {
        Deviation::Lost => "lost",
        Deviation::Torn(_) => "torn",
    };
    let what = match &recording.ops[j] {
        FsOp::Append { file, .. } => format!("append to {}", file_kind(recording, crash_at, file)),
        FsOp::Create(f) => format!("create of {}", file_kind(recording, crash_at, f)),
        FsOp::Rename(_, to) => format!("rename to {}", file_kind(recording, crash_at, to)),
        FsOp::Remove(f) => format!("remove of {}", file_kind(recording, crash_at, f)),
        op => op.summary(),
    };
    format!("{how} {what}")
}

/// The cause of a shrunk state in words. Lost directory operations are a suffix: the first one names it.
fn cause(recording: &Recording, state: &CrashState) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut dir_ops_lost = false;
    for (&j, &d) in &state.deviations {
        if recording.ops[j].is_dir_op() {
            if dir_ops_lost {
                continue;
            }
            dir_ops_lost = true;
            let first = describe(recording, state.crash_at, j, d);
            parts.push(format!("{first} (and the directory operations after it)"));
        } else {
            parts.push(describe(recording, state.crash_at, j, d));
        }
    }
    parts.dedup();
    if parts.is_empty() {
        let next = recording
            .ops
            .get(state.crash_at)
            .map_or("the end".to_string(), |op| match op {
                FsOp::Sync(f) => format!("sync of {}", file_kind(recording, state.crash_at, f)),
                op => op.summary(),
            });
        format!("nothing lost, crash before {next}")
    } else {
        parts.join(" + ")
    }
}

/// The recording's lines `state` loses or tears, and the operation it crashes before.
fn example_ops(recording: &Recording, state: &CrashState) -> Vec<String> {
    let mut ops: Vec<String> = state
        .deviations
        .keys()
        .map(|&j| format!("{j}: {}", recording.ops[j].summary()))
        .collect();
    if let Some(op) = recording.ops.get(state.crash_at) {
        ops.push(format!("crash before {}: {}", state.crash_at, op.summary()));
    }
    ops
}

/// Explores `model` over `recording` (made by `engine` running `workload`): at most `budget` states drawn from
/// `seed`, each materialized in `scratch`.
pub fn explore(
    engine: EngineKind,
    workload: &CrashWorkload,
    recording: &Recording,
    model: Model,
    budget: usize,
    seed: u64,
    scratch: &Path,
) -> ModelReport {
    let checker = Checker::new(engine, workload, recording, scratch);
    let all = states(recording, model, budget, seed);
    let mut failing = Vec::new();
    for state in &all {
        if let Err(failure) = checker.check(state) {
            failing.push((state, failure));
        }
    }
    let failing_count = failing.len();
    failing.sort_by_key(|(state, _)| state.deviations.len());
    let mut alike: BTreeMap<(&str, bool, String), usize> = BTreeMap::new();
    let to_shrink: Vec<_> = failing
        .into_iter()
        .filter(|(state, (violation, paranoid))| {
            let seen = alike
                .entry((violation.kind(), *paranoid, cause(recording, state)))
                .or_default();
            *seen += 1;
            *seen <= MAX_SHRUNK_ALIKE
        })
        .take(MAX_SHRUNK)
        .collect();
    let mut kinds: BTreeMap<String, Vulnerability> = BTreeMap::new();
    for (state, failure) in to_shrink {
        let (example, (violation, paranoid_only)) = checker.shrink(model, state, failure);
        let mut kind = format!("{}: {}", violation.kind(), cause(recording, &example));
        if paranoid_only {
            kind.push_str(" (with paranoid_checks)");
        }
        let entry = kinds.entry(kind.clone()).or_insert_with(|| Vulnerability {
            kind,
            count: 0,
            example: example.clone(),
            violation: violation.clone(),
            paranoid_only,
            example_ops: Vec::new(),
        });
        entry.count += 1;
        if example.deviations.len() < entry.example.deviations.len() {
            entry.example = example;
            entry.violation = violation;
        }
    }
    for v in kinds.values_mut() {
        v.example_ops = example_ops(recording, &v.example);
    }
    ModelReport {
        engine,
        model,
        states: all.len(),
        failing: failing_count,
        vulnerabilities: kinds.into_values().collect(),
    }
}
