//! The 鉴定意见 (appraisal opinion) printed after publication (SPEC §7): one A4 page with the project as title, a
//! ruled table of teacher, school, achievements, grade and opinion, the 当年有效 note where it applies, and the
//! operator and publication date at the bottom right.
//!
//! The opinion cell takes whatever height the other rows leave; its text starts at 小四 (12 pt) and shrinks to
//! 7.5 pt, which holds well over 1,500 characters. Longer opinions are refused ([`PdfError::TextTooLong`])
//! rather than cut off.

use super::PdfError;
use super::canvas::{Align, Canvas, MM, Rect, Weight};
use super::font::Font;
use super::footer;
use super::layout::{TextBlock, TextStyle};
use super::model::{AppraisalOpinion, Verification};
use super::table::{self, Cell, Content, Grid, PAD_X, PAD_Y, Row};

/// PDF metadata title (never the teacher's name: see `Document::new`).
pub(crate) const DOCUMENT_TITLE: &str = "教科研成果鉴定意见";

const HEADING: &str = "鉴定意见";
const VALID_THIS_YEAR_ONLY: &str = "当年有效";
const VALID_THIS_YEAR_ONLY_NOTE: &str = "注：本鉴定结果仅当年有效。";

const MARGIN_X: f32 = 20.0 * MM;
const TITLE_TOP: f32 = 20.0 * MM;
const GAP: f32 = 5.0 * MM;
const COLUMNS_MM: [f32; 2] = [32.0, 138.0];

const PROJECT: TextStyle = TextStyle::new(16.0, 12.0, 1.45);
const HEADING_STYLE: TextStyle = TextStyle::new(22.0, 22.0, 1.4);
const LABEL: TextStyle = TextStyle::new(12.0, 9.0, 1.3);
const VALUE: TextStyle = TextStyle::new(12.0, 8.0, 1.4);
const GRADE: TextStyle = TextStyle::new(15.0, 10.0, 1.3);
const OPINION: TextStyle = TextStyle::new(12.0, 7.5, 1.6);
const SIGNATURE: TextStyle = TextStyle::new(12.0, 9.0, 1.8);

const MIN_ROW: f32 = 11.0 * MM;
/// School and department may take two lines before shrinking; the titles up to this height.
const SHORT_ROW_MAX: f32 = 2.0 * VALUE.size * VALUE.leading + 2.0 * PAD_Y;
const TITLES_ROW_MAX: f32 = 60.0 * MM;
/// The grade is one short word; a long one (a free-text scale) wraps up to this height, then shrinks.
const GRADE_ROW_MAX: f32 = 15.0 * MM;
/// The signature block: operator and date, two lines, right-aligned above the footer.
const SIGNATURE_HEIGHT: f32 = 2.0 * SIGNATURE.size * SIGNATURE.leading;

