//! The hub sync of a running kiosk: its own thread with a small tokio runtime, its own store
//! connection (SQLite in WAL mode lets the app read while a batch is written), rounds with
//! backoff (`sync::run_loop`), and after a round that changed templates the 1:N gallery is
//! reloaded, so a finger enrolled at another terminal is recognised here without a restart.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::real_ports::StoreIdentifier;
use crate::store::Store;
use crate::sync::{Backoff, HubConfig, SyncOptions};

/// Stops the sync thread when dropped.
pub struct BackgroundSync {
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundSync {
    /// Starts syncing the store at `store_path` with `hub`; `identifier` is refreshed after
    /// rounds that changed templates.
    pub fn start(
        store_path: PathBuf,
        hub: HubConfig,
        identifier: Arc<StoreIdentifier>,
        backoff: Backoff,
    ) -> std::io::Result<BackgroundSync> {
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        let thread = std::thread::Builder::new().name("kiosk-sync".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(err) => {
                    tracing::error!(%err, "sync: cannot start its runtime; running offline");
                    return;
                }
            };
            let mut store = match Store::open(&store_path) {
                Ok(store) => store,
                Err(err) => {
                    tracing::error!(%err, "sync: cannot open the store; running offline");
                    return;
                }
            };
            let on_round = |outcome: &Result<crate::sync::SyncReport, crate::sync::SyncError>| {
                let Ok(report) = outcome else { return };
                if !report.templates_changed {
                    return;
                }
                let refreshed = Store::open(&store_path)
                    .map_err(|e| e.to_string())
                    .and_then(|s| identifier.refresh(&s).map_err(|e| e.to_string()));
                match refreshed {
                    Ok(()) => tracing::info!(
                        templates = identifier.gallery_size(),
                        "fingerprint gallery reloaded after sync"
                    ),
                    Err(err) => tracing::error!(%err, "gallery not reloaded after sync"),
                }
            };
            runtime.block_on(crate::sync::run_loop(
                &mut store,
                &hub,
                &SyncOptions::default(),
                backoff,
                on_round,
                shutdown,
            ));
        })?;
        Ok(BackgroundSync { stop, thread: Some(thread) })
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            // A round in progress finishes its batch first (each batch is one transaction).
            let _ = thread.join();
        }
    }
}
