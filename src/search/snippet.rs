//! Highlighted titles and body snippets for the hits of one page, as escaped HTML with `<mark>`.
//!
//! Snippets are the expensive part of a search (each one re-tokenizes text with jieba), so they are
//! made only for the hits returned, and only over a bounded window of a long body.

use std::ops::Range;

use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;

use super::schema::{Fields, truncate_at_char};
use super::tokenizer::QueryToken;

/// Size of a body snippet in bytes: about 80 Chinese characters, two lines of a result list.
const SNIPPET_BYTES: usize = 240;

/// Bytes of a body handed to the snippet generator at once. jieba re-tokenizing the text is the
/// cost of a snippet, so a longer body (a notice, or megabytes of attachment text) is cut to a
/// window of this size around a match found by plain substring search: every hit then costs
/// about the same, whatever its length.
const BODY_WINDOW_BYTES: usize = SNIPPET_BYTES + WINDOW_LEAD_BYTES;

/// How far before the match a body window starts, so the snippet has some lead-in.
const WINDOW_LEAD_BYTES: usize = SNIPPET_BYTES / 3;

/// Windows tried per body before falling back to its beginning.
const MAX_WINDOWS: usize = 3;

const ELLIPSIS: &str = "…";

/// Makes the highlighted title and snippet of each hit of one search.
pub(crate) struct Highlighter {
    title: SnippetGenerator,
    body: SnippetGenerator,
    /// The query's tokens, lowercased, for locating the window of a long body.
    needles: Vec<String>,
}

impl Highlighter {
    /// Prepares highlighting for `query`; costs one term-frequency lookup per query token.
    pub(crate) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: &Fields,
        words: &[Vec<QueryToken>],
    ) -> tantivy::Result<Highlighter> {
        let mut title = SnippetGenerator::create(searcher, query, fields.title)?;
        // The whole title is shown; the fragment only tells where the matches are.
        title.set_max_num_chars(usize::MAX / 2);
        let mut body = SnippetGenerator::create(searcher, query, fields.body)?;
        body.set_max_num_chars(SNIPPET_BYTES);
        let needles = words.iter().flatten().map(|token| token.text.clone()).collect();
        Ok(Highlighter { title, body, needles })
    }

    /// The whole title, escaped, with its matches marked.
    pub(crate) fn title_html(&self, title: &str) -> String {
        let snippet = self.title.snippet(title);
        let offset = snippet.fragment_range().start;
        let marks: Vec<Range<usize>> =
            snippet.highlighted().iter().map(|range| range.start + offset..range.end + offset).collect();
        render(title, &marks)
    }

    /// A passage of the body around its first match, with the matches marked, or the beginning
    /// of the body when it has no match.
    pub(crate) fn snippet_html(&self, body: &str) -> String {
        for window_start in self.window_starts(body) {
            let window = truncate_at_char(&body[window_start..], BODY_WINDOW_BYTES);
            let snippet = self.body.snippet(window);
            if snippet.is_empty() {
                continue;
            }
            let fragment = snippet.fragment_range();
            let mut html = String::new();
            if window_start + fragment.start > 0 {
                html.push_str(ELLIPSIS);
            }
            html.push_str(&render(snippet.fragment(), snippet.highlighted()));
            if window_start + fragment.end < body.len() {
                html.push_str(ELLIPSIS);
            }
            return html;
        }
        beginning(body)
    }

    /// Where to try body windows: a little before the first verbatim occurrence of each query
    /// token, earliest first, at most [`MAX_WINDOWS`] of them. An occurrence may not be a token
    /// to jieba (`评审` inside `复评审核`), hence more than one try. A body that fits in one
    /// window is tried whole.
    fn window_starts(&self, body: &str) -> Vec<usize> {
        if body.len() <= BODY_WINDOW_BYTES {
            return vec![0];
        }
        // Tokens are lowercased. ASCII lowercasing keeps byte offsets, and Chinese has no case;
        // a token with non-ASCII capitals is simply not located, and the beginning is shown.
        let lowered;
        let haystack = if self.needles.iter().any(|n| n.bytes().any(|b| b.is_ascii_alphabetic())) {
            lowered = body.to_ascii_lowercase();
            lowered.as_str()
        } else {
            body
        };
        let mut occurrences: Vec<usize> =
            self.needles.iter().filter_map(|needle| haystack.find(needle.as_str())).collect();
        occurrences.sort_unstable();
        let mut starts: Vec<usize> = Vec::new();
        for occurrence in occurrences {
            let mut start = occurrence.saturating_sub(WINDOW_LEAD_BYTES);
            while !body.is_char_boundary(start) {
                start -= 1;
            }
            // An occurrence inside the previous window was already tried with it.
            if starts.last().is_none_or(|&last| occurrence >= last + BODY_WINDOW_BYTES) {
                starts.push(start);
            }
            if starts.len() == MAX_WINDOWS {
                break;
            }
        }
        starts
    }
}

/// The beginning of the body, escaped, for a hit whose match is only in the title.
fn beginning(body: &str) -> String {
    let body = body.trim_start();
    let head = truncate_at_char(body, SNIPPET_BYTES);
    let mut html = escape(head);
    if head.len() < body.len() {
        html.push_str(ELLIPSIS);
    }
    html
}

/// Escapes `text` and wraps the given byte ranges in `<mark>`. Overlapping ranges (search-mode
/// tokens overlap) and adjacent ones (`职称` + `评审`) become one mark. Ranges that do not fall
/// on character boundaries are ignored.
fn render(text: &str, marks: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    let mut done = 0;
    for mark in merge(marks) {
        let (Some(before), Some(marked)) = (text.get(done..mark.start), text.get(mark.clone())) else {
            continue;
        };
        html.push_str(&escape(before));
        html.push_str("<mark>");
        html.push_str(&escape(marked));
        html.push_str("</mark>");
        done = mark.end;
    }
    html.push_str(&escape(text.get(done..).unwrap_or_default()));
    html
}

/// Sorts ranges and merges those that overlap or touch.
fn merge(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|range| (range.start, range.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Minimal HTML escaping, safe both in element content and in quoted attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_escapes_and_merges_overlapping_marks() {
        // 职称 (3..9), 职称评审 (3..15) and 评审 (9..15) overlap: one mark.
        let text = "<b>职称评审</b>";
        let marks = [9..15, 3..15, 3..9];
        assert_eq!(render(text, &marks), "&lt;b&gt;<mark>职称评审</mark>&lt;/b&gt;");
        // Adjacent marks merge too; separated ones stay apart.
        assert_eq!(render("职称评审", &[0..6, 6..12]), "<mark>职称评审</mark>");
        assert_eq!(render("职称和评审", &[0..6, 9..15]), "<mark>职称</mark>和<mark>评审</mark>");
    }

    #[test]
    fn render_ignores_ranges_off_char_boundaries() {
        assert_eq!(render("职称", &[1..2, 4..5]), "职称");
    }

    #[test]
    fn beginning_is_cut_with_an_ellipsis() {
        let body = "通".repeat(200);
        let html = beginning(&body);
        assert!(html.ends_with(ELLIPSIS));
        assert_eq!(html.chars().count(), SNIPPET_BYTES / 3 + 1);
        assert_eq!(beginning("  短 & 小"), "短 &amp; 小");
    }
}
