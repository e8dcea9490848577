//! The kiosk's local store: SQLite (bundled), one file, WAL, foreign keys on.
//!
//! Migrations are keyed on `PRAGMA user_version`; each entry of [`MIGRATIONS`] moves the schema one
//! version up inside one transaction. A store from a newer kiosk is refused, never downgraded, and a
//! store that fails `PRAGMA integrity_check` is reported, never silently recreated.
//! The store formats no text: it hands out domain values; screens and tickets do the wording.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub mod audit;
pub mod bookings;
mod codec;
pub mod complaints;
pub mod fingerprints;
pub mod persons;
pub mod print_jobs;
pub mod sync;
pub mod queue;

/// Schema migrations in order: index i takes the store from version i to version i + 1.
const MIGRATIONS: &[&str] = &[include_str!("schema_v1.sql")];

/// The schema version this build of the kiosk writes and understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Tables whose row counts `kiosk store check` and diagnostics report, in display order.
pub const COUNTED_TABLES: &[&str] = &[
    "facility",
    "person",
    "inmate",
    "detention_period",
    "remission",
    "programme_decision",
    "family_link",
    "fingerprint",
    "booking",
    "visit",
    "queue_ticket",
    "complaint",
    "print_job",
    "audit_log",
    "sync_state",
    "sync_quarantine",
    "sync_pushed",
];

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or is not a database at all.
    #[error("cannot open store {path}: {source}")]
    Open {
        /// The store file.
        path: PathBuf,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// The file was written by a newer kiosk; opening it here could corrupt it.
    #[error(
        "store schema version {found} is newer than this kiosk supports ({supported}); update the kiosk software"
    )]
    FutureSchema {
        /// Version found in the file.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// `PRAGMA integrity_check` found damage.
    #[error("store is damaged: {0}")]
    Damaged(String),
    /// Any other SQLite error.
    #[error("store error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// SQLite's "corrupt" and "not a database" failures become [`StoreError::Damaged`], so every
/// caller (store check, diagnostics, the screen) sees one kind for a damaged file.
fn damaged_or(err: StoreError) -> StoreError {
    let sqlite = match &err {
        StoreError::Sql(e) | StoreError::Open { source: e, .. } => e,
        _ => return err,
    };
    match sqlite.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::Damaged("SQLite reports the database file as malformed".into())
        }
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::Damaged(
            "the file is not a SQLite database (damaged header or a different file)".into(),
        ),
        _ => err,
    }
}

/// An open store. Not `Sync`: open one per thread (SQLite serialises writers, WAL lets readers on).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the store at `path`, checks its integrity and migrates it to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open { path: path.to_path_buf(), source };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        // Reading the header is the first access: a file that is not SQLite fails here.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| damaged_or(open_err(e)))?;
        let mut store = Store { conn, path: Some(path.to_path_buf()) };
        store.prepare().map_err(damaged_or)?;
        Ok(store)
    }

    /// An empty, migrated store in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "foreign_keys", true)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::FutureSchema { found, supported: SCHEMA_VERSION });
        }
        if found > 0 {
            self.integrity_check()?;
        }
        self.migrate(found)
    }

    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (index + 1) as u32)?;
            tx.commit()?;
            tracing::info!(version = index + 1, "store migrated");
        }
        Ok(())
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// Runs `PRAGMA integrity_check` and the foreign key check; `Damaged` names what is wrong
    /// (the first few problems: a badly damaged file can have thousands).
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        self.integrity_check_inner().map_err(damaged_or)
    }

    fn integrity_check_inner(&self) -> Result<(), StoreError> {
        const SHOWN: usize = 6;
        let mut stmt = self.conn.prepare("PRAGMA integrity_check(100)")?;
        let problems: Vec<String> =
            stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        if problems.len() != 1 || problems[0] != "ok" {
            let lines: Vec<&str> = problems
                .iter()
                .flat_map(|p| p.lines())
                .filter(|line| !line.starts_with("*** in database"))
                .collect();
            let mut summary = lines.iter().take(SHOWN).copied().collect::<Vec<_>>().join("; ");
            if lines.len() > SHOWN {
                summary.push_str(&format!("; and {} more problems", lines.len() - SHOWN));
            }
            return Err(StoreError::Damaged(summary));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let dangling: Vec<String> = stmt
            .query_map([], |row| {
                Ok(format!(
                    "{} row {} -> {}",
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?
                ))
            })?
            .collect::<Result<_, _>>()?;
        if !dangling.is_empty() {
            return Err(StoreError::Damaged(format!(
                "dangling references: {}",
                dangling.join("; ")
            )));
        }
        Ok(())
    }

    /// Row counts of [`COUNTED_TABLES`], in that order.
    pub fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        COUNTED_TABLES
            .iter()
            .map(|table| {
                let n: i64 =
                    self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                        row.get(0)
                    })?;
                Ok((*table, n as u64))
            })
            .collect()
    }

    /// Runs `work` inside one write transaction (`BEGIN IMMEDIATE`): committed when it returns
    /// `Ok`, rolled back when it returns `Err`. Bulk writers (demo, sync) use it for speed and so
    /// that readers never see half an import.
    pub fn in_transaction<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(StoreError::from)?;
        match work(self) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT").map_err(StoreError::from)?;
                Ok(value)
            }
            Err(err) => {
                // The work's error matters more than a failed rollback.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(err)
            }
        }
    }

    /// Copies the write-ahead log into the main file and truncates the log, so the main file
    /// alone holds the whole store (before copying or moving it).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// The file behind this store, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The connection, for the query modules of this crate.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, mutable, for transactions.
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty_to_current() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        let counts = store.counts().expect("counts");
        assert_eq!(counts.len(), COUNTED_TABLES.len());
        assert!(counts.iter().all(|(_, n)| *n == 0));
    }

    #[test]
    fn reopening_keeps_version_and_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        {
            let store = Store::open(&path).expect("open");
            store
                .conn()
                .execute("INSERT INTO facility (id, name) VALUES ('F', 'Rutan F')", [])
                .expect("insert");
        }
        let store = Store::open(&path).expect("reopen");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
        assert_eq!(store.counts().expect("counts")[0], ("facility", 1));
    }

    #[test]
    fn refuses_a_future_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("set version");
        }
        match Store::open(&path) {
            Err(StoreError::FutureSchema { found, supported }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected FutureSchema, got {:?}", other.err()),
        }
    }

    #[test]
    fn refuses_a_file_that_is_not_a_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        std::fs::write(&path, vec![0x42u8; 8192]).expect("write");
        match Store::open(&path) {
            Err(StoreError::Damaged(reason)) => {
                assert!(reason.contains("not a SQLite"), "{reason}")
            }
            other => panic!("expected Damaged, got {:?}", other.err()),
        }
    }
}
