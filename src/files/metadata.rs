//! Blind-review copies (SPEC §6): the same document without the metadata that names its author, so a file
//! served to an expert does not reveal the teacher through File → Properties.
//!
//! What is removed:
//! - PDF: the trailer's Info dictionary (Author, Title, Subject, Keywords, Creator, Producer, dates), every
//!   XMP `/Metadata` stream (document, page and image level), `/PieceInfo` application data, and the author
//!   (`/T`) of markup annotations such as comments and highlights. The file is rewritten whole, so older
//!   revisions kept by incremental saves are dropped too. A file that opened with the empty password is
//!   written unencrypted.
//! - DOCX: every text value in `docProps/core.xml` except the created/modified dates, revision and language
//!   (creator, lastModifiedBy, title, subject, keywords, description, category…); `Company`, `Manager`,
//!   `HyperlinkBase`, `Template` and the part titles (`TitlesOfParts`) in `docProps/app.xml`; string values of
//!   custom properties in `docProps/custom.xml`. Every other part is copied byte for byte.
//!
//! What is NOT removed, and why (the anonymisation gate scans the extracted text for the rest):
//! - Anything in the document's own content: body text, headers and footers, images, signatures, stamps.
//! - DOCX: author names on comments and tracked changes (`w:author` attributes inside `word/*.xml`), the
//!   `docProps/thumbnail` picture of the first page, `customXml/` parts and embedded objects; rewriting the
//!   body is beyond a metadata pass.
//! - DOC: the OLE2 SummaryInformation streams (author, company, last saved by). No OLE2 writer is among the
//!   dependencies, so DOC files are returned unchanged; callers should treat DOC as not anonymisable.
//! - PDF: embedded file attachments (each with its own metadata) and form field values.
//! - MP4, ZIP and images: returned unchanged (MP4 tags and EXIF included).

use std::fs::File;
use std::io::Write;
use std::path::Path;

use lopdf::Object;
use quick_xml::events::Event;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::text::{guarded, load_pdf, read_part};
use super::{ExtractError, FileKind};

/// Dictionary keys that carry authoring data and nothing a viewer needs.
const PDF_METADATA_KEYS: [&[u8]; 2] = [b"Metadata", b"PieceInfo"];

/// Annotation subtypes whose `/T` entry is the author's name (ISO 32000-1 §12.5.6.2). For widgets `/T` is a
/// form field's name and must stay.
const MARKUP_ANNOTATIONS: [&[u8]; 17] = [
    b"Text",
    b"FreeText",
    b"Line",
    b"Square",
    b"Circle",
    b"Polygon",
    b"PolyLine",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
    b"Stamp",
    b"Caret",
    b"Ink",
    b"FileAttachment",
    b"Sound",
    b"Redact",
];

/// Writes to `out` a copy of the file at `path` (of `kind`, as sniffed) without identifying metadata; see the
/// module documentation for what is and is not removed. Kinds other than PDF and DOCX are copied unchanged.
///
/// On error, `out` may hold a partial copy; callers write to a temporary file and discard it.
pub fn strip_metadata(path: &Path, kind: FileKind, out: &mut impl Write) -> Result<(), ExtractError> {
    match kind {
        FileKind::Pdf => strip_pdf(path, out),
        FileKind::Docx => strip_docx(path, out),
        _ => {
            std::io::copy(&mut File::open(path)?, out)?;
            Ok(())
        }
    }
}

fn strip_pdf(path: &Path, out: &mut impl Write) -> Result<(), ExtractError> {
    let mut document = load_pdf(path)?;
    if document.encryption_state.take().is_some() {
        // The objects were decrypted on load; keeping /Encrypt would make readers decrypt plain text.
        document.trailer.remove(b"Encrypt");
    }
    document.trailer.remove(b"Info");
    for object in document.objects.values_mut() {
        let dictionary = match object {
            Object::Dictionary(dictionary) => dictionary,
            Object::Stream(stream) => &mut stream.dict,
            _ => continue,
        };
        for key in PDF_METADATA_KEYS {
            dictionary.remove(key);
        }
        let is_markup = dictionary
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|subtype| MARKUP_ANNOTATIONS.contains(&subtype));
        if is_markup {
            dictionary.remove(b"T");
        }
    }
    // The Info dictionary and XMP streams are now unreferenced; pruning keeps them out of the output.
    document.prune_objects();
    guarded(|| document.save_to(out))??;
    Ok(())
}

