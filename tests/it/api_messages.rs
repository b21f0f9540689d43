//! Issue 15: a malformed API request is answered in Chinese like the pages — bad JSON, a value of another type, a
//! missing field, a value outside the document, a bad query or path parameter — with the stable code
//! `bad_request`, never with the parser's English.

use crate::support::*;

/// An English sentence in a message: a run of ASCII text with at least three words (field names such as
/// `department_id` are fine).
fn english_sentence(message: &str) -> Option<String> {
    message
        .split(|c: char| !c.is_ascii())
        .map(str::trim)
        .find(|run| run.split_whitespace().filter(|word| word.chars().any(|c| c.is_ascii_alphabetic())).count() >= 3)
        .map(str::to_string)
}

fn refused(response: reqwest::blocking::Response) -> String {
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().expect("a JSON error");
    assert_eq!(body["code"], "bad_request", "{body}");
    let message = body["message"].as_str().expect("message").to_string();
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {message}");
    assert_eq!(english_sentence(&message), None, "English in {message}");
    message
}

#[test]
fn malformed_requests_are_refused_in_chinese() {
    let server = Server::demo();
    // The browser session works for the API too (the client names this site as its origin).
    let api = signed_in(&server, "admin", ADMIN_PASSWORD);
    let post = |body: &str| {
        api.post(server.url("/api/v1/schools"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .expect("post")
    };
    assert_eq!(refused(post("{\"name\": \"新校\",")), "请求格式错误：请求体不是有效的 JSON");
    let message = refused(post(r#"{"name": "新校", "department_id": "3", "school_type": "zhongzhuan"}"#));
    assert!(message.contains("department_id"), "{message}");
    assert_eq!(
        refused(post(r#"{"name": "新校", "school_type": "zhongzhuan"}"#)),
        "请求格式错误：缺少字段 department_id"
    );
    refused(post(r#"{"name": "新校", "department_id": 3, "school_type": "no such type"}"#));

    let get = |path: &str| api.get(server.url(path)).send().expect("get");
    assert_eq!(refused(get("/api/v1/schools?department_id=abc")), "请求格式错误：参数 department_id 的值无效");
    let response = get("/api/v1/schools/abc/teachers");
    assert_eq!(response.status().as_u16(), 400, "a path parameter that is not a number");
    refused(response);
}

#[test]
fn english_sentences_are_recognised() {
    assert!(english_sentence("请求格式错误：parse request payload error: expected value").is_some());
    assert_eq!(english_sentence("请求格式错误：缺少字段 department_id"), None);
}
