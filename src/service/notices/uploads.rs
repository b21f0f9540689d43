//! The publisher's uploads: streamed into the blob store under the document size cap, typed by content, and
//! their text extracted once (on a blocking thread) and kept in redb for the search index.

use tokio::io::AsyncRead;

use super::{internal, require_publisher};
use crate::domain::notice::{FileRef, UploadedFile, clean_file_name};
use crate::files::{self, FileKind, UploadError};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::{Reader, tables};

/// The kinds a notice attachment or material may be, decided by content: documents, spreadsheets (forms to
/// fill in) and ZIP bundles.
pub const UPLOAD_KINDS: [FileKind; 5] = [FileKind::Pdf, FileKind::Doc, FileKind::Docx, FileKind::Xlsx, FileKind::Zip];

impl Services {
    /// Checks that `actor` may publish before any byte of an upload is read, so other accounts cannot make the
    /// server store anything.
    pub fn may_publish(&self, actor: &Actor) -> ServiceResult<()> {
        require_publisher(actor)
    }

    /// The upload size cap for notice attachments and materials, in bytes (`uploads.document_mib`).
    pub fn notice_upload_limit(&self) -> u64 {
        self.config.uploads.document_mib.saturating_mul(1024 * 1024)
    }

    /// Streams one file into the blob store (never more than the cap is read), checks its kind by content,
    /// extracts its text and records it as uploaded by the publisher. `field` is the form field the errors
    /// are reported under. The result can then be attached with `publish_notice` / `publish_material`.
    pub async fn upload_notice_file<R: AsyncRead + Unpin>(
        &self,
        actor: &Actor,
        field: &str,
        reader: R,
        file_name: &str,
    ) -> ServiceResult<FileRef> {
        require_publisher(actor)?;
        let limit = self.notice_upload_limit();
        // Only a blob this upload created may be removed on refusal (see `discard_if_unreferenced`).
        let started = crate::clock::file_time() - std::time::Duration::from_millis(50);
        let mut reader = self.ensure_upload_space(reader, limit).await?;
        let stored = match self.blobs.put_stream(&mut reader, limit).await {
            Ok(stored) => stored,
            Err(error @ UploadError::DiskFull) => {
                return Err(crate::service::storage::upload_disk_full(&error).unwrap_or_else(ServiceError::disk_full));
            }
            Err(UploadError::TooLarge { .. }) => {
                crate::obs::upload_refused("too_large");
                // Read (and drop) a little more, so a client still sending receives the 413 rather than a reset.
                crate::service::storage::discard(&mut reader, limit.min(crate::service::storage::DRAIN_BYTES)).await;
                let message = format!("文件“{}”超过{}MB，无法上传", short(file_name), self.config.uploads.document_mib);
                return Err(ServiceError::field(field, message));
            }
            Err(UploadError::Io(error)) => return Err(internal(error)),
        };
        if !UPLOAD_KINDS.contains(&stored.kind) {
            crate::obs::upload_refused("bad_type");
            self.discard_if_unreferenced(&stored.sha256, started)?;
            return Err(ServiceError::field(
                field,
                format!(
                    "文件“{}”的类型不受支持：仅支持PDF、Word（DOC/DOCX）、Excel（XLSX）或ZIP文件（按文件内容判断）",
                    short(file_name)
                ),
            ));
        }
        let path = self.blobs.path_of(&stored.sha256).ok_or_else(|| internal("blob address"))?;
        let kind = stored.kind;
        // Parsing a document is CPU work on untrusted input: keep it off the async workers.
        let checked = tokio::task::spawn_blocking(move || {
            if kind == FileKind::Pdf && !files::pdf_is_valid(&path) {
                return (false, String::new());
            }
            // Office files are unpacked by every reader (and by people's Word): a ZIP bomb is refused now.
            if matches!(kind, FileKind::Docx | FileKind::Xlsx)
                && files::archive::check(&path, files::archive::OFFICE_LIMITS).is_err()
            {
                return (false, String::new());
            }
            let text = match files::extract_text(&path, kind) {
                Ok(text) => text,
                Err(error) => {
                    // Still a file people may download (e.g. a password-protected PDF); it just is not searchable.
                    tracing::warn!(%error, "no text extracted from an uploaded notice file");
                    String::new()
                }
            };
            (true, text)
        })
        .await
        .map_err(internal);
        let (valid, text) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                self.discard_if_unreferenced(&stored.sha256, started)?;
                return Err(error);
            }
        };
        if !valid {
            crate::obs::upload_refused("damaged");
            self.discard_if_unreferenced(&stored.sha256, started)?;
            let message = if kind == FileKind::Pdf {
                format!("文件“{}”不是完整的PDF文件", short(file_name))
            } else {
                format!("文件“{}”已损坏或内容异常（如解压后过大），无法上传", short(file_name))
            };
            return Err(ServiceError::field(field, message));
        }
        let extension = files::extension_of(kind).to_string();
        let record = UploadedFile {
            sha256: stored.sha256.clone(),
            size: stored.size,
            kind: extension.clone(),
            text,
            uploaded_by: actor.account_id,
            uploaded_at: self.clock.now(),
        };
        let name = clean_file_name(file_name, &extension);
        self.store.write(|tx| {
            tx.put_keyed(tables::NOTICE_FILES, &record.sha256, &record)?;
            audit::record(tx, Some(actor), "notice.upload", &format!("file:{}", record.sha256), &name)?;
            Ok::<_, ServiceError>(())
        })?;
        crate::obs::uploaded("notice", stored.size);
        Ok(FileRef { name, sha256: stored.sha256, size: stored.size, kind: extension })
    }

    /// The uploaded file `sha256`, if it came in through [`Self::upload_notice_file`].
    pub(super) fn uploaded_file(&self, reader: &impl Reader, sha256: &str) -> ServiceResult<Option<UploadedFile>> {
        if self.blobs.path_of(sha256).is_none() {
            return Ok(None);
        }
        Ok(reader.get_keyed(tables::NOTICE_FILES, sha256)?)
    }
}

/// A file name shortened for a message.
fn short(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut shortened: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
    if name.chars().count() > 40 {
        shortened.push('…');
    }
    shortened
}
