//! The small, safe text format of notice bodies: every character is escaped, and only four things are
//! recognised — paragraphs (a blank line), line breaks (a single newline), `**bold**` and `[text](url)` links
//! whose address is relative (`/…`, `./…`, `../…`) or `http(s)://`. Anything else, raw HTML included, is shown
//! as the literal text it is, so a body can never inject markup or script into a page.
//!
//! [`to_html`] renders for pages (and the API's `body_html`); [`to_plain`] gives the text people read, for the
//! search index and snippets.

/// The body as HTML: `<p>` per paragraph, `<br>` per line break, `<strong>`, `<a href>`. Safe to embed as is.
pub fn to_html(source: &str) -> String {
    let mut html = String::with_capacity(source.len() + source.len() / 4);
    for paragraph in paragraphs(source) {
        html.push_str("<p>");
        for (index, line) in paragraph.iter().enumerate() {
            if index > 0 {
                html.push_str("<br>");
            }
            render_inline(line, &mut html);
        }
        html.push_str("</p>\n");
    }
    html
}

/// The body as plain text: the markers removed, a link reduced to its text, paragraphs separated by a newline.
pub fn to_plain(source: &str) -> String {
    let mut plain = String::with_capacity(source.len());
    for (index, paragraph) in paragraphs(source).into_iter().enumerate() {
        if index > 0 {
            plain.push('\n');
        }
        plain.push_str(&plain_inline(&paragraph.join("\n")));
    }
    plain
}

/// Non-blank lines grouped into paragraphs (split at blank lines), each line trimmed at its end.
fn paragraphs(source: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in source.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One piece of a line: literal text, bold text, or a link.
enum Piece<'a> {
    Text(&'a str),
    Bold(&'a str),
    Link { text: &'a str, url: &'a str },
}

/// Splits a line into pieces. Bold does not nest and does not span lines; a link's text may not contain `]`
/// nor its address whitespace or `)`. An unmatched marker stays literal text.
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut literal_start = 0;
    let mut position = 0;
    while position < rest.len() {
        let tail = &rest[position..];
        if let Some(after) = tail.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
        {
            if position > literal_start {
                out.push(Piece::Text(&rest[literal_start..position]));
            }
            out.push(Piece::Bold(&after[..end]));
            rest = &after[end + 2..];
            position = 0;
            literal_start = 0;
            continue;
        }
        if let Some(after) = tail.strip_prefix('[')
            && let Some(close) = after.find(']')
            && close > 0
            && let Some(address) = after[close + 1..].strip_prefix('(')
            && let Some(end) = address.find(')')
        {
            let text = &after[..close];
            let url = &address[..end];
            if !text.contains('[') && safe_url(url) {
                if position > literal_start {
                    out.push(Piece::Text(&rest[literal_start..position]));
                }
                out.push(Piece::Link { text, url });
                rest = &address[end + 1..];
                position = 0;
                literal_start = 0;
                continue;
            }
        }
        position += tail.chars().next().map_or(1, char::len_utf8);
    }
    if literal_start < rest.len() {
        out.push(Piece::Text(&rest[literal_start..]));
    }
    out
}

/// A link address is allowed when it is `http(s)://host…` or relative to this site (`/x`, `./x`, `../x`), and
/// holds no whitespace, quotes, angle brackets or backslashes. `//host` (another site without a scheme),
/// `javascript:`, `data:` and every other scheme are refused.
pub fn safe_url(url: &str) -> bool {
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c)) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let absolute = ["http://", "https://"]
        .iter()
        .any(|scheme| lower.strip_prefix(scheme).is_some_and(|host| !host.is_empty() && !host.starts_with('/')));
    let relative = (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("./") || url.starts_with("../");
    absolute || relative
}

fn render_inline(line: &str, html: &mut String) {
    for piece in pieces(line) {
        match piece {
            Piece::Text(text) => escape_into(text, html),
            Piece::Bold(text) => {
                html.push_str("<strong>");
                escape_into(text, html);
                html.push_str("</strong>");
            }
            Piece::Link { text, url } => {
                html.push_str("<a href=\"");
                escape_into(url, html);
                // Links to other sites open apart from the platform and learn nothing about it.
                if url.contains("://") {
                    html.push_str("\" rel=\"noopener noreferrer\" target=\"_blank");
                }
                html.push_str("\">");
                escape_into(text, html);
                html.push_str("</a>");
            }
        }
    }
}

fn plain_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if !out.is_empty() {
            out.push('\n');
        }
        for piece in pieces(line) {
            match piece {
                Piece::Text(text) | Piece::Bold(text) | Piece::Link { text, .. } => out.push_str(text),
            }
        }
    }
    out
}

/// HTML-escapes `text` (the five characters that matter in text and attribute values).
pub fn escape_into(text: &str, html: &mut String) {
    for character in text.chars() {
        match character {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            other => html.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_line_breaks_bold_and_links() {
        let source = "各区教育局：\n现将有关事项通知如下。\n\n一、**鉴定范围**\n详见[申报指南](/materials)和[教育评估院](https://www.seei.edu.sh.cn/a?b=1&c=2)。";
        assert_eq!(
            to_html(source),
            "<p>各区教育局：<br>现将有关事项通知如下。</p>\n<p>一、<strong>鉴定范围</strong><br>详见<a href=\"/materials\">申报指南</a>和\
             <a href=\"https://www.seei.edu.sh.cn/a?b=1&amp;c=2\" rel=\"noopener noreferrer\" target=\"_blank\">教育评估院</a>。</p>\n"
        );
        assert_eq!(to_plain(source), "各区教育局：\n现将有关事项通知如下。\n一、鉴定范围\n详见申报指南和教育评估院。");
    }

    #[test]
    fn raw_html_and_script_are_escaped() {
        let html = to_html("<script>alert('x')</script>\n<b onclick=\"x\">粗</b> & <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script") && !html.contains("<b ") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&amp;"));
        // Markup inside bold or link text is escaped too.
        assert_eq!(to_html("**<i>x</i>**"), "<p><strong>&lt;i&gt;x&lt;/i&gt;</strong></p>\n");
        assert_eq!(to_html("[<b>t</b>](/a)"), "<p><a href=\"/a\">&lt;b&gt;t&lt;/b&gt;</a></p>\n");
    }

    #[test]
    fn only_relative_and_http_links_become_links() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<x>",
            "//evil.example/x",
            "vbscript:x",
            "ftp://host/x",
            "http:///x",
            "/a\"onmouseover=\"x",
            "mailto:a@b.c",
        ] {
            let html = to_html(&format!("[点此]({bad})"));
            assert!(!html.contains("<a "), "{bad} became a link: {html}");
            assert!(html.contains("[点此]("), "{bad}: the text should stay literal: {html}");
        }
        for good in ["/notices/3", "./a.pdf", "../b", "http://intranet/x", "HTTPS://Example.com/"] {
            assert!(to_html(&format!("[点此]({good})")).contains("<a href="), "{good}");
        }
    }

    #[test]
    fn unmatched_markers_stay_literal() {
        assert_eq!(to_html("2**3 和 [未闭合"), "<p>2**3 和 [未闭合</p>\n");
        assert_eq!(to_html("****"), "<p>****</p>\n");
        assert_eq!(to_html("[](/a)"), "<p>[](/a)</p>\n");
        assert_eq!(to_html("\n\n  \n"), "");
        assert_eq!(to_plain("**粗体**[链](/x)"), "粗体链");
    }
}
