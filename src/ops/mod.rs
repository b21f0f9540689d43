//! Operations on a whole data directory: `zhiping backup`, `restore` and `check`, the scheduled daily backup,
//! and the local admin channel through which the commands reach a running server. Service-level code: no HTTP.
//!
//! Code map:
//! - `archive.rs`: the archive format (manifest first, then the database snapshot, then the blobs), its writer
//!   and its streaming, verifying reader.
//! - `backup.rs`: producing an archive from one read transaction; writing it to a file (temporary file, fsync,
//!   verify, rename); retention of scheduled backups.
//! - `restore.rs`: unpacking a verified archive into an empty directory.
//! - `check.rs`: the consistency check of a snapshot and the blobs it references.
//! - `channel.rs`: the Unix socket `admin.sock` in the data directory.

pub mod archive;
pub mod backup;
pub mod channel;
pub mod check;
pub mod restore;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDateTime, NaiveTime};

pub use archive::{ArchiveError, Manifest};
pub use backup::BackupSummary;
pub use check::{Integrity, Report};

use crate::config::{BackupConfig, Config};
use crate::files::BlobStore;
use crate::store::{Store, StoreError};

/// What the operations need: the database, the blobs and where temporary files go.
pub struct Ops {
    pub(crate) store: Store,
    pub(crate) blobs: BlobStore,
    data_dir: PathBuf,
    backup_lock: Mutex<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("{0}")]
    Archive(#[from] ArchiveError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("文件读写失败：{0}")]
    Io(io::Error),
    /// The request was refused before anything was written (non-empty directory, no database…).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

/// Where snapshot copies are written while a backup streams; emptied at every start.
pub const TEMP_DIR: &str = "backup-tmp";

impl Ops {
    pub fn new(store: Store, blobs: BlobStore, data_dir: PathBuf) -> Self {
        Ops { store, blobs, data_dir, backup_lock: Mutex::new(()) }
    }

    /// Opens a data directory no server is using (the commands' fallback when nothing answers on the socket).
    pub fn open_offline(config: &Config) -> Result<Self, OpsError> {
        let store = open_store(config)?;
        let blobs = BlobStore::open(&config.files_dir()).map_err(OpsError::Io)?;
        Ok(Ops::new(store, blobs, config.data_dir.clone()))
    }

    fn temp_dir(&self) -> PathBuf {
        self.data_dir.join(TEMP_DIR)
    }
}

fn open_store(config: &Config) -> Result<Store, OpsError> {
    if !config.db_path().is_file() {
        return Err(OpsError::Refused(format!(
            "数据目录 {} 中没有数据库 zhiping.redb（请用 --data 或配置文件的 data_dir 指定数据目录）",
            config.data_dir.display()
        )));
    }
    Store::open_existing(&config.db_path()).map_err(|error| match error {
        StoreError::Locked => OpsError::Refused(format!(
            "数据库正被运行中的 zhiping 使用，但无法连接其管理通道 {}：请确认服务已完全启动后重试",
            channel::socket_path(&config.data_dir).display()
        )),
        other => OpsError::Store(other),
    })
}

/// Removes temporary files of interrupted backups: the snapshot copies under the data directory and partial
/// archives in the scheduled backup directory. Call at start, before anything runs a backup.
pub fn sweep_at_start(config: &Config) -> io::Result<usize> {
    let mut removed = backup::sweep_dir(&config.data_dir.join(TEMP_DIR), None)?;
    if !config.backup.dir.as_os_str().is_empty() {
        removed += backup::sweep_dir(&config.backup.dir, Some(backup::TEMP_SUFFIX))?;
    }
    if removed > 0 {
        tracing::info!(removed, "removed temporary files left by an interrupted backup");
    }
    Ok(removed)
}

/// How a command reached the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Through the running server's admin channel.
    Server,
    /// The data directory opened directly (no server running).
    Directly,
}

/// `zhiping backup --out FILE`: through the running server if there is one, else directly.
pub fn backup(config: &Config, out: &Path, progress: &mut dyn FnMut(String)) -> Result<(BackupSummary, Via), OpsError> {
    if let Some(stream) = channel::connect(&config.data_dir).map_err(OpsError::Io)? {
        let manifest = backup::write_verified(out, |file| {
            match channel::request(stream, "backup", file, &mut |_, line| progress(line)).map_err(OpsError::Io)? {
                channel::Outcome::Done(_) => Ok(()),
                channel::Outcome::Failed(message) => Err(OpsError::Other(format!("服务端备份失败：{message}"))),
            }
        })?;
        return Ok((BackupSummary::from_manifest(&manifest), Via::Server));
    }
    let ops = Ops::open_offline(config)?;
    Ok((ops.backup_to_file(out, progress)?, Via::Directly))
}

