//! Per-client-address budgets (SPEC §2), in memory: a fixed one-minute window per address. Lost on restart, which
//! is fine — the per-account lockout is the durable defence.
//!
//! Sign-in takes a slot per attempt and gives it back on success, so the budget counts failures: a whole school
//! signing in behind one NAT address is never throttled, a password guesser is. Taking the slot before the
//! attempt (not counting after it) keeps concurrent guesses inside the budget too.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;

pub struct LoginThrottle {
    per_minute: u32,
    clock: Clock,
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

const WINDOW: Duration = Duration::seconds(60);

impl LoginThrottle {
    pub fn new(per_minute: u32, clock: Clock) -> Self {
        Self { per_minute, clock, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt from `address`; false when the address is over its budget for this minute.
    pub fn allow(&self, address: &str) -> bool {
        let Ok(mut windows) = self.windows.lock() else { return true };
        let now = self.clock.now();
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now - *start < WINDOW);
        }
        let entry = windows.entry(address.to_string()).or_insert((now, 0));
        if now - entry.0 >= WINDOW {
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
        let throttle = LoginThrottle::new(3, Clock::system());
        assert!((0..3).all(|_| throttle.allow("10.0.0.1")));
        assert!(!throttle.allow("10.0.0.1"));
        assert!(throttle.allow("10.0.0.2"));
    }

    #[test]
    fn the_budget_returns_a_minute_later() {
        let clock = Clock::movable();
        let throttle = LoginThrottle::new(2, clock.clone());
        assert!((0..2).all(|_| throttle.allow("10.0.0.1")));
        assert!(!throttle.allow("10.0.0.1"));
        clock.advance(Duration::seconds(61));
        assert!(throttle.allow("10.0.0.1"));
    }

    #[test]
    fn refunded_attempts_do_not_count() {
        let throttle = LoginThrottle::new(3, Clock::system());
        for _ in 0..100 {
            assert!(throttle.allow("10.0.0.1"));
            throttle.refund("10.0.0.1");
        }
        assert!((0..3).all(|_| throttle.allow("10.0.0.1")));
        assert!(!throttle.allow("10.0.0.1"));
    }
}
