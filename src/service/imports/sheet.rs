//! Reading an uploaded spreadsheet into rows of text: .xlsx with calamine, .csv with the csv crate (UTF-8, or GBK
//! as Excel saves it on Chinese Windows). What the file is was decided from its content before this runs.
//!
//! Both readers work on the staged file, whose size the upload already capped (`uploads.import_mib`), and
//! neither lets a number inside the file size anything. An .xlsx is a ZIP archive: its entry count and its
//! declared and actual unpacked sizes are checked first (`files::archive`), then the shared-string table's
//! size, and the sheet is read as a stream of cells, each refused if it lies beyond the template's rows and
//! columns (`domain::teacher_import::cell_out_of_bounds`) before anything is stored for it. calamine's
//! `worksheet_range` is never used: it allocates the whole rectangle up to the last cell a sheet claims, so one
//! cell at XFD1048576 asks for 512 GiB. CSV is read record by record with each record's length capped.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use calamine::{Data, Reader as _, Xlsx};
use quick_xml::events::Event;

use crate::domain::teacher_import::{MAX_ROWS, SheetRow, cell_out_of_bounds};
use crate::files::archive::{self, ZipLimits, ZipRefusal};

/// What an .xlsx may unpack to: one part up to 64 MiB, all of them 256 MiB. A 20,000-row teacher list is a few
/// megabytes unpacked.
const XLSX_LIMITS: ZipLimits = archive::OFFICE_LIMITS;

/// The most shared strings (distinct texts) a workbook may declare or hold. calamine keeps them all in memory
/// and reserves room for the declared count up front; a full season is [`MAX_ROWS`] rows of six texts.
const MAX_SHARED_STRINGS: u64 = 200_000;

/// The most cells (empty ones included) the sheet may hold: every cell of the template's 26 columns of a
/// full season and its header, with room to spare. Bounds the work of reading a sheet of styled empty cells.
const MAX_CELLS: u64 = 1_000_000;

/// The longest CSV record, in bytes. A teacher's row is under 200 bytes; without a cap the csv crate grows its
/// record buffer to hold a line of any length (a 100 MiB line would be read whole).
const MAX_CSV_RECORD_BYTES: u64 = 64 * 1024;

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

/// Every non-empty row of the first sheet, with spreadsheet line numbers. The parsers read untrusted bytes: a
/// panic inside one is contained and reported as an unreadable file.
pub fn read_rows(path: &Path, kind: SheetKind) -> Result<Vec<SheetRow>, SheetError> {
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match kind {
        SheetKind::Xlsx => read_xlsx(path),
        SheetKind::Csv => read_csv(path),
    }));
    let rows = match parsed {
        Ok(rows) => rows?,
        Err(_) => return Err(unreadable()),
    };
    if rows.len() > MAX_ROWS + 1 {
        return Err(SheetError(format!("文件超过{MAX_ROWS}行，请分批导入")));
    }
    Ok(rows)
}

fn unreadable() -> SheetError {
    SheetError("无法读取该 .xlsx 文件，请确认文件未损坏（可用 Excel 或 WPS 打开后另存为 .xlsx）".into())
}

fn zip_refusal(refusal: ZipRefusal) -> SheetError {
    match refusal {
        ZipRefusal::TooManyEntries { limit, .. } => {
            SheetError(format!("该 .xlsx 文件包含的部件超过{limit}个，不是正常的表格文件，已拒绝"))
        }
        ZipRefusal::TooLarge { .. } => SheetError("该 .xlsx 文件解压后过大，已拒绝".into()),
        ZipRefusal::Unreadable(_) | ZipRefusal::Io(_) => unreadable(),
    }
}

