//! Progress overviews (填报进度): for each school of the actor's scope, how many teachers stand at each step —
//! no project chosen, 未填报, 暂存, 待学校审核, 退回, 待主管部门审核 … 已公布. Read-only over accounts and submissions.

use super::Services;
use super::actor::Actor;
use super::error::ServiceResult;
use super::teachers::progress_of;
use crate::domain::account::{Account, Role};
use crate::domain::org::{OrgRef, School};
use crate::domain::progress::ProgressCounts;
use crate::store::{Reader, org_key, tables};

/// One school's line of an overview.
#[derive(Debug, Clone)]
pub struct SchoolProgress {
    pub school: School,
    pub department_name: String,
    pub counts: ProgressCounts,
}

impl Services {
    /// Counts per school for the schools in scope (optionally one department, or one school), ordered by
    /// department then school. Only teachers in `project_id` count when it is given.
    pub fn progress_overview(
        &self,
        actor: &Actor,
        department_id: Option<u64>,
        school_id: Option<u64>,
        project_id: Option<u64>,
    ) -> ServiceResult<Vec<SchoolProgress>> {
        let read = self.store.read()?;
        let mut schools = self.schools_in_scope(&read, actor, school_id)?;
        if let Some(department_id) = department_id {
            if !actor.manages_department(department_id) && actor.department_id != Some(department_id) {
                return Err(super::ServiceError::NotFound("主管部门不存在"));
            }
            schools.retain(|school| school.department_id == department_id);
        }
        let names = super::teachers::Names::load(&read)?;
        schools.sort_by_key(|school| (school.department_id, school.id));
        let mut lines = Vec::with_capacity(schools.len());
        for school in schools {
            let mut counts = ProgressCounts::default();
            for id in read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school.id)))? {
                let Some(account) = read.get::<Account>(id)? else { continue };
                if account.role != Role::Teacher {
                    continue;
                }
                let chosen = account.teacher.as_ref().and_then(|profile| profile.project_id);
                if project_id.is_some_and(|wanted| chosen != Some(wanted)) {
                    continue;
                }
                counts.add(progress_of(&read, &account)?);
            }
            lines.push(SchoolProgress { department_name: names.department_of(school.id), school, counts });
        }
        Ok(lines)
    }
}
