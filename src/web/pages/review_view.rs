//! The read-only rendering of a submitted filing shared by the reviewers' pages (every field, every file as
//! 点击查看) and the expert's blind page (neutral file links), plus the one function that builds a file's
//! download link.

use maud::{Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::clock;
use crate::domain::catalogue::{Catalogue, EvidenceSlot};
use crate::domain::filing::{FileRef, Filing, OTHER_TITLE};
use crate::domain::submission::Transition;
use crate::service::review::expert::NeutralFile;
use crate::service::review::history::{Duplicate, History};

/// The download route of the filing module for a stored file: `/files/{sha256}/{name}`. Every reviewer link to
/// a file is built here.
pub fn file_href(file: &FileRef) -> String {
    format!("/files/{}/{}", file.sha256, utf8_percent_encode(&file.name, NON_ALPHANUMERIC))
}

/// How a file is linked on a page: the reviewers' route, or the expert's neutral one.
pub enum FileLinks<'a> {
    /// Admins: the uploaded name, via `file_href`.
    Reviewer,
    /// Experts: `/expert/submissions/{id}/files/{n}` under a neutral name, found by the file's label.
    Neutral { submission_id: u64, files: &'a [NeutralFile] },
}

/// 基本信息 lines an admin sees (the expert's page leaves them out under blind review).
pub struct Basic<'a> {
    pub name: &'a str,
    pub id_number: &'a str,
    pub education: &'a str,
    pub degree: &'a str,
    pub department: &'a str,
    pub school: &'a str,
    pub birth: &'a str,
}

pub fn basic_info(basic: &Basic<'_>) -> Markup {
    html! {
        dl.pairs {
            dt { "姓名" } dd { (basic.name) }
            dt { "身份证号" } dd { (basic.id_number) }
            dt { "最高学历" } dd { (basic.education) }
            dt { "最高学位" } dd { (basic.degree) }
            dt { "上级主管部门" } dd { (basic.department) }
            dt { "工作单位" } dd { (basic.school) }
            dt { "出生年月" } dd { (basic.birth) }
        }
    }
}

/// The teacher's filled-in fields and every achievement with its evidence, read-only.
pub fn filing_view(filing: &Filing, catalogue: &Catalogue, links: &FileLinks<'_>) -> Markup {
    let title = if filing.title_name == OTHER_TITLE {
        format!("{} {}（{}）", filing.title_grade, OTHER_TITLE, filing.title_other)
    } else {
        format!("{} {}", filing.title_grade, filing.title_name)
    };
    // Labels match `expert::neutral_files`, which numbers the files the expert may fetch.
    let link = |file: Option<&FileRef>, label: String| -> Markup {
        match (file, links) {
            (None, _) => html! { span.empty { "未上传" } },
            (Some(file), FileLinks::Reviewer) => html! {
                a href=(file_href(file)) target="_blank" rel="noopener" { "点击查看" }
                " " span.hint { (file.name) }
            },
            (Some(_), FileLinks::Neutral { submission_id, files }) => match files.iter().find(|f| f.label == label) {
                Some(neutral) => html! {
                    a href=(format!("/expert/submissions/{submission_id}/files/{}", neutral.number)) target="_blank" rel="noopener" { "点击查看" }
                    " " span.hint { (neutral.name) }
                },
                None => html! { span.empty { "未上传" } },
            },
        }
    };
    html! {
        dl.pairs {
            dt { "现专技职务" } dd { (title) }
            dt { "取得日期" } dd { (filing.title_date) }
            dt { "研究方向" } dd { (filing.research_direction) }
            dt { "大专" } dd { (filing.major_college) }
            dt { "本科" } dd { (filing.major_bachelor) }
            dt { "研究生" } dd { (filing.major_graduate) }
            dt { "申报学科" } dd { (filing.applied_subject) }
            dt { "现任教学科" } dd { (filing.teaching_subject) }
        }
        @for (index, achievement) in filing.achievements.iter().enumerate() {
            @let kind = catalogue.get(&achievement.type_code);
            h3 { "教研成果信息 " (index + 1) }
            dl.pairs {
                dt { "题目" } dd { (achievement.title) }
                dt { "成果层次" } dd { (achievement.level.map(|level| level.label()).unwrap_or("")) }
                dt { "成果类型" } dd {
                    (kind.map(|k| k.name.as_str()).unwrap_or(achievement.type_code.as_str()))
                    @if kind.is_some_and(|k| k.restricted()) { " " span.badge.warn { "当年有效" } }
                }
                dt { "成果情况" } dd { (kind.map(|k| k.render_sentence(&achievement.fields)).unwrap_or_default()) }
                dt { "是否独立完成" } dd {
                    @match achievement.independent { Some(true) => "独立完成", Some(false) => "非独立完成", None => "" }
                    @if achievement.contribution_file.is_some() { " " (link(achievement.contribution_file.as_ref(), format!("成果{}·个人贡献情况表", index + 1))) }
                }
                dt { "本人承担部分" } dd { (achievement.own_part) }
                dt { "成果上传" } dd { (link(achievement.achievement_file.as_ref(), format!("成果{}·成果上传", index + 1))) }
            }
            h3 { "证明材料 " (index + 1) }
            dl.pairs {
                @for slot in EvidenceSlot::ALL {
                    @if let Some(file) = achievement.evidence.get(&slot) {
                        dt { (slot.label()) } dd { (link(Some(file), format!("证明材料{}·{}", index + 1, slot.label()))) }
                    }
                }
            }
        }
    }
}

/// Transitions (who, when, from where, why) and what changed in each resubmitted version.
pub fn history_view(history: &History) -> Markup {
    html! {
        h3 { "流转记录" }
        table.data {
            thead { tr { th { "时间" } th { "操作人" } th { "来源地址" } th { "状态变化" } th { "说明" } } }
            tbody {
                @for transition in &history.transitions { (transition_row(transition)) }
            }
        }
        @for version in history.versions.iter().skip(1) {
            h3 { "第" (version.number) "次提交（" (clock::minute(version.at)) "）修改内容" }
            @if version.changes.is_empty() {
                p.empty { "与上一次提交相比没有修改。" }
            } @else {
                table.data.changes {
                    thead { tr { th { "字段" } th { "修改前" } th { "修改后" } } }
                    tbody {
                        @for change in &version.changes {
                            tr { td { (change.field) } td { (change.before) } td { (change.after) } }
                        }
                    }
                }
            }
        }
    }
}

fn transition_row(transition: &Transition) -> Markup {
    html! {
        tr {
            td { (clock::minute(transition.at)) }
            td { (transition.actor_name) }
            td { (transition.address) }
            td { (transition.from.label()) " → " (transition.to.label()) }
            td { (transition.reason) }
        }
    }
}

/// The duplicate signal, for reviewing admins.
pub fn duplicates_view(duplicates: &[Duplicate]) -> Markup {
    html! {
        @if !duplicates.is_empty() {
            div.notice.warn role="status" {
                strong { "重复成果提示" }
                @for duplicate in duplicates {
                    p {
                        (duplicate.file) "：" (duplicate.why) "（" (duplicate.other_year) "年，编号 " (duplicate.other_submission_id)
                        @if let Some((name, school)) = &duplicate.other { "，" (name) "，" (school) }
                        "）"
                    }
                }
            }
        }
    }
}
