//! Service errors, sorted by what the caller should do. Pages map them in `web/errors.rs`, the API in
//! `api/errors.rs`; nowhere else.

use crate::domain::FieldErrors;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such record — or one the actor may not know exists (foreign scope answers the same way).
    #[error("{0}")]
    NotFound(&'static str),
    /// The actor is signed in but this is not theirs to do.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Not signed in, or the session ended.
    #[error("请先登录")]
    Unauthenticated,
    /// Input failed validation; every failing field with its message.
    #[error("提交的信息有误")]
    Invalid(FieldErrors),
    /// The request clashes with the current state (duplicate, wrong step of the workflow…).
    #[error("{0}")]
    Conflict(String),
    /// Sign-in refused; the message is the one to show.
    #[error("{message}")]
    Login { kind: LoginFailure, message: String },
    /// Too many attempts from this address; try again later.
    #[error("操作过于频繁，请稍后再试")]
    Throttled,
    /// The account must change its password before anything else.
    #[error("请先修改默认密码")]
    PasswordChangeRequired,
    /// Storage failed; not the caller's fault.
    #[error(transparent)]
    Store(StoreError),
    /// Something that should not happen; logged, shown as a generic message.
    #[error("内部错误：{0}")]
    Internal(String),
    /// An upload is bigger than its limit; the message names the limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// An upload is not of a kind this operation accepts (decided by content); the message names the rule.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The data directory's disk is full or below `uploads.min_free_mib`: uploads and saves are refused until
    /// an operator frees space; nothing saved before is touched.
    #[error("{0}")]
    InsufficientStorage(String),
}

/// What a person sees when the server's disk is full.
pub const DISK_FULL_MESSAGE: &str =
    "服务器存储空间不足，暂时无法上传文件或保存。已保存的内容不受影响，请稍后再试或联系管理员。";

impl ServiceError {
    /// The disk is full (or below the configured reserve).
    pub fn disk_full() -> Self {
        ServiceError::InsufficientStorage(DISK_FULL_MESSAGE.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        if error.is_storage_full() {
            tracing::error!(%error, "the database could not be written: the disk is full");
            ServiceError::disk_full()
        } else {
            ServiceError::Store(error)
        }
    }
}

/// Why a sign-in failed (also the label of the `zhiping_logins_total` metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    WrongCredentials,
    Frozen,
    Disabled,
}

impl LoginFailure {
    pub fn code(self) -> &'static str {
        match self {
            LoginFailure::WrongCredentials => "wrong_credentials",
            LoginFailure::Frozen => "account_frozen",
            LoginFailure::Disabled => "account_disabled",
        }
    }
}

impl ServiceError {
    /// A single-field validation failure.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        ServiceError::Invalid(errors)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
