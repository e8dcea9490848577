//! Pulling the hub's change log into the store, batch by batch.

use std::time::Instant;

use tokio_postgres::{Client, IsolationLevel};

use super::tables;
use super::{HookPoint, SyncError, SyncOptions, SyncReport};
use crate::store::Store;
use crate::store::queue::QueueTicketRow;
use crate::store::sync::{BatchError, PulledAction, PulledChange};
use crate::visits::queue::{BLOCK_SIZE, MAX_SLOT, Service, block_number};
use rusqlite::types::Value;

/// One change-log row as fetched.
struct RawChange {
    seq: i64,
    table: String,
    row_id: String,
    op: String,
    data: Option<serde_json::Value>,
}

/// Checks that the hub is the one this store's cursor belongs to (recording it on first contact)
/// and that its change log is not behind the cursor. Runs before anything is pushed or pulled.
pub(super) async fn check_hub(store: &mut Store, client: &Client) -> Result<(), SyncError> {
    let row = client
        .query_one(
            "SELECT (SELECT id::text FROM hub_identity),
                    (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_log_seq),
                    to_regprocedure('hub_call_ticket(text, timestamptz)') IS NOT NULL",
            &[],
        )
        .await?;
    let hub_id: String = row.try_get(0)?;
    let hub_last: i64 = row.try_get(1)?;
    // Checked before anything is pushed: an older hub would refuse every ticket and complaint
    // (unknown columns), and each refused row would sit in quarantine until a technician came.
    let queue_sync: bool = row.try_get(2)?;
    if !queue_sync {
        return Err(SyncError::HubOutdated { needed: 6 });
    }
    match store.sync_hub_id()? {
        Some(known) if known != hub_id => {
            return Err(SyncError::OtherHub { expected: known, found: hub_id });
        }
        Some(_) => {}
        None => store.set_sync_hub_id(&hub_id)?,
    }
    let cursor = store.sync_cursor()?;
    if cursor > hub_last {
        return Err(SyncError::HubBehind { cursor, hub: hub_last });
    }
    Ok(())
}

/// Pulls until the hub has nothing newer (or `max_batches`); returns the hub's pending change
/// count and the age in seconds of the oldest pending change.
pub(super) async fn pull_all(
    store: &mut Store,
    client: &mut Client,
    options: &SyncOptions,
    report: &mut SyncReport,
) -> Result<(u64, i64), SyncError> {
    let backend_pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await?.try_get(0)?;
    let batch_size = options.batch_size.max(1);
    loop {
        if options.max_batches.is_some_and(|max| report.batches >= max) {
            break;
        }
        let cursor = store.sync_cursor()?;
        let batch = report.batches + 1;
        let fetch_started = Instant::now();
        let raw = fetch_batch(client, cursor, options, batch, backend_pid).await?;
        report.fetch_ms += fetch_started.elapsed().as_millis() as u64;
        let apply_started = Instant::now();
        let Some(last) = raw.last() else { break };
        let new_cursor = last.seq;
        let fetched = raw.len();
        let changes: Vec<PulledChange> = raw.into_iter().map(decode).collect();
        let mut after_row = |row: usize| match &options.hook {
            Some(hook) => hook(HookPoint::Applied { batch, row }),
            None => Ok(()),
        };
        let applied =
            store.apply_pull_batch(&changes, new_cursor, &mut after_row).map_err(|e| match e {
                BatchError::Store(e) => SyncError::Store(e),
                BatchError::Interrupted(why) => SyncError::Interrupted(why),
            })?;
        report.apply_ms += apply_started.elapsed().as_millis() as u64;
        tracing::debug!(batch, fetched, new_cursor, ?applied, "pulled batch applied");
        report.batches += 1;
        report.pulled += fetched as u64;
        report.upserted += applied.upserted;
        report.deleted += applied.deleted;
        report.quarantined += applied.quarantined;
        report.templates_changed |= applied.templates_changed;
        if fetched < batch_size {
            break;
        }
    }
    let cursor = store.sync_cursor()?;
    let row = client
        .query_one(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(changed_at)), 0)::bigint
             FROM change_log WHERE seq > $1",
            &[&cursor],
        )
        .await?;
    let pending: i64 = row.try_get(0)?;
    let lag: i64 = row.try_get(1)?;
    Ok((pending.max(0) as u64, lag))
}

