//! `Table`: an open, immutable table file, read through its index block (kept in memory) and its data blocks
//! (read on demand, through the block cache when there is one).
//!
//! Invariant: a `Table` holds only what reading needs (the file, the comparator, the block cache and the table's
//! id in it, the index block, the filter, the metaindex handle) and never changes after `open`, so it is shared
//! as `Arc<Table>` by any number of threads; every iterator is held together with what keeps its table open (an
//! `Arc`, or the table cache's pin) and borrows the rest from the table.
//!
//! LevelDB: table/table.cc

use std::sync::Arc;

use crate::env::RandomAccessFile;
use crate::error::{Error, Result};
use crate::options::{BlockCache, Options, ReadOptions};
use crate::table::block::{Block, BlockIter, HeldBlock};
use crate::table::filter_block::FilterBlockReader;
use crate::table::format::{read_block, BlockHandle, Footer, BLOCK_TRAILER_SIZE};
use crate::table::iterator::{CleanupIterator, Iterator};
use crate::table::lookup_trace::{BlockSource, FilterAnswer, TableLookup};
use crate::table::two_level_iterator::TwoLevelIterator;
use crate::util::coding::encode_fixed64;
use crate::util::comparator::{bytewise_comparator, Comparator};
use crate::util::filter_policy::FilterPolicy;

/// LevelDB: Table (and Table::Rep)
pub struct Table {
    file: Box<dyn RandomAccessFile>,
    comparator: Arc<dyn Comparator>,
    block_cache: Option<Arc<BlockCache>>,
    /// The table's partition of the block cache's key space (0 without a cache).
    cache_id: u64,
    filter: Option<FilterBlockReader>,
    /// Handle to metaindex_block: saved from footer.
    metaindex_handle: BlockHandle,
    index_block: Arc<Block>,
}

impl Table {
    /// Opens the table stored in the first `file_size` bytes of `file`: reads its footer and index block, and its
    /// filter if `options.filter_policy` names one the table has.
    ///
    /// LevelDB: Table::Open
    pub fn open(
        options: &Options,
        file: Box<dyn RandomAccessFile>,
        file_size: u64,
    ) -> Result<Arc<Table>> {
        if file_size < Footer::ENCODED_LENGTH as u64 {
            return Err(Error::corruption("file is too short to be an sstable", ""));
        }

        let mut footer_space = Vec::new();
        let footer_input = file.read(
            file_size - Footer::ENCODED_LENGTH as u64,
            Footer::ENCODED_LENGTH,
            &mut footer_space,
        )?;
        let footer = Footer::decode_from(footer_input)?;

        // Read the index block.
        let contents = read_block(&*file, options.paranoid_checks, &footer.index_handle)?;
        let index_block = Arc::new(Block::new(contents.data));

        // We've successfully read the footer and the index block: we're ready to serve requests.
        let filter = options
            .filter_policy
            .as_ref()
            .and_then(|policy| read_meta(&*file, options.paranoid_checks, policy, &footer));
        Ok(Arc::new(Table {
            file,
            comparator: options.comparator.clone(),
            block_cache: options.block_cache.clone(),
            cache_id: options
                .block_cache
                .as_ref()
                .map_or(0, |cache| cache.new_id()),
            filter,
            metaindex_handle: footer.metaindex_handle,
            index_block,
        }))
    }

