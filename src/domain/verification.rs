//! Verification codes of printed documents (SPEC §7): the code's format, how a typed code is read back, and the
//! record a code stands for. A school types the code from a print into the public /verify page and sees what the
//! platform issued, so an edited print shows up. Drawing the random bits is the caller's business (no I/O here).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Crockford's base-32 alphabet: digits and capitals without I, L, O and U, so a code read aloud or typed from
/// paper is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code: 20 × 5 bits = 100 random bits, far beyond guessing even without the rate limit.
pub const CODE_CHARS: usize = 20;
/// Random bytes a new code needs (100 bits are taken from them).
pub const CODE_RANDOM_BYTES: usize = 13;
/// Printed in groups of five, separated by `-`.
const GROUP: usize = 5;

/// Which document a code was printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 成果鉴定登记表
    RegistrationForm,
    /// 鉴定意见
    AppraisalOpinion,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::RegistrationForm => "成果鉴定登记表",
            DocumentKind::AppraisalOpinion => "鉴定意见",
        }
    }

    /// The stable code used in the API and in content keys.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::RegistrationForm => "registration_form",
            DocumentKind::AppraisalOpinion => "appraisal_opinion",
        }
    }
}

/// What one verification code stands for. It keeps only what the public page shows, and the teacher's name
/// already masked (刁*彬): the public table never holds a full name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRecord {
    /// The compact code (20 characters, no separators).
    pub code: String,
    pub kind: DocumentKind,
    pub submission_id: u64,
    pub project_name: String,
    /// The teacher's name as `account::mask_name` prints it.
    pub masked_name: String,
    /// The grade, for appraisal opinions.
    #[serde(default)]
    pub grade: Option<String>,
    /// When the code was first issued (the 打印日期 printed in the footer).
    pub issued_at: DateTime<Utc>,
    /// SHA-256 of the printed content (see [`content_key`]); the same content reuses this code.
    pub content_sha256: String,
    /// For registration forms: the version and the achievement titles printed. Absent for opinions and in records
    /// issued before these were kept (those still verify, with what they have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormFacts>,
}

/// What the public page names of a printed registration form, so an edited print (another title, an older
/// version passed off as the latest) is caught: titles are no personal data, and the version is a number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFacts {
    /// The submitted version printed (第N版); `None` for a working copy not submitted (a teacher's preview).
    pub version: Option<u32>,
    /// 成果题目, in order.
    pub titles: Vec<String>,
}

impl FormFacts {
    /// 第N版, or what a working copy is.
    pub fn version_label(&self) -> String {
        match self.version {
            Some(number) => format!("第{number}版"),
            None => "未提交的填报内容（预览打印）".to_string(),
        }
    }
}

/// A new code from random bytes: the first 100 bits, five at a time, as alphabet characters.
pub fn code_from_random(bytes: &[u8; CODE_RANDOM_BYTES]) -> String {
    let mut code = String::with_capacity(CODE_CHARS);
    for index in 0..CODE_CHARS {
        let bit = index * 5;
        // Two bytes always cover the five bits starting at `bit`; the last group (bits 95–99) ends in byte 12.
        let high = u16::from(bytes[bit / 8]) << 8;
        let low = bytes.get(bit / 8 + 1).copied().map_or(0, u16::from);
        let value = ((high | low) >> (11 - bit % 8)) & 0x1f;
        code.push(char::from(ALPHABET[usize::from(value)]));
    }
    code
}

/// The code as printed: `ABCDE-FGHJK-MNPQR-STVWX`.
pub fn display_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars.chunks(GROUP).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Reads a code as a person typed it: separators and spaces (also full-width) dropped, lower case accepted, and the
/// look-alikes O → 0 and I / L → 1 folded (Crockford). `None` unless exactly a well-formed code remains.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut code = String::with_capacity(CODE_CHARS);
    for character in typed.chars() {
        let character = match character {
            '-' | '－' | '—' | '_' => continue,
            character if character.is_whitespace() => continue,
            // Full-width letters and digits (typed with a Chinese input method) fold to ASCII.
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(u32::from(character) - 0xFEE0).unwrap_or(character)
            }
            character => character,
        };
        let character = match character.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !character.is_ascii() || !ALPHABET.contains(&(character as u8)) {
            return None;
        }
        code.push(character);
        if code.len() > CODE_CHARS {
            return None;
        }
    }
    (code.len() == CODE_CHARS).then_some(code)
}

