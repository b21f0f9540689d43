//! Wires the store, the services and the routes together and runs the server (with TLS when configured) until
//! Ctrl-C or SIGTERM. The layers around every request, outermost first: `obs::track` (metrics and request logs by
//! route pattern), `headers::secure` (security headers), `panic::catch` (a panicking handler answers 500),
//! `compress`, the cookie jar, then the routes.

mod headers;
mod metrics;
pub mod panic;
mod test_clock;

use std::sync::Arc;

use anyhow::Context;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, RustlsCertificate, RustlsConfig, TcpListener};
use poem::middleware::CookieJarManager;
use poem::web::{Compress, CompressionAlgo, Data};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler};

use crate::config::Config;
use crate::service::Services;
use crate::{api, obs, web};

/// The whole application as one endpoint.
pub fn endpoint(services: Arc<Services>) -> impl poem::Endpoint {
    let mut routes = Route::new()
        .nest("/", web::routes())
        .nest("/api", api::routes())
        .at("/healthz", obs::routed("/healthz", get(healthz)))
        .at("/metrics", obs::routed("/metrics", get(metrics::serve)));
    // Only a server started with the hidden `--test-clock` has a movable clock, and only it has this route.
    if services.clock.is_movable() {
        routes = routes.at(test_clock::PATH, obs::routed(test_clock::PATH, poem::post(test_clock::advance)));
    }
    routes
        .with(CookieJarManager::new())
        .around(compress)
        .around(panic::catch)
        .around(headers::secure)
        .around(obs::track)
        .data(services)
}

/// Compresses text answers (HTML, JSON, CSS, JavaScript, plain text, SVG) for clients that accept gzip or
/// brotli. Downloads (PDFs, uploaded files, spreadsheets, archives) pass through untouched: they are compressed
/// already or streamed, and compressing them would only cost CPU and break their `Content-Length`.
async fn compress<E: Endpoint>(next: E, request: Request) -> poem::Result<Response> {
    let algorithm = accepted_compression(&request);
    let response = next.call(request).await?.into_response();
    match algorithm {
        Some(algorithm) if compressible(&response) => Ok(Compress::new(response, algorithm).into_response()),
        _ => Ok(response),
    }
}

/// brotli or gzip, whichever the client accepts (brotli first); `None` for neither or `q=0`.
fn accepted_compression(request: &Request) -> Option<CompressionAlgo> {
    let header = request.headers().get(poem::http::header::ACCEPT_ENCODING)?.to_str().ok()?;
    let accepts = |name: &str| {
        header.split(',').any(|item| {
            let mut parts = item.trim().split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused = parts.any(|parameter| {
                parameter.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0)
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Some(CompressionAlgo::BR)
    } else if accepts("gzip") {
        Some(CompressionAlgo::GZIP)
    } else {
        None
    }
}

fn compressible(response: &Response) -> bool {
    if response.headers().contains_key(poem::http::header::CONTENT_ENCODING) {
        return false;
    }
    let content_type = response.content_type().unwrap_or("").to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.starts_with("text/")
        || matches!(essence, "application/json" | "application/javascript" | "image/svg+xml" | "application/xml")
}

/// `/healthz`: JSON with the store and the free disk; 503 when the store cannot be read or the free space is
/// below `uploads.min_free_mib`.
#[handler]
async fn healthz(Data(services): Data<&Arc<Services>>) -> Response {
    let services = services.clone();
    let health = match tokio::task::spawn_blocking(move || services.health()).await {
        Ok(health) => health,
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "health check failed").into_response(),
    };
    let status = if health.healthy() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    if !health.healthy() {
        tracing::warn!(status = health.status, "health check failed");
    }
    (status, poem::web::Json(health)).into_response()
}

/// Options of `serve`.
pub struct ServeOptions {
    pub demo: bool,
    pub admin_password: Option<String>,
    /// A generated data set on top of the demo (benchmarks, tests).
    pub demo_scale: Option<crate::service::demo_scale::Scale>,
    /// A clock the integration tests can move (`--test-clock`, hidden; see `test_clock`). Never in production.
    pub test_clock: bool,
}

pub async fn serve(config: Config, options: ServeOptions) -> anyhow::Result<()> {
    panic::install_hook();
    let config = Arc::new(config);
    crate::ops::restore::refuse_interrupted(&config.data_dir)?;
    crate::private_fs::create_dir_all(&config.data_dir)
        .and_then(|()| crate::private_fs::restrict_dir(&config.data_dir))
        .with_context(|| format!("无法创建数据目录 {}", config.data_dir.display()))?;
    let clock = if options.test_clock {
        tracing::warn!(
            "test clock: time can be moved forward through {}; never run a real server so",
            test_clock::PATH
        );
        crate::clock::Clock::movable()
    } else {
        crate::clock::Clock::system()
    };
    let services = Arc::new(Services::open_with_clock(config.clone(), clock).context("无法打开数据库")?);

    if let Some(admin) = services.ensure_first_admin(options.admin_password).await? {
        println!("首次启动：已创建市级管理员账号。");
        match admin.generated_password {
            Some(password) => {
                println!("  登录名：{}  初始密码：{}", admin.username, password);
                println!("  （此密码只显示这一次；首次登录后须立即修改。）");
            }
            None => println!("  登录名：{}  密码：ZHIPING_ADMIN_PASSWORD 所设定的密码（不在此显示）。", admin.username),
        }
    }
    if options.demo {
        let demo = services.load_demo().await?;
        println!("演示数据已载入。可用以下账号登录：");
        for login in demo.logins {
            println!("  {:<8} {:<28} 用户名：{:<20} 密码：{}", login.role, login.who, login.username, login.password);
        }
        if !demo.stages.is_empty() {
            println!("评审各环节的演示（载入时的状态；市级管理员 admin 可看到全部环节）：");
        }
        for stage in demo.stages {
            let login = stage.login;
            println!(
                "  {}：{} {}  用户名：{}  密码：{}",
                stage.stage, login.role, login.who, login.username, login.password
            );
        }
    }
    if let Some(scale) = options.demo_scale {
        let report = services.load_scale(scale).await?;
        println!(
            "规模演示数据：新增 {} 所学校、{} 名教师、{} 份申报（学校管理员 school{{id}}_admin，密码 demo2026）。",
            report.schools, report.teachers, report.submissions
        );
    }

    spawn_sweeper(services.clone());
    start_ops(&config, &services);
    let app = endpoint(services.clone());
    let scheme = if config.tls_enabled() { "https" } else { "http" };
    let tcp = TcpListener::bind(config.listen);
    match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let cert = std::fs::read(cert).with_context(|| format!("无法读取证书 {}", cert.display()))?;
            let key = std::fs::read(key).with_context(|| format!("无法读取私钥 {}", key.display()))?;
            let tls = RustlsConfig::new().fallback(RustlsCertificate::new().cert(cert).key(key));
            let acceptor = tcp.rustls(tls).into_acceptor().await.context("无法监听地址")?;
            announce(scheme, &acceptor, &services);
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, shutdown_signal(), None).await?;
        }
        _ => {
            let acceptor = tcp.into_acceptor().await.with_context(|| format!("无法监听地址 {}", config.listen))?;
            announce(scheme, &acceptor, &services);
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, shutdown_signal(), None).await?;
        }
    }
    Ok(())
}

