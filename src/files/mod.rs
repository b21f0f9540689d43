//! Stored files: the content-addressed blob store, what a file is (decided by its content), the text inside
//! PDF and DOCX files, blind-review copies without identifying metadata, and download headers.
//!
//! This module knows nothing of submissions, users, permissions or HTTP frameworks: callers decide who may
//! upload or read a file and which kinds and sizes a slot accepts (SPEC §9); this module only stores, sniffs,
//! reads and rewrites bytes. Every parser here reads untrusted uploads, so each one is bounded: uploads are cut
//! off at a caller-given size while streaming, decompression is capped, and extracted text is capped.
//!
//! Code map:
//! - `archive.rs`: ZIP containers (DOCX, XLSX) opened with entry counts and unpacked sizes bounded.
//! - `blob.rs`: [`BlobStore`], the only code that writes under the data directory's `files/`.
//! - `sniff.rs`: [`FileKind`] from magic bytes, MIME types and extensions, PDF validity.
//! - `text.rs`: text extraction (search index, anonymisation gate) and the text-layer rule for scans.
//! - `pdf_text.rs`, `cmap.rs`, `glyph_names.rs`: what a PDF page shows, through each font's ToUnicode map.
//! - `metadata.rs`: metadata stripping for blind review.
//! - `disposition.rs`: `Content-Disposition` values that keep Chinese file names.

pub mod archive;
mod blob;
mod cmap;
mod disposition;
mod glyph_names;
mod metadata;
mod pdf_text;
mod sniff;
mod text;

pub use blob::{BlobStore, CHUNK_SIZE, StoredBlob, UploadError};
pub use disposition::content_disposition;
pub use metadata::strip_metadata;
pub use sniff::{FileKind, extension_of, mime_of, pdf_is_valid, sniff_path};
pub use text::{MAX_TEXT_BYTES, MIN_PAGE_CHARS, MIN_TEXT_CHARS, extract_text, pdf_has_text_layer};

/// The largest PDF this module parses, in bytes. Parsing loads the whole file into memory; documents are
/// capped at 20 MB on upload (SPEC §9), so anything bigger did not come through an upload slot.
pub const MAX_PDF_BYTES: u64 = 64 * 1024 * 1024;

/// The most bytes one compressed PDF stream or one DOCX part may inflate to. Real page content and
/// `word/document.xml` stay far below this; a crafted "decompression bomb" is stopped here.
pub const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;

/// Why a document could not be read or rewritten.
#[derive(thiserror::Error, Debug)]
pub enum ExtractError {
    /// Reading the file or writing the output failed.
    #[error("file read or write failed: {0}")]
    Io(#[from] std::io::Error),
    /// The PDF could not be parsed: damaged, truncated, or not a PDF at all.
    #[error("unreadable PDF: {0}")]
    Pdf(#[source] lopdf::Error),
    /// The PDF is encrypted with a password this module does not have, so its content cannot be read.
    #[error("the PDF is password-protected")]
    Encrypted,
    /// The DOCX container is not a readable ZIP archive.
    #[error("unreadable DOCX container: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// A part every document of this kind must have is missing (e.g. `word/document.xml`).
    #[error("the document has no {0}")]
    MissingPart(&'static str),
    /// An XML part of a DOCX is not well-formed.
    #[error("malformed XML in the document: {0}")]
    Xml(#[from] quick_xml::Error),
    /// The file, or a stream or part inside it, is bigger than this module will parse (see [`MAX_PDF_BYTES`]
    /// and [`MAX_INFLATED_BYTES`]); most likely a decompression bomb.
    #[error("the document or a part of it exceeds {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },
    /// The ZIP container has more entries than this module will index.
    #[error("the document has {count} parts, more than {limit}")]
    TooManyParts {
        /// The number of entries the archive declares.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The PDF parser panicked on this input. The panic was contained; the file should be treated as damaged.
    #[error("the PDF parser failed on this file")]
    ParserPanicked,
}

impl From<archive::ZipRefusal> for ExtractError {
    fn from(refusal: archive::ZipRefusal) -> Self {
        match refusal {
            archive::ZipRefusal::Unreadable(error) => ExtractError::Zip(error),
            archive::ZipRefusal::Io(error) => ExtractError::Io(error),
            archive::ZipRefusal::TooManyEntries { count, limit } => ExtractError::TooManyParts { count, limit },
            archive::ZipRefusal::TooLarge { limit } => ExtractError::TooLarge { limit },
        }
    }
}

/// Whether an I/O error means the file system is full (or the user's quota is used up): the caller answers
/// "storage full", not a generic failure.
pub fn is_storage_full(error: &std::io::Error) -> bool {
    matches!(error.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

#[cfg(test)]
pub(crate) use text::tests as text_tests;

#[cfg(test)]
pub(crate) fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}
