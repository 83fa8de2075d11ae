//! LevelDB's DBTest fixture (db/db_test.cc): a database in a fresh temporary directory, a `SpecialEnv` over the
//! default Env for the tests that inject faults, the four option configurations the "×4" tests loop over, and
//! the helpers that print a database's state in LevelDB's test formats (`"NOT_FOUND"`, `"(k1->v1)(k2->v2)"`,
//! `"[ v2, DEL, v1 ]"`, `"1,1,1"`), so that the ported tests compare the same strings LevelDB's do.
//!
//! LevelDB: DBTest (db/db_test.cc)

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxleveldb::db::dbformat::{
    config, parse_internal_key, InternalKey, ValueType, MAX_SEQUENCE_NUMBER,
};
use oxleveldb::db::filename::{parse_file_name, sst_table_file_name, table_file_name, FileType};
use oxleveldb::env::{default_env, Env, SpecialEnv};
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::filter_policy::FilterPolicy;
use oxleveldb::{
    destroy_db, CompressionType, DBIterator, Options, Range, ReadOptions, Result, Snapshot, DB,
};
use tempfile::TempDir;

/// The option configurations a test can be run with, in order.
///
/// LevelDB: DBTest::OptionConfig
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionConfig {
    Default,
    Reuse,
    Filter,
    Uncompressed,
}

const OPTION_CONFIGS: [OptionConfig; 4] = [
    OptionConfig::Default,
    OptionConfig::Reuse,
    OptionConfig::Filter,
    OptionConfig::Uncompressed,
];

/// LevelDB: DBTest
pub struct DBTest {
    pub dbname: PathBuf,
    pub env: Arc<SpecialEnv>,
    /// The options of the last (re)open, for `all_entries_for`'s comparator.
    pub last_options: Options,
    /// Declared before `dir`: the database closes before its directory goes.
    db: Option<DB>,
    option_config: usize,
    filter_policy: Arc<dyn FilterPolicy>,
    dir: TempDir,
}

impl DBTest {
    /// A fresh database with the default configuration.
    ///
    /// LevelDB: DBTest::DBTest
    pub fn new() -> DBTest {
        let dir = tempfile::tempdir().unwrap();
        let mut t = DBTest {
            dbname: dir.path().join("db_test"),
            env: Arc::new(SpecialEnv::new(default_env())),
            last_options: Options::default(),
            db: None,
            option_config: 0,
            filter_policy: Arc::new(BloomFilterPolicy::new(10)),
            dir,
        };
        t.reopen();
        t
    }

    /// Runs `body` on a fresh database for each option configuration in turn (LevelDB's
    /// `do { ... } while (ChangeOptions());`).
    pub fn for_each_option_config(mut body: impl FnMut(&mut DBTest)) {
        let mut t = DBTest::new();
        loop {
            body(&mut t);
            if !t.change_options() {
                break;
            }
        }
    }

    /// A path for a second database of the test, next to the fixture's.
    pub fn tmp_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SpecialEnv, as the Env of an `Options`.
    pub fn special_env(&self) -> Arc<dyn Env> {
        self.env.clone()
    }

    /// The open database.
    pub fn db(&self) -> &DB {
        self.db.as_ref().expect("the database is open")
    }

    pub fn option_config(&self) -> OptionConfig {
        OPTION_CONFIGS[self.option_config]
    }

    /// Switches to a fresh database with the next option configuration; false if there is none left.
    ///
    /// LevelDB: DBTest::ChangeOptions
    pub fn change_options(&mut self) -> bool {
        self.option_config += 1;
        if self.option_config >= OPTION_CONFIGS.len() {
            false
        } else {
            self.destroy_and_reopen();
            true
        }
    }

    /// The options of the current configuration.
    ///
    /// LevelDB: DBTest::CurrentOptions
    pub fn current_options(&self) -> Options {
        let mut options = Options {
            reuse_logs: false,
            ..Options::default()
        };
        match self.option_config() {
            OptionConfig::Reuse => options.reuse_logs = true,
            OptionConfig::Filter => options.filter_policy = Some(self.filter_policy.clone()),
            OptionConfig::Uncompressed => options.compression = CompressionType::NoCompression,
            OptionConfig::Default => {}
        }
        options
    }

    /// Reopens with the current configuration (creating the database if missing).
    ///
    /// LevelDB: DBTest::Reopen
    pub fn reopen(&mut self) {
        self.try_reopen(None).unwrap();
    }

    /// LevelDB: DBTest::Reopen(options)
    pub fn reopen_with(&mut self, options: &Options) {
        self.try_reopen(Some(options)).unwrap();
    }

    /// LevelDB: DBTest::Close
    pub fn close(&mut self) {
        self.db = None;
    }

    /// LevelDB: DBTest::DestroyAndReopen
    pub fn destroy_and_reopen(&mut self) {
        self.destroy();
        self.try_reopen(None).unwrap();
    }

