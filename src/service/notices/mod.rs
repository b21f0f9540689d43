//! 通知公告 and 资料下载 (SPEC §8): reading (lists newest first, search, detail, downloads) for every signed-in
//! account, publishing (upload, publish, edit, withdraw) for the city admin. Who sees what is decided here: an
//! item is shown only once its publish time has come, until it is withdrawn, and — for notices — only to its
//! audience; anything else answers "not found". The city admin also sees scheduled and withdrawn items on its
//! management pages.
//!
//! Code map: `read.rs` (lists, detail, downloads), `publish.rs` (publish, edit, withdraw), `uploads.rs` (the
//! streaming upload and text extraction), `index.rs` (keeping the search index in step with redb), `demo.rs`
//! (the demonstration notices and materials).

mod demo;
pub(crate) mod docx;
mod index;
mod publish;
mod read;
mod uploads;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use index::SearchHit;
pub use read::Headlines;
pub use uploads::UPLOAD_KINDS;

use super::{Actor, ServiceError, ServiceResult};
use crate::domain::account::Role;
use crate::domain::notice::{Audience, FileRef};

/// What the publisher typed for a notice.
#[derive(Debug, Clone, Default)]
pub struct NoticeInput {
    pub title: String,
    /// The body in the safe text format (`domain::markup`).
    pub body: String,
    /// `None`: now (publish) or unchanged (edit).
    pub publish_at: Option<DateTime<Utc>>,
    pub audience: Audience,
    /// The complete list of attachments after this change: files uploaded before (see
    /// [`crate::service::Services::upload_notice_file`]), each with the name to download it under.
    pub attachments: Vec<FileChoice>,
}

/// What the publisher typed for a material.
#[derive(Debug, Clone, Default)]
pub struct MaterialInput {
    /// 资料名称.
    pub name: String,
    /// The file (uploaded before); `None` on edit keeps the current one. Required to publish.
    pub file: Option<FileChoice>,
    /// `None`: now (publish) or unchanged (edit).
    pub publish_at: Option<DateTime<Utc>>,
}

/// An uploaded file chosen for a notice or material, by its address, with the name it is offered under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChoice {
    pub sha256: String,
    pub name: String,
}

/// A row of the notice or material list. When the list is a search, `title_html` and `snippet_html` hold the
/// matches highlighted with `<mark>` (everything else in them escaped).
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: u64,
    pub title: String,
    pub publish_at: DateTime<Utc>,
    pub title_html: Option<String>,
    pub snippet_html: Option<String>,
    /// The attachment count (notices) or the file (materials).
    pub attachments: usize,
    pub file: Option<FileRef>,
}

/// A file to send: where its bytes are and what to call it.
#[derive(Debug, Clone)]
pub struct Download {
    pub path: PathBuf,
    pub file: FileRef,
}

/// Only the city admin publishes (SPEC §1).
pub(crate) fn require_publisher(actor: &Actor) -> ServiceResult<()> {
    if actor.is(Role::CityAdmin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有市级管理员可以发布通知公告和资料"))
    }
}

fn internal(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(error.to_string())
}

impl super::Services {
    /// At start: rebuilds the search index from redb when it is new, damaged or of an older format, and loads
    /// the Chinese dictionary on a thread of its own so the first search does not wait for it.
    pub(crate) fn prepare_search_index(&self) -> ServiceResult<()> {
        if self.search.needs_rebuild() {
            let count = self.rebuild_search_index()?;
            tracing::info!(documents = count, "search index rebuilt from the database");
        }
        let spawned =
            std::thread::Builder::new().name("search-warm-up".into()).spawn(crate::search::SearchIndex::warm_up);
        if let Err(error) = spawned {
            tracing::warn!(%error, "could not warm up the search dictionary; the first search will");
        }
        Ok(())
    }
}

/// A file-system failure opening the blob store, as a service error.
pub(crate) fn io_error(error: std::io::Error) -> ServiceError {
    crate::service::storage::io_failure("文件存储不可用", error)
}

/// A search index that cannot be opened (e.g. held by another process), as a service error.
pub(crate) fn search_error(error: crate::search::SearchError) -> ServiceError {
    ServiceError::Internal(format!("全文索引不可用：{error}"))
}
