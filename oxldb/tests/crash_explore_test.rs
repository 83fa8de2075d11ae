//! `oxldb crash-explore` (built with the feature system-leveldb): an exploration of a small generated workload on
//! both engines, the table it prints, and the replay of one state of a kept recording.
#![cfg(feature = "system-leveldb")]

mod runner;

use runner::oxldb;

#[test]
fn explores_both_engines_and_replays_a_state() {
    let dir = tempfile::tempdir().unwrap();
    let out_arg = format!("--out={}", dir.path().display());
    let (code, out, err) = oxldb(&[
        "crash-explore",
        "--writes=30",
        "--sync_every=3",
        "--budget=60",
        &out_arg,
    ]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("workload --seed=1 --writes=30 --sync_every=3: 30 steps"),
        "{out}"
    );
    for row in [
        "ordered            leveldb ",
        "anything-unsynced  leveldb ",
        "ordered            oxleveldb ",
        "anything-unsynced  oxleveldb ",
    ] {
        assert!(out.lines().any(|l| l.starts_with(row)), "{row}: {out}");
    }

    // One state of oxleveldb's recording: (exit code, stdout and stderr).
    let recording = dir.path().join("oxleveldb.rec");
    let recording_arg = format!("--recording={}", recording.display());
    let check = |state: &str| {
        let state_arg = format!("--state={state}");
        let args = ["--writes=30", "--sync_every=3", "--engine=oxleveldb"];
        let (code, out, err) =
            oxldb(&[&["crash-explore", &recording_arg, &state_arg], &args[..]].concat());
        (code, String::from_utf8(out).unwrap() + &err)
    };

    // The state where everything before the end persisted holds.
    let text = std::fs::read_to_string(&recording).unwrap();
    let lines = text.lines().count();
    let (code, out) = check(&format!("crash={lines}"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\nholds: "), "{out}");

    // A synced append lost (not a state a crash leaves): the state fails, with status 1. The last append to a log
    // is the last write's (synced: write 29 of 30, every third synced), in the log the database closed with, which
    // no flush has copied into a table. (The first append is not: a memtable switch and its flush before the close
    // can leave its writes in a table.)
    let lines_of: Vec<&str> = text.lines().collect();
    let synced_append = lines_of
        .iter()
        .rposition(|l| l.starts_with("append ") && l.contains(".log "))
        .unwrap();
    let (code, out) = check(&format!("crash={lines} lost={synced_append}"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\nfails: "), "{out}");

    // One state needs one engine.
    let (code, _, err) = oxldb(&["crash-explore", &recording_arg, "--state=crash=1"]);
    assert_eq!(code, 2, "{err}");
}
