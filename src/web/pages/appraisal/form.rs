//! The 教科研成果鉴定 form (SPEC §4.2, the manual's 5.(1)–(3)): 基本信息, 教研成果信息 1..N, 证明材料 1..N, the
//! 填报说明 box, the confirmation and 暂存 / 提交. One multipart form; every error in red under its own field.
//! The achievement blocks are in `achievement.rs`.

use maud::{Markup, html};

use super::achievement::{self, BlockContext};
use crate::domain::FieldErrors;
use crate::domain::filing::{Filing, OTHER_TITLE, TITLE_GRADES};
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
    let blocks = BlockContext { appraisal, errors, confirm_remove: view.confirm_remove };
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
                div.notice.error role="alert" {
                    "共有" (errors.0.len()) "处需要修改，请查看下方红色提示。"
                }
            }
            (basic_info(appraisal, filing, errors))
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
                            checked[filing.confirmed_instructions]
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
fn basic_info(appraisal: &Appraisal, filing: &Filing, errors: &FieldErrors) -> Markup {
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
    let text = |id: &str, label: &str, value: &str, placeholder: &str| {
        let message = errors.get(id);
        html! {
            div.field.has-error[message.is_some()] {
                label for=(id) { (label) "：" }
                input id=(id) name=(id) type="text" value=(value) placeholder=(placeholder)
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
                        select #title_grade name="title_grade" aria-describedby=[described_by("title_grade", grade_error)] {
                            option value="" { "---请选择---" }
                            @for grade in TITLE_GRADES { option value=(grade) selected[filing.title_grade == grade] { (grade) } }
                        }
                        label.sr-only for="title_name" { "现专技职务名称" }
                        select #title_name name="title_name" aria-describedby=[described_by("title_grade", grade_error)] {
                            option value="" { "---请选择---" }
                            @for title in &appraisal.project.title_names {
                                option value=(title) selected[&filing.title_name == title] { (title) }
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
                            aria-describedby=[described_by("title_other", other_error)];
                        (field_error("title_other", other_error))
                    }
                }
                (text("title_date", "取得日期", &filing.title_date, "请输入，如 2015-09-01"))
                (text("research_direction", "研究方向", &filing.research_direction, "请输入"))
                (text("major_college", "大专", &filing.major_college, "输入大专所学专业。如无，则填写无。"))
                (subject_select(appraisal, filing, errors))
                (text("teaching_subject", "现任教学科", &filing.teaching_subject, "请输入"))
                (text("major_bachelor", "本科", &filing.major_bachelor, "输入本科所学专业。如无，则填写无。"))
                (text("major_graduate", "研究生", &filing.major_graduate, "输入研究生所学专业。如无，则填写无。"))
            }
        }
    }
}

fn subject_select(appraisal: &Appraisal, filing: &Filing, errors: &FieldErrors) -> Markup {
    let message = errors.get("applied_subject");
    let known = appraisal.project.subjects.contains(&filing.applied_subject);
    html! {
        div.field.has-error[message.is_some()] {
            label for="applied_subject" { "申报学科：" }
            select #applied_subject name="applied_subject" aria-describedby=[described_by("applied_subject", message)] {
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
