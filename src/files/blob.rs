//! The content-addressed blob store: every uploaded or generated file lives at `blobs/ab/abcdef…`, named by
//! the SHA-256 of its bytes, so identical files are stored once and a name can never point at other content.
//!
//! Architecture invariant: a blob path exists only once its bytes are complete and on disk. Bytes go to a
//! temporary file under `tmp/`, which is fsynced, renamed to its address, and the directory fsynced; only
//! then does `put_*` return, and only then may the caller commit a record naming the hash. A crash leaves at
//! most a stray temporary file, which [`BlobStore::sweep_temp`] removes at start-up.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::sniff::{FileKind, sniff_path};

/// The size of the chunks uploads are read, hashed and written in. Memory per upload stays near this
/// (plus tokio's file buffer) whatever the file's size.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// A content-addressed blob store rooted at the data directory's `files/`. Cheap to clone; every clone
/// works on the same folders.
#[derive(Debug, Clone)]
pub struct BlobStore {
    blobs: PathBuf,
    temp: PathBuf,
    /// Free bytes the file system must keep: an upload is refused (or cut off) below this. 0 = no check.
    reserve: u64,
}

/// A blob that is safely on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// SHA-256 of the content, 64 lowercase hex digits: the blob's address.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// What the content is, from its magic bytes.
    pub kind: FileKind,
}

/// Why an upload was not stored. In every case its temporary file is gone.
#[derive(thiserror::Error, Debug)]
pub enum UploadError {
    /// More than `limit` bytes arrived; reading stopped there.
    #[error("the upload exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file system is full, or its free space fell below the store's reserve; the upload stopped there.
    #[error("the disk is full")]
    DiskFull,
    /// Reading the upload or writing it failed: a dropped connection, a permission problem.
    #[error("storing the upload failed: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for UploadError {
    fn from(error: std::io::Error) -> Self {
        if super::is_storage_full(&error) { UploadError::DiskFull } else { UploadError::Io(error) }
    }
}

/// While streaming, free space is re-checked after every this many bytes, so a long upload stops before it
/// eats the reserve.
const SPACE_CHECK_BYTES: u64 = 16 * 1024 * 1024;

