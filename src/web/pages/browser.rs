//! 浏览器使用说明 (the manual's 6. 使用环境): the supported browsers and a verdict on the visitor's own, decided on
//! the server from the User-Agent so it works without JavaScript.

use maud::html;
use poem::http::HeaderMap;
use poem::{Response, handler};

use crate::web::ctx::Ctx;
use crate::web::layout;

/// The verdict for a User-Agent string: (supported, browser description).
pub fn verdict(user_agent: &str) -> (bool, String) {
    let version_after = |marker: &str| -> Option<u32> {
        let start = user_agent.find(marker)? + marker.len();
        user_agent[start..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    };
    if user_agent.contains("MSIE") || user_agent.contains("Trident/") {
        return (false, "Internet Explorer（已不再支持，请使用 Chrome、Edge、Firefox 或 360 浏览器极速模式）".into());
    }
    if let Some(version) = version_after("Edg/") {
        return (version >= 79, format!("Microsoft Edge {version}"));
    }
    if let Some(version) = version_after("Firefox/") {
        return (version >= 78, format!("Firefox {version}"));
    }
    if let Some(version) = version_after("Chrome/") {
        let name = if user_agent.contains("QIHU") || user_agent.contains("360SE") || user_agent.contains("360EE") {
            "360 浏览器（极速模式）"
        } else {
            "Chrome 内核浏览器"
        };
        return (version >= 63, format!("{name}，内核版本 {version}"));
    }
    if let Some(version) = version_after("Version/").filter(|_| user_agent.contains("Safari/")) {
        return (version >= 12, format!("Safari {version}"));
    }
    (false, "无法识别的浏览器".into())
}

#[handler]
pub fn show(ctx: Ctx, headers: &HeaderMap) -> Response {
    let user_agent = headers.get("user-agent").and_then(|value| value.to_str().ok()).unwrap_or("");
    let (supported, description) = verdict(user_agent);
    let body = html! {
        section.card {
            h1 { "浏览器使用说明" }
            @if supported {
                (layout::notice("success", &format!("检测结果：您正在使用 {description}，符合平台使用要求。")))
            } @else {
                (layout::notice("error", &format!("检测结果：{description}，可能无法正常使用本平台，请更换浏览器。")))
            }
            h2 { "为了您可以正常使用本平台，建议使用如下浏览器：" }
            ol {
                li { "Google Chrome 浏览器 63 版本及以上；" }
                li { "Microsoft Edge（Chromium 内核）最新版本；" }
                li { "Firefox 浏览器最新版本；" }
                li { "360 浏览器 9.1 版本及以上，并使用极速模式（Chromium 内核）。" }
            }
            p.hint { "您的浏览器标识（User-Agent）：" code { (user_agent) } }
            p { a.button href="/login" { "返回登录" } }
        }
    };
    ctx.finish(layout::page(&ctx, "浏览器使用说明", "", body))
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn judges_the_manuals_browsers() {
        assert!(verdict("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36").0);
        assert!(
            !verdict(
                "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/49.0.2623.112 Safari/537.36"
            )
            .0
        );
        assert!(!verdict("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)").0);
        assert!(verdict("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0").0);
    }
}