/// Sweeps temporary files of interrupted backups, opens the admin channel (`zhiping backup` / `check` while the
/// server runs) and starts the scheduled backup.
fn start_ops(config: &Config, services: &Arc<Services>) {
    if let Err(error) = crate::ops::sweep_at_start(config) {
        tracing::warn!(%error, "could not remove temporary backup files");
    }
    let ops = Arc::new(crate::ops::Ops::new(services.store.clone(), services.blobs.clone(), config.data_dir.clone()));
    match crate::ops::channel::serve(&config.data_dir, ops.clone()) {
        Ok(path) => tracing::info!(path = %path.display(), "admin channel listening"),
        // Backups of a running server need it; everything else works without.
        Err(error) => {
            tracing::warn!(%error, "admin channel unavailable: zhiping backup and check need the server stopped")
        }
    }
    crate::ops::spawn_schedule(ops, &config.backup);
}

/// Prints the bound address (tests read this line to find a server started on port 0), and fixes the address
/// printed in verification links: `public_url`, else this bound address — never a request's `Host` header, which
/// a client chooses. Without `public_url` it warns: a printed link to a listen address is rarely what readers
/// can open.
fn announce(scheme: &str, acceptor: &impl Acceptor, services: &Services) {
    let bound: Vec<String> = acceptor
        .local_addr()
        .iter()
        .filter_map(|address| address.as_socket_addr().map(|socket| format!("{scheme}://{socket}")))
        .collect();
    if let Some(first) = bound.first() {
        services.printing.set_listen_base(first.clone());
    }
    if services.config.public_base().is_none() {
        let base = services.verify_base_url();
        tracing::warn!(%base, "public_url is not set: printed verification links point at the listen address");
    }
    for url in bound {
        println!("zhiping listening on {url}");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

fn spawn_sweeper(services: Arc<Services>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            interval.tick().await;
            let services = services.clone();
            let swept = tokio::task::spawn_blocking(move || services.sessions.sweep(&services.store)).await;
            if let Ok(Err(error)) = swept {
                tracing::warn!(%error, "session sweep failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use poem::web::CompressionAlgo;
    use poem::{IntoResponse, Request, Response};

    use super::{accepted_compression, compressible};

    fn algorithm(header: &str) -> Option<CompressionAlgo> {
        accepted_compression(&Request::builder().header("accept-encoding", header).finish())
    }

    #[test]
    fn brotli_then_gzip_and_never_a_refused_coding() {
        assert_eq!(algorithm("gzip, deflate, br"), Some(CompressionAlgo::BR));
        assert_eq!(algorithm("gzip"), Some(CompressionAlgo::GZIP));
        assert_eq!(algorithm("br;q=0, gzip;q=0.5"), Some(CompressionAlgo::GZIP));
        assert_eq!(algorithm("identity"), None);
        assert_eq!(accepted_compression(&Request::builder().finish()), None);
    }

    #[test]
    fn only_text_answers_are_compressed() {
        let typed = |content_type: &str| Response::builder().content_type(content_type).body("x");
        assert!(compressible(&typed("text/html; charset=utf-8")));
        assert!(compressible(&typed("application/json; charset=utf-8")));
        assert!(compressible(&typed("text/css")));
        assert!(!compressible(&typed("application/pdf")));
        assert!(!compressible(&typed("application/octet-stream")));
        assert!(!compressible(&typed("application/zip")));
        assert!(!compressible(&typed("video/mp4")));
        let encoded = Response::builder().content_type("text/html").header("content-encoding", "gzip").body("x");
        assert!(!compressible(&encoded.into_response()));
    }
}
