//! Assignment after acceptance: an expert declines and the city tops the submission up with another (never the
//! same one), the city's progress page, a project without 主管部门审核, and the API document.

use zhiping::domain::org::OrgRef;
use zhiping::domain::submission::SubmissionState;

use super::chain::{city_token, project_id};
use super::fixture::{Chain, fixture};
use super::{page, post};
use crate::support::*;

#[test]
fn a_declined_expert_is_replaced_and_progress_shows_it() {
    let mut id = 0;
    let mut experts = Vec::new();
    let chain = Chain::start(|seed| {
        let (_, school) = seed.other_department("上海市浦东新区教育局", "上海市浦东职业学校");
        for (name, first17) in
            [("钱评审", "31011519700101111"), ("吴评审", "31011519710202222"), ("郑评审", "31011519720303333")]
        {
            experts.push((name, seed.expert(name, first17, OrgRef::School(school), &["语文"])));
        }
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.set_state(id, SubmissionState::Accepted);
    });
    let server = &chain.server;
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let token = city_token(server, &city);
    let api = reqwest::blocking::Client::new();
    let accepted: serde_json::Value = api
        .post(server.url(&format!("/api/v1/submissions/{id}/accept")))
        .bearer_auth(&token)
        .send()
        .expect("accept")
        .json()
        .expect("json");
    assert_eq!(accepted["cleared"], true, "{accepted}");
    let project = project_id(server, &token);
    let auto = |expected: u64| {
        let outcome: serde_json::Value = api
            .post(server.url(&format!("/api/v1/projects/{project}/auto-assign")))
            .bearer_auth(&token)
            .send()
            .expect("auto")
            .json()
            .expect("json");
        assert_eq!(outcome["assigned"], expected, "{outcome}");
    };
    auto(2);
    let active = |token: &str| -> Vec<String> {
        let list: serde_json::Value = api
            .get(server.url(&format!("/api/v1/submissions/{id}/assignments")))
            .bearer_auth(token)
            .send()
            .expect("assignments")
            .json()
            .expect("json");
        list.as_array()
            .expect("array")
            .iter()
            .filter(|a| a["status"] != "已退出")
            .map(|a| a["expert_name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let first = active(&token);
    assert_eq!(first.len(), 2);
    // The balanced choice is the two least-loaded (lowest id on a tie): 钱评审 and 吴评审.
    assert!(first.contains(&"钱评审".to_string()) && first.contains(&"吴评审".to_string()), "{first:?}");

    // 钱评审 declines on its page; it no longer reaches the submission.
    let (_, username) = &experts[0];
    let expert = first_login(server, username, "abc12345");
    let path = format!("/expert/submissions/{id}");
    let (status, body) =
        post(server, &expert, &path, &format!("{path}/decline"), &[("reason", "与申报人有合作关系，申请回避")]);
    assert_eq!(status, 303, "{body}");
    assert_eq!(expert.get(server.url(&path)).send().expect("get").status().as_u16(), 404);

    // The top-up picks the third expert, never the one who declined.
    auto(1);
    let now = active(&token);
    assert!(now.contains(&"郑评审".to_string()) && !now.contains(&"钱评审".to_string()), "{now:?}");
    let progress = page(server, &city, &format!("/review/results?project_id={project}"));
    assert!(progress.contains("专家评审进度") && progress.contains("郑评审") && progress.contains("钱评审"));
}

#[test]
fn without_department_review_the_school_approval_is_the_last_admin_step() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book.clone(), book));
        seed.edit_project(|project| project.department_review = false);
    });
    let server = &chain.server;
    let school = signed_in(server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let from = format!("/review/submissions/{id}");
    let (status, body) =
        post(server, &school, &from, &format!("{from}/approve"), &[("verification", "已核，与原件一致")]);
    assert_eq!(status, 303, "{body}");
    assert!(body.contains("待分配专家"), "goes straight to acceptance");
    let department = signed_in(server, "hongkou_admin", DEMO_ADMIN_PASSWORD);
    let list = page(server, &department, "/review?state=school_approved");
    assert!(!list.contains("刁彬彬"));

    // 全部受理 runs the anonymisation gate over every waiting submission of the project.
    let city = signed_in(server, "admin", ADMIN_PASSWORD);
    let token = city_token(server, &city);
    let project = project_id(server, &token).to_string();
    let (status, body) = post(server, &city, "/review", "/review/accept-all", &[("project_id", project.as_str())]);
    assert_eq!(status, 303, "{body}");
    // This one and the demo's own submission waiting for 受理 (何平).
    assert!(body.contains("已受理 2 份"), "{body}");
    let detail = page(server, &city, &format!("/review/submissions/{id}"));
    assert!(detail.contains("匿名检查通过"), "{detail}");
}

#[test]
fn the_api_document_lists_the_review_endpoints() {
    let server = Server::demo();
    let document: serde_json::Value =
        server.client().get(server.url("/api/openapi.json")).send().expect("spec").json().expect("json");
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/submissions",
        "/submissions/{id}",
        "/submissions/{id}/history",
        "/submissions/{id}/approve",
        "/submissions/{id}/return",
        "/submissions/{id}/accept",
        "/submissions/{id}/assignments",
        "/projects/{id}/auto-assign",
        "/projects/{id}/open-expert-review",
        "/submissions/{id}/result",
        "/projects/{id}/publish",
        "/projects/{id}/results",
        "/projects/{id}/results.xlsx",
        "/expert/assignments/{id}",
        "/messages",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
}
