//! Line breaking and fitting text into boxes, measured with the embedded font's advances. printpdf does no layout
//! of its own; this module knows nothing about pages, tables or forms.
//!
//! Breaking rules (a simplified Chinese line-breaking scheme, GB/T 15834 style kinsoku):
//! - Chinese breaks between any two characters;
//! - closing punctuation (`，。；：、）》！？”’` …) never starts a line: it is glued to the character before it;
//! - opening punctuation (`（《“‘` …) never ends a line: it is glued to the character after it;
//! - a run of Latin letters, digits and ASCII punctuation (a word, an ISSN, a URL) stays whole unless it is wider
//!   than the line by itself, and then it is broken at character boundaries;
//! - ASCII spaces are break opportunities and vanish at the edges of wrapped lines;
//! - a line feed is a hard break.

use super::font::{Font, Printable};

/// Extra width tolerated when testing whether text fits, so that rounding never pushes the last character of an
/// exactly-fitting line onto the next one.
const EPSILON_PT: f32 = 0.01;

/// Font sizes are reduced in steps of this many points when text does not fit its box.
pub(crate) const SHRINK_STEP_PT: f32 = 0.5;

/// Characters that must not begin a line: closing brackets and quotes, pause and stop marks (full- and half-width).
const CLOSING: &str = "，。；：、）》！？”’」』】〕〉〗．…·％,.;:!?)]}%";

/// Characters that must not end a line: opening brackets and quotes.
const OPENING: &str = "（《“‘「『【〔〈〖([{";

fn is_closing(c: char) -> bool {
    CLOSING.contains(c)
}

fn is_opening(c: char) -> bool {
    OPENING.contains(c)
}

/// Characters that form unbreakable Latin words: ASCII letters, digits and punctuation, and non-CJK letters such
/// as é. CJK characters are excluded by their Unicode blocks.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    c.is_alphanumeric() && !is_cjk(c)
}

/// Whether `c` belongs to a block in which every character is a break opportunity.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x9FFF        // radicals, CJK punctuation, kana, bopomofo, unified ideographs
        | 0xAC00..=0xD7AF      // hangul syllables
        | 0xF900..=0xFAFF      // compatibility ideographs
        | 0xFE30..=0xFE4F      // compatibility forms
        | 0xFF00..=0xFFEF      // full-width forms
        | 0x20000..=0x3FFFF) // supplementary ideographic planes
}

/// An unbreakable piece of a paragraph: a space run, or characters that must stay on one line together.
struct Unit<'a> {
    text: &'a str,
    width: f32,
    is_space: bool,
}

/// Splits one paragraph (no line feeds) into units according to the rules in the module documentation.
fn units<'a>(font: &Font, paragraph: &'a str, size: f32) -> Vec<Unit<'a>> {
    let indices: Vec<(usize, char)> = paragraph.char_indices().collect();
    let byte_at = |i: usize| indices.get(i).map_or(paragraph.len(), |&(byte, _)| byte);
    let mut units = Vec::new();
    let mut i = 0;
    while let Some(&(_, c)) = indices.get(i) {
        let start = i;
        if c == ' ' {
            while indices.get(i).is_some_and(|&(_, c)| c == ' ') {
                i += 1;
            }
        } else {
            while indices.get(i).is_some_and(|&(_, c)| is_opening(c)) {
                i += 1;
            }
            match indices.get(i) {
                Some(&(_, c)) if is_word_char(c) => {
                    while indices.get(i).is_some_and(|&(_, c)| is_word_char(c)) {
                        i += 1;
                    }
                }
                Some(&(_, c)) if c != ' ' => i += 1,
                _ => {}
            }
            while indices.get(i).is_some_and(|&(_, c)| is_closing(c)) {
                i += 1;
            }
            // A string of opening punctuation followed by a space or the end: take at least one character.
            if i == start {
                i += 1;
            }
        }
        let text = &paragraph[byte_at(start)..byte_at(i)];
        units.push(Unit { text, width: font.width(text, size), is_space: c == ' ' });
    }
    units
}

/// Breaks `text` into lines no wider than `max_width` points at `size` points. Always returns at least one line
/// (possibly empty), and never loses a non-space character.
pub(crate) fn wrap(font: &Font, text: &str, size: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        wrap_paragraph(font, paragraph, size, max_width, &mut lines);
    }
    lines
}

fn wrap_paragraph(font: &Font, paragraph: &str, size: f32, max_width: f32, lines: &mut Vec<String>) {
    let limit = max_width + EPSILON_PT;
    let mut line = String::new();
    let mut line_width = 0.0_f32;
    // Spaces seen since the last word: they are only drawn if another word follows on the same line.
    let mut pending_space: Option<&Unit> = None;
    let units = units(font, paragraph, size);
    for unit in &units {
        if unit.is_space {
            pending_space = Some(unit);
            continue;
        }
        let space_width = pending_space.map_or(0.0, |space| space.width);
        if line_width + space_width + unit.width <= limit {
            if let Some(space) = pending_space.take() {
                line.push_str(space.text);
            }
            line.push_str(unit.text);
            line_width += space_width + unit.width;
            continue;
        }
        pending_space = None;
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if unit.width <= limit {
            line.push_str(unit.text);
            line_width = unit.width;
            continue;
        }
        // Wider than a whole line on its own (a long URL, or a very narrow box): break it at characters. At least
        // one character goes on each line, so this terminates even when a single glyph is wider than the box.
        for c in unit.text.chars() {
            let width = font.advance_em(c) * size;
            if !line.is_empty() && line_width + width > limit {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += width;
        }
    }
    lines.push(line);
}

/// Text broken into lines at a chosen size, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextBlock {
    pub(crate) lines: Vec<String>,
    /// Font size in points.
    pub(crate) size: f32,
    /// Distance between baselines, in points.
    pub(crate) line_height: f32,
}

