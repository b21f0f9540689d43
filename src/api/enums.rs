//! The API's closed sets of codes as `poem_openapi::Enum`s, so the OpenAPI document lists them and a value
//! outside the set is refused while the request is parsed (400, the API's error shape), before any handler runs.
//! Wire values are the domain's `code()`s; the domain types stay free of poem.

use poem_openapi::Enum;

use crate::domain::SchoolType;
use crate::domain::account::Role;
use crate::domain::catalogue::{EvidenceSlot, FieldFormat, Level};
use crate::domain::notice::Audience;
use crate::domain::progress::Progress;
use crate::domain::review::MessageKind;
use crate::domain::submission::SubmissionState;
use crate::domain::verification::DocumentKind;
use crate::files::FileKind;

/// 学校类型: 中专, 技工学校, 职业高中, 成人中专.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SchoolTypeCode {
    Zhongzhuan,
    Jigong,
    Zhigao,
    Chengren,
}

impl From<SchoolType> for SchoolTypeCode {
    fn from(school_type: SchoolType) -> Self {
        match school_type {
            SchoolType::Zhongzhuan => Self::Zhongzhuan,
            SchoolType::Jigong => Self::Jigong,
            SchoolType::Zhigao => Self::Zhigao,
            SchoolType::Chengren => Self::Chengren,
        }
    }
}

impl From<SchoolTypeCode> for SchoolType {
    fn from(code: SchoolTypeCode) -> Self {
        match code {
            SchoolTypeCode::Zhongzhuan => Self::Zhongzhuan,
            SchoolTypeCode::Jigong => Self::Jigong,
            SchoolTypeCode::Zhigao => Self::Zhigao,
            SchoolTypeCode::Chengren => Self::Chengren,
        }
    }
}

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RoleCode {
    CityAdmin,
    DepartmentAdmin,
    SchoolAdmin,
    Expert,
    Teacher,
}

impl From<Role> for RoleCode {
    fn from(role: Role) -> Self {
        match role {
            Role::CityAdmin => Self::CityAdmin,
            Role::DepartmentAdmin => Self::DepartmentAdmin,
            Role::SchoolAdmin => Self::SchoolAdmin,
            Role::Expert => Self::Expert,
            Role::Teacher => Self::Teacher,
        }
    }
}

/// The admin accounts that can be opened through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AdminRoleCode {
    DepartmentAdmin,
    SchoolAdmin,
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AudienceCode {
    All,
    Teachers,
    Admins,
}

impl From<Audience> for AudienceCode {
    fn from(audience: Audience) -> Self {
        match audience {
            Audience::All => Self::All,
            Audience::Teachers => Self::Teachers,
            Audience::Admins => Self::Admins,
        }
    }
}

impl From<AudienceCode> for Audience {
    fn from(code: AudienceCode) -> Self {
        match code {
            AudienceCode::All => Self::All,
            AudienceCode::Teachers => Self::Teachers,
            AudienceCode::Admins => Self::Admins,
        }
    }
}

/// Where an expert belongs (for recusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OrgKindCode {
    School,
    Department,
}

/// A submission's state (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SubmissionStateCode {
    Draft,
    Submitted,
    SchoolApproved,
    Accepted,
    UnderReview,
    Reviewed,
    Published,
    Returned,
}

impl From<SubmissionState> for SubmissionStateCode {
    fn from(state: SubmissionState) -> Self {
        match state {
            SubmissionState::Draft => Self::Draft,
            SubmissionState::Submitted => Self::Submitted,
            SubmissionState::SchoolApproved => Self::SchoolApproved,
            SubmissionState::Accepted => Self::Accepted,
            SubmissionState::UnderReview => Self::UnderReview,
            SubmissionState::Reviewed => Self::Reviewed,
            SubmissionState::Published => Self::Published,
            SubmissionState::Returned => Self::Returned,
        }
    }
}

impl From<SubmissionStateCode> for SubmissionState {
    fn from(code: SubmissionStateCode) -> Self {
        match code {
            SubmissionStateCode::Draft => Self::Draft,
            SubmissionStateCode::Submitted => Self::Submitted,
            SubmissionStateCode::SchoolApproved => Self::SchoolApproved,
            SubmissionStateCode::Accepted => Self::Accepted,
            SubmissionStateCode::UnderReview => Self::UnderReview,
            SubmissionStateCode::Reviewed => Self::Reviewed,
            SubmissionStateCode::Published => Self::Published,
            SubmissionStateCode::Returned => Self::Returned,
        }
    }
}

