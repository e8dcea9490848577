//! The store's side of the sync with the hub: the pull cursor, applying a batch of pulled changes in
//! one transaction, the events still to push, quarantined rows, and the sync state shown in
//! diagnostics. Table and column names come from `crate::sync::tables` (static, trusted); values
//! are bound as parameters.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{ErrorCode, OptionalExtension, params};

use super::{Store, StoreError};

/// `sync_state` keys.
const CURSOR: &str = "cursor";
const LAST_ATTEMPT: &str = "last_attempt_at";
const LAST_SUCCESS: &str = "last_success_at";
const LAST_ERROR: &str = "last_error";
const LAST_ERROR_AT: &str = "last_error_at";
const PENDING: &str = "pending_changes";
const LAG: &str = "lag_seconds";

/// One change pulled from the hub's change log, decoded (or not) by the sync module.
#[derive(Debug, Clone)]
pub struct PulledChange {
    /// The hub's change sequence number.
    pub seq: i64,
    /// Local table (a name from the sync table list, never outside input).
    pub table: &'static str,
    /// Key column of that table.
    pub key_column: &'static str,
    /// Value of the key.
    pub row_id: String,
    /// What to do.
    pub action: PulledAction,
}

/// What a pulled change asks of the store.
#[derive(Debug, Clone)]
pub enum PulledAction {
    /// Insert the row, or update it when the key exists. Columns include the key.
    Upsert(Vec<(&'static str, Value)>),
    /// Remove the row (children go with it through `ON DELETE CASCADE`).
    Delete,
    /// The row could not be decoded; it goes to quarantine with this error.
    Malformed {
        /// Why the row was refused.
        error: String,
        /// The row as received.
        payload: String,
    },
}

/// What applying one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchApplied {
    /// Rows inserted or updated.
    pub upserted: u64,
    /// Rows deleted.
    pub deleted: u64,
    /// Rows quarantined (malformed, or refused by a constraint).
    pub quarantined: u64,
    /// Whether fingerprint templates may have changed (the 1:N index needs a refresh).
    pub templates_changed: bool,
}

/// A quarantined row, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// `pull` or `push`.
    pub direction: String,
    /// Local table.
    pub table: String,
    /// Key of the row.
    pub row_id: String,
    /// Hub change sequence (pulled rows).
    pub seq: Option<i64>,
    /// Why it was refused.
    pub error: String,
    /// When (RFC 3339).
    pub at: String,
}

/// The sync state as diagnostics show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// Last hub change applied (0 = never pulled).
    pub cursor: i64,
    /// Start of the last attempt.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// End of the last successful sync.
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last error, cleared by a success.
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Changes the hub had that this kiosk had not yet applied, at the end of the last success.
    pub pending_changes: Option<u64>,
    /// Age in seconds of the oldest change not yet applied, at the end of the last success.
    pub lag_seconds: Option<i64>,
    /// Local events not yet accepted by the hub.
    pub unpushed_events: u64,
    /// Rows in quarantine.
    pub quarantined: u64,
    /// The most recent quarantined rows (up to 20), newest first.
    pub recent_quarantine: Vec<QuarantinedRow>,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn is_constraint(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::ConstraintViolation)
}

