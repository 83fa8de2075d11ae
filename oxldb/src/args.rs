//! The command line of one command, read the way RocksDB's `ldb` reads it: `--name=value` options, `--name`
//! flags and positional parameters, in any order (a bare `--` makes everything after it a parameter, so a key may
//! start with `--`, or be `-h`, which is `--help` before it).
//!
//! Invariant: a command runs only after `Args::check` has refused every option or flag it does not accept, so a
//! command reads its flags without looking for typos.
//!
//! RocksDB: LDBCommand::ParseSingleParam, LDBCommand::ValidateCmdLineOptions

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::commands::{Command, Failure};

/// A parsed command line.
pub struct Args {
    /// `--name` (no value) and `--name=value`, in the order given.
    switches: Vec<(String, Option<OsString>)>,
    /// The positional parameters (the first one, the command's name, is taken out by `main`).
    pub params: Vec<OsString>,
}

impl Args {
    /// Splits `raw` (the arguments after the program's name) into switches and parameters.
    pub fn parse(raw: &[OsString]) -> Args {
        let mut args = Args {
            switches: Vec::new(),
            params: Vec::new(),
        };
        let mut only_params = false;
        for arg in raw {
            let bytes = arg.as_bytes();
            if !only_params && bytes == b"-h" {
                args.switches.push(("help".to_string(), None));
            } else if only_params || !bytes.starts_with(b"--") {
                args.params.push(arg.clone());
            } else if bytes == b"--" {
                only_params = true;
            } else {
                let body = &bytes[2..];
                let (name, value) = match body.iter().position(|&b| b == b'=') {
                    Some(eq) => (
                        &body[..eq],
                        Some(OsStr::from_bytes(&body[eq + 1..]).to_owned()),
                    ),
                    None => (body, None),
                };
                args.switches
                    .push((String::from_utf8_lossy(name).into_owned(), value));
            }
        }
        args
    }

    /// Checks the switches against what `command` accepts: its options take a value, its flags do not.
    pub fn check(&self, command: &Command) -> Result<(), Failure> {
        for (name, value) in &self.switches {
            let is_option = command.options.contains(&name.as_str());
            let is_flag = command.flags.contains(&name.as_str()) || name == "help";
            match (value, is_option, is_flag) {
                (Some(_), true, _) | (None, _, true) => {}
                (Some(_), false, true) => {
                    return Err(Failure::Usage(format!("--{name} takes no value")));
                }
                (None, true, false) => {
                    return Err(Failure::Usage(format!(
                        "--{name} needs a value: --{name}=..."
                    )));
                }
                _ => {
                    return Err(Failure::Usage(format!(
                        "unknown flag --{name} for {}",
                        command.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// True if `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.switches.iter().any(|(n, v)| n == name && v.is_none())
    }

    /// The value of the last `--name=value`, if any.
    pub fn option(&self, name: &str) -> Option<&OsStr> {
        self.switches
            .iter()
            .rev()
            .find_map(|(n, v)| v.as_deref().filter(|_| n == name))
    }

    /// The value of `--name=<path>`, which the command needs.
    pub fn required_path(&self, name: &str) -> Result<PathBuf, Failure> {
        match self.option(name) {
            Some(value) if !value.is_empty() => Ok(PathBuf::from(value)),
            _ => Err(Failure::Usage(format!("--{name}=<path> is required"))),
        }
    }

    /// The value of `--max_keys=<n>`, if given.
    pub fn max_keys(&self) -> Result<Option<u64>, Failure> {
        self.option("max_keys")
            .map(|value| {
                value.to_str().and_then(|s| s.parse().ok()).ok_or_else(|| {
                    Failure::Usage("--max_keys must be a non-negative integer".to_string())
                })
            })
            .transpose()
    }

    /// Fails unless there are exactly `n` parameters, named by `what` in the message.
    pub fn expect_params(&self, n: usize, what: &str) -> Result<(), Failure> {
        if self.params.len() == n {
            Ok(())
        } else {
            Err(Failure::Usage(format!("expected {what}")))
        }
    }
}
