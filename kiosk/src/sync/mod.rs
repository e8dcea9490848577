//! sync: pull master data from the PostgreSQL hub, push local events. Offline first: the kiosk
//! always works from its SQLite store; the hub only feeds it and collects from it.
//!
//! - Pull (`pull.rs`): the hub's `change_log` (filled by triggers, see `hub/0003_change_log.sql`)
//!   is read after the stored cursor in batches; each batch is applied in one SQLite transaction
//!   together with the new cursor, so an interrupted batch leaves the store exactly as before it and
//!   the next run starts that batch again. A malformed row is quarantined, the rest applies.
//! - Push (`push.rs`): local events (queue tickets, visits, complaints, audit records, enrolments)
//!   go up with their UUID keys and `ON CONFLICT DO NOTHING`, then are marked pushed locally; a
//!   repeat after a lost acknowledgement inserts nothing. Calls of tickets go up on their own
//!   (`hub_call_ticket`, earliest call wins), since a ticket is often called after it went up.
//! - Queue tickets also come back down (`hub/0006_queue_sync.sql`): the change log carries every
//!   ticket of the facility, and the store merges them (`Store::apply_pull_batch`) so each lobby
//!   terminal's queue holds the numbers of all terminals; a ticket the store has keeps its number,
//!   a number held by another ticket is quarantined.
//! - [`run_loop`] repeats both with backoff after failures; [`sync_once`] is one round.
//! - The hub side (`hub/`): migrations (`kiosk hub init`) and CSV import (`kiosk hub import`).
//!
//! The kiosk's role on the hub sees only its own facility (row-level security), so the kiosk needs
//! no facility filter of its own.

pub mod hub;
mod pull;
mod push;
pub mod tables;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config};

use crate::store::{Store, StoreError};

/// What can go wrong in a sync round. The store is never left half-changed by any of them.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The hub URL could not be understood.
    #[error("hub address is not valid: {0}")]
    BadUrl(String),
    /// TLS was asked for but its setup failed (CA file unreadable, no certificates).
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The hub could not be reached or refused the login.
    #[error("cannot connect to the hub: {}", describe(.0))]
    Connect(#[source] tokio_postgres::Error),
    /// The hub connection failed during the round.
    #[error("hub error: {}", describe(.0))]
    Hub(#[from] tokio_postgres::Error),
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store was synced with another hub: its cursor means nothing here.
    #[error(
        "this kiosk's store was synced with hub {expected}, not with hub {found}; reset the store to change hubs"
    )]
    OtherHub {
        /// Identity of the hub the store knows.
        expected: String,
        /// Identity of the hub reached.
        found: String,
    },
    /// The hub's change log is behind the store (restored from an older backup?): pulling would
    /// silently skip the changes made again under the same numbers.
    #[error("the hub's change log ends at {hub} but this kiosk already applied up to {cursor}")]
    HubBehind {
        /// The store's cursor.
        cursor: i64,
        /// The hub's last change number.
        hub: i64,
    },
    /// The hub's schema lacks a migration this kiosk relies on.
    #[error(
        "the hub's schema is older than this kiosk (hub migration {needed} missing); run `kiosk hub init` on the hub"
    )]
    HubOutdated {
        /// The migration version needed.
        needed: i32,
    },
    /// A fault-injection hook stopped the round (tests).
    #[error("interrupted: {0}")]
    Interrupted(String),
}

/// A hub error in one line: PostgreSQL's own message (and SQLSTATE) when the server sent one, which
/// the error's `Display` alone ("db error") leaves out.
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
    }
}

/// Where the hub is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// libpq-style URL, e.g. `postgresql://kiosk_rutan_mks_1:secret@hub.example:5432/hub`.
    pub url: String,
    /// TLS (rustls) or not.
    pub tls: HubTls,
}

/// Transport security to the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubTls {
    /// Plain TCP (a hub on the same trusted network segment, tests).
    Off,
    /// TLS required, server certificate checked against `ca_file` (PEM), or the system's roots
    /// (`/etc/ssl/certs/ca-certificates.crt`) when `None`.
    Rustls {
        /// PEM file with the certificate authorities to trust.
        ca_file: Option<PathBuf>,
    },
}

impl From<&crate::config::HubConfig> for HubConfig {
    fn from(hub: &crate::config::HubConfig) -> HubConfig {
        let tls = if hub.tls || hub.ca_file.is_some() {
            HubTls::Rustls { ca_file: hub.ca_file.clone() }
        } else {
            HubTls::Off
        };
        HubConfig { url: hub.url.as_str().to_string(), tls }
    }
}

impl HubConfig {
    /// A hub reached without TLS.
    pub fn plain(url: impl Into<String>) -> HubConfig {
        HubConfig { url: url.into(), tls: HubTls::Off }
    }
}

