//! The return path in a real browser (headless Chromium through chromedriver's WebDriver protocol): the school
//! returns, the teacher signs in and the 消息提醒 box pops up over 首页, 查看 shows the reason, the teacher fixes
//! and resubmits through the form, and the school sees the new version. Driven through chromedriver's W3C
//! WebDriver endpoint with the test's own HTTP client, so no driver library is needed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{file_and_submit, page, post};
use crate::appraisal::{PASSWORD, appraisal_json, complete_files, pledged};
use crate::support::*;

/// The element key of the W3C WebDriver protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one headless Chromium session; both end when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
}

impl Browser {
    fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; tests/run.sh installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]
            }
        }}});
        let created: Value =
            http.post(format!("{base}/session")).json(&capabilities).send().expect("session").json().expect("json");
        let session =
            created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}")).to_string();
        Browser { driver, base, session, http }
    }

    fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = self.http.request(method, url);
        let request = if body.is_null() { request } else { request.json(&body) };
        let response: Value = request.send().expect("webdriver").json().expect("json");
        assert!(response["value"]["error"].is_null(), "webdriver {path}: {response}");
        response["value"].clone()
    }

    fn go(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({"url": url}));
    }

    fn find(&self, css: &str) -> String {
        let found = self.command(reqwest::Method::POST, "/element", json!({"using": "css selector", "value": css}));
        found[ELEMENT].as_str().expect("element id").to_string()
    }

    fn type_into(&self, css: &str, value: &str) {
        let element = self.find(css);
        self.command(reqwest::Method::POST, &format!("/element/{element}/value"), json!({"text": value}));
    }

    fn clear(&self, css: &str) {
        let element = self.find(css);
        self.command(reqwest::Method::POST, &format!("/element/{element}/clear"), json!({}));
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.command(reqwest::Method::POST, &format!("/element/{element}/click"), json!({}));
    }

    fn source(&self) -> String {
        self.command(reqwest::Method::GET, "/source", Value::Null).as_str().unwrap_or_default().to_string()
    }

    fn script(&self, script: &str) -> Value {
        self.command(reqwest::Method::POST, "/execute/sync", json!({"script": script, "args": []}))
    }

    /// Waits (up to 15 s) until the current URL ends with `suffix`; a click's navigation completes on its own time.
    fn wait_for_url(&self, suffix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.url();
            if url.ends_with(suffix) || Instant::now() > deadline {
                return url;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the page under `$REVIEW_SCREENSHOTS/{name}.png` when that variable is set (for looking at
    /// the pages by eye; the assertions never depend on it).
    fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("REVIEW_SCREENSHOTS") else { return };
        use base64_png::decode;
        let png = self.command(reqwest::Method::GET, "/screenshot", Value::Null);
        if let Some(bytes) = png.as_str().and_then(decode) {
            let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), bytes);
        }
    }

    fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", Value::Null).as_str().unwrap_or_default().to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn browser_return_message_popup_fix_and_resubmit() {
    let server = Server::demo();
    let username = server.demo_username("刁彬彬");
    let clients = pledged(&server, &["刁彬彬"]);
    file_and_submit(&server, &clients[0], "课程改革", complete_files());
    let id = appraisal_json(&server, &clients[0])["submission_id"].as_u64().expect("submission id");
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, _) = post(&server, &school, &from, &format!("{from}/return"), &[("reason", "证明材料填写不规范")]);
    assert_eq!(status, 200);

    let browser = Browser::start();
    browser.go(&server.url("/login"));
    browser.type_into("#username", &username);
    browser.type_into("#password", PASSWORD);
    browser.click("button[type=submit]");
    let home = format!("{}/", server.base);
    let landed = browser.wait_for_url(&home);
    assert!(landed.ends_with(&home), "signed in lands on 首页: {landed}");
    // The pop-up: app.js made the in-page notice a modal box with 查看 focused.
    let modal = browser.script("var p = document.getElementById('message-popup'); return p ? p.className : '';");
    assert!(modal.as_str().unwrap_or("").contains("modal"), "pop-up is a modal: {modal}");
    assert!(browser.source().contains("证明材料填写不规范"));
    browser.screenshot("home-popup");
    browser.click("#message-popup a");
    assert!(browser.wait_for_url("/messages").ends_with("/messages"));
    let messages = browser.source();
    assert!(
        messages.contains("成果鉴定消息提醒")
            && messages.contains("学校审核")
            && messages.contains("证明材料填写不规范")
    );
    browser.screenshot("messages");
    browser.click("a.button[href='/']");
    browser.wait_for_url(&home);
    assert!(!browser.source().contains("id=\"message-popup\""), "read messages no longer pop up");

    // The teacher fixes the returned form in the browser and submits it again; the school sees what changed.
    browser.go(&server.url("/appraisal"));
    browser.clear("#research_direction");
    browser.type_into("#research_direction", "语文课程与教学");
    browser.click("button[name=action][value=submit]");
    browser.wait_for_url("/appraisal/submitted");
    assert!(browser.source().contains("提交成功"), "resubmitted: {}", browser.source());
    browser.go(&server.url("/"));
    assert!(browser.source().contains("待审核"), "home shows the resubmitted state");
    let detail = page(&server, &school, &from);
    assert!(detail.contains("第2次提交") && detail.contains("语文课程与教学"));
}

/// Standard base64 (the WebDriver screenshot encoding), decoded without another dependency.
mod base64_png {
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let value = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                _ => return None,
            } as u32)
        };
        let clean: Vec<u8> = text.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()).collect();
        let mut out = Vec::with_capacity(clean.len() * 3 / 4);
        for chunk in clean.chunks(4) {
            let mut buffer = 0u32;
            for (index, c) in chunk.iter().enumerate() {
                buffer |= value(*c)? << (18 - 6 * index);
            }
            let bytes = buffer.to_be_bytes();
            out.extend_from_slice(&bytes[1..chunk.len()]);
        }
        Some(out)
    }
}
