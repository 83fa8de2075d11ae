//! The crash-state explorer, after ALICE (Pillai et al., "All File Systems Are Not Created Equal", OSDI'14): record
//! the file-system operations a workload makes on one engine, build the states a crash could leave on disk under
//! a file system's persistence model, open each with the engine that wrote it, and report the states that break
//! the durability guarantee, grouped by cause. The same for oxleveldb and for the system's C++ LevelDB 1.23, whose
//! recordings come from the same format.
//!
//! - [`workload`]: [`CrashWorkload`], the writes (some synced), compactions and reopens to record.
//! - [`recording`]: the recording format's parser and [`record`], which runs a workload through a recording Env.
//! - [`state`]: [`CrashState`], a crash point and what did not reach the disk, and its materialization.
//! - [`models`]: [`Model::Ordered`] and [`Model::AnythingUnsynced`], and the states each allows.
//! - [`check`]: the guarantee a state must keep.
//! - [`explore`]: [`explore()`], which checks a model's states and groups the failures into [`Vulnerability`]s.

pub mod check;
pub mod explore;
pub mod models;
pub mod recording;
pub mod state;
pub mod workload;

pub use check::{Expectations, Violation};
pub use explore::{explore, Checker, ModelReport, Vulnerability};
pub use models::Model;
pub use recording::{record, EngineKind, FsOp, Recording};
pub use state::{CrashState, Deviation, Tear};
pub use workload::{CrashWorkload, Step};

/// A directory for materializing crash states: in memory (/dev/shm) where there is one, since every open of a
/// state syncs files and a sync to a disk costs milliseconds; elsewhere the system's temporary directory.
pub fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("crash-explore")
            .tempdir_in(shm)
        {
            return Ok(dir);
        }
    }
    tempfile::tempdir()
}
