//! `/api/v1` endpoints of 通知公告 and 资料下载 (SPEC §8, §10): list and search, detail, download, and for the city
//! admin upload, publish, edit and withdraw. Adapters over the same service functions as the pages.
//!
//! Publishing with files is two steps: stream each file to `POST /uploads` (raw body, never buffered whole,
//! cut off at the size cap), then name the returned `sha256` in the notice or material.

use std::sync::Arc;

use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, Tags};
use tokio::io::AsyncReadExt;

use super::ApiResult;
use super::auth::Auth;
use super::errors::ApiError;
use super::models_notices::*;
use crate::domain::notice::{Audience, PageRequest};
use crate::files::{self, FileKind, content_disposition};
use crate::service::notices::{Download, FileChoice, MaterialInput, NoticeInput};
use crate::service::permits::Duty;
use crate::service::{ServiceError, Services};

#[derive(Tags)]
enum Tag {
    /// 通知公告.
    Notices,
    /// 资料下载.
    Materials,
}

pub struct NoticesApi;

/// A downloaded file, as the derive builds it; [`FileDownload`] documents its real content types.
#[derive(ApiResponse)]
pub enum NoticeFileResponse {
    /// The file's bytes, with its type (PDF, DOC, DOCX, XLSX or ZIP, decided by content) and its name
    /// (RFC 6266 / RFC 5987, so Chinese names survive).
    #[oai(status = 200)]
    File(
        Binary<Body>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "X-Content-Type-Options")] String,
    ),
}

/// A notice attachment or material: the derived response, with the 200 answer documented under each content
/// type a publisher upload can have (the derive knows only one).
pub struct FileDownload(NoticeFileResponse);

impl poem_openapi::ApiResponse for FileDownload {
    fn meta() -> poem_openapi::registry::MetaResponses {
        let mut meta = NoticeFileResponse::meta();
        for response in &mut meta.responses {
            if response.status == Some(200)
                && let Some(binary) = response.content.pop()
            {
                response.content = crate::service::notices::UPLOAD_KINDS
                    .iter()
                    .chain([&crate::files::FileKind::Other])
                    .map(|kind| poem_openapi::registry::MetaMediaType {
                        content_type: files::mime_of(*kind),
                        schema: binary.schema.clone(),
                    })
                    .collect();
            }
        }
        meta
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        NoticeFileResponse::register(registry);
    }
}

impl poem::IntoResponse for FileDownload {
    fn into_response(self) -> poem::Response {
        self.0.into_response()
    }
}

type DownloadResult = Result<FileDownload, ApiError>;

