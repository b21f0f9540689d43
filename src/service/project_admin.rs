//! Appraisal projects as data, edited by the city admin (SPEC §3): every setting, the achievement catalogue, and
//! 复制往年项目 (copy last year's project). Edits are checked by `domain::project_rules` against what the project's
//! submissions already use, so an edit can never strand a filing.

use chrono::{DateTime, Months, Utc};

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::SchoolType;
use crate::domain::account::Role;
use crate::domain::catalogue::Catalogue;
use crate::domain::org::School;
use crate::domain::project::Project;
use crate::domain::project_rules::{ProjectUsage, check_change, validate};
use crate::domain::submission::Submission;
use crate::store::{Reader, tables};

/// Every setting of a project except its catalogue (edited on its own page).
#[derive(Debug, Clone)]
pub struct ProjectSettings {
    pub name: String,
    pub year: i32,
    pub school_types: Vec<SchoolType>,
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
    pub school_review_end: DateTime<Utc>,
    pub department_review_end: DateTime<Utc>,
    pub expert_review_start: DateTime<Utc>,
    pub expert_review_end: DateTime<Utc>,
    pub max_achievements: usize,
    pub department_review: bool,
    pub subjects: Vec<String>,
    pub title_names: Vec<String>,
    pub grades: Vec<String>,
    pub experts_per_submission: usize,
    pub blind_review: bool,
    pub recuse_department: bool,
}

impl ProjectSettings {
    pub fn of(project: &Project) -> Self {
        Self {
            name: project.name.clone(),
            year: project.year,
            school_types: project.school_types.clone(),
            filing_start: project.filing_start,
            filing_end: project.filing_end,
            school_review_end: project.school_review_end,
            department_review_end: project.department_review_end,
            expert_review_start: project.expert_review_start,
            expert_review_end: project.expert_review_end,
            max_achievements: project.max_achievements,
            department_review: project.department_review,
            subjects: project.subjects.clone(),
            title_names: project.title_names.clone(),
            grades: project.grades.clone(),
            experts_per_submission: project.experts_per_submission,
            blind_review: project.blind_review,
            recuse_department: project.recuse_department,
        }
    }

    fn apply(&self, project: &mut Project) {
        project.name = self.name.trim().to_string();
        project.year = self.year;
        project.school_types = SchoolType::ALL.into_iter().filter(|t| self.school_types.contains(t)).collect();
        project.filing_start = self.filing_start;
        project.filing_end = self.filing_end;
        project.school_review_end = self.school_review_end;
        project.department_review_end = self.department_review_end;
        project.expert_review_start = self.expert_review_start;
        project.expert_review_end = self.expert_review_end;
        project.max_achievements = self.max_achievements;
        project.department_review = self.department_review;
        project.subjects = clean(&self.subjects);
        project.title_names = clean(&self.title_names);
        project.grades = clean(&self.grades);
        project.experts_per_submission = self.experts_per_submission;
        project.blind_review = self.blind_review;
        project.recuse_department = self.recuse_department;
    }
}

fn clean(items: &[String]) -> Vec<String> {
    items.iter().map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect()
}

pub(crate) fn city_only(actor: &Actor) -> ServiceResult<()> {
    if actor.is(Role::CityAdmin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有市级管理员可以管理鉴定项目"))
    }
}

/// What the project's submissions use, read inside the caller's transaction.
fn usage_in(tx: &impl Reader, project_id: u64) -> ServiceResult<ProjectUsage> {
    let mut usage = ProjectUsage::default();
    for id in tx.multimap_values(tables::SUBMISSIONS_BY_KEY, &format!("project:{project_id}"))? {
        let Some(submission) = tx.get::<Submission>(id)? else { continue };
        let school_type = tx.get::<School>(submission.school_id)?.map(|school| school.school_type);
        usage.add(&submission, school_type);
    }
    Ok(usage)
}

impl Services {
    /// Every project with its number of submissions, newest first (the city admin's project list).
    pub fn project_overview(&self, actor: &Actor) -> ServiceResult<Vec<(Project, usize)>> {
        city_only(actor)?;
        let read = self.store.read()?;
        let mut projects = read.all::<Project>()?;
        projects.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
        let mut out = Vec::with_capacity(projects.len());
        for project in projects {
            let count = read.multimap_values(tables::SUBMISSIONS_BY_KEY, &format!("project:{}", project.id))?.len();
            out.push((project, count));
        }
        Ok(out)
    }

