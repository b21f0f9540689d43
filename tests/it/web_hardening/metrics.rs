//! Finding 5: `/metrics` labels by route pattern (one label for unmatched paths, `OTHER` for odd methods), never
//! carries a path segment (an ID number as a file name), is readable only from this host or with the token, and
//! passes Prometheus' own `promtool check metrics`.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::Method;
use reqwest::blocking::Client;
use reqwest::header::CONTENT_TYPE;
use sha2::Digest;

use crate::appraisal::{fixture_bytes, pledged};
use crate::support::*;

const ID_NAME: &str = "310101198001011234";

fn scrape(server: &Server) -> String {
    let response = Client::new().get(server.url("/metrics")).send().expect("metrics");
    assert_eq!(response.status().as_u16(), 200, "metrics from this host");
    text(response)
}

/// Runs `promtool check metrics` on the exposition; promtool (Debian package `prometheus`) is installed by
/// tests/run.sh.
fn promtool_check(exposition: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (apt-get install prometheus) must be installed for this test");
    child.stdin.take().expect("stdin").write_all(exposition.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("promtool");
    assert!(
        output.status.success() && output.stdout.is_empty() && output.stderr.is_empty(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn unknown_paths_and_odd_methods_leave_the_exposition_flat_and_valid() {
    let server = Server::start(Options::default());
    let client = Client::new();
    let hit = |n: usize| {
        let odd = Method::from_bytes(format!("BREW{n}").as_bytes()).expect("method");
        let response = match n % 4 {
            0 => client.get(server.url(&format!("/no-such-page/{n}/{ID_NAME}"))).send(),
            1 => client.request(odd, server.url(&format!("/api/v1/nothing-{n}"))).send(),
            2 => client.request(odd, server.url("/login")).send(),
            _ => client.request(odd, server.url("/api/v1/me")).send(),
        };
        assert!(response.expect("answer").status().is_client_error());
    };
    // Every label set these requests can make exists after the first few.
    (0..30).for_each(hit);
    // The first scrape adds the series of /metrics itself.
    scrape(&server);
    let before = scrape(&server).len();
    (30..5_030).for_each(hit);
    let exposition = scrape(&server);
    // Counts grow by a few digits; a label per path or method would add megabytes.
    assert!(exposition.len() < before + 2_048, "{before} → {} bytes:\n{exposition}", exposition.len());
    assert!(exposition.contains("route=\"unmatched\"") && exposition.contains("method=\"OTHER\""), "{exposition}");
    // A refused method on a known path is labelled with the path's pattern.
    assert!(exposition.contains("route=\"/login\"") && exposition.contains("route=\"/api/v1/me\""), "{exposition}");
    assert!(!exposition.contains(ID_NAME) && !exposition.contains("BREW") && !exposition.contains("no-such-page"));
    promtool_check(&exposition);
}

#[test]
fn an_id_number_as_a_file_name_reaches_neither_the_metrics_nor_the_log() {
    let temp = tempfile::tempdir().expect("temp");
    let log = temp.path().join("server.log");
    let mut options = Options::demo().env("ZHIPING_LOG_LEVEL", "debug");
    options.stderr_log = Some(log.clone());
    let mut server = Server::start(options);
    let teacher = pledged(&server, &["刁彬彬"]).remove(0);
    let pdf = fixture_bytes("text.pdf");
    let sha = hex::encode(sha2::Sha256::digest(&pdf));
    let stored = teacher
        .put(server.url(&format!("/api/v1/me/appraisal/achievements/0/files/achievement_file?name={ID_NAME}.pdf")))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(pdf.clone())
        .send()
        .expect("upload");
    assert_eq!(stored.status().as_u16(), 200, "{}", text(stored));
    let download = teacher.get(server.url(&format!("/files/{sha}/{ID_NAME}.pdf"))).send().expect("download");
    assert_eq!(download.status().as_u16(), 200);
    let cache = download.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cache.contains("no-store"), "a personal file is never stored by a cache: {cache}");
    assert_eq!(download.bytes().expect("bytes").to_vec(), pdf);
    // The same name under an unknown path.
    let missing = teacher.get(server.url(&format!("/files/{sha}/{ID_NAME}.pdf/more"))).send().expect("missing");
    assert_eq!(missing.status().as_u16(), 404);

    let exposition = scrape(&server);
    assert!(exposition.contains("route=\"/files/:sha256/:name\""), "{exposition}");
    assert!(!exposition.contains(ID_NAME), "the ID number is on /metrics:\n{exposition}");
    assert!(!exposition.contains(&sha));
    promtool_check(&exposition);

    server.stop();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(log.contains("/files/:sha256/:name"), "debug request logs were written:\n{log}");
    assert!(!log.contains(ID_NAME), "the ID number is in the log:\n{log}");
}

#[test]
fn without_a_token_metrics_answer_only_this_host_and_with_one_only_its_bearer() {
    let server = Server::start(Options::default());
    let client = Client::new();
    assert_eq!(client.get(server.url("/metrics")).send().expect("local").status().as_u16(), 200);
    // Through a proxy (even one on this host) is not "this host".
    for header in ["x-forwarded-for", "forwarded", "x-real-ip"] {
        let proxied = client.get(server.url("/metrics")).header(header, "203.0.113.9").send().expect("proxied");
        assert_eq!(proxied.status().as_u16(), 403, "{header}");
        assert!(!text(proxied).contains("zhiping_"));
    }
    drop(server);

    let server = Server::start(Options::default().env("ZHIPING_METRICS__TOKEN", "scrape-2026-token"));
    let refused = client.get(server.url("/metrics")).send().expect("no token");
    assert_eq!(refused.status().as_u16(), 401);
    assert!(!text(refused).contains("zhiping_"));
    let wrong = client.get(server.url("/metrics")).bearer_auth("scrape-2026-tokem").send().expect("wrong");
    assert_eq!(wrong.status().as_u16(), 401);
    let scraped = client.get(server.url("/metrics")).bearer_auth("scrape-2026-token").send().expect("token");
    assert_eq!(scraped.status().as_u16(), 200);
    assert!(text(scraped).contains("zhiping_http_requests_total"));
}
