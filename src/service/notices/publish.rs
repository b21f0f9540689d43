//! Publishing, editing and withdrawing notices and materials (city admin only). Each change writes the record
//! and its audit entry in one transaction, then brings the search index in step.

use super::{FileChoice, MaterialInput, NoticeInput, require_publisher};
use crate::domain::FieldErrors;
use crate::domain::notice::{
    FileRef, MAX_ATTACHMENTS, Material, Notice, State, check_body, check_title, clean_file_name,
};
use crate::service::{Actor, ServiceError, ServiceResult, Services, audit};
use crate::store::{Reader, WriteTx};

impl Services {
    /// Publishes a notice (now, or at `publish_at` when that lies ahead).
    pub async fn publish_notice(&self, actor: &Actor, input: NoticeInput) -> ServiceResult<Notice> {
        require_publisher(actor)?;
        let notice = self.store.write(|tx| {
            let now = self.clock.now();
            let (title, body, attachments) = self.check_notice(tx, &input)?;
            let notice = Notice {
                id: tx.next_id()?,
                title,
                body,
                attachments,
                publish_at: input.publish_at.unwrap_or(now),
                audience: input.audience,
                created_by: actor.account_id,
                created_at: now,
                updated_at: now,
                withdrawn_at: None,
            };
            tx.put(&notice)?;
            audit::record(tx, Some(actor), "notice.publish", &format!("notice:{}", notice.id), &summary(&notice))?;
            Ok::<_, ServiceError>(notice)
        })?;
        self.index_notice(&notice).await;
        Ok(notice)
    }

    /// Replaces a notice's title, body, audience and attachments, and its publish time when one is given.
    /// A withdrawn notice stays withdrawn.
    pub async fn edit_notice(&self, actor: &Actor, id: u64, input: NoticeInput) -> ServiceResult<Notice> {
        require_publisher(actor)?;
        let notice = self.store.write(|tx| {
            let mut notice: Notice = tx.get(id)?.ok_or(ServiceError::NotFound("通知公告不存在"))?;
            let (title, body, attachments) = self.check_notice(tx, &input)?;
            notice.title = title;
            notice.body = body;
            notice.attachments = attachments;
            notice.audience = input.audience;
            if let Some(publish_at) = input.publish_at {
                notice.publish_at = publish_at;
            }
            notice.updated_at = self.clock.now();
            tx.put(&notice)?;
            audit::record(tx, Some(actor), "notice.edit", &format!("notice:{}", notice.id), &summary(&notice))?;
            Ok::<_, ServiceError>(notice)
        })?;
        self.index_notice(&notice).await;
        Ok(notice)
    }

    /// Withdraws (撤回) a notice: it leaves every list, search result and detail page for readers.
    pub async fn withdraw_notice(&self, actor: &Actor, id: u64) -> ServiceResult<Notice> {
        require_publisher(actor)?;
        let notice = self.store.write(|tx| {
            let mut notice: Notice = tx.get(id)?.ok_or(ServiceError::NotFound("通知公告不存在"))?;
            if notice.state(self.clock.now()) == State::Withdrawn {
                return Err(ServiceError::Conflict("该通知公告已撤回".into()));
            }
            notice.withdrawn_at = Some(self.clock.now());
            notice.updated_at = self.clock.now();
            tx.put(&notice)?;
            audit::record(tx, Some(actor), "notice.withdraw", &format!("notice:{}", notice.id), &notice.title)?;
            Ok(notice)
        })?;
        self.index_notice(&notice).await;
        Ok(notice)
    }

