//! The commands oxldb knows: their names, what they accept, their help, and how they fail.
//!
//! Invariant: `COMMANDS` is the single list the dispatcher, the usage and the help read, so a command cannot be
//! callable without being documented, or accept a flag its help does not show.

use std::io::{self, Write};

use crate::args::Args;
use crate::{
    crash_explore, db_admin, db_read, db_write, diff, dump, dump_wal, levels, manifest_dump,
    sst_dump, sst_layout, trace,
};

/// How a command fails, which decides what is printed and the exit status.
pub enum Failure {
    /// A bad command line: one line of error and the usage on stderr, exit status 2.
    Usage(String),
    /// The operation failed (a database error prints LevelDB's `Status::ToString` text): the message on stderr,
    /// exit status 1.
    Failed(String),
    /// The output already says what went wrong (`Key not found`, a dump's per-file errors): exit status 1.
    Quiet,
}

/// What follows LevelDB's error when the database's LOCK is taken.
pub const LOCK_HINT: &str = "oxldb: another process has the database open (or it is open in this one); \
                             read commands (get, scan, idump, approxsize, get_property, checkconsistency) \
                             don't need the lock";

/// True if `e` is the refusal of a database's LOCK, held by another process or handle (`IO error: lock
/// <dir>/LOCK: ...`), not a failure to create the file.
///
/// LevelDB: PosixEnv::LockFile
pub fn is_lock_held(e: &oxleveldb::Error) -> bool {
    e.is_io_error() && e.message().starts_with("lock ") && e.message().contains("LOCK: ")
}

impl From<oxleveldb::Error> for Failure {
    /// LevelDB's text; a LOCK held elsewhere is explained on a second line.
    fn from(e: oxleveldb::Error) -> Failure {
        if is_lock_held(&e) {
            Failure::Failed(format!("{e}\n{LOCK_HINT}"))
        } else {
            Failure::Failed(e.to_string())
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            // The reader went away (`oxldb scan | head`): nothing more to say.
            Failure::Quiet
        } else {
            Failure::Failed(format!("oxldb: {e}"))
        }
    }
}

/// Where a command prints (stdout; `Send` because a dump hands it to the library as a `WritableFile`).
pub type Output = dyn Write + Send;

/// A command of oxldb.
pub struct Command {
    pub name: &'static str,
    /// Its arguments, as its usage line shows them.
    pub synopsis: &'static str,
    /// What it does and prints, for `--help`.
    pub help: &'static str,
    /// The `--name=value` options it accepts.
    pub options: &'static [&'static str],
    /// The `--name` flags it accepts (besides `--help`).
    pub flags: &'static [&'static str],
    pub run: fn(&Args, &mut Output) -> Result<(), Failure>,
}

/// What the options and flags shared by several commands mean.
const SHARED_SWITCHES: &[(&str, &str)] = &[
    ("db", "--db=<dir>         the database directory"),
    ("from", "--from=<key>       the first key (included)"),
    (
        "to",
        "--to=<key>         where the keys end (excluded; included by compact)",
    ),
    ("max_keys", "--max_keys=<n>     at most n entries"),
    (
        "create_if_missing",
        "--create_if_missing  create the database if it does not exist",
    ),
    (
        "hex",
        "--hex              keys and values in hex: 0x and hex digits (uppercase in output)",
    ),
    ("key_hex", "--key_hex          keys in hex"),
    ("value_hex", "--value_hex        values in hex"),
];

