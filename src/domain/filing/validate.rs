//! The checks behind 暂存 and 提交 (SPEC §4.2). Both walk the form in order and normalise what was typed; 暂存 only
//! reports values that are present but wrong (shown, never blocking the save), 提交 also requires every required
//! field and refuses on any error. One walker serves both so a rule can never hold on one path and not the other.
//! Error keys are the form's input names (`achievements.{i}.fields.{key}`, i 0-based), in form order.

use chrono::NaiveDate;

use super::{
    Achievement, DOCUMENT_KINDS, FileLimits, FileRef, Filing, MEDIA_KINDS, OTHER_TITLE, TITLE_GRADES, title_grade_of,
};
use crate::domain::catalogue::{AchievementType, Catalogue, EvidenceSlot};
use crate::domain::field_errors::FieldErrors;
use crate::domain::formats;
use crate::domain::school_type::SchoolType;

/// What 本人承担部分 says of an achievement completed alone (填报说明 1).
pub const OWN_PART_INDEPENDENT: &str = "全部";

/// What a filing is checked against: the teacher's project and school, and the date the check runs.
#[derive(Debug, Clone, Copy)]
pub struct FilingRules<'a> {
    pub catalogue: &'a Catalogue,
    /// The project's maximum number of achievements (default 2).
    pub max_achievements: usize,
    /// The project's 申报学科 list; empty means the project has none configured and any value passes.
    pub subjects: &'a [String],
    /// The project's 现专技职务 titles; empty means any value passes. `其它` always passes.
    pub title_names: &'a [String],
    pub school_type: SchoolType,
    /// From the ID number (SPEC §2); 取得日期 must be after it.
    pub birth_date: Option<NaiveDate>,
    pub today: NaiveDate,
    pub limits: FileLimits,
}

const CONFIRM_MESSAGE: &str = "请勾选“本人已认真阅读‘填报说明’，并按照上述要求进行填报。”";

/// 暂存: no required-field checks; returns the filing with every well-formed value normalised (ill-formed ones kept
/// as typed, so nothing is lost) and the format errors to show.
pub fn check_formats(filing: &Filing, rules: &FilingRules) -> (Filing, FieldErrors) {
    Checker { rules, mode: Mode::Save, errors: FieldErrors::new() }.run(filing)
}

/// 提交: every rule. Returns the normalised filing, or all errors at once in form order. The normalised filing drops
/// what the chosen options make irrelevant: fields of other types, `title_other` unless `其它`, and the
/// contribution file of an independent achievement.
pub fn validate_for_submit(filing: &Filing, rules: &FilingRules) -> Result<Filing, FieldErrors> {
    let (filing, errors) = Checker { rules, mode: Mode::Submit, errors: FieldErrors::new() }.run(filing);
    errors.into_result().map(|()| filing)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Save,
    Submit,
}

struct Checker<'r, 'a> {
    rules: &'r FilingRules<'a>,
    mode: Mode,
    errors: FieldErrors,
}

