//! Making a backup: one read transaction of the database is copied into a fresh redb file (a consistent
//! snapshot, taken while the server keeps writing), then the archive is streamed — the manifest, the snapshot,
//! and every blob the snapshot references. Blobs are immutable and content-addressed, and a referenced blob is
//! never removed, so copying them after the snapshot is consistent with it.
//!
//! Writing an archive to a file goes through a temporary file in the same directory that is fsynced, verified
//! from disk, and only then renamed to its name (and the directory fsynced): a file with the final name is
//! always a complete, verified backup.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::{self, ArchiveWriter, DATABASE_PATH, Manifest, ManifestEntry};
use super::check::referenced_files;
use super::{Ops, OpsError};
use crate::store::SCHEMA_VERSION;

/// The file names of scheduled backups: `zhiping-backup-20260301-023000.tar`.
pub const SCHEDULED_PREFIX: &str = "zhiping-backup-";
pub const SCHEDULED_SUFFIX: &str = ".tar";
/// Temporary files while a backup file is written; a crash leaves them, the next start removes them.
pub const TEMP_SUFFIX: &str = ".zhiping-part";

/// What a finished backup holds.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub rows: u64,
    pub files: usize,
    pub missing: Vec<String>,
    /// Bytes of the entries (database and files), without the tar framing.
    pub bytes: u64,
}

impl BackupSummary {
    pub fn from_manifest(manifest: &Manifest) -> Self {
        BackupSummary {
            rows: 0,
            files: manifest.blob_count(),
            missing: manifest.missing.clone(),
            bytes: manifest.total_bytes(),
        }
    }
}

impl Ops {
    /// Streams a complete archive of the data directory into `out`. Only one backup runs at a time.
    pub fn produce(&self, out: &mut dyn Write, progress: &mut dyn FnMut(String)) -> Result<BackupSummary, OpsError> {
        let _one_at_a_time = self.backup_lock.lock().map_err(|_| OpsError::Other("备份状态不可用".into()))?;
        crate::private_fs::create_dir_all(&self.temp_dir()).map_err(OpsError::Io)?;
        let snapshot = TempPath(self.temp_dir().join(format!("{:032x}.redb", rand::random::<u128>())));
        let read = self.store.read()?;
        let schema_version = read.schema_version()?.unwrap_or(SCHEMA_VERSION);
        progress("正在复制数据库快照……".into());
        let rows = read.copy_to(&snapshot.0)?;
        let referenced = referenced_files(&read)?;
        drop(read);

        let (db_sha, db_size) = hash_file(&snapshot.0).map_err(OpsError::Io)?;
        let mut entries = vec![ManifestEntry { path: DATABASE_PATH.into(), size: db_size, sha256: db_sha }];
        let mut missing = Vec::new();
        let mut sources = Vec::new();
        for sha256 in referenced.keys() {
            let Some(path) = self.blobs.path_of(sha256) else { continue };
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    entries.push(ManifestEntry {
                        path: archive::blob_path(sha256),
                        size: meta.len(),
                        sha256: sha256.clone(),
                    });
                    sources.push(path);
                }
                _ => missing.push(sha256.clone()),
            }
        }
        let manifest = Manifest::new(schema_version, entries, missing);
        progress(format!("正在写入备份：数据库 {rows} 行，文件 {} 个……", sources.len()));
        let mut writer = ArchiveWriter::start(out, &manifest).map_err(OpsError::Io)?;
        writer.append(DATABASE_PATH, db_size, File::open(&snapshot.0).map_err(OpsError::Io)?).map_err(OpsError::Io)?;
        for (entry, path) in manifest.entries[1..].iter().zip(&sources) {
            // Hash while sending: a blob damaged on disk fails the backup instead of travelling silently.
            let mut hashing = HashingReader { inner: File::open(path).map_err(OpsError::Io)?, hasher: Sha256::new() };
            writer.append(&entry.path, entry.size, &mut hashing).map_err(OpsError::Io)?;
            if hex::encode(hashing.hasher.finalize()) != entry.sha256 {
                return Err(OpsError::Other(format!(
                    "数据目录中的文件 {} 内容与校验值不符（已损坏），请运行 zhiping check",
                    &entry.sha256[..12]
                )));
            }
        }
        writer.finish().map_err(OpsError::Io)?.flush().map_err(OpsError::Io)?;
        metrics::gauge!("zhiping_backup_last_success_timestamp_seconds")
            .set(crate::clock::Clock::system().now().timestamp() as f64);
        let mut summary = BackupSummary::from_manifest(&manifest);
        summary.rows = rows;
        Ok(summary)
    }

    /// Writes a backup of this data directory to `out` (temporary file, fsync, verify, rename).
    pub fn backup_to_file(&self, out: &Path, progress: &mut dyn FnMut(String)) -> Result<BackupSummary, OpsError> {
        let mut rows = 0;
        let manifest = write_verified(out, |file| {
            let summary = self.produce(file, progress)?;
            rows = summary.rows;
            Ok(())
        })?;
        let mut summary = BackupSummary::from_manifest(&manifest);
        summary.rows = rows;
        Ok(summary)
    }

    /// The scheduled backup: a new dated archive in `dir`, then the oldest beyond `keep` removed.
    pub fn scheduled_backup(&self, dir: &Path, keep: usize) -> Result<PathBuf, OpsError> {
        crate::private_fs::create_dir_all(dir).map_err(OpsError::Io)?;
        let name = format!("{SCHEDULED_PREFIX}{}{SCHEDULED_SUFFIX}", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let path = dir.join(name);
        self.backup_to_file(&path, &mut |_| {})?;
        prune(dir, keep).map_err(OpsError::Io)?;
        Ok(path)
    }
}

