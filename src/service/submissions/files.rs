//! Uploads into a teacher's submission and downloads from it (SPEC §9). An upload is streamed into the blob store
//! with the slot's size cap, then its content decides: WORD or PDF documents (≤ 20 MB), and for 自创资源's
//! achievement file also MP4 or ZIP (≤ 500 MB); a PDF must open completely, a DOCX must unpack within bounds
//! (`files::archive`), and an achievement PDF must have a
//! text layer (不接受图片扫描转PDF格式). Only then is the file recorded in `FILES` (with the submission that
//! references it) and handed back as a `Received`, the one way a file reference enters a filing.
//!
//! Every download looks the hash up in `FILES` and lets the reader through only if one of the submissions
//! referencing it is readable by them (`access::may_read`), on every request.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tokio::io::AsyncRead;

use super::{Appraisal, load_appraisal, may_read};
use crate::domain::catalogue::{Catalogue, EvidenceSlot};
use crate::domain::filing::{DOCUMENT_KINDS, FileLimits, FileRef, MEDIA_KINDS, achievement_position, file_problem};
use crate::domain::school_type::SchoolType;
use crate::domain::stored_file::StoredFile;
use crate::domain::submission::Submission;
use crate::files::{FileKind, UploadError, archive, extension_of, pdf_has_text_layer, pdf_is_valid};
use crate::service::actor::Actor;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::{Services, audit};
use crate::store::{Reader, tables};

/// Which file of an achievement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSlot {
    /// 成果上传
    Achievement,
    /// 《非独立完成的教育教学研究成果个人贡献情况表》
    Contribution,
    /// One of the eight 证明材料 slots.
    Evidence(EvidenceSlot),
}

impl FileSlot {
    /// The label used in messages.
    pub fn label(self) -> &'static str {
        match self {
            FileSlot::Achievement => "成果附件",
            FileSlot::Contribution => "个人贡献情况表",
            FileSlot::Evidence(slot) => slot.label(),
        }
    }

    /// The part of the form name after `achievements.{i}.`.
    pub fn code(self) -> String {
        match self {
            FileSlot::Achievement => "achievement_file".into(),
            FileSlot::Contribution => "contribution_file".into(),
            FileSlot::Evidence(slot) => format!("evidence.{}", slot.code()),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "achievement_file" => Some(FileSlot::Achievement),
            "contribution_file" => Some(FileSlot::Contribution),
            _ => code.strip_prefix("evidence.").and_then(EvidenceSlot::from_code).map(FileSlot::Evidence),
        }
    }
}

/// A file place in the filing: achievement index (0-based) and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileTarget {
    pub achievement: usize,
    pub slot: FileSlot,
}

impl FileTarget {
    /// The form input name and field-error key, e.g. `achievements.0.evidence.formal`.
    pub fn key(&self) -> String {
        format!("achievements.{}.{}", self.achievement, self.slot.code())
    }

    /// A target a request names by position, refused (`Invalid`, keyed by the target, before anything is sized
    /// or stored by the position) unless the project's limit `max` allows that achievement.
    pub fn checked(position: u64, slot: FileSlot, max: usize) -> ServiceResult<FileTarget> {
        match achievement_position(position, max) {
            Ok(achievement) => Ok(FileTarget { achievement, slot }),
            Err(message) => Err(ServiceError::field(&format!("achievements.{position}.{}", slot.code()), message)),
        }
    }

    /// The inverse of `key`.
    pub fn parse(key: &str) -> Option<Self> {
        let rest = key.strip_prefix("achievements.")?;
        let (index, slot) = rest.split_once('.')?;
        Some(FileTarget { achievement: index.parse().ok()?, slot: FileSlot::from_code(slot)? })
    }
}

/// A file that passed every upload rule and is stored and recorded. Only `receive_upload` makes one, so a
/// filing can never point at a hash the teacher did not upload through the rules.
#[derive(Debug, Clone)]
pub struct Received {
    pub(super) target: FileTarget,
    pub(super) file: FileRef,
}

impl Received {
    pub fn target(&self) -> FileTarget {
        self.target
    }

    pub fn file(&self) -> &FileRef {
        &self.file
    }

    /// The same file after achievement `removed` was deleted from the form: gone with it, or moved up one place.
    pub fn shifted(self, removed: usize) -> Option<Received> {
        let mut received = self;
        match received.target.achievement {
            index if index == removed => None,
            index if index > removed => {
                received.target.achievement -= 1;
                Some(received)
            }
            _ => Some(received),
        }
    }
}

