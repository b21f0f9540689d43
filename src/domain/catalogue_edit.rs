//! Stable codes for the catalogue's field formats, shared by the catalogue editor page and the API, so an edited
//! catalogue reads the same whichever door it came through.

use super::catalogue::FieldFormat;

impl FieldFormat {
    pub const ALL: [FieldFormat; 7] = [
        FieldFormat::Text,
        FieldFormat::YearMonth,
        FieldFormat::Date,
        FieldFormat::Rank,
        FieldFormat::Cip,
        FieldFormat::JournalNumber,
        FieldFormat::PositiveInt,
    ];

    /// The code (equal to the serde name).
    pub fn code(self) -> &'static str {
        match self {
            FieldFormat::Text => "text",
            FieldFormat::YearMonth => "year_month",
            FieldFormat::Date => "date",
            FieldFormat::Rank => "rank",
            FieldFormat::Cip => "cip",
            FieldFormat::JournalNumber => "journal_number",
            FieldFormat::PositiveInt => "positive_int",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|format| format.code() == code)
    }

    /// What the editor shows next to the code.
    pub fn label(self) -> &'static str {
        match self {
            FieldFormat::Text => "文本",
            FieldFormat::YearMonth => "年月 yyyy-mm",
            FieldFormat::Date => "日期 yyyy-mm-dd",
            FieldFormat::Rank => "排序/排名 n/m",
            FieldFormat::Cip => "CIP核字号",
            FieldFormat::JournalNumber => "刊号 ISSN/CN",
            FieldFormat::PositiveInt => "正整数",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_equal_the_serde_names() {
        for format in FieldFormat::ALL {
            assert_eq!(serde_json::to_string(&format).expect("json"), format!("\"{}\"", format.code()));
            assert_eq!(FieldFormat::from_code(format.code()), Some(format));
        }
    }
}
