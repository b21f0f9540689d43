//! The public JSON contract of the administration endpoints (organisations, admin and expert accounts, teachers,
//! imports, progress, the audit log, tokens). Domain structs are never exposed: these are.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::enums::{AdminRoleCode, OrgKindCode, OrgRefKindCode, RoleCode, SchoolTypeCode};

use super::enums::{ProgressCode, RowOutcomeCode};
use crate::domain::account::{Account, OrgMove};
use crate::domain::audit::AuditEntry;
use crate::domain::org::OrgRef;
use crate::domain::progress::Progress;
use crate::service::api_tokens::ApiToken;
use crate::service::imports::{ImportReport, RowOutcome};
use crate::service::progress::SchoolProgress;
use crate::service::teachers::TeacherRow;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DepartmentUpdate {
    /// New name (unchanged when absent).
    pub name: Option<String>,
    /// `true` disables, `false` enables (unchanged when absent).
    pub disabled: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SchoolUpdate {
    pub name: Option<String>,
    pub school_type: Option<SchoolTypeCode>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminOut {
    pub id: u64,
    pub username: String,
    pub name: String,
    pub role: RoleCode,
    pub department_id: Option<u64>,
    pub school_id: Option<u64>,
    pub disabled: bool,
    pub must_change_password: bool,
}

impl From<&Account> for AdminOut {
    fn from(account: &Account) -> Self {
        let (department_id, school_id) = match account.org {
            OrgRef::Department(id) => (Some(id), None),
            OrgRef::School(id) => (None, Some(id)),
            OrgRef::City => (None, None),
        };
        Self {
            id: account.id,
            username: account.username.clone(),
            name: account.name.clone(),
            role: account.role.into(),
            department_id,
            school_id,
            disabled: account.disabled,
            must_change_password: account.must_change_password,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminIn {
    /// `department_admin` (city admins only) or `school_admin`.
    pub role: AdminRoleCode,
    /// The department (for a department admin) or school (for a school admin).
    pub org_id: u64,
    pub username: String,
    pub name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertOut {
    pub id: u64,
    pub id_number: String,
    pub name: String,
    /// `school` or `department`: where the expert belongs (recusal).
    pub org_kind: OrgRefKindCode,
    pub org_id: u64,
    pub subjects: Vec<String>,
    pub disabled: bool,
}

impl From<&Account> for ExpertOut {
    fn from(account: &Account) -> Self {
        let (org_kind, org_id) = match account.org {
            OrgRef::School(id) => (OrgRefKindCode::School, id),
            OrgRef::Department(id) => (OrgRefKindCode::Department, id),
            OrgRef::City => (OrgRefKindCode::City, 0),
        };
        Self {
            id: account.id,
            id_number: account.username.clone(),
            name: account.name.clone(),
            org_kind,
            org_id,
            subjects: account.expert_subjects.clone(),
            disabled: account.disabled,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertIn {
    /// Ignored on update (the ID number is the username).
    #[oai(default)]
    pub id_number: String,
    pub name: String,
    pub org_kind: OrgKindCode,
    pub org_id: u64,
    /// Subjects from the projects' 申报学科 lists.
    pub subjects: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<ExpertOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MoveOut {
    pub at: DateTime<Utc>,
    pub from_school_id: u64,
    pub from_school: String,
    pub to_school_id: u64,
    pub to_school: String,
    pub actor_name: String,
    pub reason: String,
}

impl From<&OrgMove> for MoveOut {
    fn from(entry: &OrgMove) -> Self {
        Self {
            at: entry.at,
            from_school_id: entry.from_school_id,
            from_school: entry.from_school.clone(),
            to_school_id: entry.to_school_id,
            to_school: entry.to_school.clone(),
            actor_name: entry.actor_name.clone(),
            reason: entry.reason.clone(),
        }
    }
}

/// A teacher with school, project and progress.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeacherRowOut {
    pub id: u64,
    pub id_number: String,
    pub name: String,
    pub school_id: u64,
    pub school_name: String,
    pub department_name: String,
    pub education: String,
    pub degree: String,
    /// 出生年月 (`yyyy-mm-dd`, from the ID number).
    pub birth_date: Option<String>,
    pub project_id: Option<u64>,
    pub project_name: Option<String>,
    /// `no_project`, `not_filed`, or a submission state (`draft`, `submitted`, `returned`, …).
    pub progress: ProgressCode,
    pub progress_label: String,
    pub disabled: bool,
    pub frozen: bool,
    pub must_change_password: bool,
    /// 更换单位 history, oldest first.
    pub moves: Vec<MoveOut>,
}

impl TeacherRowOut {
    /// The row as of `now` (whether frozen), by the services' clock.
    pub fn new(row: &TeacherRow, now: chrono::DateTime<chrono::Utc>) -> Self {
        let profile = row.account.teacher.clone().unwrap_or_default();
        Self {
            id: row.account.id,
            id_number: row.account.username.clone(),
            name: row.account.name.clone(),
            school_id: row.school_id,
            school_name: row.school_name.clone(),
            department_name: row.department_name.clone(),
            education: profile.education,
            degree: profile.degree,
            birth_date: profile.birth_date.map(|date| date.format("%Y-%m-%d").to_string()),
            project_id: profile.project_id,
            project_name: row.project_name.clone(),
            progress: row.progress.into(),
            progress_label: row.progress.label().into(),
            disabled: row.account.disabled,
            frozen: row.account.is_frozen(now),
            must_change_password: row.account.must_change_password,
            moves: row.account.moves.iter().map(MoveOut::from).collect(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeacherPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<TeacherRowOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeacherUpdate {
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
pub struct ProjectChoice {
    /// The project, or absent / null for none.
    pub project_id: Option<u64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkProjectIn {
    pub teacher_ids: Vec<u64>,
    pub project_id: Option<u64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkOutcomeOut {
    pub teacher_id: u64,
    pub applied: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MoveIn {
    /// The school to move to (in the caller's scope).
    pub school_id: u64,
    #[oai(default)]
    pub reason: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ImportRowOut {
    /// The spreadsheet's row number.
    pub line: u64,
    /// The ID number with its middle masked.
    pub id_number: String,
    pub name: String,
    pub school: String,
    /// `created`, `updated`, `unchanged` or `refused`.
    pub outcome: RowOutcomeCode,
    pub reasons: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ImportReportOut {
    pub dry_run: bool,
    /// Whether the good rows were written.
    pub applied: bool,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub refused: u64,
    pub rows: Vec<ImportRowOut>,
}

impl From<&ImportReport> for ImportReportOut {
    fn from(report: &ImportReport) -> Self {
        Self {
            dry_run: report.dry_run,
            applied: report.applied,
            created: report.count(RowOutcome::Created) as u64,
            updated: report.count(RowOutcome::Updated) as u64,
            unchanged: report.count(RowOutcome::Unchanged) as u64,
            refused: report.count(RowOutcome::Refused) as u64,
            rows: report
                .rows
                .iter()
                .map(|row| ImportRowOut {
                    line: row.line as u64,
                    id_number: row.id_masked.clone(),
                    name: row.name.clone(),
                    school: row.school.clone(),
                    outcome: row.outcome.into(),
                    reasons: row.reasons.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProgressCountOut {
    pub code: ProgressCode,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SchoolProgressOut {
    pub school_id: u64,
    pub school_name: String,
    pub department_id: u64,
    pub department_name: String,
    pub teachers: u64,
    pub counts: Vec<ProgressCountOut>,
}

impl From<&SchoolProgress> for SchoolProgressOut {
    fn from(line: &SchoolProgress) -> Self {
        Self {
            school_id: line.school.id,
            school_name: line.school.name.clone(),
            department_id: line.school.department_id,
            department_name: line.department_name.clone(),
            teachers: line.counts.teachers as u64,
            counts: Progress::ALL
                .iter()
                .map(|progress| ProgressCountOut {
                    code: (*progress).into(),
                    label: progress.label().into(),
                    count: line.counts.get(*progress) as u64,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntryOut {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<u64>,
    pub actor_name: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&AuditEntry> for AuditEntryOut {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            seq: entry.seq,
            at: entry.at,
            actor_id: entry.actor_id,
            actor_name: entry.actor_name.clone(),
            address: entry.address.clone(),
            action: entry.action.clone(),
            target: entry.target.clone(),
            detail: entry.detail.clone(),
            prev_hash: entry.prev_hash.clone(),
            hash: entry.hash.clone(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Whether the whole log chains from the first entry to the last.
    pub chain_intact: bool,
    /// The first entry that does not chain, when broken.
    pub chain_broken_at: Option<u64>,
    pub items: Vec<AuditEntryOut>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenOut {
    pub id: u64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl From<&ApiToken> for TokenOut {
    fn from(token: &ApiToken) -> Self {
        Self {
            id: token.id,
            name: token.name.clone(),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
            revoked: token.revoked_at.is_some(),
        }
    }
}