/// 成果层次: 正式出版, 公开发表, 视作发表, 交流.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LevelCode {
    Formal,
    Public,
    Deemed,
    Exchange,
}

impl From<Level> for LevelCode {
    fn from(level: Level) -> Self {
        match level {
            Level::Formal => Self::Formal,
            Level::Public => Self::Public,
            Level::Deemed => Self::Deemed,
            Level::Exchange => Self::Exchange,
        }
    }
}

impl From<LevelCode> for Level {
    fn from(code: LevelCode) -> Self {
        match code {
            LevelCode::Formal => Self::Formal,
            LevelCode::Public => Self::Public,
            LevelCode::Deemed => Self::Deemed,
            LevelCode::Exchange => Self::Exchange,
        }
    }
}

/// A teacher's progress in the lists: 未选择项目, 未填报, or the submission's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ProgressCode {
    NoProject,
    NotFiled,
    Draft,
    Submitted,
    Returned,
    SchoolApproved,
    Accepted,
    UnderReview,
    Reviewed,
    Published,
}

impl From<Progress> for ProgressCode {
    fn from(progress: Progress) -> Self {
        match progress {
            Progress::NoProject => Self::NoProject,
            Progress::NotFiled => Self::NotFiled,
            Progress::State(state) => match SubmissionStateCode::from(state) {
                SubmissionStateCode::Draft => Self::Draft,
                SubmissionStateCode::Submitted => Self::Submitted,
                SubmissionStateCode::Returned => Self::Returned,
                SubmissionStateCode::SchoolApproved => Self::SchoolApproved,
                SubmissionStateCode::Accepted => Self::Accepted,
                SubmissionStateCode::UnderReview => Self::UnderReview,
                SubmissionStateCode::Reviewed => Self::Reviewed,
                SubmissionStateCode::Published => Self::Published,
            },
        }
    }
}

impl From<ProgressCode> for Progress {
    fn from(code: ProgressCode) -> Self {
        let state = |code: SubmissionStateCode| Progress::State(SubmissionState::from(code));
        match code {
            ProgressCode::NoProject => Progress::NoProject,
            ProgressCode::NotFiled => Progress::NotFiled,
            ProgressCode::Draft => state(SubmissionStateCode::Draft),
            ProgressCode::Submitted => state(SubmissionStateCode::Submitted),
            ProgressCode::Returned => state(SubmissionStateCode::Returned),
            ProgressCode::SchoolApproved => state(SubmissionStateCode::SchoolApproved),
            ProgressCode::Accepted => state(SubmissionStateCode::Accepted),
            ProgressCode::UnderReview => state(SubmissionStateCode::UnderReview),
            ProgressCode::Reviewed => state(SubmissionStateCode::Reviewed),
            ProgressCode::Published => state(SubmissionStateCode::Published),
        }
    }
}

/// What an import did with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RowOutcomeCode {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl From<crate::service::imports::RowOutcome> for RowOutcomeCode {
    fn from(outcome: crate::service::imports::RowOutcome) -> Self {
        use crate::service::imports::RowOutcome;
        match outcome {
            RowOutcome::Created => Self::Created,
            RowOutcome::Updated => Self::Updated,
            RowOutcome::Unchanged => Self::Unchanged,
            RowOutcome::Refused => Self::Refused,
        }
    }
}

/// The evidence slots a catalogue type requires on 提交.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SlotCode {
    Formal,
    Public,
    UnitSigned,
    Award,
    Exchange,
    SchoolCourse,
    Project,
    OwnResource,
}

impl From<EvidenceSlot> for SlotCode {
    fn from(slot: EvidenceSlot) -> Self {
        match slot {
            EvidenceSlot::Formal => Self::Formal,
            EvidenceSlot::Public => Self::Public,
            EvidenceSlot::UnitSigned => Self::UnitSigned,
            EvidenceSlot::Award => Self::Award,
            EvidenceSlot::Exchange => Self::Exchange,
            EvidenceSlot::SchoolCourse => Self::SchoolCourse,
            EvidenceSlot::Project => Self::Project,
            EvidenceSlot::OwnResource => Self::OwnResource,
        }
    }
}