/// The content key of a printed document: SHA-256 over its kind, its submission and its printed values (as JSON),
/// so the same content printed again maps to the same key and a change to any printed value to a new one.
pub fn content_key(kind: DocumentKind, submission_id: u64, printed_json: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.code().as_bytes());
    hasher.update(b"\n");
    hasher.update(submission_id.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(printed_json);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_issued_before_form_facts_still_read() {
        let old = r#"{"code":"7K3M9QX2TD5RB8WZ0H1N","kind":"registration_form","submission_id":7,
            "project_name":"2026年鉴定","masked_name":"刁*彬","issued_at":"2026-05-01T00:00:00Z","content_sha256":"ab"}"#;
        let record: VerificationRecord = serde_json::from_str(old).expect("an old record");
        assert_eq!(record.form, None);
        assert_eq!(FormFacts { version: Some(2), titles: Vec::new() }.version_label(), "第2版");
    }

    #[test]
    fn codes_use_every_bit_and_only_the_alphabet() {
        assert_eq!(code_from_random(&[0; CODE_RANDOM_BYTES]), "0".repeat(CODE_CHARS));
        assert_eq!(code_from_random(&[0xff; CODE_RANDOM_BYTES]), "Z".repeat(CODE_CHARS));
        // Bits 10000 01000 00100 00000 …: the groups read 16, 8, 4, 0.
        let mut bytes = [0u8; CODE_RANDOM_BYTES];
        bytes[0] = 0b1000_0010;
        bytes[1] = 0b0000_1000;
        assert!(code_from_random(&bytes).starts_with("G840"), "{}", code_from_random(&bytes));
        // The last group is the last bit of byte 11 and the high half of byte 12; the low half is unused.
        let mut last = [0u8; CODE_RANDOM_BYTES];
        last[12] = 0b1111_0000;
        assert!(code_from_random(&last).ends_with("0F"), "{}", code_from_random(&last));
        last[12] = 0b0000_1111;
        assert_eq!(code_from_random(&last), "0".repeat(CODE_CHARS));
    }

    #[test]
    fn typed_codes_are_read_forgivingly_but_exactly() {
        let code = "7K3M9QX2TD5RB8WZ0H1N";
        assert_eq!(display_code(code), "7K3M9-QX2TD-5RB8W-Z0H1N");
        assert_eq!(normalize_code("7K3M9-QX2TD-5RB8W-Z0H1N").as_deref(), Some(code));
        assert_eq!(normalize_code(" 7k3m9 qx2td 5rb8w zoh1n ").as_deref(), Some(code));
        assert_eq!(normalize_code("7K3M9－QX2TD－5RB8W－ZOHIN").as_deref(), Some(code));
        assert_eq!(normalize_code("７Ｋ3M9QX2TD5RB8WZ0H1N").as_deref(), Some(code));
        assert_eq!(normalize_code("7K3M9-QX2TD-5RB8W-Z0H1"), None, "too short");
        assert_eq!(normalize_code("7K3M9-QX2TD-5RB8W-Z0H1NN"), None, "too long");
        assert_eq!(normalize_code("7K3M9-QX2TD-5RB8W-Z0H1U"), None, "U is not in the alphabet");
        assert_eq!(normalize_code("刁彬彬"), None);
        assert_eq!(normalize_code(""), None);
    }

    #[test]
    fn content_keys_separate_kinds_submissions_and_content() {
        let key = content_key(DocumentKind::RegistrationForm, 7, b"{}");
        assert_eq!(key.len(), 64);
        assert_eq!(key, content_key(DocumentKind::RegistrationForm, 7, b"{}"));
        assert_ne!(key, content_key(DocumentKind::AppraisalOpinion, 7, b"{}"));
        assert_ne!(key, content_key(DocumentKind::RegistrationForm, 8, b"{}"));
        assert_ne!(key, content_key(DocumentKind::RegistrationForm, 7, b"{\"a\":1}"));
    }
}
