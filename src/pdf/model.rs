//! What the printed documents show: plain, already-formatted strings. Callers (the service layer) decide the
//! wording of every value; this module only carries it to the page. The documents serialise (serde) so a caller
//! can fingerprint exactly what was printed (verification codes are reused for identical content).

use serde::Serialize;

/// The 成果鉴定登记表 of one submission (SPEC §7), as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegistrationForm {
    /// 姓名.
    pub name: String,
    /// 出生年月, e.g. "1980年12月".
    pub birth: String,
    /// 研究方向.
    pub research_direction: String,
    /// 最高学历 (大专 / 本科 / 研究生 / 其它).
    pub education: String,
    /// 最高学位 (无 / 学士 / 硕士 / 博士).
    pub degree: String,
    /// 大专所学专业 (`无` if none).
    pub major_college: String,
    /// 本科所学专业 (`无` if none).
    pub major_bachelor: String,
    /// 研究生所学专业 (`无` if none).
    pub major_graduate: String,
    /// 工作单位 (the school).
    pub school: String,
    /// 上级主管部门.
    pub department: String,
    /// 现专技职务, grade and title, e.g. "中级 一级教师".
    pub title: String,
    /// 取得日期 of the current title.
    pub title_date: String,
    /// 现任教学科.
    pub teaching_subject: String,
    /// 申报学科.
    pub applied_subject: String,
    /// The achievements, in order (成果1, 成果2, …). An empty list prints one blank achievement block.
    pub achievements: Vec<FormAchievement>,
}

/// One achievement (教研成果) on the registration form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormAchievement {
    /// 成果题目.
    pub title: String,
    /// 成果层次, e.g. "正式出版".
    pub level: String,
    /// 成果类型, e.g. "专著".
    pub kind: String,
    /// 成果情况: the sentence of SPEC §5 with its fields filled in.
    pub situation: String,
    /// 本人承担部分 (at most 255 UTF-8 bytes when entered).
    pub own_part: String,
    /// The achievement rests on a ★ item: printed as "（当年有效）" after the type.
    pub valid_this_year_only: bool,
}

/// The verification data printed at the foot of every document (SPEC §7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// 验证码.
    pub code: String,
    /// Public address where the code can be checked, e.g. `https://host/verify?code=...`.
    pub url: String,
    /// 打印日期, `yyyy-mm-dd`.
    pub issued_on: String,
}

/// The published 鉴定意见 of one submission (SPEC §6, §7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppraisalOpinion {
    /// The appraisal project's name, e.g. "2020年中职、技工学校教师高级职务教科研成果鉴定".
    pub project_name: String,
    /// 姓名.
    pub teacher_name: String,
    /// 工作单位.
    pub school: String,
    /// 上级主管部门.
    pub department: String,
    /// The titles of the appraised achievements, in order.
    pub achievement_titles: Vec<String>,
    /// 鉴定等级 (the final grade).
    pub grade: String,
    /// 鉴定意见 (the final opinion); line feeds start new paragraphs.
    pub opinion: String,
    /// The result rests on a ★ item: a prominent 当年有效 note is printed.
    pub valid_this_year_only: bool,
    /// The issuing operator, e.g. "上海市教育评估院".
    pub operator: String,
    /// Publication date, `yyyy-mm-dd` (printed as `yyyy年m月d日`) or any text to print as is.
    pub published_on: String,
}
