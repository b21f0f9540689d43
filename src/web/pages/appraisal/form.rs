//! The 教科研成果鉴定 form (SPEC §4.2, the manual's 5.(1)–(3)): 基本信息, 教研成果信息 1..N, 证明材料 1..N, the
//! 填报说明 box, the confirmation and 暂存 / 提交. One multipart form; every error in red under its own field.
//! The achievement blocks are in `achievement.rs`.

use maud::{Markup, html};

use super::achievement::{self, BlockContext};
use crate::domain::catalogue::EvidenceSlot;
use crate::domain::filing::{Filing, OTHER_TITLE, TITLE_GRADES, title_grade_of};
use crate::domain::{FieldError, FieldErrors};
use crate::service::submissions::Appraisal;
use crate::web::layout::{self, described_by, field_error};

/// 填报说明 1 and 2, word for word from the manual.
pub const INSTRUCTIONS: [&str; 2] = [
    "1.关于成果类型：成果层次中的“视作发表”、“交流”中的“校本课程”和“自创资源”，以及单位署名文章四类成果仅供职业高中和成人中等专业学校的申报教师填报，中专学校和技工学校的申报教师不得填报。填报此类成果的申报人，鉴定结果为当年有效。",
    "2.关于成果格式：除自创资源外，所有申报材料请以WORD或PDF格式（不接受图片扫描转PDF格式），合并为一个文档上传，大小限制为20M以下；自创教学资源可上传视频，格式为MP4，大小限制为500M以下。",
];
pub const CONFIRM_LABEL: &str = "本人已认真阅读“填报说明”，并按照上述要求进行填报。";
pub const BASIC_NOTICE: &str = "不可修改。若信息有误，请联系学校管理员进行修改。";

/// What the form shows besides the filing.
pub struct FormView<'a> {
    pub appraisal: &'a Appraisal,
    pub filing: &'a Filing,
    /// For each shown achievement, the stored index whose files it shows (`None` for a new one).
    pub origins: Vec<Option<usize>>,
    pub errors: &'a FieldErrors,
    pub notice: Option<Markup>,
    pub csrf: String,
    /// 新增成果 was pressed at the maximum (without JavaScript): show the manual's prompt.
    pub prompt_max: bool,
    /// 删除 was pressed for this achievement (without JavaScript): ask for confirmation.
    pub confirm_remove: Option<usize>,
}

pub fn max_prompt(max: usize) -> String {
    format!("教科研成果数量至多为{max}项，不可再次添加。")
}