    /// Publishes a material (资料): a name and one uploaded file.
    pub async fn publish_material(&self, actor: &Actor, input: MaterialInput) -> ServiceResult<Material> {
        require_publisher(actor)?;
        let material = self.store.write(|tx| {
            let now = self.clock.now();
            let mut errors = FieldErrors::new();
            let name = check_title("name", "资料名称", &input.name, &mut errors);
            let file = match &input.file {
                Some(choice) => self.resolve_file(tx, choice, "file", &mut errors)?,
                None => {
                    errors.add("file", "请上传资料文件");
                    None
                }
            };
            let Some(file) = file.filter(|_| errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let material = Material {
                id: tx.next_id()?,
                name,
                file,
                publish_at: input.publish_at.unwrap_or(now),
                created_by: actor.account_id,
                created_at: now,
                updated_at: now,
                withdrawn_at: None,
            };
            tx.put(&material)?;
            let detail = format!("{}（{}）", material.name, material.file.name);
            audit::record(tx, Some(actor), "material.publish", &format!("material:{}", material.id), &detail)?;
            Ok(material)
        })?;
        self.index_material(&material).await;
        Ok(material)
    }

    /// Renames a material, replaces its file (when one is given) or moves its publish time.
    pub async fn edit_material(&self, actor: &Actor, id: u64, input: MaterialInput) -> ServiceResult<Material> {
        require_publisher(actor)?;
        let material = self.store.write(|tx| {
            let mut material: Material = tx.get(id)?.ok_or(ServiceError::NotFound("资料不存在"))?;
            let mut errors = FieldErrors::new();
            let name = check_title("name", "资料名称", &input.name, &mut errors);
            let file = match &input.file {
                Some(choice) => self.resolve_file(tx, choice, "file", &mut errors)?,
                None => Some(material.file.clone()),
            };
            let Some(file) = file.filter(|_| errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            material.name = name;
            material.file = file;
            if let Some(publish_at) = input.publish_at {
                material.publish_at = publish_at;
            }
            material.updated_at = self.clock.now();
            tx.put(&material)?;
            let detail = format!("{}（{}）", material.name, material.file.name);
            audit::record(tx, Some(actor), "material.edit", &format!("material:{}", material.id), &detail)?;
            Ok(material)
        })?;
        self.index_material(&material).await;
        Ok(material)
    }

    /// Withdraws a material from the list, the search and downloads.
    pub async fn withdraw_material(&self, actor: &Actor, id: u64) -> ServiceResult<Material> {
        require_publisher(actor)?;
        let material = self.store.write(|tx| {
            let mut material: Material = tx.get(id)?.ok_or(ServiceError::NotFound("资料不存在"))?;
            if material.state(self.clock.now()) == State::Withdrawn {
                return Err(ServiceError::Conflict("该资料已撤回".into()));
            }
            material.withdrawn_at = Some(self.clock.now());
            material.updated_at = self.clock.now();
            tx.put(&material)?;
            audit::record(tx, Some(actor), "material.withdraw", &format!("material:{}", material.id), &material.name)?;
            Ok(material)
        })?;
        self.index_material(&material).await;
        Ok(material)
    }

    /// Checks a notice's input; every failing field is reported at once.
    fn check_notice(&self, tx: &WriteTx, input: &NoticeInput) -> ServiceResult<(String, String, Vec<FileRef>)> {
        let mut errors = FieldErrors::new();
        let title = check_title("title", "标题", &input.title, &mut errors);
        let body = check_body(&input.body, &mut errors);
        let mut attachments: Vec<FileRef> = Vec::new();
        for choice in &input.attachments {
            if attachments.iter().any(|file| file.sha256 == choice.sha256) {
                continue; // the same file twice is attached once
            }
            if let Some(file) = self.resolve_file(tx, choice, "file", &mut errors)? {
                attachments.push(file);
            }
        }
        if attachments.len() > MAX_ATTACHMENTS {
            errors.add("file", format!("附件最多{MAX_ATTACHMENTS}个"));
        }
        match errors.into_result() {
            Ok(()) => Ok((title, body, attachments)),
            Err(errors) => Err(ServiceError::Invalid(errors)),
        }
    }

    /// The stored file a choice names, or a field error when it was never uploaded through the publisher's upload.
    fn resolve_file(
        &self,
        tx: &WriteTx,
        choice: &FileChoice,
        field: &str,
        errors: &mut FieldErrors,
    ) -> ServiceResult<Option<FileRef>> {
        match self.uploaded_file(tx, &choice.sha256)? {
            Some(uploaded) if self.blobs.exists(&uploaded.sha256) => Ok(Some(FileRef {
                name: clean_file_name(&choice.name, &uploaded.kind),
                sha256: uploaded.sha256,
                size: uploaded.size,
                kind: uploaded.kind,
            })),
            _ => {
                errors.add(field, "文件不存在或未上传，请重新选择文件上传");
                Ok(None)
            }
        }
    }
}

fn summary(notice: &Notice) -> String {
    format!(
        "{}（{}，{}，附件{}个）",
        notice.title,
        notice.audience.label(),
        crate::clock::minute(notice.publish_at),
        notice.attachments.len()
    )
}
