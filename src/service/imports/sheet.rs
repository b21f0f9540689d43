//! Reading an uploaded spreadsheet into rows of text: .xlsx with calamine, .csv with the csv crate (UTF-8, or GBK
//! as Excel saves it on Chinese Windows). What the file is was decided from its content before this runs.
//!
//! Both readers work on the staged file, whose size the upload already capped (`uploads.import_mib`). An .xlsx is
//! a ZIP archive, so its declared unpacked size is checked first: a small file that inflates to gigabytes (a
//! "ZIP bomb") is refused before calamine opens it.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Reader as _, Xlsx, open_workbook};

use crate::domain::teacher_import::{MAX_ROWS, SheetRow};

/// The most an .xlsx may unpack to.
const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// The two formats the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    Xlsx,
    Csv,
}

impl SheetKind {
    pub fn extension(self) -> &'static str {
        match self {
            SheetKind::Xlsx => "xlsx",
            SheetKind::Csv => "csv",
        }
    }
}

/// Why a file could not be read as a sheet; the message is for the admin.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SheetError(pub String);

/// Decides from the content whether `path` is an .xlsx workbook or a text CSV; `None` for anything else.
pub fn sniff(path: &Path) -> std::io::Result<Option<SheetKind>> {
    match crate::files::sniff_path(path)? {
        crate::files::FileKind::Xlsx => return Ok(Some(SheetKind::Xlsx)),
        crate::files::FileKind::Other => {}
        _ => return Ok(None),
    }
    let mut head = Vec::new();
    File::open(path)?.take(64 * 1024).read_to_end(&mut head)?;
    if head.is_empty() || head.contains(&0) {
        return Ok(None);
    }
    // Text: no control bytes other than tab, CR and LF, and readable as UTF-8 or GBK. The sample may end inside
    // a multi-byte character, so up to three trailing bytes are not held against it.
    let controls = head.iter().any(|byte| *byte < 0x20 && !matches!(byte, b'\t' | b'\r' | b'\n'));
    let readable =
        |decodes: &dyn Fn(&[u8]) -> bool| (0..4.min(head.len())).any(|trim| decodes(&head[..head.len() - trim]));
    let utf8 = readable(&|bytes| std::str::from_utf8(bytes).is_ok());
    let gbk = readable(&|bytes| !encoding_rs::GB18030.decode_without_bom_handling(bytes).1);
    Ok((!controls && (utf8 || gbk)).then_some(SheetKind::Csv))
}

/// Every non-empty row of the first sheet, with spreadsheet line numbers.
pub fn read_rows(path: &Path, kind: SheetKind) -> Result<Vec<SheetRow>, SheetError> {
    let rows = match kind {
        SheetKind::Xlsx => read_xlsx(path)?,
        SheetKind::Csv => read_csv(path)?,
    };
    if rows.len() > MAX_ROWS + 1 {
        return Err(SheetError(format!("文件超过{MAX_ROWS}行，请分批导入")));
    }
    Ok(rows)
}

fn unreadable() -> SheetError {
    SheetError("无法读取该 .xlsx 文件，请确认文件未损坏（可用 Excel 或 WPS 打开后另存为 .xlsx）".into())
}

fn check_unpacked_size(path: &Path) -> Result<(), SheetError> {
    let file = File::open(path).map_err(|_| unreadable())?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|_| unreadable())?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|_| unreadable())?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(SheetError("该 .xlsx 文件解压后过大，已拒绝".into()));
    }
    Ok(())
}

