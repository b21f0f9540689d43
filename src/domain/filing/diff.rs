//! Field-by-field differences between two versions of a filing, so a reviewer sees what a teacher changed after a
//! return (SPEC §6). Labels are the form's; files compare by content (SHA-256), never by name. Achievements are
//! compared by position, as the form numbers them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Achievement, FileRef, Filing, OTHER_TITLE};
use crate::domain::catalogue::{AchievementType, Catalogue, EvidenceSlot};

/// One changed field. `key` is the form input name (as in field errors); `field` the label path shown to people,
/// e.g. `成果1·题目`; `before`/`after` are display texts (empty when there was nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Every field that differs between `before` and `after`, in form order. `确认填报说明` is left out: every
/// submitted version has it.
pub fn diff(before: &Filing, after: &Filing, catalogue: &Catalogue) -> Vec<Change> {
    let mut changes = Changes(Vec::new());
    changes.compare("title_name", "现专技职务", title_display(before), title_display(after));
    let basic = [
        ("title_date", "取得日期", &before.title_date, &after.title_date),
        ("research_direction", "研究方向", &before.research_direction, &after.research_direction),
        ("major_college", "大专所学专业", &before.major_college, &after.major_college),
        ("major_bachelor", "本科所学专业", &before.major_bachelor, &after.major_bachelor),
        ("major_graduate", "研究生所学专业", &before.major_graduate, &after.major_graduate),
        ("applied_subject", "申报学科", &before.applied_subject, &after.applied_subject),
        ("teaching_subject", "现任教学科", &before.teaching_subject, &after.teaching_subject),
    ];
    for (key, label, old, new) in basic {
        changes.compare(key, label, old.clone(), new.clone());
    }

    let empty = Achievement::default();
    let count = before.achievements.len().max(after.achievements.len());
    let pairs: Vec<(&Achievement, &Achievement)> = (0..count)
        .map(|index| {
            (before.achievements.get(index).unwrap_or(&empty), after.achievements.get(index).unwrap_or(&empty))
        })
        .collect();
    for (index, (old, new)) in pairs.iter().enumerate() {
        let number = index + 1;
        match (before.achievements.get(index), after.achievements.get(index)) {
            (None, Some(_)) => {
                changes.compare(&format!("achievements.{index}"), &format!("成果{number}"), "（无）", "（新增）")
            }
            (Some(_), None) => {
                changes.compare(&format!("achievements.{index}"), &format!("成果{number}"), "（原有）", "（已删除）")
            }
            _ => {}
        }
        achievement_changes(&mut changes, index, old, new, catalogue);
    }
    // 证明材料 is the form's third part, after every achievement.
    for (index, (old, new)) in pairs.iter().enumerate() {
        for slot in EvidenceSlot::ALL {
            changes.file(
                &format!("achievements.{index}.evidence.{}", slot.code()),
                &format!("证明材料{}·{}", index + 1, slot.label()),
                old.evidence.get(&slot),
                new.evidence.get(&slot),
            );
        }
    }
    changes.0
}

fn achievement_changes(
    changes: &mut Changes,
    index: usize,
    old: &Achievement,
    new: &Achievement,
    catalogue: &Catalogue,
) {
    let key = |name: &str| format!("achievements.{index}.{name}");
    let label = |name: &str| format!("成果{}·{name}", index + 1);
    let level =
        |achievement: &Achievement| achievement.level.map(|level| level.label().to_string()).unwrap_or_default();
    let type_name = |achievement: &Achievement| match catalogue.get(&achievement.type_code) {
        Some(achievement_type) => achievement_type.name.clone(),
        None => achievement.type_code.clone(),
    };
    let independent = |achievement: &Achievement| match achievement.independent {
        Some(true) => "独立完成".to_string(),
        Some(false) => "非独立完成".to_string(),
        None => String::new(),
    };

    changes.compare(&key("title"), &label("题目"), old.title.clone(), new.title.clone());
    changes.compare(&key("level"), &label("成果层次"), level(old), level(new));
    changes.compare(&key("type_code"), &label("成果类型"), type_name(old), type_name(new));
    let types = [catalogue.get(&new.type_code), catalogue.get(&old.type_code)];
    for field_key in field_order(&types, &old.fields, &new.fields) {
        let field_label = types
            .iter()
            .flatten()
            .find_map(|achievement_type| achievement_type.field(&field_key))
            .map_or(field_key.clone(), |spec| spec.label.clone());
        changes.compare(
            &key(&format!("fields.{field_key}")),
            &label(&field_label),
            old.fields.get(&field_key).cloned().unwrap_or_default(),
            new.fields.get(&field_key).cloned().unwrap_or_default(),
        );
    }
    changes.compare(&key("independent"), &label("是否独立完成"), independent(old), independent(new));
    changes.file(
        &key("contribution_file"),
        &label("个人贡献情况表"),
        old.contribution_file.as_ref(),
        new.contribution_file.as_ref(),
    );
    changes.compare(&key("own_part"), &label("本人承担部分"), old.own_part.clone(), new.own_part.clone());
    changes.file(
        &key("achievement_file"),
        &label("成果上传"),
        old.achievement_file.as_ref(),
        new.achievement_file.as_ref(),
    );
}

