//! Opening ZIP containers that came from uploads (DOCX, XLSX) with every size bounded before it costs memory:
//! the number of entries (each one is indexed in memory), the unpacked sizes the archive declares, and the sizes
//! its entries ACTUALLY unpack to (a ZIP's header says whatever its writer wanted; only inflating through a cap
//! tells). Nested archives are never opened: an entry that is itself a ZIP counts as its own bytes, so a bomb
//! inside a bomb costs no more than its outer layer.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use zip::ZipArchive;
use zip::read::Config;
use zip::result::ZipError;
use zip::unstable::read::ZipIterable;

/// How much a ZIP container may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the central directory.
    pub max_entries: usize,
    /// Unpacked bytes of one entry.
    pub max_entry_bytes: u64,
    /// Unpacked bytes of all entries together.
    pub max_total_bytes: u64,
}

/// Limits for Office documents. Word and Excel files have tens of parts, a few hundred with many images; 4,096
/// keeps the in-memory index small (a few hundred bytes per entry). One part may inflate to
/// [`super::MAX_INFLATED_BYTES`] and a whole document to 256 MiB, far above any real document of the sizes the
/// upload slots accept.
pub const OFFICE_LIMITS: ZipLimits = ZipLimits {
    max_entries: 4096,
    max_entry_bytes: super::MAX_INFLATED_BYTES as u64,
    max_total_bytes: 256 * 1024 * 1024,
};

/// Why a ZIP container was not opened.
#[derive(Debug, thiserror::Error)]
pub enum ZipRefusal {
    /// Not a readable ZIP archive (damaged, truncated, encrypted entries, or not a ZIP at all).
    #[error("unreadable ZIP container: {0}")]
    Unreadable(#[from] ZipError),
    /// Reading the file failed.
    #[error("file read failed: {0}")]
    Io(#[from] std::io::Error),
    /// More entries than the limit.
    #[error("the archive has {count} entries, more than {limit}")]
    TooManyEntries { count: usize, limit: usize },
    /// An entry, or all of them together, unpack (or claim to unpack) past the limit.
    #[error("the archive unpacks to more than {limit} bytes")]
    TooLarge { limit: u64 },
}

/// The number of entries the archive's central directory declares, read without indexing them (memory does not
/// grow with the count).
pub fn entry_count(path: &Path) -> Result<usize, ZipRefusal> {
    let iterable = ZipIterable::try_new(BufReader::new(File::open(path)?), Config::default())?;
    Ok(iterable.len())
}

/// Opens the archive at `path` once its entry count and declared sizes are within `limits`. Callers that read
/// every part anyway (the spreadsheet import) call [`check_inflated`] too; the others read each part through a
/// cap of [`ZipLimits::max_entry_bytes`].
pub fn open(path: &Path, limits: ZipLimits) -> Result<ZipArchive<BufReader<File>>, ZipRefusal> {
    let count = entry_count(path)?;
    if count > limits.max_entries {
        return Err(ZipRefusal::TooManyEntries { count, limit: limits.max_entries });
    }
    let mut archive = ZipArchive::new(BufReader::new(File::open(path)?))?;
    // The index may still disagree with the count read above (a second end record): check what was built.
    if archive.len() > limits.max_entries {
        return Err(ZipRefusal::TooManyEntries { count: archive.len(), limit: limits.max_entries });
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let size = archive.by_index_raw(index)?.size();
        if size > limits.max_entry_bytes {
            return Err(ZipRefusal::TooLarge { limit: limits.max_entry_bytes });
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(ZipRefusal::TooLarge { limit: limits.max_total_bytes });
        }
    }
    Ok(archive)
}

/// Inflates every entry into nothing, through a cap, and refuses when one or all of them really unpack past
/// `limits` (an entry that unpacks past its declared size fails as `Io` / `InvalidData` in the zip crate
/// itself). Costs CPU (bounded by the limits), no memory.
pub fn check_inflated<R: Read + Seek>(archive: &mut ZipArchive<R>, limits: ZipLimits) -> Result<(), ZipRefusal> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index)?;
        if entry.is_dir() {
            continue;
        }
        let inflated = std::io::copy(&mut entry.take(limits.max_entry_bytes + 1), &mut std::io::sink())?;
        if inflated > limits.max_entry_bytes {
            return Err(ZipRefusal::TooLarge { limit: limits.max_entry_bytes });
        }
        total = total.saturating_add(inflated);
        if total > limits.max_total_bytes {
            return Err(ZipRefusal::TooLarge { limit: limits.max_total_bytes });
        }
    }
    Ok(())
}

