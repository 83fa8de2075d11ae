//! db_bench: LevelDB's benchmark (benchmarks/db_bench.cc), with the same workloads, flags and output, run on
//! oxleveldb and the other engines of [`crate::engine`] (`--engines=leveldb,oxleveldb,...`), one after the other
//! in the same run, followed by a table that compares them.
//!
//! ```text
//! cargo bench --bench db_bench --features system-leveldb -- [--benchmarks=fillseq,readrandom,...] [--num=N] ...
//! ```
//!
//! The engines: `oxleveldb`; with the `system-leveldb` feature, `leveldb` (the C++ LevelDB 1.23 of the system
//! through its C++ API, as LevelDB's own db_bench calls it: the figures) and `leveldb-c` (the same library
//! through its C API, `leveldb/c.h`); with the `rocksdb` and `rusty-leveldb` features (and the build flag
//! `--cfg oxleveldb_peers`), the peers `rocksdb` and `rusty-leveldb`.
//!
//! `--validate=1` prints, after each benchmark, the work it did (operations, bytes, keys found) and what the
//! database then holds (entries, bytes of keys and values, read by an unmeasured scan): the same lines for every
//! engine, or one of them did other work than the others (tests/validate.rs checks it).
//!
//! Beyond LevelDB's list: `rmwrandom` (read-modify-write of random keys, a get then a put) and `txnrandom` (the
//! same in pessimistic transactions: get_for_update, put, commit), oxleveldb only, to measure what transactions
//! cost; `txnrandom` reopens the database as a `TransactionDB` for its run.
//!
//! Each engine gets its own database directory (`<db>/<engine>`, by default `/tmp/leveldbtest-<euid>/dbbench/...`,
//! kept after the run as LevelDB keeps it, for `--use_existing_db=1`), and runs the whole benchmark list before the
//! next engine starts, so that one engine's background compactions never run during the other's measurements.
//! Every engine is driven by the same code (see [`crate::engine`]): the same keys, values, options and order of
//! operations.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use oxleveldb::util::random::Random;

use crate::engine::{self, Engine, OpenOptions};
use crate::histogram::Histogram;

/// LevelDB's default benchmark list.
const DEFAULT_BENCHMARKS: &str = "fillseq,fillsync,fillrandom,overwrite,readrandom,readrandom,readseq,readreverse,\
                                  compact,readrandom,readseq,readreverse,fill100K,crc32c,snappycomp,snappyuncomp";

/// The command-line flags, with LevelDB's defaults.
#[derive(Clone, Debug)]
pub struct Flags {
    benchmarks: String,
    num: usize,
    reads: Option<usize>,
    threads: usize,
    value_size: usize,
    compression_ratio: f64,
    histogram: bool,
    write_buffer_size: usize,
    max_file_size: usize,
    block_size: usize,
    cache_size: Option<usize>,
    open_files: usize,
    bloom_bits: Option<usize>,
    key_prefix: usize,
    use_existing_db: bool,
    reuse_logs: bool,
    /// oxleveldb only: `Options::enable_pipelined_write` (RocksDB's flag of the same name).
    pipelined_write: bool,
    /// Print each benchmark's work and the database's contents after it (see the module comment).
    validate: bool,
    db: PathBuf,
    engines: Vec<String>,
}

impl Default for Flags {
    fn default() -> Flags {
        let options = oxleveldb::Options::default();
        Flags {
            benchmarks: DEFAULT_BENCHMARKS.to_string(),
            num: 1_000_000,
            reads: None,
            threads: 1,
            value_size: 100,
            compression_ratio: 0.5,
            histogram: false,
            write_buffer_size: options.write_buffer_size,
            max_file_size: options.max_file_size,
            block_size: options.block_size,
            cache_size: None,
            open_files: options.max_open_files,
            bloom_bits: None,
            key_prefix: 0,
            use_existing_db: false,
            reuse_logs: false,
            pipelined_write: false,
            validate: false,
            db: oxleveldb::env::default_env()
                .get_test_directory()
                .unwrap_or_else(|_| std::env::temp_dir())
                .join("dbbench"),
            engines: if cfg!(feature = "system-leveldb") {
                vec!["leveldb".to_string(), "oxleveldb".to_string()]
            } else {
                vec!["oxleveldb".to_string()]
            },
        }
    }
}

