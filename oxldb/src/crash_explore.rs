//! `oxldb crash-explore`: the crash-state explorer (the `leveldb-differential` package's `crash` module) on the
//! command line. A generated crash workload (`--seed`, `--writes`, `--sync_every`) or the writes of an operation log
//! (`--replay`) is recorded on both engines; each model's crash states are checked on the engine that wrote them,
//! and the report gives, per model and engine, the states explored, the failing ones and the vulnerabilities,
//! each with a minimal state that `--recording=FILE --engine=E --state=TEXT` replays.
//!
//! Invariant: the exit status says what happened: 0 the exploration ran (whatever it found) or a replayed state
//! holds, 1 a replayed state fails, 2 a bad command line.

#[cfg(not(feature = "system-leveldb"))]
pub fn run(
    _args: &crate::args::Args,
    _out: &mut crate::commands::Output,
) -> Result<(), crate::commands::Failure> {
    Err(crate::diff::needs_system_leveldb("crash-explore"))
}

#[cfg(feature = "system-leveldb")]
pub use with_leveldb::run;

#[cfg(feature = "system-leveldb")]
mod with_leveldb {
    use std::path::{Path, PathBuf};

    use leveldb_differential::crash::{
        explore, record, scratch_dir, Checker, CrashState, CrashWorkload, EngineKind, Model,
        Recording,
    };
    use leveldb_differential::OpLog;
    use oxleveldb::env::RecordingFaults;

    use crate::args::Args;
    use crate::commands::{Failure, Output};

