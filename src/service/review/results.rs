//! Final grades and 公布等级 (SPEC §6): the city sees every expert's grade side by side, sets the final grade
//! and opinion (the experts' agreement by default; a differing grade needs its reason), publishes all or a
//! batch (the teacher gets a message), follows the experts' progress, and exports the results to .xlsx.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{expect_state, leave_message, load, transition};
use crate::clock;
use crate::domain::account::{Account, Role};
use crate::domain::filing::uses_restricted_type;
use crate::domain::org::{Department, School};
use crate::domain::project::Project;
use crate::domain::review::{MessageKind, Review, SubmissionSummary, check_final};
use crate::domain::submission::{FinalResult, Submission, SubmissionState};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::Reader;

/// One expert's grade on a submission, as the city sees it.
#[derive(Debug, Clone)]
pub struct ExpertGrade {
    pub expert_id: u64,
    pub expert_name: String,
    pub status: &'static str,
    pub grade: String,
    pub opinion: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A row of the results list and export.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub submission_id: u64,
    pub teacher_name: String,
    pub school_name: String,
    pub department_name: String,
    pub applied_subject: String,
    pub titles: Vec<String>,
    pub state: SubmissionState,
    pub expert_grades: Vec<String>,
    pub result: Option<FinalResult>,
    /// The result rests on a ★ type: 当年有效.
    pub valid_this_year_only: bool,
}

/// How far one expert is.
#[derive(Debug, Clone)]
pub struct ExpertProgress {
    pub expert_id: u64,
    pub name: String,
    pub assigned: usize,
    pub submitted: usize,
    pub declined: usize,
}

