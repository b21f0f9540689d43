//! The wording of the printed documents: a submission with its teacher, school, department and project becomes
//! the plain values of `pdf::RegistrationForm` and `pdf::AppraisalOpinion`. No storage, no authorization.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::clock;
use crate::domain::account::Account;
use crate::domain::filing::{Filing, OTHER_TITLE, uses_restricted_type};
use crate::domain::project::Project;
use crate::domain::submission::FinalResult;
use crate::pdf::{AppraisalOpinion, FormAchievement, RegistrationForm};

/// The organisations printed on a document, by name (a deleted record prints as blank, never fails the print).
pub(crate) struct OrgNames {
    pub school: String,
    pub department: String,
}

/// The 成果鉴定登记表 of `filing` (the teacher's working copy or a submitted version).
pub(crate) fn registration_form(
    teacher: &Account,
    orgs: &OrgNames,
    project: &Project,
    filing: &Filing,
) -> RegistrationForm {
    let profile = teacher.teacher.clone().unwrap_or_default();
    RegistrationForm {
        name: teacher.name.clone(),
        birth: birth_text(profile.birth_date),
        research_direction: filing.research_direction.clone(),
        education: profile.education,
        degree: profile.degree,
        major_college: filing.major_college.clone(),
        major_bachelor: filing.major_bachelor.clone(),
        major_graduate: filing.major_graduate.clone(),
        school: orgs.school.clone(),
        department: orgs.department.clone(),
        title: title_text(filing),
        title_date: filing.title_date.clone(),
        teaching_subject: filing.teaching_subject.clone(),
        applied_subject: filing.applied_subject.clone(),
        achievements: filing
            .achievements
            .iter()
            .map(|achievement| {
                // A type the project's catalogue no longer knows (or none chosen yet in a draft) prints blank
                // rather than failing the print: the form is also the teacher's preview.
                let achievement_type = project.catalogue.get(&achievement.type_code);
                FormAchievement {
                    title: achievement.title.clone(),
                    level: achievement.level.map(|level| level.label().to_owned()).unwrap_or_default(),
                    kind: achievement_type.map(|kind| kind.name.clone()).unwrap_or_default(),
                    situation: achievement_type
                        .map(|kind| kind.render_sentence(&achievement.fields))
                        .unwrap_or_default(),
                    own_part: achievement.own_part.clone(),
                    valid_this_year_only: achievement_type.is_some_and(|kind| kind.restricted()),
                }
            })
            .collect(),
    }
}

/// The published 鉴定意见 of the appraised `filing`.
pub(crate) fn appraisal_opinion(
    teacher: &Account,
    orgs: &OrgNames,
    project: &Project,
    filing: &Filing,
    result: &FinalResult,
    published_at: DateTime<Utc>,
    operator: &str,
) -> AppraisalOpinion {
    AppraisalOpinion {
        project_name: project.name.clone(),
        teacher_name: teacher.name.clone(),
        school: orgs.school.clone(),
        department: orgs.department.clone(),
        achievement_titles: filing
            .achievements
            .iter()
            .map(|achievement| achievement.title.trim().to_owned())
            .filter(|title| !title.is_empty())
            .collect(),
        grade: result.grade.clone(),
        opinion: result.opinion.clone(),
        valid_this_year_only: uses_restricted_type(filing, &project.catalogue),
        operator: operator.to_owned(),
        published_on: clock::day(published_at),
    }
}

/// 出生年月 as the form prints it: `1980年12月`.
pub(crate) fn birth_text(birth: Option<NaiveDate>) -> String {
    birth.map(|date| format!("{:04}年{:02}月", date.year(), date.month())).unwrap_or_default()
}

