//! What makes a project valid, and what may still change once teachers use it (issue 4: changing a project that
//! already has submissions must not corrupt them). Pure: the service gathers a `ProjectUsage` from the project's
//! submissions and asks `check_change` before it writes.
//!
//! The rules, in words (also shown to the city admin on the edit page):
//! - name, year and every window or deadline may always change (the windows must stay in order);
//! - a school type may not be dropped while schools of that type hold submissions;
//! - the maximum number of achievements may not go below the largest number a submitted filing holds;
//! - department review may be switched on or off only until the first submission passes school review;
//! - subjects and title choices used by a submitted filing may not be removed;
//! - the grade scale, experts per submission, blind review and recusal freeze once expert review starts;
//! - a catalogue type used by any submission (drafts included) may not be removed or moved to another level;
//!   once a filing using it was submitted, its fields (keys and formats), its media allowance are frozen, its
//!   required evidence may not grow and its school types may not shrink. Names, the sentence wording,
//!   placeholders and hints may always change.

use std::collections::BTreeSet;

use super::catalogue::AchievementType;
use super::filing::{Filing, MAX_ACHIEVEMENTS_LIMIT};
use super::project::Project;
use super::submission::{Submission, SubmissionState};
use super::{FieldErrors, SchoolType};

/// What the submissions of a project hold, as far as the edit rules care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectUsage {
    pub submissions: usize,
    /// Submissions past 暂存 (submitted at least once and not withdrawn to a draft, or beyond).
    pub filed: usize,
    /// Submissions that passed school review (or went further).
    pub past_school_review: usize,
    /// Submissions in or after expert review.
    pub in_expert_review: usize,
    /// Catalogue type codes named by any filing, drafts included.
    pub types_used: BTreeSet<String>,
    /// Catalogue type codes named by a submitted filing (a stored version or a non-draft working copy).
    pub types_filed: BTreeSet<String>,
    /// The largest number of achievements in a submitted filing.
    pub max_filed_achievements: usize,
    pub subjects_filed: BTreeSet<String>,
    pub titles_filed: BTreeSet<String>,
    /// School types of the schools that hold submissions.
    pub school_types_used: BTreeSet<SchoolType>,
}

impl ProjectUsage {
    /// Counts one submission of the project; `school_type` is its school's type.
    pub fn add(&mut self, submission: &Submission, school_type: Option<SchoolType>) {
        use SubmissionState as S;
        self.submissions += 1;
        if let Some(school_type) = school_type {
            self.school_types_used.insert(school_type);
        }
        if submission.state != S::Draft {
            self.filed += 1;
        }
        if matches!(submission.state, S::SchoolApproved | S::Accepted | S::UnderReview | S::Reviewed | S::Published) {
            self.past_school_review += 1;
        }
        if matches!(submission.state, S::UnderReview | S::Reviewed | S::Published) {
            self.in_expert_review += 1;
        }
        self.note_filing(&submission.filing, submission.state != S::Draft);
        for version in &submission.versions {
            self.note_filing(&version.filing, true);
        }
    }

    fn note_filing(&mut self, filing: &Filing, filed: bool) {
        for achievement in &filing.achievements {
            if !achievement.type_code.is_empty() {
                self.types_used.insert(achievement.type_code.clone());
                if filed {
                    self.types_filed.insert(achievement.type_code.clone());
                }
            }
        }
        if filed {
            self.max_filed_achievements = self.max_filed_achievements.max(filing.achievements.len());
            if !filing.applied_subject.is_empty() {
                self.subjects_filed.insert(filing.applied_subject.clone());
            }
            if !filing.title_name.is_empty() {
                self.titles_filed.insert(filing.title_name.clone());
            }
        }
    }
}