    /// The data block an index value (an encoded BlockHandle) names: from the block cache if it is there (the
    /// handle then pins it), else read from the file (and added to the cache if it may be).
    ///
    /// With `pin` false the block is not pinned in the cache but owned (LevelDB's lookup and release at once, see
    /// `Cache::lookup_unpinned`), for a lookup that is done with it within the call. Also says where the block
    /// came from, for a tracer.
    fn read_data_block(
        &self,
        options: &ReadOptions,
        index_value: &[u8],
        pin: bool,
    ) -> Result<(HeldBlock, BlockSource)> {
        // We intentionally allow extra stuff in index_value so that we can add more features in the future.
        let mut input = index_value;
        let handle = BlockHandle::decode_from(&mut input)?;
        let Some(block_cache) = &self.block_cache else {
            let contents = read_block(&*self.file, options.verify_checksums, &handle)?;
            return Ok((
                HeldBlock::Shared(Arc::new(Block::new(contents.data))),
                BlockSource::DiskNotCached,
            ));
        };

        let mut cache_key = [0u8; 16];
        encode_fixed64(&mut cache_key[..8], self.cache_id);
        encode_fixed64(&mut cache_key[8..], handle.offset());
        if pin {
            if let Some(cache_handle) = block_cache.lookup(&cache_key) {
                return Ok((HeldBlock::Cached(cache_handle), BlockSource::Cache));
            }
        } else if let Some(block) = block_cache.lookup_unpinned(&cache_key, Arc::clone) {
            return Ok((HeldBlock::Shared(block), BlockSource::Cache));
        }
        let contents = read_block(&*self.file, options.verify_checksums, &handle)?;
        if !options.fill_cache {
            self.release_read_megabytes(&handle);
        }
        let block = Block::new(contents.data);
        if contents.cachable && options.fill_cache {
            let charge = block.size();
            let cache_handle = block_cache.insert(&cache_key, block, charge);
            let held = if pin {
                HeldBlock::Cached(cache_handle)
            } else {
                HeldBlock::Shared(cache_handle.value_arc().clone())
            };
            Ok((held, BlockSource::Disk))
        } else {
            Ok((
                HeldBlock::Shared(Arc::new(block)),
                BlockSource::DiskNotCached,
            ))
        }
    }

    /// After a block read by a scan that does not fill the cache (a compaction's, which reads each block of its
    /// inputs once, in order): if the block ends in a later megabyte of the file than it starts, the file may let
    /// go of the megabytes it has gone past, from the one the block starts in ([`RandomAccessFile::release`]). A
    /// map then holds at most about a megabyte of each file a compaction reads, not every page of its inputs: on
    /// db_bench's fill100K, LevelDB's peak memory is mostly such pages. A megabyte at a time, the system call is
    /// rare beside the reads.
    fn release_read_megabytes(&self, handle: &BlockHandle) {
        const MEGABYTE: u64 = 1 << 20;
        let start = handle.offset() / MEGABYTE * MEGABYTE;
        let end = handle.offset() + handle.size() + BLOCK_TRAILER_SIZE as u64;
        let boundary = end / MEGABYTE * MEGABYTE;
        if boundary > start {
            self.file.release(start, (boundary - start) as usize);
        }
    }

    /// Converts an index iterator value (i.e., an encoded BlockHandle) into an iterator over the contents of the
    /// corresponding block, from the block cache if it is there.
    ///
    /// LevelDB: Table::BlockReader
    fn block_reader(
        &self,
        options: &ReadOptions,
        index_value: &[u8],
    ) -> BlockIter<HeldBlock, &(dyn Comparator + 'static)> {
        match self.read_data_block(options, index_value, true) {
            Ok((block, _)) => block.iter(&*self.comparator),
            Err(e) => BlockIter::error(e),
        }
    }

    /// An iterator over the table's entries. It keeps the table alive.
    ///
    /// LevelDB: Table::NewIterator
    pub fn new_iterator(self: &Arc<Self>, options: &ReadOptions) -> Box<dyn Iterator> {
        Box::new(CleanupIterator::borrowing(self.clone(), |table| {
            table.borrowing_iterator(options)
        }))
    }

