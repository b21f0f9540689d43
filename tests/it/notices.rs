//! SPEC §8: 通知公告 and 资料下载 — lists as the manual shows them, scheduling, audiences, withdrawal, Chinese
//! full-text search over bodies and attachment text, the index rebuilt from redb, and the API.

use std::path::Path;

use chrono::{Duration, Utc};
use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

use zhiping::domain::audit::AuditEntry;
use zhiping::store::{Reader, tables};

use crate::support::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn admin(server: &Server) -> Client {
    signed_in(server, "admin", ADMIN_PASSWORD)
}

fn teacher(server: &Server) -> Client {
    first_login(server, &server.demo_username("刁彬彬"), "abc12345")
}

fn json_of(response: Response) -> Value {
    let status = response.status().as_u16();
    let body = text(response);
    serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status}: not JSON: {body}"))
}

/// Streams a file to `POST /api/v1/uploads`.
fn send_upload(server: &Server, client: &Client, name: &str, bytes: Vec<u8>) -> Response {
    client
        .post(server.url("/api/v1/uploads"))
        .query(&[("name", name)])
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .expect("upload")
}

/// Uploads a file through the API; returns its sha256.
fn upload(server: &Server, client: &Client, name: &str, bytes: Vec<u8>) -> String {
    let response = send_upload(server, client, name, bytes);
    assert_eq!(response.status().as_u16(), 200);
    json_of(response)["sha256"].as_str().expect("sha256").to_string()
}

/// Publishes a notice through the API; returns its id.
fn publish(server: &Server, client: &Client, body: Value) -> u64 {
    let response = client.post(server.url("/api/v1/notices")).json(&body).send().expect("publish");
    assert_eq!(response.status().as_u16(), 200);
    json_of(response)["id"].as_u64().expect("id")
}

fn publish_material(server: &Server, client: &Client, name: &str, file: (&str, &str)) -> u64 {
    let body = json!({"name": name, "file": {"sha256": file.0, "name": file.1}});
    let response = client.post(server.url("/api/v1/materials")).json(&body).send().expect("publish material");
    assert_eq!(response.status().as_u16(), 200);
    json_of(response)["id"].as_u64().expect("id")
}

/// `(total, ids)` of an API list or search.
fn listed(server: &Server, client: &Client, path: &str, q: &str) -> (u64, Vec<u64>) {
    let page = json_of(client.get(server.url(path)).query(&[("q", q), ("page_size", "100")]).send().expect("list"));
    let ids = page["items"].as_array().expect("items").iter().map(|item| item["id"].as_u64().expect("id")).collect();
    (page["total"].as_u64().expect("total"), ids)
}

fn page_of(server: &Server, client: &Client, path: &str) -> (u16, String) {
    let response = client.get(server.url(path)).send().expect("get");
    (response.status().as_u16(), text(response))
}

