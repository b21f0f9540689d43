//! Issue 9 (operations): a full disk refuses uploads and saves with 507 and loses nothing, /healthz and
//! /metrics report what operators watch, the client address comes from `X-Forwarded-For` only when trusted,
//! and downloads are never compressed.

use reqwest::blocking::Client;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::appraisal::{
    PASSWORD, appraisal_json, as_pairs, complete_fields, complete_files, fixture_bytes, form_page, pledged, post_form,
    upload,
};
use crate::support::*;

/// Every `sha256` value anywhere in a JSON document.
fn hashes(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match inner {
                    serde_json::Value::String(hash) if key == "sha256" => out.push(hash.clone()),
                    _ => hashes(inner, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| hashes(item, out)),
        _ => {}
    }
}

fn metrics(server: &Server) -> String {
    text(server.client().get(server.url("/metrics")).send().expect("metrics"))
}

fn health(server: &Server) -> (u16, serde_json::Value) {
    let response = server.client().get(server.url("/healthz")).send().expect("healthz");
    let status = response.status().as_u16();
    (status, response.json().expect("healthz is JSON"))
}

#[test]
fn a_full_disk_refuses_uploads_and_saves_with_507_and_keeps_what_was_saved() {
    let temp = tempfile::tempdir().expect("temp");
    let data = temp.path().join("data");
    let teacher_name = "刁彬彬";
    let (saved, username) = {
        let mut server = Server::start(Options { data: Some(data.clone()), ..Options::demo() });
        let (status, body) = health(&server);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["store"], "ok");
        assert!(body["free_disk_bytes"].as_u64().is_some_and(|free| free > 0), "{body}");
        let clients = pledged(&server, &[teacher_name]);
        let client = &clients[0];
        let (_, csrf, submission_id) = form_page(&server, client);
        let fields = complete_fields(&submission_id);
        let mut pairs = as_pairs(&fields);
        pairs.push(("action", "save"));
        let response = post_form(&server, client, &csrf, &pairs, complete_files());
        assert_eq!(response.status().as_u16(), 303, "{}", text(response));
        let saved = appraisal_json(&server, client);
        let username = server.demo_username(teacher_name);
        server.stop();
        (saved, username)
    };
    let mut saved_hashes = Vec::new();
    hashes(&saved["achievements"], &mut saved_hashes);
    assert!(saved_hashes.len() >= 2, "the saved draft has its files: {saved}");

    // The same data directory with a reserve no disk has: everything that writes is refused.
    let server = Server::start(
        Options { data: Some(data.clone()), ..Options::default() }.env("ZHIPING_UPLOADS__MIN_FREE_MIB", "100000000"),
    );
    let client = signed_in(&server, &username, PASSWORD);
    let (_, csrf, submission_id) = form_page(&server, &client);

    // Page: a file in the form → the 507 page with the message; the draft is not touched.
    let fields = [
        ("submission_id", submission_id.as_str()),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "磁盘已满时的修改"),
        ("achievements.0.level", "formal"),
        ("achievements.0.type_code", "monograph"),
        ("action", "save"),
    ];
    let refused = post_form(
        &server,
        &client,
        &csrf,
        &fields,
        vec![upload("achievements.0.achievement_file", "新成果.pdf", fixture_bytes("text.pdf"))],
    );
    assert_eq!(refused.status().as_u16(), 507);
    let page = text(refused);
    assert!(page.contains("存储空间不足"), "{page}");

    // Page: a save without files is refused the same way.
    let refused = post_form(&server, &client, &csrf, &fields, Vec::new());
    assert_eq!(refused.status().as_u16(), 507);
    assert!(text(refused).contains("存储空间不足"));

    // API: an upload and a save answer 507 with the stable code.
    let refused = client
        .put(server.url("/api/v1/me/appraisal/achievements/0/files/achievement_file?name=a.pdf"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(fixture_bytes("text.pdf"))
        .send()
        .expect("api upload");
    assert_eq!(refused.status().as_u16(), 507);
    let body: serde_json::Value = refused.json().expect("json");
    assert_eq!(body["code"], "insufficient_storage", "{body}");
    assert!(body["message"].as_str().is_some_and(|message| message.contains("存储空间不足")), "{body}");
    assert_eq!(body["fields"], serde_json::json!([]));

    // Nothing saved before is lost: the draft is unchanged and every file still downloads intact.
    let now = appraisal_json(&server, &client);
    assert_eq!(now["achievements"], saved["achievements"]);
    for hash in &saved_hashes {
        let download = client.get(server.url(&format!("/api/v1/files/{hash}"))).send().expect("download");
        assert_eq!(download.status().as_u16(), 200, "file {hash}");
        let bytes = download.bytes().expect("bytes");
        let digest = sha256_hex(&bytes);
        assert_eq!(&digest, hash, "the stored file is intact");
    }

    // Operators see it.
    let (status, body) = health(&server);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "low_disk");
    assert_eq!(body["store"], "ok");
    let metrics = metrics(&server);
    assert!(metrics.contains("zhiping_upload_refusals_total{reason=\"disk_full\"}"), "{metrics}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn metrics_cover_logins_uploads_sessions_and_submissions() {
    let server = Server::demo();
    let wrong = login(&server, &server.client(), "admin", "not-the-password");
    assert_ne!(wrong.status().as_u16(), 303);
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let stored = admin
        .post(server.url("/api/v1/uploads?name=通知附件.pdf"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(fixture_bytes("text.pdf"))
        .send()
        .expect("upload");
    assert_eq!(stored.status().as_u16(), 200, "{}", text(stored));
    let refused = admin
        .post(server.url("/api/v1/uploads?name=图片.pdf"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(fixture_bytes("photo.jpg"))
        .send()
        .expect("upload");
    assert_eq!(refused.status().as_u16(), 422);

    let metrics = metrics(&server);
    for expected in [
        "zhiping_logins_total{outcome=\"success\"}",
        "zhiping_logins_total{outcome=\"wrong_password\"}",
        "zhiping_upload_bytes_total{area=\"notice\"}",
        "zhiping_upload_refusals_total{reason=\"bad_type\"}",
        "zhiping_sessions_active",
        "zhiping_submissions{state=\"draft\"}",
        "zhiping_submissions{state=\"submitted\"}",
    ] {
        assert!(metrics.contains(expected), "missing {expected} in:\n{metrics}");
    }
    let uploaded: f64 = metrics
        .lines()
        .find(|line| line.starts_with("zhiping_upload_bytes_total{area=\"notice\"}"))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .expect("upload bytes value");
    assert!(uploaded >= fixture_bytes("text.pdf").len() as f64);
    let sessions: f64 = metrics
        .lines()
        .find(|line| line.starts_with("zhiping_sessions_active "))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .expect("sessions value");
    assert!(sessions >= 1.0, "the admin's session is counted");
}

/// A sign-in attempt for an unknown account (so no account freezes) with an `X-Forwarded-For` header.
fn attempt(server: &Server, forwarded_for: &str) -> u16 {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(forwarded_for).expect("header"));
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client");
    login(server, &client, "nobody-here", "wrong-password").status().as_u16()
}

#[test]
fn a_forged_forwarded_for_never_escapes_the_sign_in_throttle() {
    // Not behind a proxy (the default): the header is ignored, the socket address counts.
    let server = Server::start(Options::default().env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3"));
    let statuses: Vec<u16> = (1..=4).map(|n| attempt(&server, &format!("10.0.0.{n}"))).collect();
    assert_eq!(statuses[..3], [401, 401, 401], "{statuses:?}");
    assert_eq!(statuses[3], 429, "a new forged address each time must not reset the budget: {statuses:?}");
}

#[test]
fn behind_a_trusted_proxy_the_address_the_proxy_appended_counts() {
    let server = Server::start(
        Options::default()
            .env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3")
            .env("ZHIPING_SECURITY__TRUST_FORWARDED_FOR", "true"),
    );
    // Different clients behind the proxy have budgets of their own.
    let statuses: Vec<u16> = (1..=4).map(|n| attempt(&server, &format!("10.0.0.{n}"))).collect();
    assert!(statuses.iter().all(|status| *status == 401), "{statuses:?}");
    // A client forging the first entries is still known by the hop the proxy appended.
    let statuses: Vec<u16> = (1..=4).map(|n| attempt(&server, &format!("192.0.2.{n}, 10.9.9.9"))).collect();
    assert_eq!(statuses[3], 429, "{statuses:?}");

    // The audit log records the same address.
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.7, 10.1.2.3"));
    let admin = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client");
    assert_eq!(login(&server, &admin, "admin", ADMIN_PASSWORD).status().as_u16(), 303);
    let created = admin
        .post(server.url("/api/v1/departments"))
        .header("origin", &server.base)
        .json(&serde_json::json!({"name": "代理测试区教育局"}))
        .send()
        .expect("create");
    assert_eq!(created.status().as_u16(), 200, "{}", text(created));
    let audit: serde_json::Value = admin.get(server.url("/api/v1/audit")).send().expect("audit").json().expect("json");
    let entry = audit["items"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["action"] == "department.create"))
        .unwrap_or_else(|| panic!("no department.create in {audit}"));
    assert_eq!(entry["address"], "10.1.2.3", "{entry}");
}

#[test]
fn downloads_are_never_compressed_but_pages_are() {
    let server = Server::demo();
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let pdf = fixture_bytes("text.pdf");
    let file: serde_json::Value = admin
        .post(server.url("/api/v1/uploads?name=压缩测试.pdf"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(pdf.clone())
        .send()
        .expect("upload")
        .json()
        .expect("json");
    let material: serde_json::Value = admin
        .post(server.url("/api/v1/materials"))
        .json(&serde_json::json!({"name": "压缩测试资料", "file": {"sha256": file["sha256"], "name": "压缩测试.pdf"}}))
        .send()
        .expect("publish")
        .json()
        .expect("json");
    let id = material["id"].as_u64().unwrap_or_else(|| panic!("material id in {material}"));

    for path in [format!("/materials/{id}/download"), format!("/api/v1/materials/{id}/download")] {
        let response = admin.get(server.url(&path)).header(ACCEPT_ENCODING, "gzip, br").send().expect("download");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert!(response.headers().get(CONTENT_ENCODING).is_none(), "{path} must not be compressed");
        let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("application/pdf"), "{path}: {content_type}");
        assert_eq!(response.bytes().expect("bytes").as_ref(), pdf.as_slice(), "{path}: the bytes as stored");
    }

    let page = admin.get(server.url("/materials")).header(ACCEPT_ENCODING, "gzip").send().expect("page");
    assert_eq!(page.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"));
    let json = admin.get(server.url("/api/v1/materials")).header(ACCEPT_ENCODING, "gzip").send().expect("json");
    assert_eq!(json.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"));
    let plain = admin.get(server.url("/materials")).send().expect("page");
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
}

#[test]
fn the_document_is_true_to_the_answers() {
    let server = Server::start(Options::default());
    let document: serde_json::Value =
        server.client().get(server.url("/api/openapi.json")).send().expect("spec").json().expect("json");
    let paths = document["paths"].as_object().expect("paths");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            let responses = operation["responses"].as_object().expect("responses");
            for status in ["400", "401", "403", "404", "409", "413", "415", "422", "429", "507"] {
                assert!(responses.contains_key(status), "{method} {path} does not document {status}");
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let schema = &parameter["schema"];
                if schema["format"] == "uint64" {
                    assert_eq!(schema["minimum"], 0, "{method} {path} {parameter}");
                }
            }
        }
    }
    let error = &document["components"]["schemas"]["ErrorBody"];
    let required: Vec<&str> =
        error["required"].as_array().expect("required").iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(required, ["code", "message", "fields"]);

    // A method the path does not have: 405 with the methods it has.
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let refused = admin.delete(server.url("/api/v1/teachers/project")).send().expect("delete");
    assert_eq!(refused.status().as_u16(), 405);
    let allow = refused.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(allow, "POST");
    assert_eq!(refused.json::<serde_json::Value>().expect("json")["code"], "method_not_allowed");

    // A parse error poem-openapi raises itself has the same shape.
    let body: serde_json::Value =
        admin.get(server.url("/api/v1/teachers/-1")).send().expect("get").json().expect("json");
    assert_eq!(body["code"], "bad_request");
    assert_eq!(body["fields"], serde_json::json!([]));
    assert!(body["message"].as_str().is_some_and(|message| message.starts_with("请求格式错误")), "{body}");
}

/// A notice form whose first file meets a full disk is still read to its end, so the browser, still sending the
/// next (large) file, gets the 507 page instead of a reset connection.
#[test]
fn a_full_disk_in_the_middle_of_a_notice_form_still_answers_with_the_page() {
    use reqwest::blocking::multipart::{Form, Part};
    let server = Server::start(Options::demo().env("ZHIPING_UPLOADS__MIN_FREE_MIB", "100000000"));
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/notices/new")).send().expect("form"));
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .text("title", "磁盘已满时发布的通知")
        .text("body", "正文")
        .text("audience", "all")
        .text("publish_at", "")
        .part("file", Part::bytes(fixture_bytes("text.pdf")).file_name("第一个附件.pdf"))
        .part("file", Part::bytes(vec![b'%'; 16 * 1024 * 1024]).file_name("第二个附件.pdf"));
    let refused = admin.post(server.url("/admin/notices")).multipart(form).send().expect("an answer, not a reset");
    assert_eq!(refused.status().as_u16(), 507);
    assert!(text(refused).contains("存储空间不足"));
    // Nothing was published.
    let list = text(admin.get(server.url("/admin/notices")).send().expect("list"));
    assert!(!list.contains("磁盘已满时发布的通知"));
}
