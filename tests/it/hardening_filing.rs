//! Issue 14, findings 1 and 4. No number a request carries may size anything: achievement positions in the API
//! and the filing form are refused past the project's limit before the filing is touched, and every numeric
//! path and query parameter of the API and of the pages answers without a 5xx, a hang or a memory jump. A file
//! change never reverts a 暂存 acknowledged while it ran.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};
use zhiping::web::{Body, PAGE_ROUTES};

use crate::appraisal::{PASSWORD, appraisal_json, fixture_bytes, form_page, pledged, post_form, upload};
use crate::support::*;

/// How much the server's resident memory may rise while refused requests run (the unbounded index cost
/// +566 MiB, and 2^63 killed the process).
const RSS_SLACK_KIB: u64 = 64 * 1024;

/// Numbers no position or id may be sized by, as sent in a URL or a form name.
const HUGE: [&str; 4] = ["1000000", "9223372036854775808", "18446744073709551615", "18446744073709551616"];

/// An API request on the cookie session, sent from the server's own origin as its pages would.
fn api(server: &Server, client: &Client, method: Method, path: &str) -> RequestBuilder {
    client.request(method, server.url(&format!("/api/v1{path}"))).header("origin", server.base.as_str())
}

/// The highest resident memory of the server while `work` runs, sampled every few milliseconds (a spike that
/// is freed again before the request ends is still seen), as growth over the level before.
fn peak_growth_kib<T>(server: &Server, work: impl FnOnce() -> T) -> (T, u64) {
    let pid = server.pid();
    let before = server.rss_kib();
    let peak = Arc::new(AtomicU64::new(before));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(rss) = rss_of(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let result = work();
    stop.store(true, Ordering::Relaxed);
    sampler.join().expect("sampler");
    (result, peak.load(Ordering::Relaxed).saturating_sub(before))
}

fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What the teacher filed (values and files), without the bookkeeping that a save changes.
fn filing_of(appraisal: &Value) -> Value {
    let mut filing = appraisal.clone();
    if let Some(map) = filing.as_object_mut() {
        map.retain(|key, _| !matches!(key.as_str(), "format_errors" | "versions" | "state" | "state_label"));
    }
    filing
}

/// A refusal in the API's JSON shape: a 4xx with a stable code; for a position the server can read, 422 with
/// the project's limit in Chinese on the field it names. Problems are collected, so that the memory check comes
/// first.
fn check_refusal(sent: reqwest::Result<Response>, what: &str, limit: Option<&str>, problems: &mut Vec<String>) {
    let response = match sent {
        Ok(response) => response,
        Err(error) => return problems.push(format!("{what}: no answer: {error}")),
    };
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap_or(Value::Null);
    let coded = body["code"].as_str().is_some_and(|code| !code.is_empty());
    if !(400..500).contains(&status) || !coded {
        return problems.push(format!("{what}: {status} {body}"));
    }
    if let Some(limit) = limit
        && (status != 422 || body["code"] != "invalid" || body["fields"][0]["message"] != limit)
    {
        problems.push(format!("{what}: expected 422 naming “{limit}”, got {status} {body}"));
    }
}

#[test]
fn an_api_position_past_the_projects_limit_is_refused_before_the_filing_grows() {
    let server = Server::demo();
    let client = &pledged(&server, &["刁彬彬"])[0];
    let before = appraisal_json(&server, client);
    let max = before["max_achievements"].as_u64().expect("max_achievements");
    let limit = format!("教科研成果数量至多为{max}项");
    let mut positions: Vec<String> = HUGE.iter().map(|value| value.to_string()).collect();
    positions.extend([max.to_string(), (max + 1).to_string(), "-1".to_string()]);
    let pdf = fixture_bytes("scan.pdf");

    let mut problems = Vec::new();
    let ((), growth) = peak_growth_kib(&server, || {
        for position in &positions {
            let limit = position.parse::<u64>().is_ok().then_some(limit.as_str());
            for slot in ["evidence.award", "achievement_file"] {
                let path = format!("/me/appraisal/achievements/{position}/files/{slot}");
                let removed = api(&server, client, Method::DELETE, &path).send();
                check_refusal(removed, &format!("DELETE {path}"), limit, &mut problems);
                let uploaded = api(&server, client, Method::PUT, &format!("{path}?name=证明.pdf"))
                    .header("content-type", "application/octet-stream")
                    .body(pdf.clone())
                    .send();
                check_refusal(uploaded, &format!("PUT {path}"), limit, &mut problems);
            }
        }
    });
    assert!(growth < RSS_SLACK_KIB, "refused positions grew the server by {growth} KiB");
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The first achievement (positions are 0-based) is always there: removing an empty slot changes nothing.
    let removed = api(&server, client, Method::DELETE, "/me/appraisal/achievements/0/files/evidence.award")
        .send()
        .expect("delete at 0");
    assert_eq!(removed.status().as_u16(), 200, "{}", text(removed));
    // Below the limit but not in the draft: not found, and no achievement is added for it.
    let path = format!("/me/appraisal/achievements/{}/files/evidence.award", max - 1);
    let missing = api(&server, client, Method::DELETE, &path).send().expect("delete missing");
    assert_eq!(missing.status().as_u16(), 404, "{path}");
    assert_eq!(missing.json::<Value>().expect("json")["code"], "not_found");
    assert_eq!(filing_of(&appraisal_json(&server, client)), filing_of(&before));
}

#[test]
fn a_long_achievement_list_or_a_large_json_body_is_refused_before_it_is_built() {
    let server = Server::demo();
    let client = crate::appraisal::teacher(&server, "刁彬彬");
    let before = appraisal_json(&server, &client);
    // Just under the body cap: 170,000 empty achievements, where no project allows more than ten.
    let list = format!("{{\"achievements\":[{}{{}}]}}", "{},".repeat(170_000));
    let large = format!("{{\"research_direction\":\"{}\"}}", "长".repeat(1_500_000));
    let mut problems = Vec::new();
    let ((), growth) = peak_growth_kib(&server, || {
        let save = || api(&server, &client, Method::PUT, "/me/appraisal").header("content-type", "application/json");
        check_refusal(save().body(list.clone()).send(), "a list past the limit", None, &mut problems);
        // 4.5 MB, declared, then streamed without a length: refused as too large either way.
        for (what, sent) in [
            ("declared", save().body(large.clone()).send()),
            ("chunked", save().body(reqwest::blocking::Body::new(std::io::Cursor::new(large.clone()))).send()),
        ] {
            match sent {
                Ok(response) if response.status().as_u16() == 413 => {
                    let body: Value = response.json().unwrap_or(Value::Null);
                    if body["code"] != "payload_too_large" {
                        problems.push(format!("{what}: {body}"));
                    }
                }
                Ok(response) => problems.push(format!("{what}: {} {}", response.status(), text(response))),
                // A server that refuses a body before it has all of it closes the connection while the client is
                // still sending, so the client may see no answer (the 413 itself is proven in `json_limit`'s
                // unit tests). The server must still serve: checked below.
                Err(_) => {}
            }
        }
    });
    assert!(growth < RSS_SLACK_KIB, "large bodies grew the server by {growth} KiB");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(filing_of(&appraisal_json(&server, &client)), filing_of(&before));
}

#[test]
fn a_form_position_past_the_projects_limit_is_refused_and_nothing_is_saved() {
    let server = Server::demo();
    let client = &pledged(&server, &["刁彬彬"])[0];
    let (_, csrf, submission_id) = form_page(&server, client);
    let max = appraisal_json(&server, client)["max_achievements"].as_u64().expect("max");
    let baseline = [
        ("submission_id", submission_id.as_str()),
        ("research_direction", "越界测试前的方向"),
        ("achievements.0.origin", "0"),
        ("achievements.0.title", "越界测试前的成果"),
        ("action", "save"),
    ];
    let saved = post_form(&server, client, &csrf, &baseline, Vec::new());
    assert_eq!(saved.status().as_u16(), 303, "{}", text(saved));
    let before = appraisal_json(&server, client);

    let mut past: Vec<String> = HUGE[..3].iter().map(|value| value.to_string()).collect();
    past.extend([max.to_string(), (max + 1).to_string()]);
    let limit = format!("教科研成果数量至多为{max}项");
    let ((), growth) = peak_growth_kib(&server, || {
        for position in &past {
            let title = format!("achievements.{position}.title");
            let mut fields = baseline.to_vec();
            fields.push((title.as_str(), "越界的成果"));
            let refused = post_form(&server, client, &csrf, &fields, Vec::new());
            assert_eq!(refused.status().as_u16(), 422, "text at {position}");
            assert!(text(refused).contains(&limit), "text at {position}: the limit is named");

            let field = format!("achievements.{position}.evidence.award");
            let file = vec![upload(&field, "证明.pdf", fixture_bytes("scan.pdf"))];
            let refused = post_form(&server, client, &csrf, &baseline, file);
            assert_eq!(refused.status().as_u16(), 422, "file at {position}");
            assert!(text(refused).contains(&limit), "file at {position}: the limit is named");
        }
        // Names whose position is no number at all are not the form's: the post saves as if they were absent.
        for position in ["-1", "18446744073709551616"] {
            let title = format!("achievements.{position}.title");
            let mut fields = baseline.to_vec();
            fields.push((title.as_str(), "不是位置"));
            let saved = post_form(&server, client, &csrf, &fields, Vec::new());
            assert_eq!(saved.status().as_u16(), 303, "{position}");
        }
    });
    assert!(growth < RSS_SLACK_KIB, "refused form positions grew the server by {growth} KiB");
    assert_eq!(filing_of(&appraisal_json(&server, client)), filing_of(&before));
}

/// The values a numeric parameter is tried with: the edges, the documented maximum + 1, and numbers past u64.
fn numbers_for(schema: &Value) -> Vec<String> {
    let mut values: Vec<String> =
        ["0", "-1", "1000000", "9223372036854775808", "18446744073709551616"].into_iter().map(String::from).collect();
    if let Some(max) = schema["maximum"].as_f64() {
        values.push(format!("{}", max as i128 + 1));
    }
    values
}

/// Follows a `$ref` inside the document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => match schema["allOf"].as_array() {
            Some(all) if all.len() == 1 => resolve(doc, &all[0]),
            _ => schema,
        },
    }
}

