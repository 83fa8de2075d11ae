//! `Version`: the set of table files of each level at one point in time.
//!
//! A version never changes once it is built (only its seek statistics do): a compaction or a memtable flush makes
//! a new version from the current one and an edit. Readers and iterators hold an `Arc<Version>`, so the files it
//! lists stay live (not deleted) while anyone can still read them.
//!
//! Level 0 files may overlap one another and are ordered by when they were written; the files of every other
//! level are sorted by key and do not overlap.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::db::dbformat::{
    config, parse_internal_key, InternalKey, InternalKeyComparator, LookupKey, ValueType,
    MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK,
};
use crate::db::event_listener::{FileProbe, ProbeAnswer};
use crate::db::table_cache::TableCache;
use crate::db::version_edit::FileMetaData;
use crate::error::{Error, Result};
use crate::options::ReadOptions;
use crate::table::iterator::{new_error_iterator, Iterator};
use crate::table::two_level_iterator::new_two_level_iterator;
use crate::util::coding::{decode_fixed64, encode_fixed64};
use crate::util::comparator::Comparator;
use crate::util::logging::append_number_to;

/// The files of one level, shared by the version and the iterators over the level.
pub type FileList = Arc<Vec<Arc<FileMetaData>>>;

/// The sum of the sizes of `files`.
///
/// LevelDB: TotalFileSize
pub fn total_file_size(files: &[Arc<FileMetaData>]) -> u64 {
    files.iter().map(|f| f.file_size).sum()
}

/// Maximum bytes of overlaps in grandparent (i.e., level+2) before we stop building a single file in a
/// level->level+1 compaction.
///
/// LevelDB: MaxGrandParentOverlapBytes
pub fn max_grand_parent_overlap_bytes(max_file_size: u64) -> u64 {
    10 * max_file_size
}

/// The index of the first file of the sorted, disjoint `files` whose largest key is >= `key`; `files.len()` if
/// there is none.
///
/// LevelDB: FindFile
pub fn find_file(icmp: &InternalKeyComparator, files: &[Arc<FileMetaData>], key: &[u8]) -> usize {
    // Binary search: the files' largest keys are sorted.
    files.partition_point(|f| icmp.compare(f.largest.encode(), key) == Ordering::Less)
}

/// True if `user_key` is after every key of `f` (`None` is before all keys, so never after).
///
/// LevelDB: AfterFile
fn after_file(ucmp: &dyn Comparator, user_key: Option<&[u8]>, f: &FileMetaData) -> bool {
    user_key.is_some_and(|k| ucmp.compare(k, f.largest.user_key()) == Ordering::Greater)
}

/// True if `user_key` is before every key of `f` (`None` is after all keys, so never before).
///
/// LevelDB: BeforeFile
fn before_file(ucmp: &dyn Comparator, user_key: Option<&[u8]>, f: &FileMetaData) -> bool {
    user_key.is_some_and(|k| ucmp.compare(k, f.smallest.user_key()) == Ordering::Less)
}

