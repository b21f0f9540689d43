//! Issue 14: every upload route against a corpus of bad files — wrong magic, truncated, empty, oversized
//! (streamed, never built in memory), ZIP bombs (high ratio, many entries), spreadsheet bombs (a cell at
//! XFD1048576, a far cell at Z200000), an over-long CSV line, an encrypted PDF — and a Type 3 PDF from Chrome that
//! must pass as the text PDF it is. Each answer is a 4xx with the route's message or code (never a 5xx), the
//! server stays alive with bounded memory, and no staged, temporary or unreferenced file stays behind.

use std::io::{Read, Write};
use std::path::Path;

use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Body, Client, Response};

use crate::admin_support::{Api, multipart, token_for};
use crate::appraisal::{as_pairs, complete_fields, fixture_bytes, form_page, pledged, post_form};
use crate::support::*;

/// Upload caps for this test (MiB): small, so "oversized" stays quick while the bombs still fit under them.
const CAP_MIB: u64 = 4;

/// How much the server's resident memory may grow over the whole corpus. A far cell at Z200000 alone cost
/// 160 MiB per upload before the fix, and XFD1048576 aborted the process.
const RSS_GROWTH_KIB: u64 = 150 * 1024;

enum Payload {
    Bytes(Vec<u8>),
    /// `n` bytes produced while sending.
    Streamed(u64),
}

impl Payload {
    fn body(&self) -> Body {
        match self {
            Payload::Bytes(bytes) => Body::from(bytes.clone()),
            Payload::Streamed(size) => Body::sized(std::io::repeat(b'a').take(*size), *size),
        }
    }

    fn part(&self, name: &str) -> Part {
        let part = match self {
            Payload::Bytes(bytes) => Part::bytes(bytes.clone()),
            Payload::Streamed(size) => Part::reader_with_length(std::io::repeat(b'a').take(*size), *size),
        };
        part.file_name(name.to_string())
    }
}

struct Case {
    name: &'static str,
    file_name: &'static str,
    payload: Payload,
}

fn zip_of(entries: &[(&str, usize)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let chunk = vec![b' '; 1 << 20];
    for (name, size) in entries {
        writer.start_file(*name, options).unwrap();
        let mut left = *size;
        while left > 0 {
            let now = left.min(chunk.len());
            writer.write_all(&chunk[..now]).unwrap();
            left -= now;
        }
    }
    writer.finish().unwrap().into_inner()
}

/// A workbook with a header cell at A1 and one more at (row, column), both 0-based: the sheet's used range
/// (its `<dimension>`) spans A1 to that cell.
fn far_cell(row: u32, column: u16) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "身份证号").unwrap();
    sheet.write_string(row, column, "远").unwrap();
    workbook.save_to_buffer().unwrap()
}

fn corpus() -> Vec<Case> {
    let mut many: Vec<(String, usize)> = (0..20_000).map(|index| (format!("word/media/{index}.xml"), 0)).collect();
    many.push(("word/document.xml".into(), 10));
    let many: Vec<(&str, usize)> = many.iter().map(|(name, size)| (name.as_str(), *size)).collect();
    let case = |name, file_name, payload| Case { name, file_name, payload };
    vec![
        // The spreadsheet bombs first: before the fix, the first of them aborted the server.
        case("XFD1048576", "教师.xlsx", Payload::Bytes(far_cell(1_048_575, 16_383))),
        case("Z200000", "教师.xlsx", Payload::Bytes(far_cell(199_999, 25))),
        case("wrong magic", "成果.pdf", Payload::Bytes(fixture_bytes("fake.pdf"))),
        case("truncated", "成果.pdf", Payload::Bytes(fixture_bytes("truncated.pdf"))),
        case("empty", "成果.pdf", Payload::Bytes(Vec::new())),
        case("oversized", "成果.pdf", Payload::Streamed((CAP_MIB + 2) * 1024 * 1024)),
        case("encrypted", "成果.pdf", Payload::Bytes(fixture_bytes("locked.pdf"))),
        case("docx bomb", "成果.docx", Payload::Bytes(zip_of(&[("word/document.xml", 300 << 20)]))),
        case(
            "xlsx bomb",
            "教师.xlsx",
            Payload::Bytes(zip_of(&[("xl/workbook.xml", 10), ("xl/worksheets/sheet1.xml", 300 << 20)])),
        ),
        case("many entries", "成果.docx", Payload::Bytes(zip_of(&many))),
        case("long CSV line", "教师.csv", Payload::Bytes(vec![b'a'; (CAP_MIB as usize - 1) * 1024 * 1024])),
    ]
}

