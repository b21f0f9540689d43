//! Behaviour of [`SearchIndex`] as its callers see it: matching, ranking, filters, writes,
//! pagination, highlighting, odd input, and recovery of the index directory.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use super::*;

type TestResult = Result<(), Box<dyn Error>>;

const NOW: i64 = 1_735_689_600; // 2025-01-01 00:00:00 UTC

fn doc(kind: DocKind, id: u64, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        kind,
        id,
        title: title.to_string(),
        body: body.to_string(),
        audience: Audience::All,
        published_at: NOW - 86_400,
    }
}

fn notice(id: u64, title: &str, body: &str) -> SearchDoc {
    doc(DocKind::Notice, id, title, body)
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_string(),
        kind: None,
        audiences: vec![Audience::All, Audience::Teachers, Audience::Admins],
        now: NOW,
        offset: 0,
        limit: 20,
    }
}

fn ids(page: &SearchPage) -> Vec<u64> {
    page.hits.iter().map(|hit| hit.id).collect()
}

fn open_with(dir: &Path, docs: &[SearchDoc]) -> Result<SearchIndex, SearchError> {
    let index = SearchIndex::open(dir)?;
    index.rebuild(docs.iter().cloned())?;
    Ok(index)
}

/// A temporary index holding `docs`; keep the `TempDir` alive as long as the index.
fn index_with(docs: &[SearchDoc]) -> Result<(tempfile::TempDir, SearchIndex), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let index = open_with(dir.path(), docs)?;
    Ok((dir, index))
}

fn sample() -> Vec<SearchDoc> {
    vec![
        notice(
            1,
            "关于开展2025年中职教师职称评审工作的通知",
            "各区教育局、各中等职业学校：现将本年度高级讲师职务评审工作安排通知如下。",
        ),
        notice(2, "教科研成果鉴定材料提交说明", "申报教师须在规定时间内上传论文、著作等材料，专家组进行成果鉴定。"),
        doc(DocKind::Material, 3, "论文格式要求", "期刊论文须提供ISSN号；著作须提供图书在版编目(CIP)数据页。"),
    ]
}

#[test]
fn finds_documents_by_title_and_by_body() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    assert_eq!(ids(&index.search(&query("职称评审"))?), vec![1]);
    assert_eq!(ids(&index.search(&query("成果鉴定"))?), vec![2]);
    assert_eq!(ids(&index.search(&query("ISSN"))?), vec![3]);
    assert_eq!(ids(&index.search(&query("高级讲师"))?), vec![1]);
    Ok(())
}

#[test]
fn part_of_a_compound_is_found_whatever_the_segmentation() -> TestResult {
    // jieba cuts this as 上海市 / 信息技术 / 学校, yet 技术学校 as a query is 技术 + 学校.
    let (_dir, index) = index_with(&[notice(1, "上海市信息技术学校", "招聘公告")])?;
    let page = index.search(&query("技术学校"))?;
    assert_eq!(ids(&page), vec![1]);
    assert_eq!(page.hits[0].title_html, "上海市信息<mark>技术学校</mark>");
    assert_eq!(ids(&index.search(&query("信息技术"))?), vec![1]);
    Ok(())
}

#[test]
fn latin_terms_match_in_any_case() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    for text in ["CIP", "cip", "Cip", "issn"] {
        assert_eq!(index.search(&query(text))?.total, 1, "{text}");
    }
    let page = index.search(&query("cip"))?;
    assert!(page.hits[0].snippet_html.contains("<mark>CIP</mark>"));
    Ok(())
}

#[test]
fn every_typed_word_must_occur() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    assert_eq!(ids(&index.search(&query("评审 通知"))?), vec![1]);
    assert_eq!(ids(&index.search(&query("评审 论文"))?), Vec::<u64>::new());
    // 论文 is in documents 2 and 3, 材料 only in 2.
    assert_eq!(index.search(&query("论文"))?.total, 2);
    assert_eq!(ids(&index.search(&query("论文 材料"))?), vec![2]);
    Ok(())
}

#[test]
fn a_title_match_outranks_a_single_body_match() -> TestResult {
    let filler = "学校教学管理制度的完善需要各方共同努力。".repeat(10);
    let mut in_body = notice(2, "近期工作安排", &format!("{filler}其中包括职称评审。{filler}"));
    // Newer, so a tie would put it first: the ranking must come from the title.
    in_body.published_at = NOW - 10;
    let in_title = notice(1, "职称评审通知", &filler);
    let (_dir, index) = index_with(&[in_body, in_title])?;
    let page = index.search(&query("职称评审"))?;
    assert_eq!(ids(&page), vec![1, 2]);
    assert!(page.hits[0].score > page.hits[1].score);
    Ok(())
}

