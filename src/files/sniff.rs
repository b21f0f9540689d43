//! What a file is, decided by its content (magic bytes and, for ZIP containers, the parts inside), never by
//! its name; the MIME type and extension to serve each kind with; and whether a PDF is complete.
//!
//! Deciding by content is SPEC §9's rule: a PNG renamed `成果.pdf` is a PNG, and is refused as such.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use zip::read::Config;
use zip::unstable::read::ZipIterable;

use super::text::load_pdf;

/// The kinds of file the platform tells apart. Anything not listed is [`FileKind::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// PDF document (`%PDF` within the first 1024 bytes).
    Pdf,
    /// Word 97–2003 document: an OLE2 compound file.
    Doc,
    /// Word 2007+ document: a ZIP container with `word/document.xml`.
    Docx,
    /// MP4 video (ISO base media file with an MP4 brand).
    Mp4,
    /// ZIP archive that is neither DOCX nor XLSX.
    Zip,
    /// Excel 2007+ workbook: a ZIP container with `xl/workbook.xml`.
    Xlsx,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// Anything else, including damaged containers.
    Other,
}

impl FileKind {
    pub const ALL: [FileKind; 9] = [
        FileKind::Pdf,
        FileKind::Doc,
        FileKind::Docx,
        FileKind::Mp4,
        FileKind::Zip,
        FileKind::Xlsx,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Other,
    ];

    /// The inverse of [`extension_of`], for reading a kind back from storage. Never use it to classify an
    /// upload: a file's name says nothing about its content.
    pub fn from_extension(extension: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|kind| extension_of(*kind) == extension)
    }
}

/// Every OLE2 compound file starts with these bytes ([MS-CFB] §2.2).
const OLE2_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// How much of the file's start the magic-byte matchers look at (the same amount `infer` reads itself).
const SNIFF_BYTES: u64 = 8192;

/// How far from the end a PDF's `%%EOF` marker may sit: Acrobat accepts trailing bytes up to this amount.
const EOF_SEARCH_BYTES: u64 = 1024;

/// The kind of the file at `path`, from its content.
///
/// As in Acrobat (and `infer`), `%PDF` anywhere in the first 1024 bytes makes a PDF candidate; such a file
/// that is not really a PDF fails [`pdf_is_valid`], which callers check before accepting a PDF.
///
/// OLE2 files count as [`FileKind::Doc`] unless `infer` positively recognises them as Excel or PowerPoint
/// 97–2003: a Word file's class ID often lies beyond the bytes `infer` reads, so a bare OLE2 header is taken
/// for Word. ZIP containers are opened to look for `word/document.xml` and `xl/workbook.xml`, because the
/// order of parts in a ZIP is free and a magic-byte check of the first entry misses many real files.
pub fn sniff_path(path: &Path) -> std::io::Result<FileKind> {
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
    (&mut file).take(SNIFF_BYTES).read_to_end(&mut head)?;

    if head.starts_with(&OLE2_SIGNATURE) {
        let other_office = infer::doc::is_xls(&head) || infer::doc::is_ppt(&head);
        return Ok(if other_office { FileKind::Other } else { FileKind::Doc });
    }
    if infer::archive::is_zip(&head) {
        file.seek(SeekFrom::Start(0))?;
        return Ok(zip_kind(file));
    }
    Ok(match infer::get(&head).map(|found| found.mime_type()) {
        Some("application/pdf") => FileKind::Pdf,
        Some("video/mp4") => FileKind::Mp4,
        Some("image/png") => FileKind::Png,
        Some("image/jpeg") => FileKind::Jpeg,
        _ => FileKind::Other,
    })
}

/// An archive with more entries than this is a plain ZIP without looking inside: no Word or Excel file comes
/// near it, and walking the names of millions of tiny entries would cost seconds per upload.
const MAX_SNIFFED_ENTRIES: usize = 100_000;

/// Tells DOCX and XLSX from a plain ZIP by the parts they must contain. A container that cannot be read is
/// [`FileKind::Other`]: it would be useless to a reviewer whatever it claims to be. The names are walked one at
/// a time (no index of every entry in memory), so a ZIP of a million entries costs no memory here; the readers
/// of DOCX and XLSX bound the entry count again when they open one (`archive::OFFICE_LIMITS`).
fn zip_kind(file: File) -> FileKind {
    let mut archive = match ZipIterable::try_new(BufReader::new(file), Config::default()) {
        Ok(archive) => archive,
        Err(error) => {
            tracing::debug!(%error, "ZIP signature but unreadable container");
            return FileKind::Other;
        }
    };
    if archive.len() > MAX_SNIFFED_ENTRIES {
        return FileKind::Zip;
    }
    let entries = match archive.files() {
        Ok(entries) => entries,
        Err(error) => {
            tracing::debug!(%error, "ZIP signature but unreadable central directory");
            return FileKind::Other;
        }
    };
    let mut kind = FileKind::Zip;
    for entry in entries {
        let Ok(entry) = entry else {
            return FileKind::Other;
        };
        match entry.name_raw() {
            b"word/document.xml" => return FileKind::Docx,
            b"xl/workbook.xml" => kind = FileKind::Xlsx,
            _ => {}
        }
    }
    kind
}

