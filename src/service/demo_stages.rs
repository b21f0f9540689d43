//! The review chain of `serve --demo`, one teacher at each stage, so a newcomer sees the whole chain at once:
//! a draft, submissions waiting at the school, at the department and for the city's 受理, one under expert review
//! (opened early by the city, so its experts grade right away), one graded, and last year's published result.
//!
//! Its teachers belong to a school of a second department and its experts to a school of a third, so recusal
//! (own school, own department) leaves them free to review. Everything goes through the same service calls as
//! real use — pledge, uploads, 提交, approvals, 受理, assignment, grading, publication — acted by the demo's own
//! accounts; only the dates follow today. The demo's first department and its people are left as they were.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

use super::accounts::insert_account;
use super::actor::Actor;
use super::bootstrap::{FIRST_ADMIN, Login};
use super::error::{ServiceError, ServiceResult};
use super::notices::docx::{Block, document};
use super::project_admin::ProjectSettings;
use super::review::expert::GradeAction;
use super::submissions::{FileSlot, FileTarget, FilingEdit, Received, SubmitOutcome};
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::{Account, Role, TeacherProfile};
use crate::domain::catalogue::{EvidenceSlot, Level};
use crate::domain::filing::{Achievement, Filing};
use crate::domain::idcard::IdNumber;
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::project::Project;
use crate::domain::review::VERIFICATION_TEXT;
use crate::store::{Reader, WriteTx, tables};

const DEPARTMENT: &str = "上海市交通委员会";
const SCHOOL: &str = "上海市东海职业技术学校";
const EXPERT_DEPARTMENT: &str = "上海市农业农村委员会";
const EXPERT_SCHOOL: &str = "上海市西江职业学校";
const DEPARTMENT_ADMIN: &str = "jiaotong_admin";
const SCHOOL_ADMIN: &str = "donghai_admin";
const EXPERT_DEPARTMENT_ADMIN: &str = "nongye_admin";
const EXPERT_SCHOOL_ADMIN: &str = "xijiang_admin";
const SUBJECT: &str = "信息技术";
/// Where the demo's actions say they came from (transitions and the audit log record an address).
const ADDRESS: &str = "演示数据";
pub const DEFAULT_PASSWORD_NOTE: &str = "00000000（首次登录须修改）";

/// How far along the chain a demo teacher's submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Draft,
    AtSchool,
    AtDepartment,
    AtCity,
    WithExperts,
    Graded,
    PublishedLastYear,
}

/// (name, birth yyyymmdd, sequence digits, stage, achievement title)
const TEACHERS: [(&str, &str, &str, Stage, &str); 7] = [
    ("钱晓", "19830214", "417", Stage::Draft, "中职信息技术课程混合式教学设计研究"),
    ("冯越", "19840709", "523", Stage::AtSchool, "职业学校网络布线实训项目化教学实践"),
    ("许倩", "19861120", "634", Stage::AtDepartment, "中职程序设计课程分层教学的探索"),
    ("何平", "19810503", "742", Stage::AtCity, "中职计算机应用专业岗课赛证融通研究"),
    ("吕静", "19870818", "851", Stage::WithExperts, "信息技术课程思政教学案例研究"),
    ("施洋", "19790926", "962", Stage::Graded, "中职数据库应用课程工作手册式教材开发"),
    ("孔蕾", "19821030", "173", Stage::PublishedLastYear, "职业学校信息素养教育的实践研究"),
];

/// (name, birth yyyymmdd, sequence digits)
const EXPERTS: [(&str, &str, &str); 2] = [("周岚", "19720315", "284"), ("吴涛", "19690522", "396")];

/// A stage of the chain and the login that shows it.
pub struct StageLogin {
    pub stage: &'static str,
    pub login: Login,
}

