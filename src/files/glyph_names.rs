//! Glyph names (Adobe Glyph List conventions) to characters, for simple fonts whose `/Differences` name their
//! glyphs and which carry no ToUnicode map: `uni5218`, `u1F600`, single letters and the common ASCII names.
//! Names a font made up (`g12`, `glyph7`) mean nothing and give `None`.

/// The ASCII glyph names of the standard Latin encodings.
const NAMES: &[(&str, char)] = &[
    ("space", ' '),
    ("exclam", '!'),
    ("quotedbl", '"'),
    ("numbersign", '#'),
    ("dollar", '$'),
    ("percent", '%'),
    ("ampersand", '&'),
    ("quotesingle", '\''),
    ("quoteright", '\''),
    ("parenleft", '('),
    ("parenright", ')'),
    ("asterisk", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("hyphen", '-'),
    ("minus", '-'),
    ("period", '.'),
    ("slash", '/'),
    ("zero", '0'),
    ("one", '1'),
    ("two", '2'),
    ("three", '3'),
    ("four", '4'),
    ("five", '5'),
    ("six", '6'),
    ("seven", '7'),
    ("eight", '8'),
    ("nine", '9'),
    ("colon", ':'),
    ("semicolon", ';'),
    ("less", '<'),
    ("equal", '='),
    ("greater", '>'),
    ("question", '?'),
    ("at", '@'),
    ("bracketleft", '['),
    ("backslash", '\\'),
    ("bracketright", ']'),
    ("underscore", '_'),
    ("grave", '`'),
    ("quoteleft", '`'),
    ("braceleft", '{'),
    ("bar", '|'),
    ("braceright", '}'),
    ("asciitilde", '~'),
];

/// The character a glyph name stands for.
pub fn char_of(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    // `a.sc`, `one.oldstyle`: the part before the first period is the name.
    let base = name.split('.').next().unwrap_or(name);
    if base.len() == 1 && base.as_bytes()[0].is_ascii_alphabetic() {
        return base.chars().next();
    }
    if let Some(&(_, character)) = NAMES.iter().find(|(known, _)| *known == base) {
        return Some(character);
    }
    let hex = base
        .strip_prefix("uni")
        .filter(|hex| hex.len() == 4)
        .or_else(|| base.strip_prefix('u').filter(|hex| (4..=6).contains(&hex.len())))?;
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_characters() {
        assert_eq!(char_of(b"uni5218"), Some('刘'));
        assert_eq!(char_of(b"u1F600"), Some('😀'));
        assert_eq!(char_of(b"A"), Some('A'));
        assert_eq!(char_of(b"one.oldstyle"), Some('1'));
        assert_eq!(char_of(b"g12"), None);
        assert_eq!(char_of(b"uniZZZZ"), None);
    }
}
