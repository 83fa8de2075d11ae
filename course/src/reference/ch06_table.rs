//! Chapter 6, the reference: the engine's `TableBuilder`, its footer, and its internal key comparator's
//! separators.

use std::path::Path;

use oxleveldb::db::dbformat::InternalKeyComparator;
use oxleveldb::env::{read_file_to_string, Env, MemEnv};
use oxleveldb::table::format::{self, Footer};
use oxleveldb::{bytewise_comparator, Comparator};

pub use crate::fixtures::TableOptions;
use crate::fixtures::engine_options;

pub const TABLE_MAGIC_NUMBER: u64 = format::TABLE_MAGIC_NUMBER;
pub const FOOTER_LENGTH: usize = Footer::ENCODED_LENGTH;
pub const MAX_SEQUENCE_NUMBER: u64 = oxleveldb::db::dbformat::MAX_SEQUENCE_NUMBER;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockHandle {
    pub offset: u64,
    pub size: u64,
}

impl BlockHandle {
    fn engine(self) -> format::BlockHandle {
        format::BlockHandle::new(self.offset, self.size)
    }

    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        self.engine().encode_to(dst)
    }
}

fn icmp() -> InternalKeyComparator {
    InternalKeyComparator::new(bytewise_comparator())
}

pub fn find_shortest_separator(start: &[u8], limit: &[u8]) -> Vec<u8> {
    let mut start = start.to_vec();
    icmp().find_shortest_separator(&mut start, limit);
    start
}

pub fn find_short_successor(key: &[u8]) -> Vec<u8> {
    let mut key = key.to_vec();
    icmp().find_short_successor(&mut key);
    key
}

pub fn encode_footer(metaindex: BlockHandle, index: BlockHandle) -> Vec<u8> {
    let mut dst = Vec::new();
    Footer {
        metaindex_handle: metaindex.engine(),
        index_handle: index.engine(),
    }
    .encode_to(&mut dst);
    dst
}

/// The engine's table builder, writing to a file of an in-memory env.
pub struct TableBuilder {
    env: MemEnv,
    builder: oxleveldb::table::TableBuilder,
}

const PATH: &str = "/000001.ldb";

impl TableBuilder {
    pub fn new(options: TableOptions) -> TableBuilder {
        let env = MemEnv::default();
        let file = env.new_writable_file(Path::new(PATH)).expect("a file in memory");
        TableBuilder {
            builder: oxleveldb::table::TableBuilder::new(&engine_options(&options), file),
            env,
        }
    }

    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        self.builder.add(key, value)
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.builder.finish().expect("memory does not fail");
        drop(self.builder);
        read_file_to_string(&self.env, Path::new(PATH)).expect("the table just written")
    }
}
