//! Records for the tests of the review chain's later steps, written through the library while no server runs:
//! start the demo once, stop it, write records (experts, submissions in a given state, assignments, project
//! settings, with their indexes and blobs) into its data directory, start it again on the same directory. The
//! end-to-end chain itself files through the teacher's real form (`chain.rs`).

use chrono::{Duration, Utc};
use zhiping::domain::account::{Account, Role};
use zhiping::domain::catalogue::{EvidenceSlot, Level};
use zhiping::domain::filing::{Achievement, FileRef, Filing};
use zhiping::domain::org::{Department, OrgRef, School};
use zhiping::domain::project::Project;
use zhiping::domain::review::{Assignment, Review};
use zhiping::domain::stored_file::StoredFile;
use zhiping::domain::submission::{Submission, SubmissionState, SubmittedVersion, Transition};
use zhiping::files::BlobStore;
use zhiping::store::{Reader, Store, org_key, tables};

use crate::support::{Options, Server, id_number};

/// The demo server plus records written into it.
pub struct Chain {
    pub server: Server,
    /// The first server owns the temporary data directory; kept (stopped) so the directory lives on.
    _first: Option<Server>,
}

/// Write access to a stopped server's data.
pub struct Seed {
    pub store: Store,
    pub blobs: BlobStore,
}

impl Chain {
    /// The demo data set, then `setup` on its store, then the server again.
    pub fn start(setup: impl FnOnce(&Seed)) -> Chain {
        let mut first = Server::demo();
        first.stop();
        let data = first.data.clone();
        // The demo project's expert review opens weeks after its filing window; these tests walk the whole
        // chain now, so it opens a day ago here (a test may set its own window in `setup`).
        seed(&data, |seed| {
            seed.edit_project(|project| project.expert_review_start = chrono::Utc::now() - chrono::Duration::days(1));
            setup(seed);
        });
        let server = Server::start(Options { data: Some(data.clone()), ..Options::demo() });
        Chain { server, _first: Some(first) }
    }
}

fn seed(data: &std::path::Path, work: impl FnOnce(&Seed)) {
    let seed = Seed {
        store: Store::open(&data.join("zhiping.redb")).expect("open store"),
        blobs: BlobStore::open(&data.join("files")).expect("open blobs"),
    };
    work(&seed);
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(path).expect("fixture")
}

/// A minimal DOCX whose body is `text`.
pub fn docx_with(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string()),
        ("word/document.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#)),
    ];
    for (name, body) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish");
    buffer.into_inner()
}

impl Seed {
    pub fn project(&self) -> Project {
        self.store.read().expect("read").all::<Project>().expect("projects").into_iter().next().expect("demo project")
    }

    pub fn edit_project(&self, change: impl FnOnce(&mut Project)) {
        let mut project = self.project();
        change(&mut project);
        self.store.write(|tx| tx.put(&project)).expect("project");
    }

    pub fn account(&self, name: &str) -> Account {
        let all = self.store.read().expect("read").all::<Account>().expect("accounts");
        all.into_iter().find(|account| account.name == name).unwrap_or_else(|| panic!("no account {name}"))
    }

    /// A department with one school (职业高中), for experts outside the demo department.
    pub fn other_department(&self, department: &str, school: &str) -> (u64, u64) {
        self.store
            .write(|tx| {
                let department =
                    Department { id: tx.next_id()?, name: department.into(), disabled: false, created_at: Utc::now() };
                tx.put(&department)?;
                let school = School {
                    id: tx.next_id()?,
                    name: school.into(),
                    department_id: department.id,
                    school_type: zhiping::domain::SchoolType::Zhigao,
                    disabled: false,
                    created_at: Utc::now(),
                };
                tx.put(&school)?;
                Ok::<_, zhiping::store::StoreError>((department.id, school.id))
            })
            .expect("department")
    }

    /// An expert account (default password) belonging to `org`.
    pub fn expert(&self, name: &str, first17: &str, org: OrgRef, subjects: &[&str]) -> String {
        let username = id_number(first17);
        let account = Account {
            id: 0,
            username: username.clone(),
            name: name.into(),
            role: Role::Expert,
            org,
            password_hash: None,
            must_change_password: true,
            failed_logins: 0,
            frozen_until: None,
            disabled: false,
            created_at: Utc::now(),
            teacher: None,
            expert_subjects: subjects.iter().map(|s| s.to_string()).collect(),
            moves: Vec::new(),
        };
        self.store
            .write(|tx| {
                let mut account = account.clone();
                account.id = tx.next_id()?;
                tx.put(&account)?;
                tx.set_lookup(tables::ACCOUNT_BY_USERNAME, &account.username, account.id)?;
                tx.multimap_insert(tables::ACCOUNTS_BY_ORG, &org_key(account.org), account.id)?;
                Ok::<_, zhiping::store::StoreError>(())
            })
            .expect("expert");
        username
    }

