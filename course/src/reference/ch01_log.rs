//! Chapter 1, the reference: the engine's coding functions and its `log::Writer`.

use std::path::Path;

use oxleveldb::env::{read_file_to_string, Env, MemEnv};
use oxleveldb::log::Writer;
use oxleveldb::util::{coding, crc};

pub const BLOCK_SIZE: usize = oxleveldb::log::BLOCK_SIZE;
pub const HEADER_SIZE: usize = oxleveldb::log::HEADER_SIZE;

/// LevelDB: log::RecordType
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordType {
    Full = 1,
    First = 2,
    Middle = 3,
    Last = 4,
}

pub fn put_fixed32(dst: &mut Vec<u8>, value: u32) {
    coding::put_fixed32(dst, value)
}

pub fn put_fixed64(dst: &mut Vec<u8>, value: u64) {
    coding::put_fixed64(dst, value)
}

pub fn put_varint64(dst: &mut Vec<u8>, value: u64) {
    coding::put_varint64(dst, value)
}

pub fn put_varint32(dst: &mut Vec<u8>, value: u32) {
    coding::put_varint32(dst, value)
}

pub fn get_varint64(input: &mut &[u8]) -> Option<u64> {
    coding::get_varint64(input)
}

pub fn get_varint32(input: &mut &[u8]) -> Option<u32> {
    coding::get_varint32(input)
}

pub fn mask_crc(crc: u32) -> u32 {
    crc::mask(crc)
}

/// The header the engine's log writer writes for a record of one fragment of this type: the first 7 bytes of a
/// log holding `fragment` alone, with the type byte and the crc taken for `record_type`.
pub fn record_header(record_type: RecordType, fragment: &[u8]) -> [u8; HEADER_SIZE] {
    let crc = crc::mask(crc::extend(crc::value(&[record_type as u8]), fragment));
    let mut header = [0u8; HEADER_SIZE];
    coding::encode_fixed32(&mut header, crc);
    header[4..6].copy_from_slice(&(fragment.len() as u16).to_le_bytes());
    header[6] = record_type as u8;
    header
}

/// The engine's log writer, writing to a file of an in-memory env.
pub struct LogWriter {
    env: MemEnv,
    writer: Writer,
}

impl Default for LogWriter {
    fn default() -> Self {
        LogWriter::new()
    }
}

const PATH: &str = "/course.log";

impl LogWriter {
    pub fn new() -> LogWriter {
        let env = MemEnv::default();
        let file = env.new_writable_file(Path::new(PATH)).expect("a file in memory");
        LogWriter {
            writer: Writer::new(file),
            env,
        }
    }

    pub fn add_record(&mut self, record: &[u8]) {
        self.writer.add_record(record).expect("memory does not fail");
    }

    pub fn into_bytes(self) -> Vec<u8> {
        read_file_to_string(&self.env, Path::new(PATH)).expect("the log just written")
    }
}
