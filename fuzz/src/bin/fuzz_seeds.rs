//! Writes the seed corpora: `fuzz_seeds OUT_DIR` makes `OUT_DIR/<target>/<seed>` for every target, from the
//! repository's fixtures and generators (see `oxleveldb_fuzz::seeds`). scripts/fuzz.sh runs it before fuzzing.

use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "corpus".to_string()),
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/leveldb-1.23");
    let seeds = oxleveldb_fuzz::seeds::all(&fixtures);
    for (target, name, input) in &seeds {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        std::fs::write(dir.join(name), input).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    println!("{} seeds written under {}", seeds.len(), out.display());
}
