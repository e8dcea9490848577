//! `kiosk demo [--fullscreen] [--prepare-only]`: the kiosk on the demo store.

use std::process::ExitCode;

use anyhow::Context;
use kiosk::config::{Config, TimeZone};
use kiosk::demo::{self, DemoOptions, DemoSummary};

/// Options of `kiosk demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Fullscreen instead of a window (the board's kiosk mode).
    #[arg(long)]
    fullscreen: bool,
    /// Only create or refresh the demo store, then exit.
    #[arg(long)]
    prepare_only: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let summary = prepare()?;
    if args.prepare_only {
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::demo(summary.path.clone()).context("built-in demo configuration")?;
    // The kiosk window comes with the UI; until then the demo says what it prepared.
    println!(
        "the kiosk window is not part of this build yet; demo store ready for a {:?} terminal \
         with a simulated reader and printer (technician PIN 123456)",
        config.role
    );
    let _ = args.fullscreen;
    Ok(ExitCode::SUCCESS)
}

/// Creates or refreshes the demo store in the user's data directory and prints what it holds.
pub fn prepare() -> anyhow::Result<DemoSummary> {
    let path = demo::default_store_path()?;
    // "Today" is the facility's local date: bookings are for the day the lobby sees.
    let today = TimeZone::Makassar.local_date(chrono::Utc::now());
    let summary = demo::prepare(&path, &DemoOptions::standard(today))
        .with_context(|| format!("cannot prepare the demo store at {}", path.display()))?;
    println!("demo store: {}", summary.path.display());
    println!("facility: {} ({})", demo::FACILITY_NAME, demo::FACILITY_ID);
    println!("inmates: {} ({} tahanan)", summary.inmates, summary.tahanan);
    println!("visitors: {} ({} family links)", summary.visitors, summary.family_links);
    println!("remissions: {}", summary.remissions);
    println!("programme decisions: {}", summary.programme_decisions);
    println!("bookings for {}: {}", summary.today, summary.bookings);
    Ok(summary)
}
