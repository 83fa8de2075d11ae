//! The map (docs/map.md) stays honest: every row names a LevelDB 1.23 item, the oxleveldb item that does the same
//! work and the file it is in; this test checks both columns against the sources.
//!
//! - Every table of the map has the header `| LevelDB 1.23 | oxleveldb | file |`: a table with another header is an
//!   error, not a table to skip.
//! - The LevelDB column: each name in backticks is one LevelDB 1.23 declares (`tests/fixtures/leveldb_names.txt`,
//!   made from LevelDB's sources by `scripts/leveldb_names.py`); a row about RocksDB starts with `(RocksDB)` and is
//!   not checked against LevelDB.
//! - The oxleveldb column is `Type::item` (an `fn`, `const` or `type` item directly inside an `impl` block whose
//!   own type is `Type`, `impl Type` or `impl Trait for Type`, or inside `trait Type`) or a bare `item` (an `fn`,
//!   `struct`, `enum`, `trait`, `type`, `const`, `static` or `mod` of that name in the file). Only code counts:
//!   comments and the insides of string literals are removed first, and a type named only in a generic bound or
//!   in the trait of an impl is not that impl's type.
//!
//! Private items are fine: the map is for readers of the source.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

/// A row of the map: the LevelDB cell as written, the oxleveldb item, the file.
struct Row {
    leveldb: String,
    item: String,
    file: String,
}

const HEADER: [&str; 3] = ["LevelDB 1.23", "oxleveldb", "file"];

/// The cells of a table line, trimmed.
fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// The rows of every table of `text`; an error for a table whose header is not the map's or a row that does not
/// have three cells.
fn rows(text: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut previous_was_table = false;
    for (n, line) in text.lines().enumerate() {
        let is_table = line.trim_start().starts_with('|');
        if is_table && !previous_was_table {
            let header: Vec<String> = cells(line)
                .iter()
                .map(|c| c.trim_matches('`').to_string())
                .collect();
            if header != HEADER {
                return Err(format!(
                    "line {}: unknown table header {line} (the map's is | {} |)",
                    n + 1,
                    HEADER.join(" | ")
                ));
            }
        } else if is_table && !line.contains("---") {
            let row = cells(line);
            if row.len() != 3 {
                return Err(format!("line {}: a map row has three cells: {line}", n + 1));
            }
            rows.push(Row {
                leveldb: row[0].clone(),
                item: row[1].trim_matches('`').to_string(),
                file: row[2].trim_matches('`').to_string(),
            });
        }
        previous_was_table = is_table;
    }
    Ok(rows)
}

/// The spans between backticks in `cell`.
fn code_spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// Checks a LevelDB cell: `(RocksDB) ...`, or names in backticks, each one LevelDB 1.23 declares, with at most
/// words of explanation around them.
fn check_leveldb(cell: &str, names: &HashSet<String>) -> Result<(), String> {
    if cell.starts_with("(RocksDB)") {
        return Ok(());
    }
    let spans = code_spans(cell);
    if !cell.starts_with('`') || spans.is_empty() {
        return Err(format!("{cell}: no LevelDB name in backticks"));
    }
    match spans.iter().find(|name| !names.contains(**name)) {
        Some(name) => Err(format!("{cell}: LevelDB 1.23 has no {name}")),
        None => Ok(()),
    }
}

