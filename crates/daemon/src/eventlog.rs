//! The service's event log: every entry goes to the state database (queryable
//! with `EventsRead` / `ssis events`), to stderr (journald under systemd), and
//! to live subscribers.

use super::connlog::{ConnectionLog, Summary};
use super::db::Db;
use serde_json::Value;
use ssis_core::protocol::events::{EVENT_SOURCE, EventLevel, LogEntry};
use ssis_core::timefmt::{format_ms, now_ms};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
    /// The setting that names the configuration file is there but empty (the
    /// original: its registry value is missing); the default location is used.
    pub const CONFIG_LOCATION_MISSING: u32 = 274;
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
    /// The retention deleted old executions, output logs or event-log entries.
    pub const RETENTION_APPLIED: u32 = 1031;
    /// The state directory or a file in it was readable by others; its mode was tightened.
    pub const STATE_PERMISSIONS_TIGHTENED: u32 = 1040;
    /// Entries could not be recorded (e.g. the state disk was full); their count.
    pub const EVENTS_NOT_RECORDED: u32 = 1041;
    /// Part of an execution's output could not be written to its log (a full disk).
    pub const OUTPUT_NOT_RECORDED: u32 = 1042;
}

/// The sd-daemon(3) priority of a level: `<3>` error, `<4>` warning, `<6>` info.
pub fn journal_priority(level: EventLevel) -> u8 {
    match level {
        EventLevel::Error => 3,
        EventLevel::Warning => 4,
        EventLevel::Information => 6,
    }
}

/// An entry as written to stderr. For the journal (`journal`: systemd set
/// `JOURNAL_STREAM`), every line starts with its priority prefix and the
/// time is left to the journal; otherwise the line starts with the time.
pub fn stderr_text(e: &LogEntry, journal: bool) -> String {
    let text = format!(
        "{} {} {}: {}",
        e.level.name(),
        e.event_id,
        e.category,
        e.message
    );
    let mut out = String::with_capacity(text.len() + 40);
    for line in text.lines() {
        if journal {
            out.push_str(&format!("<{}>{line}\n", journal_priority(e.level)));
        } else {
            out.push_str(&format!("{} {line}\n", e.time));
        }
    }
    out
}

/// The default window over which "client connected" entries are summed up.
pub const DEFAULT_CONNECTION_WINDOW: Duration = Duration::from_secs(60);

/// Writes event-log entries.
#[derive(Clone)]
pub struct EventLog {
    db: Arc<Db>,
    live: broadcast::Sender<LogEntry>,
    connections: Arc<ConnectionLog>,
    /// Stderr is connected to the journal: lines carry sd-daemon priority prefixes.
    journal: bool,
    /// Entries the database refused since the last one it took.
    unrecorded: Arc<Mutex<Option<Unrecorded>>>,
}

/// Entries the database could not take (a full disk): counted, then
/// reported by an event once it takes entries again.
#[derive(Debug, Clone)]
struct Unrecorded {
    count: u64,
    first: String,
    last: String,
    error: String,
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
    /// An event log over `db`; "client connected" entries are summed up
    /// per user over [`DEFAULT_CONNECTION_WINDOW`].
    pub fn new(db: Arc<Db>) -> EventLog {
        EventLog::with_connection_window(db, DEFAULT_CONNECTION_WINDOW)
    }

    /// An event log whose "client connected" entries are summed up per user
    /// over `window` (zero: one entry per connection).
    pub fn with_connection_window(db: Arc<Db>, window: Duration) -> EventLog {
        let (live, _) = broadcast::channel(1024);
        EventLog {
            db,
            live,
            connections: Arc::new(ConnectionLog::new(window)),
            journal: std::env::var_os("JOURNAL_STREAM").is_some_and(|v| !v.is_empty()),
            unrecorded: Arc::new(Mutex::new(None)),
        }
    }

    /// Records a client connection (event 1010), rate-limited per user: the
    /// first of a window in full, the rest as one summary when it closes.
    pub fn client_connected(&self, user: &str, client: &str, message: String, data: Value) {
        let (full, summary) = self.connections.connected(user, client, Instant::now());
        if let Some(s) = summary {
            self.write_summary(s);
        }
        if full {
            self.write(Entry {
                level: EventLevel::Information,
                event_id: ids::CLIENT_CONNECTED,
                source: "Connections",
                user: Some(user),
                message,
                data,
                execution_id: None,
            });
        }
    }

    /// Writes the summaries of connection windows that have closed.
    pub fn flush_connections(&self) {
        for s in self.connections.flush(Instant::now()) {
            self.write_summary(s);
        }
    }

    /// Writes the summary of every open window (at shutdown, so no count is lost).
    pub fn close_connection_windows(&self) {
        for s in self.connections.flush_all() {
            self.write_summary(s);
        }
    }

