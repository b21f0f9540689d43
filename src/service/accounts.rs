//! Accounts (SPEC §1–§2, the manual's 学校管理员开通账号): teachers opened by their school admin with the ID number
//! as username, admin accounts opened by the level above. New accounts hold the default password. There is no
//! delete: the manual forbids deleting teacher accounts.

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::FieldErrors;
use crate::domain::account::{Account, Role, TeacherProfile, check_admin_username, check_person_name};
use crate::domain::idcard::IdNumber;
use crate::domain::org::{Department, OrgRef, School};
use crate::store::{Reader, WriteTx, org_key, tables};

/// What a school admin types to open a teacher account.
#[derive(Debug, Clone, Default)]
pub struct NewTeacher {
    pub school_id: u64,
    pub id_number: String,
    pub name: String,
    pub education: String,
    pub degree: String,
    /// Optional; when given it must agree with the ID number (`yyyy-mm-dd` or `yyyy-mm`).
    pub birth: String,
}

/// What the level above types to open an admin account.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub role: Role,
    pub org: OrgRef,
    pub username: String,
    pub name: String,
}

impl Services {
    /// Validates a new teacher; every failing field at once (the rule lives in `domain::teacher`).
    fn check_new_teacher(&self, input: &NewTeacher) -> Result<(IdNumber, String, TeacherProfile), FieldErrors> {
        let checked = crate::domain::teacher::check_new_teacher(
            &input.id_number,
            &input.name,
            &input.education,
            &input.degree,
            &input.birth,
            self.clock.today(),
        )?;
        let profile = TeacherProfile {
            education: checked.info.education,
            degree: checked.info.degree,
            birth_date: Some(checked.id_number.birth_date()),
            project_id: None,
        };
        Ok((checked.id_number, checked.name, profile))
    }

    /// 开通账号: a teacher of `school_id` with the default password.
    pub fn create_teacher(&self, actor: &Actor, input: &NewTeacher) -> ServiceResult<Account> {
        // Scope first, so nobody learns anything from validation messages about a school they do not administer.
        self.school_in_scope(&self.store.read()?, actor, input.school_id)?;
        let (id_number, name, profile) = self.check_new_teacher(input).map_err(ServiceError::Invalid)?;
        self.store.write(|tx| {
            let school = self.school_in_scope(tx, actor, input.school_id)?;
            if school.disabled {
                return Err(ServiceError::field("school_id", "该学校已停用，不能开通账号"));
            }
            let account = Account {
                id: 0,
                username: id_number.as_str().to_string(),
                name,
                role: Role::Teacher,
                org: OrgRef::School(school.id),
                password_hash: None,
                must_change_password: true,
                failed_logins: 0,
                frozen_until: None,
                disabled: false,
                created_at: self.clock.now(),
                teacher: Some(profile),
                expert_subjects: Vec::new(),
                moves: Vec::new(),
            };
            let account = insert_account(tx, account)?;
            audit::record(
                tx,
                Some(actor),
                "teacher.create",
                &format!("account:{}", account.id),
                &format!("{} 开通于 {}", account.name, school.name),
            )?;
            Ok(account)
        })
    }

