//! libleveldb.so as a drop-in for Debian's LevelDB 1.23 (`libleveldb.so.1d`, from libleveldb-dev): programs are
//! compiled once, against the system's headers and library, then run twice, on Debian's library and on this one
//! (`LD_LIBRARY_PATH` naming a folder where `libleveldb.so.1d` is this package's `libleveldb.so`). Both runs must
//! print the same thing and write the same files.
//!
//! - tests/cxx/db_test.cc: the C++ API (every operation of `db.h`, batches and their handler, snapshots,
//!   iterators and their cleanups, properties, sizes, compaction, repair and destruction, a user comparator that
//!   shortens keys, a user filter policy, a logger, the bloom policy and the LRU cache; every member of
//!   `Env::Default()` and of `NewMemEnv`'s environment, a database in memory, a database on a program's own
//!   `EnvWrapper`; `TableBuilder` and `Table` over `Env::Default()` and over a program's file, `DumpFile`;
//!   `NewLRUCache`'s cache holding a program's entries: handles, deleters, eviction);
//! - capi/tests/c/c_test.c, the C API test of the C library (the same symbols serve C and C++);
//! - the exported symbols: every `leveldb::` and `leveldb_` symbol Debian's library exports;
//! - plyvel's test suite, with Debian's python3-plyvel (cxx/scripts/plyvel_test.sh).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Debian's LevelDB 1.23 (the file its `libleveldb.so.1d` link names).
const DEBIAN_LIBRARY: &str = "/usr/lib/x86_64-linux-gnu/libleveldb.so.1.23.0";

/// Runs `command`, requiring success; returns its output.
fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// This package's library: the test binary is <target>/<profile>/deps/cxx_abi_test-<hash>, the library is built
/// beside it. `cargo test` builds no `cdylib` for the tests, so the first test to ask builds it with cargo, for
/// the same profile and target folder (a plain `cargo test --workspace` then needs no `cargo build` first).
fn library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap();
            let mut cargo =
                Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()));
            cargo
                .args(["build", "-p", "oxleveldb-cxx", "--manifest-path"])
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap());
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                cargo.arg("--release");
            }
            run(&mut cargo);
            let library = profile_dir.join("libleveldb.so");
            assert!(
                library.exists(),
                "cargo build made no {}",
                library.display()
            );
            library
        })
        .clone()
}

/// A folder where `libleveldb.so.1d` and `libleveldb.so.1` are this package's library, for `LD_LIBRARY_PATH`
/// (the README's links).
fn library_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("lib");
    std::fs::create_dir(&folder).unwrap();
    for name in ["libleveldb.so.1d", "libleveldb.so.1"] {
        std::os::unix::fs::symlink(library(), folder.join(name)).unwrap();
    }
    folder
}

/// `source` compiled and linked against the system's LevelDB (`-lleveldb`: the program needs libleveldb.so.1d).
fn compile(compiler: &str, flags: &[&str], source: &Path, exe: &Path) {
    run(Command::new(compiler)
        .args(flags)
        .arg("-o")
        .arg(exe)
        .arg(source)
        .arg("-lleveldb"));
}

/// Runs `exe` with `args` on Debian's library (`lib` None) or on this one; returns its stdout and stderr.
fn run_on(
    exe: &Path,
    args: &[&Path],
    lib: Option<&Path>,
    env: &[(&str, &Path)],
) -> (String, String) {
    let mut command = Command::new(exe);
    command.args(args).env_remove("LD_LIBRARY_PATH");
    if let Some(lib) = lib {
        command.env("LD_LIBRARY_PATH", lib);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = run(&mut command);
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Every file under `dir` (path relative to it) and its bytes; a LOG's are left out (they hold times).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut result = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let is_log = name.ends_with("/LOG") || name.ends_with("/LOG.old");
            let bytes = if is_log {
                Vec::new()
            } else {
                std::fs::read(&path).unwrap()
            };
            result.push((name, bytes));
        }
    }
    result.sort();
    result
}

