//! API tokens for integrators (SPEC §10): created by an admin, shown once, stored as a SHA-256, carrying the
//! admin's role and scope, revocable, with the last-used time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::sessions::{random_token, token_key};
use super::{Services, audit};
use crate::domain::account::Account;
use crate::store::{Reader, StoreError, WriteTx, tables};

/// Prefix that makes a leaked token recognisable in a scan.
pub const TOKEN_PREFIX: &str = "zp_";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: u64,
    pub name: String,
    pub account_id: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// SHA-256 of the token: the table key, kept here too so a listing can revoke by id.
    pub key: String,
}

impl Services {
    /// Creates a token for the acting admin; returns the record and the token text (shown once).
    pub fn create_api_token(&self, actor: &Actor, name: &str) -> ServiceResult<(ApiToken, String)> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以创建接口令牌"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(ServiceError::field("name", "令牌名称应为1到60个字符"));
        }
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let key = token_key(&token);
        let record = self.store.write(|tx| {
            let record = ApiToken {
                id: tx.next_id()?,
                name: name.to_string(),
                account_id: actor.account_id,
                created_at: self.clock.now(),
                last_used_at: None,
                revoked_at: None,
                key: key.clone(),
            };
            tx.put_keyed(tables::API_TOKENS, &key, &record)?;
            audit::record(tx, Some(actor), "api_token.create", &format!("api_token:{}", record.id), &record.name)?;
            Ok::<_, ServiceError>(record)
        })?;
        Ok((record, token))
    }

    /// The acting admin's own tokens (a token carries its creator's scope, so nobody manages another's).
    pub fn list_api_tokens(&self, actor: &Actor) -> ServiceResult<Vec<ApiToken>> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以管理接口令牌"));
        }
        let tokens = self.store.read()?.keyed_entries::<ApiToken>(tables::API_TOKENS)?;
        let mut mine: Vec<ApiToken> =
            tokens.into_iter().map(|(_, token)| token).filter(|token| token.account_id == actor.account_id).collect();
        mine.sort_by_key(|token| token.id);
        Ok(mine)
    }

    pub fn revoke_api_token(&self, actor: &Actor, token_id: u64) -> ServiceResult<()> {
        self.store.write(|tx| {
            let found = tx
                .keyed_entries::<ApiToken>(tables::API_TOKENS)?
                .into_iter()
                .map(|(_, token)| token)
                .find(|token| token.id == token_id && token.account_id == actor.account_id);
            let Some(mut token) = found else {
                return Err(ServiceError::NotFound("令牌不存在"));
            };
            token.revoked_at = Some(self.clock.now());
            tx.put_keyed(tables::API_TOKENS, &token.key.clone(), &token)?;
            audit::record(tx, Some(actor), "api_token.revoke", &format!("api_token:{}", token.id), &token.name)?;
            Ok(())
        })
    }

    /// Ends every live token of `account_id` inside the caller's transaction, auditing each: a password reset or
    /// a disabled account must not leave a credential behind that outlives it (re-enabling does not revive them).
    pub(crate) fn revoke_account_api_tokens(
        tx: &WriteTx,
        actor: &Actor,
        account_id: u64,
        reason: &str,
    ) -> Result<(), StoreError> {
        let now = tx.now();
        for (key, mut token) in tx.keyed_entries::<ApiToken>(tables::API_TOKENS)? {
            if token.account_id != account_id || token.revoked_at.is_some() {
                continue;
            }
            token.revoked_at = Some(now);
            tx.put_keyed(tables::API_TOKENS, &key, &token)?;
            let detail = format!("{}（{reason}）", token.name);
            audit::record(tx, Some(actor), "api_token.revoke", &format!("api_token:{}", token.id), &detail)?;
        }
        Ok(())
    }

    /// The actor behind a bearer token, or `None` for an unknown, revoked or disabled one. Last-used is written
    /// at most once a minute.
    pub fn resolve_api_token(&self, token: &str, address: &str) -> ServiceResult<Option<Actor>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let key = token_key(token);
        let read = self.store.read()?;
        let Some(record) = read.get_keyed::<ApiToken>(tables::API_TOKENS, &key)? else {
            return Ok(None);
        };
        if record.revoked_at.is_some() {
            return Ok(None);
        }
        let Some(account) = read.get::<Account>(record.account_id)? else {
            return Ok(None);
        };
        if account.disabled {
            return Ok(None);
        }
        let actor = self.actor_for(&read, &account, address)?;
        drop(read);
        let now = self.clock.now();
        if record.last_used_at.is_none_or(|at| now - at > Duration::seconds(60)) {
            self.store.write(|tx| {
                if let Some(mut current) = tx.get_keyed::<ApiToken>(tables::API_TOKENS, &key)? {
                    current.last_used_at = Some(now);
                    tx.put_keyed(tables::API_TOKENS, &key, &current)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(Some(actor))
    }
}
