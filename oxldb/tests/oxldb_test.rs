//! oxldb's commands besides `dump` (which compat_logs.rs and compat_tables.rs check against leveldbutil): the file
//! tools `dump_wal`, `manifest_dump` and `sst_dump`, checked against what LevelDB 1.23's own dumps of the fixtures
//! say; the database commands; and the errors and exit statuses.

#[path = "../../tests/common/mod.rs"]
mod common;
mod runner;

use std::fs;
use std::path::{Path, PathBuf};

use common::testutil::{random_string, RANDOM_SEED};
use common::*;
use oxleveldb::env::default_env;
use oxleveldb::log::Writer;
use oxleveldb::util::coding::varint_length;
use oxleveldb::util::random::Random;
use oxleveldb::{Options, WriteBatch, DB};
use runner::*;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// `--name=<path>`.
fn flag(name: &str, path: &Path) -> String {
    format!("--{name}={}", path.display())
}

/// Runs oxldb and requires success and a quiet stderr; returns stdout.
fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = oxldb(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "oxldb {args:?}");
    text(stdout)
}

/// Writes `records` as a log file at `path`.
fn write_log(path: &Path, records: &[&[u8]]) {
    let mut writer = Writer::new(default_env().new_writable_file(path).unwrap());
    for record in records {
        writer.add_record(record).unwrap();
    }
}

fn batch(sequence: u64, puts: &[(&[u8], &[u8])], deletes: &[&[u8]]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for (key, value) in puts {
        batch.put(key, value);
    }
    for key in deletes {
        batch.delete(key);
    }
    batch.set_sequence(sequence);
    batch
}

#[test]
fn dump_wal_prints_the_example_of_the_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("000001.log");
    let first = batch(1, &[(b"a", b"1")], &[b"b"]);
    let second = batch(3, &[(b"\x00\xff", b"")], &[]);
    write_log(&log, &[first.contents(), second.contents()]);
    let walfile = flag("walfile", &log);

    assert_eq!(
        ok(&["dump_wal", &walfile]),
        "1,2,20,0,PUT(0) : 0x61 DELETE(0) : 0x62 \n3,1,17,27,PUT(0) : 0x00FF \n"
    );
    assert_eq!(
        ok(&["dump_wal", &walfile, "--header", "--print_value"]),
        "Sequence,Count,ByteSize,Physical Offset,Key(s) : value \n\
         1,2,20,0,PUT(0) : 0x61 : 0x31 DELETE(0) : 0x62 \n\
         3,1,17,27,PUT(0) : 0x00FF : 0x \n"
    );
}

#[test]
fn dump_wal_reports_short_records_and_bad_batches() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("000002.log");
    let good = batch(5, &[(b"k", b"v")], &[]);
    let mut bad = batch(6, &[(b"k", b"v")], &[]).contents().to_vec();
    bad.truncate(bad.len() - 1);
    write_log(&log, &[b"short", good.contents(), &bad, good.contents()]);

    // The short record and the bad batch are reported (LevelDB's error for the batch) as they are met, and the
    // record after them is still printed.
    let (code, stdout, stderr) = oxldb(&["dump_wal", &flag("walfile", &log)]);
    assert_eq!(code, 1);
    assert_eq!(
        text(stdout),
        "5,1,17,12,PUT(0) : 0x6B \n6,1,16,36,\n5,1,17,59,PUT(0) : 0x6B \n"
    );
    assert_eq!(
        stderr,
        "Corruption detected in log file Corruption: log record too small\n\
         Corruption: bad WriteBatch Put\n"
    );
}

/// The one file of fixture `name` that `matches`, and what leveldbutil printed for it.
fn file_and_dump(name: &str, matches: impl Fn(&str) -> bool) -> (PathBuf, String) {
    let file = fixture_files(name, matches).remove(0);
    let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
    match expected(name, &format!("dumps/{file_name}.txt")) {
        Some(Expected::Text(dump)) => (file, text(dump)),
        _ => panic!("{name}: the dump of {file_name} is in the fixture"),
    }
}

