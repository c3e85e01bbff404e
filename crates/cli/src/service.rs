//! `ssis service run|status|stop|reload` and the execution commands
//! (`run`, `stop`, `ps`, `history`, `logs`, `events`), which talk to the
//! service named by `--server` (default: the local service `.`).

use super::output::{Out, print_table};
use clap::{Args, Subcommand};
use ssis_client::{LiveEvent, Session};
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::events::{EventFilter, EventLevel, LogEntry};
use ssis_core::protocol::executions::{
    Execution, ExecutionStatus, HistoryFilter, RunParams, Secret, VariableOverride,
};
use ssis_daemon::ServiceOptions;
use ssis_daemon::settings::Overrides;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `ssis service ...`
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Run the service in the foreground (until SIGTERM, Ctrl+C or `ssis service stop`).
    Run(ServiceRunArgs),
    /// Show whether the service runs, and what with (exit 0 if it runs).
    Status,
    /// Stop the running service (running packages are stopped or left
    /// running as StopExecutingPackagesOnShutdown says).
    Stop {
        /// Seconds to wait for the service to exit.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Make the service re-read its configuration file (refused if invalid).
    Reload,
    /// Windows: register the service with the Service Control Manager (and
    /// our Event Log source).
    Install(super::windows_service::InstallArgs),
    /// Windows: remove the service from the Service Control Manager.
    Uninstall,
    /// Windows: start the installed service through the Service Control Manager.
    Start,
    /// Windows: the service as the Service Control Manager starts it.
    #[command(hide = true)]
    ScmRun(ServiceRunArgs),
    /// Relay stdin/stdout to this host's service socket (what `ssh://` clients run remotely).
    DialStdio {
        /// The socket (default: $SSIS_SERVICE_SOCKET, else the default paths).
        #[arg(long, value_name = "PATH")]
        socket: Option<PathBuf>,
    },
}

/// `ssis service run` options.
#[derive(Debug, Args)]
pub struct ServiceRunArgs {
    /// Socket to listen on (default: $SSIS_SERVICE_SOCKET, else /run/ssis-service/ssis.sock
    /// as root, else $XDG_RUNTIME_DIR/ssis-service.sock).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// State directory: history, output logs, event log (default: the configuration's
    /// StateDirectory, else /var/lib/ssis-service as root, else ~/.local/state/ssis-service).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Seconds between SIGTERM and SIGKILL when stopping a package
    /// (default: the configuration's GracePeriodSeconds, else 10).
    #[arg(long, value_name = "SECONDS")]
    pub stop_grace: Option<f64>,
    /// Size cap of one execution's output log, in bytes (default: the
    /// configuration's OutputCapBytes, else 10 MiB).
    #[arg(long, value_name = "BYTES")]
    pub output_cap: Option<u64>,
    /// Days the event log keeps entries (0: for ever; fractions allowed;
    /// default: the configuration's RetentionDays, else 30).
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub event_retention_days: Option<f64>,
    /// Days ended executions stay in the history, with their output logs (0: for ever;
    /// default: the configuration's RetentionDays, else 90).
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub history_retention_days: Option<f64>,
    /// Days the output logs of ended executions are kept (0: for ever; default:
    /// the configuration's RetentionDays up to 30, else 30).
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub output_retention_days: Option<f64>,
    /// Seconds over which a user's "client connected" entries are summed up
    /// (the first is logged, the rest counted); 0 logs every connection.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub connection_log_window: f64,
}

/// `ssis run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Store path of the package, e.g. `\File System\Sales\Daily Load`; with
    /// --project, the package's name in the project (`Load.dtsx`).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub package: Option<String>,
    /// A package file instead of a stored package.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A project (.ispac, .dtproj, or a folder holding one or an unzipped
    /// .ispac) whose package to run, as dtexec /Project with /Package.
    #[arg(long, value_name = "PROJECT", conflicts_with = "file")]
    pub project: Option<PathBuf>,
    /// Variable override `NAME=VALUE` (or `\Package...Properties[Value]=VALUE`); repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Wait for the end; exit with the package's exit code (3 when stopped).
    #[arg(long)]
    pub wait: bool,
    /// The password of a package or project protected with one (dtexec's
    /// /DECRYPT), as --decrypt=PASSWORD. A bare --decrypt reads it from
    /// SSIS_PACKAGE_DECRYPT, or asks at the terminal, which keeps it off
    /// the command line.
    #[arg(
        long,
        value_name = "PASSWORD",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub decrypt: Option<String>,
}

/// `ssis stop` options.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Execution id.
    pub execution_id: String,
    /// Return at once instead of waiting for the package to end.
    #[arg(long)]
    pub no_wait: bool,
}

