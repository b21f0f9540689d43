//! The 18-character resident ID number (居民身份证号码, GB 11643-1999): the username of every teacher and expert.

use chrono::NaiveDate;

/// A validated ID number: 17 digits and a check character, upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a string is not a valid ID number; each maps to one clear message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters of digits with a final digit or X.
    #[error("身份证号应为18位，前17位为数字，最后一位为数字或X")]
    Shape,
    /// Digits 7–14 are not a real date (or lie in the future).
    #[error("身份证号中的出生日期无效")]
    BirthDate,
    /// The check character does not match the first 17 digits.
    #[error("身份证号校验位错误，请核对")]
    Checksum,
}

impl IdNumber {
    /// Validates shape, birth date (real, not after `today`) and the GB 11643 check character. Surrounding
    /// spaces are ignored and a lower-case `x` is stored as `X`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let text = input.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if bytes.len() != 18
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Shape);
        }
        let birth = birth_date_of(&text).ok_or(IdNumberError::BirthDate)?;
        if birth > today || birth.year_ce().1 < 1900 {
            return Err(IdNumberError::BirthDate);
        }
        let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        if CHECK[(sum % 11) as usize] != bytes[17] as char {
            return Err(IdNumberError::Checksum);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date written in digits 7–14 (validated by `parse`).
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The check character for 17 digits; used to make valid demo and test numbers.
    pub fn check_char(first17: &str) -> Option<char> {
        if first17.len() != 17 || !first17.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        Some(CHECK[(sum % 11) as usize])
    }
}

/// Whether `text` has the shape of an ID number (18 bytes, the first 17 ASCII digits), to tell an ID search or
/// login from a name. Works on bytes, never slicing the string: a name of six Chinese characters is also 18
/// bytes long, and `&text[..17]` would cut through its last character.
pub fn looks_like_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 18 && bytes[..17].iter().all(u8::is_ascii_digit)
}

/// A form of the number safe for logs and lists: the first 6 and last 4 characters only.
pub fn mask(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}********{tail}")
}

fn birth_date_of(text: &str) -> Option<NaiveDate> {
    let year = text.get(6..10)?.parse().ok()?;
    let month = text.get(10..12)?.parse().ok()?;
    let day = text.get(12..14)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    fn valid(first17: &str) -> String {
        format!("{first17}{}", IdNumber::check_char(first17).expect("17 digits"))
    }

    #[test]
    fn accepts_a_valid_number_and_upper_cases_x() {
        // 11010519491231002X is the standard's own example.
        let id = IdNumber::parse("11010519491231002x", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
    }

    #[test]
    fn only_digits_look_like_an_id_and_names_of_any_length_are_safe() {
        assert!(looks_like_id("31010919801228301X"));
        assert!(looks_like_id("310109198012283011"));
        // Six Chinese characters are 18 bytes; the 17th byte is inside the last one.
        for name in ["北虹中等专业", "刁彬彬", "", "3101091980122830北", "北10109198012283011"] {
            assert!(!looks_like_id(name), "{name}");
        }
    }

    #[test]
    fn refuses_wrong_check_digit() {
        let good = valid("31010919801228301");
        let last = good.chars().last().expect("char");
        let wrong = if last == '1' { '2' } else { '1' };
        let bad = format!("{}{}", &good[..17], wrong);
        assert_eq!(IdNumber::parse(&bad, today()), Err(IdNumberError::Checksum));
    }

    #[test]
    fn refuses_impossible_and_future_birth_dates() {
        assert_eq!(IdNumber::parse(&valid("31010919800230301"), today()), Err(IdNumberError::BirthDate));
        assert_eq!(IdNumber::parse(&valid("31010920991231301"), today()), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn refuses_bad_shapes() {
        for input in ["", "3101091980122830", "31010919801228301XX", "3101091980122830A1", "X10109198012283011"] {
            assert_eq!(IdNumber::parse(input, today()), Err(IdNumberError::Shape), "{input}");
        }
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
    }
}
