//! The review chain after 提交 (SPEC §6) as data and pure rules: which level acts on which state, the record each
//! submission's review keeps (material checks, the city's acceptance and anonymisation scan, expert assignments
//! with their grades), the list summary of a submission, and the final-grade rule. Expert assignment lives in
//! `review::assign`, the anonymisation scan in `review::anonymity`.

pub mod anonymity;
pub mod assign;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldErrors;
use super::submission::{Submission, SubmissionState};

/// The confirmation a reviewer gives before approving (材料真实性核查): the school shares responsibility.
pub const VERIFICATION_TITLE: &str = "材料真实性核查";
pub const VERIFICATION_TEXT: &str = "已核，与原件一致";
/// Longest return reason / opinion kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_OPINION_CHARS: usize = 2000;

/// Who reviews at each admin step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewLevel {
    /// 学校审核
    School,
    /// 主管部门审核
    Department,
    /// 市级受理 (the city's acceptance, with the anonymisation gate)
    City,
}

impl ReviewLevel {
    /// The sender a teacher sees on a return message (消息提醒: 学校审核 / 主管部门审核).
    pub fn label(self) -> &'static str {
        match self {
            ReviewLevel::School => "学校审核",
            ReviewLevel::Department => "主管部门审核",
            ReviewLevel::City => "市级受理",
        }
    }

    /// The state a submission waits in for this level.
    pub fn waiting_state(self) -> SubmissionState {
        match self {
            ReviewLevel::School => SubmissionState::Submitted,
            ReviewLevel::Department => SubmissionState::SchoolApproved,
            ReviewLevel::City => SubmissionState::Accepted,
        }
    }

    /// Where an approval at this level leads. Without 主管部门审核 the school's approval is the last admin step.
    pub fn approved_state(self, department_review: bool) -> SubmissionState {
        match self {
            ReviewLevel::School if department_review => SubmissionState::SchoolApproved,
            ReviewLevel::School | ReviewLevel::Department => SubmissionState::Accepted,
            ReviewLevel::City => SubmissionState::Accepted,
        }
    }
}

/// Who confirmed what, and when (recorded with every approval and acceptance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub by: u64,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub address: String,
    /// What was confirmed, e.g. 材料真实性核查：已核，与原件一致.
    pub statement: String,
}

/// A file whose text names the teacher (or that could not be read), found by the anonymisation gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymityHit {
    /// e.g. 成果1·成果上传
    pub file: String,
    /// e.g. 姓名, 身份证号, 学校名称, or why it could not be checked.
    pub found: Vec<String>,
}

/// The city's acceptance (受理): the scan's result and, when it found something, the decision to go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub scanned_at: DateTime<Utc>,
    /// Which submitted version was scanned.
    pub version: u32,
    pub hits: Vec<AnonymityHit>,
    /// Set once the submission may go to experts: no hits, or the city accepted the risk.
    pub accepted: Option<Check>,
}

impl Acceptance {
    pub fn cleared(&self) -> bool {
        self.accepted.is_some()
    }
}

/// One expert on one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub expert_id: u64,
    pub assigned_at: DateTime<Utc>,
    pub assigned_by: u64,
    /// Made by the automatic balanced assignment (else by hand).
    pub automatic: bool,
    /// The expert declined (or the city withdrew it); kept so nobody assigns the same expert again.
    #[serde(default)]
    pub declined: Option<Decline>,
    /// One of the project's grades, or empty while not chosen.
    #[serde(default)]
    pub grade: String,
    /// 鉴定意见
    #[serde(default)]
    pub opinion: String,
    #[serde(default)]
    pub saved_at: Option<DateTime<Utc>>,
    /// Submitted appraisals are final.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decline {
    pub at: DateTime<Utc>,
    pub by: u64,
    pub reason: String,
}

impl Assignment {
    pub fn active(&self) -> bool {
        self.declined.is_none()
    }

    /// The expert's progress word: 未评审 / 已暂存 / 已提交 / 已退出.
    pub fn status_label(&self) -> &'static str {
        if self.declined.is_some() {
            "已退出"
        } else if self.submitted_at.is_some() {
            "已提交"
        } else if self.saved_at.is_some() {
            "已暂存"
        } else {
            "未评审"
        }
    }
}

