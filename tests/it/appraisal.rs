//! Issue 5: the teacher's 教科研成果鉴定 end to end (SPEC §3–§5, §9). Helpers here; the tests by topic below.

#[path = "appraisal/browser.rs"]
mod browser;
#[path = "appraisal/browser_polish.rs"]
mod browser_polish;
#[path = "appraisal/files.rs"]
mod files;
#[path = "appraisal/filing.rs"]
mod filing;
#[path = "appraisal/pledge.rs"]
mod pledge;
#[path = "appraisal/polish.rs"]
mod polish;
#[path = "appraisal/state.rs"]
mod state;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Client, Response};

use crate::support::*;

pub const PASSWORD: &str = "jianding2026";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

/// Signs in a demo teacher for the first time and changes the password.
pub fn teacher(server: &Server, name: &str) -> Client {
    first_login(server, &server.demo_username(name), PASSWORD)
}

/// Signs in the given demo teachers, serves each the pledge, moves the server's clock past the 15 seconds once
/// for all of them and accepts. Returns their clients in order.
pub fn pledged(server: &Server, names: &[&str]) -> Vec<Client> {
    let clients: Vec<Client> = names.iter().map(|name| teacher(server, name)).collect();
    let mut tokens = Vec::new();
    for client in &clients {
        let page = text(client.get(server.url("/appraisal")).send().expect("pledge page"));
        assert!(page.contains("诚信承诺书"), "pledge expected: {page}");
        tokens.push(csrf_of(&page));
    }
    server.advance(Duration::from_millis(15_300));
    for (client, csrf) in clients.iter().zip(tokens) {
        let response = client
            .post(server.url("/appraisal/pledge"))
            .form(&[("csrf", csrf.as_str()), ("agree", "1")])
            .send()
            .expect("accept pledge");
        assert_eq!(response.status().as_u16(), 303, "pledge refused: {}", text(response));
    }
    clients
}

/// The form page (asserting it is the editable form) and its CSRF token and submission id.
pub fn form_page(server: &Server, client: &Client) -> (String, String, String) {
    let page = text(client.get(server.url("/appraisal")).send().expect("form"));
    assert!(page.contains("id=\"filing-form\""), "editable form expected: {page}");
    let csrf = csrf_of(&page);
    let submission_id = value_of(&page, "submission_id");
    (page, csrf, submission_id)
}

/// The `value` of the first input named `name`.
pub fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no input {name}")) + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// A file part for a multipart post.
pub struct Upload {
    pub field: String,
    pub name: String,
    pub part: Part,
}

pub fn upload(field: &str, name: &str, bytes: Vec<u8>) -> Upload {
    Upload { field: field.into(), name: name.into(), part: Part::bytes(bytes) }
}

/// Posts the filing form: the CSRF token first (as the browser does), then the fields, then the files.
pub fn post_form(
    server: &Server,
    client: &Client,
    csrf: &str,
    fields: &[(&str, &str)],
    uploads: Vec<Upload>,
) -> Response {
    let mut form = Form::new().text("csrf", csrf.to_string());
    for (key, value) in fields {
        form = form.text(key.to_string(), value.to_string());
    }
    for upload in uploads {
        form = form.part(upload.field, upload.part.file_name(upload.name));
    }
    client.post(server.url("/appraisal")).multipart(form).send().expect("post form")
}

/// Every teacher field filled correctly (achievement 0 a 专著 with all its inputs).
pub fn complete_fields(submission_id: &str) -> Vec<(String, String)> {
    [
        ("submission_id", submission_id),
        ("title_grade", "中级"),
        ("title_name", "一级教师"),
        ("title_date", "2015-09-01"),
        ("research_direction", "职业教育课程改革"),
        ("major_college", "无"),
        ("major_bachelor", "机械工程"),
        ("major_graduate", "教育学"),
        ("applied_subject", "机械"),
        ("teaching_subject", "机械基础"),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "中职机械基础课程项目化教学研究"),
        ("achievements.0.level", "formal"),
        ("achievements.0.type_code", "monograph"),
        ("achievements.0.t.monograph.published", "2019-05"),
        ("achievements.0.t.monograph.publisher", "高等教育出版社"),
        ("achievements.0.t.monograph.rank", "1/3"),
        ("achievements.0.t.monograph.cip", "2019102034"),
        ("achievements.0.independent", "1"),
        ("achievements.0.own_part", "全部"),
        ("confirmed_instructions", "1"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value.to_string()))
    .collect()
}

pub fn as_pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect()
}

/// The achievement file and the required 正式出版相关证明 for achievement 0.
pub fn complete_files() -> Vec<Upload> {
    vec![
        upload("achievements.0.achievement_file", "专著全文.pdf", fixture_bytes("text.pdf")),
        upload("achievements.0.evidence.formal", "CIP页.pdf", fixture_bytes("scan.pdf")),
    ]
}

/// The teacher's appraisal as JSON (the API, with the session cookie).
pub fn appraisal_json(server: &Server, client: &Client) -> serde_json::Value {
    client.get(server.url("/api/v1/me/appraisal")).send().expect("api read").json().expect("json")
}

/// Moves every project's filing window to the past (server stopped), to test the read-only state.
pub fn close_filing_window(data: &std::path::Path) {
    use zhiping::domain::project::Project;
    use zhiping::store::{Reader, Store};
    let store = Store::open(&data.join("zhiping.redb")).expect("open store");
    store
        .write(|tx| {
            for mut project in tx.all::<Project>()? {
                project.filing_start = chrono::Utc::now() - chrono::Duration::days(30);
                project.filing_end = chrono::Utc::now() - chrono::Duration::days(1);
                tx.put(&project)?;
            }
            Ok::<_, zhiping::store::StoreError>(())
        })
        .expect("close window");
}

/// The targets of the audit log's entries with `action`, oldest first (server stopped).
pub fn audit_targets(data: &std::path::Path, action: &str) -> Vec<String> {
    use zhiping::domain::audit::AuditEntry;
    use zhiping::store::{Reader, Store, tables};
    let store = Store::open(&data.join("zhiping.redb")).expect("open store");
    let read = store.read().expect("read");
    let mut keep = |entry: &AuditEntry| entry.action == action;
    let entries: Vec<AuditEntry> = read.range(tables::AUDIT, false, usize::MAX, &mut keep).expect("audit");
    entries.into_iter().map(|entry| entry.target).collect()
}

/// The audit log's action codes, oldest first (server stopped).
pub fn audit_actions(data: &std::path::Path) -> Vec<String> {
    use zhiping::domain::audit::AuditEntry;
    use zhiping::store::{Reader, Store, tables};
    let store = Store::open(&data.join("zhiping.redb")).expect("open store");
    let read = store.read().expect("read");
    let mut keep = |_: &AuditEntry| true;
    let entries: Vec<AuditEntry> = read.range(tables::AUDIT, false, usize::MAX, &mut keep).expect("audit");
    entries.into_iter().map(|entry| entry.action).collect()
}
