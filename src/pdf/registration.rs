//! The 成果鉴定登记表 (registration form, SPEC §7 and the manual's 在线打印 page): one A4 page whatever the
//! input, with the manual's rows on a six-column ruled grid.
//!
//! Page budget (top to bottom): title, table, footnote, verification footer. The table's basic-information rows
//! and the 成果层次/成果类型 rows are "fixed": they keep the normal size unless a value needs more than three lines.
//! The long achievement texts (题目, 成果情况, 本人承担部分) are "flexible": while the table is too tall for the page,
//! the multi-line flexible rows shrink by one font-size step in turn (largest size first), down to a minimum. Two achievements with ~200-character
//! titles, long 成果情况 sentences and 85-character 本人承担部分 fit at 9–10.5 pt. Only input far beyond
//! what the submission form accepts runs out of room, and then the document is refused
//! ([`PdfError::TextTooLong`]) rather than printed with text cut off.

use super::PdfError;
use super::canvas::{Align, Canvas, MM, Rect, Weight};
use super::font::{Font, Printable};
use super::footer;
use super::layout::{SHRINK_STEP_PT, TextBlock, TextStyle};
use super::model::{FormAchievement, RegistrationForm, Verification};
use super::table::{self, Cell, Content, Grid, PAD_X, PAD_Y, Row};

/// PDF metadata title of a single form and of a bundle (never the teacher's name: see `Document::new`).
pub(crate) const DOCUMENT_TITLE: &str = "教科研成果鉴定登记表";
pub(crate) const BUNDLE_TITLE: &str = "教科研成果鉴定登记表（汇总）";

const TITLE_LINES: [&str; 2] = ["上海市中等职业学校、技工学校教师高级专业技术职务", "任职资格评审教科研成果鉴定登记表"];
const FOOTNOTE: &str =
    "此表一式两份，由申报人填写，经工作单位聘任委员会审核无误后，加盖公章分别粘贴于（两个）材料袋封面。";
/// Marker appended to the type of an achievement that rests on a ★ item (SPEC §5).
const VALID_THIS_YEAR_ONLY: &str = "（当年有效）";
const SEAL_LABELS: [&str; 2] = ["工作单位公章", "上级主管部门公章"];
const SEAL_DATE: &str = "年　　月　　日";

const MARGIN_X: f32 = 20.0 * MM;
const TITLE_TOP: f32 = 14.0 * MM;
const GAP: f32 = 4.0 * MM;
/// Column widths in millimetres (170 mm in all). Columns 0, 2 and 4 hold labels in three-pair rows; column 3
/// holds the second label of two-pair rows, so it is wide enough for 上级主管部门.
const COLUMNS_MM: [f32; 6] = [26.0, 37.0, 20.0, 27.0, 20.0, 40.0];

/// 三号 bold title, 五号 labels and values, 小五 footnote.
const TITLE: TextStyle = TextStyle::new(16.0, 16.0, 1.5);
const LABEL: TextStyle = TextStyle::new(10.5, 8.0, 1.25);
const VALUE: TextStyle = TextStyle::new(10.5, 7.0, 1.3);
const FOOTNOTE_STYLE: TextStyle = TextStyle::new(9.0, 7.0, 1.3);

/// Rows are never lower than this: it keeps the grid even and leaves room to correct by hand.
const MIN_ROW: f32 = 9.0 * MM;
/// A fixed row grows to three lines of normal-size text; beyond that its text shrinks instead.
const FIXED_ROW_MAX: f32 = 3.0 * VALUE.size * VALUE.leading + 2.0 * PAD_Y;
/// The seal boxes: an official seal is 40–42 mm across; they take spare room up to the maximum.
const SEAL_MIN: f32 = 45.0 * MM;
const SEAL_MAX: f32 = 60.0 * MM;

/// Draws one registration form on `canvas`.
pub(crate) fn draw(canvas: &mut Canvas, form: &RegistrationForm, verification: &Verification) -> Result<(), PdfError> {
    let font = canvas.font();
    let grid = Grid::new(MARGIN_X, COLUMNS_MM.iter().map(|width| width * MM).collect());
    let table_width = grid.width();

    let title = TextBlock {
        lines: TITLE_LINES.iter().map(|line| font.printable(line).as_str().to_owned()).collect(),
        size: TITLE.size,
        line_height: TITLE.size * TITLE.leading,
    };
    let title_area = Rect::new(MARGIN_X, TITLE_TOP, table_width, title.height());
    canvas.block(title_area, &title, Align::Center, Align::Start, Weight::Bold);
    let table_top = title_area.bottom() + GAP;

    let footer_area = footer::area(MARGIN_X, table_width);
    let footnote_text = font.printable(FOOTNOTE);
    let footnote = FOOTNOTE_STYLE.at(font, &footnote_text, FOOTNOTE_STYLE.size, table_width);
    let table_bottom_limit = footer_area.y - GAP - footnote.height() - GAP / 2.0;

    let specs = rows(font, form);
    let available = table_bottom_limit - table_top - SEAL_MIN;
    let plan = plan_heights(font, &grid, &specs, available)?;
    let spare = available - plan.iter().map(|row| row.height).sum::<f32>();
    let seal_height = (SEAL_MIN + spare).min(SEAL_MAX);

    let mut table_rows = Vec::with_capacity(specs.len() + 1);
    for (spec, planned) in specs.iter().zip(&plan) {
        table_rows.push(lay_out_row(font, &grid, spec, planned)?);
    }
    table_rows.push(Row {
        height: seal_height,
        cells: vec![
            Cell { first: 0, span: 3, content: Content::Empty },
            Cell { first: 3, span: 3, content: Content::Empty },
        ],
    });
    let table_bottom = table::draw(canvas, &grid, table_top, &table_rows);
    draw_seal_texts(canvas, &grid, table_bottom - seal_height, seal_height);

    let footnote_area = Rect::new(MARGIN_X, table_bottom + GAP / 2.0, table_width, footnote.height());
    canvas.block(footnote_area, &footnote, Align::Start, Align::Start, Weight::Regular);
    footer::draw(canvas, footer_area, verification)
}

