//! SPEC §6 and the manual's 消息提醒: the review chain end to end, its refusals, and the browser path of a return.

mod browser;
mod chain;
mod early;
mod experts;
pub mod fixture;
mod foreign;
mod outcomes;
mod refusals;

use crate::appraisal::{Upload, as_pairs, complete_fields, form_page, post_form};
use crate::support::*;

/// A page's body after GET, asserting the status.
pub fn page(server: &Server, client: &reqwest::blocking::Client, path: &str) -> String {
    let response = client.get(server.url(path)).send().expect("get");
    let status = response.status().as_u16();
    let body = text(response);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// POSTs a form with the CSRF token of `from`; returns status and body. A done action answers 303
/// (post/redirect/get): the body is then the page it lands on, as a browser would show it.
pub fn post(
    server: &Server,
    client: &reqwest::blocking::Client,
    from: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let csrf = csrf_of(&page(server, client, from));
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(server.url(path)).form(&form).send().expect("post");
    let status = response.status().as_u16();
    if status == 303 {
        return (status, page(server, client, &location(&response)));
    }
    (status, text(response))
}

/// The unread count in the header's 消息提醒 link (0 when there is no badge).
pub fn unread_badge(home: &str) -> u32 {
    let Some(start) = home.find("class=\"badge-count\">") else { return 0 };
    let rest = &home[start + "class=\"badge-count\">".len()..];
    rest.split('<').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

/// The teacher's form: every field, with `research_direction`, and `action` (submit).
pub fn file_and_submit(
    server: &Server,
    client: &reqwest::blocking::Client,
    research_direction: &str,
    uploads: Vec<Upload>,
) {
    let (_, csrf, submission_id) = form_page(server, client);
    let mut fields = complete_fields(&submission_id);
    for (key, value) in fields.iter_mut() {
        if key == "research_direction" {
            *value = research_direction.to_string();
        }
    }
    let mut pairs = as_pairs(&fields);
    pairs.push(("action", "submit"));
    let response = post_form(server, client, &csrf, &pairs, uploads);
    assert_eq!(response.status().as_u16(), 303, "submit refused: {}", text(response));
}
