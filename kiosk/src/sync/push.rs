//! Pushing local events to the hub, idempotently.

use chrono::{DateTime, Utc};
use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Statement};

use super::tables::{self, HubParam, Table};
use super::{SyncError, SyncOptions, SyncReport};
use crate::store::Store;
use crate::store::sync::QUEUE_CALL;

/// Pushes every local event the hub does not have yet, table by table.
pub(super) async fn push_all(
    store: &mut Store,
    client: &mut Client,
    options: &SyncOptions,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    for table in tables::PUSHED {
        push_table(store, client, table, options.push_batch.max(1), report).await?;
    }
    push_calls(store, client, options.push_batch.max(1), report).await
}

/// Sends the calls of tickets the hub does not have yet. After the tickets themselves, so the hub
/// knows every ticket named; a call of a ticket the hub lacks (its push was refused) is quarantined.
async fn push_calls(
    store: &mut Store,
    client: &mut Client,
    limit: usize,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let mut stmt: Option<Statement> = None;
    loop {
        let calls = store.unpushed_calls(limit)?;
        if calls.is_empty() {
            return Ok(());
        }
        let stmt = match &stmt {
            Some(s) => s.clone(),
            None => {
                let s = client.prepare("SELECT hub_call_ticket($1, $2)").await?;
                stmt = Some(s.clone());
                s
            }
        };
        let mut done = Vec::with_capacity(calls.len());
        for (id, called_at) in calls {
            let refuse = |error: String| {
                tracing::warn!(ticket = %id, %error, "call not pushable");
                error
            };
            let at = match DateTime::parse_from_rfc3339(&called_at) {
                Ok(at) => at.with_timezone(&Utc),
                Err(e) => {
                    let error = refuse(format!("called_at: not an instant ({called_at:?}): {e}"));
                    store.quarantine_push(QUEUE_CALL, &id, &error, None)?;
                    report.push_refused += 1;
                    continue;
                }
            };
            match client.query_one(&stmt, &[&id, &at]).await {
                Ok(row) => {
                    let on_hub: Option<DateTime<Utc>> = row.try_get(0)?;
                    if on_hub.is_some() {
                        done.push(id);
                    } else {
                        let error = refuse("the hub has no such ticket of this facility".into());
                        store.quarantine_push(QUEUE_CALL, &id, &error, None)?;
                        report.push_refused += 1;
                    }
                }
                Err(err) if err.as_db_error().is_some() && !client.is_closed() => {
                    let error = refuse(super::describe(&err));
                    store.quarantine_push(QUEUE_CALL, &id, &error, None)?;
                    report.push_refused += 1;
                }
                Err(err) => return Err(err.into()),
            }
        }
        store.mark_pushed(QUEUE_CALL, &done)?;
        report.calls_pushed += done.len() as u64;
    }
}

async fn push_table(
    store: &mut Store,
    client: &mut Client,
    table: &'static Table,
    limit: usize,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let names: Vec<&'static str> = table.columns.iter().map(|c| c.name).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        // No conflict target: the key is the only unique constraint of an event table, and a
        // kiosk role may not read keys (0004_security.sql).
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        table.hub_name,
        names.join(", "),
        marks.join(", ")
    );
    let mut stmt: Option<Statement> = None;
    loop {
        let rows = store.unpushed_rows(table.name, table.key, &names, limit)?;
        if rows.is_empty() {
            return Ok(());
        }
        let stmt = match &stmt {
            Some(s) => s.clone(),
            None => {
                let s = client.prepare(&sql).await?;
                stmt = Some(s.clone());
                s
            }
        };
        let mut ready: Vec<(String, Vec<HubParam>)> = Vec::with_capacity(rows.len());
        for (id, values) in rows {
            let encoded: Result<Vec<HubParam>, String> = table
                .columns
                .iter()
                .zip(values.iter())
                .map(|(col, value)| tables::encode_value(col, value))
                .collect();
            match encoded {
                Ok(params) => ready.push((id, params)),
                Err(error) => {
                    tracing::warn!(table = table.name, row = %id, %error, "local row not pushable");
                    store.quarantine_push(table.name, &id, &error, None)?;
                    report.push_refused += 1;
                }
            }
        }
        if ready.is_empty() {
            continue;
        }
        match insert_in_one_transaction(client, &stmt, &ready).await {
            Ok(inserted) => {
                let ids: Vec<String> = ready.iter().map(|(id, _)| id.clone()).collect();
                store.mark_pushed(table.name, &ids)?;
                report.pushed += inserted;
                report.push_repeats += ready.len() as u64 - inserted;
            }
            Err(err) if err.as_db_error().is_none() || client.is_closed() => return Err(err.into()),
            Err(_) => {
                // Some row was refused: find which, one by one; the good ones still go.
                for (id, params) in &ready {
                    match client.execute(&stmt, &refs(params)).await {
                        Ok(n) => {
                            store.mark_pushed(table.name, std::slice::from_ref(id))?;
                            report.pushed += n;
                            report.push_repeats += 1 - n.min(1);
                        }
                        Err(err) if err.as_db_error().is_some() => {
                            let error = super::describe(&err);
                            tracing::warn!(table = table.name, row = %id, %error, "hub refused row");
                            store.quarantine_push(table.name, id, &error, None)?;
                            report.push_refused += 1;
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
        }
    }
}

fn refs(params: &[HubParam]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// Inserts all rows in one hub transaction (pipelined); returns how many were new.
async fn insert_in_one_transaction(
    client: &mut Client,
    stmt: &Statement,
    rows: &[(String, Vec<HubParam>)],
) -> Result<u64, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let params: Vec<Vec<&(dyn ToSql + Sync)>> = rows.iter().map(|(_, p)| refs(p)).collect();
    let counts = try_join_all(params.iter().map(|p| tx.execute(stmt, p))).await?;
    tx.commit().await?;
    Ok(counts.iter().sum())
}
