//! 用户管理: the teacher list of a school (school admins; city and department admins per school or across their
//! scope) with search by name or ID number, filters by progress and project, paging, 开通账号, 重置密码, 停用 /
//! 启用, bulk 选择申报项目 (checkboxes and a select, no JavaScript needed) and the Excel export.

use maud::{Markup, html};
use poem::http::{StatusCode, header};
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::admin_org_detail::account_actions;
use crate::domain::FieldErrors;
use crate::domain::account::{DEGREES, EDUCATIONS, Role};
use crate::domain::idcard::mask;
use crate::domain::org::{OrgRef, School};
use crate::domain::progress::Progress;
use crate::service::accounts::NewTeacher;
use crate::service::exports::XLSX_MIME;
use crate::service::teachers::TeacherQuery;
use crate::service::{ServiceError, Services};
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::widgets::{Fields, notice_text, pager, redirect_with_notice, safe_back};
use crate::web::{errors, layout};

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    school_id: Option<u64>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    progress: String,
    project_id: Option<u64>,
    #[serde(default)]
    page: usize,
    #[serde(default)]
    per_page: usize,
    #[serde(default)]
    notice: String,
}

impl ListQuery {
    /// The school a school admin always works in; the asked one for the levels above.
    fn resolved(&self, signed: &Signed) -> Self {
        let mut query = self.clone();
        if let (Role::SchoolAdmin, OrgRef::School(own)) = (signed.actor().role, signed.actor().org) {
            query.school_id = Some(own);
        }
        query
    }

    fn service_query(&self) -> TeacherQuery {
        TeacherQuery {
            school_id: self.school_id,
            q: self.q.clone(),
            progress: Progress::from_code(&self.progress),
            project_id: self.project_id,
            page: self.page,
            per_page: self.per_page,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("school_id", self.school_id.map(|id| id.to_string()).unwrap_or_default()),
            ("q", self.q.clone()),
            ("progress", self.progress.clone()),
            ("project_id", self.project_id.map(|id| id.to_string()).unwrap_or_default()),
        ]
    }

    fn url(&self, path: &str) -> String {
        let parts: Vec<String> = self
            .pairs()
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| {
                format!("{key}={}", percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC))
            })
            .collect();
        if parts.is_empty() { path.to_string() } else { format!("{path}?{}", parts.join("&")) }
    }
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
    #[serde(default)]
    back: String,
}

fn create_card(csrf: &str, school: &School, form: &TeacherForm, errors_of: &FieldErrors) -> Markup {
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
                select id=(id) name=(id) aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)] {
                    option value="" { "---请选择---" }
                    @for choice in choices { option value=(choice) selected[*choice == value] { (choice) } }
                }
                (field_error(id, message))
            }
        }
    };
    html! {
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
    }
}

fn filter_card(services: &Services, signed: &Signed, query: &ListQuery) -> Result<Markup, ServiceError> {
    let actor = signed.actor();
    let schools = if actor.is(Role::SchoolAdmin) { Vec::new() } else { services.list_schools(actor, None)? };
    let projects = services.list_projects(actor)?;
    Ok(html! {
        form.grid.filters method="get" action="/admin/teachers" {
            @if actor.is(Role::SchoolAdmin) {
                @if let Some(id) = query.school_id { input type="hidden" name="school_id" value=(id); }
            } @else {
                div.field {
                    label for="filter-school" { "学校" }
                    select #filter-school name="school_id" {
                        option value="" { "全部学校" }
                        @for school in &schools { option value=(school.id) selected[query.school_id == Some(school.id)] { (school.name) } }
                    }
                }
            }
            div.field {
                label for="filter-q" { "姓名或身份证号" }
                input #filter-q name="q" type="search" value=(query.q);
            }
            div.field {
                label for="filter-progress" { "填报状态" }
                select #filter-progress name="progress" {
                    option value="" { "全部" }
                    @for progress in Progress::ALL { option value=(progress.code()) selected[query.progress == progress.code()] { (progress.label()) } }
                }
            }
            div.field {
                label for="filter-project" { "申报项目" }
                select #filter-project name="project_id" {
                    option value="" { "全部" }
                    @for project in &projects { option value=(project.id) selected[query.project_id == Some(project.id)] { (project.name) } }
                }
            }
            div.field { button.primary type="submit" { "查询" } }
        }
    })
}