impl Services {
    /// Every expert's grade on one submission (city only; experts' names are visible to the city).
    pub fn expert_grades(&self, actor: &Actor, id: u64) -> ServiceResult<Vec<ExpertGrade>> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以查看专家评审等级")?;
        let read = self.store.read()?;
        let review = super::admin::review_of(&read, id)?;
        if read.get::<Submission>(id)?.is_none() {
            return Err(ServiceError::NotFound(super::NOT_FOUND));
        }
        let mut grades = Vec::new();
        for assignment in &review.assignments {
            let name = read.get::<Account>(assignment.expert_id)?.map(|a| a.name).unwrap_or_default();
            grades.push(ExpertGrade {
                expert_id: assignment.expert_id,
                expert_name: name,
                status: assignment.status_label(),
                grade: if assignment.submitted_at.is_some() { assignment.grade.clone() } else { String::new() },
                opinion: if assignment.submitted_at.is_some() { assignment.opinion.clone() } else { String::new() },
                submitted_at: assignment.submitted_at,
            });
        }
        Ok(grades)
    }

    /// Sets (or changes, until published) the final grade and opinion of a reviewed submission.
    pub fn set_final_result(
        &self,
        actor: &Actor,
        id: u64,
        grade: &str,
        opinion: &str,
        reason: &str,
    ) -> ServiceResult<FinalResult> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以确定最终等级")?;
        let (grade, opinion, reason) = (grade.trim(), opinion.trim(), reason.trim());
        self.store.write(|tx| {
            let mut loaded = load(tx, id)?;
            expect_state(&loaded.submission, &[SubmissionState::Reviewed], "确定最终等级")?;
            let expert_grades: Vec<String> = loaded.review.grades().into_iter().map(String::from).collect();
            let grade_refs: Vec<&str> = expert_grades.iter().map(String::as_str).collect();
            check_final(&loaded.project.grades, &grade_refs, grade, opinion, reason)
                .into_result()
                .map_err(ServiceError::Invalid)?;
            let result = FinalResult {
                grade: grade.to_string(),
                opinion: opinion.to_string(),
                decided_by: actor.account_id,
                decided_at: self.clock.now(),
                published_at: None,
            };
            loaded.submission.result = Some(result.clone());
            loaded.submission.updated_at = self.clock.now();
            loaded.review.final_reason = reason.to_string();
            tx.put(&loaded.submission)?;
            tx.put(&loaded.review)?;
            let detail = if reason.is_empty() {
                format!("最终等级：{grade}")
            } else {
                format!("最终等级：{grade}（专家等级 {}；理由：{reason}）", expert_grades.join("、"))
            };
            audit::record(tx, Some(actor), "result.decide", &format!("submission:{id}"), &detail)?;
            Ok(result)
        })
    }

    /// 公布等级: publishes the decided results of a project — all of them, or the batch `ids`. Each teacher
    /// gets a message. Returns how many were published.
    pub fn publish_results(&self, actor: &Actor, project_id: u64, ids: Option<&[u64]>) -> ServiceResult<usize> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以公布等级")?;
        self.store.write(|tx| {
            let candidates: Vec<u64> = match ids {
                Some(ids) => ids.to_vec(),
                None => tx
                    .all::<SubmissionSummary>()?
                    .into_iter()
                    .filter(|s| s.project_id == project_id && s.state == SubmissionState::Reviewed && s.grade.is_some())
                    .map(|s| s.id)
                    .collect(),
            };
            let now = self.clock.now();
            let mut published = 0;
            for id in candidates {
                let mut submission = tx.get::<Submission>(id)?.ok_or(ServiceError::NotFound(super::NOT_FOUND))?;
                if submission.project_id != project_id {
                    return Err(ServiceError::NotFound(super::NOT_FOUND));
                }
                expect_state(&submission, &[SubmissionState::Reviewed], "公布")?;
                let Some(result) = submission.result.as_mut() else {
                    return Err(ServiceError::Conflict(format!("成果 {id} 尚未确定最终等级")));
                };
                result.published_at = Some(now);
                let grade = result.grade.clone();
                transition(&mut submission, actor, SubmissionState::Published, "公布等级", tx.now());
                tx.put(&submission)?;
                leave_message(
                    tx,
                    &submission,
                    MessageKind::Published,
                    "公布等级",
                    &format!("鉴定结果已公布：{grade}"),
                )?;
                published += 1;
            }
            audit::record(
                tx,
                Some(actor),
                "result.publish",
                &format!("project:{project_id}"),
                &format!("公布等级 {published} 份"),
            )?;
            Ok(published)
        })
    }

    /// The results of a project in the actor's scope. Schools and departments see published grades only; the
    /// city sees decided ones too.
    pub fn list_results(&self, actor: &Actor, project_id: u64) -> ServiceResult<Vec<ResultRow>> {
        if super::admin::level_of(actor).is_none() {
            return Err(ServiceError::Forbidden("无权限查看鉴定结果"));
        }
        let read = self.store.read()?;
        let project = read.get::<Project>(project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
        let schools: HashMap<u64, School> = read.all::<School>()?.into_iter().map(|s| (s.id, s)).collect();
        let departments: HashMap<u64, String> = read.all::<Department>()?.into_iter().map(|d| (d.id, d.name)).collect();
        let mut rows = Vec::new();
        for summary in read.all::<SubmissionSummary>()? {
            if summary.project_id != project_id
                || !super::admin_sees(actor, summary.school_id, summary.department_id)
                || !matches!(summary.state, SubmissionState::Reviewed | SubmissionState::Published)
            {
                continue;
            }
            let Some(submission) = read.get::<Submission>(summary.id)? else { continue };
            let review = read.get::<Review>(summary.id)?.unwrap_or_else(|| Review::new(summary.id));
            let visible = actor.is(Role::CityAdmin) || submission.state == SubmissionState::Published;
            let filing = submission.versions.last().map(|v| &v.filing).unwrap_or(&submission.filing);
            rows.push(ResultRow {
                submission_id: summary.id,
                teacher_name: read.get::<Account>(summary.teacher_id)?.map(|a| a.name).unwrap_or_default(),
                school_name: schools.get(&summary.school_id).map(|s| s.name.clone()).unwrap_or_default(),
                department_name: departments.get(&summary.department_id).cloned().unwrap_or_default(),
                applied_subject: summary.applied_subject.clone(),
                titles: summary.titles.clone(),
                state: summary.state,
                expert_grades: if actor.is(Role::CityAdmin) {
                    review.grades().into_iter().map(String::from).collect()
                } else {
                    Vec::new()
                },
                result: submission.result.clone().filter(|_| visible),
                valid_this_year_only: uses_restricted_type(filing, &project.catalogue),
            });
        }
        rows.sort_by_key(|row| row.submission_id);
        Ok(rows)
    }

    /// The results as an .xlsx workbook (same rows and scope as `list_results`).
    pub fn export_results_xlsx(&self, actor: &Actor, project_id: u64) -> ServiceResult<Vec<u8>> {
        let rows = self.list_results(actor, project_id)?;
        let internal = |error: rust_xlsxwriter::XlsxError| ServiceError::Internal(error.to_string());
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("鉴定结果").map_err(internal)?;
        let header = [
            "编号",
            "姓名",
            "工作单位",
            "上级主管部门",
            "申报学科",
            "成果题目",
            "专家评审等级",
            "最终等级",
            "最终鉴定意见",
            "有效期",
            "公布时间",
        ];
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (column, title) in header.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *title, &bold).map_err(internal)?;
        }
        for (index, row) in rows.iter().enumerate() {
            let line = index as u32 + 1;
            let result = row.result.as_ref();
            let cells = [
                row.submission_id.to_string(),
                row.teacher_name.clone(),
                row.school_name.clone(),
                row.department_name.clone(),
                row.applied_subject.clone(),
                row.titles.join("；"),
                row.expert_grades.join("、"),
                result.map(|r| r.grade.clone()).unwrap_or_default(),
                result.map(|r| r.opinion.clone()).unwrap_or_default(),
                if row.valid_this_year_only { "当年有效".into() } else { String::new() },
                result.and_then(|r| r.published_at).map(clock::minute).unwrap_or_default(),
            ];
            for (column, value) in cells.iter().enumerate() {
                sheet.write_string(line, column as u16, value).map_err(internal)?;
            }
        }
        sheet.autofit();
        workbook.save_to_buffer().map_err(internal)
    }

    /// Each expert's progress on a project (city only).
    pub fn expert_progress(&self, actor: &Actor, project_id: u64) -> ServiceResult<Vec<ExpertProgress>> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以查看评审进度")?;
        let read = self.store.read()?;
        let mut progress: HashMap<u64, ExpertProgress> = HashMap::new();
        for summary in read.all::<SubmissionSummary>()? {
            if summary.project_id != project_id {
                continue;
            }
            let Some(review) = read.get::<Review>(summary.id)? else { continue };
            for assignment in &review.assignments {
                let entry = progress.entry(assignment.expert_id).or_insert_with(|| ExpertProgress {
                    expert_id: assignment.expert_id,
                    name: String::new(),
                    assigned: 0,
                    submitted: 0,
                    declined: 0,
                });
                if assignment.active() {
                    entry.assigned += 1;
                    entry.submitted += usize::from(assignment.submitted_at.is_some());
                } else {
                    entry.declined += 1;
                }
            }
        }
        let mut rows: Vec<ExpertProgress> = progress.into_values().collect();
        for row in &mut rows {
            row.name = read.get::<Account>(row.expert_id)?.map(|a| a.name).unwrap_or_default();
        }
        rows.sort_by_key(|row| row.expert_id);
        Ok(rows)
    }
}
