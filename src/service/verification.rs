//! Verification codes of printed documents (SPEC §7): issuing them when a document is printed and looking them up
//! for the public /verify page and the API (no sign-in, rate-limited per client address).
//!
//! Reprints reuse codes: a code is bound to the SHA-256 of the exact printed content (`verification::content_key`),
//! so printing the same document again gives the same code and the same 打印日期 (the date the content was first
//! issued), while any change to a printed value gives a new code. This keeps the table to one row per distinct
//! document however often a teacher previews or a school reprints its bundle, and a print needs a write
//! transaction only the first time its content is printed.

use rand::RngCore;

use super::actor::Actor;
use super::error::{ServiceError, ServiceResult};
use super::{Services, audit};
use crate::domain::account::mask_name;
use crate::domain::verification::{
    CODE_RANDOM_BYTES, DocumentKind, FormFacts, VerificationRecord, code_from_random, display_code, normalize_code,
};
use crate::store::{Reader, Store, WriteTx, tables};

/// What the public page says for a code that does not exist (or is not even well-formed).
pub const UNKNOWN_CODE: &str = "验证码不存在，请核对";

/// A document about to be printed that needs a code.
pub(crate) struct CodeRequest {
    pub kind: DocumentKind,
    pub submission_id: u64,
    pub project_name: String,
    /// The full name; only its masked form is stored.
    pub teacher_name: String,
    pub grade: Option<String>,
    /// Registration forms: the version and titles the public page names.
    pub form: Option<FormFacts>,
    pub content_sha256: String,
}

/// The footer data printed for `record`; `base` is the public address of the platform.
pub(crate) fn footer(record: &VerificationRecord, base: &str) -> crate::pdf::Verification {
    let code = display_code(&record.code);
    crate::pdf::Verification {
        url: format!("{base}/verify?code={code}"),
        code,
        issued_on: crate::clock::day(record.issued_at),
    }
}

/// The codes of `requests`, in order: existing ones for content printed before, new ones for the rest (written in
/// one transaction with one audit entry naming `audit_target`).
pub(crate) fn issue_codes(
    store: &Store,
    actor: &Actor,
    requests: &[CodeRequest],
    audit_target: &str,
) -> ServiceResult<Vec<VerificationRecord>> {
    let read = store.read()?;
    let mut found = Vec::with_capacity(requests.len());
    for request in requests {
        found.push(existing(&read, &request.content_sha256)?);
    }
    drop(read);
    if found.iter().all(Option::is_some) {
        return Ok(found.into_iter().flatten().collect());
    }
    store.write(|tx| {
        let mut records = Vec::with_capacity(requests.len());
        let mut minted = 0;
        for (request, known) in requests.iter().zip(found) {
            // Another print of the same content may have committed since the read above.
            let record = match known {
                Some(record) => record,
                None => match existing(tx, &request.content_sha256)? {
                    Some(record) => record,
                    None => {
                        minted += 1;
                        mint(tx, request)?
                    }
                },
            };
            records.push(record);
        }
        if minted > 0 {
            let kinds: Vec<&str> = requests.iter().map(|request| request.kind.label()).collect();
            let detail = format!("打印{}，新发验证码 {minted} 个", kinds.first().copied().unwrap_or_default());
            audit::record(tx, Some(actor), "print.issue_codes", audit_target, &detail)?;
        }
        Ok(records)
    })
}

fn existing(reader: &impl Reader, content_sha256: &str) -> ServiceResult<Option<VerificationRecord>> {
    let Some(code) = reader.get_keyed::<String>(tables::VERIFICATION_BY_CONTENT, content_sha256)? else {
        return Ok(None);
    };
    Ok(reader.get_keyed(tables::VERIFICATIONS, &code)?)
}

fn mint(tx: &WriteTx, request: &CodeRequest) -> ServiceResult<VerificationRecord> {
    let mut rng = rand::rng();
    // 100 random bits: a collision is practically impossible, but a taken code is never handed out twice.
    let code = loop {
        let mut bytes = [0u8; CODE_RANDOM_BYTES];
        rng.fill_bytes(&mut bytes);
        let code = code_from_random(&bytes);
        if tx.get_keyed::<VerificationRecord>(tables::VERIFICATIONS, &code)?.is_none() {
            break code;
        }
    };
    let record = VerificationRecord {
        code,
        kind: request.kind,
        submission_id: request.submission_id,
        project_name: request.project_name.clone(),
        masked_name: mask_name(&request.teacher_name),
        grade: request.grade.clone(),
        issued_at: tx.now(),
        content_sha256: request.content_sha256.clone(),
        form: request.form.clone(),
    };
    tx.put_keyed(tables::VERIFICATIONS, &record.code, &record)?;
    tx.put_keyed(tables::VERIFICATION_BY_CONTENT, &record.content_sha256, &record.code)?;
    Ok(record)
}

impl Services {
    /// Looks up a code typed on the public page or sent to the API; no sign-in. Each look-up counts against the
    /// client address's budget (`security.verify_attempts_per_minute`) before anything is read, so codes cannot be
    /// probed in bulk. `Ok(None)` means no such code: show [`UNKNOWN_CODE`].
    pub fn verify_code(&self, address: &str, typed: &str) -> ServiceResult<Option<VerificationRecord>> {
        if !self.printing.verify_throttle.allow(address) {
            return Err(ServiceError::Throttled);
        }
        let Some(code) = normalize_code(typed) else { return Ok(None) };
        Ok(self.store.read()?.get_keyed(tables::VERIFICATIONS, &code)?)
    }
}
