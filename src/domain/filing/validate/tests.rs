//! Tests of 暂存 and 提交 validation: the manual's messages, in form order.

use super::*;
use crate::domain::catalogue::Level;
use crate::domain::filing::{default_subjects, default_title_names};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("date")
}

struct Fixture {
    catalogue: Catalogue,
    subjects: Vec<String>,
    title_names: Vec<String>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            catalogue: Catalogue::default_catalogue(),
            subjects: default_subjects(),
            title_names: default_title_names(),
        }
    }

    fn rules(&self, school_type: SchoolType) -> FilingRules<'_> {
        FilingRules {
            catalogue: &self.catalogue,
            max_achievements: 2,
            subjects: &self.subjects,
            title_names: &self.title_names,
            school_type,
            birth_date: Some(date(1980, 12, 28)),
            today: date(2020, 6, 15),
            limits: FileLimits::default(),
        }
    }
}

fn file(name: &str, kind: &str) -> FileRef {
    FileRef { sha256: format!("{:0>64}", name.len()), name: name.into(), size: 1024, kind: kind.into() }
}

fn monograph() -> Achievement {
    let mut achievement = Achievement {
        title: " 中职数学教学研究 ".into(),
        level: Some(Level::Formal),
        type_code: "monograph".into(),
        independent: Some(true),
        own_part: "全部".into(),
        achievement_file: Some(file("专著.pdf", "pdf")),
        ..Achievement::default()
    };
    for (key, value) in
        [("published", "2019年5月"), ("publisher", "高等教育出版社"), ("rank", "１／３"), ("cip", "2019102034")]
    {
        achievement.fields.insert(key.into(), value.into());
    }
    achievement.evidence.insert(EvidenceSlot::Formal, file("cip页.pdf", "pdf"));
    achievement
}

fn valid_filing() -> Filing {
    Filing {
        title_grade: "中级".into(),
        title_name: "一级教师".into(),
        title_other: "leftover".into(),
        title_date: "2015年9月1日".into(),
        research_direction: "职业教育课程改革".into(),
        major_college: "无".into(),
        major_bachelor: "数学与应用数学".into(),
        major_graduate: "无".into(),
        applied_subject: "数学".into(),
        teaching_subject: "数学".into(),
        achievements: vec![monograph()],
        confirmed_instructions: true,
    }
}

fn pairs(errors: &FieldErrors) -> Vec<(&str, &str)> {
    errors.0.iter().map(|error| (error.field.as_str(), error.message.as_str())).collect()
}

fn submit_errors(filing: &Filing, school_type: SchoolType) -> FieldErrors {
    let fixture = Fixture::new();
    validate_for_submit(filing, &fixture.rules(school_type)).expect_err("should be refused")
}

#[test]
fn empty_filing_gets_the_manuals_messages_in_form_order() {
    let errors = submit_errors(&Filing::default(), SchoolType::Zhongzhuan);
    assert_eq!(
        pairs(&errors),
        [
            ("title_grade", "现专技职务不能为空"),
            ("title_date", "取得日期不能为空"),
            ("research_direction", "研究方向不能为空"),
            ("major_college", "大专所学专业不能为空"),
            ("major_bachelor", "本科所学专业不能为空"),
            ("major_graduate", "研究生所学专业不能为空"),
            ("applied_subject", "申报学科不能为空"),
            ("teaching_subject", "现任教学科不能为空"),
            ("achievements.0.title", "题目不能为空"),
            ("achievements.0.level", "成果层次不能为空"),
            ("achievements.0.type_code", "成果类型不能为空"),
            ("achievements.0.independent", "是否独立完成不能为空"),
            ("achievements.0.own_part", "本人承担部分不能为空"),
            ("achievements.0.achievement_file", "成果上传不能为空"),
            ("confirmed_instructions", "请勾选“本人已认真阅读‘填报说明’，并按照上述要求进行填报。”"),
        ]
    );
}

