//! Whole-database operations for backups and `zhiping check`: opening without migrating, copying every table of
//! one read transaction (a consistent snapshot) into a fresh database file, and plain iteration over the index
//! tables.

use std::path::Path;

use redb::{Database, MultimapTableHandle, ReadableMultimapTable, ReadableTable, TableError, TableHandle};

use super::tables::{self, AnyTable};
use super::{ReadTx, Store, StoreError};

/// Rows copied per write transaction of the copy: bounds the copy's memory whatever the table sizes.
const ROWS_PER_COMMIT: u64 = 20_000;

impl Store {
    /// Opens an existing database as it is: no migration, no derived-data rebuild (for `check` and backups of
    /// a stopped server). A missing file is an error.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("数据库文件 {} 不存在", path.display()),
            )));
        }
        let db = Database::open(path)?;
        Ok(Self {
            db: std::sync::Arc::new(db),
            generation: Default::default(),
            changes: Default::default(),
            clock: crate::clock::Clock::system(),
        })
    }

    /// redb's own check of the file's internal structures. `None` when another handle of this store is alive
    /// (the check needs exclusive access, e.g. while the server runs).
    pub fn integrity(&mut self) -> Result<Option<bool>, StoreError> {
        match std::sync::Arc::get_mut(&mut self.db) {
            Some(db) => Ok(Some(db.check_integrity()?)),
            None => Ok(None),
        }
    }
}

