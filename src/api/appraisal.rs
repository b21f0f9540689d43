//! The teacher's own appraisal over the API (read, 暂存, 提交, 撤回, file upload / removal / download), on the
//! same service functions as the pages. The integrity pledge is accepted in the web form only (its 15-second
//! rule is kept in the browser session); until then saving answers `conflict`.

use std::sync::Arc;

use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::ApiResult;
use super::auth::Auth;
use super::errors::{ApiError, ErrorBody};
use super::models_appraisal::{AppraisalOut, FileOut, FilingIn, field_errors_out, file_out};
use crate::files::content_disposition;
use crate::service::submissions::{FileChange, FileSlot, FileTarget, FilingEdit, SubmitOutcome};
use crate::service::{ServiceError, Services};

#[derive(Tags)]
enum Tag {
    /// The signed-in teacher's own 教科研成果鉴定: read, 暂存, 提交, 撤回, files.
    #[oai(rename = "TeacherFiling")]
    Filing,
    /// Stored files of submissions, for readers in scope.
    #[oai(rename = "SubmissionFiles")]
    Files,
}

pub struct AppraisalApi;

#[derive(ApiResponse)]
pub enum FileDownload {
    /// The file's bytes; `Content-Disposition` carries the name.
    #[oai(status = 200)]
    Ok(Binary<Body>, #[oai(header = "Content-Disposition")] String, #[oai(header = "X-Content-Type-Options")] String),
}

fn appraisal_of(services: &Services, auth: &Auth) -> ApiResult<AppraisalOut> {
    Ok(Json(AppraisalOut::from(&services.appraisal(auth.actor())?)))
}

/// Where a file goes in an achievement (the page form's names).
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
pub enum SlotParam {
    /// 成果上传
    #[oai(rename = "achievement_file")]
    AchievementFile,
    /// 个人贡献情况表
    #[oai(rename = "contribution_file")]
    ContributionFile,
    #[oai(rename = "evidence.formal")]
    EvidenceFormal,
    #[oai(rename = "evidence.public")]
    EvidencePublic,
    #[oai(rename = "evidence.unit_signed")]
    EvidenceUnitSigned,
    #[oai(rename = "evidence.award")]
    EvidenceAward,
    #[oai(rename = "evidence.exchange")]
    EvidenceExchange,
    #[oai(rename = "evidence.school_course")]
    EvidenceSchoolCourse,
    #[oai(rename = "evidence.project")]
    EvidenceProject,
    #[oai(rename = "evidence.own_resource")]
    EvidenceOwnResource,
}

fn slot_of(slot: SlotParam) -> FileSlot {
    use crate::domain::catalogue::EvidenceSlot;
    match slot {
        SlotParam::AchievementFile => FileSlot::Achievement,
        SlotParam::ContributionFile => FileSlot::Contribution,
        SlotParam::EvidenceFormal => FileSlot::Evidence(EvidenceSlot::Formal),
        SlotParam::EvidencePublic => FileSlot::Evidence(EvidenceSlot::Public),
        SlotParam::EvidenceUnitSigned => FileSlot::Evidence(EvidenceSlot::UnitSigned),
        SlotParam::EvidenceAward => FileSlot::Evidence(EvidenceSlot::Award),
        SlotParam::EvidenceExchange => FileSlot::Evidence(EvidenceSlot::Exchange),
        SlotParam::EvidenceSchoolCourse => FileSlot::Evidence(EvidenceSlot::SchoolCourse),
        SlotParam::EvidenceProject => FileSlot::Evidence(EvidenceSlot::Project),
        SlotParam::EvidenceOwnResource => FileSlot::Evidence(EvidenceSlot::OwnResource),
    }
}

#[OpenApi]
impl AppraisalApi {
    /// The teacher's appraisal for the project the school chose (403 `forbidden` with the 无权限 text if none).
    #[oai(path = "/me/appraisal", method = "get", tag = "Tag::Filing")]
    async fn read(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<AppraisalOut> {
        appraisal_of(&services, &auth)
    }

    /// 暂存: stores the values as given (files stay with the achievement at the same position). No required
    /// fields; format problems come back in `format_errors` without blocking. ★ types the teacher's school type
    /// may not file are refused (422).
    #[oai(path = "/me/appraisal", method = "put", tag = "Tag::Filing")]
    async fn save(&self, services: Data<&Arc<Services>>, auth: Auth, body: Json<FilingIn>) -> ApiResult<AppraisalOut> {
        let edit = FilingEdit::keeping_files(body.to_filing());
        services.save_draft(auth.actor(), &edit)?;
        appraisal_of(&services, &auth)
    }

    /// 提交: validates everything. 422 `invalid` lists every failing field (the values are saved as a draft
    /// all the same); success answers the submitted appraisal (state `submitted`).
    #[oai(path = "/me/appraisal/submit", method = "post", tag = "Tag::Filing")]
    async fn submit(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<FilingIn>,
    ) -> ApiResult<AppraisalOut> {
        let edit = FilingEdit::keeping_files(body.to_filing());
        match services.submit(auth.actor(), &edit)? {
            SubmitOutcome::Submitted(_) => appraisal_of(&services, &auth),
            SubmitOutcome::Incomplete { errors, .. } => Err(ApiError::Invalid(Json(ErrorBody {
                code: "invalid".into(),
                message: "提交的信息有误，已暂存".into(),
                fields: field_errors_out(errors),
            }))),
        }
    }

    /// 撤回: back to a draft while the school has not acted and the filing window is open.
    #[oai(path = "/me/appraisal/withdraw", method = "post", tag = "Tag::Filing")]
    async fn withdraw(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<AppraisalOut> {
        services.withdraw(auth.actor(), None)?;
        appraisal_of(&services, &auth)
    }

    /// Uploads one file (the raw bytes as an `application/octet-stream` body, streamed) into achievement `index`
    /// (0-based) at `slot`: `achievement_file`, `contribution_file` or `evidence.{formal|public|unit_signed|award|
    /// exchange|school_course|project|own_resource}`. `index` must be below the project's `max_achievements`
    /// (422 `invalid` otherwise, before any byte is read); an index past the last achievement adds empty ones up
    /// to it. Only this slot changes, on the draft as stored when the upload completes. The type is decided by the
    /// content; WORD/PDF ≤ 20 MB, and MP4/ZIP ≤ 500 MB for a 自创资源 achievement file; image-only PDFs are refused
    /// as achievement files.
    #[oai(path = "/me/appraisal/achievements/:index/files/:slot", method = "put", tag = "Tag::Filing")]
    async fn upload(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        index: Path<u64>,
        slot: Path<SlotParam>,
        /// The file's name (for display and downloads).
        name: Query<String>,
        body: Binary<Body>,
    ) -> ApiResult<FileOut> {
        let actor = auth.actor();
        let permit = services.upload_permit(actor)?;
        let target = permit.target(index.0, slot_of(slot.0))?;
        let received = services.receive_upload(actor, &permit, target, None, &name.0, body.0.into_async_read()).await?;
        let file = file_out(received.file());
        services.change_file(actor, FileChange::Put(received))?;
        Ok(Json(file))
    }

    /// Removes the file at `slot` of achievement `index` from the draft (earlier submitted versions keep theirs).
    /// An index at or past the project's `max_achievements` is 422 `invalid`; an achievement the draft does not
    /// have is 404 `not_found`. Only this slot changes.
    #[oai(path = "/me/appraisal/achievements/:index/files/:slot", method = "delete", tag = "Tag::Filing")]
    async fn remove_file(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        index: Path<u64>,
        slot: Path<SlotParam>,
    ) -> ApiResult<AppraisalOut> {
        // The service checks the position against the project's limit before it reads or sizes anything.
        let target = FileTarget { achievement: usize::try_from(index.0).unwrap_or(usize::MAX), slot: slot_of(slot.0) };
        services.change_file(auth.actor(), FileChange::Remove(target))?;
        appraisal_of(&services, &auth)
    }

    /// A stored file the caller may read (its own submission's, or one in an admin's scope).
    #[oai(path = "/files/:sha256", method = "get", tag = "Tag::Files")]
    async fn download(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        sha256: Path<String>,
        /// Name for the download (defaults to the hash).
        name: Query<Option<String>>,
    ) -> Result<FileDownload, ApiError> {
        let found = services.open_download(auth.actor(), &sha256.0)?;
        let file =
            tokio::fs::File::open(&found.path).await.map_err(|_| ServiceError::NotFound("文件不存在或无权查看"))?;
        let name = name.0.unwrap_or_else(|| format!("{}.{}", sha256.0, crate::files::extension_of(found.kind)));
        Ok(FileDownload::Ok(Binary(Body::from_async_read(file)), content_disposition(false, &name), "nosniff".into()))
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::{SlotParam, slot_of};
    use crate::service::submissions::FileSlot;

    #[test]
    fn every_documented_slot_is_the_form_slot_of_the_same_name() {
        use SlotParam::*;
        let all = [
            AchievementFile,
            ContributionFile,
            EvidenceFormal,
            EvidencePublic,
            EvidenceUnitSigned,
            EvidenceAward,
            EvidenceExchange,
            EvidenceSchoolCourse,
            EvidenceProject,
            EvidenceOwnResource,
        ];
        for slot in all {
            let name = slot.to_json().and_then(|json| json.as_str().map(str::to_string)).expect("name");
            assert_eq!(FileSlot::from_code(&name), Some(slot_of(slot)), "{name}");
        }
    }
}
