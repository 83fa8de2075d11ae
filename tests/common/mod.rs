//! Shared helpers of the integration tests: where the LevelDB 1.23 fixtures are, and how to compare output with
//! what LevelDB printed for them (the text itself, or a `<length> <crc32c>` digest for the large files; see
//! tests/fixtures/leveldb-1.23/README.md).

#![allow(dead_code)] // Each test binary uses its own subset of these helpers.

pub mod child_process;
pub mod db_files;
pub mod db_harness;
pub mod error_env;
pub mod kill_child;
pub mod numbered_kv;
pub mod testutil;

use std::fs;
use std::path::{Path, PathBuf};

/// The folder of LevelDB-written databases (copied from ../shared, never read from there at test time), in the
/// library's tests/ (the workspace root), wherever the test's package is.
pub fn fixtures_dir() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package
        .ancestors()
        .map(|dir| dir.join("tests/fixtures/leveldb-1.23"))
        .find(|dir| dir.is_dir())
        .expect("tests/fixtures/leveldb-1.23 in the workspace")
}

/// The names of the fixture databases (basic-snappy, compacted, ...).
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "the five LevelDB 1.23 fixtures");
    names
}

/// The files of fixture `name`'s database whose names end with `suffix` (e.g. ".log", ".ldb", "MANIFEST-").
pub fn fixture_files(name: &str, matches: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures_dir().join(name).join("db"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| matches(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// CRC-32C of `data`, as the digests record it.
pub fn crc32c(data: &[u8]) -> u32 {
    oxleveldb::util::crc::value(data)
}

/// What LevelDB produced for `relative` (e.g. "dumps/000005.ldb.txt" or "expected.txt") in fixture `name`, if
/// the fixture has it: the text itself, or its (length, crc32c) digest.
pub enum Expected {
    Text(Vec<u8>),
    Digest(usize, u32),
}

pub fn expected(name: &str, relative: &str) -> Option<Expected> {
    let dir = fixtures_dir().join(name);
    if let Ok(text) = fs::read(dir.join(relative)) {
        return Some(Expected::Text(text));
    }
    let digests = fs::read_to_string(dir.join("digests.txt")).unwrap();
    digests.lines().find_map(|line| {
        let mut parts = line.split_whitespace();
        if parts.next()? != relative {
            return None;
        }
        let len = parts.next()?.parse().ok()?;
        let crc = u32::from_str_radix(parts.next()?, 16).ok()?;
        Some(Expected::Digest(len, crc))
    })
}

/// Asserts that `actual` is exactly what LevelDB produced for `relative` in fixture `name`.
pub fn assert_matches_leveldb(name: &str, relative: &str, actual: &[u8]) {
    match expected(name, relative) {
        Some(Expected::Text(text)) => {
            if text != actual {
                let first_diff = text
                    .iter()
                    .zip(actual)
                    .position(|(a, b)| a != b)
                    .unwrap_or(text.len().min(actual.len()));
                let from = first_diff.saturating_sub(80);
                panic!(
                    "{name}/{relative} differs at byte {first_diff} (lengths {} vs {}):\nLevelDB:   {:?}\noxleveldb: {:?}",
                    text.len(),
                    actual.len(),
                    String::from_utf8_lossy(&text[from..(first_diff + 80).min(text.len())]),
                    String::from_utf8_lossy(&actual[from..(first_diff + 80).min(actual.len())]),
                );
            }
        }
        Some(Expected::Digest(len, crc)) => {
            assert_eq!(actual.len(), len, "{name}/{relative}: length");
            assert_eq!(
                crc32c(actual),
                crc,
                "{name}/{relative}: crc32c of the contents"
            );
        }
        None => panic!("{name}: no {relative} in the fixture"),
    }
}

/// Copies fixture `name`'s database into a fresh temporary directory (opening a database rewrites it).
pub fn copy_fixture_db(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(fixtures_dir().join(name).join("db")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Lowercase hex, as the fixtures' expected.txt writes keys and values.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The options LevelDB wrote fixture `name` with (the ones that matter for reading it back).
pub fn fixture_options(name: &str) -> oxleveldb::Options {
    let mut options = oxleveldb::Options::default();
    if name == "multilevel-bloom" || name == "compacted" {
        options.filter_policy = Some(std::sync::Arc::new(
            oxleveldb::util::bloom::BloomFilterPolicy::new(10),
        ));
    }
    options
}

/// Key/value pairs, in order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;
