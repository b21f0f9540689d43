//! Realistic filings and submissions for the printing tests and the printing bench (`benches/print.rs` includes
//! this file): the manual's teacher 刁彬彬 with a textbook and a ★ 单位署名文章, and the largest filing the
//! submission rules accept (200-character titles, 本人承担部分 at the 255-byte limit). Written straight into the
//! store, the way the teacher's filing and the review chain would leave them.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use zhiping::domain::catalogue::Level;
use zhiping::domain::filing::{Achievement, Filing};
use zhiping::domain::submission::{FinalResult, Submission, SubmissionState, SubmittedVersion, Transition};
use zhiping::store::{StoreError, WriteTx, tables};

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

/// 刁彬彬's filing: a textbook (正式出版) and a ★ 单位署名文章 (公开发表), so the form shows 当年有效.
pub fn filing_diao() -> Filing {
    Filing {
        title_grade: "中级".into(),
        title_name: "一级教师".into(),
        title_other: String::new(),
        title_date: "2012-09-01".into(),
        research_direction: "中职数控技术专业课程与教学".into(),
        major_college: "无".into(),
        major_bachelor: "机械设计制造及其自动化".into(),
        major_graduate: "机械工程".into(),
        applied_subject: "机械".into(),
        teaching_subject: "数控加工技术".into(),
        achievements: vec![
            Achievement {
                title: "中等职业学校数控车削加工项目教程".into(),
                level: Some(Level::Formal),
                type_code: "textbook".into(),
                fields: fields(&[
                    ("published", "2019-08"),
                    ("publisher", "上海科学技术出版社"),
                    ("rank", "1/3"),
                    ("cip", "2019102034"),
                ]),
                independent: Some(false),
                own_part: "第一章至第五章的编写及全书统稿，约12万字".into(),
                ..Achievement::default()
            },
            Achievement {
                title: "基于工作过程的中职数控专业校企合作课程开发实践".into(),
                level: Some(Level::Public),
                type_code: "unit_article".into(),
                fields: fields(&[
                    ("published", "2020-03"),
                    ("journal", "职业教育研究"),
                    ("journal_number", "ISSN 1672-5727"),
                    ("issue", "2020年第3期"),
                    ("rank", "1/1"),
                ]),
                independent: Some(true),
                own_part: "全部".into(),
                ..Achievement::default()
            },
        ],
        confirmed_instructions: true,
    }
}

/// A 200-character title (the longest the form accepts).
pub const MAXIMAL_TITLE: &str = "基于产教融合与工作过程系统化理念的中等职业学校数控技术应用专业“岗课赛证”综合育人模式构建、\
    课程体系重构与教学资源开发的实践研究——以上海市南湖职业学校数控加工专业群为例，兼论长三角地区智能制造产业转型升级\
    背景下中职学生职业能力评价标准、实训基地建设、双师型教师队伍培养与校企协同育人机制的推进路径，并提出“三阶递进、四方协同”实施策略及其在区域内六所中等职业\
    学校推广应用的经验总结与反思研究总报告书";

/// 本人承担部分 at exactly 255 bytes.
pub const MAXIMAL_OWN_PART: &str = "负责课题总体设计与组织实施，撰写研究报告第一至第四章，主持课程体系重构与教学资源开发，\
    完成校企合作调研报告及人才培养方案修订工作，统稿并定稿全书，承担结项材料汇编整理工作";

/// The largest filing the rules accept: two achievements with 200-character titles, 本人承担部分 at 255 bytes and
/// long 成果情况 values.
pub fn filing_maximal() -> Filing {
    let mut filing = filing_diao();
    filing.research_direction = "中等职业教育数控技术应用专业课程开发与教学评价研究".into();
    filing.achievements = vec![
        Achievement {
            title: MAXIMAL_TITLE.into(),
            level: Some(Level::Deemed),
            type_code: "research_project".into(),
            fields: fields(&[
                ("project_level", "上海市教育科学研究市级重点"),
                ("approved", "2018-09"),
                ("approving_body", "上海市教育科学研究院职业教育与成人教育研究所"),
                ("concluded", "2020-06"),
                ("rank", "1/5"),
            ]),
            independent: Some(false),
            own_part: MAXIMAL_OWN_PART.into(),
            ..Achievement::default()
        },
        Achievement {
            title: format!("{}（续）", &MAXIMAL_TITLE[..MAXIMAL_TITLE.len() - 3 * 3]),
            level: Some(Level::Public),
            type_code: "journal_paper".into(),
            fields: fields(&[
                ("published", "2020-05"),
                ("journal", "中国职业技术教育"),
                ("journal_number", "ISSN 1004-9290 CN 11-3117/G4"),
                ("issue", "2020年第14期（总第734期）"),
                ("rank", "2/3"),
            ]),
            independent: Some(false),
            own_part: MAXIMAL_OWN_PART.into(),
            ..Achievement::default()
        },
    ];
    filing
}

/// A submission in `state`; every state but a draft has the filing as its submitted version 1.
pub fn submission(
    project_id: u64,
    teacher_id: u64,
    school_id: u64,
    department_id: u64,
    state: SubmissionState,
    filing: Filing,
) -> Submission {
    let now = Utc::now();
    let versions = if state == SubmissionState::Draft {
        Vec::new()
    } else {
        vec![SubmittedVersion { number: 1, at: now, filing: filing.clone() }]
    };
    let history = if state == SubmissionState::Draft {
        Vec::new()
    } else {
        vec![Transition {
            at: now,
            actor_id: teacher_id,
            actor_name: "教师".into(),
            address: "127.0.0.1".into(),
            from: SubmissionState::Draft,
            to: SubmissionState::Submitted,
            reason: String::new(),
        }]
    };
    Submission {
        id: 0,
        project_id,
        teacher_id,
        school_id,
        department_id,
        state,
        filing,
        pledge: None,
        versions,
        history,
        result: None,
        created_at: now,
        updated_at: now,
    }
}

/// Publishes `grade` and `opinion` on `submission` at `published_at`.
pub fn publish(mut submission: Submission, grade: &str, opinion: &str, published_at: DateTime<Utc>) -> Submission {
    submission.state = SubmissionState::Published;
    submission.result = Some(FinalResult {
        grade: grade.into(),
        opinion: opinion.into(),
        decided_by: 1,
        decided_at: published_at,
        published_at: Some(published_at),
    });
    submission
}

/// Stores `submission` under a fresh id with its indexes (one per teacher and project; by project, school,
/// department and teacher), as the filing service does. Returns the id.
pub fn insert(tx: &WriteTx, mut submission: Submission) -> Result<u64, StoreError> {
    submission.id = tx.next_id()?;
    tx.put(&submission)?;
    let key = format!("{}:{}", submission.project_id, submission.teacher_id);
    tx.set_lookup(tables::SUBMISSION_BY_TEACHER, &key, submission.id)?;
    for key in [
        format!("project:{}", submission.project_id),
        format!("school:{}", submission.school_id),
        format!("department:{}", submission.department_id),
        format!("teacher:{}", submission.teacher_id),
    ] {
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &key, submission.id)?;
    }
    Ok(submission.id)
}
