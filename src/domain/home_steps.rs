//! 首页's 我的教科研成果鉴定状态 (SPEC §4, the manual's 2.1): the five steps 填报 → 学校审核 → 主管部门审核 → 专家评审 →
//! 公布等级, each with what is true of it now. A step is never said to have passed while it is only waited for:
//! after 主管部门审核 approves, 专家评审 reads 等待评审, not 通过.

use chrono::{DateTime, Utc};

use super::submission::SubmissionState;

/// The step names, in order.
pub const STEP_NAMES: [&str; 5] = ["填报", "学校审核", "主管部门审核", "专家评审", "公布等级"];

/// How a step stands (drives the page's marks; the word says it in Chinese).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepMark {
    /// Finished (通过, 已提交, 评审完成).
    Done,
    /// Where the submission is now: the teacher or a reviewer is to act.
    Current,
    /// This level sent the submission back (退回).
    Returned,
    /// Not reached yet (未开始) or not part of this project (无需审核).
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeStep {
    pub name: &'static str,
    pub word: &'static str,
    pub mark: StepMark,
}

/// Which level sent a returned submission back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnedBy {
    School,
    Department,
}

/// The steps for a submission in `state` (`None`: nothing filed yet). `returned_by` matters only for
/// `Returned`; `department_review` is the project's setting (without it, 主管部门审核 reads 无需审核).
pub fn home_steps(
    state: Option<SubmissionState>,
    returned_by: Option<ReturnedBy>,
    department_review: bool,
) -> [HomeStep; 5] {
    use StepMark::{Current, Done, Pending, Returned};
    use SubmissionState as S;
    const WAITING: (&str, StepMark) = ("未开始", Pending);
    let department_passed = if department_review { ("通过", Done) } else { ("无需审核", Pending) };
    let marks: [(&str, StepMark); 5] = match state {
        None => [("未填报", Current), WAITING, WAITING, WAITING, WAITING],
        Some(S::Draft) => [("暂存", Current), WAITING, WAITING, WAITING, WAITING],
        Some(S::Returned) => match returned_by {
            Some(ReturnedBy::Department) => [("待修改", Current), ("通过", Done), ("退回", Returned), WAITING, WAITING],
            _ => [("待修改", Current), ("退回", Returned), WAITING, WAITING, WAITING],
        },
        Some(S::Submitted) => [("已提交", Done), ("待审核", Current), WAITING, WAITING, WAITING],
        Some(S::SchoolApproved) => [("已提交", Done), ("通过", Done), ("待审核", Current), WAITING, WAITING],
        Some(S::Accepted) => [("已提交", Done), ("通过", Done), department_passed, ("等待评审", Current), WAITING],
        Some(S::UnderReview) => [("已提交", Done), ("通过", Done), department_passed, ("评审中", Current), WAITING],
        Some(S::Reviewed) => {
            [("已提交", Done), ("通过", Done), department_passed, ("评审完成", Done), ("等待公布", Current)]
        }
        Some(S::Published) => {
            [("已提交", Done), ("通过", Done), department_passed, ("评审完成", Done), ("已公布", Done)]
        }
    };
    let mut steps = [HomeStep { name: "", word: "", mark: Pending }; 5];
    for (index, (word, mark)) in marks.into_iter().enumerate() {
        steps[index] = HomeStep { name: STEP_NAMES[index], word, mark };
    }
    steps
}

/// The level a return came from, by the state it left (`Submitted`: the school; `SchoolApproved`: the department).
pub fn returned_by(from: SubmissionState) -> Option<ReturnedBy> {
    match from {
        SubmissionState::Submitted => Some(ReturnedBy::School),
        SubmissionState::SchoolApproved => Some(ReturnedBy::Department),
        _ => None,
    }
}

/// The filing window as the home card needs it.
#[derive(Debug, Clone, Copy)]
pub struct FilingWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// A returned submission may be fixed until the school's review closes (`Project::editing_closed_reason`).
    pub school_review_end: DateTime<Utc>,
}

