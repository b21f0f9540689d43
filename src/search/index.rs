//! [`SearchIndex`]: opening (and recreating) the index directory, writing documents, and
//! running searches.
//!
//! There is one writer, behind a mutex (tantivy allows one per index), and one reader that is
//! reloaded by hand after every commit, so a change is visible as soon as the call returns.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::schema::{Schema, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};

use super::query::build as build_query;
use super::schema::{self, FORMAT_VERSION, Fields};
use super::snippet::Highlighter;
use super::tokenizer::{self, TOKENIZER_NAME};
use super::{
    DocKind, MAX_PAGE_SIZE, MAX_RESULT_WINDOW, SearchDoc, SearchError, SearchHit, SearchPage, SearchQuery, directory,
};

/// Indexing threads. Two keep a full rebuild quick on a two-core server; between rebuilds they
/// sit idle.
const WRITER_THREADS: usize = 2;

/// The writer's memory budget, shared by its threads (tantivy requires at least 15 MB each). The
/// server hosts many tenants, so this is deliberately modest: a rebuild then flushes a few more
/// segments, which tantivy merges in the background.
const WRITER_MEMORY_BYTES: usize = 40_000_000;

/// The full-text index of notices and materials. `Send + Sync`: share it behind an `Arc`.
pub struct SearchIndex {
    dir: PathBuf,
    fields: Fields,
    /// The same analyzer as registered in the index, for splitting query text.
    analyzer: TextAnalyzer,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    /// True while the index may lack documents the database has; see [`Self::needs_rebuild`].
    needs_rebuild: AtomicBool,
}

