//! The C API (feature `capi`) against LevelDB 1.23's own: tests/c/c_test.c, the meaning of LevelDB's
//! db/c_test.c as a program that prints what it sees, is compiled with the system C compiler (`cc`) once against
//! oxleveldb's C library and once against the system's LevelDB (`-lleveldb`, Debian's libleveldb-dev); both runs
//! must print the same thing. The shipped header must be LevelDB's, unchanged.
//!
//! The C library is built by a nested `cargo build --features capi` into its own target directory, so that the
//! test links what this checkout's sources make, whatever else the main target directory holds.

#![cfg(feature = "capi")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `command`, requiring success; returns its stdout.
fn run(command: &mut Command) -> Vec<u8> {
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
    output.stdout
}

/// Builds liboxleveldb.so with the C API and returns the folder it is in.
fn build_c_library() -> PathBuf {
    // The test binary is <target>/<profile>/deps/c_api_test-<hash>: the library goes beside the profiles.
    let exe = std::env::current_exe().unwrap();
    let target_dir = exe.ancestors().nth(3).unwrap().join("c-api");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(Command::new(cargo)
        .args(["build", "--lib", "--features", "capi", "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir));
    let lib_dir = target_dir.join("debug");
    assert!(lib_dir.join("liboxleveldb.so").exists());
    lib_dir
}

/// Compiles tests/c/c_test.c into `exe` with the extra compiler arguments `link` (which say what it links).
fn compile_c_test(exe: &Path, link: &[&std::ffi::OsStr]) {
    run(Command::new("cc")
        .args(["-std=gnu99", "-Wall", "-o"])
        .arg(exe)
        .arg(root().join("tests/c/c_test.c"))
        .args(link));
}

/// Runs a compiled c_test on database `db`, with `test_dir` as LevelDB's test directory; returns its output.
fn run_c_test(exe: &Path, db: &Path, test_dir: &Path) -> String {
    let stdout = run(Command::new(exe).arg(db).env("TEST_TMPDIR", test_dir));
    String::from_utf8(stdout).unwrap()
}

#[test]
fn c_test_prints_the_same_with_oxleveldb_and_with_leveldb() {
    let lib_dir = build_c_library();
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("c_test_oxleveldb");
    let include = root().join("include");
    let library = lib_dir.join("liboxleveldb.so");
    let rpath = format!("-Wl,-rpath,{}", lib_dir.display());
    compile_c_test(
        &ours,
        &[
            "-I".as_ref(),
            include.as_os_str(),
            library.as_os_str(),
            rpath.as_ref(),
        ],
    );
    let leveldb = dir.path().join("c_test_leveldb");
    compile_c_test(&leveldb, &["-lleveldb".as_ref()]);

    // The same database path and test directory for both, since they appear in the output.
    let db = dir.path().join("db");
    let test_dir = dir.path().join("testdir");
    let expected = run_c_test(&leveldb, &db, &test_dir);
    let actual = run_c_test(&ours, &db, &test_dir);
    assert!(
        expected.ends_with(
            "=== cleanup\ndestroy: ok\ncomparator destructor calls before destroy: 0\n\
                                comparator destructor calls after destroy: 1\nPASS\n"
        ),
        "{expected}"
    );
    assert_eq!(actual, expected);
}

#[test]
fn the_shipped_header_is_leveldbs() {
    for header in ["c.h", "export.h"] {
        let system = Path::new("/usr/include/leveldb").join(header);
        let system = std::fs::read(&system)
            .unwrap_or_else(|e| panic!("{}: {e} (install libleveldb-dev)", system.display()));
        let ours = std::fs::read(root().join("include/leveldb").join(header)).unwrap();
        assert!(
            ours == system,
            "include/leveldb/{header} differs from LevelDB 1.23's"
        );
    }
}