/// The checks every project passes, new or edited; every failing field at once.
pub fn validate(project: &Project) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let name_length = project.name.trim().chars().count();
    if name_length == 0 {
        errors.add("name", "项目名称不能为空");
    } else if name_length > 100 {
        errors.add("name", "项目名称至多100个字符");
    }
    if !(2000..=2100).contains(&project.year) {
        errors.add("year", "年度应在2000到2100之间");
    }
    if project.school_types.is_empty() {
        errors.add("school_types", "至少选择一种学校类型");
    }
    if project.filing_end <= project.filing_start {
        errors.add("filing_end", "填报截止时间应晚于开始时间");
    }
    if project.school_review_end < project.filing_end {
        errors.add("school_review_end", "学校审核截止时间不应早于填报截止时间");
    }
    if project.department_review_end < project.school_review_end {
        errors.add("department_review_end", "主管部门审核截止时间不应早于学校审核截止时间");
    }
    let reviews_end = if project.department_review { project.department_review_end } else { project.school_review_end };
    if project.expert_review_start < reviews_end {
        errors.add("expert_review_start", "专家评审开始时间不应早于审核截止时间");
    }
    if project.expert_review_end <= project.expert_review_start {
        errors.add("expert_review_end", "专家评审截止时间应晚于开始时间");
    }
    if !(1..=MAX_ACHIEVEMENTS_LIMIT).contains(&project.max_achievements) {
        errors.add("max_achievements", format!("成果数量上限应在1到{MAX_ACHIEVEMENTS_LIMIT}之间"));
    }
    check_list(&mut errors, "subjects", "申报学科", &project.subjects, 1);
    check_list(&mut errors, "title_names", "现专技职务", &project.title_names, 1);
    check_list(&mut errors, "grades", "鉴定等级", &project.grades, 2);
    if !(1..=9).contains(&project.experts_per_submission) {
        errors.add("experts_per_submission", "每份申报的评审专家数应在1到9之间");
    }
    if let Err(message) = project.catalogue.validate() {
        errors.add("catalogue", message);
    }
    errors
}

fn check_list(errors: &mut FieldErrors, field: &str, label: &str, items: &[String], at_least: usize) {
    if items.len() < at_least {
        errors.add(field, format!("{label}至少应有{at_least}项"));
        return;
    }
    let mut seen = BTreeSet::new();
    for item in items {
        if item.trim().is_empty() || item.chars().count() > 40 {
            errors.add(field, format!("{label}的每一项应为1到40个字符"));
            return;
        }
        if !seen.insert(item.as_str()) {
            errors.add(field, format!("{label}“{item}”重复"));
            return;
        }
    }
}

/// `validate(new)` plus the rules that protect existing submissions (see the module comment).
pub fn check_change(old: &Project, new: &Project, usage: &ProjectUsage) -> FieldErrors {
    let mut errors = validate(new);
    for school_type in &usage.school_types_used {
        if !new.school_types.contains(school_type) {
            errors.add("school_types", format!("{}已有申报，不能取消该学校类型", school_type.label()));
        }
    }
    if new.max_achievements < usage.max_filed_achievements {
        errors.add(
            "max_achievements",
            format!("已提交的申报中有{}项成果，成果数量上限不能低于此数", usage.max_filed_achievements),
        );
    }
    if new.department_review != old.department_review && usage.past_school_review > 0 {
        errors.add("department_review", "已有申报通过学校审核，不能再更改是否需要主管部门审核");
    }
    for subject in &usage.subjects_filed {
        if !new.subjects.contains(subject) {
            errors.add("subjects", format!("申报学科“{subject}”已被提交的申报使用，不能删除"));
            break;
        }
    }
    for title in &usage.titles_filed {
        if title != super::filing::OTHER_TITLE && !new.title_names.contains(title) {
            errors.add("title_names", format!("现专技职务“{title}”已被提交的申报使用，不能删除"));
            break;
        }
    }
    if usage.in_expert_review > 0 {
        let frozen = [
            ("grades", old.grades != new.grades, "鉴定等级"),
            ("experts_per_submission", old.experts_per_submission != new.experts_per_submission, "评审专家数"),
            ("blind_review", old.blind_review != new.blind_review, "盲评设置"),
            ("recuse_department", old.recuse_department != new.recuse_department, "回避设置"),
        ];
        for (field, changed, label) in frozen {
            if changed {
                errors.add(field, format!("专家评审已开始，不能更改{label}"));
            }
        }
    }
    if let Some(message) = catalogue_change_problem(old, new, usage) {
        errors.add("catalogue", message);
    }
    errors
}