impl From<SlotCode> for EvidenceSlot {
    fn from(code: SlotCode) -> Self {
        match code {
            SlotCode::Formal => Self::Formal,
            SlotCode::Public => Self::Public,
            SlotCode::UnitSigned => Self::UnitSigned,
            SlotCode::Award => Self::Award,
            SlotCode::Exchange => Self::Exchange,
            SlotCode::SchoolCourse => Self::SchoolCourse,
            SlotCode::Project => Self::Project,
            SlotCode::OwnResource => Self::OwnResource,
        }
    }
}

/// How a 成果情况 field is checked (`formats::validate_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FieldFormatCode {
    Text,
    YearMonth,
    Date,
    Rank,
    Cip,
    JournalNumber,
    PositiveInt,
}

impl From<FieldFormat> for FieldFormatCode {
    fn from(format: FieldFormat) -> Self {
        match format {
            FieldFormat::Text => Self::Text,
            FieldFormat::YearMonth => Self::YearMonth,
            FieldFormat::Date => Self::Date,
            FieldFormat::Rank => Self::Rank,
            FieldFormat::Cip => Self::Cip,
            FieldFormat::JournalNumber => Self::JournalNumber,
            FieldFormat::PositiveInt => Self::PositiveInt,
        }
    }
}

impl From<FieldFormatCode> for FieldFormat {
    fn from(code: FieldFormatCode) -> Self {
        match code {
            FieldFormatCode::Text => Self::Text,
            FieldFormatCode::YearMonth => Self::YearMonth,
            FieldFormatCode::Date => Self::Date,
            FieldFormatCode::Rank => Self::Rank,
            FieldFormatCode::Cip => Self::Cip,
            FieldFormatCode::JournalNumber => Self::JournalNumber,
            FieldFormatCode::PositiveInt => Self::PositiveInt,
        }
    }
}

/// A stored file's kind, decided by its content when it was uploaded (never by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum FileKindCode {
    Pdf,
    Doc,
    Docx,
    Mp4,
    Zip,
    Xlsx,
    Png,
    #[oai(rename = "jpg")]
    Jpeg,
    /// Content of no kind zhiping knows.
    #[oai(rename = "bin")]
    Other,
}

impl From<FileKind> for FileKindCode {
    fn from(kind: FileKind) -> Self {
        match kind {
            FileKind::Pdf => Self::Pdf,
            FileKind::Doc => Self::Doc,
            FileKind::Docx => Self::Docx,
            FileKind::Mp4 => Self::Mp4,
            FileKind::Zip => Self::Zip,
            FileKind::Xlsx => Self::Xlsx,
            FileKind::Png => Self::Png,
            FileKind::Jpeg => Self::Jpeg,
            FileKind::Other => Self::Other,
        }
    }
}

impl FileKindCode {
    /// The kind as stored with a file record (`files::sniff::extension_of`); a value no release wrote is `bin`.
    pub fn of_stored(kind: &str) -> Self {
        FileKind::from_extension(kind).unwrap_or(FileKind::Other).into()
    }
}

/// Which printed document a verification code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DocumentKindCode {
    RegistrationForm,
    AppraisalOpinion,
}

impl From<DocumentKind> for DocumentKindCode {
    fn from(kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::RegistrationForm => Self::RegistrationForm,
            DocumentKind::AppraisalOpinion => Self::AppraisalOpinion,
        }
    }
}

/// What a message to a teacher is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum MessageKindCode {
    Returned,
    Published,
}

impl From<MessageKind> for MessageKindCode {
    fn from(kind: MessageKind) -> Self {
        match kind {
            MessageKind::Returned => Self::Returned,
            MessageKind::Published => Self::Published,
        }
    }
}

/// Where an account belongs, as answered (an expert of the city office is `city`, with org id 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OrgRefKindCode {
    School,
    Department,
    City,
}

/// A teacher's filing state for the current project: `none` before anything is saved, else the submission's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FilingStateCode {
    None,
    Draft,
    Submitted,
    SchoolApproved,
    Accepted,
    UnderReview,
    Reviewed,
    Published,
    Returned,
}

