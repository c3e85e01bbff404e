//! One client connection: the handshake, then requests answered in order;
//! malformed or oversized messages get an error response and the connection
//! (and the service) carry on.

use super::access;
use super::dispatch::dispatch;
use super::eventlog::{Entry, ids};
use super::limits::LOCAL_HELLO_TIMEOUT;
use super::state::Service;
use super::transport::Connection;
use serde_json::{Value, json};
use ssis_core::error::{Error, ErrorKind};
use ssis_core::protocol::codec::{Frame, encode, read_frame_async};
use ssis_core::protocol::decode::decode_envelope;
use ssis_core::protocol::events::{self as ev, EventLevel, SubscribeParams};
use ssis_core::protocol::service::{HelloParams, HelloResult};
use ssis_core::protocol::{
    Envelope, MAX_GREETED_MESSAGE_SIZE, MAX_MESSAGE_SIZE, Method, Notification, PROTOCOL_VERSION,
    Request, Response,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// Serves one local connection until the client leaves or the service
/// stops; its caller must say Hello within [`LOCAL_HELLO_TIMEOUT`]. `slot`
/// is its place under the connection limits, freed when it ends.
pub async fn serve(svc: Arc<Service>, conn: Connection, slot: crate::limits::Slot) {
    serve_with(svc, conn, LOCAL_HELLO_TIMEOUT, None).await;
    drop(slot);
}

/// Answers a connection past the limits with one error line naming the
/// limit, then closes it.
pub async fn refuse(conn: Connection, why: String) {
    let mut writer = conn.writer;
    let error = Error::new(
        ErrorKind::Connection,
        format!("the service refused the connection: {why}"),
    );
    let line = encode(&Response::err(Value::Null, error));
    let _ = tokio::time::timeout(Duration::from_secs(1), writer.write_all(&line)).await;
}

/// How a network connection went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkOutcome {
    /// The caller authenticated (or left before trying).
    Served,
    /// The caller's Hello was refused (bad token) or never came in time.
    Refused,
}

/// Serves a network connection: its caller must say Hello, with a valid
/// token, within `hello_timeout`, and has one try. `unauthenticated` is
/// released once the caller is identified.
pub async fn serve_network(
    svc: Arc<Service>,
    conn: Connection,
    hello_timeout: Duration,
    unauthenticated: tokio::sync::OwnedSemaphorePermit,
) -> NetworkOutcome {
    serve_with(svc, conn, hello_timeout, Some(unauthenticated)).await
}