#[test]
fn chosen_type_requires_its_fields_and_evidence() {
    let mut filing = valid_filing();
    filing.achievements[0].fields.clear();
    filing.achievements[0].evidence.clear();
    let errors = submit_errors(&filing, SchoolType::Zhongzhuan);
    assert_eq!(
        pairs(&errors),
        [
            ("achievements.0.fields.published", "出版时间不能为空"),
            ("achievements.0.fields.publisher", "出版社名称不能为空"),
            ("achievements.0.fields.rank", "排序/排名不能为空"),
            ("achievements.0.fields.cip", "CIP核字号不能为空"),
            ("achievements.0.evidence.formal", "正式出版相关证明不能为空"),
        ]
    );
}

#[test]
fn valid_filing_passes_and_is_normalised() {
    let fixture = Fixture::new();
    let mut filing = valid_filing();
    filing.achievements[0].fields.insert("journal".into(), "stale value of another type".into());
    filing.achievements[0].contribution_file = Some(file("贡献.pdf", "pdf"));
    let normalised = validate_for_submit(&filing, &fixture.rules(SchoolType::Zhongzhuan)).expect("valid");
    assert_eq!(normalised.title_date, "2015-09-01");
    assert_eq!(normalised.title_other, "");
    let achievement = &normalised.achievements[0];
    assert_eq!(achievement.title, "中职数学教学研究");
    assert_eq!(achievement.fields.get("published").map(String::as_str), Some("2019-05"));
    assert_eq!(achievement.fields.get("rank").map(String::as_str), Some("1/3"));
    assert!(!achievement.fields.contains_key("journal"));
    assert_eq!(achievement.contribution_file, None);
    // Two achievements are the default maximum; a ★ type is fine for 职业高中.
    let mut second = monograph();
    second.level = Some(Level::Public);
    second.type_code = "unit_article".into();
    second.fields.clear();
    for (key, value) in [
        ("published", "2018-03"),
        ("journal", "职业教育研究"),
        ("journal_number", "issn 1671-0568；cn 11-1234/g4"),
        ("issue", "2018年第3期"),
        ("rank", "1/1"),
    ] {
        second.fields.insert(key.into(), value.into());
    }
    second.evidence.clear();
    second.evidence.insert(EvidenceSlot::Public, file("期刊.pdf", "pdf"));
    second.evidence.insert(EvidenceSlot::UnitSigned, file("单位证明.docx", "docx"));
    filing.achievements.push(second);
    let normalised = validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).expect("valid");
    assert_eq!(
        normalised.achievements[1].fields.get("journal_number").map(String::as_str),
        Some("ISSN 1671-0568 CN 11-1234/G4")
    );
}

#[test]
fn restricted_types_are_refused_for_zhongzhuan() {
    let mut filing = valid_filing();
    filing.achievements[0].level = Some(Level::Public);
    filing.achievements[0].type_code = "unit_article".into();
    let errors = submit_errors(&filing, SchoolType::Zhongzhuan);
    assert_eq!(
        pairs(&errors),
        [(
            "achievements.0.type_code",
            "“单位署名文章”仅供职业高中和成人中等专业学校的申报教师填报，中等专业学校（中专）的申报教师不得填报（见填报说明1）"
        )]
    );

    filing.achievements[0].level = Some(Level::Deemed);
    filing.achievements[0].type_code = "award".into();
    let errors = submit_errors(&filing, SchoolType::Jigong);
    assert_eq!(
        pairs(&errors),
        [(
            "achievements.0.level",
            "“视作发表”类成果仅供职业高中和成人中等专业学校的申报教师填报，技工学校的申报教师不得填报（见填报说明1）"
        )]
    );
    // Saving shows the same refusal without blocking.
    let fixture = Fixture::new();
    let (_, errors) = check_formats(&filing, &fixture.rules(SchoolType::Jigong));
    assert_eq!(errors.0.len(), 1);
}

#[test]
fn non_independent_needs_the_contribution_file() {
    let mut filing = valid_filing();
    filing.achievements[0].independent = Some(false);
    filing.achievements[0].own_part = "第二章、第三章".into();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(
        pairs(&errors),
        [("achievements.0.contribution_file", "非独立完成须上传《非独立完成的教育教学研究成果个人贡献情况表》")]
    );
    filing.achievements[0].contribution_file = Some(file("贡献情况表.pdf", "pdf"));
    let fixture = Fixture::new();
    let normalised = validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).expect("valid");
    assert!(normalised.achievements[0].contribution_file.is_some());
}