/// Refuses a shared-string table that declares or holds more than [`MAX_SHARED_STRINGS`] texts, before calamine
/// reserves room for the declared count.
fn check_shared_strings(path: &Path) -> Result<(), SheetError> {
    let mut zip = archive::open(path, XLSX_LIMITS).map_err(zip_refusal)?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|name| name.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .map(|name| name.into_owned())
        .collect();
    let too_many = || SheetError(format!("该 .xlsx 文件的文本单元格超过{MAX_SHARED_STRINGS}个，请分批导入"));
    for name in names {
        let part = zip.by_name(&name).map_err(|_| unreadable())?;
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(part.take(XLSX_LIMITS.max_entry_bytes)));
        let mut buffer = Vec::new();
        let mut strings: u64 = 0;
        loop {
            match reader.read_event_into(&mut buffer) {
                Ok(Event::Start(element)) | Ok(Event::Empty(element)) => match element.local_name().as_ref() {
                    "sst" => {
                        for attribute in element.attributes().flatten() {
                            let counted = matches!(attribute.key.local_name().as_ref(), "count" | "uniqueCount");
                            let value = attribute.value.trim().parse::<u64>().ok();
                            if counted && value.is_none_or(|value| value > MAX_SHARED_STRINGS) {
                                return Err(too_many());
                            }
                        }
                    }
                    "si" => {
                        strings += 1;
                        if strings > MAX_SHARED_STRINGS {
                            return Err(too_many());
                        }
                    }
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(_) => return Err(unreadable()),
            }
            buffer.clear();
        }
    }
    Ok(())
}

fn read_xlsx(path: &Path) -> Result<Vec<SheetRow>, SheetError> {
    {
        let mut zip = archive::open(path, XLSX_LIMITS).map_err(zip_refusal)?;
        archive::check_inflated(&mut zip, XLSX_LIMITS).map_err(zip_refusal)?;
    }
    check_shared_strings(path)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).map_err(|_| unreadable())?;
    let Some(first) = workbook.sheet_names().into_iter().next() else {
        return Err(SheetError("该工作簿中没有工作表".into()));
    };
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|_| unreadable())?;
    // Row number (0-based) → the row's cells by column; only rows with a non-empty cell get an entry.
    let mut rows: BTreeMap<u32, Vec<(String, bool)>> = BTreeMap::new();
    let mut seen: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        seen += 1;
        if seen > MAX_CELLS {
            return Err(SheetError(format!("该工作表的单元格超过{MAX_CELLS}个，请删除多余内容或分批导入")));
        }
        let (row, column) = cell.get_position();
        let (text, numeric) = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            // Styled empty cells far out are common and harmless: nothing is stored for them.
            continue;
        }
        if let Some(message) = cell_out_of_bounds(u64::from(row) + 1, u64::from(column) + 1) {
            return Err(SheetError(message));
        }
        if !rows.contains_key(&row) && rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells_of = rows.entry(row).or_default();
        let column = column as usize;
        if cells_of.len() <= column {
            cells_of.resize(column + 1, (String::new(), false));
        }
        cells_of[column] = (text, numeric);
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| {
            let (cells, numeric) = cells.into_iter().unzip();
            SheetRow { line: row as usize + 1, cells, numeric }
        })
        .collect())
}

fn too_many_rows() -> SheetError {
    SheetError(format!("文件超过{MAX_ROWS}行，请分批导入"))
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

/// A CSV file's text encoding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Gbk,
}

