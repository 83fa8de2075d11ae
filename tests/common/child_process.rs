//! Tests that need a second process run their own test binary again: the child is selected by an exact test filter
//! (so it runs that one test, on one thread), finds in an environment variable that it is the child and what to
//! work on, and prints its outcome on one marked line that the parent reads back.

use std::ffi::OsStr;
use std::fmt::Display;
use std::process::Command;

/// Marks the child's report among the lines the test harness prints (which may put the test's name before it on
/// the same line).
const CHILD_REPORT: &str = "child-report: ";

/// Runs test `test` of this binary in a child process with `var` set to `value`, and returns what the child
/// printed with [`report`].
pub fn run_test_in_child(test: &str, var: &str, value: impl AsRef<OsStr>) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1", "--nocapture"])
        .env(var, value)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child {test} failed: {stdout}");
    stdout
        .lines()
        .find_map(|line| line.split_once(CHILD_REPORT).map(|(_, r)| r.to_string()))
        .unwrap_or_else(|| panic!("the child {test} did not report: {stdout}"))
}

/// In the child: reports `outcome` to the parent.
pub fn report(outcome: impl Display) {
    println!("{CHILD_REPORT}{outcome}");
}
