//! Administration endpoints for organisations and accounts: edit departments and schools, progress overviews,
//! admin and expert accounts, disabling / enabling any managed account, the audit log and the caller's API
//! tokens. Adapters over the same service functions as the console pages.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::auth::Auth;
use super::enums::{AdminRoleCode, OrgKindCode};
use super::models::{DepartmentOut, Done, SchoolOut};
use super::models_admin::*;
use super::{ApiResult, Tag};
use crate::domain::SchoolType;
use crate::domain::account::Role;
use crate::domain::org::OrgRef;
use crate::service::audit_view::{AuditQuery, ChainState};
use crate::service::experts::{ExpertInput, ExpertQuery};
use crate::service::org_admin::{DepartmentChange, SchoolChange};
use crate::service::{ServiceError, Services};

pub struct OrgApi;

fn org_of(kind: OrgKindCode, id: u64) -> Option<OrgRef> {
    match kind {
        OrgKindCode::School => Some(OrgRef::School(id)),
        OrgKindCode::Department => Some(OrgRef::Department(id)),
    }
}

fn expert_input(body: &ExpertIn) -> ExpertInput {
    ExpertInput {
        id_number: body.id_number.clone(),
        name: body.name.clone(),
        org: org_of(body.org_kind, body.org_id),
        subjects: body.subjects.clone(),
    }
}