/// Fetches up to `batch_size` changes after `cursor` through a portal, `fetch_chunk` rows at a time,
/// in one read-only snapshot.
async fn fetch_batch(
    client: &mut Client,
    cursor: i64,
    options: &SyncOptions,
    batch: u64,
    backend_pid: i32,
) -> Result<Vec<RawChange>, SyncError> {
    let chunk = options.fetch_chunk.clamp(1, i32::MAX as usize);
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let stmt = tx
        .prepare(
            "SELECT seq, table_name, row_id, op, data FROM change_log
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .await?;
    let limit = options.batch_size.max(1) as i64;
    let portal = tx.bind(&stmt, &[&cursor, &limit]).await?;
    let mut out = Vec::new();
    loop {
        let rows = tx.query_portal(&portal, chunk as i32).await?;
        let got = rows.len();
        for row in rows {
            out.push(RawChange {
                seq: row.try_get(0)?,
                table: row.try_get(1)?,
                row_id: row.try_get(2)?,
                op: row.try_get(3)?,
                data: row.try_get(4)?,
            });
        }
        if let Some(hook) = &options.hook {
            hook(HookPoint::Fetched { batch, rows: out.len(), backend_pid })
                .map_err(SyncError::Interrupted)?;
        }
        if got < chunk {
            break;
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Turns a fetched change into what the store applies; anything it cannot trust is `Malformed`.
fn decode(raw: RawChange) -> PulledChange {
    let malformed =
        |table: &'static str, key: &'static str, error: String, payload: String| PulledChange {
            seq: raw.seq,
            table,
            key_column: key,
            row_id: raw.row_id.clone(),
            action: PulledAction::Malformed { error, payload },
        };
    let payload = || raw.data.as_ref().map(|d| d.to_string()).unwrap_or_default();
    if raw.table == tables::QUEUE_TICKET.hub_name {
        let action = decode_ticket(&raw.op, raw.data.as_ref(), &raw.row_id)
            .map(|ticket| PulledAction::QueueTicket {
                ticket: Box::new(ticket),
                payload: payload(),
            })
            .unwrap_or_else(|error| PulledAction::Malformed { error, payload: payload() });
        return PulledChange {
            seq: raw.seq,
            table: tables::QUEUE_TICKET.name,
            key_column: tables::QUEUE_TICKET.key,
            row_id: raw.row_id,
            action,
        };
    }
    let Some(table) = tables::pulled(&raw.table) else {
        return malformed("unknown", "id", format!("unknown table {:?}", raw.table), payload());
    };
    let action = match (raw.op.as_str(), &raw.data) {
        ("delete", _) => PulledAction::Delete,
        ("upsert", Some(data)) => match tables::decode_row(table, data) {
            Ok(columns) => {
                let key_matches = columns.iter().any(|(name, v)| {
                    *name == table.key && *v == rusqlite::types::Value::Text(raw.row_id.clone())
                });
                if key_matches {
                    PulledAction::Upsert(columns)
                } else {
                    PulledAction::Malformed {
                        error: format!("row key does not match change key {:?}", raw.row_id),
                        payload: payload(),
                    }
                }
            }
            Err(error) => PulledAction::Malformed { error, payload: payload() },
        },
        ("upsert", None) => {
            PulledAction::Malformed { error: "upsert without row data".into(), payload: payload() }
        }
        (op, _) => PulledAction::Malformed {
            error: format!("unknown operation {op:?}"),
            payload: payload(),
        },
    };
    PulledChange {
        seq: raw.seq,
        table: table.name,
        key_column: table.key,
        row_id: raw.row_id,
        action,
    }
}

/// A pulled queue ticket, checked as far as the store's merge relies on it: the numbering scheme of
/// `visits/queue.rs`, a known service, a plausible group size.
fn decode_ticket(
    op: &str,
    data: Option<&serde_json::Value>,
    row_id: &str,
) -> Result<QueueTicketRow, String> {
    let data = match (op, data) {
        ("upsert", Some(data)) => data,
        ("upsert", None) => return Err("upsert without row data".into()),
        // Issued numbers are history: a terminal keeps its tickets whatever the hub does.
        ("delete", _) => return Err("the hub deleted this queue ticket; it is kept here".into()),
        (op, _) => return Err(format!("unknown operation {op:?}")),
    };
    let columns = tables::decode_row(&tables::QUEUE_TICKET, data)?;
    let get = |name: &str| {
        columns.iter().find(|(n, _)| *n == name).map(|(_, v)| v).unwrap_or(&Value::Null)
    };
    let text = |name: &str| match get(name) {
        Value::Text(t) => Some(t.clone()),
        _ => None,
    };
    let required = |name: &str| text(name).ok_or_else(|| format!("{name}: missing value"));
    let id = required("id")?;
    if id != row_id {
        return Err(format!("row key does not match change key {row_id:?}"));
    }
    let service_text = required("service")?;
    let service = Service::from_letter(&service_text)
        .filter(|s| s.letter() == service_text)
        .ok_or_else(|| format!("service: unknown service {service_text:?}"))?;
    let number = match get("number") {
        Value::Integer(n) => u32::try_from(*n).ok(),
        _ => None,
    }
    .filter(|n| (1..=block_number(MAX_SLOT, BLOCK_SIZE - 1)).contains(n) && n % BLOCK_SIZE != 0)
    .ok_or_else(|| format!("number: {:?} is outside every terminal's block", get("number")))?;
    let group_size = match get("group_size") {
        Value::Null => None,
        Value::Integer(n) => Some(
            u32::try_from(*n)
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("group_size: {n} is not a group"))?,
        ),
        other => return Err(format!("group_size: unexpected {other:?}")),
    };
    let day = required("service_day")?;
    Ok(QueueTicketRow {
        id,
        facility_id: required("facility_id")?,
        service_day: day.parse().map_err(|e| format!("service_day: {day:?}: {e}"))?,
        service,
        number,
        terminal_slot: (number / BLOCK_SIZE) as u8,
        sequence: number % BLOCK_SIZE,
        terminal_id: required("terminal_id")?,
        ticket_code: text("ticket_code"),
        visitor_id: text("visitor_id"),
        inmate_id: text("inmate_id"),
        session: text("session"),
        group_size,
        issued_at: required("issued_at")?,
        called_at: text("called_at"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(op: &str, data: Option<serde_json::Value>) -> RawChange {
        RawChange {
            seq: 5,
            table: "queue_ticket".into(),
            row_id: "qt-9".into(),
            op: op.into(),
            data,
        }
    }

    fn ticket_json() -> serde_json::Value {
        serde_json::json!({
            "id": "qt-9", "facility_id": "RUTAN-MKS", "service_day": "2026-12-01", "service": "A",
            "number": 1002, "terminal_id": "lobby-1", "ticket_code": "261201A1002-ABCDEF",
            "visitor_id": null, "inmate_id": null, "session": "S1", "group_size": 2,
            "issued_at": "2026-12-01T09:00:00+08:00", "called_at": null,
            "received_at": "2026-12-01T01:00:03.5+00:00"
        })
    }

    #[test]
    fn a_pulled_ticket_is_decoded_for_the_merge() {
        let change = decode(raw("upsert", Some(ticket_json())));
        let PulledAction::QueueTicket { ticket, .. } = change.action else {
            panic!("not a ticket: {:?}", change.action)
        };
        assert_eq!((ticket.terminal_slot, ticket.sequence), (1, 2));
        assert_eq!(ticket.issued_at, "2026-12-01T01:00:00Z");
        assert_eq!(ticket.group_size, Some(2));
        assert_eq!(change.table, "queue_ticket");
    }

    #[test]
    fn bad_pulled_tickets_are_malformed_not_panics() {
        let mut cases: Vec<(&str, RawChange)> = Vec::new();
        for (field, value, expect) in [
            ("number", serde_json::json!(1000), "number"),
            ("number", serde_json::json!(0), "number"),
            ("number", serde_json::json!(10_001), "number"),
            ("number", serde_json::json!(-3), "number"),
            ("number", serde_json::json!("7"), "number"),
            ("service", serde_json::json!("D"), "service"),
            ("service", serde_json::json!("a"), "service"),
            ("service_day", serde_json::json!("2026-02-30"), "service_day"),
            ("issued_at", serde_json::Value::Null, "issued_at"),
            ("called_at", serde_json::json!("soon"), "called_at"),
            ("group_size", serde_json::json!(0), "group_size"),
            ("id", serde_json::json!("qt-other"), "key"),
        ] {
            let mut data = ticket_json();
            data[field] = value;
            cases.push((expect, raw("upsert", Some(data))));
        }
        cases.push(("without row data", raw("upsert", None)));
        cases.push(("deleted", raw("delete", None)));
        cases.push(("operation", raw("truncate", Some(ticket_json()))));
        cases.push(("JSON object", raw("upsert", Some(serde_json::json!([1, 2])))));
        for (expect, change) in cases {
            match decode(change).action {
                PulledAction::Malformed { error, .. } => {
                    assert!(error.contains(expect), "{expect}: {error}")
                }
                other => panic!("{expect}: accepted as {other:?}"),
            }
        }
    }
}
