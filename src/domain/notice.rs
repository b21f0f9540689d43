//! 通知公告 and 资料下载 (SPEC §8) as data: notices (title, body in the safe text format of `markup`, attachments,
//! publish time, audience) and materials (name, one file, publish time); who may see which and when; input
//! checks; paging. No I/O: the service stores, indexes and serves them.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldErrors;
use super::account::Role;

/// The longest title or material name, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest notice body, in characters (a long notice is a few thousand).
pub const MAX_BODY_CHARS: usize = 50_000;
/// The most attachments one notice carries.
pub const MAX_ATTACHMENTS: usize = 10;
/// The longest file name kept for a download, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;
/// Rows per page of the lists (the API may ask for up to [`MAX_PAGE_SIZE`]).
pub const PAGE_SIZE: usize = 15;
pub const MAX_PAGE_SIZE: usize = 100;
/// How many of each the home page shows (the manual: 最新的 5 条).
pub const HOME_COUNT: usize = 5;

/// Who a notice is for. Materials are for everyone signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 全部用户.
    #[default]
    All,
    /// 教师.
    Teachers,
    /// 管理员 (city, department and school admins).
    Admins,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::All, Audience::Teachers, Audience::Admins];

    pub fn code(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Teachers => "teachers",
            Audience::Admins => "admins",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::All => "全部用户",
            Audience::Teachers => "教师",
            Audience::Admins => "管理员",
        }
    }

    pub fn from_code(code: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|audience| audience.code() == code)
    }

    /// Whether an account of `role` is addressed. The city admin publishes every notice and so reads them all.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Audience::All => true,
            Audience::Teachers => matches!(role, Role::Teacher | Role::CityAdmin),
            Audience::Admins => role.is_admin(),
        }
    }
}

/// A stored file attached to a notice or making up a material. The bytes are in the blob store under `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The name the file is downloaded under (the uploader's file name, cleaned).
    pub name: String,
    pub sha256: String,
    pub size: u64,
    /// The stored kind's extension (`pdf`, `docx`, …; see `files::extension_of`).
    pub kind: String,
}

/// A file the publisher uploaded, as the `notice_files` table keeps it (keyed by its SHA-256): what it is and
/// the text inside it, extracted once at upload so that indexing never has to read the file again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub sha256: String,
    pub size: u64,
    pub kind: String,
    /// The text of a PDF or DOCX (empty for other kinds or an unreadable document).
    #[serde(default)]
    pub text: String,
    pub uploaded_by: u64,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: u64,
    pub title: String,
    /// The body in the safe text format (`domain::markup`).
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<FileRef>,
    /// Shown from this moment on; may lie in the future (scheduled).
    pub publish_at: DateTime<Utc>,
    #[serde(default)]
    pub audience: Audience,
    pub created_by: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set when withdrawn (撤回): gone from every list, search and detail for readers.
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub id: u64,
    /// 资料名称.
    pub name: String,
    pub file: FileRef,
    pub publish_at: DateTime<Utc>,
    pub created_by: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Where an item is in its life, as the publisher sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// 待发布: the publish time is still ahead.
    Scheduled,
    /// 已发布.
    Published,
    /// 已撤回.
    Withdrawn,
}

impl State {
    pub fn of(publish_at: DateTime<Utc>, withdrawn_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> State {
        if withdrawn_at.is_some() {
            State::Withdrawn
        } else if publish_at > now {
            State::Scheduled
        } else {
            State::Published
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Scheduled => "待发布",
            State::Published => "已发布",
            State::Withdrawn => "已撤回",
        }
    }
}

impl Notice {
    pub fn state(&self, now: DateTime<Utc>) -> State {
        State::of(self.publish_at, self.withdrawn_at, now)
    }

    /// Whether a reader of `role` sees this notice at `now`: published, not withdrawn, and addressed to them.
    pub fn readable_by(&self, role: Role, now: DateTime<Utc>) -> bool {
        self.state(now) == State::Published && self.audience.admits(role)
    }
}

impl Material {
    pub fn state(&self, now: DateTime<Utc>) -> State {
        State::of(self.publish_at, self.withdrawn_at, now)
    }

