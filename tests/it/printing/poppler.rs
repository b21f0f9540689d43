//! Reading served PDFs back with poppler-utils (`pdftotext`, `pdfinfo`, `pdffonts`, `pdftoppm`), and keeping a copy
//! and a PNG of each in `test-artifacts/print/` for a person to look at. A missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-artifacts").join("print");
    std::fs::create_dir_all(&dir).expect("create test-artifacts/print");
    dir
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{tool} must be installed (Debian package poppler-utils): {error}"));
    assert!(output.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

/// A served PDF saved to a temporary file.
pub struct Pdf {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Pdf {
    pub fn new(bytes: &[u8]) -> Self {
        assert!(
            bytes.starts_with(b"%PDF-"),
            "not a PDF: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).expect("write the PDF");
        Self { _dir: dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("UTF-8 temp path")
    }

    /// The text in drawing order with every whitespace character removed (lines break wherever the layout wrapped).
    pub fn text(&self) -> String {
        poppler("pdftotext", &["-raw", "-enc", "UTF-8", self.path(), "-"])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// The text of one page (1-based), whitespace removed.
    pub fn page_text(&self, page: usize) -> String {
        let page = page.to_string();
        poppler("pdftotext", &["-raw", "-enc", "UTF-8", "-f", &page, "-l", &page, self.path(), "-"])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    pub fn pages(&self) -> usize {
        let info = poppler("pdfinfo", &[self.path()]);
        let line = info.lines().find(|line| line.starts_with("Pages:")).expect("pdfinfo prints Pages:");
        line.trim_start_matches("Pages:").trim().parse().expect("a page count")
    }

    /// A field of `pdfinfo` (e.g. `Title`), trimmed; empty when the document has none.
    pub fn info(&self, field: &str) -> String {
        let info = poppler("pdfinfo", &[self.path()]);
        let prefix = format!("{field}:");
        info.lines().find_map(|line| line.strip_prefix(&prefix)).unwrap_or("").trim().to_string()
    }

    /// The document catalog's /Lang (the language screen readers use), read with lopdf.
    pub fn language(&self) -> String {
        let document = lopdf::Document::load(&self.path).expect("lopdf reads the PDF");
        let catalog = document.catalog().expect("a catalog");
        match catalog.get(b"Lang") {
            Ok(lopdf::Object::String(bytes, _)) => String::from_utf8_lossy(bytes).into_owned(),
            other => panic!("no /Lang text string in the catalog: {other:?}"),
        }
    }

    /// Every font embedded and subset, with a Unicode map (what makes the text extractable).
    pub fn assert_fonts_embedded_and_subset(&self) {
        let fonts = poppler("pdffonts", &[self.path()]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "no fonts: {fonts}");
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            // name type… emb sub uni object-id generation: the flags are the 5th, 4th and 3rd from the end.
            assert_eq!(&columns[columns.len() - 5..columns.len() - 2], ["yes", "yes", "yes"], "emb/sub/uni: {fonts}");
            assert!(columns[0].contains('+'), "a subset font name has a tag: {fonts}");
        }
    }

    /// Keeps a copy of the PDF and a 60 dpi PNG of page `page` as `test-artifacts/print/{name}.{pdf,png}`.
    pub fn keep(&self, name: &str, page: usize) {
        let prefix = artifacts().join(name);
        std::fs::copy(&self.path, prefix.with_extension("pdf")).expect("copy the PDF to the artifacts");
        let page = page.to_string();
        let prefix = prefix.to_str().expect("UTF-8 path");
        poppler("pdftoppm", &["-png", "-r", "60", "-f", &page, "-l", &page, "-singlefile", self.path(), prefix]);
    }
}

/// Keeps a served page as `test-artifacts/print/{name}.html`, next to the PDFs it links to.
pub fn keep_page(name: &str, html: &str) {
    std::fs::write(artifacts().join(format!("{name}.html")), html).expect("write the page artifact");
}

pub fn assert_contains_all(text: &str, expected: &[&str]) {
    for item in expected {
        let item: String = item.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(&item), "missing {item:?} in extracted text:\n{text}");
    }
}

/// The verification code printed after `验证码：` (23 characters: four groups of five and the separators).
pub fn printed_code(text: &str) -> String {
    let start = text.find("验证码：").unwrap_or_else(|| panic!("no verification code in:\n{text}")) + "验证码：".len();
    let code: String = text[start..].chars().take(23).collect();
    assert!(
        code.len() == 23
            && code.split('-').all(|group| group.len() == 5 && group.chars().all(|c| c.is_ascii_alphanumeric())),
        "malformed printed code {code:?}"
    );
    code
}
