//! Pulling the hub's change log into the store, batch by batch.

use std::time::Instant;

use tokio_postgres::{Client, IsolationLevel};

use super::tables;
use super::{HookPoint, SyncError, SyncOptions, SyncReport};
use crate::store::Store;
use crate::store::sync::{BatchError, PulledAction, PulledChange};

/// One change-log row as fetched.
struct RawChange {
    seq: i64,
    table: String,
    row_id: String,
    op: String,
    data: Option<serde_json::Value>,
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
