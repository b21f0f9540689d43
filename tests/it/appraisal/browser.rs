//! The manual's journey in headless Chromium, once with JavaScript on and once off (issue 5). The journey is
//! `tests/browser/journey.js` (Chrome DevTools Protocol via the npm package chrome-remote-interface, installed by
//! `tests/run.sh`); this test starts the server, runs it and keeps the screenshots in
//! `test-artifacts/browser/`. Missing tools fail loudly: the journey is part of the gate.

use std::path::PathBuf;
use std::process::Command;

use super::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_tools() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `bash tests/run.sh` (it installs Debian's chromium)"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(node.is_ok_and(|output| output.status.success()), "node is missing: run `bash tests/run.sh`");
    assert!(
        root().join("tests/browser/node_modules/chrome-remote-interface").is_dir(),
        "tests/browser/node_modules is missing: run `bash tests/run.sh` (npm ci --prefix tests/browser)"
    );
}

fn journey(mode: &str, teacher_name: &str) {
    require_tools();
    let server = Server::demo();
    let username = server.demo_username(teacher_name);
    let shots = root().join("test-artifacts/browser");
    std::fs::create_dir_all(&shots).expect("artifact folder");
    let output = Command::new("node")
        .arg(root().join("tests/browser/journey.js"))
        .arg(&server.base)
        .arg(&username)
        .arg(mode)
        .arg(&shots)
        .arg(root().join("tests/fixtures"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "browser journey ({mode}) failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("journey passed"), "{stdout}");
    for name in ["04-home", "07-form-empty", "11-submit-errors", "12-submitted", "13-preview"] {
        let shot = shots.join(format!("{mode}-{name}.png"));
        let size = std::fs::metadata(&shot).map(|meta| meta.len()).unwrap_or(0);
        assert!(size > 1000, "screenshot {} missing or empty", shot.display());
    }
    // The journey's result is visible through the API too.
    let client = signed_in(&server, &username, "liucheng2026");
    let json = appraisal_json(&server, &client);
    assert_eq!(json["state"], "submitted");
    assert_eq!(json["achievements"][0]["evidence"]["formal"]["name"], "scan.pdf");
}

#[test]
fn browser_journey_with_javascript() {
    journey("js", "刁彬彬");
}

#[test]
fn browser_journey_without_javascript() {
    journey("nojs", "陈昇");
}
