//! The state database (SQLite, WAL): execution history and the event log.
//!
//! Rows are written at every transition (created, running, stopping, ended),
//! each in its own transaction, so killing the service loses nothing that
//! happened before. Admins may query the file directly (`state.db`).

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter, types::Value as Sql};
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::events::{EVENT_SOURCE, EventFilter, EventLevel, LogEntry};
use ssis_core::protocol::executions::{
    Execution, ExecutionOrigin, ExecutionStatus, HistoryFilter, PackageIdentity,
};
use ssis_core::timefmt::{format_ms, now_ms};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS executions (
    execution_id   TEXT PRIMARY KEY,
    package_name   TEXT NOT NULL,
    package_path   TEXT,
    package_file   TEXT,
    store          TEXT NOT NULL,
    started_by     TEXT NOT NULL,
    started_from   TEXT NOT NULL,
    start_time     TEXT NOT NULL,
    start_ms       INTEGER NOT NULL,
    end_time       TEXT,
    end_ms         INTEGER,
    status         TEXT NOT NULL,
    exit_code      INTEGER,
    current_task   TEXT,
    process_id     INTEGER,
    process_start  INTEGER,
    command_line   TEXT NOT NULL,
    message        TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_start ON executions(start_ms);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions(status);
CREATE TABLE IF NOT EXISTS events (
    sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
    time          TEXT NOT NULL,
    time_ms       INTEGER NOT NULL,
    level         TEXT NOT NULL,
    severity      INTEGER NOT NULL,
    event_id      INTEGER NOT NULL,
    source        TEXT NOT NULL,
    user_name     TEXT,
    message       TEXT NOT NULL,
    data          TEXT NOT NULL,
    execution_id  TEXT
);
CREATE INDEX IF NOT EXISTS events_by_time ON events(time_ms);
CREATE INDEX IF NOT EXISTS events_by_execution ON events(execution_id);
";

/// Columns of `executions`, in [`row_to_execution`]'s order.
const EXECUTION_COLUMNS: &str = "execution_id, package_name, package_path, package_file, store, \
    started_by, started_from, start_time, start_ms, end_time, end_ms, status, exit_code, \
    current_task, process_id, command_line, message, origin, package_id, description, version, \
    executor";

/// How many [`EXECUTION_COLUMNS`] there are (the index of a column selected after them).
const EXECUTION_COLUMN_COUNT: usize = 22;

/// Columns added after the first release, with their type: added to an
/// older database when it is opened.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("origin", "TEXT"),
    ("package_id", "TEXT"),
    ("description", "TEXT"),
    ("version", "TEXT"),
    ("executor", "TEXT"),
];

/// Adds the [`ADDED_COLUMNS`] an older `executions` table lacks.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let mut have = Vec::new();
    {
        let mut stmt = conn.prepare("PRAGMA table_info(executions)")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
        for name in names {
            have.push(name?);
        }
    }
    for (column, kind) in ADDED_COLUMNS {
        if !have.iter().any(|h| h == column) {
            conn.execute_batch(&format!(
                "ALTER TABLE executions ADD COLUMN {column} {kind}"
            ))?;
        }
    }
    Ok(())
}

/// The state database.
pub struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// What is needed to find a running execution again after a restart.
#[derive(Debug, Clone)]
pub struct Unfinished {
    /// The execution as recorded.
    pub execution: Execution,
    /// Its start in milliseconds.
    pub start_ms: i64,
    /// Process start time (clock ticks since boot) recorded at spawn.
    pub process_start: Option<u64>,
}

fn db_err(path: &Path, e: rusqlite::Error) -> Error {
    let full = matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull));
    let message = match path.parent() {
        Some(dir) if full => format!(
            "the state directory '{}' is full (state database '{}': {e}); free space there: \
             execution history and the event log cannot be written",
            dir.display(),
            path.display()
        ),
        _ => format!("state database '{}': {e}", path.display()),
    };
    Error::new(ErrorKind::Io, message).with_target(path.display().to_string())
}

