//! The one embedded CJK font (WenQuanYi Micro Hei): parsed once, shared by every document, and the only place that
//! knows glyph coverage and advance widths.
//!
//! printpdf has no font fallback, so this single face must cover everything we print: GBK hanzi (including rare
//! name characters such as 喆堃昇珺), CJK punctuation, ASCII and the replacement box "□". Characters it lacks are
//! swapped for "□" here, before layout, so they are measured and drawn like any other glyph instead of silently
//! becoming `.notdef` (which printpdf would emit as an invisible glyph 0).

use std::borrow::Cow;
use std::sync::Arc;

use printpdf::ParsedFont;

use super::PdfError;

/// The font file, embedded in the binary. Licence: `assets/fonts/LICENSE-wqy-microhei.txt` (Apache-2.0).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// Face 0 of the collection is "WenQuanYi Micro Hei" (face 1 is the monospaced variant).
const FACE_INDEX: usize = 0;

/// Drawn in place of a character the font has no glyph for.
pub(crate) const REPLACEMENT: char = '□';

/// A parsed font face plus the few metrics layout needs. Cloning is a reference-count bump.
#[derive(Clone)]
pub(crate) struct Font {
    inner: Arc<FontInner>,
}

struct FontInner {
    parsed: ParsedFont,
    units_per_em: f32,
}

impl Font {
    /// Parses the embedded face. Costs ~20 ms and ~5 MB (printpdf keeps a copy of the bytes for subsetting), so the
    /// engine does it once at start-up.
    pub(crate) fn load() -> Result<Self, PdfError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(FONT_BYTES, FACE_INDEX, &mut warnings)
            .ok_or_else(|| PdfError::FontParse(format!("{} warnings: {:?}", warnings.len(), warnings.first())))?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(PdfError::FontParse("units_per_em is 0".to_owned()));
        }
        // The replacement glyph is what keeps missing characters visible; without it the invariant breaks.
        if parsed.lookup_glyph_index(u32::from(REPLACEMENT)).is_none() {
            return Err(PdfError::FontParse(format!("no glyph for the replacement character {REPLACEMENT}")));
        }
        Ok(Self { inner: Arc::new(FontInner { parsed, units_per_em }) })
    }

    /// The parsed face, for registering with a `PdfDocument`.
    pub(crate) fn parsed(&self) -> &ParsedFont {
        &self.inner.parsed
    }

    /// Whether the font can draw `c`.
    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.inner.parsed.lookup_glyph_index(u32::from(c)).is_some()
    }

    /// Advance width of `c` in em. Only meaningful for characters that passed [`Font::printable`].
    pub(crate) fn advance_em(&self, c: char) -> f32 {
        match self.inner.parsed.lookup_glyph_index(u32::from(c)) {
            Some(glyph) => f32::from(self.inner.parsed.get_horizontal_advance(glyph)) / self.inner.units_per_em,
            // Unreachable after `printable`, but a full em is the safe over-estimate for layout.
            None => 1.0,
        }
    }

    /// Width of `text` in points at `size` points. PDF viewers advance by the same `hmtx` widths that printpdf
    /// writes into `/W`, so this is exactly what is drawn (we never apply kerning).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance_em(c)).sum::<f32>() * size
    }

    /// Returns `text` with every character the font cannot draw replaced by [`REPLACEMENT`], tabs turned into
    /// spaces and other control characters dropped. Line feeds survive: layout treats them as hard breaks.
    ///
    /// Each missing character is logged with its code point only: the text itself is personal data (names,
    /// opinions) and must not reach the logs.
    pub(crate) fn printable<'a>(&self, text: &'a str) -> Printable<'a> {
        let clean = |c: char| c == '\n' || (!c.is_control() && self.has_glyph(c));
        if text.chars().all(clean) {
            return Printable(Cow::Borrowed(text));
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\n' => out.push('\n'),
                '\t' => out.push(' '),
                // "\r\n" becomes "\n"; other controls carry no visible meaning.
                c if c.is_control() => {}
                c if self.has_glyph(c) => out.push(c),
                c => {
                    tracing::warn!(
                        code_point = format_args!("U+{:04X}", u32::from(c)),
                        "character missing from the PDF font, printed as {REPLACEMENT}"
                    );
                    out.push(REPLACEMENT);
                }
            }
        }
        Printable(Cow::Owned(out))
    }
}

/// Text the font can draw in full. Only [`Font::printable`] makes one, so layout and drawing functions that take a
/// `Printable` cannot be handed a character that would come out as an invisible `.notdef` glyph.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Printable<'a>(Cow<'a, str>);

impl Printable<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Detaches the text from the borrowed input.
    pub(crate) fn into_owned(self) -> Printable<'static> {
        Printable(Cow::Owned(self.0.into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_rare_name_characters_and_ascii() {
        let font = Font::load().expect("embedded font parses");
        for c in "喆堃昇珺刁彬（），。；：、《》“”ABCxyz0123456789/-: □".chars() {
            assert!(font.has_glyph(c), "{c} should be in the font");
        }
        assert!((font.advance_em('中') - 1.0).abs() < 1e-6, "hanzi are one em wide");
    }

    #[test]
    fn replaces_missing_characters_and_keeps_line_feeds() {
        let font = Font::load().expect("embedded font parses");
        assert!(matches!(font.printable("刁彬彬 CIP 2019102034").0, Cow::Borrowed(_)));
        assert_eq!(font.printable("王😀\u{30000}喆\r\n珺\tA").as_str(), "王□□喆\n珺 A");
    }
}
