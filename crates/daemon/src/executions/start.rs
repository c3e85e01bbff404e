//! Starting an execution: the record, the supervisor that runs the executor
//! (a spare started ahead when there is one), and the events of a start
//! that was refused or failed.

use super::Executions;
use crate::eventlog::{Entry, ids};
use crate::identity::Peer;
use crate::launch::{self, Executor};
use crate::output::OutputTail;
use crate::process;
use crate::supervise::{self, Job};
use serde_json::json;
use ssis_core::error::{Error, Result};
use ssis_core::ops::Workspace;
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::executions::{Execution, ExecutionStatus, RunParams};
use ssis_core::timefmt::{format_ms, now_ms};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

impl Executions {
    /// Starts a package for `peer`.
    pub async fn start(
        self: &Arc<Self>,
        ws: &Workspace,
        params: &RunParams,
        peer: &Peer,
    ) -> Result<Execution> {
        let config = &*ws.config;
        // Whatever stops a run before it starts (no such package, an
        // executor that is gone, a caller the service cannot act as) is
        // logged as well as returned.
        let prepared = (|| {
            let look = crate::access::policy::is_superuser(peer);
            let target = launch::resolve(ws, params, look)?;
            let run_as = crate::runas::for_caller(peer, &config.extensions.grants)?;
            let executor = Executor::from_config(config)?;
            executor.check()?;
            if params.password.is_some()
                && cfg!(windows)
                && matches!(executor, Executor::External(_))
            {
                // Microsoft's dtexec reads /DECRYPT's password from its command
                // line only, which the execution record shows.
                return Err(Error::invalid(
                    "a package password goes to the built-in runner (or SSIS on Linux) in the \
                     environment; Microsoft's dtexec would need it on its command line, which \
                     the execution record shows: run it with `ssis exec /DECRYPT` instead",
                )
                .with_target("Password"));
            }
            Ok::<_, Error>((target, run_as, executor))
        })();
        let (target, run_as, executor) =
            prepared.inspect_err(|e| self.start_refused(EventLevel::Warning, params, peer, e))?;
        let mut command_line = executor.command_line(&target, &params.set);
        if params.password.is_some() {
            // A bare /DECRYPT: the executor reads the password from
            // SSIS_PACKAGE_DECRYPT, which the supervisor sets.
            command_line.push("/DECRYPT".into());
        }
        let id = uuid::Uuid::new_v4().to_string();
        let start_ms = now_ms();
        let mut record = Execution {
            package_path: target.package_path.clone(),
            package_file: target
                .package_file
                .as_ref()
                .map(|p| p.display().to_string()),
            store: target.store.clone(),
            started_by: peer.user.clone(),
            started_from: peer.describe(),
            command_line: command_line.clone(),
            executor: executor.recorded_name(),
            ..Execution::created(id.clone(), target.package_name.clone(), format_ms(start_ms))
        };
        // The state cannot take the run (a full disk): refused, and said so.
        self.db
            .insert_execution(&record, start_ms)
            .inspect_err(|e| self.start_refused(EventLevel::Error, params, peer, e))?;
        let what = target
            .package_path
            .clone()
            .or(record.package_file.clone())
            .unwrap_or_default();
        let log = self.log_path(&id);
        let job = Job {
            output: Some(log.clone()),
            cap: Some(self.settings.output_cap),
            exit_file: self.exit_path(&id),
            execution_id: Some(id.clone()),
            command_line: command_line.clone(),
            run_as,
            password: params.password.clone(),
        };
        // The supervisor creates the log; the tail finds it when it appears.
        let tail = OutputTail::resume(&log);
        let spawned = self.launch(&job).await.map(|child| (tail, child));
        let (tail, child) = match spawned {
            Ok(v) => v,
            Err(err) => {
                let message = format!("the executor could not be started: {}", err.message);
                self.db
                    .finish(&id, ExecutionStatus::Failed, None, Some(&message), None)?;
                self.log.write(Entry {
                    level: EventLevel::Error,
                    event_id: ids::PACKAGE_START_FAILED,
                    source: "Executions",
                    user: Some(&peer.user),
                    message: format!(
                        "Package {what} (execution {id}) could not be started: {message}"
                    ),
                    data: json!({"CommandLine": command_line}),
                    execution_id: Some(&id),
                });
                return Err(Error::new(
                    err.kind,
                    format!("execution {id} of {what} failed to start: {message}"),
                )
                .with_target(id));
            }
        };
        let pid = child.id().unwrap_or(0);
        let ticks = process::start_ticks(pid);
        self.db.set_running(&id, pid, ticks)?;
        record.status = ExecutionStatus::Running;
        record.process_id = Some(pid);
        self.log.write(Entry {
            level: EventLevel::Information,
            event_id: ids::PACKAGE_STARTED,
            source: "Executions",
            user: Some(&peer.user),
            message: format!(
                "Package {what} started (execution {id}, process {pid}) by {}.",
                peer.user
            ),
            data: json!({"CommandLine": command_line, "From": record.started_from}),
            execution_id: Some(&id),
        });
        let active = self.watch(id, pid);
        self.publish_status(&active.id, ExecutionStatus::Running);
        let me = Arc::clone(self);
        tokio::spawn(async move { me.monitor(active, Some(child), ticks, tail).await });
        Ok(record)
    }

