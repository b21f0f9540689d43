//! The city's side before the experts (SPEC §6): acceptance (受理) with the anonymisation gate, accepting the
//! risk of a flagged submission, and expert assignment — by hand or automatic and balanced — with recusal,
//! declines and top-ups.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Loaded, NOT_FOUND, expect_state, load, transition};
use crate::domain::account::{Account, Role};
use crate::domain::filing::FileRef;
use crate::domain::org::{OrgRef, School};
use crate::domain::review::anonymity::{Identity, find_identifiers};
use crate::domain::review::assign::{ExpertInfo, Need, auto_assign, recusal};
use crate::domain::review::{Acceptance, AnonymityHit, Assignment, Check, Decline, Review, SubmissionSummary};
use crate::domain::submission::{Submission, SubmissionState};
use crate::files::{BlobStore, FileKind, extract_text};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::{Reader, WriteTx, tables};

/// What 受理 found.
#[derive(Debug, Clone)]
pub struct AcceptOutcome {
    pub hits: Vec<AnonymityHit>,
    pub cleared: bool,
}

/// An expert as the city sees it when assigning.
#[derive(Debug, Clone)]
pub struct ExpertRow {
    pub account: Account,
    /// The school or department it belongs to (recusal).
    pub org_name: String,
    pub info: ExpertInfo,
    /// Active assignments across all projects.
    pub load: usize,
}

/// What the automatic assignment did.
#[derive(Debug, Clone, Default)]
pub struct AutoOutcome {
    pub assigned: usize,
    pub submissions: usize,
    pub unfilled: Vec<(u64, String)>,
}

/// Scans one stored file for the teacher's identity; `None` when nothing was found.
fn scan_file(blobs: &BlobStore, label: &str, file: &FileRef, identity: Identity<'_>) -> Option<AnonymityHit> {
    let hit = |found: Vec<String>| Some(AnonymityHit { file: label.to_string(), found });
    let Some(path) = blobs.path_of(&file.sha256).filter(|path| path.is_file()) else {
        return hit(vec!["文件缺失，无法检查".into()]);
    };
    match FileKind::from_extension(&file.kind) {
        Some(FileKind::Doc) => hit(vec!["DOC格式无法检查文字，且其作者等元数据无法去除".into()]),
        Some(kind @ (FileKind::Pdf | FileKind::Docx)) => scan_text(&path, kind, identity, hit),
        // Video and archives carry no text to scan.
        _ => None,
    }
}

fn scan_text(
    path: &Path,
    kind: FileKind,
    identity: Identity<'_>,
    hit: impl Fn(Vec<String>) -> Option<AnonymityHit>,
) -> Option<AnonymityHit> {
    match extract_text(path, kind) {
        Ok(text) => {
            let found = find_identifiers(&text, identity);
            if found.is_empty() { None } else { hit(found.into_iter().map(String::from).collect()) }
        }
        Err(error) => hit(vec![format!("无法读取文字（{error}）")]),
    }
}

impl Services {
    fn blobs(&self) -> ServiceResult<BlobStore> {
        BlobStore::open(&self.config.files_dir()).map_err(|error| ServiceError::Internal(error.to_string()))
    }

