//! The only module that touches redb. It offers typed records (JSON values keyed by id), the secondary indexes,
//! transactions as closures (commit on `Ok`, abort on `Err`), the schema-version check and the migrations.

mod changes;
mod copy;
mod derived;
mod error;
mod migrate;
mod records;
mod snapshot_cache;
pub mod tables;

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableMultimapTable, ReadableTable, TableHandle, WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::Clock;

pub use changes::Changes;
pub use error::StoreError;
pub use migrate::SCHEMA_VERSION;
pub use records::Record;
pub use snapshot_cache::{Patch, SnapshotCache};

/// Handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    /// Bumped after every committed write transaction, so in-memory read models built from a snapshot can tell
    /// they may be stale (see `service::review::list_cache`).
    generation: Arc<AtomicU64>,
    /// What the recent commits wrote, by generation (see `changes.rs`); generations are given out under it.
    changes: Arc<Mutex<changes::ChangeLog>>,
    /// Dates what a write records (`WriteTx::now`): the services' clock (see `with_clock`), else the system's.
    clock: Clock,
}

/// A consistent snapshot for reading.
pub struct ReadTx {
    txn: ReadTransaction,
}

/// The one write transaction at a time; everything in it commits together.
pub struct WriteTx {
    txn: WriteTransaction,
    /// The u64-keyed records written, for the change log.
    written: RefCell<changes::Written>,
    clock: Clock,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, refusing a newer schema and migrating an older one.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            crate::private_fs::create_dir_all(parent)?;
        }
        let db = Database::create(path)?;
        // redb creates the file with the process umask; the database is everyone's ID number and password hash.
        crate::private_fs::restrict_file(path)?;
        let store = Self {
            db: Arc::new(db),
            generation: Arc::new(AtomicU64::new(0)),
            changes: Default::default(),
            clock: Clock::system(),
        };
        migrate::run(&store)?;
        Ok(store)
    }

    /// This store with its writes dated by `clock` (the services' clock, movable in a test server).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// How many write transactions this process has committed. Read it *before* taking the snapshot a cached
    /// view is built from: a commit in between only makes the view look older than it is, never newer.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The records written by the commits after generation `from` up to `to`, or `None` when the log does not
    /// reach back that far (the caller then rebuilds from a snapshot).
    pub fn changes_between(&self, from: u64, to: u64) -> Option<Changes> {
        self.changes.lock().ok()?.between(from, to)
    }

    pub fn read(&self) -> Result<ReadTx, StoreError> {
        Ok(ReadTx { txn: self.db.begin_read()? })
    }

    /// Runs `work` in a write transaction: commits when it returns `Ok`, aborts (changing nothing) on `Err`.
    pub fn write<R, E: From<StoreError>>(&self, work: impl FnOnce(&WriteTx) -> Result<R, E>) -> Result<R, E> {
        let tx = WriteTx {
            txn: self.db.begin_write().map_err(StoreError::from)?,
            written: Default::default(),
            clock: self.clock.clone(),
        };
        match work(&tx) {
            Ok(value) => {
                tx.txn.commit().map_err(StoreError::from)?;
                // The log entry is in place before the generation that names it can be read.
                let mut log = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let generation = self.generation.load(Ordering::Acquire) + 1;
                log.push(generation, tx.written.into_inner());
                self.generation.store(generation, Ordering::Release);
                Ok(value)
            }
            Err(error) => {
                tx.txn.abort().map_err(StoreError::from)?;
                Err(error)
            }
        }
    }
}

