//! Read-only pages: 在线预览 (the whole submission, files as 点击查看 links), the form as the teacher sees it
//! once submitted (with 撤回 while allowed), 提交成功, the pledge, and the 无权限 page.

use maud::{Markup, html};

use super::achievement::{file_url, size_label};
use crate::domain::catalogue::EvidenceSlot;
use crate::domain::filing::{FileRef, Filing};
use crate::domain::pledge;
use crate::domain::submission::SubmissionState;
use crate::service::submissions::{Appraisal, NO_PROJECT};
use crate::web::layout::{self, described_by, field_error};

/// 在线打印 hook: the URL of the teacher's registration-form PDF (the printing module's `/filing/print`, which
/// prints the signed-in teacher's own working copy). Returning `None` hides every 在线打印 link.
pub fn registration_form_url(_submission_id: u64) -> Option<String> {
    Some("/filing/print".to_string())
}

/// The manual's 无权限 page (7.3).
pub fn no_project() -> Markup {
    let (first, second) = NO_PROJECT.split_once('。').unwrap_or((NO_PROJECT, ""));
    html! {
        section.card.no-permission {
            h1 { "无权限" }
            p { (first) "。" }
            @if !second.is_empty() { p { (second) } }
            p { a.button href="/" { "返回首页" } }
        }
    }
}

/// The 诚信承诺书 with its checkbox and the counting-down 同意 button.
pub fn pledge_page(csrf: &str, seconds_left: i64, error: Option<&str>) -> Markup {
    html! {
        (layout::breadcrumb(&["教科研成果鉴定", "诚信承诺书"]))
        section.card.pledge {
            h1 { (pledge::TITLE) }
            p { (pledge::INTRO) }
            ul.pledge-items { @for item in pledge::ITEMS { li { (item) } } }
            form #pledge-form method="post" action="/appraisal/pledge" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                div.field.checkline.has-error[error.is_some()] {
                    label for="agree" {
                        input #agree type="checkbox" name="agree" value="1" aria-describedby=[described_by("agree", error)];
                        " " (pledge::CHECKBOX)
                    }
                    (field_error("agree", error))
                }
                p.hint #pledge-hint { "请仔细阅读承诺书内容至少" (pledge::READ_SECONDS) "秒后，勾选并点击“同意”。" }
                button.primary #pledge-agree type="submit" data-seconds=(seconds_left) aria-describedby="pledge-hint" { "同意" }
            }
        }
        script src=(crate::web::assets::url("appraisal.js")) defer {}
    }
}

/// The state line shown above a read-only submission.
fn state_notice(appraisal: &Appraisal) -> Markup {
    let Some(submission) = &appraisal.submission else { return html! {} };
    let text = match submission.state {
        SubmissionState::Submitted => "已提交，等待学校审核。学校审核前可撤回修改。".to_string(),
        SubmissionState::Draft => "暂存中，尚未提交。".to_string(),
        SubmissionState::Returned => match submission.return_reason() {
            Some(transition) => format!("已退回：{}", transition.reason),
            None => "已退回，请修改后重新提交。".to_string(),
        },
        state => format!("当前状态：{}。", state.label()),
    };
    html! { (layout::notice("info", &text)) }
}

/// The form as it stands when it cannot be edited: submitted (with 撤回 while allowed) or outside the window.
pub fn read_only(appraisal: &Appraisal, csrf: &str, extra: Option<Markup>) -> Markup {
    let submission_id = appraisal.submission.as_ref().map(|submission| submission.id).unwrap_or_default();
    html! {
        (layout::breadcrumb(&["教科研成果鉴定", "查看"]))
        h1 { (appraisal.project.name) }
        @if let Some(extra) = extra { (extra) }
        @if let Some(reason) = &appraisal.closed_reason { (layout::notice("warn", reason)) }
        (state_notice(appraisal))
        div.form-actions.top {
            @if appraisal.can_withdraw() {
                form.inline method="post" action="/appraisal/withdraw" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="submission_id" value=(submission_id);
                    button.danger type="submit" data-confirm="确定撤回吗？撤回后可修改并重新提交。" { "撤回" }
                }
            }
            a.button href="/appraisal/preview" { "在线预览" }
            @if let Some(url) = registration_form_url(submission_id) {
                a.button href=(url) target="_blank" { "在线打印" }
            }
            a.button href="/" { "返回首页" }
        }
        (details(appraisal, &appraisal.filing()))
    }
}

