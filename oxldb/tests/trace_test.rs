//! `oxldb trace`: the timeline of one put (checked line by line, and against the log file it wrote), of a get
//! after a reopen, and of several writer threads, where every write must show its steps and group commit must
//! show as writes folded into another writer's group.

mod runner;

use std::collections::BTreeSet;

use runner::oxldb;

fn trace(args: &[&str]) -> String {
    let (code, stdout, stderr) = oxldb(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "oxldb {args:?}");
    String::from_utf8(stdout).unwrap()
}

#[test]
fn trace_put_shows_each_step_of_one_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    let out = trace(&["trace", &db, "--create_if_missing", "put", "hello", "world"]);
    // The batch: a 12-byte header, then the tag, the key's length, "hello", the value's length, "world".
    let record = 12 + 1 + 1 + 5 + 1 + 5;
    assert_eq!(
        out,
        format!(
            "[main] #1 queued: 1 entry, {record} bytes; 0 writers ahead\n\
             [main] #1 leads: at the front of the writer queue\n\
             [main] #1 make_room_for_write: room in the memtable (memtable 4104 of 4194304 bytes, 0 level-0 files)\n\
             [main] #1 group: #1 alone; 1 entry, {record} bytes\n\
             [main] #1 sequence 1..=1\n\
             [main] #1 log 000003.log: FULL @0 ({record} bytes)\n\
             [main] #1 memtable insert: 1 entry; memtable now 4104 bytes\n\
             [main] #1 no followers to wake; reads now see sequence 1\n\
             [main] #1 done: OK\n"
        )
    );
    // The log holds exactly that: one FULL record, a 7-byte header and the batch.
    let log = std::fs::metadata(dir.path().join("000003.log")).unwrap();
    assert_eq!(log.len(), 7 + record as u64);

    // A sync write syncs the log between the append and the memtable insert.
    let out = trace(&["trace", &db, "--sync", "put", "k2", "v2"]);
    let steps: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_once("#1 ").map(|(_, step)| step))
        .collect();
    let log_at = steps.iter().position(|s| s.starts_with("log ")).unwrap();
    assert!(steps[log_at + 1].ends_with(".log synced"), "{out}");
    assert!(steps[log_at + 2].starts_with("memtable insert"), "{out}");
}

#[test]
fn trace_get_shows_where_the_answer_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    trace(&["trace", &db, "--create_if_missing", "put", "hello", "world"]);
    // The reopen replays the log into a level-0 table: the value is now in a table, not in a memtable.
    let out = trace(&["trace", &db, "get", "hello"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("[main] flush: table 000005.ldb, ")
            && lines[0].ends_with(" bytes, to level 0"),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "[main] get at sequence 1: not in the memtables: searched the table files; found, 5 bytes"
    );
    assert_eq!(lines[2], "world");

    let out = trace(&["trace", &db, "put", "fresh", "x"]);
    assert!(out.contains("#1 done: OK"));
    let (code, stdout, _) = oxldb(&["trace", &db, "get", "fresh"]);
    assert_eq!(code, 0);
    let out = String::from_utf8(stdout).unwrap();
    assert!(
        out.contains("get at sequence 2: not in the memtables"),
        "{out}"
    );

    let out = trace(&["trace", &db, "get", "missing"]);
    assert!(
        out.ends_with("searched the table files; not found\nKey not found\n"),
        "{out}"
    );
}

/// Runs `trace --threads=4 --ops=20` and checks every write's steps and the group commit the timeline shows.
fn several_writers(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    let mut args = vec![
        "trace",
        &db,
        "--create_if_missing",
        "--threads=4",
        "--ops=20",
    ];
    args.extend(extra);
    let out = trace(&args);
    let mut queued = BTreeSet::new();
    let mut done = BTreeSet::new();
    let mut folded = BTreeSet::new();
    let mut leaders = BTreeSet::new();
    let mut next_sequence = 1;
    for line in out.lines() {
        let Some((thread, rest)) = line.split_once("] #") else {
            continue;
        };
        assert!(thread.starts_with("[writer-"), "{line}");
        let (id, step) = rest.split_once(' ').unwrap();
        let id: u64 = id.parse().unwrap();
        if step.starts_with("queued: 1 entry") {
            assert!(queued.insert(id), "{line}");
        } else if step == "done: OK" {
            assert!(queued.contains(&id) && done.insert(id), "{line}");
        } else if step.starts_with("leads:") {
            assert!(queued.contains(&id) && !done.contains(&id), "{line}");
            leaders.insert(id);
        } else if let Some(leader) = step.strip_prefix("folded into #") {
            let leader: u64 = leader.split('\'').next().unwrap().parse().unwrap();
            assert!(leaders.contains(&leader) && folded.insert(id), "{line}");
        } else if let Some(range) = step.strip_prefix("sequence ") {
            let (first, last) = range.split_once("..=").unwrap();
            assert_eq!(first.parse::<u64>().unwrap(), next_sequence, "{line}");
            next_sequence = last.parse::<u64>().unwrap() + 1;
        }
    }
    assert_eq!(done.len(), 80, "every write is done:\n{out}");
    assert_eq!(next_sequence, 81, "one sequence number per put, in order");
    assert_eq!(leaders.len() + folded.len(), 80);
    // Each write syncs: while a leader waits for its fsync the other threads queue behind it, and the next
    // leader writes their batches with its own.
    assert!(!folded.is_empty(), "group commit:\n{out}");
    assert!(out.ends_with(&format!(
        "80 writes by 4 threads: {} groups written by their leaders, {} writes folded into another writer's group\n",
        leaders.len(),
        folded.len()
    )));
}

#[test]
fn trace_several_writers_shows_group_commit() {
    several_writers(&["--sync"]);
}

#[test]
fn trace_several_writers_shows_group_commit_pipelined() {
    several_writers(&["--sync", "--pipelined_write"]);
}

#[test]
fn trace_refuses_an_unknown_operation() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    let (code, _, stderr) = oxldb(&["trace", &db, "--create_if_missing", "scan"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("oxldb: unknown operation scan"),
        "{stderr}"
    );
    let (code, _, stderr) = oxldb(&["trace", &db, "--threads=0"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("oxldb: --threads must be a positive integer"),
        "{stderr}"
    );
}
