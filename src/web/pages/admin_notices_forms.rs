//! The publish and edit forms of notices and materials (city admin). A failed submit shows every error under
//! its field and keeps everything typed — files already uploaded included, as ticked "keep" boxes — so
//! nothing has to be uploaded twice.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Multipart, Path, Redirect};
use poem::{IntoResponse, Response, handler};

use super::admin_notices::{read_form, text_input};
use super::notices::size_label;
use crate::clock;
use crate::domain::FieldErrors;
use crate::domain::notice::{Audience, MAX_ATTACHMENTS};
use crate::service::ServiceError;
use crate::service::notices::{FileChoice, MaterialInput, NoticeInput};
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

/// What a notice form shows.
struct NoticeView {
    /// `None` for a new notice.
    id: Option<u64>,
    title: String,
    body: String,
    audience: String,
    publish_at: String,
    publish_at_shown: String,
    files: Vec<FileChoice>,
    errors: FieldErrors,
}

#[handler]
pub fn new_notice_form(signed: Signed) -> Response {
    if let Err(error) = signed.services().may_publish(signed.actor()) {
        return errors::page(&signed.ctx, &error);
    }
    let view = NoticeView {
        id: None,
        title: String::new(),
        body: String::new(),
        audience: Audience::All.code().into(),
        publish_at: String::new(),
        publish_at_shown: String::new(),
        files: Vec::new(),
        errors: FieldErrors::new(),
    };
    notice_page(&signed, StatusCode::OK, &view)
}

#[handler]
pub fn edit_notice_form(signed: Signed, Path(id): Path<u64>) -> Response {
    let notice = match signed
        .services()
        .may_publish(signed.actor())
        .and_then(|()| signed.services().get_notice(signed.actor(), id))
    {
        Ok(notice) => notice,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let shown = clock::input_minute(notice.publish_at);
    let view = NoticeView {
        id: Some(notice.id),
        title: notice.title,
        body: notice.body,
        audience: notice.audience.code().into(),
        publish_at: shown.clone(),
        publish_at_shown: shown,
        files: notice.attachments.into_iter().map(|file| FileChoice { sha256: file.sha256, name: file.name }).collect(),
        errors: FieldErrors::new(),
    };
    notice_page(&signed, StatusCode::OK, &view)
}

#[handler]
pub async fn create_notice(signed: Signed, multipart: Multipart) -> Response {
    save_notice(signed, None, multipart).await
}

#[handler]
pub async fn update_notice(signed: Signed, Path(id): Path<u64>, multipart: Multipart) -> Response {
    save_notice(signed, Some(id), multipart).await
}

async fn save_notice(signed: Signed, id: Option<u64>, multipart: Multipart) -> Response {
    let mut form = match read_form(&signed, multipart).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let input = NoticeInput {
        title: form.title.clone(),
        body: form.body.clone(),
        publish_at: form.publish_time(),
        audience: form.audience(),
        attachments: form.files(),
    };
    let mut errors_of = std::mem::take(&mut form.errors);
    if errors_of.is_empty() {
        let services = signed.services();
        let saved = match id {
            None => services.publish_notice(signed.actor(), input).await,
            Some(id) => services.edit_notice(signed.actor(), id, input).await,
        };
        match saved {
            Ok(_) => {
                let done = if id.is_some() { "edited" } else { "published" };
                return Redirect::see_other(format!("/admin/notices?done={done}")).into_response();
            }
            Err(ServiceError::Invalid(found)) => errors_of = found,
            Err(error) => return errors::page(&signed.ctx, &error),
        }
    }
    let files = form.files();
    let view = NoticeView {
        id,
        title: form.title,
        body: form.body,
        audience: form.audience,
        publish_at: form.publish_at,
        publish_at_shown: form.publish_at_shown,
        files,
        errors: errors_of,
    };
    notice_page(&signed, StatusCode::UNPROCESSABLE_ENTITY, &view)
}

fn notice_page(signed: &Signed, status: StatusCode, view: &NoticeView) -> Response {
    let heading = if view.id.is_some() { "编辑通知" } else { "发布通知" };
    let action = match view.id {
        Some(id) => format!("/admin/notices/{id}"),
        None => "/admin/notices".into(),
    };
    let errors_of = &view.errors;
    let body = html! {
        p.breadcrumb { "您的位置：" a href="/notices" { "通知公告" } " > " a href="/admin/notices" { "管理" } " > " (heading) }
        @if !errors_of.is_empty() { (layout::notice("error", "提交的信息有误，请按红色提示修改。")) }
        section.card {
            h1 { (heading) }
            form.stacked method="post" action=(action) enctype="multipart/form-data" novalidate {
                // First field: checked before anything else of the form is read.
                input type="hidden" name="csrf" value=(signed.ctx.csrf());
                input type="hidden" name="publish_at_shown" value=(view.publish_at_shown);
                (text_input("title", "标题", &view.title, errors_of, None))
                @let body_error = errors_of.get("body");
                div.field.has-error[body_error.is_some()] {
                    label for="body" { "正文" }
                    textarea #body name="body" rows="14" aria-invalid=[body_error.map(|_| "true")]
                        aria-describedby=(described_by("body", body_error).unwrap_or_else(|| "body-hint".into())) { (view.body) }
                    p.hint id="body-hint" { "格式：空一行为分段，换行即换行；**文字** 为粗体；[链接文字](/站内地址) 或 [链接文字](https://地址) 为链接。不支持HTML。" }
                    (field_error("body", body_error))
                }
                div.grid-2 {
                    @let audience_error = errors_of.get("audience");
                    div.field.has-error[audience_error.is_some()] {
                        label for="audience" { "受众" }
                        select #audience name="audience" aria-describedby=[described_by("audience", audience_error)] {
                            @for audience in Audience::ALL {
                                option value=(audience.code()) selected[audience.code() == view.audience] { (audience.label()) }
                            }
                        }
                        (field_error("audience", audience_error))
                    }
                    (publish_time_field(&view.publish_at, errors_of))
                }
                (files_field(&view.files, errors_of, true))
                div.actions {
                    button.primary type="submit" { (if view.id.is_some() { "保存" } else { "发布" }) }
                    " " a.button href="/admin/notices" { "取消" }
                }
            }
        }
    };
    (status, layout::page(&signed.ctx, heading, "/notices", body)).into_response()
}