fn set_state(conn: &rusqlite::Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn clear_state(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sync_state WHERE key = ?1", params![key])?;
    Ok(())
}

impl Store {
    fn state(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", params![key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// The last hub change sequence applied to this store (0 before the first pull).
    pub fn sync_cursor(&self) -> Result<i64, StoreError> {
        match self.state(CURSOR)? {
            None => Ok(0),
            Some(text) => text
                .parse()
                .map_err(|_| StoreError::Damaged(format!("sync cursor is not a number: {text:?}"))),
        }
    }

    /// Applies one pulled batch and moves the cursor to `new_cursor`, all in one transaction: after
    /// an error nothing of the batch is kept. A row that is malformed or breaks a constraint is
    /// quarantined and the rest applies. `after_row` runs after each row (a seam for fault
    /// injection in tests); an `Err` from it abandons the batch.
    pub fn apply_pull_batch(
        &mut self,
        changes: &[PulledChange],
        new_cursor: i64,
        after_row: &mut dyn FnMut(usize) -> Result<(), String>,
    ) -> Result<BatchApplied, BatchError> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut outcome = BatchApplied::default();
        let now = now_text();
        // Most batches meet an empty quarantine: skip the per-row release then.
        let mut quarantine_in_use: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sync_quarantine WHERE direction = 'pull')",
                [],
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        let mut upsert_sql: std::collections::HashMap<(&str, usize), String> =
            std::collections::HashMap::new();
        for (index, change) in changes.iter().enumerate() {
            let result = match &change.action {
                PulledAction::Malformed { error, payload } => {
                    Err(Refused { error: error.clone(), payload: Some(payload.clone()) })
                }
                PulledAction::Delete => {
                    let sql =
                        format!("DELETE FROM {} WHERE {} = ?1", change.table, change.key_column);
                    match tx
                        .prepare_cached(&sql)
                        .and_then(|mut s| s.execute(params![change.row_id]))
                    {
                        Ok(n) => {
                            outcome.deleted += n as u64;
                            Ok(())
                        }
                        Err(e) if is_constraint(&e) => {
                            Err(Refused { error: e.to_string(), payload: None })
                        }
                        Err(e) => return Err(StoreError::from(e).into()),
                    }
                }
                PulledAction::Upsert(columns) => {
                    let sql =
                        upsert_sql.entry((change.table, columns.len())).or_insert_with(|| {
                            upsert_statement(change.table, change.key_column, columns)
                        });
                    let values = columns.iter().map(|(_, v)| v);
                    match tx
                        .prepare_cached(sql)
                        .and_then(|mut s| s.execute(rusqlite::params_from_iter(values)))
                    {
                        Ok(_) => {
                            outcome.upserted += 1;
                            Ok(())
                        }
                        Err(e) if is_constraint(&e) => Err(Refused {
                            error: e.to_string(),
                            payload: Some(payload_json(columns)),
                        }),
                        Err(e) => return Err(StoreError::from(e).into()),
                    }
                }
            };
            match result {
                Ok(()) => {
                    if change.table == "fingerprint" || change.table == "person" {
                        outcome.templates_changed |= change.table == "fingerprint"
                            || matches!(change.action, PulledAction::Delete);
                    }
                    if change.table == "fingerprint" {
                        // The hub has this template: it is not a local enrolment to push.
                        tx.prepare_cached(
                            "INSERT OR IGNORE INTO sync_pushed (table_name, row_id, pushed_at)
                             VALUES ('fingerprint', ?1, ?2)",
                        )
                        .and_then(|mut s| s.execute(params![change.row_id, now]))
                        .map_err(StoreError::from)?;
                    }
                    if quarantine_in_use {
                        tx.prepare_cached(
                            "DELETE FROM sync_quarantine
                             WHERE direction = 'pull' AND table_name = ?1 AND row_id = ?2",
                        )
                        .and_then(|mut s| s.execute(params![change.table, change.row_id]))
                        .map_err(StoreError::from)?;
                    }
                }
                Err(refused) => {
                    tracing::warn!(
                        table = change.table,
                        row = %change.row_id,
                        seq = change.seq,
                        error = %refused.error,
                        "pulled row quarantined"
                    );
                    tx.prepare_cached(
                        "INSERT INTO sync_quarantine
                             (direction, table_name, row_id, seq, error, payload, at)
                         VALUES ('pull', ?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            change.table,
                            change.row_id,
                            change.seq,
                            refused.error,
                            refused.payload,
                            now
                        ])
                    })
                    .map_err(StoreError::from)?;
                    outcome.quarantined += 1;
                    quarantine_in_use = true;
                }
            }
            after_row(index).map_err(BatchError::Interrupted)?;
        }
        set_state(&tx, CURSOR, &new_cursor.to_string()).map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(outcome)
    }

    /// Local rows of `table` the hub does not have yet (and that are not quarantined), oldest
    /// first, as `(row_id, columns)`. `columns` are read in the given order; `key` names the key.
    pub fn unpushed_rows(
        &self,
        table: &'static str,
        key: &'static str,
        columns: &[&'static str],
        limit: usize,
    ) -> Result<Vec<(String, Vec<Value>)>, StoreError> {
        let sql = format!(
            "SELECT {key}, {cols} FROM {table} t
             WHERE NOT EXISTS (SELECT 1 FROM sync_pushed p
                               WHERE p.table_name = '{table}' AND p.row_id = t.{key})
               AND NOT EXISTS (SELECT 1 FROM sync_quarantine q
                               WHERE q.direction = 'push' AND q.table_name = '{table}'
                                 AND q.row_id = t.{key})
             ORDER BY t.rowid LIMIT ?1",
            cols = columns.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![limit as i64], |row| {
            let id: String = row.get(0)?;
            let values = (0..columns.len())
                .map(|i| row.get::<_, Value>(i + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((id, values))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that the hub has these rows of `table` (pushed, or already there).
    pub fn mark_pushed(&mut self, table: &str, row_ids: &[String]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let now = now_text();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO sync_pushed (table_name, row_id, pushed_at) VALUES (?1, ?2, ?3)",
            )?;
            for id in row_ids {
                stmt.execute(params![table, id, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts a local row the hub refused into quarantine; it is not offered again until a technician
    /// clears the quarantine.
    pub fn quarantine_push(
        &mut self,
        table: &str,
        row_id: &str,
        error: &str,
        payload: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_quarantine (direction, table_name, row_id, seq, error, payload, at)
             VALUES ('push', ?1, ?2, NULL, ?3, ?4, ?5)",
            params![table, row_id, error, payload, now_text()],
        )?;
        Ok(())
    }

    /// Empties the quarantine (technician action); pushed rows become eligible again.
    pub fn clear_sync_quarantine(&mut self) -> Result<u64, StoreError> {
        Ok(self.conn.execute("DELETE FROM sync_quarantine", [])? as u64)
    }

    /// Notes the start of a sync attempt.
    pub fn record_sync_attempt(&mut self, at: DateTime<Utc>) -> Result<(), StoreError> {
        set_state(&self.conn, LAST_ATTEMPT, &at.to_rfc3339_opts(SecondsFormat::Secs, true))?;
        Ok(())
    }

    /// Notes a successful sync, with what the hub still had pending at its end.
    pub fn record_sync_success(
        &mut self,
        at: DateTime<Utc>,
        pending_changes: u64,
        lag_seconds: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set_state(&tx, LAST_SUCCESS, &at.to_rfc3339_opts(SecondsFormat::Secs, true))?;
        set_state(&tx, PENDING, &pending_changes.to_string())?;
        set_state(&tx, LAG, &lag_seconds.to_string())?;
        clear_state(&tx, LAST_ERROR)?;
        clear_state(&tx, LAST_ERROR_AT)?;
        tx.commit()?;
        Ok(())
    }

    /// Notes a failed sync.
    pub fn record_sync_failure(
        &mut self,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set_state(&tx, LAST_ERROR, error)?;
        set_state(&tx, LAST_ERROR_AT, &at.to_rfc3339_opts(SecondsFormat::Secs, true))?;
        tx.commit()?;
        Ok(())
    }

    /// The sync state for diagnostics.
    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let time = |key| -> Result<Option<DateTime<Utc>>, StoreError> {
            Ok(self
                .state(key)?
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc)))
        };
        let mut unpushed = 0u64;
        for (table, key) in PUSHED_TABLES {
            let n: i64 = self.conn.query_row(
                &format!(
                    "SELECT count(*) FROM {table} t WHERE NOT EXISTS
                     (SELECT 1 FROM sync_pushed p WHERE p.table_name = '{table}' AND p.row_id = t.{key})"
                ),
                [],
                |row| row.get(0),
            )?;
            unpushed += n as u64;
        }
        let quarantined: i64 =
            self.conn.query_row("SELECT count(*) FROM sync_quarantine", [], |row| row.get(0))?;
        let mut stmt = self.conn.prepare(
            "SELECT direction, table_name, row_id, seq, error, at FROM sync_quarantine
             ORDER BY id DESC LIMIT 20",
        )?;
        let recent_quarantine = stmt
            .query_map([], |row| {
                Ok(QuarantinedRow {
                    direction: row.get(0)?,
                    table: row.get(1)?,
                    row_id: row.get(2)?,
                    seq: row.get(3)?,
                    error: row.get(4)?,
                    at: row.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(SyncStatus {
            cursor: self.sync_cursor()?,
            last_attempt_at: time(LAST_ATTEMPT)?,
            last_success_at: time(LAST_SUCCESS)?,
            last_error: self.state(LAST_ERROR)?,
            last_error_at: time(LAST_ERROR_AT)?,
            pending_changes: self.state(PENDING)?.and_then(|t| t.parse().ok()),
            lag_seconds: self.state(LAG)?.and_then(|t| t.parse().ok()),
            unpushed_events: unpushed,
            quarantined: quarantined as u64,
            recent_quarantine,
        })
    }
}

/// Local tables whose rows are pushed to the hub, with their key column.
pub const PUSHED_TABLES: &[(&str, &str)] = &[
    ("queue_ticket", "id"),
    ("visit", "id"),
    ("complaint", "id"),
    ("audit_log", "id"),
    ("fingerprint", "id"),
];

/// Why a batch was not applied. Nothing of it was kept either way.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The `after_row` seam asked to stop.
    #[error("batch interrupted: {0}")]
    Interrupted(String),
}

struct Refused {
    error: String,
    payload: Option<String>,
}

/// `INSERT ... ON CONFLICT(key) DO UPDATE` for these columns (names from the sync table list).
fn upsert_statement(table: &str, key: &str, columns: &[(&'static str, Value)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|name| **name != key)
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT({key}) DO UPDATE SET {}",
        names.join(", "),
        marks.join(", "),
        updates.join(", ")
    )
}

/// A row as JSON for the quarantine (blobs as their length: templates are not diagnostics).
fn payload_json(columns: &[(&'static str, Value)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .map(|(name, value)| {
            let json = match value {
                Value::Null => serde_json::Value::Null,
                Value::Integer(i) => serde_json::Value::from(*i),
                Value::Real(r) => serde_json::Value::from(*r),
                Value::Text(t) => serde_json::Value::from(t.clone()),
                Value::Blob(b) => serde_json::Value::from(format!("<{} bytes>", b.len())),
            };
            (name.to_string(), json)
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facility(id: &str, name: &str) -> PulledChange {
        PulledChange {
            seq: 0,
            table: "facility",
            key_column: "id",
            row_id: id.into(),
            action: PulledAction::Upsert(vec![
                ("id", Value::Text(id.into())),
                ("name", Value::Text(name.into())),
                ("time_zone", Value::Text("Asia/Makassar".into())),
            ]),
        }
    }

    #[test]
    fn batch_applies_with_cursor_and_quarantines_bad_rows() {
        let mut store = Store::open_in_memory().expect("store");
        let mut bad_fk = facility("X", "x");
        bad_fk.table = "person";
        bad_fk.action = PulledAction::Upsert(vec![
            ("id", Value::Text("P1".into())),
            ("facility_id", Value::Text("NOWHERE".into())),
            ("kind", Value::Text("visitor".into())),
            ("full_name", Value::Text("Siti".into())),
            ("updated_at", Value::Text("2026-01-01T00:00:00Z".into())),
        ]);
        let malformed = PulledChange {
            action: PulledAction::Malformed { error: "bad date".into(), payload: "{}".into() },
            ..facility("Y", "y")
        };
        let batch = [facility("A", "Rutan A"), bad_fk, malformed, facility("A", "Rutan A2")];
        let applied = store.apply_pull_batch(&batch, 7, &mut |_| Ok(())).expect("apply");
        assert_eq!(applied.upserted, 2);
        assert_eq!(applied.quarantined, 2);
        assert_eq!(store.sync_cursor().expect("cursor"), 7);
        let name: String = store
            .conn()
            .query_row("SELECT name FROM facility WHERE id = 'A'", [], |r| r.get(0))
            .expect("name");
        assert_eq!(name, "Rutan A2");
        let status = store.sync_status().expect("status");
        assert_eq!(status.quarantined, 2);
        assert!(status.recent_quarantine.iter().any(|q| q.error.contains("bad date")));
    }

    #[test]
    fn interrupted_batch_leaves_nothing() {
        let mut store = Store::open_in_memory().expect("store");
        let batch = [facility("A", "a"), facility("B", "b")];
        let err = store
            .apply_pull_batch(&batch, 9, &mut |i| if i == 1 { Err("cut".into()) } else { Ok(()) })
            .expect_err("interrupted");
        assert!(matches!(err, BatchError::Interrupted(_)));
        assert_eq!(store.sync_cursor().expect("cursor"), 0);
        assert_eq!(store.counts().expect("counts")[0], ("facility", 0));
    }
}
