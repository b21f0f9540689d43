//! argon2id password hashing off the async threads and behind a concurrency bound: each hash holds
//! `memory_kib` of memory and ~25 ms of a core, so a login storm must queue here instead of exhausting memory or
//! stalling page serving. The hashes run on `max_concurrent` threads of their own, not on tokio's blocking pool:
//! the allocator keeps a freed hash's memory in the arena of the thread that used it, so a storm spread over
//! many pool threads would leave `memory_kib` resident per thread; with fixed threads it is `max_concurrent` at
//! most.
//!
//! Every verification costs one argon2 run, also for a username without an account and for an account still on
//! the default password (checked against a dummy hash made once at start with the configured parameters), so the
//! time a sign-in takes does not tell whether an ID number has an account.

use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::oneshot;

use super::error::ServiceError;
use crate::config::Argon2Config;
use crate::domain::password::DEFAULT_PASSWORD;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password with `params`: what a verification runs against when there is no real hash.
    dummy: Arc<String>,
    /// The queue of the hashing threads; they end when the last hasher is dropped.
    jobs: mpsc::Sender<Job>,
}

impl PasswordHasher {
    pub fn new(config: &Argon2Config) -> Result<Self, ServiceError> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
            .map_err(|error| ServiceError::Internal(format!("argon2 参数无效：{error}")))?;
        let secret: [u8; 32] = rand::random();
        let dummy = Self::argon2(params.clone())
            .hash_password(&secret)
            .map(|hash| Arc::new(hash.to_string()))
            .map_err(|error| ServiceError::Internal(format!("argon2: {error}")))?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..config.max_concurrent.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job, not while hashing.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking hash answers "failed" (its sender is dropped); the thread carries on.
                            Ok(job) => drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|error| ServiceError::Internal(format!("argon2 thread: {error}")))?;
        }
        Ok(Self { params, dummy, jobs })
    }

    /// Runs `work` on a hashing thread (queued while all are busy) and waits for its answer.
    async fn run<R: Send + 'static>(&self, work: impl FnOnce() -> R + Send + 'static) -> Option<R> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        self.jobs.send(job).ok()?;
        answered.await.ok()
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    pub async fn hash(&self, password: String) -> Result<String, ServiceError> {
        let params = self.params.clone();
        self.run(move || {
            Self::argon2(params)
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|error| ServiceError::Internal(format!("argon2: {error}")))
        })
        .await
        .ok_or_else(|| ServiceError::Internal("hasher closed".into()))?
    }

    /// `stored` is `None` for accounts holding the default password (see `Account::password_hash`).
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let Some(stored) = stored else {
            let matches = constant_time_eq(password.as_bytes(), DEFAULT_PASSWORD.as_bytes());
            self.verify_unknown(password).await;
            return matches;
        };
        self.verify_hash(password, stored).await
    }

    /// Spends what a verification costs, for a username that has no account.
    pub async fn verify_unknown(&self, password: String) {
        self.verify_hash(password, self.dummy.as_ref().clone()).await;
    }

    async fn verify_hash(&self, password: String, stored: String) -> bool {
        let params = self.params.clone();
        self.run(move || {
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