#[test]
fn unit_article_requires_both_evidence_slots() {
    let mut filing = valid_filing();
    let achievement = &mut filing.achievements[0];
    achievement.level = Some(Level::Public);
    achievement.type_code = "unit_article".into();
    achievement.fields.clear();
    for (key, value) in [
        ("published", "2018-03"),
        ("journal", "职业教育研究"),
        ("journal_number", "ISSN 1671-0568"),
        ("issue", "第3期"),
        ("rank", "1/2"),
    ] {
        achievement.fields.insert(key.into(), value.into());
    }
    achievement.evidence.clear();
    achievement.evidence.insert(EvidenceSlot::Public, file("期刊.pdf", "pdf"));
    let errors = submit_errors(&filing, SchoolType::Chengren);
    assert_eq!(pairs(&errors), [("achievements.0.evidence.unit_signed", "署名单位文章的单位证明不能为空")]);
}

#[test]
fn basic_info_rules() {
    let mut filing = valid_filing();
    filing.title_name = OTHER_TITLE.into();
    filing.title_other = " ".into();
    filing.title_date = "1980-12-01".into();
    filing.applied_subject = "天文".into();
    filing.achievements[0].own_part = "编".repeat(86);
    filing.achievements.push(monograph());
    filing.achievements.push(monograph());
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(
        pairs(&errors),
        [
            ("title_other", "选择“其它”时，请填写现专技职务名称"),
            ("title_date", "取得日期应晚于出生日期"),
            ("applied_subject", "请从列表中选择申报学科"),
            ("achievements", "教科研成果数量至多为2项"),
            ("achievements.0.own_part", "本人承担部分至多255字节（含标点符号），当前258字节"),
        ]
    );

    let mut filing = valid_filing();
    filing.title_grade = "正高级".into();
    filing.title_name = "校长".into();
    filing.title_date = "2030-01-01".into();
    filing.achievements.clear();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(
        pairs(&errors),
        [
            ("title_grade", "请选择现专技职务等级：初级、中级或副高级"),
            ("title_name", "请从列表中选择现专技职务；列表中没有的，请选择“其它”并填写"),
            ("title_date", "日期不能晚于今天"),
            ("achievements", "请至少填写1项教科研成果"),
        ]
    );

    let mut filing = valid_filing();
    filing.title_name = String::new();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(pairs(&errors), [("title_name", "现专技职务不能为空")]);
}

#[test]
fn a_title_of_another_grade_is_refused_and_titles_a_project_adds_fit_every_grade() {
    let mut filing = valid_filing();
    filing.title_grade = "副高级".into();
    filing.title_name = "一级教师".into();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(pairs(&errors), [("title_name", "“一级教师”属于中级职务，与所选等级“副高级”不符，请重新选择")]);
    let fixture = Fixture::new();
    filing.title_name = "高级讲师".into();
    assert!(validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).is_ok());
    filing.title_name = OTHER_TITLE.into();
    filing.title_other = "研究员".into();
    assert!(validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).is_ok());
}

#[test]
fn files_must_fit_their_place() {
    let mut filing = valid_filing();
    filing.achievements[0].achievement_file = Some(file("课堂实录.mp4", "mp4"));
    filing.achievements[0].evidence.insert(EvidenceSlot::Award, file("证书.jpg", "jpg"));
    let mut big = file("大文件.pdf", "pdf");
    big.size = FileLimits::default().document_bytes() + 1;
    filing.achievements[0].evidence.insert(EvidenceSlot::Formal, big);
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(
        pairs(&errors),
        [
            ("achievements.0.achievement_file", "成果附件仅支持WORD或PDF格式（自创资源可上传MP4或ZIP）"),
            ("achievements.0.evidence.formal", "正式出版相关证明大小须在20M以下"),
            ("achievements.0.evidence.award", "获奖证明仅支持WORD或PDF格式"),
        ]
    );

    // 自创资源 takes a video.
    let mut filing = valid_filing();
    let achievement = &mut filing.achievements[0];
    achievement.level = Some(Level::Exchange);
    achievement.type_code = "own_resource".into();
    achievement.fields.clear();
    achievement.fields.insert("accepted".into(), "2019-11".into());
    achievement.fields.insert("platform".into(), "上海微校".into());
    achievement.achievement_file = Some(FileRef { size: 400 * 1024 * 1024, ..file("微课.mp4", "mp4") });
    achievement.evidence.clear();
    achievement.evidence.insert(EvidenceSlot::OwnResource, file("录用证明.pdf", "pdf"));
    let fixture = Fixture::new();
    assert!(validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).is_ok());
}

