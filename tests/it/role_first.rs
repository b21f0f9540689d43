//! Every admin operation of the API checks the caller's role before it looks at the input: a teacher sending a
//! deliberately invalid request gets 403 (or 404 where existence is hidden), never a field error that would
//! tell it what the operation expects or whether a record exists.

use serde_json::{Map, Value, json};

use crate::admin_support::Api;
use crate::appraisal::teacher;
use crate::support::*;

/// Operations a teacher may call (own appraisal, notices, materials, downloads, verification, and reading its own
/// school, department, project and account, as the authorization matrix grants).
fn teacher_may_call(method: &str, path: &str) -> bool {
    let own_reads = [
        "/departments",
        "/projects",
        "/projects/{id}",
        "/schools",
        "/schools/{id}",
        "/departments/{id}",
        "/teachers/{id}",
    ];
    path.starts_with("/me")
        || (method == "get" && own_reads.contains(&path))
        || path == "/uploads"
        || path.starts_with("/files/")
        || path.starts_with("/verifications/")
        || (method == "get"
            && (path == "/messages"
                || path.starts_with("/notices")
                || path.starts_with("/materials")
                || path == "/submissions/{id}/opinion"
                || path == "/submissions/{id}/registration-form"))
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(document, &document["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// A value of the right JSON type that validation refuses: unknown codes, zeros, lists of one bad item.
fn invalid_value(document: &Value, schema: &Value) -> Value {
    let schema = resolve(document, schema);
    if let Some(first) = schema.get("allOf").or_else(|| schema.get("oneOf")).or_else(|| schema.get("anyOf")) {
        return invalid_value(document, &first[0]);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), invalid_value(document, property));
                }
            }
            Value::Object(object)
        }
        // One bad item: codes inside lists (school types, levels) are validated too.
        Some("array") => json!([invalid_value(document, &schema["items"])]),
        Some("integer") | Some("number") => json!(0),
        Some("boolean") => json!(false),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date") => json!("1900-01-01"),
            Some("date-time") => json!("1900-01-01T00:00:00Z"),
            // Not empty: an empty filter means "none", but an unknown code must still not be looked at first.
            _ => json!("?"),
        },
        _ => json!({}),
    }
}

/// The first `id` in a list answer.
fn first_id(value: &Value) -> Option<u64> {
    match value {
        Value::Array(items) => items.iter().find_map(first_id),
        Value::Object(map) => match map.get("id").and_then(Value::as_u64) {
            Some(id) => Some(id),
            None => map.values().find_map(first_id),
        },
        _ => None,
    }
}

#[test]
fn a_teacher_gets_403_not_a_field_error_from_every_admin_operation() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let document: Value = reqwest::blocking::get(server.url("/api/openapi.json")).expect("doc").json().expect("json");
    let client = teacher(&server, "刁彬彬");
    let me: Value = client.get(server.url("/api/v1/me")).send().expect("me").json().expect("json");
    // Real ids, so an operation cannot hide a validation-first bug behind "not found".
    let id_of = |path: &str| first_id(&city.json(path)).unwrap_or(1);
    let own = me["id"].as_u64().expect("id");
    let ids = [
        ("/departments", me["department_id"].as_u64().unwrap_or_else(|| id_of("/departments"))),
        ("/schools", me["school_id"].as_u64().expect("school")),
        ("/teachers", own),
        ("/accounts", own),
        ("/experts", id_of("/experts")),
        ("/projects", id_of("/projects")),
        ("/notices", id_of("/notices")),
        ("/materials", id_of("/materials")),
    ];
    let expert = id_of("/experts");

    let mut wrong = Vec::new();
    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            if teacher_may_call(method, path) {
                continue;
            }
            let mut url = path.clone();
            let mut query = Vec::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("name");
                let value = match invalid_value(&document, &parameter["schema"]) {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                match parameter["in"].as_str() {
                    Some("path") => {
                        let id = ids.iter().find(|(prefix, _)| path.starts_with(prefix)).map_or(1, |(_, id)| *id);
                        let value = match name {
                            "id" => id.to_string(),
                            "expert_id" => expert.to_string(),
                            _ => "1".to_string(),
                        };
                        url = url.replace(&format!("{{{name}}}"), &value);
                    }
                    Some("query") => query.push((name.to_string(), value)),
                    _ => {}
                }
            }
            let mut request = client
                .request(method.to_uppercase().parse().expect("method"), server.url(&format!("/api/v1{url}")))
                .query(&query)
                .header("origin", server.base.as_str());
            let content = &operation["requestBody"]["content"];
            let json_body = content
                .as_object()
                .and_then(|media| media.iter().find(|(kind, _)| kind.starts_with("application/json")))
                .map(|(_, media)| &media["schema"]);
            if let Some(schema) = json_body {
                request = request.json(&invalid_value(&document, schema));
            } else if content.is_object() {
                request = request.header("content-type", "application/octet-stream").body(Vec::new());
            }
            let response = request.send().expect("request");
            let status = response.status().as_u16();
            checked += 1;
            let body = text(response);
            // The framework's own 400 for a malformed parameter comes before any handler, whoever asks, and tells
            // nothing the public document does not; a field error (422) or a state (409) would.
            let malformed = status == 400 && body.contains("\"code\":\"bad_request\"");
            if !matches!(status, 403 | 404) && !malformed {
                let body: String = body.chars().take(200).collect();
                wrong.push(format!("{} {url}: {status} {body}", method.to_uppercase()));
            }
        }
    }
    assert!(checked > 50, "only {checked} admin operations found");
    assert!(wrong.is_empty(), "a teacher must be refused before any validation:\n{}", wrong.join("\n"));
}
