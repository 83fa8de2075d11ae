//! What the database says about itself: `get_property` (`leveldb.num-files-at-level<N>`, `leveldb.stats`,
//! `leveldb.sstables`, `leveldb.approximate-memory-usage`) and `get_approximate_sizes`, in LevelDB's formats.
//!
//! Invariant: each answer is one consistent view: it is read under the database mutex, taken once, from the
//! version set, the memtables and the compaction stats.
//!
//! LevelDB: DBImpl::GetProperty, DBImpl::GetApproximateSizes (db/db_impl.cc)

use super::db::Range;
use super::DBImpl;
use crate::db::dbformat::{config, InternalKey, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK};
use crate::util::logging::consume_decimal_number;

impl DBImpl {
    /// LevelDB: DBImpl::GetProperty
    pub(super) fn get_property(&self, property: &str) -> Option<String> {
        let l = self.lock();
        let rest = property.strip_prefix("leveldb.")?;

        if let Some(level) = rest.strip_prefix("num-files-at-level") {
            let mut input = level.as_bytes();
            let level = consume_decimal_number(&mut input).filter(|_| input.is_empty())?;
            if level >= config::NUM_LEVELS as u64 {
                return None;
            }
            return Some(format!("{}", l.versions.num_level_files(level as usize)));
        }
        match rest {
            "stats" => {
                let mut value = String::from(
                    "                               Compactions\n\
                     Level  Files Size(MB) Time(sec) Read(MB) Write(MB)\n\
                     --------------------------------------------------\n",
                );
                for level in 0..config::NUM_LEVELS {
                    let files = l.versions.num_level_files(level);
                    let stats = &l.stats[level];
                    if stats.micros > 0 || files > 0 {
                        value.push_str(&format!(
                            "{:3} {:8} {:8.0} {:9.0} {:8.0} {:9.0}\n",
                            level,
                            files,
                            l.versions.num_level_bytes(level) as f64 / 1048576.0,
                            stats.micros as f64 / 1e6,
                            stats.bytes_read as f64 / 1048576.0,
                            stats.bytes_written as f64 / 1048576.0
                        ));
                    }
                }
                Some(value)
            }
            "sstables" => Some(l.versions.current().debug_string()),
            "approximate-memory-usage" => {
                let mut total_usage = self
                    .options
                    .block_cache
                    .as_ref()
                    .map_or(0, |c| c.total_charge());
                if let Some(mem) = &l.mem {
                    total_usage += mem.approximate_memory_usage();
                }
                if let Some(imm) = &l.imm {
                    total_usage += imm.approximate_memory_usage();
                }
                Some(format!("{total_usage}"))
            }
            _ => None,
        }
    }

    /// LevelDB: DBImpl::GetApproximateSizes
    pub(super) fn get_approximate_sizes(&self, ranges: &[Range]) -> Vec<u64> {
        // TODO (as in LevelDB): better implementation.
        let l = self.lock();
        let v = l.versions.current().clone();
        ranges
            .iter()
            .map(|range| {
                // Convert user keys into corresponding internal keys.
                let k1 = InternalKey::new(&range.start, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
                let k2 = InternalKey::new(&range.limit, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK);
                let start = l.versions.approximate_offset_of(&v, &k1);
                let limit = l.versions.approximate_offset_of(&v, &k2);
                limit.saturating_sub(start)
            })
            .collect()
    }
}