fn render(
    signed: &Signed,
    query: &ListQuery,
    form: &TeacherForm,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let school = match query.school_id {
        Some(id) => Some(services.get_school(actor, id)?),
        None => None,
    };
    let paged = services.list_teachers(actor, &query.service_query())?;
    let projects = services.list_projects(actor)?;
    let csrf = signed.ctx.csrf();
    let back = query.url("/admin/teachers");
    let many_schools = school.is_none();
    let title = school.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "全部学校".into());
    Ok(html! {
        (layout::breadcrumb(&["用户管理", &title]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if !errors_of.is_empty() && errors_of.get("ids").is_none() { (layout::notice("error", "提交的信息有误，请检查标红的内容。")) }
        @if let Some(message) = errors_of.get("school_id") { (layout::notice("error", message)) }
        @if let Some(school) = &school {
            @if school.disabled {
                (layout::notice("warn", "该学校已停用：不能开通账号、导入或调入教师。"))
            } @else {
                (create_card(&csrf, school, form, errors_of))
            }
        }
        section.card {
            h2 { "教师列表" span.count { "共" (paged.total) "人" } }
            (filter_card(services, signed, query)?)
            p.actions-line {
                a.button href=(query.url("/admin/teachers/export.xlsx")) { "导出 Excel" } " "
                a.button href=(match query.school_id { Some(id) => format!("/admin/teachers/import?school_id={id}"), None => "/admin/teachers/import".into() }) { "批量导入" }
            }
            form #bulk.row method="post" action="/admin/teachers/project" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value=(back);
                div.field {
                    label for="bulk-project" { "为勾选的教师选择申报项目" }
                    select #bulk-project name="project_id" aria-describedby=[errors_of.get("ids").map(|_| "bulk-project-error")] {
                        @for project in &projects { option value=(project.id) { (project.name) } }
                        option value="none" { "（取消申报项目）" }
                    }
                    (field_error("bulk-project", errors_of.get("ids")))
                }
                button type="submit" { "批量设置" }
            }
            div.table-wrap {
                table.data.teachers {
                    thead {
                        tr {
                            th { input #pick-all type="checkbox" data-select-all="ids" aria-label="全选本页"; label.sr-only for="pick-all" { "全选本页" } }
                            th { "序号" } th { "姓名" } th { "身份证号" }
                            @if many_schools { th { "学校" } }
                            th { "最高学历" } th { "最高学位" } th { "出生年月" } th { "申报项目" } th { "填报状态" } th { "账号状态" } th { "操作" }
                        }
                    }
                    tbody {
                        @for (index, row) in paged.items.iter().enumerate() {
                            @let teacher = &row.account;
                            @let profile = teacher.teacher.clone().unwrap_or_default();
                            @let pick = format!("pick-{}", teacher.id);
                            tr {
                                td {
                                    input id=(pick) type="checkbox" name="ids" value=(teacher.id) form="bulk";
                                    label.sr-only for=(pick) { "选择 " (teacher.name) }
                                }
                                td { ((paged.page - 1).saturating_mul(paged.per_page).saturating_add(index + 1)) }
                                td { (teacher.name) }
                                td.idno { (mask(&teacher.username)) }
                                @if many_schools { td { (row.school_name) } }
                                td { (profile.education) }
                                td { (profile.degree) }
                                td.date { (profile.birth_date.map(|d| d.format("%Y年%m月").to_string()).unwrap_or_default()) }
                                td.wrap { (row.project_name.clone().unwrap_or_else(|| "未选择".into())) }
                                td { span class=(format!("badge progress-{}", row.progress.code())) { (row.progress.label()) } }
                                td {
                                    @if teacher.disabled { span.badge.danger { "已停用" } }
                                    @else if teacher.is_frozen(services.clock.now()) { span.badge.warn { "已冻结" } }
                                    @else if teacher.must_change_password { "待修改默认密码" }
                                    @else { "正常" }
                                }
                                td.ops {
                                    // 编辑 first: it is where a teacher's project is chosen.
                                    a href=(format!("/admin/teachers/{}", teacher.id)) { "编辑" }
                                    (account_actions(&csrf, teacher, &back))
                                }
                            }
                        }
                    }
                }
            }
            @if paged.items.is_empty() { p.empty { "没有符合条件的教师" } }
            (pager("/admin/teachers", &query.pairs(), &paged))
        }
    })
}

