//! Reads the filing form: one `multipart/form-data` post holding every text field and every file input, so the
//! whole journey works without JavaScript. Parts are read in order. Text parts are small and bounded; each file
//! part is streamed straight into the blob store through `Services::receive_upload` (never buffered whole) as
//! soon as it arrives, after the CSRF token (the form's first field) has been checked.
//!
//! Input names: the top-level fields of `Filing` by name; `achievements.{i}.{title|level|type_code|independent|
//! own_part|origin}`; the 成果情况 inputs as `achievements.{i}.t.{type_code}.{key}` — one group per type, so the
//! page can show every type's inputs without JavaScript, and only the chosen type's group is kept; file inputs
//! as `achievements.{i}.{achievement_file|contribution_file|evidence.{slot}}`; `achievements.{i}.remove` (value:
//! a slot code) to drop a stored file; `action` for the button pressed. An achievement position in a name is
//! checked against the project's limit (`domain::filing::achievement_position`) before anything is built from it.

use std::collections::BTreeMap;

use poem::web::Multipart;
use tokio::io::AsyncReadExt;

use crate::domain::FieldErrors;
use crate::domain::catalogue::Level;
use crate::domain::filing::{Achievement, Filing, achievement_position};
use crate::service::submissions::{FileSlot, FileTarget, FilingEdit, UploadPermit};
use crate::service::{ServiceError, Services};
use crate::web::ctx::Signed;

/// Text parts larger than this are cut (the longest real value, 本人承担部分, is 255 bytes).
const MAX_TEXT_BYTES: u64 = 16 * 1024;
/// More parts than any real form has (2 achievements × ~50 inputs) stop the parse.
const MAX_PARTS: usize = 2000;

/// The button pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Save,
    Submit,
    /// 新增成果 without JavaScript.
    Add,
    /// 删除 pressed: ask for confirmation first (JavaScript asks in the browser and sends `RemoveConfirmed`).
    Remove(usize),
    RemoveConfirmed(usize),
}

impl Action {
    fn parse(value: &str) -> Action {
        let index = |prefix: &str| value.strip_prefix(prefix).and_then(|rest| rest.parse().ok());
        match value {
            "submit" => Action::Submit,
            "add" => Action::Add,
            _ => {
                if let Some(index) = index("remove_confirmed:") {
                    Action::RemoveConfirmed(index)
                } else if let Some(index) = index("remove:") {
                    Action::Remove(index)
                } else {
                    Action::Save
                }
            }
        }
    }
}

/// Everything one post carried.
pub struct Posted {
    pub action: Action,
    pub edit: FilingEdit,
    /// Refused uploads, keyed by their input names.
    pub upload_errors: FieldErrors,
}

/// Why the post could not be read at all.
pub enum ParseFailure {
    Csrf,
    Service(ServiceError),
    Malformed,
}

pub async fn read(signed: &Signed, permit: &UploadPermit, mut multipart: Multipart) -> Result<Posted, ParseFailure> {
    let services: &Services = signed.services();
    let actor = signed.actor();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut csrf_checked = false;
    let mut edit = FilingEdit::default();
    let mut upload_errors = FieldErrors::new();
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(|_| ParseFailure::Malformed)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ParseFailure::Malformed);
        }
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            if !csrf_checked {
                return Err(ParseFailure::Csrf);
            }
            let Some(target) = FileTarget::parse(&name) else {
                continue;
            };
            if file_name.is_empty() {
                continue; // the input was left empty ("未选择任何文件")
            }
            // A position past the project's limit refuses the whole post before a byte of the file is read.
            if let Err(error) = permit.target(target.achievement as u64, target.slot) {
                crate::web::multipart::drain_rest(&mut multipart).await;
                return Err(ParseFailure::Service(error));
            }
            let type_key = format!("achievements.{}.type_code", target.achievement);
            let type_code = pairs.iter().rev().find(|(key, _)| *key == type_key).map(|(_, value)| value.clone());
            let reader = field.into_async_read();
            match services.receive_upload(actor, permit, target, type_code.as_deref(), &file_name, reader).await {
                Ok(received) => edit.uploads.push(received),
                Err(ServiceError::Invalid(errors)) => upload_errors.extend(errors),
                Err(error) => {
                    crate::web::multipart::drain_rest(&mut multipart).await;
                    return Err(ParseFailure::Service(error));
                }
            }
            continue;
        }
        let mut value = String::new();
        field
            .into_async_read()
            .take(MAX_TEXT_BYTES)
            .read_to_string(&mut value)
            .await
            .map_err(|_| ParseFailure::Malformed)?;
        if name == "csrf" {
            signed.ctx.check_csrf(&value).map_err(|_| ParseFailure::Csrf)?;
            csrf_checked = true;
        }
        pairs.push((name, value));
    }
    if !csrf_checked {
        return Err(ParseFailure::Csrf);
    }
    let action = pairs.iter().find(|(key, _)| key == "action").map(|(_, value)| Action::parse(value));
    build(&pairs, permit.max_achievements(), &mut edit).map_err(ParseFailure::Service)?;
    Ok(Posted { action: action.unwrap_or(Action::Save), edit, upload_errors })
}