impl BlobStore {
    /// Opens (creating if needed) the store under `root`, i.e. `root/blobs/` and `root/tmp/`.
    /// Both must be on one file system, so a rename moves a finished file into place atomically.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        let store = BlobStore { blobs: root.join("blobs"), temp: root.join("tmp"), reserve: 0 };
        crate::private_fs::create_dir_all(&store.blobs)?;
        crate::private_fs::create_dir_all(&store.temp)?;
        Ok(store)
    }

    /// The same store, refusing uploads while the file system has fewer than `bytes` free.
    pub fn with_reserve(mut self, bytes: u64) -> Self {
        self.reserve = bytes;
        self
    }

    /// Free bytes on the store's file system (for an unprivileged process).
    pub fn free_space(&self) -> std::io::Result<u64> {
        fs4::available_space(&self.blobs)
    }

    /// `DiskFull` when the free space is below the reserve. A failing `statvfs` does not block uploads: a real
    /// full disk still surfaces as `ENOSPC` while writing.
    pub fn check_space(&self) -> Result<(), UploadError> {
        if self.reserve == 0 {
            return Ok(());
        }
        match self.free_space() {
            Ok(free) if free < self.reserve => Err(UploadError::DiskFull),
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, "could not read the free disk space");
                Ok(())
            }
        }
    }

    /// Removes every file in `tmp/` and returns how many there were. Call it at start-up, before serving:
    /// it cannot tell a crashed upload's leftovers from an upload in progress.
    pub fn sweep_temp(&self) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.temp)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed temporary files left by an interrupted upload");
        }
        Ok(removed)
    }

    /// Streams `reader` into the store in [`CHUNK_SIZE`] chunks, hashing as it goes.
    ///
    /// Stops as soon as more than `limit` bytes have arrived ([`UploadError::TooLarge`]): no more than `limit`
    /// bytes are ever written, and the upload is never held in memory whole. On any error, and also when the
    /// returned future is dropped before it completes (a client that went away), the temporary file is
    /// removed. On success the blob is fsynced and in place; if the same content was stored before, the new
    /// copy is simply discarded.
    pub async fn put_stream<R: AsyncRead + Unpin>(&self, reader: R, limit: u64) -> Result<StoredBlob, UploadError> {
        self.check_space()?;
        let path = self.temp_path();
        let file = crate::private_fs::create_new_async().open(&path).await?;
        // From here on the guard removes the file on every way out, cancellation included.
        let temp = TempFile { path: Some(path) };
        let (file, sha256, size) = match write_hashed(reader, file, limit, || self.check_space()).await {
            Ok(written) => written,
            Err(error) => {
                temp.discard().await;
                return Err(error);
            }
        };
        let store = self.clone();
        // fsync, rename and sniffing block; keep them off the async worker threads.
        let stored = tokio::task::spawn_blocking(move || store.commit(temp, file, sha256, size))
            .await
            .map_err(std::io::Error::other)??;
        Ok(stored)
    }

    /// Stores `bytes` (a small generated file, e.g. a printed form) the same way as [`Self::put_stream`].
    /// Blocking: call it from `spawn_blocking` in async code.
    /// The reserve does not apply (generated files are small); a full disk still fails with `StorageFull`.
    pub fn put_bytes(&self, bytes: &[u8]) -> std::io::Result<StoredBlob> {
        let (temp, mut file) = self.create_temp()?;
        file.write_all(bytes)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        self.commit(temp, file, sha256, bytes.len() as u64)
    }

    /// The path of the blob with this address, or `None` unless `sha256` is exactly 64 lowercase hex digits.
    /// That check is what makes a path built from user input safe: no `..`, no separators, one spelling per
    /// blob. The file itself may not exist (see [`Self::exists`]).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| self.blobs.join(&sha256[..2]).join(sha256))
    }

    /// Whether a blob with this address is stored.
    pub fn exists(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_some_and(|path| path.is_file())
    }

    /// The address and modification time of every stored blob (for `zhiping check`'s orphan report). Files
    /// whose name is not a valid address are left out: they are nobody's blob.
    pub fn list(&self) -> std::io::Result<Vec<(String, std::time::SystemTime)>> {
        let mut found = Vec::new();
        for shard in std::fs::read_dir(&self.blobs)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(shard.path())? {
                let entry = entry?;
                let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
                if self.path_of(&name).is_some_and(|path| path == entry.path()) && entry.file_type()?.is_file() {
                    found.push((name, entry.metadata()?.modified()?));
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Re-hashes the stored blob and tells whether its content still matches its address (for
    /// `zhiping check`). Fails with `NotFound` if it is missing and `InvalidInput` for a malformed address.
    pub fn verify(&self, sha256: &str) -> std::io::Result<bool> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a SHA-256 address"))?;
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        let mut chunk = vec![0u8; CHUNK_SIZE];
        loop {
            let read = file.read(&mut chunk)?;
            if read == 0 {
                break;
            }
            hasher.update(&chunk[..read]);
        }
        Ok(hex::encode(hasher.finalize()) == sha256)
    }

    /// A fresh name under `tmp/`. 128 random bits never collide in practice, and the `create_new` open that
    /// follows refuses rather than overwrite if one did.
    fn temp_path(&self) -> PathBuf {
        self.temp.join(format!("{:032x}.part", rand::random::<u128>()))
    }

    fn create_temp(&self) -> std::io::Result<(TempFile, std::fs::File)> {
        let path = self.temp_path();
        let file = crate::private_fs::create_new().open(&path)?;
        Ok((TempFile { path: Some(path) }, file))
    }

    /// Makes a completely written temporary file the blob `sha256`: fsync, rename into place (or discard it if
    /// that content is already stored), fsync the directory so the rename itself survives a crash. Two uploads
    /// of the same content may race here; both renames put identical bytes in place, so either may win.
    fn commit(
        &self,
        mut temp: TempFile,
        file: std::fs::File,
        sha256: String,
        size: u64,
    ) -> std::io::Result<StoredBlob> {
        file.sync_all()?;
        drop(file);
        let target = self.path_of(&sha256).ok_or_else(|| std::io::Error::other("hex digest is not a valid address"))?;
        // A stored copy of another size was damaged after it was written; the fresh copy replaces it.
        let stored_intact = std::fs::metadata(&target).is_ok_and(|stored| stored.is_file() && stored.len() == size);
        if stored_intact {
            // Same content, same bytes: keep the stored copy. `temp` removes the new one when dropped.
            drop(temp);
        } else {
            let shard = target.parent().ok_or_else(|| std::io::Error::other("blob path has no parent"))?;
            let new_shard = !shard.is_dir();
            crate::private_fs::create_dir_all(shard)?;
            let from = temp.disarm();
            if let Err(error) = std::fs::rename(&from, &target) {
                remove_quietly(&from);
                return Err(error);
            }
            sync_dir(shard)?;
            if new_shard {
                sync_dir(&self.blobs)?;
            }
        }
        let kind = sniff_path(&target)?;
        Ok(StoredBlob { sha256, size, kind })
    }
}

/// Copies `reader` into `file` chunk by chunk, hashing as it goes, and stops as soon as more than `limit`
/// bytes have arrived, before writing any of them. Returns the file (flushed), the hex digest and the size.
async fn write_hashed<R: AsyncRead + Unpin>(
    mut reader: R,
    mut file: tokio::fs::File,
    limit: u64,
    check_space: impl Fn() -> Result<(), UploadError>,
) -> Result<(std::fs::File, String, u64), UploadError> {
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut next_check = SPACE_CHECK_BYTES;
    let mut chunk = vec![0u8; CHUNK_SIZE];
    loop {
        let read = reader.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        size += read as u64;
        if size > limit {
            return Err(UploadError::TooLarge { limit });
        }
        if size >= next_check {
            check_space()?;
            next_check = size + SPACE_CHECK_BYTES;
        }
        hasher.update(&chunk[..read]);
        file.write_all(&chunk[..read]).await?;
    }
    // tokio writes in the background: flushing surfaces a failed write (e.g. a full disk) here.
    file.flush().await?;
    Ok((file.into_std().await, hex::encode(hasher.finalize()), size))
}

/// A temporary file that removes itself when dropped, unless [`TempFile::disarm`] took its path first.
/// Dropping happens on every early return and when an upload's future is cancelled mid-stream.
struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    fn disarm(&mut self) -> PathBuf {
        self.path.take().unwrap_or_default()
    }

    /// Removes the file without blocking an async worker thread (dropping removes it synchronously).
    async fn discard(mut self) {
        if let Some(path) = self.path.take()
            && let Err(error) = tokio::fs::remove_file(&path).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            // sweep_temp removes it at the next start.
            tracing::warn!(%error, path = %path.display(), "could not remove a temporary upload file");
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            remove_quietly(&path);
        }
    }
}