impl Db {
    /// Opens (creating) `state.db` in `dir`, in WAL mode.
    pub fn open(dir: &Path) -> Result<Db> {
        let path = dir.join("state.db");
        let conn = Connection::open(&path).map_err(|e| db_err(&path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|_| conn.execute_batch(SCHEMA))
            .and_then(|_| migrate(&conn))
            .map_err(|e| db_err(&path, e))?;
        Ok(Db {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// Opens an existing `state.db` in `dir` read-only, for reading the
    /// event log and history without a running service (`ssis events
    /// --state-dir`). A missing database is `NotFound`, naming the file.
    pub fn open_read_only(dir: &Path) -> Result<Db> {
        let path = dir.join("state.db");
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "there is no state database '{}' (is this the service's state directory?)",
                path.display()
            ))
            .with_target(path.display().to_string()));
        }
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| db_err(&path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| db_err(&path, e))?;
        Ok(Db {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::internal("state database lock poisoned"))?;
        f(&conn).map_err(|e| db_err(&self.path, e))
    }

    /// Records a new execution.
    pub fn insert_execution(&self, e: &Execution, start_ms: i64) -> Result<()> {
        let cmd = serde_json::to_string(&e.command_line).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            c.execute(
                "INSERT INTO executions (execution_id, package_name, package_path, package_file, store, \
                 started_by, started_from, start_time, start_ms, status, command_line, message, \
                 origin, package_id, description, version, process_id, executor) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    e.execution_id,
                    e.package_name,
                    e.package_path,
                    e.package_file,
                    e.store,
                    e.started_by,
                    e.started_from,
                    e.start_time,
                    start_ms,
                    e.status.name(),
                    cmd,
                    e.message,
                    e.origin.name(),
                    e.package_id,
                    e.description,
                    e.version,
                    e.process_id,
                    e.executor
                ],
            )
            .map(|_| ())
        })
    }

    /// Records that the process started.
    pub fn set_running(&self, id: &str, pid: u32, process_start: Option<u64>) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET status = 'Running', process_id = ?2, process_start = ?3 \
                 WHERE execution_id = ?1",
                params![id, pid, process_start.map(|v| v as i64)],
            )
            .map(|_| ())
        })
    }

    /// Changes the status (and message) of an execution that has not ended.
    pub fn set_status(
        &self,
        id: &str,
        status: ExecutionStatus,
        message: Option<&str>,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET status = ?2, message = COALESCE(?3, message) WHERE execution_id = ?1",
                params![id, status.name(), message],
            )
            .map(|_| ())
        })
    }

    /// Records the package's identity, as the runner reported it.
    pub fn set_identity(&self, id: &str, package: &PackageIdentity) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET package_id = ?2, description = ?3, version = ?4 \
                 WHERE execution_id = ?1",
                params![id, package.package_id, package.description, package.version],
            )
            .map(|_| ())
        })
    }

    /// Records which executor runs the package (`built-in` or a dtexec path).
    pub fn set_executor(&self, id: &str, executor: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET executor = ?2 WHERE execution_id = ?1",
                params![id, executor],
            )
            .map(|_| ())
        })
    }

    /// Records the task running now.
    pub fn set_current_task(&self, id: &str, task: Option<&str>) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE executions SET current_task = ?2 WHERE execution_id = ?1",
                params![id, task],
            )
            .map(|_| ())
        })
    }

    /// Records the end of an execution.
    pub fn finish(
        &self,
        id: &str,
        status: ExecutionStatus,
        exit_code: Option<i32>,
        message: Option<&str>,
        ended_ms: Option<i64>,
    ) -> Result<()> {
        let end = ended_ms.unwrap_or_else(now_ms);
        self.with(|c| {
            c.execute(
                "UPDATE executions SET status = ?2, exit_code = ?3, end_ms = ?4, end_time = ?5, \
                 message = COALESCE(?6, message) WHERE execution_id = ?1",
                params![id, status.name(), exit_code, end, format_ms(end), message],
            )
            .map(|_| ())
        })
    }

    /// One execution.
    pub fn get_execution(&self, id: &str) -> Result<Option<Execution>> {
        let now = now_ms();
        self.with(|c| {
            c.query_row(
                &format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE execution_id = ?1"),
                params![id],
                |r| row_to_execution(r, now),
            )
            .optional()
        })
    }

    /// Executions that had not ended when the service last stopped.
    pub fn unfinished(&self) -> Result<Vec<Unfinished>> {
        let now = now_ms();
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {EXECUTION_COLUMNS}, process_start FROM executions \
                 WHERE status IN ('Created', 'Running', 'Stopping') ORDER BY start_ms"
            ))?;
            let rows = stmt.query_map([], |r| {
                Ok(Unfinished {
                    execution: row_to_execution(r, now)?,
                    start_ms: r.get(8)?,
                    process_start: r
                        .get::<_, Option<i64>>(EXECUTION_COLUMN_COUNT)?
                        .map(|v| v as u64),
                })
            })?;
            rows.collect()
        })
    }

    /// History with filters, newest first.
    pub fn history(&self, f: &HistoryFilter) -> Result<Vec<Execution>> {
        let mut sql = format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE 1 = 1");
        let mut args: Vec<Sql> = Vec::new();
        if let Some(p) = f.package.as_deref().filter(|p| !p.is_empty()) {
            sql.push_str(
                " AND (instr(lower(package_name), lower(?)) > 0 OR instr(lower(COALESCE(package_path, '')), lower(?)) > 0 \
                 OR instr(lower(COALESCE(package_file, '')), lower(?)) > 0)",
            );
            for _ in 0..3 {
                args.push(Sql::Text(p.to_string()));
            }
        }
        if let Some(s) = f.status {
            sql.push_str(" AND status = ?");
            args.push(Sql::Text(s.name().into()));
        }
        if let Some(u) = f.user.as_deref().filter(|u| !u.is_empty()) {
            sql.push_str(" AND started_by = ? COLLATE NOCASE");
            args.push(Sql::Text(u.to_string()));
        }
        if let Some(since) = &f.since {
            sql.push_str(" AND start_ms >= ?");
            args.push(Sql::Integer(ssis_core::timefmt::parse_rfc3339(
                since, "Since",
            )?));
        }
        if let Some(until) = &f.until {
            sql.push_str(" AND start_ms < ?");
            args.push(Sql::Integer(ssis_core::timefmt::parse_rfc3339(
                until, "Until",
            )?));
        }
        let limit = f.limit.unwrap_or(100).clamp(1, 10_000);
        sql.push_str(&format!(
            " ORDER BY start_ms DESC, rowid DESC LIMIT {limit}"
        ));
        let now = now_ms();
        self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(params_from_iter(args), |r| row_to_execution(r, now))?;
            rows.collect()
        })
    }

    /// Appends an event-log entry; returns it with its sequence number.
    pub fn insert_event(&self, mut entry: LogEntry, time_ms: i64) -> Result<LogEntry> {
        let data = serde_json::to_string(&entry.data).unwrap_or_else(|_| "null".into());
        let seq = self.with(|c| {
            c.execute(
                "INSERT INTO events (time, time_ms, level, severity, event_id, source, user_name, message, data, execution_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    entry.time,
                    time_ms,
                    entry.level.name(),
                    entry.level as i64,
                    entry.event_id,
                    entry.category,
                    entry.user,
                    entry.message,
                    data,
                    entry.execution_id
                ],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        entry.sequence = seq;
        Ok(entry)
    }

    /// Event-log entries with filters: the newest `Limit` that match, oldest first.
    pub fn events(&self, f: &EventFilter) -> Result<Vec<LogEntry>> {
        let mut sql = String::from(
            "SELECT sequence, time, level, event_id, source, user_name, message, data, execution_id \
             FROM events WHERE 1 = 1",
        );
        let mut args: Vec<Sql> = Vec::new();
        if let Some(since) = &f.since {
            sql.push_str(" AND time_ms >= ?");
            args.push(Sql::Integer(ssis_core::timefmt::parse_rfc3339(
                since, "Since",
            )?));
        }
        if let Some(level) = f.level {
            sql.push_str(" AND severity >= ?");
            args.push(Sql::Integer(level as i64));
        }
        if let Some(t) = f.text.as_deref().filter(|t| !t.is_empty()) {
            sql.push_str(" AND instr(lower(message), lower(?)) > 0");
            args.push(Sql::Text(t.to_string()));
        }
        if let Some(id) = &f.execution_id {
            sql.push_str(" AND execution_id = ? COLLATE NOCASE");
            args.push(Sql::Text(id.clone()));
        }
        if let Some(id) = f.event_id {
            sql.push_str(" AND event_id = ?");
            args.push(Sql::Integer(i64::from(id)));
        }
        if let Some(after) = f.after_sequence {
            sql.push_str(" AND sequence > ?");
            args.push(Sql::Integer(after));
        }
        let limit = f.limit.unwrap_or(1000).clamp(1, 10_000);
        sql.push_str(&format!(" ORDER BY sequence DESC LIMIT {limit}"));
        let mut rows = self.with(|c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(params_from_iter(args), |r| {
                let level: String = r.get(2)?;
                let data: String = r.get(7)?;
                Ok(LogEntry {
                    sequence: r.get(0)?,
                    time: r.get(1)?,
                    level: EventLevel::parse(&level).unwrap_or(EventLevel::Information),
                    event_id: r.get(3)?,
                    source: EVENT_SOURCE.into(),
                    category: r.get(4)?,
                    user: r.get(5)?,
                    message: r.get(6)?,
                    data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
                    execution_id: r.get(8)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.reverse();
        Ok(rows)
    }

    /// Deletes ended executions that ended before `before_ms`; returns their ids.
    pub fn prune_executions(&self, before_ms: i64) -> Result<Vec<String>> {
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            let ids = {
                let mut stmt = tx.prepare(
                    "SELECT execution_id FROM executions \
                     WHERE status NOT IN ('Created', 'Running', 'Stopping') \
                     AND COALESCE(end_ms, start_ms) < ?1",
                )?;
                let rows = stmt.query_map(params![before_ms], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            tx.execute(
                "DELETE FROM executions WHERE status NOT IN ('Created', 'Running', 'Stopping') \
                 AND COALESCE(end_ms, start_ms) < ?1",
                params![before_ms],
            )?;
            tx.commit()?;
            Ok(ids)
        })
    }

    /// Deletes event-log entries older than `before_ms`; returns how many.
    pub fn prune_events(&self, before_ms: i64) -> Result<usize> {
        self.with(|c| c.execute("DELETE FROM events WHERE time_ms < ?1", params![before_ms]))
    }
}

fn row_to_execution(r: &Row<'_>, now: i64) -> rusqlite::Result<Execution> {
    let status: String = r.get(11)?;
    let start_ms: i64 = r.get(8)?;
    let end_ms: Option<i64> = r.get(10)?;
    let cmd: String = r.get(15)?;
    Ok(Execution {
        execution_id: r.get(0)?,
        package_name: r.get(1)?,
        package_path: r.get(2)?,
        package_file: r.get(3)?,
        store: r.get(4)?,
        started_by: r.get(5)?,
        started_from: r.get(6)?,
        start_time: r.get(7)?,
        end_time: r.get(9)?,
        duration: (end_ms.unwrap_or(now) - start_ms).max(0) as f64 / 1000.0,
        status: ExecutionStatus::parse(&status).unwrap_or(ExecutionStatus::Unknown),
        exit_code: r.get(12)?,
        current_task: r.get(13)?,
        process_id: r.get::<_, Option<i64>>(14)?.map(|p| p as u32),
        command_line: serde_json::from_str(&cmd).unwrap_or_default(),
        message: r.get(16)?,
        origin: ExecutionOrigin::parse(&r.get::<_, Option<String>>(17)?.unwrap_or_default()),
        package_id: r.get(18)?,
        description: r.get(19)?,
        version: r.get(20)?,
        executor: r.get(21)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_count_matches_the_list() {
        assert_eq!(EXECUTION_COLUMNS.split(',').count(), EXECUTION_COLUMN_COUNT);
    }

    fn sample(id: &str, name: &str, start_ms: i64) -> Execution {
        Execution {
            package_path: Some(format!("\\File System\\{name}")),
            store: "File System".into(),
            started_by: "alice".into(),
            started_from: "test".into(),
            command_line: vec!["x".into()],
            ..Execution::created(id.into(), name.into(), format_ms(start_ms))
        }
    }

    #[test]
    fn history_survives_reopen_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = Db::open(dir.path()).unwrap();
            db.insert_execution(&sample("a", "Daily Load", 1000), 1000)
                .unwrap();
            db.insert_execution(&sample("b", "Weekly", 2000), 2000)
                .unwrap();
            db.set_running("a", 42, Some(7)).unwrap();
            db.finish("b", ExecutionStatus::Failed, Some(1), Some("boom"), None)
                .unwrap();
        }
        let db = Db::open(dir.path()).unwrap();
        let un = db.unfinished().unwrap();
        assert_eq!(un.len(), 1);
        assert_eq!(un[0].execution.status, ExecutionStatus::Running);
        assert_eq!(un[0].process_start, Some(7));
        let all = db.history(&HistoryFilter::default()).unwrap();
        assert_eq!(
            all.iter()
                .map(|e| e.execution_id.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        let f = HistoryFilter {
            package: Some("daily".into()),
            ..Default::default()
        };
        assert_eq!(db.history(&f).unwrap().len(), 1);
        let f = HistoryFilter {
            status: Some(ExecutionStatus::Failed),
            user: Some("ALICE".into()),
            ..Default::default()
        };
        let failed = db.history(&f).unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].exit_code, Some(1));
        assert_eq!(failed[0].message.as_deref(), Some("boom"));
        let f = HistoryFilter {
            since: Some(format_ms(1500)),
            ..Default::default()
        };
        assert_eq!(db.history(&f).unwrap()[0].execution_id, "b");
        let f = HistoryFilter {
            since: Some("soon".into()),
            ..Default::default()
        };
        assert_eq!(db.history(&f).unwrap_err().kind, ErrorKind::InvalidArgument);
    }

    #[test]
    fn events_filter_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path()).unwrap();
        for (i, level) in [
            EventLevel::Information,
            EventLevel::Error,
            EventLevel::Warning,
        ]
        .into_iter()
        .enumerate()
        {
            let entry = LogEntry {
                sequence: 0,
                time: format_ms(i as i64 * 1000),
                level,
                event_id: 256 + i as u32,
                source: EVENT_SOURCE.into(),
                category: "Service".into(),
                user: None,
                message: format!("message {i}"),
                data: serde_json::json!({"N": i}),
                execution_id: (i == 1).then(|| "x".into()),
            };
            db.insert_event(entry, i as i64 * 1000).unwrap();
        }
        let warn = EventFilter {
            level: Some(EventLevel::Warning),
            ..Default::default()
        };
        assert_eq!(db.events(&warn).unwrap().len(), 2);
        let text = EventFilter {
            text: Some("MESSAGE 2".into()),
            ..Default::default()
        };
        assert_eq!(db.events(&text).unwrap()[0].data["N"], 2);
        let exec = EventFilter {
            execution_id: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(db.events(&exec).unwrap()[0].event_id, 257);
        assert_eq!(db.prune_events(1500).unwrap(), 2);
        assert_eq!(db.events(&EventFilter::default()).unwrap().len(), 1);
    }
}
