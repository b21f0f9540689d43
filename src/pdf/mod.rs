//! Printable PDF documents (SPEC §7): the 成果鉴定登记表 (registration form), the 鉴定意见 (appraisal opinion) and
//! bundles of registration forms. Owns page layout and PDF assembly; knows nothing about accounts, storage or
//! HTTP — callers pass plain, already-worded values (see [`RegistrationForm`], [`AppraisalOpinion`]).
//!
//! Every document is A4 portrait with real, extractable text in one embedded, subset CJK font (WenQuanYi Micro
//! Hei, see `assets/fonts/LICENSE-wqy-microhei.txt`) and carries the verification footer.
//!
//! Code map: `font` (the embedded face: coverage, widths, replacement of missing characters), `layout` (line
//! breaking and shrink-to-fit), `canvas` (points → printpdf operations), `table` (ruled grids), `footer`
//! (verification line), `registration` and `opinion` (the two documents).

mod canvas;
mod font;
mod footer;
mod layout;
mod model;
mod opinion;
mod registration;
mod table;
#[cfg(test)]
mod tests;

use std::io::{self, BufWriter, Write};

use printpdf::{FontId, PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions};

pub use model::{AppraisalOpinion, FormAchievement, RegistrationForm, Verification};

use canvas::Canvas;
use font::Font;

/// Why a document could not be produced.
#[derive(thiserror::Error, Debug)]
pub enum PdfError {
    /// The embedded font could not be parsed. The font is compiled in, so this means a broken build, not bad input.
    #[error("内嵌字体无法解析：{0}")]
    FontParse(String),
    /// A text does not fit its place on the page even at the smallest allowed font size. `field` is the printed
    /// label of the field (e.g. `成果题目1`, `鉴定意见`) so the caller can tell the user what to shorten.
    #[error("“{field}”内容过长，无法在一页内打印")]
    TextTooLong {
        /// The label of the field that is too long.
        field: String,
    },
    /// One form of a bundle could not be laid out; nothing usable was written.
    #[error("第 {} 份登记表无法打印：{source}", .index + 1)]
    BundleItem {
        /// Position of the failing form in the input, counting from 0.
        index: usize,
        /// What went wrong with that form.
        #[source]
        source: Box<PdfError>,
    },
    /// Writing the PDF to the caller's output failed (for a bundle, the output may hold a partial file).
    #[error("PDF 写出失败：{0}")]
    Io(#[from] io::Error),
}

/// Produces the platform's PDFs. Parsing the font is the expensive part (~20 ms, ~5 MB), so build one engine at
/// start-up and share it: cloning is a reference-count bump, and it is `Send + Sync`.
#[derive(Clone)]
pub struct PdfEngine {
    font: Font,
}

impl PdfEngine {
    /// Parses the embedded font.
    pub fn new() -> Result<Self, PdfError> {
        Ok(Self { font: Font::load()? })
    }

    /// The 成果鉴定登记表 of one submission: one A4 page.
    pub fn registration_form(&self, form: &RegistrationForm, verification: &Verification) -> Result<Vec<u8>, PdfError> {
        let mut document = Document::new(&self.font, registration::DOCUMENT_TITLE);
        document.add_page(|canvas| registration::draw(canvas, form, verification))?;
        let mut bytes = Vec::new();
        document.write(&mut bytes)?;
        Ok(bytes)
    }

    /// The published 鉴定意见 of one submission: one A4 page.
    pub fn appraisal_opinion(
        &self,
        opinion: &AppraisalOpinion,
        verification: &Verification,
    ) -> Result<Vec<u8>, PdfError> {
        let mut document = Document::new(&self.font, opinion::DOCUMENT_TITLE);
        document.add_page(|canvas| opinion::draw(canvas, opinion, verification))?;
        let mut bytes = Vec::new();
        document.write(&mut bytes)?;
        Ok(bytes)
    }

