//! Live events: a subscription on its own connection, and the events
//! read from it.

use super::conn::lost;
use super::{Conn, REQUEST_TIMEOUT};
use crate::Session;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::codec::{Frame, read_frame};
use ssis_core::protocol::envelope::ServerMessage;
use ssis_core::protocol::events::{self as ev, ExecutionEvent, LogEntry, SubscribeParams};
use ssis_core::protocol::{MAX_MESSAGE_SIZE, Notification, Request};
use std::time::Duration;

/// Live events from a subscription (its own connection).
pub struct EventStream {
    conn: Conn,
}

/// One live event.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// An execution's event or status change.
    Execution(ExecutionEvent),
    /// A new event-log entry.
    Log(LogEntry),
    /// Events were dropped because the reader was slow.
    Lagged(u64),
}

impl EventStream {
    /// Waits for the next event; `None` when the service closed the stream.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<LiveEvent>> {
        self.conn.set_timeout(timeout);
        loop {
            let frame = read_frame(&mut self.conn.reader, MAX_MESSAGE_SIZE * 64)
                .map_err(|e| lost(ev::SUBSCRIBE, &e))?;
            let line = match frame {
                Frame::Eof => return Ok(None),
                Frame::Oversized(_) => continue,
                Frame::Line(l) => l,
            };
            let Ok(ServerMessage::Notification(Notification {
                notification,
                params,
            })) = ServerMessage::parse(&line)
            else {
                continue;
            };
            let bad = |e: serde_json::Error| {
                Error::new(ErrorKind::Protocol, format!("bad {notification}: {e}"))
            };
            return Ok(Some(match notification.as_str() {
                ev::EXECUTION_EVENT => {
                    LiveEvent::Execution(serde_json::from_value(params).map_err(bad)?)
                }
                ev::LOG_EVENT => LiveEvent::Log(serde_json::from_value(params).map_err(bad)?),
                "AccessRevoked" => {
                    let message = params["Message"]
                        .as_str()
                        .unwrap_or("Access is denied: the subscription's right was revoked");
                    return Err(Error::new(ErrorKind::AccessDenied, message));
                }
                _ => LiveEvent::Lagged(params["Missed"].as_u64().unwrap_or(0)),
            }));
        }
    }
}

impl Session {
    /// Opens a subscription to live events (of one execution, or all events).
    pub fn events_subscribe(&self, execution_id: Option<&str>) -> Result<EventStream> {
        let mut conn = self.remote()?.reopen()?;
        let p = SubscribeParams {
            execution_id: execution_id.map(str::to_string),
        };
        conn.call(1, &Request::EventsSubscribe(p), Some(REQUEST_TIMEOUT))?;
        Ok(EventStream { conn })
    }
}
