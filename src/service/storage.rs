//! Free disk space: uploads and saves are refused (507, `ServiceError::InsufficientStorage`) while the data
//! directory's file system has less than `uploads.min_free_mib` free, so redb and the blob store never run into
//! a full disk halfway through a write. A real `ENOSPC` that slips past the check maps to the same error.

use tokio::io::AsyncRead;

use super::{ServiceError, ServiceResult, Services};
use crate::files::UploadError;

/// How much of a refused upload is still read and thrown away, so the client receives the answer instead of a
/// connection reset in the middle of sending.
pub const DRAIN_BYTES: u64 = 64 * 1024 * 1024;

/// Reads and discards at most `at_most` bytes of `reader`.
pub async fn discard<R: AsyncRead + Unpin>(reader: R, at_most: u64) {
    use tokio::io::AsyncReadExt;
    let _ = tokio::io::copy(&mut reader.take(at_most), &mut tokio::io::sink()).await;
}

impl Services {
    /// Removes every blob that no record references and returns how many there were. Call it at start-up,
    /// before serving: nothing is uploading then, so such a blob is the file of an upload that a crash or kill
    /// interrupted between storing it and committing its record (never acknowledged to anyone). `zhiping check`
    /// reports the same files as orphans while the server is down.
    pub fn sweep_orphan_blobs(&self) -> ServiceResult<usize> {
        let referenced = crate::ops::check::referenced_files(&self.store.read()?)?;
        let stored = self.blobs.list().map_err(crate::service::notices::io_error)?;
        let mut removed = 0;
        for (sha256, _) in stored {
            if referenced.contains_key(&sha256) {
                continue;
            }
            if let Some(path) = self.blobs.path_of(&sha256)
                && std::fs::remove_file(&path).is_ok()
            {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed files no record references (uploads interrupted before their record)");
        }
        Ok(removed)
    }

    /// Free bytes on the data directory's file system.
    pub fn free_disk_bytes(&self) -> std::io::Result<u64> {
        self.blobs.free_space()
    }

    /// `InsufficientStorage` while the free space is below the reserve. Called before every upload and save.
    pub fn ensure_free_space(&self) -> ServiceResult<()> {
        match self.blobs.check_space() {
            Ok(()) => Ok(()),
            Err(_) => Err(ServiceError::disk_full()),
        }
    }

    /// As `ensure_free_space` before an upload is read, counting a refusal in
    /// `zhiping_upload_refusals_total{reason="disk_full"}`. On refusal the upload is read (up to `limit`) and
    /// discarded, so the client gets the 507 answer.
    pub(crate) async fn ensure_upload_space<R: AsyncRead + Unpin>(&self, reader: R, limit: u64) -> ServiceResult<R> {
        match self.ensure_free_space() {
            Ok(()) => Ok(reader),
            Err(error) => {
                crate::obs::upload_refused("disk_full");
                discard(reader, limit.min(DRAIN_BYTES)).await;
                Err(error)
            }
        }
    }
}

/// The service error for an upload the disk could not take.
pub(crate) fn upload_disk_full(error: &UploadError) -> Option<ServiceError> {
    matches!(error, UploadError::DiskFull).then(|| {
        crate::obs::upload_refused("disk_full");
        tracing::error!("an upload was refused: the disk is full or below uploads.min_free_mib");
        ServiceError::disk_full()
    })
}

/// An I/O failure of the file store: "disk full" when it is one, else an internal error.
pub(crate) fn io_failure(context: &str, error: std::io::Error) -> ServiceError {
    if crate::files::is_storage_full(&error) {
        tracing::error!(%error, "{context}: the disk is full");
        ServiceError::disk_full()
    } else {
        ServiceError::Internal(format!("{context}：{error}"))
    }
}