    fn number(args: &Args, name: &str, default: u64) -> Result<u64, Failure> {
        match args.option(name) {
            None => Ok(default),
            Some(v) => v
                .to_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| Failure::Usage(format!("--{name} must be a non-negative integer"))),
        }
    }

    fn read(path: &Path) -> Result<String, Failure> {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
    }

    /// The workload the command line asks for, and how to name it again on a command line.
    fn workload(args: &Args) -> Result<(CrashWorkload, String), Failure> {
        let sync_every = number(args, "sync_every", 10)? as usize;
        if let Some(path) = args.option("replay") {
            let path = Path::new(path);
            let log = OpLog::parse(&read(path)?)
                .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            let named = format!("--replay={} --sync_every={sync_every}", path.display());
            return Ok((CrashWorkload::from_oplog(&log, sync_every), named));
        }
        let seed = number(args, "seed", 1)?;
        let writes = number(args, "writes", 60)? as usize;
        let named = format!("--seed={seed} --writes={writes} --sync_every={sync_every}");
        Ok((CrashWorkload::generate(seed, writes, sync_every), named))
    }

    fn engines(args: &Args) -> Result<Vec<EngineKind>, Failure> {
        match args.option("engine").and_then(|e| e.to_str()) {
            None | Some("both") => Ok(vec![EngineKind::Leveldb, EngineKind::Oxleveldb]),
            Some("leveldb") => Ok(vec![EngineKind::Leveldb]),
            Some("oxleveldb") => Ok(vec![EngineKind::Oxleveldb]),
            Some(other) => Err(Failure::Usage(format!(
                "--engine must be leveldb, oxleveldb or both, not {other}"
            ))),
        }
    }

    fn models(args: &Args) -> Result<Vec<Model>, Failure> {
        match args.option("model").and_then(|e| e.to_str()) {
            None | Some("both") => Ok(vec![Model::Ordered, Model::AnythingUnsynced]),
            Some("ordered") => Ok(vec![Model::Ordered]),
            Some("anything-unsynced") => Ok(vec![Model::AnythingUnsynced]),
            Some(other) => Err(Failure::Usage(format!(
                "--model must be ordered, anything-unsynced or both, not {other}"
            ))),
        }
    }

    fn io(e: std::io::Error) -> Failure {
        Failure::Failed(e.to_string())
    }

    pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
        args.expect_params(0, "no parameters")?;
        let (workload, named) = workload(args)?;
        let engines = engines(args)?;
        if let Some(text) = args.option("state") {
            let [engine] = engines.as_slice() else {
                return Err(Failure::Usage(
                    "--state needs --engine=leveldb or --engine=oxleveldb".to_string(),
                ));
            };
            let path = args.required_path("recording")?;
            let recording = Recording::parse(&read(&path)?).map_err(Failure::Usage)?;
            let state = CrashState::parse(&text.to_string_lossy()).map_err(Failure::Usage)?;
            return replay(*engine, &workload, &recording, &state, out);
        }
        let budget = number(args, "budget", 2000)? as usize;
        let seed = number(args, "seed", 1)?;
        let faults = RecordingFaults {
            slow_table_creates: args.flag("slow_tables"),
            ..RecordingFaults::default()
        };
        let scratch = scratch_dir().map_err(io)?;
        let keep = args.option("out").map(PathBuf::from);
        writeln!(
            out,
            "workload {named}: {} steps, options {}",
            workload.steps.len(),
            workload.options
        )?;
        let mut reports = Vec::new();
        for &engine in &engines {
            let db = scratch.path().join(format!("{}-db", engine.name()));
            let recording = record(engine, &workload, faults, &db).map_err(Failure::Failed)?;
            let saved = match &keep {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(io)?;
                    let path = dir.join(format!("{}.rec", engine.name()));
                    std::fs::write(&path, recording_text(&recording)).map_err(io)?;
                    Some(path)
                }
                None => None,
            };
            writeln!(
                out,
                "{}: {} file-system operations recorded",
                engine.name(),
                recording.ops.len()
            )?;
            for model in models(args)? {
                let state_dir = scratch.path().join("state");
                let report = explore(
                    engine, &workload, &recording, model, budget, seed, &state_dir,
                );
                reports.push((report, saved.clone()));
            }
        }
        writeln!(
            out,
            "\n{:<18} {:<10} {:>7} {:>8} {:>16}",
            "model", "engine", "states", "failing", "vulnerabilities"
        )?;
        for (r, _) in &reports {
            writeln!(
                out,
                "{:<18} {:<10} {:>7} {:>8} {:>16}",
                r.model.name(),
                r.engine.name(),
                r.states,
                r.failing,
                r.vulnerabilities.len()
            )?;
        }
        for (r, saved) in &reports {
            for v in &r.vulnerabilities {
                writeln!(
                    out,
                    "\n[{}] {}: {} (x{})",
                    r.model.name(),
                    r.engine.name(),
                    v.kind,
                    v.count
                )?;
                writeln!(out, "  state: {}", v.example)?;
                for line in &v.example_ops {
                    writeln!(out, "  {line}")?;
                }
                writeln!(out, "  {}", v.violation)?;
                let recording = saved
                    .as_ref()
                    .map_or("<DIR>/".to_string() + r.engine.name() + ".rec", |p| {
                        p.display().to_string()
                    });
                writeln!(
                    out,
                    "  replay: oxldb crash-explore {named} --engine={} --recording={recording} --state='{}'{}",
                    r.engine.name(),
                    v.example,
                    if saved.is_none() { " (keep the recordings with --out=DIR)" } else { "" }
                )?;
            }
        }
        Ok(())
    }

    /// The recording's text, as the recording Envs write it.
    fn recording_text(recording: &Recording) -> String {
        recording.ops.iter().map(|op| op.line() + "\n").collect()
    }

    /// Checks one state and explains it.
    fn replay(
        engine: EngineKind,
        workload: &CrashWorkload,
        recording: &Recording,
        state: &CrashState,
        out: &mut Output,
    ) -> Result<(), Failure> {
        if state.crash_at > recording.ops.len() {
            return Err(Failure::Usage(format!(
                "the recording has {} operations; the state crashes after {}",
                recording.ops.len(),
                state.crash_at
            )));
        }
        let scratch = scratch_dir().map_err(io)?;
        let state_dir = scratch.path().join("state");
        let checker = Checker::new(engine, workload, recording, &state_dir);
        writeln!(out, "state {state} on {}:", engine.name())?;
        for (j, deviation) in &state.deviations {
            let op = recording
                .ops
                .get(*j)
                .map_or("?".to_string(), |op| op.summary());
            writeln!(out, "  {j}: {op}: {deviation:?}")?;
        }
        let (acked, last_synced) = state.acknowledged(recording);
        writeln!(
            out,
            "  {acked} writes acknowledged, the last synced: {}",
            last_synced.map_or("none".to_string(), |w| w.to_string())
        )?;
        match checker.check(state) {
            Ok(()) => {
                writeln!(
                    out,
                    "holds: opens with every synced write, with and without paranoid_checks"
                )?;
                Ok(())
            }
            Err((violation, paranoid)) => {
                let with = if paranoid {
                    " (with paranoid_checks)"
                } else {
                    ""
                };
                writeln!(out, "fails{with}: {violation}")?;
                Err(Failure::Quiet)
            }
        }
    }
}
