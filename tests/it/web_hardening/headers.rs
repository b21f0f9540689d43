//! Finding 7: security headers on every kind of answer, and no inline script, event-handler attribute, style
//! attribute or `javascript:` link on any page a role reaches (the Content-Security-Policy forbids them).

use reqwest::blocking::{Client, Response};
use reqwest::header::HeaderMap;

use crate::admin_support::*;
use crate::support::*;

const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
}

/// The headers every answer carries.
fn assert_common(response: &Response, what: &str) {
    let headers = response.headers();
    assert_eq!(header(headers, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(headers, "referrer-policy"), "same-origin", "{what}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert!(header(headers, "content-security-policy").contains("frame-ancestors 'none'"), "{what}");
    assert!(headers.get("strict-transport-security").is_none(), "{what}: no HSTS over plain HTTP");
}

/// What the policy would block, found in a page's HTML.
fn inline_code(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap_or(0)];
        if !tag.contains(" src=") {
            found.push(format!("inline <script> at {at}"));
        }
    }
    for (at, _) in lower.match_indices(" on") {
        let name: String = lower[at + 1..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        if name.len() > 2 && lower[at + 1 + name.len()..].starts_with('=') {
            found.push(format!("event handler {name}= at {at}"));
        }
    }
    for marker in [" style=", "javascript:"] {
        found.extend(lower.match_indices(marker).map(|(at, _)| format!("{marker} at {at}")));
    }
    found
}

/// The site's own GET links on `html` that lead to pages (no downloads, assets or sign-out).
fn page_links(html: &str) -> Vec<String> {
    let mut links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("/assets/") && !href.starts_with("/files/"))
        .filter(|href| !href.contains(".xlsx") && !href.starts_with("/print/") && !href.contains("/download"))
        .filter(|href| !href.contains("/attachments/") && *href != "/filing/print")
        .map(|href| href.replace("&amp;", "&"))
        .collect();
    links.sort();
    links.dedup();
    links
}

/// Visits the home page of `client` and every page it links to (one level), checking headers and HTML.
fn check_pages(server: &Server, client: &Client, who: &str) -> usize {
    let home = text(client.get(server.url("/")).send().expect("home"));
    let mut visited = 0;
    for link in std::iter::once("/".to_string()).chain(page_links(&home)) {
        let response = client.get(server.url(&link)).send().expect("page");
        let status = response.status().as_u16();
        let is_html = header(response.headers(), "content-type").starts_with("text/html");
        if !is_html || status >= 300 {
            continue;
        }
        let what = format!("{who} {link}");
        assert_common(&response, &what);
        assert_eq!(header(response.headers(), "content-security-policy"), PAGE_POLICY, "{what}");
        assert_eq!(header(response.headers(), "cache-control"), "no-store", "{what}: signed-in page");
        let html = text(response);
        let inline = inline_code(&html);
        assert!(inline.is_empty(), "{what}: {inline:?}");
        visited += 1;
    }
    visited
}

#[test]
fn every_role_gets_pages_with_the_strict_policy_and_no_inline_code() {
    let server = Server::demo();
    let mut visited = 0;
    let teacher = first_login(&server, &server.demo_username("刁彬彬"), "abc12345");
    visited += check_pages(&server, &teacher, "teacher");
    let expert = first_login(&server, &server.demo_username("孙明"), "abc12345");
    visited += check_pages(&server, &expert, "expert");
    for (who, username, password) in [
        ("school admin", "nanhu_admin", DEMO_ADMIN_PASSWORD),
        ("department admin", "hongkou_admin", DEMO_ADMIN_PASSWORD),
        ("city admin", "admin", ADMIN_PASSWORD),
    ] {
        visited += check_pages(&server, &signed_in(&server, username, password), who);
    }
    assert!(visited >= 30, "only {visited} pages checked");
    // Public pages, and the page a teacher fills in (its script is a file).
    let anonymous = server.client();
    for path in ["/login", "/verify", "/browser"] {
        let response = anonymous.get(server.url(path)).send().expect("public page");
        assert_common(&response, path);
        assert_eq!(header(response.headers(), "content-security-policy"), PAGE_POLICY, "{path}");
        let inline = inline_code(&text(response));
        assert!(inline.is_empty(), "{path}: {inline:?}");
    }
    // An error page (its 返回上一页 link used to be `javascript:`).
    let missing = teacher.get(server.url("/notices/999999")).send().expect("missing");
    assert_eq!(missing.status().as_u16(), 404);
    assert!(inline_code(&text(missing)).is_empty());
}

#[test]
fn api_answers_downloads_assets_and_the_api_docs_carry_their_headers() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let me = city.get("/me");
    assert_eq!(me.status().as_u16(), 200);
    assert_common(&me, "API answer");
    assert_eq!(header(me.headers(), "content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    assert_eq!(header(me.headers(), "cache-control"), "no-store");
    let error = city.get("/teachers/999999999");
    assert_common(&error, "API error");

    // A download: a material the demo published.
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let materials = text(admin.get(server.url("/materials")).send().expect("materials"));
    let start = materials.find("/materials/").expect("a material link");
    let link: String = materials[start..].split('"').next().expect("link").to_string();
    assert!(link.ends_with("/download"), "{link}");
    let download = admin.get(server.url(&link)).send().expect("download");
    assert_eq!(download.status().as_u16(), 200);
    assert_common(&download, "download");
    assert!(header(download.headers(), "cache-control").contains("no-store"));

    // A static asset keeps its long cache.
    let login = text(server.client().get(server.url("/login")).send().expect("login"));
    let start = login.find("/assets/site.css?v=").expect("css url");
    let css = server.client().get(server.url(login[start..].split('"').next().expect("url"))).send().expect("css");
    assert_eq!(css.status().as_u16(), 200);
    assert_common(&css, "asset");
    assert!(header(css.headers(), "cache-control").contains("max-age=31536000"));

    // Swagger UI runs its own inline script, under a policy of its own; it still loads.
    let docs = server.client().get(server.url("/api/docs/")).send().expect("docs");
    assert_eq!(docs.status().as_u16(), 200);
    assert_common(&docs, "API docs");
    let policy = header(docs.headers(), "content-security-policy").to_string();
    assert!(policy.contains("script-src 'self' 'unsafe-inline'"), "{policy}");
}
