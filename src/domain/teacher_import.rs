//! The rows of a teacher spreadsheet (批量导入): which column holds what, and the checks one row must pass on its
//! own. Checks that need the database (already in another school, unknown school) are the service's. Knows
//! nothing of file formats: the reader hands over cells as text.

use chrono::NaiveDate;

use super::teacher::{CheckedTeacher, check_new_teacher};

/// The template's columns for a school admin, in order.
pub const SCHOOL_TEMPLATE: [&str; 5] = ["身份证号", "姓名", "最高学历", "最高学位", "出生年月"];
/// The extra column for city and department admins, who import into several schools.
pub const SCHOOL_COLUMN: &str = "学校";
/// More data rows than this refuse the whole file: a city's season is 20,000 teachers in all.
pub const MAX_ROWS: usize = 20_000;
/// The last spreadsheet row a file may use. A full season ([`MAX_ROWS`] data rows) plus generous room for
/// blank lines and notes; a 10 MiB upload of real rows holds about 50,000 at most. Anything further down is not
/// a teacher list, and refusing it first keeps a "far cell" (Z200000, XFD1048576) from sizing anything.
pub const MAX_SHEET_ROWS: u32 = 50_000;
/// The last column a file may use: the template has six columns (A–F, 学校 included), and people add a few of
/// their own (序号, 性别, 备注); A–Z leaves room for those and bounds the width of every row read.
pub const MAX_SHEET_COLUMNS: u32 = 26;

/// Why a cell at spreadsheet row `row` and column `column` (both 1-based) cannot be imported, if it lies
/// beyond the template's limits.
pub fn cell_out_of_bounds(row: u64, column: u64) -> Option<String> {
    if row > u64::from(MAX_SHEET_ROWS) {
        return Some(format!("第{row}行超出模板的行数上限（{MAX_SHEET_ROWS}行），请删除多余内容或分批导入"));
    }
    if column > u64::from(MAX_SHEET_COLUMNS) {
        return Some(format!(
            "第{row}行第{column}列（{}列）超出模板的列数上限（{MAX_SHEET_COLUMNS}列，即A–Z列），请删除多余的列",
            column_letters(column)
        ));
    }
    None
}

/// Excel's name of a 1-based column: 1 → A, 27 → AA, 16384 → XFD.
pub fn column_letters(mut column: u64) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let digit = (column - 1) % 26;
        letters.push(b'A' + digit as u8);
        column = (column - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Accepted header spellings per column (after `normalise_header`).
const ALIASES: [(&str, &[&str]); 6] = [
    ("身份证号", &["身份证号", "身份证号码", "身份证", "用户名"]),
    ("姓名", &["姓名", "教师姓名"]),
    ("最高学历", &["最高学历", "学历"]),
    ("最高学位", &["最高学位", "学位"]),
    ("出生年月", &["出生年月", "出生日期"]),
    ("学校", &["学校", "学校名称", "工作单位"]),
];

/// Where each column sits in the sheet (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub id_number: usize,
    pub name: usize,
    pub education: usize,
    pub degree: usize,
    pub birth: Option<usize>,
    pub school: Option<usize>,
}

/// One non-empty row of the sheet as text. `line` is the spreadsheet's row number (the header is usually 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRow {
    pub line: usize,
    pub cells: Vec<String>,
    /// Whether each cell was a number in the workbook (an ID number stored as a number has lost its last digits).
    pub numeric: Vec<bool>,
}

/// The cells of one row, by meaning.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowInput {
    pub line: usize,
    pub id_number: String,
    pub name: String,
    pub education: String,
    pub degree: String,
    pub birth: String,
    pub school: String,
    pub id_was_number: bool,
}

/// Header text without markers people add: spaces, `*`, and a trailing `（必填）`-style note.
fn normalise_header(cell: &str) -> String {
    let mut text: String = cell.chars().filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊').collect();
    for open in ['（', '('] {
        if let Some(position) = text.find(open) {
            text.truncate(position);
        }
    }
    text
}

