//! The executions manager: starts packages as executor processes, watches
//! them (exit, current task, output cap), stops them (SIGTERM to the group,
//! SIGKILL after the grace period), and finds them again after a restart.

//!
//! This file holds the manager's state and its small accessors; the work is
//! in the files of `executions/`: `start` (launching through a supervisor),
//! `monitor` (watching a run), `finish` (recording its end), `stop` (stop
//! requests and shutdown), `queries` (get, list, history, wait, output),
//! `recover` (after a restart) and `registered` (command-line runs).

mod finish;
mod monitor;
mod queries;
mod recover;
mod registered;
mod start;
mod stop;
#[cfg(all(test, unix))]
mod tests;

use super::db::Db;
use super::eventlog::EventLog;
use ssis_core::error::{Error, Result};
use ssis_core::protocol::events::ExecutionEvent;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Tunables of the executions manager.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder of the per-execution output logs.
    pub output_dir: PathBuf,
    /// Size cap of one output log, in bytes.
    pub output_cap: u64,
    /// Time between SIGTERM and SIGKILL when stopping.
    pub stop_grace: Duration,
    /// How often output is scanned and adopted processes are checked.
    pub poll: Duration,
    /// The program whose `service supervise` wraps each executor (this binary).
    pub supervisor: PathBuf,
}

/// An execution whose process the service watches.
struct Active {
    id: String,
    pid: u32,
    stop_requested: AtomicBool,
    done: watch::Sender<bool>,
    current_task: Mutex<Option<String>>,
}

/// Starts, stops and watches executions.
pub struct Executions {
    db: Arc<Db>,
    log: EventLog,
    settings: Settings,
    live: broadcast::Sender<ExecutionEvent>,
    active: Mutex<HashMap<String, Arc<Active>>>,
    /// A supervisor started ahead, waiting for its job.
    spare: Mutex<Option<tokio::process::Child>>,
    /// Command-line runs that registered, by execution id.
    registered: Mutex<HashMap<String, registered::Registered>>,
}

/// How a watched process ended.
enum Ending {
    Exited(ExitStatus),
    Gone,
}

impl Executions {
    /// A manager over `db`, logging to `log`.
    pub fn new(db: Arc<Db>, log: EventLog, settings: Settings) -> Result<Arc<Executions>> {
        std::fs::create_dir_all(&settings.output_dir)
            .map_err(|e| Error::io(&e, "create the output folder", &settings.output_dir))?;
        let (live, _) = broadcast::channel(4096);
        Ok(Arc::new(Executions {
            db,
            log,
            settings,
            live,
            active: Mutex::new(HashMap::new()),
            spare: Mutex::new(None),
            registered: Mutex::new(HashMap::new()),
        }))
    }

    /// Live execution events.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        self.live.subscribe()
    }

    fn active_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Active>>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn registered_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, registered::Registered>> {
        self.registered.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn find_active(&self, id: &str) -> Option<Arc<Active>> {
        self.active_map().get(&id.to_ascii_lowercase()).cloned()
    }

    /// How many executions are running: watched ones and registered
    /// command-line runs.
    pub fn running_count(&self) -> usize {
        self.active_map().len() + self.registered_count()
    }

    fn log_path(&self, id: &str) -> PathBuf {
        self.settings.output_dir.join(format!("{id}.log"))
    }

    /// Where the supervisor of `id` writes the executor's exit code.
    fn exit_path(&self, id: &str) -> PathBuf {
        self.settings.output_dir.join(format!("{id}.exit"))
    }
}
