//! Compiles the C++ shim (src/options_shim.cc: the setters leveldb/c.h lacks; src/recording_env.cc: an Env that
//! records every file-system operation; src/cpp_db.cc: LevelDB's C++ API as db_bench calls it) into a static
//! library with the system's C++ compiler, which the system LevelDB needs anyway (libstdc++). No build crate:
//! three files, four commands. Optimized as LevelDB's own db_bench is (-O2 -DNDEBUG).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let compiler = env::var_os("CXX").unwrap_or_else(|| "c++".into());
    let mut archive = Command::new(env::var_os("AR").unwrap_or_else(|| "ar".into()));
    archive.arg("crs").arg(out.join("libsystem_leveldb_shim.a"));
    for source in ["options_shim", "recording_env", "cpp_db"] {
        let object = out.join(format!("{source}.o"));
        run(Command::new(&compiler)
            // Without RTTI, as LevelDB is built: a subclass of its EnvWrapper needs no typeinfo it lacks.
            .args(["-c", "-O2", "-DNDEBUG", "-fPIC", "-std=c++17", "-fno-rtti"])
            .arg(format!("src/{source}.cc"))
            .arg("-o")
            .arg(&object));
        archive.arg(&object);
        println!("cargo:rerun-if-changed=src/{source}.cc");
    }
    // A fresh archive: `ar crs` would keep members of an earlier build.
    let _ = std::fs::remove_file(out.join("libsystem_leveldb_shim.a"));
    run(&mut archive);
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rerun-if-env-changed=CXX");
}
