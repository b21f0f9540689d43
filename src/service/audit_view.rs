//! The audit log viewer (city admin): filter by actor, action, target and date, newest first, one page at a time,
//! with the state of the hash chain. The chain is verified in full once per process and then only for entries
//! appended since: while the server runs, redb's file lock keeps every other writer out, so an entry verified
//! once stays as it was until the next start.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};

use super::Services;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::paging::Paged;
use crate::domain::account::Role;
use crate::domain::audit::{AuditEntry, GENESIS};
use crate::store::{Reader, tables};

/// The last entry known to chain correctly from the start (sequence number and hash).
#[derive(Default)]
pub struct AuditCheckpoint(Mutex<Option<(u64, String)>>);

/// Filters of the viewer; empty text and `None` dates match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Part of the actor's name, or its account id.
    pub actor: String,
    /// An action code or its prefix, e.g. `teacher.` or `account.reset_password`.
    pub action: String,
    /// A target (`account:42`) or its prefix (`school:`).
    pub target: String,
    /// Shanghai dates, both inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: usize,
    pub per_page: usize,
}

/// Whether the whole log chains from the first entry to the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainState {
    /// Every entry verified; the number of entries.
    Intact(u64),
    /// The first entry (sequence number) that does not chain.
    Broken(u64),
}

fn bound(date: NaiveDate, end_of_day: bool) -> DateTime<Utc> {
    let time = if end_of_day { date.and_hms_opt(23, 59, 59) } else { date.and_hms_opt(0, 0, 0) };
    let local = time.unwrap_or_default();
    // Shanghai is UTC+8 all year.
    DateTime::<Utc>::from_naive_utc_and_offset(local, Utc) - chrono::Duration::hours(8)
}

impl AuditQuery {
    fn matches(&self, entry: &AuditEntry) -> bool {
        let actor = self.actor.trim();
        let action = self.action.trim();
        let target = self.target.trim();
        (actor.is_empty()
            || entry.actor_name.contains(actor)
            || entry.actor_id.is_some_and(|id| id.to_string() == actor))
            && (action.is_empty() || entry.action.starts_with(action))
            && (target.is_empty() || entry.target == target || entry.target.starts_with(target))
            && self.from.is_none_or(|from| entry.at >= bound(from, false))
            && self.to.is_none_or(|to| entry.at <= bound(to, true))
    }
}

impl Services {
    /// A page of the log, newest first, and the chain's state.
    pub fn list_audit(&self, actor: &Actor, query: &AuditQuery) -> ServiceResult<(Paged<AuditEntry>, ChainState)> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以查看审计日志"));
        }
        let chain = self.verify_audit_chain()?;
        let read = self.store.read()?;
        let mut keep = |entry: &AuditEntry| query.matches(entry);
        let entries = read.range::<AuditEntry>(tables::AUDIT, true, usize::MAX, &mut keep)?;
        Ok((Paged::of(entries, query.page, query.per_page), chain))
    }

    /// Verifies the chain from the checkpoint on and moves the checkpoint to the last good entry.
    pub fn verify_audit_chain(&self) -> ServiceResult<ChainState> {
        let mut checkpoint =
            self.audit_checkpoint.0.lock().map_err(|_| ServiceError::Internal("审计校验状态不可用".into()))?;
        let (mut seq, mut hash) = checkpoint.clone().unwrap_or((0, GENESIS.to_string()));
        let read = self.store.read()?;
        let mut broken = None;
        read.scan_from::<AuditEntry>(tables::AUDIT, seq + 1, &mut |_, entry| {
            if entry.seq != seq + 1 || entry.prev_hash != hash || entry.compute_hash() != entry.hash {
                broken = Some(seq + 1);
                return false;
            }
            seq = entry.seq;
            hash = entry.hash;
            true
        })?;
        if let Some(at) = broken {
            return Ok(ChainState::Broken(at));
        }
        *checkpoint = Some((seq, hash));
        Ok(ChainState::Intact(seq))
    }
}
