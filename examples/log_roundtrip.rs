//! Writes a few write batches to a LevelDB log file and reads them back, printing each record in the shape of
//! `leveldbutil dump` (long values are cut short here).
//!
//! Usage: `cargo run --example log_roundtrip [DIR]` (a temporary directory by default).

use std::path::PathBuf;

use oxleveldb::db::write_batch::{Handler, WriteBatch};
use oxleveldb::env::default_env;
use oxleveldb::log::{Reader, Writer};
use oxleveldb::util::logging::escape_string;

struct Printer;

impl Handler for Printer {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        let shown = escape_string(&value[..value.len().min(40)]);
        let more = if value.len() > 40 {
            format!("... ({} bytes)", value.len())
        } else {
            String::new()
        };
        println!("  put '{}' '{}'{more}", escape_string(key), shown);
    }
    fn delete(&mut self, key: &[u8]) {
        println!("  del '{}'", escape_string(key));
    }
}

fn main() -> oxleveldb::Result<()> {
    let env = default_env();
    let dir = match std::env::args().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => env.get_test_directory()?,
    };
    let path = dir.join("000003.log");

    // Three batches, the last one large enough to span two 32 KiB blocks.
    let mut writer = Writer::new(env.new_writable_file(&path)?);
    let mut sequence = 1;
    for i in 0..3u32 {
        let mut batch = WriteBatch::new();
        batch.put(format!("key{i}").as_bytes(), format!("value{i}").as_bytes());
        if i == 1 {
            batch.delete(b"key0");
        }
        if i == 2 {
            batch.put(b"big", vec![b'x'; 40000]);
        }
        batch.set_sequence(sequence);
        sequence += u64::from(batch.count());
        writer.add_record(batch.contents())?;
    }
    writer.file().sync()?;
    drop(writer);

    let mut reader = Reader::new(env.new_sequential_file(&path)?, None, true, 0);
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        let batch = WriteBatch::from_contents(&record)?;
        println!(
            "--- offset {}; sequence {}",
            reader.last_record_offset(),
            batch.sequence()
        );
        batch.iterate(&mut Printer)?;
    }
    println!(
        "{} bytes written to {}",
        env.get_file_size(&path)?,
        path.display()
    );
    Ok(())
}
