//! The backup archive: one tar file whose first entry is `manifest.json` (format marker and version, schema
//! version, creation time, zhiping version, and the path, size and SHA-256 of every other entry), then the
//! database snapshot `zhiping.redb`, then every referenced blob as `files/blobs/ab/abcd…`. Everything is
//! streamed: no entry is ever held in memory whole, only the manifest.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The marker that tells a zhiping backup from any other tar file.
pub const FORMAT: &str = "zhiping-backup";
/// The archive layout this binary writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST_PATH: &str = "manifest.json";
pub const DATABASE_PATH: &str = "zhiping.redb";
/// A manifest larger than this is not one this program wrote (a million files need about 200 MB).
const MAX_MANIFEST_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// `store::SCHEMA_VERSION` of the database snapshot.
    pub schema_version: u64,
    pub created_at: DateTime<Utc>,
    pub zhiping_version: String,
    /// Every entry after the manifest, in archive order.
    pub entries: Vec<ManifestEntry>,
    /// Files the database references that were missing from the data directory when the backup was made.
    #[serde(default)]
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// Why an archive was refused. Every message says what is wrong in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("不是 zhiping 备份文件：{0}")]
    Foreign(String),
    #[error("备份由更新版本的 zhiping 生成（{what} {found}，本程序只支持到 {supported}），请使用更新版本恢复")]
    TooNew { what: &'static str, found: u64, supported: u64 },
    #[error("备份文件已损坏：{path} 的校验值不符")]
    Checksum { path: String },
    #[error("备份文件不完整：缺少 {path}")]
    Missing { path: String },
    #[error("备份文件已损坏：含有清单之外或重复的条目 {path}")]
    Unexpected { path: String },
    #[error("备份文件已损坏或不完整：{0}")]
    Damaged(io::Error),
    /// Writing what was read (the sink) failed: the archive may be fine, the destination is not.
    #[error("写入失败：{0}")]
    Output(io::Error),
}

impl Manifest {
    pub fn new(schema_version: u64, entries: Vec<ManifestEntry>, missing: Vec<String>) -> Self {
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            schema_version,
            // When the archive was written, by the system's time: a fact about the file, not a rule.
            created_at: crate::clock::Clock::system().now(),
            zhiping_version: env!("CARGO_PKG_VERSION").into(),
            entries,
            missing,
        }
    }

    /// Parses and checks a manifest: the marker, versions this binary understands, and entries that are exactly
    /// one database and blobs stored under their own hash (so a restore writes only safe, known paths).
    pub fn parse(bytes: &[u8], supported_schema: u64) -> Result<Manifest, ArchiveError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|error| ArchiveError::Foreign(format!("清单不是有效的 JSON（{error}）")))?;
        if value.get("format").and_then(|format| format.as_str()) != Some(FORMAT) {
            return Err(ArchiveError::Foreign("清单中没有 zhiping 备份的格式标记".into()));
        }
        let found = value.get("format_version").and_then(|version| version.as_u64()).unwrap_or(0);
        if found > u64::from(FORMAT_VERSION) {
            return Err(ArchiveError::TooNew {
                what: "备份格式版本", found, supported: u64::from(FORMAT_VERSION)
            });
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|error| ArchiveError::Foreign(format!("清单字段无效（{error}）")))?;
        if manifest.schema_version > supported_schema {
            return Err(ArchiveError::TooNew {
                what: "数据结构版本",
                found: manifest.schema_version,
                supported: supported_schema,
            });
        }
        let mut databases = 0;
        let mut seen = std::collections::BTreeSet::new();
        for entry in &manifest.entries {
            if !is_hex_digest(&entry.sha256) {
                return Err(ArchiveError::Foreign(format!("{} 的校验值格式无效", entry.path)));
            }
            if !seen.insert(entry.path.as_str()) {
                return Err(ArchiveError::Foreign(format!("清单重复列出 {}", entry.path)));
            }
            if entry.path == DATABASE_PATH {
                databases += 1;
            } else if blob_path(&entry.sha256) != entry.path {
                return Err(ArchiveError::Foreign(format!("清单中有无法识别的路径 {}", entry.path)));
            }
        }
        if databases != 1 {
            return Err(ArchiveError::Foreign("清单中没有数据库快照".into()));
        }
        Ok(manifest)
    }

    pub fn total_bytes(&self) -> u64 {
        self.entries.iter().map(|entry| entry.size).sum()
    }

    pub fn blob_count(&self) -> usize {
        self.entries.iter().filter(|entry| entry.path != DATABASE_PATH).count()
    }
}

