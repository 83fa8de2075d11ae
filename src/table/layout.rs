//! The layout of a table file: every byte of it named. A table is read the way a reader finds its parts (the
//! footer, the index block, the data blocks the index points to, the metaindex block and the filter block it
//! names), and cut into [`Region`]s: each block entry, each block's restart array and restart count, each
//! filter of the filter block and its offset array, each trailer's compression type and checksum, the footer's
//! handles, padding and magic number. `oxldb sst_layout` prints its rows from it, and the course
//! (`course/`) names the first byte where a learner's table differs from LevelDB's with it
//! ([`TableLayout::describe`]).
//!
//! Invariant: the regions are in file order and tile the file exactly, from byte 0 to its end, without a gap or
//! an overlap (checked: a table whose blocks do not tile the file is reported as corrupt). A compressed block's
//! contents are one region: its entries exist only once uncompressed.
//!
//! LevelDB: table/format.cc (Footer, BlockHandle, ReadBlock), table/block_builder.cc (the block format),
//! table/filter_block.cc (the filter block format), table/table.cc (Table::Open, ReadMeta, ReadFilter)

use std::fmt;

use crate::env::RandomAccessFile;
use crate::error::{Error, Result};
use crate::table::format::{read_block, BlockHandle, Footer, BLOCK_TRAILER_SIZE};
use crate::util::coding::{decode_fixed32, decode_varint32, varint_length};

/// What a block of the table is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A data block: `number` counts the data blocks from 1 in file order; `index_key` is the index block's key
    /// for it (a key >= its last key and < the next block's first).
    Data { number: usize, index_key: Vec<u8> },
    /// The filter block, named `filter.<policy name>` in the metaindex block.
    Filter { name: Vec<u8> },
    /// Another meta block named in the metaindex block (LevelDB 1.23 writes none).
    Meta { name: Vec<u8> },
    /// The metaindex block: meta block name -> handle.
    Metaindex,
    /// The index block: a separator key per data block -> its handle.
    Index,
}

impl BlockKind {
    /// The kind's name in a description ("data", "filter", ...).
    pub fn name(&self) -> &'static str {
        match self {
            BlockKind::Data { .. } => "data",
            BlockKind::Filter { .. } => "filter",
            BlockKind::Meta { .. } => "meta",
            BlockKind::Metaindex => "metaindex",
            BlockKind::Index => "index",
        }
    }
}

/// One entry of a block in the block format (data, index, metaindex blocks), where it is in the uncompressed
/// contents and what it holds.
///
/// LevelDB: the entry format of BlockBuilder::Add
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEntry {
    /// The entry's offset in the block's uncompressed contents.
    pub offset: usize,
    /// The bytes of the prefix of the previous key this key shares (0 at a restart point).
    pub shared: usize,
    /// The length of the key delta stored after the header.
    pub non_shared: usize,
    /// The length of the value.
    pub value_length: usize,
    /// The length of the header: the three varint32s shared, non_shared and value_length.
    pub header_length: usize,
    /// The whole key (the shared prefix and the key delta).
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
}

impl BlockEntry {
    /// The entry's length: header, key delta and value.
    pub fn length(&self) -> usize {
        self.header_length + self.non_shared + self.value_length
    }

    /// What byte `at` of the entry holds: "shared key length", "unshared key length", "value length",
    /// "key delta, byte 3" or "value, byte 10".
    pub fn describe(&self, at: usize) -> String {
        let key_start = self.header_length;
        let value_start = key_start + self.non_shared;
        if at < varint_length(self.shared as u64) {
            "shared key length".to_string()
        } else if at < key_start - varint_length(self.value_length as u64) {
            "unshared key length".to_string()
        } else if at < key_start {
            "value length".to_string()
        } else if at < value_start {
            format!("key delta, byte {}", at - key_start)
        } else {
            format!("value, byte {}", at - value_start)
        }
    }
}

