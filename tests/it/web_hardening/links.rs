//! Finding 9 (two items): the session cookie is `Secure` behind a TLS proxy, and the verification link printed on
//! PDFs never takes its host from the request (a client could make a genuine document point to a look-alike
//! site); without `public_url` it is the listen address, and the server says so when it starts.

use std::process::Command;

use reqwest::header::{HOST, SET_COOKIE};

use crate::appraisal::pledged;
use crate::support::*;

/// The `Set-Cookie` headers a sign-in answers with.
fn sign_in_cookies(server: &Server) -> Vec<String> {
    let client = server.client();
    let response = login(server, &client, "admin", ADMIN_PASSWORD);
    assert_eq!(response.status().as_u16(), 303);
    response.headers().get_all(SET_COOKIE).iter().filter_map(|value| value.to_str().ok()).map(String::from).collect()
}

fn session_cookie_is_secure(server: &Server) -> bool {
    let cookies = sign_in_cookies(server);
    let session = cookies.iter().find(|cookie| cookie.starts_with("zp_session=")).expect("session cookie");
    session.split(';').any(|attribute| attribute.trim() == "Secure")
}

#[test]
fn the_session_cookie_is_secure_behind_a_tls_proxy() {
    let plain = Server::start(Options::default());
    assert!(!session_cookie_is_secure(&plain), "plain HTTP without a proxy: a Secure cookie would never come back");
    drop(plain);
    let proxied = Server::start(Options::default().env("ZHIPING_PUBLIC_URL", "https://zhiping.example.edu.cn"));
    assert!(session_cookie_is_secure(&proxied), "public_url is https: the browser talks HTTPS to the proxy");
    drop(proxied);
    let forced = Server::start(Options::default().env("ZHIPING_SESSION__SECURE_COOKIE", "true"));
    assert!(session_cookie_is_secure(&forced));
}

/// The text of a PDF, read by poppler's `pdftotext`.
fn pdf_text(bytes: &[u8]) -> String {
    let temp = tempfile::tempdir().expect("temp");
    let path = temp.path().join("printed.pdf");
    std::fs::write(&path, bytes).expect("write pdf");
    let output = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn the_printed_verification_link_ignores_the_host_header_and_the_start_says_so() {
    let temp = tempfile::tempdir().expect("temp");
    let log = temp.path().join("server.log");
    let mut options = Options::demo();
    options.stderr_log = Some(log.clone());
    let server = Server::start(options);
    let teacher = pledged(&server, &["刁彬彬"]).remove(0);
    let printed = teacher.get(server.url("/filing/print")).header(HOST, "evil.example:8080").send().expect("print");
    assert_eq!(printed.status().as_u16(), 200);
    let text = pdf_text(&printed.bytes().expect("pdf"));
    assert!(text.contains(&format!("{}/verify?code=", server.base)), "the listen address is printed:\n{text}");
    assert!(!text.contains("evil.example"), "a request header chose the printed host:\n{text}");
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(
        log.contains("public_url is not set") && log.contains(&server.base),
        "the start warns that links use the listen address:\n{log}"
    );

    let quiet = temp.path().join("configured.log");
    let mut options = Options::default().env("ZHIPING_PUBLIC_URL", "https://zhiping.example.edu.cn/");
    options.stderr_log = Some(quiet.clone());
    let _configured = Server::start(options);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = std::fs::read_to_string(&quiet).expect("log");
    assert!(!log.contains("public_url is not set"), "{log}");
}
