//! The role half of authorization, asked before an adapter reads its input, so that a caller who may not use an
//! operation is refused (403) whatever it sent: a field error would tell it the operation's rules, and would hide
//! the refusal behind its own mistakes. Each use case still checks role and scope itself; this only moves the
//! answer for the wrong role ahead of parsing. The rules are the use cases' own functions, not copies.

use super::Services;
use super::actor::Actor;
use super::error::ServiceResult;

/// What the caller must be for an operation whose input the adapter converts before the use case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Manage projects and their catalogues (the city admin).
    ManageProjects,
    /// Publish notices and materials (the city admin).
    Publish,
    /// Read the teacher lists of a scope (any admin).
    ListTeachers,
    /// Read the review lists (school, department and city admins).
    Review,
}

impl Services {
    /// Refuses an actor that no scope would let do `duty`.
    pub fn permit(&self, actor: &Actor, duty: Duty) -> ServiceResult<()> {
        match duty {
            Duty::ManageProjects => super::project_admin::city_only(actor),
            Duty::Publish => super::notices::require_publisher(actor),
            Duty::ListTeachers => super::teachers::require_admin(actor),
            Duty::Review => super::review::admin::require_reviewer(actor),
        }
    }
}
