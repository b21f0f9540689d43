//! What `/healthz` and the scrape-time gauges of `/metrics` report: the store, the free disk against
//! `uploads.min_free_mib`, stored sessions and submissions by state.

use serde::{Deserialize, Serialize};

use super::{ServiceResult, Services};
use crate::domain::submission::SubmissionState;
use crate::store::{Reader, tables};

/// The answer of `/healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    /// `ok`, or `unavailable` when the store cannot be read / `low_disk` when free space is below the reserve.
    pub status: &'static str,
    /// `ok` or `unavailable`.
    pub store: &'static str,
    /// Free bytes on the data directory's file system (`null` when it cannot be read).
    pub free_disk_bytes: Option<u64>,
    /// `uploads.min_free_mib` in bytes.
    pub min_free_bytes: u64,
}

impl Health {
    pub fn healthy(&self) -> bool {
        self.status == "ok"
    }
}

/// Counts for the gauges.
pub struct Gauges {
    pub sessions: u64,
    pub submissions: Vec<(SubmissionState, u64)>,
}

#[derive(Deserialize)]
struct StateOnly {
    state: SubmissionState,
}

impl Services {
    /// The store answers a read, and the disk has more than the reserve free.
    pub fn health(&self) -> Health {
        let store_ok = match self.store.read() {
            Ok(read) => read.meta("schema_version").is_ok(),
            Err(_) => false,
        };
        let free = self.free_disk_bytes().ok();
        let reserve = self.config.min_free_bytes();
        let disk_low = free.is_some_and(|free| free < reserve);
        let status = if !store_ok {
            "unavailable"
        } else if disk_low {
            "low_disk"
        } else {
            "ok"
        };
        Health {
            status,
            store: if store_ok { "ok" } else { "unavailable" },
            free_disk_bytes: free,
            min_free_bytes: reserve,
        }
    }

    /// Stored sessions (expired ones are swept every ten minutes) and submissions by state, from one snapshot.
    /// Reads the small summary rows only; at city scale (3,000 submissions) this takes milliseconds.
    pub fn gauges(&self) -> ServiceResult<Gauges> {
        let read = self.store.read()?;
        let sessions = read.count_keyed(tables::SESSIONS)?;
        let mut counts = [0u64; SubmissionState::ALL.len()];
        read.scan_from::<StateOnly>(tables::SUBMISSION_SUMMARIES, 0, &mut |_, row| {
            if let Some(index) = SubmissionState::ALL.iter().position(|state| *state == row.state) {
                counts[index] += 1;
            }
            true
        })?;
        let submissions = SubmissionState::ALL.into_iter().zip(counts).collect();
        Ok(Gauges { sessions, submissions })
    }
}