/// Reading operations shared by both transaction kinds.
pub trait Reader {
    /// The record with `id`, if any.
    fn get<T: Record>(&self, id: u64) -> Result<Option<T>, StoreError>;
    /// Every record of a kind, in id order. Meant for small tables and maintenance.
    fn all<T: Record>(&self) -> Result<Vec<T>, StoreError>;
    /// A `&str`-keyed JSON record (sessions, tokens).
    fn get_keyed<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
        key: &str,
    ) -> Result<Option<T>, StoreError>;
    fn lookup(&self, table: redb::TableDefinition<&str, u64>, key: &str) -> Result<Option<u64>, StoreError>;
    fn multimap_values(
        &self,
        table: redb::MultimapTableDefinition<&str, u64>,
        key: &str,
    ) -> Result<Vec<u64>, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<u64>, StoreError>;
    /// The last record (highest key) of a u64-keyed table.
    fn last<T: DeserializeOwned>(&self, table: redb::TableDefinition<u64, &[u8]>) -> Result<Option<T>, StoreError>;
    /// Records of a u64-keyed table in key order from `start`, at most `limit`, optionally newest first.
    fn range<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        reverse: bool,
        limit: usize,
        keep: &mut dyn FnMut(&T) -> bool,
    ) -> Result<Vec<T>, StoreError>;
    /// A record of a u64-keyed table decoded as `T`, which may be a partial view of the stored JSON (unknown
    /// fields are skipped), for lists that need a few fields of large records.
    fn get_as<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        id: u64,
    ) -> Result<Option<T>, StoreError>;
    /// Records `ids` of a u64-keyed table decoded as `T` (a partial view, like `get_as`), in the order given;
    /// missing ids are left out. Opens the table once, for lists that read thousands of records.
    fn get_many_as<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        ids: &[u64],
    ) -> Result<Vec<(u64, T)>, StoreError>;
    /// Visits records of a u64-keyed table in key order from `start` while `visit` returns true.
    fn scan_from<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        start: u64,
        visit: &mut dyn FnMut(u64, T) -> bool,
    ) -> Result<(), StoreError>;
}

macro_rules! impl_reader {
    ($tx:ty) => {
        impl Reader for $tx {
            fn get<T: Record>(&self, id: u64) -> Result<Option<T>, StoreError> {
                let table = match self.txn.open_table(T::TABLE) {
                    Ok(table) => table,
                    Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                    Err(error) => return Err(error.into()),
                };
                match table.get(id)? {
                    Some(bytes) => decode(T::TABLE.name(), &id.to_string(), bytes.value()).map(Some),
                    None => Ok(None),
                }
            }

            fn all<T: Record>(&self) -> Result<Vec<T>, StoreError> {
                let mut keep = |_: &T| true;
                self.range(T::TABLE, false, usize::MAX, &mut keep)
            }

            fn get_keyed<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<&str, &[u8]>,
                key: &str,
            ) -> Result<Option<T>, StoreError> {
                let opened = self.txn.open_table(table)?;
                match opened.get(key)? {
                    Some(bytes) => decode(table.name(), key, bytes.value()).map(Some),
                    None => Ok(None),
                }
            }

            fn lookup(&self, table: redb::TableDefinition<&str, u64>, key: &str) -> Result<Option<u64>, StoreError> {
                let opened = self.txn.open_table(table)?;
                Ok(opened.get(key)?.map(|value| value.value()))
            }

            fn multimap_values(
                &self,
                table: redb::MultimapTableDefinition<&str, u64>,
                key: &str,
            ) -> Result<Vec<u64>, StoreError> {
                let opened = self.txn.open_multimap_table(table)?;
                let mut values = Vec::new();
                for value in opened.get(key)? {
                    values.push(value?.value());
                }
                Ok(values)
            }

            fn meta(&self, key: &str) -> Result<Option<u64>, StoreError> {
                let opened = self.txn.open_table(tables::META)?;
                Ok(opened.get(key)?.map(|value| value.value()))
            }

            fn last<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<u64, &[u8]>,
            ) -> Result<Option<T>, StoreError> {
                let opened = self.txn.open_table(table)?;
                match opened.last()? {
                    Some((key, bytes)) => decode(table.name(), &key.value().to_string(), bytes.value()).map(Some),
                    None => Ok(None),
                }
            }

            fn range<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<u64, &[u8]>,
                reverse: bool,
                limit: usize,
                keep: &mut dyn FnMut(&T) -> bool,
            ) -> Result<Vec<T>, StoreError> {
                let opened = self.txn.open_table(table)?;
                let iter = opened.iter()?;
                let mut out = Vec::new();
                let mut visit = |entry: Result<
                    (redb::AccessGuard<u64>, redb::AccessGuard<&[u8]>),
                    redb::StorageError,
                >|
                 -> Result<bool, StoreError> {
                    let (key, bytes) = entry?;
                    let record: T = decode(table.name(), &key.value().to_string(), bytes.value())?;
                    if keep(&record) {
                        out.push(record);
                    }
                    Ok(out.len() < limit)
                };
                if reverse {
                    for entry in iter.rev() {
                        if !visit(entry)? {
                            break;
                        }
                    }
                } else {
                    for entry in iter {
                        if !visit(entry)? {
                            break;
                        }
                    }
                }
                Ok(out)
            }

            fn get_as<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<u64, &[u8]>,
                id: u64,
            ) -> Result<Option<T>, StoreError> {
                let opened = self.txn.open_table(table)?;
                match opened.get(id)? {
                    Some(bytes) => decode(table.name(), &id.to_string(), bytes.value()).map(Some),
                    None => Ok(None),
                }
            }

            fn get_many_as<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<u64, &[u8]>,
                ids: &[u64],
            ) -> Result<Vec<(u64, T)>, StoreError> {
                let opened = self.txn.open_table(table)?;
                let mut found = Vec::with_capacity(ids.len());
                for &id in ids {
                    if let Some(bytes) = opened.get(id)? {
                        found.push((id, decode(table.name(), &id.to_string(), bytes.value())?));
                    }
                }
                Ok(found)
            }

            fn scan_from<T: DeserializeOwned>(
                &self,
                table: redb::TableDefinition<u64, &[u8]>,
                start: u64,
                visit: &mut dyn FnMut(u64, T) -> bool,
            ) -> Result<(), StoreError> {
                let opened = self.txn.open_table(table)?;
                for entry in opened.range(start..)? {
                    let (key, bytes) = entry?;
                    let record: T = decode(table.name(), &key.value().to_string(), bytes.value())?;
                    if !visit(key.value(), record) {
                        break;
                    }
                }
                Ok(())
            }
        }
    };
}

