//! Use cases shared by the pages and the API. Every call that reads or changes scoped data takes the acting user
//! (`&Actor`) and checks its scope here; the adapters only parse input and render output.

pub mod accounts;
pub mod actor;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod error;
pub mod hasher;
pub mod orgs;
pub mod printing;
pub mod projects;
pub mod review;
pub mod sessions;
pub mod throttle;
pub mod verification;

use std::sync::Arc;

pub use actor::Actor;
pub use error::{LoginFailure, ServiceError, ServiceResult};

use crate::config::Config;
use crate::store::Store;

/// Everything a use case needs; one per process, shared behind an `Arc`.
pub struct Services {
    pub config: Arc<Config>,
    pub store: Store,
    pub hasher: hasher::PasswordHasher,
    pub sessions: sessions::SessionBook,
    pub throttle: throttle::LoginThrottle,
    pub printing: printing::Printer,
}

impl Services {
    pub fn open(config: Arc<Config>) -> Result<Self, ServiceError> {
        let store = Store::open(&config.db_path())?;
        Ok(Self {
            hasher: hasher::PasswordHasher::new(&config.argon2)?,
            sessions: sessions::SessionBook::new(&config.session),
            throttle: throttle::LoginThrottle::new(config.security.login_attempts_per_minute),
            printing: printing::Printer::new(&config)?,
            store,
            config,
        })
    }
}
