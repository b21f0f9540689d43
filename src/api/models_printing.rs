//! The public JSON contract of the printing operations: verification look-ups and a teacher's published results.

use poem_openapi::Object;

use super::enums::DocumentKindCode;
use crate::clock;
use crate::domain::verification::{VerificationRecord, display_code};
use crate::service::printing::PublishedResult;

/// What a verification code stands for (the same facts as the public /verify page).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VerificationOut {
    /// The code as printed, e.g. `7K3M9-QX2TD-5RB8W-Z0H1N`.
    pub code: String,
    /// `registration_form` or `appraisal_opinion`.
    pub kind: DocumentKindCode,
    /// 成果鉴定登记表 or 鉴定意见.
    pub kind_label: String,
    pub project_name: String,
    /// The teacher's name, masked (刁*彬).
    pub masked_name: String,
    /// The date the document was first printed (`yyyy-mm-dd`, Shanghai time).
    pub issued_on: String,
    /// The grade, for appraisal opinions.
    pub grade: Option<String>,
}

impl From<VerificationRecord> for VerificationOut {
    fn from(record: VerificationRecord) -> Self {
        Self {
            code: display_code(&record.code),
            kind: record.kind.into(),
            kind_label: record.kind.label().into(),
            project_name: record.project_name,
            masked_name: record.masked_name,
            issued_on: clock::day(record.issued_at),
            grade: record.grade,
        }
    }
}

/// One published appraisal result of the signed-in teacher.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PublishedResultOut {
    /// The submission; its opinion PDF is `/submissions/{id}/opinion`.
    pub submission_id: u64,
    pub project_name: String,
    pub project_year: i32,
    pub grade: String,
    /// Publication date (`yyyy-mm-dd`, Shanghai time).
    pub published_on: String,
    /// The result rests on a ★ type: 当年有效.
    pub valid_this_year_only: bool,
    /// The teacher's current project (the others are earlier years).
    pub current: bool,
}

impl From<PublishedResult> for PublishedResultOut {
    fn from(result: PublishedResult) -> Self {
        Self {
            submission_id: result.submission_id,
            project_name: result.project_name,
            project_year: result.project_year,
            grade: result.grade,
            published_on: clock::day(result.published_at),
            valid_this_year_only: result.valid_this_year_only,
            current: result.current,
        }
    }
}