/// The server's resident memory in KiB (`VmRSS` of /proc/<pid>/status).
fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("server process status");
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmRSS value")
}

fn assert_alive(server: &Server, case: &str) {
    let health = Client::new().get(server.url("/healthz")).send();
    assert!(health.is_ok_and(|response| response.status().as_u16() == 200), "server down after {case}");
}

/// A 4xx (never a 5xx); returns the status and body.
fn refused(route: &str, case: &Case, response: reqwest::Result<Response>) -> (u16, String) {
    let response = response.unwrap_or_else(|error| panic!("{route} / {}: no answer ({error})", case.name));
    let status = response.status().as_u16();
    let body = text(response);
    assert!((400..500).contains(&status), "{route} / {}: {status} {body}", case.name);
    (status, body)
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                found.extend(files_under(&entry.path()));
            } else {
                found.push(entry.path().display().to_string());
            }
        }
    }
    found
}

/// A pledged demo teacher whose draft holds achievement 0, and the form fields that saved it.
fn teacher_with_draft(server: &Server) -> (Client, Vec<(String, String)>) {
    let teacher = pledged(server, &["刁彬彬"]).remove(0);
    let (_, csrf, submission_id) = form_page(server, &teacher);
    let mut fields = complete_fields(&submission_id);
    fields.push(("action".into(), "save".into()));
    let saved = post_form(server, &teacher, &csrf, &as_pairs(&fields), Vec::new());
    assert_eq!(saved.status().as_u16(), 303, "{}", text(saved));
    (teacher, fields)
}

/// The filing form with `file` as achievement 0's file.
fn filing_form(server: &Server, teacher: &Client, fields: &[(String, String)], file: Part) -> Form {
    let (_, csrf, _) = form_page(server, teacher);
    let mut form = Form::new().text("csrf", csrf);
    for (key, value) in fields {
        form = form.text(key.clone(), value.clone());
    }
    form.part("achievements.0.achievement_file", file)
}

