//! What can be printed, for the pages that offer the print buttons: a teacher's published results (home page 打印
//! and 往年鉴定结果打印) and an admin's overview of one school's registration forms for one project.

use chrono::{DateTime, Utc};

use super::admin_sees;
use crate::domain::account::{Account, Role};
use crate::domain::filing::uses_restricted_type;
use crate::domain::org::School;
use crate::domain::project::Project;
use crate::domain::review::SubmissionSummary;
use crate::domain::submission::{Submission, SubmissionState};
use crate::service::Services;
use crate::service::actor::Actor;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::projects::ProjectHeads;
use crate::store::{Reader, tables};

/// One published result of the signed-in teacher.
#[derive(Debug, Clone)]
pub struct PublishedResult {
    pub submission_id: u64,
    pub project_name: String,
    pub project_year: i32,
    pub grade: String,
    pub published_at: DateTime<Utc>,
    /// The result rests on a ★ type (SPEC §5).
    pub valid_this_year_only: bool,
    /// The teacher's current project (the one the school chose); the others are 往年 results.
    pub current: bool,
}

/// One teacher's registration form in an admin's print overview.
#[derive(Debug, Clone)]
pub struct PrintRow {
    pub submission_id: u64,
    pub teacher_name: String,
    pub state: SubmissionState,
    /// Passed the school's review: part of the school bundle.
    pub in_bundle: bool,
}

/// An admin's print overview: the schools and projects to choose from, and the chosen school's forms.
#[derive(Debug, Clone)]
pub struct PrintOverview {
    /// The schools in the actor's scope (one for a school admin), by name.
    pub schools: Vec<School>,
    pub school: School,
    /// Every project, newest first.
    pub projects: Vec<Project>,
    pub project: Option<Project>,
    /// Submitted forms of the school in the project (drafts are the teachers' alone), by teacher.
    pub rows: Vec<PrintRow>,
}

impl PrintOverview {
    /// How many forms the school bundle holds.
    pub fn bundle_size(&self) -> usize {
        self.rows.iter().filter(|row| row.in_bundle).count()
    }
}

/// The newest project (by year, then creation): what print pages show when none is chosen.
pub(super) fn newest_project(reader: &impl Reader) -> ServiceResult<Option<Project>> {
    Ok(projects_newest_first(reader)?.into_iter().next())
}

pub(crate) fn published_results_in(
    read: &impl Reader,
    heads: &ProjectHeads,
    actor: &Actor,
    current: Option<u64>,
) -> ServiceResult<Vec<PublishedResult>> {
    let mut results = Vec::new();
    for project in &heads.newest_first {
        let key = format!("{}:{}", project.id, actor.account_id);
        let Some(id) = read.lookup(tables::SUBMISSION_BY_TEACHER, &key)? else { continue };
        // The small summary says whether there is a published result; only then is the filing read.
        let Some(summary) = read.get::<SubmissionSummary>(id)? else { continue };
        if summary.state != SubmissionState::Published || !summary.published {
            continue;
        }
        let Some(submission) = read.get::<Submission>(id)? else { continue };
        let Some(result) = submission.published_result() else { continue };
        let Some(full_project) = read.get::<Project>(project.id)? else { continue };
        let filing = submission.latest_version().map_or(&submission.filing, |version| &version.filing);
        results.push(PublishedResult {
            submission_id: submission.id,
            project_name: project.name.clone(),
            project_year: project.year,
            grade: result.grade.clone(),
            published_at: result.published_at.unwrap_or(result.decided_at),
            valid_this_year_only: uses_restricted_type(filing, &full_project.catalogue),
            current: current == Some(project.id),
        });
    }
    Ok(results)
}

fn projects_newest_first(reader: &impl Reader) -> ServiceResult<Vec<Project>> {
    let mut projects = reader.all::<Project>()?;
    projects.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
    Ok(projects)
}

/// The submissions of `school_id` to `project_id`, by teacher account (roughly the order accounts were opened).
pub(super) fn school_submissions(
    reader: &impl Reader,
    school_id: u64,
    project_id: u64,
) -> ServiceResult<Vec<Submission>> {
    let mut submissions = Vec::new();
    for id in reader.multimap_values(tables::SUBMISSIONS_BY_KEY, &format!("school:{school_id}"))? {
        if let Some(submission) = reader.get::<Submission>(id)?
            && submission.project_id == project_id
            && submission.school_id == school_id
        {
            submissions.push(submission);
        }
    }
    submissions.sort_by_key(|submission| (submission.teacher_id, submission.id));
    Ok(submissions)
}

impl Services {
    /// The signed-in teacher's published results, newest project first; other roles are refused.
    pub fn published_results(&self, actor: &Actor) -> ServiceResult<Vec<PublishedResult>> {
        if !actor.is(Role::Teacher) {
            return Err(ServiceError::Forbidden("鉴定结果仅对申报教师本人开放"));
        }
        let heads = self.project_heads()?;
        let read = self.store.read()?;
        let current = read
            .get::<Account>(actor.account_id)?
            .and_then(|account| account.teacher)
            .and_then(|profile| profile.project_id);
        published_results_in(&read, &heads, actor, current)
    }

    /// The print overview of one school (default: the first in scope by name) for one project (default: the
    /// newest). Admins only; a school outside the actor's scope answers "not found".
    pub fn print_overview(
        &self,
        actor: &Actor,
        school_id: Option<u64>,
        project_id: Option<u64>,
    ) -> ServiceResult<PrintOverview> {
        if !actor.role.is_admin() {
            return Err(ServiceError::NotFound("页面不存在"));
        }
        let read = self.store.read()?;
        let mut schools: Vec<School> =
            read.all::<School>()?.into_iter().filter(|school| actor.manages_school(school)).collect();
        schools.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let school = match school_id {
            Some(id) => {
                schools.iter().find(|school| school.id == id).cloned().ok_or(ServiceError::NotFound("学校不存在"))?
            }
            None => schools.first().cloned().ok_or(ServiceError::NotFound("您的管理范围内暂无学校"))?,
        };
        let projects = projects_newest_first(&read)?;
        let project = match project_id {
            Some(id) => Some(
                projects
                    .iter()
                    .find(|project| project.id == id)
                    .cloned()
                    .ok_or(ServiceError::NotFound("鉴定项目不存在"))?,
            ),
            None => projects.first().cloned(),
        };
        let mut rows = Vec::new();
        if let Some(project) = &project {
            for submission in school_submissions(&read, school.id, project.id)? {
                if submission.state == SubmissionState::Draft
                    || submission.latest_version().is_none()
                    || !admin_sees(actor, &submission)
                {
                    continue;
                }
                let teacher_name =
                    read.get::<Account>(submission.teacher_id)?.map(|account| account.name).unwrap_or_default();
                rows.push(PrintRow {
                    submission_id: submission.id,
                    teacher_name,
                    state: submission.state,
                    in_bundle: submission.state.passed_school_review(),
                });
            }
        }
        Ok(PrintOverview { schools, school, projects, project, rows })
    }
}
