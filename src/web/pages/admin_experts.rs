//! 专家管理 (city admin): the expert list with search and subject filter, 新增专家 (ID number, 姓名, own school or
//! department for recusal, subjects from the projects' subject lists), and each expert's edit page.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::admin_org_detail::account_actions;
use crate::domain::FieldErrors;
use crate::domain::account::Account;
use crate::domain::idcard::mask;
use crate::domain::org::OrgRef;
use crate::service::ServiceError;
use crate::service::experts::{ExpertInput, ExpertQuery};
use crate::web::ctx::Signed;
use crate::web::layout::field_error;
use crate::web::widgets::{Fields, notice_text, pager, redirect_with_notice, select, text_input};
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    page: usize,
    #[serde(default)]
    per_page: usize,
    #[serde(default)]
    notice: String,
}

fn org_value(org: OrgRef) -> String {
    match org {
        OrgRef::Department(id) => format!("d{id}"),
        OrgRef::School(id) => format!("s{id}"),
        OrgRef::City => String::new(),
    }
}

fn parse_org(value: &str) -> Option<OrgRef> {
    match value.split_at_checked(1) {
        Some(("d", id)) => id.parse().ok().map(OrgRef::Department),
        Some(("s", id)) => id.parse().ok().map(OrgRef::School),
        _ => None,
    }
}

fn input_of(fields: &Fields) -> ExpertInput {
    ExpertInput {
        id_number: fields.get("id_number").to_string(),
        name: fields.get("name").to_string(),
        org: parse_org(fields.get("org")),
        subjects: fields.all("subjects"),
    }
}

/// The fields shared by 新增 and 编辑 (the ID number only when creating).
fn expert_fields(
    signed: &Signed,
    input: &ExpertInput,
    with_id: bool,
    errors_of: &FieldErrors,
) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let mut orgs = vec![(String::new(), "---请选择---".to_string())];
    for department in services.list_departments(actor)? {
        orgs.push((format!("d{}", department.id), format!("{}（主管部门）", department.name)));
    }
    for school in services.list_schools(actor, None)? {
        orgs.push((format!("s{}", school.id), school.name));
    }
    let subjects = services.subject_choices()?;
    let subjects_error = errors_of.get("subjects");
    Ok(html! {
        @if with_id { (text_input("expert-id", "id_number", "身份证号", &input.id_number, errors_of, "id_number")) }
        (text_input("expert-name", "name", "姓名", &input.name, errors_of, "name"))
        (select("expert-org", "org", "所在单位（用于回避）", &orgs, &input.org.map(org_value).unwrap_or_default(), errors_of, "org"))
        fieldset.field.wide.has-error[subjects_error.is_some()] aria-describedby=[subjects_error.map(|_| "expert-subjects-error")] {
            legend { "可评审学科" }
            div.checks {
                @for (index, subject) in subjects.iter().enumerate() {
                    @let id = format!("expert-subject-{index}");
                    label.check for=(id) {
                        input id=(id) type="checkbox" name="subjects" value=(subject) checked[input.subjects.contains(subject)];
                        " " (subject)
                    }
                }
            }
            (field_error("expert-subjects", subjects_error))
        }
    })
}

