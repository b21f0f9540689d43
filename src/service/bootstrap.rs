//! First start (the city office's first admin) and the demonstration data set of `serve --demo`.

use chrono::NaiveDate;
use rand::Rng;

use super::accounts::insert_account;
use super::error::ServiceResult;
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::{Account, Role, TeacherProfile};
use crate::domain::idcard::IdNumber;
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::project::Project;
use crate::store::{Reader, org_key, tables};

/// A login to print for the operator.
pub struct Login {
    pub role: &'static str,
    pub who: String,
    pub username: String,
    pub password: String,
}

/// What `serve --demo` prints: every login, then the review chain's stages and the logins that show them.
pub struct DemoLogins {
    pub logins: Vec<Login>,
    pub stages: Vec<super::demo_stages::StageLogin>,
}

/// The first city admin, created at the first start.
pub struct FirstAdmin {
    pub username: String,
    /// The random password to print once; `None` when the operator set it (never echoed).
    pub generated_password: Option<String>,
}

pub const FIRST_ADMIN: &str = "admin";
/// Demo admin password (demo data only; printed at start).
const DEMO_ADMIN_PASSWORD: &str = "demo2026";

impl Services {
    /// Creates the first city admin when the platform has none. The password comes from
    /// `ZHIPING_ADMIN_PASSWORD` (the operator knows it: it is never shown), else it is random, returned so the caller
    /// prints it once, and must be changed at the first sign-in like any default password — a printed password
    /// ends up in terminal scroll-back and service logs.
    pub async fn ensure_first_admin(&self, password_from_env: Option<String>) -> ServiceResult<Option<FirstAdmin>> {
        let exists = !self.store.read()?.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::City))?.is_empty();
        if exists {
            return Ok(None);
        }
        let generated = password_from_env.is_none();
        let password = password_from_env.unwrap_or_else(random_password);
        let hash = self.hasher.hash(password.clone()).await?;
        self.store.write(|tx| {
            let account = Account {
                id: 0,
                username: FIRST_ADMIN.into(),
                name: "市级管理员".into(),
                role: Role::CityAdmin,
                org: OrgRef::City,
                password_hash: Some(hash),
                must_change_password: generated,
                failed_logins: 0,
                frozen_until: None,
                disabled: false,
                created_at: self.clock.now(),
                teacher: None,
                expert_subjects: Vec::new(),
                moves: Vec::new(),
            };
            let account = insert_account(tx, account)?;
            audit::record(tx, None, "admin.bootstrap", &format!("account:{}", account.id), "首个市级管理员")?;
            Ok::<_, super::ServiceError>(())
        })?;
        Ok(Some(FirstAdmin { username: FIRST_ADMIN.into(), generated_password: generated.then_some(password) }))
    }

    /// Loads the demonstration data set once (a department, a school of each type with its admin, teachers with
    /// the default password, two experts; then the review chain at every stage, `demo_stages`) and returns every
    /// login. On a data directory that has it already, nothing is loaded, and a password its owner changed is not
    /// printed.
    pub async fn load_demo(&self) -> ServiceResult<DemoLogins> {
        let department_name = "上海市虹口区教育局";
        let already = self.store.read()?.all::<Department>()?.into_iter().any(|d| d.name == department_name);
        let admin_hash = self.hasher.hash(DEMO_ADMIN_PASSWORD.into()).await?;
        let mut logins = Vec::new();
        let schools = [
            ("上海市北虹中等专业学校", SchoolType::Zhongzhuan, "beihong_admin"),
            ("上海市虹口区技工学校", SchoolType::Jigong, "jigong_admin"),
            ("上海市南湖职业学校", SchoolType::Zhigao, "nanhu_admin"),
            ("上海市虹口成人中等专业学校", SchoolType::Chengren, "chengren_admin"),
        ];
        // (school index, name, birth yyyymmdd, sequence digits, education, degree)
        let teachers = [
            (2, "刁彬彬", "19801228", "301", "研究生", "硕士"),
            (2, "陈昇", "19850612", "132", "本科", "学士"),
            (0, "张琳", "19790305", "246", "本科", "学士"),
            (1, "王喆", "19820917", "315", "大专", "无"),
            (3, "李珺", "19880421", "228", "研究生", "硕士"),
        ];
        let experts = [(0, "赵堃", "19700101", "455", "机械"), (2, "孙明", "19681110", "511", "语文")];
        let admin = |username: &str, name: &str, role: Role, org: OrgRef| Account {
            id: 0,
            username: username.into(),
            name: name.into(),
            role,
            org,
            password_hash: Some(admin_hash.clone()),
            must_change_password: false,
            failed_logins: 0,
            frozen_until: None,
            disabled: false,
            created_at: self.clock.now(),
            teacher: None,
            expert_subjects: Vec::new(),
            moves: Vec::new(),
        };
        let person = |name: &str, birth: &str, sequence: &str, role: Role, org: OrgRef| -> Account {
            let first17 = format!("310109{birth}{sequence}");
            let check = IdNumber::check_char(&first17).unwrap_or('0');
            Account {
                id: 0,
                username: format!("{first17}{check}"),
                name: name.into(),
                role,
                org,
                password_hash: None,
                must_change_password: true,
                failed_logins: 0,
                frozen_until: None,
                disabled: false,
                created_at: self.clock.now(),
                teacher: None,
                expert_subjects: Vec::new(),
                moves: Vec::new(),
            }
        };
        let mut project_id = None;
        if !already {
            project_id = Some(self.store.write(|tx| {
                let department = Department {
                    id: tx.next_id()?,
                    name: department_name.into(),
                    disabled: false,
                    created_at: self.clock.now(),
                };
                tx.put(&department)?;
                insert_account(
                    tx,
                    admin(
                        "hongkou_admin",
                        "虹口区教育局管理员",
                        Role::DepartmentAdmin,
                        OrgRef::Department(department.id),
                    ),
                )?;
                let mut school_ids = Vec::new();
                for (name, school_type, admin_name) in schools {
                    let school = School {
                        id: tx.next_id()?,
                        name: name.into(),
                        department_id: department.id,
                        school_type,
                        disabled: false,
                        created_at: self.clock.now(),
                    };
                    tx.put(&school)?;
                    insert_account(
                        tx,
                        admin(admin_name, &format!("{name}管理员"), Role::SchoolAdmin, OrgRef::School(school.id)),
                    )?;
                    school_ids.push(school.id);
                }
                for (school, name, birth, sequence, education, degree) in teachers {
                    let mut account = person(name, birth, sequence, Role::Teacher, OrgRef::School(school_ids[school]));
                    account.teacher = Some(TeacherProfile {
                        education: education.into(),
                        degree: degree.into(),
                        birth_date: NaiveDate::parse_from_str(birth, "%Y%m%d").ok(),
                        project_id: None,
                    });
                    insert_account(tx, account)?;
                }
                for (school, name, birth, sequence, subject) in experts {
                    let mut account = person(name, birth, sequence, Role::Expert, OrgRef::School(school_ids[school]));
                    account.expert_subjects = vec![subject.into()];
                    insert_account(tx, account)?;
                }
                let now = self.clock.now();
                let year = self.clock.today().format("%Y").to_string().parse().unwrap_or(2026);
                let project = Project::with_defaults(
                    tx.next_id()?,
                    format!("{year}年中职、技工学校教师高级职务教科研成果鉴定"),
                    year,
                    (now - chrono::Duration::days(1), now + chrono::Duration::days(30)),
                    now,
                );
                tx.put(&project)?;
                // Every demo teacher but 王喆 has the project chosen; 王喆 shows the manual's 无权限 page.
                for (_, name, birth, sequence, ..) in teachers {
                    if name == "王喆" {
                        continue;
                    }
                    let username = person(name, birth, sequence, Role::Teacher, OrgRef::City).username;
                    if let Some(id) = tx.lookup(tables::ACCOUNT_BY_USERNAME, &username)?
                        && let Some(mut account) = tx.get::<Account>(id)?
                    {
                        if let Some(profile) = account.teacher.as_mut() {
                            profile.project_id = Some(project.id);
                        }
                        tx.put(&account)?;
                    }
                }
                audit::record(tx, None, "demo.load", "platform", "载入演示数据")?;
                Ok::<_, super::ServiceError>(project.id)
            })?);
        }
        // A data directory from before the stages existed gets them too, in its newest project.
        let stages_fresh = self.load_demo_stages(project_id, &admin_hash).await?;
        // A first load just set every password; a reload checks which ones their owners have changed since.
        let fresh = !already;
        let admin_password = |username: String| async move {
            let password = if fresh {
                DEMO_ADMIN_PASSWORD.to_string()
            } else {
                self.demo_password(&username, Some(DEMO_ADMIN_PASSWORD)).await?
            };
            ServiceResult::Ok((username, password))
        };
        let (username, password) = admin_password("hongkou_admin".into()).await?;
        logins.push(Login { role: "主管部门管理员", who: department_name.into(), username, password });
        for (name, school_type, admin_name) in schools {
            let (username, password) = admin_password(admin_name.into()).await?;
            logins.push(Login {
                role: "学校管理员",
                who: format!("{name}（{}）", school_type.label()),
                username,
                password,
            });
        }
        for (school, name, birth, sequence, ..) in teachers {
            let username = person(name, birth, sequence, Role::Teacher, OrgRef::City).username;
            let password = self.demo_password(&username, None).await?;
            logins
                .push(Login { role: "教师", who: format!("{name}（{}）", schools[school].0), username, password });
        }
        for (school, name, birth, sequence, _) in experts {
            let username = person(name, birth, sequence, Role::Expert, OrgRef::City).username;
            let password = self.demo_password(&username, None).await?;
            logins
                .push(Login { role: "专家", who: format!("{name}（{}）", schools[school].0), username, password });
        }
        let stages = self.demo_stage_logins(DEMO_ADMIN_PASSWORD, stages_fresh).await?;
        self.load_demo_notices().await?;
        Ok(DemoLogins { logins, stages })
    }
}

fn random_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rng();
    let mut password: String = (0..10).map(|_| LETTERS[rng.random_range(0..LETTERS.len())] as char).collect();
    for _ in 0..4 {
        password.push(DIGITS[rng.random_range(0..DIGITS.len())] as char);
    }
    password
}
