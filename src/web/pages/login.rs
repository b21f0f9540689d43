//! 登录 (the manual's 1. 登录) and 退出.

use maud::{Markup, html};
use poem::http::{StatusCode, header};
use poem::web::{Form, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::service::ServiceError;
use crate::web::ctx::{Ctx, SESSION_COOKIE};
use crate::web::{errors, layout};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

fn login_page(ctx: &Ctx, username: &str, message: Option<(&str, &str)>) -> Markup {
    let body = html! {
        section.login-card {
            h1 { "用户登录" }
            @if let Some((kind, text)) = message {
                @if kind == "frozen" {
                    div.notice.error role="alert" {
                        // The heading is the manual's title; the service's sentence starts with it too.
                        strong { "连续输错提示" }
                        p { (text.strip_prefix("连续输错提示：").unwrap_or(text)) }
                    }
                } @else {
                    (layout::notice(kind, text))
                }
            }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                div.field {
                    label for="username" { "用户名" }
                    input #username name="username" type="text" value=(username) autocomplete="username"
                        placeholder="教师请输入身份证号" required autofocus;
                }
                div.field {
                    label for="password" { "密码" }
                    input #password name="password" type="password" autocomplete="current-password" required;
                }
                button.primary type="submit" { "登录" }
            }
            p.hint { "教师的账号由所在学校管理员开通，用户名为身份证号，默认密码为 00000000。若忘记密码，请联系所在学校的管理员重置。" }
            p { a.button.secondary href="/browser" { "浏览器使用说明" } }
        }
    };
    layout::page(ctx, "登录", "", body)
}

#[handler]
pub fn show(ctx: Ctx) -> Response {
    if ctx.user.is_some() {
        return Redirect::see_other("/").into_response();
    }
    ctx.finish(login_page(&ctx, "", None))
}

#[handler]
pub async fn submit(ctx: Ctx, Form(form): Form<LoginForm>) -> Response {
    if let Err(error) = ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match ctx.services.login(&form.username, &form.password, &ctx.address).await {
        Ok(signed_in) => {
            let target = if signed_in.must_change_password { "/password" } else { "/" };
            let mut response = Redirect::see_other(target).into_response();
            if let Ok(value) = ctx.cookie(SESSION_COOKIE, &signed_in.token, None).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(ServiceError::Login { kind, message }) => {
            let kind = if kind == crate::service::LoginFailure::Frozen { "frozen" } else { "error" };
            ctx.finish((StatusCode::UNAUTHORIZED, login_page(&ctx, &form.username, Some((kind, &message)))))
        }
        Err(ServiceError::Throttled) => ctx.finish((
            StatusCode::TOO_MANY_REQUESTS,
            login_page(&ctx, &form.username, Some(("error", "登录尝试过于频繁，请一分钟后再试"))),
        )),
        Err(error) => errors::page(&ctx, &error),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[handler]
pub fn logout(ctx: Ctx, Form(form): Form<CsrfOnly>) -> Response {
    let Some(user) = &ctx.user else {
        return Redirect::see_other("/login").into_response();
    };
    if let Err(error) = ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    if let Err(error) = ctx.services.logout(&user.token) {
        return errors::page(&ctx, &error);
    }
    let mut response = Redirect::see_other("/login").into_response();
    if let Ok(value) = ctx.cookie(SESSION_COOKIE, "", Some(0)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
