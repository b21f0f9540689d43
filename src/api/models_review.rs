//! The public JSON contract of the review chain (submissions, history, assignments, grades, results, messages).
//! An expert's models carry no name, ID number, school or department: blind review holds in the API too.

use poem_openapi::Object;

use crate::clock;
use crate::domain::catalogue::Catalogue;
use crate::domain::filing::Filing;
use crate::domain::review::Message;
use crate::service::review::Loaded;
use crate::service::review::admin::ListRow;
use crate::service::review::expert::{ExpertTask, ExpertView, neutral_files};
use crate::service::review::history::{Duplicate, History};
use crate::service::review::results::{ExpertGrade, ResultRow};
use crate::web::pages::review_view::file_href;

#[derive(Debug, Object)]
pub struct StateCount {
    /// `submitted`, `school_approved`, `accepted`, `under_review`, `reviewed`, `published`, `returned`.
    pub state: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct SubmissionRowOut {
    pub id: u64,
    pub project_id: u64,
    pub teacher_id: u64,
    pub teacher_name: String,
    pub school_id: u64,
    pub school_name: String,
    pub department_id: u64,
    pub state: String,
    pub state_label: String,
    /// 申报学科
    pub applied_subject: String,
    pub titles: Vec<String>,
    /// How many times it was submitted.
    pub versions: u32,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Object)]
pub struct SubmissionPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub counts: Vec<StateCount>,
    pub items: Vec<SubmissionRowOut>,
}

#[derive(Debug, Object)]
pub struct FileOut {
    /// e.g. `成果1·成果上传`
    pub label: String,
    /// The uploaded name (admins) or a neutral one such as `成果1.pdf` (experts).
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub url: String,
}

#[derive(Debug, Object)]
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
pub struct SubmissionOut {
    pub id: u64,
    pub project_id: u64,
    pub project_name: String,
    pub state: String,
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
pub struct ChangeOut {
    /// The form's input name, e.g. `achievements.0.title`.
    pub key: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Object)]
pub struct VersionOut {
    pub number: u32,
    pub at: String,
    /// What changed against the version before (empty for the first).
    pub changes: Vec<ChangeOut>,
}

#[derive(Debug, Object)]
pub struct DuplicateOut {
    pub file: String,
    pub other_submission_id: u64,
    pub other_year: i32,
    pub why: String,
}

#[derive(Debug, Object)]
pub struct HistoryOut {
    pub transitions: Vec<TransitionOut>,
    pub versions: Vec<VersionOut>,
    pub duplicates: Vec<DuplicateOut>,
}

#[derive(Debug, Object)]
pub struct ApproveIn {
    /// Must be exactly `已核，与原件一致` (材料真实性核查).
    pub confirmation: String,
}

#[derive(Debug, Object)]
pub struct ReasonIn {
    pub reason: String,
}

#[derive(Debug, Object)]
pub struct NoteIn {
    #[oai(default)]
    pub note: String,
}

#[derive(Debug, Object)]
pub struct StateOut {
    pub id: u64,
    pub state: String,
    pub state_label: String,
}

#[derive(Debug, Object)]
pub struct HitOut {
    pub file: String,
    pub found: Vec<String>,
}

#[derive(Debug, Object)]
pub struct AcceptOut {
    /// No identifying text was found: the submission may go to experts.
    pub cleared: bool,
    pub hits: Vec<HitOut>,
}

#[derive(Debug, Object)]
pub struct AssignIn {
    pub expert_id: u64,
}

#[derive(Debug, Object)]
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
pub struct UnfilledOut {
    pub submission_id: u64,
    pub reason: String,
}

#[derive(Debug, Object)]
pub struct AutoAssignOut {
    pub assigned: u64,
    pub submissions: u64,
    pub unfilled: Vec<UnfilledOut>,
}

#[derive(Debug, Object)]
pub struct AssignableExpertOut {
    pub id: u64,
    pub name: String,
    pub org_name: String,
    pub subjects: Vec<String>,
    pub load: u64,
}

#[derive(Debug, Object)]
pub struct FinalIn {
    pub grade: String,
    pub opinion: String,
    /// Required when the grade is not the experts' agreement.
    #[oai(default)]
    pub reason: String,
}

#[derive(Debug, Object)]
pub struct FinalOut {
    pub grade: String,
    pub opinion: String,
    pub decided_at: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Object)]
