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
pub mod projects;
pub mod sessions;
pub mod submissions;
pub mod throttle;

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
    /// Uploaded files, content-addressed under the data directory's `files/`.
    pub blobs: crate::files::BlobStore,
}

impl Services {
    pub fn open(config: Arc<Config>) -> Result<Self, ServiceError> {
        let store = Store::open(&config.db_path())?;
        let blobs = crate::files::BlobStore::open(&config.files_dir())
            .map_err(|error| ServiceError::Internal(format!("无法打开文件目录：{error}")))?;
        // Leftovers of uploads cut short by a crash or a stop; nothing is being uploaded before we serve.
        blobs.sweep_temp().map_err(|error| ServiceError::Internal(format!("无法清理临时文件：{error}")))?;
        Ok(Self {
            blobs,
            hasher: hasher::PasswordHasher::new(&config.argon2)?,
            sessions: sessions::SessionBook::new(&config.session),
            throttle: throttle::LoginThrottle::new(config.security.login_attempts_per_minute),
            store,
            config,
        })
    }
}