    /// Materials are for every signed-in account once published.
    pub fn readable_by(&self, _role: Role, now: DateTime<Utc>) -> bool {
        self.state(now) == State::Published
    }
}

/// A title or material name checked before it is stored: trimmed, 1–[`MAX_TITLE_CHARS`] characters, no control
/// characters.
pub fn check_title(field: &str, label: &str, title: &str, errors: &mut FieldErrors) -> String {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 {
        errors.add(field, format!("{label}不能为空"));
    } else if length > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
        errors.add(field, format!("{label}最多{MAX_TITLE_CHARS}个字，且不能含控制字符"));
    }
    title.to_string()
}

/// A notice body: required, at most [`MAX_BODY_CHARS`] characters; line ends normalised to `\n`.
pub fn check_body(body: &str, errors: &mut FieldErrors) -> String {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim().to_string();
    if body.is_empty() {
        errors.add("body", "正文不能为空");
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.add("body", format!("正文最多{MAX_BODY_CHARS}个字"));
    }
    body
}

/// A file name as given by a browser or a client, reduced to something safe to show and download under: the
/// last path component, no control characters, at most [`MAX_FILE_NAME_CHARS`] characters. Falls back to
/// `附件.{extension}`.
pub fn clean_file_name(name: &str, extension: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(MAX_FILE_NAME_CHARS).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() { format!("附件.{extension}") } else { cleaned }
}

/// The publish time typed into a form (`yyyy-mm-ddThh:mm` from a `datetime-local` input, or `yyyy-mm-dd hh:mm`,
/// optionally with seconds), read as Shanghai wall-clock time. Empty means "now" (`Ok(None)`).
pub fn parse_local_time(text: &str) -> Result<Option<NaiveDateTime>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Some(time));
        }
    }
    Err("发布时间格式应为 yyyy-mm-dd hh:mm")
}

/// A page of a list: which page (from 1) and how many rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: usize,
    pub size: usize,
}

