//! Appending to the hash-chained audit log, always inside the transaction that makes the change, so the log and
//! the data can never disagree.

use super::actor::Actor;
use crate::domain::audit::{AuditEntry, GENESIS};
use crate::store::{Reader, StoreError, WriteTx, tables};

/// Who the log names when the platform itself acts (bootstrap, demo data, sweeps).
pub const SYSTEM: &str = "系统";

pub fn record(tx: &WriteTx, actor: Option<&Actor>, action: &str, target: &str, detail: &str) -> Result<(), StoreError> {
    let previous: Option<AuditEntry> = tx.last(tables::AUDIT)?;
    let (seq, prev_hash) = match previous {
        Some(entry) => (entry.seq + 1, entry.hash),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        at: tx.now(),
        actor_id: actor.map(|actor| actor.account_id),
        actor_name: actor.map(|actor| actor.name.clone()).unwrap_or_else(|| SYSTEM.to_string()),
        address: actor.map(|actor| actor.address.clone()).unwrap_or_default(),
        action: action.to_string(),
        target: target.to_string(),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    tx.put_at(tables::AUDIT, seq, &entry)
}
