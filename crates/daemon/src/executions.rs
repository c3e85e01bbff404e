//! The executions manager: starts packages as executor processes, watches
//! them (exit, current task, output cap), stops them (SIGTERM to the group,
//! SIGKILL after the grace period), and finds them again after a restart.

use super::capture;
use super::db::Db;
mod registered;

use super::eventlog::{Entry, EventLog, ids};
use super::identity::Peer;
use super::launch::{self, Executor};
use super::output::{self, OutputTail, RunnerEvent};
use super::process::{self, Stop};
use super::supervise::{self, ExitReport, Job};
use serde_json::json;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::ops::Workspace;
use ssis_core::protocol::events::{EventLevel, ExecutionEvent};
use ssis_core::protocol::executions::{
    Execution, ExecutionOrigin, ExecutionStatus, HistoryFilter, OutputChunk, OutputParams,
    RunParams,
};
use ssis_core::timefmt::{format_ms, now_ms};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{broadcast, watch};

/// Largest `ExecutionOutput` chunk.
const MAX_OUTPUT_CHUNK: u64 = 512 * 1024;

/// Tunables of the executions manager.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder of the per-execution output logs.
    pub output_dir: PathBuf,
    /// Size cap of one output log, in bytes.
    pub output_cap: u64,
    /// Time between SIGTERM and SIGKILL when stopping.
    pub stop_grace: Duration,
    /// How often output is scanned and adopted processes are checked.
    pub poll: Duration,
    /// The program whose `service supervise` wraps each executor (this binary).
    pub supervisor: PathBuf,
}

/// An execution whose process the service watches.
struct Active {
    id: String,
    pid: u32,
    stop_requested: AtomicBool,
    done: watch::Sender<bool>,
    current_task: Mutex<Option<String>>,
}

/// How often an end that could not be recorded is tried again (for an hour).
const FINISH_RETRY_EVERY: Duration = Duration::from_secs(2);
const FINISH_RETRIES: u32 = 1800;

/// Starts, stops and watches executions.
pub struct Executions {
    db: Arc<Db>,
    log: EventLog,
    settings: Settings,
    live: broadcast::Sender<ExecutionEvent>,
    active: Mutex<HashMap<String, Arc<Active>>>,
    /// A supervisor started ahead, waiting for its job.
    spare: Mutex<Option<tokio::process::Child>>,
    /// Command-line runs that registered, by execution id.
    registered: Mutex<HashMap<String, registered::Registered>>,
}

/// How a watched process ended.
enum Ending {
    Exited(ExitStatus),
    Gone,
}

impl Executions {
    /// A manager over `db`, logging to `log`.
    pub fn new(db: Arc<Db>, log: EventLog, settings: Settings) -> Result<Arc<Executions>> {
        std::fs::create_dir_all(&settings.output_dir)
            .map_err(|e| Error::io(&e, "create the output folder", &settings.output_dir))?;
        let (live, _) = broadcast::channel(4096);
        Ok(Arc::new(Executions {
            db,
            log,
            settings,
            live,
            active: Mutex::new(HashMap::new()),
            spare: Mutex::new(None),
            registered: Mutex::new(HashMap::new()),
        }))
    }

    /// Live execution events.
    pub fn subscribe(&self) -> broadcast::Receiver<ExecutionEvent> {
        self.live.subscribe()
    }

