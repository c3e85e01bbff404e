//! Stopping executions: a stop request (SIGTERM to the process group, SIGKILL
//! after the grace period) and what the service does with running
//! executions when it shuts down.

use super::{Active, Executions};
use crate::eventlog::{Entry, ids};
use crate::process::{self, Stop};
use serde_json::json;
use ssis_core::error::Result;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::executions::{Execution, ExecutionStatus};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

impl Executions {
    /// Asks an execution to stop: SIGTERM to its process group now, SIGKILL
    /// after the grace period. Returns the record (status `Stopping`).
    pub fn stop(self: &Arc<Self>, id: &str, user: &str, reason: &str) -> Result<Execution> {
        let key = id.trim().to_ascii_lowercase();
        if let Some(asked) = self.stop_registered(&key, user, reason) {
            asked?;
            return self.get(id);
        }
        let Some(active) = self.find_active(id) else {
            return self.get(id);
        };
        if !active.stop_requested.swap(true, Ordering::SeqCst) {
            self.db
                .set_status(&active.id, ExecutionStatus::Stopping, None)?;
            self.log.write(Entry {
                level: EventLevel::Information,
                event_id: ids::PACKAGE_STOPPING,
                source: "Executions",
                user: Some(user),
                message: format!("Stopping execution {} ({reason}).", active.id),
                data: json!({"ProcessId": active.pid}),
                execution_id: Some(&active.id),
            });
            self.publish_status(&active.id, ExecutionStatus::Stopping);
            self.signal_stop(&active);
        }
        self.get(id)
    }

    pub(super) fn signal_stop(self: &Arc<Self>, active: &Arc<Active>) {
        if let Err(e) = process::signal_group(active.pid, Stop::Graceful) {
            eprintln!(
                "ssis-service: cannot signal process group {}: {e}",
                active.pid
            );
        }
        let me = Arc::clone(self);
        let active = Arc::clone(active);
        tokio::spawn(async move {
            let mut done = active.done.subscribe();
            let grace = me.settings.stop_grace;
            if tokio::time::timeout(grace, done.wait_for(|d| *d))
                .await
                .is_ok()
            {
                return;
            }
            me.log.write(Entry {
                level: EventLevel::Warning,
                event_id: ids::PACKAGE_KILLED,
                source: "Executions",
                user: None,
                message: format!(
                    "Execution {} did not stop within {} s; killing its process group.",
                    active.id,
                    grace.as_secs_f64()
                ),
                data: json!({"ProcessId": active.pid}),
                execution_id: Some(&active.id),
            });
            let _ = process::signal_group(active.pid, Stop::Forced);
        });
    }

    /// At shutdown: stop every running execution and wait up to the grace
    /// period plus `extra` (when `stop_all`), or leave them running.
    pub async fn shutdown(self: &Arc<Self>, stop_all: bool, extra: Duration) {
        // The spare reads end-of-file and exits.
        drop(self.spare.lock().unwrap_or_else(|p| p.into_inner()).take());
        let running: Vec<Arc<Active>> = self.active_map().values().cloned().collect();
        if !stop_all {
            for a in &running {
                self.log.write(Entry {
                    level: EventLevel::Information,
                    event_id: ids::PACKAGE_LEFT_RUNNING,
                    source: "Executions",
                    user: None,
                    message: format!(
                        "Execution {} (process {}) keeps running (StopExecutingPackagesOnShutdown is false); the next start of the service watches it again.",
                        a.id, a.pid
                    ),
                    data: json!({"ProcessId": a.pid}),
                    execution_id: Some(&a.id),
                });
            }
            return;
        }
        for a in &running {
            // As the original's 336: the instance and the package's identity.
            let record = self.get(&a.id).ok();
            let field = |f: fn(&Execution) -> Option<String>| record.as_ref().and_then(f);
            let name = field(|e| Some(e.package_name.clone())).unwrap_or_default();
            self.log.write(Entry {
                level: EventLevel::Information,
                event_id: ids::STOPPING_RUNNING_PACKAGE,
                source: "Service",
                user: None,
                message: format!(
                    "Stopping running package {name} (execution {}) because the service is stopping.",
                    a.id
                ),
                data: json!({
                    "ExecutionId": a.id,
                    "PackageId": field(|e| e.package_id.clone()),
                    "PackageName": name,
                    "Description": field(|e| e.description.clone()),
                    "ProcessId": a.pid,
                }),
                execution_id: Some(&a.id),
            });
            let _ = self.stop(&a.id, "service", "the service is stopping");
        }
        let bound = self.settings.stop_grace + extra;
        let all = futures_all(running.iter().map(|a| {
            let mut rx = a.done.subscribe();
            async move {
                let _ = rx.wait_for(|d| *d).await;
            }
        }));
        let _ = tokio::time::timeout(bound, all).await;
        for a in running.iter().filter(|a| !*a.done.borrow()) {
            self.log.write(Entry {
                level: EventLevel::Error,
                event_id: ids::PACKAGE_LEFT_RUNNING,
                source: "Service",
                user: None,
                message: format!(
                    "Execution {} (process group {}) did not stop within {} s of the shutdown.",
                    a.id,
                    a.pid,
                    bound.as_secs_f64()
                ),
                data: json!({"ProcessId": a.pid, "Members": process::group_members(a.pid)}),
                execution_id: Some(&a.id),
            });
        }
    }
}

/// Waits for every future (no extra crate needed for this one use).
async fn futures_all<F: std::future::Future<Output = ()>>(futs: impl Iterator<Item = F>) {
    for f in futs {
        f.await;
    }
}
