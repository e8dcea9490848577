//! `kiosk diag [--config FILE]`: one line per check, exit 1 when any check fails.

use std::path::PathBuf;
use std::process::ExitCode;

use kiosk::config::Config;
use kiosk::diag::{self, CheckStatus};

/// Options of `kiosk diag`.
#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: the built-in demo configuration and the demo store).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = match args.config {
        Some(path) => Config::load(&path)?,
        None => Config::demo(kiosk::demo::default_store_path()?)?,
    };
    let checks = diag::run_all(&config);
    for check in &checks {
        println!("{check}");
    }
    let failed = checks.iter().filter(|c| c.status == CheckStatus::Fail).count();
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
