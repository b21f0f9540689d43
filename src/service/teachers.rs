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
use crate::domain::review::SubmissionSummary;
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

/// The fields of a stored account a list filters on; the password hash, dates and 更换单位 history are skipped
/// on decoding, and the whole record is read only for the rows shown.
#[derive(Deserialize)]
struct AccountHead {
    username: String,
    name: String,
    role: Role,
    #[serde(default)]
    teacher: Option<ProfileHead>,
}

#[derive(Deserialize)]
struct ProfileHead {
    #[serde(default)]
    project_id: Option<u64>,
}

/// A teacher that matched a list's filters, before its row is read (`progress` when the filter needed it).
struct Match {
    id: u64,
    school_id: u64,
    progress: Option<Progress>,
}

/// The list row of a matched teacher; `None` if the account vanished (it cannot within one snapshot).
fn row_of(read: &impl Reader, names: &Names, found: Match) -> ServiceResult<Option<TeacherRow>> {
    let Some(account) = read.get::<Account>(found.id)? else { return Ok(None) };
    let progress = match found.progress {
        Some(progress) => progress,
        None => progress_of(read, &account)?,
    };
    let project_id = account.teacher.as_ref().and_then(|profile| profile.project_id);
    Ok(Some(TeacherRow {
        school_id: found.school_id,
        school_name: names.schools.get(&found.school_id).map(|school| school.name.clone()).unwrap_or_default(),
        department_name: names.department_of(found.school_id),
        project_name: project_id.and_then(|id| names.projects.get(&id)).map(|p| p.name.clone()),
        progress,
        account,
    }))
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
    progress_in(read, account.id, account.teacher.as_ref().and_then(|profile| profile.project_id))
}

fn progress_in(read: &impl Reader, teacher_id: u64, project_id: Option<u64>) -> ServiceResult<Progress> {
    let Some(project_id) = project_id else {
        return Ok(Progress::NoProject);
    };
    let Some(submission_id) = read.lookup(tables::SUBMISSION_BY_TEACHER, &format!("{project_id}:{teacher_id}"))? else {
        return Ok(Progress::NotFiled);
    };
    // The summary is the small derived row the review lists read; the record itself is the fallback.
    if let Some(summary) = read.get::<SubmissionSummary>(submission_id)? {
        return Ok(Progress::State(summary.state));
    }
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
        require_admin(actor)?;
        if let Some(id) = school_id {
            return Ok(vec![self.school_in_scope(read, actor, id)?]);
        }
        Ok(read.all::<School>()?.into_iter().filter(|school| actor.manages_school(school)).collect())
    }

    /// Every teacher matching `query` (paging ignored), in school then creation order.
    pub fn teacher_rows(&self, actor: &Actor, query: &TeacherQuery) -> ServiceResult<Vec<TeacherRow>> {
        let read = self.store.read()?;
        let (names, matches) = self.matching(&read, actor, query)?;
        matches.into_iter().map(|found| row_of(&read, &names, found)).filter_map(Result::transpose).collect()
    }

    /// One page of `teacher_rows`. Teachers are matched on a light view of their accounts, and only the rows of
    /// the page are read whole: a city-wide list pages through 20,000 teachers.
    pub fn list_teachers(&self, actor: &Actor, query: &TeacherQuery) -> ServiceResult<Paged<TeacherRow>> {
        let read = self.store.read()?;
        let (names, matches) = self.matching(&read, actor, query)?;
        let paged = Paged::of(matches, query.page, query.per_page);
        let mut items = Vec::with_capacity(paged.items.len());
        for found in paged.items {
            items.extend(row_of(&read, &names, found)?);
        }
        Ok(Paged { items, total: paged.total, page: paged.page, per_page: paged.per_page })
    }

    /// The teachers matching `query`, in school then creation order, with the names to show them by.
    fn matching(&self, read: &impl Reader, actor: &Actor, query: &TeacherQuery) -> ServiceResult<(Names, Vec<Match>)> {
        let schools = self.schools_in_scope(read, actor, query.school_id)?;
        let names = Names::load(read)?;
        let needle = query.q.trim();
        let id_search = crate::domain::idcard::looks_like_id(needle);
        let needle_id = needle.to_ascii_uppercase();
        let mut matches = Vec::new();
        for school in &schools {
            let mut ids = read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school.id)))?;
            ids.sort_unstable();
            for (id, head) in read.get_many_as::<AccountHead>(tables::ACCOUNTS, &ids)? {
                if head.role != Role::Teacher {
                    continue;
                }
                let matches_text = if needle.is_empty() {
                    true
                } else if id_search {
                    head.username == needle_id
                } else {
                    head.name.contains(needle)
                };
                let project_id = head.teacher.and_then(|profile| profile.project_id);
                if !matches_text || query.project_id.is_some_and(|wanted| project_id != Some(wanted)) {
                    continue;
                }
                let progress = match query.progress {
                    Some(wanted) => {
                        let progress = progress_in(read, id, project_id)?;
                        if progress != wanted {
                            continue;
                        }
                        Some(progress)
                    }
                    None => None,
                };
                matches.push(Match { id, school_id: school.id, progress });
            }
        }
        Ok((names, matches))
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

/// Only admins read teacher lists; which teachers is their scope's business.
pub(crate) fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.role.is_admin() { Ok(()) } else { Err(ServiceError::Forbidden("无权访问教师信息")) }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;

    fn city() -> Actor {
        Actor {
            account_id: 0,
            name: "市级管理员".into(),
            role: Role::CityAdmin,
            org: OrgRef::City,
            department_id: None,
            address: "127.0.0.1".into(),
        }
    }

    /// Six Chinese characters are 18 bytes, the length of an ID number: the search must tell them apart without
    /// slicing the text (a byte slice through a character panicked the request).
    #[test]
    fn a_chinese_search_of_id_length_is_a_name_search() {
        let temp = tempfile::tempdir().expect("temp dir");
        let config = Config { data_dir: temp.path().join("data"), ..Config::default() };
        let services = Services::open(Arc::new(config)).expect("services");
        for q in ["北虹中等专业", "北虹中等专业学校", "刁", "3101091980122830北"] {
            let query = TeacherQuery { q: q.into(), page: 1, per_page: 20, ..TeacherQuery::default() };
            let page = services.list_teachers(&city(), &query).expect("a name search");
            assert_eq!(page.total, 0, "{q}");
            assert!(services.teacher_rows(&city(), &query).expect("rows").is_empty(), "{q}");
        }
    }
}