/// The parts of a filter block.
///
/// LevelDB: FilterBlockBuilder::Finish
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterParts {
    /// Where each filter begins in the block (filter i covers the data blocks that begin in
    /// [i << base_lg, (i + 1) << base_lg)); the array of these offsets begins at `array_offset`.
    pub filter_offsets: Vec<u32>,
    /// The offset of the offset array: the filters' bytes end there.
    pub array_offset: u32,
    /// The log2 of the data-block offset range each filter covers (11: 2 KiB).
    pub base_lg: u8,
}

/// One block of the table, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableBlock {
    /// What the block is.
    pub kind: BlockKind,
    /// Where it is stored (the size excludes the 5-byte trailer).
    pub handle: BlockHandle,
    /// The trailer's compression type byte (0: none, 1: snappy).
    pub compression: u8,
    /// The block's contents, uncompressed.
    pub contents: Vec<u8>,
    /// Its entries, for a block in the block format (data, index, metaindex); empty for the filter block.
    pub entries: Vec<BlockEntry>,
    /// Its restart points (offsets in `contents`), for a block in the block format.
    pub restarts: Vec<u32>,
    /// The filter block's parts.
    pub filter: Option<FilterParts>,
}

impl TableBlock {
    /// The offset, in the uncompressed contents, of the restart array (where the entries end).
    fn restart_array_offset(&self) -> usize {
        self.contents.len() - 4 * (self.restarts.len() + 1)
    }
}

/// What a region of the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// Entry `n` (from 0) of the block: its header, key delta and value.
    Entry(usize),
    /// The restart array: a fixed32 offset per restart point.
    RestartArray,
    /// The number of restart points: a fixed32, the block's last 4 bytes.
    RestartCount,
    /// A compressed block's contents (its entries and restart array, compressed together).
    Compressed,
    /// Filter `n` (from 0) of the filter block: the bloom filter's bits, then its number of probes.
    Filter(usize),
    /// The filter block's offset array: a fixed32 per filter.
    FilterOffsets,
    /// The filter block's fixed32 offset of its offset array.
    FilterArrayOffset,
    /// The filter block's last byte: base_lg.
    FilterBaseLg,
    /// The contents of a meta block of unknown format.
    MetaContents,
    /// A block trailer's compression type byte.
    TrailerType,
    /// A block trailer's masked crc32c of the block and its type byte.
    TrailerCrc,
    /// The footer's handle of the metaindex block (two varint64s).
    FooterMetaindexHandle,
    /// The footer's handle of the index block (two varint64s).
    FooterIndexHandle,
    /// The footer's zero padding to 40 bytes.
    FooterPadding,
    /// The footer's magic number (fixed64 0xdb4775248b80fb57).
    FooterMagic,
}

impl fmt::Display for RegionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionKind::Entry(n) => write!(f, "entry {n}"),
            RegionKind::RestartArray => f.write_str("restart array"),
            RegionKind::RestartCount => f.write_str("restart count"),
            RegionKind::Compressed => f.write_str("compressed contents"),
            RegionKind::Filter(n) => write!(f, "filter {n}"),
            RegionKind::FilterOffsets => f.write_str("filter offsets"),
            RegionKind::FilterArrayOffset => f.write_str("offset of the filter offsets"),
            RegionKind::FilterBaseLg => f.write_str("base_lg"),
            RegionKind::MetaContents => f.write_str("contents"),
            RegionKind::TrailerType => f.write_str("trailer, compression type"),
            RegionKind::TrailerCrc => f.write_str("trailer, masked crc32c"),
            RegionKind::FooterMetaindexHandle => f.write_str("metaindex handle"),
            RegionKind::FooterIndexHandle => f.write_str("index handle"),
            RegionKind::FooterPadding => f.write_str("padding"),
            RegionKind::FooterMagic => f.write_str("magic number"),
        }
    }
}

/// A run of bytes of the table file that holds one thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Its offset in the file.
    pub offset: u64,
    /// Its length in bytes (never 0).
    pub length: u64,
    /// What it holds.
    pub kind: RegionKind,
    /// The block it belongs to (an index into [`TableLayout::blocks`]); `None` for the footer.
    pub block: Option<usize>,
}