impl TextBlock {
    /// Height of the block in points.
    pub(crate) fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height
    }
}

/// Sizes and spacing for one kind of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    /// Preferred font size in points.
    pub(crate) size: f32,
    /// Smallest size the text may shrink to before it is declared too long.
    pub(crate) min_size: f32,
    /// Baseline distance as a multiple of the font size.
    pub(crate) leading: f32,
}

impl TextStyle {
    pub(crate) const fn new(size: f32, min_size: f32, leading: f32) -> Self {
        Self { size, min_size, leading }
    }

    /// Lays `text` out at exactly `size` points, whatever height that takes.
    pub(crate) fn at(&self, font: &Font, text: &Printable, size: f32, width: f32) -> TextBlock {
        TextBlock { lines: wrap(font, text.as_str(), size, width), size, line_height: size * self.leading }
    }

    /// Lays `text` out in a `width` × `height` box (points): at the preferred size if it fits, otherwise at the
    /// largest size, going down in [`SHRINK_STEP_PT`] steps, at which it does. `None` when even the minimum size
    /// would overflow: the caller decides what that means (usually a [`super::PdfError::TextTooLong`]).
    pub(crate) fn fit(&self, font: &Font, text: &Printable, width: f32, height: f32) -> Option<TextBlock> {
        sizes(self.size, self.min_size)
            .map(|size| self.at(font, text, size, width))
            .find(|block| block.height() <= height + EPSILON_PT)
    }
}

/// The sizes tried when shrinking: `from`, then down by [`SHRINK_STEP_PT`], never below `to` (which is always
/// tried last, even if the steps skip over it).
pub(crate) fn sizes(from: f32, to: f32) -> impl Iterator<Item = f32> {
    let steps = ((from - to) / SHRINK_STEP_PT).floor().max(0.0) as usize;
    (0..=steps)
        .map(move |step| from - step as f32 * SHRINK_STEP_PT)
        .chain((from - steps as f32 * SHRINK_STEP_PT > to + EPSILON_PT).then_some(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::load().expect("embedded font parses")
    }

    /// Width of `n` hanzi at 10 pt, plus a hair, as a line limit.
    fn hanzi(n: usize) -> f32 {
        n as f32 * 10.0 + 0.001
    }

    #[test]
    fn chinese_breaks_anywhere() {
        let lines = wrap(&font(), "上海市南湖职业学校", 10.0, hanzi(4));
        assert_eq!(lines, ["上海市南", "湖职业学", "校"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // Without kinsoku the second line would start with "，".
        let lines = wrap(&font(), "教育教学，研究成果。", 10.0, hanzi(4));
        assert_eq!(lines, ["教育教", "学，研究", "成果。"]);
        for line in &lines[1..] {
            assert!(!line.starts_with(is_closing), "{line}");
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let lines = wrap(&font(), "发表于《职教论坛》", 10.0, hanzi(4));
        assert_eq!(lines, ["发表于", "《职教论", "坛》"]);
    }

    #[test]
    fn latin_words_stay_whole() {
        let font = font();
        let text = "刊号ISSN 1001-7518 CN 11-1234/G4";
        let width = font.width("刊号ISSN 1001-7518", 10.0) + 1.0;
        let lines = wrap(&font, text, 10.0, width);
        assert_eq!(lines, ["刊号ISSN 1001-7518", "CN 11-1234/G4"]);
    }

    #[test]
    fn over_long_words_are_broken_without_losing_characters() {
        let font = font();
        let url = "https://zhiping.example.edu.cn/verify?code=ABCDEFGHJKLMNPQR";
        let lines = wrap(&font, url, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), url);
        for line in &lines {
            assert!(font.width(line, 10.0) <= 60.0 + EPSILON_PT, "{line}");
        }
    }

    #[test]
    fn hard_breaks_and_empty_text() {
        let font = font();
        assert_eq!(wrap(&font, "", 10.0, 50.0), [""]);
        assert_eq!(wrap(&font, "一\n二", 10.0, 50.0), ["一", "二"]);
    }

    #[test]
    fn a_box_narrower_than_one_glyph_still_terminates() {
        let lines = wrap(&font(), "刁彬彬，", 10.0, 1.0);
        assert_eq!(lines.concat(), "刁彬彬，");
    }

    #[test]
    fn fit_shrinks_step_by_step_then_gives_up() {
        let font = font();
        let style = TextStyle::new(10.0, 7.0, 1.25);
        let text = "教".repeat(30);
        // At 10 pt, 30 hanzi in 100 pt need 3 lines = 37.5 pt; in a 30 pt box, 8 pt is the first size that
        // fits (12 per line, 3 lines of 10 pt).
        let block = style.fit(&font, &font.printable(&text), 100.0, 30.0).expect("fits when shrunk");
        assert_eq!(block.size, 8.0);
        assert!(block.height() <= 30.0 + EPSILON_PT);
        assert_eq!(block.lines.concat(), text);
        let long = text.repeat(10);
        assert!(style.fit(&font, &font.printable(&long), 100.0, 30.0).is_none());
    }

    #[test]
    fn sizes_end_at_the_minimum() {
        assert_eq!(sizes(10.5, 9.0).collect::<Vec<_>>(), [10.5, 10.0, 9.5, 9.0]);
        assert_eq!(sizes(10.0, 8.8).collect::<Vec<_>>(), [10.0, 9.5, 9.0, 8.8]);
        assert_eq!(sizes(8.0, 9.0).collect::<Vec<_>>(), [8.0]);
    }
}
