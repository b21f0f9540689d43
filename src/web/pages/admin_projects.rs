//! 鉴定项目 (city admin): the project list, 新建项目, 复制往年项目, and each project's settings — name, year, school
//! types, the windows and deadlines (`datetime-local`, Shanghai time, stored UTC), limits, review steps, subjects,
//! title choices, grade scale and expert settings — with what its submissions already lock (shown and enforced by
//! the service). The catalogue has its own page (`admin_catalogue`).

use chrono::{DateTime, Utc};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Path, Query};
use poem::{IntoResponse, Response, handler};

use super::admin_orgs::NoticeQuery;
use crate::domain::project::Project;
use crate::domain::project_rules::ProjectUsage;
use crate::domain::{FieldErrors, SchoolType};
use crate::service::ServiceError;
use crate::service::project_admin::ProjectSettings;
use crate::service::projects::NewProject;
use crate::web::ctx::Signed;
use crate::web::layout::{described_by, field_error};
use crate::web::widgets::{
    Fields, datetime_local, lines, notice_text, parse_datetime_local, redirect_with_notice, text_input,
};
use crate::web::{errors, layout};

pub use super::admin_catalogue::{catalogue_page, save_catalogue};

/// The editability rules, as the city admin reads them (enforced by `domain::project_rules`).
pub const RULES: [&str; 6] = [
    "名称、年度及各时间节点随时可改（须保持先后顺序）。",
    "已有申报的学校类型不能取消；成果数量上限不能低于已提交申报中的成果数。",
    "有申报通过学校审核后，不能再更改是否需要主管部门审核。",
    "已提交申报使用的申报学科、现专技职务不能删除。",
    "专家评审开始后，鉴定等级、评审专家数、盲评和回避设置不能更改。",
    "成果目录：已被申报使用的成果类型不能删除或更换层次；已有提交的类型不能增删字段、增加必传证明材料或减少适用学校类型，名称和句式文字可改。",
];

