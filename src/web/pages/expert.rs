//! 专家评审 pages: the expert's list, one submission in full (blind: no name, ID, school or department; files
//! under neutral names with their metadata stripped), the grade with its 鉴定意见 (暂存 / 提交), and 退出评审.

use maud::{Markup, html};
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query, Redirect};
use poem::{Body, IntoResponse, Response, handler};
use serde::Deserialize;

use super::review_done::{self, Done, DoneQuery};
use super::review_view::{FileLinks, filing_view};
use crate::clock;
use crate::domain::FieldErrors;
use crate::files::{FileKind, content_disposition, mime_of, strip_metadata};
use crate::service::ServiceError;
use crate::service::review::expert::GradeAction;
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct GradeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

#[handler]
pub fn list(signed: Signed, Query(done): Query<DoneQuery>) -> Response {
    let tasks = match signed.services().expert_tasks(signed.actor()) {
        Ok(tasks) => tasks,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let body = html! {
        (layout::breadcrumb(&["专家评审"]))
        @if let Some(notice) = review_done::notice(&done) { (notice) }
        section.card {
            h1 { "专家评审" span.count { "共" (tasks.len()) "份" } }
            @if tasks.is_empty() {
                p.empty { "暂无分配给您的评审任务。" }
            } @else {
                div.table-wrap {
                    table.data {
                        thead { tr { th { "编号" } th { "鉴定项目" } th { "申报学科" } th { "成果题目" } th { "状态" } th { "鉴定等级" } th { "截止时间" } th { "操作" } } }
                        tbody {
                            @for task in &tasks {
                                tr {
                                    td { (task.submission_id) }
                                    td { (task.project_name) }
                                    td { (task.applied_subject) }
                                    td { (task.titles.join("；")) }
                                    td { (task.status) }
                                    td { (task.grade) }
                                    td { (clock::minute(task.deadline)) }
                                    td { a href=(format!("/expert/submissions/{}", task.submission_id)) { "评审" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(&signed.ctx, "专家评审", "/expert", body).into_response()
}

#[handler]
pub fn show(signed: Signed, Path(id): Path<u64>, Query(done): Query<DoneQuery>) -> Response {
    // Right after 提交 the notice already says it was submitted and cannot change: once is enough.
    let just_submitted = review_done::of(&done) == Some(Done::Submitted);
    let shown = Shown { notice: review_done::notice(&done), just_submitted };
    respond(&signed, id, StatusCode::OK, shown, None, &FieldErrors::new())
}

/// What the page shows above the submission: the outcome of the last action, if any.
#[derive(Default)]
struct Shown {
    notice: Option<Markup>,
    /// The notice already says the opinion was submitted (the closed form need not repeat it).
    just_submitted: bool,
}

fn respond(
    signed: &Signed,
    id: u64,
    status: StatusCode,
    shown: Shown,
    typed: Option<&GradeForm>,
    errors_of: &FieldErrors,
) -> Response {
    let view = match signed.services().expert_submission(signed.actor(), id) {
        Ok(view) => view,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let csrf = signed.ctx.csrf();
    let grade = typed.map(|form| form.grade.clone()).unwrap_or_else(|| view.assignment.grade.clone());
    let opinion = typed.map(|form| form.opinion.clone()).unwrap_or_else(|| view.assignment.opinion.clone());
    let links = FileLinks::Neutral { submission_id: id, files: &view.files };
    let grade_error = errors_of.get("grade");
    let opinion_error = errors_of.get("opinion");
    // A hand-made `done=submitted` on an open form says nothing (and hides nothing).
    let submitted = view.assignment.submitted_at.is_some();
    let just_submitted = shown.just_submitted && submitted;
    let notice = shown.notice.filter(|_| submitted || !shown.just_submitted);
    let body = html! {
        (layout::breadcrumb(&["专家评审", "成果鉴定"]))
        @if let Some(notice) = notice { (notice) }
        section.card {
            h1 { (view.project_name) }
            p { "编号 " (view.submission_id) "　评审截止：" (clock::minute(view.deadline)) "　状态：" (view.assignment.status_label()) }
            @if let Some((name, school)) = &view.identity {
                p { "姓名：" (name) "　工作单位：" (school) }
            } @else {
                p.hint { "本项目实行匿名评审：申报人的姓名、身份证号、学校和主管部门不予显示，文件以中性名称提供，PDF与DOCX文件的作者、标题、单位等元数据已去除。" }
            }
            @if view.has_doc {
                div.notice.warn role="status" { "注意：DOC格式文件的作者、单位等元数据无法去除，如在文件属性中看到申报人信息，请勿据此评审。" }
            }
        }
        section.card {
            h2 { "填报内容" }
            (filing_view(&view.filing, &view.catalogue, &links))
        }
        section.card {
            h2 { "鉴定意见" }
            @if view.closed_reason.is_none() {
                form method="post" action=(format!("/expert/submissions/{id}")) novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    div.field.has-error[grade_error.is_some()] {
                        label for="grade" { "鉴定等级" }
                        select id="grade" name="grade" aria-describedby=[described_by("grade", grade_error)] {
                            option value="" { "---请选择---" }
                            @for choice in &view.grades { option value=(choice) selected[*choice == grade] { (choice) } }
                        }
                        (field_error("grade", grade_error))
                    }
                    div.field.has-error[opinion_error.is_some()] {
                        label for="opinion" { "鉴定意见" }
                        textarea id="opinion" name="opinion" rows="6" aria-describedby=[described_by("opinion", opinion_error)] { (opinion) }
                        (field_error("opinion", opinion_error))
                    }
                    button type="submit" name="action" value="save" { "暂存" }
                    " "
                    button.primary type="submit" name="action" value="submit" data-confirm="提交后不能再修改，确定提交吗？" { "提交" }
                }
                form method="post" action=(format!("/expert/submissions/{id}/decline")) {
                    input type="hidden" name="csrf" value=(csrf);
                    div.field { label for="reason" { "无法评审或需回避时，请说明原因" } input id="reason" name="reason" type="text"; }
                    button.small.danger type="submit" { "退出评审" }
                }
            } @else {
                p { "鉴定等级：" strong { (view.assignment.grade) } }
                p { (view.assignment.opinion) }
                @if let Some(reason) = view.closed_reason.as_ref().filter(|_| !just_submitted) {
                    p.notice.warn role="status" { (reason) "。" }
                }
            }
        }
    };
    (status, layout::page(&signed.ctx, "成果鉴定", "/expert", body)).into_response()
}

fn invalid_notice() -> Markup {
    layout::notice("error", "提交的信息有误，请检查标红的内容。")
}

#[handler]
pub fn save(signed: Signed, Path(id): Path<u64>, Form(form): Form<GradeForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let action = if form.action == "submit" { GradeAction::Submit } else { GradeAction::Save };
    match signed.services().save_appraisal(signed.actor(), id, &form.grade, &form.opinion, action) {
        Ok(_) => {
            let done = if action == GradeAction::Submit { Done::Submitted } else { Done::Saved };
            Redirect::see_other(review_done::landing(&format!("/expert/submissions/{id}"), done, &[], &[]))
                .into_response()
        }
        Err(ServiceError::Invalid(errors_of)) => {
            let shown = Shown { notice: Some(invalid_notice()), just_submitted: false };
            respond(&signed, id, StatusCode::UNPROCESSABLE_ENTITY, shown, Some(&form), &errors_of)
        }
        Err(error @ ServiceError::Conflict(_)) => {
            let shown = Shown { notice: Some(layout::notice("error", &error.to_string())), just_submitted: false };
            respond(&signed, id, StatusCode::CONFLICT, shown, Some(&form), &FieldErrors::new())
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn decline(signed: Signed, Path(id): Path<u64>, Form(form): Form<GradeForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let actor = signed.actor();
    match signed.services().decline_assignment(actor, id, actor.account_id, &form.reason) {
        Ok(()) => Redirect::see_other(review_done::landing("/expert", Done::Declined, &[], &[])).into_response(),
        Err(ServiceError::Invalid(errors_of)) => {
            let typed = GradeForm { reason: form.reason.clone(), ..GradeForm::default() };
            let shown = Shown { notice: Some(invalid_notice()), just_submitted: false };
            respond(&signed, id, StatusCode::UNPROCESSABLE_ENTITY, shown, Some(&typed), &errors_of)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// A file for its expert: a neutral name, and under blind review the PDF/DOCX metadata stripped.
#[handler]
pub async fn file(signed: Signed, Path((id, number)): Path<(u64, usize)>) -> Response {
    let (name, path, kind, blind) = match signed.services().expert_file(signed.actor(), id, number) {
        Ok(found) => found,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let disposition = content_disposition(kind == FileKind::Pdf, &name);
    let strip = blind && matches!(kind, FileKind::Pdf | FileKind::Docx);
    let body = if strip {
        // PDF and DOCX rewriting works on the whole document (lopdf loads it whole anyway; documents are ≤ 20 MB).
        let stripped = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            strip_metadata(&path, kind, &mut out).map(|_| out)
        })
        .await;
        match stripped {
            Ok(Ok(bytes)) => Body::from(bytes),
            Ok(Err(error)) => {
                tracing::warn!(%error, "could not strip a file's metadata");
                return errors::page(&signed.ctx, &ServiceError::Conflict("该文件已损坏，无法去除元数据后提供".into()));
            }
            Err(error) => return errors::page(&signed.ctx, &ServiceError::Internal(error.to_string())),
        }
    } else {
        match tokio::fs::File::open(&path).await {
            Ok(file) => Body::from_async_read(file),
            Err(error) => return errors::page(&signed.ctx, &ServiceError::Internal(error.to_string())),
        }
    };
    Response::builder()
        .header(header::CONTENT_TYPE, mime_of(kind))
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::CACHE_CONTROL, "private, no-store")
        .header("x-content-type-options", "nosniff")
        .body(body)
}