/// A smallest well-formed value for a schema (required properties only), so that a parameter is what the
/// server reads, not a body it rejects first.
fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("object") if depth < 6 => {
            let mut object = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                let property = &schema["properties"][name];
                object.insert(name.to_string(), example(doc, property, depth + 1));
            }
            Value::Object(object)
        }
        Some("array") => json!([]),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            Some("date") => json!("2026-01-01"),
            _ => json!("x"),
        },
        _ => json!({}),
    }
}

/// One API call with `value` in the numeric parameter `target`; every other parameter gets a plain valid value.
fn api_call(
    server: &Server,
    client: &Client,
    doc: &Value,
    (path, method, operation): (&str, &str, &Value),
    target: &str,
    value: &str,
) -> RequestBuilder {
    let mut url = path.to_string();
    let mut query: Vec<(String, String)> = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap_or("");
        let schema = resolve(doc, &parameter["schema"]);
        let plain = match example(doc, schema, 0) {
            Value::String(text) => text,
            other => other.to_string(),
        };
        let chosen = if name == target { value.to_string() } else { plain };
        match parameter["in"].as_str() {
            Some("path") => url = url.replace(&format!("{{{name}}}"), &chosen),
            Some("query") if name == target || parameter["required"] == true => query.push((name.into(), chosen)),
            _ => {}
        }
    }
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let request = client.request(method, server.url(&format!("/api/v1{url}")));
    let request = request.header("origin", server.base.as_str()).query(&query).timeout(Duration::from_secs(20));
    let content = &operation["requestBody"]["content"];
    if let Some(schema) = content.get("application/json").map(|media| &media["schema"]) {
        request.json(&example(doc, schema, 0))
    } else if content.get("application/octet-stream").is_some() {
        request.header("content-type", "application/octet-stream").body(fixture_bytes("scan.pdf"))
    } else if content.get("multipart/form-data").is_some() {
        let form = reqwest::blocking::multipart::Form::new().text("dry_run", "true");
        request.multipart(form)
    } else {
        request
    }
}

