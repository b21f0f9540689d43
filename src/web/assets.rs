//! Embedded static assets (CSS, ES5 JavaScript, icons). URLs carry a content hash (`/assets/site.css?v=…`) so the
//! browser may cache them for a year; a new build changes the hash.

use std::sync::OnceLock;

use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{Response, handler};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "fonts/*"]
pub struct Assets;

/// `/assets/{name}?v={hash}` for an embedded file (the hash is the first 12 hex digits of its SHA-256).
pub fn url(name: &str) -> String {
    static HASHES: OnceLock<std::collections::HashMap<String, String>> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        Assets::iter()
            .filter_map(|file| {
                let embedded = Assets::get(&file)?;
                Some((file.to_string(), hex::encode(embedded.metadata.sha256_hash())[..12].to_string()))
            })
            .collect()
    });
    match hashes.get(name) {
        Some(hash) => format!("/assets/{name}?v={hash}"),
        None => format!("/assets/{name}"),
    }
}

#[handler]
pub fn serve(Path(name): Path<String>) -> Response {
    let Some(file) = Assets::get(&name) else {
        return Response::builder().status(StatusCode::NOT_FOUND).body("not found");
    };
    let mime = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "application/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header(header::ETAG, etag)
        .body(file.data.into_owned())
}