    /// 受理: scans every file of the latest version for the teacher's name, ID number and school. With no hit
    /// the submission is cleared for assignment; hits are kept for the city admin, who returns it or accepts
    /// the risk. Scanning reads files: call it off the async threads.
    pub fn accept_submission(&self, actor: &Actor, id: u64) -> ServiceResult<AcceptOutcome> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以受理")?;
        let loaded = load(&self.store.read()?, id)?;
        if loaded.submission.versions.is_empty() {
            return Err(ServiceError::NotFound(NOT_FOUND));
        }
        expect_state(&loaded.submission, &[SubmissionState::Accepted], "受理")?;
        let blobs = self.blobs()?;
        let identity =
            Identity { name: &loaded.teacher.name, id_number: &loaded.teacher.username, school: &loaded.school.name };
        let hits: Vec<AnonymityHit> = super::expert::neutral_files(loaded.filing())
            .into_iter()
            .filter_map(|(neutral, file)| scan_file(&blobs, &neutral.label, &file, identity))
            .collect();
        let version = loaded.submission.versions.len() as u32;
        self.store.write(|tx| {
            let mut current = load(tx, id)?;
            expect_state(&current.submission, &[SubmissionState::Accepted], "受理")?;
            if current.submission.versions.len() as u32 != version {
                return Err(ServiceError::Conflict("成果已更新，请重新受理".into()));
            }
            let accepted = hits.is_empty().then(|| check(actor, "受理：匿名检查未发现身份信息", tx.now()));
            current.review.acceptance =
                Some(Acceptance { scanned_at: self.clock.now(), version, hits: hits.clone(), accepted });
            tx.put(&current.review)?;
            let detail = if hits.is_empty() {
                "受理：匿名检查通过".to_string()
            } else {
                let files: Vec<String> =
                    hits.iter().map(|hit| format!("{}（{}）", hit.file, hit.found.join("、"))).collect();
                format!("受理：匿名检查发现 {}", files.join("；"))
            };
            audit::record(tx, Some(actor), "submission.accept", &format!("submission:{id}"), &detail)?;
            Ok(AcceptOutcome { cleared: hits.is_empty(), hits: hits.clone() })
        })
    }

    /// The city admin accepts the anonymity risk of a flagged submission (recorded with its note).
    pub fn accept_anonymity_risk(&self, actor: &Actor, id: u64, note: &str) -> ServiceResult<()> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以受理")?;
        let note = note.trim();
        self.store.write(|tx| {
            let mut loaded = load(tx, id)?;
            expect_state(&loaded.submission, &[SubmissionState::Accepted], "受理")?;
            let version = loaded.submission.versions.len() as u32;
            let Some(acceptance) = loaded.review.acceptance.as_mut().filter(|a| a.version == version) else {
                return Err(ServiceError::Conflict("请先受理（匿名检查）".into()));
            };
            if acceptance.cleared() {
                return Err(ServiceError::Conflict("该成果已受理".into()));
            }
            let statement =
                if note.is_empty() { "接受匿名风险".to_string() } else { format!("接受匿名风险：{note}") };
            acceptance.accepted = Some(check(actor, &statement, tx.now()));
            tx.put(&loaded.review)?;
            audit::record(tx, Some(actor), "submission.accept_risk", &format!("submission:{id}"), &statement)?;
            Ok(())
        })
    }

    /// 受理 every submission of a project that waits for it (clean ones are cleared, flagged ones listed).
    pub fn accept_all(&self, actor: &Actor, project_id: u64) -> ServiceResult<(usize, Vec<u64>)> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以受理")?;
        let waiting: Vec<u64> = {
            let read = self.store.read()?;
            let mut ids = Vec::new();
            for summary in read.all::<SubmissionSummary>()? {
                if summary.project_id == project_id && summary.state == SubmissionState::Accepted {
                    let review = super::admin::review_of(&read, summary.id)?;
                    let current = review.acceptance.as_ref().is_some_and(|a| a.version == summary.versions);
                    if !current {
                        ids.push(summary.id);
                    }
                }
            }
            ids
        };
        let (mut cleared, mut flagged) = (0, Vec::new());
        for id in waiting {
            if self.accept_submission(actor, id)?.cleared {
                cleared += 1;
            } else {
                flagged.push(id);
            }
        }
        Ok((cleared, flagged))
    }

    /// Every enabled expert with where it belongs and its current load (city only).
    pub fn list_assignable_experts(&self, actor: &Actor) -> ServiceResult<Vec<ExpertRow>> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以分配专家")?;
        let read = self.store.read()?;
        experts(&read)
    }

    /// The experts the city admin may still assign to submission `id` by hand: not recused, not on it already
    /// (the detail page's 手动分配专家 list; the assignment checks the same again).
    pub fn experts_assignable_to(&self, actor: &Actor, id: u64) -> ServiceResult<Vec<ExpertRow>> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以分配专家")?;
        let read = self.store.read()?;
        let loaded = load(&read, id)?;
        let submission = &loaded.submission;
        let recuse_department = loaded.project.recuse_department;
        Ok(experts(&read)?
            .into_iter()
            .filter(|row| {
                recusal(&row.info, submission.school_id, submission.department_id, recuse_department).is_none()
                    && !loaded.review.assignments.iter().any(|assignment| assignment.expert_id == row.account.id)
            })
            .collect())
    }

    /// Assigns one expert by hand: not recused, not already on it, not beyond the project's number.
    pub fn assign_expert(&self, actor: &Actor, id: u64, expert_id: u64) -> ServiceResult<()> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以分配专家")?;
        self.store.write(|tx| {
            let mut loaded = load(tx, id)?;
            ready_for_experts(&loaded)?;
            let expert = one_expert(tx, expert_id)?;
            let submission = &loaded.submission;
            if let Some(reason) =
                recusal(&expert.info, submission.school_id, submission.department_id, loaded.project.recuse_department)
            {
                return Err(ServiceError::field("expert_id", reason.message()));
            }
            if loaded.review.assignments.iter().any(|a| a.expert_id == expert_id) {
                return Err(ServiceError::field("expert_id", "该专家已分配过此成果"));
            }
            if loaded.review.active().count() >= loaded.project.experts_per_submission {
                return Err(ServiceError::Conflict(format!(
                    "每份成果由{}位专家评审，已分配足额",
                    loaded.project.experts_per_submission
                )));
            }
            let per_submission = loaded.project.experts_per_submission;
            let pair = (&mut loaded.submission, &mut loaded.review);
            add_assignments(tx, actor, pair, &[expert_id], false, per_submission)?;
            audit::record(
                tx,
                Some(actor),
                "assignment.create",
                &format!("submission:{id}"),
                &format!("分配专家 {}", expert.account.name),
            )?;
            Ok(())
        })
    }

    /// Automatic balanced assignment for a project: every cleared submission (and every one short of experts
    /// after a decline) gets experts of its 申报学科, recused and least loaded first.
    pub fn auto_assign_experts(&self, actor: &Actor, project_id: u64) -> ServiceResult<AutoOutcome> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以分配专家")?;
        self.store.write(|tx| {
            let project = tx
                .get::<crate::domain::project::Project>(project_id)?
                .ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
            let experts = experts(tx)?;
            let infos: Vec<ExpertInfo> = experts.iter().map(|row| row.info.clone()).collect();
            let mut loads: HashMap<u64, usize> = experts.iter().map(|row| (row.account.id, row.load)).collect();
            let mut needs = Vec::new();
            for summary in tx.all::<SubmissionSummary>()? {
                if summary.project_id != project_id
                    || !matches!(summary.state, SubmissionState::Accepted | SubmissionState::UnderReview)
                {
                    continue;
                }
                let review = super::admin::review_of(tx, summary.id)?;
                let cleared = review.acceptance.as_ref().is_some_and(|a| a.version == summary.versions && a.cleared());
                let missing = project.experts_per_submission.saturating_sub(review.active().count());
                if (summary.state == SubmissionState::Accepted && !cleared) || missing == 0 {
                    continue;
                }
                needs.push(Need {
                    submission_id: summary.id,
                    school_id: summary.school_id,
                    department_id: summary.department_id,
                    subject: summary.applied_subject.clone(),
                    excluded: review.assignments.iter().map(|a| a.expert_id).collect(),
                    missing,
                });
            }
            let plan = auto_assign(&needs, &infos, &mut loads, project.recuse_department);
            let mut by_submission: HashMap<u64, Vec<u64>> = HashMap::new();
            for (submission_id, expert_id) in &plan.pairs {
                by_submission.entry(*submission_id).or_default().push(*expert_id);
            }
            for (submission_id, expert_ids) in &by_submission {
                let mut submission = tx.get::<Submission>(*submission_id)?.ok_or(ServiceError::NotFound(NOT_FOUND))?;
                let mut review = super::admin::review_of(tx, *submission_id)?;
                let pair = (&mut submission, &mut review);
                add_assignments(tx, actor, pair, expert_ids, true, project.experts_per_submission)?;
            }
            audit::record(
                tx,
                Some(actor),
                "assignment.auto",
                &format!("project:{project_id}"),
                &format!(
                    "自动分配：{}份成果，{}个分配，{}份未能分配",
                    by_submission.len(),
                    plan.pairs.len(),
                    plan.unfilled.len()
                ),
            )?;
            Ok(AutoOutcome { assigned: plan.pairs.len(), submissions: by_submission.len(), unfilled: plan.unfilled })
        })
    }

    /// An expert declines (回避 or cannot appraise), or the city withdraws an expert, before it submitted.
    /// The submission is then short of an expert until the city assigns another (by hand or automatically).
    pub fn decline_assignment(&self, actor: &Actor, id: u64, expert_id: u64, reason: &str) -> ServiceResult<()> {
        let allowed = actor.is(Role::CityAdmin) || (actor.is(Role::Expert) && actor.account_id == expert_id);
        if !allowed {
            return Err(ServiceError::NotFound(NOT_FOUND));
        }
        let reason = reason.trim();
        self.store.write(|tx| {
            let mut loaded = load(tx, id)?;
            let assignment = loaded
                .review
                .assignments
                .iter_mut()
                .find(|a| a.expert_id == expert_id && a.active())
                .ok_or(ServiceError::NotFound(NOT_FOUND))?;
            expect_state(&loaded.submission, &[SubmissionState::UnderReview, SubmissionState::Accepted], "退出评审")?;
            // Checked after the assignment is found, so a stranger learns nothing from the answer.
            if reason.is_empty() {
                return Err(ServiceError::field("reason", "请填写原因"));
            }
            if assignment.submitted_at.is_some() {
                return Err(ServiceError::Conflict("该专家已提交鉴定意见，不能退出".into()));
            }
            assignment.declined =
                Some(Decline { at: self.clock.now(), by: actor.account_id, reason: reason.to_string() });
            tx.put(&loaded.review)?;
            audit::record(
                tx,
                Some(actor),
                "assignment.decline",
                &format!("submission:{id}"),
                &format!("专家 {expert_id} 退出评审：{reason}"),
            )?;
            Ok(())
        })
    }
}

