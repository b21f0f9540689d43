//! The text a PDF page shows, read from its content stream (and the form XObjects it draws) through each font's
//! ToUnicode map, whatever the font's type: Type 0 / CID (LibreOffice, WPS), TrueType and Type 1 (Word), Type 3
//! (Chrome's print-to-PDF with Noto / 思源 fonts). Without a map, simple fonts fall back to their `/Encoding`
//! (WinAnsi, MacRoman, glyph names in `/Differences`) and CID fonts to a UCS-2 CMap (`UniGB-UCS2-H`); codes that
//! say nothing (Identity-H without a map, made-up glyph names) are left out rather than written as garbage.
//!
//! Bounded: content streams and maps inflate through caps charged to the caller's budget, forms nest at most
//! [`MAX_FORM_DEPTH`] deep and each is read once per page, the output stops at the caller's limit, and nothing
//! here logs per glyph (one debug line per unreadable font at most).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{DecompressError, Dictionary, Document, Object, ObjectId};

use super::ExtractError;
use super::cmap::ToUnicode;

/// The largest ToUnicode program read. A full CJK font's map is a few hundred kilobytes.
const MAX_CMAP_BYTES: usize = 8 * 1024 * 1024;

/// How deep form XObjects may draw other forms. Real documents use one or two levels.
const MAX_FORM_DEPTH: usize = 4;

/// Text-showing operations of a page drawn this far apart vertically (in points) start a new line.
const LINE_GAP: f64 = 2.0;

/// How one font turns codes into text.
struct FontDecoder {
    map: Option<ToUnicode>,
    /// Type 0 fonts use multi-byte codes (2 bytes unless the map's code space says otherwise).
    composite: bool,
    /// A composite font whose CMap is UCS-2 / UTF-16 already (`UniGB-UCS2-H` and the like).
    utf16: bool,
    /// A simple font's code → character, from its `/Encoding` (used where the map says nothing).
    simple: Option<Box<[Option<char>; 256]>>,
}

impl FontDecoder {
    fn decode(&self, bytes: &[u8], out: &mut String) {
        if self.composite && self.utf16 && self.map.is_none() {
            let units: Vec<u16> =
                bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])).collect();
            out.extend(char::decode_utf16(units).filter_map(Result::ok));
            return;
        }
        let default = if self.composite { 2 } else { 1 };
        let mut at = 0;
        while at < bytes.len() {
            let len = match &self.map {
                Some(map) => map.code_length(&bytes[at..], default),
                None => default.min(bytes.len() - at),
            };
            let code = &bytes[at..at + len];
            at += len;
            let value = code.iter().fold(0u32, |value, byte| value << 8 | u32::from(*byte));
            if let Some(text) = self.map.as_ref().and_then(|map| map.lookup(len as u8, value)) {
                for character in text.chars().filter(|character| *character != '\0') {
                    push_ideograph(character, out);
                }
                continue;
            }
            if let (Some(simple), 1) = (&self.simple, len)
                && let Some(character) = simple[code[0] as usize]
            {
                out.push(character);
            }
        }
    }
}

/// Pushes `character`, with the compatibility forms of CJK ideographs replaced by the ideographs they stand for.
/// Fonts map glyphs shared by a radical and an ideograph to the radical (Chrome's maps give 目 as ⽬, U+2F6C,
/// KANGXI RADICAL EYE): it looks the same but matches neither a search nor a name. pdftotext does the same.
fn push_ideograph(character: char, out: &mut String) {
    let compatibility =
        matches!(character, '\u{2E80}'..='\u{2FDF}' | '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}');
    if compatibility {
        unicode_normalization::char::decompose_compatible(character, |part| out.push(part));
    } else {
        out.push(character);
    }
}

/// Fonts already decoded while reading one document, by the address of their dictionary.
#[derive(Default)]
pub(super) struct FontCache(HashMap<usize, Rc<FontDecoder>>);

/// Reads the text of pages; one per document.
pub(super) struct PageReader<'a> {
    document: &'a Document,
    fonts: FontCache,
    /// Bytes of content left to inflate, shared by every page of the document.
    pub budget: usize,
    /// The most content one stream may inflate to.
    stream_limit: usize,
}

/// Where the last text was shown, in device space, to tell line breaks.
#[derive(Default)]
struct Cursor {
    last_y: Option<f64>,
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(value) => Some(*value as f64),
        Object::Real(value) => Some(f64::from(*value)),
        _ => None,
    }
}

fn matrix_of(operands: &[Object]) -> Option<Matrix> {
    if operands.len() != 6 {
        return None;
    }
    let mut matrix = [0.0; 6];
    for (slot, operand) in matrix.iter_mut().zip(operands) {
        *slot = number(operand)?;
    }
    matrix.iter().all(|value| value.is_finite()).then_some(matrix)
}

impl<'a> PageReader<'a> {
    pub fn new(document: &'a Document, budget: usize, stream_limit: usize) -> Self {
        PageReader { document, fonts: FontCache::default(), budget, stream_limit }
    }

