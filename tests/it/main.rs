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
mod appraisal;
mod authz_matrix;
mod authz_rules;
mod backup;
mod memory_cap;
mod notices;
mod operation;
mod print_data;
mod printing;
mod review;
mod robust;
mod scope;
mod signing_in;
