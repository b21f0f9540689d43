//! 修改密码: forced on first sign-in and after a reset (every page redirects here), and available from the header.
//! Success shows 密码修改成功 with a 关闭 button that goes to 首页.

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Form, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::domain::FieldErrors;
use crate::domain::password::RULE_TEXT;
use crate::service::ServiceError;
use crate::web::ctx::Ctx;
use crate::web::layout::{described_by, field_error};
use crate::web::{errors, layout};

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    csrf: String,
}

fn form_page(ctx: &Ctx, errors: &FieldErrors) -> Markup {
    let forced =
        ctx.user.as_ref().is_some_and(|user| user.account.must_change_password || user.account.password_hash.is_none());
    let field = |id: &str, label: &str, autocomplete: &str| {
        let message = errors.get(id);
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) }
                input id=(id) name=(id) type="password" autocomplete=(autocomplete) required
                    aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)];
                (field_error(id, message))
            }
        }
    };
    let body = html! {
        section.card.narrow {
            h1 { "修改密码" }
            @if forced {
                (layout::notice("info", "首次登录或密码被重置后，请先修改默认密码。"))
            }
            form method="post" action="/password" novalidate {
                input type="hidden" name="csrf" value=(ctx.csrf());
                (field("current", "原密码", "current-password"))
                (field("new_password", "新密码", "new-password"))
                (field("confirm", "确认新密码", "new-password"))
                p.hint { (RULE_TEXT) }
                button.primary type="submit" { "确定" }
            }
        }
    };
    layout::page(ctx, "修改密码", "", body)
}

#[handler]
pub fn show(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return Redirect::see_other("/login").into_response();
    }
    ctx.finish(form_page(&ctx, &FieldErrors::new()))
}

#[handler]
pub async fn submit(ctx: Ctx, Form(form): Form<PasswordForm>) -> Response {
    let Some(user) = &ctx.user else {
        return Redirect::see_other("/login").into_response();
    };
    if let Err(error) = ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    let result = ctx
        .services
        .change_password(&user.actor, &form.current, &form.new_password, &form.confirm, Some(&user.token))
        .await;
    match result {
        Ok(()) => {
            let body = html! {
                div.dialog role="dialog" aria-modal="true" aria-labelledby="done-title" {
                    h1 #done-title { "提示" }
                    p.success { "密码修改成功" }
                    a.button.primary href="/" autofocus { "关闭" }
                }
            };
            layout::page(&ctx, "密码修改成功", "", body).into_response()
        }
        Err(ServiceError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, form_page(&ctx, &errors)).into_response()
        }
        Err(error) => errors::page(&ctx, &error),
    }
}
