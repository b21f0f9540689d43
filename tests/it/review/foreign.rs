//! Every route that names a submission — pages and API, read and write — refuses whoever is outside its scope:
//! another school's admin, a colleague of the same school, another school's teacher, and experts who are not
//! assigned to it. The routes are enumerated from `web::PAGE_ROUTES` and the OpenAPI document, so a route added
//! later is covered without editing this test. The refusal must come before any other check (state, form
//! fields), so a stranger learns nothing from the answer, and no answer carries the teacher's name.

use serde_json::Value;
use zhiping::web::{Body, PAGE_ROUTES};

use super::chain::city_token;
use super::fixture::{Chain, fixture};
use crate::support::*;

/// The page and API paths that take a submission id (`:id` / `{id}`) as their record.
fn is_submission_route(path: &str) -> bool {
    [
        "/review/submissions/",
        "/print/registration/",
        "/print/opinion/",
        "/expert/submissions/",
        "/submissions/",
        "/expert/assignments/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

fn fill(path: &str, id: u64) -> String {
    path.replace(":id", &id.to_string())
        .replace("{id}", &id.to_string())
        .replace(":expert_id", "1")
        .replace("{expert_id}", "1")
        .replace(":number", "0")
        .replace("{number}", "0")
}

#[test]
fn no_route_that_names_a_submission_answers_outside_its_scope() {
    let mut id = 0;
    let chain = Chain::start(|seed| {
        let book = seed.blob("专著.pdf", &fixture("text.pdf"), "pdf");
        let proof = seed.blob("证明.pdf", &fixture("text.pdf"), "pdf");
        id = seed.submit("刁彬彬", seed.filing("语文", "课堂教学研究", book, proof));
    });
    let server = &chain.server;

    let other_school_admin = signed_in(server, "beihong_admin", DEMO_ADMIN_PASSWORD);
    let colleague = first_login(server, &server.demo_username("陈昇"), "abc12345");
    let other_teacher = first_login(server, &server.demo_username("张琳"), "abc12345");
    let expert = first_login(server, &server.demo_username("赵堃"), "abc12345");
    let strangers = [
        ("另一学校的管理员", &other_school_admin),
        ("同校的另一位教师", &colleague),
        ("另一学校的教师", &other_teacher),
        ("未分配的专家", &expert),
    ];

    let mut checked = 0;
    let mut failures = Vec::new();
    let mut judge = |who: &str, what: String, status: u16, body: &str| {
        checked += 1;
        if !matches!(status, 403 | 404) || body.contains("刁彬彬") || body.contains("课堂教学研究") {
            failures.push(format!("{who}: {what} → {status}: {}", body.chars().take(160).collect::<String>()));
        }
    };

    // Pages, with a valid CSRF token so only the scope can refuse a POST: once with a complete form, once with
    // empty fields (which must not be judged before the scope is).
    for (who, client) in strangers {
        let csrf = csrf_of(&text(client.get(server.url("/")).send().expect("home")));
        for route in PAGE_ROUTES.iter().filter(|route| is_submission_route(route.path)) {
            let path = fill(route.path, id);
            for filled in [true, false] {
                let value = |text: &'static str| if filled { text } else { "" };
                let response = match route.body {
                    Body::None => client.get(server.url(&path)).send(),
                    Body::Form | Body::Upload => client
                        .post(server.url(&path))
                        .form(&[
                            ("csrf", csrf.as_str()),
                            ("verification", value("已核，与原件一致")),
                            ("reason", value("材料不全")),
                            ("grade", value("优秀")),
                            ("opinion", value("好")),
                        ])
                        .send(),
                }
                .expect("page request");
                let status = response.status().as_u16();
                judge(who, format!("{} {path} (filled: {filled})", route.method), status, &text(response));
            }
        }
    }

    // The API, with the other school admin's bearer token (tokens are for admins only).
    let token = city_token(server, &other_school_admin);
    let api = reqwest::blocking::Client::new();
    let document: Value = api.get(server.url("/api/openapi.json")).send().expect("doc").json().expect("json");
    let paths = document["paths"].as_object().expect("paths");
    let mut api_routes = 0;
    for (path, operations) in paths.iter().filter(|(path, _)| is_submission_route(path) && path.contains("{id}")) {
        for method in operations.as_object().expect("operations").keys() {
            api_routes += 1;
            let url = server.url(&format!("/api/v1{}", fill(path, id)));
            let request = match method.as_str() {
                "get" => api.get(&url),
                "post" => api.post(&url),
                "put" => api.put(&url),
                "delete" => api.delete(&url),
                other => panic!("unexpected method {other} on {path}"),
            };
            // Well-formed JSON twice: complete, and with empty values that must not be judged before the scope.
            for filled in [true, false] {
                let value = |text: &str| if filled { text.to_string() } else { String::new() };
                let body = serde_json::json!({
                    "confirmation": value("已核，与原件一致"), "reason": value("材料不全"), "grade": value("优秀"),
                    "opinion": value("好"), "submit": false, "expert_id": 1
                });
                let request = request.try_clone().expect("clone");
                let response = request.bearer_auth(&token).json(&body).send().expect("api request");
                let status = response.status().as_u16();
                judge(
                    "另一学校的管理员（接口）",
                    format!("{method} {path} (filled: {filled})"),
                    status,
                    &text(response),
                );
            }
        }
    }
    assert!(api_routes >= 8, "the OpenAPI document names {api_routes} submission operations");
    assert!(checked >= 40, "only {checked} requests were checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} requests answered outside scope:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_teachers_own_lists_refuse_every_other_role() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let token = city_token(&server, &admin);
    let api = reqwest::blocking::Client::new();
    for path in ["/api/v1/messages", "/api/v1/me/results"] {
        let response = api.get(server.url(path)).bearer_auth(&token).send().expect("api");
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert_eq!(response.json::<Value>().expect("json")["code"], "forbidden", "{path}");
    }
    assert_eq!(admin.get(server.url("/messages")).send().expect("page").status().as_u16(), 403);
    let teacher = first_login(&server, &server.demo_username("刁彬彬"), "abc12345");
    assert_eq!(teacher.get(server.url("/api/v1/messages")).send().expect("api").status().as_u16(), 200);
    assert_eq!(teacher.get(server.url("/api/v1/me/results")).send().expect("api").status().as_u16(), 200);
}
