//! `ssis service run`: start-up, the accept loop, and shutdown.

use super::db::Db;
use super::eventlog::{Entry, EventLog, ids};
use super::executions::{Executions, Settings};
use super::retention::{self, Retention};
use super::settings::{Overrides, RunSettings};
use super::state::{Service, describe_path, load};
use super::transport::Listener;
use super::{connection, signals};
use serde_json::json;
use ssis_core::error::{Error, Result};
use ssis_core::protocol::events::EventLevel;
use ssis_core::protocol::paths;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// One day.
pub const DAY: Duration = Duration::from_secs(86_400);

/// How to run the service (command-line options; the configuration file's
/// extensions fill what is not given).
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Configuration file (`--config`).
    pub config: Option<PathBuf>,
    /// Socket path (`--socket`); else `$SSIS_SERVICE_SOCKET`, else the default.
    pub socket: Option<PathBuf>,
    /// State directory (`--state-dir`); else the configuration's `StateDirectory`, else the default.
    pub state_dir: Option<PathBuf>,
    /// Settings given on the command line; the configuration fills the
    /// rest ([`RunSettings::resolve`]).
    pub overrides: Overrides,
    /// "Client connected" entries are summed up per user over this window
    /// (zero: one entry per connection).
    pub connection_log_window: Duration,
}

impl Default for ServiceOptions {
    fn default() -> ServiceOptions {
        ServiceOptions {
            config: None,
            socket: None,
            state_dir: None,
            overrides: Overrides::default(),
            connection_log_window: super::eventlog::DEFAULT_CONNECTION_WINDOW,
        }
    }
}

/// Runs the service in the foreground until it is stopped; returns the exit code.
pub fn run(options: ServiceOptions) -> Result<i32> {
    super::program::remember();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ssis-service")
        .build()
        .map_err(|e| Error::internal(format!("cannot start the runtime: {e}")))?;
    let code = runtime.block_on(serve(options));
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}

