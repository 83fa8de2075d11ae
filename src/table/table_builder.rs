//! `TableBuilder`: writes a sorted sequence of entries as a table file, byte for byte as LevelDB does.
//!
//! Entries go into a data block until its estimated size reaches `block_size`; the block is then written
//! (snappy-compressed if that saves more than 12.5%) with its 5-byte trailer. The index entry of a block is
//! written only when the next block's first key is known, so that its key can be a short separator between the
//! two blocks (`find_shortest_separator`); the last block's key is a short successor of its last key. `finish`
//! writes the filter block (raw), the metaindex block, the index block (restart interval 1) and the footer.
//!
//! Invariants: `pending_index_entry` is true only while the data block is empty; after the first error every
//! call does nothing and `status` keeps that error. The builder never closes its file: the caller syncs and
//! closes it (through [`TableBuilder::file`]) after `finish`.
//!
//! LevelDB: table/table_builder.cc

use std::cmp::Ordering;

use crate::env::WritableFile;
use crate::error::{Error, Result};
use crate::options::{CompressionType, Options};
use crate::table::block_builder::BlockBuilder;
use crate::table::filter_block::FilterBlockBuilder;
use crate::table::format::{snappy_compress, BlockHandle, Footer, BLOCK_TRAILER_SIZE};
use crate::util::coding::encode_fixed32;
use crate::util::crc;

/// The file being written: where the next block goes, and the first error met.
struct TableFile {
    file: Box<dyn WritableFile>,
    offset: u64,
    status: Result<()>,
    /// Scratch space for compressed blocks, reused from block to block.
    compressed_output: Vec<u8>,
}

impl TableFile {
    fn ok(&self) -> bool {
        self.status.is_ok()
    }

    /// Finishes `block`, writes it (compressed when that pays) and resets it for the next block.
    ///
    /// LevelDB: TableBuilder::WriteBlock
    fn write_block(
        &mut self,
        block: &mut BlockBuilder,
        compression: CompressionType,
    ) -> BlockHandle {
        // File format contains a sequence of blocks where each block has:
        //    block_data: uint8[n]
        //    type: uint8
        //    crc: uint32
        debug_assert!(self.ok());
        let raw = block.finish();
        let mut compressed = std::mem::take(&mut self.compressed_output);
        let handle = match compression {
            CompressionType::SnappyCompression
                if snappy_compress(raw, &mut compressed)
                    && compressed.len() < raw.len() - raw.len() / 8 =>
            {
                self.write_raw_block(&compressed, CompressionType::SnappyCompression)
            }
            // No compression asked, snappy not supported, or compressed less than 12.5%: store uncompressed form.
            _ => self.write_raw_block(raw, CompressionType::NoCompression),
        };
        compressed.clear();
        self.compressed_output = compressed;
        block.reset();
        handle
    }

    /// Appends `contents` and its trailer (type and masked CRC of both) and returns where they went.
    ///
    /// LevelDB: TableBuilder::WriteRawBlock
    fn write_raw_block(&mut self, contents: &[u8], compression: CompressionType) -> BlockHandle {
        let handle = BlockHandle::new(self.offset, contents.len() as u64);
        self.status = self.file.append(contents);
        if self.ok() {
            let mut trailer = [0u8; BLOCK_TRAILER_SIZE];
            trailer[0] = compression as u8;
            // Extend crc to cover block type.
            let crc = crc::extend(crc::value(contents), &trailer[..1]);
            encode_fixed32(&mut trailer[1..], crc::mask(crc));
            self.status = self.file.append(&trailer);
            if self.ok() {
                self.offset += (contents.len() + BLOCK_TRAILER_SIZE) as u64;
            }
        }
        handle
    }
}

