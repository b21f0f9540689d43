//! 提前开始专家评审 (issue 15): the expert window is a default, not a lock. The city opens expert review for the
//! submissions that reached it before the window; their experts grade at once. Only the city may (pages and API
//! answer 403 to everyone else), and the opening is in the audit log.

use chrono::{Duration, Utc};
use zhiping::domain::org::OrgRef;
use zhiping::domain::submission::SubmissionState;

use super::fixture::{Chain, fixture};
use super::{page, post};
use crate::support::*;

#[test]
fn the_city_opens_expert_review_early_and_the_expert_grades_before_the_window() {
    let (mut reviewing, mut project_id) = (0, 0);
    let mut expert = String::new();
    let mut chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        expert = seed.expert("钱评审", "31011519700101111", OrgRef::School(school), &["语文"]);
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        reviewing = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(reviewing, SubmissionState::UnderReview);
        seed.assign(reviewing, &expert);
        seed.edit_project(|project| project.expert_review_start = Utc::now() + Duration::days(10));
        project_id = seed.project().id;
    });
    let server = &chain.server;
    let expert_client = first_login(server, &expert, "abc12345");
    let path = format!("/expert/submissions/{reviewing}");
    assert!(page(server, &expert_client, &path).contains("届时方可保存或提交"), "closed before the window");

    // Nobody but the city may open it: the page answers 403, so does the API.
    let project = project_id.to_string();
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let department = signed_in(server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let teacher = first_login(server, &server.demo_username("陈昇"), "abc12345");
    for (who, client) in
        [("school", &school), ("department", &department), ("expert", &expert_client), ("teacher", &teacher)]
    {
        let (status, _) = post(server, client, "/", "/review/open-expert-review", &[("project_id", project.as_str())]);
        assert_eq!(status, 403, "{who} opened expert review on the page");
        let api =
            client.post(server.url(&format!("/api/v1/projects/{project_id}/open-expert-review"))).send().expect("api");
        assert_eq!(api.status().as_u16(), 403, "{who} opened expert review through the API");
    }
    assert!(page(server, &expert_client, &path).contains("届时方可保存或提交"), "still closed after the refusals");

    // The city: the button on 成果受理与评审, then the expert grades.
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let list = page(server, &city, &format!("/review?project_id={project_id}"));
    assert!(list.contains("action=\"/review/open-expert-review\"") && list.contains("提前开始专家评审"), "{list}");
    let from = format!("/review?project_id={project_id}");
    let (status, body) = post(server, &city, &from, "/review/open-expert-review", &[("project_id", project.as_str())]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("已提前开始专家评审：1 份成果"), "{body}");
    let view = page(server, &expert_client, &path);
    assert!(view.contains("name=\"grade\"") && !view.contains("届时方可保存或提交"), "open now: {view}");
    let graded = expert_client
        .put(server.url(&format!("/api/v1/expert/assignments/{reviewing}")))
        .json(&serde_json::json!({"grade": "优秀", "opinion": "论证充分。", "submit": true}))
        .send()
        .expect("grade");
    assert_eq!(graded.status().as_u16(), 200, "{}", text(graded));
    // Nothing is left to open: a second opening says so (the API as the city).
    let again =
        city.post(server.url(&format!("/api/v1/projects/{project_id}/open-expert-review"))).send().expect("api");
    assert_eq!(again.status().as_u16(), 409);

    // In the audit log: who opened which project, for how many (the demo's own openings are the platform's).
    chain.server.stop();
    let opened = audit_entries(&chain.server.data, "review.open_early");
    let by_city: Vec<_> = opened.iter().filter(|entry| entry.target == format!("project:{project_id}")).collect();
    assert!(
        by_city
            .iter()
            .any(|entry| entry.actor_name == "市级管理员" && entry.detail.contains("提前开始专家评审：1份成果")),
        "{opened:?}"
    );
}

fn audit_entries(data: &std::path::Path, action: &str) -> Vec<zhiping::domain::audit::AuditEntry> {
    use zhiping::store::{Reader, Store, tables};
    let store = Store::open(&data.join("zhiping.redb")).expect("open store");
    let read = store.read().expect("read");
    let mut keep = |entry: &zhiping::domain::audit::AuditEntry| entry.action == action;
    read.range(tables::AUDIT, false, usize::MAX, &mut keep).expect("audit")
}
