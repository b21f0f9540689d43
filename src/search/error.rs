//! The search module's error type.
//!
//! A reader's query text never produces an error (it is not parsed as syntax); these are failures
//! of the index itself or of the disk under it.

use std::path::PathBuf;

/// Why a search operation failed.
#[derive(thiserror::Error, Debug)]
pub enum SearchError {
    /// Reading or writing the index directory (or its format marker) failed.
    #[error("search index I/O error at {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// Another process holds the index writer lock on this directory (for example a second
    /// server started on the same data directory). The index is left untouched.
    #[error("search index at {0} is in use by another process")]
    Locked(PathBuf),

    /// tantivy reported an error while opening, writing or searching the index. After a failed
    /// write the index is marked stale, so [`super::SearchIndex::needs_rebuild`] is true and the
    /// next start rebuilds it.
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SearchError {
        let path = path.into();
        move |source| SearchError::Io { path, source }
    }
}
