//! Observability: structured logs (tracing), Prometheus metrics, and the request middleware that counts and times
//! every request by route. Logs never carry a password, a session token or a full ID number: request logs and
//! metrics record the matched route's pattern (`/files/:sha256/:name`, `unmatched` for no route) and the method
//! (`OTHER` for non-standard ones), never the path, query strings or bodies.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
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
    describe();
}

/// HELP text for every metric (Prometheus' `promtool check metrics` wants one on each).
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "zhiping_http_requests_total",
        "HTTP requests answered, by method (OTHER for non-standard ones), matched route pattern and status."
    );
    describe_histogram!(
        "zhiping_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by method and matched route pattern."
    );
    describe_counter!("zhiping_http_panics_total", "Requests whose handler panicked (answered 500).");
    describe_counter!(
        "zhiping_logins_total",
        "Sign-in attempts by outcome (success, wrong_password, frozen, throttled, disabled)."
    );
    describe_counter!("zhiping_uploads_total", "Uploads stored, by area (submission, notice, import).");
    describe_counter!("zhiping_upload_bytes_total", Unit::Bytes, "Bytes of uploads stored, by area.");
    describe_counter!(
        "zhiping_upload_refusals_total",
        "Uploads refused, by reason (too_large, bad_type, empty, damaged, scan, interrupted, disk_full)."
    );
    describe_gauge!("zhiping_sessions_active", "Stored page sessions not yet expired.");
    describe_gauge!("zhiping_submissions", "Submissions by state.");
    describe_gauge!(
        "zhiping_backup_last_success_timestamp_seconds",
        Unit::Seconds,
        "Unix time of the last successful backup."
    );
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

/// The route a request was matched to, recorded by the router's leaf on the way in (`record_route`), so the
/// request middleware can label metrics and logs with the route's pattern — never with the path itself, which
/// carries ids, tokens and file names (a file named after an ID number would put it on `/metrics`).
#[derive(Clone, Default)]
pub struct RouteSlot(Arc<OnceLock<Arc<str>>>);

impl RouteSlot {
    /// The matched pattern, or `unmatched`: every unknown path shares one label, so the metrics stay bounded.
    pub fn label(&self) -> Arc<str> {
        self.0.get().cloned().unwrap_or_else(|| Arc::from(UNMATCHED))
    }

    /// Records the route's pattern (the first one recorded stays).
    pub fn record(&self, pattern: &Arc<str>) {
        let _ = self.0.set(pattern.clone());
    }
}

/// The label of requests no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Records `pattern` (e.g. `/files/:sha256/:name`) as the route of `request`; called by each route's endpoint.
pub fn record_route(request: &Request, pattern: &Arc<str>) {
    if let Some(slot) = request.data::<RouteSlot>() {
        slot.record(pattern);
    }
}

/// `endpoint`, recording `pattern` as the route of every request it receives. Every leaf of the router is wrapped
/// in this (`web::routes`, `api::routes`, `app::endpoint`).
pub fn routed<E: Endpoint + 'static>(pattern: impl Into<Arc<str>>, endpoint: E) -> BoxEndpoint<'static, E::Output> {
    let pattern: Arc<str> = pattern.into();
    endpoint
        .before(move |request| {
            record_route(&request, &pattern);
            std::future::ready(Ok(request))
        })
        .boxed()
}

/// The method as a label: the standard ones by name, anything else `OTHER` (a client may send any token).
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN.iter().find(|known| *known == method).map_or("OTHER", Method::as_str)
}

/// Counts and times each request by method and matched route; logs 5xx answers. Puts the `RouteSlot` into the
/// request for the routes (and the panic layer) to fill and read.
pub async fn track<E: Endpoint>(next: E, mut request: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = method_label(request.method());
    let slot = RouteSlot::default();
    request.set_data(slot.clone());
    let result = next.call(request).await.map(IntoResponse::into_response);
    let status = match &result {
        Ok(response) => response.status(),
        Err(error) => error.status(),
    };
    let route = slot.label();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("zhiping_http_requests_total", "method" => method, "route" => route.to_string(), "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!("zhiping_http_request_duration_seconds", "method" => method, "route" => route.to_string())
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
    use poem::http::Method;

    use super::{RouteSlot, method_label, record_route};

    #[test]
    fn odd_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
        assert_eq!(method_label(&Method::from_bytes(b"X31010119800101123").unwrap()), "OTHER");
    }

    #[test]
    fn a_route_is_labelled_by_its_pattern_or_as_unmatched() {
        let slot = RouteSlot::default();
        assert_eq!(&*slot.label(), "unmatched");
        let mut request = poem::Request::builder().uri_str("/files/abc/310101198001011234.pdf").finish();
        request.set_data(slot.clone());
        record_route(&request, &"/files/:sha256/:name".into());
        assert_eq!(&*slot.label(), "/files/:sha256/:name");
    }
}