/// Whether a cell holds a label (centred, fixed size) or a value (left-aligned, may shrink).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Label,
    Value,
}

/// A cell before layout. `field` names it in errors.
struct CellSpec<'a> {
    first: usize,
    span: usize,
    role: Role,
    text: Printable<'a>,
    field: String,
}

/// Whether a row's text may shrink to make the page fit (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fixed,
    Flexible,
}

struct RowSpec<'a> {
    kind: Kind,
    cells: Vec<CellSpec<'a>>,
}

/// The rows of the form, in the manual's order, without the seal boxes.
fn rows<'a>(font: &Font, form: &'a RegistrationForm) -> Vec<RowSpec<'a>> {
    let label = |first, label: &'static str| CellSpec {
        first,
        span: 1,
        role: Role::Label,
        text: font.printable(label),
        field: label.to_owned(),
    };
    let value = |first, span, text: &'a str, field: &str| CellSpec {
        first,
        span,
        role: Role::Value,
        text: font.printable(text),
        field: field.to_owned(),
    };
    // Label, value, label, value, label, value.
    let three = |pairs: [(&'static str, &'a str); 3]| RowSpec {
        kind: Kind::Fixed,
        cells: pairs
            .iter()
            .enumerate()
            .flat_map(|(index, &(name, text))| [label(2 * index, name), value(2 * index + 1, 1, text, name)])
            .collect(),
    };
    // Label, value over two columns, label, value over two columns.
    let two = |(name1, text1): (&'static str, &'a str), (name2, text2): (&'static str, &'a str)| RowSpec {
        kind: Kind::Fixed,
        cells: vec![label(0, name1), value(1, 2, text1, name1), label(3, name2), value(4, 2, text2, name2)],
    };
    // Label, value over the rest of the row: the achievement rows. `field` names the value in errors, where the
    // shown label alone (成果情况) would not say which achievement is meant.
    let one = |shown: String, field: String, text: &'a str| RowSpec {
        kind: Kind::Flexible,
        cells: vec![
            CellSpec { first: 0, span: 1, role: Role::Label, text: font.printable(&shown).into_owned(), field: shown },
            CellSpec { first: 1, span: 5, role: Role::Value, text: font.printable(text), field },
        ],
    };

    let mut rows = vec![
        three([("姓名", &form.name), ("出生年月", &form.birth), ("研究方向", &form.research_direction)]),
        two(("最高学历", &form.education), ("最高学位", &form.degree)),
        three([("大专", &form.major_college), ("本科", &form.major_bachelor), ("研究生", &form.major_graduate)]),
        two(("工作单位", &form.school), ("上级主管部门", &form.department)),
        two(("现专技职务", &form.title), ("取得日期", &form.title_date)),
        two(("现任教学科", &form.teaching_subject), ("申报学科", &form.applied_subject)),
    ];
    static BLANK: FormAchievement = FormAchievement {
        title: String::new(),
        level: String::new(),
        kind: String::new(),
        situation: String::new(),
        own_part: String::new(),
        valid_this_year_only: false,
    };
    let achievements: &[FormAchievement] =
        if form.achievements.is_empty() { std::slice::from_ref(&BLANK) } else { &form.achievements };
    for (index, achievement) in achievements.iter().enumerate() {
        let number = index + 1;
        let title_label = format!("成果题目{number}");
        rows.push(one(title_label.clone(), title_label, &achievement.title));
        let mut kind_row = two(("成果层次", &achievement.level), ("成果类型", &achievement.kind));
        if achievement.valid_this_year_only {
            // The marker makes the text owned; the field name stays the label.
            let marked = format!("{}{VALID_THIS_YEAR_ONLY}", achievement.kind);
            if let Some(kind_cell) = kind_row.cells.get_mut(3) {
                kind_cell.text = font.printable(&marked).into_owned();
            }
        }
        rows.push(kind_row);
        rows.push(one("成果情况".to_owned(), format!("成果情况（成果{number}）"), &achievement.situation));
        rows.push(one("本人承担部分".to_owned(), format!("本人承担部分（成果{number}）"), &achievement.own_part));
    }
    rows
}

