//! The options a differential run opens both engines with: LevelDB's `Options` fields that change what the
//! engines do, as plain data that the operation log prints on its `options` line (`name=value` pairs) and that each
//! engine turns into its own options.
//!
//! Invariant: every field is printed, always in the same order, so `parse(print(o)) == o` and the text is canonical.

use std::fmt;

/// The options of one run (`create_if_missing` is always on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbOptions {
    /// `Options::paranoid_checks`.
    pub paranoid_checks: bool,
    /// `Options::write_buffer_size` (LevelDB clips it to at least 64 KiB).
    pub write_buffer_size: usize,
    /// `Options::max_open_files` (sizes the table cache; clipped to at least 74).
    pub max_open_files: usize,
    /// The block cache's capacity in bytes; `None` leaves LevelDB's own 8 MiB cache.
    pub block_cache: Option<usize>,
    /// `Options::block_size` (clipped to 1 KiB..4 MiB).
    pub block_size: usize,
    /// `Options::block_restart_interval` (at least 1).
    pub block_restart_interval: usize,
    /// `Options::max_file_size` (clipped to 1 MiB..1 GiB).
    pub max_file_size: usize,
    /// Snappy (LevelDB's default) or no compression.
    pub snappy: bool,
    /// Bits per key of the built-in bloom filter, or no filter.
    pub bloom_bits: Option<usize>,
    /// `Options::reuse_logs`.
    pub reuse_logs: bool,
}

impl Default for DbOptions {
    /// LevelDB's defaults.
    fn default() -> DbOptions {
        DbOptions {
            paranoid_checks: false,
            write_buffer_size: 4 << 20,
            max_open_files: 1000,
            block_cache: None,
            block_size: 4096,
            block_restart_interval: 16,
            max_file_size: 2 << 20,
            snappy: true,
            bloom_bits: None,
            reuse_logs: false,
        }
    }
}

impl fmt::Display for DbOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let optional = |v: Option<usize>| v.map_or("none".to_string(), |v| v.to_string());
        write!(
            f,
            "write_buffer_size={} max_open_files={} block_cache={} block_size={} block_restart_interval={} \
             max_file_size={} compression={} bloom_bits={} paranoid_checks={} reuse_logs={}",
            self.write_buffer_size,
            self.max_open_files,
            optional(self.block_cache),
            self.block_size,
            self.block_restart_interval,
            self.max_file_size,
            if self.snappy { "snappy" } else { "none" },
            optional(self.bloom_bits),
            self.paranoid_checks,
            self.reuse_logs
        )
    }
}

impl DbOptions {
    /// Applies `name=value` pairs (as printed, in any order, any subset) over `self`.
    pub fn apply<'a>(&mut self, pairs: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
        for pair in pairs {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("expected name=value, found {pair}"))?;
            let number = || {
                value
                    .parse::<usize>()
                    .map_err(|_| format!("{name} needs a number, found {value}"))
            };
            let optional = || match value {
                "none" => Ok(None),
                _ => number().map(Some),
            };
            let flag = || match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!("{name} needs true or false, found {value}")),
            };
            match name {
                "write_buffer_size" => self.write_buffer_size = number()?,
                "max_open_files" => self.max_open_files = number()?,
                "block_cache" => self.block_cache = optional()?,
                "block_size" => self.block_size = number()?,
                "block_restart_interval" => {
                    self.block_restart_interval = number()?;
                    if self.block_restart_interval == 0 {
                        // LevelDB asserts on it (BlockBuilder).
                        return Err("block_restart_interval must be at least 1".to_string());
                    }
                }
                "max_file_size" => self.max_file_size = number()?,
                "compression" => {
                    self.snappy = match value {
                        "snappy" => true,
                        "none" => false,
                        _ => return Err(format!("compression is snappy or none, found {value}")),
                    }
                }
                "bloom_bits" => self.bloom_bits = optional()?,
                "paranoid_checks" => self.paranoid_checks = flag()?,
                "reuse_logs" => self.reuse_logs = flag()?,
                _ => return Err(format!("unknown option {name}")),
            }
        }
        Ok(())
    }

    /// Parses a whole `name=value ...` text over LevelDB's defaults.
    pub fn parse(text: &str) -> Result<DbOptions, String> {
        let mut options = DbOptions::default();
        options.apply(text.split_whitespace())?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_round_trip() {
        let options = DbOptions {
            block_cache: Some(0),
            bloom_bits: Some(7),
            reuse_logs: true,
            snappy: false,
            ..DbOptions::default()
        };
        assert_eq!(DbOptions::parse(&options.to_string()).unwrap(), options);
        assert!(DbOptions::parse("block_restart_interval=0").is_err());
        assert!(DbOptions::parse("colour=blue").is_err());
    }
}
