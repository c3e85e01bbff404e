//! Rate limit for "client connected" entries (event 1010): a client that
//! polls (`ssis ps` in a loop, a monitoring script) would otherwise write
//! one entry per poll. Per user, the first connection of a window is logged
//! in full; the others in that window are counted, and one summary entry
//! says how many there were and with which clients when the window closes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most client names listed in one summary.
const MAX_CLIENT_NAMES: usize = 8;

/// Connections of one user not logged one by one.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The user.
    pub user: String,
    /// How many connections were not logged.
    pub count: u64,
    /// Client names seen (at most a few).
    pub clients: Vec<String>,
    /// Length of the window, in seconds.
    pub window_seconds: f64,
}

struct Window {
    started: Instant,
    count: u64,
    clients: BTreeSet<String>,
}

/// Per-user windows of connections.
pub struct ConnectionLog {
    window: Duration,
    users: Mutex<HashMap<String, Window>>,
}

impl ConnectionLog {
    /// Windows of `window` (zero: every connection is logged).
    pub fn new(window: Duration) -> ConnectionLog {
        ConnectionLog {
            window,
            users: Mutex::new(HashMap::new()),
        }
    }

    /// A connection of `user` with `client` at `now`: whether to log it in
    /// full, and the summary of the user's previous window if it just closed.
    pub fn connected(&self, user: &str, client: &str, now: Instant) -> (bool, Option<Summary>) {
        if self.window.is_zero() {
            return (true, None);
        }
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        match users.get_mut(user) {
            Some(w) if now.duration_since(w.started) < self.window => {
                w.count += 1;
                if w.clients.len() < MAX_CLIENT_NAMES {
                    w.clients.insert(client.to_string());
                }
                (false, None)
            }
            _ => {
                let fresh = Window {
                    started: now,
                    count: 0,
                    clients: BTreeSet::new(),
                };
                let old = users.insert(user.to_string(), fresh);
                (true, old.and_then(|w| self.summary(user, w)))
            }
        }
    }

    /// Closes the windows that ended by `now`; returns their summaries.
    pub fn flush(&self, now: Instant) -> Vec<Summary> {
        self.close(|w| now.duration_since(w.started) >= self.window)
    }

    /// Closes every window, ended or not (the service stops); returns
    /// their summaries.
    pub fn flush_all(&self) -> Vec<Summary> {
        self.close(|_| true)
    }

    fn close(&self, ended: impl Fn(&Window) -> bool) -> Vec<Summary> {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        let ended: Vec<String> = users
            .iter()
            .filter(|(_, w)| ended(w))
            .map(|(u, _)| u.clone())
            .collect();
        ended
            .into_iter()
            .filter_map(|u| {
                let w = users.remove(&u)?;
                self.summary(&u, w)
            })
            .collect()
    }

    fn summary(&self, user: &str, w: Window) -> Option<Summary> {
        (w.count > 0).then(|| Summary {
            user: user.to_string(),
            count: w.count,
            clients: w.clients.into_iter().collect(),
            window_seconds: self.window.as_secs_f64(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_connection_is_logged_the_rest_summed_up() {
        let log = ConnectionLog::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(log.connected("alice", "ssis", t0), (true, None));
        for i in 1..=10 {
            let at = t0 + Duration::from_secs(i);
            assert_eq!(log.connected("alice", "ssis", at), (false, None));
        }
        // Another user has a window of their own.
        assert!(log.connected("bob", "ssis", t0 + Duration::from_secs(5)).0);
        assert!(log.flush(t0 + Duration::from_secs(30)).is_empty());
        // The next connection after the window is logged, with the summary.
        let (full, summary) = log.connected("alice", "probe", t0 + Duration::from_secs(61));
        assert!(full);
        let s = summary.unwrap();
        assert_eq!((s.user.as_str(), s.count), ("alice", 10));
        assert_eq!(s.clients, ["ssis"]);
        // bob had no extra connection: no summary; alice's new window is empty.
        assert!(log.flush(t0 + Duration::from_secs(200)).is_empty());
        log.connected("carol", "a", t0);
        log.connected("carol", "b", t0 + Duration::from_secs(1));
        let f = log.flush(t0 + Duration::from_secs(60));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].count, f[0].clients.len()), (1, 1));
        assert_eq!(
            log.connected("carol", "c", t0 + Duration::from_secs(61)),
            (true, None)
        );
    }

    #[test]
    fn a_zero_window_logs_everything() {
        let log = ConnectionLog::new(Duration::ZERO);
        let t0 = Instant::now();
        assert!(log.connected("a", "x", t0).0 && log.connected("a", "x", t0).0);
    }
}
