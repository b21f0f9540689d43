//! The API refuses JSON of the wrong type (a string for a number, a number for a bool, a value outside an enum)
//! with 400 and its error shape, and its document lists the closed sets of codes as enums.

use serde_json::{Value, json};

use crate::admin_support::Api;
use crate::support::*;

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            resolve(document, &document["components"]["schemas"][reference.rsplit('/').next().unwrap_or("")])
        }
        None => schema,
    }
}

/// The enum values the document gives `schema.property` (through `$ref`, `allOf` and array items).
fn enum_of(document: &Value, schema: &str, property: &str) -> Vec<String> {
    let mut field = resolve(document, &document["components"]["schemas"][schema]["properties"][property]);
    loop {
        if let Some(inner) = field.get("allOf").and_then(|all| all.get(0)) {
            field = resolve(document, inner);
        } else if let Some(items) = field.get("items") {
            field = resolve(document, items);
        } else {
            break;
        }
    }
    field["enum"]
        .as_array()
        .map(|values| values.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

#[test]
fn the_document_lists_the_closed_sets_of_codes() {
    let server = Server::demo();
    let document: Value = reqwest::blocking::get(server.url("/api/openapi.json")).expect("doc").json().expect("json");
    let school_types = ["zhongzhuan", "jigong", "zhigao", "chengren"];
    let states =
        ["draft", "submitted", "school_approved", "accepted", "under_review", "reviewed", "published", "returned"];
    let roles = ["city_admin", "department_admin", "school_admin", "expert", "teacher"];
    let progress = [
        "no_project",
        "not_filed",
        "draft",
        "submitted",
        "returned",
        "school_approved",
        "accepted",
        "under_review",
        "reviewed",
        "published",
    ];
    let levels = ["formal", "public", "deemed", "exchange"];
    let notice_states = ["scheduled", "published", "withdrawn"];
    let slots = ["formal", "public", "unit_signed", "award", "exchange", "school_course", "project", "own_resource"];
    let file_kinds = ["pdf", "doc", "docx", "mp4", "zip", "xlsx", "png", "jpg", "bin"];
    let formats = ["text", "year_month", "date", "rank", "cip", "journal_number", "positive_int"];
    let filing_states = [&["none"][..], &states[..]].concat();
    let cases: [(&str, &str, &[&str]); 27] = [
        ("SchoolIn", "school_type", &school_types),
        ("SchoolOut", "school_type", &school_types),
        ("SchoolUpdate", "school_type", &school_types),
        ("Me", "role", &roles),
        ("AdminIn", "role", &["department_admin", "school_admin"]),
        ("ExpertIn", "org_kind", &["school", "department"]),
        ("NoticeIn", "audience", &["all", "teachers", "admins"]),
        ("NoticeOut", "audience", &["all", "teachers", "admins"]),
        ("StateCount", "state", &states),
        ("TeacherRowOut", "progress", &progress),
        ("ProgressCountOut", "code", &progress),
        ("ProjectOut", "school_types", &school_types),
        ("ProjectSettingsIn", "school_types", &school_types),
        ("CatalogueTypeIo", "level", &levels),
        ("CatalogueTypeIo", "allowed_school_types", &school_types),
        ("NoticeOut", "state", &notice_states),
        ("MaterialOut", "state", &notice_states),
        ("ImportRowOut", "outcome", &["created", "updated", "unchanged", "refused"]),
        ("CatalogueTypeIo", "required_slots", &slots),
        ("FieldSpecIo", "format", &formats),
        ("TeacherFileOut", "kind", &file_kinds),
        ("NoticeFileOut", "kind", &file_kinds),
        ("FileOut", "kind", &file_kinds),
        ("VerificationOut", "kind", &["registration_form", "appraisal_opinion"]),
        ("MessageOut", "kind", &["returned", "published"]),
        ("ExpertOut", "org_kind", &["school", "department", "city"]),
        ("TeacherAppraisalOut", "state", &filing_states),
    ];
    for (schema, property, expected) in cases {
        assert_eq!(enum_of(&document, schema, property), expected, "{schema}.{property}");
    }
}

#[test]
fn wrong_json_types_are_refused_with_the_error_shape() {
    let server = Server::demo();
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let department = city.json("/departments")[0]["id"].clone();
    let school = city.json("/schools")[0]["id"].as_u64().expect("school");
    let cases = [
        ("post", "/schools".to_string(), json!({"name": "类型学校", "department_id": "2", "school_type": "zhigao"})),
        ("post", "/schools".to_string(), json!({"name": "类型学校", "department_id": department, "school_type": 3})),
        (
            "post",
            "/schools".to_string(),
            json!({"name": "类型学校", "department_id": department, "school_type": "gaozhong"}),
        ),
        ("put", format!("/schools/{school}"), json!({"disabled": 1})),
        ("put", format!("/schools/{school}"), json!({"name": ["数组"]})),
        (
            "post",
            "/admins".to_string(),
            json!({"role": "city_admin", "org_id": 1, "username": "x_admin", "name": "某"}),
        ),
        ("post", "/notices".to_string(), json!({"title": "标题", "body": "正文", "audience": "everyone"})),
        ("post", "/notices".to_string(), json!({"title": "标题", "body": "正文", "publish_at": 5})),
    ];
    for (method, path, body) in cases {
        let response = match method {
            "post" => city.post(&path, &body),
            _ => city.put(&path, &body),
        };
        let status = response.status().as_u16();
        let answer: Value = response.json().expect("json error");
        assert!(matches!(status, 400 | 422), "{method} {path} {body}: {status} {answer}");
        assert!(answer["code"].is_string() && answer["message"].is_string(), "{answer}");
        assert!(answer["fields"].is_array(), "{answer}");
    }
    // Nothing of it was saved.
    let schools = city.json("/schools");
    assert!(!schools.as_array().expect("schools").iter().any(|s| s["name"] == "类型学校"));

    // A number or a boolean where the document says string is refused, naming the field, not stored as its text
    // (poem-openapi alone would read `1` into a `String` field as "1").
    let mistyped = [
        (
            "post",
            "/schools".to_string(),
            json!({"name": 2027, "department_id": department, "school_type": "zhongzhuan"}),
        ),
        ("put", format!("/schools/{school}"), json!({"name": true})),
        ("post", "/notices".to_string(), json!({"title": 1, "body": "正文"})),
    ];
    for (method, path, body) in mistyped {
        let response = match method {
            "post" => city.post(&path, &body),
            _ => city.put(&path, &body),
        };
        let status = response.status().as_u16();
        let answer: Value = response.json().expect("json error");
        assert_eq!(status, 400, "{method} {path} {body}: {answer}");
        assert_eq!(answer["code"], "bad_request", "{answer}");
        assert!(answer["message"].as_str().is_some_and(|text| text.contains("应为字符串")), "{answer}");
    }
    let schools = city.json("/schools");
    assert!(!schools.as_array().expect("schools").iter().any(|s| s["name"] == "2027" || s["name"] == "true"));
    let notices = city.json("/notices");
    assert!(!notices.to_string().contains("\"title\":\"1\""), "{notices}");
}
