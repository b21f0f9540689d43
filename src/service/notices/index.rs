//! Keeps the search index (`crate::search`) in step with redb, and answers searches with the reader's rights.
//!
//! The index is derived data: each published or scheduled item is one document (title; body text plus the
//! text extracted from its attachments; audience; publish time), withdrawn items are removed, and at start the
//! whole index is rebuilt from redb whenever it is missing, damaged or of an older format. The index filters
//! by audience and publish time itself, so the `共N条记录` count of a search is exact.

use std::sync::Arc;

use super::read::{material_row, notice_row};
use super::{ListRow, internal};
use crate::domain::account::Role;
use crate::domain::markup;
use crate::domain::notice::{self, Material, Notice, PageRequest, Paged, State, UploadedFile};
use crate::search::{self, DocKind, SearchDoc, SearchIndex, SearchQuery};
use crate::service::{Actor, ServiceResult, Services};
use crate::store::{Reader, Store, StoreError, tables};

pub use crate::search::SearchHit;

impl Services {
    /// Rebuilds the whole index from redb (at start, when [`SearchIndex::needs_rebuild`] says so, or after a
    /// failed update). Returns the number of documents indexed.
    pub fn rebuild_search_index(&self) -> ServiceResult<usize> {
        rebuild(&self.store, &self.search)
    }

    /// Indexes (or, when withdrawn, removes) a notice. A failure does not undo the change — redb is the truth —
    /// but is logged, and the index is rebuilt from redb at once (and again at the next start if need be).
    pub(super) async fn index_notice(&self, notice: &Notice) {
        let (store, index, notice, clock) =
            (self.store.clone(), self.search.clone(), notice.clone(), self.clock.clone());
        run_update(
            move || {
                if notice.state(clock.now()) == State::Withdrawn {
                    return Ok(index.delete(DocKind::Notice, notice.id)?);
                }
                let doc = notice_doc(&store.read()?, &notice)?;
                Ok(index.upsert(&doc)?)
            },
            self,
        )
        .await;
    }

    /// Indexes (or removes) a material, as [`Self::index_notice`].
    pub(super) async fn index_material(&self, material: &Material) {
        let (store, index, material, clock) =
            (self.store.clone(), self.search.clone(), material.clone(), self.clock.clone());
        run_update(
            move || {
                if material.state(clock.now()) == State::Withdrawn {
                    return Ok(index.delete(DocKind::Material, material.id)?);
                }
                let doc = material_doc(&store.read()?, &material)?;
                Ok(index.upsert(&doc)?)
            },
            self,
        )
        .await;
    }

    /// Searches the notices `actor` may read; ranked, with highlighted titles and snippets.
    pub(super) fn search_notices(&self, actor: &Actor, text: &str, page: PageRequest) -> ServiceResult<Paged<ListRow>> {
        let found = self.search_kind(actor, DocKind::Notice, text, page)?;
        let read = self.store.read()?;
        let now = self.clock.now();
        let mut rows = Vec::with_capacity(found.hits.len());
        for hit in found.hits {
            // The index agrees with redb but a change may land between the two reads: redb decides.
            if let Some(notice) = read.get::<Notice>(hit.id)?.filter(|n| n.readable_by(actor.role, now)) {
                rows.push(with_highlights(notice_row(notice), hit));
            }
        }
        Ok(Paged { items: rows, total: found.total, page: page.page, size: page.size })
    }

    /// Searches the materials; as [`Self::search_notices`].
    pub(super) fn search_materials(
        &self,
        actor: &Actor,
        text: &str,
        page: PageRequest,
    ) -> ServiceResult<Paged<ListRow>> {
        let found = self.search_kind(actor, DocKind::Material, text, page)?;
        let read = self.store.read()?;
        let now = self.clock.now();
        let mut rows = Vec::with_capacity(found.hits.len());
        for hit in found.hits {
            if let Some(material) = read.get::<Material>(hit.id)?.filter(|m| m.readable_by(actor.role, now)) {
                rows.push(with_highlights(material_row(material), hit));
            }
        }
        Ok(Paged { items: rows, total: found.total, page: page.page, size: page.size })
    }

