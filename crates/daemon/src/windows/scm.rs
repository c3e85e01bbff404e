//! The Windows Service Control Manager: `ssis service install|uninstall|
//! start|stop` register and control the service `ssis-service`, and the
//! SCM runs it as `ssis.exe service scm-run ...` ([`dispatch`]). A stop
//! from the SCM (or a system shutdown) stops the service as `ssis service
//! stop` does, so `StopExecutingPackagesOnShutdown` decides whether the
//! running packages are stopped or left running.

use crate::ServiceOptions;
use ssis_core::error::{Error, ErrorKind, Result};
use std::ffi::OsString;
use std::sync::OnceLock;
use std::time::Duration;
use windows_service::service::{
    ServiceAccess, ServiceControl, ServiceControlAccept, ServiceErrorControl, ServiceExitCode,
    ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

/// The service's name in the SCM (and its virtual account's).
pub const SERVICE_NAME: &str = "ssis-service";
/// What Services.msc shows.
pub const DISPLAY_NAME: &str = "SQL Server Integration Services (ssis-service)";
/// The default account: the service's virtual account.
pub const DEFAULT_ACCOUNT: &str = r"NT SERVICE\ssis-service";

/// What `ssis service install` registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOptions {
    /// The program the SCM starts (this `ssis.exe`).
    pub program: std::path::PathBuf,
    /// Arguments after `service scm-run` (e.g. `--config`, `--state-dir`).
    pub run_arguments: Vec<OsString>,
    /// The account (`DOMAIN\user`, `NT SERVICE\ssis-service`, `LocalSystem`...).
    pub account: String,
    /// Its password (none for virtual and built-in accounts).
    pub password: Option<String>,
    /// Start with Windows (else on demand).
    pub automatic: bool,
}

/// The SCM record of [`InstallOptions`].
pub fn service_info(o: &InstallOptions) -> ServiceInfo {
    let mut launch_arguments: Vec<OsString> = vec!["service".into(), "scm-run".into()];
    launch_arguments.extend(o.run_arguments.iter().cloned());
    let builtin = ["LocalSystem", r".\LocalSystem", r"NT AUTHORITY\SYSTEM"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(o.account.trim()));
    ServiceInfo {
        name: SERVICE_NAME.into(),
        display_name: DISPLAY_NAME.into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: if o.automatic {
            ServiceStartType::AutoStart
        } else {
            ServiceStartType::OnDemand
        },
        error_control: ServiceErrorControl::Normal,
        executable_path: o.program.clone(),
        launch_arguments,
        dependencies: Vec::new(),
        account_name: (!builtin).then(|| o.account.trim().into()),
        account_password: o.password.as_ref().map(Into::into),
    }
}

fn scm_error(what: &str, e: windows_service::Error) -> Error {
    let denied = matches!(&e, windows_service::Error::Winapi(io) if io.raw_os_error() == Some(5));
    let kind = if denied {
        ErrorKind::AccessDenied
    } else {
        ErrorKind::Io
    };
    let hint = if denied {
        " (run it from an elevated prompt: Administrators only)"
    } else {
        ""
    };
    Error::new(
        kind,
        format!("cannot {what} the Windows service '{SERVICE_NAME}': {e}{hint}"),
    )
    .with_target(SERVICE_NAME)
}

/// Registers the service and our Event Log source.
pub fn install(o: &InstallOptions) -> Result<()> {
    let manager = ServiceManager::local_computer(
        None::<&str>,
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
    )
    .map_err(|e| scm_error("install", e))?;
    let service = manager
        .create_service(&service_info(o), ServiceAccess::CHANGE_CONFIG)
        .map_err(|e| scm_error("install", e))?;
    let _ = service.set_description(
        "Open re-implementation of the SSIS service: package store, executions, event log.",
    );
    if let Err(e) = super::eventlog::register_source() {
        eprintln!(
            "warning: the Event Log source '{}' was not registered: {e}",
            super::eventlog::SOURCE
        );
    }
    Ok(())
}

/// Stops (if running) and removes the service and our Event Log source.
pub fn uninstall() -> Result<()> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .map_err(|e| scm_error("uninstall", e))?;
    let service = manager
        .open_service(
            SERVICE_NAME,
            ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE,
        )
        .map_err(|e| scm_error("uninstall", e))?;
    if let Ok(status) = service.query_status() {
        if status.current_state != ServiceState::Stopped {
            let _ = service.stop();
        }
    }
    service.delete().map_err(|e| scm_error("uninstall", e))?;
    let _ = super::eventlog::unregister_source();
    Ok(())
}

