//! The JSON contract of the teacher's own appraisal (`/api/v1/me/appraisal…`). Field names are the form's input
//! names, so field-error keys (`achievements.0.fields.cip`) point into these bodies the same way.

use std::collections::BTreeMap;

use poem_openapi::Object;

use super::enums::{FileKindCode, FilingStateCode};
use super::errors::FieldErrorBody;
use crate::domain::FieldErrors;
use crate::domain::catalogue::Level;
use crate::domain::filing::{Achievement, FileRef, Filing};
use crate::service::submissions::Appraisal;

/// The teacher's fields of 基本信息 and the confirmation checkbox.
#[derive(Debug, Clone, Object, Default)]
#[oai(rename = "TeacherFilingBasics", skip_serializing_if_is_none)]
pub struct FilingBasics {
    /// 现专技职务 grade: 初级 / 中级 / 副高级
    #[oai(default)]
    pub title_grade: String,
    /// 现专技职务 title, from the project's list, or 其它
    #[oai(default)]
    pub title_name: String,
    /// The title when `title_name` is 其它
    #[oai(default)]
    pub title_other: String,
    /// 取得日期 `yyyy-mm-dd`
    #[oai(default)]
    pub title_date: String,
    /// 研究方向
    #[oai(default)]
    pub research_direction: String,
    /// 大专所学专业 (无 if none)
    #[oai(default)]
    pub major_college: String,
    /// 本科所学专业
    #[oai(default)]
    pub major_bachelor: String,
    /// 研究生所学专业
    #[oai(default)]
    pub major_graduate: String,
    /// 申报学科, from the project's list
    #[oai(default)]
    pub applied_subject: String,
    /// 现任教学科
    #[oai(default)]
    pub teaching_subject: String,
    /// 本人已认真阅读“填报说明”，并按照上述要求进行填报。
    #[oai(default)]
    pub confirmed_instructions: bool,
}

/// One achievement's typed values.
#[derive(Debug, Clone, Object, Default)]
#[oai(rename = "TeacherAchievementIn", skip_serializing_if_is_none)]
pub struct AchievementIn {
    /// 题目
    #[oai(default)]
    pub title: String,
    /// 成果层次: `formal` 正式出版, `public` 公开发表, `deemed` 视作发表, `exchange` 交流
    pub level: Option<String>,
    /// 成果类型 code from the project's catalogue (e.g. `monograph`)
    #[oai(default)]
    pub type_code: String,
    /// 成果情况 values by the type's field keys (e.g. `cip`, `rank`)
    #[oai(default)]
    pub fields: BTreeMap<String, String>,
    /// 是否独立完成
    pub independent: Option<bool>,
    /// 本人承担部分 (at most 255 UTF-8 bytes)
    #[oai(default)]
    pub own_part: String,
}

/// What `PUT /me/appraisal` and `POST /me/appraisal/submit` take. Files are not part of it: they stay with the
/// achievement at the same position and are changed through the file endpoints.
#[derive(Debug, Clone, Object)]
#[oai(rename = "TeacherFilingIn", skip_serializing_if_is_none)]
pub struct FilingIn {
    #[oai(flatten)]
    pub basics: FilingBasics,
    /// 教研成果信息 1..N (at most the project's maximum; no project allows more than 10, which the document
    /// states so that a longer list is refused before it is converted)
    #[oai(default, validator(max_items = 10))]
    pub achievements: Vec<AchievementIn>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "TeacherFileOut", skip_serializing_if_is_none)]
pub struct FileOut {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    /// Detected from the content (a filing holds `pdf`, `doc`, `docx`, `mp4` or `zip`).
    pub kind: FileKindCode,
    /// Download address (this API).
    pub url: String,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "TeacherAchievementOut", skip_serializing_if_is_none)]
pub struct AchievementOut {
    #[oai(flatten)]
    pub values: AchievementIn,
    /// 成果上传
    pub achievement_file: Option<FileOut>,
    /// 个人贡献情况表
    pub contribution_file: Option<FileOut>,
    /// 证明材料 by slot code (`formal`, `public`, `unit_signed`, `award`, `exchange`, `school_course`, `project`,
    /// `own_resource`)
    pub evidence: BTreeMap<String, FileOut>,
}

/// The teacher's appraisal as it stands.
#[derive(Debug, Object)]
#[oai(rename = "TeacherAppraisalOut", skip_serializing_if_is_none)]
pub struct AppraisalOut {
    pub project_id: u64,
    pub project_name: String,
    pub submission_id: Option<u64>,
    /// `none` (未填报) or the submission's state.
    pub state: FilingStateCode,
    pub state_label: String,
    /// The integrity pledge was accepted (in the web form) for this project.
    pub pledged: bool,
    /// When it was accepted (RFC 3339).
    pub pledge_accepted_at: Option<String>,
    /// Version label and SHA-256 of the exact pledge text accepted.
    pub pledge_version: Option<String>,
    pub pledge_sha256: Option<String>,
    /// 暂存 / 提交 possible now.
    pub editable: bool,
    /// 撤回 possible now.
    pub can_withdraw: bool,
    /// Why the filing window is closed, if it is.
    pub closed_reason: Option<String>,
    pub max_achievements: u64,
    /// Submitted versions kept so far.
    pub versions: u64,
    #[oai(flatten)]
    pub basics: FilingBasics,
    pub achievements: Vec<AchievementOut>,
    /// Format problems of the stored draft (shown, not blocking).
    pub format_errors: Vec<FieldErrorBody>,
}

