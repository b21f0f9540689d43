//! Format checks for single typed values (SPEC §5 field formats, 取得日期, 本人承担部分). Each check takes what the
//! teacher typed and returns either the normalised value to store or the exact Chinese message to show under the
//! field. Teachers type on Chinese input methods, so full-width digits and punctuation are accepted and normalised.
//! Knows nothing of filings or forms; "today" is always a parameter so results never depend on the clock.

use chrono::{Datelike, NaiveDate};

use super::catalogue::FieldFormat;

/// 本人承担部分 is limited to 255 bytes (UTF-8, punctuation included): the manual's column width.
pub const OWN_PART_MAX_BYTES: usize = 255;
/// Upper bound for free-text inputs, so a value always fits its cell on the one-page registration form.
pub const TEXT_MAX_CHARS: usize = 200;
/// The first year a CIP核字号 may carry.
pub const CIP_FIRST_YEAR: i32 = 1990;
/// Earliest year accepted in dates: anything older is a typing mistake.
const FIRST_YEAR: i32 = 1900;

pub const CIP_MESSAGE: &str = "CIP核字号为10位,前4位为年份,后6位为编号";
pub const RANK_MESSAGE: &str = "排序/排名格式为n/m（本人排第n位，共m人），如1/3";
pub const RANK_ORDER_MESSAGE: &str = "排序/排名中本人名次n不能大于总人数m，如1/3";
pub const JOURNAL_NUMBER_MESSAGE: &str = "刊号格式为ISSN xxxx-xxxx和/或CN xx-xxxx/xx，如ISSN 1671-0568 CN 11-1234/G4";
pub const ISSN_MESSAGE: &str = "ISSN格式为xxxx-xxxx（末位可为X），如ISSN 1671-0568";
pub const ISSN_CHECK_MESSAGE: &str = "ISSN校验位错误，请核对期刊上的刊号";
pub const CN_MESSAGE: &str = "CN刊号格式为CN xx-xxxx/xx，如CN 11-1234/G4";
pub const YEAR_MONTH_MESSAGE: &str = "时间格式为yyyy-mm，如2019-05";
pub const DATE_MESSAGE: &str = "日期格式为yyyy-mm-dd，如2019-05-20";
pub const INVALID_DATE_MESSAGE: &str = "日期不存在，请核对年、月、日";
pub const FUTURE_MESSAGE: &str = "时间不能晚于今天";
pub const FUTURE_DATE_MESSAGE: &str = "日期不能晚于今天";
pub const POSITIVE_INT_MESSAGE: &str = "请输入正整数，如36";

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space become their ASCII forms; everything else is kept.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// Free text: trimmed, control characters (which a single-line input cannot hold) turned into spaces, at most
/// `TEXT_MAX_CHARS` characters.
pub fn text(s: &str) -> Result<String, String> {
    let cleaned: String = s.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let count = cleaned.chars().count();
    if count > TEXT_MAX_CHARS {
        return Err(format!("至多{TEXT_MAX_CHARS}个字，当前{count}个字"));
    }
    Ok(cleaned)
}

/// CIP核字号: exactly 10 digits, the first 4 a year from 1990 to `this_year`, the last 6 a serial (not all zero).
pub fn cip(s: &str, this_year: i32) -> Result<String, String> {
    let value = half_width(s.trim());
    if value.len() != 10 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(CIP_MESSAGE.into());
    }
    let year: i32 = value[..4].parse().map_err(|_| CIP_MESSAGE.to_string())?;
    if !(CIP_FIRST_YEAR..=this_year).contains(&year) || &value[4..] == "000000" {
        return Err(CIP_MESSAGE.into());
    }
    Ok(value)
}

/// 排序/排名 `n/m` with 1 ≤ n ≤ m; spaces, full-width `／` and digits accepted; leading zeros dropped.
pub fn rank(s: &str) -> Result<String, String> {
    let value: String = half_width(s).chars().filter(|c| !c.is_whitespace()).collect();
    let (position, total) = value.split_once('/').ok_or_else(|| RANK_MESSAGE.to_string())?;
    let position = parse_count(position).ok_or_else(|| RANK_MESSAGE.to_string())?;
    let total = parse_count(total).ok_or_else(|| RANK_MESSAGE.to_string())?;
    if position > total {
        return Err(RANK_ORDER_MESSAGE.into());
    }
    Ok(format!("{position}/{total}"))
}

