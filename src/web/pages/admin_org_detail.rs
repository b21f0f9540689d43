//! The page of one department (city admin: rename, disable / enable, its admin accounts) and of one school (city
//! and department admins: its admin accounts and progress; the city admin also renames it, changes its type,
//! disables / enables it).

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::admin_orgs::{NoticeQuery, state_badge};
use crate::domain::account::{Account, Role};
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::progress::Progress;
use crate::domain::{FieldErrors, SchoolType};
use crate::service::ServiceError;
use crate::service::accounts::NewAdmin;
use crate::service::org_admin::{DepartmentChange, SchoolChange};
use crate::web::ctx::Signed;
use crate::web::widgets::{notice_text, redirect_with_notice, text_input};
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct OrgEditForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    school_type: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    csrf: String,
}

/// The admin accounts of an organisation with their actions, and the form that opens one.
fn admins_card(
    signed: &Signed,
    admins: &[Account],
    back: &str,
    create_action: &str,
    errors_of: &FieldErrors,
) -> Markup {
    let csrf = signed.ctx.csrf();
    html! {
        section.card {
            h2 { "管理员账号" }
            @if admins.is_empty() { p.empty { "尚未开通管理员账号" } }
            @else {
                div.table-wrap {
                    table.data {
                        thead { tr { th { "登录名" } th { "姓名" } th { "状态" } th { "操作" } } }
                        tbody {
                            @for admin in admins {
                                tr {
                                    td { (admin.username) }
                                    td { (admin.name) }
                                    td { (state_badge(admin.disabled)) }
                                    td { (account_actions(&csrf, admin, back)) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "开通管理员账号" }
            p.hint { "默认密码为 00000000，首次登录须修改。" }
            form.grid method="post" action=(create_action) novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="action" value="admin";
                (text_input("admin-username", "username", "登录名", "", errors_of, "username"))
                (text_input("admin-name", "name", "姓名", "", errors_of, "name"))
                div.field { button.primary type="submit" { "开通" } }
            }
        }
    }
}

/// 重置密码 and 停用 / 启用 buttons for one account; each returns to `back`.
pub fn account_actions(csrf: &str, account: &Account, back: &str) -> Markup {
    html! {
        form.inline method="post" action=(format!("/admin/accounts/{}/reset-password", account.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="back" value=(back);
            button.small type="submit" data-confirm=(format!("确定将 {} 的密码重置为 00000000 吗？", account.name)) { "重置密码" }
        }
        " "
        @if account.disabled {
            form.inline method="post" action=(format!("/admin/accounts/{}/enable", account.id)) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value=(back);
                button.small type="submit" { "启用" }
            }
        } @else {
            form.inline method="post" action=(format!("/admin/accounts/{}/disable", account.id)) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value=(back);
                button.small.danger type="submit" data-confirm=(format!("确定停用 {} 的账号吗？停用后该账号无法登录（账号不会被删除，可随时启用）。", account.name)) { "停用" }
            }
        }
    }
}

fn toggle_form(csrf: &str, action: &str, disabled: bool, what: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            @if disabled {
                input type="hidden" name="action" value="enable";
                button type="submit" { "启用" (what) }
            } @else {
                input type="hidden" name="action" value="disable";
                button.danger type="submit" data-confirm=(format!("停用后不能再向该{what}新增学校、账号或调入教师，已有数据不受影响。确定停用吗？")) { "停用" (what) }
            }
        }
    }
}

fn department_body(
    signed: &Signed,
    department: &Department,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let schools = services.list_schools(actor, Some(department.id))?;
    let admins = services.list_admins(actor, OrgRef::Department(department.id))?;
    let csrf = signed.ctx.csrf();
    let action = format!("/admin/departments/{}", department.id);
    Ok(html! {
        (layout::breadcrumb(&["单位管理", &department.name]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        section.card {
            h2 { (department.name) " " (state_badge(department.disabled)) }
            form.row method="post" action=(action) novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="action" value="rename";
                (text_input("department-name", "name", "名称", &department.name, errors_of, "name"))
                button type="submit" { "保存名称" }
            }
            p { (toggle_form(&csrf, &action, department.disabled, "主管部门")) }
        }
        section.card {
            h2 { "所属学校" span.count { "共" (schools.len()) "所" } }
            ul {
                @for school in &schools {
                    li { a href=(format!("/admin/schools/{}", school.id)) { (school.name) } "（" (school.school_type.label()) "）" @if school.disabled { " " (state_badge(true)) } }
                }
            }
        }
        (admins_card(signed, &admins, &action, &action, errors_of))
    })
}

fn school_body(
    signed: &Signed,
    school: &School,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let department = services.get_department(actor, school.department_id).map(|d| d.name).unwrap_or_default();
    let admins = services.list_admins(actor, OrgRef::School(school.id))?;
    let progress = services.progress_overview(actor, None, Some(school.id), None)?;
    let csrf = signed.ctx.csrf();
    let action = format!("/admin/schools/{}", school.id);
    let type_message = errors_of.get("school_type");
    Ok(html! {
        (layout::breadcrumb(&["单位管理", &department, &school.name]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        section.card {
            h2 { (school.name) " " (state_badge(school.disabled)) }
            p { "学校类型：" (school.school_type.label()) "　上级主管部门：" (department) }
            p {
                a.button href=(format!("/admin/teachers?school_id={}", school.id)) { "教师管理" } " "
                a.button href=(format!("/admin/teachers/import?school_id={}", school.id)) { "批量导入教师" } " "
                a.button href=(format!("/admin/teachers/export.xlsx?school_id={}", school.id)) { "导出教师名单" }
            }
            @if actor.is(Role::CityAdmin) {
                h3 { "修改学校信息" }
                form.grid method="post" action=(action) novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="update";
                    (text_input("school-name", "name", "学校名称", &school.name, errors_of, "name"))
                    div.field.has-error[type_message.is_some()] {
                        label for="school-type" { "学校类型" }
                        select #school-type name="school_type" aria-describedby=[type_message.map(|_| "school-type-error")] {
                            @for school_type in SchoolType::ALL {
                                option value=(school_type.code()) selected[school_type == school.school_type] { (school_type.label()) }
                            }
                        }
                        (layout::field_error("school-type", type_message))
                    }
                    div.field { button type="submit" { "保存" } }
                }
                p { (toggle_form(&csrf, &action, school.disabled, "学校")) }
            }
        }
        @if let Some(line) = progress.first() {
            section.card {
                h2 { "填报进度" span.count { "教师" (line.counts.teachers) "人" } }
                ul.inline-stats {
                    @for item in Progress::ALL {
                        li {
                            a href=(format!("/admin/teachers?school_id={}&progress={}", school.id, item.code())) { (item.label()) }
                            " " strong { (line.counts.get(item)) }
                        }
                    }
                }
            }
        }
        (admins_card(signed, &admins, &action, &format!("/admin/schools/{}/admins", school.id), errors_of))
    })
}

fn page(signed: &Signed, title: &str, status: StatusCode, body: Result<Markup, ServiceError>) -> Response {
    match body {
        Ok(body) => (status, layout::page(&signed.ctx, title, "/admin/orgs", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn department_in_scope(signed: &Signed, id: u64) -> Result<Department, ServiceError> {
    let department = signed.services().get_department(signed.actor(), id)?;
    if !signed.actor().is(Role::CityAdmin) {
        return Err(ServiceError::Forbidden("只有市级管理员可以管理主管部门"));
    }
    Ok(department)
}

#[handler]
pub fn department_page(signed: Signed, Path(id): Path<u64>, Query(query): Query<NoticeQuery>) -> Response {
    let body = department_in_scope(&signed, id)
        .and_then(|department| department_body(&signed, &department, &FieldErrors::new(), notice_text(&query.notice)));
    page(&signed, "主管部门", StatusCode::OK, body)
}

#[handler]
pub fn update_department(signed: Signed, Path(id): Path<u64>, Form(form): Form<OrgEditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    if let Err(error) = department_in_scope(&signed, id) {
        return errors::page(&signed.ctx, &error);
    }
    let services = signed.services();
    let actor = signed.actor();
    let result = match form.action.as_str() {
        "rename" => services
            .update_department(actor, id, &DepartmentChange { name: Some(form.name.clone()), disabled: None })
            .map(|_| "saved"),
        "disable" | "enable" => {
            let disabled = Some(form.action == "disable");
            services.update_department(actor, id, &DepartmentChange { name: None, disabled }).map(|_| "saved")
        }
        "admin" => department_in_scope(&signed, id).and_then(|_| {
            let input = NewAdmin {
                role: Role::DepartmentAdmin,
                org: OrgRef::Department(id),
                username: form.username.clone(),
                name: form.name.clone(),
            };
            services.create_admin(actor, &input).map(|_| "created")
        }),
        _ => Err(ServiceError::field("action", "未知操作")),
    };
    match result {
        Ok(notice) => redirect_with_notice(&format!("/admin/departments/{id}"), notice),
        Err(ServiceError::Invalid(errors_of)) => {
            let body = department_in_scope(&signed, id)
                .and_then(|department| department_body(&signed, &department, &errors_of, None));
            page(&signed, "主管部门", StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn school_in_scope(signed: &Signed, id: u64) -> Result<School, ServiceError> {
    let school = signed.services().get_school(signed.actor(), id)?;
    if !matches!(signed.actor().role, Role::CityAdmin | Role::DepartmentAdmin) {
        return Err(ServiceError::Forbidden("无权限访问学校管理"));
    }
    Ok(school)
}

#[handler]
pub fn school_page(signed: Signed, Path(id): Path<u64>, Query(query): Query<NoticeQuery>) -> Response {
    let body = school_in_scope(&signed, id)
        .and_then(|school| school_body(&signed, &school, &FieldErrors::new(), notice_text(&query.notice)));
    page(&signed, "学校管理", StatusCode::OK, body)
}

fn school_failed(signed: &Signed, id: u64, error: ServiceError) -> Response {
    match error {
        ServiceError::Invalid(errors_of) => {
            let body = school_in_scope(signed, id).and_then(|school| school_body(signed, &school, &errors_of, None));
            page(signed, "学校管理", StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        error => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn update_school(signed: Signed, Path(id): Path<u64>, Form(form): Form<OrgEditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let allowed = school_in_scope(&signed, id).and_then(|_| {
        if signed.actor().is(Role::CityAdmin) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("只有市级管理员可以修改学校"))
        }
    });
    if let Err(error) = allowed {
        return errors::page(&signed.ctx, &error);
    }
    let change = match form.action.as_str() {
        "update" => match SchoolType::from_code(&form.school_type) {
            Some(school_type) => {
                Ok(SchoolChange { name: Some(form.name.clone()), school_type: Some(school_type), disabled: None })
            }
            None => Err(ServiceError::field("school_type", "请选择学校类型")),
        },
        "disable" => Ok(SchoolChange { disabled: Some(true), ..SchoolChange::default() }),
        "enable" => Ok(SchoolChange { disabled: Some(false), ..SchoolChange::default() }),
        _ => Err(ServiceError::field("action", "未知操作")),
    };
    match change.and_then(|change| signed.services().update_school(signed.actor(), id, &change)) {
        Ok(_) => redirect_with_notice(&format!("/admin/schools/{id}"), "saved"),
        Err(error) => school_failed(&signed, id, error),
    }
}

#[handler]
pub fn create_school_admin(signed: Signed, Path(id): Path<u64>, Form(form): Form<OrgEditForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let input = NewAdmin {
        role: Role::SchoolAdmin,
        org: OrgRef::School(id),
        username: form.username.clone(),
        name: form.name.clone(),
    };
    let result = school_in_scope(&signed, id).and_then(|_| signed.services().create_admin(signed.actor(), &input));
    match result {
        Ok(_) => redirect_with_notice(&format!("/admin/schools/{id}"), "created"),
        Err(error) => school_failed(&signed, id, error),
    }
}