async fn serve_with(
    svc: Arc<Service>,
    conn: Connection,
    hello_timeout: Duration,
    mut unauthenticated: Option<tokio::sync::OwnedSemaphorePermit>,
) -> NetworkOutcome {
    let mut outcome = NetworkOutcome::Served;
    let hello_deadline = Some(tokio::time::Instant::now() + hello_timeout);
    let Connection {
        reader,
        writer,
        mut peer,
    } = conn;
    // Responses are written by this task directly (no hop to another task);
    // notifications of a subscription go through a bounded queue to a task
    // of their own, so a slow reader loses events instead of slowing anyone.
    let writer = Arc::new(tokio::sync::Mutex::new(writer));
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(256);
    let notifier = {
        let writer = Arc::clone(&writer);
        tokio::spawn(async move {
            while let Some(buf) = rx.recv().await {
                if writer.lock().await.write_all(&buf).await.is_err() {
                    break;
                }
            }
        })
    };
    // Small: an idle connection costs little; large messages just take more reads.
    let mut reader = BufReader::with_capacity(8 * 1024, reader);
    let mut greeted = false;
    let mut subscription: Option<JoinHandle<()>> = None;
    // Runs this connection registered; one that has not reported its end
    // when the connection closes is recorded as Unknown.
    let mut registered: Vec<String> = Vec::new();
    loop {
        let hello_wait = async {
            match hello_deadline.filter(|_| !greeted) {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let frame = tokio::select! {
            f = read_frame_async(&mut reader, message_limit(&svc, &peer, greeted)) => f,
            _ = svc.shutting_down() => break,
            _ = hello_wait => {
                outcome = NetworkOutcome::Refused;
                break;
            }
        };
        let response = match frame {
            Err(_) | Ok(Frame::Eof) => break,
            // An anonymous network caller that breaks the protocol is dropped, unlogged.
            Ok(Frame::Oversized(_)) if peer.needs_token => {
                outcome = NetworkOutcome::Refused;
                break;
            }
            Ok(Frame::Oversized(n)) => {
                protocol_error(
                    &svc,
                    &peer,
                    &format!("a message of {n} bytes exceeds the limit"),
                );
                Response::err(
                    Value::Null,
                    Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "message of {n} bytes exceeds the limit of {MAX_MESSAGE_SIZE} bytes; it was ignored"
                        ),
                    ),
                )
            }
            Ok(Frame::Line(line)) if line.trim_ascii().is_empty() => continue,
            Ok(Frame::Line(line)) => match parse_envelope(&line) {
                Err(_) if peer.needs_token => {
                    outcome = NetworkOutcome::Refused;
                    break;
                }
                Err(resp) => {
                    protocol_error(&svc, &peer, "a malformed message");
                    *resp
                }
                Ok(env) if !greeted && env.method != Method::Hello.name() => Response::err(
                    env.id,
                    Error::new(
                        ErrorKind::Protocol,
                        "the first message must be Hello (see docs/PROTOCOL.md)",
                    ),
                ),
                Ok(env) => match Request::decode(&env.method, env.params) {
                    Err(_) if peer.needs_token && !greeted => {
                        outcome = NetworkOutcome::Refused;
                        break;
                    }
                    Err(e) => Response::err(env.id, e),
                    Ok(Request::Hello(params)) if !greeted => {
                        let anonymous = peer.needs_token;
                        match hello(&svc, &mut peer, params) {
                            Ok(v) => {
                                greeted = true;
                                unauthenticated = None;
                                Response::ok(env.id, v)
                            }
                            // A network caller gets one try per connection.
                            Err(e) if anonymous => {
                                let _ = tx.send(encode(&Response::err(env.id, e))).await;
                                outcome = NetworkOutcome::Refused;
                                break;
                            }
                            Err(e) => Response::err(env.id, e),
                        }
                    }
                    Ok(request) => match access::authorize(&svc, &peer, &request)
                        .and_then(|()| access::files::check_files(&svc, &peer, &request))
                    {
                        Err(denied) => Response::err(env.id, denied),
                        Ok(()) => match request {
                            Request::EventsSubscribe(p) => {
                                match super::dispatch::execution_viewer(
                                    &svc,
                                    &peer,
                                    p.execution_id.as_deref(),
                                ) {
                                    Err(denied) => Response::err(env.id, denied),
                                    Ok(viewer) => {
                                        if let Some(old) = subscription.take() {
                                            old.abort();
                                        }
                                        subscription =
                                            Some(subscribe(&svc, &peer, p, viewer, tx.clone()));
                                        Response::ok(env.id, json!({"Subscribed": true}))
                                    }
                                }
                            }
                            Request::ExecutionRegister(p) => {
                                match svc.executions.register(&peer, p, tx.clone()) {
                                    Ok(record) => {
                                        registered.push(record.execution_id.clone());
                                        Response::ok(
                                            env.id,
                                            serde_json::to_value(record).unwrap_or_default(),
                                        )
                                    }
                                    Err(e) => Response::err(env.id, e),
                                }
                            }
                            Request::ListPackages(p) => {
                                let reply = tokio::select! {
                                    r = super::listing::reply(&svc, &env.id, p) => r,
                                    _ = svc.shutting_down() => Err(Error::new(ErrorKind::Canceled, "the service is stopping")),
                                };
                                match reply {
                                    Ok(reply) => {
                                        if !write_reply(&writer, reply).await {
                                            break;
                                        }
                                        continue;
                                    }
                                    Err(e) => Response::err(env.id, e),
                                }
                            }
                            request => {
                                let result = tokio::select! {
                                    r = dispatch(&svc, &peer, request) => r,
                                    _ = svc.shutting_down() => Err(Error::new(ErrorKind::Canceled, "the service is stopping")),
                                };
                                match result {
                                    Ok(v) => Response::ok(env.id, v),
                                    Err(e) => Response::err(env.id, e),
                                }
                            }
                        },
                    },
                },
            },
        };
        if writer
            .lock()
            .await
            .write_all(&encode(&response))
            .await
            .is_err()
        {
            break;
        }
    }
    if let Some(sub) = subscription {
        sub.abort();
    }
    for id in registered {
        svc.executions.registration_closed(&id);
    }
    drop(tx);
    drop(unauthenticated);
    let _ = notifier.await;
    let _ = writer.lock().await.shutdown().await;
    outcome
}

/// Writes the lines of one listing reply, in order, each made as the one
/// before has been written; false when the client is gone.
async fn write_reply<W: AsyncWriteExt + Unpin>(
    writer: &tokio::sync::Mutex<W>,
    mut reply: super::listing::Reply,
) -> bool {
    let mut w = writer.lock().await;
    let mut line = Vec::new();
    while reply.next_line(&mut line) {
        if w.write_all(&line).await.is_err() {
            return false;
        }
    }
    true
}

/// The largest request `peer` may send: a package's content fits only
/// after Hello and for a caller who may import (Write); everyone else
/// keeps the small limit, so an idle connection cannot hold much memory.
fn message_limit(svc: &Service, peer: &super::identity::Peer, greeted: bool) -> usize {
    let grants = &svc.loaded().config.extensions.grants;
    if greeted && access::policy::rights_of(peer, grants).contains(&ssis_core::config::Right::Write)
    {
        MAX_GREETED_MESSAGE_SIZE
    } else {
        MAX_MESSAGE_SIZE
    }
}

