//! The consoles' organisation and account edits: rename a department, rename a school or change its type,
//! disable / enable either (city admin); list the admin accounts of an organisation; disable / enable any account
//! the actor manages. Creation lives in `orgs.rs` and `accounts.rs`.
//!
//! A disabled department or school stays visible in lists (marked 已停用) and keeps its accounts and
//! submissions; it only stops receiving: no new schools, accounts, imports or moves into it. Locking people out is
//! what disabling an account does.

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::{Account, Role};
use crate::domain::org::{Department, OrgRef, School, check_org_name};
use crate::store::{Reader, org_key, tables};

/// A change to a department; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DepartmentChange {
    pub name: Option<String>,
    pub disabled: Option<bool>,
}

/// A change to a school; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SchoolChange {
    pub name: Option<String>,
    pub school_type: Option<SchoolType>,
    pub disabled: Option<bool>,
}

impl Services {
    pub fn update_department(&self, actor: &Actor, id: u64, change: &DepartmentChange) -> ServiceResult<Department> {
        self.store.write(|tx| {
            let mut department = tx.get::<Department>(id)?.ok_or(ServiceError::NotFound("主管部门不存在"))?;
            if !actor.manages_department(id) && actor.department_id != Some(id) {
                return Err(ServiceError::NotFound("主管部门不存在"));
            }
            if !actor.is(Role::CityAdmin) {
                return Err(ServiceError::Forbidden("只有市级管理员可以修改主管部门"));
            }
            let name = match &change.name {
                Some(name) => Some(check_org_name(name).map_err(|message| ServiceError::field("name", message))?),
                None => None,
            };
            let mut changes = Vec::new();
            if let Some(name) = name
                && name != department.name
            {
                if tx.all::<Department>()?.iter().any(|other| other.id != id && other.name == name) {
                    return Err(ServiceError::field("name", "已有同名的主管部门"));
                }
                changes.push(format!("名称 {} → {}", department.name, name));
                department.name = name;
            }
            if let Some(disabled) = change.disabled
                && disabled != department.disabled
            {
                department.disabled = disabled;
                changes.push(if disabled { "停用".to_string() } else { "启用".to_string() });
            }
            if changes.is_empty() {
                return Ok(department);
            }
            tx.put(&department)?;
            let only_toggled = changes.len() == 1 && change.disabled.is_some() && change.name.is_none();
            let action = match (only_toggled, department.disabled) {
                (true, true) => "department.disable",
                (true, false) => "department.enable",
                _ => "department.update",
            };
            audit::record(tx, Some(actor), action, &format!("department:{id}"), &changes.join("；"))?;
            Ok(department)
        })
    }

