//! 撤回, the filing window, the home page status and the API on the same services (SPEC §4, §6, §10).

use super::*;

#[test]
fn withdraw_only_while_waiting_for_the_school() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬", "陈昇"]);
    let (diao, chen) = (&clients[0], &clients[1]);
    let (_, csrf, submission_id) = form_page(&server, diao);
    // Nothing submitted yet: nothing to withdraw.
    let early = diao.post(server.url("/appraisal/withdraw")).form(&[("csrf", csrf.as_str())]).send().expect("withdraw");
    assert_eq!(early.status().as_u16(), 409);
    assert!(text(early).contains("尚未提交"));
    let fields = complete_fields(&submission_id);
    let mut pairs = as_pairs(&fields);
    pairs.push(("action", "submit"));
    assert_eq!(post_form(&server, diao, &csrf, &pairs, complete_files()).status().as_u16(), 303);
    // While submitted the form is read-only: a post is refused.
    let blocked = post_form(&server, diao, &csrf, &[("research_direction", "改动")], Vec::new());
    assert_eq!(blocked.status().as_u16(), 409);
    // Another teacher cannot withdraw it (they withdraw only their own, which is not submitted).
    let (chen_page, ..) = form_page(&server, chen);
    let forged = chen
        .post(server.url("/appraisal/withdraw"))
        .form(&[("csrf", csrf_of(&chen_page).as_str()), ("submission_id", submission_id.as_str())])
        .send()
        .expect("forged");
    assert_eq!(forged.status().as_u16(), 404);
    assert_eq!(appraisal_json(&server, diao)["state"], "submitted");
    // The teacher withdraws: back to an editable draft, and the history keeps both transitions.
    let done = diao
        .post(server.url("/appraisal/withdraw"))
        .form(&[("csrf", csrf.as_str()), ("submission_id", submission_id.as_str())])
        .send()
        .expect("withdraw");
    assert_eq!(done.status().as_u16(), 303);
    let (page, ..) = form_page(&server, diao);
    assert!(page.contains("已撤回") || page.contains("中职机械基础课程项目化教学研究"));
    let json = appraisal_json(&server, diao);
    assert_eq!(json["state"], "draft");
    assert_eq!(json["versions"], 1, "the submitted version is kept");
    let home = text(diao.get(server.url("/")).send().expect("home"));
    assert!(home.contains("暂存"));
}

#[test]
fn outside_the_filing_window_the_form_is_read_only_and_says_why() {
    let mut server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let (_, csrf, submission_id) = form_page(&server, &clients[0]);
    let saved = post_form(
        &server,
        &clients[0],
        &csrf,
        &[("submission_id", &submission_id), ("research_direction", "窗口内暂存"), ("achievements.0.origin", "0")],
        Vec::new(),
    );
    assert_eq!(saved.status().as_u16(), 303);
    server.stop();
    let actions = audit_actions(&server.data);
    assert!(actions.iter().any(|action| action == "submission.save"), "暂存 audited: {actions:?}");
    close_filing_window(&server.data);
    let server = Server::start(Options { data: Some(server.data.clone()), ..Options::demo() });
    let client = signed_in(&server, &server.demo_username("刁彬彬"), PASSWORD);
    let page = text(client.get(server.url("/appraisal")).send().expect("read only"));
    assert!(!page.contains("id=\"filing-form\""), "no form outside the window");
    assert!(page.contains("填报已于") && page.contains("截止，现仅可查看"));
    assert!(page.contains("窗口内暂存"), "the draft is still shown");
    let refused = post_form(&server, &client, &csrf_of(&page), &[("research_direction", "x")], Vec::new());
    assert_eq!(refused.status().as_u16(), 409);
    let json = appraisal_json(&server, &client);
    assert_eq!(json["editable"], false);
    assert!(json["closed_reason"].as_str().is_some_and(|reason| reason.contains("截止")));
}

