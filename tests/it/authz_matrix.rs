//! The authorization matrix (issue 4): every page route of `web::PAGE_ROUTES` and every operation of the OpenAPI
//! document, for every role (and no one), in the role's own scope and in a foreign one, checked against the rule
//! each declares. The page router is built from that table, so a page cannot exist without its rule; an API
//! operation without a rule in `API_RULES` fails this test, and so does a rule whose operation is gone.
//!
//! Allowed means the request got past authorization: any answer but 401 / 403 / 404 (and, for pages, a redirect
//! to the login page). Denied means 401 / 403 / 404 or that redirect. Requests carry valid CSRF tokens and
//! well-formed bodies, so what is measured is the authorization decision, not input parsing.

use std::collections::{BTreeSet, HashMap};

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use zhiping::domain::account::Role;
use zhiping::web::{Body, PAGE_ROUTES, Scope};

use crate::admin_support::*;
use crate::authz_rules::{API_RULES, Payload};
use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    City,
    Department,
    School,
    Expert,
    Teacher,
}

impl Who {
    const ALL: [Who; 6] = [Who::Anonymous, Who::City, Who::Department, Who::School, Who::Expert, Who::Teacher];

    fn role(self) -> Option<Role> {
        match self {
            Who::Anonymous => None,
            Who::City => Some(Role::CityAdmin),
            Who::Department => Some(Role::DepartmentAdmin),
            Who::School => Some(Role::SchoolAdmin),
            Who::Expert => Some(Role::Expert),
            Who::Teacher => Some(Role::Teacher),
        }
    }
}

/// The world the matrix runs in: the demo plus a foreign department, victims to act on, and a signed-in client
/// (and, for admins, an API token) per role.
pub struct World {
    pub server: Server,
    pub clients: HashMap<Who, (Client, String)>,
    pub credentials: HashMap<Who, (String, String)>,
    pub tokens: HashMap<Who, String>,
    pub victim_tokens: HashMap<Who, u64>,
    pub hongkou: u64,
    pub pudong_department: u64,
    pub nanhu: u64,
    pub beihong: u64,
    pub pudong_school: u64,
    pub victim_nanhu: u64,
    pub victim_beihong: u64,
    pub victim_pudong: u64,
    pub expert: u64,
    pub project: Value,
    pub project_id: u64,
}

fn setup() -> World {
    let server = Server::start(Options::demo().env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "100000"));
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let foreign = make_foreign(&city);
    let nanhu = city.school_id(NANHU);
    let beihong = city.school_id(BEIHONG);
    let victim_nanhu = open_teacher(&city, nanhu, "31010119850101001", "南湖受测");
    let victim_beihong = open_teacher(&city, beihong, "31010119850101002", "北虹受测");
    let hongkou = city
        .json("/departments")
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["name"] == HONGKOU)
        .expect("hongkou")["id"]
        .as_u64()
        .expect("id");
    let experts = city.json("/experts");
    let expert =
        experts["items"].as_array().expect("experts").iter().find(|e| e["name"] == "孙明").expect("孙明")["id"]
            .as_u64()
            .expect("id");
    let project_id = city.project_id();
    let project = city.json(&format!("/projects/{project_id}"));
    let expert_name = server.demo_username("赵堃");
    let teacher_name = server.demo_username("刁彬彬");
    drop(first_login(&server, &expert_name, "abc12345"));
    drop(first_login(&server, &teacher_name, "abc12345"));
    let credentials: HashMap<Who, (String, String)> = [
        (Who::City, ("admin".to_string(), ADMIN_PASSWORD.to_string())),
        (Who::Department, ("hongkou_admin".into(), DEMO_ADMIN_PASSWORD.into())),
        (Who::School, ("nanhu_admin".into(), DEMO_ADMIN_PASSWORD.into())),
        (Who::Expert, (expert_name, "abc12345".into())),
        (Who::Teacher, (teacher_name, "abc12345".into())),
    ]
    .into_iter()
    .collect();
    let mut clients = HashMap::new();
    let mut tokens = HashMap::new();
    let mut victim_tokens = HashMap::new();
    for (who, (username, password)) in &credentials {
        let client = signed_in(&server, username, password);
        let csrf = csrf_at(&server, &client, "/");
        if who.role().is_some_and(Role::is_admin) {
            tokens.insert(*who, token_for(&server, &client, "矩阵"));
            let victim = token_for(&server, &client, "矩阵受测令牌");
            let listed = Api::new(&server, &victim).json("/tokens");
            let id =
                listed.as_array().expect("tokens").iter().find(|t| t["name"] == "矩阵受测令牌").expect("victim")["id"]
                    .as_u64()
                    .expect("id");
            victim_tokens.insert(*who, id);
        }
        clients.insert(*who, (client, csrf));
    }
    let anonymous = server.client();
    let anonymous_csrf = csrf_at(&server, &anonymous, "/login");
    clients.insert(Who::Anonymous, (anonymous, anonymous_csrf));
    World {
        clients,
        credentials,
        tokens,
        victim_tokens,
        hongkou,
        pudong_department: foreign.department_id,
        nanhu,
        beihong,
        pudong_school: foreign.school_id,
        victim_nanhu,
        victim_beihong,
        victim_pudong: foreign.teacher_id,
        expert,
        project,
        project_id,
        server,
    }
}

