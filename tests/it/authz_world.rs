//! The world the authorization matrix runs in: the demo plus seeded records in every scope (submissions in
//! review, another school's, a published one; a notice with an attachment, a material, a verification code), a
//! foreign department, victims to act on, and a signed-in client (and, for admins, an API token) per role.

use std::collections::HashMap;

use reqwest::blocking::Client;
use serde_json::Value;
use zhiping::domain::account::Role;
use zhiping::domain::notice::{Audience, Material, Notice};
use zhiping::domain::submission::{FinalResult, SubmissionState};
use zhiping::domain::verification::{CODE_RANDOM_BYTES, DocumentKind, VerificationRecord, code_from_random};
use zhiping::files::BlobStore;
use zhiping::store::{Reader, Store, tables};
use zhiping::web::Scope;

use crate::admin_support::*;
use crate::review::fixture::{Seed, docx_with};
use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    City,
    Department,
    School,
    Expert,
    Teacher,
}

impl Who {
    pub const ALL: [Who; 6] = [Who::Anonymous, Who::City, Who::Department, Who::School, Who::Expert, Who::Teacher];

    pub fn role(self) -> Option<Role> {
        match self {
            Who::Anonymous => None,
            Who::City => Some(Role::CityAdmin),
            Who::Department => Some(Role::DepartmentAdmin),
            Who::School => Some(Role::SchoolAdmin),
            Who::Expert => Some(Role::Expert),
            Who::Teacher => Some(Role::Teacher),
        }
    }
}

/// The world the matrix runs in: the demo plus a foreign department, victims to act on, and a signed-in client
/// (and, for admins, an API token) per role.
pub struct World {
    pub server: Server,
    pub clients: HashMap<Who, (Client, String)>,
    pub credentials: HashMap<Who, (String, String)>,
    pub tokens: HashMap<Who, String>,
    pub victim_tokens: HashMap<Who, u64>,
    pub hongkou: u64,
    pub pudong_department: u64,
    pub nanhu: u64,
    pub beihong: u64,
    pub pudong_school: u64,
    pub victim_nanhu: u64,
    pub victim_beihong: u64,
    pub victim_pudong: u64,
    pub expert: u64,
    pub project: Value,
    pub project_id: u64,
    pub records: Records,
    /// The first run of the demo owns the data directory.
    _first: Server,
}

/// Records written into the stopped demo: submissions in review (刁彬彬's, assigned to 赵堃), submitted in another
/// school (张琳's), published (陈昇's), a notice with an attachment, a material and a verification code.
pub struct Records {
    pub submission: u64,
    pub foreign_submission: u64,
    pub published: u64,
    pub notice: u64,
    pub material: u64,
    pub expert_zhao: u64,
    pub code: String,
}

fn seed(data: &std::path::Path, zhao: &str) -> Records {
    let seed = Seed {
        store: Store::open(&data.join("zhiping.redb")).expect("store"),
        blobs: BlobStore::open(&data.join("files")).expect("blobs"),
    };
    let document = seed.blob("成果.docx", &docx_with("中职语文教学研究"), "docx");
    let filing = seed.filing("语文", "中职语文教学研究", document.clone(), document);
    let submission = seed.submit("刁彬彬", filing.clone());
    seed.set_state(submission, SubmissionState::UnderReview);
    seed.assign(submission, zhao);
    let foreign_submission = seed.submit("张琳", filing.clone());
    let published = seed.submit("陈昇", filing);
    let mut record = seed.submission(published);
    let now = chrono::Utc::now();
    record.state = SubmissionState::Published;
    record.result = Some(FinalResult {
        grade: "合格".into(),
        opinion: "成果符合要求。".into(),
        decided_by: 1,
        decided_at: now,
        published_at: Some(now),
    });
    let code = code_from_random(&[7u8; CODE_RANDOM_BYTES]);
    let verification = VerificationRecord {
        code: code.clone(),
        kind: DocumentKind::AppraisalOpinion,
        submission_id: published,
        project_name: "矩阵".into(),
        masked_name: "陈*".into(),
        grade: Some("合格".into()),
        issued_at: now,
        content_sha256: "0".repeat(64),
    };
    seed.store
        .write(|tx| {
            tx.put(&record)?;
            tx.put_keyed(tables::VERIFICATIONS, &code, &verification)
        })
        .expect("published");
    let read = seed.store.read().expect("read");
    let notice = read
        .all::<Notice>()
        .expect("notices")
        .into_iter()
        .find(|n| {
            n.audience == Audience::All && !n.attachments.is_empty() && n.withdrawn_at.is_none() && n.publish_at <= now
        })
        .expect("a demo notice for everyone with an attachment")
        .id;
    let material = read
        .all::<Material>()
        .expect("materials")
        .into_iter()
        .find(|m| m.withdrawn_at.is_none() && m.publish_at <= now)
        .expect("a demo material")
        .id;
    let expert_zhao = read.lookup(tables::ACCOUNT_BY_USERNAME, zhao).expect("lookup").expect("赵堃");
    Records { submission, foreign_submission, published, notice, material, expert_zhao, code }
}