/// Why an existing index directory is not used as it is.
#[derive(Debug)]
enum Unusable {
    /// There is no index yet.
    Missing,
    /// The marker is missing (an interrupted rebuild or a failed write) or names another
    /// format version.
    Stale(Option<u32>),
    /// tantivy could not open it, its schema differs, or a file fails its checksum.
    Damaged(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Missing => write!(f, "no index yet"),
            Unusable::Stale(None) => write!(f, "no complete rebuild recorded"),
            Unusable::Stale(Some(version)) => {
                write!(f, "format version {version}, current is {FORMAT_VERSION}")
            }
            Unusable::Damaged(reason) => write!(f, "damaged: {reason}"),
        }
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and the index if missing.
    ///
    /// If the directory holds a damaged index, one of another format version, or one whose last
    /// rebuild or write did not complete, it is wiped and recreated empty. A newly created index
    /// is empty too; in all these cases [`Self::needs_rebuild`] returns true and the caller must
    /// re-feed every document with [`Self::rebuild`] (the database is the only source of truth).
    ///
    /// `dir` should be dedicated to the index. Only files tantivy or this module create are ever
    /// deleted from it.
    ///
    /// # Errors
    /// [`SearchError::Locked`] if another process has the index open for writing (nothing is
    /// wiped then); [`SearchError::Io`] or [`SearchError::Tantivy`] if the directory cannot be
    /// read or written.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        crate::private_fs::create_dir_all(dir).map_err(SearchError::io(dir))?;
        directory::ensure_unlocked(dir)?;
        let (schema, fields) = schema::build();
        let (index, reader, needs_rebuild) = match open_existing(dir, &schema) {
            Ok((index, reader)) => (index, reader, false),
            Err(reason) => {
                if !matches!(reason, Unusable::Missing) {
                    tracing::warn!(dir = %dir.display(), %reason, "search index unusable; recreating it empty");
                }
                directory::wipe(dir)?;
                let index = Index::create_in_dir(dir, schema)?;
                register_tokenizer(&index);
                let reader = open_reader(&index)?;
                (index, reader, true)
            }
        };
        let writer =
            index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY_BYTES).map_err(|error| match error {
                TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Locked(dir.to_path_buf()),
                other => SearchError::Tantivy(other),
            })?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            fields,
            analyzer: tokenizer::analyzer(),
            reader,
            writer: Mutex::new(writer),
            needs_rebuild: AtomicBool::new(needs_rebuild),
        })
    }

    /// Whether the index may lack documents that the database has: it was just created or
    /// recreated, or a write to it failed. Stays true until [`Self::rebuild`] succeeds. Check it
    /// after [`Self::open`]; a failed write also leaves a note on disk, so the next start rebuilds
    /// even if the caller does not act on it.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild.load(Ordering::Acquire)
    }

    /// Replaces the whole content of the index with `docs`, in one commit: searches see either
    /// the old content or the new, never a mix. Returns the number of documents indexed.
    pub fn rebuild(&self, docs: impl Iterator<Item = SearchDoc>) -> Result<usize, SearchError> {
        let started = Instant::now();
        let fields = self.fields;
        let count = self.write(move |writer| {
            writer.delete_all_documents()?;
            let mut count = 0;
            for doc in docs {
                writer.add_document(schema::to_document(&fields, &doc))?;
                count += 1;
            }
            writer.commit()?;
            Ok(count)
        })?;
        directory::write_marker(&self.dir)?;
        self.needs_rebuild.store(false, Ordering::Release);
        tracing::info!(
            documents = count,
            elapsed_ms = started.elapsed().as_millis(),
            format = FORMAT_VERSION,
            "search index rebuilt"
        );
        Ok(count)
    }

    /// Adds `doc`, replacing any document with the same kind and id.
    pub fn upsert(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        let document = schema::to_document(&self.fields, doc);
        let key = self.key_term(doc.kind, doc.id);
        self.write(move |writer| {
            writer.delete_term(key);
            writer.add_document(document)?;
            writer.commit()?;
            Ok(())
        })
    }

    /// Removes a document; removing one that is not there is not an error.
    pub fn delete(&self, kind: DocKind, id: u64) -> Result<(), SearchError> {
        let key = self.key_term(kind, id);
        self.write(move |writer| {
            writer.delete_term(key);
            writer.commit()?;
            Ok(())
        })
    }

    /// Finds the documents matching `query` that its reader may see, best first.
    ///
    /// Any text is accepted: an empty or symbol-only query, or an empty audience list, gives an
    /// empty page. `limit` is clamped to [`MAX_PAGE_SIZE`]; hits past [`MAX_RESULT_WINDOW`] are
    /// not returned, but `total` always counts every match.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage, SearchError> {
        let words = tokenizer::query_words(&self.analyzer, &query.text);
        if words.is_empty() || query.audiences.is_empty() {
            return Ok(SearchPage::default());
        }
        let tantivy_query = build_query(&self.fields, &words, query);
        let searcher = self.reader.searcher();
        let limit = query.limit.min(MAX_PAGE_SIZE).min(MAX_RESULT_WINDOW.saturating_sub(query.offset));
        if limit == 0 {
            let total = searcher.search(&tantivy_query, &Count)?;
            return Ok(SearchPage { total, hits: Vec::new() });
        }
        // Relevance first; among equal scores the newer document first.
        let top = TopDocs::with_limit(limit)
            .and_offset(query.offset)
            .order_by((SortBySimilarityScore, SortByStaticFastValue::<i64>::for_field(schema::PUBLISHED_AT)));
        let (top, total) = searcher.search(&tantivy_query, &(top, Count))?;
        let hits = if top.is_empty() {
            Vec::new()
        } else {
            let highlighter = Highlighter::new(&searcher, &tantivy_query, &self.fields, &words)?;
            let mut hits = Vec::with_capacity(top.len());
            for ((score, _published_at), address) in top {
                if let Some(hit) = self.hit(&searcher, &highlighter, address, score)? {
                    hits.push(hit);
                }
            }
            hits
        };
        Ok(SearchPage { total, hits })
    }

    /// Loads jieba's dictionary (about 110 ms) so the first request does not pay for it; call it
    /// at start-up, off the request path. Opening an index does not do it by itself.
    pub fn warm_up() {
        tokenizer::warm_up();
    }

    fn key_term(&self, kind: DocKind, id: u64) -> Term {
        Term::from_field_text(self.fields.key, &schema::key(kind, id))
    }

    /// Reads one hit's stored fields and highlights it. A document without a known kind or id
    /// cannot come from this format version; it is logged and left out rather than failing the
    /// whole search.
    fn hit(
        &self,
        searcher: &Searcher,
        highlighter: &Highlighter,
        address: DocAddress,
        score: f32,
    ) -> Result<Option<SearchHit>, SearchError> {
        let document: TantivyDocument = searcher.doc(address)?;
        let text = |field| document.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
        let kind = document.get_first(self.fields.kind).and_then(|v| v.as_u64()).and_then(schema::kind_from_code);
        let id = document.get_first(self.fields.id).and_then(|v| v.as_u64());
        let (Some(kind), Some(id)) = (kind, id) else {
            tracing::warn!(?address, "search hit without kind or id; skipped");
            return Ok(None);
        };
        Ok(Some(SearchHit {
            kind,
            id,
            score,
            title_html: highlighter.title_html(text(self.fields.title)),
            snippet_html: highlighter.snippet_html(text(self.fields.body)),
        }))
    }

    /// Runs `operation` (which must end with a commit) with the writer, then makes its result
    /// visible. On failure the uncommitted work is rolled back and the index is marked stale:
    /// it no longer matches the database.
    fn write<T>(&self, operation: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>) -> Result<T, SearchError> {
        let mut writer = self.lock_writer();
        match operation(&mut writer) {
            Ok(value) => {
                self.reader.reload()?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) = writer.rollback() {
                    tracing::warn!(%rollback, "search index rollback failed");
                }
                self.mark_stale();
                Err(error.into())
            }
        }
    }

    /// The writer. A panic while it was held leaves the mutex poisoned; the writer is then
    /// rolled back to its last commit, which is consistent, and used again.
    fn lock_writer(&self) -> MutexGuard<'_, IndexWriter> {
        match self.writer.lock() {
            Ok(writer) => writer,
            Err(poisoned) => {
                let mut writer = poisoned.into_inner();
                if let Err(error) = writer.rollback() {
                    tracing::warn!(%error, "search index rollback after a panic failed");
                }
                self.mark_stale();
                self.writer.clear_poison();
                writer
            }
        }
    }

    /// Records that the index no longer matches the database, in memory and on disk.
    fn mark_stale(&self) {
        self.needs_rebuild.store(true, Ordering::Release);
        if let Err(error) = directory::remove_marker(&self.dir) {
            tracing::warn!(%error, "could not mark the search index stale");
        }
    }
}

