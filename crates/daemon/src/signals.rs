//! Operating-system signals: SIGTERM/SIGINT stop the service, SIGHUP reloads
//! the configuration. Windows: Ctrl+C or a stop from the Service Control
//! Manager stops it.

use super::state::Service;
use std::sync::Arc;

/// Watches signals for the life of the service.
pub fn install(svc: Arc<Service>) -> ssis_core::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let err =
            |e: std::io::Error| ssis_core::Error::internal(format!("cannot watch signals: {e}"));
        let mut term = signal(SignalKind::terminate()).map_err(err)?;
        let mut int = signal(SignalKind::interrupt()).map_err(err)?;
        let mut hup = signal(SignalKind::hangup()).map_err(err)?;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => svc.request_shutdown("SIGTERM".into(), None),
                    _ = int.recv() => svc.request_shutdown("SIGINT".into(), None),
                    _ = hup.recv() => {
                        let me = Arc::clone(&svc);
                        // Refusals are logged by reload itself.
                        let _ = tokio::task::spawn_blocking(move || me.reload("SIGHUP")).await;
                    }
                }
            }
        });
    }
    #[cfg(windows)]
    {
        tokio::spawn(async move {
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_ok() {
                    svc.request_shutdown("Ctrl+C".into(), None);
                },
                _ = super::windows::scm::stop_requested() => {
                    svc.request_shutdown("Service Control Manager".into(), None);
                }
            }
        });
    }
    Ok(())
}
