//! Per-key rate limits for event-log entries that a caller can provoke at
//! will (access denials, malformed messages): each key (a user, a peer
//! address) may write [`LogLimiter::burst`] entries per window; the rest are
//! counted, and the exact count of what was left out is reported once the
//! window has closed ([`LogLimiter::closed_windows`], called on a timer). One
//! caller cannot fill the log, nor use up another caller's allowance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys tracked at most; beyond that, new keys share one overflow window
/// (so a flood of distinct keys cannot grow memory without bound).
const MAX_KEYS: usize = 4096;
/// The key of the shared overflow window.
pub const OVERFLOW_KEY: &str = "(other callers)";

struct Window {
    started: Instant,
    written: u32,
    suppressed: u64,
}

/// Windows per key.
pub struct LogLimiter {
    burst: u32,
    window: Duration,
    keys: Mutex<HashMap<String, Window>>,
}

impl LogLimiter {
    /// `burst` entries per `window` and key.
    pub fn new(burst: u32, window: Duration) -> LogLimiter {
        LogLimiter {
            burst,
            window,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Whether an entry for `key` at `now` may be written; if not, it is
    /// counted as suppressed.
    pub fn allow(&self, key: &str, now: Instant) -> bool {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let key = if keys.contains_key(key) || keys.len() < MAX_KEYS {
            key
        } else {
            OVERFLOW_KEY
        };
        let w = keys.entry(key.to_string()).or_insert(Window {
            started: now,
            written: 0,
            suppressed: 0,
        });
        if now.duration_since(w.started) >= self.window && w.suppressed == 0 {
            // A quiet window ended: start a new one in place.
            *w = Window {
                started: now,
                written: 0,
                suppressed: 0,
            };
        }
        if w.written < self.burst {
            w.written += 1;
            true
        } else {
            w.suppressed += 1;
            false
        }
    }

    /// The windows that have closed by `now` with entries left out, as
    /// `(key, how many)`; they are forgotten, so each count is reported once.
    pub fn closed_windows(&self, now: Instant) -> Vec<(String, u64)> {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let mut closed = Vec::new();
        keys.retain(|key, w| {
            if now.duration_since(w.started) < self.window {
                return true;
            }
            if w.suppressed > 0 {
                closed.push((key.clone(), w.suppressed));
            }
            false
        });
        closed.sort();
        closed
    }
}

/// The key a caller's log entries are limited by: its account once known;
/// before a network caller authenticates, its address without the port (so
/// reconnecting does not buy a new allowance).
pub fn peer_key(peer: &crate::identity::Peer) -> String {
    if !peer.needs_token || peer.uid.is_some() || peer.user != "anonymous" {
        return format!("user {}", peer.user);
    }
    let from = peer
        .transport
        .rsplit_once(" from ")
        .map_or(peer.transport.as_str(), |(_, f)| f);
    let host = from.rsplit_once(':').map_or(from, |(h, _)| h);
    format!("address {host}")
}

/// Writes one entry per window closed by `now` with entries left out: how
/// many, by whom. Called on a timer by the daemon, and at shutdown with a
/// time past every window.
pub fn report_suppressed(svc: &crate::state::Service, now: Instant) {
    use crate::eventlog::{Entry, ids};
    use ssis_core::protocol::events::EventLevel;
    let kinds = [
        (
            &svc.denials,
            ids::ACCESS_DENIED,
            "Access",
            "requests were denied",
        ),
        (
            &svc.protocol_errors,
            ids::PROTOCOL_ERROR,
            "Connections",
            "malformed or oversized messages were refused",
        ),
    ];
    for (limiter, event_id, source, what) in kinds {
        for (key, n) in limiter.closed_windows(now) {
            svc.log.write(Entry {
                level: EventLevel::Warning,
                event_id,
                source,
                user: None,
                message: format!(
                    "{n} more {what} ({key}) within {} s; they were not logged one by one.",
                    limiter.window().as_secs()
                ),
                data: serde_json::json!({"Suppressed": n, "From": key}),
                execution_id: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_allowance_and_every_left_out_entry_is_counted() {
        let l = LogLimiter::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        let flooder: Vec<bool> = (0..1000).map(|_| l.allow("mallory", t0)).collect();
        assert_eq!(flooder.iter().filter(|w| **w).count(), 3);
        // Another caller is not hidden by the flood.
        assert!(l.allow("alice", t0));
        // Nothing is reported before the window closes...
        assert!(l.closed_windows(t0 + Duration::from_secs(9)).is_empty());
        // ...then the exact count, once.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(l.closed_windows(later), vec![("mallory".to_string(), 997)]);
        assert!(l.closed_windows(later).is_empty());
        // A new window has a new allowance.
        assert!(l.allow("mallory", later));
    }

    #[test]
    fn a_window_with_left_out_entries_stays_until_it_is_reported() {
        let l = LogLimiter::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        assert!(l.allow("k", t0));
        assert!(!l.allow("k", t0));
        // Past the window but not yet reported: still counted in the old one.
        assert!(!l.allow("k", t0 + Duration::from_secs(2)));
        assert_eq!(
            l.closed_windows(t0 + Duration::from_secs(2)),
            vec![("k".to_string(), 2)]
        );
    }

    #[test]
    fn distinct_keys_beyond_the_cap_share_one_window() {
        let l = LogLimiter::new(1, Duration::from_secs(10));
        let t0 = Instant::now();
        for i in 0..MAX_KEYS {
            assert!(l.allow(&format!("k{i}"), t0));
        }
        assert!(l.allow("one more", t0));
        assert!(!l.allow("and another", t0));
        let closed = l.closed_windows(t0 + Duration::from_secs(10));
        assert_eq!(closed, vec![(OVERFLOW_KEY.to_string(), 1)]);
    }
}
