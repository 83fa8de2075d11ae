//! The map (docs/map.md) stays honest: every row names a LevelDB 1.23 item, the oxleveldb item that does the same
//! work and the file it is in, and this test reads that file's source to find the item.
//!
//! A row's oxleveldb column is `Type::item` (an `fn item` inside an `impl ... Type` or `trait Type` block of the
//! file: the block starts at a line that begins with `impl` or `trait` and ends at the next line that is `}`) or a
//! bare `item` (an `fn`, `struct`, `enum`, `trait`, `type`, `const` or `mod` of that name anywhere in the file).
//! Private items are fine: the map is for readers of the source.

use std::fs;
use std::path::Path;

/// The rows of every table in `text` whose header is `| LevelDB 1.23 | oxleveldb | file |`.
fn rows(text: &str) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut in_map = false;
    for line in text.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect();
        if !line.trim_start().starts_with('|') {
            in_map = false;
        } else if cells == ["LevelDB 1.23", "oxleveldb", "file"] {
            in_map = true;
        } else if in_map && !cells[0].starts_with("---") {
            assert_eq!(cells.len(), 3, "a map row has three cells: {line}");
            rows.push((cells[0].clone(), cells[1].clone(), cells[2].clone()));
        }
    }
    rows
}

/// True if `text` declares `name` as an item: `fn name`, `struct name`, ... followed by a non-identifier byte.
fn declares(text: &str, name: &str) -> bool {
    [
        "fn", "struct", "enum", "trait", "type", "const", "mod", "static",
    ]
    .iter()
    .any(|kind| {
        let needle = format!("{kind} {name}");
        text.match_indices(&needle).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + needle.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

/// The `impl ... Type ... {` and `trait Type {` blocks of `source` (top-level ones: they start in column 0, or
/// after `pub `/`pub(crate) `, and end at the next line that is `}`).
fn blocks_of<'a>(source: &'a str, type_name: &str) -> Vec<&'a str> {
    let mut blocks = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let head = line
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub ");
        let names_type = head
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == type_name);
        if start.is_none()
            && (head.starts_with("impl") || head.starts_with("trait "))
            && names_type
            && head.trim_end().ends_with('{')
        {
            // `impl Iterator for BlockIter {` names BlockIter after `for`; `impl<'a> Reader<'a> {` names it first.
            let subject = head.split(" for ").last().unwrap_or(head);
            if subject
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == type_name)
            {
                start = Some(offset);
            }
        } else if line.trim_end() == "}" {
            if let Some(s) = start.take() {
                blocks.push(&source[s..offset + line.len()]);
            }
        }
        offset += line.len();
    }
    blocks
}

#[test]
fn every_row_of_the_map_names_an_item_that_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/map.md")).unwrap();
    let rows = rows(&map);
    assert!(rows.len() >= 40, "the map has {} rows", rows.len());
    let mut missing = Vec::new();
    for (leveldb, item, file) in &rows {
        let source = fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("{leveldb}: cannot read {file}: {e}"));
        let found = match item.rsplit_once("::") {
            None => declares(&source, item),
            Some((type_path, name)) => {
                let type_name = type_path.rsplit("::").next().unwrap();
                blocks_of(&source, type_name)
                    .iter()
                    .any(|block| declares(block, name))
            }
        };
        if !found {
            missing.push(format!("{leveldb} -> {item} in {file}"));
        }
    }
    assert!(
        missing.is_empty(),
        "rows naming no item:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_map_covers_the_items_the_issue_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/map.md")).unwrap();
    let leveldb: Vec<String> = rows(&map).into_iter().map(|(l, _, _)| l).collect();
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
    assert!(!declares(source, "get_range"));
    assert!(declares(source, "get_range2"));
    assert_eq!(blocks_of(source, "B").len(), 1);
    assert!(blocks_of(source, "Iterator").is_empty());
    assert!(!blocks_of(source, "A").iter().any(|b| declares(b, "seek")));
    assert!(blocks_of(source, "B").iter().any(|b| declares(b, "seek")));
}