/// Opens the index in `dir` if it is complete, current and undamaged.
fn open_existing(dir: &Path, schema: &Schema) -> Result<(Index, IndexReader), Unusable> {
    if !dir.join("meta.json").exists() {
        return Err(Unusable::Missing);
    }
    match directory::read_marker(dir) {
        Some(FORMAT_VERSION) => {}
        other => return Err(Unusable::Stale(other)),
    }
    let damaged = |error: TantivyError| Unusable::Damaged(error.to_string());
    let index = Index::open_in_dir(dir).map_err(damaged)?;
    if index.schema() != *schema {
        return Err(Unusable::Damaged("schema differs".to_string()));
    }
    register_tokenizer(&index);
    // Reads every file of the index once; a few milliseconds per 10 MB, paid at start-up only,
    // and it turns a damaged file into a rebuild instead of failing searches later.
    let corrupted = index.validate_checksum().map_err(damaged)?;
    if !corrupted.is_empty() {
        return Err(Unusable::Damaged(format!("checksum mismatch: {corrupted:?}")));
    }
    let reader = open_reader(&index).map_err(damaged)?;
    Ok((index, reader))
}

/// Tokenizers are not stored in the index: they must be registered on every open.
fn register_tokenizer(index: &Index) {
    index.tokenizers().register(TOKENIZER_NAME, tokenizer::analyzer());
}

fn open_reader(index: &Index) -> tantivy::Result<IndexReader> {
    index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()
}

// A compile-time check of the documented guarantee.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
};
