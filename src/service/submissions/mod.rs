//! The teacher's appraisal (SPEC §4, the manual's 5. 教科研成果鉴定): finding the teacher's project, the integrity
//! pledge, the submission record and its indexes. Editing (暂存 / 提交 / 撤回) is in `editing.rs`, uploads and
//! downloads in `files.rs`, who may read a submission in `access.rs`.
//!
//! One submission per teacher per project, created when the teacher accepts the pledge. Its indexes
//! (`SUBMISSION_BY_TEACHER`, `SUBMISSIONS_BY_KEY`) change only through `insert_submission` and
//! `move_submission_school`, always in the transaction that changes the record.

mod access;
mod editing;
mod files;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

pub use access::may_read;
pub use editing::{FileChange, FilingEdit, Saved, SubmitOutcome};
pub use files::{Download, FileSlot, FileTarget, Received, UploadPermit};

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::sessions::Session;
use super::{Services, audit};
use crate::domain::FieldErrors;
use crate::domain::account::{Account, Role};
use crate::domain::filing::{FileLimits, Filing, FilingRules, check_formats};
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::pledge;
use crate::domain::project::Project;
use crate::domain::submission::{PledgeAcceptance, Submission, SubmissionState};
use crate::store::{Reader, StoreError, WriteTx, tables};

/// The 无权限 page's text (the manual, 7.3), shown to a teacher whose school chose no project.
pub const NO_PROJECT: &str = "该情况为学校管理员未在用户管理中选择申报项目。请申报教师及时联系学校管理员。";

/// Everything the 教科研成果鉴定 pages need about the signed-in teacher's appraisal.
#[derive(Debug, Clone)]
pub struct Appraisal {
    pub project: Project,
    pub teacher: Account,
    pub school: School,
    pub department: Department,
    pub submission: Option<Submission>,
    /// Why the filing window is closed (the form is then read-only), if it is.
    pub closed_reason: Option<String>,
    /// The operator's size limits (`[uploads]`), which 提交 checks as the upload did.
    pub limits: FileLimits,
    /// The Shanghai date it was loaded on, by the services' clock (the "not in the future" rules).
    pub today: chrono::NaiveDate,
}

impl Appraisal {
    /// The pledge has been accepted for this project (it is then never asked again).
    pub fn pledged(&self) -> bool {
        self.submission.as_ref().is_some_and(|submission| submission.pledge.is_some())
    }

    pub fn state(&self) -> Option<SubmissionState> {
        self.submission.as_ref().map(|submission| submission.state)
    }

    /// 暂存 and 提交 are possible: pledged, in a state the teacher edits, inside the filing window.
    pub fn editable(&self) -> bool {
        self.pledged() && self.closed_reason.is_none() && self.state().is_some_and(SubmissionState::editable_by_teacher)
    }

    /// 撤回 is possible: submitted, the school has not acted yet, and the window is open so it can be resubmitted.
    pub fn can_withdraw(&self) -> bool {
        self.closed_reason.is_none() && self.state() == Some(SubmissionState::Submitted)
    }

    /// The working copy (what the form shows).
    pub fn filing(&self) -> Filing {
        self.submission.as_ref().map(|submission| submission.filing.clone()).unwrap_or_default()
    }

    /// What this teacher's filing is checked against today.
    pub fn rules(&self) -> FilingRules<'_> {
        FilingRules {
            catalogue: &self.project.catalogue,
            max_achievements: self.project.max_achievements,
            subjects: &self.project.subjects,
            title_names: &self.project.title_names,
            school_type: self.school.school_type,
            birth_date: self.teacher.teacher.as_ref().and_then(|profile| profile.birth_date),
            today: self.today,
            limits: self.limits,
        }
    }

    /// The format problems of the stored draft, shown (not blocking) every time the form is opened.
    pub fn format_errors(&self) -> FieldErrors {
        if !self.editable() {
            return FieldErrors::new();
        }
        check_formats(&self.filing(), &self.rules()).1
    }
}

/// The pledge as served: when it was served and how long the teacher must still wait.
pub struct PledgeServed {
    pub appraisal: Appraisal,
    pub seconds_left: i64,
}

impl Services {
    /// The signed-in teacher's appraisal for the project the school chose. A teacher without a project gets
    /// `Forbidden(NO_PROJECT)`; other roles have no appraisal of their own.
    pub fn appraisal(&self, actor: &Actor) -> ServiceResult<Appraisal> {
        let read = self.store.read()?;
        load_appraisal(&read, actor, self.file_limits(), self.clock.now())
    }