    /// A stored upload: the blob and its `FILES` record, as the upload path leaves them.
    pub fn blob(&self, name: &str, bytes: &[u8], kind: &str) -> FileRef {
        let stored = self.blobs.put_bytes(bytes).expect("blob");
        let record = StoredFile {
            sha256: stored.sha256.clone(),
            size: stored.size,
            kind: kind.into(),
            first_name: name.into(),
            first_uploaded_by: 0,
            first_uploaded_at: Utc::now(),
            submissions: Default::default(),
        };
        self.store
            .write(|tx| {
                if tx.get_keyed::<StoredFile>(tables::FILES, &record.sha256)?.is_none() {
                    tx.put_keyed(tables::FILES, &record.sha256, &record)?;
                }
                Ok::<_, zhiping::store::StoreError>(())
            })
            .expect("file record");
        FileRef { sha256: stored.sha256, name: name.into(), size: stored.size, kind: kind.into() }
    }

    /// A complete filing with one 专著 and its 正式出版相关证明.
    pub fn filing(&self, subject: &str, title: &str, achievement: FileRef, evidence: FileRef) -> Filing {
        let mut item = Achievement {
            title: title.into(),
            level: Some(Level::Formal),
            type_code: "monograph".into(),
            independent: Some(true),
            own_part: "全部".into(),
            achievement_file: Some(achievement),
            ..Achievement::default()
        };
        for (key, value) in
            [("published", "2019-05"), ("publisher", "高等教育出版社"), ("rank", "1/1"), ("cip", "2019102034")]
        {
            item.fields.insert(key.into(), value.into());
        }
        item.evidence.insert(EvidenceSlot::Formal, evidence);
        Filing {
            title_grade: "中级".into(),
            title_name: "讲师".into(),
            title_other: String::new(),
            title_date: "2015-09-01".into(),
            research_direction: "课程改革".into(),
            major_college: "无".into(),
            major_bachelor: "汉语言文学".into(),
            major_graduate: "课程与教学论".into(),
            applied_subject: subject.into(),
            teaching_subject: subject.into(),
            achievements: vec![item],
            confirmed_instructions: true,
        }
    }

    /// A submitted (version 1) submission of the teacher named `teacher` in the demo project.
    pub fn submit(&self, teacher: &str, filing: Filing) -> u64 {
        let account = self.account(teacher);
        let OrgRef::School(school_id) = account.org else { panic!("teacher without school") };
        let school = self.school_by_id(school_id);
        let project = self.project();
        let now = Utc::now() - Duration::minutes(5);
        self.store
            .write(|tx| {
                let id = tx.next_id()?;
                let submission = Submission {
                    id,
                    project_id: project.id,
                    teacher_id: account.id,
                    school_id,
                    department_id: school.department_id,
                    state: SubmissionState::Submitted,
                    filing: filing.clone(),
                    pledge: None,
                    versions: vec![SubmittedVersion { number: 1, at: now, filing: filing.clone() }],
                    history: vec![transition(&account, SubmissionState::Draft, SubmissionState::Submitted)],
                    created_at: now,
                    updated_at: now,
                    result: None,
                };
                tx.put(&submission)?;
                tx.set_lookup(tables::SUBMISSION_BY_TEACHER, &format!("{}:{}", project.id, account.id), id)?;
                for key in [
                    format!("project:{}", project.id),
                    format!("school:{school_id}"),
                    format!("department:{}", school.department_id),
                    format!("teacher:{}", account.id),
                ] {
                    tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &key, id)?;
                }
                Ok::<_, zhiping::store::StoreError>(id)
            })
            .expect("submission")
    }

    /// Moves a submission straight to `state` (for tests of a later step).
    pub fn set_state(&self, id: u64, state: SubmissionState) {
        let mut submission = self.submission(id);
        submission.state = state;
        self.store.write(|tx| tx.put(&submission)).expect("state");
    }

    /// Assigns the expert with `username` to a submission directly, as the city's assignment would.
    pub fn assign(&self, id: u64, username: &str) {
        let expert_id = self
            .store
            .read()
            .expect("read")
            .lookup(tables::ACCOUNT_BY_USERNAME, username)
            .expect("get")
            .expect("expert");
        self.store
            .write(|tx| {
                let mut review = tx.get::<Review>(id)?.unwrap_or_else(|| Review::new(id));
                review.assignments.push(Assignment {
                    expert_id,
                    assigned_at: Utc::now(),
                    assigned_by: 1,
                    automatic: false,
                    declined: None,
                    grade: String::new(),
                    opinion: String::new(),
                    saved_at: None,
                    submitted_at: None,
                });
                tx.put(&review)?;
                tx.multimap_insert(tables::SUBMISSIONS_BY_EXPERT, &format!("expert:{expert_id}"), id)
            })
            .expect("assign");
    }

    pub fn submission(&self, id: u64) -> Submission {
        self.store.read().expect("read").get::<Submission>(id).expect("get").expect("exists")
    }

    fn school_by_id(&self, id: u64) -> School {
        self.store.read().expect("read").get::<School>(id).expect("get").expect("school")
    }
}

fn transition(account: &Account, from: SubmissionState, to: SubmissionState) -> Transition {
    Transition {
        at: Utc::now(),
        actor_id: account.id,
        actor_name: account.name.clone(),
        address: "127.0.0.1".into(),
        from,
        to,
        reason: String::new(),
    }
}