impl FilingIn {
    pub fn to_filing(&self) -> Filing {
        let basics = &self.basics;
        Filing {
            title_grade: basics.title_grade.clone(),
            title_name: basics.title_name.clone(),
            title_other: basics.title_other.clone(),
            title_date: basics.title_date.clone(),
            research_direction: basics.research_direction.clone(),
            major_college: basics.major_college.clone(),
            major_bachelor: basics.major_bachelor.clone(),
            major_graduate: basics.major_graduate.clone(),
            applied_subject: basics.applied_subject.clone(),
            teaching_subject: basics.teaching_subject.clone(),
            confirmed_instructions: basics.confirmed_instructions,
            achievements: self
                .achievements
                .iter()
                .map(|achievement| Achievement {
                    title: achievement.title.clone(),
                    level: achievement.level.as_deref().and_then(Level::from_code),
                    type_code: achievement.type_code.clone(),
                    fields: achievement.fields.clone(),
                    independent: achievement.independent,
                    own_part: achievement.own_part.clone(),
                    ..Achievement::default()
                })
                .collect(),
        }
    }
}

pub fn file_out(file: &FileRef) -> FileOut {
    FileOut {
        sha256: file.sha256.clone(),
        name: file.name.clone(),
        size: file.size,
        kind: FileKindCode::of_stored(&file.kind),
        url: format!("/api/v1/files/{}", file.sha256),
    }
}

pub fn field_errors_out(errors: FieldErrors) -> Vec<FieldErrorBody> {
    errors.0.into_iter().map(|error| FieldErrorBody { field: error.field, message: error.message }).collect()
}

impl AppraisalOut {
    pub fn from(appraisal: &Appraisal) -> Self {
        let filing = appraisal.filing();
        let submission = appraisal.submission.as_ref();
        let pledge = submission.and_then(|submission| submission.pledge.as_ref());
        let basics = FilingBasics {
            title_grade: filing.title_grade.clone(),
            title_name: filing.title_name.clone(),
            title_other: filing.title_other.clone(),
            title_date: filing.title_date.clone(),
            research_direction: filing.research_direction.clone(),
            major_college: filing.major_college.clone(),
            major_bachelor: filing.major_bachelor.clone(),
            major_graduate: filing.major_graduate.clone(),
            applied_subject: filing.applied_subject.clone(),
            teaching_subject: filing.teaching_subject.clone(),
            confirmed_instructions: filing.confirmed_instructions,
        };
        let achievements = filing
            .achievements
            .iter()
            .map(|achievement| AchievementOut {
                values: AchievementIn {
                    title: achievement.title.clone(),
                    level: achievement.level.map(|level| level.code().to_string()),
                    type_code: achievement.type_code.clone(),
                    fields: achievement.fields.clone(),
                    independent: achievement.independent,
                    own_part: achievement.own_part.clone(),
                },
                achievement_file: achievement.achievement_file.as_ref().map(file_out),
                contribution_file: achievement.contribution_file.as_ref().map(file_out),
                evidence: achievement
                    .evidence
                    .iter()
                    .map(|(slot, file)| (slot.code().to_string(), file_out(file)))
                    .collect(),
            })
            .collect();
        Self {
            project_id: appraisal.project.id,
            project_name: appraisal.project.name.clone(),
            submission_id: submission.map(|submission| submission.id),
            state: appraisal.state().into(),
            state_label: appraisal.state().map(|state| state.label()).unwrap_or("未填报").to_string(),
            pledged: appraisal.pledged(),
            pledge_accepted_at: pledge.map(|pledge| pledge.at.to_rfc3339()),
            pledge_version: pledge.map(|pledge| pledge.text_version.clone()),
            pledge_sha256: pledge.map(|pledge| pledge.text_sha256.clone()),
            editable: appraisal.editable(),
            can_withdraw: appraisal.can_withdraw(),
            closed_reason: appraisal.closed_reason.clone(),
            max_achievements: appraisal.project.max_achievements as u64,
            versions: submission.map(|submission| submission.versions.len() as u64).unwrap_or_default(),
            basics,
            achievements,
            format_errors: field_errors_out(appraisal.format_errors()),
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ParseFromJSON;

    use super::FilingIn;
    use crate::domain::filing::MAX_ACHIEVEMENTS_LIMIT;

    #[test]
    fn a_list_longer_than_any_projects_limit_is_refused_as_it_is_parsed() {
        let list = |n: usize| serde_json::json!({ "achievements": vec![serde_json::json!({}); n] });
        assert!(FilingIn::parse_from_json(Some(list(MAX_ACHIEVEMENTS_LIMIT))).is_ok());
        assert!(FilingIn::parse_from_json(Some(list(MAX_ACHIEVEMENTS_LIMIT + 1))).is_err());
    }
}