    /// The filed-file size limits the operator configured.
    pub fn file_limits(&self) -> FileLimits {
        FileLimits { document_mib: self.config.uploads.document_mib, media_mib: self.config.uploads.media_mib }
    }

    /// Serves the pledge: remembers in the session when it was shown, for the 15-second rule. `restart` is false
    /// when the page is shown again after a refused 同意, so the teacher does not wait from zero again.
    pub fn serve_pledge(
        &self,
        actor: &Actor,
        token: &str,
        session: &Session,
        restart: bool,
    ) -> ServiceResult<PledgeServed> {
        let appraisal = self.appraisal(actor)?;
        let now = self.clock.now();
        let project_id = appraisal.project.id;
        let served = match session.pledge_served.get(&project_id) {
            Some(at) if !restart => *at,
            _ => {
                let mut session = session.clone();
                session.pledge_served.insert(project_id, now);
                self.sessions.save(&self.store, token, &session)?;
                now
            }
        };
        let seconds_left = (pledge::READ_SECONDS - (now - served).num_seconds()).clamp(0, pledge::READ_SECONDS);
        Ok(PledgeServed { appraisal, seconds_left })
    }

    /// 同意: the box must be ticked (请勾选承诺) and the pledge must have been served at least 15 seconds ago
    /// (`pledge_served` is the session's record of when it served the pledge, per project). Creates the submission on first acceptance and stores the evidence:
    /// time, address, text version and the SHA-256 of the exact text. Accepting again changes nothing.
    pub fn accept_pledge(
        &self,
        actor: &Actor,
        pledge_served: &HashMap<u64, DateTime<Utc>>,
        ticked: bool,
    ) -> ServiceResult<Submission> {
        let appraisal = self.appraisal(actor)?;
        let served_at = pledge_served.get(&appraisal.project.id).copied();
        if let (true, Some(submission)) = (appraisal.pledged(), &appraisal.submission) {
            return Ok(submission.clone());
        }
        if let Some(reason) = &appraisal.closed_reason {
            return Err(ServiceError::Conflict(reason.clone()));
        }
        if !ticked {
            return Err(ServiceError::field("agree", pledge::UNTICKED));
        }
        let now = self.clock.now();
        let waited = served_at.is_some_and(|served| (now - served).num_seconds() >= pledge::READ_SECONDS);
        if !waited {
            return Err(ServiceError::field("agree", pledge::too_early_message()));
        }
        self.store.write(|tx| {
            let mut submission = ensure_submission(tx, actor, &appraisal)?;
            if submission.pledge.is_none() {
                submission.pledge = Some(PledgeAcceptance {
                    at: now,
                    address: actor.address.clone(),
                    text_version: pledge::VERSION.to_string(),
                    text_sha256: pledge::text_sha256(),
                });
                submission.updated_at = now;
                tx.put(&submission)?;
                audit::record(
                    tx,
                    Some(actor),
                    "submission.pledge",
                    &format!("submission:{}", submission.id),
                    &format!("诚信承诺书 {} 已同意", pledge::VERSION),
                )?;
            }
            Ok(submission)
        })
    }
}

