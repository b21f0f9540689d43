//! The OpenAPI for integrators (SPEC §10) at `/api/v1`, documented at `/api/openapi.json` with Swagger UI at
//! `/api/docs`. Handlers are adapters over the same service functions as the pages.

pub mod admin_orgs;
pub mod admin_projects;
pub mod admin_teachers;
pub mod appraisal;
pub mod auth;
pub mod enums;
pub mod errors;
mod json_limit;
mod json_types;
pub mod models;
pub mod models_admin;
pub mod models_appraisal;
pub mod models_notices;
pub mod models_printing;
pub mod models_projects;
pub mod models_review;
pub mod notices;
pub mod printing;
pub mod review;
pub mod routing;
pub mod same_origin;

use std::sync::Arc;

use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Route};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, OpenApiService, Tags};

use auth::Auth;
use errors::ApiError;
use models::*;

use crate::domain::account::Role;
use crate::service::{ServiceError, Services};

pub type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Tags)]
pub(crate) enum Tag {
    /// The signed-in account.
    Account,
    /// Departments and schools.
    Organisations,
    /// Teacher accounts.
    Teachers,
    /// Admin accounts; disabling and enabling accounts.
    Accounts,
    /// Expert accounts.
    Experts,
    /// Appraisal projects and their catalogue.
    Projects,
    /// The hash-chained audit log.
    Audit,
}

pub struct Api;

/// A service error as a complete JSON response (for the authentication checkers).
pub fn respond_error(error: ServiceError) -> poem::Response {
    ApiError::from(error).into_response()
}

#[OpenApi]
impl Api {
    /// The account behind the credentials.
    #[oai(path = "/me", method = "get", tag = "Tag::Account")]
    async fn me(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Me> {
        let actor = auth.actor();
        let account = services.get_account(actor, actor.account_id)?;
        Ok(Json(Me::from(&account, actor.department_id)))
    }

    /// Departments in the caller's scope.
    #[oai(path = "/departments", method = "get", tag = "Tag::Organisations")]
    async fn departments(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<DepartmentOut>> {
        let list = services.list_departments(auth.actor())?;
        Ok(Json(list.into_iter().map(DepartmentOut::from).collect()))
    }

    /// Creates a department (city admin).
    #[oai(path = "/departments", method = "post", tag = "Tag::Organisations")]
    async fn create_department(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<DepartmentIn>,
    ) -> ApiResult<DepartmentOut> {
        Ok(Json(services.create_department(auth.actor(), &body.name)?.into()))
    }

    /// Schools in the caller's scope, optionally of one department.
    #[oai(path = "/schools", method = "get", tag = "Tag::Organisations")]
    async fn schools(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        department_id: Query<Option<u64>>,
    ) -> ApiResult<Vec<SchoolOut>> {
        let list = services.list_schools(auth.actor(), department_id.0)?;
        Ok(Json(list.into_iter().map(SchoolOut::from).collect()))
    }

    /// Creates a school (city admin).
    #[oai(path = "/schools", method = "post", tag = "Tag::Organisations")]
    async fn create_school(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<SchoolIn>,
    ) -> ApiResult<SchoolOut> {
        Ok(Json(services.create_school(auth.actor(), body.department_id, &body.name, body.school_type.into())?.into()))
    }

    /// The teachers of a school the caller administers.
    #[oai(path = "/schools/:id/teachers", method = "get", tag = "Tag::Teachers")]
    async fn school_teachers(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<Vec<TeacherOut>> {
        let list = services.list_accounts_of_school(auth.actor(), id.0, Role::Teacher)?;
        Ok(Json(list.iter().map(|account| TeacherOut::new(account, services.clock.now())).collect()))
    }

    /// Resets an account's password to `00000000`, unfreezes it and ends its sessions.
    #[oai(path = "/accounts/:id/reset-password", method = "post", tag = "Tag::Teachers")]
    async fn reset_password(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.reset_password(auth.actor(), id.0)?;
        Ok(Json(Done { ok: true }))
    }
}

/// `/api`: the v1 operations, the document and the Swagger UI.
pub fn routes() -> impl Endpoint {
    let apis = (
        (Api, admin_orgs::OrgApi, admin_teachers::TeacherApi, admin_projects::ProjectApi),
        (notices::NoticesApi, printing::PrintingApi, review::ReviewApi, appraisal::AppraisalApi),
    );
    let apis = routing::Labelled { api: apis, prefix: "/api/v1" };
    let service = OpenApiService::new(apis, "zhiping 职评 API", env!("CARGO_PKG_VERSION"))
        .description("中职、技工学校教师高级职务教科研成果鉴定平台的集成接口。认证：在管理控制台创建的 Bearer 令牌，或浏览器会话。错误统一为 JSON {code, message, fields}。")
        .server("/api/v1");
    let spec = bounded_integers(&service.spec());
    let allowed = Arc::new(AllowedMethods::of(&spec));
    let schemas = Arc::new(json_types::BodySchemas::of(&spec));
    let docs = service.swagger_ui();
    // Around every operation: JSON bodies are read capped and their JSON types checked against the document before
    // the operation parses them, and a 405 says Allow.
    let v1 = service.into_endpoint().catch_all_error(|error| async move { errors::poem_error_to_json(error) }).around(
        move |next, request| {
            let allowed = allowed.clone();
            let schemas = schemas.clone();
            async move {
                let mistyped = |request: &poem::Request, bytes: &[u8]| {
                    schemas.mismatch(request.method().as_str(), request.uri().path(), bytes)
                };
                let request = match json_limit::read_capped(request, mistyped).await {
                    Ok(request) => request,
                    Err(refused) => return Ok(refused),
                };
                let path = request.uri().path().to_string();
                let slot = request.data::<crate::obs::RouteSlot>().cloned();
                let mut response = next.call(request).await?.into_response();
                if response.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
                    && let Some((pattern, methods)) = allowed.of_path(&path)
                {
                    // The operations label their own requests; a refused method reaches none of them.
                    if let Some(slot) = slot {
                        slot.record(&format!("/api/v1{pattern}").into());
                    }
                    if let Ok(value) = poem::http::HeaderValue::from_str(&methods) {
                        response.headers_mut().insert(poem::http::header::ALLOW, value);
                    }
                }
                Ok(response)
            }
        },
    );
    let document = poem::get(poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(spec.clone())
    }));
    Route::new()
        .nest("/v1", v1)
        .at("/openapi.json", crate::obs::routed("/api/openapi.json", document))
        .nest("/docs", crate::obs::routed("/api/docs", docs))
}

/// The methods of every documented path, for the `Allow` header of a 405 answer (RFC 9110).
struct AllowedMethods(Vec<(Vec<String>, String)>);

impl AllowedMethods {
    fn of(spec: &str) -> Self {
        let document: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        Self(
            paths
                .into_iter()
                .map(|(path, operations)| {
                    let segments = path.trim_matches('/').split('/').map(str::to_string).collect();
                    let methods: Vec<String> = operations
                        .as_object()
                        .map(|operations| operations.keys().map(|method| method.to_ascii_uppercase()).collect())
                        .unwrap_or_default();
                    (segments, methods.join(", "))
                })
                .collect(),
        )
    }

