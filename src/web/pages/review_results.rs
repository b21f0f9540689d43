//! 评审进度与鉴定结果. The city sees each expert's progress, every reviewed submission with the experts' grades side
//! by side and the final grade, 公布等级 for all or a chosen batch, and the .xlsx export. School and department
//! admins see the same list read-only for their scope, with a grade only once it is published (the service
//! decides what each row shows).

use maud::html;
use poem::http::StatusCode;
use poem::http::header;
use poem::web::{Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::review_done::{self, Done, DoneQuery};
use crate::clock;
use crate::domain::account::Role;
use crate::domain::submission::SubmissionState;
use crate::service::ServiceError;
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct ProjectQuery {
    #[serde(default)]
    project_id: u64,
}

#[handler]
pub fn show(signed: Signed, Query(query): Query<ProjectQuery>, Query(done): Query<DoneQuery>) -> Response {
    render(&signed, query.project_id, StatusCode::OK, review_done::notice(&done))
}

fn render(signed: &Signed, project_id: u64, status: StatusCode, notice: Option<maud::Markup>) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let city = actor.is(Role::CityAdmin);
    let loaded = (|| -> Result<_, ServiceError> {
        let project = services.get_project(actor, project_id)?;
        let progress = if city { Some(services.expert_progress(actor, project_id)?) } else { None };
        Ok((project, progress, services.list_results(actor, project_id)?))
    })();
    let (project, progress, results) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let csrf = signed.ctx.csrf();
    let publishable =
        results.iter().filter(|row| row.state == SubmissionState::Reviewed && row.result.is_some()).count();
    let body = html! {
        (layout::breadcrumb(&["成果受理与评审", "评审进度与结果"]))
        @if let Some(notice) = notice { (notice) }
        section.card {
            h1 { (project.name) }
            @if let Some(progress) = &progress {
            h2 { "专家评审进度" }
            @if progress.is_empty() { p.empty { "尚未分配专家" } } @else {
                table.data {
                    thead { tr { th { "专家" } th { "已分配" } th { "已提交" } th { "未完成" } th { "已退出" } } }
                    tbody {
                        @for row in progress {
                            tr { td { (row.name) } td { (row.assigned) } td { (row.submitted) } td { (row.assigned - row.submitted) } td { (row.declined) } }
                        }
                    }
                }
            }
            }
        }
        section.card {
            h2 { "鉴定结果" span.count { "可公布 " (publishable) " 份" } }
            form method="post" action="/review/publish" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="project_id" value=(project_id);
                div.table-wrap {
                    table.data {
                        thead { tr { @if city { th { "选择" } } th { "编号" } th { "姓名" } th { "工作单位" } th { "申报学科" } @if city { th { "专家评审等级" } } th { "最终等级" } th { "状态" } } }
                        tbody {
                            @for row in &results {
                                tr {
                                    @if city { td {
                                        @if row.state == SubmissionState::Reviewed && row.result.is_some() {
                                            input type="checkbox" name="ids" value=(row.submission_id) id=(format!("pick-{}", row.submission_id));
                                            label.visually-hidden for=(format!("pick-{}", row.submission_id)) { "选择编号" (row.submission_id) }
                                        }
                                    } }
                                    td { a href=(format!("/review/submissions/{}", row.submission_id)) { (row.submission_id) } }
                                    td { (row.teacher_name) }
                                    td { (row.school_name) }
                                    td { (row.applied_subject) }
                                    @if city { td { (row.expert_grades.join(" / ")) } }
                                    td {
                                        @if let Some(result) = &row.result { (result.grade) }
                                        @if row.valid_this_year_only { " " span.badge.warn { "当年有效" } }
                                    }
                                    td {
                                        (row.state.label())
                                        @if let Some(at) = row.result.as_ref().and_then(|r| r.published_at) { " " (clock::minute(at)) }
                                    }
                                }
                            }
                        }
                    }
                }
                p {
                    @if city {
                        button type="submit" name="scope" value="selected" { "公布所选" }
                        " "
                        button.primary type="submit" name="scope" value="all" data-confirm="确定公布全部已确定最终等级的成果吗？" { "全部公布" }
                        " "
                    }
                    a.button href=(format!("/review/results.xlsx?project_id={project_id}")) { "导出结果（Excel）" }
                }
            }
        }
    };
    (status, layout::page(&signed.ctx, "评审进度与结果", "/review", body)).into_response()
}

/// 公布等级: all decided results of the project, or the chosen ones.
#[handler]
pub fn publish(signed: Signed, body: String) -> Response {
    // Repeated `ids` fields do not fit serde's form structs; parse the pairs directly.
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(&body);
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Err(error) = signed.ctx.check_csrf(&get("csrf")) {
        return error.into_response();
    }
    let project_id: u64 = get("project_id").parse().unwrap_or(0);
    let ids: Vec<u64> = pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
    let batch = if get("scope") == "all" { None } else { Some(ids.as_slice()) };
    if batch.is_some_and(<[u64]>::is_empty) {
        let notice = layout::notice("error", "请先选择要公布的成果");
        return render(&signed, project_id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice));
    }
    match signed.services().publish_results(signed.actor(), project_id, batch) {
        Ok(count) => {
            let path = format!("/review/results?project_id={project_id}");
            Redirect::see_other(review_done::landing(&path, Done::Published, &[("n", count)], &[])).into_response()
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

fn form_urlencoded_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&').filter_map(|pair| pair.split_once('=')).map(|(key, value)| (decode(key), decode(value))).collect()
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// The results as .xlsx.
#[handler]
pub fn export(signed: Signed, Query(query): Query<ProjectQuery>) -> Response {
    match signed.services().export_results_xlsx(signed.actor(), query.project_id) {
        Ok(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .header(header::CONTENT_DISPOSITION, crate::files::content_disposition(false, "鉴定结果.xlsx"))
            .body(bytes),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