#[OpenApi]
impl OrgApi {
    /// One department in the caller's scope.
    #[oai(path = "/departments/:id", method = "get", tag = "Tag::Organisations")]
    async fn department(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<DepartmentOut> {
        Ok(Json(services.get_department(auth.actor(), id.0)?.into()))
    }

    /// Renames, disables or enables a department (city admin).
    #[oai(path = "/departments/:id", method = "put", tag = "Tag::Organisations")]
    async fn update_department(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<DepartmentUpdate>,
    ) -> ApiResult<DepartmentOut> {
        let change = DepartmentChange { name: body.name.clone(), disabled: body.disabled };
        Ok(Json(services.update_department(auth.actor(), id.0, &change)?.into()))
    }

    /// Per-school progress of a department's schools.
    #[oai(path = "/departments/:id/progress", method = "get", tag = "Tag::Organisations")]
    async fn department_progress(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        project_id: Query<Option<u64>>,
    ) -> ApiResult<Vec<SchoolProgressOut>> {
        let lines = services.progress_overview(auth.actor(), Some(id.0), None, project_id.0)?;
        Ok(Json(lines.iter().map(SchoolProgressOut::from).collect()))
    }

    /// One school in the caller's scope.
    #[oai(path = "/schools/:id", method = "get", tag = "Tag::Organisations")]
    async fn school(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<SchoolOut> {
        Ok(Json(services.get_school(auth.actor(), id.0)?.into()))
    }

    /// Renames a school, changes its type, disables or enables it (city admin).
    #[oai(path = "/schools/:id", method = "put", tag = "Tag::Organisations")]
    async fn update_school(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<SchoolUpdate>,
    ) -> ApiResult<SchoolOut> {
        let school_type = body.school_type.map(SchoolType::from);
        let change = SchoolChange { name: body.name.clone(), school_type, disabled: body.disabled };
        Ok(Json(services.update_school(auth.actor(), id.0, &change)?.into()))
    }

    /// Teachers per progress value (未选择项目, 未填报, 暂存, 待学校审核 …) of one school.
    #[oai(path = "/schools/:id/progress", method = "get", tag = "Tag::Organisations")]
    async fn school_progress(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        project_id: Query<Option<u64>>,
    ) -> ApiResult<SchoolProgressOut> {
        let lines = services.progress_overview(auth.actor(), None, Some(id.0), project_id.0)?;
        let line = lines.first().ok_or(ServiceError::NotFound("学校不存在"))?;
        Ok(Json(SchoolProgressOut::from(line)))
    }

    /// The admin accounts of a department or a school (`department_id` or `school_id`).
    #[oai(path = "/admins", method = "get", tag = "Tag::Accounts")]
    async fn admins(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        department_id: Query<Option<u64>>,
        school_id: Query<Option<u64>>,
    ) -> ApiResult<Vec<AdminOut>> {
        let admins = services.list_admins_of(auth.actor(), department_id.0, school_id.0)?;
        Ok(Json(admins.iter().map(AdminOut::from).collect()))
    }

    /// Opens a department-admin (city admin) or school-admin account, with the default password `00000000`.
    #[oai(path = "/admins", method = "post", tag = "Tag::Accounts")]
    async fn create_admin(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<AdminIn>,
    ) -> ApiResult<AdminOut> {
        let (role, org) = match body.role {
            AdminRoleCode::DepartmentAdmin => (Role::DepartmentAdmin, OrgRef::Department(body.org_id)),
            AdminRoleCode::SchoolAdmin => (Role::SchoolAdmin, OrgRef::School(body.org_id)),
        };
        let input =
            crate::service::accounts::NewAdmin { role, org, username: body.username.clone(), name: body.name.clone() };
        Ok(Json(AdminOut::from(&services.create_admin(auth.actor(), &input)?)))
    }

    /// Disables an account the caller manages (its sessions end; nothing is deleted).
    #[oai(path = "/accounts/:id/disable", method = "post", tag = "Tag::Accounts")]
    async fn disable_account(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.set_account_disabled(auth.actor(), id.0, true)?;
        Ok(Json(Done { ok: true }))
    }

    /// Enables an account the caller manages.
    #[oai(path = "/accounts/:id/enable", method = "post", tag = "Tag::Accounts")]
    async fn enable_account(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.set_account_disabled(auth.actor(), id.0, false)?;
        Ok(Json(Done { ok: true }))
    }

    /// Experts (city admin), filtered by name / ID number and subject, one page at a time.
    #[oai(path = "/experts", method = "get", tag = "Tag::Experts")]
    async fn experts(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        q: Query<Option<String>>,
        subject: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<ExpertPage> {
        let query = ExpertQuery {
            q: q.0.unwrap_or_default(),
            subject: subject.0.unwrap_or_default(),
            page: page.0.unwrap_or(1) as usize,
            per_page: per_page.0.unwrap_or(0) as usize,
        };
        let paged = services.list_experts(auth.actor(), &query)?;
        Ok(Json(ExpertPage {
            total: paged.total as u64,
            page: paged.page as u64,
            per_page: paged.per_page as u64,
            items: paged.items.iter().map(ExpertOut::from).collect(),
        }))
    }

    /// Opens an expert account (city admin), default password `00000000`.
    #[oai(path = "/experts", method = "post", tag = "Tag::Experts")]
    async fn create_expert(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<ExpertIn>,
    ) -> ApiResult<ExpertOut> {
        Ok(Json(ExpertOut::from(&services.create_expert(auth.actor(), &expert_input(&body))?)))
    }

    #[oai(path = "/experts/:id", method = "get", tag = "Tag::Experts")]
    async fn expert(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<ExpertOut> {
        Ok(Json(ExpertOut::from(&services.get_expert(auth.actor(), id.0)?)))
    }

    /// Changes an expert's 姓名, organisation and subjects (the ID number stays).
    #[oai(path = "/experts/:id", method = "put", tag = "Tag::Experts")]
    async fn update_expert(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<ExpertIn>,
    ) -> ApiResult<ExpertOut> {
        Ok(Json(ExpertOut::from(&services.update_expert(auth.actor(), id.0, &expert_input(&body))?)))
    }

    /// The audit log (city admin), newest first, with the state of its hash chain. `from` / `to` are Shanghai
    /// dates (`yyyy-mm-dd`), both inclusive.
    #[oai(path = "/audit", method = "get", tag = "Tag::Audit")]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        actor: Query<Option<String>>,
        action: Query<Option<String>>,
        target: Query<Option<String>>,
        from: Query<Option<chrono::NaiveDate>>,
        to: Query<Option<chrono::NaiveDate>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<AuditPage> {
        let query = AuditQuery {
            actor: actor.0.unwrap_or_default(),
            action: action.0.unwrap_or_default(),
            target: target.0.unwrap_or_default(),
            from: from.0,
            to: to.0,
            page: page.0.unwrap_or(1) as usize,
            per_page: per_page.0.unwrap_or(0) as usize,
        };
        let (paged, chain) = services.list_audit(auth.actor(), &query)?;
        Ok(Json(AuditPage {
            total: paged.total as u64,
            page: paged.page as u64,
            per_page: paged.per_page as u64,
            chain_intact: matches!(chain, ChainState::Intact(_)),
            chain_broken_at: match chain {
                ChainState::Broken(at) => Some(at),
                ChainState::Intact(_) => None,
            },
            items: paged.items.iter().map(AuditEntryOut::from).collect(),
        }))
    }

    /// The caller's API tokens (never the token text: it is shown once, at creation in the console).
    #[oai(path = "/tokens", method = "get", tag = "Tag::Account")]
    async fn tokens(&self, services: Data<&Arc<Services>>, auth: Auth) -> ApiResult<Vec<TokenOut>> {
        let tokens = services.list_api_tokens(auth.actor())?;
        Ok(Json(tokens.iter().map(TokenOut::from).collect()))
    }

    /// Revokes one of the caller's tokens (it may be the one in use).
    #[oai(path = "/tokens/:id/revoke", method = "post", tag = "Tag::Account")]
    async fn revoke_token(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<Done> {
        services.revoke_api_token(auth.actor(), id.0)?;
        Ok(Json(Done { ok: true }))
    }
}
