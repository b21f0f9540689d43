//! Spreadsheet exports (.xlsx, written with rust_xlsxwriter): the import template, the teacher lists with their
//! progress, and the per-school progress overview. The same scope rules as the lists they mirror: an export holds
//! exactly what the actor could page through on screen.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Services;
use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::teachers::TeacherQuery;
use crate::domain::account::Role;
use crate::domain::progress::Progress;
use crate::domain::teacher_import::{SCHOOL_COLUMN, SCHOOL_TEMPLATE};

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
    /// formatted as text so Excel keeps all 18 characters, and a sheet of instructions.
    pub fn teacher_template(&self, actor: &Actor) -> ServiceResult<Vec<u8>> {
        if !actor.role.is_admin() {
            return Err(ServiceError::Forbidden("只有管理员可以导入教师"));
        }
        let mut titles: Vec<&str> = SCHOOL_TEMPLATE.to_vec();
        if actor.role != Role::SchoolAdmin {
            titles.push(SCHOOL_COLUMN);
        }
        let build = || -> Result<Vec<u8>, XlsxError> {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name("教师")?;
            header(sheet, &titles)?;
            let text = Format::new().set_num_format("@");
            sheet.set_column_format(0, &text)?;
            sheet.set_column_format(4, &text)?;
            sheet.set_column_width(0, 24.0)?;
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
            workbook.save_to_buffer()
        };
        build().map_err(xlsx_error)
    }

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
