//! The lockout as it would look for usernames that have no account, so that signing in with an unknown ID number
//! answers exactly what a real account with a wrong password answers (再输错N次, then 连续输错提示) and nobody
//! can learn which ID numbers have accounts. Kept in memory under a SHA-256 of the username (never the ID number
//! itself) and bounded: past `CAPACITY` names, the ones idle longest are forgotten.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// What a wrong password for an unknown username answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phantom {
    /// Failures left before the (pretended) freeze.
    Remaining(u32),
    Frozen,
}

#[derive(Clone, Copy)]
struct Entry {
    failed: u32,
    frozen_until: Option<DateTime<Utc>>,
    touched: DateTime<Utc>,
}

/// Upper bound of remembered names (~64 bytes each).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct UnknownLogins {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

fn key(username: &str) -> [u8; 32] {
    Sha256::digest(username.as_bytes()).into()
}

impl UnknownLogins {
    /// True while the name is (pretended) frozen, like `Account::is_frozen`.
    pub fn is_frozen(&self, username: &str, now: DateTime<Utc>) -> bool {
        let Ok(entries) = self.entries.lock() else { return false };
        entries.get(&key(username)).and_then(|entry| entry.frozen_until).is_some_and(|until| until > now)
    }

    /// Counts a failure the way `Services::login` counts one for an account.
    pub fn fail(&self, username: &str, now: DateTime<Utc>, max_failed: u32, freeze: Duration) -> Phantom {
        let Ok(mut entries) = self.entries.lock() else { return Phantom::Remaining(max_failed.saturating_sub(1)) };
        if entries.len() >= CAPACITY && !entries.contains_key(&key(username)) {
            forget_idle(&mut entries, now);
        }
        let entry = entries.entry(key(username)).or_insert(Entry { failed: 0, frozen_until: None, touched: now });
        entry.touched = now;
        if entry.frozen_until.is_some_and(|until| until > now) {
            return Phantom::Frozen;
        }
        if entry.frozen_until.take().is_some() {
            entry.failed = 0;
        }
        entry.failed += 1;
        if entry.failed >= max_failed {
            entry.failed = 0;
            entry.frozen_until = Some(now + freeze);
            return Phantom::Frozen;
        }
        Phantom::Remaining(max_failed - entry.failed)
    }
}

/// Drops the half of the names idle longest, so a flood of invented names cannot grow memory.
fn forget_idle(entries: &mut HashMap<[u8; 32], Entry>, now: DateTime<Utc>) {
    let mut touched: Vec<DateTime<Utc>> = entries.values().map(|entry| entry.touched).collect();
    touched.sort_unstable();
    let cutoff = touched.get(touched.len() / 2).copied().unwrap_or(now);
    entries.retain(|_, entry| entry.touched > cutoff);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_freezes_then_thaws() {
        let book = UnknownLogins::default();
        let now = crate::clock::Clock::system().now();
        let freeze = Duration::seconds(60);
        let answers: Vec<Phantom> = (0..5).map(|_| book.fail("nobody", now, 5, freeze)).collect();
        assert_eq!(
            answers,
            [
                Phantom::Remaining(4),
                Phantom::Remaining(3),
                Phantom::Remaining(2),
                Phantom::Remaining(1),
                Phantom::Frozen
            ]
        );
        assert!(book.is_frozen("nobody", now));
        assert!(!book.is_frozen("somebody", now));
        let later = now + Duration::seconds(61);
        assert!(!book.is_frozen("nobody", later));
        assert_eq!(book.fail("nobody", later, 5, freeze), Phantom::Remaining(4));
    }

    #[test]
    fn memory_stays_bounded() {
        let book = UnknownLogins::default();
        let now = crate::clock::Clock::system().now();
        for index in 0..(CAPACITY + 10) {
            book.fail(&format!("name{index}"), now + Duration::milliseconds(index as i64), 5, Duration::seconds(60));
        }
        assert!(book.entries.lock().map(|entries| entries.len()).unwrap_or(0) <= CAPACITY);
    }
}
