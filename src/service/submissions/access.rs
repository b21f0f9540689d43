//! Who may read a submission (its fields and its files): the teacher who filed it, and admins whose scope holds
//! the submission's school. Experts read only what is assigned to them; that rule belongs to the review module,
//! which extends `may_read` when assignments exist (until then experts read nothing).

use crate::domain::account::Role;
use crate::domain::org::School;
use crate::domain::submission::Submission;
use crate::service::actor::Actor;
use crate::store::{Reader, StoreError};

pub fn may_read(actor: &Actor, submission: &Submission, reader: &impl Reader) -> Result<bool, StoreError> {
    Ok(match actor.role {
        Role::Teacher => submission.teacher_id == actor.account_id,
        Role::CityAdmin => true,
        Role::DepartmentAdmin | Role::SchoolAdmin => {
            reader.get::<School>(submission.school_id)?.is_some_and(|school| actor.manages_school(&school))
        }
        Role::Expert => false,
    })
}