    /// LevelDB: DBTest::DestroyAndReopen(options)
    pub fn destroy_and_reopen_with(&mut self, options: &Options) {
        self.destroy();
        self.try_reopen(Some(options)).unwrap();
    }

    fn destroy(&mut self) {
        self.db = None;
        let _ = destroy_db(&self.dbname, &Options::default());
    }

    /// Closes the database and opens it with `options`, or with the current configuration and
    /// `create_if_missing`.
    ///
    /// LevelDB: DBTest::TryReopen
    pub fn try_reopen(&mut self, options: Option<&Options>) -> Result<()> {
        self.db = None;
        let opts = match options {
            Some(options) => options.clone(),
            None => Options {
                create_if_missing: true,
                ..self.current_options()
            },
        };
        self.last_options = opts.clone();
        self.db = Some(DB::open(opts, &self.dbname)?);
        Ok(())
    }

    /// LevelDB: DBTest::Put
    pub fn put(&self, k: impl AsRef<[u8]>, v: impl AsRef<[u8]>) -> Result<()> {
        self.db().put(k.as_ref(), v.as_ref())
    }

    /// LevelDB: DBTest::Delete
    pub fn delete(&self, k: impl AsRef<[u8]>) -> Result<()> {
        self.db().delete(k.as_ref())
    }

    /// The value of `k`, `"NOT_FOUND"`, or the error's text.
    ///
    /// LevelDB: DBTest::Get
    pub fn get(&self, k: impl AsRef<[u8]>) -> String {
        self.get_with(k, None)
    }

    /// `get` as of `snapshot`.
    pub fn get_at(&self, k: impl AsRef<[u8]>, snapshot: &Snapshot) -> String {
        self.get_with(k, Some(snapshot))
    }

