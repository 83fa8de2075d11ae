//! The checker: opens a crash state with the engine that wrote it and judges what it holds against the
//! guarantee oxleveldb documents.
//!
//! Invariant (what a state must satisfy): the open succeeds; every write acknowledged as synced, and every write
//! before it, is there with its value (unless a later write changed the key); every key holds what some write
//! that had started before the crash left in it (nothing appears that was never written); and a batch is whole or
//! absent (if one of its updates shows, none of its other keys shows an older state).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::recording::EngineKind;
use super::workload::{CrashWorkload, KeyState};
use crate::engine::{Engine, KeyValue};
use crate::options::DbOptions;
use crate::{CppEngine, OxEngine};

/// How a crash state breaks the guarantee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// The open failed, with this error.
    OpenFailed(String),
    /// Reading every entry failed, with this error.
    ReadFailed(String),
    /// A key lost the state a write acknowledged as synced (or one before it) gave it.
    LostWrite {
        /// The write whose effect is gone.
        write: usize,
        /// The key.
        key: Vec<u8>,
    },
    /// A key holds what no write that had started gave it.
    Phantom {
        /// The key.
        key: Vec<u8>,
    },
    /// Part of a batch shows, part does not.
    TornBatch {
        /// The batch's write number.
        write: usize,
    },
}

impl Violation {
    /// The violation's kind, for grouping.
    pub fn kind(&self) -> &'static str {
        match self {
            Violation::OpenFailed(_) => "open fails",
            Violation::ReadFailed(_) => "read fails",
            Violation::LostWrite { .. } => "synced write lost",
            Violation::Phantom { .. } => "unwritten data appears",
            Violation::TornBatch { .. } => "batch torn",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::OpenFailed(e) => write!(f, "open fails: {e}"),
            Violation::ReadFailed(e) => write!(f, "read fails: {e}"),
            Violation::LostWrite { write, key } => write!(
                f,
                "write {write} (at or before the last synced one) lost for key {}",
                crate::bytes::show(key)
            ),
            Violation::Phantom { key } => {
                write!(
                    f,
                    "key {} holds what no write gave it",
                    crate::bytes::show(key)
                )
            }
            Violation::TornBatch { write } => write!(f, "batch of write {write} is torn"),
        }
    }
}

/// What the writes of a workload allow a crash state to hold.
pub struct Expectations {
    history: BTreeMap<Vec<u8>, Vec<(usize, KeyState)>>,
    /// Each write's keys.
    batches: Vec<Vec<Vec<u8>>>,
}

impl Expectations {
    /// The expectations of `workload`'s writes.
    pub fn of(workload: &CrashWorkload) -> Expectations {
        let history = workload.key_history();
        let mut batches: Vec<Vec<Vec<u8>>> = vec![Vec::new(); workload.writes().len()];
        for (key, changes) in &history {
            for (write, _) in changes {
                batches[*write].push(key.clone());
            }
        }
        Expectations { history, batches }
    }

    /// Judges `entries`, read from a state where writes `0..acked` were acknowledged (write `acked` may have been
    /// under way) and `last_synced` was the last acknowledged as synced.
    pub fn judge(
        &self,
        entries: &[KeyValue],
        acked: usize,
        last_synced: Option<usize>,
    ) -> Result<(), Violation> {
        let observed: BTreeMap<&[u8], &[u8]> = entries
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        for key in observed.keys() {
            if !self.history.contains_key(*key) {
                return Err(Violation::Phantom { key: key.to_vec() });
            }
        }
        // The writes each key's state can come from, oldest first (None: the key was never written).
        let mut sources: BTreeMap<&[u8], Vec<Option<usize>>> = BTreeMap::new();
        for (key, changes) in &self.history {
            let holds = observed.get(key.as_slice()).copied();
            let floor = last_synced.and_then(|s| changes.iter().rev().find(|(w, _)| *w <= s));
            let mut explanations: Vec<Option<usize>> = Vec::new();
            if floor.is_none() && holds.is_none() {
                explanations.push(None);
            }
            explanations.extend(
                changes
                    .iter()
                    .filter(|(w, state)| {
                        *w <= acked
                            && floor.is_none_or(|(f, _)| w >= f)
                            && state.as_deref() == holds
                    })
                    .map(|(w, _)| Some(*w)),
            );
            if explanations.is_empty() {
                return Err(match floor {
                    Some((write, _)) => Violation::LostWrite {
                        write: *write,
                        key: key.clone(),
                    },
                    None => Violation::Phantom { key: key.clone() },
                });
            }
            sources.insert(key, explanations);
        }
        // A batch is torn when one of its keys can only come from it or later, and another only from before it.
        for (write, keys) in self.batches.iter().enumerate() {
            let shows = keys
                .iter()
                .any(|k| sources[k.as_slice()].first() == Some(&Some(write)));
            let older = keys.iter().any(|k| {
                sources[k.as_slice()]
                    .last()
                    .is_some_and(|w| w.is_none_or(|w| w < write))
            });
            if shows && older {
                return Err(Violation::TornBatch { write });
            }
        }
        Ok(())
    }
}

/// Opens the database in `dir` with `engine` and `options` and reads every entry.
pub fn open_and_read(
    engine: EngineKind,
    dir: &Path,
    options: &DbOptions,
) -> Result<Vec<KeyValue>, Violation> {
    let mut db: Box<dyn Engine> = match engine {
        EngineKind::Oxleveldb => Box::new(OxEngine::new()),
        EngineKind::Leveldb => Box::new(CppEngine::new()),
    };
    db.open(dir, options).map_err(Violation::OpenFailed)?;
    let entries = db.scan(None, false).map_err(Violation::ReadFailed);
    db.close();
    entries
}
