//! Generated data sets on top of the ordinary demo (`serve --demo-scale city|small`, hidden): `city` is SPEC's
//! season — 200 schools in 16 departments, 20,000 teachers with valid ID numbers, 3,000 submissions spread over
//! the workflow's states, 40 experts — for benchmarks (teacher lists, backups); `small` is the same shape in
//! miniature for tests. Also writes a teacher spreadsheet for the import benchmark. Deterministic: two runs
//! produce the same data.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::accounts::insert_account;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::{Account, DEGREES, EDUCATIONS, Role, TeacherProfile};
use crate::domain::filing::{Achievement, FileRef, Filing};
use crate::domain::idcard::IdNumber;
use crate::domain::org::{Department, OrgRef, School};
use crate::domain::pledge;
use crate::domain::project::Project;
use crate::domain::stored_file::StoredFile;
use crate::domain::submission::{PledgeAcceptance, Submission, SubmissionState, SubmittedVersion, Transition};
use crate::store::{Reader, WriteTx, org_key, tables};

const DISTRICTS: [&str; 15] = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宁斌琳昇彬珺堃喆";
/// How big a generated data set is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Schools in all, the demo's four included.
    pub schools: usize,
    pub teachers_per_school: usize,
    pub submissions: usize,
    /// New departments (districts) the new schools are spread over.
    pub districts: usize,
    pub experts: usize,
    /// When not 0, every generated submission files one generated PDF of about this many KiB as its achievement
    /// file (the backup benchmark's data: `serve --demo-scale city --demo-file-kib 256`).
    pub file_kib: usize,
}

impl Scale {
    /// SPEC's city season: 200 schools, 20,000 teachers, 3,000 submissions.
    pub const CITY: Scale =
        Scale { schools: 200, teachers_per_school: 100, submissions: 3_000, districts: 15, experts: 40, file_kib: 0 };
    /// A small set with every submission state, for tests.
    pub const SMALL: Scale =
        Scale { schools: 10, teachers_per_school: 10, submissions: 40, districts: 2, experts: 4, file_kib: 0 };

    pub fn named(name: &str) -> Option<Scale> {
        match name {
            "city" => Some(Scale::CITY),
            "small" => Some(Scale::SMALL),
            _ => None,
        }
    }
}

/// What `load_scale` made.
#[derive(Debug, Default)]
pub struct ScaleReport {
    pub schools: usize,
    pub teachers: usize,
    pub submissions: usize,
}

