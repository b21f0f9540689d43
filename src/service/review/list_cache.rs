//! The admins' submission lists read every `SubmissionSummary` of their scope to count states, search names and
//! sort; at city scale (3,000 submissions) decoding them on every request costs more than the rest of the page.
//! This keeps the decoded summaries and the teachers' names in memory. After a write it re-reads only the
//! summaries and accounts the commits since have written (`Store::changes_between`) — on a deadline day
//! teachers save drafts many times a second, and rebuilding the whole snapshot after each save cost more than
//! everything else the server did — and rebuilds from one snapshot when the change log no longer reaches back.
//! A list never shows data older than the last write that preceded the request.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::domain::review::SubmissionSummary;
use crate::service::ServiceResult;
use crate::store::{Changes, Patch, ReadTx, Reader, SnapshotCache, Store, tables};

/// Past this many written records a patch costs about as much as a rebuild.
const PATCH_AT_MOST: usize = 500;

/// An account's name; the rest of the record is skipped on decoding.
#[derive(Deserialize)]
struct NameOnly {
    name: String,
}

/// Every submission summary with its teacher's name, as of one snapshot (patched since).
#[derive(Clone)]
pub struct SummarySnapshot {
    pub summaries: Vec<Arc<SubmissionSummary>>,
    /// Where each summary id sits in `summaries`.
    positions: HashMap<u64, usize>,
    pub teacher_names: HashMap<u64, String>,
}

#[derive(Default)]
pub struct SummaryCache {
    current: SnapshotCache<SummarySnapshot>,
}

impl SummaryCache {
    /// The summaries as of the latest committed write.
    pub fn get(&self, store: &Store) -> ServiceResult<Arc<SummarySnapshot>> {
        self.current.get_patched(store, build, patch)
    }
}

fn build(read: &ReadTx) -> ServiceResult<SummarySnapshot> {
    let summaries: Vec<Arc<SubmissionSummary>> = read.all::<SubmissionSummary>()?.into_iter().map(Arc::new).collect();
    let positions = summaries.iter().enumerate().map(|(index, summary)| (summary.id, index)).collect();
    let mut teacher_ids: Vec<u64> = summaries.iter().map(|summary| summary.teacher_id).collect();
    teacher_ids.sort_unstable();
    teacher_ids.dedup();
    let teacher_names = names_of(read, &teacher_ids)?.collect();
    Ok(SummarySnapshot { summaries, positions, teacher_names })
}

/// The held snapshot with the written summaries read again, and the names of their (new) teachers and of
/// renamed teachers.
fn patch(held: &SummarySnapshot, changes: &Changes, read: &ReadTx) -> ServiceResult<Patch<SummarySnapshot>> {
    let written = changes.ids(tables::SUBMISSION_SUMMARIES);
    let mut accounts: Vec<u64> =
        changes.ids(tables::ACCOUNTS).into_iter().filter(|id| held.teacher_names.contains_key(id)).collect();
    if written.is_empty() && accounts.is_empty() {
        return Ok(Patch::Same);
    }
    if written.len() + accounts.len() > PATCH_AT_MOST {
        return Ok(Patch::Rebuild);
    }
    let mut next = held.clone();
    for (id, summary) in read.get_many_as::<SubmissionSummary>(tables::SUBMISSION_SUMMARIES, &written)? {
        if !next.teacher_names.contains_key(&summary.teacher_id) {
            accounts.push(summary.teacher_id);
        }
        match next.positions.get(&id) {
            Some(&index) => next.summaries[index] = Arc::new(summary),
            None => {
                next.positions.insert(id, next.summaries.len());
                next.summaries.push(Arc::new(summary));
            }
        }
    }
    accounts.sort_unstable();
    accounts.dedup();
    next.teacher_names.extend(names_of(read, &accounts)?);
    Ok(Patch::New(next))
}

/// The names of accounts `ids` (only the name of each is decoded).
fn names_of(read: &ReadTx, ids: &[u64]) -> ServiceResult<impl Iterator<Item = (u64, String)>> {
    Ok(read.get_many_as::<NameOnly>(tables::ACCOUNTS, ids)?.into_iter().map(|(id, account)| (id, account.name)))
}

#[cfg(test)]
mod tests {

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
            submitted_at: Some(crate::clock::Clock::system().now()),
            updated_at: crate::clock::Clock::system().now(),
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

    /// (summary id, state, teacher id) of each summary, and (teacher id, name) of each name.
    type Contents = (Vec<(u64, SubmissionState, u64)>, Vec<(u64, String)>);

    /// What the patched snapshot holds, in a comparable form.
    fn contents(snapshot: &SummarySnapshot) -> Contents {
        let mut summaries: Vec<_> = snapshot.summaries.iter().map(|s| (s.id, s.state, s.teacher_id)).collect();
        summaries.sort_unstable_by_key(|(id, _, _)| *id);
        let mut names: Vec<_> = snapshot.teacher_names.iter().map(|(id, name)| (*id, name.clone())).collect();
        names.sort_unstable();
        (summaries, names)
    }

    #[test]
    fn patched_snapshots_equal_a_fresh_build_and_unrelated_writes_keep_it() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(&dir.path().join("db.redb")).expect("store");
        let cache = SummaryCache::default();
        let name = |name: &str| serde_json::json!({ "name": name });
        store
            .write(|tx| {
                tx.put_at(tables::ACCOUNTS, 99, &name("张三"))?;
                tx.put(&summary(1, SubmissionState::Submitted))
            })
            .expect("first");
        let first = cache.get(&store).expect("get");
        assert_eq!(first.teacher_names.get(&99).map(String::as_str), Some("张三"));

        // A write the lists do not depend on keeps the very snapshot (it is not rebuilt).
        store.write(|tx| tx.set_meta("unrelated", 1)).expect("unrelated");
        assert!(Arc::ptr_eq(&first, &cache.get(&store).expect("after an unrelated write")));

        // A changed summary, a new one of a new teacher, and a renamed teacher.
        store
            .write(|tx| {
                tx.put(&summary(1, SubmissionState::Returned))?;
                tx.put_at(tables::ACCOUNTS, 98, &name("王五"))?;
                tx.put(&SubmissionSummary { teacher_id: 98, ..summary(2, SubmissionState::Submitted) })
            })
            .expect("second");
        store.write(|tx| tx.put_at(tables::ACCOUNTS, 99, &name("李四"))).expect("rename");
        let patched = cache.get(&store).expect("patched");
        let fresh = build(&store.read().expect("read")).expect("build");
        assert_eq!(contents(&patched), contents(&fresh));
        assert_eq!(patched.teacher_names.get(&99).map(String::as_str), Some("李四"));
        assert_eq!(patched.teacher_names.get(&98).map(String::as_str), Some("王五"));
    }
}
