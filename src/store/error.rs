//! Errors of the storage layer. Callers only decide "retry later / report" on these; domain refusals never
//! travel through here.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb reported a failure (I/O, corruption, a full disk…).
    #[error("数据库错误：{0}")]
    Db(#[from] redb::Error),
    /// A stored record could not be decoded: the data directory is damaged or was written by foreign code.
    #[error("数据记录损坏（{table} #{key}）：{source}")]
    Corrupt { table: String, key: String, source: serde_json::Error },
    /// The data directory was written by a newer zhiping; opening it could destroy data.
    #[error("数据目录的结构版本为 {found}，本程序只支持到 {supported}：请使用更新版本的 zhiping")]
    SchemaTooNew { found: u64, supported: u64 },
    /// The database is held by another running zhiping process.
    #[error("数据库正被另一个 zhiping 进程使用")]
    Locked,
    /// A file system operation around the database failed.
    #[error("文件系统错误：{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Whether the failure is a full file system (the write was refused; nothing half-written is kept: redb
    /// commits atomically).
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::Db(redb::Error::Io(error)) | StoreError::Io(error) => crate::files::is_storage_full(error),
            _ => false,
        }
    }
}

macro_rules! from_redb {
    ($($error:ty),*) => {$(
        impl From<$error> for StoreError {
            fn from(error: $error) -> Self {
                StoreError::Db(error.into())
            }
        }
    )*};
}

from_redb!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

impl From<redb::DatabaseError> for StoreError {
    fn from(error: redb::DatabaseError) -> Self {
        match error {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked,
            other => StoreError::Db(other.into()),
        }
    }
}
