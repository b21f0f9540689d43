//! Per-client-address budgets (SPEC §2), in memory: a fixed one-minute window per address. Lost on restart, which
//! is fine — the per-account lockout is the durable defence.
//!
//! Sign-in takes a slot per attempt and gives it back on success, so the budget counts failures: a whole school
//! signing in behind one NAT address is never throttled, a password guesser is. Taking the slot before the
//! attempt (not counting after it) keeps concurrent guesses inside the budget too.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl LoginThrottle {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt from `address`; false when the address is over its budget for this minute.
    pub fn allow(&self, address: &str) -> bool {
        let Ok(mut windows) = self.windows.lock() else { return true };
        let now = Instant::now();
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(address.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            return false;
        }
        entry.1 += 1;
        true
    }

    /// Gives back the slot of an attempt that succeeded.
    pub fn refund(&self, address: &str) {
        let Ok(mut windows) = self.windows.lock() else { return };
        if let Some(entry) = windows.get_mut(address) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_budget_per_address() {
        let throttle = LoginThrottle::new(3);
        assert!((0..3).all(|_| throttle.allow("10.0.0.1")));
        assert!(!throttle.allow("10.0.0.1"));
        assert!(throttle.allow("10.0.0.2"));
    }

    #[test]
    fn refunded_attempts_do_not_count() {
        let throttle = LoginThrottle::new(3);
        for _ in 0..100 {
            assert!(throttle.allow("10.0.0.1"));
            throttle.refund("10.0.0.1");
        }
        assert!((0..3).all(|_| throttle.allow("10.0.0.1")));
        assert!(!throttle.allow("10.0.0.1"));
    }
}
