//! Where a teacher stands in its appraisal project, as the admins' progress lists show it (SPEC §6 and issue 4:
//! 未填报 / 暂存 / 待审核 / 退回 …), and the per-state counts of a school or department.

use super::submission::SubmissionState;

/// A teacher's progress: no project chosen, chosen but nothing filed, or the state of its submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Progress {
    /// 未选择项目: the school has not chosen a project (the teacher sees 无权限).
    NoProject,
    /// 未填报: a project is chosen, no submission exists yet.
    NotFiled,
    State(SubmissionState),
}

impl Progress {
    /// Every progress value in the order lists and counts show them (the order of the workflow).
    pub const ALL: [Progress; 10] = [
        Progress::NoProject,
        Progress::NotFiled,
        Progress::State(SubmissionState::Draft),
        Progress::State(SubmissionState::Submitted),
        Progress::State(SubmissionState::Returned),
        Progress::State(SubmissionState::SchoolApproved),
        Progress::State(SubmissionState::Accepted),
        Progress::State(SubmissionState::UnderReview),
        Progress::State(SubmissionState::Reviewed),
        Progress::State(SubmissionState::Published),
    ];

    /// Stable code for filters, the API and exports.
    pub fn code(self) -> &'static str {
        match self {
            Progress::NoProject => "no_project",
            Progress::NotFiled => "not_filed",
            Progress::State(state) => state.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|progress| progress.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Progress::NoProject => "未选择项目",
            Progress::NotFiled => "未填报",
            Progress::State(state) => state.label(),
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|progress| *progress == self).unwrap_or(0)
    }
}

/// Teachers per progress value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressCounts {
    pub teachers: usize,
    counts: [usize; 10],
}

impl ProgressCounts {
    pub fn add(&mut self, progress: Progress) {
        self.teachers += 1;
        self.counts[progress.index()] += 1;
    }

    pub fn get(&self, progress: Progress) -> usize {
        self.counts[progress.index()]
    }

    pub fn merge(&mut self, other: &ProgressCounts) {
        self.teachers += other.teachers;
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_counts_add_up() {
        for progress in Progress::ALL {
            assert_eq!(Progress::from_code(progress.code()), Some(progress));
        }
        assert_eq!(Progress::NotFiled.label(), "未填报");
        assert_eq!(Progress::State(SubmissionState::Draft).label(), "暂存");
        let mut school = ProgressCounts::default();
        school.add(Progress::NotFiled);
        school.add(Progress::State(SubmissionState::Returned));
        school.add(Progress::State(SubmissionState::Returned));
        let mut total = ProgressCounts::default();
        total.merge(&school);
        total.merge(&school);
        assert_eq!(total.teachers, 6);
        assert_eq!(total.get(Progress::State(SubmissionState::Returned)), 4);
        assert_eq!(total.get(Progress::NoProject), 0);
    }
}
