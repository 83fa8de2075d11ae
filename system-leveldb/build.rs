//! Compiles src/options_shim.cc (the setters leveldb/c.h lacks) into a static library with the system's C++
//! compiler, which the system LevelDB needs anyway (libstdc++). No build crate: one file, two commands.

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
    let object = out.join("options_shim.o");
    let compiler = env::var_os("CXX").unwrap_or_else(|| "c++".into());
    run(Command::new(compiler)
        .args(["-c", "-O2", "-fPIC", "src/options_shim.cc", "-o"])
        .arg(&object));
    run(
        Command::new(env::var_os("AR").unwrap_or_else(|| "ar".into()))
            .arg("crs")
            .arg(out.join("libsystem_leveldb_shim.a"))
            .arg(&object),
    );
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rerun-if-changed=src/options_shim.cc");
    println!("cargo:rerun-if-env-changed=CXX");
}