async fn serve(options: ServiceOptions) -> Result<i32> {
    let loaded = load(options.config.as_deref());
    let state_dir = options
        .state_dir
        .clone()
        .or_else(|| {
            let l = loaded.as_ref().ok()?.config();
            let dir = l.extensions.state_directory.as_deref()?.trim();
            (!dir.is_empty()).then(|| {
                let p = PathBuf::from(dir);
                if p.is_relative() {
                    l.base_dir().join(p)
                } else {
                    p
                }
            })
        })
        .unwrap_or_else(paths::default_state_dir);
    let tightened = private_state(&state_dir)?;
    let _lock = lock_state_dir(&state_dir)?;
    let db = Arc::new(Db::open(&state_dir)?);
    let log = EventLog::with_connection_window(Arc::clone(&db), options.connection_log_window);
    for what in tightened {
        eprintln!("ssis-service: {what}");
        log.note(
            EventLevel::Warning,
            ids::STATE_PERMISSIONS_TIGHTENED,
            "Service",
            what,
        );
    }
    log.note(
        EventLevel::Information,
        ids::SERVICE_STARTING,
        "Service",
        format!(
            "The SSIS service is starting (version {}, process {}).",
            env!("CARGO_PKG_VERSION"),
            std::process::id()
        ),
    );
    let start_failed = |log: &EventLog, err: &Error| {
        log.note(
            EventLevel::Error,
            ids::SERVICE_START_FAILED,
            "Service",
            format!("The SSIS service could not start: {err}"),
        );
    };
    let loaded = match loaded {
        Ok(l) => l,
        Err(err) => {
            log.write(Entry {
                level: EventLevel::Error,
                event_id: ids::CONFIG_INVALID,
                source: "Configuration",
                user: None,
                message: format!("The configuration is invalid: {err}"),
                data: serde_json::to_value(&err).unwrap_or_default(),
                execution_id: None,
            });
            start_failed(&log, &err);
            return Err(err);
        }
    };
    let config = loaded.config();
    // The setting that names the file is there but empty: the original's
    // "registry value missing" (274); the default location applies.
    let env = ssis_core::config::CONFIG_ENV;
    if options.config.is_none() && std::env::var_os(env).is_some_and(|v| v.is_empty()) {
        log.note(
            EventLevel::Warning,
            ids::CONFIG_LOCATION_MISSING,
            "Configuration",
            format!(
                "{env}, which names the configuration file, is set but empty; the default \
                 location {} is used.",
                describe_path(config.path.as_deref())
            ),
        );
    }
    // No file where the configuration is looked for: the built-in default
    // (MSDB on '.' and File System at the default packages folder) is in
    // force, as the original service does (event 272).
    let file_missing = config.path.as_deref().is_none_or(|p| !p.is_file());
    if file_missing {
        let looked = config
            .path
            .as_deref()
            .map(|p| format!(" at '{}'", p.display()))
            .unwrap_or_default();
        log.note(
            EventLevel::Warning,
            ids::CONFIG_MISSING,
            "Configuration",
            format!(
                "No configuration file was found{looked}; the built-in default configuration is \
                 in force ({}).",
                describe_folders(&config)
            ),
        );
    } else {
        log.note(
            EventLevel::Information,
            ids::CONFIG_LOADED,
            "Configuration",
            format!(
                "The configuration was loaded from {}.",
                describe_path(config.path.as_deref())
            ),
        );
    }
    let socket = match options
        .socket
        .clone()
        .map(Ok)
        .unwrap_or_else(paths::default_listen_path)
    {
        Ok(s) => s,
        Err(err) => {
            start_failed(&log, &err);
            return Err(err);
        }
    };
    let mut listener = match Listener::bind(&socket) {
        Ok(l) => l,
        Err(err) => {
            start_failed(&log, &err);
            return Err(err);
        }
    };
    let run_settings = RunSettings::resolve(&options.overrides, &config);
    let settings = Settings {
        output_dir: state_dir.join("output"),
        output_cap: run_settings.output_cap,
        stop_grace: run_settings.stop_grace,
        poll: Duration::from_millis(100),
        supervisor: super::program::installed_path()?,
    };
    let executions = Executions::new(Arc::clone(&db), log.clone(), settings)?;
    let svc = Arc::new(Service::new(
        listener.describe(),
        state_dir.clone(),
        loaded,
        Arc::clone(&db),
        log.clone(),
        Arc::clone(&executions),
    ));
    if let Err(err) = super::net::start(Arc::clone(&svc)).await {
        start_failed(&log, &err);
        return Err(err);
    }
    executions.recover()?;
    signals::install(Arc::clone(&svc))?;
    super::index_watch::start(&svc);
    let retention = run_settings.retention;
    prune(&svc, &retention);
    log.write(Entry {
        level: EventLevel::Information,
        event_id: ids::SERVICE_STARTED,
        source: "Service",
        user: None,
        message: format!("The SSIS service started; it listens on {}.", listener.describe()),
        data: json!({"Listen": listener.describe(), "StateDirectory": state_dir, "ProcessId": std::process::id()}),
        execution_id: None,
    });

    let mut connections = tokio::task::JoinSet::new();
    let mut retention_tick = tokio::time::interval(Duration::from_secs(3600));
    retention_tick.tick().await;
    let window = options.connection_log_window;
    let mut connections_tick =
        tokio::time::interval(window.clamp(Duration::from_millis(100), Duration::from_secs(5)));
    let mut suppressed_tick = tokio::time::interval(Duration::from_secs(1));
    let limits = crate::limits::ConnectionLimits::default();
    let own_uid = own_uid();
    let shutdown = loop {
        tokio::select! {
            shutdown = svc.shutting_down() => break shutdown,
            accepted = listener.accept() => match accepted {
                Ok(conn) => {
                    let privileged = conn.peer.uid.is_some_and(|u| u == 0 || Some(u) == own_uid);
                    match limits.admit(conn.peer.uid, privileged) {
                        Ok(slot) => {
                            connections.spawn(connection::serve(Arc::clone(&svc), conn, slot));
                        }
                        Err(why) => {
                            connections.spawn(connection::refuse(conn, why));
                        }
                    }
                }
                Err(e) => {
                    eprintln!("ssis-service: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = retention_tick.tick() => prune(&svc, &retention),
            _ = suppressed_tick.tick() => crate::ratelimit::report_suppressed(&svc, std::time::Instant::now()),
            _ = connections_tick.tick(), if !window.is_zero() => log.flush_connections(),
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    };
    log.close_connection_windows();
    let stop_all = svc.loaded().config.stop_executing_packages_on_shutdown;
    let running = svc.executions.running_count();
    let what_happens = match (running, stop_all) {
        (0, _) => "No package is running.".to_string(),
        (n, true) => format!("{n} running package(s) will be stopped."),
        (n, false) => format!(
            "{n} running package(s) will be left running (StopExecutingPackagesOnShutdown is false)."
        ),
    };
    log.write(Entry {
        level: EventLevel::Information,
        event_id: ids::SERVICE_STOPPING,
        source: "Service",
        user: shutdown.user.as_deref(),
        message: format!(
            "The SSIS service is stopping ({}). {what_happens}",
            shutdown.reason
        ),
        data: json!({
            "Reason": shutdown.reason,
            "StopExecutingPackagesOnShutdown": stop_all,
            "RunningPackages": running,
        }),
        execution_id: None,
    });
    listener.remove();
    executions.shutdown(stop_all, Duration::from_secs(5)).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    // Counts of entries left out in windows still open are written now.
    crate::ratelimit::report_suppressed(
        &svc,
        std::time::Instant::now() + Duration::from_secs(3600),
    );
    log.note(
        EventLevel::Information,
        ids::SERVICE_STOPPED,
        "Service",
        "The SSIS service stopped.".into(),
    );
    Ok(0)
}

/// Applies the retention; logs what it deleted.
fn prune(svc: &Service, r: &Retention) {
    let output_dir = svc.state_dir.join("output");
    match retention::apply(&svc.db, &output_dir, r, ssis_core::timefmt::now_ms()) {
        Ok(p) if p != retention::Pruned::default() => svc.log.write(Entry {
            level: EventLevel::Information,
            event_id: ids::RETENTION_APPLIED,
            source: "Service",
            user: None,
            message: format!(
                "Retention: deleted {} ended executions, {} output files and {} event-log entries.",
                p.executions, p.files, p.events
            ),
            data: json!({"Executions": p.executions, "Files": p.files, "Events": p.events}),
            execution_id: None,
        }),
        Ok(_) => {}
        Err(e) => eprintln!("ssis-service: cannot apply the retention: {e}"),
    }
}

/// Makes the state directory private before anything is written to it: the
/// directory and its `output/` folder are created 0700 (missing parents with
/// the usual mode) or tightened to 0700; `state.db` is created empty with mode
/// 0600 before SQLite opens it — SQLite gives `-wal`/`-shm` the mode of the
/// database file, so they are 0600 from their first byte too — and existing
/// database, token and output files readable by others are tightened to 0600.
/// Returns a sentence per tightened path, to log once the event log is open.
#[cfg(unix)]
fn private_state(dir: &Path) -> Result<Vec<String>> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let mut tightened = Vec::new();
    let mut tighten = |path: &Path, mode: u32, what: &str| -> Result<()> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&e, "look up", path)),
        };
        let old = meta.permissions().mode() & 0o7777;
        if old & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
                Error::io(
                    &e,
                    &format!("make the {what} private (mode {mode:o})"),
                    path,
                )
            })?;
            tightened.push(format!(
                "The {what} '{}' had mode {old:o}, readable by other users; it is now {mode:o}.",
                path.display()
            ));
        }
        Ok(())
    };
    let make_dir = |path: &Path, what: &str| -> Result<()> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(&e, &format!("create the folder of the {what}"), parent))?;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
            Err(e) => Err(Error::io(&e, &format!("create the {what}"), path)),
        }
    };
    make_dir(dir, "state directory")?;
    tighten(dir, 0o700, "state directory")?;
    let output = dir.join("output");
    make_dir(&output, "output folder")?;
    tighten(&output, 0o700, "output folder")?;
    let db = dir.join("state.db");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&db)
        .map_err(|e| Error::io(&e, "create the state database", &db))?;
    for name in ["state.db", "state.db-wal", "state.db-shm", "tokens.json"] {
        tighten(&dir.join(name), 0o600, "state file")?;
    }
    let mut loose = 0usize;
    let entries = std::fs::read_dir(&output).map_err(|e| Error::io(&e, "list", &output))?;
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            let path = entry.path();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io(&e, "make the output file private (mode 600)", &path))?;
            loose += 1;
        }
    }
    if loose > 0 {
        tightened.push(format!(
            "{loose} output files in '{}' were readable by other users; they are now 600.",
            output.display()
        ));
    }
    Ok(tightened)
}