fn parse_envelope(line: &[u8]) -> Result<Envelope, Box<Response>> {
    decode_envelope(line).map_err(|b| {
        let (id, e) = *b;
        Box::new(Response::err(id, e))
    })
}

/// Logs a malformed or oversized message, within the caller's allowance.
fn protocol_error(svc: &Service, peer: &super::identity::Peer, what: &str) {
    let key = super::ratelimit::peer_key(peer);
    if !svc.protocol_errors.allow(&key, std::time::Instant::now()) {
        return;
    }
    svc.log.write(Entry {
        level: EventLevel::Warning,
        event_id: ids::PROTOCOL_ERROR,
        source: "Connections",
        user: Some(&peer.user),
        message: format!("A client sent {what}; it got an error response."),
        data: Value::Null,
        execution_id: None,
    });
}

fn hello(
    svc: &Service,
    peer: &mut super::identity::Peer,
    p: HelloParams,
) -> ssis_core::Result<Value> {
    access::admin::authenticate(svc, peer, p.token.as_deref())?;
    access::authorize(svc, peer, &Request::Hello(p.clone()))?;
    if p.protocol != PROTOCOL_VERSION {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!(
                "protocol version {} is not supported; this service speaks version {PROTOCOL_VERSION}",
                p.protocol
            ),
        )
        .with_target("Protocol"));
    }
    let client = p.client.unwrap_or_else(|| "an unnamed client".into());
    svc.log.client_connected(
        &peer.user,
        &client,
        format!(
            "{} connected with {client} ({}).",
            peer.user,
            peer.describe()
        ),
        serde_json::to_value(&*peer).unwrap_or_default(),
    );
    serde_json::to_value(HelloResult {
        protocol: PROTOCOL_VERSION,
        server: "ssis-service".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        user: peer.user.clone(),
    })
    .map_err(|e| Error::internal(e.to_string()))
}

/// Forwards live events to the connection. Slow readers lose events (a
/// `Lagged` notification says how many) rather than slowing the service.
/// Execution events of executions `viewer` does not own are not sent
/// (`viewer` is `None` for a caller holding Operate).
///
/// The subscriber's rights are checked again before every notification: once
/// a revoke takes its Read right away, the subscription ends with an
/// `AccessRevoked` notification.
fn subscribe(
    svc: &Arc<Service>,
    peer: &super::identity::Peer,
    p: SubscribeParams,
    viewer: Option<String>,
    tx: mpsc::Sender<Vec<u8>>,
) -> JoinHandle<()> {
    let (svc_now, peer) = (Arc::clone(svc), peer.clone());
    let still_allowed = move || {
        let grants = &svc_now.loaded().config.extensions.grants;
        let held = access::policy::rights_of(&peer, grants);
        held.contains(&ssis_core::config::Right::Connect)
            && held.contains(&ssis_core::config::Right::Read)
            && access::check::token_still_valid(&svc_now, &peer)
    };
    let mut exec_rx = svc.executions.subscribe();
    let mut log_rx = (p.execution_id.is_none()).then(|| svc.log.subscribe());
    let only = p.execution_id.map(|s| s.to_ascii_lowercase());
    let executions = Arc::clone(&svc.executions);
    let mut owners: std::collections::HashMap<String, bool> = Default::default();
    let mut visible = move |id: &str| match &viewer {
        None => true,
        Some(user) => *owners
            .entry(id.to_string())
            .or_insert_with(|| executions.get(id).is_ok_and(|e| e.started_by == *user)),
    };
    tokio::spawn(async move {
        loop {
            let note = tokio::select! {
                r = exec_rx.recv() => match r {
                    Ok(e) if only.as_deref().is_none_or(|id| id == e.execution_id) && visible(&e.execution_id) => {
                        Notification { notification: ev::EXECUTION_EVENT.into(), params: serde_json::to_value(e).unwrap_or_default() }
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(n)) => lagged(n),
                    Err(_) => break,
                },
                r = async { match log_rx.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => match r {
                    Ok(e) => Notification { notification: ev::LOG_EVENT.into(), params: serde_json::to_value(e).unwrap_or_default() },
                    Err(broadcast::error::RecvError::Lagged(n)) => lagged(n),
                    Err(_) => break,
                },
            };
            if !still_allowed() {
                let revoked = Notification {
                    notification: "AccessRevoked".into(),
                    params: json!({"Message": "Access is denied: the Read right this subscription needs was revoked"}),
                };
                let _ = tx.try_send(encode(&revoked));
                break;
            }
            match tx.try_send(encode(&note)) {
                Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => {}
                Err(mpsc::error::TrySendError::Closed(_)) => break,
            }
        }
    })
}

fn lagged(n: u64) -> Notification {
    Notification {
        notification: "Lagged".into(),
        params: json!({"Missed": n}),
    }
}
