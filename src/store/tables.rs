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
