//! The admins' submission lists read every `SubmissionSummary` of their scope to count states, search names and
//! sort; at city scale (3,000 submissions) decoding them on every request costs more than the rest of the page.
//! This keeps the decoded summaries and the teachers' names in memory, rebuilt from one snapshot whenever the
//! store has committed a write since (`Store::generation`), so a list never shows data older than the last
//! write that preceded the request.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::domain::review::SubmissionSummary;
use crate::service::ServiceResult;
use crate::store::{Reader, SnapshotCache, Store, tables};

/// An account's name; the rest of the record is skipped on decoding.
#[derive(Deserialize)]
struct NameOnly {
    name: String,
}

/// Every submission summary with its teacher's name, as of one snapshot.
pub struct SummarySnapshot {
    pub summaries: Vec<SubmissionSummary>,
    pub teacher_names: HashMap<u64, String>,
}

#[derive(Default)]
pub struct SummaryCache {
    current: SnapshotCache<SummarySnapshot>,
}

impl SummaryCache {
    /// The summaries as of the latest committed write.
    pub fn get(&self, store: &Store) -> ServiceResult<Arc<SummarySnapshot>> {
        self.current.get(store, |read| {
            let summaries = read.all::<SubmissionSummary>()?;
            let mut teacher_ids: Vec<u64> = summaries.iter().map(|summary| summary.teacher_id).collect();
            teacher_ids.sort_unstable();
            teacher_ids.dedup();
            // Only the name of each account is decoded: the snapshot is rebuilt after every write, and on a
            // deadline day writes come many a second.
            let teacher_names = read
                .get_many_as::<NameOnly>(tables::ACCOUNTS, &teacher_ids)?
                .into_iter()
                .map(|(id, account)| (id, account.name))
                .collect();
            Ok(SummarySnapshot { summaries, teacher_names })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::submission::SubmissionState;
    use crate::store::StoreError;

    fn summary(id: u64, state: SubmissionState) -> SubmissionSummary {
        SubmissionSummary {
            id,
            project_id: 1,
            teacher_id: 99,
            school_id: 2,
            department_id: 3,
            state,
            applied_subject: "语文".into(),
            titles: vec!["题目".into()],
            versions: 1,
            submitted_at: Some(Utc::now()),
            updated_at: Utc::now(),
            grade: None,
            published: false,
            achievement_hashes: Vec::new(),
        }
    }

    #[test]
    fn a_write_makes_the_next_read_see_it() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(&dir.path().join("db.redb")).expect("store");
        let cache = SummaryCache::default();
        store.write(|tx| tx.put(&summary(1, SubmissionState::Submitted))).expect("first");
        let first = cache.get(&store).expect("get");
        assert_eq!(first.summaries.len(), 1);
        assert!(Arc::ptr_eq(&first, &cache.get(&store).expect("again")), "no write, same snapshot");
        store
            .write(|tx| {
                tx.put(&summary(1, SubmissionState::Returned))?;
                tx.put(&summary(2, SubmissionState::Submitted))
            })
            .expect("second");
        let second = cache.get(&store).expect("after write");
        assert_eq!(second.summaries.len(), 2);
        assert_eq!(second.summaries[0].state, SubmissionState::Returned);
        // A failed transaction commits nothing and keeps the snapshot.
        let failed: Result<(), StoreError> = store.write(|tx| {
            tx.put(&summary(3, SubmissionState::Submitted))?;
            Err(StoreError::Locked)
        });
        assert!(failed.is_err());
        assert!(Arc::ptr_eq(&second, &cache.get(&store).expect("after abort")));
    }
}
