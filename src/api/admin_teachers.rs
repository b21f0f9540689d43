//! Administration endpoints for teacher accounts: list with filters and paging, update basic info, reset, choose
//! the project (one or many), move to another school, disable / enable, bulk import with per-row results, and the
//! .xlsx exports. Adapters over the same service functions as the console pages.

use std::sync::Arc;

use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi};

use super::auth::Auth;
use super::enums::ProgressCode;
use super::errors::ApiError;
use super::models::Done;
use super::models_admin::*;
use super::{ApiResult, Tag};
use crate::domain::account::Role;
use crate::domain::progress::Progress;
use crate::service::accounts::NewTeacher;
use crate::service::imports::ImportOptions;
use crate::service::permits::Duty;
use crate::service::teacher_admin::TeacherEdit;
use crate::service::teachers::TeacherQuery;
use crate::service::{ServiceError, Services};

pub struct TeacherApi;

/// An .xlsx file.
#[derive(ApiResponse)]
pub enum XlsxFile {
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

fn xlsx(bytes: Vec<u8>, name: &str) -> Result<XlsxFile, ApiError> {
    Ok(XlsxFile::Ok(Binary(bytes), crate::files::content_disposition(false, name)))
}

fn query_of(
    school_id: Option<u64>,
    q: Option<String>,
    progress: Option<ProgressCode>,
    project_id: Option<u64>,
    page: Option<u64>,
    per_page: Option<u64>,
) -> Result<TeacherQuery, ServiceError> {
    let progress = progress.map(Progress::from);
    Ok(TeacherQuery {
        school_id,
        q: q.unwrap_or_default(),
        progress,
        project_id,
        page: page.unwrap_or(1) as usize,
        per_page: per_page.unwrap_or(0) as usize,
    })
}

#[OpenApi]
impl TeacherApi {
    // `/teachers` and `/teachers/{id}` live here whole: poem-openapi keeps one API struct's entry per path.
    /// Opens a teacher account (default password `00000000`).
    #[oai(path = "/teachers", method = "post", tag = "Tag::Teachers")]
    async fn create_teacher(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<super::models::TeacherIn>,
    ) -> ApiResult<super::models::TeacherOut> {
        let input = NewTeacher {
            school_id: body.school_id,
            id_number: body.id_number.clone(),
            name: body.name.clone(),
            education: body.education.clone(),
            degree: body.degree.clone(),
            birth: body.birth.clone(),
        };
        let account = services.create_teacher(auth.actor(), &input)?;
        Ok(Json(super::models::TeacherOut::new(&account, services.clock.now())))
    }