#[test]
fn a_cxx_program_runs_the_same_on_oxleveldb_as_on_leveldb() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("db_test");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cxx/db_test.cc");
    compile("c++", &["-std=c++17", "-Wall"], &source, &exe);
    let lib = library_folder(dir.path());
    let (debian, ours) = (dir.path().join("debian"), dir.path().join("ours"));
    // The same database folder for both runs, since it appears in the output: each run's files are moved away.
    let db = dir.path().join("db");
    std::fs::create_dir(&db).unwrap();
    let (expected, on_debian) = run_on(&exe, &[&db], None, &[]);
    std::fs::rename(&db, &debian).unwrap();
    std::fs::create_dir(&db).unwrap();
    let (actual, on_ours) = run_on(&exe, &[&db], Some(&lib), &[]);
    std::fs::rename(&db, &ours).unwrap();

    // Each run names the library it ran on.
    assert!(
        on_debian.contains("library: ") && !on_debian.contains(&*lib.to_string_lossy()),
        "{on_debian}"
    );
    assert!(
        on_ours.contains(&format!("library: {}/libleveldb.so.1d", lib.display())),
        "{on_ours}"
    );
    assert!(!expected.contains("FAILED"), "{expected}");
    assert!(
        expected.contains("2000 keys, first 'z01975-long-key-suffix'"),
        "{expected}"
    );
    assert_eq!(actual, expected);
    let (expected, actual) = (files(&debian), files(&ours));
    let names = |files: &[(String, Vec<u8>)]| {
        files
            .iter()
            .map(|(n, b)| (n.clone(), b.len()))
            .collect::<Vec<_>>()
    };
    assert!(
        expected
            .iter()
            .any(|(name, _)| name.starts_with("user/") && name.ends_with(".ldb")),
        "{:?}",
        names(&expected)
    );
    for ((name, bytes), (their_name, theirs)) in expected.iter().zip(&actual) {
        assert!(
            name == their_name && bytes == theirs,
            "{name} differs from {their_name}"
        );
    }
    assert_eq!(names(&expected), names(&actual));
}

/// An exception a program's comparator throws on an engine thread (here the writer's) does not unwind into the
/// engine: the process aborts with a message naming the member (Debian's library lets it unwind through LevelDB).
#[test]
fn an_exception_from_a_programs_comparator_aborts_with_a_message() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("db_test");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cxx/db_test.cc");
    compile("c++", &["-std=c++17", "-Wall"], &source, &exe);
    let lib = library_folder(dir.path());
    let output = Command::new(&exe)
        .arg(dir.path())
        .arg("throw")
        .env("LD_LIBRARY_PATH", &lib)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), Some(6), "{stderr}"); // SIGABRT
    assert!(
        stderr.contains(
            "oxleveldb: Comparator::Compare threw an exception (thrown by Compare); aborting"
        ),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "open: OK\n");
}

#[test]
fn c_test_runs_the_same_on_oxleveldb_as_on_leveldb() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("c_test");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capi/tests/c/c_test.c");
    compile("cc", &["-std=gnu99", "-Wall"], &source, &exe);
    let lib = library_folder(dir.path());
    let (db, test_dir) = (dir.path().join("db"), dir.path().join("testdir"));
    let (expected, _) = run_on(&exe, &[&db], None, &[("TEST_TMPDIR", &test_dir)]);
    assert!(expected.ends_with("PASS\n"), "{expected}");
    let (actual, _) = run_on(&exe, &[&db], Some(&lib), &[("TEST_TMPDIR", &test_dir)]);
    assert_eq!(actual, expected);
}

/// The dynamic symbols `library` defines, in LevelDB's namespace (functions, vtables, typeinfo and its name) or
/// of its C API.
fn leveldb_symbols(library: &Path) -> BTreeSet<String> {
    let output = run(Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(library));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter(|name| {
            [
                "_ZN7leveldb",
                "_ZNK7leveldb",
                "_ZTVN7leveldb",
                "_ZTIN7leveldb",
                "_ZTSN7leveldb",
                "leveldb_",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_library_exports_debians_leveldb_symbols() {
    let debian = leveldb_symbols(Path::new(DEBIAN_LIBRARY));
    let ours = leveldb_symbols(&library());
    assert!(debian.len() > 200, "{debian:?}");
    let missing: Vec<&String> = debian.difference(&ours).collect();
    assert!(missing.is_empty(), "not exported: {missing:?}");
    assert_eq!(
        ours.iter().filter(|s| s.starts_with("leveldb_")).count(),
        68
    );
}

#[test]
fn the_library_is_named_libleveldb_so_1() {
    let dynamic = run(Command::new("readelf").arg("-d").arg(library()));
    let dynamic = String::from_utf8_lossy(&dynamic.stdout);
    assert!(
        dynamic.contains("Library soname: [libleveldb.so.1]"),
        "{dynamic}"
    );
}

/// plyvel's own test suite (53 tests), unchanged, with Debian's python3-plyvel on this library
/// (cxx/scripts/plyvel_test.sh, which downloads the suite from the package registry). Skipped, saying so, where
/// python3-plyvel is not installed; CI installs it.
#[test]
fn plyvel_test_suite_passes_on_oxleveldb() {
    if !Path::new("/usr/lib/python3/dist-packages/plyvel").exists() {
        eprintln!("skipped: python3-plyvel is not installed (apt-get install python3-plyvel python3-pytest)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/plyvel_test.sh");
    let output = run(Command::new(script).arg(library()).arg("-q"));
    let report = String::from_utf8(output.stdout).unwrap();
    let loaded = report.lines().find_map(|l| l.strip_prefix("library: "));
    assert!(
        loaded.is_some_and(|l| l.ends_with("/lib/libleveldb.so.1d")),
        "{report}"
    );
    assert!(
        report.contains("53 passed") && !report.contains("failed"),
        "{report}"
    );
}
