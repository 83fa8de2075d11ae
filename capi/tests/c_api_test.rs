//! The C API (the `oxleveldb-capi` package) against LevelDB 1.23's own: tests/c/c_test.c, the meaning of LevelDB's
//! db/c_test.c as a program that prints what it sees, is compiled with the system C compiler (`cc`) once against
//! oxleveldb's C library and once against the system's LevelDB (`-lleveldb`, Debian's libleveldb-dev); both runs
//! must print the same thing. The shipped header must be LevelDB's, unchanged.
//!
//! The C library is built, and the C program compiled, by the README's own commands (the block after
//! `<!-- c-library-commands`), run by `sh` in the project's root. Two substitutions keep them from the test's own
//! build: `prog.c` is capi/tests/c/c_test.c and `prog`/`prog-static` go to a temporary folder; `target/` is a target
//! folder of the test's own (CARGO_TARGET_DIR), since the main one is locked while tests run. The programs then
//! run from another working directory, as a user's would.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root, where the README's commands run.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
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

/// The README's commands that build the C library and compile a program against it.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split_once("<!-- c-library-commands")
        .expect("README.md marks the C library's commands")
        .1;
    let block = block.split_once("```\n").unwrap().1;
    let block = block.split_once("```").unwrap().0;
    let commands: Vec<String> = block
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .map(|l| l.split(" # ").next().unwrap().trim().to_string())
        .collect();
    assert!(commands.len() >= 3, "{commands:?}");
    commands
}

/// Runs the README's commands with tests/c/c_test.c as `prog.c`; returns the folder that holds `prog` and
/// `prog-static`.
fn build_with_readme_commands(out: &Path) -> PathBuf {
    // The test binary is <target>/<profile>/deps/c_api_test-<hash>: the C library's build goes beside them.
    let exe = std::env::current_exe().unwrap();
    let target_dir = exe.ancestors().nth(3).unwrap().join("c-api");
    for command in readme_commands() {
        let command = command
            .replace("$PWD/target/", "$CARGO_TARGET_DIR/")
            .replace("target/", "$CARGO_TARGET_DIR/")
            .replace(
                "prog.c",
                &root().join("capi/tests/c/c_test.c").to_string_lossy(),
            )
            .replace("-o prog", &format!("-o {}/prog", out.display()));
        run(Command::new("sh")
            .args(["-c", &command])
            .current_dir(root())
            .env("CARGO_TARGET_DIR", &target_dir));
    }
    out.to_path_buf()
}

/// Runs a compiled c_test on database `db`, with `test_dir` as LevelDB's test directory, from the working
/// directory `cwd`; returns its output.
fn run_c_test(exe: &Path, db: &Path, test_dir: &Path, cwd: &Path) -> String {
    let stdout = run(Command::new(exe)
        .arg(db)
        .env("TEST_TMPDIR", test_dir)
        .current_dir(cwd));
    String::from_utf8(stdout).unwrap()
}

#[test]
fn c_test_prints_the_same_with_oxleveldb_and_with_leveldb() {
    let dir = tempfile::tempdir().unwrap();
    let bin = build_with_readme_commands(dir.path());
    let leveldb = dir.path().join("c_test_leveldb");
    run(Command::new("cc")
        .args(["-std=gnu99", "-Wall", "-o"])
        .arg(&leveldb)
        .arg(root().join("capi/tests/c/c_test.c"))
        .arg("-lleveldb"));

    // The same database path and test directory for all, since they appear in the output; the programs run from
    // a folder that is neither the project's root nor the library's.
    let db = dir.path().join("db");
    let test_dir = dir.path().join("testdir");
    let elsewhere = tempfile::tempdir().unwrap();
    let expected = run_c_test(&leveldb, &db, &test_dir, elsewhere.path());
    assert!(
        expected.ends_with(
            "=== cleanup\ndestroy: ok\ncomparator destructor calls before destroy: 0\n\
                                comparator destructor calls after destroy: 1\nPASS\n"
        ),
        "{expected}"
    );
    for prog in ["prog", "prog-static"] {
        let actual = run_c_test(&bin.join(prog), &db, &test_dir, elsewhere.path());
        assert_eq!(actual, expected, "{prog}");
    }
}

#[test]
fn the_shared_library_is_named_by_its_soname() {
    let dir = tempfile::tempdir().unwrap();
    let bin = build_with_readme_commands(dir.path());
    let needed = run(Command::new("readelf").arg("-d").arg(bin.join("prog")));
    let needed = String::from_utf8_lossy(&needed);
    assert!(
        needed.contains("Shared library: [liboxleveldb.so.1]"),
        "{needed}"
    );
    // Before the SONAME, the program recorded the relative path it was linked from, and ran only from the root.
    for line in needed.lines().filter(|l| l.contains("(NEEDED)")) {
        assert!(!line.contains('/'), "a library recorded by path: {line}");
    }
}

#[test]
fn the_shipped_header_is_leveldbs() {
    for header in ["c.h", "export.h"] {
        let system = Path::new("/usr/include/leveldb").join(header);
        let system = std::fs::read(&system)
            .unwrap_or_else(|e| panic!("{}: {e} (install libleveldb-dev)", system.display()));
        let ours = std::fs::read(root().join("capi/include/leveldb").join(header)).unwrap();
        assert!(
            ours == system,
            "include/leveldb/{header} differs from LevelDB 1.23's"
        );
    }
}