fn id_number(region: &str, birth: &str, sequence: &str) -> String {
    let first17 = format!("{region}{birth}{sequence}");
    let check = IdNumber::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn teacher_username(birth: &str, sequence: &str) -> String {
    id_number("310112", birth, sequence)
}

fn expert_username(birth: &str, sequence: &str) -> String {
    id_number("310106", birth, sequence)
}

fn account(
    username: String,
    name: &str,
    role: Role,
    org: OrgRef,
    password_hash: Option<String>,
    created_at: DateTime<Utc>,
) -> Account {
    Account {
        id: 0,
        username,
        name: name.into(),
        role,
        org,
        must_change_password: password_hash.is_none(),
        password_hash,
        failed_logins: 0,
        frozen_until: None,
        disabled: false,
        created_at,
        teacher: None,
        expert_subjects: Vec::new(),
        moves: Vec::new(),
    }
}

fn department(tx: &WriteTx, name: &str) -> ServiceResult<Department> {
    let department = Department { id: tx.next_id()?, name: name.into(), disabled: false, created_at: tx.now() };
    tx.put(&department)?;
    Ok(department)
}

fn school(tx: &WriteTx, name: &str, department_id: u64, school_type: SchoolType) -> ServiceResult<School> {
    let school = School {
        id: tx.next_id()?,
        name: name.into(),
        department_id,
        school_type,
        disabled: false,
        created_at: tx.now(),
    };
    tx.put(&school)?;
    Ok(school)
}

/// The teacher's form as a finished filing would have it: one 专著 with its 正式出版 fields.
fn filing(title: &str, cip: &str) -> Filing {
    let mut achievement = Achievement {
        title: title.into(),
        level: Some(Level::Formal),
        type_code: "monograph".into(),
        independent: Some(true),
        own_part: "全部".into(),
        ..Achievement::default()
    };
    for (key, value) in [("published", "2021-06"), ("publisher", "高等教育出版社"), ("rank", "1/1"), ("cip", cip)]
    {
        achievement.fields.insert(key.into(), value.into());
    }
    Filing {
        title_grade: "中级".into(),
        title_name: "讲师".into(),
        title_other: String::new(),
        title_date: "2016-09-01".into(),
        research_direction: "信息技术课程与教学".into(),
        major_college: "无".into(),
        major_bachelor: "计算机科学与技术".into(),
        major_graduate: "教育技术学".into(),
        applied_subject: SUBJECT.into(),
        teaching_subject: "计算机应用基础".into(),
        achievements: vec![achievement],
        confirmed_instructions: true,
    }
}

/// The achievement and its 正式出版相关证明 as Word files. Their text names no person or school, so the city's
/// anonymisation gate clears them; each differs, so no duplicate is signalled.
fn files(title: &str, cip: &str) -> ServiceResult<(Vec<u8>, Vec<u8>)> {
    let body = format!(
        "本书围绕“{title}”展开，结合中等职业学校信息技术类课程的教学实际，提出以工作任务为导向的课程设计、\
         分层教学与过程性评价方法，并给出若干教学案例。"
    );
    let achievement = document(&[Block::Title(title), Block::Paragraph(&body)]);
    // The demo's CIP numbers are ASCII digits, year first; `split_at_checked` keeps this safe for any text.
    let (year, number) = cip.split_at_checked(4).unwrap_or((cip, ""));
    let evidence_text = format!("图书在版编目（CIP）数据核字（{year}）第{number}号");
    let evidence = document(&[Block::Title("正式出版相关证明"), Block::Paragraph(&evidence_text)]);
    match (achievement, evidence) {
        (Ok(achievement), Ok(evidence)) => Ok((achievement, evidence)),
        (Err(error), _) | (_, Err(error)) => Err(ServiceError::Internal(error.to_string())),
    }
}

impl Services {
    /// Creates the stage teachers, their school and department, and the experts, then walks each teacher's
    /// submission to its stage, in `project_id` (the demo's project of this year) or else the newest project.
    /// Does nothing when they exist; returns whether it loaded them.
    pub(crate) async fn load_demo_stages(&self, project_id: Option<u64>, admin_hash: &str) -> ServiceResult<bool> {
        let read = self.store.read()?;
        if read.all::<Department>()?.iter().any(|department| department.name == DEPARTMENT) {
            return Ok(false);
        }
        // The city's steps are the first city admin's, as at any start of `serve` (a bare data set has none).
        if read.lookup(tables::ACCOUNT_BY_USERNAME, FIRST_ADMIN)?.is_none() {
            return Ok(false);
        }
        // Its files and drafts need room like any upload; without it the server still starts, without the
        // stages (a later start loads them).
        if let Err(error) = self.ensure_free_space() {
            tracing::warn!(%error, "not enough free space: the demo's review stages are not loaded");
            return Ok(false);
        }
        let mut projects = read.all::<Project>()?;
        drop(read);
        projects.sort_by_key(|project| (project.year, project.id));
        let this_year = match project_id {
            Some(id) => projects.into_iter().find(|project| project.id == id),
            None => projects.pop(),
        }
        .ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
        let project_id = this_year.id;
        let now = self.clock.now();
        let last_year_id = self.store.write(|tx| {
            let stages = department(tx, DEPARTMENT)?;
            let home = school(tx, SCHOOL, stages.id, SchoolType::Zhongzhuan)?;
            let experts = department(tx, EXPERT_DEPARTMENT)?;
            let expert_home = school(tx, EXPERT_SCHOOL, experts.id, SchoolType::Zhigao)?;
            let hash = || Some(admin_hash.to_string());
            let admins = [
                (DEPARTMENT_ADMIN, "上海市交通委员会管理员", Role::DepartmentAdmin, OrgRef::Department(stages.id)),
                (SCHOOL_ADMIN, "上海市东海职业技术学校管理员", Role::SchoolAdmin, OrgRef::School(home.id)),
                (
                    EXPERT_DEPARTMENT_ADMIN,
                    "上海市农业农村委员会管理员",
                    Role::DepartmentAdmin,
                    OrgRef::Department(experts.id),
                ),
                (EXPERT_SCHOOL_ADMIN, "上海市西江职业学校管理员", Role::SchoolAdmin, OrgRef::School(expert_home.id)),
            ];
            for (username, name, role, org) in admins {
                insert_account(tx, account(username.into(), name, role, org, hash(), tx.now()))?;
            }
            // Last year's project, its windows open for now: the result is filed and published through the
            // chain below, and the windows are moved back a year afterwards.
            let last_year = Project::with_defaults(
                tx.next_id()?,
                format!("{}年中职、技工学校教师高级职务教科研成果鉴定", this_year.year - 1),
                this_year.year - 1,
                (now - Duration::days(1), now + Duration::days(30)),
                now,
            );
            tx.put(&last_year)?;
            for (name, birth, sequence, stage, _) in TEACHERS {
                let mut teacher = account(
                    teacher_username(birth, sequence),
                    name,
                    Role::Teacher,
                    OrgRef::School(home.id),
                    None,
                    tx.now(),
                );
                let project = if stage == Stage::PublishedLastYear { last_year.id } else { project_id };
                teacher.teacher = Some(TeacherProfile {
                    education: "本科".into(),
                    degree: "学士".into(),
                    birth_date: NaiveDate::parse_from_str(birth, "%Y%m%d").ok(),
                    project_id: Some(project),
                });
                insert_account(tx, teacher)?;
            }
            for (name, birth, sequence) in EXPERTS {
                let mut expert = account(
                    expert_username(birth, sequence),
                    name,
                    Role::Expert,
                    OrgRef::School(expert_home.id),
                    None,
                    tx.now(),
                );
                expert.expert_subjects = vec![SUBJECT.into()];
                insert_account(tx, expert)?;
            }
            audit::record(tx, None, "demo.stages", "platform", "载入演示数据：评审各环节")?;
            Ok::<_, ServiceError>(last_year.id)
        })?;
        let mut by_stage: Vec<(Stage, u64)> = Vec::new();
        for (index, (_, birth, sequence, stage, title)) in TEACHERS.into_iter().enumerate() {
            let teacher = self.demo_actor(&teacher_username(birth, sequence))?;
            let cip = format!("2021{:06}", 102034 + index);
            let id = self.demo_file(&teacher, title, &cip, stage == Stage::Draft).await?;
            by_stage.push((stage, id));
        }
        let city = self.demo_actor(FIRST_ADMIN)?;
        let school = self.demo_actor(SCHOOL_ADMIN)?;
        let department = self.demo_actor(DEPARTMENT_ADMIN)?;
        let experts: Vec<Actor> = EXPERTS
            .iter()
            .map(|(_, birth, sequence)| self.demo_actor(&expert_username(birth, sequence)))
            .collect::<ServiceResult<_>>()?;
        for &(stage, id) in &by_stage {
            if stage >= Stage::AtDepartment {
                self.approve_submission(&school, id, VERIFICATION_TEXT)?;
            }
            if stage >= Stage::AtCity {
                self.approve_submission(&department, id, VERIFICATION_TEXT)?;
            }
            if stage >= Stage::WithExperts {
                // Reads the files (the anonymisation gate); at start nothing is served yet, so no task waits.
                let outcome = self.accept_submission(&city, id)?;
                if !outcome.cleared {
                    return Err(ServiceError::Internal(format!("演示成果 {id} 未通过匿名检查")));
                }
                for expert in &experts {
                    self.assign_expert(&city, id, expert.account_id)?;
                }
            }
        }
        // This year's window opens weeks after the filing deadline: the city starts the batch early.
        self.open_expert_review_early(&city, project_id)?;
        self.open_expert_review_early(&city, last_year_id)?;
        for &(stage, id) in &by_stage {
            if stage >= Stage::Graded {
                let grade = if stage == Stage::Graded { "良好" } else { "优秀" };
                for expert in &experts {
                    let opinion = "成果选题贴近中职信息技术教学实际，结构完整，案例翔实，具有推广价值。";
                    self.save_appraisal(expert, id, grade, opinion, GradeAction::Submit)?;
                }
            }
            if stage == Stage::PublishedLastYear {
                self.set_final_result(&city, id, "优秀", "成果具有较高的实践价值，同意鉴定为优秀。", "")?;
                self.publish_results(&city, last_year_id, Some(&[id]))?;
            }
        }
        self.close_last_year(&city, &school, last_year_id, project_id)?;
        Ok(true)
    }

    /// Moves last year's windows back a year (as its settings would have been) and gives its teacher this
    /// year's project, as the school does each season.
    fn close_last_year(&self, city: &Actor, school: &Actor, last_year_id: u64, project_id: u64) -> ServiceResult<()> {
        let project =
            self.store.read()?.get::<Project>(last_year_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
        let back = |at: chrono::DateTime<Utc>| at.checked_sub_months(Months::new(12)).unwrap_or(at);
        let mut settings = ProjectSettings::of(&project);
        settings.filing_start = back(settings.filing_start);
        settings.filing_end = back(settings.filing_end);
        settings.school_review_end = back(settings.school_review_end);
        settings.department_review_end = back(settings.department_review_end);
        settings.expert_review_start = back(settings.expert_review_start);
        settings.expert_review_end = back(settings.expert_review_end);
        self.update_project(city, last_year_id, &settings)?;
        for (_, birth, sequence, stage, _) in TEACHERS {
            if stage == Stage::PublishedLastYear {
                let teacher = self.demo_actor(&teacher_username(birth, sequence))?;
                self.choose_project(school, teacher.account_id, Some(project_id))?;
            }
        }
        Ok(())
    }

    /// Pledges, uploads the files and 暂存 (a draft) or 提交; returns the submission's id.
    async fn demo_file(&self, teacher: &Actor, title: &str, cip: &str, draft: bool) -> ServiceResult<u64> {
        let served = HashMap::from([(self.appraisal(teacher)?.project.id, self.clock.now() - Duration::seconds(20))]);
        let submission = self.accept_pledge(teacher, &served, true)?;
        let permit = self.upload_permit(teacher)?;
        let (achievement, evidence) = files(title, cip)?;
        let mut uploads: Vec<Received> = Vec::new();
        let achievement_target = FileTarget { achievement: 0, slot: FileSlot::Achievement };
        let upload = self
            .receive_upload(teacher, &permit, achievement_target, Some("monograph"), "成果全文.docx", &achievement[..])
            .await?;
        uploads.push(upload);
        // The draft still lacks its 证明材料: what a teacher halfway through the form has.
        if !draft {
            let target = FileTarget { achievement: 0, slot: FileSlot::Evidence(EvidenceSlot::Formal) };
            uploads.push(
                self.receive_upload(teacher, &permit, target, Some("monograph"), "CIP数据核字号.docx", &evidence[..])
                    .await?,
            );
        }
        let edit = FilingEdit {
            submission_id: Some(submission.id),
            filing: filing(title, cip),
            origins: vec![None],
            uploads,
            removals: Vec::new(),
        };
        if draft {
            return Ok(self.save_draft(teacher, &edit)?.submission.id);
        }
        match self.submit(teacher, &edit)? {
            SubmitOutcome::Submitted(submission) => Ok(submission.id),
            SubmitOutcome::Incomplete { errors, .. } => {
                Err(ServiceError::Internal(format!("演示成果未能提交：{errors:?}")))
            }
        }
    }

    /// The demo account `username` as an actor, as its sign-in would resolve it.
    fn demo_actor(&self, username: &str) -> ServiceResult<Actor> {
        let read = self.store.read()?;
        let id = read.lookup(tables::ACCOUNT_BY_USERNAME, username)?.ok_or(ServiceError::NotFound("账号不存在"))?;
        let account = read.get::<Account>(id)?.ok_or(ServiceError::NotFound("账号不存在"))?;
        let school = match account.org {
            OrgRef::School(school_id) => read.get::<School>(school_id)?,
            _ => None,
        };
        Ok(Actor::from_account(&account, school.as_ref(), ADDRESS))
    }

    /// Every stage and the login that shows it (printed at start), with the password as it now stands.
    pub(crate) async fn demo_stage_logins(&self, admin_password: &str, fresh: bool) -> ServiceResult<Vec<StageLogin>> {
        if !self.store.read()?.all::<Department>()?.iter().any(|department| department.name == DEPARTMENT) {
            return Ok(Vec::new());
        }
        let teacher = |stage: Stage| {
            TEACHERS
                .iter()
                .find(|entry| entry.3 == stage)
                .map(|&(name, birth, sequence, ..)| (format!("{name}（{SCHOOL}）"), teacher_username(birth, sequence)))
        };
        let mut rows: Vec<(&'static str, &'static str, String, String, Option<&str>)> = Vec::new();
        let stages = [
            (Stage::Draft, "草稿（暂存，尚未提交）"),
            (Stage::AtSchool, "待学校审核"),
            (Stage::AtDepartment, "待主管部门审核"),
            (Stage::AtCity, "待市级受理（市级管理员的“成果受理与评审”）"),
            (Stage::WithExperts, "专家评审中（市级已提前开始评审，下列专家可立即评审）"),
            (Stage::Graded, "评审完成，待市级确定最终等级并公布"),
            (Stage::PublishedLastYear, "往年已公布（首页“往年鉴定结果打印”）"),
        ];
        for (stage, label) in stages {
            if let Some((who, username)) = teacher(stage) {
                rows.push((label, "教师", who, username, None));
            }
        }
        rows.push(("学校审核", "学校管理员", SCHOOL.into(), SCHOOL_ADMIN.into(), Some(admin_password)));
        rows.push(("主管部门审核", "主管部门管理员", DEPARTMENT.into(), DEPARTMENT_ADMIN.into(), Some(admin_password)));
        for (name, birth, sequence) in EXPERTS {
            let who = format!("{name}（{EXPERT_SCHOOL}，{EXPERT_DEPARTMENT}）");
            rows.push(("专家评审（可立即评审）", "专家", who, expert_username(birth, sequence), None));
        }
        let mut logins = Vec::new();
        for (stage, role, who, username, admin_password) in rows {
            let password = match admin_password {
                Some(shared) if fresh => shared.to_string(),
                _ => self.demo_password(&username, admin_password).await?,
            };
            logins.push(StageLogin { stage, login: Login { role, who, username, password } });
        }
        Ok(logins)
    }

    /// The password to print for a demo account: its default while unchanged, else only that it was changed —
    /// a changed password is its owner's and never printed.
    pub(crate) async fn demo_password(&self, username: &str, shared: Option<&str>) -> ServiceResult<String> {
        const CHANGED: &str = "（已修改，不再显示）";
        let read = self.store.read()?;
        let Some(id) = read.lookup(tables::ACCOUNT_BY_USERNAME, username)? else { return Ok(CHANGED.into()) };
        let Some(account) = read.get::<Account>(id)? else { return Ok(CHANGED.into()) };
        drop(read);
        Ok(match (shared, account.password_hash) {
            (None, None) => DEFAULT_PASSWORD_NOTE.into(),
            (Some(shared), Some(stored)) => {
                if self.hasher.verify(shared.to_string(), Some(stored)).await {
                    shared.into()
                } else {
                    CHANGED.into()
                }
            }
            _ => CHANGED.into(),
        })
    }
}