    /// Logs a run refused before anything started (event 1025).
    fn start_refused(&self, level: EventLevel, params: &RunParams, peer: &Peer, e: &Error) {
        self.log.write(Entry {
            level,
            event_id: ids::PACKAGE_START_FAILED,
            source: "Executions",
            user: Some(&peer.user),
            message: format!("A package could not be started: {e}"),
            data: json!({"Package": params.package, "File": params.file}),
            execution_id: None,
        });
    }

    /// Hands `job` to a supervisor: the spare started ahead of time when
    /// there is a live one (then a new spare is started in the background),
    /// else a new one.
    async fn launch(self: &Arc<Self>, job: &Job) -> Result<tokio::process::Child> {
        let mut last_error = None;
        for _ in 0..2 {
            let mut child = match self.take_spare() {
                Some(c) => c,
                None => self.spawn_supervisor()?,
            };
            let line = job.line_for(&child).inspect_err(|_| {
                let _ = child.start_kill();
            })?;
            let sent = match child.stdin.take() {
                Some(mut stdin) => stdin.write_all(&line).await.map_err(|e| e.to_string()),
                None => Err("no pipe to the supervisor".into()),
            };
            match sent {
                Ok(()) => {
                    self.refill_spare();
                    return Ok(child);
                }
                Err(e) => {
                    let _ = child.start_kill();
                    last_error = Some(e);
                }
            }
        }
        Err(Error::internal(format!(
            "cannot hand the execution to its supervisor: {}",
            last_error.unwrap_or_default()
        )))
    }

    /// The spare supervisor, if it is still alive.
    fn take_spare(&self) -> Option<tokio::process::Child> {
        let mut child = self
            .spare
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()?;
        matches!(child.try_wait(), Ok(None)).then_some(child)
    }

    /// Starts a spare supervisor on a blocking thread (spawning waits for the exec).
    fn refill_spare(self: &Arc<Self>) {
        let me = Arc::clone(self);
        tokio::task::spawn_blocking(move || match me.spawn_supervisor() {
            Ok(child) => {
                let mut spare = me.spare.lock().unwrap_or_else(|p| p.into_inner());
                if spare.is_none() {
                    *spare = Some(child);
                }
                // Else the new one is dropped: its stdin closes and it exits.
            }
            Err(e) => eprintln!("ssis-service: cannot start a spare supervisor: {e}"),
        });
    }

    /// A supervisor waiting for its job on stdin, leading a new process group.
    fn spawn_supervisor(&self) -> Result<tokio::process::Child> {
        let program = &self.settings.supervisor;
        let mut command = tokio::process::Command::new(program);
        command
            .args(supervise::STDIN_ARGS)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(false);
        process::own_group(&mut command);
        let child = command
            .spawn()
            .map_err(|e| Error::io(&e, "start the supervisor", program))?;
        // Windows: the supervisor's Job Object holds the whole tree it starts.
        if let Err(e) = process::adopt(&child) {
            eprintln!("ssis-service: a supervisor's process tree is not tracked: {e}");
        }
        Ok(child)
    }
}