/// Parses `--name=value` flags as LevelDB's db_bench does; anything else is an error.
pub fn parse_flags(args: impl Iterator<Item = String>) -> Result<Flags, String> {
    let mut flags = Flags::default();
    for arg in args {
        // `cargo bench` passes --bench to every bench target.
        if arg == "--bench" {
            continue;
        }
        let invalid = || format!("Invalid flag '{arg}'");
        let (name, value) = arg
            .strip_prefix("--")
            .and_then(|a| a.split_once('='))
            .ok_or_else(invalid)?;
        let int = || value.parse::<i64>().map_err(|_| invalid());
        let size = || value.parse::<usize>().map_err(|_| invalid());
        let bool01 = || match value {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(invalid()),
        };
        match name {
            "benchmarks" => flags.benchmarks = value.to_string(),
            "compression_ratio" => {
                flags.compression_ratio = value.parse().map_err(|_| invalid())?
            }
            "histogram" => flags.histogram = bool01()?,
            "use_existing_db" => flags.use_existing_db = bool01()?,
            "reuse_logs" => flags.reuse_logs = bool01()?,
            "pipelined_write" => flags.pipelined_write = bool01()?,
            "validate" => flags.validate = bool01()?,
            "num" => flags.num = size()?,
            "reads" => flags.reads = usize::try_from(int()?).ok(),
            "threads" => flags.threads = size()?,
            "value_size" => flags.value_size = size()?,
            "write_buffer_size" => flags.write_buffer_size = size()?,
            "max_file_size" => flags.max_file_size = size()?,
            "block_size" => flags.block_size = size()?,
            "key_prefix" => flags.key_prefix = size()?,
            "cache_size" => flags.cache_size = usize::try_from(int()?).ok(),
            "bloom_bits" => flags.bloom_bits = usize::try_from(int()?).ok(),
            "open_files" => flags.open_files = size()?,
            "db" => flags.db = PathBuf::from(value),
            "engines" => flags.engines = value.split(',').map(str::to_string).collect(),
            _ => return Err(invalid()),
        }
    }
    Ok(flags)
}

/// Helper for quickly generating random data: 1 MiB of pieces that compress to `compression_ratio`, served in
/// turn.
///
/// LevelDB: RandomGenerator
struct RandomGenerator {
    data: Vec<u8>,
    pos: usize,
}

impl RandomGenerator {
    fn new(compression_ratio: f64) -> RandomGenerator {
        // We use a limited amount of data over and over again and ensure that it is larger than the compression
        // window (32KB), and also large enough to serve all typical value sizes we want to write.
        let mut rnd = Random::new(301);
        let mut data = Vec::with_capacity(1048576 + 100);
        while data.len() < 1048576 {
            // Add a short fragment that is as compressible as specified by compression_ratio.
            data.extend_from_slice(&compressible_string(&mut rnd, compression_ratio, 100));
        }
        RandomGenerator { data, pos: 0 }
    }

    fn generate(&mut self, len: usize) -> &[u8] {
        if self.pos + len > self.data.len() {
            self.pos = 0;
            assert!(len < self.data.len());
        }
        self.pos += len;
        &self.data[self.pos - len..self.pos]
    }
}

/// LevelDB: test::RandomString
fn random_string(rnd: &mut Random, len: usize) -> Vec<u8> {
    (0..len).map(|_| b' ' + rnd.uniform(95) as u8).collect()
}

/// LevelDB: test::CompressibleString
fn compressible_string(rnd: &mut Random, compressed_fraction: f64, len: usize) -> Vec<u8> {
    let raw = ((len as f64 * compressed_fraction) as usize).max(1);
    let raw_data = random_string(rnd, raw);
    // Duplicate the random data until we have filled "len" bytes.
    raw_data.iter().copied().cycle().take(len).collect()
}

/// A key: the prefix of 'a's, then the number in 16 digits.
///
/// LevelDB: KeyBuffer
struct KeyBuffer {
    buffer: Vec<u8>,
    prefix: usize,
}

impl KeyBuffer {
    fn new(prefix: usize) -> KeyBuffer {
        let mut buffer = vec![b'a'; prefix];
        buffer.extend_from_slice(&[b'0'; 16]);
        KeyBuffer { buffer, prefix }
    }

    fn set(&mut self, k: usize) -> &[u8] {
        let digits = &mut self.buffer[self.prefix..];
        let mut k = k;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (k % 10) as u8;
            k /= 10;
        }
        &self.buffer
    }
}

/// Microseconds since the epoch, as LevelDB's Env::NowMicros.
fn now_micros() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_micros() as f64)
}

/// Prints a progress line on stderr in one write, as db_bench's `fprintf` does. (`eprint!` writes each piece of
/// the format on its own, and the thirty characters of padding one at a time: some thirty system calls a line,
/// which a cheap loop such as readseq's paid for a few percent of its time, and an engine whose loop runs in
/// C++, printing with `fprintf`, did not.)
fn progress_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    // Progress is a courtesy: a closed stderr does not stop a benchmark.
    let _ = std::io::stderr().write_all(line.to_string().as_bytes());
}

/// Per-thread measurements (public only as an argument of [`Engine::read_sequential`]).
///
/// LevelDB: Stats
pub struct Stats {
    start: f64,
    finish: f64,
    seconds: f64,
    /// Operations done, and when to print the next progress line (an engine that loops in C++ advances both as
    /// `finished_single_op` does).
    pub(crate) done: usize,
    pub(crate) next_report: usize,
    bytes: u64,
    /// Keys found by the benchmarks that look keys up; for `--validate`.
    found: Option<usize>,
    last_op_finish: f64,
    hist: Histogram,
    message: String,
    /// `--histogram=1`: every operation is timed (so an engine must count its operations one by one).
    pub(crate) histogram: bool,
}