impl From<Option<SubmissionState>> for FilingStateCode {
    fn from(state: Option<SubmissionState>) -> Self {
        match state {
            None => Self::None,
            Some(SubmissionState::Draft) => Self::Draft,
            Some(SubmissionState::Submitted) => Self::Submitted,
            Some(SubmissionState::SchoolApproved) => Self::SchoolApproved,
            Some(SubmissionState::Accepted) => Self::Accepted,
            Some(SubmissionState::UnderReview) => Self::UnderReview,
            Some(SubmissionState::Reviewed) => Self::Reviewed,
            Some(SubmissionState::Published) => Self::Published,
            Some(SubmissionState::Returned) => Self::Returned,
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    #[test]
    fn wire_values_are_the_domain_codes() {
        for school_type in [SchoolType::Zhongzhuan, SchoolType::Jigong, SchoolType::Zhigao, SchoolType::Chengren] {
            let json = SchoolTypeCode::from(school_type).to_json();
            assert_eq!(json, Some(serde_json::Value::from(school_type.code())));
            assert_eq!(SchoolType::from(SchoolTypeCode::from(school_type)), school_type);
        }
        for role in [Role::CityAdmin, Role::DepartmentAdmin, Role::SchoolAdmin, Role::Expert, Role::Teacher] {
            assert_eq!(RoleCode::from(role).to_json(), Some(serde_json::Value::from(role.code())));
        }
        assert_eq!(AdminRoleCode::SchoolAdmin.to_json(), Some(serde_json::Value::from("school_admin")));
        for audience in Audience::ALL {
            assert_eq!(AudienceCode::from(audience).to_json(), Some(serde_json::Value::from(audience.code())));
            assert_eq!(Audience::from(AudienceCode::from(audience)), audience);
        }
        for state in SubmissionState::ALL {
            assert_eq!(SubmissionStateCode::from(state).to_json(), Some(serde_json::Value::from(state.code())));
            assert_eq!(SubmissionState::from(SubmissionStateCode::from(state)), state);
        }
        assert_eq!(OrgKindCode::Department.to_json(), Some(serde_json::Value::from("department")));
        for progress in Progress::ALL {
            assert_eq!(ProgressCode::from(progress).to_json(), Some(serde_json::Value::from(progress.code())));
            assert_eq!(Progress::from(ProgressCode::from(progress)), progress);
        }
        {
            use crate::service::imports::RowOutcome;
            for outcome in [RowOutcome::Created, RowOutcome::Updated, RowOutcome::Unchanged, RowOutcome::Refused] {
                assert_eq!(RowOutcomeCode::from(outcome).to_json(), Some(serde_json::Value::from(outcome.code())));
            }
        }
        for slot in EvidenceSlot::ALL {
            assert_eq!(SlotCode::from(slot).to_json(), Some(serde_json::Value::from(slot.code())));
            assert_eq!(EvidenceSlot::from(SlotCode::from(slot)), slot);
        }
        for level in Level::ALL {
            assert_eq!(LevelCode::from(level).to_json(), Some(serde_json::Value::from(level.code())));
            assert_eq!(Level::from(LevelCode::from(level)), level);
        }
        for format in FieldFormat::ALL {
            assert_eq!(FieldFormatCode::from(format).to_json(), Some(serde_json::Value::from(format.code())));
            assert_eq!(FieldFormat::from(FieldFormatCode::from(format)), format);
        }
        for kind in FileKind::ALL {
            let stored = crate::files::extension_of(kind);
            assert_eq!(FileKindCode::from(kind).to_json(), Some(serde_json::Value::from(stored)));
            assert_eq!(FileKindCode::of_stored(stored), FileKindCode::from(kind));
        }
        assert_eq!(FileKindCode::of_stored("exe"), FileKindCode::Other);
        for kind in [DocumentKind::RegistrationForm, DocumentKind::AppraisalOpinion] {
            assert_eq!(DocumentKindCode::from(kind).to_json(), Some(serde_json::Value::from(kind.code())));
        }
        for (kind, code) in [(MessageKind::Returned, "returned"), (MessageKind::Published, "published")] {
            assert_eq!(MessageKindCode::from(kind).to_json(), Some(serde_json::Value::from(code)));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::Value::from(code)));
        }
        assert_eq!(OrgRefKindCode::City.to_json(), Some(serde_json::Value::from("city")));
        assert_eq!(FilingStateCode::from(None).to_json(), Some(serde_json::Value::from("none")));
        for state in SubmissionState::ALL {
            assert_eq!(FilingStateCode::from(Some(state)).to_json(), Some(serde_json::Value::from(state.code())));
        }
    }
}