/// `source` with its comments and the insides of its string and character literals removed (replaced by spaces,
/// so that nothing in them can be mistaken for code).
fn code_of(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            // Block comments nest in Rust.
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if source[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if source[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            out.push(' ');
            i = j;
        } else if let Some(hashes) = rest
            .strip_prefix('r')
            .filter(|_| !out.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            .and_then(|r| {
                let n = r.len() - r.trim_start_matches('#').len();
                r[n..].starts_with('"').then_some(n)
            })
        {
            // A raw string: r"..." or r#"..."#.
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            let end = source[body..]
                .find(&close)
                .map_or(bytes.len(), |e| body + e + close.len());
            out.push_str("\"\"");
            i = end;
        } else if rest.starts_with('"') {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if let Some(after_quote) = rest.strip_prefix('\'') {
            // A character literal ('a', '\n', '\u{1F600}'), or a lifetime ('a), which is left as it is.
            let literal_len = match after_quote.strip_prefix('\\') {
                // After the backslash, the escaped character (maybe a quote), then up to the closing quote.
                Some(escaped) => escaped.get(1..).and_then(|e| e.find('\'')).map(|e| e + 4),
                None => after_quote
                    .chars()
                    .next()
                    .filter(|c| after_quote[c.len_utf8()..].starts_with('\''))
                    .map(|c| c.len_utf8() + 2),
            };
            match literal_len {
                Some(len) => {
                    out.push_str("' '");
                    i += len;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True if `code` has the word `word` at `at` (not inside a longer identifier).
fn word_at(code: &str, at: usize, word: &str) -> bool {
    code[at..].starts_with(word)
        && !code[..at].chars().next_back().is_some_and(is_ident)
        && !code[at + word.len()..].chars().next().is_some_and(is_ident)
}

/// The index of the `}` that closes the `{` at `open`.
fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `text` without its leading generic parameters (`<'a, T: Bound<X>>`), if it starts with them.
fn skip_generics(text: &str) -> &str {
    let text = text.trim_start();
    if !text.starts_with('<') {
        return text;
    }
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if !text[..i].ends_with('-') => {
                depth -= 1;
                if depth == 0 {
                    return &text[i + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// The type an impl header (what follows `impl`, up to its `{`) is for: `<T: A> B<T>` is for `B`, `Iterator for
/// BlockIter<'_>` for `BlockIter`, `<K> fmt::Debug for a::Map<K> where K: C` for `Map`.
fn impl_subject(header: &str) -> &str {
    let header = skip_generics(header);
    let header = header.split(" where ").next().unwrap_or(header);
    // ` for ` outside angle brackets separates the trait from the type.
    let mut depth = 0i32;
    let mut subject_at = 0;
    for (i, c) in header.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            _ if depth == 0 && word_at(header, i, "for") => subject_at = i + 3,
            _ => {}
        }
    }
    let subject = header[subject_at..]
        .trim_start()
        .trim_start_matches('&')
        .trim_start_matches("mut ")
        .trim_start_matches("dyn ");
    let path = subject
        .split(|c: char| !(is_ident(c) || c == ':'))
        .next()
        .unwrap_or("");
    path.rsplit("::").next().unwrap_or("")
}

/// The bodies (between the braces) of the `impl` blocks for `type_name` and of `trait type_name` in `code`.
fn blocks_of<'a>(code: &'a str, type_name: &str) -> Vec<&'a str> {
    let mut blocks = Vec::new();
    for (at, _) in code
        .match_indices("impl")
        .chain(code.match_indices("trait"))
    {
        let keyword = if code[at..].starts_with("impl") {
            "impl"
        } else {
            "trait"
        };
        if !word_at(code, at, keyword) {
            continue;
        }
        let Some(open) = code[at..].find(['{', ';']).map(|o| at + o) else {
            continue;
        };
        if !code[open..].starts_with('{') {
            continue;
        }
        let header = &code[at + keyword.len()..open];
        let names_type = if keyword == "impl" {
            impl_subject(header) == type_name
        } else {
            header.split(|c: char| !is_ident(c)).find(|w| !w.is_empty()) == Some(type_name)
        };
        if names_type {
            blocks.push(&code[open + 1..matching_brace(code, open)]);
        }
    }
    blocks
}

/// True if `code` declares `name` as one of `kinds` (`fn name`, `struct name`, ...); with `top_level_only`, only
/// outside every brace of `code` (an item of a block's body, not one nested in a method).
fn declares(code: &str, name: &str, kinds: &[&str], top_level_only: bool) -> bool {
    let mut depth = 0;
    for (i, c) in code.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if (depth == 0 || !top_level_only) && word_at(code, i, name) => {
                let before = code[..i].trim_end();
                if kinds.iter().any(|kind| {
                    before.ends_with(kind) && word_at(code, before.len() - kind.len(), kind)
                }) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// True if `source` declares the map's oxleveldb item (`Type::item` or a bare `item`) in code.
fn item_is_declared(source: &str, item: &str) -> bool {
    let code = code_of(source);
    match item.rsplit_once("::") {
        None => declares(
            &code,
            item,
            &[
                "fn", "struct", "enum", "trait", "type", "const", "mod", "static",
            ],
            false,
        ),
        Some((type_path, name)) => {
            let type_name = type_path.rsplit("::").next().unwrap();
            blocks_of(&code, type_name)
                .iter()
                .any(|block| declares(block, name, &["fn", "const", "type"], true))
        }
    }
}

/// LevelDB 1.23's names, from tests/fixtures/leveldb_names.txt.
fn leveldb_names(root: &Path) -> HashSet<String> {
    fs::read_to_string(root.join("tests/fixtures/leveldb_names.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks one row against LevelDB's names and the repository's sources.
fn check_row(row: &Row, root: &Path, names: &HashSet<String>) -> Result<(), String> {
    check_leveldb(&row.leveldb, names)?;
    let source = fs::read_to_string(root.join(&row.file))
        .map_err(|e| format!("{}: cannot read {}: {e}", row.leveldb, row.file))?;
    if item_is_declared(&source, &row.item) {
        Ok(())
    } else {
        Err(format!(
            "{} -> {} is not in {}",
            row.leveldb, row.item, row.file
        ))
    }
}

#[test]
fn every_row_of_the_map_names_a_leveldb_name_and_an_item_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/map.md")).unwrap();
    let rows = rows(&map).unwrap();
    assert!(rows.len() >= 100, "the map has {} rows", rows.len());
    let names = leveldb_names(root);
    assert!(
        names.len() > 1000,
        "leveldb_names.txt has {} names",
        names.len()
    );
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|row| check_row(row, root, &names).err())
        .collect();
    assert!(wrong.is_empty(), "wrong rows:\n{}", wrong.join("\n"));
}

#[test]
fn the_map_covers_the_items_the_issue_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/map.md")).unwrap();
    let leveldb: Vec<String> = rows(&map)
        .unwrap()
        .into_iter()
        .flat_map(|row| {
            code_spans(&row.leveldb)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    for name in [
        "DB::Put",
        "DBImpl::Write",
        "DBImpl::BuildBatchGroup",
        "DBImpl::MakeRoomForWrite",
        "WriteBatchInternal::InsertInto",
        "WriteBatchInternal::SetSequence",
        "WriteBatchInternal::Contents",
        "log::Writer::AddRecord",
        "log::Reader::ReadRecord",
        "MemTable::Add",
        "MemTable::Get",
        "SkipList::Insert",
        "SkipList::FindGreaterOrEqual",
        "Arena::Allocate",
        "DBImpl::Get",
        "Version::Get",
        "TableCache::Get",
        "Table::InternalGet",
        "Block::Iter::Seek",
        "FilterBlockReader::KeyMayMatch",
        "VersionSet::LogAndApply",
        "VersionSet::Recover",
        "VersionSet::PickCompaction",
        "DBImpl::DoCompactionWork",
        "DBIter",
    ] {
        assert!(
            leveldb.iter().any(|l| l == name),
            "{name} is not in the map"
        );
    }
}

/// The checker itself: a name inside another (`fn get_range2` for `get_range`) or in another type's impl block
/// does not count.
#[test]
fn the_checker_refuses_near_misses() {
    let source =
        "impl A {\n    fn get_range2() {}\n}\nimpl Iterator for B {\n    fn seek() {}\n}\n";
    assert!(!item_is_declared(source, "get_range"));
    assert!(item_is_declared(source, "get_range2"));
    assert!(item_is_declared(source, "B::seek"));
    assert!(!item_is_declared(source, "Iterator::seek"));
    assert!(!item_is_declared(source, "A::seek"));
    // A function nested in a method is not the type's item.
    assert!(!item_is_declared(
        "impl A {\n    fn f() {\n        fn g() {}\n    }\n}\n",
        "A::g"
    ));
}

/// Defect 1 of the issue: an item found only in a comment (a doc comment, or a commented-out line) or a string.
#[test]
fn an_item_only_in_a_comment_or_a_string_is_not_found() {
    let source = "/// Like `fn put_all` in LevelDB.\nimpl DB {\n    // fn put_all() {}\n    /* fn put_all() {} */\n    \
                  const S: &str = \"fn put_all()\";\n    fn put() {}\n}\n";
    assert!(!item_is_declared(source, "DB::put_all"));
    assert!(!item_is_declared(source, "put_all"));
    assert!(item_is_declared(source, "DB::put"));
    // A lifetime is not a character literal: the code after it is still read.
    assert!(item_is_declared(
        "impl<'a> R<'a> {\n    fn f(x: &'a str) -> char { 'x' }\n}\n",
        "R::f"
    ));
    // Nor is an escaped quote the end of a character literal: the braces after it still count.
    let escapes =
        "impl Q {\n    fn f() -> [char; 3] { ['\\'', '{', '\\u{7b}'] }\n    fn g() {}\n}\n";
    assert!(item_is_declared(escapes, "Q::g"));
}

/// Defect 2 of the issue: a method attributed to a type named only in a generic bound (or the trait) of another
/// type's impl.
#[test]
fn a_type_in_a_generic_bound_is_not_the_impls_type() {
    let source = "impl<C: Comparator> SkipList<C> {\n    fn insert() {}\n}\n\
                  impl<K> Iterator for Wrapper<K> where K: Comparator {\n    fn next() {}\n}\n";
    assert!(!item_is_declared(source, "Comparator::insert"));
    assert!(item_is_declared(source, "SkipList::insert"));
    assert!(!item_is_declared(source, "Comparator::next"));
    assert!(!item_is_declared(source, "Iterator::next"));
    assert!(item_is_declared(source, "Wrapper::next"));
}

/// Defect 3 of the issue: a misspelled LevelDB name, anywhere in the map (not only among a fixed few).
#[test]
fn a_misspelled_leveldb_name_is_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let names = leveldb_names(root);
    assert!(check_leveldb("`DBImpl::Write`", &names).is_ok());
    assert!(check_leveldb("`VersionSet::LogAndApply` (before the unlock)", &names).is_ok());
    assert!(check_leveldb("`Cache::Lookup`, then `Cache::Release`, in a get", &names).is_ok());
    assert!(check_leveldb("(RocksDB) `EventListener`", &names).is_ok());
    for wrong in [
        "`DBImpl::Wirte`",
        "`Cache::Lookup`, then `Cache::Relase`",
        "`DBImpl::write`",
        "DBImpl::Write",
        "`log::Writer::AddRecords`",
    ] {
        assert!(check_leveldb(wrong, &names).is_err(), "{wrong} was taken");
    }
}

/// Defect 4 of the issue: a misspelled table header, which used to make every row below it skipped.
#[test]
fn an_unknown_table_header_is_an_error() {
    let good = "| LevelDB 1.23 | oxleveldb | file |\n|---|---|---|\n| `DB::Put` | `DB::put` | `src/a.rs` |\n";
    assert_eq!(rows(good).unwrap().len(), 1);
    for header in [
        "| LevelDB 1.32 | oxleveldb | file |",
        "| LevelDB | oxleveldb | file |",
        "| LevelDB 1.23 | oxleveldb | path |",
    ] {
        let text =
            format!("{good}\n{header}\n|---|---|---|\n| `DB::Get` | `DB::get` | `src/a.rs` |\n");
        assert!(rows(&text).is_err(), "{header} was taken");
    }
    assert!(rows(
        "| LevelDB 1.23 | oxleveldb | file |\n|---|---|---|\n| `DB::Put` | `DB::put` |\n"
    )
    .is_err());
}