/// Permission to upload into the actor's own editable submission, checked once per request before any byte of
/// a file is read.
#[derive(Debug, Clone)]
pub struct UploadPermit {
    submission_id: u64,
    school_type: SchoolType,
    max_achievements: usize,
    catalogue: Catalogue,
    /// The type of each stored achievement, used when the request does not say which type the file is for.
    stored_types: Vec<String>,
}

impl UploadPermit {
    pub fn submission_id(&self) -> u64 {
        self.submission_id
    }

    /// The project's limit on achievements, which bounds every position a request may name.
    pub fn max_achievements(&self) -> usize {
        self.max_achievements
    }

    /// The file place a request names, checked against the project's limit (see `FileTarget::checked`).
    pub fn target(&self, position: u64, slot: FileSlot) -> ServiceResult<FileTarget> {
        FileTarget::checked(position, slot, self.max_achievements)
    }
}

/// A file the reader may download.
pub struct Download {
    pub path: PathBuf,
    pub kind: FileKind,
    pub size: u64,
}

impl Services {
    /// May the actor upload into its submission now? (pledged, editable, window open)
    pub fn upload_permit(&self, actor: &Actor) -> ServiceResult<UploadPermit> {
        let appraisal = self.appraisal(actor)?;
        let submission = editable_submission(&appraisal)?;
        Ok(UploadPermit {
            submission_id: submission.id,
            school_type: appraisal.school.school_type,
            max_achievements: appraisal.project.max_achievements,
            catalogue: appraisal.project.catalogue.clone(),
            stored_types: submission.filing.achievements.iter().map(|a| a.type_code.clone()).collect(),
        })
    }