    /// The documented pattern `path` (within `/api/v1`) matches, in the router's notation (`/teachers/:id`), and
    /// its methods; `{param}` matches any segment.
    fn of_path(&self, path: &str) -> Option<(String, String)> {
        let path = path.split_once("/api/v1").map_or(path, |(_, rest)| rest);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        // The most literal pattern wins, as in the router: `/teachers/project` before `/teachers/{id}`.
        self.0
            .iter()
            .filter(|(pattern, _)| {
                pattern.len() == segments.len()
                    && pattern.iter().zip(&segments).all(|(want, got)| want.starts_with('{') || want == got)
            })
            .max_by_key(|(pattern, _)| pattern.iter().filter(|segment| !segment.starts_with('{')).count())
            .map(|(pattern, methods)| {
                let route: String = pattern
                    .iter()
                    .map(|segment| match segment.strip_prefix('{').and_then(|name| name.strip_suffix('}')) {
                        Some(name) => format!("/:{name}"),
                        None => format!("/{segment}"),
                    })
                    .collect();
                (route, methods.clone())
            })
    }
}

/// The document with the range of every integer spelled out: poem-openapi names the format (`uint64`, `int32`…)
/// but not its bounds, so a client (or a fuzzer) would take `-1` for a valid id, which the server refuses with 400.
fn bounded_integers(spec: &str) -> String {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|ty| ty.as_str()) == Some("integer") {
                    let bounds: Option<(serde_json::Value, serde_json::Value)> =
                        match map.get("format").and_then(|format| format.as_str()) {
                            Some("uint64") => Some((0.into(), u64::MAX.into())),
                            Some("uint32") => Some((0.into(), u32::MAX.into())),
                            Some("uint16") => Some((0.into(), u16::MAX.into())),
                            Some("uint8") => Some((0.into(), u8::MAX.into())),
                            Some("int64") => Some((i64::MIN.into(), i64::MAX.into())),
                            Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
                            _ => None,
                        };
                    if let Some((minimum, maximum)) = bounds {
                        map.entry("minimum").or_insert(minimum);
                        map.entry("maximum").or_insert(maximum);
                    }
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(spec) {
        Ok(mut document) => {
            walk(&mut document);
            serde_json::to_string(&document).unwrap_or_else(|_| spec.to_string())
        }
        Err(_) => spec.to_string(),
    }
}
