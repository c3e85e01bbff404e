//! Watching a running execution: its process, the runner events in its
//! output (identity, current task, live events) and its status changes.

use super::{Active, Ending, Executions};
use crate::capture;
use crate::output::{self, OutputTail, RunnerEvent};
use crate::process::{self, Stop};
use ssis_core::protocol::events::ExecutionEvent;
use ssis_core::protocol::executions::ExecutionStatus;
use ssis_core::timefmt::{format_ms, now_ms};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

impl Executions {
    pub(super) fn watch(&self, id: String, pid: u32) -> Arc<Active> {
        let (done, _) = watch::channel(false);
        let active = Arc::new(Active {
            id: id.clone(),
            pid,
            stop_requested: AtomicBool::new(false),
            done,
            current_task: Mutex::new(None),
        });
        self.active_map().insert(id, Arc::clone(&active));
        active
    }

    pub(super) async fn monitor(
        self: Arc<Self>,
        active: Arc<Active>,
        mut child: Option<tokio::process::Child>,
        ticks: Option<u64>,
        mut tail: OutputTail,
    ) {
        let mut tick = tokio::time::interval(self.settings.poll);
        let ending = loop {
            tokio::select! {
                status = wait_child(&mut child) => break match status {
                    Some(s) => Ending::Exited(s),
                    None => Ending::Gone,
                },
                _ = tick.tick() => {
                    self.apply_events(&active, tail.poll());
                    if child.is_none() && !process::is_alive(active.pid, ticks) {
                        break Ending::Gone;
                    }
                }
            }
        };
        self.apply_events(&active, tail.poll());
        let stopped = active.stop_requested.load(Ordering::SeqCst);
        if stopped {
            // The leader is gone; take whatever it left in its group with it,
            // and wait (bounded) until the group is empty, so that Stopped
            // means nothing is left.
            let _ = process::signal_group(active.pid, Stop::Forced);
            for _ in 0..100 {
                if process::group_members(active.pid).is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        process::release(active.pid);
        self.finish(&active, ending, stopped);
    }

    fn apply_events(&self, active: &Active, events: Vec<RunnerEvent>) {
        for ev in events {
            if ev.event == output::PACKAGE_IDENTITY || ev.event == output::EXECUTOR {
                if let Some(package) = &ev.package {
                    if let Err(err) = self.db.set_identity(&active.id, package) {
                        eprintln!("ssis-service: {err}");
                    }
                }
                if let Some(executor) = &ev.executor {
                    if let Err(err) = self.db.set_executor(&active.id, executor) {
                        eprintln!("ssis-service: {err}");
                    }
                }
                continue;
            }
            let changed = {
                let mut task = active
                    .current_task
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let next = output::next_task(task.as_deref(), &ev);
                (next != *task).then(|| {
                    *task = next.clone();
                    next
                })
            };
            if let Some(task) = changed {
                if let Err(err) = self.db.set_current_task(&active.id, task.as_deref()) {
                    eprintln!("ssis-service: {err}");
                }
            }
            if capture::is_restatement(&ev) {
                continue;
            }
            let _ = self.live.send(ExecutionEvent {
                execution_id: active.id.clone(),
                time: ev.time.unwrap_or_else(|| format_ms(now_ms())),
                event: ev.event,
                source_path: ev.source_path,
                source_type: ev.source_type,
                message: ev.message,
            });
        }
    }

    pub(super) fn publish_status(&self, id: &str, status: ExecutionStatus) {
        let _ = self.live.send(ExecutionEvent {
            execution_id: id.to_string(),
            time: format_ms(now_ms()),
            event: "StatusChanged".into(),
            source_path: None,
            source_type: None,
            message: Some(status.name().into()),
        });
    }
}

async fn wait_child(child: &mut Option<tokio::process::Child>) -> Option<ExitStatus> {
    match child {
        Some(c) => c.wait().await.ok(),
        None => std::future::pending().await,
    }
}