/// A positive whole number (课时), normalised without leading zeros.
pub fn positive_int(s: &str) -> Result<String, String> {
    parse_count(half_width(s).trim()).map(|count| count.to_string()).ok_or_else(|| POSITIVE_INT_MESSAGE.to_string())
}

/// Digits only (no sign), at least 1, small enough for a u32.
fn parse_count(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|count| *count >= 1)
}

#[derive(Clone, Copy, PartialEq)]
enum JournalPart {
    Issn,
    Cn,
}

/// 刊号: `ISSN dddd-ddd[dX]` (check digit verified) and/or `CN dd-dddd[/xx]`, separated by spaces, commas,
/// semicolons or `、`. The prefix may be glued to the number or followed by a colon, and may be left out when the
/// number's shape says which it is. Normalised to `ISSN 1671-0568 CN 11-1234/G4` (ISSN first).
pub fn journal_number(s: &str) -> Result<String, String> {
    let value: String = half_width(s)
        .to_uppercase()
        .chars()
        .map(|c| if matches!(c, ',' | ';' | '、' | '(' | ')') { ' ' } else { c })
        .collect();
    let mut issn: Option<String> = None;
    let mut cn: Option<String> = None;
    let mut pending: Option<JournalPart> = None;
    for token in value.split_whitespace() {
        let (prefix, number) = if let Some(rest) = token.strip_prefix("ISSN") {
            (Some(JournalPart::Issn), rest)
        } else if let Some(rest) = token.strip_prefix("CN") {
            (Some(JournalPart::Cn), rest)
        } else {
            (None, token)
        };
        let number = number.trim_start_matches(':');
        if pending.is_some() && prefix.is_some() {
            // "ISSN CN 11-1234": a prefix with no number after it.
            return Err(missing_number_message(pending));
        }
        let part = match prefix {
            Some(part) if number.is_empty() => {
                pending = Some(part);
                continue;
            }
            Some(part) => part,
            None => match pending.take().or_else(|| guess_journal_part(number)) {
                Some(part) => part,
                None => return Err(JOURNAL_NUMBER_MESSAGE.into()),
            },
        };
        let (slot, normalised) = match part {
            JournalPart::Issn => (&mut issn, issn_number(number)?),
            JournalPart::Cn => (&mut cn, cn_number(number)?),
        };
        if slot.is_some() {
            return Err(match part {
                JournalPart::Issn => "刊号中只能填写一个ISSN".into(),
                JournalPart::Cn => "刊号中只能填写一个CN".into(),
            });
        }
        *slot = Some(normalised);
    }
    if pending.is_some() {
        return Err(missing_number_message(pending));
    }
    match (issn, cn) {
        (Some(issn), Some(cn)) => Ok(format!("ISSN {issn} CN {cn}")),
        (Some(issn), None) => Ok(format!("ISSN {issn}")),
        (None, Some(cn)) => Ok(format!("CN {cn}")),
        (None, None) => Err(JOURNAL_NUMBER_MESSAGE.into()),
    }
}

fn missing_number_message(part: Option<JournalPart>) -> String {
    match part {
        Some(JournalPart::Cn) => CN_MESSAGE.into(),
        _ => ISSN_MESSAGE.into(),
    }
}

/// A number typed without its prefix: `dd-dddd…` is a CN, eight characters (with or without the dash) an ISSN.
fn guess_journal_part(number: &str) -> Option<JournalPart> {
    let bytes = number.as_bytes();
    if bytes.len() >= 7 && bytes[2] == b'-' {
        Some(JournalPart::Cn)
    } else if number.replace('-', "").len() == 8 {
        Some(JournalPart::Issn)
    } else {
        None
    }
}