fn strip_docx(path: &Path, out: &mut impl Write) -> Result<(), ExtractError> {
    let mut archive = super::archive::open(path, super::archive::OFFICE_LIMITS)?;
    // A streaming writer: `out` need not be seekable (it may be an HTTP response body).
    let mut writer = ZipWriter::new_stream(out);
    for index in 0..archive.len() {
        let (name, options) = {
            let entry = archive.by_index_raw(index)?;
            (entry.name()?.into_owned(), entry.options())
        };
        let blank: Option<fn(&[String]) -> bool> = match name.as_str() {
            "docProps/core.xml" => Some(blank_in_core),
            "docProps/app.xml" => Some(blank_in_app),
            "docProps/custom.xml" => Some(blank_in_custom),
            _ => None,
        };
        match blank {
            Some(blank) => {
                let xml = read_part(&mut archive, &name)?;
                let blanked = blank_xml_text(&xml, blank)?;
                // Rewritten parts are always deflated: the original method may be one this build cannot write.
                let options: SimpleFileOptions = options.compression_method(CompressionMethod::Deflated);
                writer.start_file(name, options)?;
                writer.write_all(&blanked)?;
            }
            None => writer.raw_copy_file(archive.by_index_raw(index)?)?,
        }
    }
    writer.finish()?;
    Ok(())
}

/// `path` is the stack of local names from the root down to the element holding the text.
fn blank_in_core(path: &[String]) -> bool {
    // Dates and counters are kept: Word validates their format, and they name no one.
    path.get(1).is_some_and(|property| !matches!(property.as_str(), "created" | "modified" | "revision" | "language"))
}

fn blank_in_app(path: &[String]) -> bool {
    path.iter().any(|element| {
        matches!(element.as_str(), "Company" | "Manager" | "HyperlinkBase" | "Template" | "TitlesOfParts")
    })
}

fn blank_in_custom(path: &[String]) -> bool {
    // Only string values: blanking a number, date or boolean would make the part invalid.
    path.last().is_some_and(|element| matches!(element.as_str(), "lpwstr" | "lpstr" | "bstr"))
}

/// Copies an XML part event by event, dropping the character data of elements for which `blank` is true.
fn blank_xml_text(xml: &[u8], blank: fn(&[String]) -> bool) -> Result<Vec<u8>, ExtractError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
    let mut buffer = Vec::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buffer)?;
        match &event {
            Event::Eof => break,
            Event::Start(element) => path.push(element.local_name().as_ref().to_owned()),
            Event::End(_) => {
                path.pop();
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) if blank(&path) => {
                buffer.clear();
                continue;
            }
            _ => {}
        }
        writer.write_event(event)?;
        buffer.clear();
    }
    Ok(writer.into_inner())
}

#[cfg(test)]
mod tests {
    use lopdf::dictionary;

    use super::*;
    use crate::files::{extract_text, fixture};