pub fn setup() -> World {
    // The demo, stopped to seed submissions in every scope and state the routes need, then started again.
    let options = Options::demo().env("ZHIPING_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "100000");
    let mut first = Server::start(options.clone());
    let zhao = first.demo_username("赵堃");
    first.stop();
    let records = seed(&first.data, &zhao);
    let server = Server::start(Options { data: Some(first.data.clone()), ..options });
    let city = Api::signed(&server, "admin", ADMIN_PASSWORD);
    let foreign = make_foreign(&city);
    let nanhu = city.school_id(NANHU);
    let beihong = city.school_id(BEIHONG);
    let victim_nanhu = open_teacher(&city, nanhu, "31010119850101001", "南湖受测");
    let victim_beihong = open_teacher(&city, beihong, "31010119850101002", "北虹受测");
    let hongkou = city
        .json("/departments")
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["name"] == HONGKOU)
        .expect("hongkou")["id"]
        .as_u64()
        .expect("id");
    let experts = city.json("/expert-accounts");
    let expert =
        experts["items"].as_array().expect("experts").iter().find(|e| e["name"] == "孙明").expect("孙明")["id"]
            .as_u64()
            .expect("id");
    let project_id = city.project_id();
    let project = city.json(&format!("/projects/{project_id}"));
    let expert_name = server.demo_username("赵堃");
    let teacher_name = server.demo_username("刁彬彬");
    drop(first_login(&server, &expert_name, "abc12345"));
    drop(first_login(&server, &teacher_name, "abc12345"));
    let credentials: HashMap<Who, (String, String)> = [
        (Who::City, ("admin".to_string(), ADMIN_PASSWORD.to_string())),
        (Who::Department, ("hongkou_admin".into(), DEMO_ADMIN_PASSWORD.into())),
        (Who::School, ("nanhu_admin".into(), DEMO_ADMIN_PASSWORD.into())),
        (Who::Expert, (expert_name, "abc12345".into())),
        (Who::Teacher, (teacher_name, "abc12345".into())),
    ]
    .into_iter()
    .collect();
    let mut clients = HashMap::new();
    let mut tokens = HashMap::new();
    let mut victim_tokens = HashMap::new();
    for (who, (username, password)) in &credentials {
        let client = signed_in(&server, username, password);
        let csrf = csrf_at(&server, &client, "/");
        if who.role().is_some_and(Role::is_admin) {
            tokens.insert(*who, token_for(&server, &client, "矩阵"));
            let victim = token_for(&server, &client, "矩阵受测令牌");
            let listed = Api::new(&server, &victim).json("/tokens");
            let id =
                listed.as_array().expect("tokens").iter().find(|t| t["name"] == "矩阵受测令牌").expect("victim")["id"]
                    .as_u64()
                    .expect("id");
            victim_tokens.insert(*who, id);
        }
        clients.insert(*who, (client, csrf));
    }
    let anonymous = server.client();
    let anonymous_csrf = csrf_at(&server, &anonymous, "/login");
    clients.insert(Who::Anonymous, (anonymous, anonymous_csrf));
    World {
        clients,
        credentials,
        tokens,
        victim_tokens,
        hongkou,
        pudong_department: foreign.department_id,
        nanhu,
        beihong,
        pudong_school: foreign.school_id,
        victim_nanhu,
        victim_beihong,
        victim_pudong: foreign.teacher_id,
        expert,
        project,
        project_id,
        records,
        server,
        _first: first,
    }
}