impl_reader!(ReadTx);
impl_reader!(WriteTx);

impl ReadTx {
    /// How many entries a `&str`-keyed table holds (0 when it was never created).
    pub fn count_keyed(&self, table: redb::TableDefinition<&str, &[u8]>) -> Result<u64, StoreError> {
        match self.txn.open_table(table) {
            Ok(opened) => Ok(redb::ReadableTableMetadata::len(&opened)?),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(0),
            Err(error) => Err(error.into()),
        }
    }
}

impl WriteTx {
    /// "Now" for what this transaction records (created, changed, audited at), by the store's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Inserts or replaces a record under its id.
    pub fn put<T: Record>(&self, record: &T) -> Result<(), StoreError> {
        let bytes = encode(record);
        self.txn.open_table(T::TABLE)?.insert(record.id(), bytes.as_slice())?;
        self.written.borrow_mut().push((T::TABLE.name().to_string(), record.id()));
        record.after_put(self)
    }

    /// Inserts or replaces a `&str`-keyed JSON record.
    pub fn put_keyed<T: Serialize>(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
        key: &str,
        record: &T,
    ) -> Result<(), StoreError> {
        let bytes = encode(record);
        self.txn.open_table(table)?.insert(key, bytes.as_slice())?;
        Ok(())
    }

    pub fn remove_keyed(&self, table: redb::TableDefinition<&str, &[u8]>, key: &str) -> Result<(), StoreError> {
        self.txn.open_table(table)?.remove(key)?;
        Ok(())
    }

    /// Appends to a u64-keyed table of JSON records (audit, versions).
    pub fn put_at<T: Serialize>(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        key: u64,
        record: &T,
    ) -> Result<(), StoreError> {
        let bytes = encode(record);
        self.txn.open_table(table)?.insert(key, bytes.as_slice())?;
        self.written.borrow_mut().push((table.name().to_string(), key));
        Ok(())
    }

    pub fn set_lookup(&self, table: redb::TableDefinition<&str, u64>, key: &str, value: u64) -> Result<(), StoreError> {
        self.txn.open_table(table)?.insert(key, value)?;
        Ok(())
    }

    pub fn remove_lookup(&self, table: redb::TableDefinition<&str, u64>, key: &str) -> Result<(), StoreError> {
        self.txn.open_table(table)?.remove(key)?;
        Ok(())
    }

    pub fn multimap_insert(
        &self,
        table: redb::MultimapTableDefinition<&str, u64>,
        key: &str,
        value: u64,
    ) -> Result<(), StoreError> {
        self.txn.open_multimap_table(table)?.insert(key, value)?;
        Ok(())
    }