/// Everything the review chain keeps about one submission besides its state and history (which stay on the
/// submission): stored under the submission's id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    pub submission_id: u64,
    /// The latest school approval's 材料真实性核查 (each approval also stays in the submission's history).
    pub school_check: Option<Check>,
    pub department_check: Option<Check>,
    pub acceptance: Option<Acceptance>,
    pub assignments: Vec<Assignment>,
    /// Why the final grade differs from the experts' agreement (required then).
    pub final_reason: String,
    /// The city opened expert review for this submission before the project's window (the windows are defaults,
    /// not locks): its experts may grade from then on.
    pub opened_early: Option<Check>,
}

impl Review {
    pub fn new(submission_id: u64) -> Self {
        Self { submission_id, ..Self::default() }
    }

    pub fn active(&self) -> impl Iterator<Item = &Assignment> {
        self.assignments.iter().filter(|assignment| assignment.active())
    }

    pub fn assignment_of(&self, expert_id: u64) -> Option<&Assignment> {
        self.active().find(|assignment| assignment.expert_id == expert_id)
    }

    /// Every active expert has submitted, and there are as many as the project asks for.
    pub fn all_graded(&self, experts_per_submission: usize) -> bool {
        let active: Vec<&Assignment> = self.active().collect();
        active.len() >= experts_per_submission.max(1) && active.iter().all(|a| a.submitted_at.is_some())
    }

    /// The submitted grades, in assignment order.
    pub fn grades(&self) -> Vec<&str> {
        self.active().filter(|a| a.submitted_at.is_some()).map(|a| a.grade.as_str()).collect()
    }
}

/// The agreed grade when every expert gave the same one (the default final grade).
pub fn consensus<'a>(grades: &[&'a str]) -> Option<&'a str> {
    let first = *grades.first()?;
    grades.iter().all(|grade| *grade == first).then_some(first)
}

/// The city's final grade: one of the scale, an opinion, and a reason when it is not the experts' agreement.
pub fn check_final(scale: &[String], expert_grades: &[&str], grade: &str, opinion: &str, reason: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if grade.trim().is_empty() {
        errors.add("grade", "最终等级不能为空");
    } else if !scale.iter().any(|choice| choice == grade) {
        errors.add("grade", "最终等级不在本项目的等级范围内");
    }
    if opinion.trim().is_empty() {
        errors.add("opinion", "最终鉴定意见不能为空");
    } else if opinion.chars().count() > MAX_OPINION_CHARS {
        errors.add("opinion", format!("最终鉴定意见至多{MAX_OPINION_CHARS}字"));
    }
    if consensus(expert_grades) != Some(grade) && reason.trim().is_empty() {
        errors.add("reason", "最终等级与专家评审等级不一致，请填写理由");
    }
    errors
}

/// A return reason: required, at most `MAX_REASON_CHARS`.
pub fn check_reason(reason: &str) -> Result<String, &'static str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("退回原因不能为空");
    }
    if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err("退回原因至多500字");
    }
    Ok(reason.to_string())
}

/// A reason as a sentence inside longer text: a full stop is added unless the reviewer already ended it with one
/// (a reason typed as "材料不全。" must not read "材料不全。。").
pub fn as_sentence(reason: &str) -> String {
    let reason = reason.trim_end();
    let ended = reason.ends_with(['。', '！', '？', '.', '!', '?', '…']);
    if ended || reason.is_empty() { reason.to_string() } else { format!("{reason}。") }
}

/// What an admin list needs of a submission, kept beside it so a list of the whole city reads a few hundred
/// bytes per row instead of every version of every filing. Rewritten with the submission (see `store`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionSummary {
    pub id: u64,
    pub project_id: u64,
    pub teacher_id: u64,
    pub school_id: u64,
    pub department_id: u64,
    pub state: SubmissionState,
    pub applied_subject: String,
    pub titles: Vec<String>,
    pub versions: u32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub published: bool,
    /// The achievement files of every submitted version (see `achievement_hashes`).
    #[serde(default)]
    pub achievement_hashes: Vec<String>,
}

impl SubmissionSummary {
    pub fn of(submission: &Submission) -> Self {
        let filing = submission.versions.last().map(|version| &version.filing).unwrap_or(&submission.filing);
        Self {
            id: submission.id,
            project_id: submission.project_id,
            teacher_id: submission.teacher_id,
            school_id: submission.school_id,
            department_id: submission.department_id,
            state: submission.state,
            applied_subject: filing.applied_subject.clone(),
            titles: filing.achievements.iter().map(|achievement| achievement.title.clone()).collect(),
            versions: submission.versions.len() as u32,
            submitted_at: submission.versions.last().map(|version| version.at),
            updated_at: submission.updated_at,
            grade: submission.result.as_ref().map(|result| result.grade.clone()),
            published: submission.result.as_ref().is_some_and(|result| result.published_at.is_some()),
            achievement_hashes: achievement_hashes(submission),
        }
    }
}