/// Whether the container at `path` opens within `limits` and every entry really inflates within them: the
/// upload check for a DOCX, so a bomb is refused when it arrives rather than failing every later reader.
pub fn check(path: &Path, limits: ZipLimits) -> Result<(), ZipRefusal> {
    let mut archive = open(path, limits)?;
    check_inflated(&mut archive, limits)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    /// A ZIP with `entries` of `(name, bytes of one repeated byte)`; `lie` rewrites every declared unpacked
    /// size to 1 byte, as a hostile writer would.
    pub(crate) fn write_zip(path: &Path, entries: &[(&str, usize)]) {
        let mut writer = zip::ZipWriter::new(File::create(path).unwrap());
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(entries.iter().any(|(_, size)| *size as u64 >= u32::MAX as u64));
        let chunk = vec![b'a'; 1 << 20];
        for (name, size) in entries {
            writer.start_file(*name, options).unwrap();
            let mut left = *size;
            while left > 0 {
                let now = left.min(chunk.len());
                writer.write_all(&chunk[..now]).unwrap();
                left -= now;
            }
        }
        writer.finish().unwrap();
    }

    /// Rewrites the declared unpacked size of every entry (local and central headers) to `size`.
    pub(crate) fn lie_about_sizes(path: &Path, size: u32) {
        let mut bytes = std::fs::read(path).unwrap();
        let mut at = 0;
        while at + 30 <= bytes.len() {
            let offset = match &bytes[at..at + 4] {
                [0x50, 0x4b, 0x03, 0x04] => Some(22),
                [0x50, 0x4b, 0x01, 0x02] => Some(24),
                _ => None,
            };
            if let Some(offset) = offset {
                bytes[at + offset..at + offset + 4].copy_from_slice(&size.to_le_bytes());
            }
            at += 1;
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn declared_and_actual_sizes_and_entry_counts_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let limits = ZipLimits { max_entries: 10, max_entry_bytes: 1 << 20, max_total_bytes: 2 << 20 };

        let fine = dir.path().join("fine.zip");
        write_zip(&fine, &[("a.xml", 1000), ("b.xml", 1 << 20)]);
        let mut archive = open(&fine, limits).unwrap();
        check_inflated(&mut archive, limits).unwrap();

        let many = dir.path().join("many.zip");
        let names: Vec<String> = (0..11).map(|index| format!("{index}.xml")).collect();
        write_zip(&many, &names.iter().map(|name| (name.as_str(), 1)).collect::<Vec<_>>());
        assert_eq!(entry_count(&many).unwrap(), 11);
        assert!(matches!(open(&many, limits), Err(ZipRefusal::TooManyEntries { count: 11, limit: 10 })));

        let big = dir.path().join("big.zip");
        write_zip(&big, &[("a.xml", (1 << 20) + 1)]);
        assert!(matches!(open(&big, limits), Err(ZipRefusal::TooLarge { .. })));
        let total = dir.path().join("total.zip");
        write_zip(&total, &[("a.xml", 1 << 20), ("b.xml", 1 << 20), ("c.xml", 1)]);
        assert!(matches!(open(&total, limits), Err(ZipRefusal::TooLarge { .. })));

        // The header says 1 byte; inflating says otherwise. The zip crate stops at the declared size itself;
        // either way the entry is refused, and never inflated past the cap.
        let liar = dir.path().join("liar.zip");
        write_zip(&liar, &[("a.xml", 3 << 20)]);
        lie_about_sizes(&liar, 1);
        let mut archive = open(&liar, limits).expect("declared sizes look harmless");
        let result = check_inflated(&mut archive, limits);
        let refused = match &result {
            Err(ZipRefusal::TooLarge { .. }) => true,
            Err(ZipRefusal::Io(error)) => error.kind() == std::io::ErrorKind::InvalidData,
            _ => false,
        };
        assert!(refused, "{result:?}");

        let damaged = dir.path().join("damaged.zip");
        std::fs::write(&damaged, b"PK\x03\x04 not really").unwrap();
        assert!(matches!(open(&damaged, limits), Err(ZipRefusal::Unreadable(_))));
    }
}