pub const COMMANDS: &[Command] = &[
    Command {
        name: "dump",
        synopsis: "[--type=log|manifest|table] FILE...",
        help: "Prints log (NNNNNN.log), MANIFEST (MANIFEST-NNNNNN) and table (NNNNNN.ldb, NNNNNN.sst) files\n\
               byte for byte as LevelDB's `leveldbutil dump` does; --type gives the type of files named otherwise.\n\
               Each file's error goes to stderr. What cannot be read is said in the output, as leveldbutil says\n\
               it (a record cut off at the end of a log or MANIFEST on stderr), and makes the exit status 1.",
        options: &["type"],
        flags: &[],
        run: dump::run,
    },
    Command {
        name: "dump_wal",
        synopsis: "--walfile=<file.log> [--header] [--print_value]",
        help: "Prints each record of a log file as a row, as RocksDB's `ldb dump_wal` does:\n\
               <sequence>,<count>,<byte size>,<file offset>, then each update followed by a space:\n\
               PUT(0) : 0x<KEY> (with --print_value: PUT(0) : 0x<KEY> : 0x<VALUE>) or DELETE(0) : 0x<KEY>.\n\
               --header first prints the column names. What cannot be read (corruption, a bad batch, a record cut\n\
               off at the end) is reported on stderr as it is met, the rest is still printed (exit status 1).",
        options: &["walfile"],
        flags: &["header", "print_value"],
        run: dump_wal::run,
    },
    Command {
        name: "manifest_dump",
        synopsis: "--path=<MANIFEST file> [--hex]",
        help: "Prints each VersionEdit of a MANIFEST, then the files per level of the version they build\n\
               (--- level L --- and  <number>:<size>['<smallest>' seq:N, type:T .. '<largest>' seq:N, type:T]),\n\
               then next_file_number N last_sequence N prev_log_number N. --hex prints the keys in hex.\n\
               A corrupt record stops it after the edits before (exit status 1), as it stops LevelDB's open.",
        options: &["path"],
        flags: &["hex"],
        run: manifest_dump::run,
    },
    Command {
        name: "levels",
        synopsis: "--db=<dir> [--svg]",
        help: "Prints the files of each level of the database's current version (the MANIFEST that CURRENT\n\
               names; nothing is opened or changed): level L: N files, B bytes, then each file's number, size\n\
               and user key range. --svg draws them instead, to scale: a lane per level (per file on level 0),\n\
               each file a bar over its key range.",
        options: &["db"],
        flags: &["svg"],
        run: levels::run,
    },
    Command {
        name: "sst_dump",
        synopsis: "--file=<table> [--command=scan|check] [--output_hex]",
        help: "scan (the default) prints each entry of a table as '<key>' seq:<N>, type:<T> => <value>\n\
               (unprintable bytes as \\xNN, or everything in hex with --output_hex).\n\
               check reads every block and prints <file>: OK, <N> entries. Both verify every block's checksum; a\n\
               bad block is reported on stderr after the entries of the others (exit status 1).",
        options: &["file", "command"],
        flags: &["output_hex"],
        run: sst_dump::run,
    },
    Command {
        name: "get",
        synopsis: "--db=<dir> <key> [--hex] [--key_hex] [--value_hex]",
        help: "Prints the value of <key>, or `Key not found` (exit status 1).",
        options: &["db"],
        flags: &["hex", "key_hex", "value_hex"],
        run: db_read::get,
    },
    Command {
        name: "put",
        synopsis: "--db=<dir> <key> <value> [--create_if_missing] [--hex] [--key_hex] [--value_hex]",
        help: "Sets <key> to <value>; prints OK. --create_if_missing creates the database if needed.",
        options: &["db"],
        flags: &["create_if_missing", "hex", "key_hex", "value_hex"],
        run: db_write::put,
    },
    Command {
        name: "delete",
        synopsis: "--db=<dir> <key> [--hex] [--key_hex]",
        help: "Deletes <key> (it need not exist); prints OK.",
        options: &["db"],
        flags: &["hex", "key_hex"],
        run: db_write::delete,
    },
    Command {
        name: "batchput",
        synopsis: "--db=<dir> <key> <value> [<key> <value>]... [--create_if_missing] [--hex] [--key_hex] [--value_hex]",
        help: "Writes all the pairs in one atomic batch; prints OK.",
        options: &["db"],
        flags: &["create_if_missing", "hex", "key_hex", "value_hex"],
        run: db_write::batchput,
    },
    Command {
        name: "scan",
        synopsis: "--db=<dir> [--from=<key>] [--to=<key>] [--max_keys=<n>] [--hex] [--key_hex] [--value_hex]",
        help: "Prints `<key> ==> <value>` for each entry from --from (included) to --to (excluded), at most\n\
               --max_keys of them. Without hex flags keys and values are printed as they are. A whole scan shows\n\
               its progress on stderr when only stderr is a terminal (OXLDB_PROGRESS=1 or 0 forces it).",
        options: &["db", "from", "to", "max_keys"],
        flags: &["hex", "key_hex", "value_hex"],
        run: db_read::scan,
    },
    Command {
        name: "load",
        synopsis: "--db=<dir> [--create_if_missing] [--hex] [--key_hex] [--value_hex] < lines",
        help: "Reads `<key> ==> <value>` lines (as scan prints them) from stdin and puts each one. Each other\n\
               line is reported on stderr, then `Warning: N bad lines ignored.`; if no line was an entry, the exit\n\
               status is 1. Progress goes to stderr when it is a terminal (OXLDB_PROGRESS=1 or 0 forces it).",
        options: &["db"],
        flags: &["create_if_missing", "hex", "key_hex", "value_hex"],
        run: db_write::load,
    },
    Command {
        name: "idump",
        synopsis: "--db=<dir> [--from=<key>] [--to=<key>] [--max_keys=<n>] [--hex] [--key_hex] [--value_hex]",
        help: "Prints every internal entry (each version of each key, deletions included) from --from to --to as\n\
               '<key>' seq:<N>, type:<T> => <value> (type 1 is a value, 0 a deletion), then\n\
               `Internal keys in range: <N>`.",
        options: &["db", "from", "to", "max_keys"],
        flags: &["hex", "key_hex", "value_hex"],
        run: db_read::idump,
    },
    Command {
        name: "approxsize",
        synopsis: "--db=<dir> [--from=<key>] [--to=<key>] [--hex] [--key_hex]",
        help: "Prints the approximate file space, in bytes, of the keys from --from (default: the first key) to\n\
               --to (default: past the last key). Data still in the memtable does not count.",
        options: &["db", "from", "to"],
        flags: &["hex", "key_hex"],
        run: db_read::approxsize,
    },
    Command {
        name: "compact",
        synopsis: "--db=<dir> [--from=<key>] [--to=<key>] [--hex] [--key_hex]",
        help: "Compacts the keys from --from to --to (all keys by default). Progress (the level, the bytes read)\n\
               goes to stderr when it is a terminal (OXLDB_PROGRESS=1 or 0 forces it).",
        options: &["db", "from", "to"],
        flags: &["hex", "key_hex"],
        run: db_admin::compact,
    },
    Command {
        name: "repair",
        synopsis: "--db=<dir>",
        help: "Runs LevelDB's RepairDB on the database; prints OK. Progress (the entries found, the bytes read)\n\
               goes to stderr when it is a terminal (OXLDB_PROGRESS=1 or 0 forces it).",
        options: &["db"],
        flags: &[],
        run: db_admin::repair,
    },
    Command {
        name: "destroy",
        synopsis: "--db=<dir>",
        help: "Deletes the database's files (LevelDB's DestroyDB); prints OK.",
        options: &["db"],
        flags: &[],
        run: db_admin::destroy,
    },
    Command {
        name: "checkconsistency",
        synopsis: "--db=<dir>",
        help: "Opens the database read-only with paranoid checks and reads every entry with checksums verified;\n\
               prints OK.",
        options: &["db"],
        flags: &[],
        run: db_admin::checkconsistency,
    },
    Command {
        name: "get_property",
        synopsis: "--db=<dir> <name>",
        help: "Prints `<name>: <value>` for a LevelDB property: leveldb.num-files-at-level<N>, leveldb.stats,\n\
               leveldb.sstables, leveldb.approximate-memory-usage.",
        options: &["db"],
        flags: &[],
        run: db_read::get_property,
    },
    Command {
        name: "sst_layout",
        synopsis: "--file=<table> [--svg]",
        help: "Takes a table apart block by block, in file order: offset, size on disk (the 5-byte trailer not\n\
               counted), the trailer's compression type, then what the block holds: each data block's entries,\n\
               restart points, first and last keys and index key; the filter, metaindex and index blocks; the footer.\n\
               Every block is read with its checksum verified. --svg draws the table to scale instead: every\n\
               region of the file (entries, restart arrays, trailers, the footer's fields) at its offset.",
        options: &["file"],
        flags: &["svg"],
        run: sst_layout::run,
    },
    Command {
        name: "trace",
        synopsis: "--db=<dir> (put <key> <value> | get <key>... | compact | [--threads=<n>] [--ops=<m>]) [--only=<kind>,...] [--svg[=<file>]] [--write_buffer_size=<bytes>] [--bloom_bits=<n>] [--sync] [--pipelined_write] [--create_if_missing] [--hex] [--key_hex] [--value_hex]",
        help: "Runs one put, gets, a compaction of the whole key range, or <n> writer threads of <m> puts each\n\
               (default 4 and 10) with an event listener set, and prints the engine's steps as a timeline, one\n\
               line per step: [thread] #writer step. Writers queue, the front one leads: it makes room, folds the\n\
               batches queued behind it into its group (group commit), takes the sequence numbers, appends the\n\
               group to the log as one record, syncs, inserts into the memtable and wakes the writers it wrote for.\n\
               A get shows each table file it probed: whether the table was opened, the bloom filter's answer (may\n\
               match, definitely not), whether the block came from the block cache or from disk, and the seek it\n\
               charged (the first file probed, when it probed more than one). A compaction shows the entries each\n\
               drop rule removed. Memtable switches, flushes, compactions and MANIFEST writes show as they happen (a\n\
               small --write_buffer_size, 64 KiB at least, brings them on). The steps that cost time end with their\n\
               duration in brackets ([1.52 ms]): the log append, the sync, the memtable insert, a get, a flush, a\n\
               compaction, a MANIFEST write.\n\
               --only=<kind>,...   print only these kinds of lines: write (a write's steps), room (the waits and\n\
                                   memtable switches of make_room_for_write), get, flush, compaction, manifest\n\
               --svg=<file>        also draw the writer queue as an SVG timeline, one lane per writer thread: each\n\
                                   group, its leader and followers, the log append, the sync and the wake-ups, to\n\
                                   scale in time (--svg alone prints the SVG instead of the lines)\n\
               --bloom_bits=<n>    open with a bloom filter of n bits per key (tables written from now on have it)\n\
               --sync syncs each write; --pipelined_write uses the experimental pipelined write path.",
        options: &["db", "threads", "ops", "write_buffer_size", "only", "svg", "bloom_bits"],
        flags: &["sync", "pipelined_write", "create_if_missing", "hex", "key_hex", "value_hex", "svg"],
        run: trace::run,
    },
    Command {
        name: "diff",
        synopsis: "[--seed=S] [--ops=N] [--options=...] [--record=FILE] | --replay=FILE  [--shrink] [--out=FILE]",
        help: "Differential testing against the system's C++ LevelDB 1.23 (oxldb built with the feature\n\
               system-leveldb: cargo build --release -p oxldb --features system-leveldb). Runs a workload on\n\
               oxleveldb and on LevelDB in lockstep, compares every answer and, where timing cannot decide them,\n\
               the files byte for byte; stops at the first divergence and prints its report.\n\
               --seed=S --ops=N      a generated workload (options drawn from the seed; N defaults to 2000,\n\
                                     S to one from the clock, printed)\n\
               --options=a=1,b=2     override drawn options (write_buffer_size, max_open_files, block_cache,\n\
                                     block_size, block_restart_interval, max_file_size, compression,\n\
                                     bloom_bits, paranoid_checks, reuse_logs)\n\
               --record=FILE         write the generated operation log (docs/oplog.md) to FILE\n\
               --replay=FILE         run the operation log in FILE instead\n\
               --shrink              shrink a divergence to a minimal log, printed and written to --out\n\
                                     (default oxldb-diff-shrunk.oplog)\n\
               Exit status: 0 no divergence, 1 a divergence (the report on stdout), 2 a bad command line or log.",
        options: &["seed", "ops", "options", "record", "replay", "out"],
        flags: &["shrink"],
        run: diff::run,
    },
    Command {
        name: "crash-explore",
        synopsis: "[--seed=S] [--writes=N] [--sync_every=K] | --replay=FILE  [--engine=E] [--model=M] [--budget=B] [--slow_tables] [--out=DIR] | --engine=E --recording=FILE --state=TEXT",
        help: "Explores the states a crash can leave on disk (oxldb built with the feature system-leveldb), after\n\
               ALICE (OSDI'14): records the file-system operations of a workload on LevelDB 1.23 and on oxleveldb,\n\
               builds the crash states of two persistence models (ordered: unsynced appends lost as a suffix per\n\
               file; anything-unsynced: any unsynced append lost or torn, unsynced directory operations lost), opens\n\
               each with the engine that wrote it, with and without paranoid_checks, and checks that every write up\n\
               to the last synced one is there, nothing unwritten appears and batches are whole. Prints per model and\n\
               engine the states explored, the failing ones and the vulnerabilities, each with a minimal state.\n\
               --seed=S --writes=N   a generated workload (default 1 and 60; S also seeds the sampling)\n\
               --replay=FILE         the writes, compactions and reopens of an operation log instead\n\
               --sync_every=K        every K-th write is synced (default 10; 0 for none)\n\
               --engine=E            leveldb, oxleveldb or both (default)\n\
               --model=M             ordered, anything-unsynced or both (default)\n\
               --budget=B            states per model and engine (default 2000; sampled from the seed)\n\
               --slow_tables         tables are slow to create (20 ms), so writes run ahead of a flush\n\
               --out=DIR             keep the recordings, DIR/<engine>.rec\n\
               --recording=FILE --state=TEXT  check one state of a kept recording (with the same workload)\n\
               Exit status: 0 explored, or the state holds; 1 the state fails; 2 a bad command line.",
        options: &[
            "seed", "writes", "sync_every", "replay", "engine", "model", "budget", "out", "recording", "state",
        ],
        flags: &["slow_tables"],
        run: crash_explore::run,
    },
];