/// True if some file of `files` overlaps the user key range `[smallest, largest]` (`None` is unbounded). With
/// `disjoint_sorted_files` the files are sorted and disjoint and a binary search suffices.
///
/// LevelDB: SomeFileOverlapsRange
pub fn some_file_overlaps_range(
    icmp: &InternalKeyComparator,
    disjoint_sorted_files: bool,
    files: &[Arc<FileMetaData>],
    smallest_user_key: Option<&[u8]>,
    largest_user_key: Option<&[u8]>,
) -> bool {
    let ucmp = &**icmp.user_comparator();
    if !disjoint_sorted_files {
        // Need to check against all files.
        return files.iter().any(|f| {
            !(after_file(ucmp, smallest_user_key, f) || before_file(ucmp, largest_user_key, f))
        });
    }

    // Binary search over the file list.
    let mut index = 0;
    if let Some(smallest) = smallest_user_key {
        // Find the earliest possible internal key for smallest_user_key.
        let small_key = InternalKey::new(smallest, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
        index = find_file(icmp, files, small_key.encode());
    }
    if index >= files.len() {
        // The beginning of the range is after all files, so no overlap.
        return false;
    }
    !before_file(ucmp, largest_user_key, &files[index])
}

/// Where a `get` had to look in more than one file: the first file it looked in, charged a seek. And, only while
/// an event listener is set (`probes` is `Some`), each file the `get` probed, for the listener.
///
/// LevelDB: Version::GetStats
#[derive(Default)]
pub struct GetStats {
    pub seek_file: Option<(Arc<FileMetaData>, usize)>,
    pub probes: Option<Vec<FileProbe>>,
}

/// What a table lookup found for the user key.
///
/// LevelDB: SaverState
enum SaverState {
    NotFound,
    Found(Vec<u8>),
    Deleted,
    Corrupt,
}

/// LevelDB: Version
pub struct Version {
    icmp: InternalKeyComparator,
    table_cache: Arc<TableCache>,
    max_file_size: u64,
    /// List of files per level.
    pub(crate) files: [FileList; config::NUM_LEVELS],
    /// Next file to compact based on seek stats (and its level).
    file_to_compact: Mutex<Option<(Arc<FileMetaData>, usize)>>,
    /// Level that should be compacted next and its compaction score. A score < 1 means compaction is not strictly
    /// needed. These fields are set by `VersionSet::finalize`.
    pub(crate) compaction_score: f64,
    pub(crate) compaction_level: usize,
}

/// An internal iterator. For a given version/level pair, yields information about the files in the level. For a
/// given entry, key() is the largest key that occurs in the file, and value() is a 16-byte value containing the
/// file number and file size, both encoded using encode_fixed64.
///
/// It owns the comparator and the list (a compaction's inputs) or borrows them (from the version a database
/// iterator pins).
///
/// LevelDB: Version::LevelFileNumIterator
pub struct LevelFileNumIterator<K, F> {
    icmp: K,
    flist: F,
    index: usize,
    /// Backing store for value(). Holds the file number and size.
    value_buf: [u8; 16],
}

impl<K: Borrow<InternalKeyComparator>, F: Deref<Target = Vec<Arc<FileMetaData>>>>
    LevelFileNumIterator<K, F>
{
    pub fn new(icmp: K, flist: F) -> Self {
        let index = flist.len(); // Marks as invalid.
        LevelFileNumIterator {
            icmp,
            flist,
            index,
            value_buf: [0; 16],
        }
    }

    fn fill_value(&mut self) {
        if let Some(f) = self.flist.get(self.index) {
            encode_fixed64(&mut self.value_buf[..8], f.number);
            encode_fixed64(&mut self.value_buf[8..], f.file_size);
        }
    }
}

impl<K, F> Iterator for LevelFileNumIterator<K, F>
where
    K: Borrow<InternalKeyComparator> + Send,
    F: Deref<Target = Vec<Arc<FileMetaData>>> + Send,
{
    fn valid(&self) -> bool {
        self.index < self.flist.len()
    }
    fn seek(&mut self, target: &[u8]) {
        self.index = find_file(self.icmp.borrow(), &self.flist, target);
        self.fill_value();
    }
    fn seek_to_first(&mut self) {
        self.index = 0;
        self.fill_value();
    }
    fn seek_to_last(&mut self) {
        self.index = if self.flist.is_empty() {
            0
        } else {
            self.flist.len() - 1
        };
        self.fill_value();
    }
    fn next(&mut self) {
        assert!(self.valid());
        self.index += 1;
        self.fill_value();
    }
    fn prev(&mut self) {
        assert!(self.valid());
        if self.index == 0 {
            self.index = self.flist.len(); // Marks as invalid.
        } else {
            self.index -= 1;
        }
        self.fill_value();
    }
    fn key(&self) -> &[u8] {
        assert!(self.valid());
        self.flist[self.index].largest.encode()
    }
    fn value(&self) -> &[u8] {
        assert!(self.valid());
        &self.value_buf
    }
    fn status(&self) -> Result<()> {
        Ok(())
    }
}

/// A concatenating iterator over the files of `flist` (sorted and disjoint), opening each table lazily through
/// the table cache. The comparator, the table cache and the list are owned (`Arc`s, for a compaction) or borrowed
/// (for a database iterator, from the version it pins, so that making one takes no reference count that every
/// reader shares).
///
/// LevelDB: Version::NewConcatenatingIterator (with GetFileIterator)
pub fn new_concatenating_iterator<'a, K, T, F>(
    icmp: K,
    table_cache: T,
    flist: F,
    options: &ReadOptions,
) -> Box<dyn Iterator + 'a>
where
    K: Borrow<InternalKeyComparator> + Send + 'a,
    T: Deref<Target = TableCache> + Send + 'a,
    F: Deref<Target = Vec<Arc<FileMetaData>>> + Send + 'a,
{
    new_two_level_iterator(
        LevelFileNumIterator::new(icmp, flist),
        move |options: &ReadOptions, file_value: &[u8]| {
            if file_value.len() != 16 {
                new_error_iterator(Error::corruption(
                    "FileReader invoked with unexpected value",
                    "",
                ))
            } else {
                table_cache.new_iterator(
                    options,
                    decode_fixed64(file_value),
                    decode_fixed64(&file_value[8..]),
                )
            }
        },
        options.clone(),
    )
}