/// The rows `dump_wal --print_value` must print for a log, computed from what leveldbutil printed for it (the
/// fixtures' keys and values are printable, so leveldbutil printed them as they are).
fn wal_rows_from_leveldbutil_dump(dump: &str) -> String {
    let hex = |s: &str| format!("0x{}", hex(s.as_bytes()).to_uppercase());
    let mut rows = String::new();
    let mut row: Option<(String, u32, usize, String)> = None; // (sequence and offset, count, byte size, updates)
    let mut finish = |row: Option<(String, u32, usize, String)>| {
        if let Some((head, count, size, updates)) = row {
            let (offset, sequence) = head.split_once(' ').unwrap();
            rows.push_str(&format!("{sequence},{count},{size},{offset},{updates}\n"));
        }
    };
    for line in dump.lines() {
        if let Some(rest) = line.strip_prefix("--- offset ") {
            finish(row.take());
            let (offset, sequence) = rest.split_once("; sequence ").unwrap();
            row = Some((format!("{offset} {sequence}"), 0, 12, String::new()));
        } else if let Some(rest) = line.strip_prefix("  put '") {
            let (key, value) = rest.strip_suffix('\'').unwrap().split_once("' '").unwrap();
            let r = row.as_mut().unwrap();
            r.1 += 1;
            r.2 += 1 + varint_length(key.len() as u64) + key.len();
            r.2 += varint_length(value.len() as u64) + value.len();
            r.3.push_str(&format!("PUT(0) : {} : {} ", hex(key), hex(value)));
        } else if let Some(rest) = line.strip_prefix("  del '") {
            let key = rest.strip_suffix('\'').unwrap();
            let r = row.as_mut().unwrap();
            r.1 += 1;
            r.2 += 1 + varint_length(key.len() as u64) + key.len();
            r.3.push_str(&format!("DELETE(0) : {} ", hex(key)));
        } else {
            panic!("unexpected line in a fixture's log dump: {line}");
        }
    }
    finish(row);
    rows
}

#[test]
fn dump_wal_agrees_with_leveldbutil_on_the_fixture_logs() {
    for name in fixture_names() {
        let (log, dump) = file_and_dump(&name, |f| f.ends_with(".log"));
        let rows = wal_rows_from_leveldbutil_dump(&dump);
        assert!(rows.lines().count() > 1, "{name}");
        assert_eq!(
            ok(&["dump_wal", &flag("walfile", &log), "--print_value"]),
            rows,
            "{name}"
        );
    }
}

/// `'<key>' @ <seq> : <type>` (LevelDB's internal key debug string) as `'<key>' seq:<seq>, type:<type>`.
fn rocksdb_key(leveldb_key: &str) -> String {
    leveldb_key
        .replace("' @ ", "' seq:")
        .replace(" : ", ", type:")
}

#[test]
fn manifest_dump_shows_leveldbs_edits_and_the_files_they_leave() {
    for name in fixture_names() {
        let (manifest, dump) = file_and_dump(&name, |f| f.starts_with("MANIFEST-"));
        let output = ok(&["manifest_dump", &flag("path", &manifest)]);

        // First the edits, exactly as leveldbutil prints them but for its offsets.
        let edits: String = dump
            .lines()
            .map(|line| match line.strip_prefix("--- offset ") {
                Some(rest) => format!("{}\n", rest.split_once("; ").unwrap().1),
                None => format!("{line}\n"),
            })
            .collect();
        let levels = output
            .strip_prefix(&edits)
            .unwrap_or_else(|| panic!("{name}: the edits differ:\n{output}\nLevelDB's:\n{edits}"));

        // Then every file added and not removed, on its level, with its size on disk and its keys.
        let mut expected_files = Vec::new();
        let (mut next_file, mut last_sequence, mut prev_log_number) = ("", "", "0");
        for line in edits.lines() {
            let line = line.trim_start();
            if let Some(rest) = line.strip_prefix("AddFile: ") {
                let mut parts = rest.splitn(4, ' ');
                let (level, number, size, keys) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                let (smallest, largest) = keys.split_once(" .. ").unwrap();
                let line = format!(
                    " {number}:{size}[{} .. {}]",
                    rocksdb_key(smallest),
                    rocksdb_key(largest)
                );
                expected_files.push((level.to_string(), number.to_string(), line));
            } else if let Some(rest) = line.strip_prefix("RemoveFile: ") {
                let (level, number) = rest.split_once(' ').unwrap();
                expected_files.retain(|(l, n, _)| (l.as_str(), n.as_str()) != (level, number));
            } else if let Some(n) = line.strip_prefix("NextFile: ") {
                next_file = n;
            } else if let Some(n) = line.strip_prefix("LastSeq: ") {
                last_sequence = n;
            } else if let Some(n) = line.strip_prefix("PrevLogNumber: ") {
                prev_log_number = n;
            }
        }
        let mut files = Vec::new();
        let mut level = String::new();
        let mut lines = levels.lines();
        for line in lines.by_ref().take(7 + expected_files.len()) {
            if let Some(rest) = line.strip_prefix("--- level ") {
                level = rest.strip_suffix(" ---").unwrap().to_string();
            } else {
                let (number, rest) = line.trim_start().split_once(':').unwrap();
                let size: u64 = rest.split_once('[').unwrap().0.parse().unwrap();
                let table =
                    manifest.with_file_name(format!("{:06}.ldb", number.parse::<u64>().unwrap()));
                assert_eq!(fs::metadata(&table).unwrap().len(), size, "{name}: {line}");
                files.push((level.clone(), number.to_string(), line.to_string()));
            }
        }
        expected_files.sort();
        files.sort();
        assert_eq!(files, expected_files, "{name}");
        assert_eq!(
            lines.collect::<Vec<_>>(),
            [format!(
                "next_file_number {next_file} last_sequence {last_sequence} prev_log_number {prev_log_number}"
            )],
            "{name}"
        );
    }
}

