//! Organisations (SPEC §1): the city office → supervisory departments (主管部门) → schools (学校).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SchoolType;

/// A supervisory department, e.g. 上海市虹口区教育局.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A school; it always belongs to exactly one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: u64,
    pub name: String,
    pub department_id: u64,
    pub school_type: SchoolType,
    #[serde(default)]
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// Where an account belongs. The city office is a singleton, so it needs no id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum OrgRef {
    City,
    Department(u64),
    School(u64),
}

/// The name of an organisation checked before it is stored: trimmed, 2–60 characters.
pub fn check_org_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    let length = name.chars().count();
    if length == 0 {
        return Err("名称不能为空");
    }
    if !(2..=60).contains(&length) || name.chars().any(char::is_control) {
        return Err("名称应为2到60个字符");
    }
    Ok(name.to_string())
}
