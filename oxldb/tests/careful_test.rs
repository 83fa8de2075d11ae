//! oxldb as a careful tool: `--version` and `-h`; the file commands exit 1 on corrupt input (a flipped byte, a
//! file cut short) after printing what they could read; `dump --type`; `load`'s reports of bad lines; progress on
//! stderr only on a terminal (or when `OXLDB_PROGRESS` asks).

#[path = "../../tests/common/mod.rs"]
mod common;
mod runner;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use runner::*;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// Runs oxldb and requires success and a quiet stderr; returns stdout.
fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = oxldb(args);
    assert_eq!((code, stderr.as_str()), (0, ""), "oxldb {args:?}");
    text(stdout)
}

/// Runs oxldb and requires exit status 1; returns stdout and stderr.
fn fails(args: &[&str]) -> (String, String) {
    let (code, stdout, stderr) = oxldb(args);
    assert_eq!(code, 1, "oxldb {args:?}: {stderr}");
    (text(stdout), stderr)
}

/// Asserts that `stderr` reports a record cut off at the end of `file`.
fn assert_cut_reported(stderr: &str, file: &Path) {
    let report = format!(
        "{}: incomplete record at the end of the file: ",
        file.display()
    );
    assert!(
        stderr.starts_with(&report) && stderr.ends_with(" bytes dropped\n"),
        "{stderr}"
    );
}

/// Copies fixture `name`'s file that `matches` into `dir` (under the same name), and makes two damaged copies,
/// in directories of their own: one with byte `len - 3` flipped, one without its last 3 bytes. Returns (sound,
/// flipped, cut).
fn damaged_copies(dir: &Path, name: &str, matches: impl Fn(&str) -> bool) -> [PathBuf; 3] {
    let original = fixture_files(name, matches).remove(0);
    let file_name = original.file_name().unwrap();
    let data = fs::read(&original).unwrap();
    let mut flipped = data.clone();
    flipped[data.len() - 3] ^= 0x01;
    let cut = &data[..data.len() - 3];
    let copies: [(&str, &[u8]); 3] = [("sound", &data), ("flipped", &flipped), ("cut", cut)];
    copies.map(|(sub, bytes)| {
        fs::create_dir_all(dir.join(sub)).unwrap();
        let path = dir.join(sub).join(file_name);
        fs::write(&path, bytes).unwrap();
        path
    })
}

/// `s` up to the start of its last line that starts with `prefix`.
fn before_last<'a>(s: &'a str, prefix: &str) -> &'a str {
    &s[..s.rfind(&format!("\n{prefix}")).unwrap() + 1]
}

