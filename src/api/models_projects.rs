//! The public JSON contract of appraisal projects and their achievement catalogue. Codes (school types, levels,
//! evidence slots, field formats) are the stable ones of the domain; sentences travel as templates (`{key}` for an
//! input, a newline for a line break).

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::enums::{FieldFormatCode, LevelCode, SchoolTypeCode, SlotCode};
use crate::domain::catalogue::{AchievementType, Catalogue, EvidenceSlot, FieldSpec, Level, SentencePart};
use crate::domain::project::Project;
use crate::domain::project_rules::ProjectUsage;
use crate::domain::{FieldErrors, SchoolType};
use crate::service::ServiceError;
use crate::service::project_admin::ProjectSettings;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldSpecIo {
    /// `[a-z0-9_]`, unique within the type.
    pub key: String,
    pub label: String,
    pub format: FieldFormatCode,
    #[oai(default)]
    pub placeholder: String,
    pub hint: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogueTypeIo {
    pub code: String,
    /// `formal` (正式出版), `public` (公开发表), `deemed` (视作发表) or `exchange` (交流).
    pub level: LevelCode,
    pub name: String,
    pub allowed_school_types: Vec<SchoolTypeCode>,
    /// Evidence slots required on submit: `formal`, `public`, `unit_signed`, `award`, `exchange`,
    /// `school_course`, `project`, `own_resource`.
    pub required_slots: Vec<SlotCode>,
    #[oai(default)]
    pub allows_media: bool,
    pub fields: Vec<FieldSpecIo>,
    /// The 成果情况 sentence: `{key}` marks an input, a newline a line break.
    pub template: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProjectOut {
    pub id: u64,
    pub name: String,
    pub year: i32,
    pub school_types: Vec<SchoolTypeCode>,
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
    pub school_review_end: DateTime<Utc>,
    pub department_review_end: DateTime<Utc>,
    pub expert_review_start: DateTime<Utc>,
    pub expert_review_end: DateTime<Utc>,
    pub max_achievements: u64,
    pub department_review: bool,
    pub subjects: Vec<String>,
    pub title_names: Vec<String>,
    pub grades: Vec<String>,
    pub experts_per_submission: u64,
    pub blind_review: bool,
    pub recuse_department: bool,
    pub catalogue: Vec<CatalogueTypeIo>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProjectIn {
    pub name: String,
    pub year: i32,
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
}

/// Every setting but the catalogue; a PUT replaces them all.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProjectSettingsIn {
    pub name: String,
    pub year: i32,
    pub school_types: Vec<SchoolTypeCode>,
    pub filing_start: DateTime<Utc>,
    pub filing_end: DateTime<Utc>,
    pub school_review_end: DateTime<Utc>,
    pub department_review_end: DateTime<Utc>,
    pub expert_review_start: DateTime<Utc>,
    pub expert_review_end: DateTime<Utc>,
    pub max_achievements: u64,
    pub department_review: bool,
    pub subjects: Vec<String>,
    pub title_names: Vec<String>,
    pub grades: Vec<String>,
    pub experts_per_submission: u64,
    pub blind_review: bool,
    pub recuse_department: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CopyIn {
    pub year: i32,
    /// Optional; by default the source's name with its year replaced.
    #[oai(default)]
    pub name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UsageOut {
    pub submissions: u64,
    pub filed: u64,
    pub past_school_review: u64,
    pub in_expert_review: u64,
    pub types_used: Vec<String>,
    pub types_filed: Vec<String>,
    pub max_filed_achievements: u64,
}

impl From<&ProjectUsage> for UsageOut {
    fn from(usage: &ProjectUsage) -> Self {
        Self {
            submissions: usage.submissions as u64,
            filed: usage.filed as u64,
            past_school_review: usage.past_school_review as u64,
            in_expert_review: usage.in_expert_review as u64,
            types_used: usage.types_used.iter().cloned().collect(),
            types_filed: usage.types_filed.iter().cloned().collect(),
            max_filed_achievements: usage.max_filed_achievements as u64,
        }
    }
}

fn type_out(achievement_type: &AchievementType) -> CatalogueTypeIo {
    CatalogueTypeIo {
        code: achievement_type.code.clone(),
        level: achievement_type.level.into(),
        name: achievement_type.name.clone(),
        allowed_school_types: achievement_type.allowed_school_types.iter().map(|&t| t.into()).collect(),
        required_slots: achievement_type.required_slots.iter().map(|&slot| slot.into()).collect(),
        allows_media: achievement_type.allows_media,
        fields: achievement_type
            .fields
            .iter()
            .map(|field| FieldSpecIo {
                key: field.key.clone(),
                label: field.label.clone(),
                format: field.format.into(),
                placeholder: field.placeholder.clone(),
                hint: field.hint.clone(),
            })
            .collect(),
        template: SentencePart::to_template(&achievement_type.sentence),
    }
}

impl From<&Project> for ProjectOut {
    fn from(project: &Project) -> Self {
        Self {
            id: project.id,
            name: project.name.clone(),
            year: project.year,
            school_types: project.school_types.iter().map(|&t| t.into()).collect(),
            filing_start: project.filing_start,
            filing_end: project.filing_end,
            school_review_end: project.school_review_end,
            department_review_end: project.department_review_end,
            expert_review_start: project.expert_review_start,
            expert_review_end: project.expert_review_end,
            max_achievements: project.max_achievements as u64,
            department_review: project.department_review,
            subjects: project.subjects.clone(),
            title_names: project.title_names.clone(),
            grades: project.grades.clone(),
            experts_per_submission: project.experts_per_submission as u64,
            blind_review: project.blind_review,
            recuse_department: project.recuse_department,
            catalogue: project.catalogue.types.iter().map(type_out).collect(),
        }
    }
}

fn school_types(codes: &[SchoolTypeCode]) -> Vec<SchoolType> {
    codes.iter().map(|&code| code.into()).collect()
}

impl ProjectSettingsIn {
    /// Every code is already one of its set (the enums); the rules about values are the service's.
    pub fn to_settings(&self) -> ProjectSettings {
        ProjectSettings {
            name: self.name.clone(),
            year: self.year,
            school_types: school_types(&self.school_types),
            filing_start: self.filing_start,
            filing_end: self.filing_end,
            school_review_end: self.school_review_end,
            department_review_end: self.department_review_end,
            expert_review_start: self.expert_review_start,
            expert_review_end: self.expert_review_end,
            max_achievements: self.max_achievements as usize,
            department_review: self.department_review,
            subjects: self.subjects.clone(),
            title_names: self.title_names.clone(),
            grades: self.grades.clone(),
            experts_per_submission: self.experts_per_submission as usize,
            blind_review: self.blind_review,
            recuse_department: self.recuse_department,
        }
    }
}

/// The catalogue sent by an integrator, with every unreadable code reported under `catalogue`.
pub fn catalogue_in(types: &[CatalogueTypeIo]) -> Result<Catalogue, ServiceError> {
    let mut errors = FieldErrors::new();
    let mut out = Vec::new();
    for (index, input) in types.iter().enumerate() {
        let field = format!("catalogue.{index}");
        let slots: Vec<EvidenceSlot> = input.required_slots.iter().map(|&code| code.into()).collect();
        let mut fields = Vec::new();
        for spec in &input.fields {
            fields.push(FieldSpec {
                key: spec.key.clone(),
                label: spec.label.clone(),
                format: spec.format.into(),
                placeholder: if spec.placeholder.is_empty() {
                    format!("请输入{}", spec.label)
                } else {
                    spec.placeholder.clone()
                },
                hint: spec.hint.clone(),
            });
        }
        let sentence = SentencePart::parse_template(&input.template).unwrap_or_else(|message| {
            errors.add(format!("{field}.template"), message);
            Vec::new()
        });
        out.push(AchievementType {
            code: input.code.clone(),
            level: Level::from(input.level),
            name: input.name.clone(),
            allowed_school_types: school_types(&input.allowed_school_types),
            fields,
            sentence,
            required_slots: slots,
            allows_media: input.allows_media,
        });
    }
    errors.into_result().map(|_| Catalogue { types: out }).map_err(ServiceError::Invalid)
}
