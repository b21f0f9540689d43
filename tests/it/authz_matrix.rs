//! The authorization matrix (issue 4): every page route of `web::PAGE_ROUTES` and every operation of the OpenAPI
//! document, for every role (and no one), in the role's own scope and in a foreign one, checked against the rule
//! each declares. The page router is built from that table, so a page cannot exist without its rule; an API
//! operation without a rule in `API_RULES` fails this test, and so does a rule whose operation is gone.
//!
//! Allowed means the request got past authorization: any answer but 401 / 403 / 404 (and, for pages, a redirect
//! to the login page). Denied means 401 / 403 / 404 or that redirect. Requests carry valid CSRF tokens and
//! well-formed bodies, so what is measured is the authorization decision, not input parsing.

use std::collections::BTreeSet;

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use zhiping::web::{Body, PAGE_ROUTES, Scope};

use crate::admin_support::*;
use crate::authz_rules::{API_RULES, Payload};
use crate::authz_world::{Who, World, setup};
use crate::support::*;

fn page_denied(path: &str, response: &Response) -> bool {
    let status = response.status().as_u16();
    // `/logout` answers everyone with the way back to the login page.
    let to_login = location(response) == "/login" && path != "/logout";
    matches!(status, 403 | 404) || to_login
}

#[test]
fn every_page_route_for_every_role_in_own_and_foreign_scope() {
    let world = setup();
    let server = &world.server;
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in PAGE_ROUTES {
        for who in Who::ALL {
            for (own, value) in world.targets(who, route.scope) {
                let path = world.fill(route.path, route.scope, &value);
                let fresh;
                let (client, csrf) = if route.path == "/logout" && who != Who::Anonymous {
                    // Signing out ends the session: use a session of its own.
                    let (username, password) = &world.credentials[&who];
                    let client = signed_in(server, username, password);
                    let csrf = csrf_at(server, &client, "/");
                    fresh = (client, csrf);
                    (&fresh.0, &fresh.1)
                } else {
                    let (client, csrf) = &world.clients[&who];
                    (client, csrf)
                };
                let url = server.url(&path);
                let response = match route.body {
                    Body::None => client.get(&url).send(),
                    Body::Form => {
                        let school = world.nanhu.to_string();
                        let project = world.project_id.to_string();
                        let form = [("csrf", csrf.as_str()), ("school_id", &school), ("project_id", &project)];
                        client.post(&url).form(&form).send()
                    }
                    Body::Upload => {
                        let (content_type, body) =
                            multipart(&[("csrf", csrf.as_str())], "t.csv", "身份证号\n".as_bytes());
                        // A refused upload is answered before its body is read; the server then closes the
                        // connection, so this request must not leave it in the pool for the next one.
                        client
                            .post(&url)
                            .header("content-type", content_type)
                            .header("connection", "close")
                            .body(body)
                            .send()
                    }
                }
                .expect("request");
                let expected_allowed = route.access.allows(who.role()) && own;
                let denied = page_denied(route.path, &response);
                checked += 1;
                if denied == expected_allowed {
                    failures.push(format!(
                        "{} {path} as {who:?} ({}): expected {}, got {} {}",
                        route.method,
                        if own { "own" } else { "foreign" },
                        if expected_allowed { "allowed" } else { "denied" },
                        response.status().as_u16(),
                        location(&response)
                    ));
                }
            }
        }
    }
    assert!(checked > 300, "the matrix ran {checked} requests");
    assert!(failures.is_empty(), "{} of {checked} page checks failed:\n{}", failures.len(), failures.join("\n"));
}

/// Every (method, path) of the OpenAPI document.
fn document_operations(server: &Server) -> BTreeSet<(String, String)> {
    let document: Value = reqwest::blocking::get(server.url("/api/openapi.json")).expect("spec").json().expect("json");
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            operations.insert((method.clone(), path.clone()));
        }
    }
    operations
}