#[test]
fn a_word_matches_as_typed_and_spaces_separate_words() -> TestResult {
    let scattered = notice(1, "通知", "职称工作由学校负责，材料评审由专家负责。");
    let adjacent = notice(2, "通知", "职称评审工作由学校负责，专家负责审核材料。");
    let (_dir, index) = index_with(&[scattered, adjacent])?;
    assert_eq!(ids(&index.search(&query("职称评审"))?), vec![2]);
    assert_eq!(sorted(ids(&index.search(&query("职称 评审"))?)), vec![1, 2]);
    Ok(())
}

#[test]
fn equal_scores_put_the_newer_document_first() -> TestResult {
    let mut older = notice(1, "职称评审通知", "内容相同。");
    let mut newer = notice(2, "职称评审通知", "内容相同。");
    older.published_at = NOW - 1_000;
    newer.published_at = NOW - 10;
    let (_dir, index) = index_with(&[older, newer])?;
    assert_eq!(ids(&index.search(&query("职称评审"))?), vec![2, 1]);
    Ok(())
}

#[test]
fn audience_filter_limits_what_a_reader_sees() -> TestResult {
    let mut for_teachers = notice(2, "评审通知", "教师须知");
    for_teachers.audience = Audience::Teachers;
    let mut for_admins = notice(3, "评审通知", "管理员须知");
    for_admins.audience = Audience::Admins;
    let docs = [notice(1, "评审通知", "全体须知"), for_teachers, for_admins];
    let (_dir, index) = index_with(&docs)?;
    let mut teacher = query("评审");
    teacher.audiences = vec![Audience::All, Audience::Teachers];
    let page = index.search(&teacher)?;
    assert_eq!((page.total, sorted(ids(&page))), (2, vec![1, 2]));
    let mut admin = query("评审");
    admin.audiences = vec![Audience::Admins];
    assert_eq!(ids(&index.search(&admin)?), vec![3]);
    let mut nobody = query("评审");
    nobody.audiences.clear();
    assert_eq!(index.search(&nobody)?, SearchPage::default());
    Ok(())
}

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids
}

#[test]
fn kind_filter_limits_to_notices_or_materials() -> TestResult {
    // The same id in both kinds: they are different documents.
    let docs = [notice(7, "论文要求", "通知正文"), doc(DocKind::Material, 7, "论文模板", "资料正文")];
    let (_dir, index) = index_with(&docs)?;
    assert_eq!(index.search(&query("论文"))?.total, 2);
    let mut materials = query("论文");
    materials.kind = Some(DocKind::Material);
    let page = index.search(&materials)?;
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].kind, DocKind::Material);
    materials.kind = Some(DocKind::Notice);
    assert_eq!(index.search(&materials)?.hits[0].kind, DocKind::Notice);
    Ok(())
}

#[test]
fn scheduled_documents_stay_invisible_until_published() -> TestResult {
    let mut scheduled = notice(1, "职称评审通知", "下周发布");
    scheduled.published_at = NOW + 3_600;
    let (_dir, index) = index_with(&[scheduled])?;
    assert_eq!(index.search(&query("职称评审"))?.total, 0);
    let mut later = query("职称评审");
    later.now = NOW + 3_600;
    assert_eq!(index.search(&later)?.total, 1);
    Ok(())
}

#[test]
fn delete_removes_a_document() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    index.delete(DocKind::Notice, 1)?;
    assert_eq!(index.search(&query("职称评审"))?.total, 0);
    // Same id, other kind, and an unknown id: nothing else changes and nothing fails.
    index.delete(DocKind::Material, 2)?;
    index.delete(DocKind::Notice, 999)?;
    assert_eq!(ids(&index.search(&query("成果鉴定"))?), vec![2]);
    Ok(())
}

#[test]
fn upsert_adds_and_replaces() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    index.upsert(&notice(4, "新通知", "关于继续教育学分的说明"))?;
    assert_eq!(ids(&index.search(&query("继续教育"))?), vec![4]);
    index.upsert(&notice(1, "关于高级讲师答辩的通知", "答辩安排"))?;
    assert_eq!(index.search(&query("职称评审"))?.total, 0);
    let page = index.search(&query("答辩"))?;
    assert_eq!((page.total, ids(&page)), (1, vec![1]));
    Ok(())
}

