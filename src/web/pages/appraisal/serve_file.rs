//! `GET /files/{sha256}/{name}`: a stored file, streamed from disk, for a reader the service lets through (asked
//! on every request). PDFs open in the browser; everything else downloads. The name in the URL only names the
//! download; `Content-Disposition` keeps Chinese names (RFC 5987).

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Body, IntoResponse, Response, handler};

use crate::files::{FileKind, content_disposition, mime_of};
use crate::web::ctx::Signed;
use crate::web::errors;

#[handler]
pub async fn download(signed: Signed, Path((sha256, name)): Path<(String, String)>) -> Response {
    let found = match signed.services().open_download(signed.actor(), &sha256) {
        Ok(found) => found,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    match tokio::fs::File::open(&found.path).await {
        Ok(file) => file_response(file, found.kind, found.size, &name),
        Err(error) => {
            tracing::error!(%error, "stored file missing");
            (StatusCode::NOT_FOUND, "文件不存在").into_response()
        }
    }
}

/// The streamed response shared by the page route and the API.
pub fn file_response(file: tokio::fs::File, kind: FileKind, size: u64, name: &str) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, mime_of(kind))
        .header(header::CONTENT_LENGTH, size)
        .header(header::CONTENT_DISPOSITION, content_disposition(kind == FileKind::Pdf, name))
        .header("X-Content-Type-Options", "nosniff")
        // Access is checked per request: never let a shared cache keep a copy.
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_async_read(file))
}
