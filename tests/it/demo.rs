//! `serve --demo` shows the whole review chain at once (issue 15): each stage in its natural state, reached with
//! the logins the server prints, an expert grading right away without any setting changed; and a second start on
//! the same data prints no default password for an account whose password was changed.

use crate::review::{page, post};
use crate::support::*;

const NEW_PASSWORD: &str = "xinshou2026";

/// The printed stage line of `who` (a teacher's or expert's name, an admin's username).
fn stage_line<'a>(server: &'a Server, who: &str) -> &'a str {
    let start = server.banner.iter().position(|line| line.starts_with("评审各环节")).expect("the stages block");
    server.banner[start..].iter().find(|line| line.contains(who)).unwrap_or_else(|| panic!("no stage line for {who}"))
}

fn state_of(server: &Server, client: &reqwest::blocking::Client) -> String {
    let json: serde_json::Value =
        client.get(server.url("/api/v1/me/appraisal")).send().expect("appraisal").json().expect("json");
    json["state"].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_demo_shows_every_stage_through_the_printed_logins() {
    let server = Server::demo();
    for (who, stage) in [
        ("钱晓", "草稿"),
        ("冯越", "待学校审核"),
        ("许倩", "待主管部门审核"),
        ("何平", "待市级受理"),
        ("吕静", "专家评审中"),
        ("施洋", "评审完成"),
        ("孔蕾", "往年已公布"),
        ("周岚", "可立即评审"),
        ("吴涛", "可立即评审"),
        ("donghai_admin", "学校审核"),
        ("jiaotong_admin", "主管部门审核"),
    ] {
        let line = stage_line(&server, who);
        assert!(line.contains(stage) && line.contains("用户名："), "{who}: {line}");
    }

    // Teachers: each sees its own stage.
    for (name, state) in [
        ("钱晓", "draft"),
        ("冯越", "submitted"),
        ("许倩", "school_approved"),
        ("何平", "accepted"),
        ("吕静", "under_review"),
        ("施洋", "reviewed"),
    ] {
        let teacher = first_login(&server, &server.demo_username(name), NEW_PASSWORD);
        assert_eq!(state_of(&server, &teacher), state, "{name}");
    }
    // Last year's published result is on 孔蕾's 首页 under 往年鉴定结果打印; this year she has not filed yet.
    let kong = first_login(&server, &server.demo_username("孔蕾"), NEW_PASSWORD);
    let home = page(&server, &kong, "/");
    let history = &home[home.find("往年鉴定结果打印").expect("往年鉴定结果打印 on 首页")..];
    assert!(history.contains("优秀") && history.contains("/print/opinion/"), "{history}");

    // The school and the department each have one waiting.
    let school = signed_in(&server, "donghai_admin", DEMO_ADMIN_PASSWORD);
    let list = page(&server, &school, "/review?state=submitted");
    assert!(list.contains("冯越") && !list.contains("许倩"), "{list}");
    let department = signed_in(&server, "jiaotong_admin", DEMO_ADMIN_PASSWORD);
    let list = page(&server, &department, "/review?state=school_approved");
    assert!(list.contains("许倩") && !list.contains("冯越"), "{list}");
    // The city sees 受理, the review under way and the graded one.
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    for (state, name) in [("accepted", "何平"), ("under_review", "吕静"), ("reviewed", "施洋")] {
        let list = page(&server, &city, &format!("/review?state={state}"));
        assert!(list.contains(name), "{state}: {list}");
    }

    // The expert grades right away: open the assigned submission, 提交 the grade.
    let expert = first_login(&server, &server.demo_username("周岚"), NEW_PASSWORD);
    let tasks: serde_json::Value =
        expert.get(server.url("/api/v1/expert/assignments")).send().expect("tasks").json().expect("json");
    let task = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .find(|task| task["titles"][0] == "信息技术课程思政教学案例研究")
        .unwrap_or_else(|| panic!("吕静's submission is assigned: {tasks}"));
    let path = format!("/expert/submissions/{}", task["submission_id"]);
    let view = page(&server, &expert, &path);
    assert!(view.contains("name=\"grade\"") && !view.contains("届时方可保存或提交"), "the grade form is open: {view}");
    assert!(!view.contains("吕静") && !view.contains("东海"), "blind review");
    let (status, body) = post(
        &server,
        &expert,
        &path,
        &path,
        &[("grade", "良好"), ("opinion", "选题恰当，案例翔实。"), ("action", "submit")],
    );
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("鉴定意见已提交"), "{body}");
}