/// The publish time input (Shanghai time; empty = now).
fn publish_time_field(value: &str, errors_of: &FieldErrors) -> Markup {
    let message = errors_of.get("publish_at");
    html! {
        div.field.has-error[message.is_some()] {
            label for="publish_at" { "发布时间" }
            input #publish_at name="publish_at" type="datetime-local" value=(value) placeholder="yyyy-mm-dd hh:mm"
                aria-invalid=[message.map(|_| "true")]
                aria-describedby=(described_by("publish_at", message).unwrap_or_else(|| "publish_at-hint".into()));
            p.hint id="publish_at-hint" { "北京时间。留空为立即发布；填写将来的时间则到时自动显示。" }
            (field_error("publish_at", message))
        }
    }
}

/// The files a form keeps (ticked boxes) and the file input for new ones.
fn files_field(files: &[FileChoice], errors_of: &FieldErrors, multiple: bool) -> Markup {
    let message = errors_of.get("file");
    let label = if multiple { "附件" } else { "资料文件" };
    html! {
        @if !multiple {
            // One file: the current (or already uploaded) one stays unless a new one is chosen.
            @for file in files {
                input type="hidden" name="keep" value=(format!("{}:{}", file.sha256, file.name));
            }
        } @else if !files.is_empty() {
            fieldset.kept {
                legend { "已上传的附件（取消勾选即删除）" }
                @for (index, file) in files.iter().enumerate() {
                    div.check {
                        input type="checkbox" id=(format!("keep-{index}")) name="keep" value=(format!("{}:{}", file.sha256, file.name)) checked;
                        label for=(format!("keep-{index}")) { (file.name) }
                    }
                }
            }
        }
        div.field.has-error[message.is_some()] {
            label for="file" { (label) @if !multiple && !files.is_empty() { "（上传新文件将替换）" } }
            input #file name="file" type="file" multiple[multiple]
                accept=".pdf,.doc,.docx,.xlsx,.zip"
                aria-describedby=(described_by("file", message).unwrap_or_else(|| "file-hint".into()));
            p.hint id="file-hint" {
                "支持PDF、Word（DOC/DOCX）、Excel（XLSX）或ZIP，按文件内容判断类型；单个文件不超过20MB"
                @if multiple { "，最多" (MAX_ATTACHMENTS) "个" }
                "。PDF和Word文件的文字可被搜索。"
            }
            (field_error("file", message))
        }
    }
}

/// What a material form shows.
struct MaterialView {
    id: Option<u64>,
    name: String,
    publish_at: String,
    publish_at_shown: String,
    /// The current file (edit) or the file uploaded before a failed submit.
    file: Option<FileChoice>,
    /// Shown beside the current file.
    size: Option<u64>,
    errors: FieldErrors,
}

