//! The store's side of the sync with the hub: the pull cursor, applying a batch of pulled changes in
//! one transaction, the events still to push, quarantined rows, and the sync state shown in
//! diagnostics. Table and column names come from `crate::sync::tables` (static, trusted); values
//! are bound as parameters.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{ErrorCode, OptionalExtension, params};

use super::queue::{Merged, QueueTicketRow, merge_ticket_in};
use super::{Store, StoreError};

/// `sync_pushed` / `sync_quarantine` name of a ticket's call (row id: the ticket's): a call made
/// after the ticket went up travels on its own, through the hub's `hub_call_ticket()`.
pub const QUEUE_CALL: &str = "queue_call";

/// Called tickets whose call the hub does not have yet (and that are not quarantined).
const UNPUSHED_CALLS: &str = "FROM queue_ticket t WHERE t.called_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM sync_pushed p
                      WHERE p.table_name = 'queue_call' AND p.row_id = t.id)
      AND NOT EXISTS (SELECT 1 FROM sync_quarantine q
                      WHERE q.direction = 'push' AND q.table_name = 'queue_call'
                        AND q.row_id = t.id)";

/// `sync_state` keys.
const CURSOR: &str = "cursor";
const LAST_ATTEMPT: &str = "last_attempt_at";
const LAST_SUCCESS: &str = "last_success_at";
const LAST_ERROR: &str = "last_error";
const LAST_ERROR_AT: &str = "last_error_at";
const PENDING: &str = "pending_changes";
const LAG: &str = "lag_seconds";
const HUB_ID: &str = "hub_id";

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
    /// A queue ticket (of any terminal of the facility): merged, never upserted, so a ticket this
    /// store has keeps its number and only an earlier call is taken over; a ticket whose number
    /// another ticket holds here is quarantined.
    QueueTicket {
        /// The decoded ticket.
        ticket: Box<QueueTicketRow>,
        /// The row as received, for the quarantine.
        payload: String,
    },
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
    /// Local events (and calls of tickets) not yet accepted by the hub.
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

