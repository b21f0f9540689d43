//! Entry and the integrity pledge (SPEC §3, §4.1; the manual 5. and 7.3).

use std::time::Duration;

use super::*;

#[test]
fn a_teacher_without_project_gets_the_manuals_no_permission_page() {
    let server = Server::demo();
    let client = teacher(&server, "王喆");
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("href=\"/appraisal\"") && home.contains("教科研成果鉴定"), "navigation entry");
    assert!(home.contains("未填报"));
    let response = client.get(server.url("/appraisal")).send().expect("appraisal");
    assert_eq!(response.status().as_u16(), 403);
    let page = text(response);
    assert!(page.contains("无权限"));
    assert!(page.contains("该情况为学校管理员未在用户管理中选择申报项目。"));
    assert!(page.contains("请申报教师及时联系学校管理员。"));
    let api = client.get(server.url("/api/v1/me/appraisal")).send().expect("api");
    assert_eq!(api.status().as_u16(), 403);
}

#[test]
fn the_pledge_needs_the_box_and_fifteen_seconds_and_is_not_asked_again() {
    let server = Server::demo();
    let client = teacher(&server, "刁彬彬");
    let page = text(client.get(server.url("/appraisal")).send().expect("pledge"));
    assert!(page.contains("上海市中等职业学校、技工学校教师高级专业技术职务任职资格评审诚信承诺书"));
    assert!(page.contains("三、诚实守信，严守纪律。"));
    assert!(page.contains("本人已仔细阅读上述内容。"));
    assert!(page.contains("data-seconds=\"15\""), "countdown starts at 15 s");
    let csrf = csrf_of(&page);
    let post = |agree: &str| {
        client
            .post(server.url("/appraisal/pledge"))
            .form(&[("csrf", csrf.as_str()), ("agree", agree)])
            .send()
            .expect("post")
    };
    // Unticked: the manual's message, in red under the box.
    let unticked = post("");
    assert_eq!(unticked.status().as_u16(), 422);
    let body = text(unticked);
    assert!(body.contains("field-error") && body.contains("请勾选承诺"));
    // Ticked but too early: refused by the server too, and the countdown continues (not restarted).
    let early = post("1");
    assert_eq!(early.status().as_u16(), 422);
    let body = text(early);
    assert!(body.contains("请仔细阅读承诺书内容至少15秒后"), "{body}");
    // No submission yet.
    assert_eq!(appraisal_json(&server, &client)["state"], "none");
    // The server's clock decides: 10 seconds later is still too early, past 15 it is accepted.
    server.advance(Duration::from_secs(10));
    assert_eq!(post("1").status().as_u16(), 422, "accepted before 15 seconds");
    server.advance(Duration::from_millis(5_300));
    let accepted = post("1");
    assert_eq!(accepted.status().as_u16(), 303);
    assert_eq!(location(&accepted), "/appraisal");
    // The form now, and never the pledge again.
    let (page, ..) = form_page(&server, &client);
    assert!(!page.contains("诚信承诺书"));
    let json = appraisal_json(&server, &client);
    assert_eq!(json["pledged"], true);
    // The evidence: the version and SHA-256 of the exact text shown.
    assert_eq!(json["pledge_sha256"], zhiping::domain::pledge::text_sha256().as_str());
    assert_eq!(json["pledge_version"], zhiping::domain::pledge::VERSION);
    assert!(json["pledge_accepted_at"].as_str().is_some());
    assert_eq!(json["state"], "draft");
    let home = text(client.get(server.url("/")).send().expect("home"));
    assert!(home.contains("暂存"), "home shows the draft state");
}

#[test]
fn the_pledge_is_a_form_with_csrf() {
    let server = Server::demo();
    let client = teacher(&server, "陈昇");
    let _ = client.get(server.url("/appraisal")).send().expect("serve");
    let forged =
        client.post(server.url("/appraisal/pledge")).form(&[("csrf", "0"), ("agree", "1")]).send().expect("post");
    assert_eq!(forged.status().as_u16(), 403);
}