impl Columns {
    /// Finds the columns in a header row; the message names every required column that is missing.
    pub fn from_header(header: &[String], school_required: bool) -> Result<Columns, String> {
        let find = |canonical: &str| -> Option<usize> {
            let aliases = ALIASES.iter().find(|(name, _)| *name == canonical).map(|(_, aliases)| *aliases)?;
            header.iter().position(|cell| aliases.contains(&normalise_header(cell).as_str()))
        };
        let mut missing = Vec::new();
        let mut required = |canonical: &'static str| {
            let found = find(canonical);
            if found.is_none() {
                missing.push(canonical);
            }
            found.unwrap_or(0)
        };
        let id_number = required("身份证号");
        let name = required("姓名");
        let education = required("最高学历");
        let degree = required("最高学位");
        let school = find(SCHOOL_COLUMN);
        if school_required && school.is_none() {
            missing.push(SCHOOL_COLUMN);
        }
        if !missing.is_empty() {
            return Err(format!("表头缺少列：{}（请使用导入模板）", missing.join("、")));
        }
        Ok(Columns { id_number, name, education, degree, birth: find("出生年月"), school })
    }

    pub fn pick(&self, row: &SheetRow) -> RowInput {
        let cell = |index: usize| row.cells.get(index).map(|text| text.trim().to_string()).unwrap_or_default();
        RowInput {
            line: row.line,
            id_number: cell(self.id_number),
            name: cell(self.name),
            education: cell(self.education),
            degree: cell(self.degree),
            birth: self.birth.map(cell).unwrap_or_default(),
            school: self.school.map(cell).unwrap_or_default(),
            id_was_number: row.numeric.get(self.id_number).copied().unwrap_or(false),
        }
    }
}

/// The checks of one row on its own; the messages are the per-row refusal reasons.
pub fn check_row(input: &RowInput, today: NaiveDate) -> Result<CheckedTeacher, Vec<String>> {
    check_new_teacher(&input.id_number, &input.name, &input.education, &input.degree, &input.birth, today).map_err(
        |errors| {
            errors
                .0
                .into_iter()
                .map(|error| {
                    if error.field == "id_number" && input.id_was_number {
                        format!(
                            "{}（该单元格为数字格式，Excel 会丢失身份证号的末几位，请将该列设为文本后重新填写）",
                            error.message
                        )
                    } else {
                        error.message
                    }
                })
                .collect()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_cells_are_named_with_the_limit() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(16384), "XFD");
        assert_eq!(cell_out_of_bounds(50_000, 26), None);
        assert_eq!(
            cell_out_of_bounds(200_000, 26).as_deref(),
            Some("第200000行超出模板的行数上限（50000行），请删除多余内容或分批导入")
        );
        assert!(
            cell_out_of_bounds(1, 16384).is_some_and(|message| message.contains("XFD") && message.contains("26列"))
        );
    }
    use crate::domain::idcard::IdNumber;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|cell| cell.to_string()).collect()
    }

    #[test]
    fn headers_are_found_in_any_order_with_markers() {
        let columns =
            Columns::from_header(&header(&["序号", "*姓名", "身份证号码（必填）", "学历", "最高学位", "学校"]), true)
                .expect("columns");
        assert_eq!(columns, Columns { id_number: 2, name: 1, education: 3, degree: 4, birth: None, school: Some(5) });
        let missing = Columns::from_header(&header(&["姓名", "最高学历"]), true).expect_err("missing");
        assert_eq!(missing, "表头缺少列：身份证号、最高学位、学校（请使用导入模板）");
        assert!(Columns::from_header(&header(&SCHOOL_TEMPLATE), false).is_ok());
    }

    #[test]
    fn a_row_reports_its_reasons() {
        let columns = Columns::from_header(&header(&SCHOOL_TEMPLATE), false).expect("columns");
        let first17 = "31010919801228301";
        let good = format!("{first17}{}", IdNumber::check_char(first17).expect("check"));
        let row = SheetRow {
            line: 2,
            cells: header(&[&good, "刁彬彬", "研究生", "硕士", "1980-12"]),
            numeric: vec![false; 5],
        };
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        assert!(check_row(&columns.pick(&row), today).is_ok());
        let bad_checksum = format!("{first17}{}", if good.ends_with('0') { '1' } else { '0' });
        let row = SheetRow {
            line: 3,
            cells: header(&[&bad_checksum, "", "硕士", "硕士"]),
            numeric: vec![true, false, false, false],
        };
        let reasons = check_row(&columns.pick(&row), today).expect_err("bad");
        assert!(reasons[0].starts_with("身份证号校验位错误") && reasons[0].contains("数字格式"), "{reasons:?}");
        assert_eq!(reasons[1..], ["姓名不能为空".to_string(), "最高学历应为大专、本科、研究生或其它".to_string()]);
    }
}
