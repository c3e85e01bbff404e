//! `ssis service install|uninstall|start` and `scm-run`: the Windows Service
//! Control Manager (see [`ssis_daemon::windows::scm`]). Elsewhere these
//! are refused with the platform's way (a systemd unit or launchd job
//! running `ssis service run`).

use super::service::ServiceRunArgs;
use clap::Args;
#[cfg(not(windows))]
use ssis_core::error::ErrorKind;
use ssis_core::error::{Error, Result};
use std::ffi::OsString;
use std::path::Path;

/// `ssis service install` options.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Account the service runs as (default: its virtual account
    /// `NT SERVICE\ssis-service`; `LocalSystem`, `NT AUTHORITY\NetworkService`, `DOMAIN\user`).
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Password of a `DOMAIN\user` account (read from $SSIS_SERVICE_PASSWORD when absent).
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Start on demand instead of with Windows.
    #[arg(long)]
    pub manual: bool,
    /// Options the service runs with (as for `ssis service run`).
    #[command(flatten)]
    pub run: ServiceRunArgs,
}

/// The `ssis service run` arguments of `run`, for the SCM's command line.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn run_arguments(config: Option<&Path>, run: &ServiceRunArgs) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    if let Some(c) = config {
        args.push("--config".into());
        args.push(
            std::path::absolute(c)
                .unwrap_or_else(|_| c.to_path_buf())
                .into(),
        );
    }
    if let Some(s) = &run.socket {
        args.push("--socket".into());
        args.push(s.into());
    }
    if let Some(d) = &run.state_dir {
        args.push("--state-dir".into());
        args.push(std::path::absolute(d).unwrap_or_else(|_| d.clone()).into());
    }
    if let Some(cap) = run.output_cap {
        args.push("--output-cap".into());
        args.push(cap.to_string().into());
    }
    for (flag, value) in [
        ("--stop-grace", run.stop_grace),
        ("--event-retention-days", run.event_retention_days),
        ("--history-retention-days", run.history_retention_days),
        ("--output-retention-days", run.output_retention_days),
        ("--connection-log-window", Some(run.connection_log_window)),
    ] {
        if let Some(value) = value {
            args.push(flag.into());
            args.push(value.to_string().into());
        }
    }
    args
}

#[cfg(not(windows))]
fn windows_only(what: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!(
            "'ssis service {what}' controls the Windows Service Control Manager; here run \
             'ssis service run' from a systemd unit (or launchd job) instead"
        ),
    )
}

/// `ssis service install`
pub fn install(a: InstallArgs, config: Option<&Path>) -> Result<()> {
    #[cfg(windows)]
    {
        use ssis_daemon::windows::scm;
        let program = std::env::current_exe()
            .map_err(|e| Error::internal(format!("cannot find this program's path: {e}")))?;
        scm::install(&scm::InstallOptions {
            program,
            run_arguments: run_arguments(config, &a.run),
            account: a.account.unwrap_or_else(|| scm::DEFAULT_ACCOUNT.into()),
            password: a
                .password
                .or_else(|| std::env::var("SSIS_SERVICE_PASSWORD").ok()),
            automatic: !a.manual,
        })
    }
    #[cfg(not(windows))]
    {
        let _ = (a, config);
        Err(windows_only("install"))
    }
}

/// `ssis service uninstall`
pub fn uninstall() -> Result<()> {
    #[cfg(windows)]
    {
        ssis_daemon::windows::scm::uninstall()
    }
    #[cfg(not(windows))]
    Err(windows_only("uninstall"))
}

/// `ssis service start`
pub fn start() -> Result<()> {
    #[cfg(windows)]
    {
        ssis_daemon::windows::scm::start()
    }
    #[cfg(not(windows))]
    Err(windows_only("start"))
}

/// `ssis service stop` on Windows: through the SCM when it runs the
/// service, waiting up to `timeout` (true); else the caller stops it over
/// the protocol (false).
pub fn stop_through_scm(timeout: std::time::Duration) -> Result<bool> {
    #[cfg(windows)]
    {
        use ssis_daemon::windows::scm;
        if scm::is_running_under_scm() {
            scm::stop(timeout)?;
            return Ok(true);
        }
    }
    let _ = timeout;
    Ok(false)
}

/// `ssis service scm-run`: the service under the SCM.
pub fn scm_run(options: ssis_daemon::ServiceOptions) -> Result<i32> {
    #[cfg(windows)]
    {
        ssis_daemon::windows::scm::dispatch(options)
    }
    #[cfg(not(windows))]
    {
        let _ = options;
        Err(windows_only("scm-run"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scm_command_line_carries_the_run_options() {
        let run = ServiceRunArgs {
            socket: Some(r"\\.\pipe\ssis-x".into()),
            state_dir: None,
            stop_grace: Some(5.0),
            output_cap: Some(4096),
            event_retention_days: Some(7.0),
            history_retention_days: None,
            output_retention_days: Some(30.5),
            connection_log_window: 60.0,
        };
        let args = run_arguments(Some(Path::new("conf.xml")), &run);
        let text: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(text[0], "--config");
        assert!(Path::new(&text[1]).is_absolute(), "{}", text[1]);
        assert_eq!(
            text[2..],
            [
                "--socket",
                r"\\.\pipe\ssis-x",
                "--output-cap",
                "4096",
                "--stop-grace",
                "5",
                "--event-retention-days",
                "7",
                "--output-retention-days",
                "30.5",
                "--connection-log-window",
                "60"
            ]
        );
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_the_scm_commands_are_refused() {
        use ssis_core::error::ErrorKind;
        assert_eq!(uninstall().unwrap_err().kind, ErrorKind::Unsupported);
        assert_eq!(start().unwrap_err().kind, ErrorKind::Unsupported);
        assert!(!stop_through_scm(std::time::Duration::ZERO).unwrap());
    }
}
