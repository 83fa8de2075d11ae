//! Targets `recovery` and `recovery_differential`: a database directory whose files come from the input (see
//! [`super::dir_input`]: CURRENT, MANIFESTs, logs, tables), opened as a database, read whole, and repaired when it
//! does not open.
//!
//! The first byte of the input chooses the options: bit 0 `paranoid_checks`, bit 1 `reuse_logs`; the rest is the
//! directory.
//!
//! Oracles: `recovery` (on `MemEnv`): no panic, reads of an opened database end in data or an error, and a
//! database that `repair_db` repaired opens (if its numbered files have LevelDB's names, see `canonical_name`). `recovery_differential` (on disk, in /dev/shm where there is one):
//! oxleveldb and the system's LevelDB 1.23 open the same files with the same result (the same error, the path of
//! the directory aside), read the same entries both ways and the same values for the keys found and for probes,
//! and do it again after a reopen. Where oxleveldb reads past a torn last record on purpose (a MANIFEST's last
//! edit; with `paranoid_checks`, a log's last write: README), LevelDB is asked again without that record.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leveldb_differential::{CppEngine, DbOptions, Engine, OxEngine};
use oxleveldb::env::{default_env, write_string_to_file, Env, MemEnv};
use oxleveldb::log::{Reader, Reporter, Writer};
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
    let mut iter = db.new_iterator_opt(&read_options);
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
        let _ = db.get_opt(key, &read_options);
    }
}

/// Whether a numbered file's name is the one LevelDB gives its number ("000005.log", not "5.log"). Both engines
/// read "5.log" as log 5 and then open "000005.log" for it, which is missing, and repair leaves "5.log" where it
/// is: with `paranoid_checks` the repaired database then does not open, in LevelDB as in oxleveldb (without it
/// both go on; tests/fuzz_regressions.rs, `a_missing_log_on_memenv_does_not_fail_the_open`). The oracle skips
/// such directories; `recovery_differential` (on disk) compares them with LevelDB.
fn canonical_name(name: &str) -> bool {
    let number = name.strip_prefix("MANIFEST-").or_else(|| {
        [".log", ".ldb", ".sst"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
    });
    match number {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => digits
            .parse::<u64>()
            .is_ok_and(|n| format!("{n:06}") == digits),
        _ => true,
    }
}

/// Target `recovery`.
pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let env: Arc<dyn Env> = Arc::new(MemEnv::new(default_env()));
    let dbname = Path::new("/db");
    let files = dir_input::decode(rest);
    for (name, contents) in &files {
        write_string_to_file(&*env, contents, &dbname.join(name)).expect("MemEnv writes");
    }
    let options = Options {
        env,
        create_if_missing: true,
        paranoid_checks: flags & 1 != 0,
        reuse_logs: flags & 2 != 0,
        ..Options::default()
    };
    let canonical = files.iter().all(|(name, _)| canonical_name(name));
    match DB::open(options.clone(), dbname) {
        Ok(db) => read_whole(&db),
        Err(_) => {
            if repair_db(dbname, &options).is_ok() && canonical {
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
    // LevelDB's C API hands an error over as a C string, which ends at the first NUL (a file name read from a
    // damaged CURRENT can hold one): oxleveldb's message is cut there too before the two are compared.
    let show_error = |e: String| {
        let e = e.split('\0').next().unwrap_or_default();
        e.replace(&*path.to_string_lossy(), "<db>")
    };
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

/// The options of the differential target's flags byte.
fn differential_options(flags: u8) -> DbOptions {
    DbOptions {
        paranoid_checks: flags & 1 != 0,
        reuse_logs: flags & 2 != 0,
        ..DbOptions::default()
    }
}

/// The keys read with `get` besides those found: the keys a small database's tests use, and one from the input.
fn probes(input: &[u8]) -> [Vec<u8>; 3] {
    [
        b"a".to_vec(),
        b"foo".to_vec(),
        input.get(..8).unwrap_or(input).to_vec(),
    ]
}

/// Whether LevelDB runs in a child process (set by the fuzz binary's `init`, [`init_differential`]). Debian's
/// LevelDB is built with its assertions, and damaged files trip some of them (`ExtractUserKey` on a key shorter
/// than 8 bytes, files that overlap at level 1 and up), and a table whose block handle claims a size beyond any
/// memory makes `ReadBlock` allocate it before reading (`std::bad_alloc`): an abort in a child costs the
/// comparison of that input, not the fuzzing run. The stable test replays inputs LevelDB does not abort on, in
/// process.
static CPP_IN_CHILD: AtomicBool = AtomicBool::new(false);

/// The environment variable that makes a fuzz binary a LevelDB child: the directory to open; the flags byte and
/// the input's probe come in `FLAGS` and `PROBE` (hex).
const CHILD_DIR: &str = "OXLEVELDB_FUZZ_CPP_DIR";
const CHILD_FLAGS: &str = "OXLEVELDB_FUZZ_CPP_FLAGS";
const CHILD_PROBE: &str = "OXLEVELDB_FUZZ_CPP_PROBE";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex from the parent"))
        .collect()
}

/// The `init` of the `recovery_differential` fuzz binary: in a child started by [`cpp_answers_in_child`], opens
/// the directory with LevelDB, prints its answers (one hex line each) and exits; otherwise has LevelDB run in such
/// children from now on.
pub fn init_differential() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        CPP_IN_CHILD.store(true, Ordering::Relaxed);
        return;
    };
    let var = |name| std::env::var(name).expect("set by the parent");
    let flags: u8 = var(CHILD_FLAGS).parse().expect("a flags byte");
    let input_probe = unhex(&var(CHILD_PROBE));
    let mut probes = probes(&[]);
    probes[2] = input_probe;
    let options = differential_options(flags);
    for line in answers(&mut CppEngine::new(), Path::new(&dir), &options, &probes) {
        println!("{}", hex(line.as_bytes()));
    }
    std::process::exit(0);
}

/// LevelDB's answers on `path`, from a child process (this binary again); `None` if LevelDB aborted.
fn cpp_answers_in_child(path: &Path, flags: u8, input_probe: &[u8]) -> Option<Vec<String>> {
    let exe = std::env::current_exe().expect("the fuzz binary's path");
    // Under the address sanitizer an allocation too large fails the child with a report and exit status 1, where a
    // plain process gets `std::bad_alloc` and aborts: the sanitizer is told to abort after its report, too.
    let asan_options = match std::env::var("ASAN_OPTIONS") {
        Ok(options) if !options.is_empty() => format!("{options}:abort_on_error=1"),
        _ => "abort_on_error=1".to_string(),
    };
    let output = std::process::Command::new(exe)
        .env("ASAN_OPTIONS", asan_options)
        .env(CHILD_DIR, path)
        .env(CHILD_FLAGS, flags.to_string())
        .env(CHILD_PROBE, hex(input_probe))
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .expect("the LevelDB child starts");
    if !output.status.success() {
        assert!(
            output.status.code().is_none(),
            "the LevelDB child failed: {}",
            output.status
        );
        return None;
    }
    let text = String::from_utf8(output.stdout).expect("hex lines");
    Some(
        text.lines()
            .map(|line| String::from_utf8(unhex(line)).expect("answers are text"))
            .collect(),
    )
}

/// oxleveldb's deliberate differences on damaged logs (README, "Where oxleveldb is stricter than LevelDB"): a
/// MANIFEST that ends in an edit torn by a crash, and with `paranoid_checks` a log that ends in a torn write, are
/// read up to the torn record, where LevelDB fails the open with `Corruption: checksum mismatch`. Rewrites each
/// such file of `dir` with the records before its torn one (read by oxleveldb's reader, with the same tolerance
/// the engine gives it, and nothing else dropped); says whether any file was rewritten.
fn cut_torn_tails(dir: &Path, paranoid_checks: bool) -> bool {
    struct Damage(std::cell::Cell<bool>);
    impl Reporter for Damage {
        fn corruption(&self, _bytes: usize, _status: &oxleveldb::Error) {
            self.0.set(true);
        }
    }
    let env = default_env();
    let mut cut = false;
    for entry in std::fs::read_dir(dir)
        .expect("the scratch directory")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_manifest = name.starts_with("MANIFEST-");
        let is_paranoid_log = paranoid_checks && name.ends_with(".log");
        if !(is_manifest || is_paranoid_log) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = env.new_sequential_file(&path) else {
            continue;
        };
        let damage = Damage(std::cell::Cell::new(false));
        let reader = Reader::new(file, Some(&damage), true, 0);
        let mut reader = if is_manifest {
            reader.tolerate_torn_last_record()
        } else {
            reader.tolerate_torn_last_write()
        };
        let mut records = Vec::new();
        let mut record = Vec::new();
        while reader.read_record(&mut record) {
            records.push(record.clone());
        }
        if !reader.ends_in_torn_record() || damage.0.get() {
            continue;
        }
        drop(reader);
        let file = env
            .new_writable_file(&path)
            .expect("the scratch directory takes files");
        let mut writer = Writer::new(file);
        for record in &records {
            writer
                .add_record(record)
                .expect("the scratch directory takes files");
        }
        cut = true;
    }
    cut
}

