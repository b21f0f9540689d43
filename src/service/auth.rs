//! Signing in and out, changing and resetting passwords (SPEC §2 and the manual's 1. 登录 / 7.1 连续输错提示).

use chrono::Duration;

use super::actor::Actor;
use super::error::{LoginFailure, ServiceError, ServiceResult};
use super::sessions::Session;
use super::unknown_logins::Phantom;
use super::{Services, audit};
use crate::domain::account::Account;
use crate::domain::org::{OrgRef, School};
use crate::domain::password::{self, PasswordPolicyError};
use crate::store::{Reader, StoreError, tables};

/// A successful sign-in.
pub struct SignedIn {
    /// The session token for the cookie (never logged).
    pub token: String,
    pub session: Session,
    pub must_change_password: bool,
}

/// The manual's 连续输错提示 text.
pub fn frozen_message(minutes: u64) -> String {
    format!(
        "连续输错提示：该账号因连续输错密码已被冻结。请联系学校管理员重置密码解冻，或等待{minutes}分钟后系统自动解冻，再输入正确的密码登录。"
    )
}

impl Services {
    fn freeze_minutes(&self) -> u64 {
        self.config.security.freeze_seconds.div_ceil(60)
    }

    /// Checks the password of `username`, applying the lockout: 5 consecutive failures freeze the account for the
    /// configured time, a frozen account is refused even with the right password, a success resets the counter.
    /// A username without an account gets the same answers after the same work (`unknown_logins`).
    pub async fn login(&self, username: &str, password: &str, address: &str) -> ServiceResult<SignedIn> {
        if !self.throttle.allow(address) {
            metrics::counter!("zhiping_logins_total", "outcome" => "throttled").increment(1);
            return Err(ServiceError::Throttled);
        }
        let username = username.trim().to_ascii_uppercase_if_id();
        let account = {
            let read = self.store.read()?;
            match read.lookup(tables::ACCOUNT_BY_USERNAME, &username)? {
                Some(id) => read.get::<Account>(id)?,
                None => None,
            }
        };
        let wrong = |remaining: Option<u32>| {
            metrics::counter!("zhiping_logins_total", "outcome" => "wrong_password").increment(1);
            let message = match remaining {
                Some(left) if left > 0 => format!("用户名或密码错误，再输错{left}次账号将被冻结"),
                _ => "用户名或密码错误".to_string(),
            };
            ServiceError::Login { kind: LoginFailure::WrongCredentials, message }
        };
        let frozen = || {
            metrics::counter!("zhiping_logins_total", "outcome" => "frozen").increment(1);
            ServiceError::Login { kind: LoginFailure::Frozen, message: frozen_message(self.freeze_minutes()) }
        };
        let now = self.clock.now();
        let max_failed = self.config.security.max_failed_logins;
        let freeze = Duration::seconds(self.config.security.freeze_seconds as i64);
        let Some(account) = account else {
            // Answer (and take as long) as a real account would, so nobody learns which ID numbers have accounts.
            if self.unknown_logins.is_frozen(&username, now) {
                return Err(frozen());
            }
            self.hasher.verify_unknown(password.to_string()).await;
            return Err(match self.unknown_logins.fail(&username, now, max_failed, freeze) {
                Phantom::Remaining(left) => wrong(Some(left)),
                Phantom::Frozen => frozen(),
            });
        };
        if account.is_frozen(now) {
            return Err(frozen());
        }
        let verified = self.hasher.verify(password.to_string(), account.password_hash.clone()).await;
        let account_id = account.id;
        let outcome = self.store.write(|tx| {
            // Re-read inside the write transaction: concurrent attempts must all count.
            let Some(mut account) = tx.get::<Account>(account_id)? else {
                return Ok(Err(wrong(None)));
            };
            if account.is_frozen(now) {
                return Ok(Err(frozen()));
            }
            if account.frozen_until.is_some() {
                // The freeze has run out: a fresh count starts.
                account.frozen_until = None;
                account.failed_logins = 0;
            }
            if !verified {
                account.failed_logins += 1;
                let failed = account.failed_logins;
                let result = if failed >= max_failed {
                    account.frozen_until = Some(now + freeze);
                    account.failed_logins = 0;
                    audit::record(tx, None, "account.frozen", &format!("account:{}", account.id), "连续输错密码")?;
                    Err(frozen())
                } else {
                    Err(wrong(Some(max_failed - failed)))
                };
                tx.put(&account)?;
                return Ok(result);
            }
            if account.disabled {
                metrics::counter!("zhiping_logins_total", "outcome" => "disabled").increment(1);
                return Ok(Err(ServiceError::Login {
                    kind: LoginFailure::Disabled,
                    message: "该账号已停用，请联系学校管理员".into(),
                }));
            }
            account.failed_logins = 0;
            tx.put(&account)?;
            let (token, session) = self.sessions.create(tx, account.id)?;
            Ok::<_, StoreError>(Ok(SignedIn {
                token,
                session,
                must_change_password: account.must_change_password || account.password_hash.is_none(),
            }))
        })?;
        if outcome.is_ok() {
            // The address budget counts failures only (a school behind one NAT address signs in all day).
            self.throttle.refund(address);
            metrics::counter!("zhiping_logins_total", "outcome" => "success").increment(1);
        }
        outcome
    }