fn list_body(signed: &Signed, errors_of: &FieldErrors, notice: Option<&str>) -> Result<Markup, ServiceError> {
    let projects = signed.services().project_overview(signed.actor())?;
    let csrf = signed.ctx.csrf();
    let year = signed.services().clock.today().format("%Y").to_string();
    Ok(html! {
        (layout::breadcrumb(&["鉴定项目"]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if !errors_of.is_empty() { (layout::notice("error", "提交的信息有误，请检查标红的内容。")) }
        section.card {
            h2 { "鉴定项目" }
            div.table-wrap {
                table.data {
                    thead { tr { th { "项目名称" } th { "年度" } th { "学校类型" } th { "填报时间" } th { "申报数" } th { "操作" } } }
                    tbody {
                        @for (project, count) in &projects {
                            tr {
                                td { (project.name) }
                                td { (project.year) }
                                td { (project.school_types.iter().map(|t| t.label()).collect::<Vec<_>>().join("、")) }
                                td { (crate::clock::minute(project.filing_start)) " 至 " (crate::clock::minute(project.filing_end)) }
                                td { (count) }
                                td {
                                    a href=(format!("/admin/projects/{}", project.id)) { "设置" } " "
                                    a href=(format!("/admin/projects/{}/catalogue", project.id)) { "成果目录" }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.columns {
            section.card {
                h2 { "复制往年项目" }
                p.hint { "复制全部设置和成果目录，各时间节点按年度差顺延，名称中的年份随之替换。" }
                form method="post" action="/admin/projects" novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="kind" value="copy";
                    div.field {
                        label for="copy-source" { "复制自" }
                        select #copy-source name="source_id" {
                            @for (project, _) in &projects { option value=(project.id) { (project.name) } }
                        }
                    }
                    (text_input("copy-year", "year", "新项目年度", &year, errors_of, "copy.year"))
                    (text_input("copy-name", "name", "新项目名称（可不填）", "", errors_of, "copy.name"))
                    button.primary type="submit" { "复制" }
                }
            }
            section.card {
                h2 { "新建项目" }
                p.hint { "其余设置与成果目录取默认值，创建后可修改。" }
                form method="post" action="/admin/projects" novalidate {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="kind" value="create";
                    (text_input("new-name", "name", "项目名称", &format!("{year}年中职、技工学校教师高级职务教科研成果鉴定"), errors_of, "name"))
                    (text_input("new-year", "year", "年度", &year, errors_of, "year"))
                    (datetime_field("new-start", "filing_start", "填报开始", "", errors_of))
                    (datetime_field("new-end", "filing_end", "填报截止", "", errors_of))
                    button type="submit" { "新建" }
                }
            }
        }
    })
}

fn datetime_field(id: &str, name: &str, label: &str, value: &str, errors_of: &FieldErrors) -> Markup {
    let message = errors_of.get(name);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) "（北京时间）" }
            input id=(id) name=(name) type="datetime-local" value=(value)
                aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)];
            (field_error(id, message))
        }
    }
}

fn list_page(signed: &Signed, status: StatusCode, errors_of: &FieldErrors, notice: Option<&str>) -> Response {
    match list_body(signed, errors_of, notice) {
        Ok(body) => (status, layout::page(&signed.ctx, "鉴定项目", "/admin/projects", body)).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn list(signed: Signed, Query(query): Query<NoticeQuery>) -> Response {
    list_page(&signed, StatusCode::OK, &FieldErrors::new(), notice_text(&query.notice))
}

fn time_of(fields: &Fields, name: &str, errors_of: &mut FieldErrors) -> DateTime<Utc> {
    match parse_datetime_local(fields.get(name)) {
        Some(at) => at,
        None => {
            errors_of.add(name, "请填写有效的时间");
            DateTime::<Utc>::UNIX_EPOCH
        }
    }
}

fn year_of(fields: &Fields, name: &str, key: &str, errors_of: &mut FieldErrors) -> i32 {
    fields.get(name).parse().unwrap_or_else(|_| {
        errors_of.add(key, "请填写年度，如 2026");
        0
    })
}

#[handler]
pub fn create(signed: Signed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    let services = signed.services();
    let actor = signed.actor();
    if let Err(error) = services.project_overview(actor) {
        return errors::page(&signed.ctx, &error);
    }
    let mut errors_of = FieldErrors::new();
    let result = match fields.get("kind") {
        "copy" => {
            let year = year_of(&fields, "year", "copy.year", &mut errors_of);
            let source = fields.number("source_id").unwrap_or(0);
            if errors_of.is_empty() {
                services.copy_project(actor, source, year, fields.get("name")).map_err(|error| match error {
                    ServiceError::Invalid(inner) => {
                        let mut out = FieldErrors::new();
                        for error in inner.0 {
                            out.add(format!("copy.{}", error.field), error.message);
                        }
                        ServiceError::Invalid(out)
                    }
                    other => other,
                })
            } else {
                Err(ServiceError::Invalid(errors_of))
            }
        }
        "create" => {
            let year = year_of(&fields, "year", "year", &mut errors_of);
            let input = NewProject {
                name: fields.get("name").to_string(),
                year,
                filing_start: time_of(&fields, "filing_start", &mut errors_of),
                filing_end: time_of(&fields, "filing_end", &mut errors_of),
            };
            if errors_of.is_empty() {
                services.create_project(actor, &input)
            } else {
                Err(ServiceError::Invalid(errors_of))
            }
        }
        _ => Err(ServiceError::field("kind", "未知操作")),
    };
    match result {
        Ok(project) => redirect_with_notice(&format!("/admin/projects/{}", project.id), "created"),
        Err(ServiceError::Invalid(errors_of)) => list_page(&signed, StatusCode::UNPROCESSABLE_ENTITY, &errors_of, None),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn checkbox(id: &str, name: &str, value: &str, label: &str, checked: bool) -> Markup {
    html! {
        label.check for=(id) { input id=(id) type="checkbox" name=(name) value=(value) checked[checked]; " " (label) }
    }
}

fn textarea(id: &str, name: &str, label: &str, items: &[String], errors_of: &FieldErrors) -> Markup {
    let message = errors_of.get(name);
    html! {
        div.field.has-error[message.is_some()] {
            label for=(id) { (label) "（每行一项）" }
            textarea id=(id) name=(name) rows="8" aria-describedby=[described_by(id, message)] { (items.join("\n")) }
            (field_error(id, message))
        }
    }
}

fn settings_body(
    signed: &Signed,
    project: &Project,
    settings: &ProjectSettings,
    usage: &ProjectUsage,
    errors_of: &FieldErrors,
    notice: Option<&str>,
) -> Markup {
    let csrf = signed.ctx.csrf();
    let number = |id: &str, name: &str, label: &str, value: usize| {
        let message = errors_of.get(name);
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) }
                input id=(id) name=(name) type="number" min="1" value=(value) aria-describedby=[described_by(id, message)];
                (field_error(id, message))
            }
        }
    };
    let types_error = errors_of.get("school_types");
    html! {
        (layout::breadcrumb(&["鉴定项目", &project.name]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if !errors_of.is_empty() { (layout::notice("error", "未保存：提交的信息有误，请检查标红的内容。")) }
        section.card {
            h2 { (project.name) }
            p {
                "已有申报 " strong { (usage.submissions) } " 份，其中已提交 " strong { (usage.filed) } " 份、通过学校审核 "
                strong { (usage.past_school_review) } " 份、进入专家评审 " strong { (usage.in_expert_review) } " 份。"
                a href=(format!("/admin/projects/{}/catalogue", project.id)) { "编辑成果目录" }
            }
            details {
                summary { "已有申报时哪些设置可以修改" }
                ul.hint { @for rule in RULES { li { (rule) } } }
            }
        }
        form.card method="post" action=(format!("/admin/projects/{}", project.id)) novalidate {
            input type="hidden" name="csrf" value=(csrf);
            h2 { "基本设置" }
            div.grid {
                (text_input("project-name", "name", "项目名称", &settings.name, errors_of, "name"))
                (text_input("project-year", "year", "年度", &settings.year.to_string(), errors_of, "year"))
            }
            fieldset.field.has-error[types_error.is_some()] aria-describedby=[types_error.map(|_| "project-types-error")] {
                legend { "面向的学校类型" }
                @for school_type in SchoolType::ALL {
                    (checkbox(&format!("type-{}", school_type.code()), "school_types", school_type.code(), school_type.label(), settings.school_types.contains(&school_type)))
                }
                (field_error("project-types", types_error))
            }
            h3 { "时间节点" }
            div.grid {
                (datetime_field("filing-start", "filing_start", "填报开始", &datetime_local(settings.filing_start), errors_of))
                (datetime_field("filing-end", "filing_end", "填报截止", &datetime_local(settings.filing_end), errors_of))
                (datetime_field("school-review-end", "school_review_end", "学校审核截止", &datetime_local(settings.school_review_end), errors_of))
                (datetime_field("department-review-end", "department_review_end", "主管部门审核截止", &datetime_local(settings.department_review_end), errors_of))
                (datetime_field("expert-review-start", "expert_review_start", "专家评审开始", &datetime_local(settings.expert_review_start), errors_of))
                (datetime_field("expert-review-end", "expert_review_end", "专家评审截止", &datetime_local(settings.expert_review_end), errors_of))
            }
            h3 { "填报与审核" }
            div.grid {
                (number("max-achievements", "max_achievements", "教科研成果数量上限", settings.max_achievements))
                (number("experts-per-submission", "experts_per_submission", "每份申报的评审专家数", settings.experts_per_submission))
            }
            div.field {
                (checkbox("department-review", "department_review", "1", "需要主管部门审核（学校审核始终需要）", settings.department_review))
                (field_error("department-review", errors_of.get("department_review")))
                (checkbox("blind-review", "blind_review", "1", "盲评（专家看不到申报人姓名、身份证号、学校和主管部门）", settings.blind_review))
                (field_error("blind-review", errors_of.get("blind_review")))
                (checkbox("recuse-department", "recuse_department", "1", "回避同一主管部门的专家（本校专家始终回避）", settings.recuse_department))
                (field_error("recuse-department", errors_of.get("recuse_department")))
            }
            div.columns {
                (textarea("subjects", "subjects", "申报学科", &settings.subjects, errors_of))
                (textarea("title-names", "title_names", "现专技职务", &settings.title_names, errors_of))
                (textarea("grades", "grades", "鉴定等级（由高到低）", &settings.grades, errors_of))
            }
            button.primary type="submit" { "保存设置" }
        }
    }
}

fn settings_page(
    signed: &Signed,
    id: u64,
    edited: Option<&ProjectSettings>,
    errors_of: &FieldErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let loaded = services.project_usage(actor, id).and_then(|usage| Ok((services.get_project(actor, id)?, usage)));
    match loaded {
        Ok((project, usage)) => {
            let settings = edited.cloned().unwrap_or_else(|| ProjectSettings::of(&project));
            let body = settings_body(signed, &project, &settings, &usage, errors_of, notice);
            (status, layout::page(&signed.ctx, "鉴定项目", "/admin/projects", body)).into_response()
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[handler]
pub fn edit(signed: Signed, Path(id): Path<u64>, Query(query): Query<NoticeQuery>) -> Response {
    settings_page(&signed, id, None, &FieldErrors::new(), notice_text(&query.notice), StatusCode::OK)
}

fn settings_of(fields: &Fields, errors_of: &mut FieldErrors) -> ProjectSettings {
    let count = |name: &str, errors_of: &mut FieldErrors| -> usize {
        fields.get(name).parse().unwrap_or_else(|_| {
            errors_of.add(name, "请填写正整数");
            0
        })
    };
    ProjectSettings {
        name: fields.get("name").to_string(),
        year: year_of(fields, "year", "year", errors_of),
        school_types: fields.all("school_types").iter().filter_map(|code| SchoolType::from_code(code)).collect(),
        filing_start: time_of(fields, "filing_start", errors_of),
        filing_end: time_of(fields, "filing_end", errors_of),
        school_review_end: time_of(fields, "school_review_end", errors_of),
        department_review_end: time_of(fields, "department_review_end", errors_of),
        expert_review_start: time_of(fields, "expert_review_start", errors_of),
        expert_review_end: time_of(fields, "expert_review_end", errors_of),
        max_achievements: count("max_achievements", errors_of),
        department_review: fields.has("department_review"),
        subjects: lines(fields.get("subjects")),
        title_names: lines(fields.get("title_names")),
        grades: lines(fields.get("grades")),
        experts_per_submission: count("experts_per_submission", errors_of),
        blind_review: fields.has("blind_review"),
        recuse_department: fields.has("recuse_department"),
    }
}

#[handler]
pub fn update(signed: Signed, Path(id): Path<u64>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let fields = Fields(pairs);
    if let Err(error) = signed.ctx.check_csrf(fields.get("csrf")) {
        return error.into_response();
    }
    if let Err(error) = signed.services().project_usage(signed.actor(), id) {
        return errors::page(&signed.ctx, &error);
    }
    let mut errors_of = FieldErrors::new();
    let settings = settings_of(&fields, &mut errors_of);
    let result = if errors_of.is_empty() {
        signed.services().update_project(signed.actor(), id, &settings)
    } else {
        Err(ServiceError::Invalid(errors_of))
    };
    match result {
        Ok(_) => redirect_with_notice(&format!("/admin/projects/{id}"), "saved"),
        Err(ServiceError::Invalid(errors_of)) => {
            settings_page(&signed, id, Some(&settings), &errors_of, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
