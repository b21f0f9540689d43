//! A value derived from one snapshot of the store and kept in memory until the store commits another write
//! (`Store::generation`): read models that many requests need and few writes change (the admins' submission
//! summaries, the headings of notices and projects that every 首页 shows). A request never sees data older than
//! the last write acknowledged before it began, because the generation is bumped before `Store::write` returns.

use std::sync::{Arc, Mutex};

use super::{Changes, ReadTx, Store, StoreError};

pub struct SnapshotCache<T> {
    current: Mutex<Option<(u64, Arc<T>)>>,
}

impl<T> Default for SnapshotCache<T> {
    fn default() -> Self {
        Self { current: Mutex::new(None) }
    }
}

/// What a patch made of a held value, given the records written since it was built.
pub enum Patch<T> {
    /// Nothing it depends on was written: the held value stands.
    Same,
    /// The held value with the written records read again.
    New(T),
    /// Too much changed: build it anew.
    Rebuild,
}

impl<T> Patch<T> {
    /// For values read from whole tables: the held value stands unless the commits wrote to one of `tables`,
    /// and is then built anew.
    pub fn unless_written(changes: &Changes, tables: &[redb::TableDefinition<u64, &[u8]>]) -> Self {
        if tables.iter().all(|table| changes.ids(*table).is_empty()) { Patch::Same } else { Patch::Rebuild }
    }
}

impl<T> SnapshotCache<T> {
    /// The value as of the latest committed write, built by `build` from a fresh snapshot when it is missing or
    /// older than that write.
    pub fn get<E: From<StoreError>>(
        &self,
        store: &Store,
        build: impl FnOnce(&ReadTx) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        self.get_patched(store, build, |_, _, _| Ok(Patch::Rebuild))
    }

    /// Like [`Self::get`], but a held value older than the latest write is first offered to `patch` with the
    /// records the commits since have written (`Store::changes_between`) and a fresh snapshot to read them
    /// from; it is built anew when the patch asks for it or the change log no longer reaches back.
    pub fn get_patched<E: From<StoreError>>(
        &self,
        store: &Store,
        build: impl FnOnce(&ReadTx) -> Result<T, E>,
        patch: impl FnOnce(&T, &Changes, &ReadTx) -> Result<Patch<T>, E>,
    ) -> Result<Arc<T>, E> {
        // Read before taking the snapshot: a commit in between makes the value look older than it is (it is
        // patched or rebuilt once more), never newer.
        let generation = store.generation();
        let held = self.current.lock().ok().and_then(|current| current.clone());
        if let Some((held_generation, value)) = &held
            && *held_generation == generation
        {
            return Ok(value.clone());
        }
        // Built outside the lock: two requests after a write may both build; either result is correct.
        let read = store.read()?;
        let changes =
            held.as_ref().and_then(|(held_generation, _)| store.changes_between(*held_generation, generation));
        let patched = match (&held, &changes) {
            (Some((_, value)), Some(changes)) => patch(value, changes, &read)?,
            _ => Patch::Rebuild,
        };
        let value = match (patched, held) {
            (Patch::Same, Some((_, value))) => value,
            (Patch::New(value), _) => Arc::new(value),
            _ => Arc::new(build(&read)?),
        };
        if let Ok(mut current) = self.current.lock()
            && current.as_ref().is_none_or(|(held, _)| *held <= generation)
        {
            *current = Some((generation, value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Reader;

    fn counter(store: &Store, cache: &SnapshotCache<Option<u64>>, builds: &mut u32) -> Arc<Option<u64>> {
        cache
            .get(store, |read| {
                *builds += 1;
                read.meta("counter")
            })
            .expect("get")
    }

    #[test]
    fn rebuilt_after_a_commit_and_only_then() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(&dir.path().join("db.redb")).expect("store");
        let cache = SnapshotCache::default();
        let mut builds = 0;
        store.write(|tx| tx.set_meta("counter", 1)).expect("first");
        let first = counter(&store, &cache, &mut builds);
        assert_eq!(*first, Some(1));
        assert!(Arc::ptr_eq(&first, &counter(&store, &cache, &mut builds)), "no write, same value");
        assert_eq!(builds, 1);
        store.write(|tx| tx.set_meta("counter", 2)).expect("second");
        assert_eq!(*counter(&store, &cache, &mut builds), Some(2));
        assert_eq!(builds, 2);
        // A failed transaction commits nothing and keeps the value.
        let failed: Result<(), StoreError> = store.write(|tx| {
            tx.set_meta("counter", 3)?;
            Err(StoreError::Locked)
        });
        assert!(failed.is_err());
        assert_eq!(*counter(&store, &cache, &mut builds), Some(2));
        assert_eq!(builds, 2);
    }

    #[test]
    fn a_failed_build_is_not_kept() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(&dir.path().join("db.redb")).expect("store");
        let cache: SnapshotCache<u64> = SnapshotCache::default();
        assert!(cache.get(&store, |_| Err::<u64, StoreError>(StoreError::Locked)).is_err());
        assert_eq!(*cache.get(&store, |_| Ok::<u64, StoreError>(7)).expect("built"), 7);
    }
}
