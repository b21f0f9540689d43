//! The refusals of the review chain: out of scope, out of order, after a deadline, a recused or blind-breaking
//! access, and the anonymisation gate holding a submission until the city decides.

use chrono::{Duration, Utc};
use zhiping::domain::org::OrgRef;
use zhiping::domain::submission::SubmissionState;

use super::chain::city_token;
use super::fixture::{Chain, docx_with, fixture};
use super::{page, post};
use crate::support::*;

#[test]
fn review_refuses_out_of_scope_and_out_of_order() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        let proof = seed.blob("证明.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book, proof));
    });
    let server = &chain.server;
    let from = format!("/review/submissions/{id}");
    let approve = format!("/review/submissions/{id}/approve");
    let confirmed = [("verification", "已核，与原件一致")];

    // Another school's admin: not in its list, not found, not approvable (page and API).
    let other = signed_in(server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    let list = page(server, &other, "/review");
    assert!(!list.contains("刁彬彬"));
    assert_eq!(other.get(server.url(&from)).send().expect("get").status().as_u16(), 404);
    let (status, _) = post(server, &other, "/review", &approve, &confirmed);
    assert_eq!(status, 404);
    let api = other
        .post(server.url(&format!("/api/v1/submissions/{id}/approve")))
        .json(&serde_json::json!({"confirmation": "已核，与原件一致"}))
        .send()
        .expect("api");
    assert_eq!(api.status().as_u16(), 404);
    assert_eq!(api.json::<serde_json::Value>().expect("json")["code"], "not_found");

    // Teachers and experts reach no review page.
    let teacher = first_login(server, &server.demo_username("刁彬彬"), "abc12345");
    assert_eq!(teacher.get(server.url("/review")).send().expect("get").status().as_u16(), 403);
    assert_eq!(teacher.get(server.url(&from)).send().expect("get").status().as_u16(), 404);
    let expert = first_login(server, &server.demo_username("赵堃"), "abc12345");
    assert_eq!(
        expert.get(server.url(&format!("/expert/submissions/{id}"))).send().expect("get").status().as_u16(),
        404
    );
    assert_eq!(
        expert.get(server.url(&format!("/api/v1/submissions/{id}"))).send().expect("get").status().as_u16(),
        404
    );

    // Out of order: the department cannot approve before the school; the city cannot accept, grade or publish.
    let department = signed_in(server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let schools: serde_json::Value =
        department.get(server.url("/api/v1/schools")).send().expect("schools").json().expect("json");
    let school_id = |name: &str| {
        schools.as_array().expect("array").iter().find(|s| s["name"] == name).expect("school")["id"]
            .as_u64()
            .expect("id")
    };
    let nanhu = page(server, &department, &format!("/review?school_id={}", school_id("上海市南湖职业学校")));
    let beihong = page(server, &department, &format!("/review?school_id={}", school_id("上海市北虹中等专业学校")));
    assert!(nanhu.contains("刁彬彬") && !beihong.contains("刁彬彬"), "the school filter");
    let (status, body) = post(server, &department, &from, &approve, &confirmed);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("待学校审核"));
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let token = city_token(server, &city);
    let api = reqwest::blocking::Client::new();
    let accept =
        api.post(server.url(&format!("/api/v1/submissions/{id}/accept"))).bearer_auth(&token).send().expect("accept");
    assert_eq!(accept.status().as_u16(), 409);
    let result = api
        .post(server.url(&format!("/api/v1/submissions/{id}/result")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"grade": "优秀", "opinion": "好"}))
        .send()
        .expect("result");
    assert_eq!(result.status().as_u16(), 409);
    // A school admin cannot act for the city.
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let auto = school.post(server.url("/api/v1/projects/1/auto-assign")).send().expect("auto");
    assert_eq!(auto.status().as_u16(), 403);
}

