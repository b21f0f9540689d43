//! `POST /__test/clock?ms=N`: moves the services' clock N milliseconds forward, so the integration tests can pass
//! the pledge's 15 seconds, a freeze or a publish time without waiting for them. Mounted only by the hidden
//! `serve --test-clock` (the clock is then `Clock::movable`); a normal server answers 404, and even a test server
//! answers only requests from its own host that came through no proxy.

use std::sync::Arc;

use poem::http::{HeaderMap, StatusCode};
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, Response, handler};

use crate::service::Services;

pub const PATH: &str = "/__test/clock";

#[derive(serde::Deserialize)]
pub struct Advance {
    ms: i64,
}

/// Only this host, directly: a test server behind a proxy must not let the network move its time.
pub fn admit(headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> bool {
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|name| headers.contains_key(*name));
    peer.is_some_and(|address| address.is_loopback()) && !proxied
}

#[handler]
pub fn advance(Data(services): Data<&Arc<Services>>, request: &Request, Query(query): Query<Advance>) -> Response {
    let peer = request.remote_addr().as_socket_addr().map(|address| address.ip());
    if !admit(request.headers(), peer) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !services.clock.advance(chrono::Duration::milliseconds(query.ms)) {
        return (StatusCode::BAD_REQUEST, "the clock moves only forward\n").into_response();
    }
    (StatusCode::OK, format!("{}\n", services.clock.now().to_rfc3339())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_direct_requests_from_this_host_move_the_clock() {
        let local = Some(std::net::IpAddr::from([127, 0, 0, 1]));
        assert!(admit(&HeaderMap::new(), local));
        assert!(!admit(&HeaderMap::new(), Some(std::net::IpAddr::from([10, 0, 0, 5]))));
        assert!(!admit(&HeaderMap::new(), None));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "203.0.113.9".parse().expect("header"));
        assert!(!admit(&proxied, local));
    }
}
