//! 通知公告 and 资料下载 as the manual shows them (3. 通知公告, 4. 资料下载): `您的位置：通知公告`, the table of
//! 序号 / 名称 (资料名称) / 发布时间 newest first, the download button after each material's name, `共N条记录` and
//! page numbers; a search box (a plain GET form) with highlighted results; the notice detail page with its
//! attachments; the downloads; and the two boxes of the home page (the latest 5 of each, with 更多).

use maud::{Markup, PreEscaped, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use poem::http::header;
use poem::web::{Path, Query};
use poem::{Body, IntoResponse, Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::domain::account::Role;
use crate::domain::markup;
use crate::domain::notice::{HOME_COUNT, PageRequest, Paged};
use crate::files::{self, FileKind, content_disposition};
use crate::service::notices::{Download, ListRow};
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

/// `?q=…&page=…`. Both are read leniently: a page that is not a number is page 1.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

impl ListQuery {
    fn page(&self) -> PageRequest {
        PageRequest::new(self.page.trim().parse().ok(), None)
    }

    /// The search text, bounded: a query is a few words, never a document.
    fn text(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }
}

/// The two kinds of list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Notices,
    Materials,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Notices => "通知公告",
            Kind::Materials => "资料下载",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Notices => "/notices",
            Kind::Materials => "/materials",
        }
    }
}

