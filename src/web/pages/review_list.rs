//! 学校审核 / 主管部门审核 / 成果受理 lists (SPEC §6): the admin's submissions by state with counts, filters and a
//! name search, paged; for the city also the batch actions (全部受理, 自动分配专家, 公布等级) and the export.

use chrono::{DateTime, Utc};
use maud::{Markup, html};
use poem::web::{Form, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::review_done::{self, Done, DoneQuery};
use crate::clock;
use crate::domain::account::Role;
use crate::domain::project::Project;
use crate::domain::submission::SubmissionState;
use crate::service::ServiceError;
use crate::service::review::admin::{ListFilter, ListPage};
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    project_id: Option<u64>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    school_id: Option<u64>,
    #[serde(default)]
    page: Option<usize>,
}

#[derive(Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    project_id: u64,
}

/// The list's title for each admin level.
pub fn title_of(role: Role) -> &'static str {
    match role {
        Role::SchoolAdmin => "学校审核",
        Role::DepartmentAdmin => "主管部门审核",
        _ => "成果受理与评审",
    }
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ListQuery>, Query(done): Query<DoneQuery>) -> Response {
    match render(&signed, &query, review_done::notice(&done)) {
        Ok(body) => layout::page(&signed.ctx, title_of(signed.actor().role), "/review", body).into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn render(signed: &Signed, query: &ListQuery, notice: Option<Markup>) -> Result<Markup, ServiceError> {
    let services = signed.services();
    let actor = signed.actor();
    let projects = services.list_projects(actor)?;
    let project_id = query.project_id.or_else(|| projects.first().map(|project| project.id));
    let filter = ListFilter {
        project_id,
        state: SubmissionState::from_code(&query.state),
        school_id: query.school_id.filter(|id| *id > 0),
        query: query.q.clone(),
        page: query.page.unwrap_or(1),
        per_page: 0,
    };
    let list = services.list_submissions(actor, &filter)?;
    // Department and city admins can narrow the list to one school.
    let schools = if actor.is(Role::SchoolAdmin) { Vec::new() } else { services.list_schools(actor, None)? };
    let is_city = actor.is(Role::CityAdmin);
    let csrf = signed.ctx.csrf();
    let link = |state: &str, page: usize| {
        let mut url = format!("/review?project_id={}", project_id.unwrap_or(0));
        if !state.is_empty() {
            url.push_str(&format!("&state={state}"));
        }
        if let Some(school_id) = filter.school_id {
            url.push_str(&format!("&school_id={school_id}"));
        }
        if !query.q.trim().is_empty() {
            url.push_str(&format!(
                "&q={}",
                percent_encoding::utf8_percent_encode(query.q.trim(), percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        if page > 1 {
            url.push_str(&format!("&page={page}"));
        }
        url
    };
    Ok(html! {
        (layout::breadcrumb(&[title_of(actor.role)]))
        @if let Some(notice) = notice { (notice) }
        section.card {
            form.row method="get" action="/review" {
                div.field {
                    label for="project_id" { "鉴定项目" }
                    select id="project_id" name="project_id" {
                        @for project in &projects {
                            option value=(project.id) selected[Some(project.id) == project_id] { (project.name) }
                        }
                    }
                }
                input type="hidden" name="state" value=(query.state);
                @if !schools.is_empty() {
                    div.field {
                        label for="school_id" { "学校" }
                        select id="school_id" name="school_id" {
                            option value="" { "全部学校" }
                            @for school in &schools {
                                option value=(school.id) selected[Some(school.id) == filter.school_id] { (school.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="q" { "按姓名搜索" }
                    input id="q" name="q" type="search" value=(query.q) placeholder="输入教师姓名";
                }
                div.field { button type="submit" { "查询" } }
            }
            nav.state-filter aria-label="按状态筛选" {
                a href=(link("", 1)) aria-current=[query.state.is_empty().then_some("true")] {
                    "全部 " span.badge { (list.counts.iter().map(|(_, n)| n).sum::<usize>()) }
                }
                @for (state, count) in &list.counts {
                    a href=(link(state.code(), 1)) aria-current=[(query.state == state.code()).then_some("true")] {
                        (state.label()) " " span.badge { (count) }
                    }
                }
            }
        }
        @if let Some(project_id) = project_id {
            @if is_city {
                (city_actions(project_id, projects.iter().find(|project| project.id == project_id), services.clock.now(), &csrf))
            } @else {
                // Schools and departments follow their teachers' published results here (read-only).
                p.button-row {
                    a.button href=(format!("/review/results?project_id={project_id}")) { "鉴定结果" }
                    " "
                    a.button href=(format!("/review/results.xlsx?project_id={project_id}")) { "导出结果（Excel）" }
                }
            }
        }
        section.card {
            h2 { "鉴定成果列表" span.count { "共" (list.total) "条记录" } }
            (table(&list))
            (pager(&list, |page| link(&query.state, page)))
        }
    })
}

fn city_actions(project_id: u64, project: Option<&Project>, now: DateTime<Utc>, csrf: &str) -> Markup {
    // The window is a default: before it opens, the city may start experts on what has reached it.
    let window_ahead = project.filter(|project| now < project.expert_review_start);
    html! {
        section.card {
            h2 { "市级操作" }
            @if let Some(project) = window_ahead {
                p.hint {
                    "专家评审默认于 " (clock::minute(project.expert_review_start)) " 开始。"
                    "已进入市级受理或评审的成果可提前开始专家评审，分配的专家即可评审。"
                }
            }
            div.button-row {
                form.inline method="post" action="/review/accept-all" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="project_id" value=(project_id);
                    button type="submit" { "全部受理（匿名检查）" }
                }
                " "
                form.inline method="post" action="/review/auto-assign" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="project_id" value=(project_id);
                    button type="submit" { "自动分配专家" }
                }
                " "
                @if window_ahead.is_some() {
                    " "
                    form.inline method="post" action="/review/open-expert-review" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="project_id" value=(project_id);
                        button type="submit" { "提前开始专家评审" }
                    }
                }
                " "
                a.button href=(format!("/review/results?project_id={project_id}")) { "评审进度与结果" }
                " "
                a.button href=(format!("/review/results.xlsx?project_id={project_id}")) { "导出结果（Excel）" }
            }
        }
    }
}

fn table(list: &ListPage) -> Markup {
    html! {
        @if list.rows.is_empty() {
            p.empty { "暂无符合条件的鉴定成果" }
        } @else {
            div.table-wrap {
                table.data {
                    thead { tr { th { "编号" } th { "姓名" } th { "工作单位" } th { "申报学科" } th { "成果题目" } th { "提交时间" } th { "状态" } th { "操作" } } }
                    tbody {
                        @for row in &list.rows {
                            tr {
                                td { (row.summary.id) }
                                td { (row.teacher_name) }
                                td { (row.school_name) }
                                td { (row.summary.applied_subject) }
                                td { (row.summary.titles.join("；")) }
                                td { (row.summary.submitted_at.map(clock::minute).unwrap_or_default()) }
                                td {
                                    (row.summary.state.label())
                                    @if row.summary.versions > 1 { " " span.badge { "第" (row.summary.versions) "次提交" } }
                                    @if row.duplicate { " " span.badge.warn { "重复成果" } }
                                }
                                td { a href=(format!("/review/submissions/{}", row.summary.id)) { "查看" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn pager(list: &ListPage, link: impl Fn(usize) -> String) -> Markup {
    html! {
        @if list.pages() > 1 {
            nav.pager aria-label="分页" {
                @for page in 1..=list.pages() {
                    @if page == list.page { span aria-current="page" { (page) } } @else { a href=(link(page)) { (page) } }
                }
            }
        }
    }
}

/// Where a batch action lands: the project's list, with the outcome (post/redirect/get).
fn landing(project_id: u64, done: Done, counts: &[(&str, usize)], ids: &[u64]) -> Response {
    Redirect::see_other(review_done::landing(&format!("/review?project_id={project_id}"), done, counts, ids))
        .into_response()
}

/// 全部受理: the anonymisation gate over every waiting submission of the project (reads files: blocking pool).
#[handler]
pub async fn accept_all(signed: Signed, Form(form): Form<BatchForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let services = signed.ctx.services.clone();
    let actor = signed.actor().clone();
    let project_id = form.project_id;
    let outcome = tokio::task::spawn_blocking(move || services.accept_all(&actor, project_id))
        .await
        .unwrap_or_else(|error| Err(ServiceError::Internal(error.to_string())));
    match outcome {
        Ok((cleared, flagged)) => landing(project_id, Done::AcceptedAll, &[("n", cleared)], &flagged),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// 自动分配专家 for the project.
#[handler]
pub fn auto_assign(signed: Signed, Form(form): Form<BatchForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().auto_assign_experts(signed.actor(), form.project_id) {
        Ok(outcome) => {
            let unfilled: Vec<u64> = outcome.unfilled.iter().map(|(id, _)| *id).collect();
            let counts = [("n", outcome.submissions), ("m", outcome.assigned)];
            landing(form.project_id, Done::AutoAssigned, &counts, &unfilled)
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// 提前开始专家评审 for the project's submissions that reached the city.
#[handler]
pub fn open_expert_review(signed: Signed, Form(form): Form<BatchForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().open_expert_review_early(signed.actor(), form.project_id) {
        Ok(opened) => landing(form.project_id, Done::OpenedEarly, &[("n", opened)], &[]),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
