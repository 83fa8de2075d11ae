//! Targets `recovery` and `recovery_differential`: a database directory whose files come from the input (see
//! [`super::dir_input`]: CURRENT, MANIFESTs, logs, tables), opened as a database, read whole, and repaired when it
//! does not open.
//!
//! The first byte of the input chooses the options: bit 0 `paranoid_checks`, bit 1 `reuse_logs`; the rest is the
//! directory.
//!
//! Oracles: `recovery` (on `MemEnv`): no panic, reads of an opened database end in data or an error, and a
//! database that `repair_db` repaired opens. `recovery_differential` (on disk, in /dev/shm where there is one):
//! oxleveldb and the system's LevelDB 1.23 open the same files with the same result (the same error, the path of
//! the directory aside), read the same entries both ways and the same values for the keys found and for probes,
//! and do it again after a reopen.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use leveldb_differential::{CppEngine, DbOptions, Engine, OxEngine};
use oxleveldb::env::{default_env, write_string_to_file, Env, MemEnv};
use oxleveldb::{repair_db, Options, ReadOptions, DB};

use super::dir_input;

/// Keys read with `get` after a scan, at most.
const MAX_GETS: usize = 32;

/// Reads an opened database whole, both ways, and gets the keys found.
fn read_whole(db: &DB) {
    let read_options = ReadOptions {
        verify_checksums: true,
        ..ReadOptions::default()
    };
    let mut keys = Vec::new();
    let mut iter = db.new_iterator(&read_options);
    iter.seek_to_first();
    while iter.valid() {
        if keys.len() < MAX_GETS {
            keys.push(iter.key().to_vec());
        }
        iter.next();
    }
    let _ = iter.status();
    iter.seek_to_last();
    while iter.valid() {
        iter.prev();
    }
    let _ = iter.status();
    drop(iter);
    for key in keys {
        let _ = db.get(&read_options, key);
    }
}

/// Target `recovery`.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let env: Arc<dyn Env> = Arc::new(MemEnv::new(default_env()));
    let dbname = Path::new("/db");
    for (name, contents) in dir_input::decode(rest) {
        write_string_to_file(&*env, &contents, &dbname.join(name)).expect("MemEnv writes");
    }
    let options = Options {
        env,
        create_if_missing: true,
        paranoid_checks: flags & 1 != 0,
        reuse_logs: flags & 2 != 0,
        ..Options::default()
    };
    match DB::open(options.clone(), dbname) {
        Ok(db) => read_whole(&db),
        Err(_) => {
            if repair_db(dbname, &options).is_ok() {
                let db = DB::open(options, dbname)
                    .unwrap_or_else(|e| panic!("a repaired database does not open: {e}"));
                read_whole(&db);
            }
        }
    }
}

/// Where the differential target makes its directories: a RAM disk if there is one (no fsync to wait for).
pub fn scratch_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// What an engine answers on the directory: its open's result, then its reads.
fn answers(
    engine: &mut dyn Engine,
    path: &Path,
    options: &DbOptions,
    probes: &[Vec<u8>],
) -> Vec<String> {
    let show_error = |e: String| e.replace(&*path.to_string_lossy(), "<db>");
    let mut out = Vec::new();
    for round in 0..2 {
        if let Err(e) = engine.open(path, options) {
            out.push(format!("open #{round}: {}", show_error(e)));
            return out;
        }
        let forward = engine.scan(None, false).map_err(show_error);
        let backward = engine.scan(None, true).map_err(show_error);
        out.push(format!("scan forward: {forward:?}"));
        out.push(format!("scan backward: {backward:?}"));
        let found = forward
            .iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .take(MAX_GETS);
        for key in found.chain(probes.iter().cloned()) {
            out.push(format!(
                "get {key:?}: {:?}",
                engine.get(None, &key).map_err(show_error)
            ));
        }
        engine.close();
    }
    out
}

/// Target `recovery_differential`.
pub fn run_differential(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let files = dir_input::decode(rest);
    let options = DbOptions {
        paranoid_checks: flags & 1 != 0,
        reuse_logs: flags & 2 != 0,
        ..DbOptions::default()
    };
    let dir = tempfile::tempdir_in(scratch_parent()).expect("a scratch directory");
    let paths = [dir.path().join("left"), dir.path().join("right")];
    for path in &paths {
        std::fs::create_dir(path).expect("a scratch directory");
        for (name, contents) in &files {
            std::fs::write(path.join(name), contents).expect("the scratch directory takes files");
        }
    }
    // Probes: the keys a small database's tests use, and one from the input.
    let probes = [
        b"a".to_vec(),
        b"foo".to_vec(),
        rest.get(..8).unwrap_or(rest).to_vec(),
    ];
    let ours = answers(&mut OxEngine::new(), &paths[0], &options, &probes);
    let theirs = answers(&mut CppEngine::new(), &paths[1], &options, &probes);
    let at = ours.iter().zip(&theirs).position(|(a, b)| a != b);
    assert!(
        at.is_none() && ours.len() == theirs.len(),
        "oxleveldb and LevelDB differ on a damaged directory:\n  oxleveldb: {:?}\n  leveldb:   {:?}",
        at.map(|i| &ours[i]).or(ours.last()),
        at.map(|i| &theirs[i]).or(theirs.last()),
    );
}