impl Stats {
    fn new(histogram: bool) -> Stats {
        let mut stats = Stats {
            start: 0.0,
            finish: 0.0,
            seconds: 0.0,
            done: 0,
            next_report: 100,
            bytes: 0,
            found: None,
            last_op_finish: 0.0,
            hist: Histogram::default(),
            message: String::new(),
            histogram,
        };
        stats.start();
        stats
    }

    fn start(&mut self) {
        self.next_report = 100;
        self.hist.clear();
        self.done = 0;
        self.bytes = 0;
        self.found = None;
        self.seconds = 0.0;
        self.message.clear();
        self.start = now_micros();
        self.finish = self.start;
        self.last_op_finish = self.start;
    }

    fn merge(&mut self, other: &Stats) {
        self.hist.merge(&other.hist);
        self.done += other.done;
        self.bytes += other.bytes;
        if let Some(found) = other.found {
            self.found = Some(self.found.unwrap_or(0) + found);
        }
        self.seconds += other.seconds;
        self.start = self.start.min(other.start);
        self.finish = self.finish.max(other.finish);
        // Just keep the messages from one thread.
        if self.message.is_empty() {
            self.message = other.message.clone();
        }
    }

    fn stop(&mut self) {
        self.finish = now_micros();
        self.seconds = (self.finish - self.start) * 1e-6;
    }

    fn add_message(&mut self, msg: &str) {
        if !self.message.is_empty() {
            self.message.push(' ');
        }
        self.message.push_str(msg);
    }

    pub(crate) fn finished_single_op(&mut self) {
        if self.histogram {
            let now = now_micros();
            let micros = now - self.last_op_finish;
            self.hist.add(micros);
            if micros > 20000.0 {
                progress_line(format_args!("long op: {micros:.1} micros{:30}\r", ""));
            }
            self.last_op_finish = now;
        }
        self.done += 1;
        if self.done >= self.next_report {
            self.next_report += match self.next_report {
                0..=999 => 100,
                1000..=4999 => 500,
                5000..=9999 => 1000,
                10000..=49999 => 5000,
                50000..=99999 => 10000,
                100000..=499999 => 50000,
                _ => 100000,
            };
            progress_line(format_args!("... finished {} ops{:30}\r", self.done, ""));
        }
    }

    fn add_bytes(&mut self, n: u64) {
        self.bytes += n;
    }

    /// Reports `found` keys found, in the message (as LevelDB's db_bench does) and for `--validate`.
    fn add_found(&mut self, found: usize, of: usize) {
        self.found = Some(found);
        self.add_message(&format!("({found} of {of} found)"));
    }

    /// Prints the result line and returns micros/op with the work done.
    fn report(&mut self, name: &str) -> (f64, Work) {
        let work = Work {
            ops: self.done,
            bytes: self.bytes,
            found: self.found,
            contents: None,
        };
        // Pretend at least one op was done in case we are running a benchmark that does not call
        // finished_single_op().
        self.done = self.done.max(1);
        let mut extra = String::new();
        if self.bytes > 0 {
            // Rate is computed on actual elapsed time, not the sum of per-thread elapsed times.
            let elapsed = (self.finish - self.start) * 1e-6;
            extra = format!("{:6.1} MB/s", (self.bytes as f64 / 1048576.0) / elapsed);
        }
        if !self.message.is_empty() {
            if !extra.is_empty() {
                extra.push(' ');
            }
            extra.push_str(&self.message);
        }
        let micros_per_op = self.seconds * 1e6 / self.done as f64;
        println!(
            "{:<12} : {:11.3} micros/op;{}{}",
            name,
            micros_per_op,
            if extra.is_empty() { "" } else { " " },
            extra
        );
        if self.histogram {
            println!("Microseconds per op:\n{}", self.hist);
        }
        (micros_per_op, work)
    }
}

/// State shared by all concurrent executions of the same benchmark.
///
/// LevelDB: SharedState
struct SharedState {
    mu: Mutex<SharedCounts>,
    cv: Condvar,
}

struct SharedCounts {
    total: usize,
    num_initialized: usize,
    num_done: usize,
    start: bool,
}

/// Counts a benchmark thread done when dropped, even by a panic in the engine: the coordinating thread's wait
/// ends, and the scope then raises the panic rather than hang.
struct Done<'a>(&'a SharedState);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        let mut counts = self.0.mu.lock().unwrap_or_else(|e| e.into_inner());
        counts.num_done += 1;
        if counts.num_done >= counts.total {
            self.0.cv.notify_all();
        }
    }
}

/// Per-thread state for concurrent executions of the same benchmark.
///
/// LevelDB: ThreadState
struct ThreadState {
    tid: usize,
    rand: Random,
    stats: Stats,
    shared: Arc<SharedState>,
}

type Method<E> = fn(&Benchmark<E>, &mut ThreadState);

/// One benchmark's result on one engine.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub name: String,
    pub micros_per_op: f64,
    pub work: Work,
}