/// A line of `sst_dump`, `'<key>' seq:<N>, type:<T> => <value>`, as leveldbutil prints the entry.
fn leveldbutil_table_line(line: &str) -> String {
    let (key, rest) = line.split_once("' seq:").unwrap();
    let (sequence, rest) = rest.split_once(", type:").unwrap();
    let (kind, value) = rest.split_once(" => ").unwrap();
    let kind = match kind {
        "1" => "val",
        "0" => "del",
        other => panic!("type {other}"),
    };
    format!("{key}' @ {sequence} : {kind} => '{value}'\n")
}

#[test]
fn sst_dump_scans_and_checks_the_fixture_tables() {
    let mut compared = 0;
    for name in fixture_names() {
        for table in fixture_files(&name, |f| f.ends_with(".ldb")) {
            let file_name = table.file_name().unwrap().to_string_lossy().into_owned();
            let file = flag("file", &table);
            if file_name == "000158.ldb" {
                // The output of a compaction LevelDB was still writing when the database closed.
                let (code, _, stderr) = oxldb(&["sst_dump", &file]);
                assert_eq!(
                    (code, stderr.as_str()),
                    (1, "Corruption: not an sstable (bad magic number)\n")
                );
                continue;
            }
            let scan = ok(&["sst_dump", &file]);
            assert_eq!(scan, ok(&["sst_dump", &file, "--command=scan"]));
            let entries = scan.lines().count();
            assert_eq!(
                ok(&["sst_dump", &file, "--command=check"]),
                format!("{}: OK, {entries} entries\n", table.display())
            );
            let relative = format!("dumps/{file_name}.txt");
            if expected(&name, &relative).is_some() {
                let as_leveldbutil: String = scan.lines().map(leveldbutil_table_line).collect();
                assert_matches_leveldb(&name, &relative, as_leveldbutil.as_bytes());
                compared += 1;
            }
        }
    }
    assert!(compared >= 8, "{compared} tables compared with leveldbutil");
}

#[test]
fn sst_dump_prints_hex_and_check_finds_a_bad_checksum() {
    let table = fixture_files("uncompressed", |f| f.ends_with(".ldb")).remove(0);
    let hex_scan = ok(&["sst_dump", &flag("file", &table), "--output_hex"]);
    let first = hex_scan.lines().next().unwrap();
    let scan = ok(&["sst_dump", &flag("file", &table)]);
    let (key, value) = scan.lines().next().unwrap().split_once(" => ").unwrap();
    let user_key = key.strip_prefix('\'').unwrap().split_once('\'').unwrap().0;
    let seq_and_type = key.split_once("' ").unwrap().1;
    assert_eq!(
        first,
        format!(
            "'0x{}' {seq_and_type} => 0x{}",
            hex(user_key.as_bytes()).to_uppercase(),
            hex(value.as_bytes()).to_uppercase()
        )
    );

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("000005.ldb");
    let mut data = fs::read(&table).unwrap();
    data[100] ^= 0x80;
    fs::write(&copy, data).unwrap();
    let (code, stdout, stderr) = oxldb(&["sst_dump", &flag("file", &copy), "--command=check"]);
    assert_eq!(
        (code, stdout.len(), stderr.as_str()),
        (1, 0, "Corruption: block checksum mismatch\n")
    );
}

