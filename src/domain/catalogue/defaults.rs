//! The default catalogue of SPEC §5, the table exactly: what a new project starts from. Kept apart from the
//! catalogue's types so the data reads as one table.

use super::{AchievementType, Catalogue, EvidenceSlot, FieldFormat, FieldSpec, Level, SentencePart};
use crate::domain::school_type::SchoolType;

pub(super) fn catalogue() -> Catalogue {
    use EvidenceSlot as Slot;
    use FieldFormat as Format;
    use Level::{Deemed, Exchange, Formal, Public};

    let all = SchoolType::ALL.to_vec();
    let restricted = vec![SchoolType::Zhigao, SchoolType::Chengren];

    let formal = |code: &str, name: &str| AchievementType {
        code: code.into(),
        level: Formal,
        name: name.into(),
        allowed_school_types: all.clone(),
        fields: vec![
            field("published", "出版时间", Format::YearMonth),
            field("publisher", "出版社名称", Format::Text),
            rank_field(),
            field("cip", "CIP核字号", Format::Cip)
                .with_hint("*CIP核字号为10位,前4位为年份,后6位为编号。示例：2019102034"),
        ],
        sentence: vec![
            text("出版：于"),
            input("published"),
            text("由"),
            input("publisher"),
            text("发表，排序/排名："),
            input("rank"),
            SentencePart::LineBreak,
            text("CIP号为"),
            input("cip"),
        ],
        required_slots: vec![Slot::Formal],
        allows_media: false,
    };
    let public = |code: &str, name: &str, allowed: Vec<SchoolType>, slots: Vec<EvidenceSlot>| AchievementType {
        code: code.into(),
        level: Public,
        name: name.into(),
        allowed_school_types: allowed,
        fields: vec![
            field("published", "发表时间", Format::YearMonth),
            field("journal", "期刊名称", Format::Text),
            field("journal_number", "刊号", Format::JournalNumber).with_hint("说明：示例 ISSN 1671-0568 CN 11-1234/G4"),
            field("issue", "卷期", Format::Text).with_hint("说明：示例 2019年第5期"),
            rank_field(),
        ],
        sentence: vec![
            text("发表：于"),
            input("published"),
            text("在《"),
            input("journal"),
            text("》（"),
            input("journal_number"),
            text("）"),
            input("issue"),
            text("发表，排序/排名："),
            input("rank"),
        ],
        required_slots: slots,
        allows_media: false,
    };

    let types = vec![
        formal("monograph", "专著"),
        formal("textbook", "教材"),
        formal("formal_paper", "论文"),
        public("journal_paper", "论文", all.clone(), vec![Slot::Public]),
        public("unit_article", "单位署名文章", restricted.clone(), vec![Slot::Public, Slot::UnitSigned]),
        AchievementType {
            code: "award".into(),
            level: Deemed,
            name: "获奖成果".into(),
            allowed_school_types: restricted.clone(),
            fields: vec![
                field("awarded", "获奖时间", Format::YearMonth),
                field("awarding_body", "颁奖单位", Format::Text),
                field("award", "奖项名称及等级", Format::Text),
                rank_field(),
            ],
            sentence: vec![
                text("获奖：于"),
                input("awarded"),
                text("获"),
                input("awarding_body"),
                input("award"),
                text("，排序/排名："),
                input("rank"),
            ],
            required_slots: vec![Slot::Award],
            allows_media: false,
        },
        AchievementType {
            code: "research_project".into(),
            level: Deemed,
            name: "课题成果".into(),
            allowed_school_types: restricted.clone(),
            fields: vec![
                field("project_level", "课题级别", Format::Text).with_hint("说明：示例 市级"),
                field("approved", "立项时间", Format::YearMonth),
                field("approving_body", "立项单位", Format::Text),
                field("concluded", "结项时间", Format::YearMonth),
                rank_field(),
            ],
            sentence: vec![
                text("课题："),
                input("project_level"),
                text("课题，于"),
                input("approved"),
                text("由"),
                input("approving_body"),
                text("立项，"),
                input("concluded"),
                text("结项，排序/排名："),
                input("rank"),
            ],
            required_slots: vec![Slot::Project],
            allows_media: false,
        },
        AchievementType {
            code: "exchange_paper".into(),
            level: Exchange,
            name: "交流论文".into(),
            allowed_school_types: all.clone(),
            fields: vec![
                field("exchanged", "交流时间", Format::YearMonth),
                field("venue", "交流单位/活动", Format::Text),
            ],
            sentence: vec![text("交流：于"), input("exchanged"), text("在"), input("venue"), text("交流")],
            required_slots: vec![Slot::Exchange],
            allows_media: false,
        },
        AchievementType {
            code: "school_course".into(),
            level: Exchange,
            name: "校本课程".into(),
            allowed_school_types: restricted.clone(),
            fields: vec![
                field("developed", "开发时间", Format::YearMonth),
                field("scope", "使用范围", Format::Text),
                field("hours", "课时", Format::PositiveInt),
            ],
            sentence: vec![
                text("校本课程：于"),
                input("developed"),
                text("开发，在"),
                input("scope"),
                text("使用，"),
                input("hours"),
                text("课时"),
            ],
            required_slots: vec![Slot::SchoolCourse],
            allows_media: false,
        },
        AchievementType {
            code: "own_resource".into(),
            level: Exchange,
            name: "自创资源".into(),
            allowed_school_types: restricted,
            fields: vec![
                // SPEC §5 calls it {时间}; the fuller label keeps `{label}不能为空` and the diff unambiguous.
                field("accepted", "录用/获奖时间", Format::YearMonth),
                field("platform", "发布平台", Format::Text),
            ],
            sentence: vec![text("自创资源：于"), input("accepted"), text("在"), input("platform"), text("录用/获奖")],
            required_slots: vec![Slot::OwnResource],
            allows_media: true,
        },
    ];
    Catalogue { types }
}

fn field(key: &str, label: &str, format: FieldFormat) -> FieldSpec {
    FieldSpec { key: key.into(), label: label.into(), format, placeholder: format!("请输入{label}"), hint: None }
}

fn rank_field() -> FieldSpec {
    field("rank", "排序/排名", FieldFormat::Rank).with_hint("说明：示例 1/3")
}

impl FieldSpec {
    fn with_hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

fn text(text: &str) -> SentencePart {
    SentencePart::Text(text.into())
}

fn input(key: &str) -> SentencePart {
    SentencePart::Field(key.into())
}
