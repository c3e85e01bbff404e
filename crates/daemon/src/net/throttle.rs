//! Slows down network callers that fail to authenticate, per source
//! address: an address in good standing is never delayed; each refused
//! token costs it one of [`BURST`] credits (refilled at [`RATE`] per
//! second), and an address out of credit gets its new connections admitted
//! at most [`RATE`] per second (waiting costs the service nothing), or
//! dropped when the wait would exceed [`MAX_WAIT`]. Sessions already
//! authenticated are not affected. On loopback every client shares one
//! address, so a local flood also delays new local network connections
//! (not the Unix socket, not open sessions).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refused tokens an address may have before it is slowed.
pub const BURST: f64 = 20.0;
/// Connections per second admitted from an address out of credit.
pub const RATE: f64 = 200.0;
/// Longer waits than this drop the connection instead.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// Addresses tracked at most (the oldest in good standing are forgotten first).
const MAX_ADDRESSES: usize = 10_000;

struct Entry {
    credit: f64,
    last: Instant,
    next_slot: Instant,
}

/// Per-address admission of network connections.
#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<IpAddr, Entry>>,
}

impl Entry {
    fn refill(&mut self, now: Instant) {
        let dt = now.duration_since(self.last).as_secs_f64();
        self.credit = (self.credit + dt * RATE).min(BURST);
        self.last = now;
    }
}

impl Throttle {
    /// How long a new connection from `ip` waits before its handshake;
    /// `None`: drop it.
    pub fn admit(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Some(e) = map.get_mut(&ip) else {
            return Some(Duration::ZERO);
        };
        e.refill(now);
        if e.credit >= 1.0 {
            return Some(Duration::ZERO);
        }
        let slot = e.next_slot.max(now);
        let wait = slot - now;
        if wait > MAX_WAIT {
            return None;
        }
        e.next_slot = slot + Duration::from_secs_f64(1.0 / RATE);
        Some(wait)
    }

    /// Records a refused token from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            map.retain(|_, e| {
                e.refill(now);
                e.credit < BURST
            });
        }
        let e = map.entry(ip).or_insert(Entry {
            credit: BURST,
            last: now,
            next_slot: now,
        });
        e.refill(now);
        e.credit = (e.credit - 1.0).max(-BURST);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_pass_and_failing_ones_are_paced() {
        let t = Throttle::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(t.admit(a), Some(Duration::ZERO));
        for _ in 0..(BURST as usize + 5) {
            t.failed(a);
        }
        assert_eq!(
            t.admit(b),
            Some(Duration::ZERO),
            "other addresses are not slowed"
        );
        let waits: Vec<Duration> = (0..10).map(|_| t.admit(a).unwrap()).collect();
        assert!(waits.windows(2).all(|w| w[1] > w[0]), "{waits:?}");
        let step = waits[9] - waits[8];
        assert!(step >= Duration::from_secs_f64(0.9 / RATE), "{step:?}");
        for _ in 0..(RATE as usize * 6) {
            let _ = t.admit(a);
        }
        assert_eq!(t.admit(a), None, "a long queue is dropped");
    }
}
