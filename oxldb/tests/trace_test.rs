//! `oxldb trace`: the timeline of one put (checked line by line, and against the log file it wrote), of gets (each
//! file probed, the bloom filter's answers, the block cache, the seek charged), of a compaction (what each drop
//! rule removed), of several writer threads (every write must show its steps, group commit must show as writes
//! folded into another writer's group), `--only`, and the SVG of the writer queue. Durations are masked: the tests
//! check that a step shows one, never its value.

mod runner;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::{BloomFilterPolicy, Options, DB};
use runner::oxldb;

fn trace(args: &[&str]) -> String {
    let (code, stdout, stderr) = oxldb(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "oxldb {args:?}");
    String::from_utf8(stdout).unwrap()
}

/// The line's duration (` [12.3 µs]`, ` [1.52 ms]`, ` [1.02 s]` at its end) replaced by ` [duration]`; a line
/// without one is left as it is.
fn mask_line(line: &str) -> String {
    if let Some((text, last)) = line.rsplit_once(" [") {
        if let Some((number, unit)) = last.strip_suffix(']').and_then(|d| d.split_once(' ')) {
            if ["µs", "ms", "s"].contains(&unit) && number.parse::<f64>().is_ok() {
                return format!("{text} [duration]");
            }
        }
    }
    line.to_string()
}

/// `trace`'s output with every duration masked.
fn masked(out: &str) -> String {
    out.lines().map(|l| mask_line(l) + "\n").collect()
}

#[test]
fn mask_line_masks_only_a_duration() {
    assert_eq!(mask_line("[main] x [12.3 µs]"), "[main] x [duration]");
    assert_eq!(mask_line("[main] x [1.52 ms]"), "[main] x [duration]");
    assert_eq!(mask_line("[main] x [1.02 s]"), "[main] x [duration]");
    assert_eq!(mask_line("[main] x [a b]"), "[main] x [a b]");
    assert_eq!(
        mask_line("[main] level 1 [000005.ldb]"),
        "[main] level 1 [000005.ldb]"
    );
}

#[test]
fn trace_put_shows_each_step_of_one_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    let out = trace(&["trace", &db, "--create_if_missing", "put", "hello", "world"]);
    // The batch: a 12-byte header, then the tag, the key's length, "hello", the value's length, "world".
    let record = 12 + 1 + 1 + 5 + 1 + 5;
    assert_eq!(
        masked(&out),
        format!(
            "[main] manifest: new MANIFEST-000002: the whole version, then an edit adding 0 files and removing 0 \
             (8 bytes), synced; CURRENT now names it [duration]\n\
             [main] #1 queued: 1 entry, {record} bytes; 0 writers ahead\n\
             [main] #1 leads: at the front of the writer queue\n\
             [main] #1 make_room_for_write: room in the memtable (memtable 4104 of 4194304 bytes, 0 level-0 files)\n\
             [main] #1 group: #1 alone; 1 entry, {record} bytes\n\
             [main] #1 sequence 1..=1\n\
             [main] #1 log 000003.log: FULL @0 ({record} bytes) [duration]\n\
             [main] #1 memtable insert: 1 entry; memtable now 4104 bytes [duration]\n\
             [main] #1 no followers to wake; reads now see sequence 1\n\
             [main] #1 done: OK\n"
        )
    );
    // The log holds exactly that: one FULL record, a 7-byte header and the batch.
    let log = std::fs::metadata(dir.path().join("000003.log")).unwrap();
    assert_eq!(log.len(), 7 + record as u64);

    // A sync write syncs the log between the append and the memtable insert, and the sync shows its duration.
    let out = trace(&["trace", &db, "--sync", "put", "k2", "v2"]);
    let steps: Vec<String> = masked(&out)
        .lines()
        .filter_map(|l| l.split_once("#1 ").map(|(_, step)| step.to_string()))
        .collect();
    let log_at = steps.iter().position(|s| s.starts_with("log ")).unwrap();
    assert_eq!(
        steps[log_at + 1],
        "log 000006.log synced [duration]",
        "{out}"
    );
    assert!(steps[log_at + 2].starts_with("memtable insert"), "{out}");
}

