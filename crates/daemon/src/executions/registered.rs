//! Runs of `ssis exec` started outside the service (a shell, cron, a
//! scheduler) that registered themselves (`ExecutionRegister`), so that
//! `ssis ps` lists every package running on the machine, as the original
//! service's Running Packages node does. The service records them with the
//! caller's account and process id from the connection (never from the
//! request), keeps them in history, and stops them the way the original did:
//! by asking the run to cancel (`CancelRequested` on its registration
//! connection). It never signals another account's process itself.

use super::Executions;
use crate::eventlog::{Entry, ids};
use crate::identity::Peer;
use serde_json::json;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::executions::{
    CANCEL_REQUESTED, Execution, ExecutionOrigin, ExecutionStatus, FinishParams, RegisterParams,
};
use ssis_core::protocol::{Notification, codec::encode, events::EventLevel};
use ssis_core::timefmt::{format_ms, now_ms};
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{mpsc, watch};

/// dtexec's exit code for a canceled run (DTSER_CANCELED).
const EXIT_CANCELED: i32 = 3;

/// A registered run the service tracks.
pub(super) struct Registered {
    /// The account that registered it; only it may report the end.
    uid: Option<u32>,
    user: String,
    /// The registration connection's notification queue.
    notify: mpsc::Sender<Vec<u8>>,
    stop_requested: AtomicBool,
    pub(super) done: watch::Sender<bool>,
}

impl Executions {
    /// Records a run `peer` started outside the service; `notify` reaches
    /// its registration connection.
    pub fn register(
        &self,
        peer: &Peer,
        params: RegisterParams,
        notify: mpsc::Sender<Vec<u8>>,
    ) -> Result<Execution> {
        let id = uuid::Uuid::new_v4().to_string();
        let start_ms = now_ms();
        let package = params.package;
        let record = Execution {
            store: match (&params.package_path, &params.package_file) {
                (Some(path), _) => path
                    .trim_start_matches('\\')
                    .split('\\')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                _ => "File".into(),
            },
            package_path: params.package_path,
            package_file: params.package_file,
            started_by: peer.user.clone(),
            started_from: peer.describe(),
            status: ExecutionStatus::Running,
            process_id: peer.process_id,
            command_line: params.command_line,
            origin: ExecutionOrigin::CommandLine,
            package_id: package.package_id,
            description: package.description,
            version: package.version,
            // Registration is made by `ssis exec` running a package itself.
            executor: Some(crate::launch::BUILT_IN.to_string()),
            ..Execution::created(id.clone(), package.name.clone(), format_ms(start_ms))
        };
        self.db.insert_execution(&record, start_ms)?;
        self.registered_map().insert(
            id.clone(),
            Registered {
                uid: peer.uid,
                user: peer.user.clone(),
                notify,
                stop_requested: AtomicBool::new(false),
                done: watch::channel(false).0,
            },
        );
        self.log.write(Entry {
            level: EventLevel::Information,
            event_id: ids::PACKAGE_STARTED,
            source: "Executions",
            user: Some(&peer.user),
            message: format!(
                "Package {} (execution {id}) was started from the command line by {} (process {}).",
                record.package_name,
                peer.user,
                peer.process_id.map_or("unknown".into(), |p| p.to_string())
            ),
            data: json!({"Origin": "CommandLine", "ProcessId": peer.process_id,
                         "PackageId": record.package_id}),
            execution_id: Some(&id),
        });
        self.publish_status(&id, ExecutionStatus::Running);
        Ok(record)
    }

    /// Records how a registered run ended; only the account that
    /// registered it may say.
    pub fn finish_registered(&self, peer: &Peer, p: &FinishParams) -> Result<Execution> {
        let id = p.execution_id.trim().to_ascii_lowercase();
        let run = self.registered_map().remove(&id);
        let Some(run) = run else {
            return Err(Error::not_found(format!(
                "there is no registered run '{}' in progress",
                p.execution_id
            ))
            .with_target(p.execution_id.clone()));
        };
        if run.uid != peer.uid || run.user != peer.user {
            let user = run.user.clone();
            self.registered_map().insert(id.clone(), run);
            return Err(Error::new(
                ErrorKind::AccessDenied,
                format!(
                    "Access is denied: run {id} was registered by {user}; only they may report its end"
                ),
            ));
        }
        let stopped = run.stop_requested.load(Ordering::SeqCst);
        let status = match p.exit_code {
            0 => ExecutionStatus::Succeeded,
            EXIT_CANCELED if stopped => ExecutionStatus::Stopped,
            _ => ExecutionStatus::Failed,
        };
        self.end_registered(&id, &run, status, Some(p.exit_code), None);
        self.get(&id)
    }

