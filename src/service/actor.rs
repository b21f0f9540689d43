//! The acting user of a service call and the scope rules of SPEC §1. Every service function takes an `&Actor`;
//! whether the actor may read or change a record is decided here and only here.

use crate::domain::account::{Account, Role};
use crate::domain::org::{OrgRef, School};
use crate::store::{Reader, StoreError};

/// Who is acting, resolved from a session or an API token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: u64,
    pub name: String,
    pub role: Role,
    pub org: OrgRef,
    /// For school-level accounts, the school's department (needed for department scope and recusal).
    pub department_id: Option<u64>,
    /// Client address, recorded in the audit log.
    pub address: String,
}

impl Actor {
    pub fn from_account(account: &Account, school: Option<&School>, address: &str) -> Self {
        let department_id = match account.org {
            OrgRef::Department(id) => Some(id),
            OrgRef::School(_) => school.map(|school| school.department_id),
            OrgRef::City => None,
        };
        Self {
            account_id: account.id,
            name: account.name.clone(),
            role: account.role,
            org: account.org,
            department_id,
            address: address.to_string(),
        }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// May this actor administer `school` (its teachers, its submissions)?
    pub fn manages_school(&self, school: &School) -> bool {
        match self.role {
            Role::CityAdmin => true,
            Role::DepartmentAdmin => self.org == OrgRef::Department(school.department_id),
            Role::SchoolAdmin => self.org == OrgRef::School(school.id),
            Role::Expert | Role::Teacher => false,
        }
    }

    /// May this actor administer the department `department_id` (its schools and their admins)?
    pub fn manages_department(&self, department_id: u64) -> bool {
        match self.role {
            Role::CityAdmin => true,
            Role::DepartmentAdmin => self.org == OrgRef::Department(department_id),
            _ => false,
        }
    }

    /// May this actor see `account`? Admins see the accounts of their scope; everyone sees themselves.
    pub fn sees_account(&self, account: &Account, reader: &impl Reader) -> Result<bool, StoreError> {
        if account.id == self.account_id || self.role == Role::CityAdmin {
            return Ok(true);
        }
        Ok(match (self.role, account.org) {
            (Role::DepartmentAdmin, OrgRef::Department(id)) => self.org == OrgRef::Department(id),
            (Role::DepartmentAdmin, OrgRef::School(school_id)) => {
                reader.get::<School>(school_id)?.is_some_and(|school| self.manages_school(&school))
            }
            (Role::SchoolAdmin, OrgRef::School(school_id)) => {
                self.org == OrgRef::School(school_id) && account.role == Role::Teacher
            }
            _ => false,
        })
    }

    /// May this actor reset the password of `account` (and so unfreeze it)? Admins manage the roles below them.
    pub fn manages_account(&self, account: &Account, reader: &impl Reader) -> Result<bool, StoreError> {
        if account.id == self.account_id {
            return Ok(false); // one's own password is changed, not reset
        }
        let below = match self.role {
            Role::CityAdmin => account.role != Role::CityAdmin,
            Role::DepartmentAdmin => matches!(account.role, Role::SchoolAdmin | Role::Teacher),
            Role::SchoolAdmin => account.role == Role::Teacher,
            Role::Expert | Role::Teacher => false,
        };
        Ok(below && self.sees_account(account, reader)?)
    }
}
