//! A teacher's appraisal submission (SPEC §4 and §6): one per teacher per project, its state machine, its
//! versions and its history. The filing itself is `filing::Filing`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::filing::Filing;

/// SPEC §6:
/// ```text
/// draft ──提交──▶ submitted ──school approve──▶ school_approved ──dept approve──▶ accepted ─▶ under_review ─▶ reviewed ─▶ published
///   ▲  ◀──撤回──┘     │                              │
///   └── returned ◀────┘ school return (reason)       └ dept return (reason) ──▶ returned
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    Draft,
    Submitted,
    SchoolApproved,
    /// Passed every admin review; waiting for expert assignment.
    Accepted,
    UnderReview,
    Reviewed,
    Published,
    Returned,
}

impl SubmissionState {
    pub const ALL: [SubmissionState; 8] = [
        SubmissionState::Draft,
        SubmissionState::Submitted,
        SubmissionState::SchoolApproved,
        SubmissionState::Accepted,
        SubmissionState::UnderReview,
        SubmissionState::Reviewed,
        SubmissionState::Published,
        SubmissionState::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubmissionState::Draft => "draft",
            SubmissionState::Submitted => "submitted",
            SubmissionState::SchoolApproved => "school_approved",
            SubmissionState::Accepted => "accepted",
            SubmissionState::UnderReview => "under_review",
            SubmissionState::Reviewed => "reviewed",
            SubmissionState::Published => "published",
            SubmissionState::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.code() == code)
    }

    /// The label admins see in lists.
    pub fn label(self) -> &'static str {
        match self {
            SubmissionState::Draft => "暂存",
            SubmissionState::Submitted => "待学校审核",
            SubmissionState::SchoolApproved => "待主管部门审核",
            SubmissionState::Accepted => "待分配专家",
            SubmissionState::UnderReview => "评审中",
            SubmissionState::Reviewed => "评审完成",
            SubmissionState::Published => "已公布",
            SubmissionState::Returned => "退回",
        }
    }

    /// The teacher may edit (暂存 / 提交) only in these states.
    pub fn editable_by_teacher(self) -> bool {
        matches!(self, SubmissionState::Draft | SubmissionState::Returned)
    }

    /// Passed the school's review (学校审核) and not sent back since: the forms a school prints for its 材料袋.
    pub fn passed_school_review(self) -> bool {
        matches!(
            self,
            SubmissionState::SchoolApproved
                | SubmissionState::Accepted
                | SubmissionState::UnderReview
                | SubmissionState::Reviewed
                | SubmissionState::Published
        )
    }
}

/// The integrity pledge as accepted (SPEC §4.1): evidence stored with the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PledgeAcceptance {
    pub at: DateTime<Utc>,
    pub address: String,
    /// Version label of the pledge text accepted.
    pub text_version: String,
    /// SHA-256 of the exact text accepted.
    pub text_sha256: String,
}

/// One state change, kept forever with the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub actor_id: u64,
    pub actor_name: String,
    pub address: String,
    pub from: SubmissionState,
    pub to: SubmissionState,
    /// Required for returns; optional otherwise.
    #[serde(default)]
    pub reason: String,
}

/// The final result of the appraisal (SPEC §6): the city admin's grade and opinion, filled in by the review chain.
/// It becomes visible to the teacher (home page, 鉴定意见 print) only once published: see
/// [`Submission::published_result`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalResult {
    /// One grade of the project's scale (e.g. 合格).
    pub grade: String,
    /// The final 鉴定意见.
    pub opinion: String,
    /// The city admin who set it.
    pub decided_by: u64,
    pub decided_at: DateTime<Utc>,
    /// Set when the result is published (公布等级); `None` while it is still internal.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}

/// A frozen copy of the filing as submitted (each 提交 adds one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmittedVersion {
    pub number: u32,
    pub at: DateTime<Utc>,
    pub filing: Filing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: u64,
    pub project_id: u64,
    pub teacher_id: u64,
    /// The teacher's school and department when the submission was last submitted (scope of review).
    pub school_id: u64,
    pub department_id: u64,
    pub state: SubmissionState,
    /// The working copy: what the teacher sees in the form.
    pub filing: Filing,
    #[serde(default)]
    pub pledge: Option<PledgeAcceptance>,
    /// Every submitted version, oldest first; never rewritten.
    #[serde(default)]
    pub versions: Vec<SubmittedVersion>,
    #[serde(default)]
    pub history: Vec<Transition>,
    /// The final result, once the review chain has decided one (absent in older records).
    #[serde(default)]
    pub result: Option<FinalResult>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Submission {
    /// The latest return reason (for 消息提醒 and the form's notice), if the submission is returned.
    pub fn return_reason(&self) -> Option<&Transition> {
        if self.state != SubmissionState::Returned {
            return None;
        }
        self.history.iter().rev().find(|transition| transition.to == SubmissionState::Returned)
    }

    /// The result as the teacher may see it: only when published (state `Published` and a publication time).
    pub fn published_result(&self) -> Option<&FinalResult> {
        if self.state != SubmissionState::Published {
            return None;
        }
        self.result.as_ref().filter(|result| result.published_at.is_some())
    }

    /// What the reviewers have: the latest submitted version, if the filing was ever submitted.
    pub fn latest_version(&self) -> Option<&SubmittedVersion> {
        self.versions.last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_edit_rights_follow_the_spec() {
        for state in SubmissionState::ALL {
            assert_eq!(SubmissionState::from_code(state.code()), Some(state));
        }
        assert!(SubmissionState::Draft.editable_by_teacher());
        assert!(SubmissionState::Returned.editable_by_teacher());
        assert!(!SubmissionState::Submitted.editable_by_teacher());
        assert!(!SubmissionState::Published.editable_by_teacher());
    }

    #[test]
    fn only_approved_states_passed_school_review() {
        let passed: Vec<_> = SubmissionState::ALL.into_iter().filter(|state| state.passed_school_review()).collect();
        assert_eq!(
            passed,
            [
                SubmissionState::SchoolApproved,
                SubmissionState::Accepted,
                SubmissionState::UnderReview,
                SubmissionState::Reviewed,
                SubmissionState::Published
            ]
        );
    }

    #[test]
    fn a_result_is_visible_only_once_published() {
        let now = crate::clock::Clock::system().now();
        let mut submission = Submission {
            id: 1,
            project_id: 2,
            teacher_id: 3,
            school_id: 4,
            department_id: 5,
            state: SubmissionState::Reviewed,
            filing: Filing::default(),
            pledge: None,
            versions: Vec::new(),
            history: Vec::new(),
            result: Some(FinalResult {
                grade: "合格".into(),
                opinion: "同意".into(),
                decided_by: 9,
                decided_at: now,
                published_at: None,
            }),
            created_at: now,
            updated_at: now,
        };
        assert!(submission.published_result().is_none());
        submission.state = SubmissionState::Published;
        assert!(submission.published_result().is_none(), "published state without a publication time");
        if let Some(result) = submission.result.as_mut() {
            result.published_at = Some(now);
        }
        assert_eq!(submission.published_result().map(|result| result.grade.as_str()), Some("合格"));
        // Records written before the field existed still load.
        let mut json = serde_json::to_value(&submission).expect("serialises");
        json.as_object_mut().expect("object").remove("result");
        let old: Submission = serde_json::from_value(json).expect("loads without a result");
        assert!(old.result.is_none());
    }
}
