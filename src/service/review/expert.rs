//! 专家评审 (SPEC §6): the expert's list and each assigned submission in full — blind under blind review: no
//! name, ID number, school or department, files under neutral names (成果1.pdf) with their metadata stripped —
//! and the grade with its 鉴定意见, saved and come back to, submitted before the deadline.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{Loaded, NOT_FOUND, load, transition};
use crate::clock;
use crate::domain::account::Role;
use crate::domain::filing::{FileRef, Filing};
use crate::domain::review::{Assignment, MAX_OPINION_CHARS, Review};
use crate::domain::submission::SubmissionState;
use crate::files::{BlobStore, FileKind};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::{Reader, tables};

/// One row of the expert's list. Carries nothing that names the teacher.
#[derive(Debug, Clone)]
pub struct ExpertTask {
    pub submission_id: u64,
    pub project_name: String,
    pub applied_subject: String,
    pub titles: Vec<String>,
    pub status: &'static str,
    pub grade: String,
    pub deadline: DateTime<Utc>,
}

/// A file as an expert gets it: a neutral name, never the uploaded one.
#[derive(Debug, Clone)]
pub struct NeutralFile {
    /// 1-based position, the file's address under the submission.
    pub number: usize,
    /// e.g. 成果1·成果上传
    pub label: String,
    /// e.g. 成果1.pdf
    pub name: String,
    pub kind: String,
}

/// A submission as its expert sees it.
#[derive(Debug, Clone)]
pub struct ExpertView {
    pub submission_id: u64,
    pub project_name: String,
    pub grades: Vec<String>,
    pub deadline: DateTime<Utc>,
    /// Why the grade cannot be saved or submitted now (see [`grading_closed`]); `None` while it can.
    pub closed_reason: Option<String>,
    /// The latest submitted version of the filing (no identifying fields live in it).
    pub filing: Filing,
    pub catalogue: crate::domain::catalogue::Catalogue,
    pub files: Vec<NeutralFile>,
    pub assignment: Assignment,
    /// 姓名 and 工作单位, only when the project does not review blind.
    pub identity: Option<(String, String)>,
    /// Whether any file is a DOC, whose metadata cannot be stripped.
    pub has_doc: bool,
}

/// What to do with the expert's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeAction {
    /// 暂存: keep what was typed, no required fields.
    Save,
    /// 提交: final; grade and opinion required.
    Submit,
}

/// The files of a filing in form order with their neutral names.
pub fn neutral_files(filing: &Filing) -> Vec<(NeutralFile, FileRef)> {
    let mut files = Vec::new();
    let mut push = |label: String, stem: String, file: &FileRef| {
        let number = files.len() + 1;
        let name = format!("{stem}.{}", file.kind);
        files.push((NeutralFile { number, label, name, kind: file.kind.clone() }, file.clone()));
    };
    for (index, achievement) in filing.achievements.iter().enumerate() {
        let n = index + 1;
        if let Some(file) = &achievement.achievement_file {
            push(format!("成果{n}·成果上传"), format!("成果{n}"), file);
        }
        if let Some(file) = &achievement.contribution_file {
            push(format!("成果{n}·个人贡献情况表"), format!("成果{n}-个人贡献情况表"), file);
        }
        for (slot, file) in &achievement.evidence {
            push(format!("证明材料{n}·{}", slot.label()), format!("证明材料{n}-{}", slot.label()), file);
        }
    }
    files
}

impl Services {
    /// The expert's assignments (declined ones left out), newest first.
    pub fn expert_tasks(&self, actor: &Actor) -> ServiceResult<Vec<ExpertTask>> {
        super::require(actor, Role::Expert, "只有专家可以查看评审任务")?;
        let read = self.store.read()?;
        let mut tasks = Vec::new();
        let mut projects = std::collections::HashMap::new();
        for id in read.multimap_values(tables::SUBMISSIONS_BY_EXPERT, &format!("expert:{}", actor.account_id))? {
            let Some(review) = read.get::<Review>(id)? else { continue };
            let Some(assignment) = review.assignment_of(actor.account_id) else { continue };
            let Some(summary) = read.get::<crate::domain::review::SubmissionSummary>(id)? else { continue };
            if !projects.contains_key(&summary.project_id)
                && let Some(project) = read.get::<crate::domain::project::Project>(summary.project_id)?
            {
                projects.insert(summary.project_id, project);
            }
            let Some(project) = projects.get(&summary.project_id) else { continue };
            tasks.push(ExpertTask {
                submission_id: id,
                project_name: project.name.clone(),
                applied_subject: summary.applied_subject.clone(),
                titles: summary.titles.clone(),
                status: assignment.status_label(),
                grade: assignment.grade.clone(),
                deadline: project.expert_review_end,
            });
        }
        tasks.sort_by_key(|task| std::cmp::Reverse(task.submission_id));
        Ok(tasks)
    }

    /// One assigned submission for its expert, blind unless the project says otherwise.
    pub fn expert_submission(&self, actor: &Actor, id: u64) -> ServiceResult<ExpertView> {
        let (loaded, assignment) = self.assigned(actor, id)?;
        let files: Vec<NeutralFile> = neutral_files(loaded.filing()).into_iter().map(|(file, _)| file).collect();
        let identity =
            (!loaded.project.blind_review).then(|| (loaded.teacher.name.clone(), loaded.school.name.clone()));
        Ok(ExpertView {
            submission_id: id,
            project_name: loaded.project.name.clone(),
            grades: loaded.project.grades.clone(),
            deadline: loaded.project.expert_review_end,
            closed_reason: grading_closed(&loaded, &assignment, self.clock.now()),
            has_doc: files.iter().any(|file| file.kind == "doc"),
            filing: loaded.filing().clone(),
            catalogue: loaded.project.catalogue.clone(),
            files,
            assignment,
            identity,
        })
    }

