//! `oxldb levels --db=<dir> [--svg]`: the levels of a database's current version (the MANIFEST that `CURRENT`
//! names, replayed as `VersionSet::Recover` replays it; nothing is opened or changed), each file with its key
//! range: as text, or with `--svg` as a picture to scale, one lane per level (one per file on level 0, where
//! files overlap), newest level-0 file on top.
//!
//! To scale: a key's place on the axis is the value of its bytes after the prefix every key shares, read as the
//! digits of a fraction whose radix is the range of byte values the keys use (so decimal keys are placed as
//! the numbers they spell). The place is monotone in the key's order, so the bars keep the files' order and
//! overlaps.

use std::path::Path;
use std::sync::Arc;

use oxleveldb::db::dbformat::config;
use oxleveldb::db::version_edit::FileMetaData;
use oxleveldb::util::logging::escape_string;

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::manifest_dump::{replay, Replayed};
use crate::svg::{Anchor, Svg};

/// How many bytes after the common prefix place a key: beyond 8, an f64 cannot tell the places apart anyway.
const PLACE_BYTES: usize = 8;

/// Places keys on an axis from 0 (the smallest key of the version) to 1 (the largest).
struct KeyScale {
    prefix_len: usize,
    lowest_byte: u8,
    radix: f64,
    origin: f64,
    span: f64,
}

impl KeyScale {
    fn new<'a>(keys: impl Iterator<Item = &'a [u8]> + Clone) -> KeyScale {
        let smallest = keys.clone().min().unwrap_or_default();
        let largest = keys.clone().max().unwrap_or_default();
        let prefix_len = smallest
            .iter()
            .zip(largest)
            .take_while(|(a, b)| a == b)
            .count();
        let used = keys.flat_map(|k| k[prefix_len.min(k.len())..].iter().take(PLACE_BYTES));
        let (lowest, highest) =
            used.fold((u8::MAX, u8::MIN), |(lo, hi), &b| (lo.min(b), hi.max(b)));
        let mut scale = KeyScale {
            prefix_len,
            lowest_byte: lowest.min(highest),
            radix: (f64::from(highest.max(lowest)) - f64::from(lowest.min(highest)) + 1.0),
            origin: 0.0,
            span: 1.0,
        };
        scale.origin = scale.raw(smallest);
        let span = scale.raw(largest) - scale.origin;
        scale.span = if span > 0.0 { span } else { 1.0 };
        scale
    }

    /// The key's bytes after the prefix as a fraction in the radix.
    fn raw(&self, key: &[u8]) -> f64 {
        let rest = &key[self.prefix_len.min(key.len())..];
        let mut place = 0.0;
        let mut unit = 1.0;
        for &b in rest.iter().take(PLACE_BYTES) {
            unit /= self.radix;
            place += f64::from(b.saturating_sub(self.lowest_byte)) * unit;
        }
        place
    }

    /// The key's place, from 0 to 1.
    fn place(&self, key: &[u8]) -> f64 {
        ((self.raw(key) - self.origin) / self.span).clamp(0.0, 1.0)
    }
}

/// The files of each level as the picture lays them out: level 0 newest first, one lane each.
fn lanes(replayed: &Replayed) -> Vec<(usize, Vec<Arc<FileMetaData>>)> {
    let mut lanes = Vec::new();
    let mut level0 = replayed.version.files(0).to_vec();
    level0.sort_by_key(|f| std::cmp::Reverse(f.number));
    if level0.is_empty() {
        lanes.push((0, Vec::new()));
    }
    lanes.extend(level0.into_iter().map(|f| (0, vec![f])));
    for level in 1..config::NUM_LEVELS {
        lanes.push((level, replayed.version.files(level).to_vec()));
    }
    lanes
}

