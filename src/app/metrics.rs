//! `/metrics`: the Prometheus exposition, for the operator only. With `[metrics] token` set, a scrape must send
//! `Authorization: Bearer {token}`; without one, only requests from the loopback address that came through no
//! proxy (no `Forwarded` / `X-Forwarded-For` / `X-Real-IP` header) are answered, so a reverse proxy on the same
//! host does not open it to the network.

use std::sync::Arc;

use poem::http::{HeaderMap, StatusCode, header};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};

use crate::config::MetricsConfig;
use crate::obs;
use crate::service::Services;

/// Why a scrape is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A token is configured and the request did not carry it.
    Token,
    /// No token is configured and the request came from elsewhere than this host.
    NotLocal,
}

/// Whether a request with these headers from `peer` may read the metrics.
pub fn admit(config: &MetricsConfig, headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> Result<(), Refusal> {
    let token = config.token.trim();
    if !token.is_empty() {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        return if constant_eq(sent.as_bytes(), token.as_bytes()) { Ok(()) } else { Err(Refusal::Token) };
    }
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|name| headers.contains_key(*name));
    match peer {
        Some(address) if address.is_loopback() && !proxied => Ok(()),
        _ => Err(Refusal::NotLocal),
    }
}

fn constant_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The counters and histograms, plus gauges computed now (sessions, submissions by state).
#[handler]
pub async fn serve(Data(services): Data<&Arc<Services>>, request: &Request) -> Response {
    let peer = request.remote_addr().as_socket_addr().map(|address| address.ip());
    match admit(&services.config.metrics, request.headers(), peer) {
        Ok(()) => {}
        Err(Refusal::Token) => {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header(header::WWW_AUTHENTICATE, "Bearer")
                .content_type("text/plain; charset=utf-8")
                .body("metrics: bearer token required\n");
        }
        Err(Refusal::NotLocal) => {
            return (StatusCode::FORBIDDEN, "metrics: only from this host, or set [metrics] token\n").into_response();
        }
    }
    let services = services.clone();
    let gauges = tokio::task::spawn_blocking(move || services.gauges()).await;
    match gauges {
        Ok(Ok(gauges)) => obs::set_gauges(&gauges),
        Ok(Err(error)) => tracing::warn!(%error, "metrics: gauges not computed"),
        Err(error) => tracing::warn!(%error, "metrics: gauges not computed"),
    }
    Response::builder().header("content-type", "text/plain; version=0.0.4").body(obs::render_metrics())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn without_a_token_only_this_host_unproxied() {
        let config = MetricsConfig::default();
        let local: Option<IpAddr> = Some("127.0.0.1".parse().unwrap());
        assert_eq!(admit(&config, &headers(&[]), local), Ok(()));
        assert_eq!(admit(&config, &headers(&[]), Some("::1".parse().unwrap())), Ok(()));
        assert_eq!(admit(&config, &headers(&[]), Some("10.0.0.5".parse().unwrap())), Err(Refusal::NotLocal));
        assert_eq!(admit(&config, &headers(&[("x-forwarded-for", "203.0.113.9")]), local), Err(Refusal::NotLocal));
        assert_eq!(admit(&config, &headers(&[]), None), Err(Refusal::NotLocal));
    }

    #[test]
    fn with_a_token_only_its_bearer_from_anywhere() {
        let config = MetricsConfig { token: "s3cret-scrape".into() };
        let remote: Option<IpAddr> = Some("10.0.0.5".parse().unwrap());
        assert_eq!(admit(&config, &headers(&[("authorization", "Bearer s3cret-scrape")]), remote), Ok(()));
        assert_eq!(admit(&config, &headers(&[("authorization", "Bearer wrong")]), remote), Err(Refusal::Token));
        assert_eq!(admit(&config, &headers(&[]), Some("127.0.0.1".parse().unwrap())), Err(Refusal::Token));
    }
}
