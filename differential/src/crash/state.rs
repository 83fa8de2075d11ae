//! A crash state: the operations of a recording that happened before the crash, and which of them did not (fully)
//! reach the disk; and the directory it materializes as.
//!
//! Written `crash=C lost=J,K torn=L:prefix:N,M:hole:START:LEN`: the first C operations happened; operations J and
//! K were lost (an append's bytes, or a directory operation); append L kept only its first N bytes, append M
//! lost bytes START..START+LEN of its own (a hole of zeros, the file as long as with them). The text is what
//! `oxldb crash-explore --state` replays.
//!
//! Invariant: materializing replays the operations before the crash in order, skipping the lost ones and writing
//! the torn ones in part; an operation on a file that does not exist (its create lost) changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use super::recording::{FsOp, Recording};

/// What part of an append reached the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tear {
    /// Its first bytes only.
    Prefix(u64),
    /// All but a range of its bytes (from its start), which read as zeros.
    Hole(u64, u64),
}

/// How an operation before the crash differs from having happened whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deviation {
    /// It never reached the disk.
    Lost,
    /// An append that reached the disk in part.
    Torn(Tear),
}

/// One state a crash can leave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CrashState {
    /// How many operations of the recording happened.
    pub crash_at: usize,
    /// The operations (by index) that did not reach the disk whole.
    pub deviations: BTreeMap<usize, Deviation>,
}

impl fmt::Display for CrashState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "crash={}", self.crash_at)?;
        let lost: Vec<String> = self
            .deviations
            .iter()
            .filter(|(_, d)| **d == Deviation::Lost)
            .map(|(j, _)| j.to_string())
            .collect();
        if !lost.is_empty() {
            write!(f, " lost={}", lost.join(","))?;
        }
        let torn: Vec<String> = self
            .deviations
            .iter()
            .filter_map(|(j, d)| match d {
                Deviation::Torn(Tear::Prefix(n)) => Some(format!("{j}:prefix:{n}")),
                Deviation::Torn(Tear::Hole(s, n)) => Some(format!("{j}:hole:{s}:{n}")),
                Deviation::Lost => None,
            })
            .collect();
        if !torn.is_empty() {
            write!(f, " torn={}", torn.join(","))?;
        }
        Ok(())
    }
}

fn number<T: std::str::FromStr>(text: &str, state: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("bad number {text:?} in crash state {state:?}"))
}

impl CrashState {
    /// Parses the text `Display` prints.
    pub fn parse(text: &str) -> Result<CrashState, String> {
        let mut state = CrashState::default();
        for field in text.split_whitespace() {
            let (name, value) = field
                .split_once('=')
                .ok_or_else(|| format!("bad field {field:?} in crash state"))?;
            match name {
                "crash" => state.crash_at = number(value, text)?,
                "lost" => {
                    for j in value.split(',') {
                        state.deviations.insert(number(j, text)?, Deviation::Lost);
                    }
                }
                "torn" => {
                    for item in value.split(',') {
                        let parts: Vec<&str> = item.split(':').collect();
                        let tear = match parts.as_slice() {
                            [_, "prefix", n] => Tear::Prefix(number(n, text)?),
                            [_, "hole", s, n] => Tear::Hole(number(s, text)?, number(n, text)?),
                            _ => return Err(format!("bad tear {item:?} in crash state")),
                        };
                        state
                            .deviations
                            .insert(number(parts[0], text)?, Deviation::Torn(tear));
                    }
                }
                _ => return Err(format!("unknown field {name:?} in crash state")),
            }
        }
        Ok(state)
    }

    /// The files this state leaves, by name.
    pub fn files(&self, recording: &Recording) -> HashMap<String, Vec<u8>> {
        let mut files: HashMap<String, Vec<u8>> = HashMap::new();
        for (j, op) in recording.ops.iter().enumerate().take(self.crash_at) {
            let deviation = self.deviations.get(&j);
            if deviation == Some(&Deviation::Lost) {
                continue;
            }
            match op {
                FsOp::Create(name) => {
                    files.insert(name.clone(), Vec::new());
                }
                FsOp::Append { file, offset, data } => {
                    let Some(contents) = files.get_mut(file) else {
                        continue;
                    };
                    let offset = *offset as usize;
                    let (kept, hole) = match deviation {
                        Some(Deviation::Torn(Tear::Prefix(n))) => (&data[..*n as usize], None),
                        Some(Deviation::Torn(Tear::Hole(s, n))) => {
                            (&data[..], Some((*s as usize, (*s + *n) as usize)))
                        }
                        _ => (&data[..], None),
                    };
                    let end = offset + kept.len();
                    if contents.len() < end {
                        contents.resize(end, 0);
                    }
                    contents[offset..end].copy_from_slice(kept);
                    if let Some((start, limit)) = hole {
                        contents[offset + start..offset + limit].fill(0);
                    }
                }
                FsOp::Rename(from, to) => {
                    if let Some(contents) = files.remove(from) {
                        files.insert(to.clone(), contents);
                    }
                }
                FsOp::Remove(name) => {
                    files.remove(name);
                }
                FsOp::Truncate(name, length) => {
                    if let Some(contents) = files.get_mut(name) {
                        contents.resize(*length as usize, 0);
                    }
                }
                FsOp::Sync(_) | FsOp::DirSync | FsOp::Lock(_) | FsOp::Unlock | FsOp::Ack { .. } => {
                }
            }
        }
        files
    }

    /// Writes the state's files into `dir`, emptied (or created) first.
    pub fn materialize(&self, recording: &Recording, dir: &Path) -> std::io::Result<()> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        for (name, contents) in self.files(recording) {
            std::fs::write(dir.join(name), contents)?;
        }
        Ok(())
    }

    /// The writes acknowledged before the crash, and the last one acknowledged as synced.
    pub fn acknowledged(&self, recording: &Recording) -> (usize, Option<usize>) {
        let mut acked = 0;
        let mut last_synced = None;
        for op in recording.ops.iter().take(self.crash_at) {
            if let FsOp::Ack { write, synced } = op {
                acked = write + 1;
                if *synced {
                    last_synced = Some(*write);
                }
            }
        }
        (acked, last_synced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let text = "crash=40 lost=3,9 torn=5:prefix:512,7:hole:0:4096";
        let state = CrashState::parse(text).unwrap();
        assert_eq!(state.to_string(), text);
        assert_eq!(state.deviations.len(), 4);
        assert!(CrashState::parse("crash=x").is_err());
        assert!(CrashState::parse("torn=5:middle:1").is_err());
    }

    #[test]
    fn files_replay_what_reached_the_disk() {
        let recording = Recording::parse(
            "create a\nappend a 0 4 01020304\nappend a 4 4 05060708\ncreate t\nappend t 0 2 0909\n\
             rename t b\nack 0 1\nremove b\n",
        )
        .unwrap();
        let state = CrashState::parse("crash=7 torn=2:hole:1:2").unwrap();
        let files = state.files(&recording);
        assert_eq!(files["a"], [1, 2, 3, 4, 5, 0, 0, 8]);
        assert_eq!(files["b"], [9, 9]);
        assert_eq!(state.acknowledged(&recording), (1, Some(0)));
        // The first append lost, the second kept: a hole of zeros before it. The rename lost: `t` stays.
        let state = CrashState::parse("crash=8 lost=1,5 torn=2:prefix:1").unwrap();
        let files = state.files(&recording);
        assert_eq!(files["a"], [0, 0, 0, 0, 5]);
        assert_eq!(files["t"], [9, 9]);
        assert!(!files.contains_key("b"));
    }
}
