//! Server-side sessions (SPEC §2): the cookie holds a random token, redb holds its SHA-256, and a small in-memory
//! cache keeps page serving from writing to the database on every request (last-seen is persisted at most once a
//! minute, which is precise enough for a 30-minute idle timeout).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::config::SessionConfig;
use crate::store::{Reader, Store, StoreError, WriteTx, tables};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub account_id: u64,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The CSRF token every state-changing form of this session must carry.
    pub csrf: String,
    /// When the integrity pledge was last served to this session, per project (SPEC §4.1's 15 seconds).
    #[serde(default)]
    pub pledge_served: HashMap<u64, DateTime<Utc>>,
}

/// How often last-seen is written back.
const TOUCH_EVERY: Duration = Duration::seconds(60);

pub struct SessionBook {
    clock: Clock,
    idle: Duration,
    absolute: Duration,
    cache: Mutex<HashMap<String, Session>>,
}

/// A fresh random token (hex, 256 bits).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The database key of a token: its SHA-256, so a copy of the database holds no usable token.
pub fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl SessionBook {
    pub fn new(config: &SessionConfig, clock: Clock) -> Self {
        Self {
            clock,
            idle: Duration::minutes(config.idle_minutes as i64),
            absolute: Duration::hours(config.absolute_hours as i64),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Creates a session for `account_id` inside `tx`; returns (token, csrf).
    pub fn create(&self, tx: &WriteTx, account_id: u64) -> Result<(String, Session), StoreError> {
        let token = random_token();
        let key = token_key(&token);
        let now = self.clock.now();
        let session = Session {
            account_id,
            created_at: now,
            last_seen: now,
            csrf: random_token(),
            pledge_served: HashMap::new(),
        };
        tx.put_keyed(tables::SESSIONS, &key, &session)?;
        tx.link_session(account_id, &key)?;
        Ok((token, session))
    }

    /// The live session of `token`, refreshing its last-seen time. Expired sessions are removed.
    pub fn resolve(&self, store: &Store, token: &str) -> Result<Option<Session>, StoreError> {
        let key = token_key(token);
        let now = self.clock.now();
        let cached = self.cache.lock().ok().and_then(|cache| cache.get(&key).cloned());
        let session = match cached {
            Some(session) => session,
            None => match store.read()?.get_keyed::<Session>(tables::SESSIONS, &key)? {
                Some(session) => session,
                None => return Ok(None),
            },
        };
        if now - session.last_seen > self.idle || now - session.created_at > self.absolute {
            store.write(|tx| self.remove(tx, &key, session.account_id))?;
            return Ok(None);
        }
        let mut session = session;
        if now - session.last_seen > TOUCH_EVERY {
            session.last_seen = now;
            let stored = session.clone();
            // The session may have been ended meanwhile (logout in another tab): only touch a live one.
            store.write(|tx| {
                if tx.get_keyed::<Session>(tables::SESSIONS, &key)?.is_some() {
                    tx.put_keyed(tables::SESSIONS, &key, &stored)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, session.clone());
        }
        Ok(Some(session))
    }

    /// Saves a changed session (e.g. the pledge timestamp) now.
    pub fn save(&self, store: &Store, token: &str, session: &Session) -> Result<(), StoreError> {
        let key = token_key(token);
        store.write(|tx| tx.put_keyed(tables::SESSIONS, &key, session))?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, session.clone());
        }
        Ok(())
    }

    pub fn remove(&self, tx: &WriteTx, key: &str, account_id: u64) -> Result<(), StoreError> {
        tx.remove_keyed(tables::SESSIONS, key)?;
        tx.unlink_session(account_id, key)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(key);
        }
        Ok(())
    }

    /// Ends the session of `token` (退出).
    pub fn end(&self, tx: &WriteTx, token: &str) -> Result<(), StoreError> {
        let key = token_key(token);
        if let Some(session) = tx.get_keyed::<Session>(tables::SESSIONS, &key)? {
            self.remove(tx, &key, session.account_id)?;
        }
        Ok(())
    }

    /// Ends every session of an account (password reset or change), except `keep` if given.
    pub fn end_all(&self, tx: &WriteTx, account_id: u64, keep: Option<&str>) -> Result<(), StoreError> {
        let keep_key = keep.map(token_key);
        for key in tx.session_keys_of(account_id)? {
            if Some(&key) != keep_key.as_ref() {
                self.remove(tx, &key, account_id)?;
            }
        }
        Ok(())
    }

    /// Removes expired sessions from the database; run periodically.
    pub fn sweep(&self, store: &Store) -> Result<usize, StoreError> {
        let now = self.clock.now();
        store.write(|tx| {
            let mut removed = 0;
            for (key, session) in tx.keyed_entries::<Session>(tables::SESSIONS)? {
                if now - session.last_seen > self.idle || now - session.created_at > self.absolute {
                    self.remove(tx, &key, session.account_id)?;
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }
}