/// What a benchmark did, untimed, to check that every engine did the same work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Work {
    /// Operations counted (db_bench's `done`).
    pub ops: usize,
    /// Bytes of keys and values written or read (what db_bench's MB/s counts).
    pub bytes: u64,
    /// Keys found, for the benchmarks that look keys up.
    pub found: Option<usize>,
    /// The database's entries and bytes of keys and values after the benchmark (`--validate=1` only).
    pub contents: Option<(usize, u64)>,
}

impl std::fmt::Display for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ops={} bytes={}", self.ops, self.bytes)?;
        if let Some(found) = self.found {
            write!(f, " found={found}")?;
        }
        if let Some((entries, bytes)) = self.contents {
            write!(f, " db_entries={entries} db_bytes={bytes}")?;
        }
        Ok(())
    }
}

/// LevelDB: Benchmark
struct Benchmark<E: Engine> {
    flags: Flags,
    db: Option<E::Db>,
    /// The database opened for transactions, while a transactional benchmark runs (`db` is closed then).
    txn_db: Option<oxleveldb::txn::TransactionDB>,
    path: PathBuf,
    num: usize,
    value_size: usize,
    entries_per_batch: usize,
    sync: bool,
    reads: usize,
    total_thread_count: usize,
}

impl<E: Engine> Benchmark<E> {
    fn new(flags: &Flags) -> Benchmark<E> {
        let path = flags.db.join(E::NAME);
        let _ = std::fs::create_dir_all(&flags.db);
        if !flags.use_existing_db {
            E::destroy(&path);
        }
        Benchmark {
            flags: flags.clone(),
            db: None,
            txn_db: None,
            path,
            num: flags.num,
            value_size: flags.value_size,
            entries_per_batch: 1,
            sync: false,
            reads: flags.reads.unwrap_or(flags.num),
            total_thread_count: 0,
        }
    }

    fn db(&self) -> &E::Db {
        self.db.as_ref().expect("the database is open")
    }

    fn open(&mut self) {
        assert!(self.db.is_none());
        match E::open(&self.path, &self.open_options()) {
            Ok(db) => self.db = Some(db),
            Err(e) => {
                eprintln!("open error: {e}");
                std::process::exit(1);
            }
        }
    }

    /// The options db_bench's flags ask for.
    fn open_options(&self) -> OpenOptions {
        OpenOptions {
            create_if_missing: !self.flags.use_existing_db,
            write_buffer_size: self.flags.write_buffer_size,
            max_file_size: self.flags.max_file_size,
            block_size: self.flags.block_size,
            max_open_files: self.flags.open_files,
            cache_size: self.flags.cache_size,
            bloom_bits: self.flags.bloom_bits,
            reuse_logs: self.flags.reuse_logs,
            pipelined_write: self.flags.pipelined_write,
        }
    }

    /// Closes the database and opens it again for transactions; false if the engine has none.
    fn open_transaction_db(&mut self, name: &str) -> bool {
        self.db = None;
        match E::open_transaction_db(&self.path, &self.open_options()) {
            Some(Ok(txn_db)) => {
                self.txn_db = Some(txn_db);
                true
            }
            Some(Err(e)) => {
                eprintln!("open error: {e}");
                std::process::exit(1);
            }
            None => {
                println!("{name:<12} : skipped ({} has no transactions)", E::NAME);
                self.open();
                false
            }
        }
    }