/// A valid ID number for the n-th generated person: a district code not used by the demo, a birth date between
/// 1966 and 1990 and a sequence that makes (date, sequence) unique.
pub fn generated_id(n: usize) -> String {
    let base = NaiveDate::from_ymd_opt(1966, 1, 1).unwrap_or_default();
    let birth = base + Duration::days((n % 9000) as i64);
    let first17 = format!("310230{}{:03}", birth.format("%Y%m%d"), n / 9000);
    let check = IdNumber::check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A plausible two- or three-character name for the n-th person.
pub fn generated_name(n: usize) -> String {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut name = String::new();
    name.push(surnames[n % surnames.len()]);
    name.push(given[(n / surnames.len()) % given.len()]);
    if !n.is_multiple_of(3) {
        name.push(given[(n * 7 + 3) % given.len()]);
    }
    name
}

fn person(n: usize, role: Role, org: OrgRef, created_at: DateTime<Utc>) -> Account {
    Account {
        id: 0,
        username: generated_id(n),
        name: generated_name(n),
        role,
        org,
        password_hash: None,
        must_change_password: true,
        failed_logins: 0,
        frozen_until: None,
        disabled: false,
        created_at,
        teacher: None,
        expert_subjects: Vec::new(),
        moves: Vec::new(),
    }
}

/// The state of the k-th generated submission: a spread over the whole workflow.
fn state_of(k: usize) -> SubmissionState {
    use SubmissionState as S;
    const SPREAD: [SubmissionState; 20] = [
        S::Draft,
        S::Draft,
        S::Draft,
        S::Draft,
        S::Submitted,
        S::Submitted,
        S::Submitted,
        S::Submitted,
        S::Returned,
        S::Returned,
        S::SchoolApproved,
        S::SchoolApproved,
        S::SchoolApproved,
        S::Accepted,
        S::Accepted,
        S::Accepted,
        S::UnderReview,
        S::UnderReview,
        S::Reviewed,
        S::Published,
    ];
    SPREAD[k % SPREAD.len()]
}

impl Services {
    /// Loads a generated set once (after `load_demo`); a second call finds it and does nothing.
    pub async fn load_scale(&self, scale: Scale) -> ServiceResult<ScaleReport> {
        self.load_demo().await?;
        let first_department = format!("上海市{}教育局", DISTRICTS[0]);
        if self.store.read()?.all::<Department>()?.iter().any(|department| department.name == first_department) {
            return Ok(ScaleReport::default());
        }
        let admin_hash = self.hasher.hash("demo2026".into()).await?;
        let project = self
            .store
            .read()?
            .all::<Project>()?
            .into_iter()
            // This year's: the demo also holds last year's, published.
            .max_by_key(|project| (project.year, project.id))
            .ok_or(ServiceError::Internal("演示项目不存在".into()))?;
        let mut report = ScaleReport::default();
        let mut person_number = 0;
        let existing_schools = self.store.read()?.all::<School>()?;
        let new_schools = scale.schools.saturating_sub(existing_schools.len());
        let districts = scale.districts.clamp(1, DISTRICTS.len());
        // One transaction per department keeps each commit moderate.
        for (district_index, district) in DISTRICTS.iter().take(districts).enumerate() {
            self.store.write(|tx| {
                let department = Department {
                    id: tx.next_id()?,
                    name: format!("上海市{district}教育局"),
                    disabled: false,
                    created_at: self.clock.now(),
                };
                tx.put(&department)?;
                let count = new_schools / districts + usize::from(district_index < new_schools % districts);
                for index in 0..count {
                    let school_type = SchoolType::ALL[(district_index + index) % 4];
                    let suffix = match school_type {
                        SchoolType::Zhongzhuan => "中等专业学校",
                        SchoolType::Jigong => "技工学校",
                        SchoolType::Zhigao => "职业学校",
                        SchoolType::Chengren => "成人中等专业学校",
                    };
                    let school = School {
                        id: tx.next_id()?,
                        name: format!("上海市{}第{}{}", district.trim_end_matches('区'), index + 1, suffix),
                        department_id: department.id,
                        school_type,
                        disabled: false,
                        created_at: self.clock.now(),
                    };
                    tx.put(&school)?;
                    let mut admin = person(0, Role::SchoolAdmin, OrgRef::School(school.id), tx.now());
                    admin.username = format!("school{}_admin", school.id);
                    admin.name = format!("{}管理员", school.name);
                    admin.password_hash = Some(admin_hash.clone());
                    admin.must_change_password = false;
                    insert_account(tx, admin)?;
                    report.schools += 1;
                    self.fill_school(
                        tx,
                        &school,
                        &project,
                        &scale,
                        scale.teachers_per_school,
                        &mut person_number,
                        &mut report,
                    )?;
                }
                if district_index == 0 {
                    for school in &existing_schools {
                        let mut have = 0;
                        for id in tx.multimap_values(tables::ACCOUNTS_BY_ORG, &org_key(OrgRef::School(school.id)))? {
                            have += usize::from(tx.get::<Account>(id)?.is_some_and(|a| a.role == Role::Teacher));
                        }
                        let wanted = scale.teachers_per_school.saturating_sub(have);
                        self.fill_school(tx, school, &project, &scale, wanted, &mut person_number, &mut report)?;
                    }
                }
                Ok::<_, ServiceError>(())
            })?;
        }
        self.store.write(|tx| {
            let schools = tx.all::<School>()?;
            for index in 0..scale.experts.min(schools.len() * 10) {
                let school = &schools[index * 5 % schools.len()];
                let mut expert = person(person_number, Role::Expert, OrgRef::School(school.id), tx.now());
                person_number += 1;
                expert.expert_subjects = vec![subject_of(&project, index)];
                insert_account(tx, expert)?;
            }
            let detail = format!(
                "城市规模演示数据：{} 所学校，{} 名教师，{} 份申报",
                report.schools, report.teachers, report.submissions
            );
            audit::record(tx, None, "demo.scale", "platform", &detail)?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(report)
    }

    /// Adds `count` teachers to `school`, all in `project`, the first few with submissions.
    #[allow(clippy::too_many_arguments)]
    fn fill_school(
        &self,
        tx: &WriteTx,
        school: &School,
        project: &Project,
        scale: &Scale,
        count: usize,
        person_number: &mut usize,
        report: &mut ScaleReport,
    ) -> ServiceResult<()> {
        let submissions_here = scale.submissions / scale.schools.max(1);
        for index in 0..count {
            let n = *person_number;
            *person_number += 1;
            let mut teacher = person(n, Role::Teacher, OrgRef::School(school.id), tx.now());
            teacher.teacher = Some(TeacherProfile {
                education: EDUCATIONS[n % 3].into(),
                degree: DEGREES[n % 4].into(),
                birth_date: IdNumber::parse(&teacher.username, self.clock.today()).ok().map(|id| id.birth_date()),
                project_id: project.serves(school.school_type).then_some(project.id),
            });
            let teacher = insert_account(tx, teacher)?;
            report.teachers += 1;
            if index < submissions_here && project.serves(school.school_type) {
                let file = match scale.file_kib {
                    0 => None,
                    kib => Some((&self.blobs, kib)),
                };
                add_submission(tx, project, school, &teacher, report.submissions, file)?;
                report.submissions += 1;
            }
        }
        Ok(())
    }
}

/// The n-th of the project's subjects (a project always has one; 语文 stands in if an edit ever removed them all).
fn subject_of(project: &Project, n: usize) -> String {
    match project.subjects.len() {
        0 => "语文".into(),
        len => project.subjects[n % len].clone(),
    }
}

fn add_submission(
    tx: &WriteTx,
    project: &Project,
    school: &School,
    teacher: &Account,
    k: usize,
    file: Option<(&crate::files::BlobStore, usize)>,
) -> ServiceResult<()> {
    let state = state_of(k);
    let now = tx.now();
    let id = tx.next_id()?;
    let achievement_file = match file {
        None => None,
        Some((blobs, kib)) => {
            let stored = blobs.put_bytes(&generated_pdf(k, kib * 1024)).map_err(super::notices::io_error)?;
            let file = FileRef {
                sha256: stored.sha256.clone(),
                name: format!("成果{}.pdf", k + 1),
                size: stored.size,
                kind: "pdf".into(),
            };
            let record = StoredFile {
                sha256: stored.sha256,
                size: stored.size,
                kind: "pdf".into(),
                first_name: file.name.clone(),
                first_uploaded_by: teacher.id,
                first_uploaded_at: now,
                submissions: [id].into(),
            };
            tx.put_keyed(tables::FILES, &record.sha256, &record)?;
            Some(file)
        }
    };
    let filing = Filing {
        title_grade: "中级".into(),
        title_name: "讲师".into(),
        title_date: "2015-07-01".into(),
        research_direction: "职业教育课程改革".into(),
        major_college: "无".into(),
        major_bachelor: "机械工程".into(),
        major_graduate: "无".into(),
        applied_subject: subject_of(project, k),
        teaching_subject: "机械基础".into(),
        achievements: vec![Achievement {
            title: format!("中职课程教学改革研究（{}）", k + 1),
            type_code: "journal_paper".into(),
            own_part: "全部".into(),
            independent: Some(true),
            achievement_file,
            ..Achievement::default()
        }],
        ..Filing::default()
    };
    let versions = if state == SubmissionState::Draft {
        Vec::new()
    } else {
        vec![SubmittedVersion { number: 1, at: now, filing: filing.clone() }]
    };
    let history = vec![Transition {
        at: now,
        actor_id: teacher.id,
        actor_name: teacher.name.clone(),
        address: String::new(),
        from: SubmissionState::Draft,
        to: state,
        reason: if state == SubmissionState::Returned { "证明材料填写不规范".into() } else { String::new() },
    }];
    let submission = Submission {
        id,
        project_id: project.id,
        teacher_id: teacher.id,
        school_id: school.id,
        department_id: school.department_id,
        state,
        filing,
        // A submission exists only once its teacher has accepted the pledge (SPEC §4.1).
        pledge: Some(PledgeAcceptance {
            at: now,
            address: "127.0.0.1".into(),
            text_version: pledge::VERSION.into(),
            text_sha256: pledge::text_sha256(),
        }),
        versions,
        history,
        result: None,
        created_at: now,
        updated_at: now,
    };
    tx.put(&submission)?;
    tx.set_lookup(tables::SUBMISSION_BY_TEACHER, &format!("{}:{}", project.id, teacher.id), submission.id)?;
    for key in [
        format!("project:{}", project.id),
        format!("school:{}", school.id),
        format!("department:{}", school.department_id),
        format!("teacher:{}", teacher.id),
    ] {
        tx.multimap_insert(tables::SUBMISSIONS_BY_KEY, &key, submission.id)?;
    }
    Ok(())
}

/// A valid one-page PDF with a text layer naming submission `k`, padded with comment lines to about `size`
/// bytes (distinct content per `k`, so every file is its own blob).
pub fn generated_pdf(k: usize, size: usize) -> Vec<u8> {
    let mut content =
        format!("BT /F1 14 Tf 72 770 Td (Generated demo research achievement number {}) Tj ET\n", k + 1).into_bytes();
    let mut state = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while content.len() + 400 < size {
        content.push(b'%');
        for _ in 0..16 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            content.extend_from_slice(format!("{state:016x}").as_bytes());
        }
        content.push(b'\n');
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        String::new(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        if index == 3 {
            pdf.extend_from_slice(format!("4 0 obj\n<< /Length {} >>\nstream\n", content.len()).as_bytes());
            pdf.extend_from_slice(&content);
            pdf.extend_from_slice(b"\nendstream\nendobj\n");
        } else {
            pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
        }
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

/// Writes a teacher import workbook of `rows` new teachers (IDs after the city-scale set's) for `school`.
pub fn bench_workbook(rows: usize, school: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in ["身份证号", "姓名", "最高学历", "最高学位", "出生年月", "学校"].iter().enumerate()
    {
        sheet.write_string(0, column as u16, *title)?;
    }
    let offset = Scale::CITY.schools * Scale::CITY.teachers_per_school + 1000;
    for row in 0..rows {
        let n = offset + row;
        let line = row as u32 + 1;
        sheet.write_string(line, 0, generated_id(n))?;
        sheet.write_string(line, 1, generated_name(n))?;
        sheet.write_string(line, 2, EDUCATIONS[n % 3])?;
        sheet.write_string(line, 3, DEGREES[n % 4])?;
        sheet.write_string(line, 5, school)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_pdfs_are_valid_distinct_and_sized() {
        let dir = tempfile::tempdir().unwrap();
        let first = generated_pdf(0, 64 * 1024);
        let second = generated_pdf(1, 64 * 1024);
        assert_ne!(first, second);
        assert!(first.len() > 60 * 1024 && first.len() < 66 * 1024, "{}", first.len());
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, &first).unwrap();
        assert!(crate::files::pdf_is_valid(&path));
        assert!(crate::files::pdf_has_text_layer(&path).unwrap());
    }

    #[test]
    fn generated_ids_are_valid_and_unique() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let mut seen = HashSet::new();
        for n in (0..30_000).step_by(7) {
            let id = generated_id(n);
            assert!(IdNumber::parse(&id, today).is_ok(), "{id}");
            assert!(seen.insert(id));
        }
        assert!(generated_name(5).chars().count() >= 2);
    }
}