/// `dddd-dddC` (the dash may be omitted); C is the ISO 3297 check character: weights 8…2, mod 11, 10 → X.
fn issn_number(number: &str) -> Result<String, String> {
    let dash_ok = match number.find('-') {
        None => true,
        Some(4) => number.len() == 9 && number.matches('-').count() == 1,
        Some(_) => false,
    };
    let digits: Vec<u8> = number.bytes().filter(|byte| *byte != b'-').collect();
    let shape_ok = dash_ok
        && digits.len() == 8
        && digits[..7].iter().all(u8::is_ascii_digit)
        && (digits[7].is_ascii_digit() || digits[7] == b'X');
    if !shape_ok {
        return Err(ISSN_MESSAGE.into());
    }
    let sum: u32 = digits[..7].iter().zip((2..=8).rev()).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    let check = match (11 - sum % 11) % 11 {
        10 => b'X',
        value => b'0' + value as u8,
    };
    if digits[7] != check {
        return Err(ISSN_CHECK_MESSAGE.into());
    }
    let text: String = digits.iter().map(|byte| char::from(*byte)).collect();
    Ok(format!("{}-{}", &text[..4], &text[4..]))
}

/// `dd-dddd`, optionally `/` and a classification: one or two letters then up to four digits or dots (`G4`, `TP`).
fn cn_number(number: &str) -> Result<String, String> {
    let (main, class) = match number.split_once('/') {
        Some((main, class)) => (main, Some(class)),
        None => (number, None),
    };
    let main_bytes = main.as_bytes();
    let main_ok = main_bytes.len() == 7
        && main_bytes[2] == b'-'
        && main_bytes[..2].iter().chain(&main_bytes[3..]).all(u8::is_ascii_digit);
    let class_ok = class.is_none_or(|class| {
        let letters = class.bytes().take_while(u8::is_ascii_uppercase).count();
        let rest = &class.as_bytes()[letters..];
        (1..=2).contains(&letters) && rest.len() <= 4 && rest.iter().all(|byte| byte.is_ascii_digit() || *byte == b'.')
    });
    if !main_ok || !class_ok {
        return Err(CN_MESSAGE.into());
    }
    Ok(number.to_string())
}

/// Splits a typed date into its `count` numbers (2: year and month, 3: with the day): separators `-` `/` `.` `年`
/// `月` `日` in any mix, spaces ignored, or the compact all-digit form (`yyyymm`, `yyyymmdd`). The year has 4 digits.
fn date_numbers(s: &str, count: usize) -> Option<Vec<u32>> {
    let value: String = half_width(s).chars().filter(|c| !c.is_whitespace()).collect();
    let compact = if count == 2 { 6 } else { 8 };
    if value.len() == compact && value.bytes().all(|byte| byte.is_ascii_digit()) {
        let widths = [4, 2, 2];
        let mut numbers = Vec::new();
        let mut start = 0;
        for width in &widths[..count] {
            numbers.push(value.get(start..start + width)?.parse().ok()?);
            start += width;
        }
        return Some(numbers);
    }
    let unified: String =
        value.chars().map(|c| if matches!(c, '/' | '.' | '年' | '月' | '日') { '-' } else { c }).collect();
    // Only the closing 月 or 日 may leave a trailing separator; "2019-05-" typed by hand is accepted the same way.
    let parts: Vec<&str> = unified.strip_suffix('-').unwrap_or(&unified).split('-').collect();
    if parts.len() != count || parts[0].len() != 4 || parts[1..].iter().any(|part| part.is_empty() || part.len() > 2) {
        return None;
    }
    parts.iter().map(|part| if part.bytes().all(|b| b.is_ascii_digit()) { part.parse().ok() } else { None }).collect()
}

/// `yyyy-mm`: also `2019-5`, `2019.05`, `2019/05`, `2019年5月`, `201905`; not later than this month.
pub fn year_month(s: &str, today: NaiveDate) -> Result<String, String> {
    let numbers = date_numbers(s, 2).ok_or_else(|| YEAR_MONTH_MESSAGE.to_string())?;
    let (year, month) = (numbers[0] as i32, numbers[1]);
    if year < FIRST_YEAR || !(1..=12).contains(&month) {
        return Err(YEAR_MONTH_MESSAGE.into());
    }
    if (year, month) > (today.year(), today.month()) {
        return Err(FUTURE_MESSAGE.into());
    }
    Ok(format!("{year:04}-{month:02}"))
}