#[test]
fn a_second_demo_start_prints_no_default_password_once_it_was_changed() {
    let mut first = Server::demo();
    // 钱晓 changes the default password; so does the school admin.
    first_login(&first, &first.demo_username("钱晓"), NEW_PASSWORD);
    let diao = first.demo_username("刁彬彬");
    let school = signed_in(&first, "donghai_admin", DEMO_ADMIN_PASSWORD);
    let form = page(&first, &school, "/password");
    let csrf = csrf_of(&form);
    let changed = school
        .post(first.url("/password"))
        .form(&[
            ("current", DEMO_ADMIN_PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .expect("change password");
    assert!(text(changed).contains("密码修改成功"));
    first.stop();

    let again = Server::start(Options { data: first.data.clone().into(), ..Options::demo() });
    for who in ["钱晓", "donghai_admin"] {
        let lines: Vec<&String> = again.banner.iter().filter(|line| line.contains(who)).collect();
        assert!(!lines.is_empty(), "{who} is still listed");
        for line in lines {
            assert!(!line.contains("00000000") && !line.contains(DEMO_ADMIN_PASSWORD), "{line}");
            assert!(line.contains("已修改"), "{line}");
        }
    }
    // Unchanged accounts keep their printed password, and nothing was loaded twice.
    let line = again.banner.iter().find(|line| line.contains(&diao)).expect("刁彬彬");
    assert!(line.contains("00000000"), "{line}");
    let line = again.banner.iter().find(|line| line.contains("jiaotong_admin")).expect("jiaotong_admin");
    assert!(line.contains(DEMO_ADMIN_PASSWORD), "{line}");
    assert_eq!(again.banner.iter().filter(|line| line.contains("冯越")).count(), 1, "{:?}", again.banner);
    signed_in(&again, &again.demo_username("钱晓"), NEW_PASSWORD);
}

/// The same walk in a real browser, as a newcomer: only the printed logins, every stage, and the expert grades.
/// The walk is `tests/browser/demo_stages.js` (driven like the filing journey); screenshots land in
/// `test-artifacts/browser/`.
#[test]
fn browser_newcomer_reaches_every_stage_and_grades_as_the_expert() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "chromium is missing: run `bash tests/run.sh`");
    assert!(
        root.join("tests/browser/node_modules/chrome-remote-interface").is_dir(),
        "tests/browser/node_modules is missing: run `bash tests/run.sh` (npm ci --prefix tests/browser)"
    );
    let server = Server::demo();
    let logins = serde_json::json!({
        "draft": server.demo_username("钱晓"),
        "published": server.demo_username("孔蕾"),
        "expert": server.demo_username("周岚"),
        "school": server.demo_username("donghai_admin"),
        "department": server.demo_username("jiaotong_admin"),
        "city": "admin",
        "admin_password": DEMO_ADMIN_PASSWORD,
        "city_password": ADMIN_PASSWORD,
    });
    let shots = root.join("test-artifacts/browser");
    std::fs::create_dir_all(&shots).expect("artifact folder");
    let output = std::process::Command::new("node")
        .arg(root.join("tests/browser/demo_stages.js"))
        .arg(&server.base)
        .arg(logins.to_string())
        .arg(&shots)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "demo journey failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("newcomer journey passed"), "{stdout}");
    for name in ["01-draft", "02-school", "03-department", "04-city", "05-last-year", "06-expert-tasks", "08-graded"] {
        let size = std::fs::metadata(shots.join(format!("demo-{name}.png"))).map(|meta| meta.len()).unwrap_or(0);
        assert!(size > 1000, "screenshot {name} missing or empty");
    }
}
