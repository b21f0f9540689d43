//! The text inside uploaded PDF and DOCX files, for the search index and the anonymisation gate, and the
//! 不接受图片扫描转PDF格式 rule (does a PDF have a text layer?). Also the one bounded way this module loads
//! a PDF, shared with `sniff.rs` and `metadata.rs`.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use lopdf::{DecompressError, Document, LoadOptions};
use quick_xml::events::{BytesRef, Event};

use super::pdf_text::PageReader;
use super::{ExtractError, FileKind, MAX_INFLATED_BYTES, MAX_PDF_BYTES};

/// The most text [`extract_text`] returns, in bytes of UTF-8. Enough for any achievement's search entry and
/// name scan (a 300-page book is about 1 MB of Chinese); the rest is cut at a character boundary.
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// A PDF with fewer visible characters than this in all is taken for a scan. Image-only scans yield 0
/// characters; every real text PDF measured (from printpdf, LibreOffice and reportlab) had at least 17, so 16 leaves a small margin for a
/// scanner that stamps a short code or page number as text.
pub const MIN_TEXT_CHARS: usize = 16;

/// A page with at least this many visible characters counts as a text page. At least half the pages must be
/// text pages, so a scan with a typed cover sheet is still a scan, while a paper with a few full-page figures
/// still has its text layer.
pub const MIN_PAGE_CHARS: usize = 8;

/// The most page content one PDF may inflate to, all pages together. [`MAX_INFLATED_BYTES`] bounds memory per
/// page; this bounds the work on a file of many pages that each inflate to just under it. Text pages need a
/// few kilobytes each (scans far less: their images are not page content), so 256 MiB is thousands of pages.
const MAX_PDF_CONTENT_BYTES: usize = 256 * 1024 * 1024;

/// The text of the file at `path`, read as `kind` (which the caller got from `sniff_path`).
///
/// - PDF: the text of each page in order, one line break between pages, read through every font's ToUnicode map
///   (`pdf_text.rs`), with every content stream bounded by [`MAX_INFLATED_BYTES`]. A page or font that cannot be
///   decoded is skipped, not fatal.
/// - DOCX: `word/document.xml`, then headers, footers, footnotes, endnotes and comments, which often carry a
///   school's name: `<w:t>` runs, tabs and breaks, a line break after each paragraph. Deleted text of tracked
///   changes (`<w:delText>`) and field codes are left out.
/// - Every other kind: the empty string.
///
/// The result is cut at [`MAX_TEXT_BYTES`].
pub fn extract_text(path: &Path, kind: FileKind) -> Result<String, ExtractError> {
    let mut text = match kind {
        FileKind::Pdf => pdf_text(path)?,
        FileKind::Docx => docx_text(path)?,
        _ => String::new(),
    };
    truncate_at_char_boundary(&mut text, MAX_TEXT_BYTES);
    Ok(text)
}

/// Whether the PDF at `path` has an extractable text layer: at least [`MIN_TEXT_CHARS`] visible characters in
/// all, and at least half its pages with [`MIN_PAGE_CHARS`] or more. Visible means not whitespace, not a
/// control character and not U+FFFD (what undecodable glyphs become).
///
/// A scan that went through OCR carries an invisible text layer and passes; that text is extractable, which
/// is what the rule asks for.
pub fn pdf_has_text_layer(path: &Path) -> Result<bool, ExtractError> {
    let document = load_pdf(path)?;
    let pages = document.get_pages();
    let mut reader = PageReader::new(&document, MAX_PDF_CONTENT_BYTES, MAX_INFLATED_BYTES);
    let mut total = 0;
    let mut text_pages = 0;
    let mut text = String::new();
    for &page in pages.values() {
        text.clear();
        reader.page_text(page, &mut text, MAX_TEXT_BYTES)?;
        let count = text
            .chars()
            .filter(|character| !character.is_whitespace() && !character.is_control() && *character != '\u{FFFD}')
            .count();
        total += count;
        if count >= MIN_PAGE_CHARS {
            text_pages += 1;
        }
    }
    Ok(!pages.is_empty() && total >= MIN_TEXT_CHARS && text_pages * 2 >= pages.len())
}

/// Loads a whole PDF with every decompression bounded, refusing files over [`MAX_PDF_BYTES`] and containing
/// any parser panic. Encrypted files load only when they open with the empty user password (as viewers do);
/// otherwise this fails with [`ExtractError::Encrypted`].
pub(super) fn load_pdf(path: &Path) -> Result<Document, ExtractError> {
    if std::fs::metadata(path)?.len() > MAX_PDF_BYTES {
        return Err(ExtractError::TooLarge { limit: MAX_PDF_BYTES });
    }
    let bytes = std::fs::read(path)?;
    let options = LoadOptions { max_decompressed_size: Some(MAX_INFLATED_BYTES), ..LoadOptions::default() };
    let document = guarded(|| Document::load_mem_with_options(&bytes, options))?.map_err(pdf_error)?;
    // An encrypted file whose password is unknown loads, but without readable objects.
    if document.is_encrypted() && document.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    Ok(document)
}

