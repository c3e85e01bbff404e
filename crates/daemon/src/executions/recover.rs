//! After a restart: executions whose process still runs are watched again,
//! the others are ended from their exit files or marked `Unknown`.

use super::{Ending, Executions};
use crate::eventlog::{Entry, ids};
use crate::output::OutputTail;
use crate::process;
use serde_json::json;
use ssis_core::error::Result;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::executions::{ExecutionOrigin, ExecutionStatus};
use std::sync::Arc;
use std::sync::atomic::Ordering;

impl Executions {
    /// After a restart: executions whose process still runs are watched
    /// again; the others become `Unknown`.
    pub fn recover(self: &Arc<Self>) -> Result<()> {
        for u in self.db.unfinished()? {
            let e = &u.execution;
            if e.origin == ExecutionOrigin::CommandLine {
                // Its registration connection went with the last service.
                let why = "the service restarted while this command-line run was registered; \
                           its end was not reported";
                self.db.finish(
                    &e.execution_id,
                    ExecutionStatus::Unknown,
                    None,
                    Some(why),
                    None,
                )?;
                continue;
            }
            let alive = e
                .process_id
                .is_some_and(|pid| process::is_alive(pid, u.process_start));
            match (e.process_id, alive) {
                (Some(pid), true) => {
                    self.log.write(Entry {
                        level: EventLevel::Information,
                        event_id: ids::EXECUTION_RECOVERED,
                        source: "Executions",
                        user: Some(&e.started_by),
                        message: format!(
                            "Execution {} ({}) is still running (process {pid}); watching it again.",
                            e.execution_id, e.package_name
                        ),
                        data: json!({"ProcessId": pid}),
                        execution_id: Some(&e.execution_id),
                    });
                    let active = self.watch(e.execution_id.clone(), pid);
                    *active
                        .current_task
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = e.current_task.clone();
                    let tail = OutputTail::resume(&self.log_path(&e.execution_id));
                    if e.status == ExecutionStatus::Stopping {
                        active.stop_requested.store(true, Ordering::SeqCst);
                        self.signal_stop(&active);
                    }
                    let me = Arc::clone(self);
                    let ticks = u.process_start;
                    tokio::spawn(async move { me.monitor(active, None, ticks, tail).await });
                }
                _ => {
                    // Ended while the service was down: its supervisor's exit
                    // file has the result, else it is Unknown.
                    let active = self.watch(e.execution_id.clone(), e.process_id.unwrap_or(0));
                    let stopping = e.status == ExecutionStatus::Stopping;
                    self.finish(&active, Ending::Gone, stopping);
                }
            }
        }
        Ok(())
    }
}