#[test]
fn pagination_counts_every_match() -> TestResult {
    let docs: Vec<SearchDoc> = (1..=45).map(|id| notice(id, &format!("第{id}号通知"), "职称评审相关事项")).collect();
    let (_dir, index) = index_with(&docs)?;
    let mut seen = Vec::new();
    for (offset, expected) in [(0, 20), (20, 20), (40, 5), (60, 0)] {
        let mut page_query = query("职称评审");
        page_query.offset = offset;
        let page = index.search(&page_query)?;
        assert_eq!((page.total, page.hits.len()), (45, expected), "offset {offset}");
        seen.extend(ids(&page));
    }
    assert_eq!(sorted(seen), (1..=45).collect::<Vec<u64>>());

    let mut odd = query("职称评审");
    for (offset, limit) in [(0, 0), (usize::MAX, 20), (MAX_RESULT_WINDOW, 5), (0, usize::MAX)] {
        odd.offset = offset;
        odd.limit = limit;
        let page = index.search(&odd)?;
        assert_eq!(page.total, 45);
        assert!(page.hits.len() <= MAX_PAGE_SIZE);
    }
    Ok(())
}

#[test]
fn matches_are_marked_and_text_is_escaped() -> TestResult {
    let docs = [
        notice(1, "<职称评审> & 通知", "请注意：<script>alert('x')</script> 职称评审将于下月开始。"),
        notice(2, "成果鉴定 \"说明\"", "正文里没有那个词。<b>粗体</b>"),
    ];
    let (_dir, index) = index_with(&docs)?;
    let hit = &index.search(&query("职称评审"))?.hits[0];
    assert_eq!(hit.title_html, "&lt;<mark>职称评审</mark>&gt; &amp; 通知");
    assert!(hit.snippet_html.contains("<mark>职称评审</mark>"), "{}", hit.snippet_html);
    assert!(hit.snippet_html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!hit.snippet_html.contains("<script>"));

    // A title-only match shows the beginning of the body, escaped, without marks.
    let hit = &index.search(&query("成果鉴定"))?.hits[0];
    assert_eq!(hit.title_html, "<mark>成果鉴定</mark> &quot;说明&quot;");
    assert_eq!(hit.snippet_html, "正文里没有那个词。&lt;b&gt;粗体&lt;/b&gt;");
    Ok(())
}

#[test]
fn a_match_deep_in_a_long_body_gets_a_snippet() -> TestResult {
    let body = format!("{}本书附图书在版编目(CIP)数据。{}", "无关内容。".repeat(20_000), "结尾。".repeat(100));
    let (_dir, index) = index_with(&[notice(1, "附件", &body)])?;
    let hit = &index.search(&query("cip"))?.hits[0];
    assert!(hit.snippet_html.starts_with('…'), "{}", hit.snippet_html);
    assert!(hit.snippet_html.ends_with('…'));
    assert!(hit.snippet_html.contains("<mark>CIP</mark>"));
    Ok(())
}

#[test]
fn odd_input_never_fails() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    let long = "职称评审".repeat(50_000);
    let odd = [
        "",
        "   ",
        "\t\n",
        "\"",
        "\"职称",
        "AND",
        "OR NOT",
        ":",
        "title:职称",
        "(",
        "职称 AND (评审",
        "*",
        "?",
        "-职称",
        "+评审",
        "[1 TO 2]",
        "\\",
        "~2",
        "^3",
        "🎉",
        "职称🎉评审",
        "\0",
        "\u{202e}",
        "'; DROP TABLE notices; --",
        &long,
    ];
    for text in odd {
        index.search(&query(text))?;
    }
    assert_eq!(index.search(&query(""))?, SearchPage::default());
    assert_eq!(index.search(&query("  ！？ "))?, SearchPage::default());
    // Words around the symbols still count.
    assert_eq!(ids(&index.search(&query("职称🎉评审"))?), vec![1]);
    assert_eq!(ids(&index.search(&query("title:职称"))?), Vec::<u64>::new());
    Ok(())
}

