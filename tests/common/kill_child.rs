//! Crash tests' children: the test binary runs itself again as a child process that writes to a database and
//! reports each acknowledged write, and the parent kills it (SIGKILL) once it has seen enough of them.
//!
//! The child is selected by running the same test (`--exact`) with an environment variable holding
//! `<run>:<database path>`; the test function checks for it first ([`child_spec`]) and, if set, becomes the child.
//! The child prints one line per acknowledged write ([`acknowledge`]), flushed at once, so the parent knows what
//! was acknowledged when it kills the child.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use oxleveldb::util::random::Random;

use super::testutil::RANDOM_SEED;

/// Marks the lines of the child that count acknowledged writes (the test harness prints lines of its own, and
/// may print its own text before ours on the same line).
const ACK: &str = "crash-test-ack";

/// A crash test. In the child (this test run by [`run_and_kill_child`]): `child(run, database)`, which must not
/// return. In the parent: `kills` runs, each killing a child after a random number (0 to `max_acks`) of
/// acknowledged writes, then calling `verify(database, run, acks, state)`. Every `runs_per_database` runs start a
/// fresh database (each check reads the whole database, so one database for many runs would make long tests
/// quadratic) and a fresh `state` (what the checks of its earlier runs found); `run` counts from 0 in each
/// database.
pub fn crash_test<S: Default>(
    (test_name, env_var): (&str, &str),
    (kills, max_acks, runs_per_database): (usize, u32, usize),
    child: impl FnOnce(usize, &Path),
    mut verify: impl FnMut(&Path, usize, usize, &mut S),
) {
    if let Some((run, dbname)) = child_spec(env_var) {
        child(run, &dbname);
        unreachable!("the child exits");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rnd = Random::new(RANDOM_SEED);
    for (database, first_run) in (0..kills).step_by(runs_per_database).enumerate() {
        let dbname = dir.path().join(format!("db{database}"));
        let mut state = S::default();
        for run in 0..runs_per_database.min(kills - first_run) {
            // Zero kills the child as it starts, or while it opens the database.
            let acks = rnd.uniform(max_acks + 1) as usize;
            run_and_kill_child(test_name, env_var, run, &dbname, acks);
            verify(&dbname, run, acks, &mut state);
        }
    }
}

/// In the child: the run number and database path the parent gave it; `None` in the parent.
fn child_spec(env_var: &str) -> Option<(usize, PathBuf)> {
    let spec = std::env::var(env_var).ok()?;
    let (run, dbname) = spec.split_once(':')?;
    Some((run.parse().ok()?, PathBuf::from(dbname)))
}

/// In the child: reports that `count` writes have been acknowledged (all of them: with several writer threads,
/// count each write once it is acknowledged, then report the count). False once the parent has gone (the pipe
/// broke): the child should stop.
pub fn acknowledge(out: &mut impl Write, count: usize) -> bool {
    writeln!(out, "{ACK} {count}")
        .and_then(|_| out.flush())
        .is_ok()
}

/// Runs the child for run `run` of test `test_name` and kills it once it has acknowledged `acks` writes.
fn run_and_kill_child(test_name: &str, env_var: &str, run: usize, dbname: &Path, acks: usize) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            test_name,
            "--exact",
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(env_var, format!("{run}:{}", dbname.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = 0;
    while acknowledged < acks {
        let Some(line) = lines.next() else { break };
        let line = line.unwrap();
        if let Some(at) = line.find(ACK) {
            // Children with several writer threads may print their counts out of order.
            let count: usize = line[at + ACK.len()..].trim().parse().unwrap();
            acknowledged = acknowledged.max(count);
        }
    }
    assert!(
        acknowledged >= acks,
        "run {run}: the child stopped after {acknowledged} of {acks} writes (see its stderr)"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
