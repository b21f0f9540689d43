//! Rows derived from submissions — the list summary — rewritten in the same transaction as every submission
//! write (`Record::after_put`), so no writer can forget them; and the review chain's own tables. Derived data
//! can always be rebuilt: a database whose summaries are incomplete is rebuilt on open.

use redb::{ReadableTable, ReadableTableMetadata};

use super::{Reader, StoreError, WriteTx, tables};
use crate::domain::review::SubmissionSummary;
use crate::domain::submission::Submission;

pub(super) fn create_tables(tx: &WriteTx) -> Result<(), StoreError> {
    for table in [tables::REVIEWS, tables::SUBMISSION_SUMMARIES, tables::MESSAGES] {
        tx.txn.open_table(table)?;
    }
    for table in [tables::SUBMISSIONS_BY_EXPERT, tables::MESSAGES_BY_TEACHER] {
        tx.txn.open_multimap_table(table)?;
    }
    Ok(())
}

pub(super) fn submission_written(tx: &WriteTx, submission: &Submission) -> Result<(), StoreError> {
    tx.put(&SubmissionSummary::of(submission))
}

/// Rebuilds the summaries when they do not cover every submission (a database written
/// before they existed, or damaged derived rows).
pub(super) fn rebuild_if_incomplete(tx: &WriteTx) -> Result<(), StoreError> {
    let submissions = tx.txn.open_table(tables::SUBMISSIONS)?.len()?;
    let summaries = tx.txn.open_table(tables::SUBMISSION_SUMMARIES)?.len()?;
    if submissions == summaries {
        return Ok(());
    }
    let ids: Vec<u64> = {
        let table = tx.txn.open_table(tables::SUBMISSIONS)?;
        let mut ids = Vec::new();
        for entry in table.iter()? {
            ids.push(entry?.0.value());
        }
        ids
    };
    for id in ids {
        if let Some(submission) = tx.get::<Submission>(id)? {
            submission_written(tx, &submission)?;
        }
    }
    tracing::info!(submissions, "submission summaries rebuilt");
    Ok(())
}