impl<'a> Checker<'_, 'a> {
    fn run(mut self, filing: &Filing) -> (Filing, FieldErrors) {
        let mut filing = filing.clone();
        self.basic_info(&mut filing);
        if self.mode == Mode::Submit && filing.achievements.is_empty() {
            self.errors.add("achievements", "请至少填写1项教科研成果");
        }
        if filing.achievements.len() > self.rules.max_achievements {
            self.errors.add("achievements", format!("教科研成果数量至多为{}项", self.rules.max_achievements));
        }
        let mut types = Vec::with_capacity(filing.achievements.len());
        for (index, achievement) in filing.achievements.iter_mut().enumerate() {
            types.push(self.achievement(index, achievement));
        }
        // 证明材料 1..N is the form's third part, after every achievement.
        for (index, (achievement, achievement_type)) in filing.achievements.iter().zip(types).enumerate() {
            self.evidence(index, achievement, achievement_type);
        }
        if self.mode == Mode::Submit && !filing.confirmed_instructions {
            self.errors.add("confirmed_instructions", CONFIRM_MESSAGE);
        }
        (filing, self.errors)
    }

    fn basic_info(&mut self, filing: &mut Filing) {
        let rules = self.rules;
        trim(&mut filing.title_grade);
        trim(&mut filing.title_name);
        // The two selects of 现专技职务 read as one field: one message, under the first select left unset.
        if filing.title_grade.is_empty() {
            self.required("title_grade", "现专技职务");
        } else if !TITLE_GRADES.contains(&filing.title_grade.as_str()) {
            self.errors.add("title_grade", "请选择现专技职务等级：初级、中级或副高级");
        }
        if filing.title_name.is_empty() {
            if !filing.title_grade.is_empty() {
                self.required("title_name", "现专技职务");
            }
        } else if filing.title_name != OTHER_TITLE
            && !rules.title_names.is_empty()
            && !rules.title_names.contains(&filing.title_name)
        {
            self.errors.add("title_name", "请从列表中选择现专技职务；列表中没有的，请选择“其它”并填写");
        } else if let Some(grade) = title_grade_of(&filing.title_name)
            && TITLE_GRADES.contains(&filing.title_grade.as_str())
            && grade != filing.title_grade
        {
            self.errors.add(
                "title_name",
                format!("“{}”属于{grade}职务，与所选等级“{}”不符，请重新选择", filing.title_name, filing.title_grade),
            );
        }
        if filing.title_name == OTHER_TITLE {
            trim(&mut filing.title_other);
            if !filing.title_other.is_empty() {
                let result = formats::text(&filing.title_other);
                self.apply("title_other", &mut filing.title_other, result);
            } else if self.mode == Mode::Submit {
                self.errors.add("title_other", "选择“其它”时，请填写现专技职务名称");
            }
        } else if self.mode == Mode::Submit {
            filing.title_other.clear();
        }

        if self.present("title_date", "取得日期", &mut filing.title_date) {
            match formats::date(&filing.title_date, rules.today) {
                Ok(date) => {
                    let acquired = formats::parse_date(&date);
                    if let (Some(birth), Some(acquired)) = (rules.birth_date, acquired)
                        && acquired <= birth
                    {
                        self.errors.add("title_date", "取得日期应晚于出生日期");
                    }
                    filing.title_date = date;
                }
                Err(message) => self.errors.add("title_date", message),
            }
        }
        self.text("research_direction", "研究方向", &mut filing.research_direction);
        self.text("major_college", "大专所学专业", &mut filing.major_college);
        self.text("major_bachelor", "本科所学专业", &mut filing.major_bachelor);
        self.text("major_graduate", "研究生所学专业", &mut filing.major_graduate);
        if self.present("applied_subject", "申报学科", &mut filing.applied_subject)
            && !rules.subjects.is_empty()
            && !rules.subjects.contains(&filing.applied_subject)
        {
            self.errors.add("applied_subject", "请从列表中选择申报学科");
        }
        self.text("teaching_subject", "现任教学科", &mut filing.teaching_subject);
    }

    /// Checks one achievement (not its evidence) and returns its type when the teacher may use it.
    fn achievement(&mut self, index: usize, achievement: &mut Achievement) -> Option<&'a AchievementType> {
        let catalogue = self.rules.catalogue;
        let school_type = self.rules.school_type;
        let key = |name: &str| format!("achievements.{index}.{name}");

        self.text(&key("title"), "题目", &mut achievement.title);

        trim(&mut achievement.type_code);
        let found = if achievement.type_code.is_empty() { None } else { catalogue.get(&achievement.type_code) };
        // A type implies its level, so a form posted without the level radio (no JavaScript) still reads right.
        if achievement.level.is_none() {
            achievement.level = found.map(|achievement_type| achievement_type.level);
        }
        let mut level_refused = false;
        match achievement.level {
            None => self.required(&key("level"), "成果层次"),
            Some(level) if !catalogue.levels_offered_to(school_type).contains(&level) => {
                level_refused = true;
                let allowed = catalogue.school_types_for_level(level);
                let message = if allowed.is_empty() {
                    "成果层次无效，请重新选择".to_string()
                } else {
                    refusal(&format!("“{}”类成果", level.label()), &allowed, school_type)
                };
                self.errors.add(key("level"), message);
            }
            Some(_) => {}
        }

        let mut usable = None;
        match found {
            _ if achievement.type_code.is_empty() => self.required(&key("type_code"), "成果类型"),
            None => self.errors.add(key("type_code"), "成果类型无效，请重新选择"),
            Some(found) if achievement.level != Some(found.level) => {
                self.errors.add(key("type_code"), "成果类型与成果层次不符，请重新选择");
            }
            // The level's message already says why.
            Some(_) if level_refused => {}
            Some(found) if !found.allows(school_type) => {
                let message = refusal(&format!("“{}”", found.name), &found.allowed_school_types, school_type);
                self.errors.add(key("type_code"), message);
            }
            Some(found) => usable = Some(found),
        }

        if let Some(achievement_type) = usable {
            self.type_fields(index, achievement, achievement_type);
        }

        match achievement.independent {
            None => self.required(&key("independent"), "是否独立完成"),
            Some(false) if achievement.contribution_file.is_none() && self.mode == Mode::Submit => {
                self.errors
                    .add(key("contribution_file"), "非独立完成须上传《非独立完成的教育教学研究成果个人贡献情况表》");
            }
            Some(true) if self.mode == Mode::Submit => achievement.contribution_file = None,
            Some(_) => {}
        }
        if let Some(problem) = achievement
            .contribution_file
            .as_ref()
            .and_then(|file| file_problem(file, "个人贡献情况表", false, "", &self.rules.limits))
        {
            self.errors.add(key("contribution_file"), problem);
        }

        if self.present(&key("own_part"), "本人承担部分", &mut achievement.own_part) {
            let result = formats::own_part(&achievement.own_part);
            self.apply(&key("own_part"), &mut achievement.own_part, result);
            // 填报说明: 如为独立完成则填写“全部”. Checked on 提交 only: a draft may hold the text being typed.
            if self.mode == Mode::Submit
                && achievement.independent == Some(true)
                && achievement.own_part != OWN_PART_INDEPENDENT
                && self.errors.get(&key("own_part")).is_none()
            {
                self.errors.add(key("own_part"), "独立完成的成果，本人承担部分请填写“全部”");
            }
        }

        match &achievement.achievement_file {
            None => self.required(&key("achievement_file"), "成果上传"),
            Some(file) => {
                let allows_media = found.is_some_and(|achievement_type| achievement_type.allows_media);
                // Tell a teacher who switched away from 自创资源 why the video no longer fits.
                let note = if allows_media { "" } else { "（自创资源可上传MP4或ZIP）" };
                if let Some(problem) = file_problem(file, "成果附件", allows_media, note, &self.rules.limits) {
                    self.errors.add(key("achievement_file"), problem);
                }
            }
        }
        usable
    }

    /// The 成果情况 inputs of the chosen type, by their catalogue formats.
    fn type_fields(&mut self, index: usize, achievement: &mut Achievement, achievement_type: &AchievementType) {
        for spec in &achievement_type.fields {
            let key = format!("achievements.{index}.fields.{}", spec.key);
            let Some(mut value) = achievement.fields.get(&spec.key).cloned() else {
                self.required(&key, &spec.label);
                continue;
            };
            if self.present(&key, &spec.label, &mut value) {
                let result = formats::validate_value(spec.format, &value, self.rules.today);
                self.apply(&key, &mut value, result);
            }
            achievement.fields.insert(spec.key.clone(), value);
        }
        if self.mode == Mode::Submit {
            achievement.fields.retain(|key, _| achievement_type.field(key).is_some());
        }
    }

    /// 证明材料: the type's required slots must hold a file on submit; every file present must be WORD or PDF.
    fn evidence(&mut self, index: usize, achievement: &Achievement, achievement_type: Option<&AchievementType>) {
        for slot in EvidenceSlot::ALL {
            let key = format!("achievements.{index}.evidence.{}", slot.code());
            match achievement.evidence.get(&slot) {
                Some(file) => {
                    if let Some(problem) = file_problem(file, slot.label(), false, "", &self.rules.limits) {
                        self.errors.add(key, problem);
                    }
                }
                None => {
                    if achievement_type.is_some_and(|achievement_type| achievement_type.required_slots.contains(&slot))
                    {
                        self.required(&key, slot.label());
                    }
                }
            }
        }
    }

    /// On submit, records `{label}不能为空` for `key`; on save, nothing is required.
    fn required(&mut self, key: &str, label: &str) {
        if self.mode == Mode::Submit {
            self.errors.add(key, format!("{label}不能为空"));
        }
    }

    /// Trims `value` in place; returns whether anything is left, recording the empty case as `required`.
    fn present(&mut self, key: &str, label: &str, value: &mut String) -> bool {
        trim(value);
        if value.is_empty() {
            self.required(key, label);
            return false;
        }
        true
    }

    /// A free-text input: required on submit, trimmed and length-checked.
    fn text(&mut self, key: &str, label: &str, value: &mut String) {
        if self.present(key, label, value) {
            let result = formats::text(value);
            self.apply(key, value, result);
        }
    }

    /// Stores a normalised value, or keeps what was typed and records the message.
    fn apply(&mut self, key: &str, value: &mut String, result: Result<String, String>) {
        match result {
            Ok(normalised) => *value = normalised,
            Err(message) => self.errors.add(key, message),
        }
    }
}