/// Every operation of the OpenAPI document with a numeric path or query parameter, as (path, method, operation,
/// parameter name, parameter schema).
fn numeric_operations(doc: &Value) -> Vec<(String, String, Value, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().into_iter().flatten() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let schema = resolve(doc, &parameter["schema"]);
                let numeric = matches!(schema["type"].as_str(), Some("integer") | Some("number"));
                if numeric && matches!(parameter["in"].as_str(), Some("path") | Some("query")) {
                    let name = parameter["name"].as_str().unwrap_or("").to_string();
                    found.push((path.clone(), method.clone(), operation.clone(), name, schema.clone()));
                }
            }
        }
    }
    found
}

/// A page path with `value` in each `:segment` (the file-name segments of assets and downloads get a name).
fn page_path(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            ":name" => "x.pdf",
            ":sha256" => "0000000000000000000000000000000000000000000000000000000000000000",
            _ if segment.starts_with(':') => value,
            _ => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every page route with a numeric segment, and every list page with the paging and scope queries, with `value`.
fn page_requests(server: &Server, client: &Client, csrf: &str, value: &str) -> Vec<(String, RequestBuilder)> {
    let mut requests = Vec::new();
    for route in PAGE_ROUTES {
        let numeric = route.path.split('/').any(|segment| segment.starts_with(':') && segment != ":name");
        let what = format!("{} {}", route.method, route.path);
        let request = match (route.body, numeric) {
            (Body::None, true) => client.get(server.url(&page_path(route.path, value))),
            (Body::None, false) => {
                let query = ["page", "per_page", "school_id", "department_id", "project_id", "id", "version"]
                    .map(|key| (key, value));
                client.get(server.url(route.path)).query(&query)
            }
            (Body::Form, true) => client.post(server.url(&page_path(route.path, value))).form(&[
                ("csrf", csrf),
                ("id", value),
                ("project_id", value),
                ("school_id", value),
            ]),
            (Body::Upload, true) => {
                let form = reqwest::blocking::multipart::Form::new().text("csrf", csrf.to_string());
                client.post(server.url(&page_path(route.path, value))).multipart(form.text("id", value.to_string()))
            }
            _ => continue,
        };
        requests.push((what, request.timeout(Duration::from_secs(20))));
    }
    requests
}

/// Sends one probe: never a 5xx, never a hang. A connection the previous probe's refusal closed (the server may
/// answer a refused post before reading all of it, then close) can be picked from the pool just as it dies; such a
/// probe is sent once more, and counts only if the server does not answer that either.
fn probe(what: &str, request: RequestBuilder, failures: &mut Vec<String>) {
    let started = Instant::now();
    let retry = request.try_clone();
    let sent = match (request.send(), retry) {
        (Err(error), Some(retry)) if error.is_request() || error.is_connect() => retry.send(),
        (sent, _) => sent,
    };
    match sent {
        Ok(response) if response.status().is_server_error() => {
            failures.push(format!("{what}: {} {}", response.status(), text(response)));
        }
        Ok(response) => {
            let _ = response.bytes();
        }
        Err(error) => failures.push(format!("{what}: no answer after {:?}: {error}", started.elapsed())),
    }
}

#[test]
fn every_numeric_parameter_of_the_api_and_the_pages_is_answered_without_5xx_hang_or_memory_jump() {
    let started = Instant::now();
    let server = Server::demo();
    let teacher = pledged(&server, &["刁彬彬"]).remove(0);
    let city = signed_in(&server, "admin", ADMIN_PASSWORD);
    let doc: Value = server.client().get(server.url("/api/openapi.json")).send().expect("doc").json().expect("json");
    let operations = numeric_operations(&doc);
    assert!(
        operations.iter().any(|(path, method, ..)| path.contains("/achievements/{index}/") && method == "delete"),
        "the walk covers the achievement index"
    );
    let mut failures = Vec::new();
    let mut probes = 0;
    let ((), growth) = peak_growth_kib(&server, || {
        for (who, client) in [("teacher", &teacher), ("city", &city)] {
            let csrf = csrf_of(&text(client.get(server.url("/password")).send().expect("password page")));
            for (path, method, operation, name, schema) in &operations {
                for value in numbers_for(schema) {
                    let request = api_call(&server, client, &doc, (path, method, operation), name, &value);
                    probe(&format!("{who} {method} {path} {name}={value}"), request, &mut failures);
                    probes += 1;
                }
            }
            for value in ["0", "-1", "1000000", "9223372036854775808", "18446744073709551616"] {
                for (what, request) in page_requests(&server, client, &csrf, value) {
                    probe(&format!("{who} {what} = {value}"), request, &mut failures);
                    probes += 1;
                }
            }
        }
    });
    // 84 operation × parameter pairs and ~1,800 probes when this was written; a walk that found little is broken.
    assert!(operations.len() >= 40 && probes >= 1000, "{} parameters, {probes} probes", operations.len());
    assert!(failures.is_empty(), "{} probes failed:\n{}", failures.len(), failures.join("\n"));
    assert!(growth < RSS_SLACK_KIB, "the probes grew the server by {growth} KiB");
    // Still serving, and the walk stayed quick.
    assert_eq!(teacher.get(server.url("/appraisal")).send().expect("alive").status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(90), "the walk took {:?}", started.elapsed());
}

/// Uploads and removes 证明材料 (获奖证书) of achievement 0 through the API until told to stop; counts the changes.
fn churn_files(server: &Server, client: Client, stop: Arc<AtomicBool>) -> JoinHandle<Result<u64, String>> {
    let base = server.base.clone();
    let pdf = fixture_bytes("scan.pdf");
    std::thread::spawn(move || {
        let url = format!("{base}/api/v1/me/appraisal/achievements/0/files/evidence.award");
        let mut changes = 0;
        while !stop.load(Ordering::Relaxed) {
            let put = client.put(format!("{url}?name=获奖证书.pdf")).header("origin", base.as_str());
            let uploaded = put.header("content-type", "application/octet-stream").body(pdf.clone()).send();
            let removed = client.delete(&url).header("origin", base.as_str()).send();
            for answer in [uploaded, removed] {
                let answer = answer.map_err(|error| error.to_string())?;
                if answer.status().as_u16() != 200 {
                    return Err(format!("file change answered {}: {}", answer.status(), text(answer)));
                }
            }
            changes += 2;
        }
        Ok(changes)
    })
}

#[test]
fn a_file_change_never_reverts_an_acknowledged_save_of_the_api_or_the_form() {
    const ROUNDS: usize = 60;
    let server = Server::demo();
    let texts = pledged(&server, &["刁彬彬"]).remove(0);
    let files = signed_in(&server, &server.demo_username("刁彬彬"), PASSWORD);
    let (_, csrf, submission_id) = form_page(&server, &texts);
    let stop = Arc::new(AtomicBool::new(false));
    let churn = churn_files(&server, files, stop.clone());

    let mut lost = Vec::new();
    let mut last = String::new();
    let achievement_pdf = fixture_bytes("text.pdf");
    for round in 0..2 * ROUNDS {
        let direction = format!("研究方向第{round}版");
        let title = format!("成果题目第{round}版");
        let through_form = round >= ROUNDS;
        let acknowledged = if through_form {
            // The page's 暂存 with a file: the text and the file it carried must both stay.
            let fields = [
                ("submission_id", submission_id.as_str()),
                ("research_direction", direction.as_str()),
                ("achievements.0.origin", "0"),
                ("achievements.0.title", title.as_str()),
                ("action", "save"),
            ];
            let file = upload("achievements.0.achievement_file", &format!("成果{round}.pdf"), achievement_pdf.clone());
            post_form(&server, &texts, &csrf, &fields, vec![file]).status().as_u16() == 303
        } else {
            let body = json!({"research_direction": direction, "achievements": [{"title": title}]});
            let saved = api(&server, &texts, Method::PUT, "/me/appraisal").json(&body).send().expect("save");
            saved.status().as_u16() == 200
        };
        assert!(acknowledged, "round {round}: the save was refused");
        last = direction.clone();
        let now = appraisal_json(&server, &texts);
        let kept_file = !through_form
            || now["achievements"][0]["achievement_file"]["name"].as_str() == Some(&format!("成果{round}.pdf"));
        if now["research_direction"] != direction.as_str() || now["achievements"][0]["title"] != title.as_str() {
            lost.push(format!(
                "round {round}: text now {} / {}",
                now["research_direction"], now["achievements"][0]["title"]
            ));
        } else if !kept_file {
            lost.push(format!("round {round}: file now {}", now["achievements"][0]["achievement_file"]));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let changes = churn.join().expect("churn thread").expect("every file change was accepted");
    assert!(changes >= 20, "the file changes ran alongside the saves ({changes})");
    let settled = appraisal_json(&server, &texts);
    if settled["research_direction"] != last.as_str() {
        lost.push(format!("at the end: {}", settled["research_direction"]));
    }
    assert!(lost.is_empty(), "{} acknowledged saves of {} were reverted:\n{}", lost.len(), 2 * ROUNDS, lost.join("\n"));
}