/// Runs a lopdf call, turning a panic into an error. lopdf parses hostile uploads; a parser bug must cost
/// one file its text, not a worker thread.
pub(super) fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, ExtractError> {
    catch_unwind(AssertUnwindSafe(call)).map_err(|_| ExtractError::ParserPanicked)
}

/// Sorts lopdf's errors by what the caller should do about them.
fn pdf_error(error: lopdf::Error) -> ExtractError {
    match error {
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { limit }) => {
            ExtractError::TooLarge { limit: limit as u64 }
        }
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ExtractError::Encrypted,
        other => ExtractError::Pdf(other),
    }
}

fn pdf_text(path: &Path) -> Result<String, ExtractError> {
    let document = load_pdf(path)?;
    let mut reader = PageReader::new(&document, MAX_PDF_CONTENT_BYTES, MAX_INFLATED_BYTES);
    let mut text = String::new();
    for page in document.get_pages().into_values() {
        reader.page_text(page, &mut text, MAX_TEXT_BYTES)?;
        text.push('\n');
        if text.len() >= MAX_TEXT_BYTES {
            break;
        }
    }
    Ok(text)
}

fn docx_text(path: &Path) -> Result<String, ExtractError> {
    let mut archive = super::archive::open(path, super::archive::OFFICE_LIMITS)?;
    if archive.index_for_name("word/document.xml").is_none() {
        return Err(ExtractError::MissingPart("word/document.xml"));
    }
    let mut secondary: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|name| is_secondary_text_part(name))
        .map(|name| name.into_owned())
        .collect();
    secondary.sort();

    let mut text = String::new();
    for name in std::iter::once("word/document.xml".to_owned()).chain(secondary) {
        let xml = read_part(&mut archive, &name)?;
        append_wordprocessing_text(&xml, &mut text)?;
        if text.len() >= MAX_TEXT_BYTES {
            break;
        }
    }
    Ok(text)
}

fn is_secondary_text_part(name: &str) -> bool {
    let Some(file) = name.strip_prefix("word/") else {
        return false;
    };
    let numbered = |prefix: &str| {
        file.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".xml"))
            .is_some_and(|number| number.chars().all(|character| character.is_ascii_digit()))
    };
    numbered("header") || numbered("footer") || matches!(file, "footnotes.xml" | "endnotes.xml" | "comments.xml")
}

/// The bytes of one part of a ZIP container, refusing to inflate more than [`MAX_INFLATED_BYTES`] whatever
/// the archive's header claims.
pub(super) fn read_part<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<Vec<u8>, ExtractError> {
    let part = archive.by_name(name)?;
    let mut bytes = Vec::new();
    part.take(MAX_INFLATED_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_INFLATED_BYTES {
        return Err(ExtractError::TooLarge { limit: MAX_INFLATED_BYTES as u64 });
    }
    Ok(bytes)
}

/// Appends the visible text of one WordprocessingML part. Elements are matched by local name, since the
/// `w:` prefix is a convention, not a rule; `<a:t>` (text boxes, shapes) and `<m:t>` (equations) are text too.
fn append_wordprocessing_text(xml: &[u8], out: &mut String) -> Result<(), ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buffer)? {
            Event::Start(element) => in_text = element.local_name().as_ref() == "t",
            Event::End(element) => match element.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Event::Text(text) if in_text => out.push_str(&text.xml10_content()),
            Event::CData(data) if in_text => out.push_str(&data),
            Event::GeneralRef(reference) if in_text => push_reference(&reference, out)?,
            Event::Eof => return Ok(()),
            _ => {}
        }
        buffer.clear();
        if out.len() >= MAX_TEXT_BYTES {
            return Ok(());
        }
    }
}

/// `&amp;`, `&#x6210;` and the like. Word writes only the predefined entities and character references; an
/// unknown entity is dropped rather than failing the whole document.
fn push_reference(reference: &BytesRef<'_>, out: &mut String) -> Result<(), ExtractError> {
    if reference.is_char_ref() {
        if let Some(character) = reference.resolve_char_ref()? {
            out.push(character);
        }
    } else if let Some(resolved) = quick_xml::escape::resolve_predefined_entity(&reference.xml10_content()) {
        out.push_str(resolved);
    }
    Ok(())
}

