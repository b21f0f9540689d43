//! Use cases shared by the pages and the API. Every call that reads or changes scoped data takes the acting user
//! (`&Actor`) and checks its scope here; the adapters only parse input and render output.

pub mod accounts;
pub mod actor;
pub mod api_tokens;
pub mod audit;
pub mod audit_view;
pub mod auth;
pub mod bootstrap;
pub mod demo_scale;
mod demo_stages;
pub mod error;
pub mod experts;
pub mod exports;
pub mod hasher;
pub mod health;
pub mod imports;
pub mod notices;
pub mod org_admin;
pub mod orgs;
pub mod paging;
pub mod permits;
pub mod printing;
pub mod progress;
pub mod project_admin;
pub mod projects;
pub mod review;
pub mod sessions;
pub mod storage;
pub mod submissions;
pub mod teacher_admin;
pub mod teachers;
pub mod throttle;
pub mod unknown_logins;
pub mod verification;

use std::sync::Arc;

pub use actor::Actor;
pub use error::{LoginFailure, ServiceError, ServiceResult};

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

/// Everything a use case needs; one per process, shared behind an `Arc`.
pub struct Services {
    pub config: Arc<Config>,
    /// "Now" for every rule (see `crate::clock`): the system's time, movable only in a test server.
    pub clock: Clock,
    pub store: Store,
    pub hasher: hasher::PasswordHasher,
    pub sessions: sessions::SessionBook,
    pub throttle: throttle::LoginThrottle,
    /// The lockout as answered for usernames without an account (see `unknown_logins`).
    pub unknown_logins: unknown_logins::UnknownLogins,
    /// Uploaded and generated files, content-addressed under the data directory's `files/`.
    pub blobs: crate::files::BlobStore,
    /// The full-text index of notices and materials (derived from redb; see `notices`).
    pub search: Arc<crate::search::SearchIndex>,
    pub printing: printing::Printer,
    pub audit_checkpoint: audit_view::AuditCheckpoint,
    /// The admins' submission lists' in-memory read model (see `review::list_cache`).
    pub summary_cache: review::list_cache::SummaryCache,
    /// The headings of notices and materials, for the lists and every 首页 (see `notices::Headlines`).
    pub headline_cache: crate::store::SnapshotCache<notices::Headlines>,
    /// The projects' names and years, newest first, for every teacher's 首页 (see `projects::ProjectHeads`).
    pub project_head_cache: crate::store::SnapshotCache<projects::ProjectHeads>,
}

impl Services {
    pub fn open(config: Arc<Config>) -> Result<Self, ServiceError> {
        Self::open_with_clock(config, Clock::system())
    }

    /// `open` with the given clock (a movable one for `serve --test-clock`).
    pub fn open_with_clock(config: Arc<Config>, clock: Clock) -> Result<Self, ServiceError> {
        let store = Store::open(&config.db_path())?.with_clock(clock.clone());
        let blobs = crate::files::BlobStore::open(&config.files_dir())
            .map_err(notices::io_error)?
            .with_reserve(config.min_free_bytes());
        // Nothing is uploading before the server listens: leftovers are from an interrupted upload.
        blobs.sweep_temp().map_err(notices::io_error)?;
        let search = Arc::new(crate::search::SearchIndex::open(&config.index_dir()).map_err(notices::search_error)?);
        let services = Self {
            hasher: hasher::PasswordHasher::new(&config.argon2)?,
            sessions: sessions::SessionBook::new(&config.session, clock.clone()),
            throttle: throttle::LoginThrottle::new(config.security.login_attempts_per_minute, clock.clone()),
            unknown_logins: Default::default(),
            printing: printing::Printer::new(&config, clock.clone())?,
            audit_checkpoint: audit_view::AuditCheckpoint::default(),
            summary_cache: Default::default(),
            headline_cache: Default::default(),
            project_head_cache: Default::default(),
            store,
            config,
            clock,
            blobs,
            search,
        };
        services.sweep_orphan_blobs()?;
        services.prepare_search_index()?;
        Ok(services)
    }
}
