//! `kiosk store check [--store PATH]`.

use std::path::PathBuf;
use std::process::ExitCode;

use kiosk::store::{SCHEMA_VERSION, Store};

/// Store maintenance.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(clap::Subcommand)]
enum StoreCommand {
    /// Integrity check, schema version and row counts; non-zero exit on any problem.
    Check {
        /// Store file (default: the demo store in the user's data directory).
        #[arg(long)]
        store: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        StoreCommand::Check { store } => check(store),
    }
}

fn check(path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = match path {
        Some(path) => path,
        None => kiosk::demo::default_store_path()?,
    };
    if !path.exists() {
        anyhow::bail!(
            "store {} does not exist (create the demo store with `kiosk demo --prepare-only`)",
            path.display()
        );
    }
    let store = Store::open(&path)?;
    store.integrity_check()?;
    println!("store: {}", path.display());
    println!("schema_version: {} (supported {SCHEMA_VERSION})", store.schema_version()?);
    println!("integrity: ok");
    for (table, n) in store.counts()? {
        println!("{table}: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
