//! The achievement catalogue of SPEC §5 as data: levels (成果层次), types (成果类型), the fields each type asks for
//! (成果情况, shown as a sentence with inputs), the evidence slots (证明材料) it requires and the school types that
//! may use it. A project stores its own copy (serde) and an admin may change it, so nothing outside this module may
//! hard-code a type; `Catalogue::validate` is the gate for edited copies. Knows nothing of storage or pages.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::school_type::SchoolType;

mod defaults;

/// 成果层次. The order of `ALL` is the order of the radio buttons on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 正式出版
    Formal,
    /// 公开发表
    Public,
    /// 视作发表
    Deemed,
    /// 交流
    Exchange,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Formal, Level::Public, Level::Deemed, Level::Exchange];

    pub fn label(self) -> &'static str {
        match self {
            Level::Formal => "正式出版",
            Level::Public => "公开发表",
            Level::Deemed => "视作发表",
            Level::Exchange => "交流",
        }
    }

    /// The stable code used in forms, the API and stored data (equal to the serde name).
    pub fn code(self) -> &'static str {
        match self {
            Level::Formal => "formal",
            Level::Public => "public",
            Level::Deemed => "deemed",
            Level::Exchange => "exchange",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
    }
}

/// The eight single-file evidence slots (证明材料) of SPEC §4.2, in the order of the SPEC table. Serialises as its
/// code, so it can key a JSON map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSlot {
    Formal,
    Public,
    UnitSigned,
    Award,
    Exchange,
    SchoolCourse,
    Project,
    OwnResource,
}

impl EvidenceSlot {
    pub const ALL: [EvidenceSlot; 8] = [
        EvidenceSlot::Formal,
        EvidenceSlot::Public,
        EvidenceSlot::UnitSigned,
        EvidenceSlot::Award,
        EvidenceSlot::Exchange,
        EvidenceSlot::SchoolCourse,
        EvidenceSlot::Project,
        EvidenceSlot::OwnResource,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EvidenceSlot::Formal => "正式出版相关证明",
            EvidenceSlot::Public => "公开发表相关证明",
            EvidenceSlot::UnitSigned => "署名单位文章的单位证明",
            EvidenceSlot::Award => "获奖证明",
            EvidenceSlot::Exchange => "交流证明",
            EvidenceSlot::SchoolCourse => "校本课程相关证明",
            EvidenceSlot::Project => "课题材料证明",
            EvidenceSlot::OwnResource => "自创教学资源相关证明",
        }
    }

    /// The guidance shown with the slot (SPEC §4.2 table, the manual's wording).
    pub fn guidance(self) -> &'static str {
        match self {
            EvidenceSlot::Formal => "1.cip页、封面、封底扫描件 2.cip数据核字号查询页截图",
            EvidenceSlot::Public => "1.期刊封面、封底、目录扫描件 2.期刊查询结果 3.四大数据库收录截图",
            EvidenceSlot::UnitSigned => "署名单位出具的证明",
            EvidenceSlot::Award => "1.获奖证书",
            EvidenceSlot::Exchange => "1.交流单位盖章的交流证明",
            EvidenceSlot::SchoolCourse => "1.校本教材使用效果证明 2.课程质量审核证明",
            EvidenceSlot::Project => "1.立项书 2.结项证明",
            EvidenceSlot::OwnResource => "平台录用证明、获奖证明",
        }
    }

    /// The stable code used in form names (`achievements.{i}.evidence.{code}`) and stored data (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            EvidenceSlot::Formal => "formal",
            EvidenceSlot::Public => "public",
            EvidenceSlot::UnitSigned => "unit_signed",
            EvidenceSlot::Award => "award",
            EvidenceSlot::Exchange => "exchange",
            EvidenceSlot::SchoolCourse => "school_course",
            EvidenceSlot::Project => "project",
            EvidenceSlot::OwnResource => "own_resource",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|slot| slot.code() == code)
    }
}

