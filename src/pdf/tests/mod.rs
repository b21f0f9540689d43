//! Black-box tests of the generated PDFs, read back with poppler-utils (`pdftotext`, `pdfinfo`, `pdffonts`,
//! `pdftoppm`). The tools are required: a missing tool fails the test rather than skipping it, because a PDF that
//! nobody read back proves nothing.
//!
//! PNG renders of every document land in `test-artifacts/pdf/` under the package root, for people to look at.

mod fixtures;
mod measure;
mod poppler;

use std::io::Write;
use std::sync::{Arc, Mutex};

use super::*;
use fixtures::{engine, form, maximal_form, opinion, verification};
use poppler::{Written, assert_contains_all};

fn assert_form_text(text: &str, form: &RegistrationForm) {
    assert_contains_all(
        text,
        &[
            "上海市中等职业学校、技工学校教师高级专业技术职务",
            "任职资格评审教科研成果鉴定登记表",
            "姓名",
            "出生年月",
            "研究方向",
            "最高学历",
            "最高学位",
            "大专",
            "本科",
            "研究生",
            "工作单位",
            "上级主管部门",
            "现专技职务",
            "取得日期",
            "现任教学科",
            "申报学科",
            "成果题目1",
            "成果层次",
            "成果类型",
            "成果情况",
            "本人承担部分",
            "工作单位公章",
            "上级主管部门公章",
            "此表一式两份，由申报人填写，经工作单位聘任委员会审核无误后，加盖公章分别粘贴于（两个）材料袋封面。",
            "验证码：ZP7K-3M9Q-X2TD",
            "查验地址：https://zhiping.example.edu.cn/verify?code=ZP7K-3M9Q-X2TD",
            "打印日期：2020-06-20",
        ],
    );
    let values = [
        &form.name,
        &form.birth,
        &form.research_direction,
        &form.education,
        &form.degree,
        &form.major_bachelor,
        &form.school,
        &form.department,
        &form.title,
        &form.title_date,
        &form.teaching_subject,
        &form.applied_subject,
    ];
    assert_contains_all(text, &values.map(String::as_str));
    for (index, achievement) in form.achievements.iter().enumerate() {
        assert_contains_all(
            text,
            &[
                &format!("成果题目{}", index + 1),
                &achievement.title,
                &achievement.level,
                &achievement.kind,
                &achievement.situation,
                &achievement.own_part,
            ],
        );
        if achievement.valid_this_year_only {
            assert_contains_all(text, &[&format!("{}（当年有效）", achievement.kind)]);
        }
    }
}

#[test]
fn registration_form_reads_back_exactly() {
    let form = form();
    let bytes = engine().registration_form(&form, &verification()).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 1);
    pdf.assert_page_size_a4();
    pdf.assert_fonts_embedded_and_subset();
    assert_form_text(&pdf.text(), &form);
    assert!(bytes.len() < 300 * 1024, "{} bytes", bytes.len());
    pdf.render_png("registration");
}

#[test]
fn maximal_registration_form_fits_one_page() {
    let form = maximal_form();
    let bytes = engine().registration_form(&form, &verification()).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 1);
    pdf.assert_fonts_embedded_and_subset();
    assert_form_text(&pdf.text(), &form);
    assert!(bytes.len() < 300 * 1024, "{} bytes", bytes.len());
    pdf.render_png("registration-maximal");
}

#[test]
fn a_form_without_achievements_prints_one_blank_block() {
    let mut form = form();
    form.achievements.clear();
    let bytes = engine().registration_form(&form, &verification()).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 1);
    let text = pdf.text();
    assert_contains_all(&text, &["成果题目1", "成果情况", "本人承担部分", "工作单位公章"]);
    assert!(!text.contains("成果题目2"));
    pdf.render_png("registration-blank");
}

#[test]
fn absurdly_long_input_is_refused_not_cut_off() {
    let mut form = maximal_form();
    for achievement in &mut form.achievements {
        achievement.situation = achievement.situation.repeat(12);
    }
    match engine().registration_form(&form, &verification()) {
        Err(PdfError::TextTooLong { field }) => assert!(field.starts_with("成果"), "{field}"),
        other => panic!("expected TextTooLong, got {:?}", other.map(|bytes| bytes.len())),
    }
}

#[test]
fn rare_name_characters_print() {
    let mut form = form();
    form.name = "王喆堃".to_owned();
    form.achievements[0].own_part = "与李昇、张珺合作完成".to_owned();
    let pdf = Written::new(&engine().registration_form(&form, &verification()).expect("render"));
    let text = pdf.text();
    assert_contains_all(&text, &["王喆堃", "与李昇、张珺合作完成"]);
    for c in ["喆", "堃", "昇", "珺"] {
        assert!(text.contains(c), "{c}");
    }
}

