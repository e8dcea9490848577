//! `kiosk sync [--once] [--store PATH] [--url URL] [--ca-file PEM]`: sync with the hub.
//! Until the config file names the hub, it comes from `--url` or `$KIOSK_HUB_URL`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::store::Store;
use kiosk::sync::{Backoff, HubConfig, HubTls, SyncOptions, SyncReport};

/// Sync with the hub.
#[derive(clap::Args)]
pub struct Args {
    /// One round (push, then pull until up to date) and exit; without it, sync until Ctrl-C.
    #[arg(long)]
    once: bool,
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
    let path = args.store.context("no store given (--store PATH)")?;
    let url = match args.url {
        Some(url) => url,
        None => {
            std::env::var("KIOSK_HUB_URL").context("no hub given (--url URL or KIOSK_HUB_URL)")?
        }
    };
    let tls = match (args.ca_file, args.tls) {
        (Some(ca), _) => HubTls::Rustls { ca_file: Some(ca) },
        (None, true) => HubTls::Rustls { ca_file: None },
        (None, false) => HubTls::Off,
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
