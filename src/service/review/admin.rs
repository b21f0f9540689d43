//! 学校审核 and 主管部门审核 (SPEC §6): the admins' submission lists (by state, with counts, filters and a name
//! search), the full read-only view, approval with 材料真实性核查 and return with a required reason. The city's
//! return at acceptance goes through the same `return_submission`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Loaded, NOT_FOUND, admin_sees, expect_state, leave_message, load_for_admin, transition};
use crate::clock;
use crate::domain::account::Role;
use crate::domain::org::{OrgRef, School};
use crate::domain::review::{
    Check, Decline, MessageKind, Review, ReviewLevel, SubmissionSummary, VERIFICATION_TEXT, VERIFICATION_TITLE,
    check_reason,
};
use crate::domain::submission::{Submission, SubmissionState};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::Reader;

/// What the admin list is asked for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub project_id: Option<u64>,
    pub state: Option<SubmissionState>,
    pub school_id: Option<u64>,
    /// Part of the teacher's name.
    pub query: String,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// One row of the admin list.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub summary: SubmissionSummary,
    pub teacher_name: String,
    pub school_name: String,
    /// An achievement file is also in another teacher's submission or an earlier year's (duplicate signal).
    pub duplicate: bool,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    /// Rows matching every filter but the state (before paging).
    pub total: usize,
    /// How many of the actor's submissions (project and search applied) are in each state.
    pub counts: Vec<(SubmissionState, usize)>,
    pub page: usize,
    pub per_page: usize,
}

impl ListPage {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 200;

/// The review level of an admin, if it reviews at all.
pub fn level_of(actor: &Actor) -> Option<ReviewLevel> {
    match actor.role {
        Role::SchoolAdmin => Some(ReviewLevel::School),
        Role::DepartmentAdmin => Some(ReviewLevel::Department),
        Role::CityAdmin => Some(ReviewLevel::City),
        Role::Expert | Role::Teacher => None,
    }
}

/// Only the admins of the review chain see its lists.
pub(crate) fn require_reviewer(actor: &Actor) -> ServiceResult<()> {
    match level_of(actor) {
        Some(_) => Ok(()),
        None => Err(ServiceError::Forbidden("无权限查看鉴定成果")),
    }
}

impl Services {
    /// The submissions of the actor's scope (school, department or city), drafts left out, newest first.
    pub fn list_submissions(&self, actor: &Actor, filter: &ListFilter) -> ServiceResult<ListPage> {
        require_reviewer(actor)?;
        let snapshot = self.summary_cache.get(&self.store)?;
        let names = &snapshot.teacher_names;
        let query = filter.query.trim();
        let mut summaries: Vec<&SubmissionSummary> = snapshot
            .summaries
            .iter()
            .map(|summary| summary.as_ref())
            .filter(|summary| {
                summary.state != SubmissionState::Draft
                    && summary.versions > 0
                    && admin_sees(actor, summary.school_id, summary.department_id)
                    && filter.project_id.is_none_or(|id| summary.project_id == id)
                    && filter.school_id.is_none_or(|id| summary.school_id == id)
                    && (query.is_empty() || names.get(&summary.teacher_id).is_some_and(|name| name.contains(query)))
            })
            .collect();
        let read = self.store.read()?;
        let mut counts: Vec<(SubmissionState, usize)> = SubmissionState::ALL
            .into_iter()
            .filter(|state| *state != SubmissionState::Draft)
            .map(|state| (state, 0))
            .collect();
        for summary in &summaries {
            if let Some(entry) = counts.iter_mut().find(|(state, _)| *state == summary.state) {
                entry.1 += 1;
            }
        }
        if let Some(state) = filter.state {
            summaries.retain(|summary| summary.state == state);
        }
        summaries.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at).then(b.id.cmp(&a.id)));
        let per_page = match filter.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        };
        let page = filter.page.max(1);
        let total = summaries.len();
        let schools: HashMap<u64, String> =
            read.all::<School>()?.into_iter().map(|school| (school.id, school.name)).collect();
        let mut rows = Vec::new();
        for summary in summaries.into_iter().skip((page - 1).saturating_mul(per_page)).take(per_page) {
            let teacher_name = names.get(&summary.teacher_id).cloned().unwrap_or_default();
            let school_name = schools.get(&summary.school_id).cloned().unwrap_or_default();
            let duplicate = has_duplicate(&read, summary)?;
            rows.push(ListRow { summary: summary.clone(), teacher_name, school_name, duplicate });
        }
        Ok(ListPage { rows, total, counts, page, per_page })
    }

    /// One submission in full for an admin of its scope.
    pub fn review_submission(&self, actor: &Actor, id: u64) -> ServiceResult<Loaded> {
        load_for_admin(&self.store.read()?, actor, id)
    }

    /// 通过: the school (or department) approves, confirming 材料真实性核查：已核，与原件一致.
    pub fn approve_submission(&self, actor: &Actor, id: u64, confirmation: &str) -> ServiceResult<Submission> {
        let level = match level_of(actor) {
            Some(level @ (ReviewLevel::School | ReviewLevel::Department)) => level,
            Some(ReviewLevel::City) => {
                return Err(ServiceError::Forbidden("市级管理员请通过“受理”接收成果"));
            }
            None => return Err(ServiceError::Forbidden("无权限审核")),
        };
        self.store.write(|tx| {
            // Scope first: a submission outside it is 不存在 whatever the form says.
            let mut loaded = load_for_admin(tx, actor, id)?;
            check_level_scope(actor, level, &loaded.submission)?;
            if confirmation.trim() != VERIFICATION_TEXT {
                return Err(ServiceError::field(
                    "verification",
                    format!("请先完成{VERIFICATION_TITLE}，确认“{VERIFICATION_TEXT}”"),
                ));
            }
            expect_state(&loaded.submission, &[level.waiting_state()], &format!("进行{}", level.label()))?;
            check_deadline(level, &loaded, tx.now())?;
            let check = Check {
                by: actor.account_id,
                by_name: actor.name.clone(),
                at: self.clock.now(),
                address: actor.address.clone(),
                statement: format!("{VERIFICATION_TITLE}：{VERIFICATION_TEXT}"),
            };
            let to = level.approved_state(loaded.project.department_review);
            transition(&mut loaded.submission, actor, to, &check.statement, tx.now());
            match level {
                ReviewLevel::School => loaded.review.school_check = Some(check),
                _ => loaded.review.department_check = Some(check),
            }
            tx.put(&loaded.submission)?;
            tx.put(&loaded.review)?;
            audit::record(
                tx,
                Some(actor),
                "submission.approve",
                &format!("submission:{id}"),
                &format!("{}通过（{VERIFICATION_TITLE}：{VERIFICATION_TEXT}）→ {}", level.label(), to.label()),
            )?;
            Ok(loaded.submission)
        })
    }

    /// 退回: back to the teacher as `returned` with the reason, and a 消息提醒. School and department at their
    /// step; the city at acceptance (the anonymisation gate).
    pub fn return_submission(&self, actor: &Actor, id: u64, reason: &str) -> ServiceResult<Submission> {
        let level = level_of(actor).ok_or(ServiceError::Forbidden("无权限退回"))?;
        self.store.write(|tx| {
            // Scope first: a submission outside it is 不存在 whatever the form says.
            let mut loaded = load_for_admin(tx, actor, id)?;
            check_level_scope(actor, level, &loaded.submission)?;
            let reason = check_reason(reason).map_err(|message| ServiceError::field("reason", message))?;
            expect_state(&loaded.submission, &[level.waiting_state()], "退回")?;
            check_deadline(level, &loaded, tx.now())?;
            transition(&mut loaded.submission, actor, SubmissionState::Returned, &reason, tx.now());
            if level == ReviewLevel::City {
                // A returned submission starts over: a new acceptance, and experts assigned by hand so far let go.
                loaded.review.acceptance = None;
                for assignment in loaded.review.assignments.iter_mut().filter(|a| a.active()) {
                    assignment.declined =
                        Some(Decline { at: self.clock.now(), by: actor.account_id, reason: "成果已退回".into() });
                }
                tx.put(&loaded.review)?;
            }
            tx.put(&loaded.submission)?;
            leave_message(tx, &loaded.submission, MessageKind::Returned, level.label(), &reason)?;
            audit::record(
                tx,
                Some(actor),
                "submission.return",
                &format!("submission:{id}"),
                &format!("{}退回：{reason}", level.label()),
            )?;
            Ok(loaded.submission)
        })
    }
}

