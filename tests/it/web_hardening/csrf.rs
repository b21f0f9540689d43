//! Finding 6: the API took the page session cookie on state-changing calls from any origin. Now such a call must
//! name this site in `Origin` (or `Referer`), or carry the session's CSRF token in `X-CSRF-Token`; bearer-token
//! calls need neither.

use reqwest::blocking::{Client, Response};
use reqwest::header::{ORIGIN, REFERER};
use serde_json::{Value, json};

use crate::admin_support::*;
use crate::support::*;

const EVIL: &str = "http://evil.example";

fn refused(response: Response, what: &str) {
    assert_eq!(response.status().as_u16(), 403, "{what}");
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "csrf_failed", "{what}: {body}");
}

#[test]
fn cookie_calls_from_another_origin_are_refused_and_change_nothing() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let teacher = city.teacher_named("刁彬彬");
    let id = teacher["id"].as_u64().expect("id");
    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let url = |path: &str| server.url(&format!("/api/v1{path}"));

    let reset = admin.post(url(&format!("/accounts/{id}/reset-password"))).header(ORIGIN, EVIL).send().expect("reset");
    refused(reset, "reset-password from another origin");
    let disable = admin.post(url(&format!("/teachers/{id}/disable"))).header(ORIGIN, EVIL).send().expect("disable");
    refused(disable, "disable from another origin");
    let create = admin.post(url("/departments")).header(ORIGIN, EVIL).json(&json!({"name": "跨站区教育局"})).send();
    refused(create.expect("create"), "create from another origin");
    assert_eq!(city.json(&format!("/teachers/{id}"))["disabled"], false, "nothing changed");
    let departments = city.json("/departments");
    assert!(!departments.to_string().contains("跨站区教育局"), "nothing created");
    // Reading is not affected.
    let read = admin.get(url("/me")).header(ORIGIN, EVIL).send().expect("read");
    assert_eq!(read.status().as_u16(), 200);

    // From this site (the client names it as its origin, as a browser on its pages does): accepted.
    let disabled = admin.post(url(&format!("/teachers/{id}/disable"))).send().expect("disable");
    assert_eq!(disabled.status().as_u16(), 200, "{}", text(disabled));
    assert_eq!(city.json(&format!("/teachers/{id}"))["disabled"], true);
    // A bearer token needs no origin at all, whatever the header says.
    let enabled = reqwest::blocking::Client::new()
        .post(url(&format!("/teachers/{id}/enable")))
        .bearer_auth(&city.token)
        .header(ORIGIN, EVIL)
        .send()
        .expect("enable");
    assert_eq!(enabled.status().as_u16(), 200, "{}", text(enabled));
    assert_eq!(city.json(&format!("/teachers/{id}"))["disabled"], false);
}

#[test]
fn without_origin_the_referer_or_the_csrf_header_must_show_this_site() {
    let server = Server::demo();
    // A client that sends no Origin of its own.
    let client =
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client");
    assert_eq!(login(&server, &client, "admin", ADMIN_PASSWORD).status().as_u16(), 303);
    let create = |name: &str| client.post(server.url("/api/v1/departments")).json(&json!({ "name": name }));

    refused(create("无来源区教育局").send().expect("bare"), "neither Origin nor Referer");
    refused(create("外站区教育局").header(REFERER, format!("{EVIL}/page")).send().expect("evil"), "foreign Referer");
    let wrong_token = create("错令牌区教育局").header("x-csrf-token", "0".repeat(64)).send().expect("token");
    refused(wrong_token, "a wrong CSRF token");

    let own = create("本站区教育局").header(REFERER, server.url("/admin/orgs")).send().expect("own referer");
    assert_eq!(own.status().as_u16(), 200, "{}", text(own));
    let csrf = csrf_of(&text(client.get(server.url("/admin/orgs")).send().expect("page")));
    let with_token = create("令牌区教育局").header("x-csrf-token", csrf).send().expect("token");
    assert_eq!(with_token.status().as_u16(), 200, "{}", text(with_token));
}