/// `scan --hex` output as the fixtures' expected.txt writes the contents: `<hex key> <hex value>`, lowercase.
fn as_expected_txt(scan: &str) -> String {
    scan.lines()
        .map(|line| {
            let (key, value) = line.split_once(" ==> ").unwrap();
            let digits = |h: &str| h.strip_prefix("0x").unwrap().to_lowercase();
            format!("{} {}\n", digits(key), digits(value))
        })
        .collect()
}

#[test]
fn scan_reads_leveldbs_databases_and_load_writes_them_back() {
    for name in fixture_names() {
        let dir = copy_fixture_db(&name);
        let scan = ok(&["scan", &flag("db", dir.path()), "--hex"]);
        assert_matches_leveldb(&name, "expected.txt", as_expected_txt(&scan).as_bytes());
        if name == "basic-snappy" || name == "large-values" {
            let copy = tempfile::tempdir().unwrap();
            let db = flag("db", &copy.path().join("db"));
            let (code, stdout, stderr) = oxldb_with_input(
                &["load", &db, "--create_if_missing", "--hex"],
                scan.as_bytes(),
            );
            assert_eq!((code, stdout.len(), stderr.as_str()), (0, 0, ""));
            assert!(ok(&["scan", &db, "--hex"]) == scan, "{name}");
        }
    }
}

#[test]
fn load_and_scan_round_trip_any_bytes_in_hex_and_text_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = flag("db", &dir.path().join("binary"));
    let entries: [(&[u8], &[u8]); 4] = [
        (b"", b"empty key"),
        (b"\x00\xff", b"\x00"),
        (b"a ==> b", b"line\nbreak"),
        (b"\xff\xff\xff", b""),
    ];
    let input: String = entries
        .iter()
        .rev()
        .map(|(k, v)| format!("0x{} ==> 0x{}\n", hex(k), hex(v)))
        .collect();
    let (code, _, stderr) = oxldb_with_input(
        &["load", &db, "--create_if_missing", "--hex"],
        input.as_bytes(),
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    let expected: String = entries
        .iter()
        .map(|(k, v)| {
            format!(
                "0x{} ==> 0x{}\n",
                hex(k).to_uppercase(),
                hex(v).to_uppercase()
            )
        })
        .collect();
    assert_eq!(ok(&["scan", &db, "--hex"]), expected);
    assert_eq!(
        ok(&["scan", &db, "--key_hex", "--max_keys=2"]),
        "0x ==> empty key\n0x00FF ==> \x00\n"
    );

    // Text goes as it is; lines without the separator are counted, `Keys in range:` lines skipped.
    let db = flag("db", &dir.path().join("text"));
    let input = "k2 ==> two ==> 2\nno separator\nKeys in range: 2\nk1 ==> one\n";
    let (code, stdout, stderr) =
        oxldb_with_input(&["load", &db, "--create_if_missing"], input.as_bytes());
    assert_eq!(
        (code, text(stdout), stderr.as_str()),
        (
            0,
            String::new(),
            "line 2: no ' ==> ' between a key and a value: 'no separator'\n\
             Warning: 1 bad lines ignored.\n"
        )
    );
    let scan = ok(&["scan", &db]);
    assert_eq!(scan, "k1 ==> one\nk2 ==> two ==> 2\n");
    let again = flag("db", &dir.path().join("again"));
    let (code, _, _) = oxldb_with_input(&["load", &again, "--create_if_missing"], scan.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(ok(&["scan", &again]), scan);
    assert_eq!(ok(&["scan", &again, "--from=k2"]), "k2 ==> two ==> 2\n");
    assert_eq!(ok(&["scan", &again, "--to=k2"]), "k1 ==> one\n");
    assert_eq!(ok(&["scan", &again, "--max_keys=0"]), "");
}

#[test]
fn get_put_delete_batchput_and_idump() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = flag("db", &path);

    let (code, stdout, stderr) = oxldb(&["put", &db, "k", "v"]);
    assert_eq!((code, stdout.len()), (1, 0));
    assert_eq!(
        stderr,
        format!(
            "Invalid argument: {}: does not exist (create_if_missing is false)\n",
            path.display()
        )
    );

    assert_eq!(
        ok(&["batchput", &db, "a", "1", "b", "2", "--create_if_missing"]),
        "OK\n"
    );
    assert_eq!(ok(&["delete", &db, "a"]), "OK\n");
    assert_eq!(ok(&["get", &db, "b"]), "2\n");
    assert_eq!(ok(&["get", &db, "--hex", "0x62"]), "0x32\n");
    assert_eq!(ok(&["get", &db, "--value_hex", "b"]), "0x32\n");
    let (code, stdout, stderr) = oxldb(&["get", &db, "a"]);
    assert_eq!(
        (code, text(stdout), stderr.as_str()),
        (1, "Key not found\n".to_string(), "")
    );

    // Each version of each key: a's deletion (seq 3) shadows its value (seq 1).
    assert_eq!(
        ok(&["idump", &db]),
        "'a' seq:3, type:0 => \n'a' seq:1, type:1 => 1\n'b' seq:2, type:1 => 2\nInternal keys in range: 3\n"
    );
    assert_eq!(
        ok(&["idump", &db, "--from=b"]),
        "'b' seq:2, type:1 => 2\nInternal keys in range: 1\n"
    );
    assert_eq!(
        ok(&["idump", &db, "--to=0x62", "--max_keys=1", "--hex"]),
        "'0x61' seq:3, type:0 => 0x\nInternal keys in range: 1\n"
    );

    assert_eq!(ok(&["put", &db, "--key_hex", "0x00", "zero"]), "OK\n");
    assert_eq!(
        ok(&["scan", &db, "--key_hex"]),
        "0x00 ==> zero\n0x62 ==> 2\n"
    );
}

