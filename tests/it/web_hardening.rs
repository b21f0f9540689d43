//! Issue 14, the web layer: no Chinese search takes a request down (finding 3), `/metrics` stays bounded, private
//! and valid (5), the API refuses cross-site cookie calls (6), security headers and no inline script (7), and the
//! Secure cookie and verification links behind a proxy (9).

#[path = "web_hardening/csrf.rs"]
mod csrf;
#[path = "web_hardening/headers.rs"]
mod headers;
#[path = "web_hardening/links.rs"]
mod links;
#[path = "web_hardening/metrics.rs"]
mod metrics;
#[path = "web_hardening/search.rs"]
mod search;
