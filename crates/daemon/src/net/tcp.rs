//! The TCP listeners of the `<Listen>` elements (off when there are none).
//!
//! Abuse limits: at most [`MAX_HANDSHAKES`] TLS handshakes run at once (the
//! rest wait in the kernel's backlog), a handshake has
//! [`HANDSHAKE_TIMEOUT`], a caller has [`HELLO_TIMEOUT`] to authenticate
//! and one try per connection, and refusals are logged at a bounded rate
//! (see `access::check`); an address that keeps failing is paced
//! ([`super::throttle`]), and at most [`MAX_PENDING`] callers may be
//! unauthenticated at once.

use super::throttle::Throttle;
use crate::access::identity::network_peer;
use crate::connection;
use crate::eventlog::ids;
use crate::state::Service;
use crate::transport::Connection;
use ssis_core::config::ListenEndpoint;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::events::EventLevel;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

/// TLS handshakes served at once.
pub const MAX_HANDSHAKES: usize = 8;
/// Time a client has to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Network connections not authenticated yet, at most.
pub const MAX_PENDING: usize = 256;
/// Time a network client has to send a Hello with a valid token.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds every `<Listen>` of the configuration in force and serves them
/// until the service stops. Returns the endpoints as clients name them.
pub async fn start(svc: Arc<Service>) -> Result<Vec<String>> {
    let config = svc.host.config();
    let mut described = Vec::new();
    for endpoint in &config.extensions.listen {
        endpoint
            .check()
            .map_err(|m| Error::new(ErrorKind::Configuration, m))?;
        let addr = endpoint
            .socket_addr()
            .map_err(|m| Error::new(ErrorKind::Configuration, m))?;
        let acceptor = if endpoint.plaintext {
            None
        } else {
            let resolve = |p: &Option<String>| {
                let p = PathBuf::from(p.as_deref().unwrap_or_default());
                if p.is_relative() {
                    config.base_dir().join(p)
                } else {
                    p
                }
            };
            let tls = super::tls::server_config(
                &resolve(&endpoint.certificate),
                &resolve(&endpoint.key),
            )?;
            Some(TlsAcceptor::from(tls))
        };
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            Error::new(
                ErrorKind::Connection,
                format!("cannot listen on {addr}: {e}"),
            )
            .with_target(endpoint.address.clone())
        })?;
        let local = listener.local_addr().unwrap_or(addr);
        let name = match acceptor {
            Some(_) => format!("tls://{local}"),
            None => format!("tcp://{local} (plain TCP, loopback only)"),
        };
        svc.log.note(
            EventLevel::Information,
            ids::NETWORK_LISTENING,
            "Service",
            format!("The service listens on {name}."),
        );
        described.push(name.clone());
        tokio::spawn(serve(
            Arc::clone(&svc),
            listener,
            acceptor,
            endpoint.clone(),
        ));
    }
    Ok(described)
}

async fn serve(
    svc: Arc<Service>,
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    endpoint: ListenEndpoint,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    let pending = Arc::new(Semaphore::new(MAX_PENDING));
    let throttle = Arc::new(Throttle::default());
    let scheme = if acceptor.is_some() { "tls" } else { "tcp" };
    loop {
        let accepted = tokio::select! {
            _ = svc.shutting_down() => break,
            a = listener.accept() => a,
        };
        let (tcp, remote) = match accepted {
            Ok(a) => a,
            Err(e) => {
                eprintln!("ssis-service: accept on {} failed: {e}", endpoint.address);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Too many callers not authenticated yet, or a flooding address: drop.
        let Ok(unauthenticated) = Arc::clone(&pending).try_acquire_owned() else {
            continue;
        };
        let Some(wait) = throttle.admit(remote.ip()) else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let svc = Arc::clone(&svc);
        let acceptor = acceptor.clone();
        let handshakes = Arc::clone(&handshakes);
        let throttle = Arc::clone(&throttle);
        let local = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        tokio::spawn(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let Ok(permit) = handshakes.acquire_owned().await else {
                return;
            };
            let peer = network_peer(format!("{scheme}://{local} from {remote}"));
            let conn = match acceptor {
                Some(acceptor) => {
                    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await;
                    drop(permit);
                    let Ok(Ok(stream)) = tls else {
                        return;
                    };
                    let (r, w) = tokio::io::split(stream);
                    Connection {
                        reader: Box::new(r),
                        writer: Box::new(w),
                        peer,
                    }
                }
                None => {
                    drop(permit);
                    let (r, w) = tcp.into_split();
                    Connection {
                        reader: Box::new(r),
                        writer: Box::new(w),
                        peer,
                    }
                }
            };
            let outcome =
                connection::serve_network(svc, conn, HELLO_TIMEOUT, unauthenticated).await;
            if outcome == connection::NetworkOutcome::Refused {
                throttle.failed(remote.ip());
            }
        });
    }
}