#[test]
fn version_and_short_help() {
    assert_eq!(
        ok(&["--version"]),
        format!("oxldb {} (LevelDB 1.23 files)\n", env!("CARGO_PKG_VERSION"))
    );
    let usage = ok(&["--help"]);
    assert!(usage.starts_with("Usage: oxldb COMMAND"), "{usage}");
    assert_eq!(ok(&["-h"]), usage);
    for command in ["dump", "get", "scan", "load", "compact", "checkconsistency"] {
        let help = ok(&[command, "--help"]);
        assert!(help.starts_with(&format!("Usage: oxldb {command} ")));
        assert_eq!(ok(&[command, "-h"]), help);
        if command != "dump" {
            assert_eq!(ok(&[command, "--db=/nonexistent", "-h"]), help);
        }
    }
    // After `--`, `-h` is a key.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().display());
    assert_eq!(
        ok(&["put", &db, "--create_if_missing", "--", "-h", "v"]),
        "OK\n"
    );
    assert_eq!(ok(&["get", &db, "--", "-h"]), "v\n");
    let (code, _, stderr) = oxldb(&["get", &db, "--version"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("oxldb: unknown flag --version for get\n"));
}

#[test]
fn dump_of_a_damaged_log_or_manifest_exits_1_after_what_it_could_read() {
    let dir = tempfile::tempdir().unwrap();
    let logs = damaged_copies(&dir.path().join("log"), "basic-snappy", |f| {
        f.ends_with(".log")
    });
    let manifests = damaged_copies(&dir.path().join("manifest"), "multilevel-bloom", |f| {
        f.starts_with("MANIFEST-")
    });
    for [sound, flipped, cut] in [logs, manifests] {
        let whole = ok(&["dump", sound.to_str().unwrap()]);
        let before_last_record = before_last(&whole, "--- offset ");
        // The logs have many records; a MANIFEST, a snapshot of the version and the edits since the last open.
        assert!(before_last_record.starts_with("--- offset 0; "));

        // The last record fails its checksum: LevelDB's dump says so in its output.
        let (code, stdout, stderr) = oxldb(&["dump", flipped.to_str().unwrap()]);
        let last_offset: u64 = whole[before_last_record.len() + "--- offset ".len()..]
            .split_once(';')
            .unwrap()
            .0
            .parse()
            .unwrap();
        let dropped = fs::metadata(&flipped).unwrap().len() - last_offset;
        assert_eq!(
            (code, text(stdout), stderr.as_str()),
            (
                1,
                format!(
                    "{before_last_record}corruption: {dropped} bytes; Corruption: checksum mismatch\n"
                ),
                ""
            ),
            "{}",
            flipped.display()
        );

        // The last record is cut short: LevelDB's reader drops it without a word; the tool says it.
        let (code, stdout, stderr) = oxldb(&["dump", cut.to_str().unwrap()]);
        assert_eq!(
            (code, text(stdout), stderr),
            (
                1,
                before_last_record.to_string(),
                format!(
                    "{}: incomplete record at the end of the file: {} bytes dropped\n",
                    cut.display(),
                    dropped - 3
                )
            )
        );
    }
}

#[test]
fn dump_of_a_damaged_table_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let [sound, _, cut] = damaged_copies(dir.path(), "uncompressed", |f| f.ends_with(".ldb"));
    let whole = ok(&["dump", sound.to_str().unwrap()]);

    // A flipped byte in a data block: LevelDB's dump prints the entry as it reads it (it does not verify
    // checksums); the tool then finds the bad block.
    let flipped = dir.path().join("000005.ldb");
    let mut data = fs::read(&sound).unwrap();
    data[100] ^= 0x01;
    fs::write(&flipped, data).unwrap();
    let (code, stdout, stderr) = oxldb(&["dump", flipped.to_str().unwrap()]);
    let stdout = text(stdout);
    assert_eq!(stdout.lines().count(), whole.lines().count());
    assert_ne!(stdout, whole);
    assert_eq!(
        (code, stderr),
        (
            1,
            format!(
                "{}: Corruption: block checksum mismatch\n",
                flipped.display()
            )
        )
    );

    // Cut short, it is no table at all.
    let (code, stdout, stderr) = oxldb(&["dump", cut.to_str().unwrap()]);
    assert_eq!(
        (code, stdout.len(), stderr.as_str()),
        (1, 0, "Corruption: not an sstable (bad magic number)\n")
    );
    // Other files are still dumped, and the status stays 1.
    let (code, stdout, _) = oxldb(&["dump", cut.to_str().unwrap(), sound.to_str().unwrap()]);
    assert_eq!((code, text(stdout)), (1, whole));
}

