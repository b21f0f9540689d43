//! One teacher's page in 用户管理: edit 基本信息 (姓名, 最高学历, 最高学位, 出生年月 checked against the ID), choose its
//! appraisal project, reset / disable / enable the account, and — for department and city admins — 更换单位 with
//! the move history. Also the generic 停用 / 启用 of any account the actor manages.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::admin_org_detail::account_actions;
use super::admin_orgs::NoticeQuery;
use crate::clock;
use crate::domain::FieldErrors;
use crate::domain::account::{DEGREES, EDUCATIONS, Role};
use crate::service::ServiceError;
use crate::service::teacher_admin::TeacherEdit;
use crate::service::teachers::TeacherRow;
use crate::web::ctx::Signed;
use crate::web::widgets::{notice_text, redirect_with_notice, safe_back, select, text_input};
use crate::web::{errors, layout};

#[derive(Deserialize, Default, Clone)]
pub struct EditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    degree: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    school_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    csrf: String,
}

fn choices(items: &[&str]) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "---请选择---".to_string())];
    out.extend(items.iter().map(|item| (item.to_string(), item.to_string())));
    out
}

fn render(
    signed: &Signed,
    row: &TeacherRow,
    form: Option<&EditForm>,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let teacher = &row.account;
    let profile = teacher.teacher.clone().unwrap_or_default();
    let csrf = signed.ctx.csrf();
    let school = services.get_school(actor, row.school_id)?;
    let projects: Vec<_> =
        services.list_projects(actor)?.into_iter().filter(|project| project.serves(school.school_type)).collect();
    let birth = profile.birth_date.map(|date| date.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let (name, education, degree, birth) = match form {
        Some(form) => (form.name.clone(), form.education.clone(), form.degree.clone(), form.birth.clone()),
        None => (teacher.name.clone(), profile.education.clone(), profile.degree.clone(), birth),
    };
    let action = format!("/admin/teachers/{}", teacher.id);
    let can_move = matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin);
    let targets = if can_move {
        services.list_schools(actor, None)?.into_iter().filter(|s| s.id != school.id && !s.disabled).collect()
    } else {
        Vec::new()
    };
    let mut project_choices = vec![("none".to_string(), "（不选择申报项目）".to_string())];
    project_choices.extend(projects.iter().map(|project| (project.id.to_string(), project.name.clone())));
    let current_project = profile.project_id.map(|id| id.to_string()).unwrap_or_else(|| "none".into());
    let mut school_choices = vec![(String::new(), "---请选择---".to_string())];
    school_choices.extend(targets.iter().map(|s: &crate::domain::org::School| (s.id.to_string(), s.name.clone())));
    Ok(html! {
        (layout::breadcrumb(&["用户管理", &row.school_name, &teacher.name]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if !errors_of.is_empty() { (layout::notice("error", "提交的信息有误，请检查标红的内容。")) }
        section.card {
            h2 { "基本信息" }
            p.hint { "身份证号为登录名，不可修改；出生年月取自身份证号，如填写须一致。学校和主管部门由所在单位决定。" }
            div.field {
                label for="id-number" { "身份证号" }
                input #id-number type="text" value=(teacher.username) readonly;
            }
            form.grid method="post" action=(action) novalidate {
                input type="hidden" name="csrf" value=(csrf);
                (text_input("name", "name", "姓名", &name, errors_of, "name"))
                (select("education", "education", "最高学历", &choices(&EDUCATIONS), &education, errors_of, "education"))
                (select("degree", "degree", "最高学位", &choices(&DEGREES), &degree, errors_of, "degree"))
                (text_input("birth", "birth", "出生年月", &birth, errors_of, "birth"))
                div.field { button.primary type="submit" { "保存基本信息" } }
            }
            p { "工作单位：" (row.school_name) "　上级主管部门：" (row.department_name) }
        }
        section.card {
            h2 { "选择申报项目" }
            p { "填报状态：" span.badge { (row.progress.label()) } }
            form.row method="post" action=(format!("{action}/project")) {
                input type="hidden" name="csrf" value=(csrf);
                (select("project", "project_id", "申报项目", &project_choices, &current_project, errors_of, "project_id"))
                button type="submit" { "保存" }
            }
        }
        section.card {
            h2 { "账号" }
            p {
                "状态："
                @if teacher.disabled { span.badge.danger { "已停用" } }
                @else if teacher.is_frozen(services.clock.now()) { span.badge.warn { "已冻结" } }
                @else { span.badge.ok { "正常" } }
                @if teacher.must_change_password { "（待修改默认密码）" }
            }
            p { (account_actions(&csrf, teacher, &action)) }
            p.hint { "账号不能删除；不再申报的教师可停用，调动的教师请更换单位。" }
        }
        @if can_move {
            section.card {
                h2 { "更换单位" }
                form.grid method="post" action=(format!("{action}/move")) novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    (select("move-school", "school_id", "调入学校", &school_choices, "", errors_of, "school_id"))
                    (text_input("move-reason", "reason", "备注（如调动文号，可不填）", "", errors_of, "reason"))
                    div.field { button type="submit" data-confirm="确定为该教师更换单位吗？其申报材料将随之转入新学校。" { "更换单位" } }
                }
            }
        }
        section.card {
            h2 { "更换单位记录" }
            @if teacher.moves.is_empty() { p.empty { "无" } }
            @else {
                table.data {
                    thead { tr { th { "时间" } th { "原学校" } th { "调入学校" } th { "操作人" } th { "备注" } } }
                    tbody {
                        @for entry in &teacher.moves {
                            tr {
                                td { (clock::minute(entry.at)) }
                                td { (entry.from_school) }
                                td { (entry.to_school) }
                                td { (entry.actor_name) }
                                td { (entry.reason) }
                            }
                        }
                    }
                }
            }
        }
    })
}

fn respond(
    signed: &Signed,
    id: u64,
    status: StatusCode,
    form: Option<&EditForm>,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    let body =
        signed.services().teacher_row(signed.actor(), id).and_then(|row| render(signed, &row, form, errors_of, notice));
    match body {
        Ok(body) => (status, layout::page(&signed.ctx, "教师信息", "/admin/teachers", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn show(signed: Signed, Path(id): Path<u64>, Query(query): Query<NoticeQuery>) -> Response {
    respond(&signed, id, StatusCode::OK, None, &FieldErrors::new(), notice_text(&query.notice))
}

fn after(signed: &Signed, id: u64, form: &EditForm, result: Result<&'static str, ServiceError>) -> Response {
    match result {
        Ok(notice) => redirect_with_notice(&format!("/admin/teachers/{id}"), notice),
        Err(ServiceError::Invalid(errors_of)) => {
            respond(signed, id, StatusCode::UNPROCESSABLE_ENTITY, Some(form), &errors_of, None)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn update(signed: Signed, Path(id): Path<u64>, Form(form): Form<EditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let edit = TeacherEdit {
        name: form.name.clone(),
        education: form.education.clone(),
        degree: form.degree.clone(),
        birth: form.birth.clone(),
    };
    let result = signed.services().update_teacher(signed.actor(), id, &edit).map(|_| "saved");
    after(&signed, id, &form, result)
}

#[handler]
pub fn set_project(signed: Signed, Path(id): Path<u64>, Form(form): Form<EditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let project_id = match form.project_id.as_str() {
        "" | "none" => None,
        other => Some(other.parse().unwrap_or(0)),
    };
    let result = signed.services().choose_project(signed.actor(), id, project_id).map(|_| "project");
    after(&signed, id, &EditForm::default(), result)
}

#[handler]
pub fn move_school(signed: Signed, Path(id): Path<u64>, Form(form): Form<EditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let to = form.school_id.parse().unwrap_or(0);
    let result = signed.services().move_teacher(signed.actor(), id, to, &form.reason).map(|_| "moved");
    after(&signed, id, &EditForm::default(), result)
}

fn set_disabled(signed: &Signed, id: u64, form: &EditForm, disabled: bool) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().set_account_disabled(signed.actor(), id, disabled) {
        Ok(account) => {
            let fallback = match account.role {
                Role::Teacher => format!("/admin/teachers/{id}"),
                Role::Expert => format!("/admin/experts/{id}"),
                _ => "/admin/orgs".to_string(),
            };
            redirect_with_notice(&safe_back(&form.back, &fallback), if disabled { "disabled" } else { "enabled" })
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn disable(signed: Signed, Path(id): Path<u64>, Form(form): Form<EditForm>) -> Response {
    set_disabled(&signed, id, &form, true)
}

#[handler]
pub fn enable(signed: Signed, Path(id): Path<u64>, Form(form): Form<EditForm>) -> Response {
    set_disabled(&signed, id, &form, false)
}