/// `yyyy-mm-dd`: also with `/`, `.`, `年月日` or as `20190520`; a real date, not later than today.
pub fn date(s: &str, today: NaiveDate) -> Result<String, String> {
    let numbers = date_numbers(s, 3).ok_or_else(|| DATE_MESSAGE.to_string())?;
    let year = numbers[0] as i32;
    if year < FIRST_YEAR {
        return Err(DATE_MESSAGE.into());
    }
    let parsed =
        NaiveDate::from_ymd_opt(year, numbers[1], numbers[2]).ok_or_else(|| INVALID_DATE_MESSAGE.to_string())?;
    if parsed > today {
        return Err(FUTURE_DATE_MESSAGE.into());
    }
    Ok(parsed.format("%Y-%m-%d").to_string())
}

/// Parses a value `date` has normalised (or any `yyyy-mm-dd`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Length in bytes as the 255-byte rule counts it (UTF-8: a Chinese character or punctuation mark is 3 bytes).
pub fn utf8_bytes(s: &str) -> usize {
    s.len()
}

/// 本人承担部分: trimmed, at most `OWN_PART_MAX_BYTES` bytes.
pub fn own_part(s: &str) -> Result<String, String> {
    let value = s.trim();
    let bytes = utf8_bytes(value);
    if bytes > OWN_PART_MAX_BYTES {
        return Err(format!("本人承担部分至多{OWN_PART_MAX_BYTES}字节（含标点符号），当前{bytes}字节"));
    }
    Ok(value.to_string())
}

/// The counter under 本人承担部分 (after "限255字节（…），"): "还可输入n字节", or when too long "已超出n字节，请删减"
/// (`appraisal.js` words the live counter the same way).
pub fn own_part_room(s: &str) -> String {
    let bytes = utf8_bytes(s.trim());
    if bytes > OWN_PART_MAX_BYTES {
        format!("已超出{}字节，请删减", bytes - OWN_PART_MAX_BYTES)
    } else {
        format!("还可输入{}字节", OWN_PART_MAX_BYTES - bytes)
    }
}

