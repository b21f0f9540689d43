//! Printing pages (SPEC §7): the PDFs served inline — the teacher's 在线打印 (`/filing/print`), a registration
//! form or a published 鉴定意见 by submission, a school's bundle — plus the admin's 打印登记表 overview and the
//! teacher home page's 鉴定结果 / 往年鉴定结果打印 section. Who may print what is decided by `service::printing`.

use maud::{Markup, html};
use poem::http::header;
use poem::web::{Path, Query};
use poem::{Body, Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::files::content_disposition;
use crate::service::printing::PublishedResult;
use crate::web::ctx::Signed;
use crate::web::{errors, layout};

/// A PDF answer: shown inline by the browser, with the Chinese file name kept (RFC 5987), never cached (it holds
/// personal data).
pub fn pdf_response(file_name: &str, body: impl Into<Body>) -> Response {
    Response::builder()
        .content_type("application/pdf")
        .header(header::CONTENT_DISPOSITION, content_disposition(true, file_name))
        .header(header::CACHE_CONTROL, "private, no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(body)
}

/// 在线打印: the signed-in teacher's registration form (its working copy for the current project).
#[handler]
pub async fn own_registration(signed: Signed) -> Response {
    match signed.services().print_own_registration(signed.actor()).await {
        Ok(pdf) => pdf_response(&pdf.file_name, pdf.bytes),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// The registration form of one submission.
#[handler]
pub async fn registration(signed: Signed, Path(id): Path<u64>) -> Response {
    match signed.services().print_registration(signed.actor(), id).await {
        Ok(pdf) => pdf_response(&pdf.file_name, pdf.bytes),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// The published 鉴定意见 of one submission (the home page's 打印).
#[handler]
pub async fn opinion(signed: Signed, Path(id): Path<u64>) -> Response {
    match signed.services().print_opinion(signed.actor(), id).await {
        Ok(pdf) => pdf_response(&pdf.file_name, pdf.bytes),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[derive(Deserialize)]
pub struct Choice {
    #[serde(default)]
    school_id: Option<u64>,
    #[serde(default)]
    project_id: Option<u64>,
}

/// A school's bundle: every approved teacher's registration form, streamed.
#[handler]
pub async fn school_bundle(signed: Signed, Path(school_id): Path<u64>, Query(choice): Query<Choice>) -> Response {
    match signed.services().print_school_bundle(signed.actor(), school_id, choice.project_id).await {
        Ok(stream) => {
            let file_name = stream.file_name.clone();
            pdf_response(&file_name, Body::from_bytes_stream(stream.into_stream()))
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// 打印登记表: an admin chooses a school in scope and a project, prints one teacher's form or the school bundle.
#[handler]
pub fn admin_overview(signed: Signed, Query(choice): Query<Choice>) -> Response {
    let ctx = &signed.ctx;
    let overview = match signed.services().print_overview(signed.actor(), choice.school_id, choice.project_id) {
        Ok(overview) => overview,
        Err(error) => return errors::page(ctx, &error),
    };
    let project_query = overview.project.as_ref().map(|project| format!("?project_id={}", project.id));
    let bundle_size = overview.bundle_size();
    let body = html! {
        (layout::breadcrumb(&["打印登记表"]))
        section.card {
            h1 { "打印成果鉴定登记表" }
            form.row method="get" action="/admin/print" {
                @if overview.schools.len() > 1 {
                    div.field {
                        label for="print-school" { "学校" }
                        select #print-school name="school_id" {
                            @for school in &overview.schools {
                                option value=(school.id) selected[school.id == overview.school.id] { (school.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="print-project" { "鉴定项目" }
                    select #print-project name="project_id" {
                        @for project in &overview.projects {
                            option value=(project.id) selected[overview.project.as_ref().is_some_and(|chosen| chosen.id == project.id)] { (project.name) }
                        }
                    }
                }
                @if overview.schools.len() <= 1 {
                    input type="hidden" name="school_id" value=(overview.school.id);
                }
                button type="submit" { "查看" }
            }
        }
        section.card {
            h2 { (overview.school.name) span.count { "已提交 " (overview.rows.len()) " 人，已通过学校审核 " (bundle_size) " 人" } }
            @if bundle_size > 0 {
                p {
                    a.button.primary href=(format!("/print/school/{}{}", overview.school.id, project_query.clone().unwrap_or_default())) {
                        "打印全部已通过学校审核的登记表（" (bundle_size) "份）"
                    }
                }
                p.hint { "汇总为一个 PDF，每位教师一页，用于粘贴材料袋封面。" }
            }
            @if overview.rows.is_empty() {
                p.empty { "暂无已提交的成果鉴定登记表。" }
            } @else {
                div.table-wrap {
                    table.data {
                        thead { tr { th { "序号" } th { "姓名" } th { "状态" } th { "操作" } } }
                        tbody {
                            @for (index, row) in overview.rows.iter().enumerate() {
                                tr {
                                    td { (index + 1) }
                                    td { (row.teacher_name) }
                                    td { span.badge.ok[row.in_bundle] { (row.state.label()) } }
                                    td { a.button.small href=(format!("/print/registration/{}", row.submission_id)) { "打印" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    ctx.finish(layout::page(ctx, "打印登记表", "/admin/print", body))
}

/// The teacher home page's results: the current project's published grade with 打印, and 往年鉴定结果打印 (every
/// earlier project with a published result). Empty when there is none.
pub fn home_results(results: Vec<PublishedResult>) -> Markup {
    let (current, earlier): (Vec<_>, Vec<_>) = results.into_iter().partition(|result| result.current);
    html! {
        @for result in &current {
            section.card aria-labelledby="result-heading" {
                h2 #result-heading { "鉴定结果" }
                p { (result.project_name) }
                p {
                    "鉴定等级：" strong { (result.grade) }
                    @if result.valid_this_year_only { " " span.badge.warn { "当年有效" } }
                    span.count { "公布日期：" (clock::day(result.published_at)) }
                }
                p { a.button.primary href=(format!("/print/opinion/{}", result.submission_id)) { "打印" } }
            }
        }
        @if !earlier.is_empty() {
            section.card aria-labelledby="history-heading" {
                h2 #history-heading { "往年鉴定结果打印" }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "序号" } th { "申报项目" } th { "鉴定等级" } th { "公布日期" } th { "操作" } } }
                        tbody {
                            @for (index, result) in earlier.iter().enumerate() {
                                tr {
                                    td { (index + 1) }
                                    td { (result.project_name) }
                                    td {
                                        (result.grade)
                                        @if result.valid_this_year_only { " " span.badge.warn { "当年有效" } }
                                    }
                                    td { (clock::day(result.published_at)) }
                                    td { a.button.small href=(format!("/print/opinion/{}", result.submission_id)) { "打印" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
