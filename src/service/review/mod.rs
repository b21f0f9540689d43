//! The review chain after 提交 (SPEC §6), shared by the pages and the API: the admins' lists and read-only view,
//! school and department review (`admin.rs`), the city's acceptance, anonymisation gate and expert assignment
//! (`city.rs`), opening expert review before its window (`early.rs`), the experts' blind appraisal (`expert.rs`),
//! final grades, publication and export (`results.rs`), the teacher's 消息提醒 and home status (`messages.rs`),
//! history, diffs and the duplicate signal (`history.rs`).
//!
//! Every function takes the acting user and decides scope here: a submission outside the actor's school,
//! department or assignments answers "not found", exactly like one that does not exist.

pub mod admin;
pub mod city;
pub mod early;
pub mod expert;
pub mod history;
pub mod list_cache;
pub mod messages;
pub mod results;

use chrono::{DateTime, Utc};

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use crate::domain::account::{Account, Role};
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::project::Project;
use crate::domain::review::{Message, MessageKind, Review};
use crate::domain::submission::{Submission, SubmissionState, Transition};
use crate::store::{Reader, StoreError, WriteTx, tables};

pub const NOT_FOUND: &str = "鉴定成果不存在";

/// A submission with everything around it that a reviewer's page shows.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub submission: Submission,
    pub project: Project,
    pub teacher: Account,
    pub school: School,
    pub department: Option<Department>,
    pub review: Review,
}

impl Loaded {
    /// The version reviewers look at: the latest submitted one (a returned submission's working copy may be
    /// half-edited by the teacher).
    pub fn filing(&self) -> &crate::domain::filing::Filing {
        self.submission.versions.last().map(|version| &version.filing).unwrap_or(&self.submission.filing)
    }

    pub fn department_name(&self) -> String {
        self.department.as_ref().map(|department| department.name.clone()).unwrap_or_default()
    }
}

/// May this admin read this submission? School admins their school's, department admins their department's,
/// the city all. Drafts are the teacher's own business until first submitted.
pub fn admin_sees(actor: &Actor, school_id: u64, department_id: u64) -> bool {
    match actor.role {
        Role::CityAdmin => true,
        Role::DepartmentAdmin => actor.org == OrgRef::Department(department_id),
        Role::SchoolAdmin => actor.org == OrgRef::School(school_id),
        Role::Expert | Role::Teacher => false,
    }
}

/// Loads a submission and its surroundings without any scope check (callers check).
pub fn load(reader: &impl Reader, id: u64) -> ServiceResult<Loaded> {
    let submission = reader.get::<Submission>(id)?.ok_or(ServiceError::NotFound(NOT_FOUND))?;
    let project = reader.get::<Project>(submission.project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
    let teacher = reader.get::<Account>(submission.teacher_id)?.ok_or(ServiceError::NotFound(NOT_FOUND))?;
    let school = reader.get::<School>(submission.school_id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
    let department = reader.get::<Department>(submission.department_id)?;
    let review = reader.get::<Review>(id)?.unwrap_or_else(|| Review::new(id));
    Ok(Loaded { submission, project, teacher, school, department, review })
}

/// Loads a submission an admin may read (not drafts), else "not found".
pub fn load_for_admin(reader: &impl Reader, actor: &Actor, id: u64) -> ServiceResult<Loaded> {
    let loaded = load(reader, id)?;
    let submission = &loaded.submission;
    if !admin_sees(actor, submission.school_id, submission.department_id) || submission.versions.is_empty() {
        return Err(ServiceError::NotFound(NOT_FOUND));
    }
    Ok(loaded)
}

/// Records a state change on the submission (who, when, from where, why).
pub fn transition(submission: &mut Submission, actor: &Actor, to: SubmissionState, reason: &str, now: DateTime<Utc>) {
    submission.history.push(Transition {
        at: now,
        actor_id: actor.account_id,
        actor_name: actor.name.clone(),
        address: actor.address.clone(),
        from: submission.state,
        to,
        reason: reason.to_string(),
    });
    submission.state = to;
    submission.updated_at = now;
}

/// Refuses unless the submission waits in `expected`.
pub fn expect_state(submission: &Submission, expected: &[SubmissionState], action: &str) -> ServiceResult<()> {
    if expected.contains(&submission.state) {
        return Ok(());
    }
    Err(ServiceError::Conflict(format!("该成果当前状态为“{}”，不能{action}", submission.state.label())))
}

/// Leaves a 消息提醒 for the submission's teacher, in the caller's transaction.
pub fn leave_message(
    tx: &WriteTx,
    submission: &Submission,
    kind: MessageKind,
    sender: &str,
    text: &str,
) -> Result<(), StoreError> {
    let message = Message {
        id: tx.next_id()?,
        teacher_id: submission.teacher_id,
        submission_id: submission.id,
        project_id: submission.project_id,
        kind,
        sender: sender.to_string(),
        text: text.to_string(),
        at: tx.now(),
        read_at: None,
    };
    tx.put(&message)?;
    tx.multimap_insert(tables::MESSAGES_BY_TEACHER, &format!("teacher:{}", submission.teacher_id), message.id)
}

pub fn require(actor: &Actor, role: Role, message: &'static str) -> ServiceResult<()> {
    if actor.role == role { Ok(()) } else { Err(ServiceError::Forbidden(message)) }
}

/// Every submission that ever referenced the content `sha256` (the filing module's `files` table, which it keeps
/// as versions are saved and submitted): the source of the duplicate signal.
pub fn submissions_with_file(read: &impl Reader, sha256: &str) -> ServiceResult<Vec<u64>> {
    let stored: Option<crate::domain::stored_file::StoredFile> = read.get_keyed(tables::FILES, sha256)?;
    Ok(stored.map(|file| file.submissions.into_iter().collect()).unwrap_or_default())
}