#[test]
fn the_api_saves_uploads_submits_and_withdraws_on_the_same_rules() {
    let server = Server::demo();
    let clients = pledged(&server, &["刁彬彬"]);
    let client = &clients[0];
    let body = serde_json::json!({
        "title_grade": "中级", "title_name": "一级教师", "title_date": "2015-09-01",
        "research_direction": "职业教育", "major_college": "无", "major_bachelor": "机械工程",
        "major_graduate": "教育学", "applied_subject": "机械", "teaching_subject": "机械基础",
        "confirmed_instructions": true,
        "achievements": [{
            "title": "接口提交的专著", "level": "formal", "type_code": "monograph",
            "fields": {"published": "2019-05", "publisher": "高等教育出版社", "rank": "1/3", "cip": "1234"},
            "independent": true, "own_part": "全部"
        }]
    });
    let saved = client.put(server.url("/api/v1/me/appraisal")).json(&body).send().expect("save");
    assert_eq!(saved.status().as_u16(), 200);
    let saved: serde_json::Value = saved.json().expect("json");
    assert_eq!(saved["format_errors"][0]["field"], "achievements.0.fields.cip");
    // Submitting with the bad CIP and no files: 422 with every field; the values stay saved.
    let refused = client.post(server.url("/api/v1/me/appraisal/submit")).json(&body).send().expect("submit");
    assert_eq!(refused.status().as_u16(), 422);
    let refused: serde_json::Value = refused.json().expect("json");
    let fields: Vec<&str> =
        refused["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"achievements.0.fields.cip") && fields.contains(&"achievements.0.achievement_file"));
    assert!(fields.contains(&"achievements.0.evidence.formal"));
    // Uploads: raw bodies, streamed; the same content rules.
    let scan = client
        .put(server.url("/api/v1/me/appraisal/achievements/0/files/achievement_file?name=扫描.pdf"))
        .header("content-type", "application/octet-stream")
        .body(fixture_bytes("scan.pdf"))
        .send()
        .expect("upload scan");
    assert_eq!(scan.status().as_u16(), 422);
    assert!(text(scan).contains("不接受图片扫描转PDF格式"));
    for (slot, name, fixture) in
        [("achievement_file", "专著.pdf", "text.pdf"), ("evidence.formal", "CIP页.pdf", "scan.pdf")]
    {
        let uploaded = client
            .put(server.url(&format!("/api/v1/me/appraisal/achievements/0/files/{slot}?name={name}")))
            .header("content-type", "application/octet-stream")
            .body(fixture_bytes(fixture))
            .send()
            .expect("upload");
        assert_eq!(uploaded.status().as_u16(), 200, "{slot}");
    }
    let mut fixed = body.clone();
    fixed["achievements"][0]["fields"]["cip"] = "2019102034".into();
    let submitted = client.post(server.url("/api/v1/me/appraisal/submit")).json(&fixed).send().expect("submit");
    assert_eq!(submitted.status().as_u16(), 200, "{}", text(submitted));
    assert_eq!(appraisal_json(&server, client)["state"], "submitted");
    let withdrawn = client.post(server.url("/api/v1/me/appraisal/withdraw")).send().expect("withdraw");
    assert_eq!(withdrawn.status().as_u16(), 200);
    let json: serde_json::Value = withdrawn.json().expect("json");
    assert_eq!(json["state"], "draft");
    assert_eq!(json["achievements"][0]["achievement_file"]["name"], "专著.pdf");
    // The document lists the endpoints.
    let document: serde_json::Value =
        client.get(server.url("/api/openapi.json")).send().expect("doc").json().expect("json");
    for path in [
        "/me/appraisal",
        "/me/appraisal/submit",
        "/me/appraisal/withdraw",
        "/me/appraisal/achievements/{index}/files/{slot}",
        "/files/{sha256}",
    ] {
        assert!(document["paths"].get(path).is_some(), "missing {path}");
    }
}