#[test]
fn deadlines_close_school_review_and_expert_appraisal() {
    let (mut waiting, mut reviewing) = (0, 0);
    let mut expert = String::new();
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        expert = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        waiting = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book.clone()));
        reviewing = seed.submit("陈昇", seed.filing("语文", "作文教学研究", book.clone(), book));
        seed.set_state(reviewing, SubmissionState::UnderReview);
        seed.assign(reviewing, &expert);
        seed.edit_project(|project| {
            project.school_review_end = Utc::now() - Duration::days(1);
            project.expert_review_end = Utc::now() - Duration::hours(1);
        });
    });
    let server = &chain.server;
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{waiting}");
    let (status, body) =
        post(server, &school, &from, &format!("{from}/approve"), &[("verification", "已核，与原件一致")]);
    assert_eq!(status, 409);
    assert!(body.contains("学校审核已于") && body.contains("截止"), "{body}");
    let (status, _) = post(server, &school, &from, &format!("{from}/return"), &[("reason", "太晚")]);
    assert_eq!(status, 409);

    let client = first_login(server, &expert, "abc12345");
    let view = page(server, &client, &format!("/expert/submissions/{reviewing}"));
    assert!(
        view.contains("专家评审已于") && view.contains("截止，不能再保存或提交") && !view.contains("name=\"grade\""),
        "the form is closed after the deadline and says so: {view}"
    );
    let late = client
        .put(server.url(&format!("/api/v1/expert/assignments/{reviewing}")))
        .json(&serde_json::json!({"grade": "优秀", "opinion": "迟到的意见", "submit": true}))
        .send()
        .expect("put");
    assert_eq!(late.status().as_u16(), 409);
    assert!(text(late).contains("专家评审已于"));
}

#[test]
fn the_anonymisation_gate_holds_a_submission_until_the_city_decides() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        seed.expert("吴评审", "31011519710202222", OrgRef::School(school), &["语文"]);
        let book = seed.blob("论文.docx", &docx_with("作者：刁彬彬 上海市南湖职业学校"), "docx");
        let proof = seed.blob("证明.doc", &fixture("sample.doc"), "doc");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book, proof));
        seed.set_state(id, SubmissionState::Accepted);
    });
    let server = &chain.server;
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let token = city_token(server, &city);
    let api = reqwest::blocking::Client::new();
    let accept: serde_json::Value = api
        .post(server.url(&format!("/api/v1/submissions/{id}/accept")))
        .bearer_auth(&token)
        .send()
        .expect("accept")
        .json()
        .expect("json");
    assert_eq!(accept["cleared"], false);
    let hits = accept["hits"].as_array().expect("hits");
    assert!(hits.iter().any(|hit| hit["file"] == "成果1·成果上传"
        && hit["found"].as_array().expect("found").iter().any(|f| f == "姓名")
        && hit["found"].as_array().expect("found").iter().any(|f| f == "学校名称")));
    assert!(hits.iter().any(|hit| hit["found"][0].as_str().unwrap_or("").contains("DOC")), "{accept}");

    // Flagged: no expert until the city decides.
    let project_id = super::chain::project_id(server, &token);
    let auto: serde_json::Value = api
        .post(server.url(&format!("/api/v1/projects/{project_id}/auto-assign")))
        .bearer_auth(&token)
        .send()
        .expect("auto")
        .json()
        .expect("json");
    assert_eq!(auto["assigned"], 0);
    let page_body = page(server, &city, &format!("/review/submissions/{id}"));
    assert!(page_body.contains("匿名检查发现身份信息") && page_body.contains("接受风险并受理"));

    let risk = api
        .post(server.url(&format!("/api/v1/submissions/{id}/accept-risk")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"note": "姓名出现在参考文献中"}))
        .send()
        .expect("risk");
    assert_eq!(risk.status().as_u16(), 200);
    let auto: serde_json::Value = api
        .post(server.url(&format!("/api/v1/projects/{project_id}/auto-assign")))
        .bearer_auth(&token)
        .send()
        .expect("auto")
        .json()
        .expect("json");
    assert_eq!(auto["assigned"], 2, "{auto}");
    let detail = page(server, &city, &format!("/review/submissions/{id}"));
    assert!(detail.contains("接受匿名风险：姓名出现在参考文献中"));
    assert!(detail.contains("评审中"));
}

