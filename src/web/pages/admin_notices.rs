//! The city admin's 通知公告管理 and 资料管理: every notice and material with its state (待发布 / 已发布 / 已撤回),
//! the publish and edit forms (multipart, files streamed straight into the blob store), and 撤回.
//!
//! The forms are `multipart/form-data` with the CSRF token as their first field: it is checked, and the
//! actor's right to publish too, before any file is read.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Multipart, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::notices::{pager, size_label};
use crate::clock;
use crate::domain::FieldErrors;
use crate::domain::notice::{Audience, FileRef, MAX_ATTACHMENTS, PageRequest, parse_local_time};
use crate::service::ServiceError;
use crate::service::notices::FileChoice;
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

pub use super::admin_notices_forms::{
    create_material, create_notice, edit_material_form, edit_notice_form, new_material_form, new_notice_form,
    update_material, update_notice,
};

#[derive(Deserialize, Default)]
pub struct ManageQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    done: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn done_message(done: &str) -> Option<&'static str> {
    match done {
        "published" => Some("已发布。设定了将来发布时间的，到时自动显示。"),
        "edited" => Some("修改已保存。"),
        "withdrawn" => Some("已撤回，用户将不再看到该条目。"),
        _ => None,
    }
}

#[handler]
pub fn manage_notices(signed: Signed, Query(query): Query<ManageQuery>) -> Response {
    let page = PageRequest::new(query.page.trim().parse().ok(), None);
    let paged = match signed.services().manage_notices(signed.actor(), page) {
        Ok(paged) => paged,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let now = signed.services().clock.now();
    let csrf = signed.ctx.csrf();
    let body = html! {
        p.breadcrumb { "您的位置：" a href="/notices" { "通知公告" } " > 管理" }
        @if let Some(message) = done_message(&query.done) { (layout::notice("success", message)) }
        section.card {
            div.list-tools {
                h1 { "通知公告管理" }
                a.button.primary href="/admin/notices/new" { "发布通知" }
            }
            div.table-wrap {
                table.data {
                    thead { tr { th { "序号" } th { "名称" } th { "受众" } th { "附件" } th { "发布时间" } th { "状态" } th { "操作" } } }
                    tbody {
                        @for (index, notice) in paged.items.iter().enumerate() {
                            @let state = notice.state(now);
                            tr {
                                td { (paged.number(index)) }
                                td { a href=(format!("/notices/{}", notice.id)) { (notice.title) } }
                                td { (notice.audience.label()) }
                                td { (notice.attachments.len()) }
                                td { (clock::minute(notice.publish_at)) }
                                td { (state_badge(state)) }
                                td {
                                    @if state != crate::domain::notice::State::Withdrawn {
                                        a.button.small href=(format!("/admin/notices/{}/edit", notice.id)) { "编辑" }
                                        " "
                                        form.inline method="post" action=(format!("/admin/notices/{}/withdraw", notice.id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.small.danger type="submit" data-confirm=(format!("撤回后用户将不再看到“{}”，确定撤回吗？", notice.title)) { "撤回" }
                                        }
                                    }
                                }
                            }
                        }
                        @if paged.items.is_empty() { tr { td.empty colspan="7" { "暂无通知公告" } } }
                    }
                }
            }
            (pager("/admin/notices", "", &paged))
        }
    };
    signed.ctx.finish(layout::page(&signed.ctx, "通知公告管理", "/notices", body))
}

#[handler]
pub fn manage_materials(signed: Signed, Query(query): Query<ManageQuery>) -> Response {
    let page = PageRequest::new(query.page.trim().parse().ok(), None);
    let paged = match signed.services().manage_materials(signed.actor(), page) {
        Ok(paged) => paged,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let now = signed.services().clock.now();
    let csrf = signed.ctx.csrf();
    let body = html! {
        p.breadcrumb { "您的位置：" a href="/materials" { "资料下载" } " > 管理" }
        @if let Some(message) = done_message(&query.done) { (layout::notice("success", message)) }
        section.card {
            div.list-tools {
                h1 { "资料管理" }
                a.button.primary href="/admin/materials/new" { "发布资料" }
            }
            div.table-wrap {
                table.data {
                    thead { tr { th { "序号" } th { "资料名称" } th { "文件" } th { "发布时间" } th { "状态" } th { "操作" } } }
                    tbody {
                        @for (index, material) in paged.items.iter().enumerate() {
                            @let state = material.state(now);
                            tr {
                                td { (paged.number(index)) }
                                td { (material.name) }
                                td { a href=(format!("/materials/{}/download", material.id)) { (material.file.name) } " " span.hint { (size_label(material.file.size)) } }
                                td { (clock::minute(material.publish_at)) }
                                td { (state_badge(state)) }
                                td {
                                    @if state != crate::domain::notice::State::Withdrawn {
                                        a.button.small href=(format!("/admin/materials/{}/edit", material.id)) { "编辑" }
                                        " "
                                        form.inline method="post" action=(format!("/admin/materials/{}/withdraw", material.id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button.small.danger type="submit" data-confirm=(format!("撤回后用户将无法下载“{}”，确定撤回吗？", material.name)) { "撤回" }
                                        }
                                    }
                                }
                            }
                        }
                        @if paged.items.is_empty() { tr { td.empty colspan="6" { "暂无资料" } } }
                    }
                }
            }
            (pager("/admin/materials", "", &paged))
        }
    };
    signed.ctx.finish(layout::page(&signed.ctx, "资料管理", "/materials", body))
}

fn state_badge(state: crate::domain::notice::State) -> Markup {
    use crate::domain::notice::State;
    let class = match state {
        State::Scheduled => "badge warn",
        State::Published => "badge ok",
        State::Withdrawn => "badge danger",
    };
    html! { span class=(class) { (state.label()) } }
}

#[handler]
pub async fn withdraw_notice(signed: Signed, Path(id): Path<u64>, Form(form): Form<CsrfForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().withdraw_notice(signed.actor(), id).await {
        Ok(_) => Redirect::see_other("/admin/notices?done=withdrawn").into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub async fn withdraw_material(signed: Signed, Path(id): Path<u64>, Form(form): Form<CsrfForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().withdraw_material(signed.actor(), id).await {
        Ok(_) => Redirect::see_other("/admin/materials?done=withdrawn").into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// What a publish or edit form sent: its text fields, the files it keeps (uploaded earlier, `sha256:name`)
/// and the files it uploaded now (already in the blob store), and the upload errors.
#[derive(Default)]
pub struct SentForm {
    pub title: String,
    pub body: String,
    pub audience: String,
    pub publish_at: String,
    /// `publish_at` as shown when the form was served; unchanged means "keep the exact stored time".
    pub publish_at_shown: String,
    pub kept: Vec<FileChoice>,
    pub uploaded: Vec<FileRef>,
    pub errors: FieldErrors,
}

impl SentForm {
    /// Every file the form ends up with: the kept ones, then the new ones.
    pub fn files(&self) -> Vec<FileChoice> {
        let new = self.uploaded.iter().map(|file| FileChoice { sha256: file.sha256.clone(), name: file.name.clone() });
        self.kept.iter().cloned().chain(new).collect()
    }

    /// The publish time: `None` when empty (now) or unchanged from what the form showed (keep).
    pub fn publish_time(&mut self) -> Option<chrono::DateTime<chrono::Utc>> {
        if !self.publish_at_shown.is_empty() && self.publish_at.trim() == self.publish_at_shown {
            return None;
        }
        match parse_local_time(&self.publish_at) {
            Ok(time) => time.map(clock::from_local),
            Err(message) => {
                self.errors.add("publish_at", message);
                None
            }
        }
    }

    pub fn audience(&mut self) -> Audience {
        match Audience::from_code(self.audience.trim()) {
            Some(audience) => audience,
            None => {
                self.errors.add("audience", "请选择受众");
                Audience::All
            }
        }
    }
}

/// The most bytes of one text field (a 50,000-character body is at most 150 KB of UTF-8).
const MAX_TEXT_FIELD_BYTES: u64 = 256 * 1024;

/// Reads a publish form. Answers with a finished response when the CSRF token is wrong or the actor may not
/// publish (then nothing after the first field has been read).
pub async fn read_form(signed: &Signed, mut multipart: Multipart) -> Result<SentForm, Response> {
    let bad_request = |_| StatusCode::BAD_REQUEST.into_response();
    let first = multipart.next_field().await.map_err(bad_request)?;
    let csrf = match first {
        Some(field) if field.name() == Some("csrf") => read_text(field).await.unwrap_or_default(),
        _ => String::new(),
    };
    signed.ctx.check_csrf(&csrf).map_err(|error| error.into_response())?;
    signed.services().may_publish(signed.actor()).map_err(|error| errors::page(&signed.ctx, &error))?;
    let mut form = SentForm::default();
    let mut files_seen = 0;
    while let Some(field) = multipart.next_field().await.map_err(bad_request)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            if file_name.is_empty() {
                continue; // the file input left empty
            }
            files_seen += 1;
            if files_seen > MAX_ATTACHMENTS {
                if files_seen == MAX_ATTACHMENTS + 1 {
                    form.errors.add("file", format!("一次最多上传{MAX_ATTACHMENTS}个文件"));
                }
                continue;
            }
            let upload =
                signed.services().upload_notice_file(signed.actor(), "file", field.into_async_read(), &file_name).await;
            match upload {
                Ok(file) => form.uploaded.push(file),
                Err(ServiceError::Invalid(errors)) => form.errors.extend(errors),
                Err(error) => {
                    crate::web::multipart::drain_rest(&mut multipart).await;
                    return Err(errors::page(&signed.ctx, &error));
                }
            }
            continue;
        }
        let Some(value) = read_text(field).await else {
            form.errors.add(name.as_str(), "内容过长");
            continue;
        };
        match name.as_str() {
            "title" | "name" => form.title = value,
            "body" => form.body = value,
            "audience" => form.audience = value,
            "publish_at" => form.publish_at = value,
            "publish_at_shown" => form.publish_at_shown = value,
            "keep" => {
                if let Some((sha256, file_name)) = value.split_once(':') {
                    form.kept.push(FileChoice { sha256: sha256.to_string(), name: file_name.to_string() });
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

/// A text field's value, or `None` past [`MAX_TEXT_FIELD_BYTES`] (only that much is ever read).
async fn read_text(field: poem::web::Field) -> Option<String> {
    let mut bytes = Vec::new();
    let mut reader = field.into_async_read().take(MAX_TEXT_FIELD_BYTES + 1);
    reader.read_to_end(&mut bytes).await.ok()?;
    if bytes.len() as u64 > MAX_TEXT_FIELD_BYTES {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A labelled text input with its error.
pub fn text_input(id: &str, label: &str, value: &str, errors: &FieldErrors, hint: Option<&str>) -> Markup {
    let message = errors.get(id);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) }
            input id=(id) name=(id) type="text" value=(value) aria-invalid=[message.map(|_| "true")]
                aria-describedby=[described_by(id, message).or(hint.map(|_| format!("{id}-hint")))];
            @if let Some(hint) = hint { p.hint id=(format!("{id}-hint")) { (hint) } }
            (field_error(id, message))
        }
    }
}
