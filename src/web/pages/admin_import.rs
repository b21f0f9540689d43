//! 批量导入教师: download the template, upload a spreadsheet (streamed to a staged file, capped, checked by
//! content), see the dry run row by row, then 确认导入. Works without JavaScript: the preview page carries the
//! staged file's token in its confirm form.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Multipart, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::admin_teachers::xlsx_response;
use crate::domain::FieldErrors;
use crate::domain::account::Role;
use crate::service::imports::{ImportOptions, ImportReport, RowOutcome, StagedImport};
use crate::service::{Actor, ServiceError, Services};
use crate::web::ctx::Signed;
use crate::web::layout::field_error;
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ImportQuery {
    school_id: Option<u64>,
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    school_id: Option<u64>,
    #[serde(default)]
    strict: String,
}

fn upload_form(
    signed: &Signed,
    school_id: Option<u64>,
    strict: bool,
    errors_of: &FieldErrors,
) -> Result<Markup, ServiceError> {
    let actor = signed.actor();
    let schools = if actor.is(Role::SchoolAdmin) { Vec::new() } else { signed.services().list_schools(actor, None)? };
    let max = signed.services().config.uploads.import_mib;
    let file_error = errors_of.get("file");
    Ok(html! {
        section.card {
            h2 { "批量导入教师" }
            p { a.button href="/admin/teachers/template.xlsx" { "下载导入模板（.xlsx）" } }
            ul.hint {
                li { "支持 .xlsx 或 .csv（UTF-8 或 GBK 编码）文件，不超过 " (max) " MiB；文件类型按内容判断。" }
                li { "先预览每一行的处理结果（新增、更新、无变化或拒绝及原因），确认后才会导入。" }
                li { "已在其他学校开通的身份证号不会被导入；如需更换单位请联系主管部门管理员。" }
            }
            form.grid method="post" action="/admin/teachers/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(signed.ctx.csrf());
                @if !actor.is(Role::SchoolAdmin) {
                    div.field {
                        label for="import-school" { "导入到学校" }
                        select #import-school name="school_id" {
                            option value="" { "按表格中的“学校”列" }
                            @for school in schools.iter().filter(|s| !s.disabled) {
                                option value=(school.id) selected[school_id == Some(school.id)] { (school.name) }
                            }
                        }
                    }
                }
                div.field.has-error[file_error.is_some()] {
                    label for="import-file" { "表格文件" }
                    input #import-file name="file" type="file" accept=".xlsx,.csv"
                        aria-describedby=[file_error.map(|_| "import-file-error")];
                    (field_error("import-file", file_error))
                }
                div.field {
                    label.check for="import-strict" {
                        input #import-strict name="strict" type="checkbox" value="1" checked[strict];
                        " 有任何一行被拒绝时，整个文件都不导入"
                    }
                }
                div.field { button.primary type="submit" { "上传并预览" } }
            }
        }
    })
}

fn report_table(report: &ImportReport) -> Markup {
    let dry = report.dry_run;
    html! {
        p {
            (RowOutcome::Created.label(dry)) " " strong { (report.count(RowOutcome::Created)) } "　"
            (RowOutcome::Updated.label(dry)) " " strong { (report.count(RowOutcome::Updated)) } "　"
            "无变化 " strong { (report.count(RowOutcome::Unchanged)) } "　"
            "拒绝 " strong.danger-text { (report.count(RowOutcome::Refused)) }
        }
        div.table-wrap {
            table.data.import-report {
                thead { tr { th { "行号" } th { "身份证号" } th { "姓名" } th { "学校" } th { "结果" } th { "原因" } } }
                tbody {
                    @for row in &report.rows {
                        tr class=(format!("outcome-{}", row.outcome.code())) {
                            td { (row.line) }
                            td { (row.id_masked) }
                            td { (row.name) }
                            td { (row.school) }
                            td { span class=(format!("badge {}", if row.outcome == RowOutcome::Refused { "danger" } else { "ok" })) { (row.outcome.label(dry)) } }
                            td { (row.reasons.join("；")) }
                        }
                    }
                }
            }
        }
    }
}