/// The achievement files (成果上传) of every submitted version: the duplicate signal compares these by hash.
pub fn achievement_hashes(submission: &Submission) -> Vec<String> {
    let mut hashes: Vec<String> = submission
        .versions
        .iter()
        .flat_map(|version| &version.filing.achievements)
        .filter_map(|achievement| achievement.achievement_file.as_ref())
        .map(|file| file.sha256.clone())
        .collect();
    hashes.sort();
    hashes.dedup();
    hashes
}

/// A 消息提醒 entry for a teacher (SPEC §4): a return with its reason, or a published result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: u64,
    pub teacher_id: u64,
    pub submission_id: u64,
    pub project_id: u64,
    pub kind: MessageKind,
    /// Who: 学校审核 / 主管部门审核 / 市级受理 / 公布等级.
    pub sender: String,
    /// The reason (or the published grade), shown after the date.
    pub text: String,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// 成果鉴定 returned with a reason (pops up on 首页 while unread).
    Returned,
    /// The result was published.
    Published,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_ends_with_one_full_stop() {
        assert_eq!(as_sentence("材料不全"), "材料不全。");
        assert_eq!(as_sentence("材料不全。"), "材料不全。");
        assert_eq!(as_sentence("请补充CIP页！ "), "请补充CIP页！");
    }

    #[test]
    fn levels_follow_the_state_machine() {
        assert_eq!(ReviewLevel::School.approved_state(true), SubmissionState::SchoolApproved);
        assert_eq!(ReviewLevel::School.approved_state(false), SubmissionState::Accepted);
        assert_eq!(ReviewLevel::Department.approved_state(true), SubmissionState::Accepted);
        assert_eq!(ReviewLevel::Department.waiting_state(), SubmissionState::SchoolApproved);
        assert_eq!(ReviewLevel::School.label(), "学校审核");
        assert_eq!(ReviewLevel::Department.label(), "主管部门审核");
    }

    #[test]
    fn final_grade_needs_a_reason_only_when_it_departs_from_agreement() {
        let scale = crate::domain::project::default_grades();
        assert!(check_final(&scale, &["优秀", "优秀"], "优秀", "成果扎实", "").is_empty());
        let errors = check_final(&scale, &["优秀", "优秀"], "良好", "成果扎实", "");
        assert_eq!(errors.get("reason"), Some("最终等级与专家评审等级不一致，请填写理由"));
        assert!(check_final(&scale, &["优秀", "优秀"], "良好", "成果扎实", "引用不规范").is_empty());
        // Disagreeing experts: any final grade needs its reason.
        assert!(check_final(&scale, &["优秀", "良好"], "优秀", "意见", "").get("reason").is_some());
        let errors = check_final(&scale, &[], "甲等", "", "");
        assert_eq!(errors.get("grade"), Some("最终等级不在本项目的等级范围内"));
        assert_eq!(errors.get("opinion"), Some("最终鉴定意见不能为空"));
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(check_reason("  证明材料填写不规范 "), Ok("证明材料填写不规范".to_string()));
        assert_eq!(check_reason("   "), Err("退回原因不能为空"));
        assert!(check_reason(&"长".repeat(501)).is_err());
    }

    #[test]
    fn all_graded_counts_only_active_submitted_assignments() {
        let now = crate::clock::Clock::system().now();
        let assignment = |expert_id, submitted: bool, declined: bool| Assignment {
            expert_id,
            assigned_at: now,
            assigned_by: 1,
            automatic: true,
            declined: declined.then(|| Decline { at: now, by: expert_id, reason: "回避".into() }),
            grade: "优秀".into(),
            opinion: "好".into(),
            saved_at: Some(now),
            submitted_at: submitted.then_some(now),
        };
        let mut review = Review::new(9);
        review.assignments = vec![assignment(1, true, false), assignment(2, false, true)];
        assert!(!review.all_graded(2));
        review.assignments.push(assignment(3, true, false));
        assert!(review.all_graded(2));
        assert_eq!(review.grades(), ["优秀", "优秀"]);
        assert_eq!(consensus(&review.grades()), Some("优秀"));
    }
}
