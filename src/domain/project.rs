//! Appraisal projects (鉴定项目, SPEC §3): one per year and kind, held as data — windows, limits, review steps,
//! subjects, titles, the grade scale, expert settings and the achievement catalogue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SchoolType;
use super::catalogue::Catalogue;
use super::filing::{default_subjects, default_title_names};
use super::submission::SubmissionState;

/// The default grade scale (SPEC §3).
pub fn default_grades() -> Vec<String> {
    ["优秀", "良好", "合格", "不合格"].into_iter().map(String::from).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: u64,
    /// e.g. 2020年中职、技工学校教师高级职务教科研成果鉴定
    pub name: String,
    pub year: i32,
    /// The school types whose teachers this project serves.
    pub school_types: Vec<SchoolType>,
    /// 填报开始 / 截止: teachers may save and submit only inside this window.
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
    /// Last moment for the school's review (学校审核).
    pub school_review_end: DateTime<Utc>,
    /// Last moment for the department's review (主管部门审核).
    pub department_review_end: DateTime<Utc>,
    /// The expert review window (专家评审).
    pub expert_review_start: DateTime<Utc>,
    pub expert_review_end: DateTime<Utc>,
    /// Maximum number of achievements (default 2).
    pub max_achievements: usize,
    /// Whether 主管部门审核 is a step (school review always is).
    pub department_review: bool,
    /// 申报学科 choices.
    pub subjects: Vec<String>,
    /// 现专技职务 title choices (ending with 其它).
    pub title_names: Vec<String>,
    /// Grade scale, best first (default 优秀 / 良好 / 合格 / 不合格).
    pub grades: Vec<String>,
    /// Experts per submission (default 2).
    pub experts_per_submission: usize,
    /// Blind review: experts never see who filed (default on).
    pub blind_review: bool,
    /// Recusal also excludes experts of the teacher's department (the own school is always excluded).
    #[serde(default = "yes")]
    pub recuse_department: bool,
    /// The achievement catalogue of SPEC §5 as this project uses it.
    pub catalogue: Catalogue,
    pub created_at: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

impl Project {
    /// A project with SPEC §3's defaults; the caller sets the name, year and windows.
    pub fn with_defaults(
        id: u64,
        name: String,
        year: i32,
        window: (DateTime<Utc>, DateTime<Utc>),
        created_at: DateTime<Utc>,
    ) -> Self {
        let (filing_start, filing_end) = window;
        let day = chrono::Duration::days(1);
        Self {
            id,
            name,
            year,
            school_types: SchoolType::ALL.to_vec(),
            filing_start,
            filing_end,
            school_review_end: filing_end + day * 7,
            department_review_end: filing_end + day * 14,
            expert_review_start: filing_end + day * 15,
            expert_review_end: filing_end + day * 45,
            max_achievements: 2,
            department_review: true,
            subjects: default_subjects(),
            title_names: default_title_names(),
            grades: default_grades(),
            experts_per_submission: 2,
            blind_review: true,
            recuse_department: true,
            catalogue: Catalogue::default_catalogue(),
            created_at,
        }
    }

    pub fn filing_open(&self, now: DateTime<Utc>) -> bool {
        self.filing_start <= now && now <= self.filing_end
    }

    /// Why the filing window is closed, for the read-only notice; `None` while it is open.
    pub fn filing_closed_reason(&self, now: DateTime<Utc>) -> Option<String> {
        if now < self.filing_start {
            Some(format!("填报尚未开始，开始时间为 {}。", crate::clock::minute(self.filing_start)))
        } else if now > self.filing_end {
            Some(format!("填报已于 {} 截止，现仅可查看。", crate::clock::minute(self.filing_end)))
        } else {
            None
        }
    }

    /// Why a teacher's submission in `state` cannot be edited now, if it cannot. A returned submission (退回)
    /// stays editable after the filing window, until the school's review closes: the school asked for the fix,
    /// and only while it can still review may the teacher resubmit (the manual: 会被退回，需要修改后重新提交).
    /// A teacher who never filed is told so plainly: there is nothing to view.
    pub fn editing_closed_reason(&self, state: Option<SubmissionState>, now: DateTime<Utc>) -> Option<String> {
        if state.is_none() && now > self.filing_end {
            return Some(format!(
                "填报已于 {} 截止。您未在截止前填报教科研成果鉴定材料，现已不能填报；如有疑问，请联系学校管理员。",
                crate::clock::minute(self.filing_end)
            ));
        }
        if state != Some(SubmissionState::Returned) || now < self.filing_start {
            return self.filing_closed_reason(now);
        }
        let until = self.filing_end.max(self.school_review_end);
        (now > until)
            .then(|| format!("退回修改已于 {} 截止（学校审核截止时间），现仅可查看。", crate::clock::minute(until)))
    }

    pub fn serves(&self, school_type: SchoolType) -> bool {
        self.school_types.contains(&school_type)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_returned_submission_stays_editable_until_the_school_review_closes() {
        let now = crate::clock::Clock::system().now();
        let mut project =
            Project::with_defaults(1, "测试".into(), 2026, (now - Duration::days(10), now - Duration::days(1)), now);
        project.school_review_end = now + Duration::days(2);
        assert!(project.editing_closed_reason(Some(SubmissionState::Draft), now).is_some(), "the window is closed");
        assert!(project.editing_closed_reason(Some(SubmissionState::Submitted), now).is_some());
        assert_eq!(project.editing_closed_reason(Some(SubmissionState::Returned), now), None);
        let later = now + Duration::days(3);
        let reason = project.editing_closed_reason(Some(SubmissionState::Returned), later).expect("closed");
        assert!(reason.starts_with("退回修改已于"), "{reason}");
        let before = now - Duration::days(20);
        assert!(project.editing_closed_reason(Some(SubmissionState::Returned), before).is_some());
    }

    #[test]
    fn a_teacher_who_never_filed_is_told_so_after_the_deadline() {
        let now = Utc.with_ymd_and_hms(2026, 10, 20, 4, 0, 0).single().expect("instant");
        let project =
            Project::with_defaults(1, "测试".into(), 2026, (now - Duration::days(10), now - Duration::days(1)), now);
        let never = project.editing_closed_reason(None, now).expect("closed");
        assert!(never.contains("您未在截止前填报") && !never.contains("现仅可查看"), "{never}");
        let draft = project.editing_closed_reason(Some(SubmissionState::Draft), now).expect("closed");
        assert!(draft.contains("现仅可查看"), "a draft is still there to view: {draft}");
    }
}