    /// One teacher account in the caller's scope.
    #[oai(path = "/teachers/:id", method = "get", tag = "Tag::Teachers")]
    async fn teacher(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<super::models::TeacherOut> {
        let account = services.get_account(auth.actor(), id.0)?;
        if account.role != Role::Teacher {
            return Err(ServiceError::NotFound("账号不存在").into());
        }
        Ok(Json(super::models::TeacherOut::new(&account, services.clock.now())))
    }

    /// Teachers of the caller's scope (one school with `school_id`), with school, project and progress.
    /// `q` is part of a name or a whole ID number; `progress` is `no_project`, `not_filed` or a submission state.
    #[oai(path = "/teachers", method = "get", tag = "Tag::Teachers")]
    #[allow(clippy::too_many_arguments)]
    async fn teachers(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        school_id: Query<Option<u64>>,
        q: Query<Option<String>>,
        progress: Query<Option<ProgressCode>>,
        project_id: Query<Option<u64>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<TeacherPage> {
        services.permit(auth.actor(), Duty::ListTeachers)?;
        let query = query_of(school_id.0, q.0, progress.0, project_id.0, page.0, per_page.0)?;
        let paged = services.list_teachers(auth.actor(), &query)?;
        Ok(Json(TeacherPage {
            total: paged.total as u64,
            page: paged.page as u64,
            per_page: paged.per_page as u64,
            items: paged.items.iter().map(|row| TeacherRowOut::new(row, services.clock.now())).collect(),
        }))
    }

    /// One teacher with school, project, progress and 更换单位 history.
    #[oai(path = "/teachers/:id/detail", method = "get", tag = "Tag::Teachers")]
    async fn teacher_detail(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<TeacherRowOut> {
        Ok(Json(TeacherRowOut::new(&services.teacher_row(auth.actor(), id.0)?, services.clock.now())))
    }

    /// Updates 姓名, 最高学历, 最高学位 (出生年月, when given, must agree with the ID number).
    #[oai(path = "/teachers/:id", method = "put", tag = "Tag::Teachers")]
    async fn update_teacher(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<TeacherUpdate>,
    ) -> ApiResult<TeacherRowOut> {
        let edit = TeacherEdit {
            name: body.name.clone(),
            education: body.education.clone(),
            degree: body.degree.clone(),
            birth: body.birth.clone(),
        };
        services.update_teacher(auth.actor(), id.0, &edit)?;
        Ok(Json(TeacherRowOut::new(&services.teacher_row(auth.actor(), id.0)?, services.clock.now())))
    }

    /// Resets the teacher's password to `00000000`, unfreezes it and ends its sessions.
    #[oai(path = "/teachers/:id/reset-password", method = "post", tag = "Tag::Teachers")]
    async fn reset_teacher(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.teacher_row(auth.actor(), id.0)?;
        services.reset_password(auth.actor(), id.0)?;
        Ok(Json(Done { ok: true }))
    }

    /// 选择申报项目 for one teacher (`project_id` null for none).
    #[oai(path = "/teachers/:id/project", method = "post", tag = "Tag::Teachers")]
    async fn choose_project(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<ProjectChoice>,
    ) -> ApiResult<TeacherRowOut> {
        services.choose_project(auth.actor(), id.0, body.project_id)?;
        Ok(Json(TeacherRowOut::new(&services.teacher_row(auth.actor(), id.0)?, services.clock.now())))
    }

    /// 选择申报项目 for many teachers; each gets its own outcome (teachers outside the scope are not touched).
    #[oai(path = "/teachers/project", method = "post", tag = "Tag::Teachers")]
    async fn choose_project_bulk(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<BulkProjectIn>,
    ) -> ApiResult<Vec<BulkOutcomeOut>> {
        let outcomes = services.choose_project_bulk(auth.actor(), &body.teacher_ids, body.project_id)?;
        Ok(Json(
            outcomes
                .into_iter()
                .map(|outcome| BulkOutcomeOut {
                    teacher_id: outcome.teacher_id,
                    applied: outcome.refused.is_none(),
                    reason: outcome.refused,
                })
                .collect(),
        ))
    }

    /// 更换单位: moves the teacher to another school of the caller's scope (department or city admin); its
    /// submissions follow it and the move is kept in its history.
    #[oai(path = "/teachers/:id/move", method = "post", tag = "Tag::Teachers")]
    async fn move_teacher(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<MoveIn>,
    ) -> ApiResult<TeacherRowOut> {
        services.move_teacher(auth.actor(), id.0, body.school_id, &body.reason)?;
        Ok(Json(TeacherRowOut::new(&services.teacher_row(auth.actor(), id.0)?, services.clock.now())))
    }

    /// Disables the teacher's account (never deleted).
    #[oai(path = "/teachers/:id/disable", method = "post", tag = "Tag::Teachers")]
    async fn disable_teacher(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.teacher_row(auth.actor(), id.0)?;
        services.set_account_disabled(auth.actor(), id.0, true)?;
        Ok(Json(Done { ok: true }))
    }

    #[oai(path = "/teachers/:id/enable", method = "post", tag = "Tag::Teachers")]
    async fn enable_teacher(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.teacher_row(auth.actor(), id.0)?;
        services.set_account_disabled(auth.actor(), id.0, false)?;
        Ok(Json(Done { ok: true }))
    }

    /// Bulk import from an .xlsx or .csv file sent as the request body (`application/octet-stream`, at most
    /// `uploads.import_mib` MiB, type decided by content). Columns 身份证号, 姓名, 最高学历, 最高学位, optional
    /// 出生年月, and 学校 (school full name) unless `school_id` is given. `dry_run=true` only reports; `strict=true`
    /// imports nothing when any row is refused. Every row gets its outcome and reasons.
    #[oai(path = "/teachers/import", method = "post", tag = "Tag::Teachers")]
    async fn import(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        dry_run: Query<Option<bool>>,
        strict: Query<Option<bool>>,
        school_id: Query<Option<u64>>,
        body: Binary<Body>,
    ) -> ApiResult<ImportReportOut> {
        let actor = auth.actor().clone();
        let staged = services.stage_import(&actor, body.0.into_async_read()).await?;
        let options = ImportOptions {
            default_school_id: school_id.0,
            dry_run: dry_run.0.unwrap_or(false),
            strict: strict.0.unwrap_or(false),
        };
        let worker = services.0.clone();
        let file = staged.clone();
        let report = tokio::task::spawn_blocking(move || worker.import_teachers(&actor, &file, &options))
            .await
            .map_err(|error| ServiceError::Internal(error.to_string()));
        services.discard_import(&staged);
        Ok(Json(ImportReportOut::from(&report??)))
    }

    /// The import template (.xlsx; with a 学校 column for city and department admins).
    #[oai(path = "/teachers/template", method = "get", tag = "Tag::Teachers")]
    async fn template(&self, services: Data<&Arc<Services>>, auth: Auth) -> Result<XlsxFile, ApiError> {
        xlsx(services.teacher_template(auth.actor())?, "教师导入模板.xlsx")
    }

    /// The teacher list as .xlsx, with the same filters as `GET /teachers` (every page).
    #[oai(path = "/teachers/export", method = "get", tag = "Tag::Teachers")]
    async fn export(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        school_id: Query<Option<u64>>,
        q: Query<Option<String>>,
        progress: Query<Option<ProgressCode>>,
        project_id: Query<Option<u64>>,
    ) -> Result<XlsxFile, ApiError> {
        services.permit(auth.actor(), Duty::ListTeachers)?;
        let query = query_of(school_id.0, q.0, progress.0, project_id.0, None, None)?;
        xlsx(services.export_teachers(auth.actor(), &query)?, "教师名单.xlsx")
    }

    /// The per-school progress overview as .xlsx.
    #[oai(path = "/progress/export", method = "get", tag = "Tag::Teachers")]
    async fn progress_export(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        department_id: Query<Option<u64>>,
        project_id: Query<Option<u64>>,
    ) -> Result<XlsxFile, ApiError> {
        xlsx(services.export_progress(auth.actor(), department_id.0, project_id.0)?, "填报进度.xlsx")
    }
}