#[test]
fn lists_show_the_manuals_columns_newest_first_with_counts_and_pages() {
    let server = Server::demo();
    let admin = admin(&server);
    let teacher = teacher(&server);
    // The demo gives a teacher 3 published notices (2 for everyone, 1 for teachers) and 2 materials.
    let (_, page) = page_of(&server, &teacher, "/notices");
    assert!(page.contains("您的位置：通知公告") && page.contains("共3条记录"), "{page}");
    for header in ["序号", "名称", "发布时间"] {
        assert!(page.contains(&format!(">{header}</th>")), "{header}");
    }
    let start = Utc::now() - Duration::hours(1);
    for index in 1..=16 {
        let at = (start + Duration::minutes(index)).to_rfc3339();
        publish(&server, &admin, json!({"title": format!("分页测试通知{index:02}"), "body": "正文", "publish_at": at}));
    }
    let (_, first) = page_of(&server, &teacher, "/notices");
    assert!(first.contains("共19条记录"), "{first}");
    assert_eq!(first.matches("<tr>").count() - 1, 15, "15 rows a page");
    let newest = first.find("分页测试通知16").expect("newest");
    assert!(newest < first.find("分页测试通知15").expect("next"), "newest first");
    assert!(first.contains("href=\"/notices?page=2\""), "page links");
    let minute = format!(
        "{}",
        (start + Duration::minutes(16))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%d %H:%M")
    );
    assert!(first.contains(&minute), "发布时间 in Shanghai time: {minute}");
    let (_, second) = page_of(&server, &teacher, "/notices?page=2");
    assert_eq!(second.matches("<tr>").count() - 1, 4);
    assert!(second.contains("<td class=\"number\">16</td>") && second.contains("<td class=\"number\">19</td>"));
    assert!(second.contains("关于开展") && second.contains("aria-current=\"page\">2<"), "{second}");
    // A page number that is not a number is page 1, never an error.
    assert_eq!(page_of(&server, &teacher, "/notices?page=abc").0, 200);

    let (_, materials) = page_of(&server, &teacher, "/materials");
    assert!(materials.contains("您的位置：资料下载") && materials.contains(">资料名称</th>"));
    assert!(materials.contains("共2条记录") && materials.contains("《非独立完成的教育教学研究成果个人贡献情况表》"));
    assert!(materials.contains(">下载</a>"));

    // The home page: the latest 5 of each with 更多, and the navigation entries.
    let (_, home) = page_of(&server, &teacher, "/");
    assert!(home.contains("分页测试通知16") && home.contains("分页测试通知12") && !home.contains("分页测试通知11"));
    assert!(home.contains("href=\"/notices\"") && home.contains("href=\"/materials\"") && home.contains("更多"));
    assert!(home.contains(">通知公告</a>") && home.contains(">资料下载</a>"));
}

#[test]
fn scheduled_items_appear_at_their_time_and_not_before() {
    let server = Server::demo();
    let admin = admin(&server);
    let teacher = teacher(&server);
    // The demo's scheduled notice (a week ahead) is not shown.
    let (_, list) = page_of(&server, &teacher, "/notices");
    assert!(!list.contains("结果公布安排的预告"));
    let later = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let id =
        publish(&server, &admin, json!({"title": "定时发布的通知", "body": "定时发布检验文字", "publish_at": later}));
    let sha = upload(&server, &admin, "定时资料.docx", fixture("sample.docx"));
    let body = json!({"name": "定时发布的资料", "file": {"sha256": sha, "name": "定时资料.docx"}, "publish_at": later});
    let material = json_of(admin.post(server.url("/api/v1/materials")).json(&body).send().expect("material"));
    let material = material["id"].as_u64().expect("id");

    assert!(!page_of(&server, &teacher, "/notices").1.contains("定时发布的通知"));
    assert_eq!(listed(&server, &teacher, "/api/v1/notices", "定时发布检验").0, 0);
    assert_eq!(page_of(&server, &teacher, &format!("/notices/{id}")).0, 404);
    assert!(!page_of(&server, &teacher, "/materials").1.contains("定时发布的资料"));
    assert_eq!(page_of(&server, &teacher, &format!("/materials/{material}/download")).0, 404);
    // The publisher sees it as 待发布.
    assert!(page_of(&server, &admin, "/admin/notices").1.contains("待发布"));

    // 59 minutes later by the server's clock, in steps shorter than the 30-minute idle timeout so the teacher's
    // session stays alive: still not shown.
    for minutes in [25, 25, 9] {
        server.advance(std::time::Duration::from_secs(minutes * 60));
        let (status, list) = page_of(&server, &teacher, "/notices");
        assert_eq!(status, 200, "the session lives on");
        assert!(!list.contains("定时发布的通知"));
    }
    server.advance(std::time::Duration::from_secs(2 * 60));
    assert!(page_of(&server, &teacher, "/notices").1.contains("定时发布的通知"));
    assert_eq!(listed(&server, &teacher, "/api/v1/notices", "定时发布检验"), (1, vec![id]));
    assert_eq!(page_of(&server, &teacher, &format!("/notices/{id}")).0, 200);
    assert!(page_of(&server, &teacher, "/materials").1.contains("定时发布的资料"));
    assert_eq!(page_of(&server, &teacher, &format!("/materials/{material}/download")).0, 200);
}

