//! Spreadsheet exports (.xlsx, written with rust_xlsxwriter): the import template, the teacher lists with their
//! progress, and the per-school progress overview. The same scope rules as the lists they mirror: an export holds
//! exactly what the actor could page through on screen.

use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Formula, Workbook, Worksheet, XlsxError};

use super::Services;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::teachers::TeacherQuery;
use crate::domain::account::{DEGREES, EDUCATIONS, Role};
use crate::domain::progress::Progress;
use crate::domain::teacher_import::{MAX_ROWS, SCHOOL_COLUMN, SCHOOL_TEMPLATE};

/// The MIME type of an .xlsx file.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_error(error: XlsxError) -> ServiceError {
    ServiceError::Internal(format!("生成表格失败：{error}"))
}

fn header(sheet: &mut Worksheet, titles: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#EEF2F7");
    for (column, title) in titles.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        let width = if title.chars().count() > 4 { 24.0 } else { 14.0 };
        sheet.set_column_width(column as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

impl Services {
    /// The teacher import template: the header row (with 学校 for city and department admins), the ID column
    /// formatted as text so Excel keeps all 18 characters, and a sheet of instructions. Excel's data validation
    /// catches slips before upload: 18 characters in 身份证号, drop-downs for 最高学历, 最高学位 and 学校 (the
    /// schools in the admin's scope, listed on a hidden sheet: a list typed into the rule is capped at 255
    /// characters). The import still checks everything: validation is a help, not a guarantee.
    pub fn teacher_template(&self, actor: &Actor) -> ServiceResult<Vec<u8>> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以导入教师"));
        }
        let mut titles: Vec<&str> = SCHOOL_TEMPLATE.to_vec();
        let schools: Vec<String> = if actor.role == Role::SchoolAdmin {
            Vec::new()
        } else {
            titles.push(SCHOOL_COLUMN);
            let mut names: Vec<String> = self
                .list_schools(actor, None)?
                .into_iter()
                .filter(|school| !school.disabled)
                .map(|school| school.name)
                .collect();
            names.sort();
            names
        };
        let build = || -> Result<Vec<u8>, XlsxError> {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name("教师")?;
            header(sheet, &titles)?;
            let text = Format::new().set_num_format("@");
            sheet.set_column_format(0, &text)?;
            sheet.set_column_format(4, &text)?;
            sheet.set_column_width(0, 24.0)?;
            let last = MAX_ROWS as u32;
            let id_rule = DataValidation::new()
                .allow_text_length(DataValidationRule::EqualTo(18))
                .set_input_title("身份证号")?
                .set_input_message("18位，末位可为X")?
                .set_error_title("身份证号长度不对")?
                .set_error_message("身份证号应为18位（末位可为X），请核对。")?;
            sheet.add_data_validation(1, 0, last, 0, &id_rule)?;
            sheet.add_data_validation(1, 2, last, 2, &choice("最高学历", &EDUCATIONS)?)?;
            sheet.add_data_validation(1, 3, last, 3, &choice("最高学位", &DEGREES)?)?;
            if !titles.contains(&SCHOOL_COLUMN) || schools.is_empty() {
                return finish(workbook, &[]);
            }
            let school_column = (titles.len() - 1) as u16;
            sheet.set_column_width(school_column, 32.0)?;
            let range = format!("='{SCHOOLS_SHEET}'!$A$1:$A${}", schools.len());
            let school_rule = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_title("学校不在列表中")?
                .set_error_message("请从下拉列表中选择您管理范围内的学校（填写全称）。")?;
            sheet.add_data_validation(1, school_column, last, school_column, &school_rule)?;
            finish(workbook, &schools)
        };
        build().map_err(xlsx_error)
    }
}

/// The hidden sheet listing the schools an admin may import into (the 学校 drop-down's source).
const SCHOOLS_SHEET: &str = "学校名单";

/// A drop-down of `choices` for the column titled `title`; anything else is refused by Excel.
fn choice(title: &str, choices: &[&str]) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(choices)?
        .set_error_title(format!("{title}不在可选范围内"))?
        .set_error_message(format!("请从下拉列表中选择：{}。", choices.join("、")))
}

