//! 批量导入 of teacher accounts from a spreadsheet (issue 4): the upload is streamed to a staged file under the
//! data directory with a size cap (`uploads.import_mib`) and its type decided by content; a dry run shows what
//! every row would do; the import applies the good rows in one transaction and reports each row: created,
//! updated, unchanged, or refused with its reasons (bad ID checksum, duplicate in the file, ID already in another
//! school, unknown school…). A file that cannot be read at all changes nothing; with `strict`, neither does a file
//! with any refused row.

mod sheet;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

pub use sheet::SheetKind;

use super::accounts::insert_account;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::sessions::random_token;
use super::{Services, audit};
use crate::domain::account::{Account, Role, TeacherProfile};
use crate::domain::idcard::mask;
use crate::domain::org::{OrgRef, School};
use crate::domain::teacher_import::{Columns, check_row};
use crate::store::{Reader, WriteTx, tables};

/// After the cap, up to this much more of the request is read and thrown away, so a client that overshot a
/// little receives the 413 instead of a reset connection; nothing of it is stored.
const DRAIN_BYTES: u64 = 16 * 1024 * 1024;

/// Staged files older than this are removed when the next upload arrives.
const STAGED_LIFETIME: Duration = Duration::from_secs(3600);

/// An uploaded spreadsheet waiting to be previewed or imported. Only its uploader can use it.
#[derive(Debug, Clone)]
pub struct StagedImport {
    /// Random token naming the file (carried by the page's 确认导入 form).
    pub token: String,
    pub kind: SheetKind,
    path: PathBuf,
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Rows without a 学校 cell go to this school (a school admin's own school always).
    pub default_school_id: Option<u64>,
    /// Report only; change nothing.
    pub dry_run: bool,
    /// Change nothing if any row is refused.
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl RowOutcome {
    pub fn code(self) -> &'static str {
        match self {
            RowOutcome::Created => "created",
            RowOutcome::Updated => "updated",
            RowOutcome::Unchanged => "unchanged",
            RowOutcome::Refused => "refused",
        }
    }

    /// The label of a real import; a dry run says what would happen.
    pub fn label(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (RowOutcome::Created, false) => "已新增",
            (RowOutcome::Created, true) => "将新增",
            (RowOutcome::Updated, false) => "已更新",
            (RowOutcome::Updated, true) => "将更新",
            (RowOutcome::Unchanged, _) => "无变化",
            (RowOutcome::Refused, _) => "拒绝",
        }
    }
}

/// The result of one data row.
#[derive(Debug, Clone)]
pub struct RowResult {
    /// The spreadsheet's row number.
    pub line: usize,
    /// The ID number with its middle masked (reports are shown and exported; IDs are not repeated whole).
    pub id_masked: String,
    pub name: String,
    pub school: String,
    pub outcome: RowOutcome,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the good rows were written (false for a dry run and for a strict import with refusals).
    pub applied: bool,
    pub rows: Vec<RowResult>,
}

impl ImportReport {
    pub fn count(&self, outcome: RowOutcome) -> usize {
        self.rows.iter().filter(|row| row.outcome == outcome).count()
    }
}

/// What a planned row will do when applied.
enum Change {
    Create(Account),
    Update(Account),
}

impl Services {
    fn imports_dir(&self) -> PathBuf {
        self.config.data_dir.join("imports")
    }

