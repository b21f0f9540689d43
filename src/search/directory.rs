//! The index directory on disk: the format marker, the writer-lock probe, and wiping an index
//! that cannot be used.
//!
//! The marker file holds [`FORMAT_VERSION`] and is written only after a complete rebuild has been
//! committed, so "marker present and current" means "this index holds every document". A crash
//! during a rebuild, or a failed write, leaves no marker and the next open starts over.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::Path;

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, INDEX_WRITER_LOCK, MmapDirectory};

use super::SearchError;
use super::schema::FORMAT_VERSION;

/// Name of the marker file, next to tantivy's files.
pub(crate) const MARKER_FILE: &str = "zhiping-search.format";
const MARKER_TEMP_FILE: &str = "zhiping-search.format.tmp";
const MARKER_PREFIX: &str = "zhiping-search-format ";

/// The format version recorded in `dir`, or `None` when there is no readable marker.
pub(crate) fn read_marker(dir: &Path) -> Option<u32> {
    let text = fs::read_to_string(dir.join(MARKER_FILE)).ok()?;
    text.trim().strip_prefix(MARKER_PREFIX)?.parse().ok()
}

/// Records that `dir` holds a complete index of the current format, durably: the marker is
/// written to a temporary file, synced, and renamed over the old one.
pub(crate) fn write_marker(dir: &Path) -> Result<(), SearchError> {
    let temp = dir.join(MARKER_TEMP_FILE);
    let mut file = fs::File::create(&temp).map_err(SearchError::io(&temp))?;
    writeln!(file, "{MARKER_PREFIX}{FORMAT_VERSION}").map_err(SearchError::io(&temp))?;
    file.sync_all().map_err(SearchError::io(&temp))?;
    let marker = dir.join(MARKER_FILE);
    fs::rename(&temp, &marker).map_err(SearchError::io(&marker))
}

/// Removes the marker, so the next open rebuilds the index.
pub(crate) fn remove_marker(dir: &Path) -> Result<(), SearchError> {
    let marker = dir.join(MARKER_FILE);
    match fs::remove_file(&marker) {
        Err(error) if error.kind() != ErrorKind::NotFound => Err(SearchError::Io { path: marker, source: error }),
        _ => Ok(()),
    }
}

/// Fails with [`SearchError::Locked`] if another process holds the index writer lock. Checked
/// before anything is wiped, so a second server on the same directory cannot destroy the live
/// index of the first. The probe lock is released on return (tantivy's writer takes it again).
pub(crate) fn ensure_unlocked(dir: &Path) -> Result<(), SearchError> {
    let directory = MmapDirectory::open(dir)
        .map_err(|error| SearchError::Io { path: dir.to_path_buf(), source: std::io::Error::other(error) })?;
    match directory.acquire_lock(&INDEX_WRITER_LOCK) {
        Ok(_released_on_drop) => Ok(()),
        Err(LockError::LockBusy) => Err(SearchError::Locked(dir.to_path_buf())),
        Err(LockError::IoError(error)) => Err(SearchError::Io {
            path: dir.join(&INDEX_WRITER_LOCK.filepath),
            source: std::io::Error::new(error.kind(), error.to_string()),
        }),
    }
}

/// Deletes the files of an index (tantivy's and the marker) from `dir`. Only names tantivy or this
/// module create are touched, so a directory given by mistake loses nothing else.
pub(crate) fn wipe(dir: &Path) -> Result<(), SearchError> {
    let entries = fs::read_dir(dir).map_err(SearchError::io(dir))?;
    for entry in entries {
        let entry = entry.map_err(SearchError::io(dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_index_file(name) {
            continue;
        }
        let path = entry.path();
        match fs::remove_file(&path) {
            Err(error) if error.kind() != ErrorKind::NotFound => {
                return Err(SearchError::Io { path, source: error });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `name` is a file of an index: tantivy's metadata and lock files, its segment files
/// (`<32 hex digits>.<extension>`), its temporary files (`.tmp…`), or the marker.
fn is_index_file(name: &str) -> bool {
    const FIXED: [&str; 6] =
        ["meta.json", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock", MARKER_FILE, MARKER_TEMP_FILE];
    if FIXED.contains(&name) || name.starts_with(".tmp") {
        return true;
    }
    let bytes = name.as_bytes();
    bytes.len() > 33 && bytes[32] == b'.' && bytes[..32].iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_index_files_are_recognised() {
        assert!(is_index_file("meta.json"));
        assert!(is_index_file("0123456789abcdef0123456789abcdef.idx"));
        assert!(is_index_file("0123456789abcdef0123456789abcdef.12.del"));
        assert!(is_index_file(".tmpA1b2C3"));
        assert!(is_index_file(MARKER_FILE));
        assert!(!is_index_file("zhiping.redb"));
        assert!(!is_index_file("0123456789abcdef0123456789abcdeg.idx"));
        assert!(!is_index_file("notes.txt"));
    }

    #[test]
    fn marker_round_trips() -> Result<(), SearchError> {
        let dir = tempfile::tempdir().map_err(SearchError::io("tempdir"))?;
        assert_eq!(read_marker(dir.path()), None);
        write_marker(dir.path())?;
        assert_eq!(read_marker(dir.path()), Some(FORMAT_VERSION));
        remove_marker(dir.path())?;
        remove_marker(dir.path())?;
        assert_eq!(read_marker(dir.path()), None);
        Ok(())
    }
}