/// The 成果情况 keys to compare: the new type's fields in sentence order, then the old type's, then any other key.
fn field_order(
    types: &[Option<&AchievementType>],
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let declared = types.iter().flatten().flat_map(|achievement_type| &achievement_type.fields).map(|spec| &spec.key);
    for key in declared.chain(new.keys()).chain(old.keys()) {
        if !order.contains(key) {
            order.push(key.clone());
        }
    }
    order
}

fn title_display(filing: &Filing) -> String {
    let name = if filing.title_name == OTHER_TITLE && !filing.title_other.trim().is_empty() {
        format!("{OTHER_TITLE}（{}）", filing.title_other.trim())
    } else {
        filing.title_name.clone()
    };
    [filing.title_grade.trim(), name.trim()].into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

struct Changes(Vec<Change>);

impl Changes {
    fn compare(&mut self, key: &str, field: &str, before: impl Into<String>, after: impl Into<String>) {
        let (before, after) = (before.into(), after.into());
        if before.trim() != after.trim() {
            self.0.push(Change { key: key.into(), field: field.into(), before, after });
        }
    }

    /// Files differ when their content does; a re-upload under the same name says so.
    fn file(&mut self, key: &str, field: &str, before: Option<&FileRef>, after: Option<&FileRef>) {
        if before.map(|file| &file.sha256) == after.map(|file| &file.sha256) {
            return;
        }
        let before_name = before.map(|file| file.name.clone()).unwrap_or_default();
        let mut after_name = after.map(|file| file.name.clone()).unwrap_or_default();
        if after.is_some() && before_name == after_name {
            after_name.push_str("（已重新上传）");
        }
        self.0.push(Change { key: key.into(), field: field.into(), before: before_name, after: after_name });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::Level;

    fn file(name: &str, sha: char) -> FileRef {
        FileRef { sha256: sha.to_string().repeat(64), name: name.into(), size: 1, kind: "pdf".into() }
    }

    fn filing() -> Filing {
        let mut achievement = Achievement {
            title: "中职数学教学研究".into(),
            level: Some(Level::Formal),
            type_code: "monograph".into(),
            independent: Some(true),
            own_part: "全部".into(),
            achievement_file: Some(file("专著.pdf", 'a')),
            ..Achievement::default()
        };
        achievement.fields.insert("rank".into(), "1/3".into());
        achievement.fields.insert("cip".into(), "2019102034".into());
        achievement.evidence.insert(EvidenceSlot::Formal, file("cip页.pdf", 'b'));
        Filing {
            title_grade: "中级".into(),
            title_name: "一级教师".into(),
            research_direction: "课程改革".into(),
            achievements: vec![achievement],
            confirmed_instructions: true,
            ..Filing::default()
        }
    }

    fn rows(changes: &[Change]) -> Vec<(&str, &str, &str)> {
        changes.iter().map(|change| (change.field.as_str(), change.before.as_str(), change.after.as_str())).collect()
    }

    #[test]
    fn identical_versions_have_no_changes() {
        let catalogue = Catalogue::default_catalogue();
        assert!(diff(&filing(), &filing(), &catalogue).is_empty());
    }

    #[test]
    fn lists_changed_fields_and_replaced_files_in_form_order() {
        let catalogue = Catalogue::default_catalogue();
        let before = filing();
        let mut after = filing();
        after.title_name = OTHER_TITLE.into();
        after.title_other = "高级技师".into();
        after.research_direction = "课程与教学".into();
        let achievement = &mut after.achievements[0];
        achievement.type_code = "textbook".into();
        achievement.fields.insert("rank".into(), "2/3".into());
        achievement.fields.insert("publisher".into(), "高等教育出版社".into());
        achievement.achievement_file = Some(file("专著.pdf", 'c'));
        achievement.evidence.insert(EvidenceSlot::Formal, file("cip页-新.pdf", 'd'));
        achievement.evidence.insert(EvidenceSlot::Award, file("获奖证书.pdf", 'e'));
        let changes = diff(&before, &after, &catalogue);
        assert_eq!(
            rows(&changes),
            [
                ("现专技职务", "中级 一级教师", "中级 其它（高级技师）"),
                ("研究方向", "课程改革", "课程与教学"),
                ("成果1·成果类型", "专著", "教材"),
                ("成果1·出版社名称", "", "高等教育出版社"),
                ("成果1·排序/排名", "1/3", "2/3"),
                ("成果1·成果上传", "专著.pdf", "专著.pdf（已重新上传）"),
                ("证明材料1·正式出版相关证明", "cip页.pdf", "cip页-新.pdf"),
                ("证明材料1·获奖证明", "", "获奖证书.pdf"),
            ]
        );
        assert_eq!(changes[4].key, "achievements.0.fields.rank");
        assert_eq!(changes[7].key, "achievements.0.evidence.award");
    }

    #[test]
    fn renamed_file_with_same_content_is_no_change_and_added_achievements_are_marked() {
        let catalogue = Catalogue::default_catalogue();
        let before = filing();
        let mut after = filing();
        after.achievements[0].achievement_file = Some(file("改名.pdf", 'a'));
        assert!(diff(&before, &after, &catalogue).is_empty());

        after.achievements.push(Achievement { title: "第二项".into(), ..Achievement::default() });
        let changes = diff(&before, &after, &catalogue);
        assert_eq!(rows(&changes), [("成果2", "（无）", "（新增）"), ("成果2·题目", "", "第二项")]);
        let changes = diff(&after, &before, &catalogue);
        assert_eq!(rows(&changes), [("成果2", "（原有）", "（已删除）"), ("成果2·题目", "第二项", "")]);
    }
}
