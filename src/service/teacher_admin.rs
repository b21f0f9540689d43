//! The school console's changes to teacher accounts (SPEC §1, the manual's notes for administrators): edit the
//! basic information, choose the appraisal project for many teachers at once, and 更换单位 (move a teacher to
//! another school, keeping the history on the account and moving the teacher's submissions with it).
//! There is no delete: the manual says 请勿直接删除申报教师账号.

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::projects::choose_project_in;
use super::{Services, audit};
use crate::domain::account::{Account, OrgMove, Role};
use crate::domain::org::{OrgRef, School};
use crate::domain::project::Project;
use crate::domain::submission::Submission;
use crate::domain::teacher::check_edit;
use crate::store::{Reader, WriteTx, org_key, tables};

/// What the school types to change a teacher's 基本信息.
#[derive(Debug, Clone, Default)]
pub struct TeacherEdit {
    pub name: String,
    pub education: String,
    pub degree: String,
    /// Optional; must agree with the ID number.
    pub birth: String,
}

/// The outcome of one teacher of a bulk 选择申报项目.
#[derive(Debug, Clone)]
pub struct BulkOutcome {
    pub teacher_id: u64,
    pub name: Option<String>,
    /// `None` when applied; else why not.
    pub refused: Option<String>,
}

impl Services {
    /// Changes 姓名, 最高学历 and 最高学位; 出生年月 always comes from the ID number and a typed date must agree.
    pub fn update_teacher(&self, actor: &Actor, teacher_id: u64, edit: &TeacherEdit) -> ServiceResult<Account> {
        self.store.write(|tx| {
            let mut teacher = self.managed_teacher(tx, actor, teacher_id)?;
            let mut profile = teacher.teacher.clone().unwrap_or_default();
            let (name, info) = check_edit(&edit.name, &edit.education, &edit.degree, &edit.birth, profile.birth_date)
                .map_err(ServiceError::Invalid)?;
            let mut changes = Vec::new();
            if name != teacher.name {
                changes.push(format!("姓名 {} → {}", teacher.name, name));
                teacher.name = name;
            }
            if info.education != profile.education {
                changes.push(format!("最高学历 {} → {}", profile.education, info.education));
                profile.education = info.education;
            }
            if info.degree != profile.degree {
                changes.push(format!("最高学位 {} → {}", profile.degree, info.degree));
                profile.degree = info.degree;
            }
            if changes.is_empty() {
                return Ok(teacher);
            }
            teacher.teacher = Some(profile);
            tx.put(&teacher)?;
            audit::record(tx, Some(actor), "teacher.update", &format!("account:{}", teacher.id), &changes.join("；"))?;
            Ok(teacher)
        })
    }

