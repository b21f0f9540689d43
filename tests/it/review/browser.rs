//! The return path in a real browser: the school returns, the teacher signs in and the 消息提醒 box pops up over
//! 首页, 查看 shows the reason, the teacher fixes the form and submits it again, and the school sees the new
//! version. The browser part is `tests/browser/review_return.js`, driven over the Chrome DevTools Protocol like
//! the filing journey (npm package chrome-remote-interface, installed by `tests/run.sh`); screenshots land in
//! `test-artifacts/browser/`.

use std::path::PathBuf;
use std::process::Command;

use super::{file_and_submit, page, post};
use crate::appraisal::{PASSWORD, appraisal_json, complete_files, pledged};
use crate::support::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn browser_return_message_popup_fix_and_resubmit() {
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "chromium is missing: run `bash tests/run.sh`");
    assert!(
        root().join("tests/browser/node_modules/chrome-remote-interface").is_dir(),
        "tests/browser/node_modules is missing: run `bash tests/run.sh` (npm ci --prefix tests/browser)"
    );
    let server = Server::demo();
    let username = server.demo_username("刁彬彬");
    let clients = pledged(&server, &["刁彬彬"]);
    file_and_submit(&server, &clients[0], "课程改革", complete_files());
    let id = appraisal_json(&server, &clients[0])["submission_id"].as_u64().expect("submission id");
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, _) = post(&server, &school, &from, &format!("{from}/return"), &[("reason", "证明材料填写不规范")]);
    assert_eq!(status, 303);

    let shots = root().join("test-artifacts/browser");
    std::fs::create_dir_all(&shots).expect("artifact folder");
    let output = Command::new("node")
        .arg(root().join("tests/browser/review_return.js"))
        .arg(&server.base)
        .arg(&username)
        .arg(PASSWORD)
        .arg(&shots)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "browser return journey failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("return journey passed"), "{stdout}");
    for name in ["01-home-popup", "02-messages", "03-resubmitted"] {
        let size = std::fs::metadata(shots.join(format!("review-{name}.png"))).map(|meta| meta.len()).unwrap_or(0);
        assert!(size > 1000, "screenshot {name} missing or empty");
    }

    // The school sees the resubmission and what changed.
    let detail = page(&server, &school, &from);
    assert!(detail.contains("第2次提交") && detail.contains("语文课程与教学"), "resubmitted version");
}
