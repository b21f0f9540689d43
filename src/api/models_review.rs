//! The public JSON contract of the review chain (submissions, history, assignments, grades, results, messages).
//! An expert's models carry no name, ID number, school or department: blind review holds in the API too.

mod convert;

use poem_openapi::Object;

use super::enums::{FileKindCode, MessageKindCode, SubmissionStateCode};

pub use convert::{filing_out, history_out};

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StateCount {
    pub state: SubmissionStateCode,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubmissionRowOut {
    pub id: u64,
    pub project_id: u64,
    pub teacher_id: u64,
    pub teacher_name: String,
    pub school_id: u64,
    pub school_name: String,
    pub department_id: u64,
    pub state: SubmissionStateCode,
    pub state_label: String,
    /// 申报学科
    pub applied_subject: String,
    pub titles: Vec<String>,
    /// How many times it was submitted.
    pub versions: u32,
    pub submitted_at: Option<String>,
    /// Duplicate signal: an achievement file is also in another teacher's or an earlier year's submission.
    pub duplicate: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubmissionPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub counts: Vec<StateCount>,
    pub items: Vec<SubmissionRowOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileOut {
    /// e.g. `成果1·成果上传`
    pub label: String,
    /// The uploaded name (admins) or a neutral one such as `成果1.pdf` (experts).
    pub name: String,
    pub kind: FileKindCode,
    pub size: u64,
    pub url: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AchievementOut {
    /// 题目
    pub title: String,
    /// 成果层次
    pub level: String,
    /// 成果类型
    pub type_name: String,
    /// 成果情况, as the sentence of the catalogue.
    pub situation: String,
    /// 是否独立完成
    pub independent: Option<bool>,
    /// 本人承担部分
    pub own_part: String,
    /// Restricted (★) type: the result is valid for this year only (当年有效).
    pub restricted: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FilingOut {
    /// 现专技职务
    pub title: String,
    pub title_date: String,
    pub research_direction: String,
    pub major_college: String,
    pub major_bachelor: String,
    pub major_graduate: String,
    pub applied_subject: String,
    pub teaching_subject: String,
    pub achievements: Vec<AchievementOut>,
    pub files: Vec<FileOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubmissionOut {
    pub id: u64,
    pub project_id: u64,
    pub project_name: String,
    pub state: SubmissionStateCode,
    pub state_label: String,
    pub teacher_id: u64,
    pub teacher_name: String,
    pub school_id: u64,
    pub school_name: String,
    pub department_id: u64,
    pub department_name: String,
    pub versions: u32,
    /// The latest submitted version.
    pub filing: FilingOut,
    pub final_grade: Option<String>,
    pub published_at: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TransitionOut {
    pub at: String,
    pub actor_id: u64,
    pub actor_name: String,
    /// Client address the change came from.
    pub address: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangeOut {
    /// The form's input name, e.g. `achievements.0.title`.
    pub key: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VersionOut {
    pub number: u32,
    pub at: String,
    /// What changed against the version before (empty for the first).
    pub changes: Vec<ChangeOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DuplicateOut {
    pub file: String,
    pub other_submission_id: u64,
    pub other_year: i32,
    pub why: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HistoryOut {
    pub transitions: Vec<TransitionOut>,
    pub versions: Vec<VersionOut>,
    pub duplicates: Vec<DuplicateOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApproveIn {
    /// Must be exactly `已核，与原件一致` (材料真实性核查).
    pub confirmation: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReasonIn {
    pub reason: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoteIn {
    #[oai(default)]
    pub note: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StateOut {
    pub id: u64,
    pub state: SubmissionStateCode,
    pub state_label: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HitOut {
    pub file: String,
    pub found: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AcceptOut {
    /// No identifying text was found: the submission may go to experts.
    pub cleared: bool,
    pub hits: Vec<HitOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssignIn {
    pub expert_id: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssignmentOut {
    pub expert_id: u64,
    pub expert_name: String,
    /// 未评审 / 已暂存 / 已提交 / 已退出
    pub status: String,
    pub grade: String,
    pub opinion: String,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnfilledOut {
    pub submission_id: u64,
    pub reason: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AutoAssignOut {
    pub assigned: u64,
    pub submissions: u64,
    pub unfilled: Vec<UnfilledOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssignableExpertOut {
    pub id: u64,
    pub name: String,
    pub org_name: String,
    pub subjects: Vec<String>,
    pub load: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FinalIn {
    pub grade: String,
    pub opinion: String,
    /// Required when the grade is not the experts' agreement.
    #[oai(default)]
    pub reason: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FinalOut {
    pub grade: String,
    pub opinion: String,
    pub decided_at: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublishIn {
    /// A batch to publish; all decided results of the project when absent.
    pub submission_ids: Option<Vec<u64>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublishOut {
    pub published: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResultOut {
    pub submission_id: u64,
    pub teacher_name: String,
    pub school_name: String,
    pub department_name: String,
    pub applied_subject: String,
    pub state: SubmissionStateCode,
    /// Visible to the city only.
    pub expert_grades: Vec<String>,
    pub final_grade: Option<String>,
    pub final_opinion: Option<String>,
    pub valid_this_year_only: bool,
    pub published_at: Option<String>,
}

/// An assignment as its expert sees it (no identity).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertTaskOut {
    pub submission_id: u64,
    pub project_name: String,
    pub applied_subject: String,
    pub titles: Vec<String>,
    pub status: String,
    pub grade: String,
    pub deadline: String,
}

/// A submission as its expert sees it under blind review: no name, ID number, school or department.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertSubmissionOut {
    pub submission_id: u64,
    pub project_name: String,
    pub grades: Vec<String>,
    pub deadline: String,
    /// The grade can be saved and submitted now.
    pub open: bool,
    /// Why it cannot, when `open` is false (submitted, past the deadline, experts still being assigned…).
    pub closed_reason: Option<String>,
    pub filing: FilingOut,
    pub status: String,
    pub grade: String,
    pub opinion: String,
    /// DOC files keep their author metadata (it cannot be stripped).
    pub has_doc: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AppraisalIn {
    #[oai(default)]
    pub grade: String,
    #[oai(default)]
    pub opinion: String,
    /// `true` submits (final); `false` saves (暂存).
    #[oai(default)]
    pub submit: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MessageOut {
    pub id: u64,
    /// 学校审核 / 主管部门审核 / 市级受理 / 公布等级
    pub sender: String,
    /// `yyyy-mm-dd`
    pub date: String,
    pub text: String,
    pub read: bool,
    pub kind: MessageKindCode,
}

/// How many submissions 提前开始专家评审 opened.
#[derive(Debug, Object)]
pub struct OpenedEarlyOut {
    pub opened: u64,
}