    /// The text of page `page`, appended to `out` until it holds `max_bytes`.
    pub fn page_text(&mut self, page: ObjectId, out: &mut String, max_bytes: usize) -> Result<(), ExtractError> {
        let limit = self.budget.min(self.stream_limit);
        let content = match super::text::guarded(|| self.document.get_page_content_with_limit(page, limit))? {
            Ok(content) => content,
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(self.too_large(limit));
            }
            Err(error) => {
                tracing::debug!(%error, "PDF page content unreadable");
                return Ok(());
            }
        };
        self.budget = self.budget.saturating_sub(content.len());
        let resources = page_resources(self.document, page);
        let mut cursor = Cursor::default();
        let mut seen_forms = HashSet::new();
        self.run(&content, &resources, IDENTITY, 0, &mut cursor, &mut seen_forms, out, max_bytes)
    }

    fn too_large(&self, limit: usize) -> ExtractError {
        ExtractError::TooLarge { limit: limit as u64 }
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'a Dictionary],
        base: Matrix,
        depth: usize,
        cursor: &mut Cursor,
        seen_forms: &mut HashSet<ObjectId>,
        out: &mut String,
        max_bytes: usize,
    ) -> Result<(), ExtractError> {
        let mut ctm = base;
        let mut stack: Vec<Matrix> = Vec::new();
        let mut text_matrix = IDENTITY;
        let mut line_matrix = IDENTITY;
        let mut leading = 0.0;
        let mut font: Option<Rc<FontDecoder>> = None;
        for operation in Content::decode_iter(content) {
            // A damaged stream keeps what was read before the damage.
            let Ok(operation) = operation else { break };
            let operands = &operation.operands;
            match operation.operator.as_str() {
                // Nesting is bounded by the stream's size; a cap keeps a stream of `q`s from growing a stack.
                "q" if stack.len() < 1024 => stack.push(ctm),
                "Q" => ctm = stack.pop().unwrap_or(base),
                "cm" => {
                    if let Some(matrix) = matrix_of(operands) {
                        ctm = multiply(&matrix, &ctm);
                    }
                }
                "BT" => {
                    text_matrix = IDENTITY;
                    line_matrix = IDENTITY;
                }
                "Tm" => {
                    if let Some(matrix) = matrix_of(operands) {
                        text_matrix = matrix;
                        line_matrix = matrix;
                    }
                }
                "Td" | "TD" => {
                    if let [tx, ty] = operands.as_slice()
                        && let (Some(tx), Some(ty)) = (number(tx), number(ty))
                    {
                        if operation.operator == "TD" {
                            leading = -ty;
                        }
                        line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, tx, ty], &line_matrix);
                        text_matrix = line_matrix;
                    }
                }
                "TL" => leading = operands.first().and_then(number).unwrap_or(leading),
                "T*" => {
                    line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tf" => {
                    font = operands
                        .first()
                        .and_then(|name| name.as_name().ok())
                        .and_then(|name| self.font(resources, name));
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    if matches!(operation.operator.as_str(), "'" | "\"") {
                        line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &line_matrix);
                        text_matrix = line_matrix;
                    }
                    let device = multiply(&text_matrix, &ctm);
                    if let Some(last) = cursor.last_y
                        && (device[5] - last).abs() > LINE_GAP
                        && !out.ends_with('\n')
                    {
                        out.push('\n');
                    }
                    cursor.last_y = Some(device[5]);
                    let Some(font) = &font else { continue };
                    for operand in operands {
                        match operand {
                            Object::String(bytes, _) => font.decode(bytes, out),
                            Object::Array(items) => {
                                for item in items {
                                    match item {
                                        Object::String(bytes, _) => font.decode(bytes, out),
                                        // A wide gap inside a run separates words in Latin text.
                                        item if number(item).is_some_and(|gap| gap < -250.0) && !out.ends_with(' ') => {
                                            out.push(' ')
                                        }
                                        _ => {}
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let Some(name) = operands.first().and_then(|name| name.as_name().ok()) else { continue };
                    self.form(resources, name, ctm, depth, cursor, seen_forms, out, max_bytes)?;
                }
                _ => {}
            }
            if out.len() >= max_bytes {
                break;
            }
        }
        Ok(())
    }

    /// Draws the form XObject `name` (once per page: a form drawn a thousand times costs one read).
    #[allow(clippy::too_many_arguments)]
    fn form(
        &mut self,
        resources: &[&'a Dictionary],
        name: &[u8],
        ctm: Matrix,
        depth: usize,
        cursor: &mut Cursor,
        seen_forms: &mut HashSet<ObjectId>,
        out: &mut String,
        max_bytes: usize,
    ) -> Result<(), ExtractError> {
        let document = self.document;
        let Some(id) = resources.iter().find_map(|resources| {
            let xobjects = resources.get_deref(b"XObject", document).ok()?.as_dict().ok()?;
            xobjects.get(name).ok()?.as_reference().ok()
        }) else {
            return Ok(());
        };
        if !seen_forms.insert(id) {
            return Ok(());
        }
        let Ok(stream) = document.get_object(id).and_then(Object::as_stream) else { return Ok(()) };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return Ok(());
        }
        let limit = self.budget.min(self.stream_limit);
        let content = match super::text::guarded(|| stream.decompressed_content_with_limit(limit))? {
            Ok(content) => content,
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(self.too_large(limit));
            }
            // Not compressed (or a filter this build lacks): the raw bytes, as viewers try.
            Err(_) => stream.content.clone(),
        };
        self.budget = self.budget.saturating_sub(content.len());
        let matrix = stream
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|matrix| matrix.as_array().ok())
            .and_then(|items| matrix_of(items));
        let base = multiply(&matrix.unwrap_or(IDENTITY), &ctm);
        let mut inner: Vec<&'a Dictionary> = Vec::new();
        if let Ok(own) = stream.dict.get_deref(b"Resources", document).and_then(Object::as_dict) {
            inner.push(own);
        }
        inner.extend_from_slice(resources);
        self.run(&content, &inner, base, depth + 1, cursor, seen_forms, out, max_bytes)
    }

    /// The decoder of font `name` in the nearest resources that define it.
    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<FontDecoder>> {
        let document = self.document;
        let font = resources.iter().find_map(|resources| {
            let fonts = resources.get_deref(b"Font", document).ok()?.as_dict().ok()?;
            fonts.get_deref(name, document).ok()?.as_dict().ok()
        })?;
        let key = font as *const Dictionary as usize;
        if let Some(decoder) = self.fonts.0.get(&key) {
            return Some(decoder.clone());
        }
        let decoder = Rc::new(decoder_of(document, font));
        self.fonts.0.insert(key, decoder.clone());
        Some(decoder)
    }
}