impl World {
    /// The records a role tries a route on: `(own scope?, value)`. Records without scope (projects, experts,
    /// assets) are "own" for everyone; the route's rule alone decides.
    fn targets(&self, who: Who, scope: Scope) -> Vec<(bool, String)> {
        let own = |value: u64| (true, value.to_string());
        let foreign = |value: u64| (false, value.to_string());
        match scope {
            Scope::None => vec![(true, String::new())],
            // Per-record scope of these areas is proven by their own tests; here: no one unsigned gets in.
            Scope::Record => match who {
                Who::Anonymous => vec![(false, "999999999".into())],
                _ => Vec::new(),
            },
            Scope::Asset => vec![(true, "site.css".into())],
            Scope::Project => vec![own(self.project_id)],
            Scope::Expert => vec![own(self.expert)],
            Scope::Teacher | Scope::Account => match who {
                Who::City => vec![own(self.victim_nanhu)],
                Who::Department => vec![own(self.victim_nanhu), foreign(self.victim_pudong)],
                Who::School => vec![own(self.victim_nanhu), foreign(self.victim_beihong)],
                _ => vec![foreign(self.victim_nanhu)],
            },
            Scope::School => match who {
                Who::City => vec![own(self.nanhu)],
                Who::Department => vec![own(self.nanhu), foreign(self.pudong_school)],
                Who::School | Who::Teacher => vec![own(self.nanhu), foreign(self.beihong)],
                Who::Expert => vec![own(self.beihong), foreign(self.nanhu)],
                Who::Anonymous => vec![foreign(self.nanhu)],
            },
            Scope::Department => match who {
                Who::City => vec![own(self.hongkou)],
                Who::Anonymous => vec![foreign(self.hongkou)],
                _ => vec![own(self.hongkou), foreign(self.pudong_department)],
            },
            Scope::Token => match who {
                Who::City | Who::Department | Who::School => {
                    let other = if who == Who::School { Who::City } else { Who::School };
                    vec![own(self.victim_tokens[&who]), foreign(self.victim_tokens[&other])]
                }
                _ => vec![foreign(self.victim_tokens[&Who::School])],
            },
        }
    }

    /// The school a teacher target is in (a move to its own school changes nothing).
    pub fn school_of_teacher(&self, teacher: &str) -> u64 {
        match teacher.parse::<u64>() {
            Ok(id) if id == self.victim_beihong => self.beihong,
            Ok(id) if id == self.victim_pudong => self.pudong_school,
            _ => self.nanhu,
        }
    }
}

fn fill(path: &str, scope: Scope, value: &str) -> String {
    if path.contains(':') {
        return path
            .split('/')
            .map(|segment| if segment.starts_with(':') { value } else { segment })
            .collect::<Vec<_>>()
            .join("/");
    }
    match scope {
        Scope::School => format!("{path}?school_id={value}"),
        Scope::Department => format!("{path}?department_id={value}"),
        _ => path.to_string(),
    }
}

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
                let path = fill(route.path, route.scope, &value);
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
                        client.post(&url).form(&[("csrf", csrf.as_str()), ("school_id", &school)]).send()
                    }
                    Body::Upload => {
                        let form = reqwest::blocking::multipart::Form::new().text("csrf", csrf.clone()).part(
                            "file",
                            reqwest::blocking::multipart::Part::bytes(
                                b"\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe5\x8f\xb7\n".to_vec(),
                            )
                            .file_name("t.csv"),
                        );
                        client.post(&url).multipart(form).send()
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
        "delete" => client.delete(&url),
        other => panic!("no rule knows the method {other}"),
    };
    if let Some(token) = use_token {
        request = request.bearer_auth(token);
    }
    request = match payload {
        Payload::Empty => request,
        Payload::Json(body) => request.json(&body),
        Payload::Bytes(bytes) => request.header("content-type", "application/octet-stream").body(bytes),
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
                let path = match rule.scope {
                    Scope::School if !rule.path.contains("{id}") => format!("{}?school_id={value}", rule.path),
                    _ => rule
                        .path
                        .split('/')
                        .map(|segment| if segment.starts_with('{') { value.as_str() } else { segment })
                        .collect::<Vec<_>>()
                        .join("/"),
                };
                let path = if rule.path == "/teachers/import" { format!("{path}?dry_run=true") } else { path };
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
    for rule in API_RULES {
        counter += 1;
        let Some((_, value)) = world.targets(Who::City, rule.scope).into_iter().next() else {
            // Record-scoped operations are proven by their area's tests (no city target here).
            continue;
        };
        let path = rule.path.replace("{id}", &value);
        let response =
            api_call(&world, Who::City, rule.method, &path, (rule.body)(&world, counter, &value), Some(&token));
        assert_eq!(response.status().as_u16(), 401, "{} {path} with a revoked token", rule.method);
        assert_eq!(response.json::<Value>().expect("json")["code"], "unauthenticated");
    }
}