/// Checks one non-empty 成果情况 value by its catalogue format.
pub fn validate_value(format: FieldFormat, s: &str, today: NaiveDate) -> Result<String, String> {
    match format {
        FieldFormat::Text => text(s),
        FieldFormat::YearMonth => year_month(s, today),
        FieldFormat::Date => date(s, today),
        FieldFormat::Rank => rank(s),
        FieldFormat::Cip => cip(s, today.year()),
        FieldFormat::JournalNumber => journal_number(s),
        FieldFormat::PositiveInt => positive_int(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 6, 15).expect("date")
    }

    #[test]
    fn cip_accepts_ten_digits_with_a_plausible_year() {
        assert_eq!(cip("2019102034", 2020), Ok("2019102034".into()));
        assert_eq!(cip("  2019102034 ", 2020), Ok("2019102034".into()));
        assert_eq!(cip("２０１９１０２０３４", 2020), Ok("2019102034".into()));
        assert_eq!(cip("1990000001", 2020), Ok("1990000001".into()));
        assert_eq!(cip("2020000001", 2020), Ok("2020000001".into()));
        for bad in
            ["201910203", "20191020345", "1989102034", "2021102034", "2019A02034", "2019-102034", "2019000000", ""]
        {
            assert_eq!(cip(bad, 2020), Err(CIP_MESSAGE.to_string()), "{bad}");
        }
        assert_eq!(CIP_MESSAGE, "CIP核字号为10位,前4位为年份,后6位为编号");
    }

    #[test]
    fn rank_is_n_over_m() {
        assert_eq!(rank("1/3"), Ok("1/3".into()));
        assert_eq!(rank("１／３"), Ok("1/3".into()));
        assert_eq!(rank(" 2 / 2 "), Ok("2/2".into()));
        assert_eq!(rank("01/03"), Ok("1/3".into()));
        assert_eq!(rank("0/3"), Err(RANK_MESSAGE.into()));
        assert_eq!(rank("4/3"), Err(RANK_ORDER_MESSAGE.into()));
        for bad in ["a/b", "1", "1/", "/3", "1/3/5", "-1/3", "1.5/3", "1:3", "99999999999/99999999999"] {
            assert_eq!(rank(bad), Err(RANK_MESSAGE.into()), "{bad}");
        }
    }

    #[test]
    fn issn_check_digit_is_verified() {
        assert_eq!(journal_number("ISSN 1671-0568"), Ok("ISSN 1671-0568".into()));
        assert_eq!(journal_number("ISSN 0317-8471"), Ok("ISSN 0317-8471".into()));
        assert_eq!(journal_number("issn2434-561x"), Ok("ISSN 2434-561X".into()));
        assert_eq!(journal_number("ISSN：16710568"), Ok("ISSN 1671-0568".into()));
        assert_eq!(journal_number("1671-0568"), Ok("ISSN 1671-0568".into()));
        assert_eq!(journal_number("ISSN 1671-0567"), Err(ISSN_CHECK_MESSAGE.into()));
        assert_eq!(journal_number("ISSN 2434-5610"), Err(ISSN_CHECK_MESSAGE.into()));
        assert_eq!(journal_number("ISSN 1671-056"), Err(ISSN_MESSAGE.into()));
        assert_eq!(journal_number("ISSN 167-10568"), Err(ISSN_MESSAGE.into()));
        assert_eq!(journal_number("ISSN"), Err(ISSN_MESSAGE.into()));
    }

    #[test]
    fn cn_and_combinations() {
        assert_eq!(journal_number("CN 11-1234/G4"), Ok("CN 11-1234/G4".into()));
        assert_eq!(journal_number("cn31-1040/h"), Ok("CN 31-1040/H".into()));
        assert_eq!(journal_number("CN 11-1234"), Ok("CN 11-1234".into()));
        assert_eq!(journal_number("11-4994/TP"), Ok("CN 11-4994/TP".into()));
        assert_eq!(journal_number("ISSN 1671-0568, CN 11-1234/G4"), Ok("ISSN 1671-0568 CN 11-1234/G4".into()));
        assert_eq!(
            journal_number("ＣＮ１１－１２３４／Ｇ４；ＩＳＳＮ　１６７１－０５６８"),
            Ok("ISSN 1671-0568 CN 11-1234/G4".into())
        );
        assert_eq!(journal_number("ISSN 1671-0568 CN 11-1234/G4"), Ok("ISSN 1671-0568 CN 11-1234/G4".into()));
        assert_eq!(journal_number("CN 111-234/G4"), Err(CN_MESSAGE.into()));
        assert_eq!(journal_number("CN 11-1234/"), Err(CN_MESSAGE.into()));
        assert_eq!(journal_number("CN 11-1234/G12345"), Err(CN_MESSAGE.into()));
        assert_eq!(journal_number("CN"), Err(CN_MESSAGE.into()));
        assert_eq!(journal_number("ISSN 1671-0568 ISSN 0317-8471"), Err("刊号中只能填写一个ISSN".into()));
        assert_eq!(journal_number("中国职业技术教育"), Err(JOURNAL_NUMBER_MESSAGE.into()));
        assert_eq!(journal_number(""), Err(JOURNAL_NUMBER_MESSAGE.into()));
        assert_eq!(journal_number("ISSN CN 11-1234"), Err(ISSN_MESSAGE.into()));
    }

    #[test]
    fn year_month_variants() {
        for typed in [
            "2019-05",
            "2019-5",
            "2019.05",
            "2019/05",
            "2019年5月",
            "2019年05月",
            "２０１９－０５",
            "201905",
            "2019 年 5 月",
        ] {
            assert_eq!(year_month(typed, today()), Ok("2019-05".into()), "{typed}");
        }
        assert_eq!(year_month("2020-06", today()), Ok("2020-06".into()));
        assert_eq!(year_month("2020-07", today()), Err(FUTURE_MESSAGE.into()));
        assert_eq!(year_month("2021-01", today()), Err(FUTURE_MESSAGE.into()));
        for bad in ["2019-13", "2019-0", "19-05", "2019", "2019-05-20", "2019--05", "abcd-ef", "1899-12", "2019年"] {
            assert_eq!(year_month(bad, today()), Err(YEAR_MONTH_MESSAGE.into()), "{bad}");
        }
    }

    #[test]
    fn dates() {
        for typed in ["2019-05-20", "2019/5/20", "2019.05.20", "2019年5月20日", "20190520", " 2019-5-20 "] {
            assert_eq!(date(typed, today()), Ok("2019-05-20".into()), "{typed}");
        }
        assert_eq!(date("2020-06-15", today()), Ok("2020-06-15".into()));
        assert_eq!(date("2020-06-16", today()), Err(FUTURE_DATE_MESSAGE.into()));
        assert_eq!(date("2019-02-29", today()), Err(INVALID_DATE_MESSAGE.into()));
        assert_eq!(date("2020-02-29", today()), Ok("2020-02-29".into()));
        assert_eq!(date("2019-04-31", today()), Err(INVALID_DATE_MESSAGE.into()));
        for bad in ["2019-05", "2019-05-20-1", "yesterday", "2019-5-123"] {
            assert_eq!(date(bad, today()), Err(DATE_MESSAGE.into()), "{bad}");
        }
        assert_eq!(parse_date("2019-05-20"), NaiveDate::from_ymd_opt(2019, 5, 20));
    }

    #[test]
    fn positive_integers() {
        assert_eq!(positive_int("36"), Ok("36".into()));
        assert_eq!(positive_int("０３６"), Ok("36".into()));
        for bad in ["0", "-3", "3.5", "三十", "", "99999999999"] {
            assert_eq!(positive_int(bad), Err(POSITIVE_INT_MESSAGE.into()), "{bad}");
        }
    }

    #[test]
    fn own_part_counts_utf8_bytes_including_punctuation() {
        let eighty_five = "编".repeat(85);
        assert_eq!(utf8_bytes(&eighty_five), 255);
        assert_eq!(own_part(&eighty_five), Ok(eighty_five.clone()));
        assert_eq!(own_part_room(&eighty_five), "还可输入0字节");
        let eighty_six = "编".repeat(86);
        assert_eq!(own_part(&eighty_six), Err("本人承担部分至多255字节（含标点符号），当前258字节".into()));
        // Chinese punctuation is three bytes too: 84 characters and one "，" make 255, a second one 258.
        assert!(own_part(&format!("{}，", "编".repeat(84))).is_ok());
        assert!(own_part(&format!("{}，，", "编".repeat(84))).is_err());
        assert_eq!(utf8_bytes("全部"), 6);
        assert_eq!(own_part_room("全部"), "还可输入249字节");
        assert_eq!(own_part_room(&eighty_six), "已超出3字节，请删减");
        assert_eq!(own_part("  全部 "), Ok("全部".into()));
        assert_eq!(utf8_bytes(&"a".repeat(255)), 255);
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  高等教育出版社\t"), Ok("高等教育出版社".into()));
        assert_eq!(text("a\nb"), Ok("a b".into()));
        assert!(text(&"字".repeat(TEXT_MAX_CHARS)).is_ok());
        assert_eq!(text(&"字".repeat(TEXT_MAX_CHARS + 1)), Err("至多200个字，当前201个字".into()));
    }

    #[test]
    fn validate_value_dispatches_by_format() {
        assert_eq!(validate_value(FieldFormat::Cip, "2020000001", today()), Ok("2020000001".into()));
        assert!(validate_value(FieldFormat::Cip, "2021000001", today()).is_err());
        assert_eq!(validate_value(FieldFormat::Rank, "１／３", today()), Ok("1/3".into()));
        assert_eq!(validate_value(FieldFormat::YearMonth, "2019年5月", today()), Ok("2019-05".into()));
        assert_eq!(validate_value(FieldFormat::Date, "2019年5月1日", today()), Ok("2019-05-01".into()));
        assert_eq!(validate_value(FieldFormat::JournalNumber, "cn 11-1234", today()), Ok("CN 11-1234".into()));
        assert_eq!(validate_value(FieldFormat::PositiveInt, "12", today()), Ok("12".into()));
        assert_eq!(validate_value(FieldFormat::Text, " 市级 ", today()), Ok("市级".into()));
    }
}