pub struct PublishIn {
    /// A batch to publish; all decided results of the project when absent.
    pub submission_ids: Option<Vec<u64>>,
}

#[derive(Debug, Object)]
pub struct PublishOut {
    pub published: u64,
}

#[derive(Debug, Object)]
pub struct ResultOut {
    pub submission_id: u64,
    pub teacher_name: String,
    pub school_name: String,
    pub department_name: String,
    pub applied_subject: String,
    pub state: String,
    /// Visible to the city only.
    pub expert_grades: Vec<String>,
    pub final_grade: Option<String>,
    pub final_opinion: Option<String>,
    pub valid_this_year_only: bool,
    pub published_at: Option<String>,
}

/// An assignment as its expert sees it (no identity).
#[derive(Debug, Object)]
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
pub struct ExpertSubmissionOut {
    pub submission_id: u64,
    pub project_name: String,
    pub grades: Vec<String>,
    pub deadline: String,
    pub open: bool,
    pub filing: FilingOut,
    pub status: String,
    pub grade: String,
    pub opinion: String,
    /// DOC files keep their author metadata (it cannot be stripped).
    pub has_doc: bool,
}

#[derive(Debug, Object)]
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
pub struct MessageOut {
    pub id: u64,
    /// 学校审核 / 主管部门审核 / 市级受理 / 公布等级
    pub sender: String,
    /// `yyyy-mm-dd`
    pub date: String,
    pub text: String,
    pub read: bool,
    /// `returned` or `published`
    pub kind: String,
}

fn opt_minute(at: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    at.map(clock::minute)
}

/// The filing as JSON; `neutral` is `Some(submission_id)` for an expert (neutral names and links).
pub fn filing_out(filing: &Filing, catalogue: &Catalogue, neutral: Option<u64>) -> FilingOut {
    let title = if filing.title_name == crate::domain::filing::OTHER_TITLE {
        format!("{} {}（{}）", filing.title_grade, filing.title_name, filing.title_other)
    } else {
        format!("{} {}", filing.title_grade, filing.title_name)
    };
    let achievements = filing
        .achievements
        .iter()
        .map(|achievement| {
            let kind = catalogue.get(&achievement.type_code);
            AchievementOut {
                title: achievement.title.clone(),
                level: achievement.level.map(|level| level.label().to_string()).unwrap_or_default(),
                type_name: kind.map(|k| k.name.clone()).unwrap_or_else(|| achievement.type_code.clone()),
                situation: kind.map(|k| k.render_sentence(&achievement.fields)).unwrap_or_default(),
                independent: achievement.independent,
                own_part: achievement.own_part.clone(),
                restricted: kind.is_some_and(|k| k.restricted()),
            }
        })
        .collect();
    let files = neutral_files(filing)
        .into_iter()
        .map(|(neutral_file, stored)| match neutral {
            Some(id) => FileOut {
                url: format!("/expert/submissions/{id}/files/{}", neutral_file.number),
                label: neutral_file.label,
                name: neutral_file.name,
                kind: stored.kind.clone(),
                size: stored.size,
            },
            None => FileOut {
                url: file_href(&stored),
                label: neutral_file.label,
                name: stored.name.clone(),
                kind: stored.kind.clone(),
                size: stored.size,
            },
        })
        .collect();
    FilingOut {
        title,
        title_date: filing.title_date.clone(),
        research_direction: filing.research_direction.clone(),
        major_college: filing.major_college.clone(),
        major_bachelor: filing.major_bachelor.clone(),
        major_graduate: filing.major_graduate.clone(),
        applied_subject: filing.applied_subject.clone(),
        teaching_subject: filing.teaching_subject.clone(),
        achievements,
        files,
    }
}

impl From<&ListRow> for SubmissionRowOut {
    fn from(row: &ListRow) -> Self {
        let summary = &row.summary;
        Self {
            id: summary.id,
            project_id: summary.project_id,
            teacher_id: summary.teacher_id,
            teacher_name: row.teacher_name.clone(),
            school_id: summary.school_id,
            school_name: row.school_name.clone(),
            department_id: summary.department_id,
            state: summary.state.code().into(),
            state_label: summary.state.label().into(),
            applied_subject: summary.applied_subject.clone(),
            titles: summary.titles.clone(),
            versions: summary.versions,
            submitted_at: opt_minute(summary.submitted_at),
        }
    }
}

