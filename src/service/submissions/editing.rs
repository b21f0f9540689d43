//! 暂存, 提交 and 撤回 (SPEC §4.2, §6). Both 暂存 and a failed 提交 store everything the teacher typed and every
//! file already received, so nothing is ever lost; 提交 freezes a numbered version. The rules themselves are the
//! domain's (`check_formats`, `validate_for_submit`); this module only decides what blocks a save: restricted
//! (★) types for a school type that may not file them, more achievements than the project allows, and a form
//! that names another submission. The API's single-file changes (`change_file`) apply only their slot to the
//! draft as read inside the write transaction, so they never carry stale values over an acknowledged 暂存.

use chrono::{DateTime, Utc};

use super::files::{FileSlot, FileTarget, Received, editable_submission, reload};
use super::{Appraisal, move_submission_school};
use crate::domain::FieldErrors;
use crate::domain::filing::{Achievement, FileLimits, Filing, check_formats, validate_for_submit};
use crate::domain::submission::{Submission, SubmissionState, SubmittedVersion, Transition};
use crate::service::actor::Actor;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::{Services, audit};
use crate::store::{Reader, WriteTx, tables};

/// What one 暂存 / 提交 posts: the typed values, where each posted achievement came from, and file changes.
#[derive(Debug, Clone, Default)]
pub struct FilingEdit {
    /// The submission the form was shown for; a different one (a forged or stale form) is "not found".
    pub submission_id: Option<u64>,
    /// The typed values. Its file references are ignored: files come from `origins`, `uploads` and `removals`.
    pub filing: Filing,
    /// For each posted achievement, the index of the stored achievement it continues (its files stay), or
    /// `None` for a new one. Missing entries count as `None`.
    pub origins: Vec<Option<usize>>,
    /// Files received in this request.
    pub uploads: Vec<Received>,
    /// Stored files the teacher removed (删除此文件).
    pub removals: Vec<FileTarget>,
}

impl FilingEdit {
    /// An edit that keeps every stored file where it is (the API's save: achievements are matched by position).
    /// Positions are resolved against the filing as stored when the save commits (`apply_to`), so files that
    /// arrived since the client last read are kept too.
    pub fn keeping_files(filing: Filing) -> Self {
        let origins = (0..filing.achievements.len()).map(Some);
        FilingEdit { origins: origins.collect(), filing, ..FilingEdit::default() }
    }

    /// The filing this edit produces on top of `stored`: typed values from the form, files carried over by
    /// origin, then removals, then the new uploads.
    pub fn apply_to(&self, stored: &Filing) -> Filing {
        let mut filing = self.filing.clone();
        for (index, achievement) in filing.achievements.iter_mut().enumerate() {
            let origin = self.origins.get(index).copied().flatten().and_then(|origin| stored.achievements.get(origin));
            achievement.achievement_file = origin.and_then(|origin| origin.achievement_file.clone());
            achievement.contribution_file = origin.and_then(|origin| origin.contribution_file.clone());
            achievement.evidence = origin.map(|origin| origin.evidence.clone()).unwrap_or_default();
        }
        for target in &self.removals {
            if let Some(achievement) = filing.achievements.get_mut(target.achievement) {
                set_file(achievement, target.slot, None);
            }
        }
        for received in &self.uploads {
            if let Some(achievement) = filing.achievements.get_mut(received.target.achievement) {
                set_file(achievement, received.target.slot, Some(received.file.clone()));
            }
        }
        if filing.achievements.is_empty() {
            filing.achievements.push(Achievement::default());
        }
        filing
    }
}

fn set_file(achievement: &mut Achievement, slot: FileSlot, file: Option<crate::domain::filing::FileRef>) {
    match (slot, file) {
        (FileSlot::Achievement, file) => achievement.achievement_file = file,
        (FileSlot::Contribution, file) => achievement.contribution_file = file,
        (FileSlot::Evidence(slot), Some(file)) => {
            achievement.evidence.insert(slot, file);
        }
        (FileSlot::Evidence(slot), None) => {
            achievement.evidence.remove(&slot);
        }
    }
}

/// One file change through the API: only this slot changes, on the filing as stored when the change commits.
#[derive(Debug, Clone)]
pub enum FileChange {
    /// A received file goes into its target (an achievement past the last one is added, within the limit).
    Put(Received),
    /// The file at a target is removed; the achievement must exist.
    Remove(FileTarget),
}

impl FileChange {
    fn target(&self) -> FileTarget {
        match self {
            FileChange::Put(received) => received.target,
            FileChange::Remove(target) => *target,
        }
    }
}

