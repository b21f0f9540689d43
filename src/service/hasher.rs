//! argon2id password hashing off the async threads and behind a concurrency bound: each hash holds
//! `memory_kib` of memory and ~25 ms of a core, so a login storm must queue here instead of exhausting memory or
//! stalling page serving.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

use super::error::ServiceError;
use crate::config::Argon2Config;
use crate::domain::password::DEFAULT_PASSWORD;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(config: &Argon2Config) -> Result<Self, ServiceError> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
            .map_err(|error| ServiceError::Internal(format!("argon2 参数无效：{error}")))?;
        Ok(Self { params, permits: Arc::new(Semaphore::new(config.max_concurrent)) })
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    pub async fn hash(&self, password: String) -> Result<String, ServiceError> {
        let _permit = self.permits.acquire().await.map_err(|_| ServiceError::Internal("hasher closed".into()))?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|error| ServiceError::Internal(format!("argon2: {error}")))
        })
        .await
        .map_err(|error| ServiceError::Internal(error.to_string()))?
    }

    /// `stored` is `None` for accounts holding the default password (see `Account::password_hash`).
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let Some(stored) = stored else {
            return constant_time_eq(password.as_bytes(), DEFAULT_PASSWORD.as_bytes());
        };
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|hash| Self::argon2(params).verify_password(password.as_bytes(), &hash).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}