/// How a 成果情况 field is checked and normalised (see `formats::validate_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldFormat {
    /// Free text.
    Text,
    /// `yyyy-mm`, not in the future.
    YearMonth,
    /// `yyyy-mm-dd`, not in the future.
    Date,
    /// 排序/排名 `n/m`.
    Rank,
    /// CIP核字号.
    Cip,
    /// 刊号: ISSN and/or CN.
    JournalNumber,
    /// A positive whole number (课时).
    PositiveInt,
}

/// One input of a type's 成果情况 sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Stable key, part of the form name `achievements.{i}.fields.{key}`: lower-case ASCII, digits and `_`.
    pub key: String,
    /// The name used in messages (`{label}不能为空`) and the diff, e.g. 出版时间.
    pub label: String,
    pub format: FieldFormat,
    /// e.g. 请输入出版时间.
    pub placeholder: String,
    /// Shown next to the input, e.g. `说明：示例 1/3`.
    #[serde(default)]
    pub hint: Option<String>,
}

/// A piece of a type's 成果情况 sentence: literal text, an input (by field key), or the start of a new line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentencePart {
    Text(String),
    Field(String),
    LineBreak,
}

impl SentencePart {
    /// Parses the template form an admin edits: `{key}` is a field, a newline a line break, the rest literal text.
    /// Braces cannot be escaped: a literal brace has no use in these sentences.
    pub fn parse_template(template: &str) -> Result<Vec<SentencePart>, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    let mut key = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(format!("句式中的“{{”未闭合：{template}")),
                            Some(inner) => key.push(inner),
                        }
                    }
                    if !text.is_empty() {
                        parts.push(SentencePart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(SentencePart::Field(key.trim().to_string()));
                }
                '}' => return Err(format!("句式中有多余的“}}”：{template}")),
                '\n' => {
                    if !text.is_empty() {
                        parts.push(SentencePart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(SentencePart::LineBreak);
                }
                '\r' => {}
                other => text.push(other),
            }
        }
        if !text.is_empty() {
            parts.push(SentencePart::Text(text));
        }
        Ok(parts)
    }

    /// The inverse of `parse_template`.
    pub fn to_template(parts: &[SentencePart]) -> String {
        let mut template = String::new();
        for part in parts {
            match part {
                SentencePart::Text(text) => template.push_str(text),
                SentencePart::Field(key) => {
                    template.push('{');
                    template.push_str(key);
                    template.push('}');
                }
                SentencePart::LineBreak => template.push('\n'),
            }
        }
        template
    }
}

/// One 成果类型 of one 成果层次.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AchievementType {
    /// Stable code, unique in the catalogue; stored in filings as `type_code`.
    pub code: String,
    pub level: Level,
    /// The radio label, e.g. 专著.
    pub name: String,
    /// The school types whose teachers may file it; a ★ type (SPEC §5) lists only 职业高中 and 成人中专.
    pub allowed_school_types: Vec<SchoolType>,
    /// The inputs, in the order they appear in the sentence.
    pub fields: Vec<FieldSpec>,
    pub sentence: Vec<SentencePart>,
    /// Evidence slots that must hold a file on submit; the other slots stay optional.
    pub required_slots: Vec<EvidenceSlot>,
    /// 自创资源: the achievement file may also be MP4 or ZIP up to 500 MB.
    #[serde(default)]
    pub allows_media: bool,
}

/// What `render_sentence` prints for a field left empty (the registration form's blank line).
pub const BLANK: &str = "____";

impl AchievementType {
    /// Not open to all four school types: a result resting on it is 当年有效 (填报说明 1).
    pub fn restricted(&self) -> bool {
        !SchoolType::ALL.iter().all(|school_type| self.allowed_school_types.contains(school_type))
    }

    pub fn allows(&self, school_type: SchoolType) -> bool {
        self.allowed_school_types.contains(&school_type)
    }

    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|field| field.key == key)
    }

    /// The sentence as plain text for PDFs and previews. A line break becomes `；` (SPEC §5 writes the two lines of
    /// 正式出版 that way); an empty or missing value becomes `____`.
    pub fn render_sentence(&self, values: &BTreeMap<String, String>) -> String {
        let mut rendered = String::new();
        for part in &self.sentence {
            match part {
                SentencePart::Text(text) => rendered.push_str(text),
                SentencePart::Field(key) => {
                    match values.get(key).map(|value| value.trim()).filter(|value| !value.is_empty()) {
                        Some(value) => rendered.push_str(value),
                        None => rendered.push_str(BLANK),
                    }
                }
                SentencePart::LineBreak => rendered.push('；'),
            }
        }
        rendered
    }
}

