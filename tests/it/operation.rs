//! SPEC §11: zero-config start, first admin, health, metrics, assets, schema-version refusal, no secrets in logs.

use crate::support::*;

#[test]
fn first_start_creates_the_city_admin_and_serves_health_and_metrics() {
    let server = Server::start(Options::default());
    assert!(server.banner.iter().any(|line| line.contains("登录名：admin")), "{:?}", server.banner);
    let client = signed_in(&server, "admin", ADMIN_PASSWORD);
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("市级管理员工作台"));
    let health = client.get(server.url("/healthz")).send().expect("health");
    assert_eq!(health.status().as_u16(), 200);
    let metrics = text(client.get(server.url("/metrics")).send().expect("metrics"));
    assert!(metrics.contains("zhiping_logins_total") && metrics.contains("outcome=\"success\""), "{metrics}");
    assert!(metrics.contains("zhiping_http_request_duration_seconds"));
}

#[test]
fn assets_are_embedded_and_cached_for_long() {
    let server = Server::demo();
    let client = server.client();
    let login = text(client.get(server.url("/login")).send().expect("login"));
    let start = login.find("/assets/site.css?v=").expect("hashed css url");
    let url: String = login[start..].split('"').next().expect("url").to_string();
    let css = client.get(server.url(&url)).send().expect("css");
    assert_eq!(css.status().as_u16(), 200);
    let cache = css.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cache.contains("max-age=31536000"), "{cache}");
    assert!(text(css).contains("Microsoft YaHei"));
    // Intranet-safe: no outside request from a page.
    assert!(!login.contains("http://") && !login.contains("https://"), "page references an outside host");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let temp = tempfile::tempdir().expect("temp");
    let data = temp.path().join("data");
    {
        let mut server = Server::start(Options { data: Some(data.clone()), ..Options::default() });
        server.stop();
    }
    {
        let db = redb::Database::open(data.join("zhiping.redb")).expect("open");
        let tx = db.begin_write().expect("write");
        {
            let mut meta = tx.open_table(zhiping::store::tables::META).expect("meta");
            meta.insert("schema_version", 999u64).expect("insert");
        }
        tx.commit().expect("commit");
    }
    let (mut child, banner, url) = spawn(&data, &Options::default()).expect("spawn");
    assert!(url.is_none(), "server must refuse to start");
    let status = child.wait().expect("wait");
    assert!(!status.success());
    let _ = banner;
}

#[test]
fn logs_never_carry_passwords_or_id_numbers() {
    let temp = tempfile::tempdir().expect("temp");
    let log_path = temp.path().join("server.log");
    let options = Options::demo().env("ZHIPING_LOG_LEVEL", "debug");
    let data = temp.path().join("data");
    let mut command = server_command();
    command
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("ZHIPING_ARGON2__MEMORY_KIB", "1024")
        .env("ZHIPING_ADMIN_PASSWORD", ADMIN_PASSWORD);
    for (key, value) in &options.env {
        command.env(key, value);
    }
    let log = std::fs::File::create(&log_path).expect("log file");
    command.stderr(log).stdout(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut base = String::new();
    let mut teacher = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if line.contains("刁彬彬") {
            let start = line.find("用户名：").expect("label") + "用户名：".len();
            teacher = line[start..].split_whitespace().next().expect("id").to_string();
        }
        if let Some(url) = line.strip_prefix("zhiping listening on ") {
            base = url.trim().to_string();
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let client = reqwest::blocking::Client::builder().cookie_store(true).build().expect("client");
    let page = client.get(format!("{base}/login")).send().expect("page").text().expect("text");
    let csrf = csrf_of(&page);
    for password in ["Secret999x", "00000000"] {
        client
            .post(format!("{base}/login"))
            .form(&[("username", teacher.as_str()), ("password", password), ("csrf", csrf.as_str())])
            .send()
            .expect("login");
    }
    client.get(format!("{base}/password")).send().expect("page");
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(log.contains("request"), "debug request logs were written: {log}");
    assert!(!log.contains("Secret999x"));
    assert!(!log.contains(&teacher), "full ID number in the log");
    assert!(!log.contains(&csrf));
}