/// A size as the figure writes it: bytes, KB or MB (powers of 1000, rounded).
fn size(bytes: u64) -> String {
    match bytes {
        0..=9_999 => format!("{bytes} B"),
        10_000..=9_999_999 => format!("{} KB", (bytes + 500) / 1000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

fn range_of(f: &FileMetaData) -> String {
    format!(
        "'{}' .. '{}'",
        escape_string(f.smallest.user_key()),
        escape_string(f.largest.user_key())
    )
}

/// The picture: a header, a lane per level (per file on level 0), the key axis at the bottom.
fn draw(manifest: &str, replayed: &Replayed) -> String {
    const LEFT: f64 = 90.0;
    const PLOT: f64 = 640.0;
    const RIGHT: f64 = 150.0;
    const LANE: f64 = 18.0;
    const TOP: f64 = 30.0;
    let version = &replayed.version;
    let all: Vec<&Arc<FileMetaData>> = (0..config::NUM_LEVELS)
        .flat_map(|level| version.files(level))
        .collect();
    let scale = KeyScale::new(
        all.iter()
            .flat_map(|f| [f.smallest.user_key(), f.largest.user_key()]),
    );
    let lanes = lanes(replayed);
    let height = TOP + LANE * lanes.len() as f64 + 40.0;
    let mut svg = Svg::new(LEFT + PLOT + RIGHT, height);
    svg.text(
        4.0,
        16.0,
        12.0,
        Anchor::Start,
        &format!(
            "{manifest}: {} files, last sequence {}; each bar is a file's key range",
            all.len(),
            replayed.last_sequence
        ),
    );
    for (i, (level, files)) in lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64;
        let first_of_level = i == 0 || lanes[i - 1].0 != *level;
        if first_of_level {
            svg.line(0.0, y, LEFT + PLOT + RIGHT, y);
            let level_files = version.files(*level);
            let bytes: u64 = level_files.iter().map(|f| f.file_size).sum();
            svg.text(
                4.0,
                y + 13.0,
                11.0,
                Anchor::Start,
                &format!("level {level}"),
            );
            let summary = match level_files.len() {
                0 => "empty".to_string(),
                1 => format!("1 file, {}", size(bytes)),
                n => format!("{n} files, {}", size(bytes)),
            };
            svg.text(LEFT + PLOT + 8.0, y + 13.0, 11.0, Anchor::Start, &summary);
        }
        let fill = [
            "#f4a261", "#e9c46a", "#8ab17d", "#2a9d8f", "#468faf", "#6d597a", "#b56576",
        ][*level];
        for f in files {
            let x0 = LEFT + PLOT * scale.place(f.smallest.user_key());
            let x1 = LEFT + PLOT * scale.place(f.largest.user_key());
            let w = (x1 - x0).max(2.0);
            let title = format!(
                "{:06}.ldb, level {level}, {} bytes: {}",
                f.number,
                f.file_size,
                range_of(f)
            );
            svg.rect(x0, y + 2.0, w, LANE - 4.0, fill, &title);
            let label = f.number.to_string();
            if w > 7.0 * label.len() as f64 + 4.0 {
                svg.text(x0 + w / 2.0, y + 13.0, 10.0, Anchor::Middle, &label);
            }
        }
    }
    let axis = TOP + LANE * lanes.len() as f64;
    svg.line(LEFT, axis + 4.0, LEFT + PLOT, axis + 4.0);
    let ends = [
        all.iter().map(|f| f.smallest.user_key()).min(),
        all.iter().map(|f| f.largest.user_key()).max(),
    ];
    if let [Some(smallest), Some(largest)] = ends {
        let (smallest, largest) = (escape_string(smallest), escape_string(largest));
        svg.text(
            LEFT,
            axis + 18.0,
            10.0,
            Anchor::Start,
            &format!("'{smallest}'"),
        );
        svg.text(
            LEFT + PLOT,
            axis + 18.0,
            10.0,
            Anchor::End,
            &format!("'{largest}'"),
        );
    }
    svg.text(
        LEFT + PLOT / 2.0,
        axis + 32.0,
        10.0,
        Anchor::Middle,
        "user key, to scale",
    );
    svg.finish()
}

/// The file name `CURRENT` holds (`MANIFEST-NNNNNN`).
///
/// LevelDB: VersionSet::Recover (reading CURRENT)
fn current_manifest(db: &Path) -> Result<String, Failure> {
    let current = std::fs::read_to_string(db.join("CURRENT"))
        .map_err(|e| Failure::Failed(format!("oxldb: {}: {e}", db.join("CURRENT").display())))?;
    match current.strip_suffix('\n') {
        Some(name) if !name.is_empty() && !name.contains('/') => Ok(name.to_string()),
        _ => Err(Failure::Failed(
            "Corruption: CURRENT file does not end with newline".to_string(),
        )),
    }
}

pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let db = args.required_path("db")?;
    let manifest = current_manifest(&db)?;
    let replayed = replay(&db.join(&manifest), |_| Ok(()))?;
    if args.flag("svg") {
        out.write_all(draw(&manifest, &replayed).as_bytes())?;
    } else {
        writeln!(out, "{manifest}: last sequence {}", replayed.last_sequence)?;
        for level in 0..config::NUM_LEVELS {
            let files = replayed.version.files(level);
            let bytes: u64 = files.iter().map(|f| f.file_size).sum();
            writeln!(out, "level {level}: {} files, {bytes} bytes", files.len())?;
            for f in files {
                writeln!(
                    out,
                    "  {:06}.ldb {:>9} bytes  {}",
                    f.number,
                    f.file_size,
                    range_of(f)
                )?;
            }
        }
    }
    replayed.report_cut_record()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_keys_are_placed_as_the_numbers_they_spell() {
        let keys: [&[u8]; 3] = [b"k000", b"k500", b"k999"];
        let scale = KeyScale::new(keys.iter().copied());
        assert_eq!(scale.place(b"k000"), 0.0);
        assert_eq!(scale.place(b"k999"), 1.0);
        assert!((scale.place(b"k500") - 500.0 / 999.0).abs() < 1e-9);
    }

    #[test]
    fn places_keep_the_keys_order() {
        let keys: [&[u8]; 5] = [b"a", b"ab", b"b\x00", b"b\xff\xff", b"c"];
        let scale = KeyScale::new(keys.iter().copied());
        let places: Vec<f64> = keys.iter().map(|k| scale.place(k)).collect();
        assert!(places.windows(2).all(|w| w[0] <= w[1]), "{places:?}");
        assert_eq!(places[4], 1.0);
    }
}
