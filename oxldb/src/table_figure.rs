//! `oxldb sst_layout --file=<table> --svg`: a table drawn to scale, block by block, from the library's
//! [`TableLayout`] (the same regions the text rows and the course's byte-by-byte messages come from): a bar of the
//! whole file, each region (a block's entries or compressed contents, its restart array, its trailer, the footer's
//! fields) at its offset and length, then one line per block saying what it is, joined to its place on the bar.
//!
//! Invariant: the bar is the file's bytes to one scale; every region is drawn (a region narrower than half a pixel
//! is widened to half a pixel, so that a trailer stays visible), and the output depends only on the table's bytes.

use oxleveldb::table::format::{Footer, BLOCK_TRAILER_SIZE};
use oxleveldb::table::layout::{BlockKind, RegionKind, TableBlock, TableLayout};

use crate::svg::{Anchor, Svg};

const LEFT: f64 = 20.0;
const WIDTH: f64 = 900.0;
const BAR_TOP: f64 = 30.0;
const BAR_HEIGHT: f64 = 40.0;
const ROW: f64 = 16.0;

/// The colour of a block's contents: data blocks alternate, so that neighbours are told apart.
fn block_colour(block: &TableBlock) -> &'static str {
    match &block.kind {
        BlockKind::Data { number, .. } if number % 2 == 1 => "#8ecae6",
        BlockKind::Data { .. } => "#bde0fe",
        BlockKind::Filter { .. } => "#ffb703",
        BlockKind::Meta { .. } => "#ffd166",
        BlockKind::Metaindex => "#c77dff",
        BlockKind::Index => "#90be6d",
    }
}

/// The colour of a region: its block's, darker for a trailer, grey for the arrays that end a block.
fn region_colour(kind: RegionKind, block: Option<&TableBlock>) -> &'static str {
    match (kind, block) {
        (RegionKind::TrailerType | RegionKind::TrailerCrc, _) => "#343a40",
        (
            RegionKind::RestartArray
            | RegionKind::RestartCount
            | RegionKind::FilterOffsets
            | RegionKind::FilterArrayOffset
            | RegionKind::FilterBaseLg,
            _,
        ) => "#868e96",
        (_, Some(block)) => block_colour(block),
        (_, None) => "#ced4da",
    }
}

/// `n` and `word`, in the plural unless `n` is 1.
fn count(n: usize, word: &str) -> String {
    match n {
        1 => format!("1 {word}"),
        n if word.ends_with('y') => format!("{n} {}ies", &word[..word.len() - 1]),
        n => format!("{n} {word}s"),
    }
}

/// A block's short name on the bar, and its line below it.
fn names(block: &TableBlock) -> (String, String) {
    let compression = match block.compression {
        0 => "uncompressed",
        1 => "snappy",
        _ => "unknown compression",
    };
    let entries = block.entries.len();
    match &block.kind {
        BlockKind::Data { number, .. } => (
            format!("data {number}"),
            format!(
                "data block {number}: {}, {}, {compression}",
                count(entries, "entry"),
                count(block.restarts.len(), "restart")
            ),
        ),
        BlockKind::Filter { .. } => {
            let filters = block.filter.as_ref().map_or(0, |f| f.filter_offsets.len());
            let filters = count(filters, "bloom filter");
            (
                "filter".into(),
                format!("filter block: {filters}, {compression}"),
            )
        }
        BlockKind::Meta { .. } => ("meta".into(), format!("meta block, {compression}")),
        BlockKind::Metaindex => (
            "meta".into(),
            format!(
                "metaindex block: {}, {compression}",
                count(entries, "entry")
            ),
        ),
        BlockKind::Index => (
            "index".into(),
            format!(
                "index block: {}, one per data block, {compression}",
                count(entries, "entry")
            ),
        ),
    }
}

/// What the figure says about each block (and the footer): offset, length with its trailer, colour, the short
/// name on the bar and the line under it.
struct Part {
    offset: u64,
    length: u64,
    colour: &'static str,
    short: String,
    long: String,
}

fn parts(layout: &TableLayout) -> Vec<Part> {
    let mut parts: Vec<Part> = layout
        .blocks
        .iter()
        .map(|b| {
            let (short, long) = names(b);
            Part {
                offset: b.handle.offset(),
                length: b.handle.size() + BLOCK_TRAILER_SIZE as u64,
                colour: block_colour(b),
                short,
                long,
            }
        })
        .collect();
    parts.push(Part {
        offset: layout.file_size - Footer::ENCODED_LENGTH as u64,
        length: Footer::ENCODED_LENGTH as u64,
        colour: "#ced4da",
        short: "footer".into(),
        long: "footer: metaindex and index handles, padding, magic number".into(),
    });
    parts
}