/// 暂存 succeeded; `format_errors` are shown but did not block.
pub struct Saved {
    pub submission: Submission,
    pub format_errors: FieldErrors,
}

/// 提交's answer: submitted, or not yet — then the draft was saved and every failure is listed.
pub enum SubmitOutcome {
    Submitted(Submission),
    Incomplete { draft: Submission, errors: FieldErrors },
}

impl Services {
    /// 暂存: stores everything as typed (well-formed values normalised), no required-field checks.
    pub fn save_draft(&self, actor: &Actor, edit: &FilingEdit) -> ServiceResult<Saved> {
        let limits = self.file_limits();
        self.store.write(|tx| {
            let (appraisal, filing) = prepare(tx, actor, edit, limits)?;
            self.ensure_free_space()?;
            let (filing, format_errors) = check_formats(&filing, &appraisal.rules());
            let submission = store_draft(tx, actor, &appraisal, filing, "暂存")?;
            Ok(Saved { submission, format_errors })
        })
    }

    /// Puts or removes one file of the draft. The filing is read inside the write transaction and only the slot
    /// changes, so a 暂存 acknowledged while the file was uploading is never reverted. The position is checked
    /// against the project's limit before the filing is touched.
    pub fn change_file(&self, actor: &Actor, change: FileChange) -> ServiceResult<Saved> {
        let limits = self.file_limits();
        self.store.write(|tx| {
            let appraisal = reload(tx, actor, limits, tx.now())?;
            let submission = editable_submission(&appraisal)?;
            let target = change.target();
            let target =
                FileTarget::checked(target.achievement as u64, target.slot, appraisal.project.max_achievements)?;
            let mut filing = submission.filing.clone();
            match &change {
                FileChange::Put(received) => {
                    // Bounded: `checked` keeps the position below the project's limit.
                    if filing.achievements.len() <= target.achievement {
                        filing.achievements.resize_with(target.achievement + 1, Achievement::default);
                    }
                    set_file(&mut filing.achievements[target.achievement], target.slot, Some(received.file.clone()));
                }
                FileChange::Remove(_) => {
                    let Some(achievement) = filing.achievements.get_mut(target.achievement) else {
                        return Err(ServiceError::NotFound("该项成果不存在"));
                    };
                    set_file(achievement, target.slot, None);
                }
            }
            self.ensure_free_space()?;
            let (filing, format_errors) = check_formats(&filing, &appraisal.rules());
            let submission = store_draft(tx, actor, &appraisal, filing, "暂存")?;
            Ok(Saved { submission, format_errors })
        })
    }

    /// 提交: validates everything. On success the submission becomes 待学校审核 with a new frozen version; on
    /// failure the input is saved as a draft and every error is returned.
    pub fn submit(&self, actor: &Actor, edit: &FilingEdit) -> ServiceResult<SubmitOutcome> {
        let limits = self.file_limits();
        self.store.write(|tx| {
            let (appraisal, filing) = prepare(tx, actor, edit, limits)?;
            self.ensure_free_space()?;
            let rules = appraisal.rules();
            match validate_for_submit(&filing, &rules) {
                Ok(filing) => submit_now(tx, actor, &appraisal, filing).map(SubmitOutcome::Submitted),
                Err(errors) => {
                    let (filing, _) = check_formats(&filing, &rules);
                    let draft = store_draft(tx, actor, &appraisal, filing, "提交未通过校验，已暂存")?;
                    Ok(SubmitOutcome::Incomplete { draft, errors })
                }
            }
        })
    }

    /// 提交 pressed while an upload of the same post was refused: nothing is submitted. The rest (typed values
    /// and the files that were accepted) is stored as 暂存, as a failed 提交 stores it, and every check 提交 makes
    /// is returned, so the teacher sees all red messages at once, not only the file's.
    pub fn submit_with_refused_upload(&self, actor: &Actor, edit: &FilingEdit) -> ServiceResult<SubmitOutcome> {
        let limits = self.file_limits();
        self.store.write(|tx| {
            let (appraisal, filing) = prepare(tx, actor, edit, limits)?;
            self.ensure_free_space()?;
            let rules = appraisal.rules();
            let errors = validate_for_submit(&filing, &rules).err().unwrap_or_default();
            let (filing, _) = check_formats(&filing, &rules);
            let draft = store_draft(tx, actor, &appraisal, filing, "提交未成功（有文件未能上传），已暂存")?;
            Ok(SubmitOutcome::Incomplete { draft, errors })
        })
    }