/// Opens a client to the hub; the connection task runs on the current tokio runtime and ends when
/// the client is dropped.
pub async fn connect(hub: &HubConfig) -> Result<Client, SyncError> {
    let mut config: Config =
        hub.url.parse().map_err(|e: tokio_postgres::Error| SyncError::BadUrl(e.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("kiosk-sync");
    match &hub.tls {
        HubTls::Off => {
            let (client, connection) =
                config.connect(tokio_postgres::NoTls).await.map_err(SyncError::Connect)?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(%err, "hub connection ended");
                }
            });
            Ok(client)
        }
        HubTls::Rustls { ca_file } => {
            config.ssl_mode(SslMode::Require);
            let tls =
                tokio_postgres_rustls::MakeRustlsConnect::new(rustls_config(ca_file.as_deref())?);
            let (client, connection) = config.connect(tls).await.map_err(SyncError::Connect)?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(%err, "hub connection ended");
                }
            });
            Ok(client)
        }
    }
}

fn rustls_config(ca_file: Option<&std::path::Path>) -> Result<rustls::ClientConfig, SyncError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let path = ca_file.unwrap_or(std::path::Path::new("/etc/ssl/certs/ca-certificates.crt"));
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| SyncError::Tls(format!("{}: {e}", path.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| SyncError::Tls(format!("{}: {e}", path.display())))?;
        roots.add(cert).map_err(|e| SyncError::Tls(format!("{}: {e}", path.display())))?;
    }
    if roots.is_empty() {
        return Err(SyncError::Tls(format!("{}: no certificates", path.display())));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A point in a sync round where a test may inject a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookPoint {
    /// A chunk of pulled batch `batch` (1-based in this round) arrived; `rows` so far in the batch.
    /// `backend_pid` is the hub backend serving this kiosk (for `pg_terminate_backend`).
    Fetched {
        /// Batch number in this round.
        batch: u64,
        /// Rows of this batch received so far.
        rows: usize,
        /// The hub's backend process id.
        backend_pid: i32,
    },
    /// Row `row` (0-based) of batch `batch` was written inside the batch's transaction.
    Applied {
        /// Batch number in this round.
        batch: u64,
        /// Row index in the batch.
        row: usize,
    },
}

/// A fault-injection hook: an `Err` stops the round at that point.
pub type Hook = Arc<dyn Fn(HookPoint) -> Result<(), String> + Send + Sync>;

/// How a round runs.
#[derive(Clone)]
pub struct SyncOptions {
    /// Changes per pulled batch (one SQLite transaction each).
    pub batch_size: usize,
    /// Rows per fetch from the hub inside a batch (bounds memory while streaming templates).
    pub fetch_chunk: usize,
    /// Stop after this many pulled batches (None: until the hub has nothing newer).
    pub max_batches: Option<u64>,
    /// Local rows per push transaction.
    pub push_batch: usize,
    /// Fault injection for tests.
    pub hook: Option<Hook>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_size: 2000,
            fetch_chunk: 500,
            max_batches: None,
            push_batch: 500,
            hook: None,
        }
    }
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("batch_size", &self.batch_size)
            .field("fetch_chunk", &self.fetch_chunk)
            .field("max_batches", &self.max_batches)
            .field("push_batch", &self.push_batch)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Pulled batches applied.
    pub batches: u64,
    /// Changes received.
    pub pulled: u64,
    /// Rows inserted or updated locally.
    pub upserted: u64,
    /// Rows deleted locally.
    pub deleted: u64,
    /// Pulled rows quarantined in this round.
    pub quarantined: u64,
    /// Local rows the hub accepted as new.
    pub pushed: u64,
    /// Local rows the hub already had (repeats).
    pub push_repeats: u64,
    /// Local rows the hub refused (quarantined).
    pub push_refused: u64,
    /// Calls of tickets made here that went up to the hub (`hub_call_ticket`).
    pub calls_pushed: u64,
    /// The cursor after the round.
    pub cursor: i64,
    /// Changes still waiting on the hub (non-zero when `max_batches` stopped the round).
    pub pending_changes: u64,
    /// Templates changed: the app must refresh its 1:N index.
    pub templates_changed: bool,
    /// Wall time of the round in milliseconds.
    pub elapsed_ms: u64,
    /// Of which spent fetching pulled batches from the hub.
    pub fetch_ms: u64,
    /// Of which spent applying pulled batches to the store.
    pub apply_ms: u64,
}