    /// The registration connection of `id` closed: a run that did not
    /// report its end is `Unknown`.
    pub fn registration_closed(&self, id: &str) {
        let Some(run) = self.registered_map().remove(id) else {
            return;
        };
        let why = "the run's process ended or lost its connection without reporting its result";
        self.end_registered(id, &run, ExecutionStatus::Unknown, None, Some(why));
    }

    fn end_registered(
        &self,
        id: &str,
        run: &Registered,
        status: ExecutionStatus,
        exit_code: Option<i32>,
        message: Option<&str>,
    ) {
        if let Err(e) = self.db.finish(id, status, exit_code, message, None) {
            eprintln!("ssis-service: {e}");
        }
        let (level, event_id) = match status {
            ExecutionStatus::Succeeded => (EventLevel::Information, ids::PACKAGE_SUCCEEDED),
            ExecutionStatus::Stopped => (EventLevel::Information, ids::PACKAGE_STOPPED),
            ExecutionStatus::Unknown => (EventLevel::Warning, ids::EXECUTION_LOST),
            _ => (EventLevel::Error, ids::PACKAGE_FAILED),
        };
        self.log.write(Entry {
            level,
            event_id,
            source: "Executions",
            user: Some(&run.user),
            message: format!(
                "Command-line execution {id} ended: {status}{}.",
                exit_code.map_or(String::new(), |c| format!(" (exit code {c})"))
            ),
            data: json!({"ExitCode": exit_code, "Status": status, "Origin": "CommandLine"}),
            execution_id: Some(id),
        });
        self.publish_status(id, status);
        let _ = run.done.send(true);
    }

    /// Asks a registered run to cancel; `None` when `id` is not one.
    pub(super) fn stop_registered(&self, id: &str, user: &str, reason: &str) -> Option<Result<()>> {
        let map = self.registered_map();
        let run = map.get(id)?;
        if run.stop_requested.swap(true, Ordering::SeqCst) {
            return Some(Ok(()));
        }
        let note = encode(&Notification {
            notification: CANCEL_REQUESTED.into(),
            params: json!({"ExecutionId": id}),
        });
        let delivered = run.notify.try_send(note).is_ok();
        drop(map);
        if let Err(e) = self.db.set_status(id, ExecutionStatus::Stopping, None) {
            return Some(Err(e));
        }
        self.log.write(Entry {
            level: EventLevel::Information,
            event_id: ids::PACKAGE_STOPPING,
            source: "Executions",
            user: Some(user),
            message: format!(
                "Asked command-line execution {id} to cancel ({reason}); it stops at its next \
                 task boundary. The service does not signal another account's process."
            ),
            data: json!({"Origin": "CommandLine", "Delivered": delivered}),
            execution_id: Some(id),
        });
        self.publish_status(id, ExecutionStatus::Stopping);
        Some(Ok(()))
    }

    /// At shutdown with StopExecutingPackagesOnShutdown: asks every
    /// registered run to cancel, as the original service does (called
    /// before the connections close, so the requests are delivered).
    pub fn cancel_all_registered(&self, user: &str) {
        let ids: Vec<String> = self.registered_map().keys().cloned().collect();
        for id in ids {
            let _ = self.stop_registered(&id, user, "the service is stopping");
        }
    }

    /// A registered run's end, to wait on; `None` when `id` is not one.
    pub(super) fn registered_done(&self, id: &str) -> Option<watch::Receiver<bool>> {
        self.registered_map().get(id).map(|r| r.done.subscribe())
    }

    /// How many registered runs are in progress.
    pub(super) fn registered_count(&self) -> usize {
        self.registered_map().len()
    }
}