/// The command called `name`.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Every command's usage line.
pub fn usage() -> String {
    let mut s = String::from(
        "Usage: oxldb COMMAND [ARGS...]   (oxldb COMMAND --help explains one command)\n",
    );
    for c in COMMANDS {
        s.push_str(&format!("  {} {}\n", c.name, c.synopsis));
    }
    s.push_str(
        "The read commands (get, scan, idump, approxsize, get_property, checkconsistency) open the database\n\
         read-only: they take no lock and change no file. oxldb --version prints the version.\n",
    );
    s
}

impl Command {
    /// The command's usage line.
    pub fn usage(&self) -> String {
        format!("Usage: oxldb {} {}\n", self.name, self.synopsis)
    }

    /// The command's usage and help.
    pub fn help(&self) -> String {
        let mut s = self.usage();
        s.push('\n');
        s.push_str(self.help);
        s.push('\n');
        let switches: Vec<&str> = SHARED_SWITCHES
            .iter()
            .filter(|(name, _)| self.options.contains(name) || self.flags.contains(name))
            .map(|(_, text)| *text)
            .collect();
        if !switches.is_empty() {
            s.push('\n');
            for text in switches {
                s.push_str("  ");
                s.push_str(text);
                s.push('\n');
            }
        }
        s
    }
}
