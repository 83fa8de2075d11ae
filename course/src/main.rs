//! `cargo run -p course -- check <chapter|all> [--reference]`: grades a chapter by running its tests
//! (`cargo test -p course --test chNN`), then prints a short verdict: passed, or the first failing test (in the
//! chapter's order: t1, t2, ...) and what it said. The exit code is 0 only if every graded chapter passed.
//!
//! Invariant: the verdict names the first failing test by name order, whatever order the tests finished in, so
//! on the stubs as shipped it is always the `todo!` of the chapter's first function.

use std::process::{Command, ExitCode};

/// The chapters: number, test file, title.
const CHAPTERS: [(u32, &str); 9] = [
    (1, "varints and the log record format"),
    (2, "the arena skiplist"),
    (3, "the write batch and the memtable"),
    (4, "the block builder and reader"),
    (5, "the bloom filter and the filter block"),
    (6, "the table builder"),
    (7, "version edits and the MANIFEST"),
    (8, "the merging iterator and the DB iterator"),
    (9, "the writer queue and group commit"),
];

const USAGE: &str = "usage: cargo run -p course -- check <1-9|all> [--reference]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reference = args.iter().any(|a| a == "--reference");
    let rest: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--reference")
        .collect();
    let chapters: Vec<u32> = match rest.as_slice() {
        ["check", "all"] => CHAPTERS.iter().map(|c| c.0).collect(),
        ["check", n] => match n.parse() {
            Ok(n) if (1..=9).contains(&n) => vec![n],
            _ => {
                eprintln!("no chapter {n}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut all_passed = true;
    for n in chapters {
        all_passed &= check(n, reference);
    }
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs chapter `n`'s tests and prints its verdict; true if they passed.
fn check(n: u32, reference: bool) -> bool {
    let title = CHAPTERS[n as usize - 1].1;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let test = format!("ch{n:02}");
    let mut command = Command::new(cargo);
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", "-q", "-p", "course", "--test", &test])
        .env("RUST_BACKTRACE", "0");
    if reference {
        command.args(["--features", "reference"]);
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(e) => {
            println!("chapter {n} ({title}): could not run cargo test: {e}");
            return false;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let whose = if reference {
        "the reference"
    } else {
        "your code"
    };
    if output.status.success() {
        println!(
            "chapter {n} ({title}): passed ({} tests, {whose})",
            tests_passed(&stdout)
        );
        return true;
    }
    match first_failure(&stdout) {
        Some((name, message)) => {
            let failed = stdout.matches(" stdout ----").count();
            println!("chapter {n} ({title}): failed {failed} test(s) ({whose})");
            println!("first failure, {name}:");
            for line in message.lines().take(25) {
                println!("    {line}");
            }
            // A chapter builds on earlier ones: a stub of one of them may be the first thing its tests hit.
            if let Some(other) = earlier_chapter(&message, n) {
                println!("(chapter {n} uses chapter {other}'s code: grade chapter {other} first)");
            }
        }
        None => {
            println!("chapter {n} ({title}): does not build ({whose}):");
            for line in compiler_errors(&stderr).lines().take(60) {
                println!("    {line}");
            }
        }
    }
    false
}

/// How many tests passed, from libtest's summary line ("test result: ok. 7 passed; ...").
fn tests_passed(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("test result: ok. "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("?")
        .to_string()
}

/// The failing test that comes first by name, and its panic message.
fn first_failure(stdout: &str) -> Option<(String, String)> {
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        else {
            continue;
        };
        let mut message = Vec::new();
        let mut in_message = false;
        while let Some(next) = lines.peek() {
            if next.starts_with("---- ") || *next == "failures:" {
                break;
            }
            let next = lines.next().unwrap_or_default();
            if next.starts_with("thread '") && next.contains("panicked at") {
                if !message.is_empty() {
                    break; // Only the first panic: the others follow from it.
                }
                in_message = true;
                let location = next.split("panicked at ").nth(1).unwrap_or_default();
                message.push(format!("(at {})", location.trim_end_matches(':')));
            } else if in_message {
                if next.starts_with("note: ") || next.is_empty() {
                    in_message = false;
                } else {
                    message.push(next.to_string());
                }
            }
        }
        // Move the location after the message.
        if !message.is_empty() {
            let location = message.remove(0);
            message.push(location);
        }
        failures.push((name.to_string(), message.join("\n")));
    }
    failures.into_iter().min_by(|a, b| a.0.cmp(&b.0))
}

/// The earlier chapter whose `todo!` a failure of chapter `n` hit, if it is another one.
fn earlier_chapter(message: &str, n: u32) -> Option<u32> {
    let rest = message.split("not yet implemented: chapter ").nth(1)?;
    let other: u32 = rest.split(':').next()?.parse().ok()?;
    (other != n).then_some(other)
}

/// The compiler's errors from cargo's stderr (its progress lines left out).
fn compiler_errors(stderr: &str) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("error"))
        .collect();
    if errors.is_empty() {
        stderr.to_string()
    } else {
        errors.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `cargo test -q` prints when two tests fail (they finish in any order).
    const OUTPUT: &str = "
running 3 tests
FF.
failures:

---- t2_second stdout ----

thread 't2_second' (12) panicked at course/tests/ch04.rs:50:5:
block 1: restart array, offset 28: expected 0x0f, got 0x01

---- t1_first stdout ----

thread 't1_first' (11) panicked at course/src/ch04_block.rs:55:9:
not yet implemented: chapter 4: write BlockBuilder::add
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

thread 't1_first' (11) panicked at course/tests/ch04.rs:9:9:
a second panic, after the first

failures:
    t1_first
    t2_second

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    #[test]
    fn the_first_failure_is_the_first_by_name_with_its_first_panic() {
        let (name, message) = first_failure(OUTPUT).unwrap();
        assert_eq!(name, "t1_first");
        assert_eq!(
            message,
            "not yet implemented: chapter 4: write BlockBuilder::add\n(at course/src/ch04_block.rs:55:9)"
        );
        assert_eq!(earlier_chapter(&message, 4), None);
        assert_eq!(earlier_chapter(&message, 9), Some(4));
    }

    #[test]
    fn a_passing_run_has_no_failure() {
        let output = "running 7 tests\n.......\ntest result: ok. 7 passed; 0 failed; 0 ignored\n";
        assert_eq!(first_failure(output), None);
        assert_eq!(tests_passed(output), "7");
    }
}