/// Draws one appraisal opinion on `canvas`.
pub(crate) fn draw(
    canvas: &mut Canvas,
    opinion: &AppraisalOpinion,
    verification: &Verification,
) -> Result<(), PdfError> {
    let font = canvas.font();
    let grid = Grid::new(MARGIN_X, COLUMNS_MM.iter().map(|width| width * MM).collect());
    let width = grid.width();

    // Title: the project (wrapped, shrinking if very long), then the heading.
    let project_text = font.printable(&opinion.project_name);
    let project = PROJECT
        .fit(font, &project_text, width, 3.0 * PROJECT.size * PROJECT.leading)
        .ok_or_else(|| PdfError::TextTooLong { field: "鉴定项目".to_owned() })?;
    let project_area = Rect::new(MARGIN_X, TITLE_TOP, width, project.height());
    canvas.block(project_area, &project, Align::Center, Align::Start, Weight::Bold);
    let heading = HEADING_STYLE.at(font, &font.printable(HEADING), HEADING_STYLE.size, width);
    let heading_area = Rect::new(MARGIN_X, project_area.bottom() + 1.0 * MM, width, heading.height());
    canvas.block(heading_area, &heading, Align::Center, Align::Start, Weight::Bold);
    let table_top = heading_area.bottom() + GAP;

    // Bottom up: footer, signature, the optional note; the table ends above them.
    let footer_area = footer::area(MARGIN_X, width);
    let signature_area =
        Rect::new(MARGIN_X, footer_area.y - GAP - SIGNATURE_HEIGHT, width - 8.0 * MM, SIGNATURE_HEIGHT);
    let note = opinion
        .valid_this_year_only
        .then(|| LABEL.at(font, &font.printable(VALID_THIS_YEAR_ONLY_NOTE), LABEL.size, width));
    let table_bottom = signature_area.y - GAP - note.as_ref().map_or(0.0, |note| note.height() + GAP / 2.0);

    let titles = numbered_titles(&opinion.achievement_titles);
    let mut rows = vec![
        text_row(font, &grid, "姓名", &opinion.teacher_name, VALUE, SHORT_ROW_MAX, 0.0)?,
        text_row(font, &grid, "工作单位", &opinion.school, VALUE, SHORT_ROW_MAX, 0.0)?,
        text_row(font, &grid, "上级主管部门", &opinion.department, VALUE, SHORT_ROW_MAX, 0.0)?,
        text_row(font, &grid, "成果题目", &titles, VALUE, TITLES_ROW_MAX, 0.0)?,
    ];
    // The 当年有效 stamp sits right of the grade, in room kept free for it.
    let stamp = opinion.valid_this_year_only.then(|| Stamp::new(font));
    let stamp_room = stamp.as_ref().map_or(0.0, |stamp| stamp.width + STAMP_GAP);
    let grade_top = table_top + rows.iter().map(|row| row.height).sum::<f32>();
    let mut grade_row = text_row(font, &grid, "鉴定等级", &opinion.grade, GRADE, GRADE_ROW_MAX, stamp_room)?;
    let mut grade_width = 0.0;
    if let Some(Cell { content: Content::Text { block, weight, .. }, .. }) = grade_row.cells.last_mut() {
        *weight = Weight::Bold;
        grade_width = block.lines.iter().map(|line| font.width(line, block.size)).fold(0.0, f32::max);
    }
    let grade_cell = grid.rect(1, 1, grade_top, grade_row.height).inset(PAD_X, PAD_Y);
    rows.push(grade_row);
    let used: f32 = rows.iter().map(|row| row.height).sum();
    let opinion_height = table_bottom - table_top - used;
    let indented = indent_paragraphs(&opinion.opinion);
    let opinion_text = font.printable(&indented);
    let opinion_block = OPINION
        .fit(font, &opinion_text, grid.text_width(1, 1), opinion_height - 2.0 * PAD_Y)
        .ok_or_else(|| PdfError::TextTooLong { field: "鉴定意见".to_owned() })?;
    rows.push(Row {
        height: opinion_height,
        cells: vec![
            label_cell(font, &grid, "鉴定意见", opinion_height)?,
            value_cell(opinion_block, Align::Start, Weight::Regular),
        ],
    });
    let bottom = table::draw(canvas, &grid, table_top, &rows);

    if let Some(stamp) = stamp {
        stamp.draw(canvas, grade_cell.x + grade_width + STAMP_GAP, grade_cell.y + grade_cell.height / 2.0);
    }
    if let Some(note) = note {
        let area = Rect::new(MARGIN_X, bottom + GAP / 2.0, width, note.height());
        canvas.block(area, &note, Align::Start, Align::Start, Weight::Bold);
    }

    let signature_text = format!("{}\n{}", opinion.operator, chinese_date(&opinion.published_on));
    let signature = SIGNATURE
        .fit(font, &font.printable(&signature_text), signature_area.width, signature_area.height)
        .ok_or_else(|| PdfError::TextTooLong { field: "鉴定机构".to_owned() })?;
    canvas.block(signature_area, &signature, Align::End, Align::End, Weight::Regular);
    footer::draw(canvas, footer_area, verification)
}

/// A label and a value row, as high as the value needs at `style`'s size (at least [`MIN_ROW`]) but no higher
/// than `max_height`, where the value shrinks instead. `keep_free` points at the right of the value stay empty.
fn text_row(
    font: &Font,
    grid: &Grid,
    label: &str,
    value: &str,
    style: TextStyle,
    max_height: f32,
    keep_free: f32,
) -> Result<Row, PdfError> {
    let value = font.printable(value);
    let width = (grid.text_width(1, 1) - keep_free).max(0.0);
    let natural = style.at(font, &value, style.size, width).height() + 2.0 * PAD_Y;
    let height = natural.clamp(MIN_ROW, max_height.max(MIN_ROW));
    let block = style
        .fit(font, &value, width, height - 2.0 * PAD_Y)
        .ok_or_else(|| PdfError::TextTooLong { field: label.to_owned() })?;
    Ok(Row {
        height,
        cells: vec![label_cell(font, grid, label, height)?, value_cell(block, Align::Center, Weight::Regular)],
    })
}

