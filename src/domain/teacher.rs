//! A teacher's basic information as the school maintains it (SPEC §2, §4.2 基本信息): the checks shared by the
//! 开通账号 form, the edit form, the API and the spreadsheet import, so every door applies the same rule.

use chrono::NaiveDate;

use super::FieldErrors;
use super::account::{DEGREES, EDUCATIONS, check_person_name};
use super::idcard::IdNumber;

/// A new teacher that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTeacher {
    pub id_number: IdNumber,
    pub name: String,
    pub info: BasicInfo,
}

/// The editable part of 基本信息. 出生年月 is not here: it is always the date in the ID number, and a typed date is
/// only checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicInfo {
    pub education: String,
    pub degree: String,
}

/// Checks a new teacher; every failing field at once (keys `id_number`, `name`, `education`, `degree`, `birth`).
pub fn check_new_teacher(
    id_number: &str,
    name: &str,
    education: &str,
    degree: &str,
    birth: &str,
    today: NaiveDate,
) -> Result<CheckedTeacher, FieldErrors> {
    let mut errors = FieldErrors::new();
    let id = match IdNumber::parse(id_number, today) {
        Ok(id) => Some(id),
        Err(error) => {
            let message =
                if id_number.trim().is_empty() { "身份证号不能为空".to_string() } else { error.to_string() };
            errors.add("id_number", message);
            None
        }
    };
    let name = check_person_name(name).map_err(|message| errors.add("name", message)).ok();
    let info = check_info(education, degree, &mut errors);
    if let Some(id) = &id
        && !birth_agrees(birth, id.birth_date())
    {
        errors.add("birth", "出生年月与身份证号不一致");
    }
    match (id, name, info) {
        (Some(id_number), Some(name), Some(info)) if errors.is_empty() => Ok(CheckedTeacher { id_number, name, info }),
        _ => Err(errors),
    }
}

/// Checks an edit of 基本信息 for the teacher whose ID number gives `birth_date`.
pub fn check_edit(
    name: &str,
    education: &str,
    degree: &str,
    birth: &str,
    birth_date: Option<NaiveDate>,
) -> Result<(String, BasicInfo), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = check_person_name(name).map_err(|message| errors.add("name", message)).ok();
    let info = check_info(education, degree, &mut errors);
    if let Some(date) = birth_date
        && !birth_agrees(birth, date)
    {
        errors.add("birth", "出生年月与身份证号不一致");
    }
    match (name, info) {
        (Some(name), Some(info)) if errors.is_empty() => Ok((name, info)),
        _ => Err(errors),
    }
}

fn check_info(education: &str, degree: &str, errors: &mut FieldErrors) -> Option<BasicInfo> {
    let education = education.trim();
    let degree = degree.trim();
    let mut ok = true;
    if education.is_empty() {
        errors.add("education", "请选择最高学历");
        ok = false;
    } else if !EDUCATIONS.contains(&education) {
        errors.add("education", "最高学历应为大专、本科、研究生或其它");
        ok = false;
    }
    if degree.is_empty() {
        errors.add("degree", "请选择最高学位");
        ok = false;
    } else if !DEGREES.contains(&degree) {
        errors.add("degree", "最高学位应为无、学士、硕士或博士");
        ok = false;
    }
    ok.then(|| BasicInfo { education: education.to_string(), degree: degree.to_string() })
}

/// An admin-typed birth date agrees with the ID number when empty, the same day, or the same month. Accepts
/// `1980-12-28`, `1980-12`, `1980/12/28`, `1980.12`, `1980年12月28日`, `19801228` and unpadded forms.
pub fn birth_agrees(typed: &str, birth: NaiveDate) -> bool {
    let typed = typed.trim();
    if typed.is_empty() {
        return true;
    }
    let day = birth.format("%Y-%m-%d").to_string();
    let month = birth.format("%Y-%m").to_string();
    if typed.len() == 8 && typed.bytes().all(|byte| byte.is_ascii_digit()) {
        return typed == birth.format("%Y%m%d").to_string();
    }
    if typed.len() == 6 && typed.bytes().all(|byte| byte.is_ascii_digit()) {
        return typed == birth.format("%Y%m").to_string();
    }
    let normalised: String = typed.replace(['/', '.', '年', '月'], "-").trim_end_matches(['-', '日']).to_string();
    let padded: Vec<String> = normalised.split('-').map(|part| format!("{part:0>2}")).collect();
    let padded = padded.join("-");
    normalised == day || normalised == month || padded == day || padded == month
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
    }

    fn valid_id() -> String {
        let first17 = "31010919801228301";
        format!("{first17}{}", IdNumber::check_char(first17).expect("check"))
    }

    #[test]
    fn birth_must_agree_with_the_id() {
        let birth = NaiveDate::from_ymd_opt(1980, 12, 28).expect("date");
        for typed in ["", "1980-12-28", "1980年12月", "1980/12", "1980.12.28", "19801228", "198012", "1980-12-28 "] {
            assert!(birth_agrees(typed, birth), "{typed}");
        }
        for typed in ["1981-12-28", "1980-11", "19801227", "abc"] {
            assert!(!birth_agrees(typed, birth), "{typed}");
        }
        let early = NaiveDate::from_ymd_opt(1980, 2, 3).expect("date");
        assert!(birth_agrees("1980-2-3", early));
    }

    #[test]
    fn a_new_teacher_reports_every_failing_field() {
        let errors = check_new_teacher("123", "", "博士后", "", "", today()).expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["id_number", "name", "education", "degree"]);
        assert_eq!(errors.get("education"), Some("最高学历应为大专、本科、研究生或其它"));
        assert_eq!(errors.get("degree"), Some("请选择最高学位"));

        let teacher = check_new_teacher(&valid_id().to_lowercase(), " 刁彬彬 ", "研究生", "硕士", "1980-12", today())
            .expect("valid");
        assert_eq!(teacher.name, "刁彬彬");
        assert_eq!(teacher.id_number.as_str(), valid_id());
        let wrong_birth =
            check_new_teacher(&valid_id(), "刁彬彬", "研究生", "硕士", "1981-01", today()).expect_err("birth");
        assert_eq!(wrong_birth.get("birth"), Some("出生年月与身份证号不一致"));
    }

    #[test]
    fn an_edit_keeps_the_birth_date_of_the_id() {
        let birth = NaiveDate::from_ymd_opt(1980, 12, 28);
        assert!(check_edit("刁彬彬", "本科", "学士", "1980-12-28", birth).is_ok());
        let errors = check_edit("", "本科", "学士", "1979-01", birth).expect_err("invalid");
        assert_eq!(errors.get("name"), Some("姓名不能为空"));
        assert_eq!(errors.get("birth"), Some("出生年月与身份证号不一致"));
    }
}