fn trim(value: &mut String) {
    let trimmed = value.trim();
    if trimmed.len() != value.len() {
        *value = trimmed.to_string();
    }
}

/// The refusal of 填报说明 1, naming who may file `subject` and the teacher's own school type.
fn refusal(subject: &str, allowed: &[SchoolType], school_type: SchoolType) -> String {
    let labels: Vec<&str> = allowed.iter().map(|allowed| allowed.label()).collect();
    let who = match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}和{last}", rest.join("、")),
        _ => labels.concat(),
    };
    format!("{subject}仅供{who}的申报教师填报，{}的申报教师不得填报（见填报说明1）", school_type.label())
}

/// Why a stored file may not sit in this place, if it may not: documents are WORD or PDF up to the document limit
/// (20 MB by default); where `allows_media` (自创资源), MP4 and ZIP up to the media limit (500 MB) as well.
/// Rechecked here because a type change can leave a video behind in a type that does not take one. `note` is
/// appended to a wrong-kind message.
pub fn file_problem(file: &FileRef, what: &str, allows_media: bool, note: &str, limits: &FileLimits) -> Option<String> {
    let kind = file.kind.to_ascii_lowercase();
    if DOCUMENT_KINDS.contains(&kind.as_str()) {
        (file.size > limits.document_bytes()).then(|| format!("{what}大小须在{}M以下", limits.document_mib))
    } else if allows_media && MEDIA_KINDS.contains(&kind.as_str()) {
        (file.size > limits.media_bytes()).then(|| format!("{what}大小须在{}M以下", limits.media_mib))
    } else if allows_media {
        Some(format!("{what}仅支持WORD、PDF、MP4或ZIP格式{note}"))
    } else {
        Some(format!("{what}仅支持WORD或PDF格式{note}"))
    }
}

#[cfg(test)]
mod tests;