pub fn render(view: &FormView) -> Markup {
    let appraisal = view.appraisal;
    let filing = view.filing;
    let errors = view.errors;
    let max = appraisal.project.max_achievements;
    let submission_id = appraisal.submission.as_ref().map(|submission| submission.id).unwrap_or_default();
    let ordered = in_page_order(errors);
    // The first error's field takes the focus (autofocus: the browser scrolls to it, also without JavaScript),
    // unless a prompt or a confirmation holds it.
    let first_anchor = ordered.first().map(|error| field_anchor(&error.field, filing));
    let first = first_anchor.as_deref().filter(|_| !view.prompt_max && view.confirm_remove.is_none());
    let blocks = BlockContext { appraisal, errors, confirm_remove: view.confirm_remove, first_error: first };
    html! {
        (layout::breadcrumb(&["教科研成果鉴定", "填报"]))
        form #filing-form .filing method="post" action="/appraisal" enctype="multipart/form-data" novalidate
            data-max=(max) data-prompt=(max_prompt(max)) {
            // The CSRF token must be the first part: file parts are only read after it was checked.
            input type="hidden" name="csrf" value=(view.csrf);
            input type="hidden" name="submission_id" value=(submission_id);
            // Enter in a text box presses the form's first submit button: make that 暂存, not 新增成果.
            button.offscreen type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "暂存" }
            h1 { (appraisal.project.name) }
            @if let Some(notice) = &view.notice { (notice) }
            @if !errors.is_empty() {
                div.notice.error.error-summary #error-summary role="alert" {
                    p { "共有" (errors.0.len()) "处需要修改，请查看下方红色提示：" }
                    ul {
                        @for error in &ordered {
                            li { a href=(format!("#{}", field_anchor(&error.field, filing))) { (summary_line(error)) } }
                        }
                    }
                }
            }
            (basic_info(appraisal, filing, errors, first))
            section.card #achievements {
                div.section-head {
                    h2 { "教研成果信息" }
                    button.add-achievement type="submit" name="action" value="add" { "新增成果" }
                }
                p.hint { "可填写1至" (max) "项成果。先选择成果层次和成果类型，再按要求填写成果情况并上传成果。" }
                (field_error("achievements", errors.get("achievements")))
                @if view.prompt_max {
                    div.dialog.inline-dialog role="alertdialog" aria-labelledby="max-prompt-title" {
                        h3 #max-prompt-title { "提示" }
                        p { (max_prompt(max)) }
                        a.button.primary href="/appraisal#achievements" autofocus { "确认" }
                    }
                }
                div #achievement-list {
                    @for (index, item) in filing.achievements.iter().enumerate() {
                        (achievement::block(&blocks, index, item, view.origins.get(index).copied().flatten()))
                    }
                }
            }
            section.card #evidence {
                h2 { "证明材料" }
                div #evidence-list {
                    @for (index, item) in filing.achievements.iter().enumerate() {
                        (achievement::evidence_block(&blocks, index, item))
                    }
                }
            }
            section.card.instructions {
                h2 { "填报说明" }
                @for line in INSTRUCTIONS { p { (line) } }
                div.field.checkline.has-error[errors.get("confirmed_instructions").is_some()] {
                    label for="confirmed_instructions" {
                        input #confirmed_instructions type="checkbox" name="confirmed_instructions" value="1"
                            checked[filing.confirmed_instructions] autofocus[first == Some("confirmed_instructions")]
                            aria-describedby=[described_by("confirmed_instructions", errors.get("confirmed_instructions"))];
                        " " (CONFIRM_LABEL)
                    }
                    (field_error("confirmed_instructions", errors.get("confirmed_instructions")))
                }
                div.upload-progress hidden {
                    label for="upload-progress" { "正在上传" }
                    progress #upload-progress max="100" value="0" {}
                    span.upload-percent { "0%" }
                }
                div.form-actions {
                    button type="submit" name="action" value="save" { "暂存" }
                    button.primary type="submit" name="action" value="submit" { "提交" }
                }
            }
            template #tpl-achievement { (achievement::block(&blocks, usize::MAX, &Default::default(), None)) }
            template #tpl-evidence { (achievement::evidence_block(&blocks, usize::MAX, &Default::default())) }
        }
        script src=(crate::web::assets::url("appraisal.js")) defer {}
    }
}

