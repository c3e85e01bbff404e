//! Retention: what the state directory keeps. Ended executions older than
//! the history retention are deleted with their output logs; output logs
//! alone go after the (usually shorter) output retention; event-log entries
//! after the event retention. Running executions are never touched. A zero
//! retention keeps everything.
//!
//! Applied at start-up and every hour by the daemon.

use super::db::Db;
use ssis_core::error::Result;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long each kind of state is kept (zero: for ever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Ended executions (history rows, with their output logs).
    pub history: Duration,
    /// Output logs of ended executions (their history rows stay).
    pub output: Duration,
    /// Event-log entries.
    pub events: Duration,
}

/// What one pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// History rows.
    pub executions: usize,
    /// Output log and exit files.
    pub files: usize,
    /// Event-log entries.
    pub events: usize,
}

fn cutoff(now_ms: i64, keep: Duration) -> Option<i64> {
    (!keep.is_zero()).then(|| now_ms - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX / 2))
}

/// Applies `r` at `now_ms` to the database and the output folder.
pub fn apply(db: &Db, output_dir: &Path, r: &Retention, now_ms: i64) -> Result<Pruned> {
    let mut pruned = Pruned::default();
    if let Some(before) = cutoff(now_ms, r.history) {
        let ids = db.prune_executions(before)?;
        pruned.executions = ids.len();
        for id in &ids {
            pruned.files += remove_files_of(output_dir, id);
        }
    }
    if let Some(before) = cutoff(now_ms, r.output) {
        pruned.files += prune_logs(db, output_dir, before)?;
    }
    if let Some(before) = cutoff(now_ms, r.events) {
        pruned.events = db.prune_events(before)?;
    }
    Ok(pruned)
}

/// Removes `<id>.log`, `<id>.log.events` and `<id>.exit`; returns how many existed.
fn remove_files_of(dir: &Path, id: &str) -> usize {
    ["log", "log.events", "exit"]
        .iter()
        .filter(|ext| std::fs::remove_file(dir.join(format!("{id}.{ext}"))).is_ok())
        .count()
}

/// Removes logs last written before `before_ms` whose execution has ended
/// (or is no longer in the history).
fn prune_logs(db: &Db, dir: &Path, before_ms: i64) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(ssis_core::Error::io(&e, "list the output folder", dir)),
    };
    let mut removed = 0;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".log")) else {
            continue;
        };
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(ssis_core::timefmt::to_ms)
            .unwrap_or_else(|_| ssis_core::timefmt::to_ms(SystemTime::now()));
        if modified >= before_ms {
            continue;
        }
        let ended = match db.get_execution(id)? {
            Some(e) => e.status.is_final(),
            None => true,
        };
        if ended && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
            let events = super::capture::events_path(&entry.path());
            removed += usize::from(std::fs::remove_file(events).is_ok());
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::protocol::executions::{Execution, ExecutionStatus};

    fn record(db: &Db, id: &str, start_ms: i64) {
        let e = Execution {
            store: "File".into(),
            started_by: "u".into(),
            started_from: "t".into(),
            ..Execution::created(
                id.into(),
                id.into(),
                ssis_core::timefmt::format_ms(start_ms),
            )
        };
        db.insert_execution(&e, start_ms).unwrap();
    }

    #[test]
    fn old_ended_executions_and_logs_go_running_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(&out).unwrap();
        let db = Db::open(dir.path()).unwrap();
        for id in ["ended", "running", "fresh"] {
            record(&db, id, 0);
            std::fs::write(out.join(format!("{id}.log")), "x").unwrap();
        }
        std::fs::write(out.join("ended.exit"), "{}").unwrap();
        std::fs::write(out.join("stray.log"), "x").unwrap();
        db.finish("ended", ExecutionStatus::Succeeded, Some(0), None, None)
            .unwrap();
        db.set_running("running", 1, None).unwrap();
        db.finish("fresh", ExecutionStatus::Failed, Some(1), None, None)
            .unwrap();
        let now = ssis_core::timefmt::now_ms();
        let keep_all = Retention {
            history: Duration::ZERO,
            output: Duration::ZERO,
            events: Duration::ZERO,
        };
        assert_eq!(
            apply(&db, &out, &keep_all, now + 10_000).unwrap(),
            Pruned::default()
        );

        // Output retention: logs of ended executions (and strays) go, rows stay.
        let logs_only = Retention {
            output: Duration::from_secs(5),
            ..keep_all
        };
        let p = apply(&db, &out, &logs_only, now + 10_000).unwrap();
        assert_eq!(
            (p.executions, p.files),
            (0, 3),
            "ended, fresh, stray: {p:?}"
        );
        assert!(
            out.join("running.log").exists(),
            "a running execution keeps its log"
        );
        assert!(db.get_execution("ended").unwrap().is_some());

        // History retention: ended rows before the cutoff go, with their files.
        let history = Retention {
            history: Duration::from_secs(5),
            ..keep_all
        };
        let p = apply(&db, &out, &history, now + 10_000).unwrap();
        assert_eq!((p.executions, p.files), (2, 1), "{p:?}");
        assert!(!out.join("ended.exit").exists());
        assert!(db.get_execution("ended").unwrap().is_none());
        assert!(db.get_execution("running").unwrap().is_some());
        // Nothing is old enough at `now`.
        let p = apply(&db, &out, &history, now - 10_000).unwrap();
        assert_eq!(p, Pruned::default());
    }
}