impl World {
    /// The records a role tries a route on: `(own scope?, value)`. Records without scope (projects, experts,
    /// assets) are "own" for everyone; the route's rule alone decides.
    pub fn targets(&self, who: Who, scope: Scope) -> Vec<(bool, String)> {
        let own = |value: u64| (true, value.to_string());
        let foreign = |value: u64| (false, value.to_string());
        match scope {
            Scope::None => vec![(true, String::new())],
            Scope::Asset => vec![(true, "site.css".into())],
            Scope::Project => vec![own(self.project_id)],
            Scope::Expert => vec![own(self.expert)],
            Scope::Teacher | Scope::Account => match who {
                Who::City => vec![own(self.victim_nanhu)],
                Who::Department => vec![own(self.victim_nanhu), foreign(self.victim_pudong)],
                Who::School => vec![own(self.victim_nanhu), foreign(self.victim_beihong)],
                _ => vec![foreign(self.victim_nanhu)],
            },
            Scope::School => match who {
                Who::City => vec![own(self.nanhu)],
                Who::Department => vec![own(self.nanhu), foreign(self.pudong_school)],
                Who::School | Who::Teacher => vec![own(self.nanhu), foreign(self.beihong)],
                Who::Expert => vec![own(self.beihong), foreign(self.nanhu)],
                Who::Anonymous => vec![foreign(self.nanhu)],
            },
            Scope::Department => match who {
                Who::City => vec![own(self.hongkou)],
                Who::Anonymous => vec![foreign(self.hongkou)],
                _ => vec![own(self.hongkou), foreign(self.pudong_department)],
            },
            Scope::Notice => vec![own(self.records.notice)],
            Scope::Material => vec![own(self.records.material)],
            Scope::Submission => match who {
                Who::City | Who::Department => vec![own(self.records.submission)],
                Who::School | Who::Teacher => {
                    vec![own(self.records.submission), foreign(self.records.foreign_submission)]
                }
                _ => vec![foreign(self.records.submission)],
            },
            Scope::Published => match who {
                Who::City | Who::Department | Who::School => vec![own(self.records.published)],
                _ => vec![foreign(self.records.published)],
            },
            Scope::Assignment => match who {
                Who::Expert => vec![own(self.records.submission), foreign(self.records.foreign_submission)],
                _ => vec![foreign(self.records.submission)],
            },
            Scope::Token => match who {
                Who::City | Who::Department | Who::School => {
                    let other = if who == Who::School { Who::City } else { Who::School };
                    vec![own(self.victim_tokens[&who]), foreign(self.victim_tokens[&other])]
                }
                _ => vec![foreign(self.victim_tokens[&Who::School])],
            },
        }
    }

    /// The school a teacher target is in (a move to its own school changes nothing).
    pub fn school_of_teacher(&self, teacher: &str) -> u64 {
        match teacher.parse::<u64>() {
            Ok(id) if id == self.victim_beihong => self.beihong,
            Ok(id) if id == self.victim_pudong => self.pudong_school,
            _ => self.nanhu,
        }
    }

    /// A route's path with its record (and any second parameter: the first attachment, the first file, the
    /// assigned expert) filled in; a record without `:id` goes to the query string.
    pub fn fill(&self, path: &str, scope: Scope, value: &str) -> String {
        if path.contains(':') {
            return path
                .replace(":id/", &format!("{value}/"))
                .replace(":index", "0")
                .replace(":number", "1")
                .replace(":expert_id", &self.records.expert_zhao.to_string())
                .replace(":name", value)
                .replace(":id", value);
        }
        match scope {
            Scope::School => format!("{path}?school_id={value}"),
            Scope::Department => format!("{path}?department_id={value}"),
            Scope::Project => format!("{path}?project_id={value}"),
            _ => path.to_string(),
        }
    }

    /// An API path with its record and second parameters filled in (see `fill`).
    pub fn fill_api(&self, path: &str, value: &str) -> String {
        path.replace("{index}", "0")
            .replace("{expert_id}", &self.records.expert_zhao.to_string())
            .replace("{code}", &self.records.code)
            .replace("{id}", value)
    }
}