/// Writes an archive through `produce` into a temporary file next to `out`, fsyncs it, verifies it from disk and
/// renames it to `out`. On any failure the temporary file is removed and `out` is left as it was.
pub fn write_verified(
    out: &Path,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), OpsError>,
) -> Result<Manifest, OpsError> {
    let dir = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out.file_name().ok_or_else(|| OpsError::Other(format!("{} 不是文件名", out.display())))?;
    let temp = TempPath(dir.join(format!(".{}.{:016x}{TEMP_SUFFIX}", name.to_string_lossy(), rand::random::<u64>())));
    let file = crate::private_fs::create_new()
        .open(&temp.0)
        .map_err(|error| OpsError::Other(format!("无法在 {} 创建备份文件：{error}", dir.display())))?;
    let mut writer = BufWriter::with_capacity(256 * 1024, file);
    produce(&mut writer)?;
    let file = writer.into_inner().map_err(|error| OpsError::Io(error.into_error()))?;
    file.sync_all().map_err(OpsError::Io)?;
    drop(file);
    let manifest = archive::verify(BufReader::new(File::open(&temp.0).map_err(OpsError::Io)?), SCHEMA_VERSION)
        .map_err(OpsError::Archive)?;
    std::fs::rename(&temp.0, out).map_err(OpsError::Io)?;
    temp.disarm();
    sync_dir(&dir).map_err(OpsError::Io)?;
    Ok(manifest)
}

/// Removes the oldest scheduled backups in `dir` beyond the newest `keep` (names sort by date).
pub fn prune(dir: &Path, keep: usize) -> io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(SCHEDULED_PREFIX) && name.ends_with(SCHEDULED_SUFFIX)
        })
        .map(|entry| entry.path())
        .collect();
    found.sort();
    let excess = found.len().saturating_sub(keep.max(1));
    let removed: Vec<PathBuf> = found.into_iter().take(excess).collect();
    for path in &removed {
        std::fs::remove_file(path)?;
        tracing::info!(path = %path.display(), "old backup removed");
    }
    Ok(removed)
}

/// Removes temporary backup files left in `dir` by an interrupted backup (every file, or only those ending in
/// `suffix`); returns how many.
pub fn sweep_dir(dir: &Path, suffix: Option<&str>) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = suffix.is_none_or(|suffix| name.ends_with(suffix));
        if ours && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut reader = HashingReader { inner: File::open(path)?, hasher: Sha256::new() };
    let size = io::copy(&mut reader, &mut io::sink())?;
    Ok((hex::encode(reader.hasher.finalize()), size))
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        Ok(read)
    }
}

/// A file removed when dropped (unless disarmed).
struct TempPath(PathBuf);

impl TempPath {
    /// The path, no longer removed on drop.
    fn disarm(mut self) -> PathBuf {
        std::mem::take(&mut self.0)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.0.as_os_str().is_empty() {
            return;
        }
        if let Err(error) = std::fs::remove_file(&self.0)
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(%error, path = %self.0.display(), "could not remove a temporary backup file");
        }
    }
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            std::fs::write(dir.path().join(format!("{SCHEDULED_PREFIX}202603{day:02}-023000{SCHEDULED_SUFFIX}")), b"x")
                .unwrap();
        }
        std::fs::write(dir.path().join("other.tar"), b"x").unwrap();
        let removed = prune(dir.path(), 7).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(removed[0].ends_with("zhiping-backup-20260301-023000.tar"));
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left.len(), 8);
        assert_eq!(left[0], "other.tar");
        assert_eq!(left[1], "zhiping-backup-20260303-023000.tar");
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.tar");
        let result = write_verified(&out, |file| {
            file.write_all(b"garbage").map_err(OpsError::Io)?;
            Ok(())
        });
        assert!(matches!(result, Err(OpsError::Archive(_))), "{result:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "temporary file removed, nothing renamed");
    }
}
