//! Wires the store, the services and the routes together and runs the server (with TLS when configured) until
//! Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, RustlsCertificate, RustlsConfig, TcpListener};
use poem::middleware::{Compression, CookieJarManager};
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Response, Route, Server, get, handler};

use crate::config::Config;
use crate::service::Services;
use crate::{api, obs, web};

/// The whole application as one endpoint.
pub fn endpoint(services: Arc<Services>) -> impl poem::Endpoint {
    Route::new()
        .nest("/", web::routes())
        .nest("/api", api::routes())
        .at("/healthz", get(healthz))
        .at("/metrics", get(metrics))
        .with(CookieJarManager::new())
        .with(Compression::new())
        .around(obs::track)
        .data(services)
}

#[handler]
fn healthz(Data(services): Data<&Arc<Services>>) -> Response {
    match services.store.read() {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable").into_response()
        }
    }
}

#[handler]
fn metrics() -> Response {
    Response::builder().header("content-type", "text/plain; version=0.0.4").body(obs::render_metrics())
}

/// Options of `serve`.
pub struct ServeOptions {
    pub demo: bool,
    pub admin_password: Option<String>,
    /// A generated data set on top of the demo (benchmarks, tests).
    pub demo_scale: Option<crate::service::demo_scale::Scale>,
}

pub async fn serve(config: Config, options: ServeOptions) -> anyhow::Result<()> {
    let config = Arc::new(config);
    crate::ops::restore::refuse_interrupted(&config.data_dir)?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("无法创建数据目录 {}", config.data_dir.display()))?;
    let services = Arc::new(Services::open(config.clone()).context("无法打开数据库")?);

    if let Some(login) = services.ensure_first_admin(options.admin_password).await? {
        println!("首次启动：已创建市级管理员账号。");
        println!("  登录名：{}  密码：{}", login.username, login.password);
        println!("  （此密码只显示这一次，请登录后妥善保管或修改。）");
    }
    if options.demo {
        let logins = services.load_demo().await?;
        println!("演示数据已载入。可用以下账号登录：");
        for login in logins {
            println!("  {:<8} {:<28} 用户名：{:<20} 密码：{}", login.role, login.who, login.username, login.password);
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
            announce(scheme, &acceptor);
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, shutdown_signal(), None).await?;
        }
        _ => {
            let acceptor = tcp.into_acceptor().await.with_context(|| format!("无法监听地址 {}", config.listen))?;
            announce(scheme, &acceptor);
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

/// Prints the bound address; tests read this line to find a server started on port 0.
fn announce(scheme: &str, acceptor: &impl Acceptor) {
    for address in acceptor.local_addr() {
        if let Some(socket) = address.as_socket_addr() {
            println!("zhiping listening on {scheme}://{socket}");
        }
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