/// LevelDB: TableBuilder
pub struct TableBuilder {
    options: Options,
    out: TableFile,
    data_block: BlockBuilder,
    index_block: BlockBuilder,
    last_key: Vec<u8>,
    num_entries: u64,
    /// Either finish() or abandon() has been called.
    closed: bool,
    filter_block: Option<FilterBlockBuilder>,
    /// We do not emit the index entry for a block until we have seen the first key for the next data block. This
    /// allows us to use shorter keys in the index block. For example, consider a block boundary between the keys
    /// "the quick brown fox" and "the who". We can use "the r" as the key for the index block entry since it is
    /// >= all entries in the first block and < all entries in subsequent blocks.
    pending_index_entry: bool,
    /// Handle to add to index block.
    pending_handle: BlockHandle,
    /// Scratch space for the encoding of `pending_handle`, reused.
    handle_encoding: Vec<u8>,
}

impl TableBuilder {
    /// A builder that writes a table to `file`, from its current position on.
    ///
    /// LevelDB: TableBuilder::TableBuilder
    pub fn new(options: &Options, file: Box<dyn WritableFile>) -> TableBuilder {
        let mut filter_block = options.filter_policy.clone().map(FilterBlockBuilder::new);
        if let Some(filter_block) = &mut filter_block {
            filter_block.start_block(0);
        }
        TableBuilder {
            options: options.clone(),
            out: TableFile {
                file,
                offset: 0,
                status: Ok(()),
                compressed_output: Vec::new(),
            },
            data_block: BlockBuilder::new(
                options.comparator.clone(),
                options.block_restart_interval,
            ),
            index_block: BlockBuilder::new(options.comparator.clone(), 1),
            last_key: Vec::new(),
            num_entries: 0,
            closed: false,
            filter_block,
            pending_index_entry: false,
            pending_handle: BlockHandle::default(),
            handle_encoding: Vec::new(),
        }
    }

    /// Changes the options used by this builder. Only some fields may change after construction; the
    /// comparator may not.
    ///
    /// LevelDB: TableBuilder::ChangeOptions
    pub fn change_options(&mut self, options: &Options) -> Result<()> {
        // Note: if more fields are added to Options, update this function to catch changes that should not be
        // allowed to change in the middle of building a Table.
        if options.comparator.name() != self.options.comparator.name() {
            return Err(Error::invalid_argument(
                "changing comparator while building table",
                "",
            ));
        }
        self.options = options.clone();
        // LevelDB's data block reads the interval through the options; the index block keeps interval 1.
        self.data_block
            .set_block_restart_interval(options.block_restart_interval);
        Ok(())
    }

    /// Adds `key → value`. Requires: `key` is after any previously added key in comparator order, and neither
    /// `finish` nor `abandon` has been called.
    ///
    /// LevelDB: TableBuilder::Add
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        debug_assert!(!self.closed);
        if !self.out.ok() {
            return;
        }
        debug_assert!(
            self.num_entries == 0
                || self.options.comparator.compare(key, &self.last_key) == Ordering::Greater
        );

        if self.pending_index_entry {
            debug_assert!(self.data_block.is_empty());
            self.options
                .comparator
                .find_shortest_separator(&mut self.last_key, key);
            self.add_pending_index_entry();
        }

        if let Some(filter_block) = &mut self.filter_block {
            filter_block.add_key(key);
        }

        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.num_entries += 1;
        self.data_block.add(key, value);