/// UTF-8 when the whole file is valid UTF-8 (a byte-order mark allowed), else GBK (GB18030) if it decodes as
/// that. Streams the file: memory stays at one chunk.
fn csv_encoding(path: &Path) -> Result<Encoding, SheetError> {
    let read_error = |_| SheetError("无法读取上传的文件".into());
    let mut file = BufReader::new(File::open(path).map_err(read_error)?);
    let mut utf8 = true;
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut gbk = true;
    let mut carry: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; crate::files::CHUNK_SIZE];
    let mut sink = String::with_capacity(crate::files::CHUNK_SIZE * 3 + 16);
    loop {
        let read = file.read(&mut chunk).map_err(read_error)?;
        let last = read == 0;
        if utf8 {
            carry.extend_from_slice(&chunk[..read]);
            match std::str::from_utf8(&carry) {
                Ok(_) => carry.clear(),
                // A character cut by the chunk's end: keep its bytes for the next round.
                Err(error) if error.error_len().is_none() && !last => {
                    let valid = error.valid_up_to();
                    carry.drain(..valid);
                }
                Err(_) => utf8 = false,
            }
        }
        let mut input = &chunk[..read];
        while gbk {
            sink.clear();
            let (result, consumed, errors) = decoder.decode_to_string(input, &mut sink, last);
            gbk = !errors;
            input = &input[consumed..];
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        if last || (!utf8 && !gbk) {
            break;
        }
    }
    match (utf8, gbk) {
        (true, _) => Ok(Encoding::Utf8),
        (false, true) => Ok(Encoding::Gbk),
        (false, false) => Err(SheetError("无法识别该 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码".into())),
    }
}

/// Hands the csv reader the file while counting what it took, and fails the read once the record being read
/// has grown past [`MAX_CSV_RECORD_BYTES`] (the reader reads ahead at most its buffer's size).
struct CappedRecords<R> {
    inner: R,
    delivered: Rc<Cell<u64>>,
    record_start: Rc<Cell<u64>>,
}

impl<R: Read> Read for CappedRecords<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let ahead = self.delivered.get().saturating_sub(self.record_start.get());
        if ahead > MAX_CSV_RECORD_BYTES + CSV_BUFFER_BYTES as u64 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "CSV record too long"));
        }
        let read = self.inner.read(buffer)?;
        self.delivered.set(self.delivered.get() + read as u64);
        Ok(read)
    }
}

/// The csv reader's own buffer.
const CSV_BUFFER_BYTES: usize = 8 * 1024;