impl Version {
    /// An empty version. Public so that tools can replay a MANIFEST's edits through a [`Builder`] onto it (as
    /// `oxldb manifest_dump` does) without a whole `VersionSet`.
    ///
    /// [`Builder`]: crate::db::version_set::Builder
    ///
    /// LevelDB: Version::Version
    pub fn new(
        icmp: InternalKeyComparator,
        table_cache: Arc<TableCache>,
        max_file_size: u64,
    ) -> Version {
        Version {
            icmp,
            table_cache,
            max_file_size,
            files: Default::default(),
            file_to_compact: Mutex::new(None),
            compaction_score: -1.0,
            compaction_level: 0,
        }
    }

    /// The files of `level`.
    pub fn files(&self, level: usize) -> &[Arc<FileMetaData>] {
        &self.files[level]
    }

    /// The file a seek compaction should start with, and its level.
    pub(crate) fn file_to_compact(&self) -> Option<(Arc<FileMetaData>, usize)> {
        self.file_to_compact
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Appends to `iters` a sequence of iterators that will yield the contents of this version when merged
    /// together.
    ///
    /// LevelDB: Version::AddIterators
    pub fn add_iterators<'a>(&'a self, options: &ReadOptions, iters: &mut Vec<Box<dyn Iterator + 'a>>) {
        // Merge all level zero files together since they may overlap.
        for f in self.files[0].iter() {
            iters.push(
                self.table_cache
                    .new_iterator(options, f.number, f.file_size),
            );
        }

        // For levels > 0, we can use a concatenating iterator that sequentially walks through the non-overlapping
        // files in the level, opening them lazily.
        for level in 1..config::NUM_LEVELS {
            if !self.files[level].is_empty() {
                iters.push(new_concatenating_iterator(
                    &self.icmp,
                    &*self.table_cache,
                    &*self.files[level],
                    options,
                ));
            }
        }
    }

    /// The comparator of the version's internal keys.
    pub(crate) fn icmp(&self) -> &InternalKeyComparator {
        &self.icmp
    }

    /// Calls `func(level, file)` for every file that may hold `user_key`, newest first, until it returns false.
    ///
    /// LevelDB: Version::ForEachOverlapping
    fn for_each_overlapping(
        &self,
        user_key: &[u8],
        internal_key: &[u8],
        func: &mut dyn FnMut(usize, &Arc<FileMetaData>) -> bool,
    ) {
        let ucmp = self.icmp.user_comparator();

        // Search level-0 in order from newest to oldest.
        let mut tmp: Vec<&Arc<FileMetaData>> = self.files[0]
            .iter()
            .filter(|f| {
                ucmp.compare(user_key, f.smallest.user_key()) != Ordering::Less
                    && ucmp.compare(user_key, f.largest.user_key()) != Ordering::Greater
            })
            .collect();
        if !tmp.is_empty() {
            tmp.sort_by_key(|f| std::cmp::Reverse(f.number));
            for f in tmp {
                if !func(0, f) {
                    return;
                }
            }
        }

        // Search other levels.
        for level in 1..config::NUM_LEVELS {
            let files = &self.files[level];
            if files.is_empty() {
                continue;
            }
            // Binary search to find the earliest index whose largest key >= internal_key.
            let index = find_file(&self.icmp, files, internal_key);
            if let Some(f) = files.get(index) {
                if ucmp.compare(user_key, f.smallest.user_key()) == Ordering::Less {
                    // All of "f" is past any data for user_key.
                } else if !func(level, f) {
                    return;
                }
            }
        }
    }

