//! MANIFESTs written by LevelDB 1.23: recovering the version set of each fixture's database gives exactly the
//! files (level, number, size, smallest and largest keys), log numbers, next file number and last sequence that
//! its dump lists (dumps/MANIFEST-*.txt, printed by `leveldbutil dump`). That `oxldb dump` prints each MANIFEST
//! exactly as that dump is tested in compat_logs.rs.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::sync::Arc;

use common::*;
use oxleveldb::db::dbformat::{config, InternalKeyComparator};
use oxleveldb::db::table_cache::TableCache;
use oxleveldb::db::version_set::VersionSet;

/// The live files, (level, number) → (size, smallest key, largest key), the keys as LevelDB's DebugString
/// prints them.
type Files = BTreeMap<(usize, u64), (u64, String, String)>;

/// What the edits of a MANIFEST dump add up to.
#[derive(Debug, Default, PartialEq)]
struct Recorded {
    files: Files,
    log_number: u64,
    prev_log_number: u64,
    next_file: u64,
    last_sequence: u64,
}

/// Replays the edits of a dump: `AddFile: level number size smallest .. largest`, `RemoveFile: level number`,
/// and the last `LogNumber`, `PrevLogNumber`, `NextFile` and `LastSeq`.
fn replay_dump(text: &str) -> Recorded {
    let mut recorded = Recorded::default();
    for line in text.lines() {
        let Some((field, value)) = line.trim_start().split_once(": ") else {
            continue;
        };
        let words: Vec<&str> = value.splitn(4, ' ').collect();
        let number = |i: usize| words[i].parse::<u64>().unwrap();
        match field {
            "AddFile" => {
                let (smallest, largest) = words[3].split_once(" .. ").unwrap();
                recorded.files.insert(
                    (number(0) as usize, number(1)),
                    (number(2), smallest.to_string(), largest.to_string()),
                );
            }
            "RemoveFile" => {
                recorded.files.remove(&(number(0) as usize, number(1)));
            }
            "LogNumber" => recorded.log_number = number(0),
            "PrevLogNumber" => recorded.prev_log_number = number(0),
            "NextFile" => recorded.next_file = number(0),
            "LastSeq" => recorded.last_sequence = number(0),
            _ => {}
        }
    }
    recorded
}

/// The state of the version set recovered from fixture `name`'s database.
fn recover(name: &str) -> Recorded {
    let dbname = fixtures_dir().join(name).join("db");
    let options = fixture_options(name);
    let icmp = InternalKeyComparator::new(options.comparator.clone());
    let table_cache = Arc::new(TableCache::new(&dbname, options.clone(), 10));
    let mut vset = VersionSet::new(&dbname, &options, table_cache, icmp);
    // Without reuse_logs, recovery only reads: the fixture stays as it is.
    assert!(
        vset.recover().unwrap(),
        "{name}: a new MANIFEST would be written"
    );
    let v = vset.current();
    Recorded {
        files: (0..config::NUM_LEVELS)
            .flat_map(|level| {
                v.files(level).iter().map(move |f| {
                    (
                        (level, f.number),
                        (
                            f.file_size,
                            f.smallest.debug_string(),
                            f.largest.debug_string(),
                        ),
                    )
                })
            })
            .collect(),
        log_number: vset.log_number(),
        prev_log_number: vset.prev_log_number(),
        // The next file number recorded becomes the number of the next MANIFEST.
        next_file: vset.manifest_file_number(),
        last_sequence: vset.last_sequence(),
    }
}

#[test]
fn fixture_manifests_recover_to_what_their_dumps_list() {
    for name in fixture_names() {
        let manifests = fixture_files(&name, |f| f.starts_with("MANIFEST-"));
        assert_eq!(manifests.len(), 1, "{name}: one MANIFEST");
        let manifest = manifests[0].file_name().unwrap().to_string_lossy();
        let dump = fixtures_dir()
            .join(&name)
            .join(format!("dumps/{manifest}.txt"));
        let expected = replay_dump(&fs::read_to_string(dump).unwrap());
        assert!(!expected.files.is_empty(), "{name}: the dump lists files");
        assert_eq!(recover(&name), expected, "{name}");
    }
}