fn check(actor: &Actor, statement: &str, at: DateTime<Utc>) -> Check {
    Check {
        by: actor.account_id,
        by_name: actor.name.clone(),
        at,
        address: actor.address.clone(),
        statement: statement.to_string(),
    }
}

/// Experts can be assigned once the city accepted the current version (or to top up one under review).
fn ready_for_experts(loaded: &Loaded) -> ServiceResult<()> {
    expect_state(&loaded.submission, &[SubmissionState::Accepted, SubmissionState::UnderReview], "分配专家")?;
    if loaded.submission.state == SubmissionState::Accepted {
        let version = loaded.submission.versions.len() as u32;
        let cleared = loaded.review.acceptance.as_ref().is_some_and(|a| a.version == version && a.cleared());
        if !cleared {
            return Err(ServiceError::Conflict("请先受理：匿名检查通过或接受风险后才能分配专家".into()));
        }
    }
    Ok(())
}

/// Stores assignments of one submission; it goes under review once it has all its experts. One write of the
/// review (and at most one of the submission) whatever the number of experts.
fn add_assignments(
    tx: &WriteTx,
    actor: &Actor,
    (submission, review): (&mut Submission, &mut Review),
    expert_ids: &[u64],
    automatic: bool,
    experts_per_submission: usize,
) -> ServiceResult<()> {
    for expert_id in expert_ids {
        review.assignments.push(Assignment {
            expert_id: *expert_id,
            assigned_at: tx.now(),
            assigned_by: actor.account_id,
            automatic,
            declined: None,
            grade: String::new(),
            opinion: String::new(),
            saved_at: None,
            submitted_at: None,
        });
        tx.multimap_insert(tables::SUBMISSIONS_BY_EXPERT, &format!("expert:{expert_id}"), submission.id)?;
    }
    if submission.state == SubmissionState::Accepted && review.active().count() >= experts_per_submission {
        transition(submission, actor, SubmissionState::UnderReview, "专家分配完成", tx.now());
        tx.put(submission)?;
    }
    tx.put(review)?;
    Ok(())
}

