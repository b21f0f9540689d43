//! API authentication: a bearer token (integrators) or the page session cookie (the browser). Both resolve to the
//! same `Actor` the services check.

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};

use super::errors::poem_error_to_json;
use crate::service::{Actor, Services};
use crate::web::ctx::{SESSION_COOKIE, client_address};

/// A bearer token created in the console (`zp_…`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerToken(pub Actor);

/// The page session cookie. A call that changes anything must come from this site's pages (`Origin` or
/// `Referer`) or carry the session's CSRF token in `X-CSRF-Token`; else it is refused with `csrf_failed`.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "zp_session", key_in = "cookie", checker = "check_cookie")]
pub struct SessionCookie(pub Actor);

/// Either credential.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerToken),
    Cookie(SessionCookie),
}

impl Auth {
    pub fn actor(&self) -> &Actor {
        match self {
            Auth::Bearer(BearerToken(actor)) | Auth::Cookie(SessionCookie(actor)) => actor,
        }
    }
}

fn services(request: &Request) -> poem::Result<Arc<Services>> {
    request
        .data::<Arc<Services>>()
        .cloned()
        .ok_or_else(|| poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))
}

fn unauthenticated() -> poem::Error {
    poem::Error::from_response(poem_error_to_json(poem::Error::from_status(poem::http::StatusCode::UNAUTHORIZED)))
}

async fn check_bearer(request: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let services = services(request)?;
    let address = client_address(request, &services);
    match services.resolve_api_token(&bearer.token, &address) {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(unauthenticated()),
        Err(error) => Err(poem::Error::from_response(super::respond_error(error))),
    }
}

async fn check_cookie(request: &Request, key: ApiKey) -> poem::Result<Actor> {
    let services = services(request)?;
    let address = client_address(request, &services);
    let _ = SESSION_COOKIE;
    match services.resolve_session(&key.key, &address) {
        Ok(Some((session, actor, account))) => {
            if !same_site(request, &services, &session.csrf) {
                Err(poem::Error::from_response(super::errors::csrf_refused()))
            } else if account.must_change_password || account.password_hash.is_none() {
                Err(poem::Error::from_response(super::respond_error(
                    crate::service::ServiceError::PasswordChangeRequired,
                )))
            } else {
                Ok(actor)
            }
        }
        Ok(None) => Err(unauthenticated()),
        Err(error) => Err(poem::Error::from_response(super::respond_error(error))),
    }
}

/// Whether a cookie-authenticated call may proceed: a safe method, or proof that it comes from this site.
fn same_site(request: &Request, services: &Services, csrf: &str) -> bool {
    use super::same_origin::{carries_token, from_this_site, is_safe};
    if is_safe(request.method()) || carries_token(request.headers(), csrf) {
        return true;
    }
    let host = request
        .headers()
        .get(poem::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|authority| authority.as_str()));
    from_this_site(request.headers(), services.config.public_base(), host)
}
