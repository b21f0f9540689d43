//! The audit log entry (SPEC §6): append-only and hash-chained, so `zhiping check` can prove that nothing was
//! edited or removed after the fact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3… without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<u64>,
    /// The actor's display name at the time (names change; the log must not).
    pub actor_name: String,
    /// Client address the request came from.
    pub address: String,
    /// Stable action code, e.g. `account.reset_password`.
    pub action: String,
    /// What was acted on, e.g. `account:42`.
    pub target: String,
    /// Human-readable detail (never a password, token or full ID number).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The SHA-256 over every field but `hash`, in a fixed order with separators that cannot occur unescaped.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let parts = [
            self.seq.to_string(),
            self.at.to_rfc3339(),
            self.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            self.actor_name.clone(),
            self.address.clone(),
            self.action.clone(),
            self.target.clone(),
            self.detail.clone(),
            self.prev_hash.clone(),
        ];
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// Walks entries in sequence order and returns the first seq that breaks the chain, if any.
pub fn verify_chain<'a>(entries: impl Iterator<Item = &'a AuditEntry>) -> Result<u64, u64> {
    let mut previous = GENESIS.to_string();
    let mut expected_seq = 1;
    for entry in entries {
        if entry.seq != expected_seq || entry.prev_hash != previous || entry.compute_hash() != entry.hash {
            return Err(entry.seq);
        }
        previous = entry.hash.clone();
        expected_seq += 1;
    }
    Ok(expected_seq - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, prev: &str) -> AuditEntry {
        let mut entry = AuditEntry {
            seq,
            at: DateTime::from_timestamp(1_700_000_000 + seq as i64, 0).expect("time"),
            actor_id: Some(1),
            actor_name: "管理员".into(),
            address: "127.0.0.1".into(),
            action: "test".into(),
            target: "account:1".into(),
            detail: String::new(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    #[test]
    fn detects_an_edit_and_a_removal() {
        let first = entry(1, GENESIS);
        let second = entry(2, &first.hash);
        let third = entry(3, &second.hash);
        assert_eq!(verify_chain([&first, &second, &third].into_iter()), Ok(3));
        let mut edited = second.clone();
        edited.detail = "changed".into();
        assert_eq!(verify_chain([&first, &edited, &third].into_iter()), Err(2));
        assert_eq!(verify_chain([&first, &third].into_iter()), Err(3));
    }
}
