//! `oxldb diff`: the differential harness (the `leveldb-differential` package) on the command line. A generated
//! workload (`--seed`, `--ops`, `--options`, optionally written out by `--record`) or a logged one (`--replay`)
//! runs on oxleveldb and on the system's C++ LevelDB 1.23 in lockstep; a divergence prints its report on stdout
//! and exits with status 1, and `--shrink` reduces it to a minimal log, written to `--out`.
//!
//! Invariant: the exit status says what happened: 0 no divergence, 1 a divergence, 2 a bad command line or log
//! (so a script can tell a bug from a typo).

/// The failure of a command that needs the system LevelDB in an oxldb built without it.
#[cfg(not(feature = "system-leveldb"))]
pub fn needs_system_leveldb(command: &str) -> crate::commands::Failure {
    crate::commands::Failure::Failed(format!(
        "oxldb {command} needs the system LevelDB: cargo build --release -p oxldb --features system-leveldb"
    ))
}

#[cfg(not(feature = "system-leveldb"))]
pub fn run(
    _args: &crate::args::Args,
    _out: &mut crate::commands::Output,
) -> Result<(), crate::commands::Failure> {
    Err(needs_system_leveldb("diff"))
}

#[cfg(feature = "system-leveldb")]
pub use with_leveldb::run;

#[cfg(feature = "system-leveldb")]
mod with_leveldb {
    use std::ffi::OsStr;
    use std::time::{SystemTime, UNIX_EPOCH};

    use leveldb_differential::workload::generate_with;
    use leveldb_differential::{
        run as run_lockstep, shrink_divergence, CppEngine, Engine, OpLog, OxEngine,
    };

    use crate::args::Args;
    use crate::commands::{Failure, Output};

    fn number(args: &Args, name: &str) -> Result<Option<u64>, Failure> {
        args.option(name)
            .map(|v| {
                v.to_str().and_then(|s| s.parse().ok()).ok_or_else(|| {
                    Failure::Usage(format!("--{name} must be a non-negative integer"))
                })
            })
            .transpose()
    }

    fn read_log(path: &OsStr) -> Result<OpLog, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.to_string_lossy())))?;
        let log = OpLog::parse(&text)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.to_string_lossy())))?;
        log.check()
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.to_string_lossy())))?;
        Ok(log)
    }

    /// The workload the command line asks for.
    fn workload(args: &Args, out: &mut Output) -> Result<OpLog, Failure> {
        if let Some(path) = args.option("replay") {
            if ["seed", "ops", "options", "record"]
                .iter()
                .any(|n| args.option(n).is_some())
            {
                return Err(Failure::Usage(
                    "--replay runs a log: --seed, --ops, --options and --record do not apply"
                        .to_string(),
                ));
            }
            let log = read_log(path)?;
            writeln!(
                out,
                "replaying {} ({} operations)",
                path.to_string_lossy(),
                log.ops.len()
            )?;
            return Ok(log);
        }
        let seed = match number(args, "seed")? {
            Some(seed) => seed,
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        };
        let ops = number(args, "ops")?.unwrap_or(2000) as usize;
        let overrides = args
            .option("options")
            .map(|o| o.to_string_lossy().replace(',', " "));
        let log = generate_with(seed, ops, |options| match &overrides {
            Some(text) => options.apply(text.split_whitespace()),
            None => Ok(()),
        })
        .map_err(|e| Failure::Usage(format!("--options: {e}")))?;
        if let Some(path) = args.option("record") {
            std::fs::write(path, log.to_string()).map_err(|e| {
                Failure::Failed(format!("cannot write {}: {e}", path.to_string_lossy()))
            })?;
        }
        writeln!(
            out,
            "seed {seed}: {ops} operations, options {}",
            log.options
        )?;
        Ok(log)
    }

    pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
        args.expect_params(0, "no parameters")?;
        let log = workload(args, out)?;
        let outcome = run_lockstep(&log, &mut OxEngine::new(), &mut CppEngine::new())
            .map_err(Failure::Usage)?;
        let Some(divergence) = outcome.divergence else {
            writeln!(
                out,
                "no divergence ({} answers compared, files compared at {} checkpoints)",
                outcome.answers.len(),
                outcome.file_checkpoints
            )?;
            return Ok(());
        };
        write!(out, "{divergence}")?;
        if args.flag("shrink") {
            out.flush()?;
            let ox = || Box::new(OxEngine::new()) as Box<dyn Engine>;
            let cpp = || Box::new(CppEngine::new()) as Box<dyn Engine>;
            let shrunk = shrink_divergence(&std::env::temp_dir(), &log, &ox, &cpp);
            let path = args
                .option("out")
                .unwrap_or(OsStr::new("oxldb-diff-shrunk.oplog"));
            std::fs::write(path, shrunk.to_string()).map_err(|e| {
                Failure::Failed(format!("cannot write {}: {e}", path.to_string_lossy()))
            })?;
            writeln!(
                out,
                "\nshrunk to {} operations, written to {} (oxldb diff --replay={0}):\n{}",
                shrunk.ops.len(),
                path.to_string_lossy(),
                shrunk
            )?;
        }
        Err(Failure::Quiet)
    }
}