    fn get_with(&self, k: impl AsRef<[u8]>, snapshot: Option<&Snapshot>) -> String {
        let options = ReadOptions {
            snapshot: snapshot.cloned(),
            ..ReadOptions::default()
        };
        match self.db().get_opt(k.as_ref(), &options) {
            Ok(Some(value)) => text(&value),
            Ok(None) => "NOT_FOUND".to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Every entry in order, formatted like `"(k1->v1)(k2->v2)"`; also checks that reverse iteration gives the
    /// same entries backwards.
    ///
    /// LevelDB: DBTest::Contents
    pub fn contents(&self) -> String {
        let mut forward = Vec::new();
        let mut result = String::new();
        let mut iter = self.db().new_iterator();
        iter.seek_to_first();
        while iter.valid() {
            let s = iter_status(&iter);
            result.push('(');
            result.push_str(&s);
            result.push(')');
            forward.push(s);
            iter.next();
        }

        // Check reverse iteration results are the reverse of forward results.
        let mut matched = 0;
        iter.seek_to_last();
        while iter.valid() {
            assert!(matched < forward.len());
            assert_eq!(iter_status(&iter), forward[forward.len() - matched - 1]);
            matched += 1;
            iter.prev();
        }
        assert_eq!(matched, forward.len());
        result
    }

    /// Every internal entry of `user_key`, newest first, like `"[ v2, DEL, v1 ]"`.
    ///
    /// LevelDB: DBTest::AllEntriesFor
    pub fn all_entries_for(&self, user_key: impl AsRef<[u8]>) -> String {
        let user_key = user_key.as_ref();
        let mut iter = self.db().test_new_internal_iterator();
        let target = InternalKey::new(user_key, MAX_SEQUENCE_NUMBER, ValueType::Value);
        iter.seek(target.encode());
        if let Err(e) = iter.status() {
            return e.to_string();
        }
        let mut result = String::from("[ ");
        let mut first = true;
        while iter.valid() {
            match parse_internal_key(iter.key()) {
                None => result.push_str("CORRUPTED"),
                Some(ikey) => {
                    if self
                        .last_options
                        .comparator
                        .compare(ikey.user_key, user_key)
                        != std::cmp::Ordering::Equal
                    {
                        break;
                    }
                    if !first {
                        result.push_str(", ");
                    }
                    first = false;
                    match ikey.value_type {
                        ValueType::Value => result.push_str(&text(iter.value())),
                        ValueType::Deletion => result.push_str("DEL"),
                    }
                }
            }
            iter.next();
        }
        if !first {
            result.push(' ');
        }
        result.push(']');
        result
    }

    /// LevelDB: DBTest::NumTableFilesAtLevel
    pub fn num_table_files_at_level(&self, level: usize) -> usize {
        self.db()
            .get_property(&format!("leveldb.num-files-at-level{level}"))
            .expect("a level below kNumLevels")
            .parse()
            .unwrap()
    }

    /// LevelDB: DBTest::TotalTableFiles
    pub fn total_table_files(&self) -> usize {
        (0..config::NUM_LEVELS)
            .map(|level| self.num_table_files_at_level(level))
            .sum()
    }

    /// The number of files of each level, like `"1,1,1"`, without the empty levels at the end.
    ///
    /// LevelDB: DBTest::FilesPerLevel
    pub fn files_per_level(&self) -> String {
        let mut result = String::new();
        let mut last_non_zero_offset = 0;
        for level in 0..config::NUM_LEVELS {
            let f = self.num_table_files_at_level(level);
            if level > 0 {
                result.push(',');
            }
            result.push_str(&f.to_string());
            if f > 0 {
                last_non_zero_offset = result.len();
            }
        }
        result.truncate(last_non_zero_offset);
        result
    }

    /// The number of entries in the database directory (with "." and "..", as LevelDB's Env lists them).
    ///
    /// LevelDB: DBTest::CountFiles
    pub fn count_files(&self) -> usize {
        self.env
            .get_children(&self.dbname)
            .map_or(0, |files| files.len())
    }

    /// LevelDB: DBTest::Size
    pub fn size(&self, start: impl AsRef<[u8]>, limit: impl AsRef<[u8]>) -> u64 {
        self.db()
            .get_approximate_sizes(&[Range::new(start.as_ref(), limit.as_ref())])[0]
    }

    /// LevelDB: DBTest::Compact
    pub fn compact(&self, start: impl AsRef<[u8]>, limit: impl AsRef<[u8]>) {
        self.db()
            .compact_range(Some(start.as_ref()), Some(limit.as_ref()))
            .unwrap();
    }

    /// Does `n` memtable compactions, each of which produces a table covering `[small_key, large_key]`.
    ///
    /// LevelDB: DBTest::MakeTables
    pub fn make_tables(&self, n: usize, small_key: &str, large_key: &str) {
        for _ in 0..n {
            self.put(small_key, "begin").unwrap();
            self.put(large_key, "end").unwrap();
            self.db().test_compact_mem_table().unwrap();
        }
    }

    /// Prevents the pushing of new tables into deeper levels by adding tables that cover the range to all levels.
    ///
    /// LevelDB: DBTest::FillLevels
    pub fn fill_levels(&self, smallest: &str, largest: &str) {
        self.make_tables(config::NUM_LEVELS, smallest, largest);
    }

    /// Waits until no size compaction of level 0 is due: one that was due has finished (it takes in every level-0
    /// file). LevelDB's tests sleep a second "for compaction to finish" instead.
    pub fn wait_for_level0_compaction(&self) {
        wait_until("level 0 is below its compaction trigger", || {
            self.num_table_files_at_level(0) < config::L0_COMPACTION_TRIGGER
        });
    }

    /// LevelDB: DBTest::DumpFileCounts
    pub fn dump_file_counts(&self, label: &str) {
        eprintln!("---\n{label}:");
        eprintln!(
            "maxoverlap: {}",
            self.db().test_max_next_level_overlapping_bytes()
        );
        for level in 0..config::NUM_LEVELS {
            let num = self.num_table_files_at_level(level);
            if num > 0 {
                eprintln!("  level {level:3} : {num} files");
            }
        }
    }

    /// LevelDB: DBTest::DumpSSTableList
    pub fn dump_sstable_list(&self) -> String {
        self.db().get_property("leveldb.sstables").unwrap()
    }

    /// The numbers of the table files in the database directory.
    fn table_file_numbers(&self) -> Vec<u64> {
        self.env
            .get_children(&self.dbname)
            .unwrap()
            .iter()
            .filter_map(|name| parse_file_name(name))
            .filter(|&(_, file_type)| file_type == FileType::TableFile)
            .map(|(number, _)| number)
            .collect()
    }

    /// Removes one table file; false if there is none.
    ///
    /// LevelDB: DBTest::DeleteAnSSTFile
    pub fn delete_an_sst_file(&self) -> bool {
        match self.table_file_numbers().first() {
            Some(&number) => {
                self.env
                    .remove_file(&table_file_name(&self.dbname, number))
                    .unwrap();
                true
            }
            None => false,
        }
    }

    /// Renames every `.ldb` table to the older `.sst` name; returns the number of files renamed.
    ///
    /// LevelDB: DBTest::RenameLDBToSST
    pub fn rename_ldb_to_sst(&self) -> usize {
        let numbers = self.table_file_numbers();
        for &number in &numbers {
            self.env
                .rename_file(
                    &table_file_name(&self.dbname, number),
                    &sst_table_file_name(&self.dbname, number),
                )
                .unwrap();
        }
        numbers.len()
    }
}

/// `"key->value"` for a positioned iterator, `"(invalid)"` otherwise.
///
/// LevelDB: DBTest::IterStatus
pub fn iter_status(iter: &DBIterator) -> String {
    if iter.valid() {
        format!("{}->{}", text(iter.key()), text(iter.value()))
    } else {
        "(invalid)".to_string()
    }
}

/// LevelDB: Key (db_test.cc) — `"key%06d"`.
pub fn key(i: usize) -> String {
    format!("key{i:06}")
}

/// The test's keys and values are text; bytes that are not print as U+FFFD, which no expected string contains.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits until `condition` holds, for the work of the background thread. LevelDB's tests sleep a fixed second
/// instead; polling ends as soon as the work is done, and the long limit only turns a hang into a failure.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
