//! Issue 15's teacher-side behaviour in headless Chromium, with JavaScript on and off: the pledge button's name,
//! date pickers, the title list by grade, the byte counter, a failed 提交 with a refused file (all messages, the
//! summary's links, focus on the first error) and closing the 消息提醒 pop-up for good. The browser part is
//! `tests/browser/teacher_polish.js`; screenshots land in `test-artifacts/browser/`.

use std::path::PathBuf;
use std::process::Command;

use super::*;
use crate::review::fixture::{Chain, fixture as review_fixture};
use crate::review::post;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn polish(mode: &str) {
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "chromium is missing: run `bash tests/run.sh`");
    assert!(
        root().join("tests/browser/node_modules/chrome-remote-interface").is_dir(),
        "tests/browser/node_modules is missing: run `bash tests/run.sh` (npm ci --prefix tests/browser)"
    );
    // 陈昇 has a submission the school returns; 刁彬彬 files from the start.
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &review_fixture("text.pdf"), "pdf");
        id = seed.submit("陈昇", seed.filing("语文", "课堂教学研究", book.clone(), book));
    });
    let server = &chain.server;
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, body) = post(server, &school, &from, &format!("{from}/return"), &[("reason", "证明材料填写不规范")]);
    assert!(status == 200 || status == 303, "return: {status} {body}");
    drop(teacher(server, "陈昇"));

    let shots = root().join("test-artifacts/browser");
    std::fs::create_dir_all(&shots).expect("artifact folder");
    let output = Command::new("node")
        .arg(root().join("tests/browser/teacher_polish.js"))
        .arg(&server.base)
        .arg(server.demo_username("刁彬彬"))
        .arg(server.demo_username("陈昇"))
        .arg(PASSWORD)
        .arg(mode)
        .arg(&shots)
        .arg(root().join("tests/fixtures"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "teacher polish ({mode}) failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("passed"), "{stdout}");
    for name in ["01-pledge", "02-form-enhanced", "03-submit-refused-file", "04-popup", "05-popup-closed"] {
        let size = std::fs::metadata(shots.join(format!("polish-{mode}-{name}.png"))).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "screenshot {name} ({mode}) missing or empty");
    }
    // Nothing was submitted by the refused 提交; the picked date was saved as 暂存.
    let client = signed_in(server, &server.demo_username("刁彬彬"), "liucheng2026");
    let json = appraisal_json(server, &client);
    assert_eq!(json["state"], "draft");
    assert_eq!(json["title_date"], "2015-09-01");
}

#[test]
fn browser_teacher_polish_with_javascript() {
    polish("js");
}

#[test]
fn browser_teacher_polish_without_javascript() {
    polish("nojs");
}
