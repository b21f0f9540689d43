//! Small pieces the console pages share: a pager that keeps the filters, form fields that repeat (checkboxes),
//! `datetime-local` values in Shanghai time, success notices carried across a redirect, and labelled inputs.

use chrono::{DateTime, NaiveDateTime, Utc};
use maud::{Markup, html};
use poem::web::Redirect;
use poem::{IntoResponse, Response};

use super::layout::{described_by, field_error};
use crate::domain::FieldErrors;
use crate::service::paging::{PAGE_SIZES, Paged};

/// A urlencoded form as name/value pairs, so repeated names (checkbox lists) survive.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim()).unwrap_or("")
    }

    /// Every value of `name`, in form order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.trim().to_string()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }

    pub fn number(&self, name: &str) -> Option<u64> {
        self.get(name).parse().ok()
    }
}

/// `2026-05-01T08:00` (Shanghai) for a `datetime-local` input.
pub fn datetime_local(at: DateTime<Utc>) -> String {
    crate::clock::local(at).format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value typed in Shanghai time, as UTC.
pub fn parse_datetime_local(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .ok()?;
    Some(DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc) - chrono::Duration::hours(8))
}

/// One line per item of a textarea (subjects, titles, grades), without blank lines.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(String::from).collect()
}

/// A 303 to `path` carrying a notice code the page turns into a message (POST → redirect → GET).
pub fn redirect_with_notice(path: &str, notice: &str) -> Response {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts: Vec<&str> =
        query.split('&').filter(|part| !part.is_empty() && !part.starts_with("notice=")).collect();
    let notice = format!("notice={notice}");
    parts.push(&notice);
    Redirect::see_other(format!("{base}?{}", parts.join("&"))).into_response()
}

/// A `back` address from a form, kept inside the consoles (never an outside URL).
pub fn safe_back(back: &str, fallback: &str) -> String {
    if back.starts_with("/admin/") && !back.contains("//") && !back.contains('\\') {
        back.to_string()
    } else {
        fallback.to_string()
    }
}

/// The message of a notice code, if known.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "已保存",
        "disabled" => "账号已停用",
        "enabled" => "账号已启用",
        "reset" => "密码已重置为 00000000，账号已解冻",
        "moved" => "已完成更换单位",
        "project" => "申报项目已更新",
        "created" => "已创建",
        _ => return None,
    })
}

/// A labelled text input with its error.
pub fn text_input(id: &str, name: &str, label: &str, value: &str, errors: &FieldErrors, key: &str) -> Markup {
    let message = errors.get(key);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) }
            input id=(id) name=(name) type="text" value=(value)
                aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)];
            (field_error(id, message))
        }
    }
}

/// A labelled select with its error. `choices` are (value, label).
pub fn select(
    id: &str,
    name: &str,
    label: &str,
    choices: &[(String, String)],
    selected: &str,
    errors: &FieldErrors,
    key: &str,
) -> Markup {
    let message = errors.get(key);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)] {
                @for (value, text) in choices {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            (field_error(id, message))
        }
    }
}

/// The pager under a list: 共N条记录, page links that keep `query` (without `page`), and a page-size choice.
pub fn pager<T>(base: &str, query: &[(&str, String)], paged: &Paged<T>) -> Markup {
    let link = |page: usize, per_page: usize| {
        let mut parts: Vec<String> = query
            .iter()
            .filter(|(key, value)| !value.is_empty() && *key != "page" && *key != "per_page")
            .map(|(key, value)| {
                format!("{key}={}", percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC))
            })
            .collect();
        parts.push(format!("page={page}"));
        parts.push(format!("per_page={per_page}"));
        format!("{base}?{}", parts.join("&"))
    };
    let pages = paged.pages();
    let shown: Vec<usize> =
        (1..=pages).filter(|page| *page <= 2 || *page + 2 > pages || page.abs_diff(paged.page) <= 2).collect();
    html! {
        nav.pager aria-label="分页" {
            span.count { "共" (paged.total) "条记录" }
            @if paged.page > 1 { a href=(link(paged.page - 1, paged.per_page)) { "上一页" } }
            @for (index, page) in shown.iter().enumerate() {
                @if index > 0 && shown[index - 1] + 1 != *page { span.gap { "…" } }
                @if *page == paged.page {
                    span aria-current="page" { (page) }
                } @else {
                    a href=(link(*page, paged.per_page)) { (page) }
                }
            }
            @if paged.page < pages { a href=(link(paged.page + 1, paged.per_page)) { "下一页" } }
            span.sizes {
                "每页"
                @for size in PAGE_SIZES {
                    @if size == paged.per_page { span aria-current="true" { (size) } }
                    @else { a href=(link(1, size)) { (size) } }
                }
                "条"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_local_is_shanghai_time() {
        let at = parse_datetime_local("2026-05-01T08:00").expect("parses");
        assert_eq!(at.to_rfc3339(), "2026-05-01T00:00:00+00:00");
        assert_eq!(datetime_local(at), "2026-05-01T08:00");
        assert!(parse_datetime_local("明天").is_none());
    }

    #[test]
    fn back_addresses_stay_in_the_console() {
        assert_eq!(safe_back("/admin/schools/3", "/"), "/admin/schools/3");
        assert_eq!(safe_back("https://evil.example/", "/admin/orgs"), "/admin/orgs");
        assert_eq!(safe_back("/admin//evil.example", "/admin/orgs"), "/admin/orgs");
    }
}
