//! 教科研成果鉴定 for teachers (the manual's 5.): the entry (无权限 / the pledge / the form / read-only), 暂存,
//! 提交, 新增成果 and 删除 round trips, 撤回, 提交成功, 在线预览, and file downloads. Handlers only parse, call
//! `service::submissions` with the actor, and render.

mod achievement;
mod form;
mod parse;
mod serve_file;
mod view;

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Multipart, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

pub use serve_file::download;
pub use view::registration_form_url;

use crate::domain::FieldErrors;
use crate::domain::filing::{Achievement, Filing};
use crate::domain::submission::SubmissionState;
use crate::service::ServiceError;
use crate::service::submissions::{Appraisal, FilingEdit, NO_PROJECT, SubmitOutcome};
use crate::web::ctx::Signed;
use crate::web::{errors, layout};
use parse::{Action, ParseFailure, Posted};

const NAV: &str = "/appraisal";

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

#[derive(Deserialize)]
pub struct PledgeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agree: String,
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    submission_id: Option<u64>,
}

fn page(signed: &Signed, title: &str, status: StatusCode, body: Markup) -> Response {
    let ctx = &signed.ctx;
    ctx.finish((status, layout::page(ctx, title, NAV, body)))
}

/// Service errors of this area: the manual's 无权限 page for a teacher without a project, else the usual page.
fn failure(signed: &Signed, error: &ServiceError) -> Response {
    match error {
        ServiceError::Forbidden(message) if *message == NO_PROJECT => {
            page(signed, "无权限", StatusCode::FORBIDDEN, view::no_project())
        }
        _ => errors::page(&signed.ctx, error),
    }
}

/// The form with everything it needs; `origins` default to "each achievement shows its own stored files".
struct FormState<'a> {
    filing: &'a Filing,
    origins: Option<Vec<Option<usize>>>,
    errors: FieldErrors,
    notice: Option<Markup>,
    prompt_max: bool,
    confirm_remove: Option<usize>,
}

impl<'a> FormState<'a> {
    fn new(filing: &'a Filing) -> Self {
        Self {
            filing,
            origins: None,
            errors: FieldErrors::new(),
            notice: None,
            prompt_max: false,
            confirm_remove: None,
        }
    }
}

fn form_page(signed: &Signed, appraisal: &Appraisal, state: FormState, status: StatusCode) -> Response {
    let origins = state.origins.unwrap_or_else(|| (0..state.filing.achievements.len()).map(Some).collect());
    let view = form::FormView {
        appraisal,
        filing: state.filing,
        origins,
        errors: &state.errors,
        notice: state.notice,
        csrf: signed.ctx.csrf(),
        prompt_max: state.prompt_max,
        confirm_remove: state.confirm_remove,
    };
    page(signed, "教科研成果鉴定", status, form::render(&view))
}

/// `GET /appraisal`: 无权限, the pledge, the form, or the read-only submission.
#[handler]
pub fn show(signed: Signed, Query(query): Query<ShowQuery>) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let appraisal = match services.appraisal(actor) {
        Ok(appraisal) => appraisal,
        Err(error) => return failure(&signed, &error),
    };
    if !appraisal.pledged() {
        if let Some(reason) = &appraisal.closed_reason {
            let body = html! { h1 { (appraisal.project.name) } (layout::notice("warn", reason)) };
            return page(&signed, "教科研成果鉴定", StatusCode::OK, body);
        }
        return pledge_response(&signed, true, None, StatusCode::OK);
    }
    if !appraisal.editable() {
        let extra = query.withdrawn.is_some().then(|| layout::notice("success", "已撤回。"));
        return page(&signed, "教科研成果鉴定", StatusCode::OK, view::read_only(&appraisal, &signed.ctx.csrf(), extra));
    }
    let filing = appraisal.filing();
    let mut state = FormState::new(&filing);
    state.errors = appraisal.format_errors();
    state.notice = if query.saved.is_some() {
        Some(layout::notice("success", "暂存成功。"))
    } else if query.withdrawn.is_some() {
        Some(layout::notice("success", "已撤回，可修改后重新提交。"))
    } else if appraisal.state() == Some(SubmissionState::Returned) {
        appraisal.submission.as_ref().and_then(|submission| submission.return_reason()).map(|transition| {
            let reason = crate::domain::review::as_sentence(&transition.reason);
            layout::notice("warn", &format!("已退回：{reason}请修改后重新提交。"))
        })
    } else {
        None
    };
    form_page(&signed, &appraisal, state, StatusCode::OK)
}

fn pledge_response(signed: &Signed, restart: bool, error: Option<&str>, status: StatusCode) -> Response {
    let user = signed.user();
    match signed.services().serve_pledge(&user.actor, &user.token, &user.session, restart) {
        Ok(served) => {
            page(signed, "诚信承诺书", status, view::pledge_page(&signed.ctx.csrf(), served.seconds_left, error))
        }
        Err(error) => failure(signed, &error),
    }
}