fn remove_quietly(path: &Path) {
    if let Err(error) = std::fs::remove_file(path)
        && error.kind() != std::io::ErrorKind::NotFound
    {
        // sweep_temp removes it at the next start.
        tracing::warn!(%error, path = %path.display(), "could not remove a temporary upload file");
    }
}

/// Makes a directory's entries (a rename into it) durable. POSIX needs this; elsewhere a directory cannot be
/// opened as a file, and the rename is as durable as the platform makes it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::ReadBuf;

    use super::*;
    use crate::files::fixture;

    /// Produces `remaining` bytes of a repeating pattern without holding them, like a network upload.
    struct Generated {
        remaining: u64,
    }

    impl AsyncRead for Generated {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _context: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let count = (buf.remaining() as u64).min(self.remaining) as usize;
            let pattern: Vec<u8> = (0..count).map(|index| (index % 251) as u8).collect();
            buf.put_slice(&pattern);
            self.remaining -= count as u64;
            Poll::Ready(Ok(()))
        }
    }

    fn store() -> (tempfile::TempDir, BlobStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(&dir.path().join("files")).unwrap();
        (dir, store)
    }

    fn count_files(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_dir() { count_files(&entry.path()) } else { 1 }
            })
            .sum()
    }

    #[tokio::test]
    async fn over_the_limit_is_refused_and_leaves_nothing() {
        let (_dir, store) = store();
        let result = store.put_stream(Generated { remaining: 1_000_001 }, 1_000_000).await;
        assert!(matches!(result, Err(UploadError::TooLarge { limit: 1_000_000 })), "{result:?}");
        assert_eq!(count_files(&store.temp), 0);
        assert_eq!(count_files(&store.blobs), 0);

        // Reading stops at the limit; the rest of a much larger upload is never read.
        let mut upload = Generated { remaining: 50_000_000 };
        let result = store.put_stream(&mut upload, 1_000_000).await;
        assert!(matches!(result, Err(UploadError::TooLarge { .. })), "{result:?}");
        assert!(upload.remaining > 48_000_000, "{} bytes left unread", upload.remaining);
        assert_eq!(count_files(&store.temp), 0);
    }

    #[tokio::test]
    async fn exactly_the_limit_is_stored() {
        let (_dir, store) = store();
        let stored = store.put_stream(Generated { remaining: 1_000_000 }, 1_000_000).await.unwrap();
        assert_eq!(stored.size, 1_000_000);
        assert_eq!(stored.kind, FileKind::Other);
        assert!(store.exists(&stored.sha256));
        assert!(store.verify(&stored.sha256).unwrap());
        assert_eq!(count_files(&store.temp), 0);
    }

    #[tokio::test]
    async fn the_same_content_is_stored_once() {
        let (_dir, store) = store();
        let bytes = std::fs::read(fixture("text.pdf")).unwrap();
        let first = store.put_stream(bytes.as_slice(), 20_000_000).await.unwrap();
        let second = store.put_stream(bytes.as_slice(), 20_000_000).await.unwrap();
        let third = store.put_bytes(&bytes).unwrap();
        assert_eq!(first, second);
        assert_eq!(first, third);
        assert_eq!(first.kind, FileKind::Pdf);
        assert_eq!(first.size, bytes.len() as u64);
        assert_eq!(count_files(&store.blobs), 1);
        assert_eq!(count_files(&store.temp), 0);
        let path = store.path_of(&first.sha256).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), bytes);
    }

    #[tokio::test]
    async fn below_the_reserve_nothing_is_stored() {
        let (_dir, store) = store();
        let store = store.with_reserve(u64::MAX);
        let result = store.put_stream(Generated { remaining: 1000 }, 1_000_000).await;
        assert!(matches!(result, Err(UploadError::DiskFull)), "{result:?}");
        assert_eq!(count_files(&store.temp), 0);
        assert_eq!(count_files(&store.blobs), 0);
        // Generated files are small and exempt; a real full disk still fails them.
        assert!(store.put_bytes(b"%PDF-1.4").is_ok());
    }

    #[tokio::test]
    async fn a_long_upload_stops_when_the_disk_fills_up() {
        let (_dir, store) = store();
        let file = tokio::fs::File::create(store.temp.join("probe.part")).await.unwrap();
        let checks = std::cell::Cell::new(0);
        let check = || {
            checks.set(checks.get() + 1);
            if checks.get() >= 2 { Err(UploadError::DiskFull) } else { Ok(()) }
        };
        let mut upload = Generated { remaining: 4 * SPACE_CHECK_BYTES };
        let result = write_hashed(&mut upload, file, u64::MAX, check).await;
        assert!(matches!(result, Err(UploadError::DiskFull)), "{:?}", result.err());
        assert!(upload.remaining >= SPACE_CHECK_BYTES, "reading stopped at the second check");
    }

    #[test]
    fn enospc_is_a_full_disk() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(matches!(UploadError::from(full), UploadError::DiskFull));
        let other = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(matches!(UploadError::from(other), UploadError::Io(_)));
        assert!(crate::files::is_storage_full(&std::io::Error::from_raw_os_error(28)), "ENOSPC");
    }

    /// The environment variable that tells [`memory_probe`] it runs in a process of its own.
    const MEMORY_PROBE: &str = "ZHIPING_FILES_MEMORY_PROBE";

    #[test]
    fn streaming_memory_is_bounded() {
        // VmHWM is per process, and the other tests run on parallel threads of this one: measure in a child
        // process that runs the probe alone.
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "files::blob::tests::memory_probe", "--ignored", "--nocapture"])
            .env(MEMORY_PROBE, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("1 passed"), "the probe did not run: {stdout}");
    }

    #[tokio::test]
    #[ignore = "run by streaming_memory_is_bounded in a process of its own"]
    async fn memory_probe() {
        if std::env::var_os(MEMORY_PROBE).is_none() {
            return;
        }
        let (_dir, store) = store();
        let before = peak_resident_kib();
        let stored = store.put_stream(Generated { remaining: 100 << 20 }, 500 << 20).await.unwrap();
        let after = peak_resident_kib();
        assert_eq!(stored.size, 100 << 20);
        assert!(store.verify(&stored.sha256).unwrap());
        println!("streaming 100 MiB raised the peak resident size by {} KiB", after - before);
        // Buffering the upload would cost 100 MiB.
        assert!(after - before < 32 * 1024, "peak resident memory grew by {} KiB", after - before);
    }

    #[tokio::test]
    async fn a_failed_read_leaves_no_temp_file() {
        let (_dir, store) = store();
        let failing = Generated { remaining: 200_000 }.chain(FailingReader);
        let result = store.put_stream(failing, 1_000_000).await;
        assert!(matches!(result, Err(UploadError::Io(_))), "{result:?}");
        assert_eq!(count_files(&store.temp), 0);
        assert_eq!(count_files(&store.blobs), 0);
    }

    #[tokio::test]
    async fn a_cancelled_upload_leaves_no_temp_file() {
        let (_dir, store) = store();
        // The writing half stays open without sending: the upload stalls like a silent client.
        let (mut client, server) = tokio::io::duplex(CHUNK_SIZE);
        client.write_all(&[7u8; 1000]).await.unwrap();
        let upload = store.put_stream(server, 1_000_000);
        let result = tokio::time::timeout(std::time::Duration::from_millis(200), upload).await;
        assert!(result.is_err(), "the upload should still be waiting");
        assert_eq!(count_files(&store.temp), 0);
        drop(client);
    }

    #[test]
    fn path_of_refuses_anything_but_lowercase_sha256_hex() {
        let (_dir, store) = store();
        let good = "ab".repeat(32);
        assert!(store.path_of(&good).unwrap().ends_with(format!("blobs/ab/{good}")));
        assert_eq!(store.path_of("../etc/passwd"), None);
        assert_eq!(store.path_of(&"AB".repeat(32)), None);
        assert_eq!(store.path_of(&"ab".repeat(31)), None);
        assert_eq!(store.path_of(&format!("{}/..", "ab".repeat(31))), None);
        assert_eq!(store.path_of(""), None);
        assert!(!store.exists("../etc/passwd"));
        assert!(!store.exists(&good));
        assert!(store.verify("../etc/passwd").is_err());
    }

    #[test]
    fn verify_detects_a_corrupted_blob() {
        let (_dir, store) = store();
        let stored = store.put_bytes("成果鉴定".as_bytes()).unwrap();
        assert!(store.verify(&stored.sha256).unwrap());
        let path = store.path_of(&stored.sha256).unwrap();
        std::fs::write(&path, "成果鉴宝".as_bytes()).unwrap();
        assert!(!store.verify(&stored.sha256).unwrap());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(store.verify(&stored.sha256).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn a_truncated_blob_is_replaced_by_a_fresh_copy() {
        let (_dir, store) = store();
        let stored = store.put_bytes(b"complete content").unwrap();
        let path = store.path_of(&stored.sha256).unwrap();
        std::fs::write(&path, b"complete").unwrap();
        assert_eq!(store.put_bytes(b"complete content").unwrap(), stored);
        assert!(store.verify(&stored.sha256).unwrap());
    }

    #[test]
    fn sweep_temp_removes_leftovers() {
        let (dir, store) = store();
        std::fs::write(store.temp.join("0123.part"), b"half an upload").unwrap();
        std::fs::write(store.temp.join("4567.part"), b"another").unwrap();
        assert_eq!(store.sweep_temp().unwrap(), 2);
        assert_eq!(count_files(&store.temp), 0);
        assert_eq!(store.sweep_temp().unwrap(), 0);
        // Reopening an existing store keeps what it holds.
        let stored = store.put_bytes(b"kept").unwrap();
        let reopened = BlobStore::open(&dir.path().join("files")).unwrap();
        assert!(reopened.exists(&stored.sha256));
    }

    struct FailingReader;

    impl AsyncRead for FailingReader {
        fn poll_read(
            self: Pin<&mut Self>,
            _context: &mut Context<'_>,
            _buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "client went away")))
        }
    }

    /// The process's peak resident set size (VmHWM), in KiB.
    fn peak_resident_kib() -> i64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}
