//! `oxldb sst_layout --file=<table>`: a table taken apart block by block, in file order: each data block (its
//! offset, its size on disk, its trailer's compression type, its entries, restart points and first and last keys),
//! the filter block, the metaindex block, the index block and the footer. Every block is read with its checksum
//! verified. The tour's chapter on sstables draws its picture from this output. The table is taken apart by the
//! library's [`TableLayout`], which the course also uses to name the first byte where a learner's table differs.
//!
//! Invariant: one row per block of the layout, in file order (the layout's blocks tile the file up to the footer:
//! a gap or an overlap is an error), then the footer's row.
//!
//! LevelDB: table/format.cc (Footer, BlockHandle, ReadBlock), table/table.cc (Table::Open, ReadMeta, ReadFilter)

use oxleveldb::env::default_env;
use oxleveldb::table::format::{Footer, BLOCK_TRAILER_SIZE};
use oxleveldb::table::layout::{BlockKind, TableBlock, TableLayout};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::{debug_bytes, internal_key};

/// The name of a trailer's compression type byte.
fn compression(block: &TableBlock) -> &'static str {
    match block.compression {
        0 => "none",
        1 => "snappy",
        _ => "unknown",
    }
}

/// What a block holds, in a row's words.
fn what(block: &TableBlock) -> String {
    let names = || -> Vec<String> {
        block
            .entries
            .iter()
            .map(|e| debug_bytes(&e.key, false))
            .collect()
    };
    match &block.kind {
        BlockKind::Data { number, index_key } => {
            let keys = match (block.entries.first(), block.entries.last()) {
                (Some(first), Some(last)) => format!(
                    "{} .. {}",
                    internal_key(&first.key, false),
                    internal_key(&last.key, false)
                ),
                _ => "empty".to_string(),
            };
            format!(
                "data block {number}: {} entries, {} restarts, {keys}; index key {}",
                block.entries.len(),
                block.restarts.len(),
                internal_key(index_key, false)
            )
        }
        BlockKind::Filter { name } => match &block.filter {
            Some(filter) => format!(
                "filter block ({}): {} filters, one per {} bytes of data-block offsets",
                debug_bytes(name, false),
                filter.filter_offsets.len(),
                1u64 << filter.base_lg
            ),
            None => format!("meta block {}", debug_bytes(name, false)),
        },
        BlockKind::Meta { name } => format!("meta block {}", debug_bytes(name, false)),
        BlockKind::Metaindex => format!(
            "metaindex block: {} entries [{}]",
            block.entries.len(),
            names().join(", ")
        ),
        BlockKind::Index => format!(
            "index block: {} entries, one per data block",
            block.entries.len()
        ),
    }
}

/// `sst_layout --file=<table>`.
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let path = args.required_path("file")?;
    let env = default_env();
    let size = env.get_file_size(&path)?;
    let file = env.new_random_access_file(&path)?;
    let layout = TableLayout::read(&*file, size, &path.display().to_string())?;
    if args.flag("svg") {
        let name = path.file_name().map_or(path.as_os_str(), |n| n);
        let figure = crate::table_figure::draw(&name.to_string_lossy(), &layout);
        out.write_all(figure.as_bytes())?;
        return Ok(());
    }

    writeln!(out, "{}: {size} bytes", path.display())?;
    writeln!(out, "{:>8} {:>7} {:>7}  block", "offset", "size", "trailer")?;
    for block in &layout.blocks {
        writeln!(
            out,
            "{:>8} {:>7} {:>7}  {}",
            block.handle.offset(),
            block.handle.size(),
            compression(block),
            what(block)
        )?;
    }
    let footer = &layout.footer;
    writeln!(
        out,
        "{:>8} {:>7} {:>7}  footer: metaindex at {} ({} bytes), index at {} ({} bytes), padding, magic 0xdb4775248b80fb57",
        size - Footer::ENCODED_LENGTH as u64,
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
