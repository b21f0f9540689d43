//! The Chinese text analyzer (jieba in search mode, long-token removal, lowercasing, symbol
//! removal) and the splitting of a reader's query into the tokens every match must contain.
//!
//! Indexing and querying use the same analyzer, so a query token always has the form of an
//! indexed token.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// Name under which the analyzer is registered in every opened index. Part of the format.
pub(crate) const TOKENIZER_NAME: &str = "zhiping_jieba";

/// Tokens of this many bytes or more are dropped: base64 blobs, URLs and hashes in extracted
/// attachment text would only bloat the term dictionary. 64 bytes still keep a 21-character
/// Chinese word or a long identifier such as an ISBN with hyphens.
const MAX_TOKEN_BYTES: usize = 64;

/// Query text past this many characters is ignored: a reader never types more, and it bounds the
/// work a pasted essay can cause.
const MAX_QUERY_CHARS: usize = 100;

/// Query tokens past this many are ignored, for the same reason.
const MAX_QUERY_TOKENS: usize = 32;

/// Builds the analyzer used for both indexing and querying.
///
/// jieba's search mode also emits the dictionary words inside a long word (`中等技术学校` gives
/// `中等`, `技术`, `学校` and `技术学校`), so a query for a part of a compound still finds it.
/// jieba does not lowercase, hence [`LowerCaser`]: without it `cip` misses `CIP`.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::new())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(DropSymbols)
        .build()
}

/// Forces jieba to load its dictionary (about 110 ms), which it otherwise does on first use.
pub(crate) fn warm_up() {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream("职称评审");
    while stream.advance() {}
}

/// A token of the query that a matching document must contain.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct QueryToken {
    /// The token as indexed (lowercased).
    pub text: String,
    /// Character offset within its word, so that phrase queries use the same positions as the
    /// index (jieba positions are character offsets).
    pub position: usize,
}

/// Splits query text into words and each word into the tokens a match must contain, adjacent
/// and in order. Words are separated by whitespace, and also by anything the analyzer drops
/// (punctuation, emoji): `职称，评审` is two words, as if typed with a space. The result is empty
/// exactly when the query has nothing to match.
pub(crate) fn query_words(analyzer: &TextAnalyzer, text: &str) -> Vec<Vec<QueryToken>> {
    let text = match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    };
    let mut analyzer = analyzer.clone();
    let mut budget = MAX_QUERY_TOKENS;
    let mut words = Vec::new();
    for word in text.split_whitespace() {
        let mut tokens = Vec::new();
        analyzer.token_stream(word).process(&mut |token: &Token| {
            tokens.push(token.clone());
        });
        for mut run in finest_tiling(&tokens) {
            run.truncate(budget);
            budget -= run.len();
            if !run.is_empty() {
                words.push(run);
            }
        }
        if budget == 0 {
            break;
        }
    }
    words
}

/// Chooses, among the overlapping tokens of one word, a left-to-right chain of adjacent tokens
/// that covers as many characters as possible and, among those, has the most (so the shortest)
/// tokens. Characters no chosen token covers split the chain into runs.
///
/// Requiring the shortest pieces is what makes a query robust to context: the document may have
/// segmented `技术学校` as one word or as `信息技术` + `学校`, but search mode emits `技术` and
/// `学校` in both cases, whereas the overlapping `术学` or the whole `技术学校` appear in only one.
fn finest_tiling(tokens: &[Token]) -> Vec<Vec<QueryToken>> {
    let Some(length) = tokens.iter().map(|t| t.position + t.position_length).max() else {
        return Vec::new();
    };
    // best[i] = (covered characters, token count, chosen token index) for the chain from i.
    let mut best: Vec<(usize, usize, Option<usize>)> = vec![(0, 0, None); length + 1];
    for start in (0..length).rev() {
        // Skipping a character covers nothing: symbols dropped by the analyzer leave such gaps.
        let mut choice = (best[start + 1].0, best[start + 1].1, None);
        for (index, token) in tokens.iter().enumerate() {
            let end = token.position + token.position_length;
            if token.position != start || end <= start {
                continue;
            }
            let candidate = (best[end].0 + (end - start), best[end].1 + 1, Some(index));
            if (candidate.0, candidate.1) > (choice.0, choice.1) {
                choice = candidate;
            }
        }
        best[start] = choice;
    }
    let mut runs = Vec::new();
    let mut run = Vec::new();
    let mut at = 0;
    while at < length {
        match best[at].2 {
            Some(index) => {
                let token = &tokens[index];
                run.push(QueryToken { text: token.text.clone(), position: token.position });
                at = token.position + token.position_length;
            }
            None => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
                at += 1;
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Drops tokens without any letter or digit (punctuation, spaces, emoji), which jieba emits as
/// tokens of their own: they would bloat the index and turn a query like `"` into a search for a
/// quote mark. CJK ideographs count as letters.
#[derive(Clone, Copy, Debug)]
struct DropSymbols;

impl TokenFilter for DropSymbols {
    type Tokenizer<T: Tokenizer> = DropSymbolsTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> DropSymbolsTokenizer<T> {
        DropSymbolsTokenizer { inner }
    }
}

#[derive(Clone, Debug)]
struct DropSymbolsTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for DropSymbolsTokenizer<T> {
    type TokenStream<'a> = DropSymbolsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DropSymbolsStream { tail: self.inner.token_stream(text) }
    }
}

struct DropSymbolsStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for DropSymbolsStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.tail.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &[Vec<QueryToken>]) -> Vec<Vec<&str>> {
        words.iter().map(|word| word.iter().map(|token| token.text.as_str()).collect()).collect()
    }

    #[test]
    fn query_words_use_the_finest_pieces_and_lowercase() {
        let analyzer = analyzer();
        let words = query_words(&analyzer, "  中等技术学校 CIP数据 ");
        assert_eq!(texts(&words), vec![vec!["中等", "技术", "学校"], vec!["cip", "数据"]]);
        assert_eq!(words[0][2].position, 4);
    }

    #[test]
    fn symbols_inside_a_word_separate_it() {
        let analyzer = analyzer();
        let words = query_words(&analyzer, "职称，评审🎉通知");
        assert_eq!(texts(&words), vec![vec!["职称"], vec!["评审"], vec!["通知"]]);
    }

    #[test]
    fn symbols_and_emoji_yield_no_words() {
        let analyzer = analyzer();
        for text in ["", "   ", "\"", ":", "(", "！？。", "🎉🎉", "\u{200b}"] {
            assert!(query_words(&analyzer, text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn long_queries_are_bounded() {
        let analyzer = analyzer();
        let words = query_words(&analyzer, &"职称评审 ".repeat(1000));
        let count: usize = words.iter().map(Vec::len).sum();
        assert!(count <= MAX_QUERY_TOKENS);
    }
}
