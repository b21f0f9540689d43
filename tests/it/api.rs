//! SPEC §10: the OpenAPI document, bearer tokens, JSON errors with stable codes.

use crate::support::*;

#[test]
fn the_openapi_document_lists_the_endpoints_and_swagger_is_served() {
    let server = Server::demo();
    let client = server.client();
    let document: serde_json::Value =
        client.get(server.url("/api/openapi.json")).send().expect("spec").json().expect("json");
    let paths = document["paths"].as_object().expect("paths");
    for path in [
        "/me",
        "/departments",
        "/schools",
        "/schools/{id}/teachers",
        "/teachers",
        "/teachers/{id}",
        "/accounts/{id}/reset-password",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
    let schemes = document["components"]["securitySchemes"].as_object().expect("security schemes");
    assert!(schemes.values().any(|scheme| scheme["scheme"] == "bearer"));
    let docs = client.get(server.url("/api/docs/")).send().expect("docs");
    assert_eq!(docs.status().as_u16(), 200);
    assert!(text(docs).to_lowercase().contains("swagger"));
}

#[test]
fn bearer_tokens_carry_the_admins_scope_and_can_be_revoked() {
    let server = Server::demo();
    let admin = signed_in(&server, "nanhu_admin", DEMO_ADMIN_PASSWORD);
    let page = text(admin.get(server.url("/admin/tokens")).send().expect("page"));
    let csrf = csrf_of(&page);
    let created = text(
        admin
            .post(server.url("/admin/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "人事系统")])
            .send()
            .expect("create"),
    );
    let start = created.find("zp_").expect("token shown");
    let token = created[start..start + 67].to_string();

    let api = reqwest::blocking::Client::new();
    let me: serde_json::Value =
        api.get(server.url("/api/v1/me")).bearer_auth(&token).send().expect("me").json().expect("json");
    assert_eq!(me["role"], "school_admin");
    assert_eq!(me["username"], "nanhu_admin");
    // Shown once: the list page no longer holds it, but shows the last-used time.
    let list = text(admin.get(server.url("/admin/tokens")).send().expect("list"));
    assert!(!list.contains(&token));
    assert!(list.contains("人事系统") && list.contains("最近使用"));

    let token_id = {
        let marker = "/admin/tokens/";
        let start = list.find(marker).expect("revoke form") + marker.len();
        list[start..].split('/').next().expect("id").to_string()
    };
    let csrf = csrf_of(&list);
    let revoked = admin
        .post(server.url(&format!("/admin/tokens/{token_id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .expect("revoke");
    assert_eq!(revoked.status().as_u16(), 200);
    let refused = api.get(server.url("/api/v1/me")).bearer_auth(&token).send().expect("me");
    assert_eq!(refused.status().as_u16(), 401);
    let body: serde_json::Value = refused.json().expect("json");
    assert_eq!(body["code"], "unauthenticated");
}

#[test]
fn bad_input_gets_json_errors_with_stable_codes_never_5xx() {
    let server = Server::demo();
    let api = reqwest::blocking::Client::new();
    let anonymous = api.get(server.url("/api/v1/me")).send().expect("me");
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(anonymous.json::<serde_json::Value>().expect("json")["code"], "unauthenticated");
    let garbage = api.get(server.url("/api/v1/me")).bearer_auth("zp_nonsense").send().expect("me");
    assert_eq!(garbage.status().as_u16(), 401);

    let admin = signed_in(&server, "admin", ADMIN_PASSWORD);
    let not_number = admin.get(server.url("/api/v1/teachers/abc")).send().expect("get");
    assert_eq!(not_number.status().as_u16(), 400);
    assert_eq!(not_number.json::<serde_json::Value>().expect("json")["code"], "bad_request");
    let broken_json = admin
        .post(server.url("/api/v1/teachers"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .expect("post");
    assert_eq!(broken_json.status().as_u16(), 400);
    // Scope is checked before validation (an unknown school answers 404, below), so validate in a real school.
    let schools: serde_json::Value =
        admin.get(server.url("/api/v1/schools")).send().expect("schools").json().expect("json");
    let school_id =
        schools.as_array().and_then(|list| list.first()).map(|school| school["id"].clone()).expect("a school");
    let invalid = admin
        .post(server.url("/api/v1/teachers"))
        .json(&serde_json::json!({"school_id": school_id, "id_number": "123", "name": "", "education": "x", "degree": "y"}))
        .send()
        .expect("post");
    assert_eq!(invalid.status().as_u16(), 422);
    let body: serde_json::Value = invalid.json().expect("json");
    assert_eq!(body["code"], "invalid", "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("fields in {body}"))
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["id_number", "name", "education", "degree"]);
    let unknown_school = admin
        .post(server.url("/api/v1/teachers"))
        .json(&serde_json::json!({"school_id": 999999, "id_number": id_number("31010419900101123"), "name": "某某", "education": "本科", "degree": "学士"}))
        .send()
        .expect("post");
    assert_eq!(unknown_school.status().as_u16(), 404);
    let bad_type = admin
        .post(server.url("/api/v1/schools"))
        .json(&serde_json::json!({"name": "某学校", "department_id": 1, "school_type": "gaozhong"}))
        .send()
        .expect("post");
    // Outside the documented enum: refused while parsing, like any wrong type.
    assert_eq!(bad_type.status().as_u16(), 400);
    assert_eq!(bad_type.json::<serde_json::Value>().expect("json")["code"], "bad_request");
    let missing = admin.get(server.url("/api/v1/nothing-here")).send().expect("get");
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(missing.json::<serde_json::Value>().expect("json")["code"], "not_found");
}
