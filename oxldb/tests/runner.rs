//! Runs the `oxldb` binary of this package, with its stdin, stdout and stderr piped (so never on a terminal), and
//! without `OXLDB_PROGRESS` unless the test sets it.

#![allow(dead_code)] // Each test binary uses its own subset of these helpers.

/// Runs the oxldb binary with `args`, returning (exit code, stdout, stderr).
pub fn oxldb(args: &[&str]) -> (i32, Vec<u8>, String) {
    oxldb_with_input(args, b"")
}

/// Runs the oxldb binary with `args` and `input` on its stdin, returning (exit code, stdout, stderr).
pub fn oxldb_with_input(args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
    oxldb_with_env(args, input, &[])
}

/// Runs the oxldb binary with `args`, `input` on its stdin and the environment variables `env`, returning (exit
/// code, stdout, stderr).
pub fn oxldb_with_env(args: &[&str], input: &[u8], env: &[(&str, &str)]) -> (i32, Vec<u8>, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_oxldb"))
        .args(args)
        .env_remove("OXLDB_PROGRESS")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread, so that a command printing much before it reads cannot block on a full pipe; a
    // command that reads no input may exit before taking it all, so a broken pipe is not the test's failure.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        output.status.code().unwrap_or(-1),
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
