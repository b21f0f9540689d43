//! One file per area of the site.

pub mod admin_audit;
pub mod admin_catalogue;
pub mod admin_experts;
pub mod admin_import;
pub mod admin_notices;
pub mod admin_notices_forms;
pub mod admin_org_detail;
pub mod admin_orgs;
pub mod admin_progress;
pub mod admin_projects;
pub mod admin_teacher;
pub mod admin_teachers;
pub mod admin_tokens;
pub mod browser;
pub mod expert;
pub mod home;
pub mod login;
pub mod messages;
pub mod notices;
pub mod password;
pub mod printing;
pub mod review_detail;
pub mod review_list;
pub mod review_results;
pub mod review_view;
pub mod verify;
