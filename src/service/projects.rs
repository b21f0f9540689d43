//! Appraisal projects (SPEC §3): the city admin creates them; a school admin puts each teacher into one
//! (选择申报项目). Editing the full project data lives with the administration console.

use chrono::{DateTime, Utc};

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::account::{Account, Role};
use crate::domain::org::{OrgRef, School};
use crate::domain::project::Project;
use crate::store::{Reader, WriteTx};

/// What the city admin types to open a project; everything else starts from SPEC §3's defaults.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: String,
    pub year: i32,
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
}

/// Every project's id, name and year, newest first (by year, then creation), as of one snapshot: what a
/// teacher's 首页 names its status and results by. Kept until a write touches a project
/// (`Services::project_head_cache`): a stored project carries its whole catalogue, and reading past it on every
/// 首页 cost a fifth of the page.
#[derive(Default)]
pub struct ProjectHeads {
    pub newest_first: Vec<ProjectHead>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct ProjectHead {
    pub id: u64,
    pub name: String,
    pub year: i32,
    /// The filing window and 主管部门审核 setting, for the teacher's home card.
    pub filing_start: chrono::DateTime<chrono::Utc>,
    pub filing_end: chrono::DateTime<chrono::Utc>,
    pub school_review_end: chrono::DateTime<chrono::Utc>,
    pub department_review: bool,
}

impl ProjectHeads {
    pub fn get(&self, id: u64) -> Option<&ProjectHead> {
        self.newest_first.iter().find(|project| project.id == id)
    }
}

impl Services {
    /// The projects' heads as of the latest write (see [`ProjectHeads`]).
    pub fn project_heads(&self) -> ServiceResult<std::sync::Arc<ProjectHeads>> {
        use crate::store::{Patch, tables};
        let build = |read: &crate::store::ReadTx| {
            let mut keep = |_: &ProjectHead| true;
            let mut newest_first = read.range(tables::PROJECTS, false, usize::MAX, &mut keep)?;
            newest_first.sort_by(|a: &ProjectHead, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
            Ok(ProjectHeads { newest_first })
        };
        // Only a write to a project changes them: a saved draft keeps the held heads.
        self.project_head_cache
            .get_patched(&self.store, build, |_, changes, _| Ok(Patch::unless_written(changes, &[tables::PROJECTS])))
    }

    /// Projects, newest first. Every signed-in account may see the list of names (teachers see them on prints).
    pub fn list_projects(&self, _actor: &Actor) -> ServiceResult<Vec<Project>> {
        let mut projects = self.store.read()?.all::<Project>()?;
        projects.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
        Ok(projects)
    }

    pub fn get_project(&self, _actor: &Actor, id: u64) -> ServiceResult<Project> {
        self.store.read()?.get::<Project>(id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))
    }

    pub fn create_project(&self, actor: &Actor, input: &NewProject) -> ServiceResult<Project> {
        if !actor.is(Role::CityAdmin) {
            return Err(ServiceError::Forbidden("只有市级管理员可以新建鉴定项目"));
        }
        self.store.write(|tx| {
            let name = input.name.trim().to_string();
            let window = (input.filing_start, input.filing_end);
            let project = Project::with_defaults(tx.next_id()?, name, input.year, window, self.clock.now());
            // The defaults place the review windows after the filing window, so only what was typed can fail.
            crate::domain::project_rules::validate(&project).into_result().map_err(ServiceError::Invalid)?;
            if tx.all::<Project>()?.iter().any(|other| other.name == project.name) {
                return Err(ServiceError::field("name", "已有同名的鉴定项目"));
            }
            tx.put(&project)?;
            audit::record(tx, Some(actor), "project.create", &format!("project:{}", project.id), &project.name)?;
            Ok(project)
        })
    }

    /// 选择申报项目: puts a teacher of the actor's scope into `project_id` (or none). The project must serve the
    /// teacher's school type.
    pub fn choose_project(&self, actor: &Actor, teacher_id: u64, project_id: Option<u64>) -> ServiceResult<Account> {
        self.store.write(|tx| choose_project_in(tx, actor, teacher_id, project_id))
    }
}

/// `choose_project` inside the caller's transaction (the bulk form applies many in one).
pub(crate) fn choose_project_in(
    tx: &WriteTx,
    actor: &Actor,
    teacher_id: u64,
    project_id: Option<u64>,
) -> ServiceResult<Account> {
    let mut teacher = tx.get::<Account>(teacher_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
    if teacher.role != Role::Teacher || !actor.sees_account(&teacher, tx)? {
        return Err(ServiceError::NotFound("账号不存在"));
    }
    if !actor.manages_account(&teacher, tx)? {
        return Err(ServiceError::Forbidden("无权为该教师选择申报项目"));
    }
    let OrgRef::School(school_id) = teacher.org else {
        return Err(ServiceError::NotFound("账号不存在"));
    };
    let school = tx.get::<School>(school_id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
    let current = teacher.teacher.as_ref().and_then(|profile| profile.project_id);
    if current == project_id {
        return Ok(teacher);
    }
    let detail = match project_id {
        Some(id) => {
            let project = tx.get::<Project>(id)?.ok_or_else(|| ServiceError::field("project_id", "鉴定项目不存在"))?;
            if !project.serves(school.school_type) {
                return Err(ServiceError::field("project_id", "该鉴定项目不面向本校的学校类型"));
            }
            format!("{}：{}", teacher.name, project.name)
        }
        None => format!("{}：取消申报项目", teacher.name),
    };
    if let Some(profile) = teacher.teacher.as_mut() {
        profile.project_id = project_id;
    }
    tx.put(&teacher)?;
    audit::record(tx, Some(actor), "teacher.choose_project", &format!("account:{}", teacher.id), &detail)?;
    Ok(teacher)
}