/// A table file cut into its blocks and regions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLayout {
    /// The file's size.
    pub file_size: u64,
    /// The footer.
    pub footer: Footer,
    /// The blocks, in file order.
    pub blocks: Vec<TableBlock>,
    /// The regions, in file order, tiling the file.
    pub regions: Vec<Region>,
}

impl TableLayout {
    /// Reads the layout of the table `file` of `file_size` bytes, verifying every block's checksum. `fname`
    /// names the file in the errors about its shape.
    pub fn read(file: &dyn RandomAccessFile, file_size: u64, fname: &str) -> Result<TableLayout> {
        let footer_offset = file_size
            .checked_sub(Footer::ENCODED_LENGTH as u64)
            .ok_or_else(|| Error::corruption("file is too short to be an sstable", fname))?;
        let mut scratch = Vec::new();
        let footer =
            Footer::decode_from(file.read(footer_offset, Footer::ENCODED_LENGTH, &mut scratch)?)?;

        let mut blocks = Vec::new();
        let index = read_table_block(file, footer.index_handle, BlockKind::Index)?;
        for (n, entry) in index.entries.iter().enumerate() {
            let kind = BlockKind::Data {
                number: n + 1,
                index_key: entry.key.clone(),
            };
            blocks.push(read_table_block(file, handle_of(&entry.value)?, kind)?);
        }
        let metaindex = read_table_block(file, footer.metaindex_handle, BlockKind::Metaindex)?;
        for entry in &metaindex.entries {
            let name = entry.key.clone();
            let kind = if name.starts_with(b"filter.") {
                BlockKind::Filter { name }
            } else {
                BlockKind::Meta { name }
            };
            blocks.push(read_table_block(file, handle_of(&entry.value)?, kind)?);
        }
        blocks.push(metaindex);
        blocks.push(index);
        blocks.sort_by_key(|b| b.handle.offset());

        let mut regions = Vec::new();
        let mut expected = 0;
        for (i, block) in blocks.iter().enumerate() {
            if block.handle.offset() != expected {
                let message = format!(
                    "blocks do not tile the file: a block at {} where {expected} was expected",
                    block.handle.offset()
                );
                return Err(Error::corruption(message, fname));
            }
            block_regions(block, i, &mut regions);
            expected = block.handle.offset() + block.handle.size() + BLOCK_TRAILER_SIZE as u64;
        }
        if expected != footer_offset {
            let message = format!("the blocks end at {expected}, the footer begins at {footer_offset}");
            return Err(Error::corruption(message, fname));
        }
        footer_regions(&footer, footer_offset, &mut regions);
        Ok(TableLayout {
            file_size,
            footer,
            blocks,
            regions,
        })
    }

    /// The region that holds byte `offset` of the file, if it is inside the file.
    pub fn region_at(&self, offset: u64) -> Option<&Region> {
        let after = self.regions.partition_point(|r| r.offset <= offset);
        let region = self.regions.get(after.checked_sub(1)?)?;
        (offset < region.offset + region.length).then_some(region)
    }

    /// What is at byte `offset` of the file, in the format's words: "block 3 (data), entry 4 (key delta),
    /// offset 4090", "block 9 (index), restart array, offset 8190", "footer, magic number, offset 9000".
    pub fn describe(&self, offset: u64) -> String {
        let Some(region) = self.region_at(offset) else {
            return format!("offset {offset}, past the end of the table ({} bytes)", self.file_size);
        };
        let Some(b) = region.block else {
            return format!("footer, {}, offset {offset}", region.kind);
        };
        let block = &self.blocks[b];
        let compression = match block.compression {
            0 => "",
            1 => ", snappy-compressed",
            _ => ", compressed",
        };
        let what = match region.kind {
            RegionKind::Entry(n) => {
                let part = block.entries[n].describe((offset - region.offset) as usize);
                format!("entry {n} ({part})")
            }
            RegionKind::RestartArray => {
                let restart_array = block.handle.offset() + block.restart_array_offset() as u64;
                format!("restart array, restart {}", (offset - restart_array) / 4)
            }
            kind => kind.to_string(),
        };
        format!(
            "block {} ({}{compression}), {what}, offset {offset}",
            b + 1,
            block.kind.name()
        )
    }
}

