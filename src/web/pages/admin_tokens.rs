//! 接口令牌 (SPEC §10): an admin creates a named bearer token (shown once), sees when each was last used, and
//! revokes it. The token carries the admin's own role and scope.

use maud::html;
use poem::http::StatusCode;
use poem::web::{Form, Path};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::clock;
use crate::service::ServiceError;
use crate::web::ctx::Signed;
use crate::web::layout::field_error;
use crate::web::{errors, layout};

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    csrf: String,
}

fn respond(
    signed: &Signed,
    status: StatusCode,
    shown_once: Option<&str>,
    notice: Option<&str>,
    name_error: Option<&str>,
) -> Response {
    let tokens = match signed.services().list_api_tokens(signed.actor()) {
        Ok(tokens) => tokens,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    let csrf = signed.ctx.csrf();
    let body = html! {
        (layout::breadcrumb(&["接口令牌"]))
        @if let Some(text) = notice { (layout::notice("success", text)) }
        @if let Some(token) = shown_once {
            div.notice.warn role="status" {
                strong { "新令牌（只显示这一次，请立即复制保存）：" }
                p { code.token { (token) } }
            }
        }
        section.card {
            h2 { "新建接口令牌" }
            p.hint { "令牌具有与您的账号相同的权限和数据范围，供人事系统、区级数据平台等调用 /api/v1 接口（Authorization: Bearer 令牌）。接口文档见 " a href="/api/docs/" { "/api/docs" } "。" }
            form.row method="post" action="/admin/tokens" {
                input type="hidden" name="csrf" value=(csrf);
                div.field {
                    label for="token-name" { "令牌名称" }
                    input #token-name name="name" type="text" placeholder="如：区人事系统";
                    (field_error("token-name", name_error))
                }
                button.primary type="submit" { "创建" }
            }
        }
        section.card {
            h2 { "我的令牌" }
            table.data {
                thead { tr { th { "序号" } th { "名称" } th { "创建时间" } th { "最近使用" } th { "状态" } th { "操作" } } }
                tbody {
                    @for (index, token) in tokens.iter().enumerate() {
                        tr {
                            td { (index + 1) }
                            td { (token.name) }
                            td { (clock::minute(token.created_at)) }
                            td { (token.last_used_at.map(clock::minute).unwrap_or_else(|| "从未使用".into())) }
                            td { @if token.revoked_at.is_some() { span.badge.danger { "已吊销" } } @else { span.badge.ok { "有效" } } }
                            td {
                                @if token.revoked_at.is_none() {
                                    form.inline method="post" action=(format!("/admin/tokens/{}/revoke", token.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button.small.danger type="submit" data-confirm="吊销后使用该令牌的系统将无法访问接口，确定吊销吗？" { "吊销" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.hint { "最近使用时间按分钟记录。" }
        }
    };
    (status, layout::page(&signed.ctx, "接口令牌", "/admin/tokens", body)).into_response()
}

fn admin_only(signed: &Signed) -> Result<(), Box<Response>> {
    if signed.actor().role.is_admin() {
        Ok(())
    } else {
        Err(Box::new(errors::page(&signed.ctx, &ServiceError::Forbidden("只有管理员可以管理接口令牌"))))
    }
}

#[handler]
pub fn show(signed: Signed) -> Response {
    if let Err(response) = admin_only(&signed) {
        return *response;
    }
    respond(&signed, StatusCode::OK, None, None, None)
}

#[handler]
pub fn create(signed: Signed, Form(form): Form<TokenForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().create_api_token(signed.actor(), &form.name) {
        Ok((_, token)) => respond(&signed, StatusCode::OK, Some(&token), None, None),
        Err(ServiceError::Invalid(errors_of)) => {
            respond(&signed, StatusCode::UNPROCESSABLE_ENTITY, None, None, errors_of.get("name"))
        }
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[handler]
pub fn revoke(signed: Signed, Path(id): Path<u64>, Form(form): Form<CsrfForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().revoke_api_token(signed.actor(), id) {
        Ok(()) => respond(&signed, StatusCode::OK, None, Some("令牌已吊销"), None),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}
