//! The public JSON contract of the notice and material endpoints (通知公告, 资料下载). Built from the domain
//! records, never the records themselves.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::enums::{AudienceCode, FileKindCode};

use crate::clock;
use crate::domain::markup;
use crate::domain::notice::{FileRef, Material, Notice, Paged};
use crate::service::notices::ListRow;

/// A file stored for a notice or material.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeFileOut {
    /// The name it downloads under.
    pub name: String,
    /// SHA-256 of the content (its address); pass it back in `attachments` / `file` to keep the file.
    pub sha256: String,
    pub size: u64,
    /// Decided by content (a notice carries `pdf`, `doc`, `docx`, `xlsx` or `zip`).
    pub kind: FileKindCode,
    /// Where to download it (relative to `/api/v1`).
    pub download: String,
}

/// One row of a list or search.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ListItemOut {
    pub id: u64,
    /// 名称 / 资料名称.
    pub title: String,
    /// 发布时间.
    pub publish_at: DateTime<Utc>,
    /// 发布时间 as shown on the pages (`yyyy-mm-dd hh:mm`, Shanghai time).
    pub publish_time: String,
    /// Notices: the number of attachments.
    pub attachment_count: u64,
    /// Materials: the file.
    pub file: Option<NoticeFileOut>,
    /// Searches only: the title with matches in `<mark>…</mark>` (everything else HTML-escaped).
    pub title_html: Option<String>,
    /// Searches only: a passage with the matches in `<mark>…</mark>` (everything else HTML-escaped).
    pub snippet_html: Option<String>,
}

/// A page of a list: `total` is the `共N条记录` count.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ListPageOut {
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    pub pages: u64,
    pub items: Vec<ListItemOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeOut {
    pub id: u64,
    pub title: String,
    /// The body as written (the safe text format: blank line = paragraph, `**bold**`, `[text](url)`).
    pub body: String,
    /// The body rendered to safe HTML.
    pub body_html: String,
    pub audience: AudienceCode,
    pub publish_at: DateTime<Utc>,
    pub publish_time: String,
    /// `scheduled` (待发布), `published` (已发布) or `withdrawn` (已撤回).
    pub state: NoticeStateCode,
    pub attachments: Vec<NoticeFileOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MaterialOut {
    pub id: u64,
    /// 资料名称.
    pub name: String,
    pub file: NoticeFileOut,
    pub publish_at: DateTime<Utc>,
    pub publish_time: String,
    /// `scheduled`, `published` or `withdrawn`.
    pub state: NoticeStateCode,
}

/// A file chosen for a notice or material: one uploaded with `POST /uploads` (or already attached).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileChoiceIn {
    pub sha256: String,
    /// The name to offer it under.
    pub name: String,
}

/// A notice to publish, or the new state of one (`PUT`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeIn {
    pub title: String,
    pub body: String,
    /// `all` when omitted.
    #[oai(default)]
    pub audience: Option<AudienceCode>,
    /// When to show it; omitted: now (publish) or unchanged (edit).
    #[oai(default)]
    pub publish_at: Option<DateTime<Utc>>,
    /// The complete list of attachments.
    #[oai(default)]
    pub attachments: Vec<FileChoiceIn>,
}

/// A material to publish, or the new state of one (`PUT`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MaterialIn {
    /// 资料名称.
    pub name: String,
    /// Required to publish; omitted on edit keeps the current file.
    #[oai(default)]
    pub file: Option<FileChoiceIn>,
    #[oai(default)]
    pub publish_at: Option<DateTime<Utc>>,
}

/// 待发布, 已发布 or 已撤回.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum NoticeStateCode {
    Scheduled,
    Published,
    Withdrawn,
}

fn state_code(state: crate::domain::notice::State) -> NoticeStateCode {
    use crate::domain::notice::State;
    match state {
        State::Scheduled => NoticeStateCode::Scheduled,
        State::Published => NoticeStateCode::Published,
        State::Withdrawn => NoticeStateCode::Withdrawn,
    }
}

impl NoticeFileOut {
    pub fn new(file: FileRef, download: String) -> Self {
        Self {
            name: file.name,
            sha256: file.sha256,
            size: file.size,
            kind: FileKindCode::of_stored(&file.kind),
            download,
        }
    }
}

impl ListPageOut {
    pub fn new(paged: Paged<ListRow>, materials: bool) -> Self {
        let pages = paged.pages() as u64;
        Self {
            total: paged.total as u64,
            page: paged.page as u64,
            page_size: paged.size as u64,
            pages,
            items: paged
                .items
                .into_iter()
                .map(|row| ListItemOut {
                    id: row.id,
                    publish_time: clock::minute(row.publish_at),
                    publish_at: row.publish_at,
                    attachment_count: if materials { 0 } else { row.attachments as u64 },
                    file: row.file.map(|file| NoticeFileOut::new(file, format!("/materials/{}/download", row.id))),
                    title: row.title,
                    title_html: row.title_html,
                    snippet_html: row.snippet_html,
                })
                .collect(),
        }
    }
}

impl NoticeOut {
    /// The notice as of `now` (its publish state), by the services' clock.
    pub fn new(notice: Notice, now: chrono::DateTime<chrono::Utc>) -> Self {
        let state = state_code(notice.state(now));
        let id = notice.id;
        Self {
            id,
            body_html: markup::to_html(&notice.body),
            title: notice.title,
            body: notice.body,
            audience: notice.audience.into(),
            publish_time: clock::minute(notice.publish_at),
            publish_at: notice.publish_at,
            state,
            attachments: notice
                .attachments
                .into_iter()
                .enumerate()
                .map(|(index, file)| NoticeFileOut::new(file, format!("/notices/{id}/attachments/{index}")))
                .collect(),
        }
    }
}

impl MaterialOut {
    /// The material as of `now` (its publish state), by the services' clock.
    pub fn new(material: Material, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            state: state_code(material.state(now)),
            file: NoticeFileOut::new(material.file, format!("/materials/{}/download", material.id)),
            id: material.id,
            name: material.name,
            publish_time: clock::minute(material.publish_at),
            publish_at: material.publish_at,
        }
    }
}