/// 基本信息: the school's grey read-only fields, then the teacher's own.
fn basic_info(appraisal: &Appraisal, filing: &Filing, errors: &FieldErrors, first: Option<&str>) -> Markup {
    let profile = appraisal.teacher.teacher.clone().unwrap_or_default();
    let birth = profile.birth_date.map(|date| date.format("%Y年%m月%d日").to_string()).unwrap_or_default();
    let readonly = |id: &str, label: &str, value: &str| {
        html! {
            div.field.readonly {
                label for=(id) { (label) "：" }
                input id=(id) type="text" value=(value) readonly tabindex="-1";
            }
        }
    };
    let focus = |id: &str| first == Some(id);
    let text = |id: &str, label: &str, value: &str, placeholder: &str| {
        let message = errors.get(id);
        // 取得日期 gets the browser's date picker from appraisal.js; the server reads the same yyyy-mm-dd.
        let picker = (id == "title_date").then_some("date");
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) "：" }
                input id=(id) name=(id) type="text" value=(value) placeholder=(placeholder) data-picker=[picker]
                    autofocus[focus(id)]
                    aria-invalid=[message.map(|_| "true")] aria-describedby=[described_by(id, message)];
                (field_error(id, message))
            }
        }
    };
    let grade_error = errors.get("title_grade").or(errors.get("title_name"));
    let other_error = errors.get("title_other");
    html! {
        section.card.basic {
            h2 { "基本信息" }
            p.notice.info { (BASIC_NOTICE) }
            div.grid3 {
                (readonly("basic-name", "姓名", &appraisal.teacher.name))
                (readonly("basic-education", "最高学历", &profile.education))
                (readonly("basic-degree", "最高学位", &profile.degree))
                (readonly("basic-department", "上级主管部门", &appraisal.department.name))
                (readonly("basic-school", "工作单位", &appraisal.school.name))
                (readonly("basic-birth", "出生年月", &birth))
            }
            div.grid3 {
                div.field.title-field.has-error[grade_error.is_some()] {
                    label for="title_grade" { "现专技职务：" }
                    div.inline-inputs {
                        select #title_grade name="title_grade" autofocus[focus("title_grade")]
                            aria-describedby=[described_by("title_grade", grade_error)] {
                            option value="" { "---请选择---" }
                            @for grade in TITLE_GRADES { option value=(grade) selected[filing.title_grade == grade] { (grade) } }
                        }
                        label.sr-only for="title_name" { "现专技职务名称" }
                        // Each title names its grade; appraisal.js lists only the chosen grade's (the server
                        // refuses a title of another grade either way).
                        select #title_name name="title_name" autofocus[focus("title_name")]
                            aria-describedby=[described_by("title_grade", grade_error)] {
                            option value="" { "---请选择---" }
                            @for title in &appraisal.project.title_names {
                                option value=(title) data-grade=[title_grade_of(title)] selected[&filing.title_name == title] { (title) }
                            }
                            @if !appraisal.project.title_names.iter().any(|title| title == OTHER_TITLE) {
                                option value=(OTHER_TITLE) selected[filing.title_name == OTHER_TITLE] { (OTHER_TITLE) }
                            }
                        }
                    }
                    (field_error("title_grade", grade_error))
                    div.title-other.has-error[other_error.is_some()] {
                        label for="title_other" { "其它职务名称（选择“其它”时填写）：" }
                        input #title_other name="title_other" type="text" value=(filing.title_other) placeholder="请输入"
                            autofocus[focus("title_other")]
                            aria-describedby=[described_by("title_other", other_error)];
                        (field_error("title_other", other_error))
                    }
                }
                (text("title_date", "取得日期", &filing.title_date, "请输入，如 2015-09-01"))
                (text("research_direction", "研究方向", &filing.research_direction, "请输入"))
                (text("major_college", "大专", &filing.major_college, "输入大专所学专业。如无，则填写无。"))
                (subject_select(appraisal, filing, errors, focus("applied_subject")))
                (text("teaching_subject", "现任教学科", &filing.teaching_subject, "请输入"))
                (text("major_bachelor", "本科", &filing.major_bachelor, "输入本科所学专业。如无，则填写无。"))
                (text("major_graduate", "研究生", &filing.major_graduate, "输入研究生所学专业。如无，则填写无。"))
            }
        }
    }
}

fn subject_select(appraisal: &Appraisal, filing: &Filing, errors: &FieldErrors, autofocus: bool) -> Markup {
    let message = errors.get("applied_subject");
    let known = appraisal.project.subjects.contains(&filing.applied_subject);
    html! {
        div.field.has-error[message.is_some()] {
            label for="applied_subject" { "申报学科：" }
            select #applied_subject name="applied_subject" autofocus[autofocus] aria-describedby=[described_by("applied_subject", message)] {
                option value="" { "---请选择---" }
                @for subject in &appraisal.project.subjects {
                    option value=(subject) selected[&filing.applied_subject == subject] { (subject) }
                }
                // A stored value no longer in the list stays visible (and selected) so it is not silently lost.
                @if !known && !filing.applied_subject.is_empty() {
                    option value=(filing.applied_subject) selected { (filing.applied_subject) }
                }
            }
            (field_error("applied_subject", message))
        }
    }
}

/// The basic-info fields in the order the page shows them.
const BASIC_ORDER: [&str; 10] = [
    "title_grade",
    "title_name",
    "title_other",
    "title_date",
    "research_direction",
    "major_college",
    "applied_subject",
    "teaching_subject",
    "major_bachelor",
    "major_graduate",
];
/// The inputs of one achievement block, in page order (`fields.*` is the 成果情况 sentence).
const ACHIEVEMENT_ORDER: [&str; 8] =
    ["title", "level", "type_code", "fields", "independent", "contribution_file", "own_part", "achievement_file"];