    /// Opens a department-admin or school-admin account (city for both; department for its schools' admins).
    pub fn create_admin(&self, actor: &Actor, input: &NewAdmin) -> ServiceResult<Account> {
        // Role first: nobody else learns from field errors what opening an admin account takes.
        if !matches!(actor.role, Role::CityAdmin | Role::DepartmentAdmin) {
            return Err(ServiceError::Forbidden("无权开通管理员账号"));
        }
        let mut errors = FieldErrors::new();
        let username = check_admin_username(&input.username).map_err(|message| errors.add("username", message)).ok();
        let name = check_person_name(&input.name).map_err(|message| errors.add("name", message)).ok();
        if !matches!(input.role, Role::DepartmentAdmin | Role::SchoolAdmin) || !input.role.fits(input.org) {
            errors.add("role", "账号类型与所属单位不符");
        }
        let (Some(username), Some(name)) = (username, name) else {
            return Err(ServiceError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        self.store.write(|tx| {
            match input.org {
                OrgRef::School(id) => {
                    self.school_in_scope(tx, actor, id)?;
                }
                OrgRef::Department(id) => {
                    if !actor.is(Role::CityAdmin) {
                        return Err(ServiceError::Forbidden("只有市级管理员可以开通主管部门管理员"));
                    }
                    tx.get::<Department>(id)?.ok_or_else(|| ServiceError::field("org", "主管部门不存在"))?;
                }
                OrgRef::City => return Err(ServiceError::field("role", "账号类型与所属单位不符")),
            }
            if actor.role == Role::SchoolAdmin {
                return Err(ServiceError::Forbidden("学校管理员不能开通管理员账号"));
            }
            let account = Account {
                id: 0,
                username,
                name,
                role: input.role,
                org: input.org,
                password_hash: None,
                must_change_password: true,
                failed_logins: 0,
                frozen_until: None,
                disabled: false,
                created_at: self.clock.now(),
                teacher: None,
                expert_subjects: Vec::new(),
                moves: Vec::new(),
            };
            let account = insert_account(tx, account)?;
            audit::record(
                tx,
                Some(actor),
                "admin.create",
                &format!("account:{}", account.id),
                &format!("{} {}", input.role.label(), account.username),
            )?;
            Ok(account)
        })
    }

    /// The school, if the actor administers it; a foreign school answers "not found" so scope is not probed.
    pub(crate) fn school_in_scope(&self, tx: &impl Reader, actor: &Actor, school_id: u64) -> ServiceResult<School> {
        let school = tx.get::<School>(school_id)?.ok_or(ServiceError::NotFound("学校不存在"))?;
        if !actor.manages_school(&school) {
            return Err(ServiceError::NotFound("学校不存在"));
        }
        Ok(school)
    }

    /// Accounts of one organisation, filtered by role, in id order; the actor must administer it.
    pub fn list_accounts_of_school(&self, actor: &Actor, school_id: u64, role: Role) -> ServiceResult<Vec<Account>> {
        let read = self.store.read()?;
        self.school_in_scope(&read, actor, school_id)?;
        let mut accounts = Vec::new();
        for id in read.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school_id)))? {
            if let Some(account) = read.get::<Account>(id)?
                && account.role == role
            {
                accounts.push(account);
            }
        }
        accounts.sort_by_key(|account| account.id);
        Ok(accounts)
    }

    /// One account the actor may see.
    pub fn get_account(&self, actor: &Actor, account_id: u64) -> ServiceResult<Account> {
        let read = self.store.read()?;
        let account = read.get::<Account>(account_id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
        if !actor.sees_account(&account, &read)? {
            return Err(ServiceError::NotFound("账号不存在"));
        }
        Ok(account)
    }

    /// The organisation names of an account (school, department) for display.
    pub fn org_names(&self, org: OrgRef) -> ServiceResult<(String, String)> {
        let read = self.store.read()?;
        Ok(match org {
            OrgRef::City => (self.config.operator.clone(), String::new()),
            OrgRef::Department(id) => (String::new(), read.get::<Department>(id)?.map(|d| d.name).unwrap_or_default()),
            OrgRef::School(id) => {
                let school = read.get::<School>(id)?;
                let department = match &school {
                    Some(school) => read.get::<Department>(school.department_id)?.map(|d| d.name),
                    None => None,
                };
                (school.map(|s| s.name).unwrap_or_default(), department.unwrap_or_default())
            }
        })
    }
}

/// Stores a new account with a fresh id and its indexes; refuses a username already taken.
pub(crate) fn insert_account(tx: &WriteTx, mut account: Account) -> ServiceResult<Account> {
    if tx.lookup(tables::ACCOUNT_BY_USERNAME, &account.username)?.is_some() {
        let message = if account.role.uses_id_number() {
            "该身份证号已开通账号（身份证号在全平台唯一）；如需更换单位，请联系主管部门管理员"
        } else {
            "该登录名已被使用"
        };
        let field = if account.role.uses_id_number() { "id_number" } else { "username" };
        return Err(ServiceError::field(field, message));
    }
    account.id = tx.next_id()?;
    tx.put(&account)?;
    tx.set_lookup(tables::ACCOUNT_BY_USERNAME, &account.username, account.id)?;
    tx.multimap_insert(tables::ACCOUNTS_BY_ORG, &org_key(account.org), account.id)?;
    Ok(account)
}
