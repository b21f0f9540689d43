//! One submission for a reviewing admin: every field and file read-only, the duplicate signal, the history with
//! what changed after a return, and the actions of the admin's step — 通过 with 材料真实性核查 or 退回 with a
//! reason (school, department); 受理 with the anonymisation gate, expert assignment and the final grade (city).

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::review_done::{self, Done, DoneQuery};
use super::review_view::{Basic, FileLinks, basic_info, duplicates_view, filing_view, history_view};
use crate::clock;
use crate::domain::FieldErrors;
use crate::domain::account::Role;
use crate::domain::idcard::mask;
use crate::domain::review::{VERIFICATION_TEXT, VERIFICATION_TITLE, consensus};
use crate::domain::submission::SubmissionState;
use crate::service::review::Loaded;
use crate::service::review::admin::level_of;
use crate::service::{ServiceError, ServiceResult};
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    /// Text, not a number: the picker's placeholder sends an empty value.
    #[serde(default)]
    expert_id: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    opinion: String,
}

#[handler]
pub fn show(signed: Signed, Path(id): Path<u64>, Query(done): Query<DoneQuery>) -> Response {
    respond(&signed, id, StatusCode::OK, review_done::notice(&done), &ActionForm::default(), &FieldErrors::new())
}

fn respond(
    signed: &Signed,
    id: u64,
    status: StatusCode,
    notice: Option<Markup>,
    form: &ActionForm,
    errors_of: &FieldErrors,
) -> Response {
    match render(signed, id, notice, form, errors_of) {
        Ok(body) => (status, layout::page(&signed.ctx, "鉴定成果详情", "/review", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn render(
    signed: &Signed,
    id: u64,
    notice: Option<Markup>,
    form: &ActionForm,
    errors_of: &FieldErrors,
) -> ServiceResult<Markup> {
    let services = signed.services();
    let actor = signed.actor();
    let loaded = services.review_submission(actor, id)?;
    let history = services.submission_history(actor, id)?;
    let duplicates = services.duplicates(actor, id)?;
    let profile = loaded.teacher.teacher.clone().unwrap_or_default();
    let birth = profile.birth_date.map(|date| date.format("%Y年%m月%d日").to_string()).unwrap_or_default();
    let department = loaded.department_name();
    let id_number = mask(&loaded.teacher.username);
    let basic = Basic {
        name: &loaded.teacher.name,
        id_number: &id_number,
        education: &profile.education,
        degree: &profile.degree,
        department: &department,
        school: &loaded.school.name,
        birth: &birth,
    };
    let title = super::review_list::title_of(actor.role);
    let actions = actions(signed, &loaded, form, errors_of)?;
    // Some states show the city only read-only results there; the link is for when something can be done.
    let has_controls = actions.0.contains("<form");
    Ok(html! {
        (layout::breadcrumb(&[title, "鉴定成果详情"]))
        @if let Some(notice) = notice { (notice) }
        section.card {
            h1 { (loaded.project.name) }
            p { "编号 " (loaded.submission.id) "　状态：" strong { (loaded.submission.state.label()) }
                @if let Some(version) = loaded.submission.versions.last() { "　第" (version.number) "次提交于 " (clock::minute(version.at)) }
            }
            (duplicates_view(&duplicates))
            @if let Some(check) = &loaded.review.school_check { p.hint { "学校审核：" (check.statement) "（" (check.by_name) "，" (clock::minute(check.at)) "）" } }
            @if let Some(check) = &loaded.review.department_check { p.hint { "主管部门审核：" (check.statement) "（" (check.by_name) "，" (clock::minute(check.at)) "）" } }
            @if let Some(check) = loaded.review.acceptance.as_ref().and_then(|a| a.accepted.as_ref()) {
                // Stored statements read "受理：…"; the label already says 市级受理.
                p.hint { "市级受理：" (check.statement.strip_prefix("受理：").unwrap_or(&check.statement)) "（" (check.by_name) "，" (clock::minute(check.at)) "）" }
            }
            @if has_controls {
                // The actions follow the submission (read, then decide); this jumps there without scrolling.
                p { a.button.primary href="#review-actions" { "去审核" } }
            }
        }
        section.card {
            h2 { "基本信息" }
            (basic_info(&basic))
            h2 { "填报内容" }
            (filing_view(loaded.filing(), &loaded.project.catalogue, &FileLinks::Reviewer))
        }
        section.card { (history_view(&history)) }
        @if !actions.0.is_empty() {
            div #review-actions { (actions) }
        }
    })
}

fn text_area(id: &str, label: &str, value: &str, errors_of: &FieldErrors) -> Markup {
    let message = errors_of.get(id);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) }
            textarea id=(id) name=(id) rows="3" aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)] { (value) }
            (field_error(id, message))
        }
    }
}

