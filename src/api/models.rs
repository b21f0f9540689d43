//! The public JSON contract of `/api/v1`. Domain structs are never exposed directly: these are.

use poem_openapi::Object;

use super::enums::{RoleCode, SchoolTypeCode};

use crate::domain::account::Account;
use crate::domain::org::{Department, OrgRef, School};

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    pub id: u64,
    /// Login name (the ID number for teachers and experts).
    pub username: String,
    pub name: String,
    pub role: RoleCode,
    pub role_label: String,
    pub school_id: Option<u64>,
    pub department_id: Option<u64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DepartmentOut {
    pub id: u64,
    pub name: String,
    pub disabled: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DepartmentIn {
    pub name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SchoolOut {
    pub id: u64,
    pub name: String,
    pub department_id: u64,
    pub school_type: SchoolTypeCode,
    pub school_type_label: String,
    pub disabled: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SchoolIn {
    pub name: String,
    pub department_id: u64,
    pub school_type: SchoolTypeCode,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeacherOut {
    pub id: u64,
    /// The 18-character ID number (the username).
    pub id_number: String,
    pub name: String,
    pub school_id: Option<u64>,
    /// 最高学历
    pub education: String,
    /// 最高学位
    pub degree: String,
    /// 出生年月 (`yyyy-mm-dd`, from the ID number).
    pub birth_date: Option<String>,
    pub project_id: Option<u64>,
    pub disabled: bool,
    pub frozen: bool,
    pub must_change_password: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeacherIn {
    pub school_id: u64,
    pub id_number: String,
    pub name: String,
    /// 大专 / 本科 / 研究生 / 其它
    pub education: String,
    /// 无 / 学士 / 硕士 / 博士
    pub degree: String,
    /// Optional; must agree with the ID number.
    #[oai(default)]
    pub birth: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Done {
    pub ok: bool,
}

impl Me {
    pub fn from(account: &Account, department_id: Option<u64>) -> Self {
        let school_id = match account.org {
            OrgRef::School(id) => Some(id),
            _ => None,
        };
        Self {
            id: account.id,
            username: account.username.clone(),
            name: account.name.clone(),
            role: account.role.into(),
            role_label: account.role.label().into(),
            school_id,
            department_id,
        }
    }
}

impl From<Department> for DepartmentOut {
    fn from(department: Department) -> Self {
        Self { id: department.id, name: department.name, disabled: department.disabled }
    }
}

impl From<School> for SchoolOut {
    fn from(school: School) -> Self {
        Self {
            id: school.id,
            name: school.name,
            department_id: school.department_id,
            school_type: school.school_type.into(),
            school_type_label: school.school_type.label().into(),
            disabled: school.disabled,
        }
    }
}

impl TeacherOut {
    /// The teacher as of `now` (whether frozen), by the services' clock.
    pub fn new(account: &Account, now: chrono::DateTime<chrono::Utc>) -> Self {
        let profile = account.teacher.clone().unwrap_or_default();
        Self {
            id: account.id,
            id_number: account.username.clone(),
            name: account.name.clone(),
            school_id: account.school_id(),
            education: profile.education,
            degree: profile.degree,
            birth_date: profile.birth_date.map(|date| date.format("%Y-%m-%d").to_string()),
            project_id: profile.project_id,
            disabled: account.disabled,
            frozen: account.is_frozen(now),
            must_change_password: account.must_change_password,
        }
    }
}