    /// Streams one uploaded file into the store and checks it for `target`. `type_code` is the achievement's
    /// type as posted in the same form before the file (if any), else the stored one decides whether the
    /// achievement file may be a 500 MB video. A refusal is `Invalid` keyed by the target, with the rule named.
    pub async fn receive_upload<R: AsyncRead + Unpin>(
        &self,
        actor: &Actor,
        permit: &UploadPermit,
        target: FileTarget,
        type_code: Option<&str>,
        name: &str,
        reader: R,
    ) -> ServiceResult<Received> {
        let target = permit.target(target.achievement as u64, target.slot)?;
        let key = target.key();
        let refuse = |message: String| ServiceError::field(&key, message);
        let type_code = type_code
            .filter(|code| !code.is_empty())
            .or_else(|| permit.stored_types.get(target.achievement).map(String::as_str));
        let allows_media = target.slot == FileSlot::Achievement
            && type_code
                .and_then(|code| permit.catalogue.get(code))
                .is_some_and(|found| found.allows_media && found.allows(permit.school_type));
        let uploads = &self.config.uploads;
        let limits = self.file_limits();
        let limit = if allows_media { limits.media_bytes() } else { limits.document_bytes() };
        let label = target.slot.label();
        // Only a blob this upload created may be removed on refusal: the same content may already be stored for
        // someone else (a notice attachment, another teacher's evidence). The margin covers coarse file clocks.
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
                let rule = if allows_media {
                    format!(
                        "WORD、PDF文件须在{}M以下，MP4、ZIP文件须在{}M以下",
                        uploads.document_mib, uploads.media_mib
                    )
                } else {
                    format!("WORD、PDF文件须在{}M以下", uploads.document_mib)
                };
                return Err(refuse(format!("{label}超过大小限制：{rule}")));
            }
            Err(UploadError::Io(error)) => {
                crate::obs::upload_refused("interrupted");
                tracing::warn!(%error, "upload interrupted");
                return Err(refuse(format!("{label}上传中断，请重新上传")));
            }
        };
        let sha256 = stored.sha256.clone();
        let file = FileRef {
            sha256: sha256.clone(),
            name: clean_name(name, stored.kind),
            size: stored.size,
            kind: extension_of(stored.kind).to_string(),
        };
        let problem = match check_content(&self.blobs, &file, stored.kind, target.slot, allows_media, limits).await {
            Ok(problem) => problem,
            Err(error) => {
                self.discard_if_unreferenced(&sha256, started)?;
                return Err(error);
            }
        };
        if let Some((reason, problem)) = problem {
            crate::obs::upload_refused(reason);
            self.discard_if_unreferenced(&sha256, started)?;
            return Err(refuse(problem));
        }
        self.record_file(actor, permit.submission_id, &file)?;
        crate::obs::uploaded("submission", file.size);
        Ok(Received { target, file })
    }

    /// Records that `submission_id` references `file` (creating the `FILES` entry on first upload). Checks in
    /// the transaction that the blob is still there: a concurrent refusal of the same content may have removed it.
    fn record_file(&self, actor: &Actor, submission_id: u64, file: &FileRef) -> ServiceResult<()> {
        self.store.write(|tx| {
            if !self.blobs.exists(&file.sha256) {
                return Err(ServiceError::Conflict("文件保存未完成，请重新上传".into()));
            }
            let mut record = tx.get_keyed::<StoredFile>(tables::FILES, &file.sha256)?.unwrap_or_else(|| StoredFile {
                sha256: file.sha256.clone(),
                size: file.size,
                kind: file.kind.clone(),
                first_name: file.name.clone(),
                first_uploaded_by: actor.account_id,
                first_uploaded_at: self.clock.now(),
                submissions: Default::default(),
            });
            record.submissions.insert(submission_id);
            tx.put_keyed(tables::FILES, &file.sha256, &record)?;
            let detail = format!("{}（{}，{}字节，sha256 {}）", file.name, file.kind, file.size, &file.sha256[..12]);
            audit::record(tx, Some(actor), "file.upload", &format!("submission:{submission_id}"), &detail)
                .map_err(ServiceError::from)
        })
    }

    /// Removes a refused upload's blob if this upload created it (written since `started`) and no record
    /// references the content (no submission's `FILES` entry, no notice upload). Runs in a write transaction so
    /// it cannot interleave with `record_file`'s check or a notice upload's record. Every upload path calls it on
    /// refusal, so a refused file never stays behind as an orphan (`zhiping check` reports those).
    pub(crate) fn discard_if_unreferenced(&self, sha256: &str, started: std::time::SystemTime) -> ServiceResult<()> {
        let Some(path) = self.blobs.path_of(sha256) else { return Ok(()) };
        let created_now = std::fs::metadata(&path).and_then(|meta| meta.modified()).is_ok_and(|at| at >= started);
        if !created_now {
            return Ok(());
        }
        self.store.write(|tx| {
            if tx.get_keyed::<StoredFile>(tables::FILES, sha256)?.is_none()
                && tx.get_keyed::<crate::domain::notice::UploadedFile>(tables::NOTICE_FILES, sha256)?.is_none()
                && let Err(error) = std::fs::remove_file(&path)
                && error.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(%error, "could not remove a refused upload");
            }
            Ok(())
        })
    }

    /// A stored file for `actor` to download, if one of the submissions referencing it is readable by them.
    /// Anything else, a malformed hash included, is "not found".
    pub fn open_download(&self, actor: &Actor, sha256: &str) -> ServiceResult<Download> {
        const MISSING: ServiceError = ServiceError::NotFound("文件不存在或无权查看");
        let path = self.blobs.path_of(sha256).ok_or(MISSING)?;
        let read = self.store.read()?;
        let record = read.get_keyed::<StoredFile>(tables::FILES, sha256)?.ok_or(MISSING)?;
        let mut allowed = false;
        for id in &record.submissions {
            if let Some(submission) = read.get::<Submission>(*id)?
                && may_read(actor, &submission, &read)?
            {
                allowed = true;
                break;
            }
        }
        if !allowed {
            return Err(MISSING);
        }
        let kind = FileKind::from_extension(&record.kind).unwrap_or(FileKind::Other);
        Ok(Download { path, kind, size: record.size })
    }

    /// The `FILES` record of a hash (duplicate signal for reviewers: `StoredFile::is_shared`). No scope check:
    /// callers are services that already authorised the submission that names the hash.
    pub fn stored_file(&self, sha256: &str) -> ServiceResult<Option<StoredFile>> {
        Ok(self.store.read()?.get_keyed::<StoredFile>(tables::FILES, sha256)?)
    }
}

/// The submission the teacher may change now, or why not.
pub(super) fn editable_submission(appraisal: &Appraisal) -> ServiceResult<&Submission> {
    let Some(submission) = appraisal.submission.as_ref().filter(|_| appraisal.pledged()) else {
        return Err(ServiceError::Conflict("请先阅读诚信承诺书并点击“同意”".into()));
    };
    if let Some(reason) = &appraisal.closed_reason {
        return Err(ServiceError::Conflict(reason.clone()));
    }
    if !submission.state.editable_by_teacher() {
        return Err(ServiceError::Conflict(format!(
            "当前状态为“{}”，不能修改。如需修改，请先撤回。",
            submission.state.label()
        )));
    }
    Ok(submission)
}