fn actions(signed: &Signed, loaded: &Loaded, form: &ActionForm, errors_of: &FieldErrors) -> ServiceResult<Markup> {
    let actor = signed.actor();
    let csrf = signed.ctx.csrf();
    let id = loaded.submission.id;
    let state = loaded.submission.state;
    let Some(level) = level_of(actor) else { return Ok(html! {}) };
    let my_step = state == level.waiting_state() && (level != crate::domain::review::ReviewLevel::City);
    let verification_error = errors_of.get("verification");
    Ok(html! {
        @if my_step {
            section.card {
                h2 { (level.label()) }
                form method="post" action=(format!("/review/submissions/{id}/approve")) {
                    input type="hidden" name="csrf" value=(csrf);
                    fieldset.field.has-error[verification_error.is_some()] {
                        legend { (VERIFICATION_TITLE) }
                        label {
                            input type="checkbox" id="verification" name="verification" value=(VERIFICATION_TEXT)
                                aria-describedby=[described_by("verification", verification_error)];
                            " " (VERIFICATION_TEXT)
                        }
                        (field_error("verification", verification_error))
                    }
                    button.primary type="submit" { "通过" }
                }
                form method="post" action=(format!("/review/submissions/{id}/return")) {
                    input type="hidden" name="csrf" value=(csrf);
                    (text_area("reason", "退回原因", &form.reason, errors_of))
                    button.danger type="submit" { "退回" }
                }
            }
        }
        @if actor.is(Role::CityAdmin) { (city_actions(signed, loaded, form, errors_of)?) }
    })
}