fn mark_pushed_in(
    conn: &rusqlite::Connection,
    table: &str,
    row_id: &str,
    now: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_pushed (table_name, row_id, pushed_at) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut s| s.execute(params![table, row_id, now]))?;
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

    /// The identity of the hub this store's cursor belongs to (None before the first sync).
    pub fn sync_hub_id(&self) -> Result<Option<String>, StoreError> {
        self.state(HUB_ID)
    }

    /// Records the hub this store syncs with.
    pub fn set_sync_hub_id(&mut self, hub_id: &str) -> Result<(), StoreError> {
        set_state(&self.conn, HUB_ID, hub_id)?;
        Ok(())
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
                PulledAction::QueueTicket { ticket, payload } => {
                    match merge_ticket_in(&tx, ticket) {
                        Ok(Merged::Conflict { reason, .. }) => {
                            Err(Refused { error: reason, payload: Some(payload.clone()) })
                        }
                        Ok(merged) => {
                            let local_call = match merged {
                                Merged::Inserted => {
                                    outcome.upserted += 1;
                                    ticket.called_at.clone()
                                }
                                Merged::Present { took_call, called_at } => {
                                    outcome.upserted += u64::from(took_call);
                                    called_at
                                }
                                Merged::Conflict { .. } => None,
                            };
                            // The hub has this ticket, and its call when both agree: neither is
                            // pushed back. A call of ours earlier than the hub's still goes up.
                            mark_pushed_in(&tx, "queue_ticket", &change.row_id, &now)?;
                            if local_call.is_some() && local_call == ticket.called_at {
                                mark_pushed_in(&tx, QUEUE_CALL, &change.row_id, &now)?;
                            }
                            Ok(())
                        }
                        Err(e) if is_constraint(&e) => {
                            Err(Refused { error: e.to_string(), payload: Some(payload.clone()) })
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
                        mark_pushed_in(&tx, "fingerprint", &change.row_id, &now)?;
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

    /// Calls of tickets the hub does not have yet, earliest first, as `(ticket id, called_at)`.
    pub fn unpushed_calls(&self, limit: usize) -> Result<Vec<(String, String)>, StoreError> {
        let sql =
            format!("SELECT t.id, t.called_at {UNPUSHED_CALLS} ORDER BY t.called_at LIMIT ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![limit as i64], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records that the hub has these rows of `table` (pushed, or already there).
    pub fn mark_pushed(&mut self, table: &str, row_ids: &[String]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let now = now_text();
        for id in row_ids {
            mark_pushed_in(&tx, table, id, &now)?;
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
        let calls: i64 =
            self.conn
                .query_row(&format!("SELECT count(*) {UNPUSHED_CALLS}"), [], |row| row.get(0))?;
        unpushed += calls as u64;
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
    use std::collections::BTreeSet;

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

    fn ticket(id: &str, number: u32, called_at: Option<&str>) -> PulledChange {
        let row = QueueTicketRow {
            id: id.into(),
            facility_id: "A".into(),
            service_day: "2026-12-01".parse().expect("day"),
            service: crate::visits::Service::Visit,
            number,
            terminal_slot: (number / 1000) as u8,
            sequence: number % 1000,
            terminal_id: "lobby-1".into(),
            ticket_code: Some(format!("261201A{number:04}-{id}")),
            visitor_id: Some("someone-unknown".into()),
            inmate_id: None,
            session: Some("S1".into()),
            group_size: Some(2),
            issued_at: "2026-12-01T01:00:00Z".into(),
            called_at: called_at.map(str::to_string),
        };
        PulledChange {
            seq: 0,
            table: "queue_ticket",
            key_column: "id",
            row_id: id.into(),
            action: PulledAction::QueueTicket { ticket: Box::new(row), payload: "{}".into() },
        }
    }

    #[test]
    fn pulled_tickets_merge_and_collisions_are_quarantined() {
        let mut store = Store::open_in_memory().expect("store");
        store.apply_pull_batch(&[facility("A", "Rutan A")], 1, &mut |_| Ok(())).expect("facility");
        let own = store
            .allocate_queue_ticket(&crate::store::queue::NewTicket {
                facility_id: "A",
                service_day: "2026-12-01".parse().expect("day"),
                service: crate::visits::Service::Visit,
                terminal_id: "lobby-0",
                terminal_slot: 0,
                visitor_id: None,
                inmate_id: None,
                session: None,
                group_size: None,
                issued_at: "2026-12-01T00:59:00Z",
            })
            .expect("own ticket");
        store
            .call_next_ticket("A", own.service_day, own.service, "2026-12-01T01:20:00Z")
            .expect("call")
            .expect("called");
        assert_eq!(store.unpushed_calls(10).expect("calls").len(), 1);
        let malformed = PulledChange {
            action: PulledAction::Malformed { error: "number: 1000".into(), payload: "{}".into() },
            ..ticket("qt-bad", 1000, None)
        };
        let mut own_echo = ticket(&own.id, 1, Some("2026-12-01T01:10:00Z"));
        if let PulledAction::QueueTicket { ticket, .. } = &mut own_echo.action {
            ticket.terminal_id = "lobby-0".into();
        }
        let batch = [
            ticket("qt-1001", 1001, None),
            ticket("qt-rogue", 1, None), // our number, another ticket
            malformed,                   // bad number
            ticket("qt-1001", 1005, Some("2026-12-01T02:00:00Z")), // renumbered by the hub
            own_echo,                    // an earlier call of ours
            ticket("qt-1002", 1002, Some("2026-12-01T01:30:00Z")),
        ];
        let applied = store.apply_pull_batch(&batch, 9, &mut |_| Ok(())).expect("apply");
        assert_eq!((applied.upserted, applied.quarantined), (3, 3), "{applied:?}");
        let rows = store.queue_tickets("A", own.service_day).expect("rows");
        let summary: Vec<(u32, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| (r.number, r.called_at.as_deref(), r.visitor_id.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, Some("2026-12-01T01:10:00Z"), None),
                (1001, None, None),
                (1002, Some("2026-12-01T01:30:00Z"), None)
            ],
            "numbers kept, earliest call taken, unknown visitor dropped"
        );
        let status = store.sync_status().expect("status");
        let quarantined: BTreeSet<&str> =
            status.recent_quarantine.iter().map(|q| q.row_id.as_str()).collect();
        assert_eq!(quarantined, BTreeSet::from(["qt-1001", "qt-bad", "qt-rogue"]));
        assert!(
            status.recent_quarantine.iter().any(|q| q.row_id == "qt-rogue"
                && q.error.contains(&format!("held by ticket {}", own.id))),
            "{status:?}"
        );
        // Pulled tickets and the hub's call of ours are not pushed back; nothing else waits.
        assert_eq!(store.unpushed_calls(10).expect("calls"), vec![]);
        assert_eq!(status.unpushed_events, 0);
        assert_eq!(store.sync_cursor().expect("cursor"), 9);
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