/// Whether the PDF at `path` is complete and parsable: it starts like a PDF, ends with `%%EOF` (a download
/// or upload cut short loses it), and its object structure loads with at least one page.
///
/// Any failure to read or parse counts as invalid; this never panics on hostile input. A PDF that needs a
/// password to open counts as invalid too: no reviewer on the platform could read it.
pub fn pdf_is_valid(path: &Path) -> bool {
    match sniff_path(path) {
        Ok(FileKind::Pdf) => {}
        _ => return false,
    }
    match ends_with_eof_marker(path) {
        Ok(true) => {}
        _ => return false,
    }
    match load_pdf(path) {
        Ok(document) => !document.get_pages().is_empty(),
        Err(error) => {
            tracing::debug!(%error, "PDF does not load");
            false
        }
    }
}

fn ends_with_eof_marker(path: &Path) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    let length = file.metadata()?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(EOF_SEARCH_BYTES)))?;
    let mut tail = Vec::with_capacity(EOF_SEARCH_BYTES as usize);
    file.read_to_end(&mut tail)?;
    Ok(tail.windows(5).any(|window| window == b"%%EOF"))
}

/// The MIME type to serve a kind with.
pub fn mime_of(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "application/pdf",
        FileKind::Doc => "application/msword",
        FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        FileKind::Mp4 => "video/mp4",
        FileKind::Zip => "application/zip",
        FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        FileKind::Png => "image/png",
        FileKind::Jpeg => "image/jpeg",
        FileKind::Other => "application/octet-stream",
    }
}

/// The file-name extension (without the dot) for a kind, for names given to downloads. Stable: it may be
/// stored and read back with [`FileKind::from_extension`].
pub fn extension_of(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "pdf",
        FileKind::Doc => "doc",
        FileKind::Docx => "docx",
        FileKind::Mp4 => "mp4",
        FileKind::Zip => "zip",
        FileKind::Xlsx => "xlsx",
        FileKind::Png => "png",
        FileKind::Jpeg => "jpg",
        FileKind::Other => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::fixture;

    #[test]
    fn each_fixture_is_sniffed_by_content() {
        let expected = [
            ("text.pdf", FileKind::Pdf),
            ("scan.pdf", FileKind::Pdf),
            ("with-meta.pdf", FileKind::Pdf),
            ("truncated.pdf", FileKind::Pdf),
            ("sample.docx", FileKind::Docx),
            ("sample.doc", FileKind::Doc),
            ("sample.mp4", FileKind::Mp4),
            ("sample.zip", FileKind::Zip),
            ("sample.xlsx", FileKind::Xlsx),
            ("fake.pdf", FileKind::Png),
            ("photo.jpg", FileKind::Jpeg),
        ];
        for (name, kind) in expected {
            assert_eq!(sniff_path(&fixture(name)).unwrap(), kind, "{name}");
        }
    }

    #[test]
    fn plain_text_is_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.pdf");
        std::fs::write(&path, "成果说明：这不是 PDF。").unwrap();
        assert_eq!(sniff_path(&path).unwrap(), FileKind::Other);
        std::fs::write(&path, "").unwrap();
        assert_eq!(sniff_path(&path).unwrap(), FileKind::Other);
    }

    #[test]
    fn a_damaged_zip_is_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.docx");
        let bytes = std::fs::read(fixture("sample.docx")).unwrap();
        // Cutting the end off loses the central directory, which ZIP readers need.
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(sniff_path(&path).unwrap(), FileKind::Other);
    }

    #[test]
    fn truncated_and_fake_pdfs_are_invalid() {
        assert!(pdf_is_valid(&fixture("text.pdf")));
        assert!(pdf_is_valid(&fixture("scan.pdf")));
        assert!(pdf_is_valid(&fixture("encrypted.pdf")));
        assert!(!pdf_is_valid(&fixture("truncated.pdf")));
        assert!(!pdf_is_valid(&fixture("locked.pdf")));
        assert!(!pdf_is_valid(&fixture("fake.pdf")));
        assert!(!pdf_is_valid(&fixture("does-not-exist.pdf")));
    }

    #[test]
    fn extensions_round_trip() {
        for kind in [FileKind::Pdf, FileKind::Docx, FileKind::Jpeg, FileKind::Other] {
            assert_eq!(FileKind::from_extension(extension_of(kind)), Some(kind));
        }
        assert_eq!(FileKind::from_extension("exe"), None);
        assert_eq!(mime_of(FileKind::Pdf), "application/pdf");
    }
}
