//! 填报进度: per school, how many teachers stand at each step (未选择项目, 未填报, 暂存, 待学校审核, 退回, …), with a
//! total line and links into the filtered teacher lists; filters by department and project; Excel export.

use maud::html;
use poem::web::Query;
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::admin_teachers::xlsx_response;
use crate::domain::account::Role;
use crate::domain::progress::{Progress, ProgressCounts};
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ProgressQuery {
    department_id: Option<u64>,
    project_id: Option<u64>,
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ProgressQuery>) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let data = services.progress_overview(actor, query.department_id, None, query.project_id).and_then(|lines| {
        let departments = if actor.is(Role::CityAdmin) { services.list_departments(actor)? } else { Vec::new() };
        Ok((lines, departments, services.list_projects(actor)?))
    });
    let (lines, departments, projects) = match data {
        Ok(data) => data,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let mut total = ProgressCounts::default();
    for line in &lines {
        total.merge(&line.counts);
    }
    let suffix = query.project_id.map(|id| format!("&project_id={id}")).unwrap_or_default();
    let export = format!(
        "/admin/progress/export.xlsx?{}{}",
        query.department_id.map(|id| format!("department_id={id}")).unwrap_or_default(),
        suffix
    );
    let body = html! {
        (layout::breadcrumb(&["填报进度"]))
        section.card {
            h2 { "填报进度" span.count { (lines.len()) "所学校，教师" (total.teachers) "人" } }
            form.grid.filters method="get" action="/admin/progress" {
                @if actor.is(Role::CityAdmin) {
                    div.field {
                        label for="progress-department" { "主管部门" }
                        select #progress-department name="department_id" {
                            option value="" { "全部" }
                            @for department in &departments { option value=(department.id) selected[query.department_id == Some(department.id)] { (department.name) } }
                        }
                    }
                }
                div.field {
                    label for="progress-project" { "鉴定项目" }
                    select #progress-project name="project_id" {
                        option value="" { "全部（按各教师所选项目）" }
                        @for project in &projects { option value=(project.id) selected[query.project_id == Some(project.id)] { (project.name) } }
                    }
                }
                div.field { button.primary type="submit" { "查询" } }
            }
            p { a.button href=(export) { "导出 Excel" } }
            div.table-wrap {
                table.data.progress {
                    thead {
                        tr {
                            th { "主管部门" } th { "学校" } th { "教师数" }
                            @for progress in Progress::ALL { th { (progress.label()) } }
                        }
                    }
                    tbody {
                        @for line in &lines {
                            tr {
                                td { (line.department_name) }
                                td { a href=(format!("/admin/teachers?school_id={}", line.school.id)) { (line.school.name) } }
                                td { (line.counts.teachers) }
                                @for progress in Progress::ALL {
                                    td {
                                        @let count = line.counts.get(progress);
                                        @if count > 0 {
                                            a href=(format!("/admin/teachers?school_id={}&progress={}{}", line.school.id, progress.code(), suffix)) { (count) }
                                        } @else { "0" }
                                    }
                                }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th colspan="2" { "合计" }
                            th { (total.teachers) }
                            @for progress in Progress::ALL { th { (total.get(progress)) } }
                        }
                    }
                }
            }
        }
    };
    layout::page(&signed.ctx, "填报进度", "/admin/progress", body).into_response()
}

#[handler]
pub fn export_xlsx(signed: Signed, Query(query): Query<ProgressQuery>) -> Response {
    match signed.services().export_progress(signed.actor(), query.department_id, query.project_id) {
        Ok(bytes) => xlsx_response(bytes, "填报进度.xlsx"),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
