//! History and audit for reviewers (SPEC §6, §9): every transition with who, when, from where and why; what
//! changed between consecutive submitted versions (`filing::diff`, files by hash); and the duplicate signal —
//! an achievement file whose hash is in another teacher's submission or in an earlier year's.

use chrono::{DateTime, Utc};

use super::load_for_admin;
use crate::domain::account::Account;
use crate::domain::filing::{Change, diff};
use crate::domain::org::School;
use crate::domain::project::Project;
use crate::domain::submission::{Submission, Transition};
use crate::service::{Actor, ServiceResult, Services};
use crate::store::Reader;

/// What changed in one submitted version against the one before.
#[derive(Debug, Clone)]
pub struct VersionChanges {
    pub number: u32,
    pub at: DateTime<Utc>,
    /// Empty for the first version.
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone)]
pub struct History {
    pub transitions: Vec<Transition>,
    pub versions: Vec<VersionChanges>,
}

/// One achievement file also found elsewhere.
#[derive(Debug, Clone)]
pub struct Duplicate {
    /// e.g. 成果1·成果上传
    pub file: String,
    pub other_submission_id: u64,
    pub other_year: i32,
    /// Why it is flagged: 另一位教师的成果中有相同文件 / 往年鉴定中已提交过相同文件.
    pub why: &'static str,
    /// The other teacher and school, only when the actor may see them.
    pub other: Option<(String, String)>,
}

impl Services {
    /// The transitions and version-by-version changes of a submission in the actor's scope.
    pub fn submission_history(&self, actor: &Actor, id: u64) -> ServiceResult<History> {
        let loaded = load_for_admin(&self.store.read()?, actor, id)?;
        let catalogue = &loaded.project.catalogue;
        let versions = loaded.submission.versions.iter().enumerate().map(|(index, version)| VersionChanges {
            number: version.number,
            at: version.at,
            changes: match index {
                0 => Vec::new(),
                _ => diff(&loaded.submission.versions[index - 1].filing, &version.filing, catalogue),
            },
        });
        Ok(History { transitions: loaded.submission.history.clone(), versions: versions.collect() })
    }

    /// The duplicate signal for a submission in the actor's scope.
    pub fn duplicates(&self, actor: &Actor, id: u64) -> ServiceResult<Vec<Duplicate>> {
        let read = self.store.read()?;
        let loaded = load_for_admin(&read, actor, id)?;
        let mut found = Vec::new();
        for (index, achievement) in loaded.filing().achievements.iter().enumerate() {
            let Some(file) = &achievement.achievement_file else { continue };
            for other_id in super::submissions_with_file(&read, &file.sha256)? {
                if other_id == id {
                    continue;
                }
                let Some(other) = read.get::<Submission>(other_id)? else { continue };
                let Some(project) = read.get::<Project>(other.project_id)? else { continue };
                let why = if other.teacher_id != loaded.submission.teacher_id {
                    "另一位教师的成果中有相同文件"
                } else if project.year < loaded.project.year {
                    "往年鉴定中已提交过相同文件"
                } else {
                    continue;
                };
                let who = if super::admin_sees(actor, other.school_id, other.department_id) {
                    let name = read.get::<Account>(other.teacher_id)?.map(|a| a.name).unwrap_or_default();
                    let school = read.get::<School>(other.school_id)?.map(|s| s.name).unwrap_or_default();
                    Some((name, school))
                } else {
                    None
                };
                found.push(Duplicate {
                    file: format!("成果{}·成果上传", index + 1),
                    other_submission_id: other_id,
                    other_year: project.year,
                    why,
                    other: who,
                });
            }
        }
        Ok(found)
    }
}
