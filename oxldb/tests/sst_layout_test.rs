//! `oxldb sst_layout`: a table LevelDB 1.23 wrote, taken apart block by block. The blocks must tile the file up to
//! the footer, the data blocks' entries must add up to what `sst_dump --command=check` counts, the filter block
//! must be there for a table written with a bloom filter, and a damaged block must be reported, not printed.

#[path = "../../tests/common/mod.rs"]
mod common;
mod runner;

use std::fs;

use common::fixtures_dir;
use runner::oxldb;

fn table() -> std::path::PathBuf {
    fixtures_dir().join("multilevel-bloom/db/000156.ldb")
}

#[test]
fn sst_layout_tiles_a_leveldb_table() {
    let path = table();
    let file = format!("--file={}", path.display());
    let (code, stdout, stderr) = oxldb(&["sst_layout", &file]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let out = String::from_utf8(stdout).unwrap();
    let size = fs::metadata(&path).unwrap().len();
    assert!(
        out.starts_with(&format!("{}: {size} bytes\n", path.display())),
        "{out}"
    );

    // Each row: offset, size, trailer; the next block starts 5 bytes (the trailer) after the previous one ends.
    let mut next = 0;
    let mut entries = 0;
    let mut data_blocks = 0;
    for line in out.lines().skip(2) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Ok(offset) = fields[0].parse::<u64>() else {
            continue;
        };
        assert_eq!(offset, next, "{line}");
        let block_size: u64 = fields[1].parse().unwrap();
        if fields[3] == "footer:" {
            assert_eq!((offset, block_size), (size - 48, 48));
            next = size;
            continue;
        }
        next = offset + block_size + 5;
        if fields[3] == "data" {
            data_blocks += 1;
            entries += fields[6].parse::<u64>().unwrap();
        }
    }
    assert_eq!(next, size, "the layout ends at the end of the file");
    assert!(out.contains("filter block (filter.leveldb.BuiltinBloomFilter2)"));
    assert!(out.contains(&format!(
        "index block: {data_blocks} entries, one per data block"
    )));

    let (code, stdout, _) = oxldb(&["sst_dump", &file, "--command=check"]);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(stdout).unwrap(),
        format!("{}: OK, {entries} entries\n", path.display())
    );
}

#[test]
fn sst_layout_reports_a_damaged_block() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("000156.ldb");
    let mut bytes = fs::read(table()).unwrap();
    bytes[100] ^= 0x40; // Inside the first data block.
    fs::write(&copy, &bytes).unwrap();
    let (code, stdout, stderr) = oxldb(&["sst_layout", &format!("--file={}", copy.display())]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(stderr, "Corruption: block checksum mismatch\n");
}