fn list_page(
    signed: &Signed,
    query: &ListQuery,
    input: &ExpertInput,
    errors_of: &FieldErrors,
    status: StatusCode,
) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let service_query =
        ExpertQuery { q: query.q.clone(), subject: query.subject.clone(), page: query.page, per_page: query.per_page };
    let body = services.list_experts(actor, &service_query).and_then(|paged| {
        let subjects = services.subject_choices()?;
        let fields = expert_fields(signed, input, true, errors_of)?;
        let mut rows = Vec::new();
        for expert in &paged.items {
            rows.push((expert.clone(), services.org_label(expert.org)?));
        }
        let csrf = signed.ctx.csrf();
        let pairs = [("q", query.q.clone()), ("subject", query.subject.clone())];
        Ok(html! {
            (layout::breadcrumb(&["专家管理"]))
            @if let Some(text) = notice_text(&query.notice) { (layout::notice("success", text)) }
            section.card {
                h2 { "新增专家" }
                p.hint { "专家以身份证号登录，默认密码 00000000；不会被分配本单位（及按项目设置，本主管部门）的申报。" }
                @if !errors_of.is_empty() { (layout::notice("error", "提交的信息有误，请检查标红的内容。")) }
                form.grid method="post" action="/admin/experts" novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    (fields)
                    div.field { button.primary type="submit" { "新增专家" } }
                }
            }
            section.card {
                h2 { "专家列表" }
                form.grid.filters method="get" action="/admin/experts" {
                    div.field { label for="expert-q" { "姓名或身份证号" } input #expert-q name="q" type="search" value=(query.q); }
                    div.field {
                        label for="expert-subject-filter" { "学科" }
                        select #expert-subject-filter name="subject" {
                            option value="" { "全部" }
                            @for subject in &subjects { option value=(subject) selected[*subject == query.subject] { (subject) } }
                        }
                    }
                    div.field { button type="submit" { "查询" } }
                }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "姓名" } th { "身份证号" } th { "所在单位" } th { "可评审学科" } th { "状态" } th { "操作" } } }
                        tbody {
                            @for (expert, org) in &rows {
                                tr {
                                    td { a href=(format!("/admin/experts/{}", expert.id)) { (expert.name) } }
                                    td { (mask(&expert.username)) }
                                    td { (org) }
                                    td { (expert.expert_subjects.join("、")) }
                                    td { @if expert.disabled { span.badge.danger { "已停用" } } @else { span.badge.ok { "正常" } } }
                                    td { (account_actions(&csrf, expert, "/admin/experts")) }
                                }
                            }
                        }
                    }
                }
                (pager("/admin/experts", &pairs, &paged))
            }
        })
    });
    match body {
        Ok(body) => (status, layout::page(&signed.ctx, "专家管理", "/admin/experts", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ListQuery>) -> Response {
    list_page(&signed, &query, &ExpertInput::default(), &FieldErrors::new(), StatusCode::OK)
}

#[handler]
pub fn create(signed: Signed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    let input = input_of(&fields);
    match signed.services().create_expert(signed.actor(), &input) {
        Ok(_) => redirect_with_notice("/admin/experts", "created"),
        Err(ServiceError::Invalid(errors_of)) => {
            list_page(&signed, &ListQuery::default(), &input, &errors_of, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn edit_page(
    signed: &Signed,
    expert: &Account,
    input: &ExpertInput,
    errors_of: &FieldErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let csrf = signed.ctx.csrf();
    let action = format!("/admin/experts/{}", expert.id);
    let body = expert_fields(signed, input, false, errors_of).map(|fields| {
        html! {
            (layout::breadcrumb(&["专家管理", &expert.name]))
            @if let Some(text) = notice { (layout::notice("success", text)) }
            section.card {
                h2 { (expert.name) }
                p { "身份证号（登录名）：" (mask(&expert.username)) }
                form.grid method="post" action=(action) novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    (fields)
                    div.field { button.primary type="submit" { "保存" } }
                }
                p { (account_actions(&csrf, expert, &action)) }
            }
        }
    });
    match body {
        Ok(body) => (status, layout::page(&signed.ctx, "专家管理", "/admin/experts", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn edit(signed: Signed, Path(id): Path<u64>, Query(query): Query<ListQuery>) -> Response {
    match signed.services().get_expert(signed.actor(), id) {
        Ok(expert) => {
            let input = ExpertInput {
                id_number: String::new(),
                name: expert.name.clone(),
                org: Some(expert.org),
                subjects: expert.expert_subjects.clone(),
            };
            edit_page(&signed, &expert, &input, &FieldErrors::new(), notice_text(&query.notice), StatusCode::OK)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn update(signed: Signed, Path(id): Path<u64>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    let input = input_of(&fields);
    match signed.services().update_expert(signed.actor(), id, &input) {
        Ok(_) => redirect_with_notice(&format!("/admin/experts/{id}"), "saved"),
        Err(ServiceError::Invalid(errors_of)) => match signed.services().get_expert(signed.actor(), id) {
            Ok(expert) => edit_page(&signed, &expert, &input, &errors_of, None, StatusCode::UNPROCESSABLE_ENTITY),
            Err(error) => errors::page(&signed.ctx, &error),
        },
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
