//! The database commands that maintain a database as a whole: `compact`, `repair`, `destroy`,
//! `checkconsistency`.
//!
//! RocksDB: CompactorCommand, RepairCommand, CheckConsistencyCommand (`destroy` is LevelDB's DestroyDB)

use oxleveldb::{destroy_db, repair_db, Options, ReadOptions};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{db_path, key_option, open_db};

/// `compact [--from] [--to]`: compacts the key range `[from, to]` (all keys without the flags); prints nothing.
///
/// RocksDB: CompactorCommand::DoCommand
pub fn compact(args: &Args, _out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let from = key_option(args, "from")?;
    let to = key_option(args, "to")?;
    let db = open_db(args, Options::default())?;
    Ok(db.compact_range(from.as_deref(), to.as_deref())?)
}

/// `repair`: LevelDB's RepairDB; prints `OK`.
///
/// RocksDB: RepairCommand::DoCommand
pub fn repair(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    repair_db(db_path(args)?, &Options::default())?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `destroy`: LevelDB's DestroyDB (every database file, then the directory if it is empty); prints `OK`.
///
/// LevelDB: DestroyDB
pub fn destroy(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    destroy_db(db_path(args)?, &Options::default())?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `checkconsistency`: opens the database with paranoid checks (every file the MANIFEST lists must be there),
/// then reads every entry with block checksums verified; prints `OK`.
///
/// RocksDB: CheckConsistencyCommand::DoCommand
pub fn checkconsistency(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let options = Options {
        paranoid_checks: true,
        ..Options::default()
    };
    let db = open_db(args, options)?;
    let mut iter = db.new_iterator(&ReadOptions {
        verify_checksums: true,
        fill_cache: false,
        ..ReadOptions::default()
    });
    iter.seek_to_first();
    while iter.valid() {
        iter.next();
    }
    iter.status()?;
    out.write_all(b"OK\n")?;
    Ok(())
}
