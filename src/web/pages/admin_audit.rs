//! 审计日志 (city admin): who did what, when, from where, to what — filterable by actor, action, target and date,
//! newest first, with the state of the hash chain.

use chrono::NaiveDate;
use maud::html;
use poem::web::Query;
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::service::audit_view::{AuditQuery, ChainState};
use crate::web::ctx::Signed;
use crate::web::widgets::pager;
use crate::web::{errors, layout};

#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: usize,
    #[serde(default)]
    per_page: usize,
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

#[handler]
pub fn show(signed: Signed, Query(form): Query<AuditForm>) -> Response {
    let query = AuditQuery {
        actor: form.actor.clone(),
        action: form.action.clone(),
        target: form.target.clone(),
        from: date(&form.from),
        to: date(&form.to),
        page: form.page,
        per_page: form.per_page,
    };
    let (paged, chain) = match signed.services().list_audit(signed.actor(), &query) {
        Ok(result) => result,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let pairs = [
        ("actor", form.actor.clone()),
        ("action", form.action.clone()),
        ("target", form.target.clone()),
        ("from", form.from.clone()),
        ("to", form.to.clone()),
    ];
    let body = html! {
        (layout::breadcrumb(&["审计日志"]))
        @match chain {
            ChainState::Intact(count) => { (layout::notice("success", &format!("哈希链校验通过：共 {count} 条记录，均未被修改或删除。"))) }
            ChainState::Broken(seq) => { (layout::notice("error", &format!("哈希链校验失败：第 {seq} 条记录与前一条不衔接，日志可能被篡改，请立即运行 zhiping check 并联系运维。"))) }
        }
        section.card {
            h2 { "审计日志" }
            form.grid.filters method="get" action="/admin/audit" {
                div.field { label for="audit-actor" { "操作人（姓名或账号编号）" } input #audit-actor name="actor" type="search" value=(form.actor); }
                div.field { label for="audit-action" { "操作（代码或前缀，如 teacher.）" } input #audit-action name="action" type="search" value=(form.action); }
                div.field { label for="audit-target" { "对象（如 account:42、school:）" } input #audit-target name="target" type="search" value=(form.target); }
                div.field { label for="audit-from" { "起始日期" } input #audit-from name="from" type="date" value=(form.from); }
                div.field { label for="audit-to" { "截止日期" } input #audit-to name="to" type="date" value=(form.to); }
                div.field { button.primary type="submit" { "查询" } }
            }
            div.table-wrap {
                table.data.audit {
                    thead { tr { th { "序号" } th { "时间" } th { "操作人" } th { "来源地址" } th { "操作" } th { "对象" } th { "详情" } } }
                    tbody {
                        @for entry in &paged.items {
                            tr {
                                td { (entry.seq) }
                                td { (clock::local(entry.at).format("%Y-%m-%d %H:%M:%S")) }
                                td { (entry.actor_name) }
                                td { (entry.address) }
                                td { code { (entry.action) } }
                                td { (entry.target) }
                                td { (entry.detail) }
                            }
                        }
                    }
                }
            }
            @if paged.items.is_empty() { p.empty { "没有符合条件的记录" } }
            (pager("/admin/audit", &pairs, &paged))
        }
    };
    layout::page(&signed.ctx, "审计日志", "/admin/audit", body).into_response()
}
