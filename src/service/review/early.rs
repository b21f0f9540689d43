//! 提前开始专家评审: the project's expert review window is a default, not a lock. When a batch has come through
//! its reviews early, the city opens expert review for every submission that reached it (waiting for 受理 or
//! for experts, or under review); their experts may grade from then on, whatever the window says. Submissions
//! that reach the city later wait for the window, or for the city to open again.

use crate::domain::account::Role;
use crate::domain::project::Project;
use crate::domain::review::{Check, SubmissionSummary};
use crate::domain::submission::SubmissionState;
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::Reader;

/// What the city's record of the opening says (the submission's review keeps it, the audit log names it).
pub const OPENED_EARLY: &str = "提前开始专家评审";

impl Services {
    /// Opens expert review now for every submission of the project that reached the city and is not open yet;
    /// returns how many were opened. City only; refused when the window is already open or over, or when no
    /// submission is waiting.
    pub fn open_expert_review_early(&self, actor: &Actor, project_id: u64) -> ServiceResult<usize> {
        super::require(actor, Role::CityAdmin, "只有市级管理员可以提前开始专家评审")?;
        self.store.write(|tx| {
            let project = tx.get::<Project>(project_id)?.ok_or(ServiceError::NotFound("鉴定项目不存在"))?;
            let now = tx.now();
            if now > project.expert_review_end {
                return Err(ServiceError::Conflict(format!(
                    "专家评审已于 {} 截止，不能再开始",
                    crate::clock::minute(project.expert_review_end)
                )));
            }
            if now >= project.expert_review_start {
                return Err(ServiceError::Conflict("专家评审已经开始，无需提前".into()));
            }
            let mut opened = 0;
            for summary in tx.all::<SubmissionSummary>()? {
                let reached_city = matches!(summary.state, SubmissionState::Accepted | SubmissionState::UnderReview);
                if summary.project_id != project_id || !reached_city {
                    continue;
                }
                let mut review = super::admin::review_of(tx, summary.id)?;
                if review.opened_early.is_some() {
                    continue;
                }
                review.opened_early = Some(Check {
                    by: actor.account_id,
                    by_name: actor.name.clone(),
                    at: now,
                    address: actor.address.clone(),
                    statement: OPENED_EARLY.to_string(),
                });
                tx.put(&review)?;
                opened += 1;
            }
            if opened == 0 {
                return Err(ServiceError::Conflict("没有已进入市级受理或评审的成果，无需提前开始专家评审".into()));
            }
            audit::record(
                tx,
                Some(actor),
                "review.open_early",
                &format!("project:{project_id}"),
                &format!(
                    "{OPENED_EARLY}：{opened}份成果（评审开始时间原为 {}）",
                    crate::clock::minute(project.expert_review_start)
                ),
            )?;
            Ok(opened)
        })
    }
}