#[test]
fn approxsize_compact_get_property_checkconsistency_repair_destroy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = flag("db", &path);
    {
        let options = Options {
            create_if_missing: true,
            ..Options::default()
        };
        let database = DB::open(options, &path).unwrap();
        let mut rnd = Random::new(RANDOM_SEED);
        for i in 0..200 {
            let key = format!("k{i:03}");
            database
                .put(key.as_bytes(), random_string(&mut rnd, 1000))
                .unwrap();
        }
    }
    assert_eq!(ok(&["compact", &db]), "");
    assert_eq!(
        ok(&["get_property", &db, "leveldb.num-files-at-level0"]),
        "leveldb.num-files-at-level0: 0\n"
    );
    let stats = ok(&["get_property", &db, "leveldb.stats"]);
    assert!(
        stats.starts_with("leveldb.stats: ") && stats.contains(" Compactions\n"),
        "{stats}"
    );
    let size = |args: &[&str]| -> u64 {
        let mut all = vec!["approxsize", db.as_str()];
        all.extend_from_slice(args);
        ok(&all).trim_end().parse().unwrap()
    };
    let all = size(&[]);
    assert!((190_000..230_000).contains(&all), "{all}");
    let half = size(&["--from=k100", "--to=k200"]);
    assert!(half > all / 4 && half < all * 3 / 4, "{half} of {all}");
    assert_eq!(size(&["--from=k100", "--to=k100"]), 0);
    assert_eq!(size(&["--key_hex", "--to=0x6B313030"]), all - half);

    assert_eq!(ok(&["checkconsistency", &db]), "OK\n");
    assert_eq!(ok(&["repair", &db]), "OK\n");
    assert_eq!(
        ok(&["scan", &db, "--from=k199"]).len(),
        "k199 ==> ".len() + 1001
    );

    // A flipped byte in a table is found by the checksums.
    let table = fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ldb"))
        .unwrap();
    let mut data = fs::read(&table).unwrap();
    data[10] ^= 0x80;
    fs::write(&table, data).unwrap();
    let (code, _, stderr) = oxldb(&["checkconsistency", &db]);
    assert_eq!(
        (code, stderr.as_str()),
        (1, "Corruption: block checksum mismatch\n")
    );

    assert_eq!(ok(&["destroy", &db]), "OK\n");
    // Only the folder where repair archived the old MANIFEST is left, as with LevelDB.
    let left: Vec<_> = fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["lost"]);
}