    /// Streams an upload to a staged file in 64 KiB chunks, stopping past `uploads.import_mib`, and checks by
    /// content that it is an .xlsx or a CSV. The actor must be an admin; nothing is written otherwise.
    pub async fn stage_import<R: AsyncRead + Unpin>(&self, actor: &Actor, reader: R) -> ServiceResult<StagedImport> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以导入教师"));
        }
        let limit = self.config.uploads.import_mib * 1024 * 1024;
        let mut reader = self.ensure_upload_space(reader, limit).await?;
        let directory = self.imports_dir();
        crate::private_fs::create_dir_all_async(&directory).await.map_err(write_error)?;
        self.sweep_staged(&directory).await;
        let token = random_token()[..32].to_string();
        let upload = directory.join(format!("{}-{token}.upload", actor.account_id));
        let mut file = crate::private_fs::create_new_async().open(&upload).await.map_err(write_error)?;
        let mut buffer = vec![0u8; crate::files::CHUNK_SIZE];
        let mut size: u64 = 0;
        let written: ServiceResult<()> = async {
            loop {
                let read =
                    reader.read(&mut buffer).await.map_err(|_| ServiceError::field("file", "上传中断，请重新上传"))?;
                if read == 0 {
                    break;
                }
                size += read as u64;
                if size > limit {
                    crate::obs::upload_refused("too_large");
                    drain(&mut reader, &mut buffer, limit.min(DRAIN_BYTES)).await;
                    return Err(ServiceError::PayloadTooLarge(format!(
                        "文件超过 {} MiB 的上限，请分批导入",
                        self.config.uploads.import_mib
                    )));
                }
                file.write_all(&buffer[..read]).await.map_err(write_error)?;
            }
            file.flush().await.map_err(write_error)?;
            if size == 0 {
                return Err(ServiceError::field("file", "请选择要导入的文件"));
            }
            Ok(())
        }
        .await;
        drop(file);
        if let Err(error) = written {
            let _ = tokio::fs::remove_file(&upload).await;
            return Err(error);
        }
        let sniffed = {
            let upload = upload.clone();
            tokio::task::spawn_blocking(move || sheet::sniff(&upload)).await.map_err(io_error)?.map_err(io_error)?
        };
        let Some(kind) = sniffed else {
            crate::obs::upload_refused("bad_type");
            let _ = tokio::fs::remove_file(&upload).await;
            return Err(ServiceError::UnsupportedMediaType(
                "仅支持 .xlsx 或 .csv 格式的表格文件（按文件内容判断，与文件名无关）".into(),
            ));
        };
        let path = directory.join(format!("{}-{token}.{}", actor.account_id, kind.extension()));
        tokio::fs::rename(&upload, &path).await.map_err(write_error)?;
        crate::obs::uploaded("import", size);
        Ok(StagedImport { token, kind, path })
    }

    /// The actor's staged file of `token` (for the page's 确认导入 step).
    pub fn staged_import(&self, actor: &Actor, token: &str) -> ServiceResult<StagedImport> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以导入教师"));
        }
        // Another admin's token simply does not exist for this one: staged files are named by their uploader.
        let expired = || ServiceError::field("file", "导入文件已过期，请重新上传");
        if token.len() != 32 || !token.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(expired());
        }
        for kind in [SheetKind::Xlsx, SheetKind::Csv] {
            let path = self.imports_dir().join(format!("{}-{token}.{}", actor.account_id, kind.extension()));
            if path.is_file() {
                return Ok(StagedImport { token: token.to_string(), kind, path });
            }
        }
        Err(expired())
    }

    pub fn discard_import(&self, staged: &StagedImport) {
        let _ = std::fs::remove_file(&staged.path);
    }

    async fn sweep_staged(&self, directory: &std::path::Path) {
        let Ok(mut entries) = tokio::fs::read_dir(directory).await else { return };
        let now = crate::clock::file_time();
        while let Ok(Some(entry)) = entries.next_entry().await {
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|meta| meta.modified().ok())
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > STAGED_LIFETIME);
            if old {
                let _ = tokio::fs::remove_file(entry.path()).await;
            }
        }
    }

    /// Checks every row of a staged file and, unless it is a dry run, applies the good rows in one transaction.
    /// Blocking (parses the file and writes the database): call it from `spawn_blocking` in async code.
    pub fn import_teachers(
        &self,
        actor: &Actor,
        staged: &StagedImport,
        options: &ImportOptions,
    ) -> ServiceResult<ImportReport> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以导入教师"));
        }
        // A file that cannot be read is refused whole and will not be read again: its staged copy goes now.
        let rows = sheet::read_rows(&staged.path, staged.kind).map_err(|error| {
            self.discard_import(staged);
            ServiceError::field("file", error.0)
        })?;
        if options.dry_run {
            let read = self.store.read()?;
            let (results, _) = self.plan(&read, actor, &rows, options)?;
            return Ok(ImportReport { dry_run: true, applied: false, rows: results });
        }
        self.store.write(|tx| {
            let (results, changes) = self.plan(tx, actor, &rows, options)?;
            let refused = results.iter().filter(|row| row.outcome == RowOutcome::Refused).count();
            if options.strict && refused > 0 {
                return Ok(ImportReport { dry_run: false, applied: false, rows: results });
            }
            apply(tx, actor, changes)?;
            let summary = format!(
                "新增 {}，更新 {}，无变化 {}，拒绝 {}",
                results.iter().filter(|row| row.outcome == RowOutcome::Created).count(),
                results.iter().filter(|row| row.outcome == RowOutcome::Updated).count(),
                results.iter().filter(|row| row.outcome == RowOutcome::Unchanged).count(),
                refused
            );
            audit::record(tx, Some(actor), "teacher.import", "teachers", &summary)?;
            Ok(ImportReport { dry_run: false, applied: true, rows: results })
        })
    }

    /// What each row would do, against the database as `tx` sees it.
    fn plan(
        &self,
        tx: &impl Reader,
        actor: &Actor,
        rows: &[crate::domain::teacher_import::SheetRow],
        options: &ImportOptions,
    ) -> ServiceResult<(Vec<RowResult>, Vec<Change>)> {
        let own_school = match (actor.role, actor.org) {
            (Role::SchoolAdmin, OrgRef::School(id)) => Some(id),
            _ => None,
        };
        let default_school = match own_school.or(options.default_school_id) {
            Some(id) => Some(self.school_in_scope(tx, actor, id)?),
            None => None,
        };
        let schools: HashMap<String, School> = self
            .schools_in_scope(tx, actor, own_school)?
            .into_iter()
            .map(|school| (school.name.clone(), school))
            .collect();
        let Some((header, data)) = rows.split_first() else {
            return Err(ServiceError::field("file", "文件中没有内容"));
        };
        if data.is_empty() {
            return Err(ServiceError::field("file", "文件中没有数据行（第一行应为表头）"));
        }
        let columns = Columns::from_header(&header.cells, default_school.is_none())
            .map_err(|message| ServiceError::field("file", message))?;
        let inputs: Vec<_> = data.iter().map(|row| columns.pick(row)).collect();
        let mut lines_of: HashMap<String, Vec<usize>> = HashMap::new();
        for input in &inputs {
            lines_of.entry(input.id_number.trim().to_ascii_uppercase()).or_default().push(input.line);
        }
        let today = self.clock.today();
        let mut results = Vec::with_capacity(inputs.len());
        let mut changes = Vec::new();
        for input in &inputs {
            let mut result = RowResult {
                line: input.line,
                id_masked: mask(input.id_number.trim()),
                name: input.name.clone(),
                school: input.school.clone(),
                outcome: RowOutcome::Refused,
                reasons: Vec::new(),
            };
            let checked = check_row(input, today);
            if let Err(reasons) = &checked {
                result.reasons.extend(reasons.iter().cloned());
            }
            let school = if input.school.is_empty() {
                default_school.clone().or_else(|| {
                    result.reasons.push("学校不能为空".into());
                    None
                })
            } else {
                match schools.get(&input.school) {
                    Some(school) if school.disabled => {
                        result.reasons.push(format!("学校“{}”已停用", school.name));
                        None
                    }
                    Some(school) => Some(school.clone()),
                    None => {
                        result.reasons.push(format!("学校“{}”不存在或不在管理范围内", input.school));
                        None
                    }
                }
            };
            if let Some(school) = &school {
                result.school = school.name.clone();
            }
            let key = input.id_number.trim().to_ascii_uppercase();
            if let Some(lines) = lines_of.get(&key).filter(|lines| lines.len() > 1 && !key.is_empty()) {
                let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
                result.reasons.push(format!("文件中第 {} 行的身份证号重复", lines.join("、")));
            }
            let (Ok(checked), Some(school)) = (checked, school) else {
                results.push(result);
                continue;
            };
            if !result.reasons.is_empty() {
                results.push(result);
                continue;
            }
            result.name = checked.name.clone();
            let existing = match tx.lookup(tables::ACCOUNT_BY_USERNAME, checked.id_number.as_str())? {
                Some(id) => tx.get::<Account>(id)?,
                None => None,
            };
            match existing {
                None => {
                    result.outcome = RowOutcome::Created;
                    changes.push(Change::Create(new_teacher(&checked, school.id, self.clock.now())));
                }
                Some(account) if account.role != Role::Teacher => {
                    result.reasons.push("该身份证号已被其他类型的账号（如专家）使用".into());
                }
                Some(account) if account.org != OrgRef::School(school.id) => {
                    result.reasons.push("该身份证号已在其他学校开通账号；如需更换单位，请联系主管部门管理员".into());
                }
                Some(mut account) => {
                    let mut profile = account.teacher.clone().unwrap_or_default();
                    let same = account.name == checked.name
                        && profile.education == checked.info.education
                        && profile.degree == checked.info.degree;
                    if same {
                        result.outcome = RowOutcome::Unchanged;
                    } else {
                        result.outcome = RowOutcome::Updated;
                        account.name = checked.name.clone();
                        profile.education = checked.info.education.clone();
                        profile.degree = checked.info.degree.clone();
                        account.teacher = Some(profile);
                        changes.push(Change::Update(account));
                    }
                }
            }
            results.push(result);
        }
        Ok((results, changes))
    }
}

