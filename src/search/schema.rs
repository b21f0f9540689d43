//! The index schema, the stable codes stored in it, and its format version.
//!
//! Everything that decides what bytes end up in the index lives here or in `tokenizer.rs`; changing
//! either means bumping [`FORMAT_VERSION`], which makes every existing index be recreated and
//! re-fed from the database on the next open.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::tokenizer::TOKENIZER_NAME;
use super::{Audience, DocKind, MAX_BODY_BYTES, SearchDoc};

/// Version of the on-disk format: schema, stored codes and tokenizer. Bump it on any change to
/// them; an index written under another version is wiped and rebuilt.
pub const FORMAT_VERSION: u32 = 1;

/// The schema's fields, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// `"<kind code>:<id>"`, untokenized: the unique key that upserts and deletes address.
    pub key: Field,
    /// [`kind_code`], indexed for the kind filter and stored for hits.
    pub kind: Field,
    /// The database id, stored for hits.
    pub id: Field,
    /// [`audience_code`], indexed for the audience filter.
    pub audience: Field,
    /// Unix seconds; a fast field, used by the `<= now` range filter and the newer-first tie-break.
    pub published_at: Field,
    /// Tokenized with positions (for phrase boosts) and stored (for highlighting).
    pub title: Field,
    /// Same as `title`.
    pub body: Field,
}

pub(crate) const PUBLISHED_AT: &str = "published_at";

/// Builds the schema and its resolved fields.
pub(crate) fn build() -> (Schema, Fields) {
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut builder = Schema::builder();
    let fields = Fields {
        key: builder.add_text_field("key", STRING),
        kind: builder.add_u64_field("kind", INDEXED | STORED),
        id: builder.add_u64_field("id", STORED),
        audience: builder.add_u64_field("audience", INDEXED),
        published_at: builder.add_i64_field(PUBLISHED_AT, FAST),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
    };
    (builder.build(), fields)
}

/// The code stored for a kind. Part of the format: never renumber.
pub(crate) fn kind_code(kind: DocKind) -> u64 {
    match kind {
        DocKind::Notice => 1,
        DocKind::Material => 2,
    }
}

pub(crate) fn kind_from_code(code: u64) -> Option<DocKind> {
    match code {
        1 => Some(DocKind::Notice),
        2 => Some(DocKind::Material),
        _ => None,
    }
}

/// The code stored for an audience. Part of the format: never renumber.
pub(crate) fn audience_code(audience: Audience) -> u64 {
    match audience {
        Audience::All => 1,
        Audience::Teachers => 2,
        Audience::Admins => 3,
    }
}

/// The unique key of a document. The kind is part of it because notice and material ids come
/// from different tables and may collide.
pub(crate) fn key(kind: DocKind, id: u64) -> String {
    format!("{}:{id}", kind_code(kind))
}

/// Converts a document for indexing, cutting the body at [`MAX_BODY_BYTES`].
pub(crate) fn to_document(fields: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut document = TantivyDocument::default();
    document.add_text(fields.key, key(doc.kind, doc.id));
    document.add_u64(fields.kind, kind_code(doc.kind));
    document.add_u64(fields.id, doc.id);
    document.add_u64(fields.audience, audience_code(doc.audience));
    document.add_i64(fields.published_at, doc.published_at);
    document.add_text(fields.title, &doc.title);
    document.add_text(fields.body, truncate_at_char(&doc.body, MAX_BODY_BYTES));
    document
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a character boundary.
pub(crate) fn truncate_at_char(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