/// Every enabled expert account with its organisation and load. Reads every account: for the assignment pages
/// and the automatic assignment, not for per-request paths.
fn experts(read: &impl Reader) -> ServiceResult<Vec<ExpertRow>> {
    // Tens of experts among 20,000 accounts: find them on a light view, then read only theirs whole.
    let mut keep = |account: &RoleOnly| account.role == Role::Expert && !account.disabled;
    let ids: Vec<u64> = read.range(tables::ACCOUNTS, false, usize::MAX, &mut keep)?.into_iter().map(|a| a.id).collect();
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(account) = read.get::<Account>(id)? {
            rows.push(expert_row(read, account)?);
        }
    }
    Ok(rows)
}

/// An account's id, role and state; the rest of the record is skipped on decoding.
#[derive(serde::Deserialize)]
struct RoleOnly {
    id: u64,
    role: Role,
    #[serde(default)]
    disabled: bool,
}

fn expert_row(read: &impl Reader, account: Account) -> ServiceResult<ExpertRow> {
    let (school_id, department_id, org_name) = match account.org {
        OrgRef::School(id) => {
            let school = read.get::<School>(id)?;
            (Some(id), school.as_ref().map(|s| s.department_id), school.map(|s| s.name).unwrap_or_default())
        }
        OrgRef::Department(id) => {
            let name = read.get::<crate::domain::org::Department>(id)?.map(|d| d.name).unwrap_or_default();
            (None, Some(id), name)
        }
        OrgRef::City => (None, None, "市级".to_string()),
    };
    // The load is every active assignment, graded or not: the balance is over the whole season's work.
    let mut load = 0;
    for submission_id in read.multimap_values(tables::SUBMISSIONS_BY_EXPERT, &format!("expert:{}", account.id))? {
        if read.get::<Review>(submission_id)?.is_some_and(|review| review.assignment_of(account.id).is_some()) {
            load += 1;
        }
    }
    let info = ExpertInfo { id: account.id, school_id, department_id, subjects: account.expert_subjects.clone() };
    Ok(ExpertRow { account, org_name, info, load })
}