#[test]
fn a_new_index_needs_a_rebuild_and_a_reopened_one_does_not() -> TestResult {
    let dir = tempfile::tempdir()?;
    {
        let index = SearchIndex::open(dir.path())?;
        assert!(index.needs_rebuild());
        // Writes before the first rebuild do not make the index complete.
        index.upsert(&notice(9, "职称评审", "正文"))?;
        assert!(index.needs_rebuild());
    }
    {
        let index = SearchIndex::open(dir.path())?;
        assert!(index.needs_rebuild());
        assert_eq!(index.search(&query("职称评审"))?.total, 0);
        index.rebuild(sample().into_iter())?;
        assert!(!index.needs_rebuild());
    }
    let index = SearchIndex::open(dir.path())?;
    assert!(!index.needs_rebuild());
    assert_eq!(ids(&index.search(&query("职称评审"))?), vec![1]);
    Ok(())
}

#[test]
fn a_damaged_index_is_recreated_empty() -> TestResult {
    let dir = tempfile::tempdir()?;
    drop(open_with(dir.path(), &sample())?);
    std::fs::write(dir.path().join("meta.json"), b"{ not json at all")?;
    let unrelated = dir.path().join("keep-me.txt");
    std::fs::write(&unrelated, b"not ours")?;

    let index = SearchIndex::open(dir.path())?;
    assert!(index.needs_rebuild());
    assert_eq!(index.search(&query("职称评审"))?.total, 0);
    assert!(unrelated.exists());
    index.rebuild(sample().into_iter())?;
    assert_eq!(ids(&index.search(&query("职称评审"))?), vec![1]);
    Ok(())
}

#[test]
fn a_damaged_segment_file_is_detected() -> TestResult {
    let dir = tempfile::tempdir()?;
    drop(open_with(dir.path(), &sample())?);
    let mut damaged = 0;
    for entry in std::fs::read_dir(dir.path())? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "store") {
            let mut bytes = std::fs::read(&path)?;
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
            std::fs::write(&path, bytes)?;
            damaged += 1;
        }
    }
    assert!(damaged > 0);
    let index = SearchIndex::open(dir.path())?;
    assert!(index.needs_rebuild());
    Ok(())
}

#[test]
fn an_index_of_another_format_version_is_recreated() -> TestResult {
    let dir = tempfile::tempdir()?;
    drop(open_with(dir.path(), &sample())?);
    std::fs::write(dir.path().join(directory::MARKER_FILE), format!("zhiping-search-format {}\n", FORMAT_VERSION - 1))?;
    let index = SearchIndex::open(dir.path())?;
    assert!(index.needs_rebuild());
    assert_eq!(index.search(&query("职称评审"))?.total, 0);
    Ok(())
}

#[test]
fn a_deleted_index_rebuilt_gives_the_same_results() -> TestResult {
    let dir = tempfile::tempdir()?;
    let queries = ["职称评审", "论文", "cip", "材料 教师", "通知"];
    let before = {
        let index = open_with(dir.path(), &sample())?;
        queries.iter().map(|text| index.search(&query(text))).collect::<Result<Vec<_>, _>>()?
    };
    std::fs::remove_dir_all(dir.path())?;
    let index = SearchIndex::open(dir.path())?;
    assert!(index.needs_rebuild());
    assert_eq!(index.rebuild(sample().into_iter())?, 3);
    for (text, expected) in queries.iter().zip(&before) {
        assert_eq!(&index.search(&query(text))?, expected, "{text}");
    }
    Ok(())
}

#[test]
fn a_second_opener_is_refused_without_harm() -> TestResult {
    let dir = tempfile::tempdir()?;
    let index = open_with(dir.path(), &sample())?;
    assert!(matches!(SearchIndex::open(dir.path()), Err(SearchError::Locked(_))));
    assert_eq!(index.search(&query("职称评审"))?.total, 1);
    drop(index);
    assert!(!SearchIndex::open(dir.path())?.needs_rebuild());
    Ok(())
}

#[test]
fn searches_and_writes_run_concurrently() -> TestResult {
    let (_dir, index) = index_with(&sample())?;
    let index = Arc::new(index);
    std::thread::scope(|scope| {
        let writer = Arc::clone(&index);
        scope.spawn(move || {
            for id in 10..20 {
                let result = writer.upsert(&notice(id, "职称评审补充通知", "补充说明"));
                assert!(result.is_ok(), "{result:?}");
            }
        });
        for _ in 0..20 {
            let result = index.search(&query("职称评审"));
            assert!(result.is_ok_and(|page| page.total >= 1));
        }
    });
    assert_eq!(index.search(&query("职称评审"))?.total, 11);
    Ok(())
}