fn respond(
    signed: &Signed,
    query: &ListQuery,
    status: StatusCode,
    form: &TeacherForm,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    match render(signed, query, form, errors_of, notice) {
        Ok(body) => (status, layout::page(&signed.ctx, "用户管理", "/admin/teachers", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ListQuery>) -> Response {
    let query = query.resolved(&signed);
    let notice = notice_text(&query.notice);
    respond(&signed, &query, StatusCode::OK, &TeacherForm::default(), &FieldErrors::new(), notice)
}

#[handler]
pub fn create(signed: Signed, Form(form): Form<TeacherForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let query = ListQuery { school_id: Some(form.school_id), ..ListQuery::default() }.resolved(&signed);
    let input = NewTeacher {
        school_id: query.school_id.unwrap_or(0),
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        education: form.education.clone(),
        degree: form.degree.clone(),
        birth: form.birth.clone(),
    };
    match signed.services().create_teacher(signed.actor(), &input) {
        Ok(account) => {
            let message = format!("已开通 {} 的账号，用户名为身份证号，默认密码 00000000。", account.name);
            respond(&signed, &query, StatusCode::OK, &TeacherForm::default(), &FieldErrors::new(), Some(&message))
        }
        Err(ServiceError::Invalid(errors_of)) => {
            respond(&signed, &query, StatusCode::UNPROCESSABLE_ENTITY, &form, &errors_of, None)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// 重置密码 of any account the actor manages. With a `back` address it returns there; without, it shows the
/// school's list (or a short confirmation for admin accounts).
#[handler]
pub fn reset_password(signed: Signed, Path(account_id): Path<u64>, Form(form): Form<CsrfForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let account = match signed.services().reset_password(signed.actor(), account_id) {
        Ok(account) => account,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    if !form.back.is_empty() {
        return redirect_with_notice(&safe_back(&form.back, "/admin/teachers"), "reset");
    }
    let message = format!("已将 {} 的密码重置为 00000000，账号已解冻。", account.name);
    match (account.role, account.org) {
        (Role::Teacher, OrgRef::School(id)) => {
            let query = ListQuery { school_id: Some(id), ..ListQuery::default() }.resolved(&signed);
            respond(&signed, &query, StatusCode::OK, &TeacherForm::default(), &FieldErrors::new(), Some(&message))
        }
        _ => layout::page(&signed.ctx, "重置密码", "", layout::notice("success", &message)).into_response(),
    }
}

/// Bulk 选择申报项目 from the list's checkboxes.
#[handler]
pub fn bulk_project(signed: Signed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    let ids: Vec<u64> = fields.all("ids").iter().filter_map(|id| id.parse().ok()).collect();
    let project_id = match fields.get("project_id") {
        "" | "none" => None,
        id => Some(id.parse().unwrap_or(0)),
    };
    let back = safe_back(fields.get("back"), "/admin/teachers");
    match signed.services().choose_project_bulk(signed.actor(), &ids, project_id) {
        Ok(outcomes) if outcomes.iter().all(|outcome| outcome.refused.is_none()) => {
            redirect_with_notice(&back, "project")
        }
        Ok(outcomes) => {
            let applied = outcomes.iter().filter(|outcome| outcome.refused.is_none()).count();
            let body = html! {
                (layout::breadcrumb(&["用户管理", "批量选择申报项目"]))
                section.card {
                    h2 { "批量选择申报项目" }
                    (layout::notice("info", &format!("已为 {applied} 名教师设置；以下教师未设置：")))
                    ul {
                        @for outcome in outcomes.iter().filter(|outcome| outcome.refused.is_some()) {
                            li { (outcome.name.clone().unwrap_or_else(|| format!("账号 {}", outcome.teacher_id))) "：" (outcome.refused.clone().unwrap_or_default()) }
                        }
                    }
                    p { a.button href=(back) { "返回教师列表" } }
                }
            };
            layout::page(&signed.ctx, "用户管理", "/admin/teachers", body).into_response()
        }
        Err(ServiceError::Invalid(errors_of)) => {
            let query = ListQuery::default().resolved(&signed);
            respond(&signed, &query, StatusCode::UNPROCESSABLE_ENTITY, &TeacherForm::default(), &errors_of, None)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// The list as .xlsx, with the same filters (every page).
#[handler]
pub fn export_xlsx(signed: Signed, Query(query): Query<ListQuery>) -> Response {
    let query = query.resolved(&signed);
    match signed.services().export_teachers(signed.actor(), &query.service_query()) {
        Ok(bytes) => xlsx_response(bytes, "教师名单.xlsx"),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// An .xlsx download with a Chinese file name.
pub fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, XLSX_MIME)
        .header(header::CONTENT_DISPOSITION, crate::files::content_disposition(false, name))
        .header(header::CACHE_CONTROL, "no-store")
        .body(bytes)
}
