//! Service errors → JSON `{code, message, fields}` with the right status. The only place the API decides that.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::service::ServiceError;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldErrorBody {
    /// Stable field key, the same as the page form's input name.
    pub field: String,
    pub message: String,
}

/// Every error the API returns.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `invalid`, `account_frozen`.
    pub code: String,
    /// Chinese message to show to a person.
    pub message: String,
    /// Per-field messages for `invalid` (empty for every other code).
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing, unknown, expired or revoked credentials; or a refused sign-in.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Signed in, but not allowed (or the password must be changed first).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such record in the caller's scope.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// Clashes with the current state.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Validation failed; see `fields`.
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    /// Too many requests from this address.
    #[oai(status = 429)]
    TooMany(Json<ErrorBody>),
    /// A server-side failure (never caused by input).
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The upload exceeds its size limit.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The upload is not of an accepted kind (decided by content).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// The server's disk is (nearly) full: uploads and saves are refused until an operator frees space.
    #[oai(status = 507)]
    InsufficientStorage(Json<ErrorBody>),
}

pub fn body(code: &str, message: impl Into<String>) -> Json<ErrorBody> {
    Json(ErrorBody { code: code.into(), message: message.into(), fields: Vec::new() })
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(message) => ApiError::NotFound(body("not_found", message)),
            ServiceError::Forbidden(message) => ApiError::Forbidden(body("forbidden", message)),
            ServiceError::Unauthenticated => {
                ApiError::Unauthorized(body("unauthenticated", "请先登录或提供有效的接口令牌"))
            }
            ServiceError::Invalid(errors) => ApiError::Invalid(Json(ErrorBody {
                code: "invalid".into(),
                message: "提交的信息有误".into(),
                fields: errors.0.into_iter().map(|e| FieldErrorBody { field: e.field, message: e.message }).collect(),
            })),
            ServiceError::Conflict(message) => ApiError::Conflict(body("conflict", message)),
            ServiceError::Login { kind, message } => ApiError::Unauthorized(body(kind.code(), message)),
            ServiceError::Throttled => ApiError::TooMany(body("throttled", "操作过于频繁，请稍后再试")),
            ServiceError::PasswordChangeRequired => {
                ApiError::Forbidden(body("password_change_required", "请先修改默认密码"))
            }
            ServiceError::PayloadTooLarge(message) => ApiError::PayloadTooLarge(body("payload_too_large", message)),
            ServiceError::UnsupportedMediaType(message) => {
                ApiError::UnsupportedMediaType(body("unsupported_media_type", message))
            }
            ServiceError::InsufficientStorage(message) => {
                ApiError::InsufficientStorage(body("insufficient_storage", message))
            }
            error @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
                tracing::error!(error = %error, "api request failed");
                ApiError::Internal(body("internal", "系统繁忙，请稍后再试"))
            }
        }
    }
}

/// The answer to a request whose handler panicked (see `app::panic`): the usual error shape, code `internal`.
pub fn internal_response() -> poem::Response {
    use poem::IntoResponse;
    ApiError::Internal(body("internal", "系统繁忙，请稍后再试")).into_response()
}

/// The answer to a cookie-authenticated call that changes something and does not show it comes from this site
/// (see `api::same_origin`).
pub fn csrf_refused() -> poem::Response {
    use poem::IntoResponse;
    ApiError::Forbidden(body("csrf_failed", "请求来源无法确认：请在本站页面中操作，或使用接口令牌")).into_response()
}

/// A client error poem or poem-openapi raised, said in Chinese like the pages. Their own texts are English parser
/// output (serde's "expected value at line 1 column 1", "Type \"string\" expects an input value"); what matters
/// to a person is which part of the request is wrong. Types and missing fields of JSON bodies are named earlier,
/// by the body check against the document (`json_types`); what reaches here is the rest.
fn in_chinese(error: &poem::Error) -> String {
    use poem_openapi::error::ParseRequestPayloadError;
    use poem_openapi::error::{ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError};
    if let Some(error) = error.downcast_ref::<ParseParamError>() {
        return format!("请求格式错误：参数 {} 的值无效", error.name);
    }
    if let Some(error) = error.downcast_ref::<ParsePathError>() {
        return format!("请求格式错误：路径中的 {} 无效", error.name);
    }
    if let Some(error) = error.downcast_ref::<ParseRequestPayloadError>() {
        // serde_json reports syntax by line and column; poem-openapi's type messages quote its type names.
        return if error.reason.contains(" at line ") {
            "请求格式错误：请求体不是有效的 JSON".to_string()
        } else {
            "请求格式错误：请求体与接口文档不符，请核对字段及其取值".to_string()
        };
    }
    if error.downcast_ref::<ParseMultipartError>().is_some() {
        return "请求格式错误：上传内容不是有效的 multipart/form-data".to_string();
    }
    if let Some(error) = error.downcast_ref::<ContentTypeError>() {
        return match error {
            ContentTypeError::ExpectContentType => "请求缺少 Content-Type，请按接口文档设置".to_string(),
            ContentTypeError::NotSupported { .. } => "不支持该 Content-Type，请按接口文档设置".to_string(),
        };
    }
    match error.status().as_u16() {
        411 => "请求缺少 Content-Length".to_string(),
        413 => "请求内容过大".to_string(),
        415 => "不支持该 Content-Type，请按接口文档设置".to_string(),
        _ => "请求格式错误，请按接口文档核对".to_string(),
    }
}

/// Turns any poem error that escaped a handler (bad JSON, a path parameter that is not a number, a failed
/// authentication check) into the same JSON shape, keeping its 4xx status.
pub fn poem_error_to_json(error: poem::Error) -> poem::Response {
    use poem::IntoResponse;
    if error.is_from_response() {
        // Already a complete JSON answer (built by `respond_error` in an authentication checker).
        return error.into_response();
    }
    let status = error.status();
    let code = match status.as_u16() {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        411 | 413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        429 => "throttled",
        507 => "insufficient_storage",
        _ if status.is_server_error() => "internal",
        _ => "error",
    };
    let message = match status.as_u16() {
        401 => "请先登录或提供有效的接口令牌".to_string(),
        404 => "接口不存在".to_string(),
        405 => "不支持该请求方法".to_string(),
        _ if status.is_server_error() => {
            tracing::error!(error = %error, "api request failed");
            "系统繁忙，请稍后再试".to_string()
        }
        _ => in_chinese(&error),
    };
    let json = serde_json::json!({ "code": code, "message": message, "fields": [] });
    (status, poem::web::Json(json)).into_response()
}