    pub fn multimap_remove(
        &self,
        table: redb::MultimapTableDefinition<&str, u64>,
        key: &str,
        value: u64,
    ) -> Result<(), StoreError> {
        self.txn.open_multimap_table(table)?.remove(key, value)?;
        Ok(())
    }

    /// Session keys of an account (u64 → &str multimap).
    pub fn session_keys_of(&self, account_id: u64) -> Result<Vec<String>, StoreError> {
        let table = self.txn.open_multimap_table(tables::SESSIONS_BY_ACCOUNT)?;
        let mut keys = Vec::new();
        for value in table.get(account_id)? {
            keys.push(value?.value().to_string());
        }
        Ok(keys)
    }

    pub fn link_session(&self, account_id: u64, key: &str) -> Result<(), StoreError> {
        self.txn.open_multimap_table(tables::SESSIONS_BY_ACCOUNT)?.insert(account_id, key)?;
        Ok(())
    }

    pub fn unlink_session(&self, account_id: u64, key: &str) -> Result<(), StoreError> {
        self.txn.open_multimap_table(tables::SESSIONS_BY_ACCOUNT)?.remove(account_id, key)?;
        Ok(())
    }

    pub fn set_meta(&self, key: &str, value: u64) -> Result<(), StoreError> {
        self.txn.open_table(tables::META)?.insert(key, value)?;
        Ok(())
    }

    /// A new id, unique across every kind of record (so organisation keys never collide).
    pub fn next_id(&self) -> Result<u64, StoreError> {
        let next = self.meta(tables::NEXT_ID_KEY)?.unwrap_or(1);
        self.set_meta(tables::NEXT_ID_KEY, next + 1)?;
        Ok(next)
    }

    /// Iterates a `&str`-keyed JSON table, for sweeps (expired sessions).
    pub fn keyed_entries<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let opened = self.txn.open_table(table)?;
        let mut out = Vec::new();
        for entry in opened.iter()? {
            let (key, bytes) = entry?;
            out.push((key.value().to_string(), decode(table.name(), key.value(), bytes.value())?));
        }
        Ok(out)
    }
}

impl ReadTx {
    /// Iterates a `&str`-keyed JSON table.
    pub fn keyed_entries<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let opened = self.txn.open_table(table)?;
        let mut out = Vec::new();
        for entry in opened.iter()? {
            let (key, bytes) = entry?;
            out.push((key.value().to_string(), decode(table.name(), key.value(), bytes.value())?));
        }
        Ok(out)
    }
}

fn encode<T: Serialize>(record: &T) -> Vec<u8> {
    // Serialising plain structs of strings and numbers cannot fail; an empty object is the safe fallback.
    serde_json::to_vec(record).unwrap_or_else(|_| b"{}".to_vec())
}

fn decode<T: DeserializeOwned>(table: &str, key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        table: table.to_string(),
        key: key.to_string(),
        source,
    })
}

/// The organisation key used by `ACCOUNTS_BY_ORG`.
pub fn org_key(org: crate::domain::org::OrgRef) -> String {
    use crate::domain::org::OrgRef;
    match org {
        OrgRef::City => "city".into(),
        OrgRef::Department(id) => format!("department:{id}"),
        OrgRef::School(id) => format!("school:{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notice::Audience;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct TitleOnly {
        title: String,
    }

    #[test]
    fn get_many_as_reads_partial_views_in_the_order_given_and_skips_missing_ids() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(&dir.path().join("db.redb")).expect("store");
        let now = crate::clock::Clock::system().now();
        let notice = |id: u64, title: &str| crate::domain::notice::Notice {
            id,
            title: title.into(),
            body: "正文".repeat(100),
            attachments: Vec::new(),
            publish_at: now,
            audience: Audience::default(),
            created_by: 1,
            created_at: now,
            updated_at: now,
            withdrawn_at: None,
        };
        store.write(|tx| tx.put(&notice(3, "三")).and_then(|()| tx.put(&notice(5, "五")))).expect("write");
        let read = store.read().expect("read");
        let found: Vec<(u64, TitleOnly)> = read.get_many_as(tables::NOTICES, &[5, 4, 3]).expect("many");
        assert_eq!(found, vec![(5, TitleOnly { title: "五".into() }), (3, TitleOnly { title: "三".into() })]);
    }
}
