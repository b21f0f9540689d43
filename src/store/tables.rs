//! Every redb table in one place. Records are JSON (serde) so that adding a field with `#[serde(default)]` needs no
//! migration; keys are plain redb types. Secondary indexes are separate tables kept in the same transaction.

use redb::{MultimapTableDefinition, TableDefinition};

/// `schema_version` and the id counter.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

pub const DEPARTMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("departments");
pub const SCHOOLS: TableDefinition<u64, &[u8]> = TableDefinition::new("schools");
pub const ACCOUNTS: TableDefinition<u64, &[u8]> = TableDefinition::new("accounts");
/// Username (ID number or admin login name) → account id. Enforces platform-wide uniqueness.
pub const ACCOUNT_BY_USERNAME: TableDefinition<&str, u64> = TableDefinition::new("account_by_username");
/// Organisation key (`city`, `department:3`, `school:7`) → account ids, for scoped lists.
pub const ACCOUNTS_BY_ORG: MultimapTableDefinition<&str, u64> = MultimapTableDefinition::new("accounts_by_org");
/// SHA-256 (hex) of the session token → session. The token itself is never stored.
pub const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");
/// Account id → its session keys, so a reset or password change can end them all.
pub const SESSIONS_BY_ACCOUNT: MultimapTableDefinition<u64, &str> = MultimapTableDefinition::new("sessions_by_account");
/// SHA-256 (hex) of an API token → token record.
pub const API_TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("api_tokens");
pub const PROJECTS: TableDefinition<u64, &[u8]> = TableDefinition::new("projects");
pub const SUBMISSIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("submissions");
/// `{project_id}:{teacher_id}` → submission id: one submission per teacher per project.
pub const SUBMISSION_BY_TEACHER: TableDefinition<&str, u64> = TableDefinition::new("submission_by_teacher");
/// `project:{id}`, `school:{id}`, `department:{id}`, `teacher:{id}` → submission ids, for scoped lists.
pub const SUBMISSIONS_BY_KEY: MultimapTableDefinition<&str, u64> = MultimapTableDefinition::new("submissions_by_key");
/// Audit sequence number → entry (hash-chained).
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// SHA-256 (hex) of a stored upload → JSON `StoredFile` (size, kind, the submissions that reference it).
pub const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");

/// 通知公告, by id.
pub const NOTICES: TableDefinition<u64, &[u8]> = TableDefinition::new("notices");
/// 资料下载, by id.
pub const MATERIALS: TableDefinition<u64, &[u8]> = TableDefinition::new("materials");
/// SHA-256 of a file uploaded for a notice or material → its kind, size and extracted text. The search index is
/// rebuilt from here, so it never needs the blobs again; an entry also proves the file came in through the
/// publisher's upload (a notice may only reference such files).
pub const NOTICE_FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("notice_files");
/// Verification code (compact, 20 characters) → JSON `VerificationRecord` of a printed document.
pub const VERIFICATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("verifications");
/// SHA-256 of a printed document's content → JSON string of its code, so a reprint reuses the code.
pub const VERIFICATION_BY_CONTENT: TableDefinition<&str, &[u8]> = TableDefinition::new("verification_by_content");
/// Submission id → JSON `Review` (material checks, acceptance, expert assignments and grades).
pub const REVIEWS: TableDefinition<u64, &[u8]> = TableDefinition::new("reviews");
/// Submission id → JSON `SubmissionSummary`, rewritten with every submission write (derived; rebuilt if missing).
pub const SUBMISSION_SUMMARIES: TableDefinition<u64, &[u8]> = TableDefinition::new("submission_summaries");
/// `expert:{id}` → submission ids assigned to that expert (active or declined).
pub const SUBMISSIONS_BY_EXPERT: MultimapTableDefinition<&str, u64> =
    MultimapTableDefinition::new("submissions_by_expert");
/// Message id → JSON `Message` (消息提醒).
pub const MESSAGES: TableDefinition<u64, &[u8]> = TableDefinition::new("messages");
/// `teacher:{id}` → message ids.
pub const MESSAGES_BY_TEACHER: MultimapTableDefinition<&str, u64> = MultimapTableDefinition::new("messages_by_teacher");

pub const SCHEMA_VERSION_KEY: &str = "schema_version";
pub const NEXT_ID_KEY: &str = "next_id";

/// One table of any of the key / value shapes used above, so code that must visit every table (the backup's
/// copy, `zhiping check`) can name them in one list.
#[derive(Clone, Copy)]
pub enum AnyTable {
    StrU64(TableDefinition<'static, &'static str, u64>),
    U64Json(TableDefinition<'static, u64, &'static [u8]>),
    StrJson(TableDefinition<'static, &'static str, &'static [u8]>),
    MultiStrU64(MultimapTableDefinition<'static, &'static str, u64>),
    MultiU64Str(MultimapTableDefinition<'static, u64, &'static str>),
}

impl AnyTable {
    pub fn name(&self) -> &str {
        use redb::{MultimapTableHandle, TableHandle};
        match self {
            AnyTable::StrU64(table) => table.name(),
            AnyTable::U64Json(table) => table.name(),
            AnyTable::StrJson(table) => table.name(),
            AnyTable::MultiStrU64(table) => table.name(),
            AnyTable::MultiU64Str(table) => table.name(),
        }
    }
}

/// Every table defined in this file. The backup copies exactly these; a unit test below reads this file and
/// fails when a table is defined but missing here, and the copy refuses a database holding a table not listed.
pub const ALL: &[AnyTable] = &[
    AnyTable::StrU64(META),
    AnyTable::U64Json(DEPARTMENTS),
    AnyTable::U64Json(SCHOOLS),
    AnyTable::U64Json(ACCOUNTS),
    AnyTable::StrU64(ACCOUNT_BY_USERNAME),
    AnyTable::MultiStrU64(ACCOUNTS_BY_ORG),
    AnyTable::StrJson(SESSIONS),
    AnyTable::MultiU64Str(SESSIONS_BY_ACCOUNT),
    AnyTable::StrJson(API_TOKENS),
    AnyTable::U64Json(PROJECTS),
    AnyTable::U64Json(SUBMISSIONS),
    AnyTable::StrU64(SUBMISSION_BY_TEACHER),
    AnyTable::MultiStrU64(SUBMISSIONS_BY_KEY),
    AnyTable::U64Json(AUDIT),
    AnyTable::StrJson(FILES),
    AnyTable::U64Json(NOTICES),
    AnyTable::U64Json(MATERIALS),
    AnyTable::StrJson(NOTICE_FILES),
    AnyTable::StrJson(VERIFICATIONS),
    AnyTable::StrJson(VERIFICATION_BY_CONTENT),
    AnyTable::U64Json(REVIEWS),
    AnyTable::U64Json(SUBMISSION_SUMMARIES),
    AnyTable::MultiStrU64(SUBMISSIONS_BY_EXPERT),
    AnyTable::U64Json(MESSAGES),
    AnyTable::MultiStrU64(MESSAGES_BY_TEACHER),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// A table added above but not to `ALL` would be left out of every backup: this test reads the source.
    #[test]
    fn every_defined_table_is_in_the_list() {
        let source = include_str!("tables.rs");
        let defined: BTreeSet<&str> =
            source.split("TableDefinition::new(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
        let listed: BTreeSet<&str> = super::ALL.iter().map(|table| table.name()).collect();
        assert_eq!(super::ALL.len(), listed.len(), "a table is listed twice");
        assert!(defined.len() >= 25, "the source scan found too few tables: {defined:?}");
        assert_eq!(defined, listed, "tables.rs defines tables that ALL does not list (or the other way round)");
    }
}
