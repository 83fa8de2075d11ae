//! The tour (docs/*.md) stays honest:
//! - every `cargo test` command of an exercise names a test target that exists and, when it names a test, a test
//!   function that exists (found by reading the source: `--test NAME` is `tests/NAME.rs` of the package, `--lib
//!   a::b::c` the module file `src/a/b.rs` or `src/a/b/mod.rs` and its `fn c`); the other snake_case names an
//!   exercise with such a command mentions in backticks (`marginal_trailer`) must be functions of the same files;
//! - every `$ oxldb ...` command shown in a text block that only reads a fixture (`dump`, `sst_layout`,
//!   `manifest_dump`, `sst_dump`, `dump_wal` on `tests/fixtures/...`) prints exactly the lines shown under it, a
//!   line `...` standing for any number of lines.
//!
//! Whether the named tests pass is the job of the test suite itself (`cargo test --workspace --all-features`).

use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The chapters: every `.md` file of docs/, with its text.
fn chapters() -> Vec<(String, String)> {
    let mut chapters: Vec<(String, String)> = fs::read_dir(workspace().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    chapters.sort();
    assert!(
        chapters.len() >= 9,
        "the index, seven chapters, the other design"
    );
    chapters
}

/// The items of the "## Exercises" section of `text`, each joined into one line.
fn exercises(text: &str) -> Vec<String> {
    let Some(start) = text.find("\n## Exercises\n") else {
        return Vec::new();
    };
    let section = &text[start + 14..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut items: Vec<String> = Vec::new();
    for line in section.lines() {
        let trimmed = line.trim();
        let starts_item = trimmed
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if starts_item {
            items.push(trimmed.to_string());
        } else if let Some(item) = items.last_mut() {
            item.push(' ');
            item.push_str(trimmed);
        }
    }
    items
}

/// The spans between backticks in `item`.
fn code_spans(item: &str) -> Vec<&str> {
    item.split('`').skip(1).step_by(2).collect()
}

/// True if `source` has `fn name` (followed by `(` or `<`).
fn has_fn(source: &str, name: &str) -> bool {
    source.contains(&format!("fn {name}(")) || source.contains(&format!("fn {name}<"))
}

/// The files a `cargo test` command names, and the test function it names (if any). Panics if a target does not
/// exist.
fn target_of(command: &str, chapter: &str) -> (Vec<PathBuf>, Option<String>) {
    let words: Vec<&str> = command.split_whitespace().collect();
    let package = words
        .iter()
        .position(|w| *w == "-p")
        .map(|i| words[i + 1])
        .unwrap_or_else(|| panic!("{chapter}: `{command}` names no package (-p)"));
    let package_dir = match package {
        "oxleveldb" => workspace(),
        other => workspace().join(other),
    };
    let at = |flag: &str| words.iter().position(|w| *w == flag);
    if let Some(i) = at("--test") {
        let file = package_dir
            .join("tests")
            .join(format!("{}.rs", words[i + 1]));
        assert!(
            file.is_file(),
            "{chapter}: `{command}`: no {}",
            file.display()
        );
        (vec![file], words.get(i + 2).map(|s| s.to_string()))
    } else if let Some(i) = at("--lib") {
        let path: Vec<&str> = words
            .get(i + 1)
            .map_or(Vec::new(), |p| p.split("::").collect());
        // The longest prefix of the path that is a module file; the rest is inline modules and a test.
        for split in (1..=path.len()).rev() {
            let module = path[..split].join("/");
            for file in [
                package_dir.join(format!("src/{module}.rs")),
                package_dir.join(format!("src/{module}/mod.rs")),
            ] {
                if file.is_file() {
                    let test = (split < path.len()).then(|| path[path.len() - 1].to_string());
                    return (vec![file], test.filter(|t| t != "tests"));
                }
            }
        }
        panic!("{chapter}: `{command}`: no module file for the path");
    } else {
        panic!("{chapter}: `{command}` names no --test or --lib target");
    }
}

#[test]
fn the_exercises_name_tests_that_exist() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        for item in exercises(&text) {
            let spans = code_spans(&item);
            let mut files = Vec::new();
            for command in spans.iter().filter(|s| s.starts_with("cargo test")) {
                let (targets, test) = target_of(command, &chapter);
                if let Some(test) = test {
                    let source = fs::read_to_string(&targets[0]).unwrap();
                    assert!(
                        has_fn(&source, &test),
                        "{chapter}: `{command}`: no fn {test}"
                    );
                    checked += 1;
                }
                files.extend(targets);
            }
            // Other tests the item names beside its commands (an item without a command names none).
            if files.is_empty() {
                continue;
            }
            for name in spans.iter().filter(|s| {
                s.contains('_')
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }) {
                let found = files
                    .iter()
                    .any(|f| has_fn(&fs::read_to_string(f).unwrap(), name));
                assert!(found, "{chapter}: `{name}` is in none of {files:?}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} tests named");
}

/// The read-only commands whose output the docs show and this test reruns.
const READ_ONLY: [&str; 5] = [
    "dump",
    "sst_layout",
    "manifest_dump",
    "sst_dump",
    "dump_wal",
];

/// True if `got` matches `want`, where a `want` line `...` matches any number of lines.
fn matches(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"...", rest)) => (0..=got.len()).any(|skip| matches(rest, &got[skip..])),
        Some((line, rest)) => got.first() == Some(line) && matches(rest, &got[1..]),
    }
}

#[test]
fn the_fixture_outputs_shown_are_what_oxldb_prints() {
    let mut checked = 0;
    for (chapter, text) in chapters() {
        for block in text.split("```text\n").skip(1) {
            let block = &block[..block.find("```").unwrap()];
            let lines: Vec<&str> = block.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let Some(command) = line.strip_prefix("$ oxldb ") else {
                    continue;
                };
                let args: Vec<&str> = command.split_whitespace().collect();
                let reads_fixtures = args.iter().skip(1).all(|a| a.contains("tests/fixtures/"));
                if !READ_ONLY.contains(&args[0]) || !reads_fixtures {
                    continue;
                }
                let end = lines[i + 1..]
                    .iter()
                    .position(|l| l.starts_with("$ "))
                    .map_or(lines.len(), |n| i + 1 + n);
                let want = &lines[i + 1..end];
                let output = std::process::Command::new(env!("CARGO_BIN_EXE_oxldb"))
                    .args(&args)
                    .current_dir(workspace())
                    .output()
                    .unwrap();
                assert!(
                    output.status.success(),
                    "{chapter}: `oxldb {command}` failed"
                );
                let stdout = String::from_utf8(output.stdout).unwrap();
                let got: Vec<&str> = stdout.lines().collect();
                assert!(
                    matches(want, &got),
                    "{chapter}: `oxldb {command}` prints\n{stdout}\nbut the chapter shows\n{}",
                    want.join("\n")
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} outputs checked");
}

#[test]
fn the_wildcard_matches_only_what_it_should() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "..."], &["a"]));
    assert!(!matches(&["a", "...", "d"], &["a", "b", "c"]));
    assert!(!matches(&["a", "b"], &["a", "b", "c"]));
}