#[test]
fn audiences_are_respected_in_lists_search_detail_and_downloads() {
    let server = Server::demo();
    let admin = admin(&server);
    let teacher = teacher(&server);
    let school_admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let sha = upload(&server, &admin, "附件.pdf", fixture("text.pdf"));
    let attachment = json!([{"sha256": sha, "name": "附件.pdf"}]);
    let for_teachers = publish(
        &server,
        &admin,
        json!({"title": "仅教师可见的受众通知", "body": "受众检验", "audience": "teachers", "attachments": attachment}),
    );
    let for_admins = publish(
        &server,
        &admin,
        json!({"title": "仅管理员可见的受众通知", "body": "受众检验", "audience": "admins", "attachments": attachment}),
    );
    for (reader, own, other) in [(&teacher, for_teachers, for_admins), (&school_admin, for_admins, for_teachers)] {
        let (_, list) = page_of(&server, reader, "/notices");
        // Title prefixes: in search results the matched part of a title is highlighted.
        let (own_title, other_title) = if own == for_teachers {
            ("仅教师可见的", "仅管理员可见的")
        } else {
            ("仅管理员可见的", "仅教师可见的")
        };
        assert!(list.contains(own_title) && !list.contains(other_title));
        assert_eq!(listed(&server, reader, "/api/v1/notices", "受众检验"), (1, vec![own]));
        let (_, search) = page_of(&server, reader, "/notices?q=%E5%8F%97%E4%BC%97%E6%A3%80%E9%AA%8C");
        assert!(
            search.contains("共1条记录") && search.contains(own_title) && !search.contains(other_title),
            "{search}"
        );
        assert_eq!(page_of(&server, reader, &format!("/notices/{own}")).0, 200);
        assert_eq!(page_of(&server, reader, &format!("/notices/{other}")).0, 404);
        assert_eq!(page_of(&server, reader, &format!("/notices/{own}/attachments/0")).0, 200);
        assert_eq!(page_of(&server, reader, &format!("/notices/{other}/attachments/0")).0, 404);
        let api = reader.get(server.url(&format!("/api/v1/notices/{other}/attachments/0"))).send().expect("api");
        assert_eq!(api.status().as_u16(), 404);
    }
    // Downloads need a signed-in reader.
    let anonymous = server.client();
    let response = anonymous.get(server.url(&format!("/notices/{for_teachers}/attachments/0"))).send().expect("get");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/login");
}

