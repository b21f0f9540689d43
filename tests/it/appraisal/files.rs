//! Files (SPEC §9): type by content, size cut off while streaming, no image-only PDF as the achievement, media
//! only for 自创资源, downloads checked every time, Chinese names kept, replaced files still reachable.

use std::io::Read;

use super::*;

/// A reader producing a PDF header then `size` bytes of padding, without holding them in memory.
struct BigPdf {
    remaining: u64,
    header: &'static [u8],
}

impl Read for BigPdf {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if !self.header.is_empty() {
            let count = self.header.len().min(buffer.len());
            buffer[..count].copy_from_slice(&self.header[..count]);
            self.header = &self.header[count..];
            return Ok(count);
        }
        let count = (self.remaining as usize).min(buffer.len());
        buffer[..count].fill(b' ');
        self.remaining -= count as u64;
        Ok(count)
    }
}

fn save_with(server: &Server, client: &reqwest::blocking::Client, type_code: &str, uploads: Vec<Upload>) -> String {
    let (_, csrf, submission_id) = form_page(server, client);
    let level = if type_code == "own_resource" { "exchange" } else { "formal" };
    let fields = [
        ("submission_id", submission_id.as_str()),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "文件测试"),
        ("achievements.0.level", level),
        ("achievements.0.type_code", type_code),
        ("action", "save"),
    ];
    let response = post_form(server, client, &csrf, &fields, uploads);
    let status = response.status().as_u16();
    let body = text(response);
    if status == 303 { String::new() } else { body }
}

#[test]
fn uploads_are_judged_by_content_and_size() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let client = &clients[0];
    // Other modules' demo data (notice attachments) may already be stored.
    let blobs_before = walk(&server.data.join("files/blobs"));

    // A PNG named .pdf.
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![upload("achievements.0.achievement_file", "成果.pdf", fixture_bytes("fake.pdf"))],
    );
    assert!(page.contains("成果附件仅支持WORD或PDF格式"), "wrong magic: {page}");
    assert!(page.contains("与文件扩展名无关"));
    // A truncated PDF.
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![upload("achievements.0.achievement_file", "成果.pdf", fixture_bytes("truncated.pdf"))],
    );
    assert!(page.contains("无法打开") && page.contains("不完整"), "truncated: {page}");
    // An image-only scan as the achievement file.
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![upload("achievements.0.achievement_file", "扫描.pdf", fixture_bytes("scan.pdf"))],
    );
    assert!(page.contains("不接受图片扫描转PDF格式"), "scan: {page}");
    // An MP4 for a type other than 自创资源.
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![upload("achievements.0.achievement_file", "视频.mp4", fixture_bytes("sample.mp4"))],
    );
    assert!(page.contains("仅自创资源可上传MP4或ZIP"), "mp4: {page}");
    // A 21 MB PDF, streamed (chunked, no length known in advance): cut off at 20 MB.
    let big = Part::reader(BigPdf { remaining: 21 * 1024 * 1024, header: b"%PDF-1.4\n" });
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![Upload { field: "achievements.0.achievement_file".into(), name: "大文件.pdf".into(), part: big }],
    );
    assert!(page.contains("超过大小限制") && page.contains("20M以下"), "21 MB: {page}");
    assert_eq!(
        appraisal_json(&server, client)["achievements"][0]["achievement_file"],
        serde_json::Value::Null,
        "nothing refused was attached"
    );
    // Refused uploads leave no file behind.
    let blobs = walk(&server.data.join("files/blobs"));
    assert_eq!(blobs, blobs_before, "refused uploads removed");
    assert!(walk(&server.data.join("files/tmp")).is_empty(), "no temporary files left");

    // The good ones: a text PDF as the achievement, a scan and a DOC and DOCX as evidence.
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![
            upload("achievements.0.achievement_file", "成果全文.pdf", fixture_bytes("text.pdf")),
            upload("achievements.0.evidence.formal", "封面扫描.pdf", fixture_bytes("scan.pdf")),
            upload("achievements.0.evidence.award", "获奖证书.docx", fixture_bytes("sample.docx")),
            upload("achievements.0.evidence.exchange", "交流证明.doc", fixture_bytes("sample.doc")),
        ],
    );
    assert!(page.is_empty(), "accepted: {page}");
    let json = appraisal_json(&server, client);
    let achievement = &json["achievements"][0];
    assert_eq!(achievement["achievement_file"]["kind"], "pdf");
    assert_eq!(achievement["achievement_file"]["name"], "成果全文.pdf");
    assert_eq!(achievement["evidence"]["formal"]["kind"], "pdf");
    assert_eq!(achievement["evidence"]["award"]["kind"], "docx");
    assert_eq!(achievement["evidence"]["exchange"]["kind"], "doc");
    // Refusing content that is already stored (the scan, as evidence) must not remove the stored copy.
    let scan_sha = achievement["evidence"]["formal"]["sha256"].as_str().expect("sha").to_string();
    let page = save_with(
        &server,
        client,
        "monograph",
        vec![upload("achievements.0.achievement_file", "又是扫描.pdf", fixture_bytes("scan.pdf"))],
    );
    assert!(page.contains("不接受图片扫描转PDF格式"));
    let evidence = client.get(server.url(&format!("/files/{scan_sha}/scan.pdf"))).send().expect("evidence");
    assert_eq!(evidence.status().as_u16(), 200);
    assert_eq!(evidence.bytes().expect("bytes").as_ref(), fixture_bytes("scan.pdf").as_slice());
}

