//! Every page of every role fits the screen and passes axe-core (issue 15, items 3 and 7). The demo's logins (the
//! city admin and every login the demo prints) each walk the GET page routes their role may use, taken from
//! `PAGE_ROUTES`, plus every link on the way; `tests/browser/layout.js` measures each page at 1366, 1024 and 390 px
//! and runs axe-core on it, and `tests/browser/keyboard.js` does the teacher's journey with keys alone.
//! Screenshots go to `test-artifacts/layout/` and `test-artifacts/keyboard/`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use zhiping::domain::account::Role;
use zhiping::web::PAGE_ROUTES;

use crate::admin_support::{Api, open_teacher};
use crate::appraisal::{PASSWORD, as_pairs, complete_fields, complete_files, form_page, post_form};
use crate::support::*;

/// A new teacher of the first demo school, on the project whose filing is open now; returns the username.
fn filing_teacher(city: &Api, first17: &str, name: &str) -> String {
    let school = city.json("/schools")[0]["id"].as_u64().expect("a demo school");
    let now = chrono::Utc::now().to_rfc3339();
    let projects = city.json("/projects");
    let open = projects
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["filing_start"].as_str() < Some(now.as_str()) && p["filing_end"].as_str() > Some(now.as_str()))
        .expect("a project open for filing");
    let teacher = open_teacher(city, school, first17, name);
    let chosen = city.post(&format!("/teachers/{teacher}/project"), &json!({ "project_id": open["id"] }));
    assert_eq!(chosen.status().as_u16(), 200, "choose project: {}", text(chosen));
    // A teacher signs in with the ID number.
    id_number(first17)
}

/// Two teachers past the pledge: one with a saved draft holding files (the form with its file list and sizes),
/// one who submitted (在线预览, and a submission for the school's review pages). Returns their usernames.
fn filings(server: &Server) -> [String; 2] {
    let city = Api::signed(server, "admin", ADMIN_PASSWORD);
    let draft = filing_teacher(&city, "31011519860606234", "版式甲");
    let submitted = filing_teacher(&city, "31011519870707345", "版式乙");
    let clients = [&draft, &submitted].map(|username| first_login(server, username, PASSWORD));
    let csrfs: Vec<String> = clients
        .iter()
        .map(|client| csrf_of(&text(client.get(server.url("/appraisal")).send().expect("pledge page"))))
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(15_300));
    for (client, csrf) in clients.iter().zip(&csrfs) {
        let agreed =
            client.post(server.url("/appraisal/pledge")).form(&[("csrf", csrf.as_str()), ("agree", "1")]).send();
        assert_eq!(agreed.expect("pledge").status().as_u16(), 303, "pledge refused");
    }
    for (client, action) in clients.iter().zip(["save", "submit"]) {
        let (_, csrf, submission_id) = form_page(server, client);
        let mut fields = complete_fields(&submission_id);
        if action == "save" {
            fields.retain(|(key, _)| key != "achievements.0.own_part");
        }
        let mut pairs = as_pairs(&fields);
        pairs.push(("action", action));
        let answer = post_form(server, client, &csrf, &pairs, complete_files());
        assert_eq!(answer.status().as_u16(), 303, "{action}: {}", text(answer));
    }
    [draft, submitted]
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_tools() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run `bash tests/run.sh`"
    );
    for package in ["chrome-remote-interface", "axe-core"] {
        assert!(
            root().join("tests/browser/node_modules").join(package).is_dir(),
            "tests/browser/node_modules/{package} is missing: run `bash tests/run.sh` (npm ci --prefix tests/browser)"
        );
    }
}

/// GET routes that answer with a file (workbook, PDF, upload, asset), not a page.
fn serves_a_file(path: &str) -> bool {
    ["/assets/", "/files/", "/print/", "/filing/print", "/attachments/", "/download", ".xlsx", "/files/:number"]
        .iter()
        .any(|marker| path.contains(marker))
}

/// The page routes `role` may open.
fn page_routes(role: Role) -> Vec<&'static str> {
    PAGE_ROUTES
        .iter()
        .filter(|route| route.method == poem::http::Method::GET && route.access.allows(Some(role)))
        .map(|route| route.path)
        .filter(|path| !serves_a_file(path) && *path != "/login" && *path != "/browser")
        .collect()
}

fn role_named(label: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|role| role.label() == label)
}

/// The city admin, two teachers of its own (a draft with files, a submission), then every login the demo printed: one per admin role (their pages do not change between
/// schools), every teacher and expert (each shows another stage of the chain).
fn plan(server: &Server) -> Value {
    let [draft, submitted] = filings(server);
    let mut logins = vec![json!({
        "label": "city", "username": "admin", "password": ADMIN_PASSWORD, "routes": page_routes(Role::CityAdmin),
    })];
    for (label, username) in [("teacher-draft", draft), ("teacher-submitted", submitted)] {
        logins.push(json!({
            "label": label, "username": username, "password": PASSWORD, "routes": page_routes(Role::Teacher),
        }));
    }
    let mut admins_seen = Vec::new();
    for line in server.banner.iter().filter(|line| line.contains("用户名：")) {
        let Some(role) = line.split_whitespace().next().and_then(role_named) else { continue };
        if role.is_admin() {
            if admins_seen.contains(&role) {
                continue;
            }
            admins_seen.push(role);
        }
        let after = |label: &str| {
            line.split(label).nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap_or("").to_string()
        };
        let password = after("密码：");
        let password = password.split('（').next().unwrap_or("").to_string();
        let label = format!("{:?}-{}", role, logins.len()).to_lowercase();
        logins.push(json!({
            "label": label, "username": after("用户名："), "password": password, "routes": page_routes(role),
        }));
    }
    assert!(logins.len() >= 5, "the demo printed too few logins: {:?}", server.banner);
    Value::Array(logins)
}

fn node(script: &str, args: &[String]) -> String {
    let output = Command::new("node").arg(root().join("tests/browser").join(script)).args(args).output().expect("node");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    stdout
}

#[test]
fn every_page_of_every_role_fits_and_passes_axe() {
    require_tools();
    let server = Server::demo();
    let shots = root().join("test-artifacts/layout");
    std::fs::create_dir_all(&shots).expect("artifact folder");
    let plan_file = tempfile::NamedTempFile::new().expect("plan file");
    std::fs::write(plan_file.path(), plan(&server).to_string()).expect("write plan");
    let stdout =
        node("layout.js", &[server.base.clone(), plan_file.path().display().to_string(), shots.display().to_string()]);
    assert!(stdout.contains("layout passed"), "{stdout}");
    let pages = std::fs::read_to_string(shots.join("pages.txt")).expect("pages measured");
    for page in ["/admin/teachers", "/admin/orgs", "/review", "/appraisal", "/expert", "/notices"] {
        assert!(
            pages.lines().any(|line| line.ends_with(page) || line.contains(&format!("{page}?"))),
            "{page} not measured"
        );
    }
}

#[test]
fn teacher_journey_with_the_keyboard_alone() {
    require_tools();
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let username = filing_teacher(&city, "31011519850505123", "键盘测");
    let shots = root().join("test-artifacts/keyboard");
    let stdout = node("keyboard.js", &[server.base.clone(), username, shots.display().to_string()]);
    assert!(stdout.contains("keyboard journey passed"), "{stdout}");
}