impl From<&Loaded> for SubmissionOut {
    fn from(loaded: &Loaded) -> Self {
        let submission = &loaded.submission;
        Self {
            id: submission.id,
            project_id: submission.project_id,
            project_name: loaded.project.name.clone(),
            state: submission.state.code().into(),
            state_label: submission.state.label().into(),
            teacher_id: submission.teacher_id,
            teacher_name: loaded.teacher.name.clone(),
            school_id: submission.school_id,
            school_name: loaded.school.name.clone(),
            department_id: submission.department_id,
            department_name: loaded.department_name(),
            versions: submission.versions.len() as u32,
            filing: filing_out(loaded.filing(), &loaded.project.catalogue, None),
            final_grade: submission.result.as_ref().map(|r| r.grade.clone()),
            published_at: submission.result.as_ref().and_then(|r| opt_minute(r.published_at)),
        }
    }
}

pub fn history_out(history: History, duplicates: Vec<Duplicate>) -> HistoryOut {
    HistoryOut {
        transitions: history
            .transitions
            .into_iter()
            .map(|t| TransitionOut {
                at: clock::minute(t.at),
                actor_id: t.actor_id,
                actor_name: t.actor_name,
                address: t.address,
                from: t.from.code().into(),
                to: t.to.code().into(),
                reason: t.reason,
            })
            .collect(),
        versions: history
            .versions
            .into_iter()
            .map(|v| VersionOut {
                number: v.number,
                at: clock::minute(v.at),
                changes: v
                    .changes
                    .into_iter()
                    .map(|c| ChangeOut { key: c.key, field: c.field, before: c.before, after: c.after })
                    .collect(),
            })
            .collect(),
        duplicates: duplicates
            .into_iter()
            .map(|d| DuplicateOut {
                file: d.file,
                other_submission_id: d.other_submission_id,
                other_year: d.other_year,
                why: d.why.into(),
            })
            .collect(),
    }
}

impl From<ExpertGrade> for AssignmentOut {
    fn from(grade: ExpertGrade) -> Self {
        Self {
            expert_id: grade.expert_id,
            expert_name: grade.expert_name,
            status: grade.status.into(),
            grade: grade.grade,
            opinion: grade.opinion,
            submitted_at: opt_minute(grade.submitted_at),
        }
    }
}

impl From<ResultRow> for ResultOut {
    fn from(row: ResultRow) -> Self {
        Self {
            submission_id: row.submission_id,
            teacher_name: row.teacher_name,
            school_name: row.school_name,
            department_name: row.department_name,
            applied_subject: row.applied_subject,
            state: row.state.code().into(),
            expert_grades: row.expert_grades,
            final_grade: row.result.as_ref().map(|r| r.grade.clone()),
            final_opinion: row.result.as_ref().map(|r| r.opinion.clone()),
            valid_this_year_only: row.valid_this_year_only,
            published_at: row.result.as_ref().and_then(|r| opt_minute(r.published_at)),
        }
    }
}

impl From<ExpertTask> for ExpertTaskOut {
    fn from(task: ExpertTask) -> Self {
        Self {
            submission_id: task.submission_id,
            project_name: task.project_name,
            applied_subject: task.applied_subject,
            titles: task.titles,
            status: task.status.into(),
            grade: task.grade,
            deadline: clock::minute(task.deadline),
        }
    }
}

impl From<ExpertView> for ExpertSubmissionOut {
    fn from(view: ExpertView) -> Self {
        Self {
            submission_id: view.submission_id,
            filing: filing_out(&view.filing, &view.catalogue, Some(view.submission_id)),
            project_name: view.project_name,
            grades: view.grades,
            deadline: clock::minute(view.deadline),
            open: view.open,
            status: view.assignment.status_label().into(),
            grade: view.assignment.grade,
            opinion: view.assignment.opinion,
            has_doc: view.has_doc,
        }
    }
}

impl From<Message> for MessageOut {
    fn from(message: Message) -> Self {
        Self {
            id: message.id,
            sender: message.sender,
            date: clock::day(message.at),
            text: message.text,
            read: message.read_at.is_some(),
            kind: match message.kind {
                crate::domain::review::MessageKind::Returned => "returned".into(),
                crate::domain::review::MessageKind::Published => "published".into(),
            },
        }
    }
}