    fn stripped(name: &str, kind: FileKind) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let mut out = File::create(&path).unwrap();
        strip_metadata(&fixture(name), kind, &mut out).unwrap();
        out.sync_all().unwrap();
        (dir, path)
    }

    fn pdf_info_and_xmp(path: &Path) -> (Option<lopdf::Dictionary>, bool) {
        let document = lopdf::Document::load(path).unwrap();
        let info = document
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .and_then(|id| document.get_dictionary(id))
            .ok()
            .cloned();
        let has_xmp = document.catalog().is_ok_and(|catalog| catalog.has(b"Metadata"));
        (info, has_xmp)
    }

    #[test]
    fn pdf_author_title_and_xmp_are_removed_and_text_stays() {
        let (info, has_xmp) = pdf_info_and_xmp(&fixture("with-meta.pdf"));
        let info = info.unwrap();
        let author = info.get(b"Author").unwrap().as_str().unwrap();
        assert_eq!(author, utf16_text("王小明"), "PDF text strings are UTF-16BE with a byte order mark");
        assert!(has_xmp, "the fixture has XMP to remove");
        let original = std::fs::read(fixture("with-meta.pdf")).unwrap();
        assert!(original.windows(9).any(|window| window == "王小明".as_bytes()), "XMP names the author");

        let (_dir, path) = stripped("with-meta.pdf", FileKind::Pdf);
        let (info, has_xmp) = pdf_info_and_xmp(&path);
        assert!(info.is_none(), "{info:?}");
        assert!(!has_xmp);
        let bytes = std::fs::read(&path).unwrap();
        let author_utf16 = utf16_text("王小明");
        assert!(!bytes.windows(author_utf16.len()).any(|window| window == author_utf16));
        assert!(!bytes.windows(9).any(|window| window == "王小明".as_bytes()));
        let text = extract_text(&path, FileKind::Pdf).unwrap();
        assert!(text.contains("教科研成果鉴定登记表"), "{text}");
        assert!(crate::files::pdf_is_valid(&path));
    }

    #[test]
    fn docx_creator_and_company_are_blanked_and_text_stays() {
        let original = std::fs::read(fixture("sample.docx")).unwrap();
        assert!(part(&original, "docProps/core.xml").contains("王小明"));
        assert!(part(&original, "docProps/app.xml").contains("上海市示例职业技术学校"));

        let (_dir, path) = stripped("sample.docx", FileKind::Docx);
        let copy = std::fs::read(&path).unwrap();
        let core = part(&copy, "docProps/core.xml");
        let app = part(&copy, "docProps/app.xml");
        assert!(!core.contains("王小明") && !core.contains("上海市"), "{core}");
        assert!(core.contains("<dc:creator></dc:creator>"), "{core}");
        assert!(core.contains("2013-12-23T23:15:00Z"), "dates are kept: {core}");
        assert!(!app.contains("上海市示例职业技术学校") && !app.contains("李主任"), "{app}");
        assert!(app.contains("<Application>Microsoft Office Word</Application>"), "{app}");
        assert_eq!(part(&copy, "word/document.xml"), part(&original, "word/document.xml"));
        let text = extract_text(&path, FileKind::Docx).unwrap();
        assert!(text.contains("教科研成果鉴定登记表"), "{text}");
        assert_eq!(crate::files::sniff_path(&path).unwrap(), FileKind::Docx);
    }

    #[test]
    fn an_encrypted_pdf_is_written_decrypted() {
        let (_dir, path) = stripped("encrypted.pdf", FileKind::Pdf);
        let document = lopdf::Document::load(&path).unwrap();
        assert!(!document.trailer.has(b"Encrypt"));
        let text = extract_text(&path, FileKind::Pdf).unwrap();
        assert!(text.contains("教科研成果鉴定登记表"), "{text}");
        let mut out = Vec::new();
        let locked = strip_metadata(&fixture("locked.pdf"), FileKind::Pdf, &mut out);
        assert!(matches!(locked, Err(ExtractError::Encrypted)), "{locked:?}");
    }

    #[test]
    fn other_kinds_are_copied_unchanged() {
        for (name, kind) in [("sample.doc", FileKind::Doc), ("sample.zip", FileKind::Zip)] {
            let (_dir, path) = stripped(name, kind);
            assert_eq!(std::fs::read(path).unwrap(), std::fs::read(fixture(name)).unwrap());
        }
    }

    #[test]
    fn markup_annotation_authors_are_removed_but_field_names_stay() {
        let mut document = lopdf::Document::load(fixture("text.pdf")).unwrap();
        let comment = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "T" => Object::string_literal("王小明"),
        });
        let field = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "T" => Object::string_literal("name"),
        });
        let page = *document.get_pages().get(&1).unwrap();
        document
            .get_dictionary_mut(page)
            .unwrap()
            .set("Annots", vec![Object::Reference(comment), Object::Reference(field)]);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("annotated.pdf");
        document.save(&input).unwrap();

        let mut out = Vec::new();
        strip_metadata(&input, FileKind::Pdf, &mut out).unwrap();
        let stripped = lopdf::Document::load_mem(&out).unwrap();
        assert!(!stripped.get_dictionary(comment).unwrap().has(b"T"));
        assert!(stripped.get_dictionary(field).unwrap().has(b"T"));
    }

    fn utf16_text(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        bytes
    }

    fn part(docx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        String::from_utf8(read_part(&mut archive, name).unwrap()).unwrap()
    }
}