impl PageRequest {
    /// Out-of-range values are clamped rather than refused: a stale link to page 9 of 3 shows the last page's
    /// neighbourhood (an empty page) and a size of 0 or 10,000 becomes the nearest allowed size.
    pub fn new(page: Option<usize>, size: Option<usize>) -> Self {
        Self { page: page.unwrap_or(1).max(1), size: size.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) }
    }

    pub fn offset(self) -> usize {
        (self.page - 1).saturating_mul(self.size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

/// One page of a list, with the total the `共N条记录` line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub size: usize,
}

impl<T> Paged<T> {
    /// Cuts `page` out of the complete, ordered list.
    pub fn cut(all: Vec<T>, request: PageRequest) -> Self {
        let total = all.len();
        let items = all.into_iter().skip(request.offset()).take(request.size).collect();
        Self { items, total, page: request.page, size: request.size }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(convert).collect(),
            total: self.total,
            page: self.page,
            size: self.size,
        }
    }

    /// The number of pages (at least 1, so an empty list still shows page 1 as the manual does: `< 1 >`).
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.size.max(1)).max(1)
    }

    /// The 序号 of the row at `index` on this page.
    pub fn number(&self, index: usize) -> usize {
        (self.page - 1).saturating_mul(self.size).saturating_add(index + 1)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn notice(audience: Audience, publish_at: DateTime<Utc>) -> Notice {
        Notice {
            id: 1,
            title: "t".into(),
            body: "b".into(),
            attachments: Vec::new(),
            publish_at,
            audience,
            created_by: 1,
            created_at: publish_at,
            updated_at: publish_at,
            withdrawn_at: None,
        }
    }

    #[test]
    fn audience_scheduling_and_withdrawal_decide_who_reads() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let teachers = notice(Audience::Teachers, now - Duration::minutes(1));
        assert!(teachers.readable_by(Role::Teacher, now));
        assert!(teachers.readable_by(Role::CityAdmin, now));
        assert!(!teachers.readable_by(Role::SchoolAdmin, now));
        assert!(!teachers.readable_by(Role::Expert, now));
        let admins = notice(Audience::Admins, now);
        assert!(admins.readable_by(Role::SchoolAdmin, now) && admins.readable_by(Role::DepartmentAdmin, now));
        assert!(!admins.readable_by(Role::Teacher, now) && !admins.readable_by(Role::Expert, now));
        let everyone = notice(Audience::All, now);
        assert!(Role::ALL.iter().all(|role| everyone.readable_by(*role, now)));

        let scheduled = notice(Audience::All, now + Duration::minutes(1));
        assert_eq!(scheduled.state(now), State::Scheduled);
        assert!(!scheduled.readable_by(Role::Teacher, now));
        assert!(scheduled.readable_by(Role::Teacher, now + Duration::minutes(1)));

        let mut withdrawn = notice(Audience::All, now - Duration::days(1));
        withdrawn.withdrawn_at = Some(now);
        assert_eq!(withdrawn.state(now), State::Withdrawn);
        assert!(!withdrawn.readable_by(Role::CityAdmin, now));
    }

    #[test]
    fn titles_bodies_and_names_are_checked() {
        let mut errors = FieldErrors::new();
        assert_eq!(check_title("title", "标题", "  通知  ", &mut errors), "通知");
        assert!(errors.is_empty());
        check_title("title", "标题", "   ", &mut errors);
        assert_eq!(errors.get("title"), Some("标题不能为空"));
        let mut errors = FieldErrors::new();
        check_title("name", "资料名称", &"长".repeat(MAX_TITLE_CHARS + 1), &mut errors);
        assert!(errors.get("name").is_some());
        let mut errors = FieldErrors::new();
        assert_eq!(check_body("第一段\r\n\r\n第二段\r\n", &mut errors), "第一段\n\n第二段");
        check_body(" \n ", &mut errors);
        assert_eq!(errors.get("body"), Some("正文不能为空"));

        assert_eq!(clean_file_name("C:\\Users\\x\\贡献情况表.docx", "docx"), "贡献情况表.docx");
        assert_eq!(clean_file_name("../../etc/passwd", "pdf"), "passwd");
        assert_eq!(clean_file_name("..", "pdf"), "附件.pdf");
        assert_eq!(clean_file_name("a\u{0}b\n.pdf", "pdf"), "ab.pdf");
    }

    #[test]
    fn publish_times_are_parsed_as_typed() {
        let parsed = parse_local_time("2026-05-01T09:30").unwrap().unwrap();
        assert_eq!(parsed.to_string(), "2026-05-01 09:30:00");
        assert_eq!(parse_local_time("2026-05-01 09:30").unwrap(), Some(parsed));
        assert_eq!(parse_local_time(" ").unwrap(), None);
        assert!(parse_local_time("2026-13-01 09:30").is_err());
        assert!(parse_local_time("明天").is_err());
    }

    #[test]
    fn paging_counts_and_numbers_rows() {
        let paged = Paged::cut((1..=33).collect::<Vec<_>>(), PageRequest::new(Some(3), Some(15)));
        assert_eq!(paged.total, 33);
        assert_eq!(paged.pages(), 3);
        assert_eq!(paged.items, vec![31, 32, 33]);
        assert_eq!(paged.number(0), 31);
        let empty = Paged::cut(Vec::<u8>::new(), PageRequest::default());
        assert_eq!((empty.total, empty.pages()), (0, 1));
        assert_eq!(PageRequest::new(Some(0), Some(0)), PageRequest { page: 1, size: 1 });
        assert_eq!(PageRequest::new(None, Some(1000)).size, MAX_PAGE_SIZE);
        let far = Paged::cut((1..=3).collect::<Vec<_>>(), PageRequest::new(Some(usize::MAX), None));
        assert!(far.items.is_empty());
    }
}
