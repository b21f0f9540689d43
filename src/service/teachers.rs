//! The teacher lists of the consoles (用户管理, progress lists, exports): the teachers of the actor's scope with their
//! school, chosen project and progress, filtered by name or ID number, project and progress, one page at a time.
//! Submissions are only read here (another module owns filing): a teacher's progress is the state of its
//! submission in the project its school chose for it.

use std::collections::HashMap;

use serde::Deserialize;

use super::Services;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::paging::Paged;
use crate::domain::account::{Account, Role};
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::progress::Progress;
use crate::domain::project::Project;
use crate::domain::submission::SubmissionState;
use crate::store::{Reader, org_key, tables};

/// Filters of a teacher list. An empty query lists every teacher of the actor's scope.
#[derive(Debug, Clone, Default)]
pub struct TeacherQuery {
    /// One school (must be in scope); `None` is every school of the scope.
    pub school_id: Option<u64>,
    /// Part of the name, or a whole ID number.
    pub q: String,
    pub progress: Option<Progress>,
    /// Only teachers whose chosen project is this one.
    pub project_id: Option<u64>,
    pub page: usize,
    pub per_page: usize,
}

/// One line of a teacher list.
#[derive(Debug, Clone)]
pub struct TeacherRow {
    pub account: Account,
    pub school_id: u64,
    pub school_name: String,
    pub department_name: String,
    pub project_name: Option<String>,
    pub progress: Progress,
}

/// The few fields of a stored submission a list needs; the rest of the (large) record is skipped on decoding.
#[derive(Deserialize)]
struct SubmissionHead {
    state: SubmissionState,
}

/// Names of schools, departments and projects, read once per list.
pub(crate) struct Names {
    pub schools: HashMap<u64, School>,
    pub departments: HashMap<u64, Department>,
    pub projects: HashMap<u64, Project>,
}

impl Names {
    pub(crate) fn load(read: &impl Reader) -> ServiceResult<Self> {
        Ok(Self {
            schools: read.all::<School>()?.into_iter().map(|school| (school.id, school)).collect(),
            departments: read.all::<Department>()?.into_iter().map(|d| (d.id, d)).collect(),
            projects: read.all::<Project>()?.into_iter().map(|p| (p.id, p)).collect(),
        })
    }

    pub(crate) fn department_of(&self, school_id: u64) -> String {
        self.schools
            .get(&school_id)
            .and_then(|school| self.departments.get(&school.department_id))
            .map(|department| department.name.clone())
            .unwrap_or_default()
    }
}

/// The progress of one teacher: the state of its submission in its chosen project.
pub(crate) fn progress_of(read: &impl Reader, account: &Account) -> ServiceResult<Progress> {
    let Some(project_id) = account.teacher.as_ref().and_then(|profile| profile.project_id) else {
        return Ok(Progress::NoProject);
    };
    let Some(submission_id) = read.lookup(tables::SUBMISSION_BY_TEACHER, &format!("{project_id}:{}", account.id))?
    else {
        return Ok(Progress::NotFiled);
    };
    Ok(match read.get_as::<SubmissionHead>(tables::SUBMISSIONS, submission_id)? {
        Some(head) => Progress::State(head.state),
        None => Progress::NotFiled,
    })
}

impl Services {
    /// The schools whose teachers the actor administers, optionally narrowed to one (which must be in scope).
    pub(crate) fn schools_in_scope(
        &self,
        read: &impl Reader,
        actor: &Actor,
        school_id: Option<u64>,
    ) -> ServiceResult<Vec<School>> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("无权访问教师信息"));
        }
        if let Some(id) = school_id {
            return Ok(vec![self.school_in_scope(read, actor, id)?]);
        }
        Ok(read.all::<School>()?.into_iter().filter(|school| actor.manages_school(school)).collect())
    }

    /// Every teacher matching `query` (paging ignored), in school then creation order.
    pub fn teacher_rows(&self, actor: &Actor, query: &TeacherQuery) -> ServiceResult<Vec<TeacherRow>> {
        let read = self.store.read()?;
        let schools = self.schools_in_scope(&read, actor, query.school_id)?;
        let names = Names::load(&read)?;
        let needle = query.q.trim();
        let id_search = needle.len() == 18 && needle[..17].bytes().all(|byte| byte.is_ascii_digit());
        let needle_id = needle.to_ascii_uppercase();
        let mut rows = Vec::new();
        for school in &schools {
            let mut ids = read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school.id)))?;
            ids.sort_unstable();
            for id in ids {
                let Some(account) = read.get::<Account>(id)? else { continue };
                if account.role != Role::Teacher {
                    continue;
                }
                let matches_text = if needle.is_empty() {
                    true
                } else if id_search {
                    account.username == needle_id
                } else {
                    account.name.contains(needle)
                };
                let project_id = account.teacher.as_ref().and_then(|profile| profile.project_id);
                if !matches_text || query.project_id.is_some_and(|wanted| project_id != Some(wanted)) {
                    continue;
                }
                let progress = progress_of(&read, &account)?;
                if query.progress.is_some_and(|wanted| wanted != progress) {
                    continue;
                }
                rows.push(TeacherRow {
                    school_id: school.id,
                    school_name: school.name.clone(),
                    department_name: names.department_of(school.id),
                    project_name: project_id.and_then(|id| names.projects.get(&id)).map(|p| p.name.clone()),
                    progress,
                    account,
                });
            }
        }
        Ok(rows)
    }

    /// One page of `teacher_rows`.
    pub fn list_teachers(&self, actor: &Actor, query: &TeacherQuery) -> ServiceResult<Paged<TeacherRow>> {
        let rows = self.teacher_rows(actor, query)?;
        Ok(Paged::of(rows, query.page, query.per_page))
    }

    /// One teacher of the actor's scope, as a list row (for the edit page and the API).
    pub fn teacher_row(&self, actor: &Actor, teacher_id: u64) -> ServiceResult<TeacherRow> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("无权访问教师信息"));
        }
        let read = self.store.read()?;
        let account = read.get::<Account>(teacher_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
        if account.role != Role::Teacher || !actor.sees_account(&account, &read)? {
            return Err(ServiceError::NotFound("账号不存在"));
        }
        let school_id = account.school_id().ok_or(ServiceError::NotFound("账号不存在"))?;
        let names = Names::load(&read)?;
        let progress = progress_of(&read, &account)?;
        let project_id = account.teacher.as_ref().and_then(|profile| profile.project_id);
        Ok(TeacherRow {
            school_id,
            school_name: names.schools.get(&school_id).map(|school| school.name.clone()).unwrap_or_default(),
            department_name: names.department_of(school_id),
            project_name: project_id.and_then(|id| names.projects.get(&id)).map(|p| p.name.clone()),
            progress,
            account,
        })
    }
}