/// The page's resource dictionaries, nearest first (a page inherits `/Resources` from its parents).
fn page_resources(document: &Document, page: ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = document.get_page_resources(page) else { return Vec::new() };
    own.into_iter().chain(inherited.into_iter().filter_map(|id| document.get_dictionary(id).ok())).collect()
}

fn decoder_of(document: &Document, font: &Dictionary) -> FontDecoder {
    let subtype = font.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
    let composite = subtype == b"Type0";
    let map = font
        .get_deref(b"ToUnicode", document)
        .and_then(Object::as_stream)
        .ok()
        .and_then(|stream| match stream.decompressed_content_with_limit(MAX_CMAP_BYTES) {
            Ok(program) => Some(program),
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => None,
            // An uncompressed map.
            Err(_) if stream.dict.get(b"Filter").is_err() && stream.content.len() <= MAX_CMAP_BYTES => {
                Some(stream.content.clone())
            }
            Err(error) => {
                tracing::debug!(%error, "unreadable ToUnicode map");
                None
            }
        })
        .map(|program| ToUnicode::parse(&program))
        .filter(|map| !map.is_empty());
    let encoding = font.get_deref(b"Encoding", document).ok();
    let utf16 = composite
        && encoding.and_then(|encoding| encoding.as_name().ok()).is_some_and(|name| {
            let name = String::from_utf8_lossy(name);
            name.contains("UCS2") || name.contains("UTF16")
        });
    let simple = (!composite).then(|| simple_encoding(document, encoding, subtype == b"Type3"));
    FontDecoder { map, composite, utf16, simple }
}

/// A simple font's code table: the base encoding (WinAnsi when unnamed: what Word and most writers mean), then
/// the `/Differences` glyph names over it.
fn simple_encoding(document: &Document, encoding: Option<&Object>, type3: bool) -> Box<[Option<char>; 256]> {
    let (base, differences) = match encoding {
        Some(Object::Name(name)) => (Some(name.as_slice()), None),
        Some(Object::Dictionary(dict)) => (
            dict.get(b"BaseEncoding").and_then(Object::as_name).ok(),
            dict.get_deref(b"Differences", document).and_then(Object::as_array).ok(),
        ),
        _ => (None, None),
    };
    let decoder = match base {
        Some(b"MacRomanEncoding") => encoding_rs::MACINTOSH,
        _ => encoding_rs::WINDOWS_1252,
    };
    let mut table: Box<[Option<char>; 256]> = Box::new([None; 256]);
    // Type 3 glyph codes are whatever the writer chose: without names or a map they mean nothing.
    if !type3 {
        for (code, slot) in table.iter_mut().enumerate().skip(0x20) {
            if let Some(text) = decoder.decode_without_bom_handling_and_without_replacement(&[code as u8]) {
                *slot = text.chars().next().filter(|character| !character.is_control());
            }
        }
    }
    if let Some(differences) = differences {
        let mut code: Option<usize> = None;
        for item in differences.iter().take(4096) {
            match item {
                Object::Integer(start) => code = usize::try_from(*start).ok(),
                Object::Name(name) => {
                    if let Some(at) = code.filter(|at| *at < 256) {
                        table[at] = super::glyph_names::char_of(name);
                    }
                    code = code.map(|at| at + 1);
                }
                _ => {}
            }
        }
    }
    table
}