    /// 撤回: back to a draft while the submission waits for the school (the school has not acted) and the
    /// filing window is open (so it can be submitted again).
    pub fn withdraw(&self, actor: &Actor, submission_id: Option<u64>) -> ServiceResult<Submission> {
        let limits = self.file_limits();
        self.store.write(|tx| {
            let appraisal = reload(tx, actor, limits, tx.now())?;
            let Some(mut submission) = appraisal.submission.clone() else {
                return Err(ServiceError::NotFound("申报记录不存在"));
            };
            if submission_id.is_some_and(|id| id != submission.id) {
                return Err(ServiceError::NotFound("申报记录不存在"));
            }
            if submission.state != SubmissionState::Submitted {
                return Err(ServiceError::Conflict(match submission.state {
                    SubmissionState::Draft | SubmissionState::Returned => "尚未提交，无需撤回".to_string(),
                    _ => "学校已审核，不能撤回".to_string(),
                }));
            }
            if let Some(reason) = &appraisal.closed_reason {
                return Err(ServiceError::Conflict(format!("{reason}不能撤回。")));
            }
            transition(&mut submission, actor, SubmissionState::Draft, "教师撤回", tx.now());
            tx.put(&submission)?;
            audit::record(tx, Some(actor), "submission.withdraw", &format!("submission:{}", submission.id), "撤回")?;
            Ok(submission)
        })
    }
}

/// Loads the appraisal inside the transaction, checks that the actor may change it now, and applies the edit.
/// Refuses (nothing stored) a form for another submission, too many achievements, and ★ types or levels the
/// teacher's school type may not file.
fn prepare(tx: &WriteTx, actor: &Actor, edit: &FilingEdit, limits: FileLimits) -> ServiceResult<(Appraisal, Filing)> {
    let appraisal = reload(tx, actor, limits, tx.now())?;
    let submission = editable_submission(&appraisal)?;
    if edit.submission_id.is_some_and(|id| id != submission.id) {
        return Err(ServiceError::NotFound("申报记录不存在"));
    }
    let filing = edit.apply_to(&submission.filing);
    let max = appraisal.project.max_achievements;
    if filing.achievements.len() > max {
        return Err(ServiceError::field("achievements", format!("教科研成果数量至多为{max}项，不可再次添加。")));
    }
    let refused = restricted_refusals(&appraisal, &filing);
    if !refused.is_empty() {
        return Err(ServiceError::Invalid(refused));
    }
    Ok((appraisal, filing))
}

/// The ★ refusals of 填报说明 1 for this teacher (the domain's own messages): a level or type posted that is not
/// offered to the teacher's school type blocks even 暂存, so it can never be stored.
fn restricted_refusals(appraisal: &Appraisal, filing: &Filing) -> FieldErrors {
    let catalogue = &appraisal.project.catalogue;
    let school_type = appraisal.school.school_type;
    let levels = catalogue.levels_offered_to(school_type);
    let mut refused_keys = Vec::new();
    for (index, achievement) in filing.achievements.iter().enumerate() {
        let found = catalogue.get(achievement.type_code.trim());
        let level = achievement.level.or(found.map(|found| found.level));
        if level.is_some_and(|level| !levels.contains(&level)) {
            refused_keys.push(format!("achievements.{index}.level"));
        }
        if found.is_some_and(|found| !found.allows(school_type)) {
            refused_keys.push(format!("achievements.{index}.type_code"));
        }
    }
    let mut refused = FieldErrors::new();
    if refused_keys.is_empty() {
        return refused;
    }
    for error in check_formats(filing, &appraisal.rules()).1.0 {
        if refused_keys.contains(&error.field) {
            refused.add(error.field, error.message);
        }
    }
    refused
}

/// Stores `filing` as the working copy without changing the state.
fn store_draft(
    tx: &WriteTx,
    actor: &Actor,
    appraisal: &Appraisal,
    filing: Filing,
    what: &str,
) -> ServiceResult<Submission> {
    let mut submission = editable_submission(appraisal)?.clone();
    reference_files(tx, submission.id, &filing)?;
    submission.filing = filing;
    submission.updated_at = tx.now();
    tx.put(&submission)?;
    audit::record(tx, Some(actor), "submission.save", &format!("submission:{}", submission.id), what)?;
    Ok(submission)
}