/// The instructions sheet, and (city, department) the hidden list of schools; then the file's bytes.
fn finish(mut workbook: Workbook, schools: &[String]) -> Result<Vec<u8>, XlsxError> {
    let notes = workbook.add_worksheet();
    notes.set_name("填写说明")?;
    notes.set_column_width(0, 100.0)?;
    let lines = [
        "1. 第一行为表头，请勿修改；从第二行起每行一名教师。",
        "2. 身份证号：18位，末位可为X；请保持本列为文本格式，否则 Excel 会丢失末几位。",
        "3. 最高学历：大专、本科、研究生、其它；最高学位：无、学士、硕士、博士。",
        "4. 出生年月可不填（自动取自身份证号）；如填写，须与身份证号一致。",
        "5. 学校（市级、主管部门管理员导入时）：填写学校全称，须在您的管理范围内。",
        "6. 已在本校开通的教师将按表格更新姓名、学历、学位；已在其他学校开通的教师不会被导入，如需更换单位请联系主管部门管理员。",
        "7. 新开通账号的默认密码为 00000000，教师首次登录须修改。",
    ];
    for (row, line) in lines.iter().enumerate() {
        notes.write_string(row as u32, 0, *line)?;
    }
    if !schools.is_empty() {
        let list = workbook.add_worksheet();
        list.set_name(SCHOOLS_SHEET)?;
        for (row, name) in schools.iter().enumerate() {
            list.write_string(row as u32, 0, name)?;
        }
        list.set_hidden(true);
    }
    workbook.save_to_buffer()
}

impl Services {
    /// Every teacher matching `query` (paging ignored) with school, project and progress.
    pub fn export_teachers(&self, actor: &Actor, query: &TeacherQuery) -> ServiceResult<Vec<u8>> {
        let rows = self.teacher_rows(actor, query)?;
        let build = || -> Result<Vec<u8>, XlsxError> {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name("教师名单")?;
            header(
                sheet,
                &[
                    "序号",
                    "姓名",
                    "身份证号",
                    "最高学历",
                    "最高学位",
                    "出生年月",
                    "学校",
                    "主管部门",
                    "申报项目",
                    "填报状态",
                    "账号状态",
                ],
            )?;
            sheet.set_column_width(2, 22.0)?;
            for (index, row) in rows.iter().enumerate() {
                let line = index as u32 + 1;
                let profile = row.account.teacher.clone().unwrap_or_default();
                let account_state = if row.account.disabled { "已停用" } else { "正常" };
                let cells = [
                    (index + 1).to_string(),
                    row.account.name.clone(),
                    row.account.username.clone(),
                    profile.education,
                    profile.degree,
                    profile.birth_date.map(|date| date.format("%Y-%m").to_string()).unwrap_or_default(),
                    row.school_name.clone(),
                    row.department_name.clone(),
                    row.project_name.clone().unwrap_or_default(),
                    row.progress.label().to_string(),
                    account_state.to_string(),
                ];
                for (column, cell) in cells.iter().enumerate() {
                    sheet.write_string(line, column as u16, cell)?;
                }
            }
            workbook.save_to_buffer()
        };
        build().map_err(xlsx_error)
    }

    /// The progress overview as a table: one line per school, one column per progress value.
    pub fn export_progress(
        &self,
        actor: &Actor,
        department_id: Option<u64>,
        project_id: Option<u64>,
    ) -> ServiceResult<Vec<u8>> {
        let lines = self.progress_overview(actor, department_id, None, project_id)?;
        let build = || -> Result<Vec<u8>, XlsxError> {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name("填报进度")?;
            let mut titles = vec!["主管部门", "学校", "教师数"];
            titles.extend(Progress::ALL.iter().map(|progress| progress.label()));
            header(sheet, &titles)?;
            for (index, line) in lines.iter().enumerate() {
                let row = index as u32 + 1;
                sheet.write_string(row, 0, &line.department_name)?;
                sheet.write_string(row, 1, &line.school.name)?;
                sheet.write_number(row, 2, line.counts.teachers as f64)?;
                for (offset, progress) in Progress::ALL.iter().enumerate() {
                    sheet.write_number(row, 3 + offset as u16, line.counts.get(*progress) as f64)?;
                }
            }
            workbook.save_to_buffer()
        };
        build().map_err(xlsx_error)
    }
}
