//! The review chain over the API (SPEC §10): submissions (list with filters and paging, detail, history),
//! school/department approve and return, the city's acceptance, expert assignment, grades, final results,
//! publication and the export; the expert's blind appraisal; the teacher's messages. Adapters over the same
//! service functions as the pages.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{OpenApi, Tags};

use super::auth::Auth;
use super::enums::SubmissionStateCode;
use super::errors::ApiError;
use super::models::Done;
use super::models_review::*;
use crate::domain::submission::SubmissionState;
use crate::service::review::admin::ListFilter;
use crate::service::review::expert::GradeAction;
use crate::service::{ServiceError, Services};

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Tags)]
enum Tag {
    /// Submissions under review (school, department, city).
    Submissions,
    /// Acceptance and expert assignment (city).
    Assignments,
    /// Final grades, publication and export (city; results in scope for the others).
    Results,
    /// The expert's appraisal (blind).
    Appraisal,
    /// The teacher's 消息提醒.
    Messages,
}

pub struct ReviewApi;

fn state_out(submission: &crate::domain::submission::Submission) -> StateOut {
    StateOut { id: submission.id, state: submission.state.into(), state_label: submission.state.label().into() }
}

#[OpenApi]
impl ReviewApi {
    /// Submissions in the caller's scope (drafts left out), newest first, with counts per state.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/submissions", method = "get", tag = "Tag::Submissions")]
    async fn submissions(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        project_id: Query<Option<u64>>,
        state: Query<Option<SubmissionStateCode>>,
        school_id: Query<Option<u64>>,
        q: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<SubmissionPage> {
        let state = state.0.map(SubmissionState::from);
        let filter = ListFilter {
            project_id: project_id.0,
            state,
            school_id: school_id.0,
            query: q.0.unwrap_or_default(),
            page: page.0.unwrap_or(1) as usize,
            per_page: per_page.0.unwrap_or(0) as usize,
        };
        let list = services.list_submissions(auth.actor(), &filter)?;
        Ok(Json(SubmissionPage {
            total: list.total as u64,
            page: list.page as u64,
            per_page: list.per_page as u64,
            counts: list
                .counts
                .iter()
                .map(|(state, count)| StateCount {
                    state: (*state).into(),
                    label: state.label().into(),
                    count: *count as u64,
                })
                .collect(),
            items: list.rows.iter().map(SubmissionRowOut::from).collect(),
        }))
    }

    /// One submission in full (the latest submitted version).
    #[oai(path = "/submissions/:id", method = "get", tag = "Tag::Submissions")]
    async fn submission(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<SubmissionOut> {
        let loaded = services.review_submission(auth.actor(), id.0)?;
        Ok(Json(SubmissionOut::from(&loaded)))
    }

    /// Transitions (who, when, from where, why), what changed in each resubmission, and duplicate files.
    #[oai(path = "/submissions/:id/history", method = "get", tag = "Tag::Submissions")]
    async fn history(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<HistoryOut> {
        let history = services.submission_history(auth.actor(), id.0)?;
        let duplicates = services.duplicates(auth.actor(), id.0)?;
        Ok(Json(history_out(history, duplicates)))
    }

    /// School or department approval, with 材料真实性核查 `已核，与原件一致`.
    #[oai(path = "/submissions/:id/approve", method = "post", tag = "Tag::Submissions")]
    async fn approve(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<ApproveIn>,
    ) -> ApiResult<StateOut> {
        Ok(Json(state_out(&services.approve_submission(auth.actor(), id.0, &body.confirmation)?)))
    }

    /// Return to the teacher with a reason (school, department, or the city at acceptance).
    #[oai(path = "/submissions/:id/return", method = "post", tag = "Tag::Submissions")]
    async fn return_back(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<ReasonIn>,
    ) -> ApiResult<StateOut> {
        Ok(Json(state_out(&services.return_submission(auth.actor(), id.0, &body.reason)?)))
    }

    /// 受理 (city): the anonymisation gate over every file.
    #[oai(path = "/submissions/:id/accept", method = "post", tag = "Tag::Assignments")]
    async fn accept(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<AcceptOut> {
        let services = Arc::clone(&services);
        let actor = auth.actor().clone();
        let id = id.0;
        let outcome = tokio::task::spawn_blocking(move || services.accept_submission(&actor, id))
            .await
            .map_err(|error| ServiceError::Internal(error.to_string()))??;
        Ok(Json(AcceptOut {
            cleared: outcome.cleared,
            hits: outcome.hits.into_iter().map(|hit| HitOut { file: hit.file, found: hit.found }).collect(),
        }))
    }

    /// Accept the anonymity risk of a flagged submission (recorded).
    #[oai(path = "/submissions/:id/accept-risk", method = "post", tag = "Tag::Assignments")]
    async fn accept_risk(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<NoteIn>,
    ) -> ApiResult<Done> {
        services.accept_anonymity_risk(auth.actor(), id.0, &body.note)?;
        Ok(Json(Done { ok: true }))
    }

    /// The experts of a submission with their grades (city).
    #[oai(path = "/submissions/:id/assignments", method = "get", tag = "Tag::Assignments")]
    async fn assignments(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<Vec<AssignmentOut>> {
        Ok(Json(services.expert_grades(auth.actor(), id.0)?.into_iter().map(AssignmentOut::from).collect()))
    }

    /// Assign one expert by hand (recusal is enforced).
    #[oai(path = "/submissions/:id/assignments", method = "post", tag = "Tag::Assignments")]
    async fn assign(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<AssignIn>,
    ) -> ApiResult<Done> {
        services.assign_expert(auth.actor(), id.0, body.expert_id)?;
        Ok(Json(Done { ok: true }))
    }

    /// Withdraw an expert (city) or decline (the expert itself), before it submitted.
    #[oai(path = "/submissions/:id/assignments/:expert_id/decline", method = "post", tag = "Tag::Assignments")]
    async fn decline(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        expert_id: Path<u64>,
        body: Json<ReasonIn>,
    ) -> ApiResult<Done> {
        services.decline_assignment(auth.actor(), id.0, expert_id.0, &body.reason)?;
        Ok(Json(Done { ok: true }))
    }

    /// Enabled experts with their organisation, subjects and load (city).
    #[oai(path = "/assignments/experts", method = "get", tag = "Tag::Assignments")]
    async fn experts(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<AssignableExpertOut>> {
        let rows = services.list_assignable_experts(auth.actor())?;
        Ok(Json(
            rows.into_iter()
                .map(|row| AssignableExpertOut {
                    id: row.account.id,
                    name: row.account.name,
                    org_name: row.org_name,
                    subjects: row.account.expert_subjects,
                    load: row.load as u64,
                })
                .collect(),
        ))
    }

    /// Automatic balanced assignment for a project.
    #[oai(path = "/projects/:id/auto-assign", method = "post", tag = "Tag::Assignments")]
    async fn auto_assign(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<AutoAssignOut> {
        let outcome = services.auto_assign_experts(auth.actor(), id.0)?;
        Ok(Json(AutoAssignOut {
            assigned: outcome.assigned as u64,
            submissions: outcome.submissions as u64,
            unfilled: outcome
                .unfilled
                .into_iter()
                .map(|(submission_id, reason)| UnfilledOut { submission_id, reason })
                .collect(),
        }))
    }

    /// 提前开始专家评审: opens expert review now, before the project's window, for every submission of the
    /// project that reached the city (city).
    #[oai(path = "/projects/:id/open-expert-review", method = "post", tag = "Tag::Assignments")]
    async fn open_expert_review(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<OpenedEarlyOut> {
        let opened = services.open_expert_review_early(auth.actor(), id.0)?;
        Ok(Json(OpenedEarlyOut { opened: opened as u64 }))
    }

    /// The final grade and opinion of a reviewed submission (city).
    #[oai(path = "/submissions/:id/result", method = "post", tag = "Tag::Results")]
    async fn set_result(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<FinalIn>,
    ) -> ApiResult<FinalOut> {
        let result = services.set_final_result(auth.actor(), id.0, &body.grade, &body.opinion, &body.reason)?;
        Ok(Json(FinalOut {
            grade: result.grade,
            opinion: result.opinion,
            decided_at: crate::clock::minute(result.decided_at),
            published_at: result.published_at.map(crate::clock::minute),
        }))
    }

    /// 公布等级: all decided results of a project, or a batch.
    #[oai(path = "/projects/:id/publish", method = "post", tag = "Tag::Results")]
    async fn publish(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<PublishIn>,
    ) -> ApiResult<PublishOut> {
        let published = services.publish_results(auth.actor(), id.0, body.submission_ids.as_deref())?;
        Ok(Json(PublishOut { published: published as u64 }))
    }

    /// Results of a project in the caller's scope.
    #[oai(path = "/projects/:id/results", method = "get", tag = "Tag::Results")]
    async fn results(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Vec<ResultOut>> {
        Ok(Json(services.list_results(auth.actor(), id.0)?.into_iter().map(ResultOut::from).collect()))
    }

    /// The results as an .xlsx workbook.
    #[oai(path = "/projects/:id/results.xlsx", method = "get", tag = "Tag::Results")]
    async fn export(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> Result<Attachment<Vec<u8>>, ApiError> {
        let bytes = services.export_results_xlsx(auth.actor(), id.0)?;
        Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename("results.xlsx"))
    }

    /// The calling expert's assignments (no identity of the teachers).
    #[oai(path = "/expert/assignments", method = "get", tag = "Tag::Appraisal")]
    async fn expert_tasks(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<ExpertTaskOut>> {
        Ok(Json(services.expert_tasks(auth.actor())?.into_iter().map(ExpertTaskOut::from).collect()))
    }

    /// One assigned submission, blind.
    #[oai(path = "/expert/assignments/:id", method = "get", tag = "Tag::Appraisal")]
    async fn expert_submission(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<ExpertSubmissionOut> {
        Ok(Json(services.expert_submission(auth.actor(), id.0)?.into()))
    }

    /// Save (暂存) or submit the expert's grade and 鉴定意见.
    #[oai(path = "/expert/assignments/:id", method = "put", tag = "Tag::Appraisal")]
    async fn appraise(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<AppraisalIn>,
    ) -> ApiResult<ExpertSubmissionOut> {
        let action = if body.submit { GradeAction::Submit } else { GradeAction::Save };
        services.save_appraisal(auth.actor(), id.0, &body.grade, &body.opinion, action)?;
        Ok(Json(services.expert_submission(auth.actor(), id.0)?.into()))
    }

    /// The calling teacher's 消息提醒, newest first (reading them here does not mark them read).
    #[oai(path = "/messages", method = "get", tag = "Tag::Messages")]
    async fn messages(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<MessageOut>> {
        Ok(Json(services.messages(auth.actor())?.into_iter().map(MessageOut::from).collect()))
    }
}