/// Windows: the state directory gets a protected DACL (SYSTEM,
/// Administrators, the service's account), applied to what it holds, so
/// the Users' read access `%ProgramData%` hands down does not reach it.
#[cfg(windows)]
fn private_state(dir: &Path) -> Result<Vec<String>> {
    use super::windows::{acl, caller};
    use ssis_core::error::ErrorKind;
    std::fs::create_dir_all(dir.join("output"))
        .map_err(|e| Error::io(&e, "create the state directory", dir))?;
    let me = caller::current()
        .map_err(|e| Error::io(&e, "read the service account to protect", dir))?
        .user;
    let current = acl::dacl_sddl(dir).map_err(|e| Error::io(&e, "read the access list of", dir))?;
    if acl::is_private(&current, &me.sid) {
        return Ok(Vec::new());
    }
    acl::make_private(dir, &me.sid).map_err(|e| {
        let denied = e.kind() == std::io::ErrorKind::PermissionDenied;
        Error::new(
            if denied {
                ErrorKind::AccessDenied
            } else {
                ErrorKind::Io
            },
            format!(
                "cannot make the state directory '{d}' private: {e}; its access list \
                 ({current}) lets other users in. As an administrator run: icacls \"{d}\" \
                 /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F \
                 *{sid}:(OI)(CI)M",
                d = dir.display(),
                sid = me.sid
            ),
        )
        .with_target(dir.display().to_string())
    })?;
    let now = acl::dacl_sddl(dir).unwrap_or_default();
    let outcome = if acl::is_private(&now, &me.sid) {
        format!(
            "it is now private to SYSTEM, Administrators and {}",
            me.name
        )
    } else {
        format!(
            "a private one was set, but the file system reports {now} (Wine maps access lists \
             to Unix modes; FAT volumes keep none): other users may still read it"
        )
    };
    Ok(vec![format!(
        "The state directory '{}' let other users in (access list {current}); {outcome}.",
        dir.display()
    )])
}

