//! Pure rules of the product: no poem, redb, maud or async here. Everything in this folder can be unit-tested
//! with plain values, and both front ends (pages and API) reach it only through `crate::service`.

pub mod account;
pub mod audit;
pub mod catalogue;
pub mod catalogue_edit;
pub mod field_errors;
pub mod filing;
pub mod formats;
pub mod home_steps;
pub mod idcard;
pub mod markup;
pub mod notice;
pub mod org;
pub mod password;
pub mod pledge;
pub mod progress;
pub mod project;
pub mod project_rules;
pub mod review;
pub mod school_type;
pub mod stored_file;
pub mod submission;
pub mod teacher;
pub mod teacher_import;
pub mod verification;

pub use field_errors::{FieldError, FieldErrors};
pub use school_type::SchoolType;
