//! The API's defence against cross-site requests. A browser sends the page session cookie with any request to
//! this site, also one a foreign page makes it send; so a state-changing call authenticated by that cookie must
//! show it comes from this site: its `Origin` (or, without one, its `Referer`) names the site's own origin — the
//! configured `public_url`, else the host the request was sent to — or it carries the session's CSRF token in
//! `X-CSRF-Token`. Calls with a bearer token need neither: no browser attaches one by itself.

use poem::http::{HeaderMap, Method, Uri, header};

/// The header a script may use to send the session's CSRF token (the one in the pages' forms).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Methods that change nothing and need no proof (RFC 9110 safe methods).
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Whether the request names this site as its origin. `public_base` is `public_url` (if configured), `host` the
/// `Host` the request was sent to.
pub fn from_this_site(headers: &HeaderMap, public_base: Option<&str>, host: Option<&str>) -> bool {
    let Some((scheme, authority)) = claimed(headers) else { return false };
    match public_base {
        Some(base) => parse(base).is_some_and(|own| own == (scheme, authority)),
        // Behind a TLS proxy the scheme the browser used is not known here; the host and port are.
        None => host.is_some_and(|host| normalise(&scheme, host) == authority),
    }
}

/// Whether the request carries the session's CSRF token.
pub fn carries_token(headers: &HeaderMap, csrf: &str) -> bool {
    let sent = headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok()).unwrap_or("");
    !csrf.is_empty()
        && sent.len() == csrf.len()
        && sent.bytes().zip(csrf.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The (scheme, authority) of `Origin`, else of `Referer`. `Origin: null` (sandboxed or privacy-sensitive
/// contexts) proves nothing.
fn claimed(headers: &HeaderMap) -> Option<(String, String)> {
    match headers.get(header::ORIGIN) {
        Some(origin) => parse(origin.to_str().ok()?),
        None => parse(headers.get(header::REFERER)?.to_str().ok()?),
    }
}

/// Lower-case scheme and authority of an absolute URL, the scheme's default port left out.
fn parse(url: &str) -> Option<(String, String)> {
    let uri: Uri = url.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str();
    if authority.contains('@') {
        return None;
    }
    let authority = normalise(&scheme, authority);
    Some((scheme, authority))
}

fn normalise(scheme: &str, authority: &str) -> String {
    let authority = authority.trim().to_ascii_lowercase();
    let default_port = match scheme {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    match authority.strip_suffix(default_port) {
        Some(bare) if !default_port.is_empty() => bare.to_string(),
        _ => authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_origin_must_name_the_host_the_request_was_sent_to() {
        let host = Some("127.0.0.1:8080");
        assert!(from_this_site(&headers(&[("origin", "http://127.0.0.1:8080")]), None, host));
        assert!(from_this_site(&headers(&[("origin", "https://127.0.0.1:8080")]), None, host), "TLS at a proxy");
        assert!(!from_this_site(&headers(&[("origin", "http://evil.example")]), None, host));
        assert!(!from_this_site(&headers(&[("origin", "http://127.0.0.1:8081")]), None, host));
        assert!(!from_this_site(&headers(&[("origin", "null")]), None, host));
        assert!(!from_this_site(&headers(&[]), None, host), "no Origin nor Referer proves nothing");
        assert!(!from_this_site(&headers(&[("origin", "http://127.0.0.1:8080")]), None, None));
        // Without Origin, the Referer's origin counts.
        assert!(from_this_site(&headers(&[("referer", "http://127.0.0.1:8080/admin/teachers?q=x")]), None, host));
        assert!(!from_this_site(&headers(&[("referer", "http://evil.example/127.0.0.1:8080")]), None, host));
        assert!(!from_this_site(&headers(&[("referer", "http://127.0.0.1:8080@evil.example/")]), None, host));
        // Default ports are the same origin.
        assert!(from_this_site(
            &headers(&[("origin", "https://zhiping.example.cn")]),
            None,
            Some("Zhiping.example.cn:443")
        ));
    }

    #[test]
    fn with_public_url_scheme_and_host_must_match_it() {
        let base = Some("https://zhiping.example.edu.cn");
        let host = Some("127.0.0.1:8080");
        assert!(from_this_site(&headers(&[("origin", "https://zhiping.example.edu.cn")]), base, host));
        assert!(from_this_site(&headers(&[("origin", "https://zhiping.example.edu.cn:443")]), base, host));
        assert!(!from_this_site(&headers(&[("origin", "http://zhiping.example.edu.cn")]), base, host));
        assert!(!from_this_site(&headers(&[("origin", "http://127.0.0.1:8080")]), base, host));
    }

    #[test]
    fn the_csrf_header_must_equal_the_sessions_token() {
        assert!(carries_token(&headers(&[("x-csrf-token", "abc123")]), "abc123"));
        assert!(!carries_token(&headers(&[("x-csrf-token", "abc124")]), "abc123"));
        assert!(!carries_token(&headers(&[]), "abc123"));
        assert!(!carries_token(&headers(&[("x-csrf-token", "")]), ""));
        assert!(is_safe(&Method::GET) && !is_safe(&Method::POST) && !is_safe(&Method::DELETE));
    }
}