/// Re-exported for the editing module: the appraisal as seen inside a write transaction.
pub(super) fn reload(
    read: &impl Reader,
    actor: &Actor,
    limits: FileLimits,
    now: DateTime<Utc>,
) -> ServiceResult<Appraisal> {
    load_appraisal(read, actor, limits, now)
}

/// The content rules: kind and size (`file_problem`, the same check 提交 makes), a PDF must be complete, and an
/// achievement PDF must carry a text layer. Parsing runs on a blocking thread.
async fn check_content(
    blobs: &crate::files::BlobStore,
    file: &FileRef,
    kind: FileKind,
    slot: FileSlot,
    allows_media: bool,
    limits: FileLimits,
) -> ServiceResult<Option<(&'static str, String)>> {
    let label = slot.label();
    let known = DOCUMENT_KINDS.contains(&file.kind.as_str()) || MEDIA_KINDS.contains(&file.kind.as_str());
    if file.size == 0 {
        return Ok(Some(("empty", format!("{label}是空文件，请重新选择"))));
    }
    if !known || (!allows_media && MEDIA_KINDS.contains(&file.kind.as_str())) {
        let rule = if allows_media { "WORD、PDF、MP4或ZIP" } else { "WORD或PDF" };
        let note =
            if slot == FileSlot::Achievement && !allows_media { "（仅自创资源可上传MP4或ZIP）" } else { "" };
        return Ok(Some(("bad_type", format!("{label}仅支持{rule}格式{note}，按文件内容识别，与文件扩展名无关"))));
    }
    if DOCUMENT_KINDS.contains(&file.kind.as_str()) && file.size > limits.document_bytes() {
        let message = format!("{label}超过大小限制：WORD、PDF文件须在{}M以下", limits.document_mib);
        return Ok(Some(("too_large", message)));
    }
    if let Some(problem) = file_problem(file, label, allows_media, "", &limits) {
        return Ok(Some(("bad_type", problem)));
    }
    if kind != FileKind::Pdf && kind != FileKind::Docx {
        return Ok(None);
    }
    let path = blobs.path_of(&file.sha256).ok_or_else(|| ServiceError::Internal("invalid blob address".into()))?;
    let needs_text = slot == FileSlot::Achievement;
    let label = label.to_string();
    tokio::task::spawn_blocking(move || {
        if kind == FileKind::Docx {
            // Reviewers, the gate and the blind-review copy all unpack it: a ZIP bomb is refused now.
            return archive::check(&path, archive::OFFICE_LIMITS).err().map(|refusal| {
                tracing::debug!(%refusal, "DOCX refused");
                ("damaged", format!("{label}无法打开：WORD文件已损坏或内容异常（如解压后过大），请检查后重新上传"))
            });
        }
        if !pdf_is_valid(&path) {
            return Some(("damaged", format!("{label}无法打开：PDF文件已损坏、不完整或已加密，请检查后重新上传")));
        }
        if needs_text && !pdf_has_text_layer(&path).unwrap_or(false) {
            return Some(("scan", "不接受图片扫描转PDF格式：成果附件须为含可复制文字的WORD或PDF文件".to_string()));
        }
        None
    })
    .await
    .map_err(|error| ServiceError::Internal(format!("file check failed: {error}")))
}

/// The name to keep for an upload: the last path component (old browsers send a full path), without control
/// characters, at most 100 characters; a missing name becomes `文件.{kind}`.
fn clean_name(name: &str, kind: FileKind) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() { format!("文件.{}", extension_of(kind)) } else { cleaned.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_through_their_keys() {
        for slot in [FileSlot::Achievement, FileSlot::Contribution, FileSlot::Evidence(EvidenceSlot::UnitSigned)] {
            let target = FileTarget { achievement: 1, slot };
            assert_eq!(FileTarget::parse(&target.key()), Some(target));
        }
        assert_eq!(FileTarget::parse("achievements.0.evidence.nothing"), None);
        assert_eq!(FileTarget::parse("title"), None);
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\fakepath\\成果.pdf", FileKind::Pdf), "成果.pdf");
        assert_eq!(clean_name("a/b/\u{7}证明.docx", FileKind::Docx), "证明.docx");
        assert_eq!(clean_name("  ", FileKind::Pdf), "文件.pdf");
    }
}