impl ReadTx {
    /// Names of every table in the database, plain and multimap.
    pub fn table_names(&self) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> = self.txn.list_tables()?.map(|table| table.name().to_string()).collect();
        names.extend(self.txn.list_multimap_tables()?.map(|table| table.name().to_string()));
        Ok(names)
    }

    /// Copies every table of this snapshot into a new database at `target` (which must not exist) and returns
    /// the number of rows copied. Refuses a database holding a table `tables::ALL` does not know: a backup must
    /// never silently leave data out.
    pub fn copy_to(&self, target: &Path) -> Result<u64, StoreError> {
        let known: Vec<&str> = tables::ALL.iter().map(AnyTable::name).collect();
        if let Some(unknown) = self.table_names()?.into_iter().find(|name| !known.contains(&name.as_str())) {
            return Err(StoreError::Io(std::io::Error::other(format!("数据库中有未知的表 {unknown}，无法完整备份"))));
        }
        let out = Database::builder().create(target)?;
        let mut copied = 0u64;
        for table in tables::ALL {
            copied += match *table {
                AnyTable::StrU64(definition) => self.copy_plain(&out, definition)?,
                AnyTable::U64Json(definition) => self.copy_plain(&out, definition)?,
                AnyTable::StrJson(definition) => self.copy_plain(&out, definition)?,
                AnyTable::MultiStrU64(definition) => self.copy_multimap(&out, definition)?,
                AnyTable::MultiU64Str(definition) => self.copy_multimap(&out, definition)?,
            };
        }
        drop(out);
        // The new file's bytes must be on disk before anyone hashes or ships it.
        std::fs::File::open(target)?.sync_all()?;
        Ok(copied)
    }

    fn copy_plain<K, V>(&self, out: &Database, definition: redb::TableDefinition<K, V>) -> Result<u64, StoreError>
    where
        K: redb::Key + 'static,
        V: redb::Value + 'static,
    {
        let source = match self.txn.open_table(definition) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(error) => return Err(error.into()),
        };
        let mut rows = source.iter()?;
        let mut copied = 0u64;
        loop {
            let txn = out.begin_write()?;
            let mut finished = true;
            {
                let mut table = txn.open_table(definition)?;
                let mut batch = 0u64;
                for entry in rows.by_ref() {
                    let (key, value) = entry?;
                    table.insert(key.value(), value.value())?;
                    batch += 1;
                    if batch == ROWS_PER_COMMIT {
                        finished = false;
                        break;
                    }
                }
                copied += batch;
            }
            txn.commit()?;
            if finished {
                return Ok(copied);
            }
        }
    }

    fn copy_multimap<K, V>(
        &self,
        out: &Database,
        definition: redb::MultimapTableDefinition<K, V>,
    ) -> Result<u64, StoreError>
    where
        K: redb::Key + 'static,
        V: redb::Key + 'static,
    {
        let source = match self.txn.open_multimap_table(definition) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(error) => return Err(error.into()),
        };
        let mut keys = source.iter()?;
        let mut copied = 0u64;
        loop {
            let txn = out.begin_write()?;
            let mut finished = true;
            {
                let mut table = txn.open_multimap_table(definition)?;
                let mut batch = 0u64;
                for entry in keys.by_ref() {
                    let (key, values) = entry?;
                    for value in values {
                        table.insert(key.value(), value?.value())?;
                        batch += 1;
                    }
                    if batch >= ROWS_PER_COMMIT {
                        finished = false;
                        break;
                    }
                }
                copied += batch;
            }
            txn.commit()?;
            if finished {
                return Ok(copied);
            }
        }
    }

    /// Every entry of a `&str → u64` index table, in key order.
    pub fn lookup_entries(&self, table: redb::TableDefinition<&str, u64>) -> Result<Vec<(String, u64)>, StoreError> {
        let opened = match self.txn.open_table(table) {
            Ok(opened) => opened,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(error.into()),
        };
        let mut out = Vec::new();
        for entry in opened.iter()? {
            let (key, value) = entry?;
            out.push((key.value().to_string(), value.value()));
        }
        Ok(out)
    }

    /// Every (key, value) pair of a `&str → u64` multimap index, in key order.
    pub fn multimap_entries(
        &self,
        table: redb::MultimapTableDefinition<&str, u64>,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let opened = match self.txn.open_multimap_table(table) {
            Ok(opened) => opened,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(error.into()),
        };
        let mut out = Vec::new();
        for entry in opened.iter()? {
            let (key, values) = entry?;
            for value in values {
                out.push((key.value().to_string(), value?.value()));
            }
        }
        Ok(out)
    }

    /// Every (account id, session key) pair of `SESSIONS_BY_ACCOUNT`.
    pub fn session_links(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let opened = match self.txn.open_multimap_table(tables::SESSIONS_BY_ACCOUNT) {
            Ok(opened) => opened,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(error) => return Err(error.into()),
        };
        let mut out = Vec::new();
        for entry in opened.iter()? {
            let (key, values) = entry?;
            for value in values {
                out.push((key.value(), value?.value().to_string()));
            }
        }
        Ok(out)
    }

    /// Visits every row of a `&str`-keyed JSON table without holding the table in memory.
    pub fn visit_keyed(
        &self,
        table: redb::TableDefinition<&str, &[u8]>,
        visit: &mut dyn FnMut(&str, &[u8]),
    ) -> Result<(), StoreError> {
        let opened = match self.txn.open_table(table) {
            Ok(opened) => opened,
            Err(TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        for entry in opened.iter()? {
            let (key, value) = entry?;
            visit(key.value(), value.value());
        }
        Ok(())
    }

    /// Visits every row of a u64-keyed JSON table as raw bytes.
    pub fn visit_records(
        &self,
        table: redb::TableDefinition<u64, &[u8]>,
        visit: &mut dyn FnMut(u64, &[u8]),
    ) -> Result<(), StoreError> {
        let opened = match self.txn.open_table(table) {
            Ok(opened) => opened,
            Err(TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        for entry in opened.iter()? {
            let (key, value) = entry?;
            visit(key.value(), value.value());
        }
        Ok(())
    }
}

impl ReadTx {
    /// The schema version of this snapshot (`None` for an empty or foreign file).
    pub fn schema_version(&self) -> Result<Option<u64>, StoreError> {
        match self.txn.open_table(tables::META) {
            Ok(table) => Ok(table.get(tables::SCHEMA_VERSION_KEY)?.map(|value| value.value())),
            Err(TableError::TableDoesNotExist(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}
