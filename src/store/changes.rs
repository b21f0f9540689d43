//! Which records each recent commit wrote, by generation (`Store::generation`), so an in-memory read model can
//! re-read the few records that changed instead of rebuilding from every record after each write
//! (`SnapshotCache::get_patched`). Only the last [`KEPT`] commits are kept; an older model is rebuilt whole.
//! Records are never deleted from the u64-keyed tables (nothing is deleted in zhiping), so writes are all
//! there is to follow.

use std::collections::VecDeque;

/// How many commits the log remembers.
const KEPT: usize = 4096;

/// The records one commit wrote: (table name, id).
pub type Written = Vec<(String, u64)>;

#[derive(Default)]
pub struct ChangeLog {
    /// (generation, what that commit wrote), oldest first, generations consecutive.
    entries: VecDeque<(u64, Written)>,
}

impl ChangeLog {
    pub fn push(&mut self, generation: u64, written: Written) {
        if self.entries.back().is_some_and(|(last, _)| *last + 1 != generation) {
            self.entries.clear(); // never happens: generations are given out under the same lock
        }
        self.entries.push_back((generation, written));
        while self.entries.len() > KEPT {
            self.entries.pop_front();
        }
    }

    /// Everything written by the commits after `from` up to and including `to`, or `None` when the log no
    /// longer (or does not yet) reach back that far.
    pub fn between(&self, from: u64, to: u64) -> Option<Changes> {
        if from >= to {
            return Some(Changes::default());
        }
        let first = self.entries.front()?.0;
        let last = self.entries.back()?.0;
        if first > from + 1 || last < to {
            return None;
        }
        let mut changes = Changes::default();
        for (generation, written) in &self.entries {
            if *generation > from && *generation <= to {
                changes.written.extend(written.iter().cloned());
            }
        }
        changes.written.sort_unstable();
        changes.written.dedup();
        Some(changes)
    }
}

/// The records written between two generations.
#[derive(Default, Debug)]
pub struct Changes {
    written: Vec<(String, u64)>,
}

impl Changes {
    /// The ids written in `table`, each once.
    pub fn ids(&self, table: redb::TableDefinition<u64, &[u8]>) -> Vec<u64> {
        let name = redb::TableHandle::name(&table);
        self.written.iter().filter(|(written, _)| written == name).map(|(_, id)| *id).collect()
    }

    pub fn len(&self) -> usize {
        self.written.len()
    }

    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tables;

    #[test]
    fn changes_between_generations_and_none_past_the_log() {
        let mut log = ChangeLog::default();
        assert!(log.between(0, 1).is_none(), "an empty log cannot tell");
        assert!(log.between(3, 3).is_some_and(|changes| changes.is_empty()));
        let written = |pairs: &[(&str, u64)]| pairs.iter().map(|(table, id)| (table.to_string(), *id)).collect();
        log.push(1, written(&[("accounts", 7)]));
        log.push(2, written(&[("submission_summaries", 3), ("accounts", 7)]));
        log.push(3, written(&[("submission_summaries", 4)]));
        let changes = log.between(0, 3).expect("covered");
        assert_eq!(changes.ids(tables::ACCOUNTS), vec![7]);
        assert_eq!(changes.ids(tables::SUBMISSION_SUMMARIES), vec![3, 4]);
        assert_eq!(log.between(2, 3).expect("covered").ids(tables::SUBMISSION_SUMMARIES), vec![4]);
        assert!(log.between(1, 4).is_none(), "generation 4 is not in the log yet");
        for generation in 4..(4 + KEPT as u64) {
            log.push(generation, Vec::new());
        }
        assert!(log.between(0, 10).is_none(), "generation 1 has left the log");
    }
}
