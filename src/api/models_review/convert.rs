//! From the review services' values to the API models: the only place they meet.

use super::*;
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
                kind: FileKindCode::of_stored(&stored.kind),
                size: stored.size,
            },
            None => FileOut {
                url: file_href(&stored),
                label: neutral_file.label,
                name: stored.name.clone(),
                kind: FileKindCode::of_stored(&stored.kind),
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
            state: summary.state.into(),
            state_label: summary.state.label().into(),
            applied_subject: summary.applied_subject.clone(),
            titles: summary.titles.clone(),
            versions: summary.versions,
            submitted_at: opt_minute(summary.submitted_at),
            duplicate: row.duplicate,
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
            state: submission.state.into(),
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
            state: row.state.into(),
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
            open: view.closed_reason.is_none(),
            closed_reason: view.closed_reason,
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
            kind: message.kind.into(),
        }
    }
}
