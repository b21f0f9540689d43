//! ToUnicode CMaps (PDF 32000-1 §9.10.3): what each character code of a font means in Unicode. Every font type
//! may carry one — Type 3 fonts from Chrome's print-to-PDF, TrueType from Word and WPS, CID fonts from
//! LibreOffice — and it is the only reliable way to read what a page shows. Parsed by hand because lopdf ignores
//! the map whenever a font also has an `/Encoding` (which Type 3 and TrueType fonts always have).
//!
//! Hostile input: the map is stored as ranges (a `bfrange` of 65,536 codes is one entry, never expanded), the
//! number of entries is capped, and unknown syntax is skipped rather than fatal.

use std::collections::HashMap;

/// The most `bfchar` / `bfrange` entries kept from one map. A full CJK font maps about 30,000 glyphs; the
/// caller also caps the map's stream size.
const MAX_ENTRIES: usize = 200_000;

/// A character code: its length in bytes (1–4) and value.
type Code = (u8, u32);

/// One `bfrange` entry: codes `low..=high` of one length map to consecutive text from a base, or to a list.
#[derive(Debug, Clone)]
struct Range {
    len: u8,
    low: u32,
    high: u32,
    target: Target,
}

#[derive(Debug, Clone)]
enum Target {
    /// UTF-16 units of the first code's text; each next code adds one to the last unit.
    Base(Vec<u16>),
    /// The text of each code in order.
    List(Vec<String>),
}

/// A parsed ToUnicode map.
#[derive(Debug, Clone, Default)]
pub struct ToUnicode {
    /// `(length, low, high)` of each code space range.
    codespaces: Vec<(u8, u32, u32)>,
    chars: HashMap<Code, String>,
    /// Sorted by `(len, low)`.
    ranges: Vec<Range>,
}

impl ToUnicode {
    /// Parses the (decompressed) CMap program. Never fails: what cannot be understood is left out.
    pub fn parse(program: &[u8]) -> ToUnicode {
        let mut map = ToUnicode::default();
        let mut tokens = Tokens { bytes: program, at: 0 };
        let mut entries = 0usize;
        while let Some(token) = tokens.next() {
            let Token::Keyword(keyword) = token else { continue };
            match keyword {
                b"begincodespacerange" => {
                    while let Some(Token::Hex(low)) = tokens.next() {
                        let Some(Token::Hex(high)) = tokens.next() else { break };
                        if let (Some(low), Some(high)) = (code_of(&low), code_of(&high))
                            && low.0 == high.0
                        {
                            map.codespaces.push((low.0, low.1, high.1));
                        }
                    }
                }
                b"beginbfchar" => {
                    while let Some(Token::Hex(source)) = tokens.next() {
                        let Some(target) = tokens.next() else { break };
                        entries += 1;
                        if entries > MAX_ENTRIES {
                            break;
                        }
                        if let (Some(code), Some(text)) = (code_of(&source), text_of(&target)) {
                            map.chars.insert(code, text);
                        }
                    }
                }
                b"beginbfrange" => {
                    while let Some(Token::Hex(low)) = tokens.next() {
                        let Some(Token::Hex(high)) = tokens.next() else { break };
                        let target = match tokens.next() {
                            Some(Token::Hex(base)) => Some(Target::Base(utf16_units(&base))),
                            Some(Token::ArrayStart) => {
                                let mut list = Vec::new();
                                while let Some(item) = tokens.next() {
                                    match item {
                                        Token::ArrayEnd => break,
                                        other => list.push(text_of(&other).unwrap_or_default()),
                                    }
                                    if list.len() > MAX_ENTRIES {
                                        break;
                                    }
                                }
                                Some(Target::List(list))
                            }
                            _ => None,
                        };
                        entries += 1;
                        let Some(target) = target else { break };
                        if entries > MAX_ENTRIES {
                            break;
                        }
                        if let (Some(low), Some(high)) = (code_of(&low), code_of(&high))
                            && low.0 == high.0
                            && low.1 <= high.1
                        {
                            map.ranges.push(Range { len: low.0, low: low.1, high: high.1, target });
                        }
                    }
                }
                _ => {}
            }
            if entries > MAX_ENTRIES {
                break;
            }
        }
        map.ranges.sort_by_key(|range| (range.len, range.low));
        map
    }

    /// Whether the map says anything at all.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    /// The length of the code starting at `bytes[0]`, from the code space ranges; `default` when the map
    /// declares none or none matches.
    pub fn code_length(&self, bytes: &[u8], default: usize) -> usize {
        for len in 1..=4usize.min(bytes.len()) {
            let value = bytes[..len].iter().fold(0u32, |value, byte| value << 8 | u32::from(*byte));
            if self
                .codespaces
                .iter()
                .any(|(space, low, high)| usize::from(*space) == len && (*low..=*high).contains(&value))
            {
                return len;
            }
        }
        default.clamp(1, bytes.len().max(1))
    }

    /// The text of one code, if the map has it.
    pub fn lookup(&self, len: u8, value: u32) -> Option<String> {
        if let Some(text) = self.chars.get(&(len, value)) {
            return Some(text.clone());
        }
        let position = self.ranges.partition_point(|range| (range.len, range.low) <= (len, value));
        // Ranges may overlap; look back over those that start at or before the code.
        for range in self.ranges[..position].iter().rev().take(16) {
            if range.len != len || value > range.high {
                continue;
            }
            let offset = value - range.low;
            return match &range.target {
                Target::Base(units) => {
                    let mut units = units.clone();
                    let last = units.last_mut()?;
                    *last = last.wrapping_add(offset as u16);
                    Some(String::from_utf16_lossy(&units))
                }
                Target::List(list) => list.get(offset as usize).cloned(),
            };
        }
        None
    }
}