    /// 选择申报项目 for many teachers in one transaction. Teachers outside the actor's scope are reported as not
    /// found (and left alone); the others are applied.
    pub fn choose_project_bulk(
        &self,
        actor: &Actor,
        teacher_ids: &[u64],
        project_id: Option<u64>,
    ) -> ServiceResult<Vec<BulkOutcome>> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以选择申报项目"));
        }
        if teacher_ids.is_empty() {
            return Err(ServiceError::field("ids", "请先勾选教师"));
        }
        if teacher_ids.len() > 1000 {
            return Err(ServiceError::field("ids", "一次至多为1000名教师选择申报项目"));
        }
        self.store.write(|tx| {
            if let Some(id) = project_id {
                tx.get::<Project>(id)?.ok_or_else(|| ServiceError::field("project_id", "鉴定项目不存在"))?;
            }
            let mut outcomes = Vec::new();
            for &teacher_id in teacher_ids {
                let outcome = match choose_project_in(tx, actor, teacher_id, project_id) {
                    Ok(account) => BulkOutcome { teacher_id, name: Some(account.name), refused: None },
                    Err(ServiceError::Invalid(errors)) => {
                        let name = tx.get::<Account>(teacher_id)?.map(|account| account.name);
                        let message = errors.0.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；");
                        BulkOutcome { teacher_id, name, refused: Some(message) }
                    }
                    Err(ServiceError::NotFound(message) | ServiceError::Forbidden(message)) => {
                        BulkOutcome { teacher_id, name: None, refused: Some(message.to_string()) }
                    }
                    Err(other) => return Err(other),
                };
                outcomes.push(outcome);
            }
            Ok(outcomes)
        })
    }

    /// 更换单位: moves a teacher to another school of the actor's scope (department admin within its department,
    /// city admin anywhere). The account keeps its ID number, password and project; the move is appended to its
    /// history; its submissions (and their `school:` / `department:` index keys) follow it, so the new school
    /// reviews and lists them from now on.
    pub fn move_teacher(
        &self,
        actor: &Actor,
        teacher_id: u64,
        to_school_id: u64,
        reason: &str,
    ) -> ServiceResult<Account> {
        let reason = reason.trim();
        self.store.write(|tx| {
            let mut teacher = tx.get::<Account>(teacher_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
            if teacher.role != Role::Teacher || !actor.sees_account(&teacher, tx)? {
                return Err(ServiceError::NotFound("账号不存在"));
            }
            if !matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) {
                return Err(ServiceError::Forbidden("更换单位请联系主管部门管理员"));
            }
            if reason.chars().count() > 200 {
                return Err(ServiceError::field("reason", "备注至多200个字符"));
            }
            let from_id = teacher.school_id().ok_or(ServiceError::NotFound("账号不存在"))?;
            let from = tx.get::<School>(from_id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
            let to = match tx.get::<School>(to_school_id)? {
                Some(school) if actor.manages_school(&school) => school,
                _ if to_school_id == 0 => return Err(ServiceError::field("school_id", "请选择目标学校")),
                _ => return Err(ServiceError::field("school_id", "目标学校不存在或不在管理范围内")),
            };
            if to.id == from.id {
                return Err(ServiceError::field("school_id", "目标学校与当前学校相同"));
            }
            if to.disabled {
                return Err(ServiceError::field("school_id", "目标学校已停用"));
            }
            if let Some(project_id) = teacher.teacher.as_ref().and_then(|profile| profile.project_id)
                && let Some(project) = tx.get::<Project>(project_id)?
                && !project.serves(to.school_type)
            {
                return Err(ServiceError::field(
                    "school_id",
                    format!("该教师所选鉴定项目不面向{}，请先为其更换申报项目", to.school_type.label()),
                ));
            }
            tx.multimap_remove(tables::ACCOUNTS_BY_ORG, &org_key(teacher.org), teacher.id)?;
            teacher.org = OrgRef::School(to.id);
            tx.multimap_insert(tables::ACCOUNTS_BY_ORG, &org_key(teacher.org), teacher.id)?;
            teacher.moves.push(OrgMove {
                at: self.clock.now(),
                from_school_id: from.id,
                from_school: from.name.clone(),
                to_school_id: to.id,
                to_school: to.name.clone(),
                actor_name: actor.name.clone(),
                reason: reason.to_string(),
            });
            tx.put(&teacher)?;
            let moved = move_submissions(tx, teacher.id, &to)?;
            let detail = format!("{}：{} → {}（随迁申报 {} 份）", teacher.name, from.name, to.name, moved);
            audit::record(tx, Some(actor), "teacher.move", &format!("account:{}", teacher.id), &detail)?;
            Ok(teacher)
        })
    }

    /// A teacher the actor may change, inside a write transaction.
    fn managed_teacher(&self, tx: &WriteTx, actor: &Actor, teacher_id: u64) -> ServiceResult<Account> {
        let teacher = tx.get::<Account>(teacher_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
        if teacher.role != Role::Teacher || !actor.sees_account(&teacher, tx)? {
            return Err(ServiceError::NotFound("账号不存在"));
        }
        if !actor.manages_account(&teacher, tx)? {
            return Err(ServiceError::Forbidden("无权修改该教师的信息"));
        }
        Ok(teacher)
    }
}

/// Re-keys every submission of the teacher to its new school and department; returns how many moved.
fn move_submissions(tx: &WriteTx, teacher_id: u64, to: &School) -> ServiceResult<usize> {
    let ids = tx.multimap_values(tables::SUBMISSIONS_BY_KEY, &format!("teacher:{teacher_id}"))?;
    let mut moved = 0;
    for id in ids {
        let Some(mut submission) = tx.get::<Submission>(id)? else { continue };
        if submission.school_id == to.id {
            continue;
        }
        tx.multimap_remove(tables::SUBMISSIONS_BY_KEY, &format!("school:{}", submission.school_id), id)?;
        tx.multimap_remove(tables::SUBMISSIONS_BY_KEY, &format!("department:{}", submission.department_id), id)?;
        submission.school_id = to.id;
        submission.department_id = to.department_id;
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &format!("school:{}", to.id), id)?;
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &format!("department:{}", to.department_id), id)?;
        tx.put(&submission)?;
        moved += 1;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests;
