//! The running service's shared state: the configuration and store in
//! force (a [`Host`], the same the in-process session uses), the
//! database, the event log, the executions manager and the shutdown signal.

use super::db::Db;
use super::eventlog::{Entry, EventLog, ids};
use super::executions::Executions;
use super::launch::Executor;
use super::ratelimit::LogLimiter;
use serde_json::json;
use ssis_core::error::{Error, Result};
use ssis_core::ops::{Host, Workspace};
use ssis_core::protocol::PROTOCOL_VERSION;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::service::ServiceInfo;
use ssis_core::store::index::{self, Indexes};
use std::path::{Path, PathBuf};

use std::sync::Arc;
use tokio::sync::watch;

/// Opens the configuration (`explicit`, else `$SSIS_SERVICE_CONFIG`, else
/// the platform default, else the built-in default) and its store. A panic
/// in either (a bug) becomes an `Internal` error, not a dead service. File
/// System folders list through a warm index ([`crate::index_watch`]).
pub fn load(explicit: Option<&Path>) -> Result<Host> {
    let explicit = explicit.map(Path::to_path_buf);
    let indexes = Arc::new(Indexes::new(index::DEFAULT_CAPACITY));
    std::panic::catch_unwind(move || Host::open_indexed(explicit.as_deref(), Some(indexes)))
        .unwrap_or_else(|panic| Err(panic_error("loading the configuration", panic)))
}

/// An `Internal` error for a caught panic.
pub fn panic_error(what: &str, panic: Box<dyn std::any::Any + Send>) -> Error {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Error::internal(format!("internal error while {what}: {text}"))
}

/// The service's shared state.
pub struct Service {
    /// Where it listens (`unix:<path>`).
    pub listen: String,
    /// The state directory.
    pub state_dir: PathBuf,
    /// Start time (RFC 3339).
    pub started: String,
    /// The configuration and store in force.
    pub host: Host,
    /// History and events.
    pub db: Arc<Db>,
    /// The event log.
    pub log: EventLog,
    /// Running packages.
    pub executions: Arc<Executions>,
    /// The allowance of access-denied entries per caller.
    pub denials: LogLimiter,
    /// The allowance of protocol-error entries per caller.
    pub protocol_errors: LogLimiter,
    shutdown: watch::Sender<Option<Shutdown>>,
}

impl Service {
    /// Assembles the state.
    pub fn new(
        listen: String,
        state_dir: PathBuf,
        host: Host,
        db: Arc<Db>,
        log: EventLog,
        executions: Arc<Executions>,
    ) -> Service {
        Service {
            listen,
            state_dir,
            started: ssis_core::timefmt::now_rfc3339(),
            host,
            db,
            log,
            executions,
            denials: LogLimiter::new(
                crate::access::check::LOG_BURST,
                crate::access::check::LOG_WINDOW,
            ),
            protocol_errors: LogLimiter::new(
                crate::access::check::LOG_BURST,
                crate::access::check::LOG_WINDOW,
            ),
            shutdown: watch::channel(None).0,
        }
    }

    /// The configuration and store in force.
    pub fn loaded(&self) -> Arc<Workspace> {
        self.host.current()
    }

    /// Re-reads the configuration file. An invalid file is refused (and
    /// logged); the configuration in force stays.
    pub fn reload(&self, user: &str) -> Result<ServiceInfo> {
        let reloaded =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.host.reload()))
                .unwrap_or_else(|panic| Err(panic_error("reloading the configuration", panic)));
        match reloaded {
            Ok(new) => {
                let file = describe_path(new.config.path.as_deref());
                self.log.write(Entry {
                    level: EventLevel::Information,
                    event_id: ids::CONFIG_RELOADED,
                    source: "Configuration",
                    user: Some(user),
                    message: format!("The configuration was reloaded from {file}."),
                    data: json!({"File": file}),
                    execution_id: None,
                });
                Ok(self.info())
            }
            Err(err) => {
                self.log.write(Entry {
                    level: EventLevel::Error,
                    event_id: ids::CONFIG_REFUSED,
                    source: "Configuration",
                    user: Some(user),
                    message: format!(
                        "The configuration was not reloaded; the previous one stays in force: {err}"
                    ),
                    data: serde_json::to_value(&err).unwrap_or_default(),
                    execution_id: None,
                });
                Err(Error {
                    message: format!(
                        "the configuration was refused and the previous one stays in force: {}",
                        err.message
                    ),
                    ..err
                })
            }
        }
    }

    /// What the service is and runs with.
    pub fn info(&self) -> ServiceInfo {
        let loaded = self.loaded();
        ServiceInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            process_id: std::process::id(),
            start_time: self.started.clone(),
            listen: self.listen.clone(),
            config_path: loaded.config.path.as_ref().map(|p| p.display().to_string()),
            config_loaded: loaded.loaded_at.clone(),
            state_directory: self.state_dir.display().to_string(),
            executor: Executor::from_config(&loaded.config)
                .map(|e| e.describe())
                .unwrap_or_default(),
            stop_executing_packages_on_shutdown: loaded.config.stop_executing_packages_on_shutdown,
            running_executions: self.executions.running_count(),
        }
    }

    /// Asks the service to stop, for `reason` (asked by `user`, when a
    /// caller asked); the first request is the one logged.
    pub fn request_shutdown(&self, reason: String, user: Option<String>) {
        if self.shutdown.borrow().is_none()
            && self.loaded().config.stop_executing_packages_on_shutdown
        {
            self.executions
                .cancel_all_registered(user.as_deref().unwrap_or("the service"));
        }
        self.shutdown.send_if_modified(|r| {
            if r.is_none() {
                *r = Some(Shutdown { reason, user });
                true
            } else {
                false
            }
        });
    }

    /// Resolves once a shutdown was asked for, with who asked and why.
    pub async fn shutting_down(&self) -> Shutdown {
        let mut rx = self.shutdown.subscribe();
        match rx.wait_for(|s| s.is_some()).await {
            Ok(r) => r.clone().unwrap_or_default(),
            Err(_) => Shutdown::default(),
        }
    }
}

/// Why the service stops.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    /// For people: `SIGTERM`, `asked by alice (uid 1000)`, ...
    pub reason: String,
    /// The caller who asked, when one did.
    pub user: Option<String>,
}

/// A configuration file for messages: its path, or "the built-in default".
pub fn describe_path(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("'{}'", p.display()),
        None => "the built-in default configuration".into(),
    }
}
