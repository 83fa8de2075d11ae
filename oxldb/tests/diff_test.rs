//! `oxldb diff` (built with the feature system-leveldb): a generated workload, its recorded log replayed to the
//! same result, and the exit statuses of bad command lines and bad logs.
#![cfg(feature = "system-leveldb")]

mod runner;

use runner::oxldb;

#[test]
fn a_recorded_workload_replays_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("w.oplog");
    let log_arg = format!("--record={}", log.display());
    let (code, out, err) = oxldb(&["diff", "--seed=7", "--ops=300", &log_arg]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("seed 7: 300 operations, options "), "{out}");
    let summary = out.lines().last().unwrap().to_string();
    assert!(
        summary.starts_with("no divergence (300 answers compared"),
        "{out}"
    );

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("# oxleveldb differential op log (docs/oplog.md)\nseed 7\noptions "));
    assert_eq!(text.lines().count(), 3 + 300);

    let replay_arg = format!("--replay={}", log.display());
    let (code, out, err) = oxldb(&["diff", &replay_arg]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().last().unwrap(),
        summary,
        "the same answers and checkpoints"
    );
}

#[test]
fn bad_command_lines_and_logs_exit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.oplog");
    std::fs::write(&bad, "put \"a\" \"1\"\nget @3 \"a\"\n").unwrap();
    let unparsable = dir.path().join("unparsable.oplog");
    std::fs::write(&unparsable, "put \"a\"\n").unwrap();
    for (args, message) in [
        (
            vec!["diff", "--seed=x"],
            "--seed must be a non-negative integer",
        ),
        (
            vec!["diff", "--seed=1", "--options=colour=blue"],
            "--options: unknown option colour",
        ),
        (
            vec!["diff", "--replay=/nonexistent/x.oplog"],
            "cannot read /nonexistent/x.oplog",
        ),
        (vec!["diff", "--frobnicate"], "unknown flag --frobnicate"),
        (vec!["diff", "extra"], "expected no parameters"),
    ] {
        let (code, _, err) = oxldb(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let (code, _, err) = oxldb(&["diff", &format!("--replay={}", bad.display())]);
    assert_eq!(code, 2);
    assert!(
        err.contains("operation #2: snapshot 3 is not live"),
        "{err}"
    );
    let (code, _, err) = oxldb(&["diff", &format!("--replay={}", unparsable.display())]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1: put takes 2 argument(s)"), "{err}");
}