    /// Looks up the value for `k`: `Ok(Some(value))` if found, `Ok(None)` if there is no entry or the newest is a
    /// deletion. Fills `stats` with the file to charge a seek to.
    ///
    /// LevelDB: Version::Get
    pub fn get(
        &self,
        options: &ReadOptions,
        k: &LookupKey,
        stats: &mut GetStats,
    ) -> Result<Option<Vec<u8>>> {
        stats.seek_file = None;
        let ucmp = self.icmp.user_comparator().clone();
        let ikey = k.internal_key();
        let user_key = k.user_key();

        let mut last_file_read: Option<(Arc<FileMetaData>, usize)> = None;
        let mut result: Result<Option<Vec<u8>>> = Ok(None);
        self.for_each_overlapping(user_key, ikey, &mut |level, f| {
            if stats.seek_file.is_none() && last_file_read.is_some() {
                // We have had more than one seek for this read. Charge the 1st file.
                stats.seek_file = last_file_read.take();
            }
            last_file_read = Some((f.clone(), level));
            let mut probe = stats.probes.as_mut().map(|probes| {
                probes.push(FileProbe::new(level, f.number));
                let last = probes.len() - 1;
                &mut probes[last]
            });

            let mut state = SaverState::NotFound;
            // LevelDB: SaveValue
            let mut save_value = |found_key: &[u8], v: &[u8]| match parse_internal_key(found_key) {
                None => state = SaverState::Corrupt,
                Some(parsed) => {
                    if ucmp.compare(parsed.user_key, user_key) == Ordering::Equal {
                        state = match parsed.value_type {
                            ValueType::Value => SaverState::Found(v.to_vec()),
                            ValueType::Deletion => SaverState::Deleted,
                        };
                    }
                }
            };
            let status = self.table_cache.get(
                options,
                f.number,
                f.file_size,
                ikey,
                &mut save_value,
                probe.as_deref_mut(),
            );
            if let Some(probe) = probe {
                probe.answer = match (&status, &state) {
                    (Err(_), _) | (_, SaverState::Corrupt) => ProbeAnswer::Error,
                    (_, SaverState::NotFound) => ProbeAnswer::NotThere,
                    (_, SaverState::Found(_)) => ProbeAnswer::Value,
                    (_, SaverState::Deleted) => ProbeAnswer::Deletion,
                };
            }
            if let Err(e) = status {
                result = Err(e);
                return false;
            }
            match state {
                SaverState::NotFound => true, // Keep searching in other files.
                SaverState::Found(value) => {
                    result = Ok(Some(value));
                    false
                }
                SaverState::Deleted => false,
                SaverState::Corrupt => {
                    result = Err(Error::corruption(
                        "corrupted key for ",
                        String::from_utf8_lossy(user_key),
                    ));
                    false
                }
            }
        });
        result
    }