#[test]
fn dump_wal_and_manifest_dump_exit_1_after_what_they_could_read() {
    let dir = tempfile::tempdir().unwrap();
    let [sound, flipped, cut] = damaged_copies(&dir.path().join("log"), "basic-snappy", |f| {
        f.ends_with(".log")
    });
    let walfile = |path: &Path| format!("--walfile={}", path.display());
    let rows = ok(&["dump_wal", &walfile(&sound)]);
    let rows_before_last = &rows[..rows[..rows.len() - 1].rfind('\n').unwrap() + 1];
    assert_eq!(
        fails(&["dump_wal", &walfile(&flipped)]),
        (
            rows_before_last.to_string(),
            "Corruption detected in log file Corruption: checksum mismatch\n".to_string()
        )
    );
    let (stdout, stderr) = fails(&["dump_wal", &walfile(&cut)]);
    assert_eq!(stdout, rows_before_last);
    assert_cut_reported(&stderr, &cut);

    let [sound, flipped, cut] =
        damaged_copies(&dir.path().join("manifest"), "multilevel-bloom", |f| {
            f.starts_with("MANIFEST-")
        });
    let path = |path: &Path| format!("--path={}", path.display());
    let whole = ok(&["manifest_dump", &path(&sound)]);
    let edits = &whole[..whole.find("--- level 0 ---\n").unwrap()];
    let edits_before_last = before_last(edits, "VersionEdit {");
    assert!(edits_before_last.starts_with("VersionEdit {\n  Comparator: "));
    // A corrupt record stops it after the edits before it, as it stops LevelDB's open: no files are shown.
    assert_eq!(
        fails(&["manifest_dump", &path(&flipped)]),
        (
            edits_before_last.to_string(),
            "Corruption: checksum mismatch\n".to_string()
        )
    );
    // A record cut off at the end is what LevelDB's open ignores: the files are shown without it, then the
    // report.
    let (stdout, stderr) = fails(&["manifest_dump", &path(&cut)]);
    assert!(stdout.starts_with(edits_before_last), "{stdout}");
    assert!(stdout[edits_before_last.len()..].starts_with("--- level 0 ---\n"));
    assert!(stdout.contains("\nnext_file_number "), "{stdout}");
    assert_cut_reported(&stderr, &cut);
}

#[test]
fn sst_dump_prints_the_entries_of_the_sound_blocks_of_a_damaged_table() {
    let dir = tempfile::tempdir().unwrap();
    let [sound, _, cut] = damaged_copies(dir.path(), "uncompressed", |f| f.ends_with(".ldb"));
    let file = |path: &Path| format!("--file={}", path.display());
    let whole = ok(&["sst_dump", &file(&sound)]);
    let flipped = dir.path().join("000005.ldb");
    let mut data = fs::read(&sound).unwrap();
    data[100] ^= 0x01;
    fs::write(&flipped, data).unwrap();
    for command in ["--command=scan", "--command=check"] {
        let (code, stdout, stderr) = oxldb(&["sst_dump", &file(&flipped), command]);
        assert_eq!(
            (code, stderr.as_str()),
            (1, "Corruption: block checksum mismatch\n"),
            "{command}"
        );
        let stdout = text(stdout);
        if command == "--command=scan" {
            // The first block is skipped; every entry of the others is printed as it is.
            let printed = stdout.lines().count();
            assert!(printed > 0 && printed < whole.lines().count(), "{printed}");
            assert!(whole.ends_with(&stdout));
        } else {
            assert_eq!(stdout, "");
        }
    }
    let (code, stdout, stderr) = oxldb(&["sst_dump", &file(&cut)]);
    assert_eq!(
        (code, stdout.len(), stderr.as_str()),
        (1, 0, "Corruption: not an sstable (bad magic number)\n")
    );
}

#[test]
fn dump_type_names_the_type_of_a_file_named_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    type Matches = fn(&str) -> bool;
    let kinds: [(&str, Matches); 3] = [
        ("log", |f| f.ends_with(".log")),
        ("manifest", |f| f.starts_with("MANIFEST-")),
        ("table", |f| f.ends_with(".ldb")),
    ];
    for (kind, matches) in kinds {
        let original = fixture_files("basic-snappy", matches).remove(0);
        let renamed = dir.path().join(format!("{kind}.bin"));
        fs::copy(&original, &renamed).unwrap();
        let renamed = renamed.to_str().unwrap();
        let (code, _, stderr) = oxldb(&["dump", renamed]);
        assert_eq!(
            (code, stderr),
            (
                1,
                format!(
                    "Invalid argument: {renamed}: unknown file type\n\
                     oxldb: name the type of a file named otherwise with --type=log|manifest|table\n"
                )
            )
        );
        let flag = format!("--type={kind}");
        assert_eq!(
            ok(&["dump", &flag, renamed]),
            ok(&["dump", original.to_str().unwrap()])
        );
        // Errors name the file itself.
        let missing = dir.path().join("missing");
        let (code, _, stderr) = oxldb(&["dump", &flag, missing.to_str().unwrap()]);
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
    }
    let (code, _, stderr) = oxldb(&["dump", "--type=sst", "x"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("oxldb: --type must be log, manifest or table\nUsage: oxldb dump "));
}

