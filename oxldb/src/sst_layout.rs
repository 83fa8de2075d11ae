//! `oxldb sst_layout --file=<table>`: a table taken apart block by block, in file order: each data block (its
//! offset, its size on disk, its trailer's compression type, its entries, restart points and first and last keys),
//! the filter block, the metaindex block, the index block and the footer. Every block is read with its checksum
//! verified. The tour's chapter on sstables draws its picture from this output.
//!
//! Invariant: the blocks are found the way a reader finds them, never by scanning: footer, then index, then the
//! data blocks the index points to, then the metaindex and the filter block it names; the layout printed ends
//! exactly where the footer begins (checked: a gap or an overlap is an error).
//!
//! LevelDB: table/format.cc (Footer, BlockHandle, ReadBlock), table/table.cc (Table::Open, ReadMeta, ReadFilter)

use std::sync::Arc;

use oxleveldb::env::{default_env, RandomAccessFile};
use oxleveldb::table::block::Block;
use oxleveldb::table::format::{read_block, BlockHandle, Footer, BLOCK_TRAILER_SIZE};
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::util::coding::decode_fixed32;
use oxleveldb::{bytewise_comparator, Error};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::{debug_bytes, internal_key};

/// One block's line: where it is, how it is stored, what it holds.
struct Row {
    handle: BlockHandle,
    compression: &'static str,
    what: String,
}

/// The compression type byte of the trailer of the block at `handle`.
fn compression(file: &dyn RandomAccessFile, handle: &BlockHandle) -> Result<&'static str, Failure> {
    let mut scratch = Vec::new();
    let trailer = file.read(
        handle.offset() + handle.size(),
        BLOCK_TRAILER_SIZE,
        &mut scratch,
    )?;
    Ok(match trailer.first() {
        Some(0) => "none",
        Some(1) => "snappy",
        _ => "unknown",
    })
}

/// A block's entries, as (key, value) pairs.
type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// The entries of a block, and its number of restart points.
fn entries(file: &dyn RandomAccessFile, handle: &BlockHandle) -> Result<(Entries, u32), Failure> {
    let contents = read_block(file, true, handle)?;
    let restarts = contents
        .data
        .len()
        .checked_sub(4)
        .map_or(0, |at| decode_fixed32(&contents.data[at..]));
    let block = Arc::new(Block::new(contents.data));
    let mut iter = block.iter(bytewise_comparator());
    let mut entries = Vec::new();
    iter.seek_to_first();
    while iter.valid() {
        entries.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.next();
    }
    iter.status()?;
    Ok((entries, restarts))
}

fn handle_of(mut value: &[u8]) -> Result<BlockHandle, Failure> {
    Ok(BlockHandle::decode_from(&mut value)?)
}

/// `sst_layout --file=<table>`.
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let path = args.required_path("file")?;
    let env = default_env();
    let size = env.get_file_size(&path)?;
    let file = env.new_random_access_file(&path)?;
    let file = &*file;
    let too_short = || {
        Error::corruption(
            "file is too short to be an sstable",
            path.display().to_string(),
        )
    };
    let footer_offset = size
        .checked_sub(Footer::ENCODED_LENGTH as u64)
        .ok_or_else(too_short)?;
    let mut scratch = Vec::new();
    let footer =
        Footer::decode_from(file.read(footer_offset, Footer::ENCODED_LENGTH, &mut scratch)?)?;

    let mut rows = Vec::new();
    let (index, _) = entries(file, &footer.index_handle)?;
    for (n, (separator, value)) in index.iter().enumerate() {
        let handle = handle_of(value)?;
        let (data, restarts) = entries(file, &handle)?;
        let keys = match (data.first(), data.last()) {
            (Some((first, _)), Some((last, _))) => {
                format!(
                    "{} .. {}",
                    internal_key(first, false),
                    internal_key(last, false)
                )
            }
            _ => "empty".to_string(),
        };
        rows.push(Row {
            handle,
            compression: compression(file, &handle)?,
            what: format!(
                "data block {}: {} entries, {restarts} restarts, {keys}; index key {}",
                n + 1,
                data.len(),
                internal_key(separator, false)
            ),
        });
    }
    let (metaindex, _) = entries(file, &footer.metaindex_handle)?;
    for (name, value) in &metaindex {
        let handle = handle_of(value)?;
        let contents = read_block(file, true, &handle)?.data;
        // A filter block ends with the offset of its offset array (4 bytes) and base_lg (1 byte).
        let what = match contents.len().checked_sub(5) {
            Some(at) if name.starts_with(b"filter.") => {
                let array = decode_fixed32(&contents[at..]) as usize;
                let filters = (at.saturating_sub(array)) / 4;
                format!(
                    "filter block ({}): {filters} filters, one per {} bytes of data-block offsets",
                    debug_bytes(name, false),
                    1u64 << contents[at + 4]
                )
            }
            _ => format!("meta block {}", debug_bytes(name, false)),
        };
        rows.push(Row {
            handle,
            compression: compression(file, &handle)?,
            what,
        });
    }
    let names: Vec<String> = metaindex
        .iter()
        .map(|(name, _)| debug_bytes(name, false))
        .collect();
    rows.push(Row {
        handle: footer.metaindex_handle,
        compression: compression(file, &footer.metaindex_handle)?,
        what: format!(
            "metaindex block: {} entries [{}]",
            metaindex.len(),
            names.join(", ")
        ),
    });
    rows.push(Row {
        handle: footer.index_handle,
        compression: compression(file, &footer.index_handle)?,
        what: format!("index block: {} entries, one per data block", index.len()),
    });
    rows.sort_by_key(|r| r.handle.offset());

    writeln!(out, "{}: {size} bytes", path.display())?;
    writeln!(out, "{:>8} {:>7} {:>7}  block", "offset", "size", "trailer")?;
    let mut expected = 0;
    for row in &rows {
        if row.handle.offset() != expected {
            let message = format!(
                "blocks do not tile the file: a block at {} where {expected} was expected",
                row.handle.offset()
            );
            return Err(Error::corruption(message, path.display().to_string()).into());
        }
        writeln!(
            out,
            "{:>8} {:>7} {:>7}  {}",
            row.handle.offset(),
            row.handle.size(),
            row.compression,
            row.what
        )?;
        expected = row.handle.offset() + row.handle.size() + BLOCK_TRAILER_SIZE as u64;
    }
    if expected != footer_offset {
        let message = format!("the blocks end at {expected}, the footer begins at {footer_offset}");
        return Err(Error::corruption(message, path.display().to_string()).into());
    }
    writeln!(
        out,
        "{:>8} {:>7} {:>7}  footer: metaindex at {} ({} bytes), index at {} ({} bytes), padding, magic 0xdb4775248b80fb57",
        footer_offset,
        Footer::ENCODED_LENGTH,
        "-",
        footer.metaindex_handle.offset(),
        footer.metaindex_handle.size(),
        footer.index_handle.offset(),
        footer.index_handle.size()
    )?;
    writeln!(out, "(each block's size excludes its {BLOCK_TRAILER_SIZE}-byte trailer: the compression type byte and a masked crc32c)")?;
    Ok(())
}
