//! What the platform knows about one stored upload beyond its bytes: its size and detected kind, who first
//! uploaded it, and every submission that has referenced it. Downloads are authorised through those
//! submissions, and a hash referenced by submissions of two teachers (or of two projects) is the duplicate
//! signal of SPEC §9.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// The blob's address (SHA-256 hex).
    pub sha256: String,
    pub size: u64,
    /// Detected from the content (`pdf`, `doc`, `docx`, `mp4`, `zip`).
    pub kind: String,
    /// The name it was first uploaded under.
    pub first_name: String,
    pub first_uploaded_by: u64,
    pub first_uploaded_at: DateTime<Utc>,
    /// Every submission that ever referenced this content, in any version. Never shrinks: an earlier version
    /// keeps its files reachable after the teacher replaced them.
    #[serde(default)]
    pub submissions: BTreeSet<u64>,
}

impl StoredFile {
    /// More than one submission references the same content: the same file filed by two teachers, or reused
    /// from an earlier project (SPEC §9's duplicate signal).
    pub fn is_shared(&self) -> bool {
        self.submissions.len() > 1
    }
}
