//! Comparing two database directories byte for byte, and saying where they differ: the first differing byte and
//! both files' dumps (oxleveldb's dumper, leveldbutil's format) around the first differing line.
//!
//! Invariant: every file both engines must write identically is compared: all but the info log (`LOG`,
//! `LOG.old`), whose lines carry timestamps and thread ids.

use std::fs;
use std::path::Path;

use oxleveldb::dump::dump_file;
use oxleveldb::env::default_env;

/// The files of a database directory that both engines must write identically, sorted.
pub fn db_files(path: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "LOG" && name != "LOG.old" {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// oxleveldb's dump of a database file (leveldbutil's format), or why there is none.
pub fn dump(path: &Path) -> String {
    let mut out = Vec::new();
    match dump_file(&*default_env(), path, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("(cannot dump: {e})"),
    }
}

/// Compares the directories `left` and `right` (made by the engines `names`): the same file names and
/// byte-identical contents, recursively (RepairDB's `lost/`). Returns how many tables there are, or what differs.
pub fn compare_dirs(left: &Path, right: &Path, names: [&str; 2]) -> Result<usize, String> {
    let files = db_files(right)?;
    let left_files = db_files(left)?;
    if left_files != files {
        return Err(format!(
            "file names differ:\n {}: {left_files:?}\n {}: {files:?}",
            names[0], names[1]
        ));
    }
    let mut tables = 0;
    for name in &files {
        let (a, b) = (left.join(name), right.join(name));
        if b.is_dir() {
            tables += compare_dirs(&a, &b, names).map_err(|e| format!("{name}/: {e}"))?;
            continue;
        }
        tables += usize::from(name.ends_with(".ldb"));
        let read = |p: &Path| fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        let (x, y) = (read(&a)?, read(&b)?);
        if x != y {
            return Err(describe_difference(name, &a, &b, &x, &y, names));
        }
    }
    Ok(tables)
}

/// Where two versions of a file differ: the first byte, and the dumps' first differing line in context.
fn describe_difference(
    name: &str,
    a: &Path,
    b: &Path,
    x: &[u8],
    y: &[u8],
    names: [&str; 2],
) -> String {
    let at = x
        .iter()
        .zip(y)
        .position(|(p, q)| p != q)
        .unwrap_or(x.len().min(y.len()));
    let (dump_a, dump_b) = (dump(a), dump(b));
    let (lines_a, lines_b): (Vec<&str>, Vec<&str>) =
        (dump_a.lines().collect(), dump_b.lines().collect());
    let line = (0..lines_a.len().max(lines_b.len()))
        .find(|&i| lines_a.get(i) != lines_b.get(i))
        .unwrap_or(0);
    // The column where the first differing lines differ: dump lines can be long (values).
    let column = match (lines_a.get(line), lines_b.get(line)) {
        (Some(p), Some(q)) => p
            .bytes()
            .zip(q.bytes())
            .position(|(c, d)| c != d)
            .unwrap_or(0),
        _ => 0,
    };
    let around = |lines: &[&str]| {
        let mut out = String::new();
        for (i, l) in lines
            .iter()
            .enumerate()
            .skip(line.saturating_sub(2))
            .take(5)
        {
            let (from, to) = if i == line {
                (column.saturating_sub(60), column + 60)
            } else {
                (0, 120)
            };
            let shown: String = l.chars().skip(from).take(to - from).collect();
            let marker = if i == line { ">" } else { " " };
            let dots = if from > 0 { "..." } else { "" };
            out.push_str(&format!("  {marker} {dots}{shown}\n"));
        }
        out
    };
    format!(
        "{name} differs: {} bytes ({}) vs {} ({}), first difference at byte {at} ({:?} vs {:?}); the dumps first \
         differ at line {line}, column {column}:\n {}:\n{} {}:\n{}",
        x.len(),
        names[0],
        y.len(),
        names[1],
        x.get(at),
        y.get(at),
        names[0],
        around(&lines_a),
        names[1],
        around(&lines_b)
    )
}