fn api_call(world: &World, who: Who, method: &str, path: &str, payload: Payload, bearer: Option<&str>) -> Response {
    let url = world.server.url(&format!("/api/v1{path}"));
    let (client, use_token) = match (who, bearer) {
        (_, Some(token)) => (Client::new(), Some(token.to_string())),
        (Who::Anonymous, None) => (Client::new(), None),
        (Who::Expert | Who::Teacher, None) => (world.clients[&who].0.clone(), None),
        (admin, None) => (Client::new(), Some(world.tokens[&admin].clone())),
    };
    let mut request = match method {
        "get" => client.get(&url),
        "post" => client.post(&url),
        "put" => client.put(&url),
        other => panic!("no rule knows the method {other}"),
    };
    if let Some(token) = use_token {
        request = request.bearer_auth(token);
    }
    request = match payload {
        Payload::Empty => request,
        Payload::Json(body) => request.json(&body),
        Payload::Bytes(bytes) => {
            request.header("content-type", "application/octet-stream").header("connection", "close").body(bytes)
        }
    };
    request.send().expect("api request")
}

#[test]
fn every_api_operation_for_every_role_in_own_and_foreign_scope() {
    let world = setup();
    let documented = document_operations(&world.server);
    let ruled: BTreeSet<(String, String)> =
        API_RULES.iter().map(|rule| (rule.method.to_string(), rule.path.to_string())).collect();
    let missing: Vec<_> = documented.difference(&ruled).collect();
    assert!(missing.is_empty(), "operations without an authorization rule: {missing:?}");
    let stale: Vec<_> = ruled.difference(&documented).collect();
    assert!(stale.is_empty(), "rules for operations that no longer exist: {stale:?}");

    let mut failures = Vec::new();
    let mut checked = 0;
    let mut counter = 0;
    for rule in API_RULES {
        for who in Who::ALL {
            for (own, value) in world.targets(who, rule.scope) {
                counter += 1;
                let path = if rule.scope == Scope::School && !rule.path.contains("{id}") {
                    format!("{}?school_id={value}", rule.path)
                } else {
                    world.fill_api(rule.path, &value)
                };
                let path = match rule.path {
                    "/teachers/import" => format!("{path}?dry_run=true"),
                    "/uploads" => format!("{path}?name=matrix.txt"),
                    _ => path,
                };
                let response = api_call(&world, who, rule.method, &path, (rule.body)(&world, counter, &value), None);
                let status = response.status().as_u16();
                let denied = matches!(status, 401 | 403 | 404);
                let expected_allowed = rule.access.allows(who.role()) && own;
                checked += 1;
                if denied == expected_allowed || status >= 500 {
                    failures.push(format!(
                        "{} {path} as {who:?} ({}): expected {}, got {status} {}",
                        rule.method,
                        if own { "own" } else { "foreign" },
                        if expected_allowed { "allowed" } else { "denied" },
                        response.text().unwrap_or_default().chars().take(200).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(checked > 200, "the matrix ran {checked} requests");
    assert!(failures.is_empty(), "{} of {checked} API checks failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_revoked_token_opens_no_operation() {
    let world = setup();
    let city = signed_in(&world.server, "admin", ADMIN_PASSWORD);
    let token = token_for(&world.server, &city, "将吊销");
    let api = Api::new(&world.server, &token);
    let listed = api.json("/tokens");
    let id = listed.as_array().expect("tokens").iter().find(|t| t["name"] == "将吊销").expect("token")["id"].clone();
    assert_eq!(api.post(&format!("/tokens/{id}/revoke"), &json!({})).status().as_u16(), 200);
    let mut counter = 500;
    // Public operations take no credentials, so a revoked token changes nothing for them.
    for rule in API_RULES.iter().filter(|rule| rule.access != zhiping::web::Access::Public) {
        counter += 1;
        let value = world.targets(Who::City, rule.scope)[0].1.clone();
        let path = world.fill_api(rule.path, &value);
        let response =
            api_call(&world, Who::City, rule.method, &path, (rule.body)(&world, counter, &value), Some(&token));
        assert_eq!(response.status().as_u16(), 401, "{} {path} with a revoked token", rule.method);
        assert_eq!(response.json::<Value>().expect("json")["code"], "unauthenticated");
    }
}