/// Records the fields of every event, to check what the engine logs.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut fields = Fields(format!("{} ", event.metadata().level()));
        event.record(&mut fields);
        if let Ok(mut events) = self.0.lock() {
            events.push(fields.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn missing_characters_are_drawn_as_boxes_and_logged_without_the_text() {
    let mut form = form();
    form.name = "刁彬😀".to_owned();
    form.achievements[0].own_part = "第\u{30000}章".to_owned();
    let recorder = Recorder::default();
    let bytes = tracing::subscriber::with_default(recorder.clone(), || {
        engine().registration_form(&form, &verification()).expect("render")
    });
    let text = Written::new(&bytes).text();
    assert_contains_all(&text, &["刁彬□", "第□章"]);

    let events = recorder.0.lock().expect("recorder lock").clone();
    let warnings: Vec<&String> = events.iter().filter(|event| event.starts_with("WARN")).collect();
    assert!(warnings.iter().any(|event| event.contains("U+1F600")), "{events:?}");
    assert!(warnings.iter().any(|event| event.contains("U+30000")), "{events:?}");
    for event in &events {
        assert!(!event.contains("刁彬") && !event.contains("第"), "personal data in a log event: {event}");
    }
}

#[test]
fn appraisal_opinion_reads_back_exactly() {
    let opinion = opinion();
    let bytes = engine().appraisal_opinion(&opinion, &verification()).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 1);
    pdf.assert_page_size_a4();
    pdf.assert_fonts_embedded_and_subset();
    let text = pdf.text();
    let titles: Vec<&str> = opinion.achievement_titles.iter().map(String::as_str).collect();
    assert_contains_all(&text, &titles);
    assert_contains_all(
        &text,
        &[
            &opinion.project_name,
            "鉴定意见",
            "姓名",
            "刁彬彬",
            "工作单位",
            "上海市南湖职业学校",
            "上级主管部门",
            "上海市虹口区教育局",
            "成果题目",
            "鉴定等级",
            "合格",
            &opinion.opinion,
            "当年有效",
            "上海市教育评估院",
            "2020年7月15日",
            "验证码：ZP7K-3M9Q-X2TD",
        ],
    );
    assert!(bytes.len() < 300 * 1024, "{} bytes", bytes.len());
    pdf.render_png("opinion");
}

#[test]
fn a_long_opinion_shrinks_onto_one_page_and_an_endless_one_is_refused() {
    let mut opinion = opinion();
    opinion.valid_this_year_only = false;
    opinion.achievement_titles = maximal_form().achievements.into_iter().map(|achievement| achievement.title).collect();
    opinion.opinion = opinion.opinion.repeat(8);
    let bytes = engine().appraisal_opinion(&opinion, &verification()).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 1);
    let text = pdf.text();
    assert_contains_all(&text, &[&opinion.opinion, "上海市教育评估院"]);
    assert!(!text.contains("当年有效"));
    pdf.render_png("opinion-long");

    opinion.opinion = opinion.opinion.repeat(10);
    match engine().appraisal_opinion(&opinion, &verification()) {
        Err(PdfError::TextTooLong { field }) => assert_eq!(field, "鉴定意见"),
        other => panic!("expected TextTooLong, got {:?}", other.map(|bytes| bytes.len())),
    }
}

#[test]
fn a_bundle_has_one_page_per_form() {
    let names = ["刁彬彬", "王喆", "李昇珺"];
    let forms = names.iter().map(|name| {
        let mut form = form();
        form.name = (*name).to_owned();
        (form, verification())
    });
    let mut bytes = Vec::new();
    engine().registration_bundle(forms, &mut bytes).expect("render");
    let pdf = Written::new(&bytes);
    assert_eq!(pdf.pages(), 3);
    pdf.assert_fonts_embedded_and_subset();
    assert_contains_all(&pdf.text(), &names);
}

#[test]
fn a_bundle_names_the_form_that_failed() {
    let mut broken = maximal_form();
    broken.achievements[1].title = broken.achievements[1].title.repeat(20);
    let forms = vec![(form(), verification()), (broken, verification())];
    match engine().registration_bundle(forms.into_iter(), &mut Vec::new()) {
        Err(PdfError::BundleItem { index: 1, source }) => {
            assert!(matches!(*source, PdfError::TextTooLong { .. }), "{source}")
        }
        other => panic!("expected BundleItem 1, got {other:?}"),
    }
}

#[test]
fn write_errors_are_reported() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let forms = std::iter::once((form(), verification()));
    match engine().registration_bundle(forms, &mut Full) {
        Err(PdfError::Io(error)) => assert_eq!(error.kind(), std::io::ErrorKind::StorageFull),
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn the_engine_is_shareable() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<PdfEngine>();
}

/// zhiping's own PDFs use a CID TrueType font (Identity-H) with a ToUnicode map: the shape Word and WPS give
/// Chinese text. The upload side reads them like pdftotext does.
#[test]
fn cid_truetype_pdfs_read_back_through_text_extraction() {
    let bytes = engine().registration_form(&form(), &verification()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, bytes).unwrap();
    let fonts = std::process::Command::new("pdffonts").arg(&path).output().expect("pdffonts (poppler-utils)");
    assert!(String::from_utf8_lossy(&fonts.stdout).contains("CID TrueType"), "the fixture is not the CID shape");
    crate::files::text_tests::assert_reads_like_pdftotext(&path);
}