#[test]
fn withdrawing_removes_from_lists_search_detail_and_downloads() {
    let server = Server::demo();
    let admin = admin(&server);
    let teacher = teacher(&server);
    let sha = upload(&server, &admin, "撤回附件.pdf", fixture("text.pdf"));
    let id = publish(
        &server,
        &admin,
        json!({"title": "将被撤回的通知", "body": "撤回检验专用文字", "attachments": [{"sha256": sha, "name": "撤回附件.pdf"}]}),
    );
    assert_eq!(listed(&server, &teacher, "/api/v1/notices", "撤回检验").0, 1);
    // Seen on 首页 and in the list first, so that what they read is held in memory before the withdrawal.
    assert!(page_of(&server, &teacher, "/").1.contains("将被撤回的通知"));
    assert!(page_of(&server, &teacher, "/notices").1.contains("将被撤回的通知"));
    let (_, manage) = page_of(&server, &admin, "/admin/notices");
    let csrf = csrf_of(&manage);
    let response = admin
        .post(server.url(&format!("/admin/notices/{id}/withdraw")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .expect("withdraw");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(location(&response), "/admin/notices?done=withdrawn");

    assert!(!page_of(&server, &teacher, "/notices").1.contains("将被撤回的通知"));
    assert!(!page_of(&server, &teacher, "/").1.contains("将被撤回的通知"));
    assert_eq!(listed(&server, &teacher, "/api/v1/notices", "撤回检验"), (0, vec![]));
    assert_eq!(page_of(&server, &teacher, &format!("/notices/{id}")).0, 404);
    assert_eq!(page_of(&server, &teacher, &format!("/notices/{id}/attachments/0")).0, 404);
    let (_, manage) = page_of(&server, &admin, "/admin/notices?done=withdrawn");
    assert!(manage.contains("已撤回") && manage.contains("将被撤回的通知"));
    // Withdrawing twice is refused, not repeated.
    let again = admin.post(server.url(&format!("/api/v1/notices/{id}/withdraw"))).send().expect("again");
    assert_eq!(again.status().as_u16(), 409);

    // Materials: withdrawn through the API.
    let (total, ids) = listed(&server, &teacher, "/api/v1/materials", "个人贡献");
    assert_eq!(total, 1);
    let response = admin.post(server.url(&format!("/api/v1/materials/{}/withdraw", ids[0]))).send().expect("withdraw");
    assert_eq!(json_of(response)["state"], "withdrawn");
    assert_eq!(listed(&server, &teacher, "/api/v1/materials", "个人贡献").0, 0);
    assert!(page_of(&server, &teacher, "/materials").1.contains("共1条记录"));
    assert_eq!(page_of(&server, &teacher, &format!("/materials/{}/download", ids[0])).0, 404);

    // Every change is in the audit log, naming the city admin.
    let mut server = server;
    server.stop();
    let store = zhiping::store::Store::open(&server.data.join("zhiping.redb")).expect("open store");
    let read = store.read().expect("read");
    let mut keep = |_: &AuditEntry| true;
    let entries: Vec<AuditEntry> = read.range(tables::AUDIT, false, usize::MAX, &mut keep).expect("audit");
    let done: Vec<(String, String)> = entries
        .iter()
        .filter(|entry| entry.actor_name == "市级管理员")
        .map(|entry| (entry.action.clone(), entry.target.clone()))
        .collect();
    for expected in [
        ("notice.upload".to_string(), format!("file:{sha}")),
        ("notice.publish".to_string(), format!("notice:{id}")),
        ("notice.withdraw".to_string(), format!("notice:{id}")),
        ("material.withdraw".to_string(), format!("material:{}", ids[0])),
    ] {
        assert!(done.contains(&expected), "{expected:?} not in {done:?}");
    }
}

#[test]
fn search_finds_bodies_and_attachment_text_ranked_and_highlighted() {
    let server = Server::demo();
    let admin = admin(&server);
    let teacher = teacher(&server);
    let pdf = upload(&server, &admin, "研究报告.pdf", fixture("text.pdf"));
    let with_pdf = publish(
        &server,
        &admin,
        json!({"title": "附件检索测试", "body": "请查看附件。", "attachments": [{"sha256": pdf, "name": "研究报告.pdf"}]}),
    );
    let docx = upload(&server, &admin, "示例成果.docx", fixture("sample.docx"));
    let material = publish_material(&server, &admin, "示例成果文档", (&docx, "示例成果.docx"));

    // Body text (the demo's notices), Chinese words as typed, Latin in any case.
    let (total, _) = listed(&server, &teacher, "/api/v1/notices", "职称评审");
    assert!(total >= 2, "职称评审 is in two demo notices: {total}");
    let (cip, _) = listed(&server, &teacher, "/api/v1/notices", "cip");
    assert!(cip >= 2, "cip finds CIP: {cip}");
    // Attachment text: the PDF's words find the notice, the DOCX's the material.
    assert_eq!(listed(&server, &teacher, "/api/v1/notices", "数控专业"), (1, vec![with_pdf]));
    assert_eq!(listed(&server, &teacher, "/api/v1/materials", "项目化教学"), (1, vec![material]));

    // The page: a GET form, ranked rows with <mark> highlights, the count.
    let (_, page) = page_of(&server, &teacher, "/notices?q=%E6%95%B0%E6%8E%A7%E4%B8%93%E4%B8%9A");
    assert!(page.contains("<form class=\"search\" role=\"search\" method=\"get\" action=\"/notices\">"), "{page}");
    assert!(page.contains("<mark>数控专业</mark>") && page.contains("共1条记录"), "{page}");
    let (_, page) = page_of(&server, &teacher, "/notices?q=%E8%81%8C%E7%A7%B0%E8%AF%84%E5%AE%A1");
    assert!(page.contains("<mark>职称评审</mark>"), "{page}");
    let (_, page) = page_of(&server, &teacher, "/materials?q=%E9%A1%B9%E7%9B%AE%E5%8C%96%E6%95%99%E5%AD%A6");
    assert!(page.contains("<mark>项目化教学</mark>") && page.contains("示例成果文档") && page.contains(">下载</a>"));
    // Titles rank above bodies: a notice with the word in its title comes first.
    let title_hit = publish(&server, &admin, json!({"title": "成果鉴定排序检验", "body": "无关正文"}));
    let body_hit = publish(&server, &admin, json!({"title": "另一则通知", "body": "正文提到成果鉴定排序检验一次。"}));
    let (_, ids) = listed(&server, &teacher, "/api/v1/notices", "成果鉴定排序检验");
    assert_eq!(ids, vec![title_hit, body_hit]);
    let found =
        json_of(teacher.get(server.url("/api/v1/notices")).query(&[("q", "成果鉴定排序检验")]).send().expect("q"));
    assert!(found["items"][0]["title_html"].as_str().expect("html").contains("<mark>"), "{found}");
    // Markup in what was typed is escaped in results; nothing found is a normal empty page.
    let (status, page) = page_of(&server, &teacher, "/notices?q=%3Cscript%3E");
    assert_eq!(status, 200);
    assert!(!page.contains("<script>") && page.contains("没有找到相关记录"));
}

#[test]
fn the_index_is_rebuilt_from_the_database_at_start_with_the_same_results() {
    let temp = tempfile::tempdir().expect("temp");
    let data = temp.path().join("data");
    let options = Options { demo: true, data: Some(data.clone()), ..Options::default() };
    let queries = ["职称评审", "CIP", "数控专业", "个人贡献"];
    let results = |server: &Server| -> Vec<(u64, Vec<u64>)> {
        let client = admin(server);
        let mut found = Vec::new();
        for query in queries {
            found.push(listed(server, &client, "/api/v1/notices", query));
            found.push(listed(server, &client, "/api/v1/materials", query));
        }
        found
    };
    let before = {
        let server = Server::start(options.clone());
        let admin = admin(&server);
        let sha = upload(&server, &admin, "研究报告.pdf", fixture("text.pdf"));
        publish(
            &server,
            &admin,
            json!({"title": "重建检验", "body": "正文", "attachments": [{"sha256": sha, "name": "研究报告.pdf"}]}),
        );
        let sha = upload(&server, &admin, "示例成果.docx", fixture("sample.docx"));
        publish_material(&server, &admin, "重建检验资料", (&sha, "示例成果.docx"));
        results(&server)
    };
    let found = before.iter().filter(|(total, _)| *total > 0).count();
    assert!(found >= 6, "most queries find something: {before:?}");

    // Deleted: rebuilt from redb.
    std::fs::remove_dir_all(data.join("index")).expect("delete index");
    let after = results(&Server::start(options.clone()));
    assert_eq!(after, before);

    // Damaged: every index file overwritten with garbage.
    for entry in std::fs::read_dir(data.join("index")).expect("index dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::write(&path, b"damaged").expect("damage");
        }
    }
    let after = results(&Server::start(options));
    assert_eq!(after, before);
}

#[test]
fn publishing_through_the_pages_keeps_input_and_renders_safe_markup() {
    let server = Server::demo();
    let admin = admin(&server);
    let (status, form_page) = page_of(&server, &admin, "/admin/notices/new");
    assert_eq!(status, 200);
    assert!(form_page.contains("enctype=\"multipart/form-data\"") && form_page.contains("<label for=\"title\">"));
    let csrf = csrf_of(&form_page);
    // Missing title: every error shown, the typed body kept, the uploaded file offered to keep.
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("title", "")
        .text(
            "body",
            "第一段\n\n**重点**：<script>alert(1)</script> 见[资料下载](/materials)，勿点[此处](javascript:alert(1))。",
        )
        .text("audience", "all")
        .text("publish_at", "")
        .part("file", Part::bytes(fixture("text.pdf")).file_name("研究报告.pdf"));
    let response = admin.post(server.url("/admin/notices")).multipart(form).send().expect("post");
    assert_eq!(response.status().as_u16(), 422);
    let page = text(response);
    assert!(page.contains("标题不能为空") && page.contains("aria-describedby=\"title-error\""), "{page}");
    assert!(page.contains("&lt;script&gt;") && page.contains("研究报告.pdf") && page.contains("name=\"keep\""));
    let keep = {
        let start = page.find("name=\"keep\" value=\"").expect("keep") + "name=\"keep\" value=\"".len();
        page[start..].split('"').next().expect("value").to_string()
    };
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("title", "页面发布的通知")
        .text(
            "body",
            "第一段\n\n**重点**：<script>alert(1)</script> 见[资料下载](/materials)，勿点[此处](javascript:alert(1))。",
        )
        .text("audience", "teachers")
        .text("publish_at", "")
        .text("keep", keep)
        .part("file", Part::bytes(fixture("sample.docx")).file_name("贡献情况表.docx"));
    let response = admin.post(server.url("/admin/notices")).multipart(form).send().expect("post");
    assert_eq!(response.status().as_u16(), 303, "{}", text(response));
    let (_, manage) = page_of(&server, &admin, "/admin/notices?done=published");
    assert!(manage.contains("页面发布的通知") && manage.contains("已发布"));

    let teacher = teacher(&server);
    let (total, ids) = listed(&server, &teacher, "/api/v1/notices", "页面发布");
    assert_eq!(total, 1);
    let (_, detail) = page_of(&server, &teacher, &format!("/notices/{}", ids[0]));
    assert!(detail.contains("<p>第一段</p>") && detail.contains("<strong>重点</strong>"), "{detail}");
    assert!(detail.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !detail.contains("<script>alert"));
    assert!(detail.contains("<a href=\"/materials\">资料下载</a>") && !detail.contains("href=\"javascript:"));
    assert!(detail.contains("研究报告.pdf") && detail.contains("贡献情况表.docx"));
    let download = teacher.get(server.url(&format!("/notices/{}/attachments/1", ids[0]))).send().expect("download");
    assert_eq!(download.status().as_u16(), 200);
    let disposition = download.headers()["content-disposition"].to_str().expect("header").to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E8%B4%A1%E7%8C%AE"),
        "{disposition}"
    );
    assert_eq!(download.bytes().expect("bytes").to_vec(), fixture("sample.docx"));

    // A wrong CSRF token is refused before anything is stored.
    let form = Form::new().text("csrf", "x".repeat(64)).text("title", "伪造").text("body", "伪造");
    let response = admin.post(server.url("/admin/notices")).multipart(form).send().expect("post");
    assert_eq!(response.status().as_u16(), 403);
}