#[handler]
pub fn notices(signed: Signed, Query(query): Query<ListQuery>) -> Response {
    let text = query.text();
    match signed.services().list_notices(signed.actor(), &text, query.page()) {
        Ok(paged) => list_page(&signed, Kind::Notices, &text, &paged),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn materials(signed: Signed, Query(query): Query<ListQuery>) -> Response {
    let text = query.text();
    match signed.services().list_materials(signed.actor(), &text, query.page()) {
        Ok(paged) => list_page(&signed, Kind::Materials, &text, &paged),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn list_page(signed: &Signed, kind: Kind, text: &str, paged: &Paged<ListRow>) -> Response {
    let publisher = signed.actor().is(Role::CityAdmin);
    let name_header = if kind == Kind::Notices { "名称" } else { "资料名称" };
    let body = html! {
        p.breadcrumb { "您的位置：" (kind.label()) }
        section.card {
            div.list-tools {
                form.search role="search" method="get" action=(kind.path()) {
                    label for="q" { "搜索" (kind.label()) }
                    input #q type="search" name="q" value=(text) placeholder="输入关键词，如：职称评审、成果鉴定、CIP";
                    button.primary type="submit" { "搜索" }
                    @if !text.is_empty() { a href=(kind.path()) { "清除" } }
                }
                @if publisher {
                    a.button href=(format!("/admin{}", kind.path())) { (if kind == Kind::Notices { "发布与管理通知" } else { "发布与管理资料" }) }
                }
            }
            @if !text.is_empty() {
                p.hint role="status" { "搜索“" (text) "”的结果，按相关程度排列。" }
            }
            div.table-wrap {
                table.data.list {
                    thead { tr { th.number scope="col" { "序号" } th scope="col" { (name_header) } th.time scope="col" { "发布时间" } } }
                    tbody {
                        @for (index, row) in paged.items.iter().enumerate() {
                            tr {
                                td.number { (paged.number(index)) }
                                td { (row_name(kind, row)) }
                                td.time { (clock::minute(row.publish_at)) }
                            }
                        }
                        @if paged.items.is_empty() {
                            tr { td.empty colspan="3" { @if text.is_empty() { "暂无记录" } @else { "没有找到相关记录" } } }
                        }
                    }
                }
            }
            (pager(kind.path(), text, paged))
        }
    };
    signed.ctx.finish(layout::page(&signed.ctx, kind.label(), kind.path(), body))
}

/// The 名称 cell: the title (a link to the detail for notices; the name and its 下载 button for materials),
/// and under it the highlighted passage when the list is a search.
fn row_name(kind: Kind, row: &ListRow) -> Markup {
    let title = match &row.title_html {
        Some(highlighted) => PreEscaped(highlighted.clone()),
        None => PreEscaped(escape(&row.title)),
    };
    html! {
        @match kind {
            Kind::Notices => {
                a href=(format!("/notices/{}", row.id)) { (title) }
                @if row.attachments > 0 { " " span.badge title="附件" { "附件" (row.attachments) } }
            }
            Kind::Materials => {
                span.material-name { (title) }
                " "
                a.button.small.download href=(format!("/materials/{}/download", row.id)) aria-label=(format!("下载 {}", row.title)) { "下载" }
                @if let Some(file) = &row.file { " " span.hint { (file.kind.to_uppercase()) " · " (size_label(file.size)) } }
            }
        }
        @if let Some(snippet) = &row.snippet_html {
            p.snippet { (PreEscaped(snippet.clone())) }
        }
    }
}

/// `共N条记录 < 1 2 3 >`: every page number near the current one, the first and the last, and the arrows.
pub fn pager<T>(path: &str, text: &str, paged: &Paged<T>) -> Markup {
    let pages = paged.pages();
    let current = paged.page;
    let link = |page: usize| {
        let mut url = format!("{path}?page={page}");
        if !text.is_empty() {
            url.push_str("&q=");
            url.push_str(&utf8_percent_encode(text, NON_ALPHANUMERIC).to_string());
        }
        url
    };
    let shown: Vec<usize> =
        (1..=pages).filter(|page| *page == 1 || *page == pages || page.abs_diff(current) <= 2).collect();
    html! {
        nav.pager aria-label="分页" {
            span.total { "共" (paged.total) "条记录" }
            @if current > 1 { a href=(link(current - 1)) rel="prev" aria-label="上一页" { "<" } }
            @else { span.disabled aria-hidden="true" { "<" } }
            @for (index, page) in shown.iter().enumerate() {
                @if index > 0 && page - shown[index - 1] > 1 { span.gap aria-hidden="true" { "…" } }
                @if *page == current { span aria-current="page" { (page) } }
                @else { a href=(link(*page)) { (page) } }
            }
            @if current < pages { a href=(link(current + 1)) rel="next" aria-label="下一页" { ">" } }
            @else { span.disabled aria-hidden="true" { ">" } }
        }
    }
}

#[handler]
pub fn notice_detail(signed: Signed, Path(id): Path<u64>) -> Response {
    let notice = match signed.services().get_notice(signed.actor(), id) {
        Ok(notice) => notice,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let state = notice.state(signed.services().clock.now());
    let body = html! {
        p.breadcrumb { "您的位置：" a href="/notices" { "通知公告" } " > 详情" }
        article.card.notice-detail {
            h1 { (notice.title) }
            p.meta {
                "发布时间：" (clock::minute(notice.publish_at))
                @if signed.actor().is(Role::CityAdmin) {
                    " · 受众：" (notice.audience.label()) " · " span.badge { (state.label()) }
                }
            }
            div.notice-body { (PreEscaped(markup::to_html(&notice.body))) }
            @if !notice.attachments.is_empty() {
                section.attachments {
                    h2 { "附件" }
                    ul {
                        @for (index, file) in notice.attachments.iter().enumerate() {
                            li {
                                a href=(format!("/notices/{}/attachments/{}", notice.id, index)) { (file.name) }
                                " " span.hint { (file.kind.to_uppercase()) " · " (size_label(file.size)) }
                            }
                        }
                    }
                }
            }
            p { a.button href="/notices" { "返回" } }
        }
    };
    signed.ctx.finish(layout::page(&signed.ctx, &notice.title, "/notices", body))
}

#[handler]
pub async fn notice_attachment(signed: Signed, Path((id, index)): Path<(u64, usize)>) -> Response {
    match signed.services().notice_attachment(signed.actor(), id, index) {
        // A PDF opens in the browser; anything else is saved.
        Ok(download) => {
            let inline = download.file.kind == files::extension_of(FileKind::Pdf);
            send_file(download, inline).await
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub async fn material_download(signed: Signed, Path(id): Path<u64>) -> Response {
    match signed.services().material_download(signed.actor(), id) {
        Ok(download) => send_file(download, false).await,
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// Streams a stored file with its type, its (Chinese) name per RFC 6266/5987, and no caching by proxies.
pub async fn send_file(download: Download, inline: bool) -> Response {
    let file = match tokio::fs::File::open(&download.path).await {
        Ok(file) => file,
        Err(error) => {
            tracing::error!(%error, "a stored file could not be opened");
            return poem::http::StatusCode::NOT_FOUND.into_response();
        }
    };
    let kind = FileKind::from_extension(&download.file.kind).unwrap_or(FileKind::Other);
    Response::builder()
        .header(header::CONTENT_TYPE, files::mime_of(kind))
        .header(header::CONTENT_DISPOSITION, content_disposition(inline, &download.file.name))
        .header(header::CACHE_CONTROL, "private, no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(Body::from_async_read(file))
}

/// The home page's 通知公告 and 资料下载 boxes: the latest [`HOME_COUNT`] each, with 更多.
pub fn home_boxes(signed: &Signed) -> Markup {
    let services = signed.services();
    let first = PageRequest::new(Some(1), Some(HOME_COUNT));
    let (latest_notices, latest_materials) = match services.home_lists(signed.actor(), first) {
        Ok(lists) => lists,
        // Opening the snapshot failed: both boxes show their failure (each logs it).
        Err(error) => (Err(crate::service::ServiceError::Internal(error.to_string())), Err(error)),
    };
    html! {
        div.columns {
            (home_box(Kind::Notices, latest_notices.map(|paged| paged.items)))
            (home_box(Kind::Materials, latest_materials.map(|paged| paged.items)))
        }
    }
}

fn home_box(kind: Kind, rows: Result<Vec<ListRow>, crate::service::ServiceError>) -> Markup {
    if let Err(error) = &rows {
        // The home page stays usable when a list cannot be read.
        tracing::error!(%error, "home page list failed");
    }
    let empty = if kind == Kind::Notices { "暂无通知公告" } else { "暂无资料" };
    html! {
        section.card.home-list {
            div.card-head {
                h2 { (kind.label()) }
                a.more href=(kind.path()) aria-label=(format!("更多{}", kind.label())) { "更多" }
            }
            @match rows {
                Ok(rows) if rows.is_empty() => { p.empty { (empty) } }
                Ok(rows) => {
                    ul.latest {
                        @for row in &rows {
                            li {
                                @if kind == Kind::Notices {
                                    a href=(format!("/notices/{}", row.id)) { (row.title) }
                                } @else {
                                    span { (row.title) } " "
                                    a.button.small.download href=(format!("/materials/{}/download", row.id)) aria-label=(format!("下载 {}", row.title)) { "下载" }
                                }
                                span.date { (clock::minute(row.publish_at)) }
                            }
                        }
                    }
                }
                Err(_) => { p.empty { "暂时无法读取，请稍后刷新。" } }
            }
        }
    }
}

/// `1.2 MB`, `35 KB`, with a non-breaking space so the number and its unit stay on one line.
pub fn size_label(size: u64) -> String {
    if size >= 1024 * 1024 {
        format!("{:.1}\u{a0}MB", size as f64 / (1024.0 * 1024.0))
    } else {
        format!("{}\u{a0}KB", size.div_ceil(1024).max(1))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    markup::escape_into(text, &mut out);
    out
}
