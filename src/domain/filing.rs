//! The teacher's filing (SPEC §4.2): everything the teacher types on the 教科研成果鉴定 form, as one serde value that
//! a submission stores per version, plus the default choices the form offers. Validation (暂存 and 提交) lives in
//! `filing::validate`, the reviewers' field-by-field comparison in `filing::diff`. Files appear only as references
//! to stored blobs; the read-only 基本信息 maintained by the school is not part of the filing.

mod diff;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::{Catalogue, EvidenceSlot, Level};

pub use diff::{Change, diff};
pub use validate::{FilingRules, check_formats, file_problem, validate_for_submit};

/// 现专技职务 grades (the first select).
pub const TITLE_GRADES: [&str; 3] = ["初级", "中级", "副高级"];
/// The title choice that opens the free-text box (`title_other`).
pub const OTHER_TITLE: &str = "其它";
/// 最高学历 choices (maintained by the school; listed here so school forms and imports share them).
pub const EDUCATION_CHOICES: [&str; 4] = ["大专", "本科", "研究生", "其它"];
/// 最高学位 choices.
pub const DEGREE_CHOICES: [&str; 4] = ["无", "学士", "硕士", "博士"];

/// Document files (成果上传, 个人贡献情况表, 证明材料): WORD or PDF, 20 MB at most (manual: 20M以下).
pub const DOCUMENT_KINDS: [&str; 3] = ["pdf", "doc", "docx"];
/// A 自创资源 achievement file may also be a video or an archive, 500 MB at most.
pub const MEDIA_KINDS: [&str; 2] = ["mp4", "zip"];

/// The size limits of filed files, in MiB. The manual's are the defaults; the operator sets them in
/// `[uploads]`, and the upload check and the 提交 check both read them from here, so they never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    pub document_mib: u64,
    pub media_mib: u64,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits { document_mib: 20, media_mib: 500 }
    }
}

impl FileLimits {
    pub fn document_bytes(&self) -> u64 {
        self.document_mib.saturating_mul(1024 * 1024)
    }

    pub fn media_bytes(&self) -> u64 {
        self.media_mib.saturating_mul(1024 * 1024)
    }
}

