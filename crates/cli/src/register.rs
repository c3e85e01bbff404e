//! `ssis exec` started outside the service registers its run with the local
//! service when one is running and lets this account in, so the run is
//! listed with every other running package (`ssis ps`), kept in history, and
//! can be asked to stop. Best effort: without a service (or without the
//! right) the run goes on unregistered and silent about it. Runs the service
//! started itself (`$SSIS_EXECUTION_ID` set) are already tracked; setting
//! `SSIS_EXEC_REGISTER=0` turns registration off.

use ssis_client::{Registration, Session};
use ssis_core::protocol::executions::{PackageIdentity, RegisterParams};
use ssis_runner::cancel::CancelToken;
use ssis_runner::observe::{RunObserver, RunSource};
use std::sync::Mutex;

/// Installs the registration for this process's run, unless it is off.
pub fn install() {
    let service_run = std::env::var_os("SSIS_EXECUTION_ID").is_some();
    let off = std::env::var("SSIS_EXEC_REGISTER").is_ok_and(|v| v.trim() == "0");
    if !service_run && !off {
        ssis_runner::observe::install(Box::new(ServiceRegistration::default()));
    }
}

#[derive(Default)]
struct ServiceRegistration {
    registration: Mutex<Option<Registration>>,
}

impl RunObserver for ServiceRegistration {
    fn started(&self, package: &PackageIdentity, source: &RunSource, cancel: &CancelToken) {
        let Ok(session) = Session::connect(None, None) else {
            return;
        };
        let params = RegisterParams {
            package: package.clone(),
            package_file: source.file.clone(),
            package_path: source.store_path.clone(),
            // Others with the right read the history: no password in it.
            command_line: ssis_runner::cmdline::redact_secrets(
                &std::env::args().collect::<Vec<_>>(),
            ),
        };
        let cancel = cancel.clone();
        if let Ok(r) = session.register_run(params, move || cancel.cancel()) {
            *self.registration.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
        }
    }

    fn finished(&self, exit_code: i32) {
        let taken = self
            .registration
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(r) = taken {
            let _ = r.finish(exit_code);
        }
    }
}
