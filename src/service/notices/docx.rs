//! A minimal Word (DOCX) writer for the demonstration materials: headings, paragraphs and ruled tables with
//! empty cells to fill in — enough for a form teachers download, complete and upload again. The package holds
//! only the three parts Word needs (`[Content_Types].xml`, `_rels/.rels`, `word/document.xml`).

use std::io::{Cursor, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// One block of the document body.
pub enum Block<'a> {
    /// A centred, bold, larger line.
    Title(&'a str),
    Paragraph(&'a str),
    /// Rows of cells; an empty cell is left blank for the reader to fill in.
    Table(Vec<Vec<&'a str>>),
}

/// The `.docx` bytes of `blocks`.
pub fn document(blocks: &[Block<'_>]) -> std::io::Result<Vec<u8>> {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Title(text) => body.push_str(&format!(
                "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val=\"32\"/></w:rPr><w:t>{}</w:t></w:r></w:p>",
                escape(text)
            )),
            Block::Paragraph(text) => {
                body.push_str(&format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", escape(text)))
            }
            Block::Table(rows) => {
                body.push_str(
                    "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
                     <w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>\
                     <w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>\
                     <w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
                     </w:tblBorders></w:tblPr>",
                );
                for row in rows {
                    body.push_str("<w:tr><w:trPr><w:trHeight w:val=\"600\"/></w:trPr>");
                    for cell in row {
                        body.push_str(&format!("<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>", escape(cell)));
                    }
                    body.push_str("</w:tr>");
                }
                body.push_str("</w:tbl><w:p/>");
            }
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>"
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, content) in
        [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("word/document.xml", document.as_str())]
    {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{FileKind, extract_text, sniff_path};

    #[test]
    fn the_written_document_is_a_docx_whose_text_reads_back() {
        let bytes = document(&[
            Block::Title("个人贡献情况表"),
            Block::Paragraph("成果题目 & 说明"),
            Block::Table(vec![vec!["姓名", ""], vec!["本人承担部分", ""]]),
        ])
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("form.docx");
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(sniff_path(&path).unwrap(), FileKind::Docx);
        let text = extract_text(&path, FileKind::Docx).unwrap();
        assert!(
            text.contains("个人贡献情况表") && text.contains("成果题目 & 说明") && text.contains("本人承担部分"),
            "{text}"
        );
    }
}