fn new_teacher(checked: &crate::domain::teacher::CheckedTeacher, school_id: u64, created_at: DateTime<Utc>) -> Account {
    Account {
        id: 0,
        username: checked.id_number.as_str().to_string(),
        name: checked.name.clone(),
        role: Role::Teacher,
        org: OrgRef::School(school_id),
        password_hash: None,
        must_change_password: true,
        failed_logins: 0,
        frozen_until: None,
        disabled: false,
        created_at,
        teacher: Some(TeacherProfile {
            education: checked.info.education.clone(),
            degree: checked.info.degree.clone(),
            birth_date: Some(checked.id_number.birth_date()),
            project_id: None,
        }),
        expert_subjects: Vec::new(),
        moves: Vec::new(),
    }
}

fn apply(tx: &WriteTx, actor: &Actor, changes: Vec<Change>) -> ServiceResult<()> {
    for change in changes {
        match change {
            Change::Create(account) => {
                let account = insert_account(tx, account)?;
                let detail = format!("{}（批量导入）", account.name);
                audit::record(tx, Some(actor), "teacher.import_create", &format!("account:{}", account.id), &detail)?;
            }
            Change::Update(account) => {
                tx.put(&account)?;
                let detail = format!("{}（批量导入更新基本信息）", account.name);
                audit::record(tx, Some(actor), "teacher.import_update", &format!("account:{}", account.id), &detail)?;
            }
        }
    }
    Ok(())
}

/// Reads and discards up to `at_most` bytes of what is left of an upload.
async fn drain<R: AsyncRead + Unpin>(reader: &mut R, buffer: &mut [u8], at_most: u64) {
    let mut drained = 0u64;
    while drained < at_most {
        match reader.read(buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => drained += read as u64,
        }
    }
}

/// A failed write of the staged file: "disk full" when it is one.
fn write_error(error: std::io::Error) -> ServiceError {
    crate::service::storage::io_failure("导入文件读写失败", error)
}

fn io_error(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("导入文件读写失败：{error}"))
}