    /// Runs the benchmark list; returns an outcome per benchmark run.
    fn run(&mut self) -> Vec<Outcome> {
        println!("=== {} ===", E::NAME);
        self.print_header();
        self.open();
        let mut results = Vec::new();
        let benchmarks = self.flags.benchmarks.clone();
        for name in benchmarks.split(',') {
            // Reset parameters that may be overridden below.
            self.num = self.flags.num;
            self.reads = self.flags.reads.unwrap_or(self.flags.num);
            self.value_size = self.flags.value_size;
            self.entries_per_batch = 1;
            self.sync = false;

            let mut method: Option<Method<E>> = None;
            let mut reopen = false;
            let mut transactional = false;
            let mut fresh_db = false;
            let mut num_threads = self.flags.threads;
            match name {
                "open" => {
                    reopen = true;
                    self.num = (self.num / 10000).max(1);
                }
                "fillseq" => {
                    fresh_db = true;
                    method = Some(Self::write_seq);
                }
                "fillbatch" => {
                    fresh_db = true;
                    self.entries_per_batch = 1000;
                    method = Some(Self::write_seq);
                }
                "fillrandom" => {
                    fresh_db = true;
                    method = Some(Self::write_random);
                }
                "overwrite" => method = Some(Self::write_random),
                "fillsync" => {
                    fresh_db = true;
                    self.num /= 1000;
                    self.sync = true;
                    method = Some(Self::write_random);
                }
                "fill100K" => {
                    fresh_db = true;
                    self.num /= 1000;
                    self.value_size = 100 * 1000;
                    method = Some(Self::write_random);
                }
                "readseq" => method = Some(Self::read_sequential),
                "readreverse" if E::SEEKS_TO_LAST => method = Some(Self::read_reverse),
                "readreverse" => {
                    println!(
                        "{name:<12} : skipped ({} cannot seek to the last entry)",
                        E::NAME
                    );
                    // The seeds the run would have taken: the next benchmarks draw the same keys as on the
                    // other engines.
                    self.total_thread_count += num_threads;
                }
                "readrandom" => method = Some(Self::read_random),
                "readmissing" => method = Some(Self::read_missing),
                "seekrandom" => method = Some(Self::seek_random),
                "seekordered" => method = Some(Self::seek_ordered),
                "readhot" => method = Some(Self::read_hot),
                "readrandomsmall" => {
                    self.reads /= 1000;
                    method = Some(Self::read_random);
                }
                "rmwrandom" => method = Some(Self::read_modify_write_random),
                "txnrandom" => {
                    transactional = true;
                    method = Some(Self::txn_random);
                }
                "deleteseq" => method = Some(Self::delete_seq),
                "deleterandom" => method = Some(Self::delete_random),
                "readwhilewriting" => {
                    num_threads += 1; // Add an extra thread for writing.
                    method = Some(Self::read_while_writing);
                }
                "compact" => method = Some(Self::compact),
                "crc32c" => method = Some(Self::crc32c),
                "snappycomp" => method = Some(Self::snappy_compress),
                "snappyuncomp" => method = Some(Self::snappy_uncompress),
                "heapprofile" => eprintln!("heap profiling not supported"),
                "stats" => self.print_stats("leveldb.stats"),
                "sstables" => self.print_stats("leveldb.sstables"),
                "" => {} // No error message for an empty name.
                _ => eprintln!("unknown benchmark '{name}'"),
            }

            if fresh_db {
                if self.flags.use_existing_db {
                    println!("{name:<12} : skipped (--use_existing_db is true)");
                    method = None;
                } else {
                    self.db = None;
                    E::destroy(&self.path);
                    self.open();
                }
            }

            if transactional && !self.open_transaction_db(name) {
                method = None;
            }

            let result = if reopen {
                Some(self.open_bench())
            } else {
                method.map(|method| self.run_benchmark(num_threads, name, method))
            };
            if self.txn_db.take().is_some() {
                self.open();
            }
            if let Some((micros_per_op, mut work)) = result {
                if self.flags.validate {
                    work.contents = Some(self.contents());
                    println!("validate     : {name} {work}");
                }
                results.push(Outcome {
                    name: name.to_string(),
                    micros_per_op,
                    work,
                });
            }
        }
        self.db = None;
        results
    }

    /// LevelDB: Benchmark::RunBenchmark
    fn run_benchmark(&mut self, n: usize, name: &str, method: Method<E>) -> (f64, Work) {
        let shared = Arc::new(SharedState {
            mu: Mutex::new(SharedCounts {
                total: n,
                num_initialized: 0,
                num_done: 0,
                start: false,
            }),
            cv: Condvar::new(),
        });
        let mut threads: Vec<ThreadState> = (0..n)
            .map(|i| {
                self.total_thread_count += 1;
                // Seed the thread's random state deterministically based upon thread creation across all
                // benchmarks. This ensures that the seeds are unique but reproducible when rerunning the same set of
                // benchmarks.
                ThreadState {
                    tid: i,
                    rand: Random::new(1000 + self.total_thread_count as u32),
                    stats: Stats::new(self.flags.histogram),
                    shared: shared.clone(),
                }
            })
            .collect();

        let this: &Benchmark<E> = self;
        std::thread::scope(|scope| {
            for thread in threads.iter_mut() {
                scope.spawn(move || {
                    let shared = thread.shared.clone();
                    {
                        let mut counts = shared.mu.lock().unwrap();
                        counts.num_initialized += 1;
                        if counts.num_initialized >= counts.total {
                            shared.cv.notify_all();
                        }
                        while !counts.start {
                            counts = shared.cv.wait(counts).unwrap();
                        }
                    }
                    let _done = Done(&shared);
                    thread.stats.start();
                    method(this, thread);
                    thread.stats.stop();
                });
            }
            let mut counts = shared.mu.lock().unwrap();
            while counts.num_initialized < n {
                counts = shared.cv.wait(counts).unwrap();
            }
            counts.start = true;
            shared.cv.notify_all();
            while counts.num_done < n {
                counts = shared.cv.wait(counts).unwrap();
            }
        });

        let (first, rest) = threads.split_first_mut().expect("at least one thread");
        for other in rest {
            first.stats.merge(&other.stats);
        }
        first.stats.report(name)
    }

    fn print_header(&self) {
        let key_size = 16 + self.flags.key_prefix;
        print_environment();
        println!("Keys:       {key_size} bytes each");
        println!(
            "Values:     {} bytes each ({} bytes after compression)",
            self.flags.value_size,
            (self.flags.value_size as f64 * self.flags.compression_ratio + 0.5) as i64
        );
        println!("Entries:    {}", self.num);
        println!(
            "RawSize:    {:.1} MB (estimated)",
            ((key_size + self.flags.value_size) * self.num) as f64 / 1048576.0
        );
        println!(
            "FileSize:   {:.1} MB (estimated)",
            ((key_size as f64 + self.flags.value_size as f64 * self.flags.compression_ratio)
                * self.num as f64)
                / 1048576.0
        );
        if cfg!(debug_assertions) {
            println!("WARNING: Optimization is disabled: benchmarks unnecessarily slow");
        }
        // See if snappy is working by attempting to compress a compressible string.
        let text = b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\0";
        let mut compressed = Vec::new();
        if !E::snappy_compress(text, &mut compressed) {
            println!("WARNING: Snappy compression is not enabled");
        } else if compressed.len() >= text.len() {
            println!("WARNING: Snappy compression is not effective");
        }
        println!("------------------------------------------------");
    }

