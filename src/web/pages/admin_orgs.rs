//! 单位管理 for city and department admins: the departments and schools of the actor's scope (with their state and
//! links to each one's page), and the forms that create departments, schools and admin accounts.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::domain::account::Role;
use crate::domain::org::OrgRef;
use crate::domain::{FieldErrors, SchoolType};
use crate::service::ServiceError;
use crate::service::accounts::NewAdmin;
use crate::web::ctx::Signed;
use crate::web::layout::field_error;
use crate::web::widgets::notice_text;
use crate::web::{errors, layout};

pub use super::admin_org_detail::{
    create_school_admin, department_page, school_page, update_department, update_school,
};

#[derive(Deserialize, Default)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    school_type: String,
    #[serde(default)]
    school_id: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    pub notice: String,
}

/// 已停用 / 正常 as a badge.
pub fn state_badge(disabled: bool) -> Markup {
    html! {
        @if disabled { span.badge.danger { "已停用" } } @else { span.badge.ok { "正常" } }
    }
}

fn render(signed: &Signed, errors_of: &FieldErrors, notice: Option<&str>) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let departments = services.list_departments(actor)?;
    let schools = services.list_schools(actor, None)?;
    let csrf = signed.ctx.csrf();
    let is_city = actor.is(Role::CityAdmin);
    Ok(html! {
        (layout::breadcrumb(&["单位管理"]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if !errors_of.is_empty() {
            (layout::notice("error", "提交的信息有误，请检查标红的内容。"))
        }
        section.card {
            h2 { "主管部门" }
            div.table-wrap {
                table.data {
                    thead { tr { th { "序号" } th { "名称" } th { "学校数" } th { "状态" } th { "操作" } } }
                    tbody {
                        @for (index, department) in departments.iter().enumerate() {
                            tr {
                                td { (index + 1) }
                                td { (department.name) }
                                td { (schools.iter().filter(|s| s.department_id == department.id).count()) }
                                td { (state_badge(department.disabled)) }
                                td {
                                    @if is_city { a href=(format!("/admin/departments/{}", department.id)) { "管理" } " " }
                                    a href=(format!("/admin/progress?department_id={}", department.id)) { "填报进度" }
                                }
                            }
                        }
                    }
                }
            }
            @if is_city {
                form.row method="post" action="/admin/orgs" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="kind" value="department";
                    div.field {
                        label for="department-name" { "新建主管部门" }
                        input #department-name name="name" type="text" placeholder="如：上海市虹口区教育局"
                            aria-describedby=[errors_of.get("department.name").map(|_| "department-name-error")];
                        (field_error("department-name", errors_of.get("department.name")))
                    }
                    button type="submit" { "新建" }
                }
            }
        }
        section.card {
            h2 { "学校" span.count { "共" (schools.len()) "所" } }
            div.table-wrap {
                table.data {
                    thead { tr { th { "序号" } th { "学校名称" } th { "学校类型" } th { "上级主管部门" } th { "状态" } th { "操作" } } }
                    tbody {
                        @for (index, school) in schools.iter().enumerate() {
                            tr {
                                td { (index + 1) }
                                td { a href=(format!("/admin/schools/{}", school.id)) { (school.name) } }
                                td { (school.school_type.label()) }
                                td { (departments.iter().find(|d| d.id == school.department_id).map(|d| d.name.as_str()).unwrap_or("")) }
                                td { (state_badge(school.disabled)) }
                                td {
                                    a href=(format!("/admin/teachers?school_id={}", school.id)) { "教师" } " "
                                    a href=(format!("/admin/schools/{}", school.id)) { "管理员" }
                                }
                            }
                        }
                    }
                }
            }
            @if is_city {
                form.grid method="post" action="/admin/orgs" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="kind" value="school";
                    div.field {
                        label for="school-name" { "学校名称" }
                        input #school-name name="name" type="text"
                            aria-describedby=[errors_of.get("school.name").map(|_| "school-name-error")];
                        (field_error("school-name", errors_of.get("school.name")))
                    }
                    div.field {
                        label for="school-department" { "上级主管部门" }
                        select #school-department name="department_id" {
                            @for department in departments.iter().filter(|d| !d.disabled) { option value=(department.id) { (department.name) } }
                        }
                        (field_error("school-department", errors_of.get("school.department_id")))
                    }
                    div.field {
                        label for="school-type" { "学校类型" }
                        select #school-type name="school_type" {
                            @for school_type in SchoolType::ALL { option value=(school_type.code()) { (school_type.label()) } }
                        }
                    }
                    div.field { button type="submit" { "新建学校" } }
                }
            }
        }
        section.card {
            h2 { "开通管理员账号" }
            p.hint { "新账号的默认密码为 00000000，首次登录须修改。停用、重置密码请在学校或主管部门的管理页面操作。" }
            form.grid method="post" action="/admin/orgs" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="kind" value="admin";
                div.field {
                    label for="admin-org" { "所属单位" }
                    select #admin-org name="school_id" {
                        @if is_city {
                            @for department in &departments { option value=(format!("d{}", department.id)) { (department.name) "（主管部门管理员）" } }
                        }
                        @for school in &schools { option value=(format!("s{}", school.id)) { (school.name) "（学校管理员）" } }
                    }
                    (field_error("admin-org", errors_of.get("role").or(errors_of.get("org"))))
                }
                div.field {
                    label for="admin-username" { "登录名" }
                    input #admin-username name="username" type="text" autocomplete="off"
                        aria-describedby=[errors_of.get("username").map(|_| "admin-username-error")];
                    (field_error("admin-username", errors_of.get("username")))
                }
                div.field {
                    label for="admin-name" { "姓名" }
                    input #admin-name name="name" type="text"
                        aria-describedby=[errors_of.get("name").map(|_| "admin-name-error")];
                    (field_error("admin-name", errors_of.get("name")))
                }
                div.field { button type="submit" { "开通" } }
            }
        }
    })
}