    fn write_summary(&self, s: Summary) {
        self.write(Entry {
            level: EventLevel::Information,
            event_id: ids::CLIENT_CONNECTED,
            source: "Connections",
            user: Some(&s.user),
            message: format!(
                "{} connected {} more time{} within {} s ({}); these connections were not logged one by one.",
                s.user,
                s.count,
                if s.count == 1 { "" } else { "s" },
                s.window_seconds,
                s.clients.join(", ")
            ),
            data: serde_json::json!({
                "User": s.user,
                "Connections": s.count,
                "Clients": s.clients,
                "WindowSeconds": s.window_seconds,
            }),
            execution_id: None,
        });
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
            source: EVENT_SOURCE.to_string(),
            category: e.source.to_string(),
            user: e.user.map(escape_controls),
            message: escape_controls(&e.message),
            data: e.data,
            execution_id: e.execution_id.map(str::to_string),
        };
        eprint!("{}", stderr_text(&entry, self.journal));
        #[cfg(windows)]
        mirror_to_windows(&entry);
        self.report_unrecorded();
        let time = entry.time.clone();
        match self.db.insert_event(entry, ms) {
            Ok(entry) => {
                let _ = self.live.send(entry);
            }
            Err(err) => {
                eprintln!("ssis-service: cannot record the event: {err}");
                self.count_unrecorded(&time, &err.message);
            }
        }
    }

    fn count_unrecorded(&self, time: &str, error: &str) {
        let mut lost = self.unrecorded.lock().unwrap_or_else(|p| p.into_inner());
        let lost = lost.get_or_insert_with(|| Unrecorded {
            count: 0,
            first: time.to_string(),
            last: String::new(),
            error: error.to_string(),
        });
        lost.count += 1;
        lost.last = time.to_string();
    }

    /// Records how many entries the database refused, once it takes
    /// entries again (the entries themselves went to stderr / the journal).
    fn report_unrecorded(&self) {
        let Some(lost) = self
            .unrecorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        else {
            return;
        };
        let ms = now_ms();
        let entry = LogEntry {
            sequence: 0,
            time: format_ms(ms),
            level: EventLevel::Warning,
            event_id: ids::EVENTS_NOT_RECORDED,
            source: EVENT_SOURCE.to_string(),
            category: "Service".to_string(),
            user: None,
            message: format!(
                "{} event{} could not be recorded between {} and {} ({}); {} written to the \
                 service's standard error (the system journal) only.",
                lost.count,
                if lost.count == 1 { "" } else { "s" },
                lost.first,
                lost.last,
                escape_controls(&lost.error),
                if lost.count == 1 {
                    "it was"
                } else {
                    "they were"
                },
            ),
            data: serde_json::json!({
                "Count": lost.count,
                "First": lost.first,
                "Last": lost.last,
                "Error": lost.error,
            }),
            execution_id: None,
        };
        eprint!("{}", stderr_text(&entry, self.journal));
        match self.db.insert_event(entry, ms) {
            Ok(entry) => {
                let _ = self.live.send(entry);
            }
            Err(_) => {
                // Still refused: keep counting from where it was.
                let mut now = self.unrecorded.lock().unwrap_or_else(|p| p.into_inner());
                *now = Some(match now.take() {
                    Some(later) => Unrecorded {
                        count: lost.count + later.count,
                        last: later.last,
                        ..lost
                    },
                    None => lost,
                });
            }
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

/// Reports an entry to the Windows Event Log too (under our own source).
#[cfg(windows)]
fn mirror_to_windows(e: &LogEntry) {
    let record = super::windows::eventlog::record(
        e.level,
        e.event_id,
        &e.category,
        e.user.as_deref(),
        &e.message,
        e.execution_id.as_deref(),
    );
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if let Err(err) = super::windows::eventlog::report(&record) {
        if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("ssis-service: cannot write to the Windows Event Log: {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: EventLevel, message: &str) -> LogEntry {
        LogEntry {
            sequence: 1,
            time: "2024-05-01T10:00:00.000Z".into(),
            level,
            event_id: 1022,
            source: EVENT_SOURCE.into(),
            category: "Executions".into(),
            user: None,
            message: message.into(),
            data: Value::Null,
            execution_id: None,
        }
    }

    #[test]
    fn journal_lines_carry_priority_prefixes() {
        let e = entry(EventLevel::Error, "Package failed;\nsecond line");
        assert_eq!(
            stderr_text(&e, true),
            "<3>Error 1022 Executions: Package failed;\n<3>second line\n"
        );
        assert_eq!(
            stderr_text(&entry(EventLevel::Warning, "w"), true),
            "<4>Warning 1022 Executions: w\n"
        );
        assert_eq!(
            stderr_text(&entry(EventLevel::Information, "i"), true),
            "<6>Information 1022 Executions: i\n"
        );
        assert_eq!(
            stderr_text(&e, false),
            "2024-05-01T10:00:00.000Z Error 1022 Executions: Package failed;\n2024-05-01T10:00:00.000Z second line\n"
        );
    }
}

/// `text` with control characters and bidirectional-override marks escaped
/// (`\n`, `\u{202e}`), so that nothing a caller sends (a method name, a
/// user name from a token) can start a forged line or reorder what an
/// administrator reads.
pub fn escape_controls(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(hidden) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod escape_tests {
    use super::escape_controls;

    #[test]
    fn control_characters_cannot_forge_lines_or_reorder_text() {
        assert_eq!(escape_controls("plain Grüße"), "plain Grüße");
        assert_eq!(
            escape_controls("X\n2026-01-01 Error 1011 forged"),
            "X\\n2026-01-01 Error 1011 forged"
        );
        assert_eq!(escape_controls("a\r\tb\u{1b}[31m"), "a\\r\\tb\\u{1b}[31m");
        assert_eq!(escape_controls("exe.\u{202e}txt"), "exe.\\u{202e}txt");
    }
}
