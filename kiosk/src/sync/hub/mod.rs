//! The hub side: its schema as versioned PostgreSQL 15 migrations (`NNNN_*.sql` beside this file,
//! applied by `kiosk hub init`) and the CSV import of national-database exports (`import.rs`,
//! formats in `IMPORT.md`).
//!
//! Roles (details in `0004_security.sql`): `hub_admin` reads and writes everything; `hub_kiosk`
//! is what a kiosk may do; one login role per kiosk, mapped to its facility by
//! `SELECT hub_register_kiosk('kiosk_rutan_mks_1', 'RUTAN-MKS')`. `hub init` must run as a role that
//! may create roles and tables (the database owner with CREATEROLE, or a superuser).

pub mod import;

use tokio_postgres::Client;

/// Hub migrations in order: (version, name, SQL). Version numbers are never reused or edited once
/// released; a change is a new file.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "master", include_str!("0001_master.sql")),
    (2, "events", include_str!("0002_events.sql")),
    (3, "change_log", include_str!("0003_change_log.sql")),
    (4, "security", include_str!("0004_security.sql")),
    (5, "identity", include_str!("0005_identity.sql")),
    (6, "queue_sync", include_str!("0006_queue_sync.sql")),
];

/// What can go wrong when preparing the hub.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The hub has migrations this build does not know: it was set up by a newer kiosk tool.
    #[error("hub schema version {found} is newer than this tool knows ({known})")]
    FutureSchema {
        /// Highest version applied on the hub.
        found: i32,
        /// Highest version this build has.
        known: i32,
    },
    /// A migration failed; nothing of it was kept.
    #[error("hub migration {version} ({name}) failed: {}", crate::sync::describe(.source))]
    Migration {
        /// Its version.
        version: i32,
        /// Its name.
        name: &'static str,
        /// PostgreSQL's reason.
        source: tokio_postgres::Error,
    },
    /// Any other hub error.
    #[error("hub error: {}", crate::sync::describe(.0))]
    Sql(#[from] tokio_postgres::Error),
}

/// Applies the migrations the hub does not have yet, each in its own transaction with its version
/// row; concurrent `init`s wait for each other. Returns the versions applied now.
pub async fn init(client: &mut Client) -> Result<Vec<i32>, HubError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS hub_schema_migration (
                 version     integer PRIMARY KEY,
                 name        text NOT NULL,
                 applied_at  timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await?;
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('hub.migrations'))", &[]).await?;
        let found: Option<i32> =
            tx.query_one("SELECT max(version) FROM hub_schema_migration", &[]).await?.try_get(0)?;
        let known = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
        if let Some(found) = found.filter(|f| *f > known) {
            return Err(HubError::FutureSchema { found, known });
        }
        let done = tx
            .query_opt("SELECT 1 FROM hub_schema_migration WHERE version = $1", &[version])
            .await?
            .is_some();
        if done {
            continue;
        }
        let fail = |source| HubError::Migration { version: *version, name, source };
        tx.batch_execute(sql).await.map_err(fail)?;
        tx.execute(
            "INSERT INTO hub_schema_migration (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version, name, "hub migrated");
        applied.push(*version);
    }
    Ok(applied)
}

/// The migration versions applied on the hub, in order.
pub async fn applied_versions(client: &Client) -> Result<Vec<i32>, HubError> {
    let rows =
        client.query("SELECT version FROM hub_schema_migration ORDER BY version", &[]).await?;
    Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
}