/// The chosen value size and height of one row, and how many lines its longest value takes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Planned {
    size: f32,
    height: f32,
    lines: usize,
}

/// Lays out `row` with its values at `size`: the row's natural height (before any cap) and longest line count.
fn measure(font: &Font, grid: &Grid, row: &RowSpec, size: f32) -> (f32, usize) {
    row.cells.iter().fold((MIN_ROW, 0), |(height, lines), cell| {
        let (style, size) = match cell.role {
            Role::Label => (LABEL, LABEL.size),
            Role::Value => (VALUE, size),
        };
        let block = style.at(font, &cell.text, size, grid.text_width(cell.first, cell.span));
        (height.max(block.height() + 2.0 * PAD_Y), lines.max(block.lines.len()))
    })
}

/// Chooses each row's value size and height so that the rows together are at most `available` high.
fn plan_heights(font: &Font, grid: &Grid, rows: &[RowSpec], available: f32) -> Result<Vec<Planned>, PdfError> {
    let plan_row = |row: &RowSpec, size: f32| {
        let (natural, lines) = measure(font, grid, row, size);
        let height = match row.kind {
            Kind::Fixed => natural.min(FIXED_ROW_MAX.max(MIN_ROW)),
            Kind::Flexible => natural,
        };
        Planned { size, height, lines }
    };
    let mut plan: Vec<Planned> = rows.iter().map(|row| plan_row(row, VALUE.size)).collect();
    loop {
        if plan.iter().map(|row| row.height).sum::<f32>() <= available {
            return Ok(plan);
        }
        // Shrink one multi-line flexible row by one step: the one at the largest size, the tallest among equals.
        // Long texts thus shrink in turn and stay within one step of each other, which reads as one consistent
        // block, while one-line values (which would gain nothing) keep the normal size.
        let next = rows
            .iter()
            .zip(&plan)
            .enumerate()
            .filter(|(_, (row, planned))| {
                row.kind == Kind::Flexible && planned.lines > 1 && planned.size > VALUE.min_size
            })
            .max_by(|(_, (_, a)), (_, (_, b))| a.size.total_cmp(&b.size).then(a.height.total_cmp(&b.height)))
            .map(|(index, _)| index);
        let Some(index) = next else {
            return Err(too_long(rows, &plan));
        };
        if let (Some(row), Some(planned)) = (rows.get(index), plan.get_mut(index)) {
            *planned = plan_row(row, (planned.size - SHRINK_STEP_PT).max(VALUE.min_size));
        }
    }
}

/// The error for a page that cannot fit: it names the tallest row's value, the likeliest culprit.
fn too_long(rows: &[RowSpec], plan: &[Planned]) -> PdfError {
    let field = rows
        .iter()
        .zip(plan)
        .max_by(|(_, a), (_, b)| a.height.total_cmp(&b.height))
        .and_then(|(row, _)| row.cells.iter().find(|cell| cell.role == Role::Value))
        .map_or_else(|| "登记表".to_owned(), |cell| cell.field.clone());
    PdfError::TextTooLong { field }
}

/// Lays out the cells of a planned row. A fixed row capped below its natural height shrinks its long value here.
fn lay_out_row(font: &Font, grid: &Grid, spec: &RowSpec, planned: &Planned) -> Result<Row, PdfError> {
    let inner_height = planned.height - 2.0 * PAD_Y;
    let mut cells = Vec::with_capacity(spec.cells.len());
    for cell in &spec.cells {
        let (style, horizontal) = match cell.role {
            Role::Label => (LABEL, Align::Center),
            Role::Value => (TextStyle { size: planned.size, ..VALUE }, Align::Start),
        };
        let block = style
            .fit(font, &cell.text, grid.text_width(cell.first, cell.span), inner_height)
            .ok_or_else(|| PdfError::TextTooLong { field: cell.field.clone() })?;
        cells.push(Cell {
            first: cell.first,
            span: cell.span,
            content: Content::Text { block, horizontal, vertical: Align::Center, weight: Weight::Regular },
        });
    }
    Ok(Row { height: planned.height, cells })
}

/// The seal boxes: label at the top left, a date line at the bottom right, the middle left free for the seal.
fn draw_seal_texts(canvas: &mut Canvas, grid: &Grid, top: f32, height: f32) {
    let font = canvas.font();
    let date = font.printable(SEAL_DATE);
    for (index, label) in SEAL_LABELS.iter().enumerate() {
        let inner = grid.rect(3 * index, 3, top, height).inset(PAD_X * 2.0, PAD_Y * 2.0);
        canvas.single_line(inner, &font.printable(label), LABEL.size, Align::Start, Align::Start, Weight::Regular);
        let date_area = Rect::new(inner.x, inner.y, inner.width - 4.0 * MM, inner.height);
        canvas.single_line(date_area, &date, LABEL.size, Align::End, Align::End, Weight::Regular);
    }
}
