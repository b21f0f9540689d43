//! The outcome of a review action (审核、退回、受理、分配、评审、公布), carried across its redirect
//! (post/redirect/get): the action answers 303 to the page the reviewer lands on with `done=<code>` and, for batch
//! actions, counts and submission numbers. The landing page maps the code to a fixed sentence, so a refresh never
//! re-posts and nothing typed by anyone is echoed — a hand-made link can at most show another of these sentences.

use maud::{Markup, html};
use serde::Deserialize;

use crate::web::layout;

/// The most submission numbers a notice links to (the URL stays short; the list shows the rest).
const MAX_LISTED: usize = 50;

/// The query parameters of a landing page that may carry an outcome.
#[derive(Deserialize, Default, Clone)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
    /// A count (e.g. submissions accepted or published).
    #[serde(default)]
    pub n: Option<usize>,
    /// A second count (expert assignments made).
    #[serde(default)]
    pub m: Option<usize>,
    /// Submission numbers the notice lists, comma-separated.
    #[serde(default)]
    pub ids: String,
}

/// Every outcome a review action reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Done {
    Approved,
    Returned,
    Accepted,
    Flagged,
    RiskAccepted,
    Assigned,
    Withdrawn,
    Graded,
    Saved,
    Submitted,
    Declined,
    Published,
    AcceptedAll,
    AutoAssigned,
    OpenedEarly,
}

const ALL: [Done; 15] = [
    Done::Approved,
    Done::Returned,
    Done::Accepted,
    Done::Flagged,
    Done::RiskAccepted,
    Done::Assigned,
    Done::Withdrawn,
    Done::Graded,
    Done::Saved,
    Done::Submitted,
    Done::Declined,
    Done::Published,
    Done::AcceptedAll,
    Done::AutoAssigned,
    Done::OpenedEarly,
];

impl Done {
    pub fn code(self) -> &'static str {
        match self {
            Done::Approved => "approved",
            Done::Returned => "returned",
            Done::Accepted => "accepted",
            Done::Flagged => "flagged",
            Done::RiskAccepted => "risk_accepted",
            Done::Assigned => "assigned",
            Done::Withdrawn => "withdrawn",
            Done::Graded => "graded",
            Done::Saved => "saved",
            Done::Submitted => "submitted",
            Done::Declined => "declined",
            Done::Published => "published",
            Done::AcceptedAll => "accepted_all",
            Done::AutoAssigned => "auto_assigned",
            Done::OpenedEarly => "opened_early",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ALL.into_iter().find(|done| done.code() == code)
    }

    /// The fixed sentence shown for the outcome (counts, where the action has them, are added by [`notice`]).
    fn sentence(self) -> &'static str {
        match self {
            Done::Approved => "审核通过，已提交至下一级。",
            Done::Returned => "已退回，教师将收到消息提醒。",
            Done::Accepted => "已受理，匿名检查通过，可以分配专家。",
            Done::Flagged => "匿名检查发现身份信息，请退回或接受风险。",
            Done::RiskAccepted => "已接受风险并受理。",
            Done::Assigned => "已分配专家。",
            Done::Withdrawn => "已撤回该专家，请重新分配。",
            Done::Graded => "已保存最终等级。",
            Done::Saved => "暂存成功，可稍后继续填写。",
            Done::Submitted => "鉴定意见已提交，不能再修改。",
            Done::Declined => "已退出该成果的评审，市级管理员将另行分配专家。",
            Done::Published => "已公布所选成果的鉴定等级，教师将收到消息提醒。",
            Done::AcceptedAll => "全部受理完成。",
            Done::AutoAssigned => "自动分配专家完成。",
            Done::OpenedEarly => "已提前开始专家评审。",
        }
    }
}

/// `path` with the outcome appended as its query (`path` may already have one).
pub fn landing(path: &str, done: Done, counts: &[(&str, usize)], ids: &[u64]) -> String {
    let mut url = format!("{path}{}done={}", if path.contains('?') { "&" } else { "?" }, done.code());
    for (key, value) in counts {
        url.push_str(&format!("&{key}={value}"));
    }
    if !ids.is_empty() {
        let listed: Vec<String> = ids.iter().take(MAX_LISTED).map(u64::to_string).collect();
        url.push_str(&format!("&ids={}", listed.join(",")));
    }
    url
}

/// The outcome carried by `query`, if any.
pub fn of(query: &DoneQuery) -> Option<Done> {
    Done::from_code(&query.done)
}

/// The notice for the outcome in `query` (nothing when it carries none or an unknown code).
pub fn notice(query: &DoneQuery) -> Option<Markup> {
    let done = of(query)?;
    let ids: Vec<u64> = query.ids.split(',').filter_map(|id| id.trim().parse().ok()).take(MAX_LISTED).collect();
    let n = query.n.unwrap_or(0);
    let m = query.m.unwrap_or(0);
    let links = |lead: &str| {
        html! {
            @if !ids.is_empty() {
                p { (lead) @for id in &ids { " " a href=(format!("/review/submissions/{id}")) { "编号 " (id) } } }
            }
        }
    };
    Some(match done {
        Done::Flagged => layout::notice("warn", done.sentence()),
        Done::Published => layout::notice("success", &format!("已公布 {n} 份成果的鉴定等级，教师将收到消息提醒。")),
        Done::AcceptedAll => html! {
            div.notice.success role="status" {
                "已受理 " (n) " 份（匿名检查通过）。"
                (links("以下成果的文件中发现身份信息，请逐一处理（退回或接受风险）："))
            }
        },
        Done::AutoAssigned => html! {
            div.notice.success role="status" {
                "已为 " (n) " 份成果分配专家 " (m) " 人次。"
                (links("以下成果可分配的专家不足（回避后人数不够），请打开成果手动分配或在专家管理中添加专家："))
            }
        },
        Done::OpenedEarly => {
            layout::notice("success", &format!("已提前开始专家评审：{n} 份成果，分配的专家现在即可评审。"))
        }
        _ => layout::notice("success", done.sentence()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_unknown_codes_show_nothing() {
        for done in ALL {
            assert_eq!(Done::from_code(done.code()), Some(done));
        }
        let query = DoneQuery { done: "<script>".into(), ..DoneQuery::default() };
        assert!(notice(&query).is_none());
    }

    #[test]
    fn listed_ids_are_numbers_only() {
        let url = landing("/review?project_id=3", Done::AcceptedAll, &[("n", 2)], &[7, 9]);
        assert_eq!(url, "/review?project_id=3&done=accepted_all&n=2&ids=7,9");
        let query = DoneQuery { done: "accepted_all".into(), n: Some(2), m: None, ids: "7,<b>x</b>,9".into() };
        let html = notice(&query).expect("notice").into_string();
        assert!(html.contains("编号 7") && html.contains("编号 9") && !html.contains("<b>x"), "{html}");
    }
}
