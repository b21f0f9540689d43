//! Which table each record kind lives in.

use redb::TableDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::tables;
use crate::domain::account::Account;
use crate::domain::notice::{Material, Notice};
use crate::domain::org::{Department, School};
use crate::domain::project::Project;
use crate::domain::review::{Message, Review, SubmissionSummary};
use crate::domain::submission::Submission;

/// A JSON record stored under its own u64 id.
pub trait Record: Serialize + DeserializeOwned {
    const TABLE: TableDefinition<'static, u64, &'static [u8]>;
    fn id(&self) -> u64;
    /// Derived rows (summaries, indexes) to rewrite in the same transaction whenever the record is written.
    fn after_put(&self, _tx: &super::WriteTx) -> Result<(), super::StoreError> {
        Ok(())
    }
}

impl Record for Department {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::DEPARTMENTS;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for School {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::SCHOOLS;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Account {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::ACCOUNTS;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Project {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::PROJECTS;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Submission {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::SUBMISSIONS;
    fn id(&self) -> u64 {
        self.id
    }
    fn after_put(&self, tx: &super::WriteTx) -> Result<(), super::StoreError> {
        super::derived::submission_written(tx, self)
    }
}

impl Record for SubmissionSummary {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::SUBMISSION_SUMMARIES;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Review {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::REVIEWS;
    fn id(&self) -> u64 {
        self.submission_id
    }
}

impl Record for Message {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::MESSAGES;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Notice {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::NOTICES;
    fn id(&self) -> u64 {
        self.id
    }
}

impl Record for Material {
    const TABLE: TableDefinition<'static, u64, &'static [u8]> = tables::MATERIALS;
    fn id(&self) -> u64 {
        self.id
    }
}
