//! Service errors → pages. The only place that decides which status and Chinese message a page error gets.

use maud::html;
use poem::http::StatusCode;
use poem::web::Redirect;
use poem::{IntoResponse, Response};

use super::ctx::Ctx;
use super::layout;
use crate::service::{ServiceError, Services};

/// The status a service error answers with.
pub fn status_of(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Login { .. } => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::PasswordChangeRequired => StatusCode::FORBIDDEN,
        ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        ServiceError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ServiceError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
    }
}

/// A full error page for `error`.
pub fn page(ctx: &Ctx, error: &ServiceError) -> Response {
    match error {
        ServiceError::Unauthenticated => return Redirect::see_other("/login").into_response(),
        ServiceError::PasswordChangeRequired => return Redirect::see_other("/password").into_response(),
        ServiceError::Store(_) | ServiceError::Internal(_) => tracing::error!(error = %error, "request failed"),
        _ => {}
    }
    let status = status_of(error);
    let message = match error {
        ServiceError::Store(_) | ServiceError::Internal(_) => {
            "系统繁忙，请稍后再试。如多次出现，请联系管理员。".to_string()
        }
        ServiceError::Invalid(errors) => errors.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    };
    let body = html! {
        section.card {
            h1 { (title_of(status)) }
            (layout::notice("error", &message))
            p { a.button href="/" { "返回首页" } }
        }
    };
    ctx.finish((status, layout::page(ctx, title_of(status), "", body)))
}

fn title_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::FORBIDDEN => "无权限",
        StatusCode::TOO_MANY_REQUESTS => "操作过于频繁",
        StatusCode::UNPROCESSABLE_ENTITY => "信息有误",
        StatusCode::CONFLICT => "无法完成",
        StatusCode::PAYLOAD_TOO_LARGE => "文件过大",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "文件类型不支持",
        StatusCode::INSUFFICIENT_STORAGE => "存储空间不足",
        _ => "出错了",
    }
}

/// Errors raised while building the context (before a `Ctx` exists).
pub fn service_error_to_poem(_services: &Services, error: ServiceError) -> poem::Error {
    tracing::error!(error = %error, "could not resolve the session");
    poem::Error::from_response((StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙，请稍后再试").into_response())
}

/// The answer to a form whose CSRF token is missing or wrong.
pub fn csrf_refused(ctx: &Ctx) -> poem::Error {
    let body = html! {
        section.card {
            h1 { "页面已过期" }
            (layout::notice("error", "页面已过期或来源不明，请刷新页面后重新提交。"))
            p { a.button href="/" { "返回首页" } }
        }
    };
    poem::Error::from_response((StatusCode::FORBIDDEN, layout::page(ctx, "页面已过期", "", body)).into_response())
}

/// The page of a request whose handler panicked (see `app::panic`). Built without the request, the session or
/// the services: whatever broke may be among them.
pub fn internal_page() -> Response {
    let body = html! {
        (maud::DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "系统出错了" }
                link rel="stylesheet" href=(super::assets::url("site.css"));
            }
            body {
                main #main {
                    section.card {
                        h1 { "系统出错了" }
                        (layout::notice("error", "系统处理该请求时出错，已记录。请稍后再试；如多次出现，请联系管理员。已保存的内容不受影响。"))
                        p { a.button href="/" { "返回首页" } }
                    }
                }
            }
        }
    };
    (StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
}