/// The home card's deadline line (SPEC §14): "填报截止：…，还剩N天" while the teacher can still file (also before
/// anything was filed), the start before the window opens, and — after the deadline, for a teacher who has not
/// submitted — plainly that the window closed without a filing. `None` when there is nothing to say.
pub fn deadline_note(window: FilingWindow, state: Option<SubmissionState>, now: DateTime<Utc>) -> Option<String> {
    use SubmissionState as S;
    let minute = crate::clock::minute;
    if now < window.start {
        return Some(format!("填报开始：{}；填报截止：{}", minute(window.start), minute(window.end)));
    }
    let (label, end) = match state {
        None | Some(S::Draft) | Some(S::Submitted) => ("填报截止", window.end),
        Some(S::Returned) => ("退回修改截止", window.end.max(window.school_review_end)),
        _ => return None,
    };
    if now <= end {
        let days = (crate::clock::local(end).date_naive() - crate::clock::local(now).date_naive()).num_days();
        let left = if days > 0 { format!("还剩{days}天") } else { "今天截止".to_string() };
        return Some(format!("{label}：{}，{left}", minute(end)));
    }
    match state {
        None | Some(S::Draft) => {
            Some(format!("填报已于 {} 截止，您未提交教科研成果鉴定材料，不能再填报。", minute(end)))
        }
        Some(S::Returned) => Some(format!("退回修改已于 {} 截止，退回的材料未重新提交。", minute(end))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn the_deadline_shows_while_nothing_is_filed_and_says_plainly_when_it_passed() {
        let now = Utc.with_ymd_and_hms(2026, 10, 20, 4, 0, 0).single().expect("instant");
        let window = FilingWindow {
            start: now - Duration::days(1),
            end: now + Duration::days(3) + Duration::minutes(1),
            school_review_end: now + Duration::days(10),
        };
        let open = deadline_note(window, None, now).unwrap_or_default();
        assert!(open.starts_with("填报截止：") && open.ends_with("还剩3天"), "{open}");
        let returned = deadline_note(window, Some(SubmissionState::Returned), now).unwrap_or_default();
        assert!(returned.starts_with("退回修改截止：") && returned.ends_with("还剩10天"), "{returned}");
        assert_eq!(deadline_note(window, Some(SubmissionState::Accepted), now), None);
        let later = now + Duration::days(5);
        let missed = deadline_note(window, None, later).unwrap_or_default();
        assert!(missed.contains("截止，您未提交教科研成果鉴定材料"), "{missed}");
        assert_eq!(deadline_note(window, Some(SubmissionState::Submitted), later), None);
    }

    fn words(steps: [HomeStep; 5]) -> Vec<&'static str> {
        steps.iter().map(|step| step.word).collect()
    }

    #[test]
    fn after_the_department_approves_expert_review_is_waited_for_not_passed() {
        let steps = home_steps(Some(SubmissionState::Accepted), None, true);
        assert_eq!(words(steps), ["已提交", "通过", "通过", "等待评审", "未开始"]);
        assert_eq!(steps[3].mark, StepMark::Current);
        assert_eq!(steps[4].mark, StepMark::Pending);
    }

    #[test]
    fn every_step_says_what_is_true_now() {
        assert_eq!(words(home_steps(None, None, true)), ["未填报", "未开始", "未开始", "未开始", "未开始"]);
        assert_eq!(words(home_steps(Some(SubmissionState::Submitted), None, true))[..2], ["已提交", "待审核"]);
        assert_eq!(words(home_steps(Some(SubmissionState::SchoolApproved), None, true))[1..3], ["通过", "待审核"]);
        assert_eq!(words(home_steps(Some(SubmissionState::UnderReview), None, false))[2..4], ["无需审核", "评审中"]);
        assert_eq!(words(home_steps(Some(SubmissionState::Reviewed), None, true))[3..], ["评审完成", "等待公布"]);
        assert_eq!(words(home_steps(Some(SubmissionState::Published), None, true))[4], "已公布");
    }

    #[test]
    fn a_return_is_shown_at_the_level_that_returned() {
        let by_school = home_steps(Some(SubmissionState::Returned), returned_by(SubmissionState::Submitted), true);
        assert_eq!(words(by_school)[..3], ["待修改", "退回", "未开始"]);
        assert_eq!(by_school[1].mark, StepMark::Returned);
        let by_department =
            home_steps(Some(SubmissionState::Returned), returned_by(SubmissionState::SchoolApproved), true);
        assert_eq!(words(by_department)[..3], ["待修改", "通过", "退回"]);
    }
}