    fn search_kind(
        &self,
        actor: &Actor,
        kind: DocKind,
        text: &str,
        page: PageRequest,
    ) -> ServiceResult<search::SearchPage> {
        let query = SearchQuery {
            text: text.to_string(),
            kind: Some(kind),
            audiences: audiences_of(actor.role),
            now: self.clock.now().timestamp(),
            offset: page.offset(),
            limit: page.size,
        };
        self.search.search(&query).map_err(internal)
    }
}

/// The audiences a role reads, in the index's terms (the same rule as `Audience::admits`).
fn audiences_of(role: Role) -> Vec<search::Audience> {
    notice::Audience::ALL.into_iter().filter(|audience| audience.admits(role)).map(to_index_audience).collect()
}

fn to_index_audience(audience: notice::Audience) -> search::Audience {
    match audience {
        notice::Audience::All => search::Audience::All,
        notice::Audience::Teachers => search::Audience::Teachers,
        notice::Audience::Admins => search::Audience::Admins,
    }
}

fn with_highlights(mut row: ListRow, hit: SearchHit) -> ListRow {
    row.title_html = Some(hit.title_html);
    row.snippet_html = Some(hit.snippet_html);
    row
}

/// Runs an index update on a blocking thread (tantivy commits and fsyncs); on failure, logs and rebuilds.
async fn run_update(update: impl FnOnce() -> Result<(), UpdateError> + Send + 'static, services: &Services) {
    let (store, index) = (services.store.clone(), services.search.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        if let Err(error) = update() {
            tracing::error!(%error, "search index update failed; rebuilding the index from the database");
            if let Err(error) = rebuild(&store, &index) {
                tracing::error!(%error, "search index rebuild failed; it is retried at the next start");
            }
        }
    })
    .await;
    if let Err(error) = outcome {
        tracing::error!(%error, "search index update task failed");
    }
}

#[derive(Debug, thiserror::Error)]
enum UpdateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] search::SearchError),
}

fn rebuild(store: &Store, index: &Arc<SearchIndex>) -> ServiceResult<usize> {
    let read = store.read()?;
    let mut docs = Vec::new();
    for notice in read.all::<Notice>()? {
        if notice.withdrawn_at.is_none() {
            docs.push(notice_doc(&read, &notice)?);
        }
    }
    for material in read.all::<Material>()? {
        if material.withdrawn_at.is_none() {
            docs.push(material_doc(&read, &material)?);
        }
    }
    index.rebuild(docs.into_iter()).map_err(internal)
}

fn notice_doc(read: &impl Reader, notice: &Notice) -> Result<SearchDoc, StoreError> {
    let mut body = markup::to_plain(&notice.body);
    for attachment in &notice.attachments {
        append_file_text(read, &attachment.sha256, &attachment.name, &mut body)?;
    }
    Ok(SearchDoc {
        kind: DocKind::Notice,
        id: notice.id,
        title: notice.title.clone(),
        body,
        audience: to_index_audience(notice.audience),
        published_at: notice.publish_at.timestamp(),
    })
}

fn material_doc(read: &impl Reader, material: &Material) -> Result<SearchDoc, StoreError> {
    let mut body = String::new();
    append_file_text(read, &material.file.sha256, &material.file.name, &mut body)?;
    Ok(SearchDoc {
        kind: DocKind::Material,
        id: material.id,
        title: material.name.clone(),
        body,
        audience: search::Audience::All,
        published_at: material.publish_at.timestamp(),
    })
}

/// Appends a file's name and extracted text (kept in `notice_files` since its upload).
fn append_file_text(read: &impl Reader, sha256: &str, name: &str, body: &mut String) -> Result<(), StoreError> {
    if !body.is_empty() {
        body.push('\n');
    }
    body.push_str(name);
    if let Some(file) = read.get_keyed::<UploadedFile>(tables::NOTICE_FILES, sha256)?
        && !file.text.trim().is_empty()
    {
        body.push('\n');
        body.push_str(file.text.trim());
    }
    Ok(())
}