fn truncate_at_char_boundary(text: &mut String, max_bytes: usize) {
    if text.len() > max_bytes {
        let mut end = max_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::fs::File;

    use super::*;
    use crate::files::fixture;

    #[test]
    fn pdf_text_keeps_the_chinese() {
        let text = extract_text(&fixture("text.pdf"), FileKind::Pdf).unwrap();
        assert!(text.contains("教科研成果鉴定登记表"), "{text}");
        assert!(text.contains("中等职业学校数控专业项目化教学的实践研究"), "{text}");
        assert!(text.contains("第2页"), "both pages are read: {text}");
    }

    /// What `pdftotext` reads, one entry per non-empty line, without whitespace.
    pub(crate) fn pdftotext_lines(path: &Path) -> Vec<String> {
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is required by this test");
        assert!(output.status.success(), "pdftotext failed on {}", path.display());
        String::from_utf8(output.stdout).unwrap().lines().map(compact).filter(|line| !line.is_empty()).collect()
    }

    pub(crate) fn compact(text: &str) -> String {
        text.chars().filter(|character| !character.is_whitespace() && *character != '\u{c}').collect()
    }

    /// Every line pdftotext finds is in what we extract (whitespace aside).
    pub(crate) fn assert_reads_like_pdftotext(path: &Path) {
        let ours = compact(&extract_text(path, FileKind::Pdf).unwrap());
        let lines = pdftotext_lines(path);
        assert!(!lines.is_empty(), "{}: pdftotext found no text", path.display());
        for line in lines {
            assert!(ours.contains(&line), "{}: missing {line:?} in {ours:?}", path.display());
        }
    }

    #[test]
    fn pdfs_of_common_writers_read_like_pdftotext() {
        for name in [
            "chrome-type3.pdf",
            "libreoffice-type1.pdf",
            "libreoffice-truetype.pdf",
            "reportlab-truetype.pdf",
            "text.pdf",
        ] {
            assert_reads_like_pdftotext(&fixture(name));
        }
    }

    #[test]
    fn a_chrome_type3_pdf_shows_its_author_and_is_not_a_scan() {
        let path = fixture("chrome-type3.pdf");
        let text = compact(&extract_text(&path, FileKind::Pdf).unwrap());
        assert!(text.contains("作者：刁彬彬（上海市南湖职业学校）"), "{text}");
        assert!(pdf_has_text_layer(&path).unwrap());
    }

    #[test]
    fn docx_text_keeps_the_chinese_and_paragraphs() {
        let text = extract_text(&fixture("sample.docx"), FileKind::Docx).unwrap();
        assert!(text.contains("教科研成果鉴定登记表\n"), "{text}");
        assert!(text.contains("本人承担部分：课题设计、教学实验与研究报告撰写。"), "{text}");
    }

    #[test]
    fn other_kinds_have_no_text() {
        assert_eq!(extract_text(&fixture("sample.zip"), FileKind::Zip).unwrap(), "");
        assert_eq!(extract_text(&fixture("sample.doc"), FileKind::Doc).unwrap(), "");
    }

    #[test]
    fn damaged_documents_are_errors_not_panics() {
        assert!(extract_text(&fixture("fake.pdf"), FileKind::Pdf).is_err());
        assert!(matches!(extract_text(&fixture("sample.zip"), FileKind::Docx), Err(ExtractError::MissingPart(_))));
        assert!(matches!(extract_text(&fixture("fake.pdf"), FileKind::Docx), Err(ExtractError::Zip(_))));
    }

    #[test]
    fn encrypted_pdfs_open_only_without_a_user_password() {
        let text = extract_text(&fixture("encrypted.pdf"), FileKind::Pdf).unwrap();
        assert!(text.contains("教科研成果鉴定登记表"), "{text}");
        let locked = extract_text(&fixture("locked.pdf"), FileKind::Pdf);
        assert!(matches!(locked, Err(ExtractError::Encrypted)), "{locked:?}");
    }

    #[test]
    fn scans_have_no_text_layer() {
        assert!(pdf_has_text_layer(&fixture("text.pdf")).unwrap());
        assert!(!pdf_has_text_layer(&fixture("scan.pdf")).unwrap());
    }

    #[test]
    fn a_pdf_decompression_bomb_is_refused() {
        let mut document = Document::load(fixture("text.pdf")).unwrap();
        // About 64 KiB compressed, just over the limit once inflated.
        let mut bomb = lopdf::Stream::new(lopdf::Dictionary::new(), vec![b' '; MAX_INFLATED_BYTES + 1]);
        bomb.compress().unwrap();
        let bomb = document.add_object(bomb);
        let page = *document.get_pages().get(&1).unwrap();
        document.get_dictionary_mut(page).unwrap().set("Contents", bomb);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.pdf");
        document.save(&path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 1024 * 1024);

        let result = extract_text(&path, FileKind::Pdf);
        assert!(matches!(result, Err(ExtractError::TooLarge { .. })), "{result:?}");
        assert!(matches!(pdf_has_text_layer(&path), Err(ExtractError::TooLarge { .. })));
    }

    #[test]
    fn a_docx_decompression_bomb_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.docx");
        let mut writer = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("word/document.xml", options).unwrap();
        std::io::Write::write_all(&mut writer, &vec![b' '; MAX_INFLATED_BYTES + 1]).unwrap();
        writer.finish().unwrap();

        let result = extract_text(&path, FileKind::Docx);
        assert!(matches!(result, Err(ExtractError::TooLarge { .. })), "{result:?}");
    }

    #[test]
    fn entities_and_breaks_are_decoded() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>A&amp;B&#x6210;</w:t><w:tab/><w:t>果</w:t></w:r></w:p><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>二</w:t></w:r></w:p></w:body></w:document>"#;
        let mut text = String::new();
        append_wordprocessing_text(xml.as_bytes(), &mut text).unwrap();
        assert_eq!(text, "A&B成\t果\n二\n");
    }

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        let mut text = "成果".repeat(10);
        truncate_at_char_boundary(&mut text, 7);
        assert_eq!(text, "成果");
    }
}