    /// Renames a school, changes its type, disables or enables it (city admin). A new type must still be served
    /// by every project its teachers are in, so no teacher is left in a project that does not serve its school.
    pub fn update_school(&self, actor: &Actor, id: u64, change: &SchoolChange) -> ServiceResult<School> {
        self.store.write(|tx| {
            let mut school = tx.get::<School>(id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
            if !actor.manages_school(&school) && actor.org != OrgRef::School(id) {
                return Err(ServiceError::NotFound("学校不存在"));
            }
            if !actor.is(Role::CityAdmin) {
                return Err(ServiceError::Forbidden("只有市级管理员可以修改学校"));
            }
            let name = match &change.name {
                Some(name) => Some(check_org_name(name).map_err(|message| ServiceError::field("name", message))?),
                None => None,
            };
            let mut changes = Vec::new();
            if let Some(name) = name
                && name != school.name
            {
                if tx.all::<School>()?.iter().any(|other| other.id != id && other.name == name) {
                    return Err(ServiceError::field("name", "已有同名的学校"));
                }
                changes.push(format!("名称 {} → {}", school.name, name));
                school.name = name;
            }
            if let Some(school_type) = change.school_type
                && school_type != school.school_type
            {
                self.check_projects_serve(tx, id, school_type)?;
                changes.push(format!("学校类型 {} → {}", school.school_type.label(), school_type.label()));
                school.school_type = school_type;
            }
            if let Some(disabled) = change.disabled
                && disabled != school.disabled
            {
                school.disabled = disabled;
                changes.push(if disabled { "停用".to_string() } else { "启用".to_string() });
            }
            if changes.is_empty() {
                return Ok(school);
            }
            tx.put(&school)?;
            audit::record(tx, Some(actor), "school.update", &format!("school:{id}"), &changes.join("；"))?;
            Ok(school)
        })
    }

    fn check_projects_serve(&self, tx: &impl Reader, school_id: u64, school_type: SchoolType) -> ServiceResult<()> {
        let mut projects = std::collections::BTreeMap::new();
        for account_id in tx.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school_id)))? {
            let Some(account) = tx.get::<Account>(account_id)? else { continue };
            let Some(project_id) = account.teacher.as_ref().and_then(|profile| profile.project_id) else { continue };
            let serves = match projects.get(&project_id) {
                Some(serves) => *serves,
                None => {
                    let project = tx.get::<crate::domain::project::Project>(project_id)?;
                    let serves = project.is_none_or(|project| project.serves(school_type));
                    projects.insert(project_id, serves);
                    serves
                }
            };
            if !serves {
                return Err(ServiceError::field(
                    "school_type",
                    format!("该校教师 {} 所选鉴定项目不面向{}，请先调整其申报项目", account.name, school_type.label()),
                ));
            }
        }
        Ok(())
    }

    /// The admin accounts of the department or the school given (exactly one), for the API. Only the levels that
    /// manage admins get to hear that the question was malformed.
    pub fn list_admins_of(
        &self,
        actor: &Actor,
        department_id: Option<u64>,
        school_id: Option<u64>,
    ) -> ServiceResult<Vec<Account>> {
        if !matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) {
            return Err(ServiceError::Forbidden("无权查看管理员账号"));
        }
        let org = match (department_id, school_id) {
            (Some(id), None) => OrgRef::Department(id),
            (None, Some(id)) => OrgRef::School(id),
            _ => return Err(ServiceError::field("school_id", "请指定 department_id 或 school_id 之一")),
        };
        self.list_admins(actor, org)
    }

    /// The admin accounts of a department or school, for the consoles of the levels above it.
    pub fn list_admins(&self, actor: &Actor, org: OrgRef) -> ServiceResult<Vec<Account>> {
        let read = self.store.read()?;
        let role = match org {
            OrgRef::Department(id) => {
                read.get::<Department>(id)?.ok_or(ServiceError::NotFound("主管部门不存在"))?;
                if !actor.manages_department(id) {
                    return Err(ServiceError::NotFound("主管部门不存在"));
                }
                Role::DepartmentAdmin
            }
            OrgRef::School(id) => {
                self.school_in_scope(&read, actor, id)?;
                if !matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) {
                    return Err(ServiceError::Forbidden("无权查看管理员账号"));
                }
                Role::SchoolAdmin
            }
            OrgRef::City => {
                if !actor.is(Role::CityAdmin) {
                    return Err(ServiceError::Forbidden("无权查看管理员账号"));
                }
                Role::CityAdmin
            }
        };
        let mut admins = Vec::new();
        for id in read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(org))? {
            if let Some(account) = read.get::<Account>(id)?
                && account.role == role
            {
                admins.push(account);
            }
        }
        admins.sort_by_key(|account| account.id);
        Ok(admins)
    }

    /// 停用 / 启用 an account the actor manages (never its own). Disabling ends the account's sessions and revokes
    /// its API tokens (启用 does not bring them back). Nothing is ever deleted.
    pub fn set_account_disabled(&self, actor: &Actor, account_id: u64, disabled: bool) -> ServiceResult<Account> {
        self.store.write(|tx| {
            let mut account = tx.get::<Account>(account_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
            if !actor.sees_account(&account, tx)? {
                return Err(ServiceError::NotFound("账号不存在"));
            }
            if !actor.manages_account(&account, tx)? {
                return Err(ServiceError::Forbidden("无权停用或启用该账号"));
            }
            if account.disabled == disabled {
                return Ok(account);
            }
            account.disabled = disabled;
            tx.put(&account)?;
            if disabled {
                self.sessions.end_all(tx, account.id, None)?;
                Self::revoke_account_api_tokens(tx, actor, account.id, "停用账号")?;
            }
            let action = if disabled { "account.disable" } else { "account.enable" };
            let detail = format!("{} {}", account.role.label(), account.name);
            audit::record(tx, Some(actor), action, &format!("account:{}", account.id), &detail)?;
            Ok(account)
        })
    }
}
