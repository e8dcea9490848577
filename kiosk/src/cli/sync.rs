//! `kiosk sync [--once] [--config FILE] [--store PATH] [--url URL] [--ca-file PEM] [--tls]`: sync
//! with the hub named in the config file (`[hub]`, `[store]`); the flags override it, and without a
//! config file the hub comes from `--url` or `$KIOSK_HUB_URL`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::config::Config;
use kiosk::store::Store;
use kiosk::sync::{Backoff, HubConfig, HubTls, SyncOptions, SyncReport};

/// Sync with the hub.
#[derive(clap::Args)]
pub struct Args {
    /// One round (push, then pull until up to date) and exit; without it, sync until Ctrl-C.
    #[arg(long)]
    once: bool,
    /// Configuration file (store and hub).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Store file.
    #[arg(long)]
    store: Option<PathBuf>,
    /// Hub URL (postgresql://role:password@host:port/db); default `$KIOSK_HUB_URL`.
    #[arg(long)]
    url: Option<String>,
    /// Require TLS and trust these certificate authorities (PEM).
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Require TLS, trusting the system's certificate authorities.
    #[arg(long)]
    tls: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let path = args
        .store
        .or_else(|| config.as_ref().map(|c| c.store.path.clone()))
        .context("no store given (--store PATH or --config FILE)")?;
    let configured: Option<HubConfig> =
        config.as_ref().and_then(|c| c.hub.as_ref()).map(HubConfig::from);
    let url = match (args.url, &configured) {
        (Some(url), _) => url,
        (None, Some(hub)) => hub.url.clone(),
        (None, None) => std::env::var("KIOSK_HUB_URL")
            .context("no hub given ([hub] in --config FILE, --url URL or KIOSK_HUB_URL)")?,
    };
    let tls = match (args.ca_file, args.tls, configured) {
        (Some(ca), _, _) => HubTls::Rustls { ca_file: Some(ca) },
        (None, true, _) => HubTls::Rustls { ca_file: None },
        (None, false, Some(hub)) => hub.tls,
        (None, false, None) => HubTls::Off,
    };
    let hub = HubConfig { url, tls };
    let mut store = Store::open(&path)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let options = SyncOptions::default();
    if args.once {
        let report = runtime.block_on(kiosk::sync::sync_once(&mut store, &hub, &options))?;
        print_report(&report);
        return Ok(ExitCode::SUCCESS);
    }
    runtime.block_on(async {
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop.send(true);
            }
        });
        kiosk::sync::run_loop(
            &mut store,
            &hub,
            &options,
            Backoff::default(),
            |outcome| match outcome {
                Ok(report) => print_report(report),
                Err(err) => eprintln!("sync failed: {err}"),
            },
            shutdown,
        )
        .await;
    });
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &SyncReport) {
    println!("pulled: {}", report.pulled);
    println!("upserted: {}", report.upserted);
    println!("deleted: {}", report.deleted);
    println!("quarantined: {}", report.quarantined);
    println!("pushed: {}", report.pushed);
    println!("push_repeats: {}", report.push_repeats);
    println!("push_refused: {}", report.push_refused);
    println!("cursor: {}", report.cursor);
    println!("pending: {}", report.pending_changes);
    println!("templates_changed: {}", if report.templates_changed { "yes" } else { "no" });
    println!("elapsed_ms: {}", report.elapsed_ms);
    println!("fetch_ms: {}", report.fetch_ms);
    println!("apply_ms: {}", report.apply_ms);
}