    /// Adds `stats` into the current state: charges a seek to the file, and returns true if a new compaction may
    /// need to be triggered. Needs no lock: the count is atomic, and `file_to_compact` is locked only when a file
    /// has used up its seeks (readers on several threads then race only for that rare moment).
    ///
    /// LevelDB: Version::UpdateStats
    pub fn update_stats(&self, stats: &GetStats) -> bool {
        if let Some((f, level)) = &stats.seek_file {
            let allowed_seeks = f
                .allowed_seeks
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed)
                - 1;
            if allowed_seeks <= 0 {
                let mut file_to_compact = self
                    .file_to_compact
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if file_to_compact.is_none() {
                    *file_to_compact = Some((f.clone(), *level));
                    return true;
                }
            }
        }
        false
    }

    /// Records a sample of bytes read at the specified internal key. Samples are taken approximately once every
    /// config::READ_BYTES_PERIOD bytes. Returns true if a new compaction may need to be triggered.
    ///
    /// LevelDB: Version::RecordReadSample
    pub fn record_read_sample(&self, internal_key: &[u8]) -> bool {
        let Some(ikey) = parse_internal_key(internal_key) else {
            return false;
        };
        let mut stats = GetStats::default(); // Holds the first matching file.
        let mut matches = 0;
        self.for_each_overlapping(ikey.user_key, internal_key, &mut |level, f| {
            matches += 1;
            if matches == 1 {
                // Remember the first match.
                stats.seek_file = Some((f.clone(), level));
            }
            // We can stop iterating once we have a second match.
            matches < 2
        });

        // Must have at least two matches since we want to merge across files. But what if we have a single file
        // that contains many overwrites and deletions? Should we have another mechanism for finding such files?
        if matches >= 2 {
            // 1MB cost is about 1 seek (see comment in Builder::apply).
            return self.update_stats(&stats);
        }
        false
    }

    /// True if some file in the specified level overlaps some part of `[smallest_user_key, largest_user_key]`
    /// (`None` is unbounded).
    ///
    /// LevelDB: Version::OverlapInLevel
    pub fn overlap_in_level(
        &self,
        level: usize,
        smallest_user_key: Option<&[u8]>,
        largest_user_key: Option<&[u8]>,
    ) -> bool {
        some_file_overlaps_range(
            &self.icmp,
            level > 0,
            &self.files[level],
            smallest_user_key,
            largest_user_key,
        )
    }

    /// The level at which a new memtable compaction covering `[smallest_user_key, largest_user_key]` should be
    /// placed.
    ///
    /// LevelDB: Version::PickLevelForMemTableOutput
    pub fn pick_level_for_memtable_output(
        &self,
        smallest_user_key: &[u8],
        largest_user_key: &[u8],
    ) -> usize {
        let mut level = 0;
        if !self.overlap_in_level(0, Some(smallest_user_key), Some(largest_user_key)) {
            // Push to the next level if there is no overlap in the next level, and the #bytes overlapping in the
            // level after that are limited.
            let start =
                InternalKey::new(smallest_user_key, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
            let limit = InternalKey::new(largest_user_key, 0, ValueType::Deletion);
            while level < config::MAX_MEM_COMPACT_LEVEL {
                if self.overlap_in_level(level + 1, Some(smallest_user_key), Some(largest_user_key))
                {
                    break;
                }
                if level + 2 < config::NUM_LEVELS {
                    // Check that the file does not overlap too many grandparent bytes.
                    let overlaps =
                        self.get_overlapping_inputs(level + 2, Some(&start), Some(&limit));
                    if total_file_size(&overlaps)
                        > max_grand_parent_overlap_bytes(self.max_file_size)
                    {
                        break;
                    }
                }
                level += 1;
            }
        }
        level
    }

    /// All files in `level` that overlap `[begin, end]` (`None` is unbounded). At level 0, where files may overlap
    /// one another, the range grows to cover every file it overlaps.
    ///
    /// LevelDB: Version::GetOverlappingInputs
    pub fn get_overlapping_inputs(
        &self,
        level: usize,
        begin: Option<&InternalKey>,
        end: Option<&InternalKey>,
    ) -> Vec<Arc<FileMetaData>> {
        assert!(level < config::NUM_LEVELS);
        let mut inputs = Vec::new();
        let mut user_begin: Option<&[u8]> = begin.map(|k| k.user_key());
        let mut user_end: Option<&[u8]> = end.map(|k| k.user_key());
        let user_cmp = self.icmp.user_comparator();
        let files = &self.files[level];
        let mut i = 0;
        while i < files.len() {
            let f = &files[i];
            i += 1;
            let file_start = f.smallest.user_key();
            let file_limit = f.largest.user_key();
            if user_begin.is_some_and(|b| user_cmp.compare(file_limit, b) == Ordering::Less) {
                // "f" is completely before the specified range; skip it.
            } else if user_end.is_some_and(|e| user_cmp.compare(file_start, e) == Ordering::Greater)
            {
                // "f" is completely after the specified range; skip it.
            } else {
                inputs.push(f.clone());
                if level == 0 {
                    // Level-0 files may overlap each other. So check if the newly added file has expanded the
                    // range. If so, restart the search.
                    if user_begin.is_some_and(|b| user_cmp.compare(file_start, b) == Ordering::Less)
                    {
                        user_begin = Some(file_start);
                        inputs.clear();
                        i = 0;
                    } else if user_end
                        .is_some_and(|e| user_cmp.compare(file_limit, e) == Ordering::Greater)
                    {
                        user_end = Some(file_limit);
                        inputs.clear();
                        i = 0;
                    }
                }
            }
        }
        inputs
    }

    /// A human-readable description of this version (the `leveldb.sstables` property):
    /// `--- level L ---` and one ` number:size[smallest .. largest]` line per file.
    ///
    /// LevelDB: Version::DebugString
    pub fn debug_string(&self) -> String {
        let mut r = String::new();
        for (level, files) in self.files.iter().enumerate() {
            r.push_str("--- level ");
            append_number_to(&mut r, level as u64);
            r.push_str(" ---\n");
            for f in files.iter() {
                r.push(' ');
                append_number_to(&mut r, f.number);
                r.push(':');
                append_number_to(&mut r, f.file_size);
                r.push('[');
                r.push_str(&f.smallest.debug_string());
                r.push_str(" .. ");
                r.push_str(&f.largest.debug_string());
                r.push_str("]\n");
            }
        }
        r
    }

    /// The number of files at `level`.
    ///
    /// LevelDB: Version::NumFiles
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn num_files(&self, level: usize) -> usize {
        self.files[level].len()
    }
}