/// Decodes a block handle stored as an index or metaindex value.
fn handle_of(mut value: &[u8]) -> Result<BlockHandle> {
    BlockHandle::decode_from(&mut value)
}

/// Reads the block at `handle` (checksum verified), and takes its contents apart.
fn read_table_block(
    file: &dyn RandomAccessFile,
    handle: BlockHandle,
    kind: BlockKind,
) -> Result<TableBlock> {
    let contents = read_block(file, true, &handle)?.data;
    let mut scratch = Vec::new();
    let trailer = file.read(
        handle.offset() + handle.size(),
        BLOCK_TRAILER_SIZE,
        &mut scratch,
    )?;
    let compression = trailer.first().copied().unwrap_or(0);
    let mut block = TableBlock {
        kind,
        handle,
        compression,
        contents,
        entries: Vec::new(),
        restarts: Vec::new(),
        filter: None,
    };
    match block.kind {
        BlockKind::Filter { .. } => block.filter = filter_parts(&block.contents),
        BlockKind::Meta { .. } => {}
        _ => (block.entries, block.restarts) = block_entries(&block.contents)?,
    }
    Ok(block)
}

/// The entries and restart points of block contents in the block format.
///
/// LevelDB: Block::Block, Block::Iter::ParseNextKey
pub fn block_entries(contents: &[u8]) -> Result<(Vec<BlockEntry>, Vec<u32>)> {
    let bad_contents = || Error::corruption("bad block contents", "");
    let count_at = contents.len().checked_sub(4).ok_or_else(bad_contents)?;
    let num_restarts = decode_fixed32(&contents[count_at..]) as usize;
    if num_restarts > count_at / 4 {
        return Err(bad_contents());
    }
    let restart_offset = count_at - 4 * num_restarts;
    let restarts = (0..num_restarts)
        .map(|i| decode_fixed32(&contents[restart_offset + 4 * i..]))
        .collect();

    let bad_entry = || Error::corruption("bad entry in block", "");
    let mut entries = Vec::new();
    let mut offset = 0;
    let mut key: Vec<u8> = Vec::new();
    while offset < restart_offset {
        let mut at = offset;
        let mut varint = || {
            let (value, n) = decode_varint32(&contents[at..restart_offset]).ok_or_else(bad_entry)?;
            at += n;
            Ok::<usize, Error>(value as usize)
        };
        let (shared, non_shared, value_length) = (varint()?, varint()?, varint()?);
        let header_length = at - offset;
        let end = at
            .checked_add(non_shared)
            .and_then(|e| e.checked_add(value_length))
            .filter(|&e| e <= restart_offset && shared <= key.len())
            .ok_or_else(bad_entry)?;
        key.truncate(shared);
        key.extend_from_slice(&contents[at..at + non_shared]);
        entries.push(BlockEntry {
            offset,
            shared,
            non_shared,
            value_length,
            header_length,
            key: key.clone(),
            value: contents[at + non_shared..end].to_vec(),
        });
        offset = end;
    }
    Ok((entries, restarts))
}

/// The parts of filter block contents; `None` if they are too short or inconsistent (a reader then treats the
/// block as no filter at all, as LevelDB's FilterBlockReader does), or if the filters' offsets do not go up
/// within the filters' bytes (then the parts would not tile the block: the layout shows it as plain contents).
///
/// LevelDB: FilterBlockReader::FilterBlockReader
fn filter_parts(contents: &[u8]) -> Option<FilterParts> {
    let at = contents.len().checked_sub(5)?;
    let array_offset = decode_fixed32(&contents[at..]);
    if array_offset as usize > at {
        return None;
    }
    let filter_offsets: Vec<u32> = contents[array_offset as usize..at]
        .chunks_exact(4)
        .map(decode_fixed32)
        .collect();
    let in_order = filter_offsets
        .iter()
        .chain([&array_offset])
        .try_fold(0, |previous, &o| (o >= previous).then_some(o))
        .is_some();
    if !in_order {
        return None;
    }
    Some(FilterParts {
        filter_offsets,
        array_offset,
        base_lg: contents[at + 4],
    })
}