#[OpenApi]
impl NoticesApi {
    /// 通知公告 the caller may read, newest first; with `q`, a ranked full-text search (title, body and the
    /// text of PDF/DOCX attachments) with highlighted snippets.
    #[oai(path = "/notices", method = "get", tag = "Tag::Notices")]
    async fn notices(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        q: Query<Option<String>>,
        page: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> ApiResult<ListPageOut> {
        let request = page_request(page.0, page_size.0);
        let text = search_text(q.0);
        Ok(Json(ListPageOut::new(services.list_notices(auth.actor(), &text, request)?, false)))
    }

    /// One notice with its attachments.
    #[oai(path = "/notices/:id", method = "get", tag = "Tag::Notices")]
    async fn notice(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<NoticeOut> {
        Ok(Json(NoticeOut::new(services.get_notice(auth.actor(), id.0)?, services.clock.now())))
    }

    /// Downloads attachment `index` (from 0) of a notice.
    #[oai(path = "/notices/:id/attachments/:index", method = "get", tag = "Tag::Notices")]
    async fn notice_attachment(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        index: Path<u64>,
    ) -> DownloadResult {
        let index = usize::try_from(index.0).map_err(|_| ServiceError::NotFound("附件不存在"))?;
        send(services.notice_attachment(auth.actor(), id.0, index)?).await
    }

    /// Publishes a notice (city admin). Attachments must have been uploaded with `POST /uploads`.
    #[oai(path = "/notices", method = "post", tag = "Tag::Notices")]
    async fn publish_notice(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<NoticeIn>,
    ) -> ApiResult<NoticeOut> {
        services.permit(auth.actor(), Duty::Publish)?;
        let input = notice_input(body.0)?;
        Ok(Json(NoticeOut::new(services.publish_notice(auth.actor(), input).await?, services.clock.now())))
    }

    /// Replaces a notice's title, body, audience and attachments (and its publish time when given).
    #[oai(path = "/notices/:id", method = "put", tag = "Tag::Notices")]
    async fn edit_notice(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<NoticeIn>,
    ) -> ApiResult<NoticeOut> {
        services.permit(auth.actor(), Duty::Publish)?;
        let input = notice_input(body.0)?;
        Ok(Json(NoticeOut::new(services.edit_notice(auth.actor(), id.0, input).await?, services.clock.now())))
    }

    /// Withdraws (撤回) a notice: it leaves every list, search and detail.
    #[oai(path = "/notices/:id/withdraw", method = "post", tag = "Tag::Notices")]
    async fn withdraw_notice(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<NoticeOut> {
        Ok(Json(NoticeOut::new(services.withdraw_notice(auth.actor(), id.0).await?, services.clock.now())))
    }

    /// Uploads one file for a notice or material (city admin): the raw bytes as the request body
    /// (`Content-Type: application/octet-stream`), `name` the file name to offer it under. PDF, DOC, DOCX, XLSX or ZIP by content, at most the configured size.
    #[oai(path = "/uploads", method = "post", tag = "Tag::Notices")]
    async fn upload(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        name: Query<String>,
        body: Binary<Body>,
    ) -> ApiResult<NoticeFileOut> {
        let reader = body.0.into_async_read();
        let file = services.upload_notice_file(auth.actor(), "file", reader, &name.0).await?;
        Ok(Json(NoticeFileOut::new(file, String::new())))
    }

    /// 资料下载 (materials), newest first; with `q`, a ranked search of names and file text.
    #[oai(path = "/materials", method = "get", tag = "Tag::Materials")]
    async fn materials(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        q: Query<Option<String>>,
        page: Query<Option<u64>>,
        page_size: Query<Option<u64>>,
    ) -> ApiResult<ListPageOut> {
        let request = page_request(page.0, page_size.0);
        let text = search_text(q.0);
        Ok(Json(ListPageOut::new(services.list_materials(auth.actor(), &text, request)?, true)))
    }

    /// One material.
    #[oai(path = "/materials/:id", method = "get", tag = "Tag::Materials")]
    async fn material(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> ApiResult<MaterialOut> {
        Ok(Json(MaterialOut::new(services.get_material(auth.actor(), id.0)?, services.clock.now())))
    }

    /// Downloads a material's file.
    #[oai(path = "/materials/:id/download", method = "get", tag = "Tag::Materials")]
    async fn material_download(&self, services: Data<&Arc<Services>>, auth: Auth, id: Path<u64>) -> DownloadResult {
        send(services.material_download(auth.actor(), id.0)?).await
    }

    /// Publishes a material (city admin); its file must have been uploaded with `POST /uploads`.
    #[oai(path = "/materials", method = "post", tag = "Tag::Materials")]
    async fn publish_material(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        body: Json<MaterialIn>,
    ) -> ApiResult<MaterialOut> {
        Ok(Json(MaterialOut::new(
            services.publish_material(auth.actor(), material_input(body.0)).await?,
            services.clock.now(),
        )))
    }

    /// Renames a material, replaces its file or moves its publish time.
    #[oai(path = "/materials/:id", method = "put", tag = "Tag::Materials")]
    async fn edit_material(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
        body: Json<MaterialIn>,
    ) -> ApiResult<MaterialOut> {
        Ok(Json(MaterialOut::new(
            services.edit_material(auth.actor(), id.0, material_input(body.0)).await?,
            services.clock.now(),
        )))
    }

    /// Withdraws a material.
    #[oai(path = "/materials/:id/withdraw", method = "post", tag = "Tag::Materials")]
    async fn withdraw_material(
        &self,
        services: Data<&Arc<Services>>,
        auth: Auth,
        id: Path<u64>,
    ) -> ApiResult<MaterialOut> {
        Ok(Json(MaterialOut::new(services.withdraw_material(auth.actor(), id.0).await?, services.clock.now())))
    }
}

fn page_request(page: Option<u64>, size: Option<u64>) -> PageRequest {
    let convert = |value: Option<u64>| value.map(|value| usize::try_from(value).unwrap_or(usize::MAX));
    PageRequest::new(convert(page), convert(size))
}

fn search_text(q: Option<String>) -> String {
    q.unwrap_or_default().trim().chars().take(100).collect()
}

fn notice_input(body: NoticeIn) -> Result<NoticeInput, ServiceError> {
    let audience = body.audience.map_or(Audience::All, Audience::from);
    Ok(NoticeInput {
        title: body.title,
        body: body.body,
        publish_at: body.publish_at,
        audience,
        attachments: body.attachments.into_iter().map(choice).collect(),
    })
}

fn material_input(body: MaterialIn) -> MaterialInput {
    MaterialInput { name: body.name, file: body.file.map(choice), publish_at: body.publish_at }
}

fn choice(file: FileChoiceIn) -> FileChoice {
    FileChoice { sha256: file.sha256, name: file.name }
}

/// Streams a stored file; the reader's right was checked by the service call that produced `download`.
async fn send(download: Download) -> DownloadResult {
    let file = tokio::fs::File::open(&download.path).await.map_err(|error| {
        tracing::error!(%error, "a stored file could not be opened");
        ServiceError::NotFound("文件不存在")
    })?;
    let kind = FileKind::from_extension(&download.file.kind).unwrap_or(FileKind::Other);
    let body = Body::from_async_read(file.take(download.file.size));
    Ok(FileDownload(NoticeFileResponse::File(
        Binary(body),
        files::mime_of(kind).to_string(),
        content_disposition(false, &download.file.name),
        "nosniff".into(),
    )))
}