#[test]
fn trace_get_shows_where_the_answer_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    trace(&["trace", &db, "--create_if_missing", "put", "hello", "world"]);
    // The reopen replays the log into a level-0 table: the value is now in a table, not in a memtable.
    let out = masked(&trace(&["trace", &db, "get", "hello"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert_eq!(
        lines[0],
        "[main] flush: table 000005.ldb, 122 bytes, to level 0 [duration]"
    );
    assert!(
        lines[1].starts_with("[main] manifest: new MANIFEST-000004: "),
        "{out}"
    );
    assert_eq!(
        lines[2],
        "[main] get hello at sequence 1: not in the memtables; 1 table file probed; found, 5 bytes [duration]"
    );
    // The flush opened the table to check it; "world" does not compress, so its block is read straight from the
    // memory map each time and never cached.
    assert_eq!(
        lines[3],
        "[main]   probe 1: 000005.ldb at level 0: table in the table cache; no bloom filter; block read from disk \
         (not cached: a raw block of a memory-mapped file is in memory already): the key's value"
    );
    assert_eq!(lines[4], "world");

    trace(&["trace", &db, "put", "fresh", "x"]);
    let out = trace(&["trace", &db, "get", "fresh", "missing"]);
    // Only the table whose key range holds "fresh" is probed.
    assert!(
        out.contains("] get fresh at sequence 2: not in the memtables; 1 table file probed; found"),
        "{out}"
    );
    assert!(out.ends_with("x\nKey not found\n"), "{out}");
    assert!(
        masked(&out).contains("] get missing at sequence 2: not in the memtables; 0 table files probed; not found [duration]\n"),
        "{out}"
    );
}

/// A database with two level-0 tables, both with bloom filters: 000005.ldb holds `a` and `c`, the newer
/// 000008.ldb (replayed from log 000006.log by the next open) holds `b` and `d`. The values compress, so their blocks are cached.
fn two_overlapping_tables(path: &Path) {
    let options = || Options {
        create_if_missing: true,
        filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
        ..Options::default()
    };
    let value = |k: &str| k.repeat(100);
    let db = DB::open(options(), path).unwrap();
    db.put("a", value("a")).unwrap();
    db.put("c", value("c")).unwrap();
    drop(db);
    // The reopen writes the log of a and c to table 5; b and d go to the new log, 6.
    let db = DB::open(options(), path).unwrap();
    db.put("b", value("b")).unwrap();
    db.put("d", value("d")).unwrap();
}

#[test]
fn trace_get_shows_each_file_probed_the_bloom_answers_the_cache_and_the_charged_seek() {
    let dir = tempfile::tempdir().unwrap();
    two_overlapping_tables(dir.path());
    let db = format!("--db={}", dir.path().display());
    let out = masked(&trace(&[
        "trace",
        &db,
        "--bloom_bits=10",
        "--only=get",
        "get",
        "c",
        "c",
    ]));
    let c = "c".repeat(100);
    assert_eq!(
        out,
        format!(
            // First read: the newer table, 000008.ldb (b, d), covers c but its filter says no; 000005.ldb holds it.
            "[main] get c at sequence 4: not in the memtables; 2 table files probed; found, 100 bytes [duration]\n\
             [main]   probe 1: 000008.ldb at level 0: table in the table cache; bloom filter: definitely not; no \
             block read: not there\n\
             [main]   probe 2: 000005.ldb at level 0: table opened (footer, index and filter read); bloom filter: \
             may match; block read from disk (now in the block cache): the key's value\n\
             [main]   seek charged to 000008.ldb (level 0), the first file probed, as the read probed more than \
             one: 99 allowed seeks left\n\
             [main] get c at sequence 4: not in the memtables; 2 table files probed; found, 100 bytes [duration]\n\
             [main]   probe 1: 000008.ldb at level 0: table in the table cache; bloom filter: definitely not; no \
             block read: not there\n\
             [main]   probe 2: 000005.ldb at level 0: table in the table cache; bloom filter: may match; block from \
             the block cache: the key's value\n\
             [main]   seek charged to 000008.ldb (level 0), the first file probed, as the read probed more than \
             one: 98 allowed seeks left\n\
             {c}\n{c}\n"
        )
    );
}

#[test]
fn trace_compact_shows_what_each_drop_rule_removed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let options = Options {
            create_if_missing: true,
            ..Options::default()
        };
        let db = DB::open(options, dir.path()).unwrap();
        db.put("a", "old").unwrap(); // 1: overwritten by 2, rule (A)
        db.put("a", "new").unwrap(); // 2: kept
        db.put("b", "gone").unwrap(); // 3: hidden by the deletion, rule (A)
        db.delete("b").unwrap(); // 4: nothing below it in deeper levels, rule (B)
        db.put("c", "only").unwrap(); // 5: kept
    }
    // The open replays the log into a level-0 table (every entry kept); the compaction of levels 0 to 1 drops.
    let db = format!("--db={}", dir.path().display());
    let out = masked(&trace(&[
        "trace",
        &db,
        "--only=flush,compaction",
        "compact",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "[main] flush: table 000005.ldb, 161 bytes, to level 0 [duration]",
            // compact_range flushes the memtable first: an empty one (LevelDB's CompactRange does the same).
            "[oxleveldb-bg] flush: nothing to keep [duration]",
            "[oxleveldb-bg] compaction: level 0 [000005.ldb] + level 1 [] -> level 1 [000009.ldb (132 bytes)] \
             [duration]",
            "[oxleveldb-bg]   5 entries read, smallest snapshot 5: 2 dropped as hidden by a newer entry (rule A), 1 \
             deletion marker dropped at the base level of its key (rule B), 2 kept",
        ],
        "{out}"
    );
}

#[test]
fn trace_only_prints_the_kinds_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    // 64 KiB memtables: 600 puts of about 140 bytes each switch memtables and flush a few times.
    let args = [
        "trace",
        &db,
        "--create_if_missing",
        "--threads=2",
        "--ops=600",
        "--write_buffer_size=65536",
    ];
    let all = trace(&args);
    let kind = |line: &str| {
        let text = line.split_once("] ").map_or(line, |(_, t)| t);
        if text.starts_with("flush:") {
            "flush"
        } else if text.starts_with("manifest:") {
            "manifest"
        } else if text.starts_with("compaction:")
            || text.starts_with("trivial move:")
            || text.starts_with("  ")
        {
            "compaction"
        } else if (text.contains(" make_room_for_write: ")
            && !text.contains(": room in the memtable"))
            || text.contains(" memtable switched: ")
        {
            "room"
        } else {
            "write"
        }
    };
    let lines: Vec<&str> = all.lines().filter(|l| l.starts_with('[')).collect();
    assert!(lines.iter().any(|l| kind(l) == "room"), "{all}");
    assert!(lines.iter().any(|l| kind(l) == "flush"), "{all}");
    let only = trace(&[&args[..], &["--only=room,flush"]].concat());
    let only_lines: Vec<&str> = only.lines().filter(|l| l.starts_with('[')).collect();
    assert!(!only_lines.is_empty());
    for line in &only_lines {
        assert!(["room", "flush"].contains(&kind(line)), "{line}");
    }
    // The summary is printed whatever is filtered.
    assert!(
        only.lines()
            .last()
            .unwrap()
            .starts_with("1200 writes by 2 threads: "),
        "{only}"
    );
    // Far fewer lines: every write's steps are left out.
    assert!(
        only_lines.len() * 20 < lines.len(),
        "{} of {}",
        only_lines.len(),
        lines.len()
    );

    let (code, _, stderr) = oxldb(&[&args[..], &["--only=flush,everything"]].concat());
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(
            "oxldb: unknown kind everything for --only: the kinds are write, room, get, flush, compaction, manifest\n"
        ),
        "{stderr}"
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
        } else if step.starts_with("log ") || step.starts_with("memtable insert") {
            assert!(
                mask_line(step).ends_with(" [duration]"),
                "a timed step: {line}"
            );
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

/// The values of attribute `name` in the elements of `svg` that start with `element` (`<g class="group"`).
fn attributes<'a>(svg: &'a str, element: &str, name: &str) -> Vec<&'a str> {
    svg.split(element)
        .skip(1)
        .map(|rest| {
            let rest = &rest[..rest.find('>').unwrap()];
            let value = rest.split(&format!(" {name}=\"")).nth(1).unwrap();
            &value[..value.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn trace_svg_draws_a_lane_per_thread_a_rect_per_step_and_each_group() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    let svg_path = dir.path().join("queue.svg");
    let svg_arg = format!("--svg={}", svg_path.display());
    let args = [
        "trace",
        &db,
        "--create_if_missing",
        "--threads=3",
        "--ops=4",
        "--sync",
        &svg_arg,
    ];
    let out = trace(&args);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" ") && svg.ends_with("</svg>\n")
    );
    assert_eq!(
        svg.matches("<g").count(),
        svg.matches("</g>").count(),
        "balanced groups"
    );

    // One lane per writer thread.
    assert_eq!(
        attributes(&svg, "<g class=\"lane\"", "data-thread"),
        ["writer-0", "writer-1", "writer-2"]
    );
    // The groups and their followers, as the lines tell them (in the order the groups were built, lane by lane).
    let mut groups_in_lines: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| {
            let (_, group) = l.split_once(" group: #")?;
            let members = group.split(';').next().unwrap();
            let (leader, followers) = match members.split_once(" + ") {
                Some((leader, rest)) => (leader, rest.split(" (").next().unwrap().replace('#', "")),
                None => (members.trim_end_matches(" alone"), String::new()),
            };
            Some((leader.to_string(), followers))
        })
        .collect();
    let leaders = attributes(&svg, "<g class=\"group\"", "data-leader");
    let followers = attributes(&svg, "<g class=\"group\"", "data-followers");
    let mut groups_in_svg: Vec<(String, String)> = leaders
        .iter()
        .zip(&followers)
        .map(|(l, f)| (l.to_string(), f.to_string()))
        .collect();
    groups_in_lines.sort();
    groups_in_svg.sort();
    assert_eq!(groups_in_svg, groups_in_lines);
    let groups = groups_in_svg.len();
    let folded: usize = followers.iter().map(|f| f.split_whitespace().count()).sum();
    assert_eq!(
        groups + folded,
        12,
        "every write leads a group or is folded into one"
    );

    // A rect per step: every writer waits in the queue; every group appends, syncs and inserts once; a wake-up
    // line per follower.
    let count = |class: &str| svg.matches(&format!("class=\"step {class}\"")).count();
    assert_eq!(count("wait"), 12);
    assert_eq!(
        (count("log"), count("sync"), count("insert")),
        (groups, groups, groups)
    );
    assert_eq!(svg.matches("<line class=\"wake\"").count(), folded);
    // Each group's steps in that order within the group's element.
    for group in svg.split("<g class=\"group\"").skip(1) {
        let group = &group[..group.find("</g>").unwrap()];
        let log = group.find("step log").unwrap();
        let sync = group.find("step sync").unwrap();
        let insert = group.find("step insert").unwrap();
        assert!(log < sync && sync < insert, "{group}");
    }

    // --svg alone prints the drawing instead of the lines.
    let out = trace(&["trace", &db, "--threads=2", "--ops=2", "--svg"]);
    assert!(
        out.starts_with("<svg ") && out.ends_with("</svg>\n"),
        "{out}"
    );
    // And --help names it, for the script that draws the book's figure.
    let help = trace(&["trace", "--help"]);
    assert!(help.contains("--svg=<file>"), "{help}");
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
