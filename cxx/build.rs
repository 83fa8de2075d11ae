//! Builds libleveldb.so's C++ layer (src/cc) with the system's C++ compiler against LevelDB 1.23's public headers
//! as Debian ships them (libleveldb-dev, in the system include path: nothing of them is copied here), links it
//! whole into the library, and gives the library LevelDB's SONAME and exports.
//!
//! Exports: rustc hides every symbol it did not define (its version script ends in `local: *`); exports.map
//! adds LevelDB's C++ symbols. Two anonymous version scripts are merged by LLD (GNU ld refuses them), so the
//! library is linked with the LLD that rustc ships (`-fuse-ld=lld` with its `gcc-ld` folder, rustc's default on
//! x86_64 Linux since 1.90, made explicit for older ones).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// The folder of rustc's `ld.lld` wrapper for the C compiler (`<sysroot>/lib/rustlib/<host>/bin/gcc-ld`).
fn rustc_gcc_ld() -> Option<PathBuf> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    let host = env::var("HOST").ok()?;
    let dir = sysroot.join("lib/rustlib").join(host).join("bin/gcc-ld");
    dir.join("ld.lld").exists().then_some(dir)
}

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let compiler = env::var_os("CXX").unwrap_or_else(|| "c++".into());
    assert!(
        Path::new("/usr/include/leveldb/db.h").exists() || env::var_os("CXXFLAGS").is_some(),
        "LevelDB 1.23's headers are needed (apt-get install libleveldb-dev)"
    );
    // Every C++ file of src/cc, in a stable order.
    let mut sources: Vec<String> = std::fs::read_dir(manifest.join("src/cc"))
        .expect("src/cc exists")
        .map(|entry| {
            entry
                .expect("src/cc is readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".cc"))
        .collect();
    sources.sort();
    let mut objects = Vec::new();
    for source in &sources {
        let object = out.join(source.replace(".cc", ".o"));
        run(Command::new(&compiler)
            .args(["-c", "-std=c++17", "-O2", "-fPIC", "-Wall", "-Wextra"])
            .args(env::var("CXXFLAGS").unwrap_or_default().split_whitespace())
            .arg(manifest.join("src/cc").join(source))
            .arg("-o")
            .arg(&object));
        objects.push(object);
    }
    // A fresh archive: `ar` adds to an existing one, which would keep the object of a removed file.
    let archive = out.join("liboxleveldb_cxx_layer.a");
    let _ = std::fs::remove_file(&archive);
    run(
        Command::new(env::var_os("AR").unwrap_or_else(|| "ar".into()))
            .arg("crs")
            .arg(&archive)
            .args(&objects),
    );
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=oxleveldb_cxx_layer");
    println!("cargo:rustc-link-lib=dylib=stdc++");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libleveldb.so.1");
    // A function of the seam declared on one side and defined on neither is an error here, not at load time.
    println!("cargo:rustc-cdylib-link-arg=-Wl,--no-undefined");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        manifest.join("exports.map").display()
    );
    if let Some(gcc_ld) = rustc_gcc_ld() {
        println!("cargo:rustc-cdylib-link-arg=-B{}", gcc_ld.display());
        println!("cargo:rustc-cdylib-link-arg=-fuse-ld=lld");
    }
    println!("cargo:rerun-if-changed=src/cc");
    println!("cargo:rerun-if-changed=exports.map");
    println!("cargo:rerun-if-env-changed=CXX");
    println!("cargo:rerun-if-env-changed=CXXFLAGS");
}
