//! `kiosk hub init --url URL` and `kiosk hub import --url URL FILE.csv`: prepare and feed the hub.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::sync::hub::import::ImportError;
use kiosk::sync::{HubConfig, HubTls};

/// Hub administration.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: HubCommand,
}

#[derive(clap::Subcommand)]
enum HubCommand {
    /// Apply the hub's schema migrations (roles, tables, change log, row-level security).
    Init {
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Load a CSV export (facilities, inmates, remissions, family links or bookings; the header
    /// row says which). All or nothing: bad rows are listed and nothing is loaded.
    Import {
        #[command(flatten)]
        hub: HubArgs,
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(clap::Args)]
struct HubArgs {
    /// Hub URL (postgresql://role:password@host:port/db).
    #[arg(long)]
    url: String,
    /// Require TLS and trust these certificate authorities (PEM).
    #[arg(long)]
    ca_file: Option<PathBuf>,
}

impl HubArgs {
    fn config(self) -> HubConfig {
        let tls = match self.ca_file {
            Some(ca) => HubTls::Rustls { ca_file: Some(ca) },
            None => HubTls::Off,
        };
        HubConfig { url: self.url, tls }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        match args.command {
            HubCommand::Init { hub } => {
                let mut client = kiosk::sync::connect(&hub.config()).await?;
                let applied = kiosk::sync::hub::init(&mut client).await?;
                let all = kiosk::sync::hub::applied_versions(&client).await?;
                println!("applied: {}", join(&applied));
                println!("schema_versions: {}", join(&all));
                Ok(ExitCode::SUCCESS)
            }
            HubCommand::Import { hub, file } => {
                let input = std::fs::File::open(&file)
                    .with_context(|| format!("cannot open {}", file.display()))?;
                let mut client = kiosk::sync::connect(&hub.config()).await?;
                match kiosk::sync::hub::import::import_csv(&mut client, input).await {
                    Ok(summary) => {
                        println!("kind: {}", summary.kind.name());
                        println!("rows: {}", summary.rows);
                        println!("written: {}", summary.written);
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(ImportError::Rows(errors)) => {
                        for error in &errors {
                            println!("{error}");
                        }
                        eprintln!("error: {} bad row(s); nothing was loaded", errors.len());
                        Ok(ExitCode::from(1))
                    }
                    Err(other) => Err(other.into()),
                }
            }
        }
    })
}

fn join(versions: &[i32]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    versions.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}
