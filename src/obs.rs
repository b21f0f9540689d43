//! Observability: structured logs (tracing), Prometheus metrics, and the request middleware that counts and times
//! every request by route. Logs never carry a password, a session token or a full ID number: request logs record
//! the route pattern (numbers replaced by `:id`), never query strings or bodies.

use std::sync::OnceLock;
use std::time::Instant;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing_subscriber::EnvFilter;

use crate::config::Config;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the log subscriber and the metrics recorder once per process.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.log_format == "json" { builder.json().try_init() } else { builder.try_init() };
    PROMETHEUS.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0])
            .ok()
            .and_then(|builder| builder.install_recorder().ok())
            .unwrap_or_else(|| PrometheusBuilder::new().build_recorder().handle())
    });
}

/// The text of `/metrics`.
pub fn render_metrics() -> String {
    PROMETHEUS.get().map(PrometheusHandle::render).unwrap_or_default()
}

/// The scrape-time gauges: `zhiping_sessions_active` and `zhiping_submissions{state}` (every state, zeros
/// included).
pub fn set_gauges(gauges: &crate::service::health::Gauges) {
    metrics::gauge!("zhiping_sessions_active").set(gauges.sessions as f64);
    for (state, count) in &gauges.submissions {
        metrics::gauge!("zhiping_submissions", "state" => state.code()).set(*count as f64);
    }
}

/// An upload that was stored: `zhiping_upload_bytes_total{area}` (`submission`, `notice`, `import`).
pub fn uploaded(area: &'static str, bytes: u64) {
    metrics::counter!("zhiping_upload_bytes_total", "area" => area).increment(bytes);
    metrics::counter!("zhiping_uploads_total", "area" => area).increment(1);
}

/// An upload that was refused: `zhiping_upload_refusals_total{reason}` (`too_large`, `bad_type`, `empty`,
/// `damaged`, `scan`, `interrupted`, `disk_full`).
pub fn upload_refused(reason: &'static str) {
    metrics::counter!("zhiping_upload_refusals_total", "reason" => reason).increment(1);
}

/// A route label with ids replaced, so the metric's cardinality stays bounded.
pub fn route_label(path: &str) -> String {
    if path.starts_with("/assets/") {
        return "/assets/:name".into();
    }
    path.split('/')
        .map(|segment| {
            if !segment.is_empty() && (segment.bytes().all(|b| b.is_ascii_digit()) || segment.len() > 24) {
                ":id"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Counts and times each request; logs 5xx answers.
pub async fn track<E: Endpoint>(next: E, request: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = route_label(request.uri().path());
    let result = next.call(request).await.map(IntoResponse::into_response);
    let status = match &result {
        Ok(response) => response.status(),
        Err(error) => error.status(),
    };
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(elapsed);
    if status.is_server_error() {
        tracing::warn!(%method, %route, status = status.as_u16(), elapsed_ms = elapsed * 1000.0, "server error");
    } else {
        tracing::debug!(%method, %route, status = status.as_u16(), elapsed_ms = elapsed * 1000.0, "request");
    }
    result
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn ids_and_tokens_never_reach_labels() {
        assert_eq!(route_label("/admin/accounts/42/reset-password"), "/admin/accounts/:id/reset-password");
        assert_eq!(route_label("/verify/abcdefghijklmnopqrstuvwxyz"), "/verify/:id");
    }
}
