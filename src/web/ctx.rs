//! The request context of every page: the services, the client address, the signed-in user (if any) and the
//! CSRF token to put in forms. `Signed` is the same for pages that require a signed-in user whose password is
//! no longer the default one: it redirects to 登录 or to 修改密码 instead.

use std::sync::Arc;

use poem::http::header;
use poem::web::Redirect;
use poem::{FromRequest, IntoResponse, Request, RequestBody};

use crate::domain::account::Account;
use crate::service::sessions::Session;
use crate::service::{Actor, Services};

pub const SESSION_COOKIE: &str = "zp_session";
/// Double-submit CSRF cookie for forms shown before sign-in (the login form).
pub const ANON_CSRF_COOKIE: &str = "zp_csrf";

pub struct User {
    pub token: String,
    pub session: Session,
    pub actor: Actor,
    pub account: Account,
}

pub struct Ctx {
    pub services: Arc<Services>,
    pub address: String,
    pub user: Option<User>,
    anon_csrf: Option<String>,
    /// A fresh anonymous CSRF token to set as a cookie with this response.
    pub new_anon_csrf: Option<String>,
    /// The header's unread-message count when the page already read it (首页), so the header reads no more.
    pub unread_messages: Option<usize>,
}

impl Ctx {
    /// The token forms must carry: the session's when signed in, else the anonymous cookie's.
    pub fn csrf(&self) -> String {
        match &self.user {
            Some(user) => user.session.csrf.clone(),
            None => self.anon_csrf.clone().or_else(|| self.new_anon_csrf.clone()).unwrap_or_default(),
        }
    }

    /// Refuses a state-changing request whose form token does not match.
    pub fn check_csrf(&self, submitted: &str) -> poem::Result<()> {
        let expected = match &self.user {
            Some(user) => Some(user.session.csrf.as_str()),
            None => self.anon_csrf.as_deref(),
        };
        match expected {
            Some(expected) if !submitted.is_empty() && constant_eq(expected, submitted) => Ok(()),
            _ => Err(super::errors::csrf_refused(self)),
        }
    }

    /// `Set-Cookie` value for a cookie of this site.
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> String {
        let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(seconds) = max_age {
            cookie.push_str(&format!("; Max-Age={seconds}"));
        }
        if self.services.config.served_over_https() {
            cookie.push_str("; Secure");
        }
        cookie
    }

    /// Adds the anonymous CSRF cookie to a response when this request minted one.
    pub fn finish(&self, response: impl IntoResponse) -> poem::Response {
        let mut response = response.into_response();
        if let Some(token) = &self.new_anon_csrf
            && let Ok(value) = self.cookie(ANON_CSRF_COOKIE, token, None).parse()
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

fn constant_eq(left: &str, right: &str) -> bool {
    left.len() == right.len() && left.bytes().zip(right.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

pub fn cookie_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The client address (sign-in throttling, verification rate limit, audit). The socket peer, unless
/// `security.trust_forwarded_for` is on: then the **last** `X-Forwarded-For` entry, the address the reverse
/// proxy in front of us saw and appended (nginx `$proxy_add_x_forwarded_for` or `$remote_addr`). Earlier entries
/// come from the client and are never trusted, so a forged header cannot escape the per-address limits.
pub fn client_address(request: &Request, services: &Services) -> String {
    if services.config.security.trust_forwarded_for
        && let Some(hop) = last_forwarded_hop(request.headers())
    {
        return hop;
    }
    match request.remote_addr().as_socket_addr() {
        Some(address) => address.ip().to_string(),
        None => "unknown".into(),
    }
}

/// The last hop of the (last) `X-Forwarded-For` header, if it is an IP address.
fn last_forwarded_hop(headers: &poem::http::HeaderMap) -> Option<String> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    let hop = value.rsplit(',').next()?.trim();
    hop.parse::<std::net::IpAddr>().ok().map(|address| address.to_string())
}

impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let services = request
            .data::<Arc<Services>>()
            .cloned()
            .ok_or_else(|| poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))?;
        let address = client_address(request, &services);
        let user = match cookie_value(request, SESSION_COOKIE) {
            Some(token) if token.len() == 64 => services
                .resolve_session(&token, &address)
                .map_err(|error| super::errors::service_error_to_poem(&services, error))?
                .map(|(session, actor, account)| User { token, session, actor, account }),
            _ => None,
        };
        let anon_csrf = cookie_value(request, ANON_CSRF_COOKIE).filter(|token| token.len() == 64);
        let new_anon_csrf =
            if user.is_none() && anon_csrf.is_none() { Some(crate::service::sessions::random_token()) } else { None };
        Ok(Ctx { services, address, user, anon_csrf, new_anon_csrf, unread_messages: None })
    }
}

/// A page context whose user is signed in and has replaced the default password.
pub struct Signed {
    pub ctx: Ctx,
}

impl Signed {
    pub fn user(&self) -> &User {
        // `Signed` is only built with a user present.
        self.ctx.user.as_ref().expect("Signed always holds a user")
    }

    pub fn actor(&self) -> &Actor {
        &self.user().actor
    }

    pub fn services(&self) -> &Services {
        &self.ctx.services
    }
}

impl<'a> FromRequest<'a> for Signed {
    async fn from_request(request: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let ctx = Ctx::from_request(request, body).await?;
        match &ctx.user {
            None => Err(poem::Error::from_response(Redirect::see_other("/login").into_response())),
            Some(user) if user.account.must_change_password || user.account.password_hash.is_none() => {
                Err(poem::Error::from_response(Redirect::see_other("/password").into_response()))
            }
            Some(_) => Ok(Signed { ctx }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::last_forwarded_hop;

    fn hop(values: &[&str]) -> Option<String> {
        let mut headers = poem::http::HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        last_forwarded_hop(&headers)
    }

    #[test]
    fn the_hop_the_proxy_appended_counts() {
        assert_eq!(hop(&["203.0.113.7"]).as_deref(), Some("203.0.113.7"));
        assert_eq!(hop(&["1.1.1.1, 2.2.2.2,  10.0.0.9 "]).as_deref(), Some("10.0.0.9"));
        assert_eq!(hop(&["1.1.1.1", "10.0.0.9"]).as_deref(), Some("10.0.0.9"));
        assert_eq!(hop(&["2001:db8::1"]).as_deref(), Some("2001:db8::1"));
        assert_eq!(hop(&["10.0.0.1, not-an-address"]), None);
        assert_eq!(hop(&[]), None);
    }
}