#[test]
fn media_is_accepted_only_for_own_resources() {
    let server = Server::demo();
    let clients = pledged(&server, &["李珺"]);
    let client = &clients[0];
    let page = save_with(
        &server,
        client,
        "own_resource",
        vec![upload("achievements.0.achievement_file", "教学视频.mp4", fixture_bytes("sample.mp4"))],
    );
    assert!(page.is_empty(), "mp4 for 自创资源: {page}");
    assert_eq!(appraisal_json(&server, client)["achievements"][0]["achievement_file"]["kind"], "mp4");
    // Evidence slots never take media.
    let page = save_with(
        &server,
        client,
        "own_resource",
        vec![upload("achievements.0.evidence.own_resource", "资源.zip", fixture_bytes("sample.zip"))],
    );
    assert!(page.contains("自创教学资源相关证明仅支持WORD或PDF格式"), "{page}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn downloads_check_the_readers_right_and_keep_chinese_names_and_old_versions() {
    let mut server = Server::demo();
    let clients = pledged(&server, &["刁彬彬", "陈昇"]);
    let (diao, chen) = (&clients[0], &clients[1]);
    let (_, csrf, submission_id) = form_page(&server, diao);
    let fields = complete_fields(&submission_id);
    let mut pairs = as_pairs(&fields);
    pairs.push(("action", "submit"));
    let submitted = post_form(&server, diao, &csrf, &pairs, complete_files());
    assert_eq!(submitted.status().as_u16(), 303);
    let json = appraisal_json(&server, diao);
    let first = json["achievements"][0]["achievement_file"]["sha256"].as_str().expect("sha").to_string();
    let url = format!("/files/{first}/{}", "专著全文.pdf");

    let own = diao.get(server.url(&url)).send().expect("own download");
    assert_eq!(own.status().as_u16(), 200);
    assert_eq!(own.headers()["content-type"], "application/pdf");
    let disposition = own.headers()["content-disposition"].to_str().expect("ascii header").to_string();
    assert!(
        disposition.starts_with("inline") && disposition.contains("filename*=UTF-8''%E4%B8%93%E8%91%97"),
        "{disposition}"
    );
    assert_eq!(own.bytes().expect("bytes").as_ref(), fixture_bytes("text.pdf").as_slice());
    // Another teacher: not found. The school's admin: yes. Another school's admin: not found.
    assert_eq!(chen.get(server.url(&url)).send().expect("other").status().as_u16(), 404);
    let nanhu = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(nanhu.get(server.url(&url)).send().expect("admin").status().as_u16(), 200);
    let beihong = signed_in(&server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    assert_eq!(beihong.get(server.url(&url)).send().expect("foreign admin").status().as_u16(), 404);
    assert_eq!(server.client().get(server.url(&url)).send().expect("anonymous").status().as_u16(), 303);
    // Through the API too.
    assert_eq!(chen.get(server.url(&format!("/api/v1/files/{first}"))).send().expect("api").status().as_u16(), 404);
    assert_eq!(diao.get(server.url(&format!("/api/v1/files/{first}"))).send().expect("api").status().as_u16(), 200);

    // Withdraw, replace the achievement file, resubmit: the first file stays reachable from version 1.
    let (page, ..) = (text(diao.get(server.url("/appraisal")).send().expect("view")), (), ());
    let withdrawn = diao
        .post(server.url("/appraisal/withdraw"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("submission_id", submission_id.as_str())])
        .send()
        .expect("withdraw");
    assert_eq!(withdrawn.status().as_u16(), 303);
    let (_, csrf, _) = form_page(&server, diao);
    let mut pairs = as_pairs(&fields);
    pairs.push(("action", "submit"));
    let replacement = upload("achievements.0.achievement_file", "专著修订版.docx", fixture_bytes("sample.docx"));
    let resubmitted = post_form(&server, diao, &csrf, &pairs, vec![replacement]);
    assert_eq!(resubmitted.status().as_u16(), 303, "{}", text(resubmitted));
    let json = appraisal_json(&server, diao);
    assert_eq!(json["versions"], 2);
    assert_ne!(json["achievements"][0]["achievement_file"]["sha256"], first.as_str());
    let old = diao.get(server.url(&url)).send().expect("old version's file");
    assert_eq!(old.status().as_u16(), 200);
    assert_eq!(nanhu.get(server.url(&url)).send().expect("admin old").status().as_u16(), 200);
    // Every change is in the audit log.
    server.stop();
    let actions = audit_actions(&server.data);
    for action in ["submission.create", "submission.pledge", "file.upload", "submission.submit", "submission.withdraw"]
    {
        assert!(actions.iter().any(|logged| logged == action), "{action} not audited: {actions:?}");
    }
    // Twice for this submission (the demo's own submissions are logged too).
    let submits = audit_targets(&server.data, "submission.submit");
    let target = format!("submission:{submission_id}");
    assert_eq!(submits.iter().filter(|logged| **logged == target).count(), 2, "{submits:?}");
}
