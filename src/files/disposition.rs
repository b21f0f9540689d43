//! `Content-Disposition` header values (RFC 6266) that keep Chinese file names through a download: an ASCII
//! `filename` for old clients and a UTF-8 `filename*` (RFC 5987) that every current browser prefers.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 5987 `attr-char`s go through unencoded; everything else, every UTF-8 byte of a Chinese character
/// included, is percent-encoded.
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The name used when nothing usable is left of the given one.
const FALLBACK_STEM: &str = "file";

/// A `Content-Disposition` value for `filename`: `inline` (the browser shows it, e.g. a PDF) or `attachment`
/// (the browser saves it), e.g. `inline; filename="file.pdf"; filename*=UTF-8''%E6%88%90%E6%9E%9C.pdf`.
///
/// Control characters, quotes, backslashes and slashes are removed from the name first: they could break the
/// header or smuggle a path into the saved file's name. In the ASCII fallback each run of non-ASCII
/// characters (and any `%`) becomes one `_`, and a stem with no letter or digit left becomes `file`.
pub fn content_disposition(inline: bool, filename: &str) -> String {
    let disposition = if inline { "inline" } else { "attachment" };
    let cleaned: String = filename
        .chars()
        .filter(|character| !character.is_control() && !matches!(character, '"' | '\\' | '/'))
        .collect();
    let cleaned = cleaned.trim();
    // A name of dots and spaces alone would be refused or renamed by the browser anyway.
    let cleaned = if cleaned.chars().any(char::is_alphanumeric) { cleaned } else { FALLBACK_STEM };
    format!(
        "{disposition}; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(cleaned),
        utf8_percent_encode(cleaned, ATTR_CHAR_ESCAPES)
    )
}

fn ascii_fallback(name: &str) -> String {
    let mut ascii = String::with_capacity(name.len());
    for character in name.chars() {
        // RFC 6266 §4.3: some clients percent-decode `filename`, so `%` is not kept either.
        if character.is_ascii() && character != '%' {
            ascii.push(character);
        } else if !ascii.ends_with('_') {
            ascii.push('_');
        }
    }
    // A leading dot would make a hidden file on some systems.
    let ascii = ascii.trim_start_matches(['.', ' ']);
    let (stem, extension) = match ascii.rsplit_once('.') {
        Some((stem, extension)) => (stem, Some(extension)),
        None => (ascii, None),
    };
    let stem = if stem.chars().any(|character| character.is_ascii_alphanumeric()) { stem } else { FALLBACK_STEM };
    match extension {
        Some(extension) if extension.chars().all(|character| character.is_ascii_alphanumeric()) => {
            format!("{stem}.{extension}")
        }
        _ => stem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_survive_in_filename_star() {
        assert_eq!(
            content_disposition(true, "成果附件.pdf"),
            "inline; filename=\"file.pdf\"; \
             filename*=UTF-8''%E6%88%90%E6%9E%9C%E9%99%84%E4%BB%B6.pdf"
        );
        assert_eq!(
            content_disposition(false, "第1章 总结.docx"),
            "attachment; filename=\"_1_ _.docx\"; filename*=UTF-8''%E7%AC%AC1%E7%AB%A0%20%E6%80%BB%E7%BB%93.docx"
        );
    }

    #[test]
    fn hostile_names_lose_quotes_separators_and_controls() {
        let value = content_disposition(false, "a\"b\\c/../d.pdf");
        assert_eq!(value, "attachment; filename=\"abc..d.pdf\"; filename*=UTF-8''abc..d.pdf");
        let value = content_disposition(true, "x\r\nSet-Cookie: y.pdf");
        assert!(!value.contains(['\r', '\n']), "{value}");
        assert_eq!(content_disposition(true, "../.."), "inline; filename=\"file\"; filename*=UTF-8''file");
        assert_eq!(content_disposition(true, "100%.pdf"), "inline; filename=\"100_.pdf\"; filename*=UTF-8''100%25.pdf");
        assert_eq!(content_disposition(true, ""), "inline; filename=\"file\"; filename*=UTF-8''file");
    }
}
