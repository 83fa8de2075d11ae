//! Opens a database, writes to it (single puts, a batch, a delete), reads keys back, scans it forwards and
//! backwards, reads through a snapshot, and prints a few properties.
//!
//! Usage: `cargo run --release --example basic [DIR]` (a fresh temporary directory by default).

use std::path::PathBuf;

use oxleveldb::{destroy_db, Options, ReadOptions, WriteBatch, DB};

/// A value as text, or `(none)`.
fn show(value: Option<Vec<u8>>) -> String {
    value.map_or("(none)".to_string(), |v| {
        String::from_utf8_lossy(&v).into_owned()
    })
}

fn main() -> oxleveldb::Result<()> {
    let path = match std::env::args().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir().join(format!("oxleveldb-basic-{}", std::process::id())),
    };
    let options = Options {
        create_if_missing: true,
        ..Options::default()
    };
    let db = DB::open(options.clone(), &path)?;

    // Writes: single puts, then an atomic batch that moves a value from one key to another.
    for i in 0..1000u32 {
        db.put(format!("key{i:04}"), format!("value{i}"))?;
    }
    let mut batch = WriteBatch::new();
    batch.delete(b"key0001");
    batch.put(b"moved", b"value1");
    db.write(&batch)?;
    db.delete(b"key0002")?;

    // Reads.
    println!("key0000 => {}", show(db.get(b"key0000")?));
    println!("key0001 => {} (moved)", show(db.get(b"key0001")?));
    println!("moved   => {}", show(db.get(b"moved")?));

    // A snapshot keeps seeing the database as it was.
    let snapshot = db.get_snapshot();
    db.put(b"key0000", b"changed")?;
    let at_snapshot = ReadOptions {
        snapshot: Some(snapshot),
        ..ReadOptions::default()
    };
    println!(
        "key0000 now {}, at the snapshot {}",
        show(db.get(b"key0000")?),
        show(db.get_opt(b"key0000", &at_snapshot)?)
    );

    // Scans: the first three entries from "key0998" on (std iteration over a range), then the last three
    // backwards (the LevelDB cursor).
    for entry in db.range("key0998"..).take(3) {
        let (key, value) = entry?;
        println!(
            "scan: {} => {}",
            String::from_utf8_lossy(&key),
            String::from_utf8_lossy(&value)
        );
    }
    let mut iter = db.new_iterator();
    iter.seek_to_last();
    for _ in 0..3 {
        println!("reverse: {}", String::from_utf8_lossy(iter.key()));
        iter.prev();
    }
    drop(iter);
    let count = db.iter().count();
    println!("{count} entries");

    // Flush and compact everything, then look at the files.
    db.compact_range(None, None)?;
    println!(
        "{}",
        db.get_property("leveldb.sstables").unwrap_or_default()
    );
    drop(db);

    if std::env::args().nth(1).is_none() {
        destroy_db(&path, &options)?;
    }
    Ok(())
}