/// `ssis history` filters.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Package name or path contains this text.
    #[arg(long)]
    pub package: Option<String>,
    /// Status: Created, Running, Succeeded, Failed, Stopping, Stopped, Unknown.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<ExecutionStatus>,
    /// Started by this user.
    #[arg(long)]
    pub user: Option<String>,
    /// Started at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Started before this time.
    #[arg(long)]
    pub until: Option<String>,
    /// At most this many (newest first).
    #[arg(long)]
    pub limit: Option<u32>,
}

/// `ssis logs` options.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Execution id.
    pub execution_id: String,
    /// Keep printing until the execution ends.
    #[arg(long, short)]
    pub follow: bool,
}

/// `ssis events` filters.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// At or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// This level or more severe: Information, Warning, Error.
    #[arg(long, value_parser = parse_level)]
    pub level: Option<EventLevel>,
    /// Message contains this text.
    #[arg(long)]
    pub text: Option<String>,
    /// About this execution.
    #[arg(long = "execution", value_name = "ID")]
    pub execution_id: Option<String>,
    /// This event id.
    #[arg(long)]
    pub event_id: Option<u32>,
    /// At most this many (the newest).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Then keep printing new entries as they come.
    #[arg(long, short)]
    pub follow: bool,
    /// Read the event log of this state directory directly, without a
    /// running service (e.g. why it refused to start).
    #[arg(long, value_name = "DIR", conflicts_with = "follow")]
    pub state_dir: Option<std::path::PathBuf>,
}

fn parse_status(s: &str) -> std::result::Result<ExecutionStatus, String> {
    ExecutionStatus::parse(s).ok_or_else(|| format!("unknown status '{s}'"))
}

fn parse_level(s: &str) -> std::result::Result<EventLevel, String> {
    EventLevel::parse(s).ok_or_else(|| format!("unknown level '{s}' (Information, Warning, Error)"))
}

/// The service session: `--server`, else the local service.
fn connect(server: Option<&str>) -> Result<Session> {
    Session::connect(Some(server.unwrap_or(".")), None)
}

/// A retention in days: a finite number ≥ 0.
fn parse_days(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(d) if d.is_finite() && (0.0..=36_500.0).contains(&d) => Ok(d),
        _ => Err(format!(
            "'{text}' is not a number of days from 0 (keep for ever) to 36500"
        )),
    }
}

fn days(d: f64) -> Duration {
    Duration::from_secs_f64(d * 86_400.0)
}