/// A project's whole catalogue; the order of `types` is the order of the radio buttons within each level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub types: Vec<AchievementType>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::default_catalogue()
    }
}

impl Catalogue {
    /// The defaults of SPEC §5, exactly.
    pub fn default_catalogue() -> Catalogue {
        defaults::catalogue()
    }

    pub fn get(&self, code: &str) -> Option<&AchievementType> {
        self.types.iter().find(|achievement_type| achievement_type.code == code)
    }

    pub fn types_of(&self, level: Level) -> impl Iterator<Item = &AchievementType> {
        self.types.iter().filter(move |achievement_type| achievement_type.level == level)
    }

    /// The types the form shows a teacher of `school_type`.
    pub fn offered_to(&self, school_type: SchoolType) -> impl Iterator<Item = &AchievementType> {
        self.types.iter().filter(move |achievement_type| achievement_type.allows(school_type))
    }

    /// The levels with at least one type offered to `school_type`, in form order: with the defaults 视作发表
    /// disappears for 中专 and 技工学校.
    pub fn levels_offered_to(&self, school_type: SchoolType) -> Vec<Level> {
        Level::ALL
            .into_iter()
            .filter(|level| self.offered_to(school_type).any(|achievement_type| achievement_type.level == *level))
            .collect()
    }

    /// The school types allowed to use at least one type of `level` (for the refusal message of a whole level).
    pub fn school_types_for_level(&self, level: Level) -> Vec<SchoolType> {
        SchoolType::ALL
            .into_iter()
            .filter(|school_type| self.types_of(level).any(|achievement_type| achievement_type.allows(*school_type)))
            .collect()
    }

    /// Whether the type `code` is restricted (★), which makes a result resting on it 当年有效; unknown codes are not.
    pub fn is_restricted(&self, code: &str) -> bool {
        self.get(code).is_some_and(AchievementType::restricted)
    }

    /// Sanity checks for an admin-edited catalogue; the message (Chinese, for the admin) names the first problem.
    /// Codes and keys are restricted to `[a-z0-9_]` because they become parts of form input names.
    pub fn validate(&self) -> Result<(), String> {
        if self.types.is_empty() {
            return Err("成果目录至少应有一个成果类型".into());
        }
        let mut codes = BTreeSet::new();
        let mut names = BTreeSet::new();
        for achievement_type in &self.types {
            let code = &achievement_type.code;
            let name = achievement_type.name.trim();
            if !is_code(code) {
                return Err(format!("成果类型代码“{code}”无效：只能由小写字母、数字和下划线组成"));
            }
            if !codes.insert(code.as_str()) {
                return Err(format!("成果类型代码“{code}”重复"));
            }
            if name.is_empty() {
                return Err(format!("成果类型“{code}”缺少名称"));
            }
            if !names.insert((achievement_type.level, name)) {
                return Err(format!("成果层次“{}”中成果类型“{name}”重复", achievement_type.level.label()));
            }
            if achievement_type.allowed_school_types.is_empty() {
                return Err(format!("成果类型“{name}”未选择适用的学校类型"));
            }
            let school_types: BTreeSet<_> = achievement_type.allowed_school_types.iter().collect();
            if school_types.len() != achievement_type.allowed_school_types.len() {
                return Err(format!("成果类型“{name}”的学校类型重复"));
            }
            let slots: BTreeSet<_> = achievement_type.required_slots.iter().collect();
            if slots.len() != achievement_type.required_slots.len() {
                return Err(format!("成果类型“{name}”的证明材料重复"));
            }
            validate_fields(achievement_type)?;
        }
        Ok(())
    }
}