/// One service per state directory: an exclusive lock held for the life of the process.
#[cfg(unix)]
fn lock_state_dir(dir: &std::path::Path) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join("service.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(&e, "open", &path))?;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(Error::new(
            ssis_core::ErrorKind::AlreadyExists,
            format!(
                "another service already uses the state directory '{}'",
                dir.display()
            ),
        )
        .with_target(dir.display().to_string()));
    }
    Ok(file)
}

/// Windows: the lock file opened with no sharing (share mode 0) for the
/// life of the process; a second service's open fails with a sharing
/// violation.
#[cfg(windows)]
fn lock_state_dir(dir: &std::path::Path) -> Result<std::fs::File> {
    use std::os::windows::fs::OpenOptionsExt;
    /// ERROR_SHARING_VIOLATION: another process holds the file open.
    const SHARING_VIOLATION: i32 = 32;
    let path = dir.join("service.lock");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .share_mode(0)
        .open(&path)
        .map_err(|e| {
            if e.raw_os_error() == Some(SHARING_VIOLATION) {
                Error::new(
                    ssis_core::ErrorKind::AlreadyExists,
                    format!(
                        "another service already uses the state directory '{}'",
                        dir.display()
                    ),
                )
                .with_target(dir.display().to_string())
            } else {
                Error::io(&e, "open", &path)
            }
        })
}

/// `MSDB on '.', File System at '/var/lib/...'`: the top-level folders, for messages.
fn describe_folders(config: &ssis_core::config::ServiceConfig) -> String {
    use ssis_core::config::TopLevelFolder;
    config
        .top_level_folders
        .iter()
        .map(|f| match f {
            TopLevelFolder::SqlServerFolder(s) => format!("{} on '{}'", s.name, s.server_name),
            TopLevelFolder::FileSystemFolder(fs) => format!(
                "{} at '{}'",
                fs.name,
                config.resolve_store_path(fs).display()
            ),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The service's own uid (`None` where there are no uids).
fn own_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        Some(unsafe { libc::geteuid() })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_service_on_the_same_state_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_state_dir(dir.path()).expect("the first lock");
        let err = lock_state_dir(dir.path()).expect_err("a second lock while the first is held");
        assert_eq!(err.kind, ssis_core::ErrorKind::AlreadyExists);
        assert!(
            err.message
                .contains("another service already uses the state directory"),
            "{}",
            err.message
        );
        drop(held);
        lock_state_dir(dir.path()).expect("free again once the first is gone");
    }
}
