//! Gives the C library (the cdylib, built with the feature `capi`) its SONAME, `liboxleveldb.so.1`, as LevelDB's
//! is `libleveldb.so.1`: a program linked against it records that name, not the path it was linked from, and
//! finds the library through its run path from any working directory.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liboxleveldb.so.1");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