/// Appends the regions of `block` (number `b` in file order), its trailer included.
fn block_regions(block: &TableBlock, b: usize, regions: &mut Vec<Region>) {
    let start = block.handle.offset();
    let mut push = |from: usize, to: usize, kind: RegionKind| {
        if to > from {
            regions.push(Region {
                offset: start + from as u64,
                length: (to - from) as u64,
                kind,
                block: Some(b),
            });
        }
    };
    let size = block.handle.size() as usize;
    if block.compression != 0 {
        push(0, size, RegionKind::Compressed);
    } else if let Some(filter) = &block.filter {
        let array = filter.array_offset as usize;
        let ends = filter.filter_offsets.iter().skip(1).map(|&o| o as usize);
        for (n, (from, to)) in filter
            .filter_offsets
            .iter()
            .map(|&o| o as usize)
            .zip(ends.chain([array]))
            .enumerate()
        {
            push(from.min(array), to.min(array), RegionKind::Filter(n));
        }
        push(array, size - 5, RegionKind::FilterOffsets);
        push(size - 5, size - 1, RegionKind::FilterArrayOffset);
        push(size - 1, size, RegionKind::FilterBaseLg);
    } else if matches!(block.kind, BlockKind::Filter { .. } | BlockKind::Meta { .. }) {
        push(0, size, RegionKind::MetaContents);
    } else {
        for (n, entry) in block.entries.iter().enumerate() {
            push(entry.offset, entry.offset + entry.length(), RegionKind::Entry(n));
        }
        push(block.restart_array_offset(), size - 4, RegionKind::RestartArray);
        push(size - 4, size, RegionKind::RestartCount);
    }
    push(size, size + 1, RegionKind::TrailerType);
    push(size + 1, size + BLOCK_TRAILER_SIZE, RegionKind::TrailerCrc);
}

