//! The book's figures (docs/figures/) are what scripts/book_figures.sh makes: the script is run here into a
//! temporary directory, with this build's oxldb, and every figure it makes must be the checked-in file, byte for
//! byte (and every checked-in figure must be one it makes). The write-queue timeline, drawn from several threads,
//! is left out (`BOOK_FIGURES_TIMELINE=0`): no two runs draw it alike.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `.svg` files of `dir`, sorted.
fn figures(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_checked_in_figures_are_what_the_script_makes() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(workspace().join("scripts/book_figures.sh"))
        .arg(out.path())
        .env("OXLDB", env!("CARGO_BIN_EXE_oxldb"))
        .env("BOOK_FIGURES_TIMELINE", "0")
        .status()
        .unwrap();
    assert!(status.success(), "scripts/book_figures.sh failed");
    let made = figures(out.path());
    assert!(made.len() >= 3, "the script made only {made:?}");
    let checked_in_dir = workspace().join("docs/figures");
    let checked_in: Vec<String> = figures(&checked_in_dir)
        .into_iter()
        .filter(|n| n != "write-queue.svg")
        .collect();
    assert_eq!(
        made, checked_in,
        "docs/figures/ differs from what the script makes: run scripts/book_figures.sh"
    );
    for name in &made {
        let want = fs::read(out.path().join(name)).unwrap();
        let have = fs::read(checked_in_dir.join(name)).unwrap();
        assert!(
            want == have,
            "docs/figures/{name} is not what scripts/book_figures.sh makes: run the script"
        );
    }
}

/// The table figure draws every region of the table (each once at least: the end of the file is drawn twice), at
/// the offsets the library's layout gives.
#[test]
fn the_table_figure_draws_every_region_of_the_file() {
    use oxleveldb::env::default_env;
    use oxleveldb::table::layout::TableLayout;

    let path = workspace().join("tests/fixtures/leveldb-1.23/multilevel-bloom/db/000156.ldb");
    let output = Command::new(env!("CARGO_BIN_EXE_oxldb"))
        .args(["sst_layout", "--svg"])
        .arg(format!("--file={}", path.display()))
        .output()
        .unwrap();
    assert!(output.status.success());
    let svg = String::from_utf8(output.stdout).unwrap();
    let env = default_env();
    let size = env.get_file_size(&path).unwrap();
    let file = env.new_random_access_file(&path).unwrap();
    let layout = TableLayout::read(&*file, size, "000156.ldb").unwrap();
    assert!(layout.regions.len() > 20);
    for region in &layout.regions {
        let title = format!(
            "<title>{}..{} ({} bytes): {}</title>",
            region.offset,
            region.offset + region.length,
            region.length,
            region.kind
        );
        assert!(svg.contains(&title), "no region {title}");
    }
}
