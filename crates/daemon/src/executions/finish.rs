//! Recording how an execution ended: the status from the supervisor's exit
//! report or the process's, the history row (retried when the state disk is
//! full) and the event-log entries.

use super::{Active, Ending, Executions};
use crate::eventlog::{Entry, ids};
use crate::supervise::ExitReport;
use serde_json::json;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::executions::ExecutionStatus;
use ssis_core::timefmt::now_ms;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

/// How often an end that could not be recorded is tried again (for an hour).
const FINISH_RETRY_EVERY: Duration = Duration::from_secs(2);
const FINISH_RETRIES: u32 = 1800;

impl Executions {
    pub(super) fn finish(&self, active: &Active, ending: Ending, stopped: bool) {
        let id = active.id.as_str();
        let exit_file = self.exit_path(id);
        // The supervisor's report is the executor's own result; without one
        // (the supervisor itself was killed), the supervisor's status is used.
        let report = ExitReport::read(&exit_file);
        let (exit_code, detail, success) = match (&report, &ending) {
            (Some(r), _) => (
                Some(r.exit_code),
                r.describe(),
                Some(r.exit_code == 0 && r.error.is_none()),
            ),
            (None, Ending::Exited(s)) => {
                let (code, detail) = exit_code(s);
                (code, detail, Some(s.success()))
            }
            (None, Ending::Gone) => (
                None,
                "the process ended while the service was not its parent and left no exit code"
                    .to_string(),
                None,
            ),
        };
        let status = match (success, stopped) {
            (_, true) => ExecutionStatus::Stopped,
            (Some(true), false) => ExecutionStatus::Succeeded,
            (Some(false), false) => ExecutionStatus::Failed,
            (None, false) => ExecutionStatus::Unknown,
        };
        let lost = report.as_ref().and_then(|r| r.output_lost.clone());
        let message = match (status, &lost) {
            (ExecutionStatus::Succeeded, None) => None,
            (ExecutionStatus::Succeeded, Some(lost)) => Some(lost.clone()),
            (_, None) => Some(detail.clone()),
            (_, Some(lost)) => Some(format!("{detail}; {lost}")),
        };
        // When it ended: the supervisor's record (so a run that ended while
        // the service was down keeps its real end time), else now.
        let ended_ms = report
            .as_ref()
            .and_then(|r| ssis_core::timefmt::parse_rfc3339(&r.end_time, "EndTime").ok());
        match self
            .db
            .finish(id, status, exit_code, message.as_deref(), ended_ms)
        {
            Ok(()) => {
                let _ = std::fs::remove_file(&exit_file);
            }
            Err(err) => {
                eprintln!("ssis-service: cannot record the end of execution {id}: {err}");
                let ended_ms = Some(ended_ms.unwrap_or_else(now_ms));
                self.retry_finish(id, status, exit_code, message.clone(), ended_ms);
            }
        }
        let record = self.db.get_execution(id).ok().flatten();
        let (user, what) = record
            .as_ref()
            .map(|r| {
                (
                    r.started_by.clone(),
                    r.package_path
                        .clone()
                        .or(r.package_file.clone())
                        .unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let (level, event_id, verb) = match status {
            ExecutionStatus::Succeeded => {
                (EventLevel::Information, ids::PACKAGE_SUCCEEDED, "succeeded")
            }
            ExecutionStatus::Stopped => (EventLevel::Information, ids::PACKAGE_STOPPED, "stopped"),
            ExecutionStatus::Unknown => (
                EventLevel::Warning,
                ids::EXECUTION_LOST,
                "ended with an unknown result",
            ),
            _ => (EventLevel::Error, ids::PACKAGE_FAILED, "failed"),
        };
        self.log.write(Entry {
            level,
            event_id,
            source: "Executions",
            user: Some(&user),
            message: format!("Package {what} (execution {id}) {verb}; {detail}."),
            data: json!({"ExitCode": exit_code, "Status": status}),
            execution_id: Some(id),
        });
        if let Some(lost) = lost {
            self.log.write(Entry {
                level: EventLevel::Warning,
                event_id: ids::OUTPUT_NOT_RECORDED,
                source: "Executions",
                user: Some(&user),
                message: format!(
                    "The output of package {what} (execution {id}) is incomplete: {lost}."
                ),
                data: json!({"Lost": lost}),
                execution_id: Some(id),
            });
        }
        self.active_map().remove(id);
        self.publish_status(id, status);
        let _ = active.done.send(true);
    }

    /// The end of `id` could not be recorded (a full state disk): tries
    /// again every few seconds for an hour, with the end time it had, so
    /// history does not say Running once space returns. (The exit file is
    /// kept until then: a restart recovers the run from it as well.)
    fn retry_finish(
        &self,
        id: &str,
        status: ExecutionStatus,
        exit_code: Option<i32>,
        message: Option<String>,
        ended_ms: Option<i64>,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let db = Arc::clone(&self.db);
        let (id, exit_file) = (id.to_string(), self.exit_path(id));
        runtime.spawn(async move {
            for _ in 0..FINISH_RETRIES {
                tokio::time::sleep(FINISH_RETRY_EVERY).await;
                if db
                    .finish(&id, status, exit_code, message.as_deref(), ended_ms)
                    .is_ok()
                {
                    let _ = std::fs::remove_file(&exit_file);
                    return;
                }
            }
        });
    }
}

/// The exit code to record, and a sentence about it. A signal counts as
/// 128 + its number, as shells report it.
pub(super) fn exit_code(status: &ExitStatus) -> (Option<i32>, String) {
    if let Some(code) = status.code() {
        return (Some(code), format!("exit code {code}"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return (Some(128 + sig), format!("ended by signal {sig}"));
        }
    }
    (None, "ended without an exit code".into())
}