/// The first catalogue change that would strand a filing, if any.
fn catalogue_change_problem(old: &Project, new: &Project, usage: &ProjectUsage) -> Option<String> {
    for code in &usage.types_used {
        let name = old.catalogue.get(code).map(|t| t.name.clone()).unwrap_or_else(|| code.clone());
        let Some(new_type) = new.catalogue.get(code) else {
            return Some(format!("成果类型“{name}”已被申报使用，不能删除"));
        };
        let Some(old_type) = old.catalogue.get(code) else { continue };
        if new_type.level != old_type.level {
            return Some(format!("成果类型“{name}”已被申报使用，不能更改成果层次"));
        }
        if usage.types_filed.contains(code)
            && let Some(problem) = filed_type_problem(old_type, new_type)
        {
            return Some(format!("成果类型“{name}”已有提交的申报，{problem}"));
        }
    }
    None
}

fn filed_type_problem(old: &AchievementType, new: &AchievementType) -> Option<&'static str> {
    let shape = |t: &AchievementType| -> BTreeSet<(String, String)> {
        t.fields.iter().map(|field| (field.key.clone(), format!("{:?}", field.format))).collect()
    };
    if shape(old) != shape(new) {
        return Some("不能增删字段或更改字段格式");
    }
    if new.required_slots.iter().any(|slot| !old.required_slots.contains(slot)) {
        return Some("不能增加必传的证明材料");
    }
    if old.allowed_school_types.iter().any(|school_type| !new.allowed_school_types.contains(school_type)) {
        return Some("不能减少适用的学校类型");
    }
    if old.allows_media != new.allows_media {
        return Some("不能更改是否允许上传视频或压缩包");
    }
    None
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::domain::catalogue::{EvidenceSlot, FieldFormat, FieldSpec, SentencePart};
    use crate::domain::filing::Achievement;
    use crate::domain::submission::SubmittedVersion;

    fn project() -> Project {
        let start = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).single().expect("time");
        Project::with_defaults(1, "2026年鉴定".into(), 2026, (start, start + Duration::days(30)), start)
    }

    fn submission(state: SubmissionState, types: &[&str]) -> Submission {
        let filing = Filing {
            applied_subject: "语文".into(),
            title_name: "讲师".into(),
            achievements: types
                .iter()
                .map(|code| Achievement { type_code: code.to_string(), ..Achievement::default() })
                .collect(),
            ..Filing::default()
        };
        let now = crate::clock::Clock::system().now();
        Submission {
            id: 9,
            project_id: 1,
            teacher_id: 2,
            school_id: 3,
            department_id: 4,
            state,
            filing: filing.clone(),
            pledge: None,
            versions: if state == SubmissionState::Draft {
                Vec::new()
            } else {
                vec![SubmittedVersion { number: 1, at: now, filing }]
            },
            history: Vec::new(),
            result: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn usage(submissions: &[Submission]) -> ProjectUsage {
        let mut usage = ProjectUsage::default();
        for submission in submissions {
            usage.add(submission, Some(SchoolType::Zhigao));
        }
        usage
    }

    #[test]
    fn the_defaults_are_valid_and_broken_windows_are_caught() {
        assert!(validate(&project()).is_empty());
        let mut broken = project();
        broken.filing_end = broken.filing_start;
        broken.expert_review_end = broken.expert_review_start;
        broken.grades = vec!["优秀".into()];
        broken.subjects.push("语文".into());
        let errors = validate(&broken);
        assert!(errors.get("filing_end").is_some());
        assert!(errors.get("expert_review_end").is_some());
        assert_eq!(errors.get("grades"), Some("鉴定等级至少应有2项"));
        assert_eq!(errors.get("subjects"), Some("申报学科“语文”重复"));
    }

    #[test]
    fn anything_may_change_without_submissions() {
        let old = project();
        let mut new = project();
        new.max_achievements = 1;
        new.department_review = false;
        new.catalogue.types.retain(|t| t.code != "monograph");
        new.school_types = vec![SchoolType::Zhongzhuan];
        assert!(check_change(&old, &new, &ProjectUsage::default()).is_empty());
    }

    #[test]
    fn submitted_filings_protect_what_they_use() {
        let old = project();
        let usage = usage(&[
            submission(SubmissionState::Submitted, &["monograph", "journal_paper"]),
            submission(SubmissionState::Draft, &["award"]),
        ]);
        assert_eq!(usage.filed, 1);
        assert_eq!(usage.max_filed_achievements, 2);

        let mut new = project();
        new.max_achievements = 1;
        new.school_types = vec![SchoolType::Zhongzhuan, SchoolType::Jigong];
        new.subjects.retain(|s| s != "语文");
        let errors = check_change(&old, &new, &usage);
        assert!(errors.get("max_achievements").is_some_and(|m| m.contains("2项")));
        assert!(errors.get("school_types").is_some_and(|m| m.contains("职业高中")));
        assert!(errors.get("subjects").is_some());

        // A type used only by a draft cannot be removed, but may get new fields.
        let mut new = project();
        new.catalogue.types.retain(|t| t.code != "award");
        assert!(check_change(&old, &new, &usage).get("catalogue").is_some_and(|m| m.contains("不能删除")));
        let mut new = project();
        add_field(new.catalogue.types.iter_mut().find(|t| t.code == "award").expect("award"));
        assert!(check_change(&old, &new, &usage).is_empty());

        // A submitted type keeps its fields and evidence, but its wording may change.
        let mut new = project();
        add_field(new.catalogue.types.iter_mut().find(|t| t.code == "monograph").expect("monograph"));
        assert!(check_change(&old, &new, &usage).get("catalogue").is_some_and(|m| m.contains("不能增删字段")));
        let mut new = project();
        let book = new.catalogue.types.iter_mut().find(|t| t.code == "monograph").expect("monograph");
        book.required_slots.push(EvidenceSlot::Award);
        assert!(check_change(&old, &new, &usage).get("catalogue").is_some_and(|m| m.contains("证明材料")));
        let mut new = project();
        let book = new.catalogue.types.iter_mut().find(|t| t.code == "monograph").expect("monograph");
        book.name = "学术专著".into();
        book.sentence.insert(0, SentencePart::Text("（新）".into()));
        assert!(check_change(&old, &new, &usage).is_empty());
    }

    #[test]
    fn review_settings_freeze_as_the_workflow_advances() {
        let old = project();
        let school_passed = usage(&[submission(SubmissionState::SchoolApproved, &["monograph"])]);
        let mut new = project();
        new.department_review = false;
        assert!(check_change(&old, &new, &school_passed).get("department_review").is_some());
        new.department_review = true;
        new.grades = vec!["合格".into(), "不合格".into()];
        assert!(check_change(&old, &new, &school_passed).is_empty());
        let in_review = usage(&[submission(SubmissionState::UnderReview, &["monograph"])]);
        let errors = check_change(&old, &new, &in_review);
        assert!(errors.get("grades").is_some());
        new.grades = old.grades.clone();
        new.blind_review = false;
        assert!(check_change(&old, &new, &in_review).get("blind_review").is_some());
    }

    fn add_field(achievement_type: &mut AchievementType) {
        achievement_type.fields.push(FieldSpec {
            key: "extra".into(),
            label: "备注".into(),
            format: FieldFormat::Text,
            placeholder: "请输入备注".into(),
            hint: None,
        });
        achievement_type.sentence.push(SentencePart::Field("extra".into()));
    }
}
