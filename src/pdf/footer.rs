//! The verification line at the foot of every printed document (SPEC §7): code, public address and print date, so
//! a school can check a print against the platform.

use super::PdfError;
use super::canvas::{Align, Canvas, MM, PAGE_HEIGHT, Rect, Weight};
use super::layout::TextStyle;
use super::model::Verification;

/// Small print; the URL may wrap onto a second line, and a pathological one shrinks a little.
const STYLE: TextStyle = TextStyle::new(7.5, 6.0, 1.3);

/// The box the footer is drawn in: the full text width, just above the bottom margin.
pub(crate) fn area(left: f32, width: f32) -> Rect {
    let height = 2.0 * STYLE.size * STYLE.leading;
    Rect::new(left, PAGE_HEIGHT - 8.0 * MM - height, width, height)
}

/// Draws the footer into `area`, bottom-aligned so a one-line footer sits on the bottom margin.
pub(crate) fn draw(canvas: &mut Canvas, area: Rect, verification: &Verification) -> Result<(), PdfError> {
    let font = canvas.font();
    let text =
        format!("验证码：{}　查验地址：{}　打印日期：{}", verification.code, verification.url, verification.issued_on);
    let text = font.printable(&text);
    let block = STYLE
        .fit(font, &text, area.width, area.height)
        .ok_or_else(|| PdfError::TextTooLong { field: "验证码".to_owned() })?;
    canvas.block(area, &block, Align::Start, Align::End, Weight::Regular);
    Ok(())
}