/// Appends the footer's regions.
///
/// LevelDB: Footer::EncodeTo
fn footer_regions(footer: &Footer, footer_offset: u64, regions: &mut Vec<Region>) {
    let handle_length = |h: &BlockHandle| (varint_length(h.offset()) + varint_length(h.size())) as u64;
    let metaindex = handle_length(&footer.metaindex_handle);
    let index = handle_length(&footer.index_handle);
    let padding = Footer::ENCODED_LENGTH as u64 - 8 - metaindex - index;
    let mut offset = footer_offset;
    for (length, kind) in [
        (metaindex, RegionKind::FooterMetaindexHandle),
        (index, RegionKind::FooterIndexHandle),
        (padding, RegionKind::FooterPadding),
        (8, RegionKind::FooterMagic),
    ] {
        if length > 0 {
            regions.push(Region {
                offset,
                length,
                kind,
                block: None,
            });
        }
        offset += length;
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::env::{read_file_to_string, Env, MemEnv};
    use crate::options::{CompressionType, Options};
    use crate::table::TableBuilder;
    use crate::util::bloom::BloomFilterPolicy;

    /// A table of `n` entries with small blocks and a bloom filter, uncompressed; its layout and its bytes.
    fn table(n: usize) -> (TableLayout, Vec<u8>) {
        let env = MemEnv::default();
        let path = Path::new("/t.ldb");
        let options = Options {
            block_size: 256,
            compression: CompressionType::NoCompression,
            filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
            ..Options::default()
        };
        let mut builder = TableBuilder::new(&options, env.new_writable_file(path).unwrap());
        for i in 0..n {
            builder.add(format!("key{i:05}").as_bytes(), format!("value{i}").as_bytes());
        }
        builder.finish().unwrap();
        drop(builder);
        let bytes = read_file_to_string(&env, path).unwrap();
        let file = env.new_random_access_file(path).unwrap();
        (TableLayout::read(&*file, bytes.len() as u64, "t.ldb").unwrap(), bytes)
    }

    #[test]
    fn the_regions_tile_the_file_and_hold_every_entry() {
        let (layout, bytes) = table(200);
        let mut next = 0;
        for region in &layout.regions {
            assert_eq!(region.offset, next, "{region:?}");
            assert!(region.length > 0);
            next += region.length;
        }
        assert_eq!(next, bytes.len() as u64);

        let data: Vec<&TableBlock> = layout
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Data { .. }))
            .collect();
        assert!(data.len() > 5);
        let keys: Vec<Vec<u8>> = data
            .iter()
            .flat_map(|b| b.entries.iter().map(|e| e.key.clone()))
            .collect();
        let expected: Vec<Vec<u8>> = (0..200).map(|i| format!("key{i:05}").into_bytes()).collect();
        assert_eq!(keys, expected);
        let kinds: Vec<&str> = layout.blocks[data.len()..]
            .iter()
            .map(|b| b.kind.name())
            .collect();
        assert_eq!(kinds, ["filter", "metaindex", "index"]);
        let filter = layout.blocks[data.len()].filter.as_ref().unwrap();
        assert_eq!(filter.base_lg, 11);
    }

    #[test]
    fn describe_names_the_part_of_the_format_at_an_offset() {
        let (layout, bytes) = table(40);
        let first = &layout.blocks[0];
        assert_eq!(layout.describe(0), "block 1 (data), entry 0 (shared key length), offset 0");
        assert_eq!(layout.describe(3), "block 1 (data), entry 0 (key delta, byte 0), offset 3");
        let entry = &first.entries[1];
        let value_at = (entry.offset + entry.header_length + entry.non_shared) as u64;
        assert_eq!(
            layout.describe(value_at + 2),
            format!("block 1 (data), entry 1 (value, byte 2), offset {}", value_at + 2)
        );
        let restarts = (first.restart_array_offset() + 4) as u64;
        assert_eq!(
            layout.describe(restarts),
            format!("block 1 (data), restart array, restart 1, offset {restarts}")
        );
        let size = first.handle.size();
        assert_eq!(
            layout.describe(size),
            format!("block 1 (data), trailer, compression type, offset {size}")
        );
        let end = bytes.len() as u64;
        assert_eq!(layout.describe(end - 1), format!("footer, magic number, offset {}", end - 1));
        assert_eq!(
            layout.describe(end),
            format!("offset {end}, past the end of the table ({end} bytes)")
        );
        let filter_block = layout
            .blocks
            .iter()
            .position(|b| b.filter.is_some())
            .unwrap();
        let base_lg = layout.blocks[filter_block].handle.offset() + layout.blocks[filter_block].handle.size() - 1;
        assert_eq!(
            layout.describe(base_lg),
            format!("block {} (filter), base_lg, offset {base_lg}", filter_block + 1)
        );
    }

    #[test]
    fn filter_offsets_out_of_order_are_not_filter_parts() {
        // Two filters of 2 and 3 bytes, their offsets, the array's offset (5), base_lg.
        let good = [1, 2, 3, 4, 5, 0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 11];
        let parts = filter_parts(&good).unwrap();
        assert_eq!((parts.filter_offsets, parts.array_offset, parts.base_lg), (vec![0, 2], 5, 11));
        let mut backwards = good;
        backwards[5] = 3; // Filter 0 starts after filter 1.
        assert_eq!(filter_parts(&backwards), None);
        let mut past_array = good;
        past_array[9] = 6; // Filter 1 starts after the filters' bytes end.
        assert_eq!(filter_parts(&past_array), None);
    }

    #[test]
    fn a_damaged_table_is_an_error_not_a_layout() {
        let (_, mut bytes) = table(40);
        bytes[10] ^= 1;
        let env = MemEnv::default();
        let path = Path::new("/bad.ldb");
        let mut file = env.new_writable_file(path).unwrap();
        file.append(&bytes).unwrap();
        file.close().unwrap();
        let file = env.new_random_access_file(path).unwrap();
        let err = TableLayout::read(&*file, bytes.len() as u64, "bad.ldb").unwrap_err();
        assert_eq!(err.to_string(), "Corruption: block checksum mismatch");
        let err = TableLayout::read(&*file, 20, "bad.ldb").unwrap_err();
        assert_eq!(err.to_string(), "Corruption: file is too short to be an sstable: bad.ldb");
    }
}