#[handler]
pub fn new_material_form(signed: Signed) -> Response {
    if let Err(error) = signed.services().may_publish(signed.actor()) {
        return errors::page(&signed.ctx, &error);
    }
    let view = MaterialView {
        id: None,
        name: String::new(),
        publish_at: String::new(),
        publish_at_shown: String::new(),
        file: None,
        size: None,
        errors: FieldErrors::new(),
    };
    material_page(&signed, StatusCode::OK, &view)
}

#[handler]
pub fn edit_material_form(signed: Signed, Path(id): Path<u64>) -> Response {
    let material = match signed
        .services()
        .may_publish(signed.actor())
        .and_then(|()| signed.services().get_material(signed.actor(), id))
    {
        Ok(material) => material,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let shown = clock::input_minute(material.publish_at);
    let view = MaterialView {
        id: Some(material.id),
        name: material.name,
        publish_at: shown.clone(),
        publish_at_shown: shown,
        size: Some(material.file.size),
        file: Some(FileChoice { sha256: material.file.sha256, name: material.file.name }),
        errors: FieldErrors::new(),
    };
    material_page(&signed, StatusCode::OK, &view)
}

#[handler]
pub async fn create_material(signed: Signed, multipart: Multipart) -> Response {
    save_material(signed, None, multipart).await
}

#[handler]
pub async fn update_material(signed: Signed, Path(id): Path<u64>, multipart: Multipart) -> Response {
    save_material(signed, Some(id), multipart).await
}

async fn save_material(signed: Signed, id: Option<u64>, multipart: Multipart) -> Response {
    let mut form = match read_form(&signed, multipart).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    // A newly uploaded file wins over the kept one; with neither, an edit keeps the current file.
    let file = form.files().pop();
    let size = form.uploaded.last().map(|file| file.size);
    let input = MaterialInput { name: form.title.clone(), file: file.clone(), publish_at: form.publish_time() };
    let mut errors_of = std::mem::take(&mut form.errors);
    if errors_of.is_empty() {
        let services = signed.services();
        let saved = match id {
            None => services.publish_material(signed.actor(), input).await,
            Some(id) => services.edit_material(signed.actor(), id, input).await,
        };
        match saved {
            Ok(_) => {
                let done = if id.is_some() { "edited" } else { "published" };
                return Redirect::see_other(format!("/admin/materials?done={done}")).into_response();
            }
            Err(ServiceError::Invalid(found)) => errors_of = found,
            Err(error) => return errors::page(&signed.ctx, &error),
        }
    }
    let view = MaterialView {
        id,
        name: form.title,
        publish_at: form.publish_at,
        publish_at_shown: form.publish_at_shown,
        file,
        size,
        errors: errors_of,
    };
    material_page(&signed, StatusCode::UNPROCESSABLE_ENTITY, &view)
}

fn material_page(signed: &Signed, status: StatusCode, view: &MaterialView) -> Response {
    let heading = if view.id.is_some() { "编辑资料" } else { "发布资料" };
    let action = match view.id {
        Some(id) => format!("/admin/materials/{id}"),
        None => "/admin/materials".into(),
    };
    let errors_of = &view.errors;
    let kept: Vec<FileChoice> = view.file.iter().cloned().collect();
    let body = html! {
        p.breadcrumb { "您的位置：" a href="/materials" { "资料下载" } " > " a href="/admin/materials" { "管理" } " > " (heading) }
        @if !errors_of.is_empty() { (layout::notice("error", "提交的信息有误，请按红色提示修改。")) }
        section.card {
            h1 { (heading) }
            form.stacked method="post" action=(action) enctype="multipart/form-data" novalidate {
                input type="hidden" name="csrf" value=(signed.ctx.csrf());
                input type="hidden" name="publish_at_shown" value=(view.publish_at_shown);
                (text_input("name", "资料名称", &view.name, errors_of, None))
                (publish_time_field(&view.publish_at, errors_of))
                @if let Some(file) = &view.file {
                    p.hint { "当前文件：" (file.name) @if let Some(size) = view.size { "（" (size_label(size)) "）" } }
                }
                (files_field(&kept, errors_of, false))
                div.actions {
                    button.primary type="submit" { (if view.id.is_some() { "保存" } else { "发布" }) }
                    " " a.button href="/admin/materials" { "取消" }
                }
            }
        }
    };
    (status, layout::page(&signed.ctx, heading, "/materials", body)).into_response()
}