#[test]
fn load_reports_bad_lines_and_fails_when_it_read_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("--db={}", dir.path().join("db").display());
    let input = "0x61 ==> 0x31\nno separator\n0xZZ ==> 0x00\nKeys in range: 1\n0x62 ==> 0x3\n0x63 ==> 0x33\n";
    let (code, stdout, stderr) = oxldb_with_input(
        &["load", &db, "--create_if_missing", "--hex"],
        input.as_bytes(),
    );
    assert_eq!(
        (code, text(stdout), stderr),
        (
            0,
            String::new(),
            "line 2: no ' ==> ' between a key and a value: 'no separator'\n\
             line 3: bad hex: 0x and pairs of hex digits expected: '0xZZ ==> 0x00'\n\
             line 5: bad hex: 0x and pairs of hex digits expected: '0x62 ==> 0x3'\n\
             Warning: 3 bad lines ignored.\n"
                .to_string()
        )
    );
    assert_eq!(ok(&["scan", &db]), "a ==> 1\nc ==> 3\n");

    // A long bad line is shown by its start.
    let long = format!("{}\n", "x".repeat(100));
    let (code, _, stderr) = oxldb_with_input(&["load", &db], long.as_bytes());
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(&format!(
            "line 1: no ' ==> ' between a key and a value: '{}'...\n",
            "x".repeat(60)
        )),
        "{stderr}"
    );

    // Nothing loaded: the input was not what load takes.
    let nothing =
        "oxldb: load read no entries (it takes `<key> ==> <value>` lines, as scan prints them)\n";
    for input in ["", "Keys in range: 0\n", "a\tb\n"] {
        let (code, stdout, stderr) = oxldb_with_input(&["load", &db], input.as_bytes());
        assert_eq!((code, stdout.len()), (1, 0), "{input:?}");
        assert!(stderr.ends_with(nothing), "{input:?}: {stderr}");
    }
    assert_eq!(ok(&["scan", &db]), "a ==> 1\nc ==> 3\n");
}

/// 300 lines for `load`, and the start of the progress line that counts them.
fn entries_to_load() -> (String, String) {
    let input: String = (0..300)
        .map(|i| format!("key{i:03} ==> value{i}\n"))
        .collect();
    let loaded = format!(
        "load: 300 entries, {:.1} KiB, ",
        input.len() as f64 / 1024.0
    );
    (input, loaded)
}

/// The last progress line of `stderr` (after its last `\r`), which must end the output with a newline.
fn last_progress_line(stderr: &str) -> &str {
    assert!(
        stderr.starts_with('\r') && stderr.ends_with("/s\n"),
        "{stderr:?}"
    );
    stderr.rsplit('\r').next().unwrap()
}