    /// The stored file `number` of an assigned submission: its neutral name, path and kind. The caller serves
    /// it through `files::strip_metadata` under blind review.
    pub fn expert_file(
        &self,
        actor: &Actor,
        id: u64,
        number: usize,
    ) -> ServiceResult<(String, PathBuf, FileKind, bool)> {
        let (loaded, _) = self.assigned(actor, id)?;
        let (file, stored) = neutral_files(loaded.filing())
            .into_iter()
            .find(|(file, _)| file.number == number)
            .ok_or(ServiceError::NotFound("文件不存在"))?;
        let blobs =
            BlobStore::open(&self.config.files_dir()).map_err(|error| ServiceError::Internal(error.to_string()))?;
        let path =
            blobs.path_of(&stored.sha256).filter(|path| path.is_file()).ok_or(ServiceError::NotFound("文件不存在"))?;
        let kind = FileKind::from_extension(&stored.kind).unwrap_or(FileKind::Other);
        Ok((file.name, path, kind, loaded.project.blind_review))
    }

    /// 暂存 or 提交 the expert's grade and 鉴定意见. After the deadline, or once submitted, nothing changes.
    pub fn save_appraisal(
        &self,
        actor: &Actor,
        id: u64,
        grade: &str,
        opinion: &str,
        action: GradeAction,
    ) -> ServiceResult<Assignment> {
        let (grade, opinion) = (grade.trim().to_string(), opinion.trim().to_string());
        self.store.write(|tx| {
            let (mut loaded, assignment) = assigned_in(tx, actor, id)?;
            if let Some(reason) = grading_closed(&loaded, &assignment, self.clock.now()) {
                return Err(ServiceError::Conflict(reason));
            }
            let mut errors = crate::domain::FieldErrors::new();
            if !grade.is_empty() && !loaded.project.grades.contains(&grade) {
                errors.add("grade", "等级不在本项目的等级范围内");
            }
            if opinion.chars().count() > MAX_OPINION_CHARS {
                errors.add("opinion", format!("鉴定意见至多{MAX_OPINION_CHARS}字"));
            }
            if action == GradeAction::Submit {
                if grade.is_empty() {
                    errors.add("grade", "鉴定等级不能为空");
                }
                if opinion.is_empty() {
                    errors.add("opinion", "鉴定意见不能为空");
                }
            }
            errors.into_result().map_err(ServiceError::Invalid)?;
            let experts = loaded.project.experts_per_submission;
            let now = self.clock.now();
            let assignment = loaded
                .review
                .assignments
                .iter_mut()
                .find(|a| a.expert_id == actor.account_id && a.active())
                .ok_or(ServiceError::NotFound(NOT_FOUND))?;
            if assignment.submitted_at.is_some() {
                return Err(ServiceError::Conflict("鉴定意见已提交，不能修改".into()));
            }
            assignment.grade = grade.clone();
            assignment.opinion = opinion.clone();
            assignment.saved_at = Some(now);
            if action == GradeAction::Submit {
                assignment.submitted_at = Some(now);
            }
            let saved = assignment.clone();
            if loaded.review.all_graded(experts) {
                transition(&mut loaded.submission, actor, SubmissionState::Reviewed, "专家评审完成", tx.now());
                tx.put(&loaded.submission)?;
            }
            tx.put(&loaded.review)?;
            let verb = if action == GradeAction::Submit { "提交" } else { "暂存" };
            audit::record(
                tx,
                Some(actor),
                "appraisal.save",
                &format!("submission:{id}"),
                &format!("专家{verb}鉴定意见：{grade}"),
            )?;
            Ok(saved)
        })
    }

    fn assigned(&self, actor: &Actor, id: u64) -> ServiceResult<(Loaded, Assignment)> {
        assigned_in(&self.store.read()?, actor, id)
    }
}

/// The submission if the actor is an expert actively assigned to it; anything else is "not found".
fn assigned_in(read: &impl Reader, actor: &Actor, id: u64) -> ServiceResult<(Loaded, Assignment)> {
    if !actor.is(Role::Expert) {
        return Err(ServiceError::NotFound(NOT_FOUND));
    }
    let loaded = load(read, id)?;
    let assignment = loaded.review.assignment_of(actor.account_id).cloned().ok_or(ServiceError::NotFound(NOT_FOUND))?;
    Ok((loaded, assignment))
}

/// Why an expert cannot 暂存 or 提交 its grade now, or `None` while it can — inside the project's expert review
/// window (SPEC §3) — or after the city opened it early for this submission — on a submission under review, not
/// yet submitted: one rule for the page, the API and the save. The reasons say what the expert is waiting for, so
/// one whose colleagues are still being assigned does not read that the review is over.
pub(crate) fn grading_closed(loaded: &Loaded, assignment: &Assignment, now: DateTime<Utc>) -> Option<String> {
    if assignment.submitted_at.is_some() {
        return Some("鉴定意见已提交，不能修改".into());
    }
    let end = loaded.project.expert_review_end;
    if now > end {
        return Some(format!("专家评审已于 {} 截止，不能再保存或提交", clock::minute(end)));
    }
    let start = loaded.project.expert_review_start;
    if now < start && loaded.review.opened_early.is_none() {
        return Some(format!("专家评审将于 {} 开始，届时方可保存或提交", clock::minute(start)));
    }
    match loaded.submission.state {
        SubmissionState::UnderReview => None,
        SubmissionState::Accepted => Some("该成果正在分配评审专家，分配完成后即可评审".into()),
        state => Some(format!("该成果当前状态为“{}”，不能评审", state.label())),
    }
}
