//! The tour (docs/*.md) stays honest:
//! - every `cargo test` command of an exercise names a test target that exists and, when it names a test, a test
//!   function that exists (found by reading the source: `--test NAME` is `tests/NAME.rs` of the package, `--lib
//!   a::b::c` the module file `src/a/b.rs` or `src/a/b/mod.rs` and its `fn c`); the other snake_case names an
//!   exercise with such a command mentions in backticks (`marginal_trailer`) must be functions of the same files;
//! - every `$ oxldb ...` command shown in a text block that only reads a fixture (`dump`, `sst_layout`,
//!   `manifest_dump`, `sst_dump`, `dump_wal` on `tests/fixtures/...`) prints exactly the lines shown under it, a
//!   line `...` standing for any number of lines.
//!
//! - every repository path the book names in backticks (`src/db/db_impl/write.rs`) exists;
//! - every chapter's `oxldb` commands (the `$ oxldb ...` lines of its text blocks, with the `cp -r` lines that
//!   prepare them, then its exercises' commands) run in order as a learner would run them, in a temporary directory
//!   standing for `/tmp`, and succeed; a command run by one thread shows exactly the lines under it (a trace's lines
//!   in order, other lines between them allowed, durations masked), while a run of several writer threads, whose
//!   interleaving differs from run to run, is only run;
//! - every relative link and image of the book (docs/*.md, SUMMARY.md included) points to a file that exists, and
//!   an anchor to a heading of that file (with mdBook's heading ids); every page is in SUMMARY.md;
//! - every chapter of the tour ends its text with "Build it", naming course chapters, their files and commands as
//!   the course page's table does.
//!
//! Whether the named tests pass is the job of the test suite itself (`cargo test --workspace --all-features`).