    pub fn project_usage(&self, actor: &Actor, project_id: u64) -> ServiceResult<ProjectUsage> {
        city_only(actor)?;
        let read = self.store.read()?;
        read.get::<Project>(project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
        usage_in(&read, project_id)
    }

    pub fn update_project(&self, actor: &Actor, project_id: u64, settings: &ProjectSettings) -> ServiceResult<Project> {
        city_only(actor)?;
        self.change_project(actor, project_id, "project.update", |project| settings.apply(project))
    }

    /// Replaces the project's achievement catalogue (validated with `Catalogue::validate` and the usage rules).
    pub fn update_catalogue(&self, actor: &Actor, project_id: u64, catalogue: &Catalogue) -> ServiceResult<Project> {
        city_only(actor)?;
        self.change_project(actor, project_id, "project.catalogue", |project| project.catalogue = catalogue.clone())
    }

    fn change_project(
        &self,
        actor: &Actor,
        project_id: u64,
        action: &str,
        change: impl FnOnce(&mut Project),
    ) -> ServiceResult<Project> {
        self.store.write(|tx| {
            let old = tx.get::<Project>(project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
            let mut new = old.clone();
            change(&mut new);
            if new == old {
                return Ok(old);
            }
            let usage = usage_in(tx, project_id)?;
            check_change(&old, &new, &usage).into_result().map_err(ServiceError::Invalid)?;
            tx.put(&new)?;
            let detail = format!("{}（已有申报 {} 份）", new.name, usage.submissions);
            audit::record(tx, Some(actor), action, &format!("project:{project_id}"), &detail)?;
            Ok(new)
        })
    }

    /// 复制往年项目: a new project with every setting and the catalogue of `source_id`, for `year`; every window
    /// moves by the difference in years. The name's year is replaced unless a name is given.
    pub fn copy_project(&self, actor: &Actor, source_id: u64, year: i32, name: &str) -> ServiceResult<Project> {
        city_only(actor)?;
        self.store.write(|tx| {
            let source = tx.get::<Project>(source_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
            if !(2000..=2100).contains(&year) {
                // Checked before the windows are shifted: a year far out would overflow the arithmetic.
                return Err(ServiceError::field("year", "年度应在2000到2100之间"));
            }
            let mut copy = source.clone();
            copy.id = tx.next_id()?;
            copy.year = year;
            copy.created_at = self.clock.now();
            copy.name = match name.trim() {
                "" => source.name.replace(&source.year.to_string(), &year.to_string()),
                given => given.to_string(),
            };
            let shift = |at: DateTime<Utc>| shift_years(at, year - source.year);
            copy.filing_start = shift(source.filing_start);
            copy.filing_end = shift(source.filing_end);
            copy.school_review_end = shift(source.school_review_end);
            copy.department_review_end = shift(source.department_review_end);
            copy.expert_review_start = shift(source.expert_review_start);
            copy.expert_review_end = shift(source.expert_review_end);
            validate(&copy).into_result().map_err(ServiceError::Invalid)?;
            if tx.all::<Project>()?.iter().any(|project| project.name == copy.name) {
                return Err(ServiceError::field("name", "已有同名的鉴定项目"));
            }
            tx.put(&copy)?;
            let detail = format!("{}（复制自 {}）", copy.name, source.name);
            audit::record(tx, Some(actor), "project.copy", &format!("project:{}", copy.id), &detail)?;
            Ok(copy)
        })
    }
}

/// The same moment `years` later (or earlier); 29 February becomes 28 February in a common year.
fn shift_years(at: DateTime<Utc>, years: i32) -> DateTime<Utc> {
    let months = Months::new(years.unsigned_abs().saturating_mul(12));
    let shifted = if years >= 0 { at.checked_add_months(months) } else { at.checked_sub_months(months) };
    shifted.unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn windows_move_by_whole_years() {
        let at = Utc.with_ymd_and_hms(2024, 2, 29, 1, 0, 0).single().expect("time");
        assert_eq!(shift_years(at, 1), Utc.with_ymd_and_hms(2025, 2, 28, 1, 0, 0).single().expect("time"));
        assert_eq!(shift_years(at, -4), Utc.with_ymd_and_hms(2020, 2, 29, 1, 0, 0).single().expect("time"));
    }
}