/// Asks the SCM to start the service.
pub fn start() -> Result<()> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .map_err(|e| scm_error("start", e))?;
    let service = manager
        .open_service(SERVICE_NAME, ServiceAccess::START)
        .map_err(|e| scm_error("start", e))?;
    service
        .start::<&str>(&[])
        .map_err(|e| scm_error("start", e))
}

/// Whether the SCM knows the service and it runs.
pub fn is_running_under_scm() -> bool {
    let Ok(manager) = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
    else {
        return false;
    };
    manager
        .open_service(SERVICE_NAME, ServiceAccess::QUERY_STATUS)
        .and_then(|s| s.query_status())
        .is_ok_and(|s| s.current_state != ServiceState::Stopped)
}

/// Asks the SCM to stop the service and waits up to `timeout` until it
/// reports Stopped.
pub fn stop(timeout: Duration) -> Result<()> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .map_err(|e| scm_error("stop", e))?;
    let service = manager
        .open_service(
            SERVICE_NAME,
            ServiceAccess::STOP | ServiceAccess::QUERY_STATUS,
        )
        .map_err(|e| scm_error("stop", e))?;
    service.stop().map_err(|e| scm_error("stop", e))?;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let status = service.query_status().map_err(|e| scm_error("stop", e))?;
        if status.current_state == ServiceState::Stopped {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the Windows service '{SERVICE_NAME}' did not stop within {} s",
                    timeout.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the service reports to the SCM, by phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Loading the configuration, binding the pipe.
    Starting,
    /// Serving.
    Running,
    /// A stop was asked for: packages are being stopped (up to the grace period).
    Stopping,
    /// Done, with the service's exit code.
    Stopped(i32),
}

/// The SCM status of `phase`; `grace` is the packages' stop grace period.
pub fn status_of(phase: Phase, grace: Duration, checkpoint: u32) -> ServiceStatus {
    let (state, accept, wait, exit) = match phase {
        Phase::Starting => (
            ServiceState::StartPending,
            ServiceControlAccept::empty(),
            Duration::from_secs(30),
            0,
        ),
        Phase::Running => (
            ServiceState::Running,
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN,
            Duration::ZERO,
            0,
        ),
        Phase::Stopping => (
            ServiceState::StopPending,
            ServiceControlAccept::empty(),
            grace + Duration::from_secs(15),
            0,
        ),
        Phase::Stopped(code) => (
            ServiceState::Stopped,
            ServiceControlAccept::empty(),
            Duration::ZERO,
            code,
        ),
    };
    ServiceStatus {
        service_type: ServiceType::OWN_PROCESS,
        current_state: state,
        controls_accepted: accept,
        exit_code: if exit == 0 {
            ServiceExitCode::Win32(0)
        } else {
            ServiceExitCode::ServiceSpecific(exit as u32)
        },
        checkpoint,
        wait_hint: wait,
        process_id: None,
    }
}

/// What a control from the SCM means for the service: `true` to shut down.
pub fn is_stop(control: ServiceControl) -> bool {
    matches!(
        control,
        ServiceControl::Stop | ServiceControl::Shutdown | ServiceControl::Preshutdown
    )
}

/// A stop asked by the SCM, for the service's signal watcher.
static STOP: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Waits until the SCM asks the service to stop.
pub async fn stop_requested() {
    STOP.notified().await
}

static OPTIONS: OnceLock<std::sync::Mutex<Option<ServiceOptions>>> = OnceLock::new();

windows_service::define_windows_service!(ffi_service_main, service_main);

/// Runs the service under the SCM (`ssis service scm-run`): blocks until
/// it stops. Fails when not started by the SCM.
pub fn dispatch(options: ServiceOptions) -> Result<i32> {
    let _ = OPTIONS.set(std::sync::Mutex::new(Some(options)));
    windows_service::service_dispatcher::start(SERVICE_NAME, ffi_service_main).map_err(|e| {
        Error::new(
            ErrorKind::Unsupported,
            format!(
                "'ssis service scm-run' is started by the Service Control Manager \
                 ('ssis service start'); to run the service in a console use 'ssis service run' ({e})"
            ),
        )
    })?;
    Ok(0)
}