/// One enabled expert, or a field error.
fn one_expert(read: &impl Reader, expert_id: u64) -> ServiceResult<ExpertRow> {
    // No id is 0: it is what a form sends when nothing was chosen.
    if expert_id == 0 {
        return Err(ServiceError::field("expert_id", "请选择评审专家"));
    }
    match read.get::<Account>(expert_id)? {
        Some(account) if account.role == Role::Expert && !account.disabled => expert_row(read, account),
        _ => Err(ServiceError::field("expert_id", "专家不存在或已停用")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: Chrome's 另存为PDF writes Type 3 fonts; the gate read them as garbage and let the name through.
    #[test]
    fn the_gate_finds_name_and_school_in_a_chrome_type3_pdf() {
        let identity =
            Identity { name: "刁彬彬", id_number: "310109198012283011", school: "上海市南湖职业学校" };
        let hit = |found: Vec<String>| Some(AnonymityHit { file: "成果附件".into(), found });
        let found = scan_text(&crate::files::fixture("chrome-type3.pdf"), FileKind::Pdf, identity, hit)
            .expect("the author line is found")
            .found;
        assert!(found.iter().any(|label| label == "姓名"), "{found:?}");
        assert!(found.iter().any(|label| label == "学校名称"), "{found:?}");
    }
}