fn city_actions(signed: &Signed, loaded: &Loaded, form: &ActionForm, errors_of: &FieldErrors) -> ServiceResult<Markup> {
    let services = signed.services();
    let actor = signed.actor();
    let csrf = signed.ctx.csrf();
    let id = loaded.submission.id;
    let state = loaded.submission.state;
    let version = loaded.submission.versions.len() as u32;
    let acceptance = loaded.review.acceptance.as_ref().filter(|a| a.version == version);
    let experts_needed = loaded.project.experts_per_submission;
    let active = loaded.review.active().count();
    let grades =
        if matches!(state, SubmissionState::UnderReview | SubmissionState::Reviewed | SubmissionState::Published) {
            services.expert_grades(actor, id)?
        } else {
            Vec::new()
        };
    let needs_experts =
        matches!(state, SubmissionState::Accepted | SubmissionState::UnderReview) && active < experts_needed;
    let experts = if needs_experts { services.experts_assignable_to(actor, id)? } else { Vec::new() };
    let submitted: Vec<&str> = loaded.review.grades();
    let default_grade = form.grade.clone();
    let default_grade = if default_grade.is_empty() {
        loaded
            .submission
            .result
            .as_ref()
            .map(|r| r.grade.clone())
            .or_else(|| consensus(&submitted).map(String::from))
            .unwrap_or_default()
    } else {
        default_grade
    };
    let expert_error = errors_of.get("expert_id");
    Ok(html! {
        @if state == SubmissionState::Accepted {
            section.card {
                h2 { "市级受理" }
                @match acceptance {
                    None => {
                        p { "受理时将检查每个文件的文字中是否出现申报教师的姓名、身份证号或学校名称。" }
                        form.inline method="post" action=(format!("/review/submissions/{id}/accept")) {
                            input type="hidden" name="csrf" value=(csrf);
                            button.primary type="submit" { "受理（匿名检查）" }
                        }
                    }
                    Some(acceptance) => {
                        @if acceptance.hits.is_empty() {
                            p.notice.success { "匿名检查通过，可以分配专家。" }
                        } @else {
                            div.notice.warn role="status" {
                                strong { "匿名检查发现身份信息：" }
                                @for hit in &acceptance.hits { p { (hit.file) "：" (hit.found.join("、")) } }
                            }
                            @if let Some(check) = &acceptance.accepted {
                                p.hint { (check.statement) "（" (check.by_name) "，" (clock::minute(check.at)) "）" }
                            } @else {
                                form method="post" action=(format!("/review/submissions/{id}/accept-risk")) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    div.field { label for="note" { "接受风险说明（可不填）" } input id="note" name="note" type="text" value=(form.note); }
                                    button type="submit" { "接受风险并受理" }
                                }
                            }
                        }
                    }
                }
                form method="post" action=(format!("/review/submissions/{id}/return")) {
                    input type="hidden" name="csrf" value=(csrf);
                    (text_area("reason", "退回原因", &form.reason, errors_of))
                    button.danger type="submit" { "退回" }
                }
            }
        }
        @if !loaded.review.assignments.is_empty() || needs_experts {
            section.card {
                h2 { "评审专家" span.count { "需" (experts_needed) "位，已分配" (active) "位" } }
                @if !grades.is_empty() {
                    table.data {
                        thead { tr { th { "专家" } th { "状态" } th { "鉴定等级" } th { "鉴定意见" } th { "提交时间" } th { "操作" } } }
                        tbody {
                            @for grade in &grades {
                                tr {
                                    td { (grade.expert_name) } td { (grade.status) } td { (grade.grade) } td { (grade.opinion) }
                                    td { (grade.submitted_at.map(clock::minute).unwrap_or_default()) }
                                    td {
                                        @if grade.status == "未评审" || grade.status == "已暂存" {
                                            form.inline method="post" action=(format!("/review/submissions/{id}/assignments/{}/decline", grade.expert_id)) {
                                                input type="hidden" name="csrf" value=(csrf);
                                                input type="hidden" name="reason" value="市级管理员改派";
                                                button.small type="submit" data-confirm="确定撤回该专家的评审任务吗？" { "改派" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if needs_experts && experts.is_empty() {
                    p.notice.warn role="status" { "没有可分配的专家：其余专家均须回避（与申报教师同校或同属一个主管部门）或已分配过此成果。请在专家管理中添加其他单位的专家。" }
                }
                @if !experts.is_empty() {
                    form.row method="post" action=(format!("/review/submissions/{id}/assign")) {
                        input type="hidden" name="csrf" value=(csrf);
                        div.field.has-error[expert_error.is_some()] {
                            label for="expert_id" { "手动分配专家" }
                            select id="expert_id" name="expert_id" aria-describedby=[described_by("expert_id", expert_error)] {
                                // Nothing preselected: assigning the first expert by a slip would be easy.
                                option value="" { "---请选择---" }
                                @for expert in &experts {
                                    option value=(expert.account.id) selected[form.expert_id.trim() == expert.account.id.to_string()] { (expert.account.name) "（" (expert.org_name) "；" (expert.account.expert_subjects.join("、")) "；当前" (expert.load) "份）" }
                                }
                            }
                            (field_error("expert_id", expert_error))
                        }
                        div.field { button type="submit" { "分配" } }
                    }
                }
            }
        }
        @if state == SubmissionState::Reviewed {
            section.card {
                h2 { "最终等级" }
                form method="post" action=(format!("/review/submissions/{id}/final")) {
                    input type="hidden" name="csrf" value=(csrf);
                    div.field.has-error[errors_of.get("grade").is_some()] {
                        label for="grade" { "最终等级" }
                        select id="grade" name="grade" aria-describedby=[described_by("grade", errors_of.get("grade"))] {
                            option value="" { "---请选择---" }
                            @for choice in &loaded.project.grades { option value=(choice) selected[*choice == default_grade] { (choice) } }
                        }
                        (field_error("grade", errors_of.get("grade")))
                    }
                    @let opinion = if form.opinion.is_empty() { loaded.submission.result.as_ref().map(|r| r.opinion.clone()).unwrap_or_default() } else { form.opinion.clone() };
                    (text_area("opinion", "最终鉴定意见", &opinion, errors_of))
                    (text_area("reason", "与专家等级不一致的理由（一致时可不填）", &form.reason, errors_of))
                    button.primary type="submit" { "保存最终等级" }
                }
                @if loaded.submission.result.is_some() {
                    form method="post" action="/review/publish" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="project_id" value=(loaded.project.id);
                        input type="hidden" name="ids" value=(id);
                        button type="submit" { "公布该成果等级" }
                    }
                }
            }
        }
        @if let Some(result) = &loaded.submission.result {
            @if state == SubmissionState::Published {
                section.card { h2 { "鉴定结果" } p { "最终等级：" strong { (result.grade) } } p { (result.opinion) } }
            }
        }
    })
}

/// Runs one action: on success a redirect (303) back to the page with the outcome's code, so a refresh never
/// re-posts; refused input shows the page again with the messages and what was typed.
fn act(signed: &Signed, id: u64, form: &ActionForm, outcome: ServiceResult<Done>) -> Response {
    match outcome {
        Ok(done) => Redirect::see_other(review_done::landing(&format!("/review/submissions/{id}"), done, &[], &[]))
            .into_response(),
        Err(ServiceError::Invalid(errors_of)) => {
            // The actions follow the submission: the notice at the top links down to the red messages.
            let notice = html! {
                div.notice.error role="alert" {
                    "提交的信息有误，请检查标红的内容。" a href="#review-actions" { "查看" }
                }
            };
            respond(signed, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), form, &errors_of)
        }
        Err(error @ ServiceError::Conflict(_)) => respond(
            signed,
            id,
            StatusCode::CONFLICT,
            Some(layout::notice("error", &error.to_string())),
            form,
            &FieldErrors::new(),
        ),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

macro_rules! checked {
    ($signed:expr, $form:expr) => {
        if let Err(error) = $signed.ctx.check_csrf(&$form.csrf) {
            return error.into_response();
        }
    };
}

#[handler]
pub fn approve(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let outcome = signed.services().approve_submission(signed.actor(), id, &form.verification).map(|_| Done::Approved);
    act(&signed, id, &form, outcome)
}

#[handler]
pub fn return_back(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let outcome = signed.services().return_submission(signed.actor(), id, &form.reason).map(|_| Done::Returned);
    act(&signed, id, &form, outcome)
}

#[handler]
pub async fn accept(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let services = signed.ctx.services.clone();
    let actor = signed.actor().clone();
    let outcome = tokio::task::spawn_blocking(move || services.accept_submission(&actor, id))
        .await
        .unwrap_or_else(|error| Err(ServiceError::Internal(error.to_string())))
        .map(|outcome| if outcome.cleared { Done::Accepted } else { Done::Flagged });
    act(&signed, id, &form, outcome)
}

#[handler]
pub fn accept_risk(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let outcome = signed.services().accept_anonymity_risk(signed.actor(), id, &form.note).map(|_| Done::RiskAccepted);
    act(&signed, id, &form, outcome)
}

#[handler]
pub fn assign(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    // An empty choice (the placeholder) or anything not a number is no expert: the service says 请选择.
    let expert_id = form.expert_id.trim().parse().unwrap_or(0);
    let outcome = signed.services().assign_expert(signed.actor(), id, expert_id).map(|_| Done::Assigned);
    act(&signed, id, &form, outcome)
}

#[handler]
pub fn decline(signed: Signed, Path((id, expert_id)): Path<(u64, u64)>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let outcome =
        signed.services().decline_assignment(signed.actor(), id, expert_id, &form.reason).map(|_| Done::Withdrawn);
    act(&signed, id, &form, outcome)
}

#[handler]
pub fn final_grade(signed: Signed, Path(id): Path<u64>, Form(form): Form<ActionForm>) -> Response {
    checked!(signed, form);
    let outcome = signed
        .services()
        .set_final_result(signed.actor(), id, &form.grade, &form.opinion, &form.reason)
        .map(|_| Done::Graded);
    act(&signed, id, &form, outcome)
}