    /// Many registration forms, one per page, into one PDF written to `out` (a school printing every approved
    /// teacher's form for the 材料袋). Fails as a whole if any form cannot be laid out, naming it by position.
    ///
    /// Memory: printpdf can only serialise a complete document (it builds its whole lopdf object tree, then
    /// compresses and writes it), so every page's drawing operations are held until the end. Pages are kept small —
    /// about 370 operations for a full form, one text object per cell, no per-page font copy. Measured by the
    /// test `bundle_memory_stays_bounded` (peak RSS in a child process): 300 maximal forms raise the peak by
    /// about 25 MB and produce a 0.97 MB file in about 0.6 s (release), well under the 64 MB budget. Growth is
    /// roughly linear (~80 KB a page), so a caller printing thousands of forms should split them into batches.
    pub fn registration_bundle<W: Write>(
        &self,
        forms: impl Iterator<Item = (RegistrationForm, Verification)>,
        out: &mut W,
    ) -> Result<(), PdfError> {
        let mut document = Document::new(&self.font, registration::BUNDLE_TITLE);
        for (index, (form, verification)) in forms.enumerate() {
            document
                .add_page(|canvas| registration::draw(canvas, &form, &verification))
                .map_err(|source| PdfError::BundleItem { index, source: Box::new(source) })?;
        }
        document.write(out)
    }
}

/// A document being assembled: the font registered once, pages appended in order.
struct Document<'f> {
    font: &'f Font,
    font_id: FontId,
    pdf: PdfDocument,
    pages: Vec<PdfPage>,
}

impl<'f> Document<'f> {
    /// `title` goes into the PDF metadata: a generic document name, never personal data, because metadata travels
    /// with the file and is easy to overlook.
    fn new(font: &'f Font, title: &str) -> Self {
        let mut pdf = PdfDocument::new(title);
        pdf.metadata.info.creator = "zhiping".to_owned();
        pdf.metadata.info.producer = "zhiping".to_owned();
        // printpdf defaults to the Unix epoch, which viewers would show as the document's creation time.
        let now = printpdf::OffsetDateTime::now_utc();
        pdf.metadata.info.creation_date = now;
        pdf.metadata.info.modification_date = now;
        pdf.metadata.info.metadata_date = now;
        let font_id = pdf.add_font(font.parsed());
        Self { font, font_id, pdf, pages: Vec::new() }
    }

    fn add_page(&mut self, draw: impl FnOnce(&mut Canvas) -> Result<(), PdfError>) -> Result<(), PdfError> {
        let mut canvas = Canvas::new(self.font, self.font_id.clone());
        draw(&mut canvas)?;
        self.pages.push(canvas.into_page());
        Ok(())
    }

    fn write<W: Write>(mut self, out: &mut W) -> Result<(), PdfError> {
        let options = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
        let mut warnings = Vec::new();
        self.pdf.with_pages(std::mem::take(&mut self.pages));
        // What printpdf's own `save` does (build the object tree, compress, write), with the language added.
        let mut tree = self.pdf.to_lopdf_document(&options, &mut warnings);
        tag_language(&mut tree);
        tree.compress();
        // The buffer batches lopdf's many small writes.
        let mut buffered = BufWriter::new(out);
        tree.save_to(&mut buffered)?;
        buffered.flush()?;
        // The messages describe printpdf's own operations, never our text, so they are safe to log.
        for warning in warnings.iter().filter(|w| w.severity == PdfParseErrorSeverity::Error) {
            tracing::warn!(message = %warning.msg, "printpdf reported a problem while saving");
        }
        Ok(())
    }
}

/// Marks the document as Simplified Chinese (/Lang zh-CN) and asks viewers to show its title rather than the file
/// name, so screen readers pick the right voice and archives can read what the document is (PDF/UA, WCAG PDF16).
fn tag_language(tree: &mut printpdf_lopdf::Document) {
    use printpdf_lopdf::{Dictionary, Object, StringFormat};
    // printpdf always writes a catalog; without one there is nothing to tag.
    let Ok(catalog) = tree.catalog_mut() else { return };
    catalog.set("Lang", Object::String(DOCUMENT_LANGUAGE.as_bytes().to_vec(), StringFormat::Literal));
    let mut preferences = Dictionary::new();
    preferences.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(preferences));
}

/// The language of every document (BCP 47).
const DOCUMENT_LANGUAGE: &str = "zh-CN";