fn read_xlsx(path: &Path) -> Result<Vec<SheetRow>, SheetError> {
    check_unpacked_size(path)?;
    let mut workbook: Xlsx<_> = open_workbook(path).map_err(|_| unreadable())?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(_)) => return Err(unreadable()),
        None => return Err(SheetError("该工作簿中没有工作表".into())),
    };
    let first_line = range.start().map(|(row, _)| row as usize + 1).unwrap_or(1);
    let mut rows = Vec::new();
    for (offset, cells) in range.rows().enumerate() {
        let (texts, numeric): (Vec<String>, Vec<bool>) = cells.iter().map(cell_text).unzip();
        if texts.iter().all(|text| text.trim().is_empty()) {
            continue;
        }
        rows.push(SheetRow { line: first_line + offset, cells: texts, numeric });
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

/// A cell as text, and whether it was a number. Whole numbers print without `.0` (an ID number typed as a
/// number prints its float value, whose last digits are wrong: the import says so).
fn cell_text(cell: &Data) -> (String, bool) {
    match cell {
        Data::String(text) => (text.clone(), false),
        Data::Int(value) => (value.to_string(), true),
        Data::Float(value) if value.fract() == 0.0 => (format!("{value:.0}"), true),
        Data::Float(value) => (value.to_string(), true),
        Data::Bool(value) => (if *value { "TRUE" } else { "FALSE" }.to_string(), false),
        Data::DateTime(value) => {
            let (year, month, day, ..) = value.to_ymd_hms_milli();
            (format!("{year:04}-{month:02}-{day:02}"), false)
        }
        Data::DateTimeIso(text) | Data::DurationIso(text) => (text.clone(), false),
        Data::Error(_) | Data::Empty => (String::new(), false),
    }
}

fn read_csv(path: &Path) -> Result<Vec<SheetRow>, SheetError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|_| SheetError("无法读取上传的文件".into()))?;
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (decoded, _, errors) = encoding_rs::GB18030.decode(&bytes);
            if errors {
                return Err(SheetError("无法识别该 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码".into()));
            }
            decoded.into_owned()
        }
    };
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| SheetError(format!("CSV 格式错误：{error}")))?;
        let line = record.position().map(|position| position.line() as usize).unwrap_or(rows.len() + 1);
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        rows.push(SheetRow { line, numeric: vec![false; cells.len()], cells });
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn temp_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp");
        file.write_all(bytes).expect("write");
        file
    }

    #[test]
    fn csv_in_utf8_and_gbk_reads_the_same() {
        let text = "身份证号,姓名,最高学历,最高学位\n310109198012283011,刁彬彬,研究生,硕士\n\n,,,\n";
        let utf8 = temp_with(format!("\u{feff}{text}").as_bytes());
        let (gbk_bytes, _, _) = encoding_rs::GB18030.encode(text);
        let gbk = temp_with(&gbk_bytes);
        for file in [&utf8, &gbk] {
            assert_eq!(sniff(file.path()).expect("sniff"), Some(SheetKind::Csv));
            let rows = read_rows(file.path(), SheetKind::Csv).expect("rows");
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[1].line, 2);
            assert_eq!(rows[1].cells[1], "刁彬彬");
        }
    }

    #[test]
    fn gbk_text_of_any_length_is_text() {
        // A sample cut inside a two-byte character must still count as text (regression: odd lengths failed).
        for name in ["刁", "刁彬", "刁彬彬", "欧阳明月", "a刁彬彬"] {
            let text = format!("身份证号,姓名\n310109198012283011,{name}");
            let (bytes, _, _) = encoding_rs::GBK.encode(&text);
            let file = temp_with(&bytes);
            assert_eq!(sniff(file.path()).expect("sniff"), Some(SheetKind::Csv), "{name}");
        }
    }

    #[test]
    fn binary_files_are_not_sheets() {
        let png = temp_with(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(sniff(png.path()).expect("sniff"), None);
        let pdf = temp_with(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
        assert_eq!(sniff(pdf.path()).expect("sniff"), None);
    }

    #[test]
    fn xlsx_written_by_rust_xlsxwriter_reads_back() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "身份证号").expect("cell");
        sheet.write_string(0, 1, "姓名").expect("cell");
        sheet.write_number(1, 0, 310109198012283011.0).expect("cell");
        sheet.write_string(1, 1, "刁彬彬").expect("cell");
        let bytes = workbook.save_to_buffer().expect("save");
        let file = temp_with(&bytes);
        assert_eq!(sniff(file.path()).expect("sniff"), Some(SheetKind::Xlsx));
        let rows = read_rows(file.path(), SheetKind::Xlsx).expect("rows");
        assert_eq!(rows[1].cells[1], "刁彬彬");
        assert!(rows[1].numeric[0] && !rows[1].numeric[1]);
    }
}