use std::collections::HashSet;
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
const READ_ONLY: [&str; 6] = [
    "dump",
    "sst_layout",
    "manifest_dump",
    "sst_dump",
    "dump_wal",
    "levels",
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

/// The `$ ` commands of the text blocks of `text`, each with the lines shown under it, in order.
fn shown_commands(text: &str) -> Vec<(String, Vec<String>)> {
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for block in text.split("```text\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        // Lines before a block's first command are not output.
        let mut in_command = false;
        for line in block.lines() {
            if let Some(command) = line.strip_prefix("$ ") {
                commands.push((command.to_string(), Vec::new()));
                in_command = true;
            } else if let (true, Some((_, shown))) = (in_command, commands.last_mut()) {
                shown.push(line.to_string());
            }
        }
    }
    commands
}

/// The commands a learner would type from the exercises of `text`: the code spans that start with `oxldb ` or
/// `cp -r ` and are whole (they name something to act on, and do not end in `=`).
fn exercise_commands(text: &str) -> Vec<String> {
    exercises(text)
        .iter()
        .flat_map(|item| {
            code_spans(item)
                .into_iter()
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
        })
        .filter(|s| {
            (s.starts_with("oxldb ") || s.starts_with("cp -r "))
                && s.split_whitespace().count() > 2
                && !s.ends_with('=')
        })
        .collect()
}

/// `line` with each duration (a number followed by ns, µs, us, ms or s) replaced by `<time>`, and a step's
/// duration that `oxldb trace` adds at the end of its line (` [12.5 µs]`) left out: the book shows lines without
/// them.
fn mask_durations(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let number_len = rest[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len() - start);
        let after = &rest[start + number_len..];
        let unit_text = after.strip_prefix(' ').unwrap_or(after);
        let unit = ["ns", "µs", "us", "ms", "s"].into_iter().find(|u| {
            unit_text.starts_with(u)
                && !unit_text[u.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric())
        });
        let preceded_by_word = out.chars().next_back().is_some_and(|c| c.is_alphanumeric());
        match unit {
            Some(unit) if !preceded_by_word => {
                out.push_str("<time>");
                rest = &unit_text[unit.len()..];
            }
            _ => {
                out.push_str(&rest[start..start + number_len]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace(" [<time>]", "")
}

/// `line` with what a background compaction may change in a read's trace left out: whether a probed table was
/// opened by the read or was already in the table cache, opened by a compaction that the open started (chapter 2's
/// read opens a database with eight level-0 files).
fn mask_table_cache(line: &str) -> String {
    line.replace("table opened (footer, index and filter read)", "<table>")
        .replace("table in the table cache", "<table>")
}

/// True if every line of `want` (other than `...`) is a line of `got`, in the same order.
fn in_order(want: &[String], got: &[String]) -> bool {
    let mut got = got.iter();
    want.iter()
        .filter(|w| *w != "...")
        .all(|w| got.any(|g| g == w))
}

/// Runs `command` (a line of the book) with bash in the workspace, `oxldb` being this build's and `/tmp/` the
/// directory `tmp`; gives its success and its stdout with `tmp` written back as `/tmp`.
fn run_as_learner(command: &str, tmp: &Path, bin: &Path) -> (bool, String) {
    let command = command.replace("/tmp/", &format!("{}/", tmp.display()));
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail; {command}"))
        .current_dir(workspace())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("OXLDB_PROGRESS")
        .output()
        .unwrap();
    // `| head` closes the pipe early: oxldb stops quietly, and that is the learner's success too.
    let success = output.status.success() || command.contains("| head");
    let stdout =
        String::from_utf8_lossy(&output.stdout).replace(&format!("{}/", tmp.display()), "/tmp/");
    (success, stdout)
}

#[test]
fn every_chapters_commands_run_as_shown() {
    // A directory on PATH whose `oxldb` is this build's.
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_oxldb"), bin.path().join("oxldb")).unwrap();
    let (mut ran, mut compared) = (0, 0);
    for (chapter, text) in chapters() {
        let tmp = tempfile::tempdir().unwrap();
        let shown = shown_commands(&text);
        let exercised = exercise_commands(&text)
            .into_iter()
            .map(|c| (c, Vec::new()));
        for (command, want) in shown.into_iter().chain(exercised) {
            if !(command.starts_with("oxldb ") || command.starts_with("cp -r ")) {
                continue; // xxd, ls: not the engine's
            }
            let (success, stdout) = run_as_learner(&command, tmp.path(), bin.path());
            assert!(success, "{chapter}: `{command}` failed");
            ran += 1;
            let several_threads =
                command.contains("--threads=") && !command.contains("--threads=1 ");
            if want.is_empty() || several_threads {
                continue;
            }
            let mask = |l: &str| mask_table_cache(&mask_durations(l));
            let got: Vec<String> = stdout.lines().map(mask).collect();
            let want: Vec<String> = want.iter().map(|l| mask(l)).collect();
            let want_refs: Vec<&str> = want.iter().map(String::as_str).collect();
            let got_refs: Vec<&str> = got.iter().map(String::as_str).collect();
            let ok = if command.starts_with("oxldb trace ") {
                in_order(&want, &got)
            } else {
                matches(&want_refs, &got_refs)
            };
            assert!(
                ok,
                "{chapter}: `{command}` prints\n{stdout}\nbut the chapter shows\n{}",
                want.join("\n")
            );
            compared += 1;
        }
    }
    assert!(ran >= 25, "only {ran} commands ran");
    assert!(compared >= 12, "only {compared} outputs compared");
}

#[test]
fn durations_are_masked_and_other_numbers_kept() {
    assert_eq!(
        mask_durations("log synced in 12 µs, 3 writers, 1.5ms, 000003.log, 5 s"),
        "log synced in <time>, 3 writers, <time>, 000003.log, <time>"
    );
    assert_eq!(
        mask_durations("36 bytes, 7 steps, v2s"),
        "36 bytes, 7 steps, v2s"
    );
    assert_eq!(
        mask_durations("[main] #1 log 000003.log: FULL @0 (36 bytes) [103.1 µs]"),
        "[main] #1 log 000003.log: FULL @0 (36 bytes)"
    );
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(in_order(
        &lines(&["a", "...", "c"]),
        &lines(&["a", "b", "c"])
    ));
    assert!(!in_order(&lines(&["c", "a"]), &lines(&["a", "b", "c"])));
}

/// The text of `markdown` a reader sees as prose: fenced code blocks, code spans and HTML comments removed.
fn prose(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            // Code spans: every other piece between backticks.
            for (i, piece) in line.split('`').enumerate() {
                if i % 2 == 0 {
                    out.push_str(piece);
                }
            }
            out.push('\n');
        }
    }
    let mut without_comments = String::new();
    let mut rest = out.as_str();
    while let Some(start) = rest.find("<!--") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    without_comments.push_str(rest);
    without_comments
}

/// The targets of the links and images of `markdown`: `[text](target)`, `![alt](target)`, `src="..."` and
/// `href="..."`.
fn link_targets(markdown: &str) -> Vec<String> {
    let text = prose(markdown);
    let mut targets = Vec::new();
    for (at, _) in text.match_indices("](") {
        let rest = &text[at + 2..];
        if let Some(end) = rest.find(')') {
            targets.push(
                rest[..end]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in text.match_indices(attribute) {
            let rest = &text[at + attribute.len()..];
            if let Some(end) = rest.find('"') {
                targets.push(rest[..end].to_string());
            }
        }
    }
    targets
}

/// The ids mdBook gives the headings of `markdown`: the heading's text, lowercased, letters, digits, `_` and `-`
/// kept, white space made `-`, the rest dropped; a repeated id gets `-1`, `-2`, ...
fn heading_ids(markdown: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if in_fence {
            continue;
        }
        let content = heading.trim_start_matches('#').replace('`', "");
        let id: String = content
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    Some(c)
                } else if c.is_whitespace() {
                    Some('-')
                } else {
                    None
                }
            })
            .collect();
        let mut unique = id.clone();
        let mut n = 0;
        while !ids.insert(unique.clone()) {
            n += 1;
            unique = format!("{id}-{n}");
        }
    }
    ids
}