/// Every field has a valid unique key and a label, and appears exactly once in the sentence: a field missing from
/// the sentence would never be shown, yet be required on submit.
fn validate_fields(achievement_type: &AchievementType) -> Result<(), String> {
    let name = achievement_type.name.trim();
    if achievement_type.fields.is_empty() {
        return Err(format!("成果类型“{name}”至少应有一个成果情况字段"));
    }
    let mut keys = BTreeSet::new();
    for field in &achievement_type.fields {
        if !is_code(&field.key) {
            return Err(format!("成果类型“{name}”的字段代码“{}”无效：只能由小写字母、数字和下划线组成", field.key));
        }
        if !keys.insert(field.key.as_str()) {
            return Err(format!("成果类型“{name}”的字段代码“{}”重复", field.key));
        }
        if field.label.trim().is_empty() {
            return Err(format!("成果类型“{name}”的字段“{}”缺少名称", field.key));
        }
    }
    let mut referenced = BTreeSet::new();
    for part in &achievement_type.sentence {
        if let SentencePart::Field(key) = part {
            if !keys.contains(key.as_str()) {
                return Err(format!("成果类型“{name}”的句式引用了不存在的字段“{key}”"));
            }
            if !referenced.insert(key.as_str()) {
                return Err(format!("成果类型“{name}”的句式重复引用字段“{key}”"));
            }
        }
    }
    if let Some(missing) = keys.difference(&referenced).next() {
        return Err(format!("成果类型“{name}”的字段“{missing}”未出现在句式中"));
    }
    Ok(())
}