/// Reads the teacher's project, school, department and submission in one snapshot.
pub(crate) fn load_appraisal(
    read: &impl Reader,
    actor: &Actor,
    limits: FileLimits,
    now: DateTime<Utc>,
) -> ServiceResult<Appraisal> {
    if !actor.is(Role::Teacher) {
        return Err(ServiceError::Forbidden("教科研成果鉴定仅供申报教师填报"));
    }
    let teacher = read.get::<Account>(actor.account_id)?.ok_or(ServiceError::Unauthenticated)?;
    let OrgRef::School(school_id) = teacher.org else {
        return Err(ServiceError::Forbidden(NO_PROJECT));
    };
    let project_id = teacher.teacher.as_ref().and_then(|profile| profile.project_id);
    let project = match project_id {
        Some(id) => read.get::<Project>(id)?,
        None => None,
    };
    let Some(project) = project else {
        return Err(ServiceError::Forbidden(NO_PROJECT));
    };
    let school = read.get::<School>(school_id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
    let department = read.get::<Department>(school.department_id)?.ok_or(ServiceError::NotFound("主管部门不存在"))?;
    let submission = match read.lookup(tables::SUBMISSION_BY_TEACHER, &teacher_key(project.id, teacher.id))? {
        Some(id) => read.get::<Submission>(id)?,
        None => None,
    };
    let closed_reason = project.editing_closed_reason(submission.as_ref().map(|s| s.state), now);
    let today = crate::clock::date(now);
    Ok(Appraisal { project, teacher, school, department, submission, closed_reason, limits, today })
}

/// The `SUBMISSION_BY_TEACHER` key.
pub fn teacher_key(project_id: u64, teacher_id: u64) -> String {
    format!("{project_id}:{teacher_id}")
}

/// The teacher's submission for the appraisal's project, created (with its indexes and an audit entry) if there
/// is none yet.
fn ensure_submission(tx: &WriteTx, actor: &Actor, appraisal: &Appraisal) -> ServiceResult<Submission> {
    let key = teacher_key(appraisal.project.id, appraisal.teacher.id);
    if let Some(id) = tx.lookup(tables::SUBMISSION_BY_TEACHER, &key)?
        && let Some(submission) = tx.get::<Submission>(id)?
    {
        return Ok(submission);
    }
    let now = tx.now();
    let submission = Submission {
        id: tx.next_id()?,
        project_id: appraisal.project.id,
        teacher_id: appraisal.teacher.id,
        school_id: appraisal.school.id,
        department_id: appraisal.department.id,
        state: SubmissionState::Draft,
        filing: prefill(tx, appraisal)?,
        pledge: None,
        versions: Vec::new(),
        history: Vec::new(),
        result: None,
        created_at: now,
        updated_at: now,
    };
    insert_submission(tx, &submission)?;
    audit::record(
        tx,
        Some(actor),
        "submission.create",
        &format!("submission:{}", submission.id),
        &appraisal.project.name,
    )?;
    Ok(submission)
}

/// Stores a new submission and every index the review and admin modules read.
pub fn insert_submission(tx: &WriteTx, submission: &Submission) -> Result<(), StoreError> {
    tx.put(submission)?;
    tx.set_lookup(
        tables::SUBMISSION_BY_TEACHER,
        &teacher_key(submission.project_id, submission.teacher_id),
        submission.id,
    )?;
    for key in [
        format!("project:{}", submission.project_id),
        format!("school:{}", submission.school_id),
        format!("department:{}", submission.department_id),
        format!("teacher:{}", submission.teacher_id),
    ] {
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &key, submission.id)?;
    }
    Ok(())
}

/// Points a submission at another school (a teacher moved, or resubmits from a new school) and moves its
/// `school:` / `department:` index entries with it. The caller stores the record in the same transaction.
pub fn move_submission_school(
    tx: &WriteTx,
    submission: &mut Submission,
    school_id: u64,
    department_id: u64,
) -> Result<(), StoreError> {
    if submission.school_id != school_id {
        tx.multimap_remove(tables::SUBMISSIONS_BY_KEY, &format!("school:{}", submission.school_id), submission.id)?;
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &format!("school:{school_id}"), submission.id)?;
        submission.school_id = school_id;
    }
    if submission.department_id != department_id {
        let old = format!("department:{}", submission.department_id);
        tx.multimap_remove(tables::SUBMISSIONS_BY_KEY, &old, submission.id)?;
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &format!("department:{department_id}"), submission.id)?;
        submission.department_id = department_id;
    }
    Ok(())
}

/// A new submission starts from the teacher's previous one (SPEC §4.2: the fields the teacher fills are
/// pre-filled): 现专技职务, dates, majors and subjects, but no achievements. A 申报学科 the new project does not
/// offer is left empty.
fn prefill(tx: &WriteTx, appraisal: &Appraisal) -> Result<Filing, StoreError> {
    let mut latest: Option<Submission> = None;
    for id in tx.multimap_values(tables::SUBMISSIONS_BY_KEY, &format!("teacher:{}", appraisal.teacher.id))? {
        if let Some(previous) = tx.get::<Submission>(id)?
            && latest.as_ref().is_none_or(|latest| previous.updated_at > latest.updated_at)
        {
            latest = Some(previous);
        }
    }
    let mut filing = Filing::default();
    if let Some(previous) = latest.map(|submission| submission.filing) {
        filing.title_grade = previous.title_grade;
        filing.title_name = previous.title_name;
        filing.title_other = previous.title_other;
        filing.title_date = previous.title_date;
        filing.research_direction = previous.research_direction;
        filing.major_college = previous.major_college;
        filing.major_bachelor = previous.major_bachelor;
        filing.major_graduate = previous.major_graduate;
        filing.teaching_subject = previous.teaching_subject;
        if appraisal.project.subjects.contains(&previous.applied_subject) {
            filing.applied_subject = previous.applied_subject;
        }
    }
    Ok(filing)
}
