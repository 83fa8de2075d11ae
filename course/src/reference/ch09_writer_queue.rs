//! Chapter 9, the reference: the engine's writer queue, in a database in memory. Its log is read back from the
//! in-memory env; `joined` and the log-write hook come from the engine's event listener (a writer is counted
//! when it queues, under the database's mutex; the hook runs at the leader's log append, with the mutex
//! released).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use oxleveldb::env::{read_file_to_string, Env, MemEnv};
use oxleveldb::events::{EventListener, LogRecord, WriteQueued};
use oxleveldb::{Options, WriteOptions, DB};

use crate::ch03_memtable::WriteBatch;

struct Listener {
    joined: AtomicUsize,
    on_log_write: Box<dyn Fn() + Send + Sync>,
}

impl EventListener for Listener {
    fn on_write_queued(&self, _event: &WriteQueued) {
        self.joined.fetch_add(1, Ordering::SeqCst);
    }

    fn on_log_record(&self, _event: &LogRecord) {
        (self.on_log_write)();
    }
}

pub struct WriteQueue {
    db: DB,
    env: Arc<MemEnv>,
    listener: Arc<Listener>,
}

const DBNAME: &str = "/course-db";

impl WriteQueue {
    pub fn new(on_log_write: impl Fn() + Send + Sync + 'static) -> WriteQueue {
        let env = Arc::new(MemEnv::default());
        let listener = Arc::new(Listener {
            joined: AtomicUsize::new(0),
            on_log_write: Box::new(on_log_write),
        });
        let options = Options {
            create_if_missing: true,
            env: env.clone(),
            event_listener: Some(listener.clone()),
            ..Options::default()
        };
        let db = DB::open(options, DBNAME).expect("a database in memory");
        WriteQueue { db, env, listener }
    }

    pub fn joined(&self) -> usize {
        self.listener.joined.load(Ordering::SeqCst)
    }

    pub fn log_records(&self) -> Vec<Vec<u8>> {
        let mut logs: Vec<String> = self
            .env
            .get_children(Path::new(DBNAME))
            .expect("the database's folder")
            .into_iter()
            .filter(|f| f.ends_with(".log"))
            .collect();
        logs.sort();
        logs.iter()
            .flat_map(|log| {
                let path = Path::new(DBNAME).join(log);
                let bytes = read_file_to_string(&*self.env, &path).expect("the log");
                crate::fixtures::log_records_of(&bytes)
            })
            .collect()
    }

    pub fn write(&self, batch: WriteBatch, sync: bool) {
        self.db
            .write_opt(&batch.0, &WriteOptions { sync })
            .expect("memory does not fail");
    }
}