/// The SCM status handle of the running service.
static STATUS: OnceLock<service_control_handler::ServiceStatusHandle> = OnceLock::new();

fn report(phase: Phase, grace: Duration, checkpoint: u32) {
    if let Some(h) = STATUS.get() {
        let _ = h.set_service_status(status_of(phase, grace, checkpoint));
    }
}

fn service_main(_arguments: Vec<OsString>) {
    let options = OPTIONS
        .get()
        .and_then(|m| m.lock().ok()?.take())
        .unwrap_or_default();
    // The SCM's wait hint: the flag, else the default (the configuration's
    // setting is known only once the service has read it).
    let grace = options
        .overrides
        .stop_grace
        .unwrap_or(crate::settings::DEFAULT_GRACE);
    let registered = service_control_handler::register(SERVICE_NAME, move |control| {
        if is_stop(control) {
            report(Phase::Stopping, grace, 1);
            STOP.notify_one();
            ServiceControlHandlerResult::NoError
        } else if control == ServiceControl::Interrogate {
            ServiceControlHandlerResult::NoError
        } else {
            ServiceControlHandlerResult::NotImplemented
        }
    });
    match registered {
        Ok(h) => {
            let _ = STATUS.set(h);
        }
        Err(e) => {
            eprintln!("ssis-service: cannot register with the SCM: {e}");
            return;
        }
    }
    report(Phase::Starting, grace, 1);
    // Executors get a console process group of their own for CTRL_BREAK;
    // a service has no console until it makes one (invisible in session 0).
    super::ensure_console();
    report(Phase::Running, grace, 0);
    let code = match crate::run(options) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ssis-service: {e}");
            1
        }
    };
    report(Phase::Stopped(code), grace, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_records_the_account_and_run_arguments() {
        let o = InstallOptions {
            program: r"C:\Program Files\ssis\ssis.exe".into(),
            run_arguments: vec!["--config".into(), r"C:\ssis\MsDtsSrvr.ini.xml".into()],
            account: DEFAULT_ACCOUNT.into(),
            password: None,
            automatic: true,
        };
        let info = service_info(&o);
        assert_eq!(info.name, SERVICE_NAME);
        assert_eq!(info.start_type, ServiceStartType::AutoStart);
        assert_eq!(info.account_name, Some(DEFAULT_ACCOUNT.into()));
        assert_eq!(info.account_password, None);
        assert_eq!(
            info.launch_arguments,
            [
                "service",
                "scm-run",
                "--config",
                r"C:\ssis\MsDtsSrvr.ini.xml"
            ]
            .map(OsString::from)
        );
        let system = service_info(&InstallOptions {
            account: "LocalSystem".into(),
            automatic: false,
            ..o
        });
        assert_eq!(
            system.account_name, None,
            "LocalSystem is the SCM's default"
        );
        assert_eq!(system.start_type, ServiceStartType::OnDemand);
    }

    #[test]
    fn the_state_machine_reports_what_the_scm_expects() {
        let grace = Duration::from_secs(10);
        let s = status_of(Phase::Starting, grace, 1);
        assert_eq!(s.current_state, ServiceState::StartPending);
        assert!(s.controls_accepted.is_empty() && s.checkpoint == 1);
        let r = status_of(Phase::Running, grace, 0);
        assert_eq!(r.current_state, ServiceState::Running);
        assert_eq!(
            r.controls_accepted,
            ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
        );
        let p = status_of(Phase::Stopping, grace, 2);
        assert_eq!(p.current_state, ServiceState::StopPending);
        assert!(
            p.wait_hint > grace,
            "the SCM waits for the packages' grace period"
        );
        let ok = status_of(Phase::Stopped(0), grace, 0);
        assert_eq!(ok.current_state, ServiceState::Stopped);
        assert_eq!(ok.exit_code, ServiceExitCode::Win32(0));
        let failed = status_of(Phase::Stopped(6), grace, 0);
        assert_eq!(failed.exit_code, ServiceExitCode::ServiceSpecific(6));
        assert!(is_stop(ServiceControl::Stop) && is_stop(ServiceControl::Shutdown));
        assert!(!is_stop(ServiceControl::Interrogate));
    }

    #[test]
    fn scm_run_outside_the_scm_is_refused() {
        let err = dispatch(ServiceOptions::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert!(err.message.contains("ssis service run"), "{}", err.message);
    }
}