/// The archive path of a blob: `files/blobs/ab/abcd…`, as under the data directory.
pub fn blob_path(sha256: &str) -> String {
    format!("files/blobs/{}/{sha256}", sha256.get(..2).unwrap_or(""))
}

pub fn is_hex_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Writes an archive entry by entry; `finish` ends the tar stream.
pub struct ArchiveWriter<W: Write> {
    builder: tar::Builder<W>,
    mtime: u64,
}

impl<W: Write> ArchiveWriter<W> {
    /// Starts the archive with its manifest.
    pub fn start(out: W, manifest: &Manifest) -> io::Result<Self> {
        let mut writer =
            ArchiveWriter { builder: tar::Builder::new(out), mtime: manifest.created_at.timestamp().max(0) as u64 };
        let bytes = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
        writer.append(MANIFEST_PATH, bytes.len() as u64, bytes.as_slice())?;
        Ok(writer)
    }

    /// Appends `size` bytes from `reader` under `path`, failing unless exactly `size` bytes arrive.
    pub fn append(&mut self, path: &str, size: u64, reader: impl Read) -> io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_path(path)?;
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let mut exact = Exact { inner: reader.take(size), remaining: size };
        self.builder.append(&header, &mut exact)?;
        if exact.remaining != 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{path} 比预期的短")));
        }
        Ok(())
    }

    pub fn finish(self) -> io::Result<W> {
        self.builder.into_inner()
    }
}

/// Counts what was read, so a file that shrank under the writer is noticed.
struct Exact<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && self.remaining > 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "文件在备份过程中变短"));
        }
        self.remaining -= read as u64;
        Ok(read)
    }
}

/// Hashes and counts what passes through.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        self.size += read as u64;
        Ok(read)
    }
}

/// Reads an archive from the start, checking everything: the manifest first (marker, versions, paths), then each
/// entry against the manifest (listed, once, size, SHA-256), then that none is missing. `sink` receives each entry's
/// bytes as they are read (`io::sink()` to only verify; a file to restore). An error from `sink` is `Output`.
/// `supported_schema` is the newest database schema the caller can open.
pub fn read_archive<R: Read>(
    reader: R,
    supported_schema: u64,
    mut sink: impl FnMut(&ManifestEntry, &mut dyn Read) -> io::Result<()>,
) -> Result<Manifest, ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    let mut entries = archive.entries().map_err(ArchiveError::Damaged)?;
    let mut first = match entries.next() {
        Some(entry) => entry.map_err(|error| ArchiveError::Foreign(format!("无法读取（{error}）")))?,
        None => return Err(ArchiveError::Foreign("文件为空或不是 tar 归档".into())),
    };
    let first_path = entry_path(&first)?;
    if first_path != MANIFEST_PATH {
        return Err(ArchiveError::Foreign(format!("第一个条目应为 {MANIFEST_PATH}，实际为 {first_path}")));
    }
    if first.size() > MAX_MANIFEST_BYTES {
        return Err(ArchiveError::Foreign("清单过大".into()));
    }
    let declared = first.size();
    let mut bytes = Vec::new();
    first.read_to_end(&mut bytes).map_err(ArchiveError::Damaged)?;
    drop(first);
    if bytes.len() as u64 != declared {
        return Err(truncated(MANIFEST_PATH));
    }
    let manifest = Manifest::parse(&bytes, supported_schema)?;
    let mut expected: BTreeMap<&str, &ManifestEntry> =
        manifest.entries.iter().map(|entry| (entry.path.as_str(), entry)).collect();
    for entry in entries {
        let entry = entry.map_err(ArchiveError::Damaged)?;
        let path = entry_path(&entry)?;
        let Some(listed) = expected.remove(path.as_str()) else {
            return Err(ArchiveError::Unexpected { path });
        };
        if entry.header().entry_type() != tar::EntryType::Regular || entry.size() != listed.size {
            return Err(ArchiveError::Checksum { path });
        }
        let mut hashing = Hashing { inner: entry, hasher: Sha256::new(), size: 0 };
        sink(listed, &mut hashing).map_err(|error| match error.kind() {
            io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => ArchiveError::Damaged(error),
            _ => ArchiveError::Output(error),
        })?;
        io::copy(&mut hashing, &mut io::sink()).map_err(ArchiveError::Damaged)?;
        if hashing.size < listed.size {
            return Err(truncated(&path));
        }
        if hashing.size != listed.size || hex::encode(hashing.hasher.finalize()) != listed.sha256 {
            return Err(ArchiveError::Checksum { path });
        }
    }
    if let Some(path) = expected.keys().next() {
        return Err(ArchiveError::Missing { path: path.to_string() });
    }
    Ok(manifest)
}