/// Target `recovery_differential`.
pub fn run_differential(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let files = dir_input::decode(rest);
    let options = differential_options(flags);
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
    let leveldb = |path: &Path| {
        if CPP_IN_CHILD.load(Ordering::Relaxed) {
            cpp_answers_in_child(path, flags, &probes[2])
        } else {
            Some(answers(&mut CppEngine::new(), path, &options, &probes))
        }
    };
    // `None`: LevelDB aborted on one of its assertions, it has no answer to compare with.
    let Some(mut theirs) = leveldb(&paths[1]) else {
        return;
    };
    if ours != theirs {
        // Where oxleveldb reads past a torn last record on purpose, LevelDB must answer as oxleveldb did once
        // the torn record is gone.
        let cut = dir.path().join("cut");
        std::fs::create_dir(&cut).expect("a scratch directory");
        for (name, contents) in &files {
            std::fs::write(cut.join(name), contents).expect("the scratch directory takes files");
        }
        if cut_torn_tails(&cut, options.paranoid_checks) {
            let Some(cut_answers) = leveldb(&cut) else {
                return;
            };
            theirs = cut_answers;
        }
    }
    let at = ours.iter().zip(&theirs).position(|(a, b)| a != b);
    assert!(
        at.is_none() && ours.len() == theirs.len(),
        "oxleveldb and LevelDB differ on a damaged directory:\n  oxleveldb: {:?}\n  leveldb:   {:?}",
        at.map(|i| &ours[i]).or(ours.last()),
        at.map(|i| &theirs[i]).or(theirs.last()),
    );
}