    fn active_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Active>>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn registered_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, registered::Registered>> {
        self.registered.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn find_active(&self, id: &str) -> Option<Arc<Active>> {
        self.active_map().get(&id.to_ascii_lowercase()).cloned()
    }

    /// How many executions are running: watched ones and registered
    /// command-line runs.
    pub fn running_count(&self) -> usize {
        self.active_map().len() + self.registered_count()
    }

    fn log_path(&self, id: &str) -> PathBuf {
        self.settings.output_dir.join(format!("{id}.log"))
    }

    /// Where the supervisor of `id` writes the executor's exit code.
    fn exit_path(&self, id: &str) -> PathBuf {
        self.settings.output_dir.join(format!("{id}.exit"))
    }

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
            let target = launch::resolve(ws, params)?;
            let run_as = super::runas::for_caller(peer, &config.extensions.grants)?;
            let executor = Executor::from_config(config)?;
            executor.check()?;
            Ok::<_, Error>((target, run_as, executor))
        })();
        let (target, run_as, executor) =
            prepared.inspect_err(|e| self.start_refused(EventLevel::Warning, params, peer, e))?;
        let command_line = executor.command_line(&target, &params.set);
        let id = uuid::Uuid::new_v4().to_string();
        let start_ms = now_ms();
        let mut record = Execution {
            execution_id: id.clone(),
            package_name: target.package_name.clone(),
            package_path: target.package_path.clone(),
            package_file: target
                .package_file
                .as_ref()
                .map(|p| p.display().to_string()),
            store: target.store.clone(),
            started_by: peer.user.clone(),
            started_from: peer.describe(),
            start_time: format_ms(start_ms),
            end_time: None,
            duration: 0.0,
            status: ExecutionStatus::Created,
            exit_code: None,
            current_task: None,
            process_id: None,
            command_line: command_line.clone(),
            message: None,
            origin: ExecutionOrigin::Service,
            package_id: None,
            description: None,
            version: None,
            executor: executor.recorded_name(),
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

    fn watch(&self, id: String, pid: u32) -> Arc<Active> {
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

    async fn monitor(
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

    fn finish(&self, active: &Active, ending: Ending, stopped: bool) {
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

    fn publish_status(&self, id: &str, status: ExecutionStatus) {
        let _ = self.live.send(ExecutionEvent {
            execution_id: id.to_string(),
            time: format_ms(now_ms()),
            event: "StatusChanged".into(),
            source_path: None,
            source_type: None,
            message: Some(status.name().into()),
        });
    }

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

    fn signal_stop(self: &Arc<Self>, active: &Arc<Active>) {
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

    /// One execution.
    pub fn get(&self, id: &str) -> Result<Execution> {
        self.db
            .get_execution(&id.trim().to_ascii_lowercase())?
            .ok_or_else(|| {
                Error::not_found(format!("there is no execution '{id}'"))
                    .with_target(id.to_string())
            })
    }

    /// Executions that have not ended, oldest first.
    pub fn list(&self) -> Result<Vec<Execution>> {
        Ok(self
            .db
            .unfinished()?
            .into_iter()
            .map(|u| u.execution)
            .collect())
    }

    /// History with filters, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<Execution>> {
        self.db.history(filter)
    }

    /// Waits until the execution ends (or `timeout` passes: error `Timeout`).
    pub async fn wait(&self, id: &str, timeout: Option<Duration>) -> Result<Execution> {
        let registered = self.registered_done(&id.trim().to_ascii_lowercase());
        let mut done = match (registered, self.find_active(id)) {
            (Some(done), _) => done,
            (None, Some(active)) => active.done.subscribe(),
            (None, None) => return self.get(id),
        };
        let waiting = done.wait_for(|d| *d);
        match timeout {
            Some(t) => {
                if tokio::time::timeout(t, waiting).await.is_err() {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!("execution {id} did not finish within {} ms", t.as_millis()),
                    )
                    .with_target(id.to_string()));
                }
            }
            None => {
                let _ = waiting.await;
            }
        }
        drop(done);
        self.get(id)
    }

    /// A chunk of an execution's output log.
    pub fn output(&self, p: &OutputParams) -> Result<OutputChunk> {
        let record = self.get(&p.execution_id)?;
        let max = p
            .max_bytes
            .unwrap_or(MAX_OUTPUT_CHUNK)
            .clamp(1, MAX_OUTPUT_CHUNK);
        let (text, next, len) =
            output::read_chunk(&self.log_path(&record.execution_id), p.offset, max)?;
        Ok(OutputChunk {
            execution_id: record.execution_id,
            offset: p.offset.min(len),
            next_offset: next,
            text,
            truncated: len > self.settings.output_cap,
            complete: record.status.is_final() && next >= len,
        })
    }

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

async fn wait_child(child: &mut Option<tokio::process::Child>) -> Option<ExitStatus> {
    match child {
        Some(c) => c.wait().await.ok(),
        None => std::future::pending().await,
    }
}

/// The exit code to record, and a sentence about it. A signal counts as
/// 128 + its number, as shells report it.
fn exit_code(status: &ExitStatus) -> (Option<i32>, String) {
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

#[cfg(all(test, unix))]
mod tests {
    //! The bookkeeping of executions without starting any process: how an
    //! ending becomes a status, waits, output chunks, recovery.
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    struct Fixture {
        _dir: tempfile::TempDir,
        db: Arc<Db>,
        ex: Arc<Executions>,
    }

    fn fixture(output_cap: u64) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(dir.path()).unwrap());
        let settings = Settings {
            output_dir: dir.path().join("output"),
            output_cap,
            stop_grace: Duration::from_secs(1),
            poll: Duration::from_millis(50),
            supervisor: PathBuf::from("/nonexistent/ssis"),
        };
        let ex =
            Executions::new(Arc::clone(&db), EventLog::new(Arc::clone(&db)), settings).unwrap();
        Fixture { _dir: dir, db, ex }
    }

    /// A running execution `id` as `start` records it (process `pid`).
    fn running(f: &Fixture, id: &str, pid: u32) {
        let e = Execution {
            execution_id: id.into(),
            package_name: "Load".into(),
            package_path: Some("\\File System\\Load".into()),
            package_file: None,
            store: "File System".into(),
            started_by: "alice".into(),
            started_from: "test".into(),
            start_time: format_ms(1_000),
            end_time: None,
            duration: 0.0,
            status: ExecutionStatus::Created,
            exit_code: None,
            current_task: None,
            process_id: None,
            command_line: vec!["dtexec".into()],
            message: None,
            origin: ExecutionOrigin::Service,
            package_id: None,
            description: None,
            version: None,
            executor: None,
        };
        f.db.insert_execution(&e, 1_000).unwrap();
        f.db.set_running(id, pid, None).unwrap();
    }

    /// A wait status: exit `code`, or killed by `signal`.
    fn exited(code: i32) -> Ending {
        Ending::Exited(ExitStatus::from_raw(code << 8))
    }
    fn signalled(signal: i32) -> Ending {
        Ending::Exited(ExitStatus::from_raw(signal))
    }

    #[test]
    fn exit_codes_and_signals_are_recorded_as_shells_report_them() {
        assert_eq!(exit_code(&ExitStatus::from_raw(0)).0, Some(0));
        assert_eq!(
            exit_code(&ExitStatus::from_raw(7 << 8)),
            (Some(7), "exit code 7".into())
        );
        assert_eq!(
            exit_code(&ExitStatus::from_raw(9)),
            (Some(137), "ended by signal 9".into())
        );
    }

    #[test]
    fn an_ending_becomes_the_status_the_exit_and_the_stop_say() {
        let f = fixture(1 << 20);
        let cases: [(&str, Ending, bool, ExecutionStatus, Option<i32>); 5] = [
            ("a0", exited(0), false, ExecutionStatus::Succeeded, Some(0)),
            ("a1", exited(7), false, ExecutionStatus::Failed, Some(7)),
            (
                "a2",
                signalled(9),
                false,
                ExecutionStatus::Failed,
                Some(137),
            ),
            // A stop asked for wins over how the process ended.
            ("a3", exited(0), true, ExecutionStatus::Stopped, Some(0)),
            // Not our child and no exit file: nobody knows.
            ("a4", Ending::Gone, false, ExecutionStatus::Unknown, None),
        ];
        for (id, ending, stopped, status, code) in cases {
            running(&f, id, 4_000_000);
            let active = f.ex.watch(id.into(), 4_000_000);
            assert_eq!(f.ex.running_count(), 1);
            f.ex.finish(&active, ending, stopped);
            let e = f.ex.get(id).unwrap();
            assert_eq!((e.status, e.exit_code), (status, code), "{id}: {e:?}");
            assert!(e.end_time.is_some(), "{id}");
            assert_eq!(
                e.message.is_none(),
                status == ExecutionStatus::Succeeded,
                "{id}: {e:?}"
            );
            assert_eq!(f.ex.running_count(), 0, "{id}: no longer watched");
        }
    }

    #[test]
    fn the_supervisors_exit_report_wins_and_keeps_its_end_time() {
        let f = fixture(1 << 20);
        running(&f, "r1", 4_000_001);
        // The supervisor was killed (signal 9) after its executor exited 0
        // at 12:00:00 and wrote its report.
        let report = ExitReport {
            exit_code: 0,
            signal: None,
            process_id: 4_000_002,
            end_time: "2024-01-01T12:00:00Z".into(),
            error: None,
            output_lost: None,
        };
        supervise::write_report(&f.ex.exit_path("r1"), &report).unwrap();
        let active = f.ex.watch("r1".into(), 4_000_001);
        f.ex.finish(&active, signalled(9), false);
        let e = f.ex.get("r1").unwrap();
        assert_eq!(
            (e.status, e.exit_code),
            (ExecutionStatus::Succeeded, Some(0))
        );
        assert_eq!(e.end_time.as_deref(), Some("2024-01-01T12:00:00.000Z"));
        assert!(!f.ex.exit_path("r1").exists(), "the report is consumed");
        // A report of an executor that could not start: failed, and why.
        running(&f, "r2", 4_000_003);
        let report = ExitReport {
            exit_code: 127,
            signal: None,
            process_id: 0,
            end_time: "2024-01-01T12:00:00Z".into(),
            error: Some("no such file".into()),
            output_lost: None,
        };
        supervise::write_report(&f.ex.exit_path("r2"), &report).unwrap();
        let active = f.ex.watch("r2".into(), 4_000_003);
        f.ex.finish(&active, exited(0), false);
        let e = f.ex.get("r2").unwrap();
        assert_eq!(e.status, ExecutionStatus::Failed);
        assert!(
            e.message
                .unwrap()
                .contains("could not be started: no such file")
        );
        // Output the log could not take: the run succeeded, and says so.
        running(&f, "r3", 4_000_004);
        let report = ExitReport {
            exit_code: 0,
            signal: None,
            process_id: 4_000_005,
            end_time: "2024-01-01T12:00:00Z".into(),
            error: None,
            output_lost: Some("the output log could not take 9 bytes".into()),
        };
        supervise::write_report(&f.ex.exit_path("r3"), &report).unwrap();
        let active = f.ex.watch("r3".into(), 4_000_004);
        f.ex.finish(&active, exited(0), false);
        let e = f.ex.get("r3").unwrap();
        assert_eq!(e.status, ExecutionStatus::Succeeded);
        assert_eq!(
            e.message.as_deref(),
            Some("the output log could not take 9 bytes")
        );
        let filter = ssis_core::protocol::events::EventFilter {
            event_id: Some(ids::OUTPUT_NOT_RECORDED),
            ..Default::default()
        };
        let events = f.db.events(&filter).unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].execution_id.as_deref(), Some("r3"));
    }

    #[test]
    fn unknown_ids_are_not_found_by_name() {
        let f = fixture(1 << 20);
        for e in [
            f.ex.get("nope").unwrap_err(),
            f.ex.stop("nope", "alice", "test").unwrap_err(),
            f.ex.output(&OutputParams {
                execution_id: "nope".into(),
                offset: 0,
                max_bytes: None,
            })
            .unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
            assert_eq!(e.target.as_deref(), Some("nope"), "{e}");
        }
    }

    #[tokio::test]
    async fn wait_returns_when_the_execution_ends_or_times_out() {
        let f = fixture(1 << 20);
        running(&f, "w1", 4_000_004);
        let active = f.ex.watch("w1".into(), 4_000_004);
        let e =
            f.ex.wait("W1", Some(Duration::from_millis(50)))
                .await
                .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
        let waiter = {
            let ex = Arc::clone(&f.ex);
            tokio::spawn(async move { ex.wait("w1", None).await })
        };
        f.ex.finish(&active, exited(3), false);
        let ended = tokio::time::timeout(Duration::from_secs(20), waiter)
            .await
            .expect("the wait ends with the execution")
            .unwrap()
            .unwrap();
        assert_eq!(ended.status, ExecutionStatus::Failed);
        // An ended execution: answered at once.
        let again = f.ex.wait("w1", Some(Duration::ZERO)).await.unwrap();
        assert_eq!(again.exit_code, Some(3));
    }

    #[test]
    fn output_chunks_say_where_to_go_on_and_when_it_is_complete() {
        let f = fixture(10);
        running(&f, "o1", 4_000_005);
        std::fs::write(f.ex.log_path("o1"), "0123456789abcdef").unwrap();
        let read = |offset, max_bytes| {
            f.ex.output(&OutputParams {
                execution_id: "o1".into(),
                offset,
                max_bytes,
            })
            .unwrap()
        };
        let c = read(0, Some(4));
        assert_eq!((c.text.as_str(), c.offset, c.next_offset), ("0123", 0, 4));
        assert!(c.truncated, "16 bytes is over the 10-byte cap");
        assert!(!c.complete, "still running");
        let c = read(100, None);
        assert_eq!((c.offset, c.next_offset, c.text.as_str()), (16, 16, ""));
        // Ended and read to the end: complete; not before the end.
        let active = f.ex.watch("o1".into(), 4_000_005);
        f.ex.finish(&active, exited(0), false);
        assert!(!read(0, Some(4)).complete);
        assert!(read(12, None).complete);
    }

    #[tokio::test]
    async fn recovery_marks_executions_whose_process_is_gone_unknown() {
        let f = fixture(1 << 20);
        // A process that has ended (and was reaped): its pid is free.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        running(&f, "gone", pid);
        f.ex.recover().unwrap();
        let e = f.ex.get("gone").unwrap();
        assert_eq!(e.status, ExecutionStatus::Unknown, "{e:?}");
        assert_eq!(f.ex.running_count(), 0);
        assert!(f.ex.list().unwrap().is_empty());
    }
}