/// `zhiping check`: the report's lines go to `line` (progress lines flagged `true`). Returns whether it is clean.
pub fn check(config: &Config, line: &mut dyn FnMut(bool, String)) -> Result<(bool, Via), OpsError> {
    if let Some(stream) = channel::connect(&config.data_dir).map_err(OpsError::Io)? {
        return match channel::request(stream, "check", &mut io::sink(), line).map_err(OpsError::Io)? {
            channel::Outcome::Done(code) => Ok((code.first() == Some(&0), Via::Server)),
            channel::Outcome::Failed(message) => Err(OpsError::Other(format!("服务端检查失败：{message}"))),
        };
    }
    let mut store = open_store(config)?;
    line(true, "正在检查数据库内部结构……".into());
    let integrity = match store.integrity()? {
        Some(sound) => Integrity::Checked(sound),
        None => Integrity::Skipped,
    };
    let blobs = BlobStore::open(&config.files_dir()).map_err(OpsError::Io)?;
    let read = store.read()?;
    let report = check::run(&read, &blobs, integrity, &mut |text| line(true, text))?;
    for text in report.lines() {
        line(false, text);
    }
    Ok((report.is_clean(), Via::Directly))
}

/// `zhiping restore FILE --data DIR`, then the check of the restored directory.
pub fn restore(archive_path: &Path, config: &Config) -> Result<Manifest, OpsError> {
    restore::restore(archive_path, &config.data_dir)
}

/// How long from `now` until the next `at` (both local time); never zero.
pub fn until_next(now: NaiveDateTime, at: NaiveTime) -> Duration {
    let today = now.date().and_time(at);
    let next = if today > now { today } else { today + chrono::Duration::days(1) };
    (next - now).to_std().unwrap_or(Duration::from_secs(1)).max(Duration::from_secs(1))
}

/// Runs the scheduled daily backup from `[backup]` until the process ends (nothing when `dir` is empty).
pub fn spawn_schedule(ops: Arc<Ops>, config: &BackupConfig) {
    if config.dir.as_os_str().is_empty() {
        return;
    }
    let Ok(at) = NaiveTime::parse_from_str(&config.at, "%H:%M") else { return };
    let dir = config.dir.clone();
    let keep = config.keep;
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(until_next(chrono::Local::now().naive_local(), at)).await;
            let (ops, dir) = (ops.clone(), dir.clone());
            match tokio::task::spawn_blocking(move || ops.scheduled_backup(&dir, keep)).await {
                Ok(Ok(path)) => tracing::info!(path = %path.display(), "scheduled backup written"),
                Ok(Err(error)) => tracing::error!(%error, "scheduled backup failed"),
                Err(error) => tracing::error!(%error, "scheduled backup task failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scheduled backup writes a verified archive, keeps `keep` of them, and the archive restores into a
    /// directory that checks clean.
    #[test]
    fn a_scheduled_backup_restores_and_checks_clean() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.backup.dir = dir.path().join("backups");
        let store = Store::open(&config.db_path()).unwrap();
        let blobs = BlobStore::open(&config.files_dir()).unwrap();
        let ops = Ops::new(store, blobs, config.data_dir.clone());
        let first = ops.scheduled_backup(&config.backup.dir, 1).unwrap();
        std::thread::sleep(Duration::from_millis(1_100));
        let second = ops.scheduled_backup(&config.backup.dir, 1).unwrap();
        assert_ne!(first, second);
        let left: Vec<PathBuf> =
            std::fs::read_dir(&config.backup.dir).unwrap().map(|entry| entry.unwrap().path()).collect();
        assert_eq!(left, std::slice::from_ref(&second), "only the newest is kept");
        // A partial archive of an interrupted backup is swept at start; finished ones stay.
        std::fs::write(config.backup.dir.join(format!(".x.tar.1{}", backup::TEMP_SUFFIX)), b"partial").unwrap();
        assert_eq!(sweep_at_start(&config).unwrap(), 1);
        assert!(second.exists());
        drop(ops);

        let restored = Config { data_dir: dir.path().join("restored"), ..Config::default() };
        let manifest = restore(&second, &restored).unwrap();
        assert_eq!(manifest.schema_version, crate::store::SCHEMA_VERSION);
        let mut lines = Vec::new();
        let (clean, via) = check(&restored, &mut |_, line| lines.push(line)).unwrap();
        assert!(clean, "{lines:?}");
        assert_eq!(via, Via::Directly);
        assert!(lines.iter().any(|line| line.contains("数据库内部结构检查正常")), "{lines:?}");
    }

    #[test]
    fn the_next_run_is_today_or_tomorrow() {
        let at = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let before = day.and_hms_opt(1, 0, 0).unwrap();
        assert_eq!(until_next(before, at), Duration::from_secs(90 * 60));
        let after = day.and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(until_next(after, at), Duration::from_secs(24 * 3600));
        let late = day.and_hms_opt(23, 0, 0).unwrap();
        assert_eq!(until_next(late, at), Duration::from_secs(3 * 3600 + 30 * 60));
    }
}