/// A hex string as a code: 1 to 4 bytes.
fn code_of(bytes: &[u8]) -> Option<Code> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some((bytes.len() as u8, bytes.iter().fold(0u32, |value, byte| value << 8 | u32::from(*byte))))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])).collect()
}

/// The text a bfchar / bfrange target stands for: UTF-16BE in a hex string, or a glyph name such as `/uni5218`.
fn text_of(token: &Token<'_>) -> Option<String> {
    match token {
        Token::Hex(bytes) => Some(String::from_utf16_lossy(&utf16_units(bytes))),
        Token::Name(name) => super::glyph_names::char_of(name).map(String::from),
        _ => None,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Keyword(&'a [u8]),
    ArrayStart,
    ArrayEnd,
    Other,
}

/// A minimal PostScript tokenizer: enough of the syntax that CMaps use.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.bytes;
        loop {
            let byte = *bytes.get(self.at)?;
            match byte {
                b'%' => {
                    while self.at < bytes.len() && !matches!(bytes[self.at], b'\n' | b'\r') {
                        self.at += 1;
                    }
                }
                byte if byte.is_ascii_whitespace() || byte == 0 => self.at += 1,
                _ => break,
            }
        }
        let start = self.at;
        let is_delimiter = |byte: u8| byte.is_ascii_whitespace() || b"()<>[]{}/%".contains(&byte);
        match bytes[start] {
            b'<' if bytes.get(start + 1) == Some(&b'<') => {
                self.at += 2;
                Some(Token::Other)
            }
            b'>' => {
                self.at += if bytes.get(start + 1) == Some(&b'>') { 2 } else { 1 };
                Some(Token::Other)
            }
            b'<' => {
                let end = bytes[start..].iter().position(|byte| *byte == b'>').map_or(bytes.len(), |end| start + end);
                let digits: Vec<u8> =
                    bytes[start + 1..end].iter().filter(|byte| byte.is_ascii_hexdigit()).copied().collect();
                self.at = (end + 1).min(bytes.len());
                let nibble = |digit: u8| (digit as char).to_digit(16).unwrap_or(0) as u8;
                Some(Token::Hex(
                    digits.chunks(2).map(|pair| nibble(pair[0]) << 4 | pair.get(1).map_or(0, |d| nibble(*d))).collect(),
                ))
            }
            b'[' => {
                self.at += 1;
                Some(Token::ArrayStart)
            }
            b']' => {
                self.at += 1;
                Some(Token::ArrayEnd)
            }
            b'(' => {
                // A literal string (registry names and the like): skipped, nesting and escapes respected.
                let mut depth = 0usize;
                while self.at < bytes.len() {
                    match bytes[self.at] {
                        b'\\' => self.at += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
                Some(Token::Other)
            }
            b'/' => {
                self.at += 1;
                while self.at < bytes.len() && !is_delimiter(bytes[self.at]) {
                    self.at += 1;
                }
                Some(Token::Name(&bytes[start + 1..self.at]))
            }
            b'{' | b'}' | b')' => {
                self.at += 1;
                Some(Token::Other)
            }
            _ => {
                while self.at < bytes.len() && !is_delimiter(bytes[self.at]) {
                    self.at += 1;
                }
                let word = &bytes[start..self.at];
                let numeric = word.iter().all(|byte| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+'));
                Some(if numeric { Token::Other } else { Token::Keyword(word) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0003> <0020> <0011> <520A> <0012> <D835DC00> endbfchar
2 beginbfrange <0020> <0022> <4F5C> <0030> <0031> [<5F6C> /uni5218] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn chars_ranges_and_arrays_are_read() {
        let map = ToUnicode::parse(PROGRAM);
        assert_eq!(map.lookup(2, 0x0011).as_deref(), Some("刊"));
        assert_eq!(map.lookup(2, 0x0003).as_deref(), Some(" "));
        assert_eq!(map.lookup(2, 0x0012).as_deref(), Some("\u{1D400}"), "surrogate pairs");
        assert_eq!(map.lookup(2, 0x0020).as_deref(), Some("作"));
        assert_eq!(map.lookup(2, 0x0022).as_deref(), Some("佞"));
        assert_eq!(map.lookup(2, 0x0023), None);
        assert_eq!(map.lookup(2, 0x0030).as_deref(), Some("彬"));
        assert_eq!(map.lookup(2, 0x0031).as_deref(), Some("刘"));
        assert_eq!(map.lookup(1, 0x11), None, "a one-byte code is another code");
        assert_eq!(map.code_length(&[0x00, 0x11], 1), 2);
    }

    #[test]
    fn one_byte_maps_and_garbage_do_not_fail() {
        let map = ToUnicode::parse(b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <0041> endbfchar 1 beginbfrange <61> <7A> <0061> endbfrange");
        assert_eq!(map.code_length(&[0x41, 0x42], 2), 1);
        assert_eq!(map.lookup(1, 0x41).as_deref(), Some("A"));
        assert_eq!(map.lookup(1, 0x7A).as_deref(), Some("z"));
        for garbage in [&b"beginbfchar <41"[..], b"beginbfrange <00> <FFFF> [", b"(((", b"<<<<", b"%", b""] {
            let _ = ToUnicode::parse(garbage);
        }
        // A huge range is stored as one entry, not expanded.
        let map = ToUnicode::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(map.ranges.len(), 1);
    }
}
