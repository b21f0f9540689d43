//! Reading generated PDFs back with poppler-utils, and keeping copies and PNG renders for people to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the PNG renders go: kept after the test run, for a person to look at.
pub(super) fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts").join("pdf");
    std::fs::create_dir_all(&dir).expect("create test-artifacts/pdf");
    dir
}

/// Runs a poppler tool and returns its standard output. Panics (fails the test) if the tool is missing or fails.
pub(super) fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{tool} must be installed (Debian package poppler-utils): {error}"));
    assert!(output.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// A generated PDF saved in a temporary directory, with the checks every test needs.
pub(super) struct Written {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Written {
    pub(super) fn new(bytes: &[u8]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).expect("write the PDF");
        Self { _dir: dir, path }
    }

    pub(super) fn path(&self) -> &str {
        self.path.to_str().expect("temp paths are UTF-8")
    }

    /// The text in drawing order (`-raw`: pdftotext's reading-order guess would splice a vertically centred
    /// label into the middle of a multi-line value beside it), with all whitespace (including U+3000) removed,
    /// because line breaks fall wherever the layout wrapped.
    pub(super) fn text(&self) -> String {
        let text = poppler("pdftotext", &["-raw", "-enc", "UTF-8", self.path(), "-"]);
        without_whitespace(&text)
    }

    pub(super) fn pages(&self) -> usize {
        let info = poppler("pdfinfo", &[self.path()]);
        let line = info.lines().find(|line| line.starts_with("Pages:")).expect("pdfinfo prints Pages:");
        line.trim_start_matches("Pages:").trim().parse().expect("a page count")
    }

    pub(super) fn assert_page_size_a4(&self) {
        let info = poppler("pdfinfo", &[self.path()]);
        assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    }

    /// Every font is embedded and subset, with a Unicode map (what makes the text extractable).
    pub(super) fn assert_fonts_embedded_and_subset(&self) {
        let fonts = poppler("pdffonts", &[self.path()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "no fonts: {fonts}");
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            // name type... emb sub uni object-id generation: the flags are the 5th, 4th and 3rd from the end.
            let flags = &columns[columns.len() - 5..columns.len() - 2];
            assert_eq!(flags, ["yes", "yes", "yes"], "emb/sub/uni in {fonts}");
            assert!(columns[0].contains('+'), "a subset font name has a tag: {fonts}");
        }
    }

    /// Keeps a copy of the PDF and a 60 dpi PNG of its first page in the artifacts directory.
    pub(super) fn render_png(&self, name: &str) {
        let prefix = artifacts().join(name);
        std::fs::copy(&self.path, prefix.with_extension("pdf")).expect("copy the PDF to the artifacts");
        let prefix = prefix.to_str().expect("UTF-8 path");
        poppler("pdftoppm", &["-png", "-r", "60", "-singlefile", self.path(), prefix]);
    }
}

pub(super) fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub(super) fn assert_contains_all(text: &str, expected: &[&str]) {
    for item in expected {
        assert!(text.contains(&without_whitespace(item)), "missing {item:?} in extracted text:\n{text}");
    }
}