fn read_csv(path: &Path) -> Result<Vec<SheetRow>, SheetError> {
    let encoding = csv_encoding(path)?;
    let read_error = |_| SheetError("无法读取上传的文件".into());
    let mut file = BufReader::new(File::open(path).map_err(read_error)?);
    if file.fill_buf().map_err(read_error)?.starts_with(b"\xEF\xBB\xBF") {
        file.consume(3);
    }
    let first_line = {
        let head = file.fill_buf().map_err(read_error)?;
        head.split(|byte| *byte == b'\n').next().unwrap_or_default().to_vec()
    };
    let delimiter = if first_line.contains(&b'\t') && !first_line.contains(&b',') { b'\t' } else { b',' };
    let delivered = Rc::new(Cell::new(0));
    let record_start = Rc::new(Cell::new(0));
    let capped = CappedRecords { inner: file, delivered: delivered.clone(), record_start: record_start.clone() };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(capped);
    let decode = |bytes: &[u8]| match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Gbk => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    };
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(error) if matches!(error.kind(), csv::ErrorKind::Io(_)) => {
                let line = reader.position().line() + 1;
                return Err(SheetError(format!(
                    "CSV 文件第{line}行附近的一行过长（超过{}KB），不是正常的教师名单，已拒绝",
                    MAX_CSV_RECORD_BYTES / 1024
                )));
            }
            Err(error) => return Err(SheetError(format!("CSV 格式错误：{error}"))),
        };
        if !more {
            break;
        }
        record_start.set(reader.position().byte());
        let line = record.position().map(|position| position.line()).unwrap_or(rows.len() as u64 + 1);
        // Trailing empty fields (",,,,") are common in exported files; only filled ones must fit the template.
        let filled =
            record.iter().rposition(|field| !field.iter().all(u8::is_ascii_whitespace)).map_or(0, |last| last + 1);
        if filled == 0 {
            continue;
        }
        if let Some(message) = cell_out_of_bounds(line, filled as u64) {
            return Err(SheetError(message));
        }
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells: Vec<String> = record.iter().take(filled).map(decode).collect();
        rows.push(SheetRow { line: line as usize, numeric: vec![false; cells.len()], cells });
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

    fn far_cell(row: u32, column: u16) -> tempfile::NamedTempFile {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "身份证号").expect("cell");
        sheet.write_string(row, column, "远").expect("cell");
        temp_with(&workbook.save_to_buffer().expect("save"))
    }

    #[test]
    fn far_cells_are_refused_by_row_and_column_without_allocating_the_sheet() {
        let bomb = far_cell(1_048_575, 16_383);
        let error = read_rows(bomb.path(), SheetKind::Xlsx).expect_err("XFD1048576");
        assert_eq!(error.0, "第1048576行超出模板的行数上限（50000行），请删除多余内容或分批导入");
        let far = far_cell(199_999, 25);
        let error = read_rows(far.path(), SheetKind::Xlsx).expect_err("Z200000");
        assert_eq!(error.0, "第200000行超出模板的行数上限（50000行），请删除多余内容或分批导入");
        let wide = far_cell(1, 26);
        let error = read_rows(wide.path(), SheetKind::Xlsx).expect_err("AA2");
        assert!(error.0.contains("第2行第27列（AA列）超出模板的列数上限（26列"), "{}", error.0);
        // At the limits, the cells are read.
        let edge = far_cell(49_999, 25);
        let rows = read_rows(edge.path(), SheetKind::Xlsx).expect("Z50000");
        assert_eq!(rows.last().map(|row| (row.line, row.cells.len())), Some((50_000, 26)));
    }

    #[test]
    fn a_shared_string_table_declaring_too_many_strings_is_refused() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet().write_string(0, 0, "身份证号").expect("cell");
        let bytes = workbook.save_to_buffer().expect("save");
        // Rewrite sharedStrings.xml to claim ten billion strings (calamine would reserve room for them all).
        let mut source = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for index in 0..source.len() {
            let mut entry = source.by_index(index).expect("entry");
            let name = entry.name().expect("name").into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read");
            if name.ends_with("sharedStrings.xml") {
                let text = String::from_utf8(content).expect("xml");
                content = text.replacen("uniqueCount=\"1\"", "uniqueCount=\"10000000000\"", 1).into_bytes();
                assert!(text.contains("uniqueCount=\"1\""), "{text}");
            }
            writer.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
            writer.write_all(&content).expect("write");
        }
        let file = temp_with(&writer.finish().expect("finish").into_inner());
        let error = read_rows(file.path(), SheetKind::Xlsx).expect_err("refused");
        assert!(error.0.contains("文本单元格超过"), "{}", error.0);
    }

    #[test]
    fn an_over_long_csv_line_is_refused_without_reading_it_whole() {
        let mut text = b"\xE8\xBA\xAB\xE4\xBB\xBD\xE8\xAF\x81\xE5\x8F\xB7,name\n".to_vec();
        text.extend(std::iter::repeat_n(b'a', 8 * 1024 * 1024));
        let file = temp_with(&text);
        let error = read_rows(file.path(), SheetKind::Csv).expect_err("refused");
        assert!(error.0.contains("过长"), "{}", error.0);
        // A quoted field spanning many short lines is one record too.
        let mut quoted = b"a,\"".to_vec();
        quoted.extend("x\n".repeat(100_000).bytes());
        quoted.extend(b"\"\n");
        let file = temp_with(&quoted);
        assert!(read_rows(file.path(), SheetKind::Csv).is_err());
        // Trailing empty columns are fine; a filled column past Z is not.
        let wide = temp_with(format!("身份证号,姓名{}\n", ",".repeat(40)).as_bytes());
        assert_eq!(read_rows(wide.path(), SheetKind::Csv).expect("rows")[0].cells.len(), 2);
        let wide = temp_with(format!("身份证号{}x\n", ",".repeat(26)).as_bytes());
        assert!(read_rows(wide.path(), SheetKind::Csv).expect_err("AA").0.contains("AA列"));
    }
}
