//! One file per area of the site.

pub mod admin_orgs;
pub mod admin_teachers;
pub mod admin_tokens;
pub mod appraisal;
pub mod browser;
pub mod home;
pub mod login;
pub mod password;