fn truncated(path: &str) -> ArchiveError {
    ArchiveError::Damaged(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{path} 在文件末尾被截断")))
}

fn entry_path<R: Read>(entry: &tar::Entry<R>) -> Result<String, ArchiveError> {
    let path = entry.path().map_err(ArchiveError::Damaged)?;
    Ok(path.to_string_lossy().into_owned())
}

/// Only checks an archive (reads it whole, keeps nothing).
pub fn verify<R: Read>(reader: R, supported_schema: u64) -> Result<Manifest, ArchiveError> {
    read_archive(reader, supported_schema, |_, data| io::copy(data, &mut io::sink()).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// An archive with a database and two blobs, and its manifest.
    fn sample() -> (Vec<u8>, Manifest) {
        let database = b"not really redb".to_vec();
        let blobs = [b"first file".to_vec(), vec![7u8; 70_000]];
        let mut entries =
            vec![ManifestEntry { path: DATABASE_PATH.into(), size: database.len() as u64, sha256: digest(&database) }];
        for blob in &blobs {
            let sha = digest(blob);
            entries.push(ManifestEntry { path: blob_path(&sha), size: blob.len() as u64, sha256: sha });
        }
        let manifest = Manifest::new(1, entries, Vec::new());
        let mut writer = ArchiveWriter::start(Vec::new(), &manifest).unwrap();
        writer.append(DATABASE_PATH, database.len() as u64, database.as_slice()).unwrap();
        for (blob, entry) in blobs.iter().zip(&manifest.entries[1..]) {
            writer.append(&entry.path, blob.len() as u64, blob.as_slice()).unwrap();
        }
        (writer.finish().unwrap(), manifest)
    }

    #[test]
    fn a_written_archive_verifies_and_its_entries_come_out_intact() {
        let (bytes, manifest) = sample();
        let mut seen = Vec::new();
        let read = read_archive(bytes.as_slice(), 1, |entry, data| {
            let mut content = Vec::new();
            data.read_to_end(&mut content)?;
            assert_eq!(digest(&content), entry.sha256);
            seen.push(entry.path.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(read, manifest);
        assert_eq!(seen.len(), 3);
        assert_eq!(read.blob_count(), 2);
    }

    #[test]
    fn a_flipped_byte_is_a_checksum_error() {
        let (mut bytes, _) = sample();
        // The 70,000-byte blob's data starts after its header; flip a byte well inside it.
        let position = bytes.len() - 30_000;
        bytes[position] ^= 0x01;
        let error = verify(bytes.as_slice(), 1).unwrap_err();
        assert!(matches!(error, ArchiveError::Checksum { .. }), "{error}");
        assert!(error.to_string().contains("校验值不符"), "{error}");
    }

    #[test]
    fn a_truncated_archive_is_refused() {
        let (bytes, _) = sample();
        for cut in [600, 2_000, bytes.len() / 2, bytes.len() - 3_000] {
            let error = verify(&bytes[..cut], 1).unwrap_err();
            assert!(
                matches!(
                    error,
                    ArchiveError::Missing { .. } | ArchiveError::Damaged(_) | ArchiveError::Checksum { .. }
                ),
                "cut at {cut}: {error}"
            );
        }
    }

    #[test]
    fn foreign_and_newer_manifests_are_refused() {
        let good = sample().1;
        let parse = |manifest: &serde_json::Value, schema| Manifest::parse(manifest.to_string().as_bytes(), schema);
        let mut value = serde_json::to_value(&good).unwrap();
        assert!(parse(&value, 1).is_ok());
        // A newer schema than this binary knows.
        assert!(matches!(parse(&value, 0), Err(ArchiveError::TooNew { found: 1, .. })));
        value["format"] = "something-else".into();
        assert!(matches!(parse(&value, 1), Err(ArchiveError::Foreign(_))));
        let mut value = serde_json::to_value(&good).unwrap();
        value["format_version"] = (FORMAT_VERSION + 1).into();
        assert!(matches!(parse(&value, 1), Err(ArchiveError::TooNew { .. })));
        // A path that would escape the data directory, or a blob not stored under its own hash.
        let mut value = serde_json::to_value(&good).unwrap();
        value["entries"][1]["path"] = "../../etc/passwd".into();
        assert!(matches!(parse(&value, 1), Err(ArchiveError::Foreign(_))));
        let mut value = serde_json::to_value(&good).unwrap();
        value["entries"][1]["sha256"] = "ab".repeat(32).into();
        assert!(matches!(parse(&value, 1), Err(ArchiveError::Foreign(_))));
        // No database.
        let mut value = serde_json::to_value(&good).unwrap();
        value["entries"].as_array_mut().unwrap().remove(0);
        assert!(matches!(parse(&value, 1), Err(ArchiveError::Foreign(_))));
        assert!(matches!(Manifest::parse(b"{not json", 1), Err(ArchiveError::Foreign(_))));
    }

    #[test]
    fn an_archive_without_the_manifest_first_is_foreign() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_path("hello.txt").unwrap();
        header.set_size(5);
        header.set_cksum();
        builder.append(&header, b"hello".as_slice()).unwrap();
        let bytes = builder.into_inner().unwrap();
        assert!(matches!(verify(bytes.as_slice(), 1), Err(ArchiveError::Foreign(_))));
        assert!(matches!(verify(b"plain text, not a tar file at all".as_slice(), 1), Err(ArchiveError::Foreign(_))));
        assert!(matches!(verify(&[][..], 1), Err(ArchiveError::Foreign(_))));
    }

    #[test]
    fn an_entry_missing_from_the_archive_is_named() {
        let (_, manifest) = sample();
        let mut writer = ArchiveWriter::start(Vec::new(), &manifest).unwrap();
        writer.append(DATABASE_PATH, manifest.entries[0].size, b"not really redb".as_slice()).unwrap();
        let bytes = writer.finish().unwrap();
        let error = verify(bytes.as_slice(), 1).unwrap_err();
        assert!(matches!(&error, ArchiveError::Missing { path } if path.starts_with("files/blobs/")), "{error}");
    }

    #[test]
    fn a_source_shorter_than_declared_fails_the_writer() {
        let (_, manifest) = sample();
        let mut writer = ArchiveWriter::start(Vec::new(), &manifest).unwrap();
        assert!(writer.append(DATABASE_PATH, 100, b"short".as_slice()).is_err());
    }
}