/// A school admin acts on its own school's submissions, a department admin on its department's; the city
/// reaches every one (its scope was checked when loading).
fn check_level_scope(actor: &Actor, level: ReviewLevel, submission: &Submission) -> ServiceResult<()> {
    let inside = match level {
        ReviewLevel::School => actor.org == OrgRef::School(submission.school_id),
        ReviewLevel::Department => actor.org == OrgRef::Department(submission.department_id),
        ReviewLevel::City => actor.is(Role::CityAdmin),
    };
    if inside { Ok(()) } else { Err(ServiceError::NotFound(NOT_FOUND)) }
}

fn check_deadline(level: ReviewLevel, loaded: &Loaded, now: DateTime<Utc>) -> ServiceResult<()> {
    let end = match level {
        ReviewLevel::School => loaded.project.school_review_end,
        ReviewLevel::Department => loaded.project.department_review_end,
        ReviewLevel::City => return Ok(()),
    };
    if now > end {
        return Err(ServiceError::Conflict(format!("{}已于 {} 截止", level.label(), clock::minute(end))));
    }
    Ok(())
}

/// The duplicate signal for a list row: another teacher's submission, or an earlier year's, holds one of its
/// achievement files. (The detail page says which, via `history::duplicates`.)
fn has_duplicate(read: &impl Reader, summary: &SubmissionSummary) -> ServiceResult<bool> {
    let year = |project_id: u64| -> ServiceResult<i32> {
        Ok(read.get::<crate::domain::project::Project>(project_id)?.map(|project| project.year).unwrap_or(i32::MAX))
    };
    for hash in &summary.achievement_hashes {
        for other_id in super::submissions_with_file(read, hash)? {
            if other_id == summary.id {
                continue;
            }
            let Some(other) = read.get::<SubmissionSummary>(other_id)? else { continue };
            if other.teacher_id != summary.teacher_id || year(other.project_id)? < year(summary.project_id)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The review record of a submission (empty if none yet).
pub fn review_of(read: &impl Reader, id: u64) -> ServiceResult<Review> {
    Ok(read.get::<Review>(id)?.unwrap_or_else(|| Review::new(id)))
}