fn is_code(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(types: impl Iterator<Item = impl std::ops::Deref<Target = AchievementType>>) -> Vec<String> {
        types.map(|achievement_type| achievement_type.name.clone()).collect()
    }

    #[test]
    fn default_catalogue_is_valid_and_matches_spec_table() {
        let catalogue = Catalogue::default_catalogue();
        assert_eq!(catalogue.validate(), Ok(()));
        assert_eq!(names(catalogue.types_of(Level::Formal)), ["专著", "教材", "论文"]);
        assert_eq!(names(catalogue.types_of(Level::Public)), ["论文", "单位署名文章"]);
        assert_eq!(names(catalogue.types_of(Level::Deemed)), ["获奖成果", "课题成果"]);
        assert_eq!(names(catalogue.types_of(Level::Exchange)), ["交流论文", "校本课程", "自创资源"]);
        let restricted: Vec<_> = catalogue.types.iter().filter(|t| t.restricted()).map(|t| t.name.as_str()).collect();
        assert_eq!(restricted, ["单位署名文章", "获奖成果", "课题成果", "校本课程", "自创资源"]);
        let unit_article = catalogue.get("unit_article").expect("unit article");
        assert_eq!(unit_article.required_slots, [EvidenceSlot::Public, EvidenceSlot::UnitSigned]);
        assert!(catalogue.get("own_resource").is_some_and(|t| t.allows_media));
        assert_eq!(catalogue.types.iter().filter(|t| t.allows_media).count(), 1);
        assert!(catalogue.get("nope").is_none());
    }

    #[test]
    fn zhongzhuan_and_jigong_see_no_restricted_types() {
        let catalogue = Catalogue::default_catalogue();
        for school_type in [SchoolType::Zhongzhuan, SchoolType::Jigong] {
            assert_eq!(catalogue.levels_offered_to(school_type), [Level::Formal, Level::Public, Level::Exchange]);
            assert_eq!(names(catalogue.offered_to(school_type)), ["专著", "教材", "论文", "论文", "交流论文"]);
        }
        for school_type in [SchoolType::Zhigao, SchoolType::Chengren] {
            assert_eq!(catalogue.levels_offered_to(school_type), Level::ALL);
            assert_eq!(catalogue.offered_to(school_type).count(), catalogue.types.len());
        }
        assert_eq!(catalogue.school_types_for_level(Level::Deemed), [SchoolType::Zhigao, SchoolType::Chengren]);
        assert_eq!(catalogue.school_types_for_level(Level::Formal), SchoolType::ALL);
    }

    #[test]
    fn sentences_render_as_in_spec() {
        let catalogue = Catalogue::default_catalogue();
        let book = catalogue.get("monograph").expect("monograph");
        let mut values = BTreeMap::new();
        values.insert("published".to_string(), "2019-05".to_string());
        values.insert("publisher".to_string(), "高等教育出版社".to_string());
        values.insert("rank".to_string(), "1/3".to_string());
        assert_eq!(book.render_sentence(&values), "出版：于2019-05由高等教育出版社发表，排序/排名：1/3；CIP号为____");
        let paper = catalogue.get("journal_paper").expect("paper");
        assert_eq!(paper.render_sentence(&BTreeMap::new()), "发表：于____在《____》（____）____发表，排序/排名：____");
        let project = catalogue.get("research_project").expect("project");
        assert_eq!(
            SentencePart::to_template(&project.sentence),
            "课题：{project_level}课题，于{approved}由{approving_body}立项，{concluded}结项，排序/排名：{rank}"
        );
    }

    #[test]
    fn field_placeholders_follow_the_manual() {
        let catalogue = Catalogue::default_catalogue();
        let book = catalogue.get("textbook").expect("textbook");
        let placeholders: Vec<_> = book.fields.iter().map(|field| field.placeholder.as_str()).collect();
        assert_eq!(placeholders, ["请输入出版时间", "请输入出版社名称", "请输入排序/排名", "请输入CIP核字号"]);
        assert_eq!(book.field("rank").and_then(|field| field.hint.as_deref()), Some("说明：示例 1/3"));
    }

    #[test]
    fn templates_round_trip_and_reject_broken_braces() {
        let template = "出版：于{published}由{publisher}发表，排序/排名：{rank}\nCIP号为{cip}";
        let parts = SentencePart::parse_template(template).expect("parses");
        assert_eq!(parts, Catalogue::default_catalogue().get("monograph").expect("monograph").sentence);
        assert_eq!(SentencePart::to_template(&parts), template);
        assert!(SentencePart::parse_template("于{published").is_err());
        assert!(SentencePart::parse_template("于published}").is_err());
    }

    #[test]
    fn validate_catches_admin_mistakes() {
        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[1].code = "monograph".into();
        assert_eq!(catalogue.validate(), Err("成果类型代码“monograph”重复".into()));

        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[0].sentence.push(SentencePart::Field("missing".into()));
        assert!(catalogue.validate().is_err_and(|message| message.contains("不存在的字段“missing”")));

        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[0].sentence.retain(|part| part != &SentencePart::Field("cip".into()));
        assert!(catalogue.validate().is_err_and(|message| message.contains("未出现在句式中")));

        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[0].fields[0].key = "出版".into();
        assert!(catalogue.validate().is_err());

        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[2].name = "专著".into();
        assert!(catalogue.validate().is_err_and(|message| message.contains("重复")));

        let mut catalogue = Catalogue::default_catalogue();
        catalogue.types[0].allowed_school_types.clear();
        assert!(catalogue.validate().is_err());

        assert!(Catalogue { types: Vec::new() }.validate().is_err());
    }

    #[test]
    fn serde_uses_stable_codes_and_round_trips() {
        let catalogue = Catalogue::default_catalogue();
        let json = serde_json::to_string(&catalogue).expect("serialises");
        assert!(json.contains(r#""level":"deemed""#));
        assert!(json.contains(r#""required_slots":["public","unit_signed"]"#));
        assert!(json.contains(r#""allowed_school_types":["zhigao","chengren"]"#));
        assert!(json.contains(r#"{"field":"rank"}"#));
        assert!(json.contains(r#""line_break""#));
        let back: Catalogue = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, catalogue);
        for level in Level::ALL {
            assert_eq!(serde_json::to_string(&level).expect("level"), format!("\"{}\"", level.code()));
            assert_eq!(Level::from_code(level.code()), Some(level));
        }
        for slot in EvidenceSlot::ALL {
            assert_eq!(serde_json::to_string(&slot).expect("slot"), format!("\"{}\"", slot.code()));
            assert_eq!(EvidenceSlot::from_code(slot.code()), Some(slot));
        }
    }
}