/// `POST /appraisal/pledge`: 同意.
#[handler]
pub fn pledge(signed: Signed, Form(form): Form<PledgeForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let user = signed.user();
    match signed.services().accept_pledge(&user.actor, &user.session.pledge_served, form.agree == "1") {
        Ok(_) => Redirect::see_other("/appraisal").into_response(),
        Err(ServiceError::Invalid(errors)) => {
            pledge_response(&signed, false, errors.get("agree"), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => failure(&signed, &error),
    }
}

/// `POST /appraisal`: the whole form (暂存, 提交, 新增成果, 删除), files streamed as they arrive.
#[handler]
pub async fn post(signed: Signed, multipart: Multipart) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let permit = match services.upload_permit(actor) {
        Ok(permit) => permit,
        Err(error) => return failure(&signed, &error),
    };
    let posted = match parse::read(&signed, &permit, multipart).await {
        Ok(posted) => posted,
        Err(ParseFailure::Csrf) => return crate::web::errors::csrf_refused(&signed.ctx).into_response(),
        Err(ParseFailure::Service(error)) => return failure(&signed, &error),
        Err(ParseFailure::Malformed) => {
            return failure(&signed, &ServiceError::field("form", "表单内容无法识别，请刷新页面后重试"));
        }
    };
    act(&signed, posted)
}

fn act(signed: &Signed, posted: Posted) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let Posted { action, mut edit, upload_errors } = posted;
    let max = match services.appraisal(actor) {
        Ok(appraisal) => appraisal.project.max_achievements,
        Err(error) => return failure(signed, &error),
    };
    match action {
        Action::Submit if upload_errors.is_empty() => match services.submit(actor, &edit) {
            Ok(SubmitOutcome::Submitted(_)) => Redirect::see_other("/appraisal/submitted").into_response(),
            Ok(SubmitOutcome::Incomplete { draft, errors }) => {
                saved_form(signed, &draft.filing, errors, Some(layout::notice("error", SUBMIT_FAILED)), None)
            }
            Err(error) => refused(signed, &edit, error, upload_errors),
        },
        // A refused file fails the 提交 like any other error: every message at once, nothing submitted.
        Action::Submit => match services.submit_with_refused_upload(actor, &edit) {
            Ok(SubmitOutcome::Incomplete { draft, errors }) => {
                let errors = with_upload_errors(errors, upload_errors);
                saved_form(signed, &draft.filing, errors, Some(layout::notice("error", SUBMIT_FAILED_WITH_FILES)), None)
            }
            Ok(SubmitOutcome::Submitted(_)) => Redirect::see_other("/appraisal/submitted").into_response(),
            Err(error) => refused(signed, &edit, error, upload_errors),
        },
        Action::Add if edit.filing.achievements.len() < max => {
            edit.filing.achievements.push(Achievement::default());
            edit.origins.resize(edit.filing.achievements.len(), None);
            let anchor = format!("/appraisal?saved=1#achievement-{}", edit.filing.achievements.len() - 1);
            save_then(signed, &edit, upload_errors, |_| Redirect::see_other(&anchor).into_response(), None)
        }
        Action::RemoveConfirmed(index) if index > 0 && index < edit.filing.achievements.len() => {
            edit.filing.achievements.remove(index);
            if index < edit.origins.len() {
                edit.origins.remove(index);
            }
            shift_files(&mut edit, index);
            save_then(signed, &edit, upload_errors, |_| Redirect::see_other("/appraisal?saved=1").into_response(), None)
        }
        Action::Add => save_then(signed, &edit, upload_errors, |_| Response::default(), Some(FormExtra::PromptMax)),
        Action::Remove(index) => {
            save_then(signed, &edit, upload_errors, |_| Response::default(), Some(FormExtra::ConfirmRemove(index)))
        }
        Action::Save | Action::RemoveConfirmed(_) => {
            save_then(signed, &edit, upload_errors, |_| Redirect::see_other("/appraisal?saved=1").into_response(), None)
        }
    }
}

/// The notice of a failed 提交: plainly, nothing was submitted, and what was kept.
pub const SUBMIT_FAILED: &str = "提交未成功，材料尚未提交。已填写的内容已暂存，请按红色提示修改后重新提交。";
pub const SUBMIT_FAILED_WITH_FILES: &str = "提交未成功，材料尚未提交。有文件未能上传；已填写的内容和上传成功的文件已暂存，\
     请按红色提示修改、重新选择文件后再提交。";