#[test]
fn progress_shows_on_stderr_when_asked_and_never_on_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = format!("--db={}", path.display());
    let (input, loaded) = entries_to_load();
    let on = [("OXLDB_PROGRESS", "1")];
    let off = [("OXLDB_PROGRESS", "0")];

    let (code, stdout, stderr) =
        oxldb_with_env(&["load", &db, "--create_if_missing"], input.as_bytes(), &on);
    assert_eq!((code, stdout.len()), (0, 0));
    let line = last_progress_line(&stderr);
    assert!(line.starts_with(&loaded), "{line:?}");

    let (code, _, stderr) = oxldb_with_env(&["compact", &db], b"", &on);
    assert_eq!(code, 0);
    let line = last_progress_line(&stderr);
    // The log became a level-0 table at the open, then level 0 was compacted into level 1.
    assert!(line.starts_with("compact: level 0, "), "{line:?}");
    assert!(!line.contains("entries"), "{line:?}");

    let (code, stdout, stderr) = oxldb_with_env(&["repair", &db], b"", &on);
    assert_eq!((code, text(stdout)), (0, "OK\n".to_string()));
    let line = last_progress_line(&stderr);
    assert!(line.starts_with("repair: 300 entries, "), "{line:?}");

    let (code, stdout, stderr) = oxldb_with_env(&["scan", &db], b"", &on);
    assert_eq!((code, text(stdout).lines().count()), (0, 300));
    let line = last_progress_line(&stderr);
    assert!(line.starts_with("scan: 300 entries, "), "{line:?}");
    // Only a scan of the whole database shows progress.
    let (_, _, stderr) = oxldb_with_env(&["scan", &db, "--max_keys=5"], b"", &on);
    assert_eq!(stderr, "");

    // Off when asked, and by default on a pipe.
    for env in [&off[..], &[]] {
        let copy = format!("--db={}", dir.path().join("copy").display());
        let (code, _, stderr) = oxldb_with_env(
            &["load", &copy, "--create_if_missing"],
            input.as_bytes(),
            env,
        );
        assert_eq!((code, stderr.as_str()), (0, ""), "{env:?}");
        for command in ["compact", "repair", "scan"] {
            let (code, _, stderr) = oxldb_with_env(&[command, &copy], b"", env);
            assert_eq!((code, stderr.as_str()), (0, ""), "{command} {env:?}");
        }
    }

    // A bad line's report blanks the progress line and stands on a line of its own; the progress follows.
    let (code, _, stderr) = oxldb_with_env(&["load", &db], b"k ==> v\nbad\n", &on);
    assert_eq!(code, 0);
    let (drawn, rest) = stderr.split_once(" \rline 2: ").unwrap();
    assert!(drawn.starts_with("\rload: 1 entries, 8 B, "), "{stderr:?}");
    assert!(
        rest.starts_with(
            "no ' ==> ' between a key and a value: 'bad'\nWarning: 1 bad lines ignored.\n\rload: 1 entries, 8 B, "
        ),
        "{stderr:?}"
    );
    last_progress_line(&stderr);
}

/// `script` (util-linux), which runs a command on a pseudo-terminal, if the system has it.
fn script() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("script"))
        .find(|p| p.is_file())
}

/// Runs the shell command `command` on a pseudo-terminal; returns what the terminal showed.
fn on_a_terminal(script: &Path, command: &str) -> String {
    let output = Command::new(script)
        .args(["-qec", command, "/dev/null"])
        .env_remove("OXLDB_PROGRESS")
        .output()
        .unwrap();
    assert!(output.status.success(), "{command}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn progress_shows_by_default_when_stderr_is_a_terminal() {
    let Some(script) = script() else {
        eprintln!("no `script` on this system: progress on a real terminal not tested");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (input, loaded) = entries_to_load();
    fs::write(dir.path().join("input"), &input).unwrap();
    let oxldb = env!("CARGO_BIN_EXE_oxldb");
    let (db, input, errors, rows) = (
        path.display(),
        dir.path().join("input").display().to_string(),
        dir.path().join("errors").display().to_string(),
        dir.path().join("rows").display().to_string(),
    );

    let shown = on_a_terminal(
        &script,
        &format!("'{oxldb}' load '--db={db}' --create_if_missing < '{input}'"),
    );
    assert!(shown.contains(&loaded), "{shown:?}");
    let shown = on_a_terminal(&script, &format!("'{oxldb}' compact '--db={db}'"));
    assert!(shown.contains("compact: level 0, "), "{shown:?}");
    // With stderr in a file, nothing is shown, and nothing goes to the file.
    let shown = on_a_terminal(
        &script,
        &format!("'{oxldb}' compact '--db={db}' 2> '{errors}'"),
    );
    assert_eq!(shown, "");
    assert_eq!(fs::read(dir.path().join("errors")).unwrap(), b"");
    // A scan whose rows go to the terminal shows no progress line among them; to a file, it does.
    let shown = on_a_terminal(&script, &format!("'{oxldb}' scan '--db={db}'"));
    assert!(shown.starts_with("key000 ==> value0"), "{shown:?}");
    assert!(!shown.contains("scan:"), "{shown:?}");
    let shown = on_a_terminal(&script, &format!("'{oxldb}' scan '--db={db}' > '{rows}'"));
    assert!(shown.contains("scan: 300 entries, "), "{shown:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("rows"))
            .unwrap()
            .lines()
            .count(),
        300
    );
}
