//! The service's event log: every entry goes to the state database (queryable
//! with `EventsRead` / `ssis events`), to stderr (journald under systemd), and
//! to live subscribers.

use super::db::Db;
use super::times::{format_ms, now_ms};
use crate::protocol::events::{EventLevel, LogEntry};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Event ids. 256–260, 272, 273 and 336 are the original service's
/// (MsDtsSrvr); the 1000 range is this product's. See docs/PROTOCOL.md.
pub mod ids {
    /// The service is starting.
    pub const SERVICE_STARTING: u32 = 256;
    /// The service started and accepts connections.
    pub const SERVICE_STARTED: u32 = 257;
    /// The service is stopping.
    pub const SERVICE_STOPPING: u32 = 258;
    /// The service stopped.
    pub const SERVICE_STOPPED: u32 = 259;
    /// The service could not start.
    pub const SERVICE_START_FAILED: u32 = 260;
    /// The configuration file is missing; the default configuration is used.
    pub const CONFIG_MISSING: u32 = 272;
    /// The configuration file is invalid.
    pub const CONFIG_INVALID: u32 = 273;
    /// A running package is being stopped because the service stops.
    pub const STOPPING_RUNNING_PACKAGE: u32 = 336;
    /// The configuration was loaded.
    pub const CONFIG_LOADED: u32 = 1001;
    /// A reload applied a changed configuration.
    pub const CONFIG_RELOADED: u32 = 1002;
    /// A reload was refused (invalid file); the old configuration stays.
    pub const CONFIG_REFUSED: u32 = 1003;
    /// A client connected (who, how).
    pub const CLIENT_CONNECTED: u32 = 1010;
    /// A request was denied (access control, issue 6).
    pub const ACCESS_DENIED: u32 = 1011;
    /// A client broke the protocol (malformed or oversized message).
    pub const PROTOCOL_ERROR: u32 = 1012;
    /// Access changed: a grant, a revoke, a token created or revoked.
    pub const ACCESS_CHANGED: u32 = 1013;
    /// The service listens on a network endpoint (`<Listen>`).
    pub const NETWORK_LISTENING: u32 = 1014;
    /// A package execution started.
    pub const PACKAGE_STARTED: u32 = 1020;
    /// A package execution succeeded.
    pub const PACKAGE_SUCCEEDED: u32 = 1021;
    /// A package execution failed.
    pub const PACKAGE_FAILED: u32 = 1022;
    /// A stop was asked for a package execution.
    pub const PACKAGE_STOPPING: u32 = 1023;
    /// A package execution stopped after a stop request.
    pub const PACKAGE_STOPPED: u32 = 1024;
    /// A package could not be started.
    pub const PACKAGE_START_FAILED: u32 = 1025;
    /// A package did not stop in time and was killed.
    pub const PACKAGE_KILLED: u32 = 1026;
    /// After a restart, a running execution was found again.
    pub const EXECUTION_RECOVERED: u32 = 1027;
    /// After a restart (or while adopted), an execution's process was gone: Unknown.
    pub const EXECUTION_LOST: u32 = 1028;
    /// At shutdown, a package kept running (by configuration) or did not stop.
    pub const PACKAGE_LEFT_RUNNING: u32 = 1029;
    /// The package store changed (import, delete, copy, move, folder changes, configuration).
    pub const STORE_CHANGED: u32 = 1030;
}

/// Writes event-log entries.
#[derive(Clone)]
pub struct EventLog {
    db: Arc<Db>,
    live: broadcast::Sender<LogEntry>,
}

/// One entry to write.
pub struct Entry<'a> {
    /// Severity.
    pub level: EventLevel,
    /// Event id (see [`ids`]).
    pub event_id: u32,
    /// Component.
    pub source: &'a str,
    /// User it is about.
    pub user: Option<&'a str>,
    /// Message.
    pub message: String,
    /// Structured details.
    pub data: Value,
    /// Execution it is about.
    pub execution_id: Option<&'a str>,
}

impl EventLog {
    /// An event log over `db`.
    pub fn new(db: Arc<Db>) -> EventLog {
        let (live, _) = broadcast::channel(1024);
        EventLog { db, live }
    }

    /// New entries as they are written.
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.live.subscribe()
    }

    /// Writes an entry to the database, stderr and subscribers.
    pub fn write(&self, e: Entry<'_>) {
        let ms = now_ms();
        let entry = LogEntry {
            sequence: 0,
            time: format_ms(ms),
            level: e.level,
            event_id: e.event_id,
            source: e.source.to_string(),
            user: e.user.map(str::to_string),
            message: e.message,
            data: e.data,
            execution_id: e.execution_id.map(str::to_string),
        };
        eprintln!(
            "{} {} {} {}: {}",
            entry.time,
            entry.level.name(),
            entry.event_id,
            entry.source,
            entry.message
        );
        match self.db.insert_event(entry, ms) {
            Ok(entry) => {
                let _ = self.live.send(entry);
            }
            Err(err) => eprintln!("ssis-service: cannot record the event: {err}"),
        }
    }

    /// Shorthand for an entry without user, data or execution.
    pub fn note(&self, level: EventLevel, event_id: u32, source: &str, message: String) {
        self.write(Entry {
            level,
            event_id,
            source,
            user: None,
            message,
            data: Value::Null,
            execution_id: None,
        });
    }
}
