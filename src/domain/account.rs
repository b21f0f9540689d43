//! Accounts and roles (SPEC §1–§2). One account has one role and belongs to one organisation. Teacher accounts
//! are never deleted: they are disabled, moved or given another project.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::org::OrgRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 市级管理员: everything.
    CityAdmin,
    /// 主管部门管理员: its department's schools.
    DepartmentAdmin,
    /// 学校管理员: its school's teachers.
    SchoolAdmin,
    /// 专家: the submissions assigned to it.
    Expert,
    /// 教师: its own appraisal.
    Teacher,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::CityAdmin, Role::DepartmentAdmin, Role::SchoolAdmin, Role::Expert, Role::Teacher];

    pub fn label(self) -> &'static str {
        match self {
            Role::CityAdmin => "市级管理员",
            Role::DepartmentAdmin => "主管部门管理员",
            Role::SchoolAdmin => "学校管理员",
            Role::Expert => "专家",
            Role::Teacher => "教师",
        }
    }

    /// The word after the name in the header: 欢迎 刁彬彬 教师.
    pub fn greeting_suffix(self) -> &'static str {
        match self {
            Role::Teacher => "教师",
            Role::Expert => "专家",
            _ => "管理员",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::CityAdmin => "city_admin",
            Role::DepartmentAdmin => "department_admin",
            Role::SchoolAdmin => "school_admin",
            Role::Expert => "expert",
            Role::Teacher => "teacher",
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Role::CityAdmin | Role::DepartmentAdmin | Role::SchoolAdmin)
    }

    /// Teachers and experts sign in with their ID number.
    pub fn uses_id_number(self) -> bool {
        matches!(self, Role::Teacher | Role::Expert)
    }

    /// Whether an account of this role may belong to `org`.
    pub fn fits(self, org: OrgRef) -> bool {
        matches!(
            (self, org),
            (Role::CityAdmin, OrgRef::City)
                | (Role::DepartmentAdmin, OrgRef::Department(_))
                | (Role::SchoolAdmin, OrgRef::School(_))
                | (Role::Teacher, OrgRef::School(_))
                | (Role::Expert, OrgRef::School(_) | OrgRef::Department(_) | OrgRef::City)
        )
    }
}

/// 最高学历 choices (SPEC §4.2).
pub const EDUCATIONS: [&str; 4] = ["大专", "本科", "研究生", "其它"];
/// 最高学位 choices (SPEC §4.2).
pub const DEGREES: [&str; 4] = ["无", "学士", "硕士", "博士"];

/// Basic information the school maintains for a teacher (grey, read-only on the teacher's form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TeacherProfile {
    /// 最高学历, one of `EDUCATIONS`.
    pub education: String,
    /// 最高学位, one of `DEGREES`.
    pub degree: String,
    /// 出生年月: always the date in the ID number.
    pub birth_date: Option<NaiveDate>,
    /// The appraisal project the school chose for this teacher (选择申报项目); none → 无权限.
    pub project_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: u64,
    /// Login name: the ID number for teachers and experts, an ordinary name for admins. Unique platform-wide.
    pub username: String,
    /// 姓名 (or the admin account's display name).
    pub name: String,
    pub role: Role,
    pub org: OrgRef,
    /// argon2id PHC string, or `None` while the account holds the default password `00000000` (new or reset).
    /// Hashing a publicly known password protects nothing and would cost ~25 ms per account in a
    /// 20,000-teacher import; `must_change_password` is always set in that state.
    pub password_hash: Option<String>,
    /// Set for new and reset accounts: every page redirects to the change form until it is cleared.
    pub must_change_password: bool,
    #[serde(default)]
    pub failed_logins: u32,
    #[serde(default)]
    pub frozen_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub teacher: Option<TeacherProfile>,
    /// Subjects an expert can appraise (matched to 申报学科).
    #[serde(default)]
    pub expert_subjects: Vec<String>,
    /// 更换单位 history, oldest first; never rewritten.
    #[serde(default)]
    pub moves: Vec<OrgMove>,
}

/// One 更换单位: a teacher moved from one school to another. Names are kept as they were at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMove {
    pub at: DateTime<Utc>,
    pub from_school_id: u64,
    pub from_school: String,
    pub to_school_id: u64,
    pub to_school: String,
    /// Who moved the teacher (display name at the time).
    pub actor_name: String,
    /// Optional note typed by the admin (e.g. 调动文号).
    #[serde(default)]
    pub reason: String,
}

impl Account {
    pub fn is_frozen(&self, now: DateTime<Utc>) -> bool {
        self.frozen_until.is_some_and(|until| until > now)
    }

    pub fn school_id(&self) -> Option<u64> {
        match self.org {
            OrgRef::School(id) => Some(id),
            _ => None,
        }
    }
}

/// Admin login names: 3–32 of ASCII letters, digits, `_`, `-`, `.`, starting with a letter.
pub fn check_admin_username(username: &str) -> Result<String, &'static str> {
    let username = username.trim();
    let valid_chars = username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !(3..=32).contains(&username.len()) || !valid_chars || !username.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("登录名应为3到32位字母、数字、下划线、点或短横线，并以字母开头");
    }
    Ok(username.to_string())
}

/// 姓名: 1–30 characters, no control characters.
pub fn check_person_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("姓名不能为空");
    }
    if name.chars().count() > 30 || name.chars().any(char::is_control) {
        return Err("姓名至多30个字符");
    }
    Ok(name.to_string())
}

/// 刁彬彬 → 刁*彬: keep the first and the last character (a two-character name keeps the first).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        length => format!("{}{}{}", chars[0], "*".repeat(length - 2), chars[length - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_names_like_the_spec() {
        assert_eq!(mask_name("刁彬彬"), "刁*彬");
        assert_eq!(mask_name("张琳"), "张*");
        assert_eq!(mask_name("欧阳明月"), "欧**月");
    }

    #[test]
    fn roles_fit_their_organisations() {
        assert!(Role::Teacher.fits(OrgRef::School(3)));
        assert!(!Role::Teacher.fits(OrgRef::Department(3)));
        assert!(!Role::SchoolAdmin.fits(OrgRef::City));
        assert!(Role::Expert.fits(OrgRef::Department(2)));
    }

    #[test]
    fn admin_usernames() {
        assert!(check_admin_username("nanhu_admin").is_ok());
        assert!(check_admin_username("1admin").is_err());
        assert!(check_admin_username("管理员").is_err());
    }
}