#[test]
fn type_and_level_must_agree_and_a_type_implies_its_level() {
    let mut filing = valid_filing();
    filing.achievements[0].level = Some(Level::Exchange);
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(pairs(&errors), [("achievements.0.type_code", "成果类型与成果层次不符，请重新选择")]);

    filing.achievements[0].level = None;
    let fixture = Fixture::new();
    let normalised = validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).expect("valid");
    assert_eq!(normalised.achievements[0].level, Some(Level::Formal));

    filing.achievements[0].type_code = "poem".into();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(
        pairs(&errors),
        [("achievements.0.level", "成果层次不能为空"), ("achievements.0.type_code", "成果类型无效，请重新选择")]
    );
}

#[test]
fn an_independent_achievement_says_quan_bu_on_submit_but_a_draft_may_say_anything() {
    let mut filing = valid_filing();
    filing.achievements[0].independent = Some(true);
    filing.achievements[0].own_part = "第一章至第三章".into();
    let errors = submit_errors(&filing, SchoolType::Zhigao);
    assert_eq!(pairs(&errors), [("achievements.0.own_part", "独立完成的成果，本人承担部分请填写“全部”")]);
    let fixture = Fixture::new();
    let (_, errors) = check_formats(&filing, &fixture.rules(SchoolType::Zhigao));
    assert!(errors.is_empty(), "暂存 keeps it: {errors:?}");
    filing.achievements[0].own_part = " 全部 ".into();
    validate_for_submit(&filing, &fixture.rules(SchoolType::Zhigao)).expect("全部, trimmed, is accepted");
}

#[test]
fn saving_reports_format_errors_only_and_keeps_what_was_typed() {
    let fixture = Fixture::new();
    let rules = fixture.rules(SchoolType::Zhongzhuan);
    let (saved, errors) = check_formats(&Filing::default(), &rules);
    assert!(errors.is_empty());
    assert_eq!(saved, Filing::default());

    let mut achievement = monograph();
    achievement.fields.insert("cip".into(), "201910203".into());
    achievement.fields.remove("publisher");
    achievement.own_part = String::new();
    achievement.achievement_file = None;
    let filing = Filing {
        research_direction: "  课程改革 ".into(),
        title_date: "2015/9/1".into(),
        achievements: vec![achievement],
        ..Filing::default()
    };
    let (saved, errors) = check_formats(&filing, &rules);
    assert_eq!(pairs(&errors), [("achievements.0.fields.cip", "CIP核字号为10位,前4位为年份,后6位为编号")]);
    assert_eq!(saved.research_direction, "课程改革");
    assert_eq!(saved.title_date, "2015-09-01");
    let fields = &saved.achievements[0].fields;
    assert_eq!(fields.get("cip").map(String::as_str), Some("201910203"));
    assert_eq!(fields.get("rank").map(String::as_str), Some("1/3"));
    assert!(!fields.contains_key("publisher"));
}

#[test]
fn the_operators_size_limits_decide_and_name_themselves() {
    let mut big = file("大.pdf", "pdf");
    big.size = 3 * 1024 * 1024;
    let strict = FileLimits { document_mib: 2, media_mib: 10 };
    assert_eq!(file_problem(&big, "成果附件", false, "", &strict).as_deref(), Some("成果附件大小须在2M以下"));
    assert_eq!(file_problem(&big, "成果附件", false, "", &FileLimits::default()), None);
    let mut video = file("课.mp4", "mp4");
    video.size = 11 * 1024 * 1024;
    assert_eq!(file_problem(&video, "成果附件", true, "", &strict).as_deref(), Some("成果附件大小须在10M以下"));
}
