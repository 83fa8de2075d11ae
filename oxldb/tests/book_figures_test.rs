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