/// 提交 passed: new version, state 待学校审核, the school of the teacher as it is now.
fn submit_now(tx: &WriteTx, actor: &Actor, appraisal: &Appraisal, filing: Filing) -> ServiceResult<Submission> {
    let mut submission = editable_submission(appraisal)?.clone();
    reference_files(tx, submission.id, &filing)?;
    move_submission_school(tx, &mut submission, appraisal.school.id, appraisal.department.id)?;
    let number = submission.versions.len() as u32 + 1;
    submission.versions.push(SubmittedVersion { number, at: tx.now(), filing: filing.clone() });
    submission.filing = filing;
    transition(&mut submission, actor, SubmissionState::Submitted, "", tx.now());
    tx.put(&submission)?;
    let detail = format!("提交第{number}版");
    audit::record(tx, Some(actor), "submission.submit", &format!("submission:{}", submission.id), &detail)?;
    Ok(submission)
}

fn transition(submission: &mut Submission, actor: &Actor, to: SubmissionState, reason: &str, now: DateTime<Utc>) {
    submission.history.push(Transition {
        at: now,
        actor_id: actor.account_id,
        actor_name: actor.name.clone(),
        address: actor.address.clone(),
        from: submission.state,
        to,
        reason: reason.to_string(),
    });
    submission.state = to;
    submission.updated_at = now;
}

/// Every file a stored filing names is recorded as referenced by the submission (uploads already are; this
/// keeps the invariant for files carried over from elsewhere). A file without a `FILES` record cannot be named.
fn reference_files(tx: &WriteTx, submission_id: u64, filing: &Filing) -> ServiceResult<()> {
    for achievement in &filing.achievements {
        let files = achievement
            .achievement_file
            .iter()
            .chain(achievement.contribution_file.iter())
            .chain(achievement.evidence.values());
        for file in files {
            let Some(mut record) =
                tx.get_keyed::<crate::domain::stored_file::StoredFile>(tables::FILES, &file.sha256)?
            else {
                return Err(ServiceError::Internal(format!("file {} has no record", file.sha256)));
            };
            if record.submissions.insert(submission_id) {
                tx.put_keyed(tables::FILES, &file.sha256, &record)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::EvidenceSlot;
    use crate::domain::filing::FileRef;

    fn file(name: &str) -> FileRef {
        FileRef { sha256: format!("{:0>64}", name.len()), name: name.into(), size: 1, kind: "pdf".into() }
    }

    fn stored() -> Filing {
        let mut filing = Filing::default();
        filing.achievements[0].achievement_file = Some(file("a.pdf"));
        filing.achievements[0].evidence.insert(EvidenceSlot::Formal, file("cip.pdf"));
        filing.achievements.push(Achievement { achievement_file: Some(file("second.pdf")), ..Achievement::default() });
        filing
    }

    #[test]
    fn files_follow_their_origin_then_removals_then_uploads() {
        let stored = stored();
        let mut posted = Filing::default();
        posted.achievements[0].title = "只保留第二项".into();
        posted.achievements[0].achievement_file = Some(file("forged.pdf"));
        let edit = FilingEdit {
            filing: posted,
            origins: vec![Some(1)],
            removals: vec![FileTarget { achievement: 0, slot: FileSlot::Achievement }],
            uploads: vec![Received {
                target: FileTarget { achievement: 0, slot: FileSlot::Evidence(EvidenceSlot::Award) },
                file: file("award.pdf"),
            }],
            ..FilingEdit::default()
        };
        let filing = edit.apply_to(&stored);
        assert_eq!(filing.achievements.len(), 1);
        let achievement = &filing.achievements[0];
        assert_eq!(achievement.title, "只保留第二项");
        // The posted file reference is ignored; the origin's file was removed; the upload is in place.
        assert_eq!(achievement.achievement_file, None);
        assert_eq!(achievement.evidence.get(&EvidenceSlot::Award).map(|f| f.name.as_str()), Some("award.pdf"));
        assert!(!achievement.evidence.contains_key(&EvidenceSlot::Formal));
    }

    #[test]
    fn keeping_files_matches_by_position_and_new_achievements_start_empty() {
        let stored = stored();
        let posted = Filing { achievements: vec![Achievement::default(); 3], ..Filing::default() };
        let filing = FilingEdit::keeping_files(posted).apply_to(&stored);
        assert_eq!(filing.achievements[0].achievement_file.as_ref().map(|f| f.name.as_str()), Some("a.pdf"));
        assert_eq!(filing.achievements[1].achievement_file.as_ref().map(|f| f.name.as_str()), Some("second.pdf"));
        assert_eq!(filing.achievements[2].achievement_file, None);
        // An edit with no achievements still leaves one (N is at least 1).
        let empty =
            FilingEdit { filing: Filing { achievements: Vec::new(), ..Filing::default() }, ..FilingEdit::default() };
        assert_eq!(empty.apply_to(&stored).achievements.len(), 1);
    }
}
