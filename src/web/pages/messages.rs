//! 消息提醒 for teachers (the manual's 2.3): the header link with the unread count, the page with its two
//! sections, the return notice that pops up on arrival at 首页 (an in-page notice; `app.js` turns it into a
//! modal), and the status card of 首页.

use maud::{Markup, html};
use poem::web::{Form, Path, Redirect};
use poem::{IntoResponse, Response, handler};

use super::home::status_steps;
use crate::clock;
use crate::domain::account::Role;
use crate::domain::home_steps::home_steps;
use crate::domain::review::Message;
use crate::service::review::messages::TeacherStatus;
use crate::web::ctx::{Ctx, Signed};
use crate::web::{errors, layout};

/// The header's 消息提醒 link with the unread count (teachers only; nothing for other roles).
pub fn header_link(ctx: &Ctx) -> Markup {
    let Some(user) = &ctx.user else { return html! {} };
    if user.account.role != Role::Teacher || user.account.must_change_password {
        return html! {};
    }
    let unread = match ctx.unread_messages {
        Some(unread) => unread,
        None => ctx.services.unread_messages(&user.actor).unwrap_or(0),
    };
    html! {
        a href="/messages" aria-label=(format!("消息提醒，{unread}条未读")) {
            "消息提醒"
            @if unread > 0 { " " span.badge-count { (unread) } }
        }
    }
}

#[handler]
pub fn show(signed: Signed) -> Response {
    let services = signed.services();
    let actor = signed.actor();
    let messages = match services.messages(actor) {
        Ok(messages) => messages,
        Err(error) => return errors::page(&signed.ctx, &error),
    };
    // Viewing marks them read; the list below still shows which were new on this visit.
    if let Err(error) = services.mark_messages_read(actor) {
        return errors::page(&signed.ctx, &error);
    }
    let body = html! {
        (layout::breadcrumb(&["消息提醒"]))
        section.card.messages {
            h2 { "成果鉴定消息提醒" }
            @if messages.is_empty() {
                p.empty { "暂无消息" }
            } @else {
                ul.message-list {
                    @for message in &messages {
                        li.unread[message.read_at.is_none()] {
                            strong.sender { (message.sender) }
                            @if message.read_at.is_none() { " " span.badge.warn { "新" } }
                            p { (clock::day(message.at)) " " (message.text) }
                        }
                    }
                }
            }
            h2 { "申报材料消息提醒" }
            p.empty { "暂无消息" }
            p { a.button href="/" { "返回" } }
        }
    };
    layout::page(&signed.ctx, "消息提醒", "", body).into_response()
}

/// The pop-up box of 首页 while a return is unread: the sender, date and reason with 查看 and 关闭. 关闭 is a
/// small form that marks this message read, so the box stays closed (`app.js` sends it without leaving 首页).
pub fn return_popup(message: Option<&Message>, csrf: &str) -> Markup {
    let Some(message) = message else { return html! {} };
    html! {
        section.popup #message-popup role="alertdialog" aria-labelledby="message-popup-title" aria-describedby="message-popup-text" {
            div.popup-box {
                h2 #message-popup-title { "消息提醒" }
                p #message-popup-text {
                    "您的教科研成果鉴定已被" (message.sender) "退回：" (clock::day(message.at)) " " (message.text.trim_end_matches('。')) "。"
                }
                div.popup-actions {
                    a.button.primary href="/messages" { "查看" }
                    form.inline.popup-close method="post" action=(format!("/messages/{}/read", message.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "关闭" }
                    }
                }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /messages/:id/read`: 关闭 on the pop-up marks that message read, then back to 首页.
#[handler]
pub fn mark_read(signed: Signed, Path(id): Path<u64>, Form(form): Form<ReadForm>) -> Response {
    if let Err(error) = signed.ctx.check_csrf(&form.csrf) {
        return error.into_response();
    }
    match signed.services().mark_message_read(signed.actor(), id) {
        Ok(()) => Redirect::see_other("/").into_response(),
        Err(error) => errors::page(&signed.ctx, &error),
    }
}

/// 我的教科研成果鉴定状态: the project, each step as it stands now, and the deadline line (the published grade
/// with 打印 is the printing module's card).
pub fn status_card(status: Option<&TeacherStatus>) -> Markup {
    html! {
        section.card.status-card {
            h2 { "我的教科研成果鉴定状态" }
            @match status {
                None => { (status_steps(&home_steps(None, None, true))) }
                Some(status) => {
                    p.project-name { (status.project_name) }
                    @if let Some(deadline) = &status.deadline { p.deadline { (deadline) } }
                    (status_steps(&status.steps))
                }
            }
        }
    }
}
