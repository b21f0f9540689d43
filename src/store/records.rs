//! Which table each record kind lives in.

use redb::TableDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::tables;
use crate::domain::account::Account;
use crate::domain::notice::{Material, Notice};
use crate::domain::org::{Department, School};
use crate::domain::project::Project;
use crate::domain::submission::Submission;

/// A JSON record stored under its own u64 id.
pub trait Record: Serialize + DeserializeOwned {
    const TABLE: TableDefinition<'static, u64, &'static [u8]>;
    fn id(&self) -> u64;
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