#[test]
fn every_upload_route_refuses_the_bad_file_corpus_and_keeps_nothing() {
    let cap = CAP_MIB.to_string();
    let server = Server::start(
        Options::demo().env("ZHIPING_UPLOADS__DOCUMENT_MIB", &cap).env("ZHIPING_UPLOADS__IMPORT_MIB", &cap),
    );
    // A teacher with a saved achievement to attach files to.
    let (teacher, fields) = teacher_with_draft(&server);
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let city_api = Api::new(&server, &token_for(&server, &city, "语料"));
    let school = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let school_api = Api::new(&server, &token_for(&server, &school, "语料"));
    let baseline = rss_kib(&server);
    let raw = Client::builder().timeout(std::time::Duration::from_secs(120)).build().unwrap();

    for case in corpus() {
        // Filing, page: the achievement file of achievement 0.
        let form = filing_form(&server, &teacher, &fields, case.payload.part(case.file_name));
        let (_, body) = refused(
            "filing page",
            &case,
            teacher.post(server.url("/appraisal")).header("connection", "close").multipart(form).send(),
        );
        assert!(body.contains("成果附件"), "filing page / {}: {body}", case.name);
        assert_alive(&server, case.name);

        // Filing, API: an evidence slot.
        let (_, body) = refused(
            "filing API",
            &case,
            teacher
                .put(server.url("/api/v1/me/appraisal/achievements/0/files/evidence.formal"))
                .query(&[("name", case.file_name)])
                .header("content-type", "application/octet-stream")
                .header("origin", server.base.clone())
                .header("connection", "close")
                .body(case.payload.body())
                .send(),
        );
        assert!(body.contains("\"code\""), "filing API / {}: {body}", case.name);
        assert_alive(&server, case.name);

        // Notice and material attachments (API; the pages call the same service). Spreadsheets are accepted
        // attachments (stored for download, never laid out), so a far cell is fine there.
        let response = raw
            .post(server.url("/api/v1/uploads"))
            .query(&[("name", case.file_name)])
            .bearer_auth(&city_api.token)
            .header("content-type", "application/octet-stream")
            .header("connection", "close")
            .body(case.payload.body())
            .send()
            .unwrap_or_else(|error| panic!("notice upload / {}: no answer ({error})", case.name));
        let status = response.status().as_u16();
        let body = text(response);
        let stored = matches!(case.name, "XFD1048576" | "Z200000");
        if stored {
            assert!(status == 200 || (400..500).contains(&status), "notice upload / {}: {status} {body}", case.name);
        } else {
            assert!((400..500).contains(&status), "notice upload / {}: {status} {body}", case.name);
        }
        assert_alive(&server, case.name);

        // Teacher import: page (always a dry run first) and API, dry run and real.
        let csrf = text(school.get(server.url("/admin/teachers/import")).send().expect("import page"));
        let csrf = csrf_of(&csrf);
        let body = match &case.payload {
            Payload::Bytes(bytes) => {
                let (content_type, body) = multipart(&[("csrf", &csrf)], case.file_name, bytes);
                school
                    .post(server.url("/admin/teachers/import"))
                    .header("content-type", content_type)
                    .header("connection", "close")
                    .body(body)
                    .send()
            }
            Payload::Streamed(_) => school
                .post(server.url("/admin/teachers/import"))
                .header("connection", "close")
                .multipart(Form::new().text("csrf", csrf).part("file", case.payload.part(case.file_name)))
                .send(),
        };
        let (_, body) = refused("import page", &case, body);
        assert!(body.contains("文件未导入"), "import page / {}: {body}", case.name);
        if case.name == "Z200000" {
            assert!(body.contains("第200000行超出模板的行数上限（50000行）"), "{body}");
        }
        if case.name == "XFD1048576" {
            assert!(body.contains("第1048576行超出模板的行数上限"), "{body}");
        }
        for dry_run in ["true", "false"] {
            let (_, body) = refused(
                "import API",
                &case,
                raw.post(server.url("/api/v1/teachers/import"))
                    .query(&[("dry_run", dry_run)])
                    .bearer_auth(&school_api.token)
                    .header("content-type", "application/octet-stream")
                    .header("connection", "close")
                    .body(case.payload.body())
                    .send(),
            );
            assert!(body.contains("\"code\""), "import API / {}: {body}", case.name);
        }
        assert_alive(&server, case.name);
        let rss = rss_kib(&server);
        assert!(rss < baseline + RSS_GROWTH_KIB, "{}: RSS {rss} KiB from {baseline} KiB", case.name);
        let staged = files_under(&server.data.join("imports"));
        assert!(staged.is_empty(), "{}: staged files left: {staged:?}", case.name);
        let temp = files_under(&server.data.join("files/tmp"));
        assert!(temp.is_empty(), "{}: temporary files left: {temp:?}", case.name);
    }

    // Nothing refused stayed in the blob store: the check finds no orphan.
    let data = server.data.clone();
    let mut server = server;
    server.stop();
    let output =
        std::process::Command::new(binary()).args(["check", "--data"]).arg(&data).output().expect("zhiping check");
    let report = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    assert!(!report.contains("孤立文件"), "{report}");
}

/// A Type 3 PDF from Chrome is a text PDF: accepted as an achievement file, not refused as a scan, and reading it
/// logs no per-glyph warnings (before the fix: ~280 per upload, and 不接受图片扫描转PDF格式).
#[test]
fn a_chrome_type3_pdf_is_accepted_as_a_text_pdf_without_warnings() {
    let server = Server::demo();
    let (teacher, fields) = teacher_with_draft(&server);
    let log_mark = server.log_lines().len();
    let file = Part::bytes(fixture_bytes("chrome-type3.pdf")).file_name("成果.pdf");
    let form = filing_form(&server, &teacher, &fields, file);
    let response = teacher.post(server.url("/appraisal")).multipart(form).send().expect("post");
    let status = response.status().as_u16();
    let body = text(response);
    assert!(!body.contains("不接受图片扫描"), "{body}");
    assert_eq!(status, 303, "{body}");
    let warnings: Vec<String> =
        server.log_lines()[log_mark..].iter().filter(|line| line.contains("WARN")).cloned().collect();
    assert!(warnings.is_empty(), "{} warnings, e.g. {:?}", warnings.len(), warnings.first());
}

/// `zhiping check` reports a blob that no record references.
#[test]
fn check_reports_an_orphan_blob() {
    let mut server = Server::start(Options::default());
    let data = server.data.clone();
    server.stop();
    let clean = std::process::Command::new(binary()).args(["check", "--data"]).arg(&data).output().expect("check");
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));
    let bytes = b"nobody references this file";
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes))
    };
    let shard = data.join("files/blobs").join(&sha[..2]);
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::File::create(shard.join(&sha)).unwrap().write_all(bytes).unwrap();
    let output = std::process::Command::new(binary()).args(["check", "--data"]).arg(&data).output().expect("check");
    let report = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(!output.status.success(), "{report}");
    assert!(report.contains("孤立文件") && report.contains(&sha[..12]), "{report}");
}
