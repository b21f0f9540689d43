//! Appraisal projects over the API: list and read (every signed-in account: teachers and schools see project
//! names), create, change settings, replace the catalogue, copy last year's project, and what the project's
//! submissions already use (city admin). Adapters over the same service functions as the console pages.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::auth::Auth;
use super::models_projects::*;
use super::{ApiResult, Tag};
use crate::service::Services;
use crate::service::permits::Duty;
use crate::service::projects::NewProject;

pub struct ProjectApi;

#[OpenApi]
impl ProjectApi {
    /// Every project, newest first.
    #[oai(path = "/projects", method = "get", tag = "Tag::Projects")]
    async fn projects(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<ProjectOut>> {
        let projects = services.list_projects(auth.actor())?;
        Ok(Json(projects.iter().map(ProjectOut::from).collect()))
    }

    /// Opens a project with SPEC §3's defaults (city admin).
    #[oai(path = "/projects", method = "post", tag = "Tag::Projects")]
    async fn create_project(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<ProjectIn>,
    ) -> ApiResult<ProjectOut> {
        let input = NewProject {
            name: body.name.clone(),
            year: body.year,
            filing_start: body.filing_start,
            filing_end: body.filing_end,
        };
        Ok(Json(ProjectOut::from(&services.create_project(auth.actor(), &input)?)))
    }

    /// One project with its catalogue.
    #[oai(path = "/projects/:id", method = "get", tag = "Tag::Projects")]
    async fn project(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<ProjectOut> {
        Ok(Json(ProjectOut::from(&services.get_project(auth.actor(), id.0)?)))
    }

    /// Replaces every setting but the catalogue (city admin). Refused (422, with the field) when it would strand a
    /// submission: see `GET /projects/{id}/usage` and the rules in the console.
    #[oai(path = "/projects/:id", method = "put", tag = "Tag::Projects")]
    async fn update_project(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<ProjectSettingsIn>,
    ) -> ApiResult<ProjectOut> {
        services.permit(auth.actor(), Duty::ManageProjects)?;
        let settings = body.to_settings();
        Ok(Json(ProjectOut::from(&services.update_project(auth.actor(), id.0, &settings)?)))
    }

    /// Replaces the achievement catalogue (city admin), checked like the console's editor.
    #[oai(path = "/projects/:id/catalogue", method = "put", tag = "Tag::Projects")]
    async fn update_catalogue(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<Vec<CatalogueTypeIo>>,
    ) -> ApiResult<ProjectOut> {
        services.permit(auth.actor(), Duty::ManageProjects)?;
        let catalogue = catalogue_in(&body)?;
        Ok(Json(ProjectOut::from(&services.update_catalogue(auth.actor(), id.0, &catalogue)?)))
    }

    /// 复制往年项目: a new project for `year` with every setting and the catalogue of this one.
    #[oai(path = "/projects/:id/copy", method = "post", tag = "Tag::Projects")]
    async fn copy_project(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<CopyIn>,
    ) -> ApiResult<ProjectOut> {
        Ok(Json(ProjectOut::from(&services.copy_project(auth.actor(), id.0, body.year, &body.name)?)))
    }

    /// What the project's submissions use (what an edit may no longer change).
    #[oai(path = "/projects/:id/usage", method = "get", tag = "Tag::Projects")]
    async fn usage(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<UsageOut> {
        Ok(Json(UsageOut::from(&services.project_usage(auth.actor(), id.0)?)))
    }
}