/// An error key split into (achievement index, the rest), for keys of one achievement.
fn achievement_key(key: &str) -> Option<(usize, &str)> {
    let (index, rest) = key.strip_prefix("achievements.")?.split_once('.')?;
    Some((index.parse().ok()?, rest))
}

/// Where an error's field stands on the page: basic info, the achievements, their 证明材料, the confirmation.
fn page_rank(key: &str) -> (u8, usize, usize) {
    if let Some(position) = BASIC_ORDER.iter().position(|name| *name == key) {
        return (0, 0, position);
    }
    match (key, achievement_key(key)) {
        ("achievements", _) => (1, 0, 0),
        (_, Some((index, rest))) => match rest.strip_prefix("evidence.") {
            Some(slot) => (3, index, EvidenceSlot::ALL.iter().position(|s| s.code() == slot).unwrap_or(usize::MAX)),
            None => {
                let name = rest.split('.').next().unwrap_or(rest);
                (2, index, ACHIEVEMENT_ORDER.iter().position(|n| *n == name).unwrap_or(usize::MAX))
            }
        },
        ("confirmed_instructions", _) => (4, 0, 0),
        _ => (5, 0, 0),
    }
}

/// The errors in the order their fields appear, so the summary reads top to bottom and the first one is the
/// first red message on the page.
pub fn in_page_order(errors: &FieldErrors) -> Vec<&FieldError> {
    let mut ordered: Vec<&FieldError> = errors.0.iter().collect();
    ordered.sort_by_key(|error| page_rank(&error.field));
    ordered
}

/// The id of the element an error's field is (the summary links to `#id`; the first gets the focus). Radio
/// groups are their fieldsets (`a{i}-level`), the 成果情况 inputs are named by the chosen type.
pub fn field_anchor(key: &str, filing: &Filing) -> String {
    let Some((index, rest)) = achievement_key(key) else { return key.to_string() };
    match rest.strip_prefix("fields.") {
        Some(field) => match filing.achievements.get(index).map(|item| item.type_code.trim()) {
            Some(code) if !code.is_empty() => format!("a{index}-{code}-{field}"),
            _ => format!("achievement-{index}"),
        },
        None => format!("a{index}-{}", rest.replace('.', "-")),
    }
}

/// One line of the error summary: which block, then the message (which names its field).
fn summary_line(error: &FieldError) -> String {
    match achievement_key(&error.field) {
        Some((index, rest)) if rest.starts_with("evidence.") => format!("证明材料{}：{}", index + 1, error.message),
        Some((index, _)) => format!("教研成果信息{}：{}", index + 1, error.message),
        None => error.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filing::Achievement;

    #[test]
    fn errors_link_to_their_fields_in_page_order() {
        let mut errors = FieldErrors::new();
        errors.add("confirmed_instructions", "请勾选");
        errors.add("achievements.0.evidence.formal", "正式发表不能为空");
        errors.add("achievements.0.fields.cip", "CIP号不能为空");
        errors.add("achievements.0.title", "题目不能为空");
        errors.add("title_date", "取得日期不能为空");
        let ordered: Vec<&str> = in_page_order(&errors).iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            ordered,
            [
                "title_date",
                "achievements.0.title",
                "achievements.0.fields.cip",
                "achievements.0.evidence.formal",
                "confirmed_instructions"
            ]
        );
        let filing = Filing {
            achievements: vec![Achievement { type_code: "monograph".into(), ..Achievement::default() }],
            ..Filing::default()
        };
        assert_eq!(field_anchor("title_date", &filing), "title_date");
        assert_eq!(field_anchor("achievements.0.fields.cip", &filing), "a0-monograph-cip");
        assert_eq!(field_anchor("achievements.0.evidence.formal", &filing), "a0-evidence-formal");
        assert_eq!(field_anchor("achievements.0.level", &filing), "a0-level");
        assert_eq!(field_anchor("achievements.1.fields.cip", &filing), "achievement-1");
    }
}
