//! The database commands that maintain a database as a whole: `compact`, `repair`, `destroy`,
//! `checkconsistency`. `compact` and `repair` show their progress (see `progress`); `checkconsistency` only reads,
//! so it opens the database read-only and changes nothing.
//!
//! RocksDB: CompactorCommand, RepairCommand, CheckConsistencyCommand (`destroy` is LevelDB's DestroyDB)

use oxleveldb::{destroy_db, repair_db, Options, ReadOptions};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{db_path, key_option, lock_db, open_db, open_db_read_only};
use crate::progress::Progress;
use crate::progress_env::watched;

/// `compact [--from] [--to]`: compacts the key range `[from, to]` (all keys without the flags); prints nothing
/// on stdout, and its progress (the level, the bytes read) on stderr.
///
/// RocksDB: CompactorCommand::DoCommand
pub fn compact(args: &Args, _out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let from = key_option(args, "from")?;
    let to = key_option(args, "to")?;
    let progress = Progress::start("compact", false);
    let db = open_db(args, watched(Options::default(), &progress))?;
    Ok(db.compact_range(from.as_deref(), to.as_deref())?)
}

/// `repair`: LevelDB's RepairDB; prints `OK`, and its progress (the entries found, the bytes read) on stderr.
/// LevelDB's RepairDB takes no lock, and would rewrite the MANIFEST under a process that has the database open;
/// the tool holds the LOCK while it repairs, so it refuses such a database instead.
///
/// RocksDB: RepairCommand::DoCommand
pub fn repair(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let path = db_path(args)?;
    let lock = lock_db(&path)?;
    let progress = Progress::start("repair", true);
    repair_db(&path, &watched(Options::default(), &progress))?;
    drop(progress);
    drop(lock);
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

/// `checkconsistency`: opens the database read-only with paranoid checks (every file the MANIFEST lists must be
/// there, and the logs must replay without a loss), then reads every entry with block checksums verified; prints
/// `OK`.
///
/// RocksDB: CheckConsistencyCommand::DoCommand
pub fn checkconsistency(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let options = Options {
        paranoid_checks: true,
        ..Options::default()
    };
    let db = open_db_read_only(args, options)?;
    let mut iter = db.new_iterator_opt(&ReadOptions {
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
