//! `oxldb dump` prints exactly what leveldbutil printed for every log, MANIFEST and table of the LevelDB 1.23
//! fixtures (tests/fixtures/leveldb-1.23/*/dumps/), and says what is wrong with a file it cannot dump.

#[path = "../../tests/common/mod.rs"]
mod common;
mod runner;

use common::*;
use runner::oxldb;

#[test]
fn oxldb_dump_of_logs_and_manifests_matches_leveldbutil() {
    for name in fixture_names() {
        let files = fixture_files(&name, |f| f.ends_with(".log") || f.starts_with("MANIFEST-"));
        assert_eq!(files.len(), 2, "{name}: one log and one MANIFEST");
        for path in files {
            let (code, stdout, stderr) = oxldb(&["dump", path.to_str().unwrap()]);
            assert_eq!(code, 0, "{stderr}");
            let file_name = path.file_name().unwrap().to_string_lossy();
            assert_matches_leveldb(&name, &format!("dumps/{file_name}.txt"), &stdout);
        }
    }
}

#[test]
fn oxldb_dump_reports_bad_names_and_missing_files() {
    let (code, stdout, stderr) = oxldb(&["dump", "/nonexistent/CURRENT"]);
    assert_eq!((code, stdout.len()), (1, 0));
    assert_eq!(
        stderr,
        "Invalid argument: /nonexistent/CURRENT: not a dump-able file type\n"
    );
    let (code, _, stderr) = oxldb(&["dump", "README.md"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "Invalid argument: README.md: unknown file type\n\
         oxldb: name the type of a file named otherwise with --type=log|manifest|table\n"
    );
    let (code, _, stderr) = oxldb(&["dump", "/nonexistent/000001.log"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "NotFound: /nonexistent/000001.log: No such file or directory\n"
    );
    let (code, _, stderr) = oxldb(&[]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("oxldb: no command given\nUsage: oxldb"),
        "{stderr}"
    );
}

#[test]
fn oxldb_dump_of_tables_matches_leveldbutil() {
    let mut compared = 0;
    for name in fixture_names() {
        for path in fixture_files(&name, |f| f.ends_with(".ldb")) {
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let relative = format!("dumps/{file_name}.txt");
            if expected(&name, &relative).is_none() {
                // LevelDB's dumps leave out the largest tables (and the unfinished compaction output).
                continue;
            }
            let (code, stdout, stderr) = oxldb(&["dump", path.to_str().unwrap()]);
            assert_eq!(code, 0, "{stderr}");
            assert_matches_leveldb(&name, &relative, &stdout);
            compared += 1;
        }
    }
    assert_eq!(compared, 13);
}