#[test]
fn database_errors_print_leveldbs_text_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = flag("db", dir.path());
    ok(&["put", &db, "k", "v", "--create_if_missing"]);

    let (code, _, stderr) = oxldb(&["get_property", &db, "leveldb.nosuch"]);
    assert_eq!(
        (code, stderr.as_str()),
        (1, "failed to get property: leveldb.nosuch\n")
    );

    // The database is locked while another process has it open: LevelDB's error, then what it means.
    let open = DB::open(Options::default(), dir.path()).unwrap();
    let (code, _, stderr) = oxldb(&["put", &db, "k", "w"]);
    assert_eq!(code, 1);
    let (error, hint) = stderr.split_once('\n').unwrap();
    assert!(
        error.starts_with(&format!("IO error: lock {}/LOCK: ", dir.path().display())),
        "{stderr}"
    );
    assert_eq!(
        hint,
        "oxldb: another process has the database open (or it is open in this one); read commands (get, scan, \
         idump, approxsize, get_property, checkconsistency) don't need the lock\n"
    );
    drop(open);

    let missing = dir.path().join("000042.log");
    let (code, _, stderr) = oxldb(&["dump_wal", &flag("walfile", &missing)]);
    assert_eq!(
        (code, stderr),
        (
            1,
            format!(
                "NotFound: {}: No such file or directory\n",
                missing.display()
            )
        )
    );
    let manifest = fixture_files("basic-snappy", |f| f.starts_with("MANIFEST-")).remove(0);
    let mut data = fs::read(&manifest).unwrap();
    data[20] ^= 0x80;
    let corrupt = dir.path().join("MANIFEST-000009");
    fs::write(&corrupt, data).unwrap();
    let (code, stdout, stderr) = oxldb(&["manifest_dump", &flag("path", &corrupt)]);
    assert_eq!(
        (code, stdout.len(), stderr.as_str()),
        (1, 0, "Corruption: checksum mismatch\n")
    );
    let (code, _, stderr) = oxldb(&["sst_dump", &flag("file", &dir.path().join("CURRENT"))]);
    assert_eq!(
        (code, stderr.as_str()),
        (1, "Corruption: file is too short to be an sstable\n")
    );
}

const COMMANDS: [&str; 17] = [
    "dump",
    "dump_wal",
    "manifest_dump",
    "sst_dump",
    "get",
    "put",
    "delete",
    "batchput",
    "scan",
    "load",
    "idump",
    "approxsize",
    "compact",
    "repair",
    "destroy",
    "checkconsistency",
    "get_property",
];

#[test]
fn help_explains_every_command() {
    let usage = ok(&["--help"]);
    for command in COMMANDS {
        assert!(
            usage.contains(&format!("\n  {command} ")),
            "{command} in {usage}"
        );
        let help = ok(&[command, "--help"]);
        assert!(
            help.starts_with(&format!("Usage: oxldb {command} ")),
            "{help}"
        );
        assert!(help.lines().count() >= 3, "{help}");
    }
}

#[test]
fn bad_command_lines_print_one_error_line_and_the_usage_with_exit_status_2() {
    let cases: [(&[&str], &str); 12] = [
        (&["frob"], "unknown command frob"),
        (&["get", "k"], "--db=<path> is required"),
        (&["get", "--db=x"], "expected one <key>"),
        (&["get", "--db=x", "a", "b"], "expected one <key>"),
        (
            &["get", "--db=x", "--bogus", "k"],
            "unknown flag --bogus for get",
        ),
        (&["get", "--db=x", "--hex=1", "k"], "--hex takes no value"),
        (&["get", "--db", "k"], "--db needs a value: --db=..."),
        (
            &["get", "--db=x", "--key_hex", "6B"],
            "invalid hex input 6B: it must be 0x followed by pairs of hex digits",
        ),
        (
            &["batchput", "--db=x", "a", "1", "b"],
            "expected one or more <key> <value> pairs",
        ),
        (
            &["scan", "--db=x", "--max_keys=-1"],
            "--max_keys must be a non-negative integer",
        ),
        (
            &["sst_dump", "--file=x", "--command=raw"],
            "--command must be scan or check",
        ),
        (
            &["dump_wal", "--walfile=x.txt"],
            "x.txt: invalid log file name (it must end with .log)",
        ),
    ];
    for (args, message) in cases {
        let (code, stdout, stderr) = oxldb(args);
        assert_eq!((code, stdout.len()), (2, 0), "{args:?}");
        let (first, usage) = stderr.split_once('\n').unwrap();
        assert_eq!(first, format!("oxldb: {message}"), "{args:?}");
        let expected_usage = if args[0] == "frob" {
            "Usage: oxldb COMMAND".to_string()
        } else {
            format!("Usage: oxldb {} ", args[0])
        };
        assert!(usage.starts_with(&expected_usage), "{args:?}: {usage}");
    }
    // `--` ends the flags: a key may start with `--`.
    let dir = tempfile::tempdir().unwrap();
    let db = flag("db", dir.path());
    assert_eq!(
        ok(&["put", &db, "--create_if_missing", "--", "--key", "v"]),
        "OK\n"
    );
    assert_eq!(ok(&["get", &db, "--", "--key"]), "v\n");
}