/// The 提交 checks with the refused uploads: a file's own refusal replaces 提交's "不能为空" for its slot.
fn with_upload_errors(checks: FieldErrors, uploads: FieldErrors) -> FieldErrors {
    let mut merged = FieldErrors::new();
    for error in checks.0 {
        let message = uploads.get(&error.field).map(str::to_string).unwrap_or(error.message);
        merged.add(error.field, message);
    }
    for error in uploads.0 {
        if merged.get(&error.field).is_none() {
            merged.add(error.field, error.message);
        }
    }
    merged
}

/// After removing achievement `index`, files received for later achievements move up one place.
fn shift_files(edit: &mut FilingEdit, index: usize) {
    let uploads = std::mem::take(&mut edit.uploads);
    edit.uploads = uploads.into_iter().filter_map(|received| received.shifted(index)).collect();
    edit.removals.retain(|target| target.achievement != index);
    for target in &mut edit.removals {
        if target.achievement > index {
            target.achievement -= 1;
        }
    }
}

enum FormExtra {
    PromptMax,
    ConfirmRemove(usize),
}

/// 暂存, then either `done` (a redirect) or, when there is something to show (refused uploads, a prompt or a
/// confirmation), the saved form with it.
fn save_then(
    signed: &Signed,
    edit: &FilingEdit,
    upload_errors: FieldErrors,
    done: impl FnOnce(&FilingEdit) -> Response,
    extra: Option<FormExtra>,
) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    match services.save_draft(actor, edit) {
        Ok(saved) if upload_errors.is_empty() && extra.is_none() => {
            let _ = saved;
            done(edit)
        }
        Ok(saved) => {
            let mut errors = saved.format_errors;
            let notice = if upload_errors.is_empty() {
                None
            } else {
                errors.extend(upload_errors);
                Some(layout::notice("warn", "已暂存，但有文件未能上传，请按红色提示处理后重新选择文件。"))
            };
            saved_form(signed, &saved.submission.filing, errors, notice, extra)
        }
        Err(error) => refused(signed, edit, error, upload_errors),
    }
}

fn saved_form(
    signed: &Signed,
    filing: &Filing,
    errors: FieldErrors,
    notice: Option<Markup>,
    extra: Option<FormExtra>,
) -> Response {
    let appraisal = match signed.services().appraisal(signed.actor()) {
        Ok(appraisal) => appraisal,
        Err(error) => return failure(signed, &error),
    };
    let status = if errors.is_empty() || extra.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut state = FormState::new(filing);
    state.errors = errors;
    state.notice = notice;
    state.prompt_max = matches!(extra, Some(FormExtra::PromptMax));
    state.confirm_remove = match extra {
        Some(FormExtra::ConfirmRemove(index)) => Some(index),
        _ => None,
    };
    form_page(signed, &appraisal, state, status)
}

/// The save itself was refused: validation refusals show the posted values (on the stored files) with the
/// messages; anything else is an error page.
fn refused(signed: &Signed, edit: &FilingEdit, error: ServiceError, upload_errors: FieldErrors) -> Response {
    let ServiceError::Invalid(mut errors) = error else {
        return failure(signed, &error);
    };
    errors.extend(upload_errors);
    let appraisal = match signed.services().appraisal(signed.actor()) {
        Ok(appraisal) => appraisal,
        Err(error) => return failure(signed, &error),
    };
    let stored = appraisal.filing();
    let filing = edit.apply_to(&stored);
    let mut state = FormState::new(&filing);
    state.origins = Some(edit.origins.clone());
    state.errors = errors;
    state.notice = Some(layout::notice("error", "未保存：请按红色提示修改后再暂存或提交。"));
    form_page(signed, &appraisal, state, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `POST /appraisal/withdraw`: 撤回.
#[handler]
pub fn withdraw(signed: Signed, Form(form): Form<WithdrawForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().withdraw(signed.actor(), form.submission_id) {
        Ok(_) => Redirect::see_other("/appraisal?withdrawn=1").into_response(),
        Err(error) => failure(&signed, &error),
    }
}

/// `GET /appraisal/submitted`: 提交成功.
#[handler]
pub fn submitted(signed: Signed) -> Response {
    match signed.services().appraisal(signed.actor()) {
        Ok(appraisal) if appraisal.submission.as_ref().is_some_and(|s| !s.versions.is_empty()) => {
            page(&signed, "提交成功", StatusCode::OK, view::submitted(&appraisal))
        }
        Ok(_) => Redirect::see_other("/appraisal").into_response(),
        Err(error) => failure(&signed, &error),
    }
}

/// `GET /appraisal/preview`: 在线预览.
#[handler]
pub fn preview(signed: Signed) -> Response {
    match signed.services().appraisal(signed.actor()) {
        Ok(appraisal) if appraisal.pledged() => page(&signed, "在线预览", StatusCode::OK, view::preview(&appraisal)),
        Ok(_) => Redirect::see_other("/appraisal").into_response(),
        Err(error) => failure(&signed, &error),
    }
}