#[test]
fn the_api_publishes_edits_and_downloads_and_refuses_non_publishers() {
    let server = Server::start(Options::demo().env("ZHIPING_UPLOADS__DOCUMENT_MIB", "1"));
    let admin = admin(&server);
    let teacher = teacher(&server);

    // Teachers and school admins cannot publish, upload or manage, in the API or the pages.
    let refused = teacher
        .post(server.url("/api/v1/notices"))
        .json(&json!({"title": "越权", "body": "越权"}))
        .send()
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(json_of(refused)["code"], "forbidden");
    let refused = send_upload(&server, &teacher, "a.pdf", fixture("text.pdf"));
    assert_eq!(refused.status().as_u16(), 403);
    let school_admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let refused =
        school_admin.post(server.url("/api/v1/materials")).json(&json!({"name": "越权"})).send().expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    for path in ["/admin/notices", "/admin/notices/new", "/admin/materials", "/admin/materials/new"] {
        assert_eq!(page_of(&server, &teacher, path).0, 403, "{path}");
    }
    let (_, home) = page_of(&server, &teacher, "/");
    let form = Form::new().text("csrf", csrf_of(&home)).text("title", "越权").text("body", "越权");
    let response = teacher.post(server.url("/admin/notices")).multipart(form).send().expect("post");
    assert_eq!(response.status().as_u16(), 403);

    // Uploads: typed by content, capped while streaming.
    let refused = send_upload(&server, &admin, "照片.pdf", fixture("photo.jpg"));
    assert_eq!(refused.status().as_u16(), 422);
    assert!(json_of(refused)["fields"][0]["message"].as_str().expect("message").contains("仅支持PDF"));
    let refused = send_upload(&server, &admin, "大文件.pdf", vec![b'%'; 1024 * 1024 + 100 * 1024]);
    assert_eq!(refused.status().as_u16(), 422);
    assert!(json_of(refused)["fields"][0]["message"].as_str().expect("message").contains("超过1MB"));

    // Invalid input answers 422 with every field; unknown ids 404; an unknown file is not attachable.
    let invalid = admin
        .post(server.url("/api/v1/notices"))
        .json(&json!({"title": " ", "body": "", "audience": "everyone"}))
        .send()
        .expect("post");
    // An audience outside the documented enum is refused while parsing.
    assert_eq!(invalid.status().as_u16(), 400);
    let invalid = admin
        .post(server.url("/api/v1/notices"))
        .json(&json!({"title": " ", "body": "", "attachments": [{"sha256": "ab".repeat(32), "name": "x.pdf"}]}))
        .send()
        .expect("post");
    assert_eq!(invalid.status().as_u16(), 422);
    let fields: Vec<String> = json_of(invalid)["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(fields, ["title", "body", "file"]);
    assert_eq!(admin.get(server.url("/api/v1/notices/999999")).send().expect("get").status().as_u16(), 404);

    // Publish, read, edit, download a material with a Chinese name.
    let sha = upload(&server, &admin, "贡献情况表.docx", fixture("sample.docx"));
    let id = publish_material(&server, &admin, "个人贡献情况表（接口）", (&sha, "贡献情况表.docx"));
    let detail = json_of(teacher.get(server.url(&format!("/api/v1/materials/{id}"))).send().expect("get"));
    assert_eq!(detail["state"], "published");
    assert_eq!(detail["file"]["kind"], "docx");
    let download = teacher.get(server.url(&format!("/api/v1/materials/{id}/download"))).send().expect("download");
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(
        download.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(download.headers()["content-disposition"].to_str().expect("header").contains("filename*=UTF-8''%E8%B4%A1"));
    assert_eq!(download.bytes().expect("bytes").to_vec(), fixture("sample.docx"));
    let edited = admin
        .put(server.url(&format!("/api/v1/materials/{id}")))
        .json(&json!({"name": "个人贡献情况表（修订）"}))
        .send()
        .expect("put");
    assert_eq!(json_of(edited)["name"], "个人贡献情况表（修订）");
    assert_eq!(listed(&server, &teacher, "/api/v1/materials", "修订").1, vec![id]);

    let notice = publish(&server, &admin, json!({"title": "接口发布的通知", "body": "第一版"}));
    let edited = admin
        .put(server.url(&format!("/api/v1/notices/{notice}")))
        .json(&json!({"title": "接口发布的通知", "body": "第二版正文", "audience": "admins"}))
        .send()
        .expect("put");
    let edited = json_of(edited);
    assert_eq!((edited["body"].as_str(), edited["audience"].as_str()), (Some("第二版正文"), Some("admins")));
    assert_eq!(
        teacher.get(server.url(&format!("/api/v1/notices/{notice}"))).send().expect("get").status().as_u16(),
        404
    );
    assert_eq!(listed(&server, &school_admin, "/api/v1/notices", "第二版正文").1, vec![notice]);
    assert_eq!(listed(&server, &school_admin, "/api/v1/notices", "第一版").0, 0);

    let document: Value = json_of(server.client().get(server.url("/api/openapi.json")).send().expect("spec"));
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/notices",
        "/notices/{id}",
        "/notices/{id}/attachments/{index}",
        "/notices/{id}/withdraw",
        "/uploads",
        "/materials",
        "/materials/{id}",
        "/materials/{id}/download",
        "/materials/{id}/withdraw",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
}