/// SPEC §4 and the manual (会被退回，需要修改后重新提交): a submission returned after the filing window closed can
/// still be fixed and resubmitted while the school can review it; once the school's review has closed, it cannot.
#[test]
fn a_returned_submission_can_be_resubmitted_after_the_window_until_the_school_review_closes() {
    use zhiping::domain::submission::PledgeAcceptance;
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        let proof = seed.blob("证明.pdf", &fixture("scan.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book, proof));
        let mut submission = seed.submission(id);
        submission.state = SubmissionState::Returned;
        submission.pledge = Some(PledgeAcceptance {
            at: Utc::now() - Duration::days(3),
            address: "127.0.0.1".into(),
            text_version: "2026".into(),
            text_sha256: String::new(),
        });
        seed.store.write(|tx| tx.put(&submission)).expect("returned");
        seed.edit_project(|project| {
            project.filing_start = Utc::now() - Duration::days(30);
            project.filing_end = Utc::now() - Duration::days(1);
            project.school_review_end = Utc::now() + Duration::days(2);
        });
    });
    let server = &chain.server;
    let teacher = first_login(server, &server.demo_username("刁彬彬"), "abc12345");
    let form = page(server, &teacher, "/appraisal");
    assert!(form.contains("id=\"filing-form\"") && !form.contains("现仅可查看"), "editable after a return: {form}");
    super::file_and_submit(server, &teacher, "语文课程与教学", Vec::new());
    let resubmitted = appraisal_state(server, &teacher);
    assert_eq!(resubmitted, "submitted");
    // The school approves the fixed submission within its own deadline.
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, body) =
        post(server, &school, &from, &format!("{from}/approve"), &[("verification", "已核，与原件一致")]);
    assert_eq!(status, 303, "{body}");
}

#[test]
fn a_returned_submission_is_read_only_once_the_school_review_has_closed() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(id, SubmissionState::Returned);
        seed.edit_project(|project| {
            project.filing_start = Utc::now() - Duration::days(30);
            project.filing_end = Utc::now() - Duration::days(3);
            project.school_review_end = Utc::now() - Duration::days(1);
        });
    });
    let server = &chain.server;
    let teacher = first_login(server, &server.demo_username("刁彬彬"), "abc12345");
    let view = page(server, &teacher, "/appraisal");
    assert!(view.contains("退回修改已于") && view.contains("现仅可查看"), "{view}");
    assert!(!view.contains("id=\"filing-form\""));
    assert_eq!(appraisal_state(server, &teacher), "returned");
}

fn appraisal_state(server: &Server, client: &reqwest::blocking::Client) -> String {
    let json: serde_json::Value =
        client.get(server.url("/api/v1/me/appraisal")).send().expect("api").json().expect("json");
    json["state"].as_str().unwrap_or_default().to_string()
}

/// An expert assigned while the submission still waits for its other experts sees why it cannot grade yet — not
/// that the review is over — and the page and the API refuse the grade for that reason.
#[test]
fn an_expert_waiting_for_colleagues_is_told_so() {
    let mut waiting = 0;
    let mut expert = String::new();
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        expert = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        waiting = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(waiting, SubmissionState::Accepted);
        seed.assign(waiting, &expert);
    });
    let server = &chain.server;
    let client = first_login(server, &expert, "abc12345");
    let view = page(server, &client, &format!("/expert/submissions/{waiting}"));
    assert!(view.contains("该成果正在分配评审专家，分配完成后即可评审"), "{view}");
    assert!(!view.contains("评审已截止") && !view.contains("name=\"grade\""), "{view}");
    let early = client
        .put(server.url(&format!("/api/v1/expert/assignments/{waiting}")))
        .json(&serde_json::json!({"grade": "优秀", "opinion": "意见", "submit": false}))
        .send()
        .expect("put");
    assert_eq!(early.status().as_u16(), 409);
    assert!(text(early).contains("正在分配评审专家"));
    let api: serde_json::Value = client
        .get(server.url(&format!("/api/v1/expert/assignments/{waiting}")))
        .send()
        .expect("get")
        .json()
        .expect("json");
    assert_eq!(api["open"], false);
    assert_eq!(api["closed_reason"], "该成果正在分配评审专家，分配完成后即可评审");
}

/// Before the project's expert review window opens an expert can read its assignment but not grade it.
#[test]
fn an_expert_cannot_grade_before_the_review_window_opens() {
    let mut reviewing = 0;
    let mut expert = String::new();
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        expert = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        reviewing = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(reviewing, SubmissionState::UnderReview);
        seed.assign(reviewing, &expert);
        seed.edit_project(|project| project.expert_review_start = Utc::now() + Duration::days(2));
    });
    let server = &chain.server;
    let client = first_login(server, &expert, "abc12345");
    let view = page(server, &client, &format!("/expert/submissions/{reviewing}"));
    assert!(view.contains("专家评审将于") && view.contains("开始，届时方可保存或提交"), "{view}");
    assert!(!view.contains("name=\"grade\""), "no grade form before the window: {view}");
    let early = client
        .put(server.url(&format!("/api/v1/expert/assignments/{reviewing}")))
        .json(&serde_json::json!({"grade": "优秀", "opinion": "意见", "submit": true}))
        .send()
        .expect("put");
    assert_eq!(early.status().as_u16(), 409);
    assert!(text(early).contains("专家评审将于"));
}
