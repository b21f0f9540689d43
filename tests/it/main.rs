//! Black-box tests: every test starts the real binary with a temporary data directory and talks HTTP to it.
//! One test binary (modules by area) keeps link time down.

mod support;

mod admin_city;
mod admin_department;
mod admin_import;
mod admin_projects;
mod admin_school;
mod admin_support;
mod api;
mod api_messages;
mod api_types;
mod appraisal;
mod authz_matrix;
mod authz_rules;
mod backup;
mod bad_files;
mod demo;
mod file_modes;
mod first_admin;
mod hardening_filing;
mod layout;
mod memory_cap;
mod notices;
mod operation;
mod print_data;
mod printing;
mod review;
mod robust;
mod role_first;
mod scope;
mod sign_in_privacy;
mod signing_in;
mod test_clock;
mod token_revocation;
mod web_hardening;