fn respond(signed: &Signed, status: StatusCode, errors_of: &FieldErrors, notice: Option<&str>) -> Response {
    match render(signed, errors_of, notice) {
        Ok(body) => (status, layout::page(&signed.ctx, "单位管理", "/admin/orgs", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<NoticeQuery>) -> Response {
    if !matches!(signed.actor().role, Role::CityAdmin | Role::DepartmentAdmin) {
        return errors::page(&signed.ctx, &ServiceError::Forbidden("无权限访问单位管理"));
    }
    respond(&signed, StatusCode::OK, &FieldErrors::new(), notice_text(&query.notice))
}

/// Prefixes field keys so two forms on one page keep their errors apart.
fn prefixed(errors_of: FieldErrors, prefix: &str) -> FieldErrors {
    let mut out = FieldErrors::new();
    for error in errors_of.0 {
        out.add(format!("{prefix}.{}", error.field), error.message);
    }
    out
}

#[handler]
pub fn submit(signed: Signed, Form(form): Form<OrgForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let services = signed.services();
    let actor = signed.actor();
    if !matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) {
        return errors::page(&signed.ctx, &ServiceError::Forbidden("无权限访问单位管理"));
    }
    let result = match form.kind.as_str() {
        "department" => services
            .create_department(actor, &form.name)
            .map(|d| format!("已新建主管部门：{}", d.name))
            .map_err(|e| map_fields(e, "department")),
        "school" => {
            let department_id = form.department_id.parse().unwrap_or(0);
            match SchoolType::from_code(&form.school_type) {
                Some(school_type) => services
                    .create_school(actor, department_id, &form.name, school_type)
                    .map(|s| format!("已新建学校：{}", s.name))
                    .map_err(|e| map_fields(e, "school")),
                None => Err(ServiceError::field("school.school_type", "请选择学校类型")),
            }
        }
        "admin" => {
            let (role, org) = match form.school_id.split_at_checked(1) {
                Some(("d", id)) => (Role::DepartmentAdmin, OrgRef::Department(id.parse().unwrap_or(0))),
                Some(("s", id)) => (Role::SchoolAdmin, OrgRef::School(id.parse().unwrap_or(0))),
                _ => (Role::SchoolAdmin, OrgRef::School(0)),
            };
            let input = NewAdmin { role, org, username: form.username.clone(), name: form.name.clone() };
            services
                .create_admin(actor, &input)
                .map(|account| format!("已开通{}账号：{}（默认密码 00000000）", role.label(), account.username))
        }
        _ => Err(ServiceError::field("kind", "未知操作")),
    };
    match result {
        Ok(message) => respond(&signed, StatusCode::OK, &FieldErrors::new(), Some(&message)),
        Err(ServiceError::Invalid(errors_of)) => respond(&signed, StatusCode::UNPROCESSABLE_ENTITY, &errors_of, None),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn map_fields(error: ServiceError, prefix: &str) -> ServiceError {
    match error {
        ServiceError::Invalid(errors_of) => ServiceError::Invalid(prefixed(errors_of, prefix)),
        other => other,
    }
}
