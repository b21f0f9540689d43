//! `zhiping restore FILE --data DIR`: only into an empty (or new) directory. The archive is read once, start to
//! end, into `DIR/.restore-tmp/`, checking every entry against the manifest as it streams; only when all of it
//! verified are the database and the files moved into place (the database last). Any refusal removes what was
//! written, so `DIR` never holds half a restore.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use super::OpsError;
use super::archive::{self, Manifest};
use super::backup::sync_dir;
use crate::store::SCHEMA_VERSION;

pub const STAGING: &str = ".restore-tmp";

/// Refuses a data directory a restore was interrupted in: serving it would start on half the data (or create a
/// fresh database next to the restored files).
pub fn refuse_interrupted(dir: &Path) -> Result<(), OpsError> {
    if dir.join(STAGING).exists() {
        return Err(OpsError::Refused(format!(
            "数据目录 {} 中有未完成的恢复（{STAGING}）：请清空该目录后重新运行 zhiping restore",
            dir.display()
        )));
    }
    Ok(())
}

/// Restores `archive` into `dir`, which must be empty or absent. Returns the manifest of what was restored.
pub fn restore(archive_path: &Path, dir: &Path) -> Result<Manifest, OpsError> {
    let created = match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(OpsError::Refused(format!(
                    "目标目录 {} 不是空目录：为避免覆盖数据，恢复只写入空目录或新目录",
                    dir.display()
                )));
            }
            false
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            crate::private_fs::create_dir_all(dir).map_err(OpsError::Io)?;
            true
        }
        Err(error) if error.kind() == io::ErrorKind::NotADirectory => {
            return Err(OpsError::Refused(format!("{} 不是目录", dir.display())));
        }
        Err(error) => return Err(OpsError::Io(error)),
    };
    let source = File::open(archive_path)
        .map_err(|error| OpsError::Refused(format!("无法打开备份文件 {}：{error}", archive_path.display())))?;
    let staging = dir.join(STAGING);
    let result = unpack(BufReader::with_capacity(256 * 1024, source), &staging).and_then(|manifest| {
        // Files first, the database last: a directory with a database is a complete restore.
        let files = staging.join("files");
        if files.exists() {
            std::fs::rename(&files, dir.join("files")).map_err(OpsError::Io)?;
        }
        std::fs::rename(staging.join(archive::DATABASE_PATH), dir.join(archive::DATABASE_PATH))
            .map_err(OpsError::Io)?;
        sync_dir(dir).map_err(OpsError::Io)?;
        std::fs::remove_dir_all(&staging).map_err(OpsError::Io)?;
        Ok(manifest)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        let _ = std::fs::remove_file(dir.join(archive::DATABASE_PATH));
        let _ = std::fs::remove_dir_all(dir.join("files"));
        if created {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

fn unpack(reader: impl io::Read, staging: &Path) -> Result<Manifest, OpsError> {
    crate::private_fs::create_dir_all(staging).map_err(OpsError::Io)?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    let manifest = archive::read_archive(reader, SCHEMA_VERSION, |entry, data| {
        // Paths were checked against the manifest's rules: `zhiping.redb` or `files/blobs/ab/<sha256>`.
        let target = staging.join(&entry.path);
        if let Some(parent) = target.parent()
            && !dirs.iter().any(|dir| dir == parent)
        {
            crate::private_fs::create_dir_all(parent)?;
            dirs.push(parent.to_path_buf());
        }
        let mut file = crate::private_fs::create_new().open(&target)?;
        io::copy(data, &mut file)?;
        file.sync_all()
    })
    .map_err(OpsError::Archive)?;
    for dir in &dirs {
        sync_dir(dir).map_err(OpsError::Io)?;
    }
    Ok(manifest)
}
