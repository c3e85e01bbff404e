//! Caps on local connections (Unix socket, named pipe), so that no caller
//! can exhaust the service's file descriptors or memory and lock others
//! out: at most [`MAX_PER_USER`] connections per account and
//! [`MAX_CONNECTIONS`] in all. The service's own account and root are not
//! held to the per-account cap and have [`PRIVILEGED_RESERVE`] more, so an
//! administrator can always get in to see what is going on. A refused
//! caller gets one error line naming the limit; open sessions are never
//! touched. (Network listeners have their own limits: `net::tcp`.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Open local connections per account, at most.
pub const MAX_PER_USER: usize = 128;
/// Open local connections in all, at most (before the reserve).
pub const MAX_CONNECTIONS: usize = 1024;
/// Connections beyond [`MAX_CONNECTIONS`] kept for root and the service's account.
pub const PRIVILEGED_RESERVE: usize = 32;
/// Time a local caller has to say Hello.
pub const LOCAL_HELLO_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Counts {
    total: usize,
    by_uid: HashMap<Option<u32>, usize>,
}

/// The connection counts.
#[derive(Clone)]
pub struct ConnectionLimits {
    per_user: usize,
    total: usize,
    reserve: usize,
    counts: Arc<Mutex<Counts>>,
}

/// An admitted connection; dropping it frees its place.
pub struct Slot {
    uid: Option<u32>,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_uid.get_mut(&self.uid) {
            *n -= 1;
            if *n == 0 {
                c.by_uid.remove(&self.uid);
            }
        }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits::new(MAX_PER_USER, MAX_CONNECTIONS, PRIVILEGED_RESERVE)
    }
}

impl ConnectionLimits {
    /// Caps of `per_user` per account and `total` in all, plus `reserve` for
    /// privileged callers.
    pub fn new(per_user: usize, total: usize, reserve: usize) -> ConnectionLimits {
        ConnectionLimits {
            per_user,
            total,
            reserve,
            counts: Arc::default(),
        }
    }

    /// Admits a connection of `uid` (`privileged`: root or the service's
    /// own account), or says which limit it would pass.
    pub fn admit(&self, uid: Option<u32>, privileged: bool) -> Result<Slot, String> {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = c.by_uid.get(&uid).copied().unwrap_or(0);
        if privileged {
            if c.total >= self.total + self.reserve {
                return Err(format!(
                    "the service has {} connections open, its limit; try again when some close",
                    c.total
                ));
            }
        } else if mine >= self.per_user {
            return Err(format!(
                "this account has {mine} connections to the service open, the limit per account; \
                 close some and try again"
            ));
        } else if c.total >= self.total {
            return Err(format!(
                "the service has {} connections open, its limit; try again when some close",
                c.total
            ));
        }
        c.total += 1;
        *c.by_uid.entry(uid).or_insert(0) += 1;
        Ok(Slot {
            uid,
            counts: Arc::clone(&self.counts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_cannot_take_every_place_and_root_always_gets_in() {
        let limits = ConnectionLimits::new(3, 5, 2);
        let mallory: Vec<Slot> = (0..3)
            .map(|_| limits.admit(Some(1001), false).unwrap())
            .collect();
        let refused = limits.admit(Some(1001), false).err().unwrap();
        assert!(refused.contains("limit per account"), "{refused}");
        // Others still get in, up to the total...
        let alice: Vec<Slot> = (0..2)
            .map(|_| limits.admit(Some(1002), false).unwrap())
            .collect();
        assert!(
            limits
                .admit(Some(1003), false)
                .err()
                .unwrap()
                .contains("its limit")
        );
        // ...and root beyond it, into the reserve.
        let root: Vec<Slot> = (0..2)
            .map(|_| limits.admit(Some(0), true).unwrap())
            .collect();
        assert!(limits.admit(Some(0), true).is_err());
        // Closing frees places: 4 of 7 open after this, under the total.
        drop(mallory);
        let back = limits.admit(Some(1001), false).unwrap();
        drop((back, root, alice));
        let c = limits.counts.lock().unwrap();
        assert_eq!((c.total, c.by_uid.len()), (0, 0), "every place freed");
    }
}