fn label_cell(font: &Font, grid: &Grid, label: &str, height: f32) -> Result<Cell, PdfError> {
    let block = LABEL
        .fit(font, &font.printable(label), grid.text_width(0, 1), height - 2.0 * PAD_Y)
        .ok_or_else(|| PdfError::TextTooLong { field: label.to_owned() })?;
    let content = Content::Text { block, horizontal: Align::Center, vertical: Align::Center, weight: Weight::Regular };
    Ok(Cell { first: 0, span: 1, content })
}

fn value_cell(block: TextBlock, vertical: Align, weight: Weight) -> Cell {
    Cell { first: 1, span: 1, content: Content::Text { block, horizontal: Align::Start, vertical, weight } }
}

/// Starts every paragraph with the customary two-character indent, unless the author already indented it.
fn indent_paragraphs(text: &str) -> String {
    text.trim_end()
        .split('\n')
        .map(|paragraph| {
            let paragraph = paragraph.trim_end();
            if paragraph.is_empty() || paragraph.starts_with(char::is_whitespace) {
                paragraph.to_owned()
            } else {
                format!("\u{3000}\u{3000}{paragraph}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One title as is; several as a numbered list, one per paragraph.
fn numbered_titles(titles: &[String]) -> String {
    match titles {
        [single] => single.clone(),
        _ => titles
            .iter()
            .enumerate()
            .map(|(index, title)| format!("{}. {title}", index + 1))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Space between the grade and the 当年有效 stamp.
const STAMP_GAP: f32 = 8.0 * MM;

/// A framed, bold 当年有效 beside the grade, so the restriction cannot be missed.
struct Stamp {
    block: TextBlock,
    width: f32,
    height: f32,
}

impl Stamp {
    fn new(font: &Font) -> Self {
        let text = font.printable(VALID_THIS_YEAR_ONLY);
        let block = LABEL.at(font, &text, LABEL.size, f32::INFINITY);
        let width = font.width(text.as_str(), LABEL.size) + 4.0 * MM;
        Self { width, height: LABEL.size + 2.5 * MM, block }
    }

    /// Draws the stamp with its left edge at `x`, centred vertically on `middle`.
    fn draw(&self, canvas: &mut Canvas, x: f32, middle: f32) {
        let frame = Rect::new(x, middle - self.height / 2.0, self.width, self.height);
        canvas.rule_width(1.0);
        canvas.frame(frame);
        canvas.block(frame, &self.block, Align::Center, Align::Center, Weight::Bold);
    }
}

/// `2020-07-15` → `2020年7月15日`; anything else is printed as given.
fn chinese_date(date: &str) -> String {
    let parts: Vec<&str> = date.trim().split('-').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|part| part.parse().ok()).collect();
    match (parts.as_slice(), numbers.as_deref()) {
        ([year, _, _], Some([_, month, day]))
            if year.len() == 4 && (1..=12).contains(month) && (1..=31).contains(day) =>
        {
            format!("{year}年{month}月{day}日")
        }
        _ => date.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_the_chinese_way() {
        assert_eq!(chinese_date("2020-07-15"), "2020年7月15日");
        assert_eq!(chinese_date("2020年7月"), "2020年7月");
        assert_eq!(chinese_date("2020-13-01"), "2020-13-01");
    }

    #[test]
    fn paragraphs_are_indented_once() {
        assert_eq!(indent_paragraphs("甲。\n\n　　乙。\n"), "\u{3000}\u{3000}甲。\n\n　　乙。");
    }

    #[test]
    fn several_titles_are_numbered() {
        assert_eq!(numbered_titles(&["甲".to_owned()]), "甲");
        assert_eq!(numbered_titles(&["甲".to_owned(), "乙".to_owned()]), "1. 甲\n2. 乙");
    }
}
