//! 用户管理 for school admins (and the levels above, per school): the teacher list, 开通账号 with the ID number as
//! username, and 重置密码 (back to 00000000, unfrozen, sessions ended).

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::domain::FieldErrors;
use crate::domain::account::{Account, DEGREES, EDUCATIONS, Role};
use crate::domain::idcard::mask;
use crate::domain::org::{OrgRef, School};
use crate::service::ServiceError;
use crate::service::accounts::NewTeacher;
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct SchoolQuery {
    school_id: Option<u64>,
}

#[derive(Deserialize, Default, Clone)]
pub struct TeacherForm {
    #[serde(default)]
    school_id: u64,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    degree: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// The school this page is about: the admin's own, or the one asked for by a city / department admin.
fn school_of(signed: &Signed, asked: Option<u64>) -> Result<School, ServiceError> {
    let actor = signed.actor();
    let id = match (actor.org, asked) {
        (OrgRef::School(own), _) if actor.is(Role::SchoolAdmin) => own,
        (_, Some(id)) if matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) => id,
        (_, None) if matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) => {
            return Err(ServiceError::NotFound("请先在单位管理中选择学校"));
        }
        _ => return Err(ServiceError::Forbidden("无权限访问用户管理")),
    };
    let school = signed.services().get_school(actor, id)?;
    if !actor.manages_school(&school) {
        return Err(ServiceError::Forbidden("无权限访问用户管理"));
    }
    Ok(school)
}

fn render(
    signed: &Signed,
    school: &School,
    form: &TeacherForm,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Result<Markup, ServiceError> {
    let teachers: Vec<Account> = signed.services().list_accounts_of_school(signed.actor(), school.id, Role::Teacher)?;
    let csrf = signed.ctx.csrf();
    let text_field = |id: &str, label: &str, value: &str, placeholder: &str| {
        let message = errors_of.get(id);
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) }
                input id=(id) name=(id) type="text" value=(value) placeholder=(placeholder)
                    aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)];
                (field_error(id, message))
            }
        }
    };
    let select_field = |id: &str, label: &str, value: &str, choices: &[&str]| {
        let message = errors_of.get(id);
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) }
                select id=(id) name=(id) aria-describedby=[described_by(id, message)] {
                    option value="" { "---请选择---" }
                    @for choice in choices { option value=(choice) selected[*choice == value] { (choice) } }
                }
                (field_error(id, message))
            }
        }
    };
    Ok(html! {
        (layout::breadcrumb(&["用户管理", &school.name]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        section.card {
            h2 { "开通教师账号" }
            p.hint { "用户名为身份证号（全平台唯一），默认密码为 00000000，教师首次登录须修改。出生年月自动取自身份证号。" }
            form.grid method="post" action="/admin/teachers" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="school_id" value=(school.id);
                (text_field("id_number", "身份证号", &form.id_number, "18位身份证号"))
                (text_field("name", "姓名", &form.name, ""))
                (select_field("education", "最高学历", &form.education, &EDUCATIONS))
                (select_field("degree", "最高学位", &form.degree, &DEGREES))
                (text_field("birth", "出生年月（可不填）", &form.birth, "如 1980-12"))
                div.field { button.primary type="submit" { "开通账号" } }
            }
        }
        section.card {
            h2 { "教师列表" span.count { "共" (teachers.len()) "人" } }
            table.data {
                thead { tr { th { "序号" } th { "姓名" } th { "身份证号" } th { "最高学历" } th { "最高学位" } th { "出生年月" } th { "状态" } th { "操作" } } }
                tbody {
                    @for (index, teacher) in teachers.iter().enumerate() {
                        @let profile = teacher.teacher.clone().unwrap_or_default();
                        tr {
                            td { (index + 1) }
                            td { (teacher.name) }
                            td { (mask(&teacher.username)) }
                            td { (profile.education) }
                            td { (profile.degree) }
                            td { (profile.birth_date.map(|d| d.format("%Y年%m月").to_string()).unwrap_or_default()) }
                            td {
                                @if teacher.disabled { "已停用" }
                                @else if teacher.is_frozen(clock::now()) { span.badge.warn { "已冻结" } }
                                @else if teacher.must_change_password { "待修改默认密码" }
                                @else { "正常" }
                            }
                            td {
                                form.inline method="post" action=(format!("/admin/accounts/{}/reset-password", teacher.id)) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="school_id" value=(school.id);
                                    button.small type="submit" data-confirm=(format!("确定将 {} 的密码重置为 00000000 吗？", teacher.name)) { "重置密码" }
                                }
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
    school: &School,
    status: StatusCode,
    form: &TeacherForm,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    match render(signed, school, form, errors_of, notice) {
        Ok(body) => (status, layout::page(&signed.ctx, "用户管理", "/admin/teachers", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<SchoolQuery>) -> Response {
    match school_of(&signed, query.school_id) {
        Ok(school) => respond(&signed, &school, StatusCode::OK, &TeacherForm::default(), &FieldErrors::new(), None),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn create(signed: Signed, Form(form): Form<TeacherForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let school = match school_of(&signed, Some(form.school_id)) {
        Ok(school) => school,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let input = NewTeacher {
        school_id: school.id,
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        education: form.education.clone(),
        degree: form.degree.clone(),
        birth: form.birth.clone(),
    };
    match signed.services().create_teacher(signed.actor(), &input) {
        Ok(account) => {
            let message = format!("已开通 {} 的账号，用户名为身份证号，默认密码 00000000。", account.name);
            respond(&signed, &school, StatusCode::OK, &TeacherForm::default(), &FieldErrors::new(), Some(&message))
        }
        Err(ServiceError::Invalid(errors_of)) => {
            respond(&signed, &school, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors_of, None)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn reset_password(signed: Signed, Path(account_id): Path<u64>, Form(form): Form<CsrfForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().reset_password(signed.actor(), account_id) {
        Ok(account) => {
            let school = match account.org {
                OrgRef::School(id) => signed.services().get_school(signed.actor(), id),
                _ => Err(ServiceError::NotFound("学校不存在")),
            };
            match school {
                Ok(school) if signed.actor().manages_school(&school) => {
                    let message = format!("已将 {} 的密码重置为 00000000，账号已解冻。", account.name);
                    respond(
                        &signed,
                        &school,
                        StatusCode::OK,
                        &TeacherForm::default(),
                        &FieldErrors::new(),
                        Some(&message),
                    )
                }
                _ => {
                    let body = layout::notice("success", &format!("已将 {} 的密码重置为 00000000。", account.name));
                    layout::page(&signed.ctx, "重置密码", "", body).into_response()
                }
            }
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
