//! Event methods: the service's event log and live execution events.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `EventsRead`: query the event log.
pub const READ: &str = "EventsRead";
/// `EventsSubscribe`: receive `ExecutionEvent` and `LogEvent` notifications on this connection.
pub const SUBSCRIBE: &str = "EventsSubscribe";
/// Notification name of a live execution event.
pub const EXECUTION_EVENT: &str = "ExecutionEvent";
/// Notification name of a new event-log entry.
pub const LOG_EVENT: &str = "LogEvent";

/// Severity of an event-log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventLevel {
    /// Normal operation.
    Information,
    /// Something to look at.
    Warning,
    /// Something failed.
    Error,
}

impl EventLevel {
    /// The name as JSON and the database spell it.
    pub fn name(self) -> &'static str {
        match self {
            EventLevel::Information => "Information",
            EventLevel::Warning => "Warning",
            EventLevel::Error => "Error",
        }
    }

    /// Parses a name (case-insensitive).
    pub fn parse(text: &str) -> Option<EventLevel> {
        [
            EventLevel::Information,
            EventLevel::Warning,
            EventLevel::Error,
        ]
        .into_iter()
        .find(|l| l.name().eq_ignore_ascii_case(text.trim()))
    }
}

/// The source name of every entry, the original service's (`SQLISService`).
pub const EVENT_SOURCE: &str = "SQLISService";

/// One entry of the service's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogEntry {
    /// Increasing number; use it as `AfterSequence` to read on.
    pub sequence: i64,
    /// RFC 3339 UTC.
    pub time: String,
    /// Severity.
    pub level: EventLevel,
    /// Event id (the original service's where it has one; see docs/PROTOCOL.md).
    pub event_id: u32,
    /// The event source, as the original service's: always [`EVENT_SOURCE`].
    pub source: String,
    /// The part of the service that wrote it (`Service`, `Executions`,
    /// `Store`, `Configuration`, `Connections`, `Access`).
    #[serde(default)]
    pub category: String,
    /// The user the event is about or caused by.
    pub user: Option<String>,
    /// A sentence for people.
    pub message: String,
    /// Structured details.
    pub data: Value,
    /// The execution it is about.
    pub execution_id: Option<String>,
}

/// `EventsRead` filters (all optional, combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct EventFilter {
    /// At or after this RFC 3339 time.
    #[serde(default)]
    pub since: Option<String>,
    /// This level or more severe.
    #[serde(default)]
    pub level: Option<EventLevel>,
    /// Message contains this text (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// About this execution.
    #[serde(default)]
    pub execution_id: Option<String>,
    /// This event id.
    #[serde(default)]
    pub event_id: Option<u32>,
    /// Only entries with a larger sequence number.
    #[serde(default)]
    pub after_sequence: Option<i64>,
    /// At most this many, oldest first (default 1,000, ceiling 10,000): the newest that match.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A live event of a running package (from the runner's `--events json`
/// lines), or a status change of the execution (`Event` = `StatusChanged`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionEvent {
    /// The execution.
    pub execution_id: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// `OnPreExecute`, `OnPostExecute`, `OnError`, ..., or `StatusChanged`.
    pub event: String,
    /// Package path of the source (`\Package\Load`).
    #[serde(default)]
    pub source_path: Option<String>,
    /// The source's type (`Package`, `STOCK:SEQUENCE`, ...).
    #[serde(default)]
    pub source_type: Option<String>,
    /// Event text, or the new status.
    #[serde(default)]
    pub message: Option<String>,
}

/// `EventsSubscribe` parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SubscribeParams {
    /// Only events of this execution (and no log events).
    #[serde(default)]
    pub execution_id: Option<String>,
}