/// `ssis service ...`
pub fn service(
    cmd: ServiceCommand,
    server: Option<&str>,
    config: Option<&Path>,
    out: Out,
) -> Result<i32> {
    match cmd {
        ServiceCommand::Run(a) => ssis_daemon::run(run_options(a, config)?),
        ServiceCommand::ScmRun(a) => super::windows_service::scm_run(run_options(a, config)?),
        ServiceCommand::Install(a) => {
            super::windows_service::install(a, config)?;
            out.done(|| {
                println!("The SSIS service was installed; start it with 'ssis service start'.")
            });
            Ok(0)
        }
        ServiceCommand::Uninstall => {
            super::windows_service::uninstall()?;
            out.done(|| println!("The SSIS service was uninstalled."));
            Ok(0)
        }
        ServiceCommand::Start => {
            super::windows_service::start()?;
            out.done(|| println!("The SSIS service is starting."));
            Ok(0)
        }
        ServiceCommand::Status => {
            let info = connect(server)?.service_info()?;
            out.emit(&info, || {
                println!(
                    "The SSIS service is running (version {}, process {}).",
                    info.version, info.process_id
                );
                println!("Listening on:     {}", info.listen);
                println!("Started:          {}", info.start_time);
                println!(
                    "Configuration:    {} (loaded {})",
                    info.config_path.as_deref().unwrap_or("built-in default"),
                    info.config_loaded
                );
                println!("State directory:  {}", info.state_directory);
                println!("Executor:         {}", info.executor.join(" "));
                println!("Running packages: {}", info.running_executions);
            });
            Ok(0)
        }
        ServiceCommand::Stop { timeout } => {
            if server.is_none()
                && super::windows_service::stop_through_scm(Duration::from_secs(timeout))?
            {
                out.done(|| println!("The SSIS service stopped."));
                return Ok(0);
            }
            let session = connect(server)?;
            let pid = session.service_info()?.process_id;
            session.service_stop()?;
            drop(session);
            let remote = server.is_some_and(|s| {
                let s = s.to_ascii_lowercase();
                ["ssh://", "tls://", "tcp://"]
                    .iter()
                    .any(|p| s.starts_with(p))
            });
            if remote {
                // Another machine's process: it was asked to stop; nothing to wait on here.
                out.done(|| println!("The SSIS service was asked to stop."));
                return Ok(0);
            }
            // The service is on this machine: wait for its process to exit.
            let deadline = Instant::now() + Duration::from_secs(timeout);
            while ssis_daemon::process::is_alive(pid, None) {
                if Instant::now() >= deadline {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!("the service (process {pid}) did not stop within {timeout} s"),
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            out.done(|| println!("The SSIS service stopped."));
            Ok(0)
        }
        ServiceCommand::DialStdio { socket } => {
            ssis_daemon::net::dial_stdio::run(socket.as_deref())
        }
        ServiceCommand::Reload => {
            let info = connect(server)?.service_reload()?;
            out.emit(&info, || {
                println!("The configuration was reloaded ({}).", info.config_loaded)
            });
            Ok(0)
        }
    }
}

/// The options of `ssis service run` (and `scm-run`).
fn run_options(a: ServiceRunArgs, config: Option<&Path>) -> Result<ServiceOptions> {
    if !(a.connection_log_window.is_finite() && a.connection_log_window >= 0.0) {
        return Err(
            Error::invalid("--connection-log-window must be a number of seconds ≥ 0")
                .with_target("--connection-log-window"),
        );
    }
    if a.stop_grace
        .is_some_and(|g| !(g.is_finite() && (0.0..=86_400.0).contains(&g)))
    {
        return Err(
            Error::invalid("--stop-grace must be a number of seconds from 0 to 86400")
                .with_target("--stop-grace"),
        );
    }
    Ok(ServiceOptions {
        config: config.map(Path::to_path_buf),
        socket: a.socket,
        state_dir: a.state_dir,
        overrides: Overrides {
            stop_grace: a.stop_grace.map(Duration::from_secs_f64),
            output_cap: a.output_cap,
            history: a.history_retention_days.map(days),
            output: a.output_retention_days.map(days),
            events: a.event_retention_days.map(days),
        },
        connection_log_window: Duration::from_secs_f64(a.connection_log_window),
    })
}

/// `ssis run`
pub fn run(a: RunArgs, server: Option<&str>, out: Out) -> Result<i32> {
    let set = a
        .set
        .iter()
        .map(|s| VariableOverride::parse(s))
        .collect::<Result<Vec<_>>>()?;
    let password = match a.decrypt.as_deref() {
        None => None,
        Some("") => match std::env::var(ssis_runner::cmdline::DECRYPT_ENV) {
            Ok(p) if !p.is_empty() => Some(Secret(p)),
            _ => match ssis_core::terminal::read_password("Package password: ")
                .map_err(|e| Error::invalid(format!("cannot read the password: {e}")))?
            {
                Some(p) => Some(Secret(p)),
                None => {
                    return Err(Error::invalid(format!(
                        "--decrypt has no password: give it after --decrypt, in {}, or at a \
                         terminal",
                        ssis_runner::cmdline::DECRYPT_ENV
                    ))
                    .with_target("--decrypt"));
                }
            },
        },
        Some(p) => Some(Secret(p.to_string())),
    };
    let params = RunParams {
        package: a.package,
        file: a.file.map(|f| f.to_string_lossy().into_owned()),
        project: a.project.map(|p| p.to_string_lossy().into_owned()),
        set,
        password,
    };
    let session = connect(server)?;
    let started = session.run(&params)?;
    if !a.wait {
        out.emit(&started, || {
            println!(
                "Started execution {} of {}.",
                started.execution_id,
                what(&started)
            )
        });
        return Ok(0);
    }
    if !out.json {
        println!(
            "Started execution {} of {}.",
            started.execution_id,
            what(&started)
        );
    }
    let done = session.execution_wait(&started.execution_id, None)?;
    out.emit(&done, || print_one(&done));
    Ok(exit_code_of(&done))
}

/// dtexec's exit code for a finished execution: the executor's, 3 when stopped.
fn exit_code_of(e: &Execution) -> i32 {
    match e.status {
        ExecutionStatus::Succeeded => 0,
        ExecutionStatus::Stopped => 3,
        _ => e.exit_code.filter(|c| *c != 0).unwrap_or(1),
    }
}

/// `ssis stop`
pub fn stop(a: StopArgs, server: Option<&str>, out: Out) -> Result<i32> {
    let session = connect(server)?;
    let mut e = session.execution_stop(&a.execution_id)?;
    if !a.no_wait {
        e = session.execution_wait(&a.execution_id, None)?;
    }
    out.emit(&e, || print_one(&e));
    Ok(0)
}

/// `ssis ps`
pub fn ps(server: Option<&str>, out: Out) -> Result<i32> {
    let list = connect(server)?.executions_list()?;
    out.emit(&list, || print_executions(&list.items));
    Ok(0)
}

/// `ssis history`
pub fn history(a: HistoryArgs, server: Option<&str>, out: Out) -> Result<i32> {
    let filter = history_filter(&a);
    let list = connect(server)?.execution_history(&filter)?;
    out.emit(&list, || print_executions(&list.items));
    Ok(0)
}

/// `ssis logs`
pub fn logs(a: LogsArgs, server: Option<&str>, out: Out) -> Result<i32> {
    let session = connect(server)?;
    let mut offset = 0;
    let mut text = String::new();
    loop {
        let chunk = session.execution_output(&a.execution_id, offset, None)?;
        let progressed = chunk.next_offset > offset;
        offset = chunk.next_offset;
        if out.json {
            text.push_str(&chunk.text);
        } else {
            print!("{}", chunk.text);
            let _ = std::io::stdout().flush();
        }
        if chunk.complete || (!a.follow && !progressed) {
            if out.json {
                let all = ssis_core::protocol::executions::OutputChunk {
                    offset: 0,
                    next_offset: offset,
                    text,
                    ..chunk
                };
                out.emit(&all, || {});
            }
            return Ok(0);
        }
        if !progressed {
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// `ssis events`
pub fn events(a: EventsArgs, server: Option<&str>, out: Out) -> Result<i32> {
    let filter = event_filter(&a);
    if let Some(dir) = &a.state_dir {
        let list =
            ssis_client::Items::from(ssis_daemon::db::Db::open_read_only(dir)?.events(&filter)?);
        out.emit(&list, || print_events(&list.items));
        return Ok(0);
    }
    let session = connect(server)?;
    let stream = a
        .follow
        .then(|| session.events_subscribe(None))
        .transpose()?;
    let list = session.events_read(&filter)?;
    out.emit(&list, || print_events(&list.items));
    let Some(mut stream) = stream else {
        return Ok(0);
    };
    let last = list.items.last().map(|e| e.sequence).unwrap_or(0);
    while let Some(ev) = stream.next_event(None)? {
        if let LiveEvent::Log(entry) = ev {
            let wanted = entry.sequence > last
                && filter.level.is_none_or(|l| entry.level >= l)
                && filter
                    .execution_id
                    .as_deref()
                    .is_none_or(|id| entry.execution_id.as_deref() == Some(id))
                && filter.event_id.is_none_or(|id| entry.event_id == id)
                && filter
                    .text
                    .as_deref()
                    .is_none_or(|t| entry.message.to_lowercase().contains(&t.to_lowercase()));
            if wanted {
                out.emit(&entry, || print_event_line(&entry));
            }
        }
    }
    Ok(0)
}

fn what(e: &Execution) -> String {
    e.package_path
        .clone()
        .or(e.package_file.clone())
        .unwrap_or_else(|| e.package_name.clone())
}

fn print_one(e: &Execution) {
    println!("Execution:    {}", e.execution_id);
    println!("Package:      {}", what(e));
    println!("Status:       {}", e.status);
    if let Some(code) = e.exit_code {
        println!("Exit code:    {code}");
    }
    println!("Started by:   {} ({})", e.started_by, e.started_from);
    println!("Start time:   {}", e.start_time);
    if let Some(end) = &e.end_time {
        println!("End time:     {end}");
    }
    println!("Duration:     {:.3} s", e.duration);
    if let Some(x) = &e.executor {
        println!("Executor:     {x}");
    }
    if let Some(task) = &e.current_task {
        println!("Current task: {task}");
    }
    if let Some(m) = &e.message {
        println!("Message:      {m}");
    }
}

fn print_executions(list: &[Execution]) {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            vec![
                what(e),
                e.execution_id.clone(),
                e.started_by.clone(),
                e.origin.name().to_string(),
                e.executor.clone().unwrap_or_default(),
                e.start_time.clone(),
                format!("{:.1} s", e.duration),
                e.status.to_string(),
                e.current_task.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &[
            "Package",
            "Execution Id",
            "Started By",
            "Origin",
            "Executor",
            "Start Time",
            "Duration",
            "Status",
            "Current Task",
        ],
        &rows,
    );
}

fn print_events(list: &[LogEntry]) {
    for e in list {
        print_event_line(e);
    }
}

fn print_event_line(e: &LogEntry) {
    println!(
        "{} {:<11} {:>4} {}: {}",
        e.time,
        e.level.name(),
        e.event_id,
        e.category,
        e.message
    );
}

/// The history filter of `ssis history`'s options.
pub fn history_filter(a: &HistoryArgs) -> HistoryFilter {
    HistoryFilter {
        package: a.package.clone(),
        status: a.status,
        user: a.user.clone(),
        since: a.since.clone(),
        until: a.until.clone(),
        limit: a.limit,
    }
}

/// The event filter of `ssis events`' options.
pub fn event_filter(a: &EventsArgs) -> EventFilter {
    EventFilter {
        since: a.since.clone(),
        level: a.level,
        text: a.text.clone(),
        execution_id: a.execution_id.clone(),
        event_id: a.event_id,
        after_sequence: None,
        limit: a.limit,
    }
}