fn page(signed: &Signed, status: StatusCode, body: Result<Markup, ServiceError>) -> Response {
    match body {
        Ok(body) => (status, layout::page(&signed.ctx, "批量导入", "/admin/teachers/import", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn admins_only(signed: &Signed) -> Result<(), ServiceError> {
    if signed.actor().role.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有管理员可以导入教师"))
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ImportQuery>) -> Response {
    let body = admins_only(&signed).and_then(|_| {
        let form = upload_form(&signed, query.school_id, false, &FieldErrors::new())?;
        Ok(html! { (layout::breadcrumb(&["用户管理", "批量导入"])) (form) })
    });
    page(&signed, StatusCode::OK, body)
}

/// A small text field of a multipart form, read with a cap so a huge field cannot fill memory.
async fn small_field(field: poem::web::Field) -> Result<String, ServiceError> {
    let mut text = String::new();
    let mut reader = field.into_async_read().take(4096);
    reader.read_to_string(&mut text).await.map_err(|_| ServiceError::field("file", "表单格式错误"))?;
    Ok(text.trim().to_string())
}

async fn run_import(
    services: std::sync::Arc<Services>,
    actor: Actor,
    staged: StagedImport,
    options: ImportOptions,
) -> Result<ImportReport, ServiceError> {
    tokio::task::spawn_blocking(move || services.import_teachers(&actor, &staged, &options))
        .await
        .map_err(|error| ServiceError::Internal(error.to_string()))?
}

/// The upload: CSRF first, then the file is staged and dry-run.
#[handler]
pub async fn preview(signed: Signed, mut multipart: Multipart) -> Response {
    if let Err(error) = admins_only(&signed) {
        return errors::page(&signed.ctx, &error);
    }
    let mut csrf_ok = false;
    let mut school_id = None;
    let mut strict = false;
    let mut staged = None;
    let mut failure = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                failure = Some(ServiceError::field("file", "上传中断或表单格式错误，请重新上传"));
                break;
            }
        };
        match field.name().unwrap_or_default() {
            "csrf" => match small_field(field).await {
                Ok(token) => {
                    if let Err(error) = signed.ctx.check_csrf(&token) {
                        return error.into_response();
                    }
                    csrf_ok = true;
                }
                Err(error) => failure = Some(error),
            },
            "school_id" => school_id = small_field(field).await.ok().and_then(|text| text.parse().ok()),
            "strict" => strict = small_field(field).await.is_ok_and(|text| !text.is_empty()),
            "file" if csrf_ok && staged.is_none() => {
                match signed.services().stage_import(signed.actor(), field.into_async_read()).await {
                    Ok(file) => staged = Some(file),
                    Err(error) => {
                        failure = Some(error);
                        crate::web::multipart::drain_rest(&mut multipart).await;
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    if !csrf_ok && let Err(error) = signed.ctx.check_csrf("") {
        return error.into_response();
    }
    let staged = match (staged, failure) {
        (Some(staged), None) => staged,
        (staged, failure) => {
            if let Some(staged) = &staged {
                signed.services().discard_import(staged);
            }
            return failed_upload(
                &signed,
                school_id,
                strict,
                failure.unwrap_or(ServiceError::field("file", "请选择要导入的文件")),
            );
        }
    };
    let options = ImportOptions { default_school_id: school_id, dry_run: true, strict };
    match run_import(signed.ctx.services.clone(), signed.actor().clone(), staged.clone(), options).await {
        Ok(report) => {
            let changes = report.count(RowOutcome::Created) + report.count(RowOutcome::Updated);
            let body = html! {
                (layout::breadcrumb(&["用户管理", "批量导入", "预览"]))
                section.card {
                    h2 { "导入预览" }
                    (layout::notice("info", "以下为预览，尚未导入。请核对每一行的结果后确认。"))
                    (report_table(&report))
                    @if changes > 0 && !(strict && report.count(RowOutcome::Refused) > 0) {
                        form.row method="post" action="/admin/teachers/import/confirm" {
                            input type="hidden" name="csrf" value=(signed.ctx.csrf());
                            input type="hidden" name="token" value=(staged.token);
                            @if let Some(id) = school_id { input type="hidden" name="school_id" value=(id); }
                            @if strict { input type="hidden" name="strict" value="1"; }
                            button.primary type="submit" { "确认导入" }
                        }
                    } @else {
                        (layout::notice("warn", "没有可导入的行，请修改表格后重新上传。"))
                    }
                    p { a href="/admin/teachers/import" { "重新上传" } }
                }
            };
            page(&signed, StatusCode::OK, Ok(body))
        }
        Err(error) => {
            signed.services().discard_import(&staged);
            failed_upload(&signed, school_id, strict, error)
        }
    }
}

fn failed_upload(signed: &Signed, school_id: Option<u64>, strict: bool, error: ServiceError) -> Response {
    let status = errors::status_of(&error);
    let errors_of = match error {
        ServiceError::Invalid(errors_of) => errors_of,
        ServiceError::PayloadTooLarge(message) | ServiceError::UnsupportedMediaType(message) => {
            let mut errors_of = FieldErrors::new();
            errors_of.add("file", message);
            errors_of
        }
        other => return errors::page(&signed.ctx, &other),
    };
    let body = upload_form(signed, school_id, strict, &errors_of)
        .map(|form| html! { (layout::breadcrumb(&["用户管理", "批量导入"])) (layout::notice("error", "文件未导入。")) (form) });
    page(signed, status, body)
}

#[handler]
pub async fn confirm(signed: Signed, Form(form): Form<ConfirmForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let staged = match signed.services().staged_import(signed.actor(), &form.token) {
        Ok(staged) => staged,
        Err(error) => return failed_upload(&signed, form.school_id, !form.strict.is_empty(), error),
    };
    let options = ImportOptions { default_school_id: form.school_id, dry_run: false, strict: !form.strict.is_empty() };
    let result = run_import(signed.ctx.services.clone(), signed.actor().clone(), staged.clone(), options).await;
    signed.services().discard_import(&staged);
    match result {
        Ok(report) => {
            let body = html! {
                (layout::breadcrumb(&["用户管理", "批量导入", "结果"]))
                section.card {
                    h2 { "导入结果" }
                    @if report.applied { (layout::notice("success", "导入完成。")) }
                    @else { (layout::notice("error", "有被拒绝的行，按要求整个文件未导入。")) }
                    (report_table(&report))
                    p { a.button href="/admin/teachers" { "返回教师列表" } " " a href="/admin/teachers/import" { "继续导入" } }
                }
            };
            page(&signed, StatusCode::OK, Ok(body))
        }
        Err(error) => failed_upload(&signed, form.school_id, !form.strict.is_empty(), error),
    }
}

#[handler]
pub fn template(signed: Signed) -> Response {
    match signed.services().teacher_template(signed.actor()) {
        Ok(bytes) => xlsx_response(bytes, "教师导入模板.xlsx"),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