    fn crc32c(&self, thread: &mut ThreadState) {
        // Checksum about 500MB of data total.
        let size = 4096;
        let data = vec![b'x'; size];
        let mut bytes = 0u64;
        let mut crc = 0;
        while bytes < 500 * 1048576 {
            crc = E::crc32c(&data);
            thread.stats.finished_single_op();
            bytes += size as u64;
        }
        // Print so the result is not dead.
        eprint!("... crc=0x{crc:x}\r");
        thread.stats.add_bytes(bytes);
        thread.stats.add_message("(4K per op)");
    }

    fn snappy_compress(&self, thread: &mut ThreadState) {
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let input = gen
            .generate(oxleveldb::Options::default().block_size)
            .to_vec();
        let mut bytes = 0u64;
        let mut produced = 0u64;
        let mut ok = true;
        let mut compressed = Vec::new();
        while ok && bytes < 1024 * 1048576 {
            // Compress 1G.
            ok = E::snappy_compress(&input, &mut compressed);
            produced += compressed.len() as u64;
            bytes += input.len() as u64;
            thread.stats.finished_single_op();
        }
        if !ok {
            thread.stats.add_message("(snappy failure)");
        } else {
            thread.stats.add_message(&format!(
                "(output: {:.1}%)",
                (produced as f64 * 100.0) / bytes as f64
            ));
            thread.stats.add_bytes(bytes);
        }
    }

    fn snappy_uncompress(&self, thread: &mut ThreadState) {
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let input = gen
            .generate(oxleveldb::Options::default().block_size)
            .to_vec();
        let mut compressed = Vec::new();
        let mut ok = E::snappy_compress(&input, &mut compressed);
        let mut bytes = 0u64;
        let mut uncompressed = Vec::with_capacity(input.len());
        while ok && bytes < 1024 * 1048576 {
            // Uncompress 1G.
            ok = E::snappy_uncompress(&compressed, &mut uncompressed);
            bytes += input.len() as u64;
            thread.stats.finished_single_op();
        }
        if !ok {
            thread.stats.add_message("(snappy failure)");
        } else {
            thread.stats.add_bytes(bytes);
        }
    }

    fn write_seq(&self, thread: &mut ThreadState) {
        self.do_write(thread, true)
    }

    fn write_random(&self, thread: &mut ThreadState) {
        self.do_write(thread, false)
    }

    /// LevelDB: Benchmark::DoWrite
    fn do_write(&self, thread: &mut ThreadState, seq: bool) {
        if self.num != self.flags.num {
            thread.stats.add_message(&format!("({} ops)", self.num));
        }
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let mut batch = E::new_batch();
        let mut bytes = 0u64;
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        let mut i = 0;
        while i < self.num {
            E::batch_clear(&mut batch);
            for j in 0..self.entries_per_batch {
                let k = if seq {
                    i + j
                } else {
                    thread.rand.uniform(self.flags.num as u32) as usize
                };
                let key = key.set(k);
                E::batch_put(&mut batch, key, gen.generate(self.value_size));
                bytes += (self.value_size + key.len()) as u64;
                thread.stats.finished_single_op();
            }
            if let Err(e) = E::write(self.db(), self.sync, &mut batch) {
                eprintln!("put error: {e}");
                std::process::exit(1);
            }
            i += self.entries_per_batch;
        }
        thread.stats.add_bytes(bytes);
    }

    fn read_sequential(&self, thread: &mut ThreadState) {
        let bytes = E::read_sequential(self.db(), false, self.reads, &mut thread.stats);
        thread.stats.add_bytes(bytes);
    }

    fn read_reverse(&self, thread: &mut ThreadState) {
        let bytes = E::read_sequential(self.db(), true, self.reads, &mut thread.stats);
        thread.stats.add_bytes(bytes);
    }

    fn read_random(&self, thread: &mut ThreadState) {
        let mut found = 0;
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        for _ in 0..self.reads {
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            if E::get(self.db(), key.set(k)) {
                found += 1;
            }
            thread.stats.finished_single_op();
        }
        thread.stats.add_found(found, self.num);
    }

    fn read_missing(&self, thread: &mut ThreadState) {
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        for _ in 0..self.reads {
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            let key = key.set(k);
            E::get(self.db(), &key[..key.len() - 1]);
            thread.stats.finished_single_op();
        }
    }

    fn read_hot(&self, thread: &mut ThreadState) {
        let range = self.flags.num.div_ceil(100);
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        for _ in 0..self.reads {
            let k = thread.rand.uniform(range as u32) as usize;
            E::get(self.db(), key.set(k));
            thread.stats.finished_single_op();
        }
    }