/// 提交成功 with 在线预览, 在线打印 (only once printing exists) and 返回首页.
pub fn submitted(appraisal: &Appraisal) -> Markup {
    let submission = appraisal.submission.as_ref();
    let version = submission.and_then(|submission| submission.versions.last());
    html! {
        (layout::breadcrumb(&["教科研成果鉴定", "提交"]))
        section.card.submitted {
            h1 { "提交成功" }
            @if let Some(version) = version {
                p { "第" (version.number) "版已于 " (crate::clock::minute(version.at)) " 提交，等待学校审核。" }
            }
            div.form-actions {
                a.button.primary href="/appraisal/preview" { "在线预览" }
                @if let Some(url) = submission.and_then(|submission| registration_form_url(submission.id)) {
                    a.button href=(url) target="_blank" { "在线打印" }
                }
                a.button href="/" { "返回首页" }
            }
        }
    }
}

/// 在线预览: the whole filing, read-only.
pub fn preview(appraisal: &Appraisal) -> Markup {
    html! {
        (layout::breadcrumb(&["教科研成果鉴定", "在线预览"]))
        h1 { (appraisal.project.name) }
        div.form-actions.top {
            a.button href="/appraisal" { "返回" }
            a.button href="/" { "返回首页" }
        }
        (details(appraisal, &appraisal.filing()))
    }
}

fn details(appraisal: &Appraisal, filing: &Filing) -> Markup {
    let profile = appraisal.teacher.teacher.clone().unwrap_or_default();
    let birth = profile.birth_date.map(|date| date.format("%Y年%m月%d日").to_string()).unwrap_or_default();
    let title = if filing.title_name == crate::domain::filing::OTHER_TITLE && !filing.title_other.is_empty() {
        format!("{} {}（{}）", filing.title_grade, filing.title_name, filing.title_other)
    } else {
        format!("{} {}", filing.title_grade, filing.title_name)
    };
    let catalogue = &appraisal.project.catalogue;
    let rows: [(&str, String); 14] = [
        ("姓名", appraisal.teacher.name.clone()),
        ("最高学历", profile.education.clone()),
        ("最高学位", profile.degree.clone()),
        ("上级主管部门", appraisal.department.name.clone()),
        ("工作单位", appraisal.school.name.clone()),
        ("出生年月", birth),
        ("现专技职务", title),
        ("取得日期", filing.title_date.clone()),
        ("研究方向", filing.research_direction.clone()),
        ("大专", filing.major_college.clone()),
        ("申报学科", filing.applied_subject.clone()),
        ("现任教学科", filing.teaching_subject.clone()),
        ("本科", filing.major_bachelor.clone()),
        ("研究生", filing.major_graduate.clone()),
    ];
    html! {
        section.card.preview {
            h2 { "基本信息" }
            dl.view-pairs {
                @for (label, value) in &rows { div { dt { (label) "：" } dd { (value) } } }
            }
        }
        @for (index, achievement) in filing.achievements.iter().enumerate() {
            @let found = catalogue.get(&achievement.type_code);
            section.card.preview {
                h2 { "教研成果信息 " (index + 1) }
                dl.view-pairs.wide {
                    div { dt { "题目：" } dd { (achievement.title) } }
                    div { dt { "成果层次：" } dd { (achievement.level.map(|level| level.label()).unwrap_or_default()) } }
                    div { dt { "成果类型：" } dd {
                        (found.map(|found| found.name.as_str()).unwrap_or_default())
                        @if found.is_some_and(|found| found.restricted()) { " " span.badge.warn { "当年有效" } }
                    } }
                    div { dt { "成果情况：" } dd { (found.map(|found| found.render_sentence(&achievement.fields)).unwrap_or_default()) } }
                    div { dt { "是否独立完成：" } dd {
                        @match achievement.independent {
                            Some(true) => "独立完成",
                            Some(false) => { "非独立完成 " (file_link(achievement.contribution_file.as_ref())) }
                            None => "",
                        }
                    } }
                    div { dt { "本人承担部分：" } dd { (achievement.own_part) } }
                    div { dt { "成果上传：" } dd { (file_link(achievement.achievement_file.as_ref())) } }
                }
                h3 { "证明材料" (index + 1) }
                dl.view-pairs {
                    @for slot in EvidenceSlot::ALL {
                        div { dt { (slot.label()) "：" } dd { (file_link(achievement.evidence.get(&slot))) } }
                    }
                }
            }
        }
    }
}

fn file_link(file: Option<&FileRef>) -> Markup {
    match file {
        Some(file) => html! {
            a href=(file_url(file)) target="_blank" rel="noopener" { "点击查看" }
            " " span.file-name { (file.name) "（" (size_label(file.size)) "）" }
        },
        None => html! { span.empty { "未上传" } },
    }
}