/// Turns the text parts into the edit's filing, origins, removals and submission id. An achievement position
/// past the project's limit `max` refuses the post (nothing is sized by it); names that are not positions are
/// not ours and are ignored.
fn build(pairs: &[(String, String)], max: usize, edit: &mut FilingEdit) -> Result<(), ServiceError> {
    let mut filing = Filing { achievements: Vec::new(), ..Filing::default() };
    let mut count = 0;
    // Per achievement: type code → that type's 成果情况 inputs.
    let mut typed: Vec<BTreeMap<String, BTreeMap<String, String>>> = Vec::new();
    let mut rows: Vec<(usize, &str, &str)> = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "submission_id" => edit.submission_id = value.trim().parse().ok(),
            "title_grade" => filing.title_grade = value.clone(),
            "title_name" => filing.title_name = value.clone(),
            "title_other" => filing.title_other = value.clone(),
            "title_date" => filing.title_date = value.clone(),
            "research_direction" => filing.research_direction = value.clone(),
            "major_college" => filing.major_college = value.clone(),
            "major_bachelor" => filing.major_bachelor = value.clone(),
            "major_graduate" => filing.major_graduate = value.clone(),
            "applied_subject" => filing.applied_subject = value.clone(),
            "teaching_subject" => filing.teaching_subject = value.clone(),
            "confirmed_instructions" => filing.confirmed_instructions = value == "1",
            _ => {
                let Some((index, rest)) = key.strip_prefix("achievements.").and_then(|rest| rest.split_once('.'))
                else {
                    continue;
                };
                let Ok(position) = index.parse::<u64>() else {
                    continue;
                };
                let index = achievement_position(position, max)
                    .map_err(|message| ServiceError::field("achievements", message))?;
                count = count.max(index + 1);
                rows.push((index, rest, value.as_str()));
            }
        }
    }
    filing.achievements = vec![Achievement::default(); count];
    edit.origins = vec![None; count];
    typed.resize_with(count, BTreeMap::new);
    for (index, rest, value) in rows {
        let achievement = &mut filing.achievements[index];
        match rest {
            "origin" => edit.origins[index] = value.trim().parse().ok(),
            "title" => achievement.title = value.to_string(),
            "level" => achievement.level = Level::from_code(value),
            "type_code" => achievement.type_code = value.to_string(),
            "independent" => {
                achievement.independent = match value {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                }
            }
            "own_part" => achievement.own_part = value.to_string(),
            "remove" => {
                if let Some(slot) = FileSlot::from_code(value) {
                    edit.removals.push(FileTarget { achievement: index, slot });
                }
            }
            _ => {
                if let Some((code, field)) = rest.strip_prefix("t.").and_then(|rest| rest.split_once('.')) {
                    typed[index].entry(code.to_string()).or_default().insert(field.to_string(), value.to_string());
                }
            }
        }
    }
    for (achievement, groups) in filing.achievements.iter_mut().zip(typed) {
        achievement.fields = match groups.get(achievement.type_code.trim()) {
            Some(group) => group.clone(),
            // No type chosen yet: keep whatever was typed in any group, so nothing is lost.
            None => {
                let mut merged = BTreeMap::new();
                for group in groups.into_values() {
                    for (key, value) in group {
                        if !value.trim().is_empty() {
                            merged.entry(key).or_insert(value);
                        }
                    }
                }
                merged
            }
        };
    }
    edit.filing = filing;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    }

    #[test]
    fn only_the_chosen_types_inputs_are_kept() {
        let mut edit = FilingEdit::default();
        let built = build(
            &pairs(&[
                ("submission_id", "7"),
                ("research_direction", "职业教育"),
                ("achievements.0.origin", "0"),
                ("achievements.0.type_code", "journal_paper"),
                ("achievements.0.t.monograph.published", "2019-01"),
                ("achievements.0.t.journal_paper.published", "2020-02"),
                ("achievements.0.independent", "0"),
                ("achievements.1.title", "第二项"),
                ("achievements.1.t.monograph.cip", "2019102034"),
                ("achievements.1.remove", "evidence.award"),
                ("confirmed_instructions", "1"),
            ]),
            2,
            &mut edit,
        );
        assert!(built.is_ok());
        assert_eq!(edit.submission_id, Some(7));
        assert_eq!(edit.origins, vec![Some(0), None]);
        let filing = &edit.filing;
        assert!(filing.confirmed_instructions);
        assert_eq!(filing.achievements.len(), 2);
        assert_eq!(filing.achievements[0].fields.get("published").map(String::as_str), Some("2020-02"));
        assert_eq!(filing.achievements[0].independent, Some(false));
        // No type chosen: what was typed is kept.
        assert_eq!(filing.achievements[1].fields.get("cip").map(String::as_str), Some("2019102034"));
        assert_eq!(edit.removals.len(), 1);
    }

    #[test]
    fn positions_past_the_projects_limit_refuse_the_post_and_size_nothing() {
        for index in ["2", "1000000", "9223372036854775808"] {
            let mut edit = FilingEdit::default();
            let key = format!("achievements.{index}.title");
            let Err(ServiceError::Invalid(errors)) = build(&pairs(&[(&key, "越界")]), 2, &mut edit) else {
                panic!("{index} accepted");
            };
            assert_eq!(errors.get("achievements"), Some("教科研成果数量至多为2项"));
            assert!(edit.filing == Filing::default() && edit.origins.is_empty(), "{index}: nothing built");
        }
        // Not a position (negative, too long for any number): not one of the form's names.
        let mut edit = FilingEdit::default();
        let ignored = [("achievements.-1.title", "x"), ("achievements.18446744073709551616.title", "x")];
        assert!(build(&pairs(&ignored), 2, &mut edit).is_ok());
        assert!(edit.filing.achievements.is_empty());
    }

    #[test]
    fn actions() {
        assert_eq!(Action::parse("submit"), Action::Submit);
        assert_eq!(Action::parse("remove:1"), Action::Remove(1));
        assert_eq!(Action::parse("remove_confirmed:1"), Action::RemoveConfirmed(1));
        assert_eq!(Action::parse("anything"), Action::Save);
    }
}