    fn seek_random(&self, thread: &mut ThreadState) {
        let mut found = 0;
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        for _ in 0..self.reads {
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            if E::seek_found(self.db(), key.set(k)) {
                found += 1;
            }
            thread.stats.finished_single_op();
        }
        thread.stats.add_found(found, self.num);
    }

    fn seek_ordered(&self, thread: &mut ThreadState) {
        let mut iter = E::new_iterator(self.db());
        let mut found = 0;
        let mut k = 0;
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        for _ in 0..self.reads {
            k = (k + thread.rand.uniform(100) as usize) % self.flags.num;
            let key = key.set(k);
            E::seek(&mut iter, key);
            if E::valid(&iter) && E::entry(&iter).0 == key {
                found += 1;
            }
            thread.stats.finished_single_op();
        }
        thread.stats.add_found(found, self.num);
    }

    /// Read-modify-write of random keys without transactions: a get, then a put of a new value. Nothing keeps
    /// another thread from writing the key in between (an update may be lost): the baseline `txnrandom` pays
    /// for isolation against. (oxleveldb only, as LevelDB has no transactions; not in LevelDB's db_bench.)
    fn read_modify_write_random(&self, thread: &mut ThreadState) {
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        let mut found = 0;
        for _ in 0..self.reads {
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            let key = key.set(k);
            if E::get(self.db(), key) {
                found += 1;
            }
            if let Err(e) = E::put(self.db(), self.sync, key, gen.generate(self.value_size)) {
                eprintln!("put error: {e}");
                std::process::exit(1);
            }
            thread.stats.finished_single_op();
        }
        thread.stats.add_found(found, self.reads);
    }

    /// The same read-modify-writes as `rmwrandom`, each in a pessimistic transaction: get_for_update (an
    /// exclusive lock), put, commit; retried when a lock times out. No update is lost.
    fn txn_random(&self, thread: &mut ThreadState) {
        use oxleveldb::txn::TransactionOptions;
        let txn_db = self
            .txn_db
            .as_ref()
            .expect("the transaction database is open");
        let write_options = oxleveldb::WriteOptions { sync: self.sync };
        let read_options = oxleveldb::ReadOptions::default();
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        let (mut found, mut retries) = (0, 0);
        for _ in 0..self.reads {
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            let key = key.set(k);
            loop {
                let mut txn =
                    txn_db.begin_transaction_opt(&write_options, &TransactionOptions::default());
                let result = txn
                    .get_for_update_opt(key, true, &read_options)
                    .and_then(|value| {
                        found += usize::from(value.is_some());
                        txn.put(key, gen.generate(self.value_size))?;
                        txn.commit()
                    });
                match result {
                    Ok(()) => break,
                    Err(e) if e.is_timed_out() || e.is_busy() => retries += 1,
                    Err(e) => {
                        eprintln!("transaction error: {e}");
                        std::process::exit(1);
                    }
                }
            }
            thread.stats.finished_single_op();
        }
        thread.stats.add_message(&format!(
            "({} of {} found, {} retries)",
            found, self.reads, retries
        ));
    }

    /// LevelDB: Benchmark::DoDelete
    fn do_delete(&self, thread: &mut ThreadState, seq: bool) {
        let mut batch = E::new_batch();
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        let mut i = 0;
        while i < self.num {
            E::batch_clear(&mut batch);
            for j in 0..self.entries_per_batch {
                let k = if seq {
                    i + j
                } else {
                    thread.rand.uniform(self.flags.num as u32) as usize
                };
                E::batch_delete(&mut batch, key.set(k));
                thread.stats.finished_single_op();
            }
            if let Err(e) = E::write(self.db(), self.sync, &mut batch) {
                eprintln!("del error: {e}");
                std::process::exit(1);
            }
            i += self.entries_per_batch;
        }
    }

    fn delete_seq(&self, thread: &mut ThreadState) {
        self.do_delete(thread, true)
    }

    fn delete_random(&self, thread: &mut ThreadState) {
        self.do_delete(thread, false)
    }

    fn read_while_writing(&self, thread: &mut ThreadState) {
        if thread.tid > 0 {
            self.read_random(thread);
            return;
        }
        // Special thread that keeps writing until other threads are done.
        let mut gen = RandomGenerator::new(self.flags.compression_ratio);
        let mut key = KeyBuffer::new(self.flags.key_prefix);
        loop {
            {
                let counts = thread.shared.mu.lock().unwrap();
                if counts.num_done + 1 >= counts.num_initialized {
                    // Other threads have finished.
                    break;
                }
            }
            let k = thread.rand.uniform(self.flags.num as u32) as usize;
            if let Err(e) = E::put(
                self.db(),
                self.sync,
                key.set(k),
                gen.generate(self.value_size),
            ) {
                eprintln!("put error: {e}");
                std::process::exit(1);
            }
        }
        // Do not count any of the preceding work/delay in stats.
        thread.stats.start();
    }

