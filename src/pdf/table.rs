//! Ruled tables on a column grid: cell geometry, rules and cell text. Knows nothing about which form it draws;
//! row heights are decided by the caller.

use super::canvas::{Align, Canvas, MM, Rect, Weight};
use super::layout::TextBlock;

/// Space between a cell's rules and its text.
pub(crate) const PAD_X: f32 = 1.5 * MM;
pub(crate) const PAD_Y: f32 = 1.2 * MM;

/// Rule widths: a heavier outer frame, as on printed official forms.
const OUTER_RULE: f32 = 1.0;
const INNER_RULE: f32 = 0.5;

/// Columns of a table, left to right.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    x: f32,
    widths: Vec<f32>,
}

impl Grid {
    /// A grid whose first column starts at `x`, with the given column widths (points).
    pub(crate) fn new(x: f32, widths: Vec<f32>) -> Self {
        Self { x, widths }
    }

    pub(crate) fn width(&self) -> f32 {
        self.widths.iter().sum()
    }

    /// The rectangle covering columns `first .. first + span` between `y` and `y + height`. Columns past the end
    /// of the grid count as zero width, so a mistaken span draws a narrow cell rather than panicking.
    pub(crate) fn rect(&self, first: usize, span: usize, y: f32, height: f32) -> Rect {
        let x = self.x + self.widths.iter().take(first).sum::<f32>();
        let width = self.widths.iter().skip(first).take(span).sum::<f32>();
        Rect::new(x, y, width, height)
    }

    /// Width available to text in a cell spanning `span` columns from `first`.
    pub(crate) fn text_width(&self, first: usize, span: usize) -> f32 {
        (self.rect(first, span, 0.0, 0.0).width - 2.0 * PAD_X).max(0.0)
    }
}

/// What a cell shows.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Text laid out for the cell's text width, placed inside the padding.
    Text { block: TextBlock, horizontal: Align, vertical: Align, weight: Weight },
    /// Nothing: the caller draws into the cell itself (seal boxes).
    Empty,
}

/// One cell: columns `first .. first + span`.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) first: usize,
    pub(crate) span: usize,
    pub(crate) content: Content,
}

/// One row of cells, which must cover the grid from left to right without gaps.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) height: f32,
    pub(crate) cells: Vec<Cell>,
}

/// Draws `rows` top-down from `top` and returns the y of the table's bottom edge.
pub(crate) fn draw(canvas: &mut Canvas, grid: &Grid, top: f32, rows: &[Row]) -> f32 {
    let left = grid.x;
    let right = grid.x + grid.width();
    let mut y = top;
    canvas.rule_width(INNER_RULE);
    for (index, row) in rows.iter().enumerate() {
        let bottom = y + row.height;
        if index + 1 < rows.len() {
            canvas.line(left, bottom, right, bottom);
        }
        for cell in &row.cells {
            let rect = grid.rect(cell.first, cell.span, y, row.height);
            if cell.first > 0 {
                canvas.line(rect.x, y, rect.x, bottom);
            }
            if let Content::Text { block, horizontal, vertical, weight } = &cell.content {
                canvas.block(rect.inset(PAD_X, PAD_Y), block, *horizontal, *vertical, *weight);
            }
        }
        y = bottom;
    }
    canvas.rule_width(OUTER_RULE);
    canvas.frame(Rect::new(left, top, right - left, y - top));
    y
}
