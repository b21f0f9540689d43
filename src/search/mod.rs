//! Full-text search over notices (通知公告) and materials (资料下载).
//!
//! This module owns the tantivy index under its own directory: the schema, the Chinese tokenizer,
//! query building, ranking, filtering and highlighted snippets. It knows nothing of redb, pages or
//! permissions: the caller decides which audiences a reader may see and feeds plain text (attachment
//! text already extracted).
//!
//! # Architecture invariants
//! - The index is derived data. The database is the only source of truth: whenever
//!   [`SearchIndex::needs_rebuild`] is true, the caller re-feeds every document with
//!   [`SearchIndex::rebuild`].
//! - Every change is committed and the reader reloaded before the call returns, so the next search
//!   sees it.
//! - User query text is never parsed as syntax: every character is text, so no input can make a
//!   search fail.

mod directory;
mod error;
mod index;
mod query;
mod schema;
mod snippet;
mod tokenizer;

#[cfg(test)]
mod tests;

pub use error::SearchError;
pub use index::SearchIndex;
pub use schema::FORMAT_VERSION;

/// Largest page a single search returns; larger `limit`s are clamped to it.
pub const MAX_PAGE_SIZE: usize = 100;

/// Deepest result a search can page to (`offset + limit`). Past it a search still reports the
/// correct `total` but returns no hits: ranking deeper than this costs memory for no reader's
/// benefit.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// What a search document is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DocKind {
    /// A notice (通知公告): title, body and the text of its attachments.
    Notice,
    /// A material (资料下载): its name and the text of its file.
    Material,
}

/// Who may see a document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Audience {
    /// Everyone signed in (全部).
    All,
    /// Teachers only.
    Teachers,
    /// Administrators only.
    Admins,
}

/// One document as fed to the index.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SearchDoc {
    /// Notice or material; together with `id` it identifies the document.
    pub kind: DocKind,
    /// The database id, unique within `kind`.
    pub id: u64,
    /// Title of a notice, name of a material.
    pub title: String,
    /// Plain text: notice body plus extracted attachment text, or material name plus extracted
    /// file text. Only the first [`MAX_BODY_BYTES`] bytes are indexed.
    pub body: String,
    /// Who may see it.
    pub audience: Audience,
    /// Publication time in unix seconds; a document is invisible before it (scheduled notices).
    pub published_at: i64,
}

/// Bytes of a body that are indexed and stored. Extracted attachment text can be megabytes; past
/// this a document's remaining text adds memory and index size but hardly any recall.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A reader's search.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SearchQuery {
    /// What the reader typed. Whitespace separates words that must all occur, each as typed
    /// (`职称评审` finds `职称评审`, not `职称` and `评审` apart); Latin letters match in any case.
    /// There is no other syntax. Empty or whitespace-only text gives an empty page.
    pub text: String,
    /// Only this kind, or both when `None`.
    pub kind: Option<DocKind>,
    /// Which audiences the reader may see; an empty list sees nothing.
    pub audiences: Vec<Audience>,
    /// The current time in unix seconds: only documents with `published_at <= now` are found.
    pub now: i64,
    /// Hits to skip (pagination).
    pub offset: usize,
    /// Hits to return, at most [`MAX_PAGE_SIZE`].
    pub limit: usize,
}

/// One found document, ready to show.
#[derive(Clone, PartialEq, Debug)]
pub struct SearchHit {
    /// Notice or material.
    pub kind: DocKind,
    /// The database id.
    pub id: u64,
    /// Relevance (BM25, title boosted); only meaningful relative to other hits of the same search.
    pub score: f32,
    /// The whole title, HTML-escaped, with matches wrapped in `<mark>…</mark>`.
    pub title_html: String,
    /// A short passage of the body, HTML-escaped, with matches wrapped in `<mark>…</mark>`; the
    /// beginning of the body when the body has no match. `…` marks text cut on either side.
    pub snippet_html: String,
}

/// One page of results.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SearchPage {
    /// How many documents match in all, for `共N条记录` and page numbers.
    pub total: usize,
    /// The hits of the requested page, best first (newer first among equals).
    pub hits: Vec<SearchHit>,
}
