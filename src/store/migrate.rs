//! Schema versions and migrations, append-only: `SCHEMA_VERSION` is the version this binary writes, and each
//! older version has one `migrate_to_vN` step. A newer database is refused rather than half-understood.

use redb::ReadableDatabase;

use super::{Store, StoreError, WriteTx, tables};

/// The schema this binary reads and writes.
pub const SCHEMA_VERSION: u64 = 1;

pub(super) fn run(store: &Store) -> Result<(), StoreError> {
    let found = {
        let read = store.db.begin_read()?;
        match read.open_table(tables::META) {
            Ok(table) => table.get(tables::SCHEMA_VERSION_KEY)?.map(|value| value.value()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(error) => return Err(error.into()),
        }
    };
    let result = match found {
        Some(version) if version > SCHEMA_VERSION => {
            Err(StoreError::SchemaTooNew { found: version, supported: SCHEMA_VERSION })
        }
        Some(version) if version == SCHEMA_VERSION => store.write(create_tables),
        Some(version) => store.write(|tx| {
            for target in version + 1..=SCHEMA_VERSION {
                migrate_to(tx, target)?;
                tx.set_meta(tables::SCHEMA_VERSION_KEY, target)?;
                tracing::info!(from = target - 1, to = target, "schema migrated");
            }
            create_tables(tx)
        }),
        None => store.write(|tx| {
            create_tables(tx)?;
            tx.set_meta(tables::SCHEMA_VERSION_KEY, SCHEMA_VERSION)
        }),
    };
    result?;
    store.write(super::derived::rebuild_if_incomplete)
}

/// Opening a table in a write transaction creates it, so readers never meet a missing table.
fn create_tables(tx: &WriteTx) -> Result<(), StoreError> {
    let txn = &tx.txn;
    txn.open_table(tables::META)?;
    for table in
        [tables::DEPARTMENTS, tables::SCHOOLS, tables::ACCOUNTS, tables::AUDIT, tables::PROJECTS, tables::SUBMISSIONS]
    {
        txn.open_table(table)?;
    }
    for table in [tables::SESSIONS, tables::API_TOKENS] {
        txn.open_table(table)?;
    }
    txn.open_table(tables::ACCOUNT_BY_USERNAME)?;
    txn.open_table(tables::SUBMISSION_BY_TEACHER)?;
    txn.open_multimap_table(tables::SUBMISSIONS_BY_KEY)?;
    txn.open_multimap_table(tables::ACCOUNTS_BY_ORG)?;
    txn.open_multimap_table(tables::SESSIONS_BY_ACCOUNT)?;
    txn.open_table(tables::FILES)?;
    txn.open_table(tables::NOTICES)?;
    txn.open_table(tables::MATERIALS)?;
    txn.open_table(tables::NOTICE_FILES)?;
    txn.open_table(tables::VERIFICATIONS)?;
    txn.open_table(tables::VERIFICATION_BY_CONTENT)?;
    super::derived::create_tables(tx)?;
    Ok(())
}

/// One step per version. Version 1 is the first schema, so there is nothing to migrate yet; a future
/// `2 => migrate_to_v2(tx)` goes here, and a database written by version N-1 is kept as a test fixture.
fn migrate_to(_tx: &WriteTx, target: u64) -> Result<(), StoreError> {
    tracing::debug!(target, "no migration step needed");
    Ok(())
}