    /// Reopens the database `num` times. It needs the database handle itself, so it runs on this thread rather
    /// than through the thread machinery (LevelDB's runs on one thread too).
    ///
    /// LevelDB: Benchmark::OpenBench
    fn open_bench(&mut self) -> (f64, Work) {
        let mut stats = Stats::new(self.flags.histogram);
        for _ in 0..self.num {
            self.db = None;
            self.open();
            stats.finished_single_op();
        }
        stats.stop();
        stats.report("open")
    }

    /// The database's entries and bytes of keys and values, by a scan (for `--validate`).
    fn contents(&self) -> (usize, u64) {
        let mut entries = 0;
        let bytes = engine::walk::<E>(self.db(), false, usize::MAX, || entries += 1);
        (entries, bytes)
    }

    fn compact(&self, _thread: &mut ThreadState) {
        E::compact_range(self.db());
    }

    fn print_stats(&self, key: &str) {
        let stats = E::property(self.db(), key).unwrap_or_else(|| "(failed)".to_string());
        println!("\n{stats}");
    }
}

/// Prints the machine, as LevelDB's PrintEnvironment does (on stderr).
fn print_environment() {
    eprintln!(
        "LevelDB:    version 1.23 (oxleveldb {})",
        env!("CARGO_PKG_VERSION")
    );
    if let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") {
        let mut num_cpus = 0;
        let mut cpu_type = String::new();
        let mut cache_size = String::new();
        for line in cpuinfo.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            match key.trim() {
                "model name" => {
                    num_cpus += 1;
                    cpu_type = value.trim().to_string();
                }
                "cache size" => cache_size = value.trim().to_string(),
                _ => {}
            }
        }
        eprintln!("CPU:        {num_cpus} * {cpu_type}");
        eprintln!("CPUCache:   {cache_size}");
    }
}

/// Runs the benchmark list on engine `E`.
fn run<E: Engine>(flags: &Flags) -> Vec<Outcome> {
    Benchmark::<E>::new(flags).run()
}

/// Runs the benchmark list on one engine.
type Runner = fn(&Flags) -> Vec<Outcome>;

/// The engines of this build, by name, with the function that runs the benchmark list on each.
const ENGINES: &[(&str, Runner)] = &[
    (engine::OxLevelDb::NAME, run::<engine::OxLevelDb>),
    #[cfg(feature = "system-leveldb")]
    (engine::CppLevelDb::NAME, run::<engine::CppLevelDb>),
    #[cfg(feature = "system-leveldb")]
    (engine::CLevelDb::NAME, run::<engine::CLevelDb>),
    #[cfg(all(feature = "rocksdb", oxleveldb_peers))]
    (engine::RocksDb::NAME, run::<engine::RocksDb>),
    #[cfg(all(feature = "rusty-leveldb", oxleveldb_peers))]
    (engine::RustyLevelDb::NAME, run::<engine::RustyLevelDb>),
];

/// The names of the engines this build has.
pub fn engine_names() -> Vec<&'static str> {
    ENGINES.iter().map(|(name, _)| *name).collect()
}

/// Runs the benchmark list of `flags` on the engine named `engine`.
pub fn run_engine(engine: &str, flags: &Flags) -> Result<Vec<Outcome>, String> {
    let (_, run) = ENGINES
        .iter()
        .find(|(name, _)| *name == engine)
        .ok_or_else(|| {
            format!(
                "unknown engine '{engine}' (this build has {}; leveldb and leveldb-c need --features \
                 system-leveldb, rocksdb and rusty-leveldb their features and RUSTFLAGS=\"--cfg oxleveldb_peers\")",
                engine_names().join(", ")
            )
        })?;
    Ok(run(flags))
}

/// db_bench's command: the flags from the command line, the benchmark list on each engine in turn, then the
/// comparison table.
pub fn main() {
    let flags = match parse_flags(std::env::args().skip(1)) {
        Ok(flags) => flags,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let started = Instant::now();
    let mut all: Vec<(String, Vec<Outcome>)> = Vec::new();
    for engine in &flags.engines {
        match run_engine(engine, &flags) {
            Ok(results) => all.push((engine.clone(), results)),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        println!();
    }

    if all.len() > 1 {
        // The comparison: micros/op per benchmark and engine, and how many times faster the last engine is than
        // the first (above 1: the last engine is faster).
        let (first, last) = (&all[0], &all[all.len() - 1]);
        print!("{:<12} :", "micros/op");
        for (engine, _) in &all {
            print!(" {engine:>12}");
        }
        println!("   speedup of {} over {}", last.0, first.0);
        for (i, outcome) in first.1.iter().enumerate() {
            print!("{:<12} :", outcome.name);
            for (_, results) in &all {
                print!(
                    " {:12.3}",
                    results.get(i).map_or(f64::NAN, |r| r.micros_per_op)
                );
            }
            let last_micros = last.1.get(i).map_or(f64::NAN, |r| r.micros_per_op);
            println!("   {:.2}x", outcome.micros_per_op / last_micros);
        }
    }
    eprintln!("total time: {:.1} s", started.elapsed().as_secs_f64());
}