        if self.data_block.current_size_estimate() >= self.options.block_size {
            self.flush();
        }
    }

    /// Adds the index entry `last_key → pending_handle` for the block written last.
    fn add_pending_index_entry(&mut self) {
        self.handle_encoding.clear();
        self.pending_handle.encode_to(&mut self.handle_encoding);
        self.index_block.add(&self.last_key, &self.handle_encoding);
        self.pending_index_entry = false;
    }

    /// Writes any buffered entries as a data block. Mostly for internal use; it makes the next entry start a new
    /// block.
    ///
    /// LevelDB: TableBuilder::Flush
    pub fn flush(&mut self) {
        debug_assert!(!self.closed);
        if !self.out.ok() || self.data_block.is_empty() {
            return;
        }
        debug_assert!(!self.pending_index_entry);
        self.pending_handle = self
            .out
            .write_block(&mut self.data_block, self.options.compression);
        if self.out.ok() {
            self.pending_index_entry = true;
            self.out.status = self.out.file.flush();
        }
        if let Some(filter_block) = &mut self.filter_block {
            filter_block.start_block(self.out.offset);
        }
    }

    /// The first error met, if any.
    ///
    /// LevelDB: TableBuilder::status
    pub fn status(&self) -> Result<()> {
        self.out.status.clone()
    }

    /// Writes the rest of the table: the last data block, the filter, metaindex and index blocks, and the
    /// footer. The builder must not be used afterwards (but see [`TableBuilder::file`]).
    ///
    /// LevelDB: TableBuilder::Finish
    pub fn finish(&mut self) -> Result<()> {
        self.flush();
        debug_assert!(!self.closed);
        self.closed = true;

        // Write filter block.
        let mut filter_block_handle = BlockHandle::default();
        if let Some(filter_block) = &mut self.filter_block {
            if self.out.ok() {
                filter_block_handle = self
                    .out
                    .write_raw_block(filter_block.finish(), CompressionType::NoCompression);
            }
        }

        // Write metaindex block.
        let mut metaindex_block_handle = BlockHandle::default();
        if self.out.ok() {
            let mut meta_index_block = BlockBuilder::new(
                self.options.comparator.clone(),
                self.options.block_restart_interval,
            );
            if let Some(filter_block) = &self.filter_block {
                // Add mapping from "filter.Name" to location of filter data. The name is that of the policy that
                // made the filter (LevelDB takes the options' policy, which change_options could have replaced).
                let key = format!("filter.{}", filter_block.policy().name());
                self.handle_encoding.clear();
                filter_block_handle.encode_to(&mut self.handle_encoding);
                meta_index_block.add(key.as_bytes(), &self.handle_encoding);
            }
            metaindex_block_handle = self
                .out
                .write_block(&mut meta_index_block, self.options.compression);
        }

        // Write index block.
        let mut index_block_handle = BlockHandle::default();
        if self.out.ok() {
            if self.pending_index_entry {
                self.options
                    .comparator
                    .find_short_successor(&mut self.last_key);
                self.add_pending_index_entry();
            }
            index_block_handle = self
                .out
                .write_block(&mut self.index_block, self.options.compression);
        }

        // Write footer.
        if self.out.ok() {
            let footer = Footer {
                metaindex_handle: metaindex_block_handle,
                index_handle: index_block_handle,
            };
            let mut footer_encoding = Vec::with_capacity(Footer::ENCODED_LENGTH);
            footer.encode_to(&mut footer_encoding);
            self.out.status = self.out.file.append(&footer_encoding);
            if self.out.ok() {
                self.out.offset += footer_encoding.len() as u64;
            }
        }
        self.status()
    }

    /// Stops building: the file's contents are left as they are, to be deleted by the caller.
    ///
    /// LevelDB: TableBuilder::Abandon
    pub fn abandon(&mut self) {
        debug_assert!(!self.closed);
        self.closed = true;
    }

    /// The number of calls to `add` so far.
    ///
    /// LevelDB: TableBuilder::NumEntries
    pub fn num_entries(&self) -> u64 {
        self.num_entries
    }

    /// The size of the file written so far; after a successful `finish`, the size of the table.
    ///
    /// LevelDB: TableBuilder::FileSize
    pub fn file_size(&self) -> u64 {
        self.out.offset
    }

    /// The file being written, for the caller to sync and close after `finish` (the builder never does).
    pub fn file(&mut self) -> &mut dyn WritableFile {
        &mut *self.out.file
    }
}

impl Drop for TableBuilder {
    fn drop(&mut self) {
        // Catch errors where caller forgot to call finish() or abandon() (but do not turn a panic into an abort).
        debug_assert!(self.closed || std::thread::panicking());
    }
}
