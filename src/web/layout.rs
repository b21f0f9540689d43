//! The page frame of SPEC §4: header (site name, 欢迎 {姓名} 教师, 消息提醒, 修改密码, 退出), the navigation of the
//! role, the footer from config. Navigation entries appear only for modules that exist (no dead links).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assets;
use super::ctx::Ctx;
use crate::domain::account::Role;

/// A navigation entry: label and URL.
type NavItem = (&'static str, &'static str);

fn navigation(role: Role) -> Vec<NavItem> {
    let mut items = match role {
        Role::Teacher => vec![("首页", "/"), ("教科研成果鉴定", "/appraisal")],
        Role::Expert => vec![("首页", "/"), ("专家评审", "/expert")],
        Role::SchoolAdmin => vec![
            ("首页", "/"),
            ("用户管理", "/admin/teachers"),
            ("批量导入", "/admin/teachers/import"),
            ("填报进度", "/admin/progress"),
            ("学校审核", "/review"),
            ("接口令牌", "/admin/tokens"),
        ],
        Role::DepartmentAdmin => vec![
            ("首页", "/"),
            ("学校管理", "/admin/orgs"),
            ("教师管理", "/admin/teachers"),
            ("填报进度", "/admin/progress"),
            ("主管部门审核", "/review"),
            ("接口令牌", "/admin/tokens"),
        ],
        Role::CityAdmin => vec![
            ("首页", "/"),
            ("单位管理", "/admin/orgs"),
            ("教师管理", "/admin/teachers"),
            ("专家管理", "/admin/experts"),
            ("鉴定项目", "/admin/projects"),
            ("填报进度", "/admin/progress"),
            ("成果受理与评审", "/review"),
            ("通知管理", "/admin/notices"),
            ("审计日志", "/admin/audit"),
            ("接口令牌", "/admin/tokens"),
        ],
    };
    // 首页 · 通知公告 · 资料下载 · … as in the manual: right after 首页, for every role (notices addressed to
    // 全部用户 reach experts too).
    let at = items.len().min(1);
    items.splice(at..at, [("通知公告", "/notices"), ("资料下载", "/materials")]);
    if role.is_admin() {
        items.push(("打印登记表", "/admin/print"));
    }
    items
}

/// A whole page. `active` is the URL of the current navigation entry.
pub fn page(ctx: &Ctx, title: &str, active: &str, body: Markup) -> Markup {
    let config = &ctx.services.config;
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - " (config.site_name) }
                link rel="stylesheet" href=(assets::url("site.css"));
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    div.bar {
                        a.brand href="/" { (config.site_name) }
                        @if let Some(user) = &ctx.user {
                            div.account {
                                span.welcome { "欢迎 " strong { (user.account.name) } (greeting_suffix(&user.account.name, user.account.role)) }
                                (super::pages::messages::header_link(ctx))
                                a href="/password" { "修改密码" }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(ctx.csrf());
                                    button.link type="submit" { "退出" }
                                }
                            }
                        }
                    }
                    @if let Some(user) = &ctx.user {
                        @if !user.account.must_change_password && user.account.password_hash.is_some() {
                            nav.main aria-label="导航菜单" {
                                ul {
                                    @for (label, url) in navigation(user.account.role) {
                                        li { a href=(url) aria-current=[(url == active).then_some("page")] { (label) } }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer.site { p { (config.footer) } }
            }
        }
    }
}

/// The role word after the name (欢迎 刁彬彬 教师), left out when the name already ends with it: admin accounts
/// are often named after their office (欢迎 市级管理员, not 欢迎 市级管理员 管理员).
fn greeting_suffix(name: &str, role: Role) -> String {
    let suffix = role.greeting_suffix();
    if name.ends_with(suffix) { String::new() } else { format!(" {suffix}") }
}

/// `您的位置：a > b` line (a full-width colon, as everywhere in the manual).
pub fn breadcrumb(parts: &[&str]) -> Markup {
    html! {
        p.breadcrumb { "您的位置：" (parts.join(" > ")) }
    }
}

/// A red message under its field, referenced by the input's `aria-describedby`.
pub fn field_error(id: &str, message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.field-error id=(format!("{id}-error")) role="alert" { (message) }
        }
    }
}

/// `aria-describedby` value for an input whose error may be shown.
pub fn described_by(id: &str, message: Option<&str>) -> Option<String> {
    message.map(|_| format!("{id}-error"))
}

/// A notice box (info / error / success).
pub fn notice(kind: &str, text: &str) -> Markup {
    html! { div class=(format!("notice {kind}")) role=(if kind == "error" { "alert" } else { "status" }) { (text) } }
}

pub fn raw(text: &str) -> PreEscaped<String> {
    PreEscaped(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_word_is_said_once() {
        assert_eq!(greeting_suffix("刁彬彬", Role::Teacher), " 教师");
        assert_eq!(greeting_suffix("市级管理员", Role::CityAdmin), "");
        assert_eq!(greeting_suffix("南湖职校管理员", Role::SchoolAdmin), "");
        assert_eq!(greeting_suffix("王敏", Role::SchoolAdmin), " 管理员");
    }
}