    /// 退出: ends the session of `token`.
    pub fn logout(&self, token: &str) -> ServiceResult<()> {
        self.store.write(|tx| self.sessions.end(tx, token))?;
        Ok(())
    }

    /// The live session and its actor, or `None` when the token is unknown or expired.
    pub fn resolve_session(&self, token: &str, address: &str) -> ServiceResult<Option<(Session, Actor, Account)>> {
        let Some(session) = self.sessions.resolve(&self.store, token)? else {
            return Ok(None);
        };
        let read = self.store.read()?;
        let Some(account) = read.get::<Account>(session.account_id)? else {
            return Ok(None);
        };
        if account.disabled {
            return Ok(None);
        }
        let actor = self.actor_for(&read, &account, address)?;
        Ok(Some((session, actor, account)))
    }

    pub(crate) fn actor_for(&self, read: &impl Reader, account: &Account, address: &str) -> ServiceResult<Actor> {
        let school = match account.org {
            OrgRef::School(id) => read.get::<School>(id)?,
            _ => None,
        };
        Ok(Actor::from_account(account, school.as_ref(), address))
    }

    /// 修改密码: checks the current password and the policy, stores the new hash, and ends the account's other
    /// sessions (the current one, `keep_token`, stays signed in).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new_password: &str,
        confirm: &str,
        keep_token: Option<&str>,
    ) -> ServiceResult<()> {
        let account = self.store.read()?.get::<Account>(actor.account_id)?.ok_or(ServiceError::Unauthenticated)?;
        let mut errors = crate::domain::FieldErrors::new();
        if current.is_empty() {
            errors.add("current", "原密码不能为空");
        }
        if new_password.is_empty() {
            errors.add("new_password", "新密码不能为空");
        } else if let Err(error) = password::check(new_password, &account.username) {
            errors.add("new_password", error.to_string());
        } else if new_password != confirm {
            errors.add("confirm", PasswordPolicyError::Mismatch.to_string());
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if !self.hasher.verify(current.to_string(), account.password_hash.clone()).await {
            return Err(ServiceError::field("current", "原密码错误"));
        }
        if new_password == current {
            return Err(ServiceError::field("new_password", "新密码不能与原密码相同"));
        }
        let hash = self.hasher.hash(new_password.to_string()).await?;
        self.store.write(|tx| {
            let Some(mut account) = tx.get::<Account>(actor.account_id)? else {
                return Err(ServiceError::Unauthenticated);
            };
            account.password_hash = Some(hash);
            account.must_change_password = false;
            tx.put(&account)?;
            self.sessions.end_all(tx, account.id, keep_token)?;
            audit::record(tx, Some(actor), "account.change_password", &format!("account:{}", account.id), "")?;
            Ok(())
        })
    }

    /// 重置密码 by an admin: back to `00000000`, must change on next sign-in, unfrozen, every session and API token
    /// ended.
    pub fn reset_password(&self, actor: &Actor, account_id: u64) -> ServiceResult<Account> {
        self.store.write(|tx| {
            let Some(mut account) = tx.get::<Account>(account_id)? else {
                return Err(ServiceError::NotFound("账号不存在"));
            };
            if !actor.sees_account(&account, tx)? {
                return Err(ServiceError::NotFound("账号不存在"));
            }
            if !actor.manages_account(&account, tx)? {
                return Err(ServiceError::Forbidden("无权重置该账号的密码"));
            }
            account.password_hash = None;
            account.must_change_password = true;
            account.failed_logins = 0;
            account.frozen_until = None;
            tx.put(&account)?;
            self.sessions.end_all(tx, account.id, None)?;
            Self::revoke_account_api_tokens(tx, actor, account.id, "重置密码")?;
            audit::record(
                tx,
                Some(actor),
                "account.reset_password",
                &format!("account:{}", account.id),
                "重置为默认密码并解冻",
            )?;
            Ok(account)
        })
    }
}

/// ID numbers are stored with an upper-case `X`; admin names are case-sensitive as typed.
trait UsernameNormalise {
    fn to_ascii_uppercase_if_id(&self) -> String;
}

impl UsernameNormalise for str {
    fn to_ascii_uppercase_if_id(&self) -> String {
        if crate::domain::idcard::looks_like_id(self) { self.to_ascii_uppercase() } else { self.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::UsernameNormalise;

    #[test]
    fn only_id_numbers_are_upper_cased_and_chinese_names_pass_untouched() {
        assert_eq!("31010919801228301x".to_ascii_uppercase_if_id(), "31010919801228301X");
        // 18 bytes, like an ID number; the 17th byte is inside the last character.
        assert_eq!("北虹中等专业".to_ascii_uppercase_if_id(), "北虹中等专业");
        assert_eq!("admin".to_ascii_uppercase_if_id(), "admin");
    }
}