/// One round: push local events, then pull changes. The outcome (success, or the error) is recorded
/// in the store's sync state for diagnostics; after an error the store holds every batch that
/// completed and nothing of the one that failed.
pub async fn sync_once(
    store: &mut Store,
    hub: &HubConfig,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    store.record_sync_attempt(Utc::now())?;
    let mut report = SyncReport::default();
    let result = async {
        let mut client = connect(hub).await?;
        pull::check_hub(store, &client).await?;
        push::push_all(store, &mut client, options, &mut report).await?;
        pull::pull_all(store, &mut client, options, &mut report).await
    }
    .await;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok((pending, lag_seconds)) => {
            report.pending_changes = pending;
            report.cursor = store.sync_cursor()?;
            store.record_sync_success(Utc::now(), pending, lag_seconds)?;
            tracing::info!(?report, "sync round done");
            Ok(report)
        }
        Err(err) => {
            tracing::warn!(%err, "sync round failed");
            // Recording the failure must not hide it; a store error here is only logged.
            if let Err(store_err) = store.record_sync_failure(Utc::now(), &err.to_string()) {
                tracing::error!(%store_err, "cannot record the sync failure");
            }
            Err(err)
        }
    }
}

/// Waits between rounds: the normal interval after a success, doubling delays after failures.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// Delay after a success.
    pub interval: Duration,
    /// First delay after a failure.
    pub first_retry: Duration,
    /// Longest delay.
    pub max: Duration,
    failures: u32,
}

impl Backoff {
    /// A backoff with these delays.
    pub fn new(interval: Duration, first_retry: Duration, max: Duration) -> Backoff {
        Backoff { interval, first_retry, max, failures: 0 }
    }

    /// The delay before the next round, given how this one ended.
    pub fn next_delay(&mut self, succeeded: bool) -> Duration {
        if succeeded {
            self.failures = 0;
            return self.interval;
        }
        let factor = 1u32.checked_shl(self.failures.min(16)).unwrap_or(u32::MAX);
        self.failures = self.failures.saturating_add(1);
        self.first_retry.saturating_mul(factor).min(self.max)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_secs(60), Duration::from_secs(5), Duration::from_secs(300))
    }
}

/// Syncs until `shutdown` turns true: a round, then the backoff's delay. `on_round` sees every
/// outcome; the app refreshes its 1:N index when a report says `templates_changed`.
pub async fn run_loop(
    store: &mut Store,
    hub: &HubConfig,
    options: &SyncOptions,
    mut backoff: Backoff,
    mut on_round: impl FnMut(&Result<SyncReport, SyncError>),
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let outcome = sync_once(store, hub, options).await;
        let delay = backoff.next_delay(outcome.is_ok());
        on_round(&outcome);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b =
            Backoff::new(Duration::from_secs(60), Duration::from_secs(5), Duration::from_secs(30));
        let delays: Vec<u64> = (0..5).map(|_| b.next_delay(false).as_secs()).collect();
        assert_eq!(delays, vec![5, 10, 20, 30, 30]);
        assert_eq!(b.next_delay(true).as_secs(), 60);
        assert_eq!(b.next_delay(false).as_secs(), 5);
        for _ in 0..100 {
            b.next_delay(false);
        }
        assert_eq!(b.next_delay(false).as_secs(), 30);
    }

    #[tokio::test]
    async fn hub_down_is_an_error_value_and_is_recorded() {
        let mut store = Store::open_in_memory().expect("store");
        // Port 1 on loopback: nothing listens there.
        let hub = HubConfig::plain("postgresql://kiosk@127.0.0.1:1/hub?connect_timeout=2");
        let err = sync_once(&mut store, &hub, &SyncOptions::default()).await.expect_err("down");
        assert!(matches!(err, SyncError::Connect(_)), "{err}");
        let status = store.sync_status().expect("status");
        assert!(status.last_error.is_some());
        assert!(status.last_success_at.is_none());
        assert_eq!(status.cursor, 0);
    }

    /// The app runs the loop with `tokio::spawn`, which needs a `Send` future.
    #[test]
    fn the_sync_futures_can_run_on_a_spawned_task() {
        fn is_send<T: Send>(_: &T) {}
        let mut store = Store::open_in_memory().expect("store");
        let hub = HubConfig::plain("postgresql://kiosk@127.0.0.1:1/hub");
        let options = SyncOptions::default();
        is_send(&sync_once(&mut store, &hub, &options));
        let (_stop, shutdown) = tokio::sync::watch::channel(false);
        is_send(&run_loop(&mut store, &hub, &options, Backoff::default(), |_| {}, shutdown));
    }

    #[test]
    fn a_bad_url_is_an_error_value() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        let err = rt.block_on(connect(&HubConfig::plain("postgresql://host:notaport/db")));
        assert!(matches!(err, Err(SyncError::BadUrl(_))));
    }

    #[test]
    fn tls_without_certificates_is_an_error_value() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("ca.pem");
        std::fs::write(&empty, "not a certificate").expect("write");
        assert!(matches!(rustls_config(Some(&empty)), Err(SyncError::Tls(_))));
        assert!(matches!(
            rustls_config(Some(&dir.path().join("missing.pem"))),
            Err(SyncError::Tls(_))
        ));
    }
}
