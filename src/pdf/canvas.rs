//! Drawing on one A4 page: rules, boxes and laid-out text, turned into printpdf operations.
//!
//! Coordinates here are in points with the origin at the TOP-left corner and y growing downwards, the way a form
//! is designed on paper; the flip to PDF's bottom-left origin happens only in this file.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PdfFontHandle, PdfPage, Point, Pt, TextItem, TextMatrix,
    TextRenderingMode,
};

use super::font::{Font, Printable};
use super::layout::TextBlock;

/// Points per millimetre: forms are designed in millimetres, PDFs are drawn in points.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// A4 portrait: 210 × 297 mm.
const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
/// The page height in points, for callers that lay out from the bottom.
pub(crate) const PAGE_HEIGHT: f32 = PAGE_HEIGHT_MM * MM;

/// Where the ideographic em box sits around the baseline, in em. CJK glyphs are designed inside a box from
/// 0.12 em below to 0.88 em above the baseline; centring that box (rather than the font's much taller
/// ascent/descent) centres Chinese text visually in its cell.
const EM_BOX_ASCENT: f32 = 0.88;

/// Stroke width used to embolden text: the font has no bold face, so titles are drawn filled and stroked.
const BOLD_STROKE_EM: f32 = 0.035;

/// A rectangle in page points, top-left origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) width: f32,
    pub(crate) height: f32,
}

impl Rect {
    pub(crate) const fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self { x, y, width, height }
    }

    pub(crate) fn right(&self) -> f32 {
        self.x + self.width
    }

    pub(crate) fn bottom(&self) -> f32 {
        self.y + self.height
    }

    /// The rectangle shrunk by `horizontal` on the left and right and `vertical` on the top and bottom.
    pub(crate) fn inset(&self, horizontal: f32, vertical: f32) -> Self {
        Self::new(
            self.x + horizontal,
            self.y + vertical,
            (self.width - 2.0 * horizontal).max(0.0),
            (self.height - 2.0 * vertical).max(0.0),
        )
    }
}

/// Horizontal or vertical placement of text inside its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Start,
    Center,
    End,
}

/// Stroke weight of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Collects the operations of one page.
pub(crate) struct Canvas<'f> {
    font: &'f Font,
    font_id: FontId,
    ops: Vec<Op>,
}

impl<'f> Canvas<'f> {
    /// A blank page whose text is drawn with `font`, registered in the document as `font_id`.
    pub(crate) fn new(font: &'f Font, font_id: FontId) -> Self {
        let black = Color::Greyscale(Greyscale::new(0.0, None));
        let ops = vec![Op::SetOutlineColor { col: black.clone() }, Op::SetFillColor { col: black }];
        Self { font, font_id, ops }
    }

    /// The font text on this page is measured with.
    pub(crate) fn font(&self) -> &'f Font {
        self.font
    }

    /// Sets the width of the rules drawn from now on.
    pub(crate) fn rule_width(&mut self, points: f32) {
        self.ops.push(Op::SetOutlineThickness { pt: Pt(points) });
    }

    /// A straight rule from (x1, y1) to (x2, y2).
    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_HEIGHT - y) }, bezier: false };
        self.ops.push(Op::DrawLine { line: Line { points: vec![point(x1, y1), point(x2, y2)], is_closed: false } });
    }

    /// The outline of `rect`.
    pub(crate) fn frame(&mut self, rect: Rect) {
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(PAGE_HEIGHT - y) }, bezier: false };
        let points = vec![
            point(rect.x, rect.y),
            point(rect.right(), rect.y),
            point(rect.right(), rect.bottom()),
            point(rect.x, rect.bottom()),
        ];
        self.ops.push(Op::DrawLine { line: Line { points, is_closed: true } });
    }

    /// Draws `block` inside `rect`, aligned as asked. The block must have been laid out for `rect`'s width.
    pub(crate) fn block(&mut self, rect: Rect, block: &TextBlock, horizontal: Align, vertical: Align, weight: Weight) {
        let top = match vertical {
            Align::Start => rect.y,
            Align::Center => rect.y + (rect.height - block.height()) / 2.0,
            Align::End => rect.bottom() - block.height(),
        };
        if weight == Weight::Bold {
            self.ops.extend([
                Op::SaveGraphicsState,
                Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke },
                Op::SetOutlineThickness { pt: Pt(block.size * BOLD_STROKE_EM) },
            ]);
        }
        // One text object per block, each line placed absolutely with its own text matrix: two operations a line
        // keeps pages small, which matters when a bundle holds hundreds of them in memory.
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont { font: PdfFontHandle::External(self.font_id.clone()), size: Pt(block.size) });
        for (index, line) in block.lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let line_top = top + index as f32 * block.line_height;
            let baseline = line_top + (block.line_height - block.size) / 2.0 + EM_BOX_ASCENT * block.size;
            let width = self.font.width(line, block.size);
            let x = match horizontal {
                Align::Start => rect.x,
                Align::Center => rect.x + (rect.width - width) / 2.0,
                Align::End => rect.right() - width,
            };
            self.ops.extend([
                Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(PAGE_HEIGHT - baseline)) },
                Op::ShowText { items: vec![TextItem::Text(line.clone())] },
            ]);
        }
        self.ops.push(Op::EndTextSection);
        if weight == Weight::Bold {
            self.ops.push(Op::RestoreGraphicsState);
        }
    }

    /// Convenience for a single line that is known to fit (labels, dates): laid out at `size` without wrapping.
    pub(crate) fn single_line(
        &mut self,
        rect: Rect,
        text: &Printable,
        size: f32,
        horizontal: Align,
        vertical: Align,
        weight: Weight,
    ) {
        let block = TextBlock { lines: vec![text.as_str().to_owned()], size, line_height: size * 1.2 };
        self.block(rect, &block, horizontal, vertical, weight);
    }

    /// Finishes the page.
    pub(crate) fn into_page(self) -> PdfPage {
        PdfPage::new(printpdf::Mm(PAGE_WIDTH_MM), printpdf::Mm(PAGE_HEIGHT_MM), self.ops)
    }
}