/// Checks the link `target` of the page `page` of the book in `docs`: the file it names exists (relative to the
/// page), and its anchor, if any, is a heading of that page (or of `page` itself for `#anchor`).
fn check_link(docs: &Path, page: &str, target: &str) -> Result<(), String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return Ok(()); // not the book's
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let file = if path.is_empty() {
        docs.join(page)
    } else {
        docs.join(Path::new(page).parent().unwrap()).join(path)
    };
    if !file.is_file() {
        return Err(format!("{page}: {target}: no file {}", file.display()));
    }
    if !anchor.is_empty() {
        let text = fs::read_to_string(&file).map_err(|e| format!("{page}: {target}: {e}"))?;
        if !heading_ids(&text).contains(anchor) {
            return Err(format!("{page}: {target}: no heading #{anchor} in {path}"));
        }
    }
    Ok(())
}

#[test]
fn every_link_and_image_of_the_book_points_to_what_exists() {
    let docs = workspace().join("docs");
    let mut broken = Vec::new();
    let mut checked = 0;
    for (page, text) in chapters() {
        for target in link_targets(&text) {
            if let Err(e) = check_link(&docs, &page, &target) {
                broken.push(e);
            }
            checked += 1;
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked >= 40, "only {checked} links checked");

    // Every page is in the book.
    let summary = fs::read_to_string(docs.join("SUMMARY.md")).unwrap();
    let listed = link_targets(&summary);
    for (page, _) in chapters() {
        assert!(
            page == "SUMMARY.md" || listed.contains(&page),
            "{page} is not in docs/SUMMARY.md"
        );
    }
}

#[test]
fn the_link_check_finds_broken_links() {
    let docs = tempfile::tempdir().unwrap();
    fs::write(
        docs.path().join("a.md"),
        "# A `Title` (here)\n## Two\n## Two\n",
    )
    .unwrap();
    let page = "# Page\n[ok](a.md#a-title-here) ![ok](a.md) [ok](#page) [dup](a.md#two-1)\n\
                [bad](b.md) [bad](a.md#nowhere) ![bad](figures/x.svg) <img src=\"y.png\">\n\
                ```text\n[in code](nowhere.md)\n```\n`[in a span](nowhere.md)` <!-- [commented](nowhere.md) -->\n";
    fs::write(docs.path().join("page.md"), page).unwrap();
    let results: Vec<(String, bool)> = link_targets(page)
        .into_iter()
        .map(|t| {
            let ok = check_link(docs.path(), "page.md", &t).is_ok();
            (t, ok)
        })
        .collect();
    let broken: Vec<&str> = results
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        broken,
        ["b.md", "a.md#nowhere", "figures/x.svg", "y.png"],
        "{results:?}"
    );
    assert_eq!(results.len(), 8);
}

/// The course chapters and their files, as the course page's table lists them: (N, `course/src/chNN_....rs`).
fn course_table() -> Vec<(u32, String)> {
    let course = fs::read_to_string(workspace().join("docs/course.md")).unwrap();
    course
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let n = cells.get(1)?.parse().ok()?;
            let file = cells.get(3)?.trim_matches('`').to_string();
            Some((n, file))
        })
        .collect()
}

#[test]
fn every_chapter_ends_with_build_it_as_the_course_page_says() {
    let table = course_table();
    assert_eq!(
        table.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>(),
        "docs/course.md lists chapters 1 to 9"
    );
    // The course package is written beside the book; once it is there, its files must be the ones named.
    let course_src = workspace().join("course/src");
    for (n, file) in &table {
        assert!(
            file.starts_with(&format!("course/src/ch{n:02}_")) && file.ends_with(".rs"),
            "course chapter {n}: {file}"
        );
        if course_src.is_dir() {
            assert!(
                workspace().join(file).is_file(),
                "course chapter {n}: no {file}"
            );
        }
    }
    for (chapter, text) in chapters() {
        if !chapter.starts_with('0') {
            continue;
        }
        let section = text
            .split_once("\n## Build it\n")
            .unwrap_or_else(|| panic!("{chapter} has no \"## Build it\""))
            .1;
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        let mut named = 0;
        for (n, file) in &table {
            let command = format!("cargo run -p course -- check {n}`");
            if section.contains(file.as_str()) {
                assert!(
                    section.contains(&command),
                    "{chapter}: names {file} but not `{command}"
                );
                named += 1;
            }
        }
        assert!(
            named > 0,
            "{chapter}: its \"Build it\" names no course chapter's file"
        );
        assert!(
            text.contains("<details><summary>Answers</summary>"),
            "{chapter} has no answer key"
        );
    }
}

#[test]
fn every_file_the_book_names_exists() {
    let roots = [
        "src/",
        "oxldb/",
        "tests/",
        "scripts/",
        "bench/",
        "capi/",
        "differential/",
        "system-leveldb/",
        "docs/",
    ];
    let mut checked = 0;
    for (page, text) in chapters() {
        for span in text.split('`').skip(1).step_by(2) {
            let is_path = roots.iter().any(|r| span.starts_with(r))
                && !span.contains(char::is_whitespace)
                && !span.contains('*')
                && span.rsplit('/').next().is_some_and(|f| f.contains('.'));
            if is_path {
                assert!(
                    workspace().join(span).exists(),
                    "{page}: `{span}` does not exist"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} paths checked");
}
