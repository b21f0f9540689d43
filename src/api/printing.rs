//! The printing operations of `/api/v1` (SPEC §7, §10): registration forms and published 鉴定意见 as PDF, a
//! school's bundle (streamed), and the public look-up of verification codes. Adapters over `service::printing`
//! and `service::verification`, exactly as the pages are.

use std::sync::Arc;

use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::auth::Auth;
use super::errors::ApiError;
use super::models_printing::{PublishedResultOut, VerificationOut};
use crate::files::content_disposition;
use crate::service::Services;
use crate::web::ctx::client_address;

#[derive(Tags)]
enum PrintTag {
    /// Printed documents (PDF) and their verification codes.
    Printing,
}

/// A PDF shown inline, with its file name (RFC 5987, Chinese kept).
#[derive(ApiResponse)]
pub enum PdfResponse {
    /// The PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Body>,
        /// `inline` with the file name, e.g. `filename*=UTF-8''%E6%88%90…pdf`.
        #[oai(header = "Content-Disposition")]
        String,
        /// Never cached: the document holds personal data.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

impl PdfResponse {
    fn new(file_name: &str, body: impl Into<Body>) -> Self {
        PdfResponse::Pdf(Binary(body.into()), content_disposition(true, file_name), "private, no-store".to_owned())
    }
}

pub struct PrintingApi;

#[OpenApi]
impl PrintingApi {
    /// The 成果鉴定登记表 of a submission: the caller's own (its working copy) or one in an admin's scope (the
    /// latest submitted version). Prints a fresh verification code unless the same content was printed before.
    #[oai(path = "/submissions/:id/registration-form", method = "get", tag = "PrintTag::Printing")]
    async fn registration_form(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> Result<PdfResponse, ApiError> {
        let pdf = services.print_registration(auth.actor(), id.0).await?;
        Ok(PdfResponse::new(&pdf.file_name, pdf.bytes))
    }

    /// The published 鉴定意见 of a submission (the caller's own, or in an admin's scope); `not_found` until the
    /// result is published.
    #[oai(path = "/submissions/:id/opinion", method = "get", tag = "PrintTag::Printing")]
    async fn opinion(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> Result<PdfResponse, ApiError> {
        let pdf = services.print_opinion(auth.actor(), id.0).await?;
        Ok(PdfResponse::new(&pdf.file_name, pdf.bytes))
    }

    /// Every registration form of a school's teachers whose submission to the project (default: the newest)
    /// passed the school's review, one page each, as one streamed PDF. `conflict` when there is none.
    #[oai(path = "/schools/:id/registration-forms", method = "get", tag = "PrintTag::Printing")]
    async fn school_bundle(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        project_id: Query<Option<u64>>,
    ) -> Result<PdfResponse, ApiError> {
        let stream = services.print_school_bundle(auth.actor(), id.0, project_id.0).await?;
        let file_name = stream.file_name.clone();
        Ok(PdfResponse::new(&file_name, Body::from_bytes_stream(stream.into_stream())))
    }

    /// The signed-in teacher's published results, newest project first (empty for other roles).
    #[oai(path = "/me/results", method = "get", tag = "PrintTag::Printing")]
    async fn my_results(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
    ) -> Result<Json<Vec<PublishedResultOut>>, ApiError> {
        let results = services.published_results(auth.actor())?;
        Ok(Json(results.into_iter().map(PublishedResultOut::from).collect()))
    }

    /// Checks a printed verification code. Public (no credentials), rate-limited per client address (`throttled`,
    /// 429). An unknown code answers `not_found` with the message 验证码不存在，请核对.
    #[oai(path = "/verifications/:code", method = "get", tag = "PrintTag::Printing")]
    async fn verify(
        &self,
        services: Data<&Arc<Services>>,
        request: &poem::Request,
        code: Path<String>,
    ) -> Result<Json<VerificationOut>, ApiError> {
        let address = client_address(request, &services);
        match services.verify_code(&address, &code.0)? {
            Some(record) => Ok(Json(VerificationOut::from(record))),
            None => {
                Err(ApiError::NotFound(super::errors::body("not_found", crate::service::verification::UNKNOWN_CODE)))
            }
        }
    }
}
