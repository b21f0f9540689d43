//! Security headers on every answer, by what the answer is: pages get a Content-Security-Policy without inline
//! script (the pages load `app.js` / `appraisal.js` from `/assets/` and carry no inline script, event handler or
//! style attribute); the Swagger UI page, which poem-openapi builds with an inline script and style, gets its own
//! policy allowing just that; JSON and files get a policy that runs nothing. Everything is `nosniff`, keeps the
//! referrer on this site, refuses to be framed, and is not stored by any cache unless the handler chose a caching
//! rule itself (the content-hashed assets). HSTS when zhiping terminates TLS itself.

use poem::http::HeaderMap;
use poem::http::header::{self, HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};

/// Pages: nothing inline, nothing from elsewhere, no plugins, no framing, forms post only here.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The Swagger UI page (`/api/docs/`): its script and style are inline in poem-openapi's page, which holds only
/// the API document (no user data).
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; \
     base-uri 'self'; form-action 'self'";

/// JSON and plain-text answers: nothing in them may run or load anything.
pub const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Files and PDFs: no framing. (A stricter policy on a PDF can stop the browser's built-in viewer; `nosniff` and
/// the content type chosen from the file's content keep an upload from being run as a page.)
pub const FILE_POLICY: &str = "frame-ancestors 'none'";

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000";

/// Adds the headers to the answer of `next` (errors included, rendered as their answers).
pub async fn secure<E: Endpoint>(next: E, request: Request) -> poem::Result<Response> {
    let docs = request.uri().path().starts_with("/api/docs");
    let tls = request.data::<std::sync::Arc<crate::service::Services>>().is_some_and(|s| s.config.tls_enabled());
    let mut response = match next.call(request).await {
        Ok(response) => response.into_response(),
        Err(error) => error.into_response(),
    };
    let content_type = response.content_type().unwrap_or("").to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim().to_string();
    add(response.headers_mut(), &essence, docs, tls);
    Ok(response)
}

/// The headers for an answer of content type `essence` (`docs`: the Swagger UI; `tls`: zhiping serves HTTPS).
/// Headers the handler set itself stay.
fn add(headers: &mut HeaderMap, essence: &str, docs: bool, tls: bool) {
    let policy = match essence {
        "text/html" if docs => DOCS_POLICY,
        "text/html" => PAGE_POLICY,
        "application/json" | "text/plain" | "" => DATA_POLICY,
        _ => FILE_POLICY,
    };
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, policy);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    // `frame-ancestors` for browsers that predate it.
    set(header::X_FRAME_OPTIONS, "DENY");
    // Pages and files hold personal data; only the content-hashed assets set a caching rule of their own.
    set(header::CACHE_CONTROL, "no-store");
    if tls {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, EndpointExt, Request, Response, Route, get, handler};

    use super::*;

    #[handler]
    fn html_page() -> poem::web::Html<&'static str> {
        poem::web::Html("<p>页面</p>")
    }

    #[handler]
    fn css_asset() -> Response {
        Response::builder()
            .content_type("text/css")
            .header(header::CACHE_CONTROL, "public, max-age=31536000")
            .body("p{}")
    }

    #[handler]
    fn pdf_file() -> Response {
        Response::builder().content_type("application/pdf").body("%PDF-")
    }

    async fn headers_of(path: &str) -> poem::http::HeaderMap {
        let app = Route::new()
            .at("/page", get(html_page))
            .at("/api/docs/", get(html_page))
            .at("/site.css", get(css_asset))
            .at("/file.pdf", get(pdf_file))
            .around(secure);
        let response = app.call(Request::builder().uri_str(path).finish()).await.expect("an answer");
        response.headers().clone()
    }

    fn value(headers: &poem::http::HeaderMap, name: HeaderName) -> &str {
        headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
    }

    #[tokio::test]
    async fn each_kind_of_answer_gets_its_policy_and_caching_rule() {
        let page = headers_of("/page").await;
        assert_eq!(value(&page, header::CONTENT_SECURITY_POLICY), PAGE_POLICY);
        assert!(!PAGE_POLICY.contains("unsafe"));
        assert_eq!(value(&page, header::CACHE_CONTROL), "no-store");
        assert_eq!(value(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(value(&page, header::REFERRER_POLICY), "same-origin");
        assert!(page.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain HTTP");
        assert_eq!(value(&headers_of("/api/docs/").await, header::CONTENT_SECURITY_POLICY), DOCS_POLICY);
        let asset = headers_of("/site.css").await;
        assert_eq!(value(&asset, header::CACHE_CONTROL), "public, max-age=31536000", "its own rule stays");
        assert_eq!(value(&headers_of("/file.pdf").await, header::CONTENT_SECURITY_POLICY), FILE_POLICY);
        let missing = headers_of("/nothing-here").await;
        assert_eq!(value(&missing, header::CONTENT_SECURITY_POLICY), DATA_POLICY);
        assert_eq!(value(&missing, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }

    #[test]
    fn hsts_only_when_zhiping_serves_tls_itself() {
        let mut plain = HeaderMap::new();
        add(&mut plain, "text/html", false, false);
        assert!(plain.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        let mut tls = HeaderMap::new();
        add(&mut tls, "text/html", false, true);
        assert_eq!(value(&tls, header::STRICT_TRANSPORT_SECURITY), HSTS);
    }
}