    /// An iterator over the table's entries that borrows the table (its index block and comparator) instead of
    /// taking reference counts of its own, which every reader of the table would share: the caller keeps the table
    /// alive (an `Arc`, or the table cache's pin, through `CleanupIterator::borrowing`). The blocks' iterators are
    /// called directly, without dynamic dispatch.
    ///
    /// LevelDB: Table::NewIterator
    pub(crate) fn borrowing_iterator<'a>(
        &'a self,
        options: &ReadOptions,
    ) -> Box<dyn Iterator + 'a> {
        Box::new(TwoLevelIterator::new(
            self.index_block.borrowed_iter(&*self.comparator),
            move |options: &ReadOptions, index_value: &[u8]| {
                self.block_reader(options, index_value)
            },
            options.clone(),
        ))
    }

    /// Finds the first entry at or after `key` in the block that may hold `key`, and calls `handle_result` with
    /// it. Does nothing if the filter says the block cannot hold `key`, or if `key` is past the last block.
    ///
    /// LevelDB: Table::InternalGet
    #[inline]
    pub fn internal_get(
        &self,
        options: &ReadOptions,
        key: &[u8],
        handle_result: &mut dyn FnMut(&[u8], &[u8]),
    ) -> Result<()> {
        self.internal_get_traced(options, key, handle_result, None)
    }

    /// `internal_get`, telling `trace` (when given: a tracer is listening) the filter's answer and where the
    /// block came from. Without a trace this is `internal_get`: two untaken branches more.
    ///
    /// LevelDB: Table::InternalGet
    pub(crate) fn internal_get_traced(
        &self,
        options: &ReadOptions,
        key: &[u8],
        handle_result: &mut dyn FnMut(&[u8], &[u8]),
        mut trace: Option<&mut TableLookup>,
    ) -> Result<()> {
        // Borrowing iterators: a lookup touches no reference count of the index block or the comparator.
        let mut iiter = self.index_block.borrowed_iter(&*self.comparator);
        iiter.seek(key);
        if iiter.valid() {
            let handle_value = iiter.value();
            let filtered_out = self.filter.as_ref().is_some_and(|filter| {
                let mut input = handle_value;
                let may_match = BlockHandle::decode_from(&mut input)
                    .map_or(true, |handle| filter.key_may_match(handle.offset(), key));
                if let Some(trace) = trace.as_deref_mut() {
                    trace.filter = if may_match {
                        FilterAnswer::MayMatch
                    } else {
                        FilterAnswer::DefinitelyNot
                    };
                }
                !may_match
            });
            if !filtered_out {
                let (block, source) = self.read_data_block(options, handle_value, false)?;
                if let Some(trace) = trace {
                    trace.block = Some(source);
                }
                let mut block_iter = block.borrowed_iter(&*self.comparator);
                block_iter.seek(key);
                if block_iter.valid() {
                    handle_result(block_iter.key(), block_iter.value());
                }
                block_iter.status()?;
            }
        }
        iiter.status()
    }

    /// The approximate offset in the file of the data for `key` (or where it would be): the offset of the block
    /// that would hold it, or, past the last key, the offset of the metaindex block (near the end of the file).
    ///
    /// LevelDB: Table::ApproximateOffsetOf
    pub fn approximate_offset_of(&self, key: &[u8]) -> u64 {
        let mut index_iter = self.index_block.borrowed_iter(&*self.comparator);
        index_iter.seek(key);
        if index_iter.valid() {
            let mut input = index_iter.value();
            if let Ok(handle) = BlockHandle::decode_from(&mut input) {
                return handle.offset();
            }
            // Strange: we can't decode the block handle in the index block. We'll just return the offset of the
            // metaindex block, which is close to the whole file size for this case.
        }
        // Key is past the last key in the file. Approximate the offset by returning the offset of the metaindex
        // block (which is right near the end of the file).
        self.metaindex_handle.offset()
    }
}

/// Reads the filter named by `policy` through the metaindex block. Any failure means no filter: the metadata
/// is not needed for operation, so its errors are not propagated.
///
/// LevelDB: Table::ReadMeta
fn read_meta(
    file: &dyn RandomAccessFile,
    verify_checksums: bool,
    policy: &Arc<dyn FilterPolicy>,
    footer: &Footer,
) -> Option<FilterBlockReader> {
    let contents = read_block(file, verify_checksums, &footer.metaindex_handle).ok()?;
    let meta = Arc::new(Block::new(contents.data));
    let mut iter = meta.new_iterator(bytewise_comparator());
    let key = format!("filter.{}", policy.name());
    iter.seek(key.as_bytes());
    if iter.valid() && iter.key() == key.as_bytes() {
        read_filter(file, verify_checksums, policy, iter.value())
    } else {
        None
    }
}

/// LevelDB: Table::ReadFilter
fn read_filter(
    file: &dyn RandomAccessFile,
    verify_checksums: bool,
    policy: &Arc<dyn FilterPolicy>,
    filter_handle_value: &[u8],
) -> Option<FilterBlockReader> {
    let mut input = filter_handle_value;
    let filter_handle = BlockHandle::decode_from(&mut input).ok()?;
    let block = read_block(file, verify_checksums, &filter_handle).ok()?;
    Some(FilterBlockReader::new(policy.clone(), block.data))
}