/// The 现专技职务 titles a new project offers (SPEC §4.2 names the first four), ending with `其它`; the project may
/// change them. Validation accepts `其它` even if an admin drops it from the list.
pub fn default_title_names() -> Vec<String> {
    [
        "一级教师",
        "一级实习指导教师",
        "讲师",
        "实习指导教师",
        "二级教师",
        "二级实习指导教师",
        "助理讲师",
        "三级教师",
        "三级实习指导教师",
        "教员",
        "高级教师",
        "高级实习指导教师",
        "高级讲师",
        OTHER_TITLE,
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// The grade a known title belongs to (初级 / 中级 / 副高级), so the title list can follow the chosen grade and a
/// title of another grade is refused. Titles a project adds itself, and 其它, belong to every grade.
pub fn title_grade_of(title: &str) -> Option<&'static str> {
    match title {
        "二级教师" | "二级实习指导教师" | "助理讲师" | "三级教师" | "三级实习指导教师" | "教员" => {
            Some("初级")
        }
        "一级教师" | "一级实习指导教师" | "讲师" | "实习指导教师" => Some("中级"),
        "高级教师" | "高级实习指导教师" | "高级讲师" => Some("副高级"),
        _ => None,
    }
}

/// The 申报学科 choices a new project offers: the common courses of secondary vocational schools, then the
/// specialty groups of the vocational catalogue.
pub fn default_subjects() -> Vec<String> {
    [
        "语文",
        "数学",
        "英语",
        "思想政治",
        "历史",
        "信息技术",
        "体育与健康",
        "艺术",
        "计算机应用",
        "电子与信息",
        "机械",
        "电子电工",
        "汽车运用与维修",
        "土木建筑",
        "交通运输",
        "生物与化工",
        "财经商贸",
        "旅游服务",
        "医药卫生",
        "艺术设计",
        "学前教育",
        "农林牧渔",
        "公共管理与服务",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Everything the teacher fills in. Every field defaults so older stored versions keep loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filing {
    /// 现专技职务, first select: one of `TITLE_GRADES`.
    pub title_grade: String,
    /// 现专技职务, second select: one of the project's titles, or `OTHER_TITLE`.
    pub title_name: String,
    /// The free text when `title_name` is `其它`.
    pub title_other: String,
    /// 取得日期, `yyyy-mm-dd` once normalised.
    pub title_date: String,
    /// 研究方向
    pub research_direction: String,
    /// 大专所学专业 (`无` if none)
    pub major_college: String,
    /// 本科所学专业
    pub major_bachelor: String,
    /// 研究生所学专业
    pub major_graduate: String,
    /// 申报学科: one of the project's subjects.
    pub applied_subject: String,
    /// 现任教学科
    pub teaching_subject: String,
    /// 教研成果信息 1..N with their 证明材料.
    pub achievements: Vec<Achievement>,
    /// 本人已认真阅读“填报说明”，并按照上述要求进行填报。
    pub confirmed_instructions: bool,
}

/// A new form shows one empty achievement (N is at least 1).
impl Default for Filing {
    fn default() -> Self {
        Filing {
            title_grade: String::new(),
            title_name: String::new(),
            title_other: String::new(),
            title_date: String::new(),
            research_direction: String::new(),
            major_college: String::new(),
            major_bachelor: String::new(),
            major_graduate: String::new(),
            applied_subject: String::new(),
            teaching_subject: String::new(),
            achievements: vec![Achievement::default()],
            confirmed_instructions: false,
        }
    }
}

/// One 教研成果信息 block and its 证明材料 block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Achievement {
    /// 题目
    pub title: String,
    /// 成果层次
    pub level: Option<Level>,
    /// 成果类型: a catalogue type code.
    pub type_code: String,
    /// 成果情况: values by the type's field keys.
    pub fields: BTreeMap<String, String>,
    /// 是否独立完成: `Some(true)` 独立完成, `Some(false)` 非独立完成.
    pub independent: Option<bool>,
    /// 《非独立完成的教育教学研究成果个人贡献情况表》, required when not independent.
    pub contribution_file: Option<FileRef>,
    /// 本人承担部分 (≤ 255 bytes; `全部` when independent).
    pub own_part: String,
    /// 成果上传
    pub achievement_file: Option<FileRef>,
    /// 证明材料, one file per slot.
    pub evidence: BTreeMap<EvidenceSlot, FileRef>,
}

/// A stored upload: the blob's SHA-256 (content address) and what the teacher uploaded it as. `kind` is what the
/// files module detected from the content (`pdf`, `doc`, `docx`, `mp4`, `zip`), never the file-name extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    pub kind: String,
}

/// The most achievements any project may allow (`project_rules` keeps each project's limit in 1..=this).
pub const MAX_ACHIEVEMENTS_LIMIT: usize = 10;

/// What a request naming an achievement beyond the project's limit is told.
pub fn too_many_achievements(max: usize) -> String {
    format!("教科研成果数量至多为{max}项")
}

/// An achievement position (0-based) named by a request — a URL segment, a form input name — checked against the
/// project's limit `max` before anything is sized, looked up or stored by it: no number a client sends may grow a
/// filing, so every adapter passes its positions through here first.
pub fn achievement_position(position: u64, max: usize) -> Result<usize, String> {
    usize::try_from(position)
        .ok()
        .filter(|position| *position < max.min(MAX_ACHIEVEMENTS_LIMIT))
        .ok_or_else(|| too_many_achievements(max))
}

/// Whether any achievement rests on a restricted (★) type, which makes the result 当年有效.
pub fn uses_restricted_type(filing: &Filing, catalogue: &Catalogue) -> bool {
    filing.achievements.iter().any(|achievement| catalogue.is_restricted(&achievement.type_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_types_make_the_result_valid_for_one_year() {
        let catalogue = Catalogue::default_catalogue();
        let mut filing = Filing::default();
        assert!(!uses_restricted_type(&filing, &catalogue));
        filing.achievements[0].type_code = "monograph".into();
        assert!(!uses_restricted_type(&filing, &catalogue));
        filing.achievements.push(Achievement { type_code: "school_course".into(), ..Achievement::default() });
        assert!(uses_restricted_type(&filing, &catalogue));
    }

    #[test]
    fn filing_round_trips_through_json_with_slot_codes_as_keys() {
        let mut filing = Filing::default();
        let file = FileRef { sha256: "ab".repeat(32), name: "证明.pdf".into(), size: 10, kind: "pdf".into() };
        filing.achievements[0].evidence.insert(EvidenceSlot::UnitSigned, file);
        filing.achievements[0].level = Some(Level::Public);
        let json = serde_json::to_string(&filing).expect("serialises");
        assert!(json.contains(r#""evidence":{"unit_signed":{"#));
        assert!(json.contains(r#""level":"public""#));
        let back: Filing = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, filing);
        // Older versions with missing fields still load.
        let partial: Filing = serde_json::from_str(r#"{"research_direction":"职业教育"}"#).expect("partial");
        assert_eq!(partial.research_direction, "职业教育");
    }

    #[test]
    fn positions_from_requests_stay_below_the_projects_limit() {
        assert_eq!(achievement_position(0, 2), Ok(0));
        assert_eq!(achievement_position(1, 2), Ok(1));
        for position in [2, 3, 1_000_000, 1 << 63, u64::MAX] {
            assert_eq!(achievement_position(position, 2), Err("教科研成果数量至多为2项".to_string()), "{position}");
        }
        // A limit past the largest any project may have (a damaged record) still bounds the position.
        assert!(achievement_position(MAX_ACHIEVEMENTS_LIMIT as u64, usize::MAX).is_err());
    }

    #[test]
    fn default_choices() {
        assert!(default_title_names().starts_with(&["一级教师".into(), "一级实习指导教师".into()]));
        assert_eq!(default_title_names().last().map(String::as_str), Some(OTHER_TITLE));
        assert!(default_subjects().len() >= 20);
        assert_eq!(TITLE_GRADES, ["初级", "中级", "副高级"]);
    }
}