/// 现专技职务: the grade and the title (`中级 一级教师`), with the free text in place of `其它`.
pub(crate) fn title_text(filing: &Filing) -> String {
    let title = if filing.title_name == OTHER_TITLE { &filing.title_other } else { &filing.title_name };
    [filing.title_grade.trim(), title.trim()].into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::account::{Role, TeacherProfile};
    use crate::domain::catalogue::Level;
    use crate::domain::filing::Achievement;
    use crate::domain::org::OrgRef;

    fn teacher() -> Account {
        Account {
            id: 7,
            username: "310109198012283012".into(),
            name: "刁彬彬".into(),
            role: Role::Teacher,
            org: OrgRef::School(3),
            password_hash: None,
            must_change_password: false,
            failed_logins: 0,
            frozen_until: None,
            disabled: false,
            created_at: crate::clock::Clock::system().now(),
            teacher: Some(TeacherProfile {
                education: "研究生".into(),
                degree: "硕士".into(),
                birth_date: NaiveDate::from_ymd_opt(1980, 2, 28),
                project_id: Some(1),
            }),
            expert_subjects: Vec::new(),
            moves: Vec::new(),
        }
    }

    fn project() -> Project {
        let start = Utc.with_ymd_and_hms(2020, 5, 1, 0, 0, 0).single().expect("date");
        Project::with_defaults(1, "2020年中职、技工学校教师高级职务教科研成果鉴定".into(), 2020, (start, start), start)
    }

    fn orgs() -> OrgNames {
        OrgNames { school: "上海市南湖职业学校".into(), department: "上海市虹口区教育局".into() }
    }

    fn filing() -> Filing {
        let fields: BTreeMap<String, String> =
            [("published", "2019-08"), ("publisher", "上海科学技术出版社"), ("rank", "1/3"), ("cip", "2019102034")]
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .collect();
        Filing {
            title_grade: "中级".into(),
            title_name: "一级教师".into(),
            title_date: "2012-09-01".into(),
            research_direction: "数控技术课程与教学".into(),
            achievements: vec![
                Achievement {
                    title: "数控车削加工项目教程".into(),
                    level: Some(Level::Formal),
                    type_code: "textbook".into(),
                    fields,
                    own_part: "第一章至第五章".into(),
                    ..Achievement::default()
                },
                Achievement {
                    title: "校本课程：数控编程入门".into(),
                    level: Some(Level::Exchange),
                    type_code: "school_course".into(),
                    own_part: "全部".into(),
                    ..Achievement::default()
                },
            ],
            ..Filing::default()
        }
    }

    #[test]
    fn the_form_words_every_value_like_the_manual() {
        let form = registration_form(&teacher(), &orgs(), &project(), &filing());
        assert_eq!(form.name, "刁彬彬");
        assert_eq!(form.birth, "1980年02月");
        assert_eq!(form.title, "中级 一级教师");
        assert_eq!((form.education.as_str(), form.degree.as_str()), ("研究生", "硕士"));
        assert_eq!(form.school, "上海市南湖职业学校");
        let [first, second] = &form.achievements[..] else { panic!("two achievements") };
        assert_eq!((first.level.as_str(), first.kind.as_str()), ("正式出版", "教材"));
        assert_eq!(first.situation, "出版：于2019-08由上海科学技术出版社发表，排序/排名：1/3；CIP号为2019102034");
        assert!(!first.valid_this_year_only);
        assert_eq!((second.level.as_str(), second.kind.as_str()), ("交流", "校本课程"));
        assert!(second.valid_this_year_only, "校本课程 is a ★ type");
        assert!(second.situation.contains("____"), "empty fields print as blanks: {}", second.situation);
    }

    #[test]
    fn other_titles_print_their_text_and_drafts_print_blank() {
        let mut filing = filing();
        filing.title_name = OTHER_TITLE.into();
        filing.title_other = "高级工程师".into();
        assert_eq!(title_text(&filing), "中级 高级工程师");
        filing.title_grade.clear();
        assert_eq!(title_text(&filing), "高级工程师");

        let draft = Filing::default();
        let form = registration_form(&teacher(), &orgs(), &project(), &draft);
        assert_eq!(form.title, "");
        assert_eq!(form.achievements.len(), 1);
        assert_eq!(form.achievements[0], FormAchievement::default());
        assert_eq!(birth_text(None), "");
    }

    #[test]
    fn the_opinion_is_valid_this_year_only_when_it_rests_on_a_restricted_type() {
        let published = Utc.with_ymd_and_hms(2020, 7, 14, 18, 0, 0).single().expect("date");
        let result = FinalResult {
            grade: "合格".into(),
            opinion: "同意鉴定为合格。".into(),
            decided_by: 1,
            decided_at: published,
            published_at: Some(published),
        };
        let opinion =
            appraisal_opinion(&teacher(), &orgs(), &project(), &filing(), &result, published, "上海市教育评估院");
        assert_eq!(opinion.achievement_titles, ["数控车削加工项目教程", "校本课程：数控编程入门"]);
        assert!(opinion.valid_this_year_only);
        assert_eq!(opinion.published_on, "2020-07-15", "Shanghai date of 18:00 UTC");
        let mut plain = filing();
        plain.achievements.pop();
        let opinion = appraisal_opinion(&teacher(), &orgs(), &project(), &plain, &result, published, "x");
        assert!(!opinion.valid_this_year_only);
    }
}
