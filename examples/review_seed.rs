//! Seeds a stopped server's data directory with a city-scale review season for `benches/review.sh`: 16
//! departments, 200 schools, 3,000 teachers each with an accepted (anonymity-cleared) submission of two
//! achievements, and 60 experts over the subjects. Usage: `review_seed DATA_DIR`; prints an expert's username.

use chrono::Utc;
use zhiping::domain::SchoolType;
use zhiping::domain::account::{Account, Role, TeacherProfile};
use zhiping::domain::catalogue::{EvidenceSlot, Level};
use zhiping::domain::filing::{Achievement, FileRef, Filing};
use zhiping::domain::idcard::IdNumber;
use zhiping::domain::org::{Department, OrgRef, School};
use zhiping::domain::project::Project;
use zhiping::domain::review::{Acceptance, Check, Review};
use zhiping::domain::submission::{Submission, SubmissionState, SubmittedVersion};
use zhiping::store::{Reader, Store, StoreError, WriteTx, org_key, tables};

const SUBJECTS: [&str; 12] = [
    "语文",
    "数学",
    "英语",
    "信息技术",
    "机械",
    "电子电工",
    "财经商贸",
    "旅游服务",
    "医药卫生",
    "艺术设计",
    "学前教育",
    "汽车运用与维修",
];

/// A valid, unique ID number for `serial` < 40,000 (birth year from the thousands, sequence from the rest).
fn id_number(serial: u64) -> String {
    let first17 = format!("310101{}0101{:03}", 1950 + serial / 1000, serial % 1000);
    let check = IdNumber::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn account(tx: &WriteTx, username: String, name: String, role: Role, org: OrgRef) -> Result<Account, StoreError> {
    let account = Account {
        id: tx.next_id()?,
        username,
        name,
        role,
        org,
        password_hash: None,
        must_change_password: true,
        failed_logins: 0,
        frozen_until: None,
        disabled: false,
        created_at: Utc::now(),
        teacher: None,
        expert_subjects: Vec::new(),
        moves: Vec::new(),
    };
    tx.put(&account)?;
    tx.set_lookup(tables::ACCOUNT_BY_USERNAME, &account.username, account.id)?;
    tx.multimap_insert(tables::ACCOUNTS_BY_ORG, &org_key(account.org), account.id)?;
    Ok(account)
}

fn file(seed: u64, kind: &str) -> FileRef {
    FileRef { sha256: format!("{seed:064x}"), name: format!("附件{seed}.{kind}"), size: 123_456, kind: kind.into() }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::args().nth(1).ok_or("usage: review_seed DATA_DIR")?;
    let store = Store::open(&std::path::Path::new(&data).join("zhiping.redb"))?;
    let project = store.read()?.all::<Project>()?.into_iter().next().ok_or("start the demo once first")?;
    let expert_username = store.write(|tx| -> Result<String, StoreError> {
        let mut departments = Vec::new();
        for d in 0..16 {
            let department = Department {
                id: tx.next_id()?,
                name: format!("测试区教育局{d}"),
                disabled: false,
                created_at: Utc::now(),
            };
            tx.put(&department)?;
            departments.push(department.id);
        }
        let mut schools = Vec::new();
        for s in 0..200u64 {
            let school = School {
                id: tx.next_id()?,
                name: format!("测试职业学校{s}"),
                department_id: departments[(s % 16) as usize],
                school_type: SchoolType::Zhigao,
                disabled: false,
                created_at: Utc::now(),
            };
            tx.put(&school)?;
            schools.push(school);
        }
        let mut first_expert = String::new();
        for e in 0..60u64 {
            let school = &schools[(e * 7 % 200) as usize];
            let mut expert =
                account(tx, id_number(39_000 + e), format!("专家{e}"), Role::Expert, OrgRef::School(school.id))?;
            expert.expert_subjects = (0..3).map(|k| SUBJECTS[((e + k * 5) % 12) as usize].to_string()).collect();
            tx.put(&expert)?;
            if e == 0 {
                first_expert = expert.username.clone();
            }
        }
        let now = Utc::now();
        for t in 0..3000u64 {
            let school = &schools[(t % 200) as usize];
            let mut teacher = account(tx, id_number(t), format!("教师{t}"), Role::Teacher, OrgRef::School(school.id))?;
            teacher.teacher = Some(TeacherProfile {
                education: "本科".into(),
                degree: "学士".into(),
                birth_date: None,
                project_id: Some(project.id),
            });
            tx.put(&teacher)?;
            let achievements = (0..2u64)
                .map(|k| {
                    let mut item = Achievement {
                        title: format!("教学研究成果{t}-{k}"),
                        level: Some(Level::Formal),
                        type_code: "monograph".into(),
                        independent: Some(true),
                        own_part: "全部".into(),
                        achievement_file: Some(file(t * 10 + k, "pdf")),
                        ..Achievement::default()
                    };
                    item.evidence.insert(EvidenceSlot::Formal, file(1_000_000 + t * 10 + k, "pdf"));
                    item
                })
                .collect();
            let filing = Filing {
                title_grade: "中级".into(),
                title_name: "讲师".into(),
                title_other: String::new(),
                title_date: "2015-09-01".into(),
                research_direction: "课程改革".into(),
                major_college: "无".into(),
                major_bachelor: "教育学".into(),
                major_graduate: "无".into(),
                applied_subject: SUBJECTS[(t % 12) as usize].into(),
                teaching_subject: SUBJECTS[(t % 12) as usize].into(),
                achievements,
                confirmed_instructions: true,
            };
            let id = tx.next_id()?;
            let submission = Submission {
                id,
                project_id: project.id,
                teacher_id: teacher.id,
                school_id: school.id,
                department_id: school.department_id,
                state: SubmissionState::Accepted,
                filing: filing.clone(),
                pledge: None,
                versions: vec![SubmittedVersion { number: 1, at: now, filing }],
                history: Vec::new(),
                created_at: now,
                updated_at: now,
                result: None,
            };
            tx.put(&submission)?;
            tx.set_lookup(tables::SUBMISSION_BY_TEACHER, &format!("{}:{}", project.id, teacher.id), id)?;
            for key in [
                format!("project:{}", project.id),
                format!("school:{}", school.id),
                format!("department:{}", school.department_id),
                format!("teacher:{}", teacher.id),
            ] {
                tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &key, id)?;
            }
            let check = Check {
                by: 1,
                by_name: "bench".into(),
                at: now,
                address: "127.0.0.1".into(),
                statement: "受理".into(),
            };
            let mut review = Review::new(id);
            review.acceptance =
                Some(Acceptance { scanned_at: now, version: 1, hits: Vec::new(), accepted: Some(check) });
            tx.put(&review)?;
        }
        Ok(first_expert)
    })?;
    println!("project {} expert {expert_username}", project.id);
    Ok(())
}