/// Draws the bytes `from..to` of the table as a bar `WIDTH` wide at `top`: every region in that span, the parts'
/// names where they fit, and their offsets below where they do not crowd each other.
fn bar(svg: &mut Svg, layout: &TableLayout, parts: &[Part], top: f64, from: u64, to: u64) {
    let scale = WIDTH / (to - from).max(1) as f64;
    let x = |offset: u64| LEFT + offset.saturating_sub(from) as f64 * scale;
    for region in &layout.regions {
        let end = region.offset + region.length;
        if end <= from || region.offset >= to {
            continue;
        }
        let block = region.block.map(|b| &layout.blocks[b]);
        let width = ((end.min(to) - region.offset.max(from)) as f64 * scale).max(0.5);
        let title = format!(
            "{}..{end} ({} bytes): {}",
            region.offset, region.length, region.kind
        );
        let colour = region_colour(region.kind, block);
        svg.rect(
            x(region.offset.max(from)),
            top,
            width,
            BAR_HEIGHT,
            colour,
            &title,
        );
    }
    let mut last_label = f64::NEG_INFINITY;
    for part in parts.iter().filter(|p| p.offset >= from && p.offset < to) {
        let (start, width) = (x(part.offset), part.length as f64 * scale);
        if width > 6.5 * part.short.len() as f64 + 4.0 {
            let middle = start + width / 2.0;
            svg.text(middle, top + 24.0, 11.0, Anchor::Middle, &part.short);
        }
        if start - last_label >= 34.0 {
            svg.line(start, top + BAR_HEIGHT, start, top + BAR_HEIGHT + 6.0);
            let label = part.offset.to_string();
            svg.text(start, top + BAR_HEIGHT + 17.0, 10.0, Anchor::Start, &label);
            last_label = start;
        }
    }
    let end_label = to.to_string();
    svg.text(
        x(to),
        top + BAR_HEIGHT + 29.0,
        10.0,
        Anchor::End,
        &end_label,
    );
}

/// The figure of the table `name` (a file name, shown in the title).
pub fn draw(name: &str, layout: &TableLayout) -> String {
    let parts = parts(layout);
    // The blocks after the last data block (filter, metaindex, index, footer) are small: they are drawn again,
    // magnified, from the last data block on.
    let zoom_from = layout
        .blocks
        .iter()
        .rev()
        .find(|b| matches!(b.kind, BlockKind::Data { .. }))
        .map_or(0, |b| b.handle.offset());
    let zoom_top = BAR_TOP + BAR_HEIGHT + 55.0;
    let rows_top = zoom_top + BAR_HEIGHT + 55.0;
    let height = rows_top + ROW * parts.len() as f64 + 30.0;
    let mut svg = Svg::new(LEFT * 2.0 + WIDTH, height);
    let scale = WIDTH / layout.file_size.max(1) as f64;
    let title = format!(
        "{name}: {} bytes, drawn to scale ({:.1} bytes a pixel); below, its end magnified",
        layout.file_size,
        1.0 / scale
    );
    svg.text(LEFT, 18.0, 12.0, Anchor::Start, &title);
    bar(&mut svg, layout, &parts, BAR_TOP, 0, layout.file_size);
    // The magnified span's ends, joined to the whole bar.
    let zoom_x = LEFT + zoom_from as f64 * scale;
    svg.line(zoom_x, BAR_TOP + BAR_HEIGHT, LEFT, zoom_top);
    svg.line(LEFT + WIDTH, BAR_TOP + BAR_HEIGHT, LEFT + WIDTH, zoom_top);
    bar(
        &mut svg,
        layout,
        &parts,
        zoom_top,
        zoom_from,
        layout.file_size,
    );
    for (i, part) in parts.iter().enumerate() {
        let y = rows_top + ROW * i as f64;
        svg.rect(LEFT, y - 10.0, 10.0, 10.0, part.colour, &part.long);
        svg.text(LEFT + 60.0, y, 11.0, Anchor::End, &part.offset.to_string());
        let length = format!("{} bytes", part.length);
        svg.text(LEFT + 140.0, y, 11.0, Anchor::End, &length);
        svg.text(LEFT + 152.0, y, 11.0, Anchor::Start, &part.long);
    }
    let notes = [
        "Sizes include each block's 5-byte trailer (dark: its compression type and masked crc32c).",
        "Grey: a block's restart array and count, or the filter block's offsets. Each bar's title names its region.",
    ];
    for (i, note) in notes.iter().enumerate() {
        let y = height - 20.0 + 12.0 * i as f64;
        svg.text(LEFT, y, 10.0, Anchor::Start, note);
    }
    svg.finish()
}
