//! `kiosk queue call SERVICE [--store PATH]` (officer: call the next number) and
//! `kiosk queue status [--store PATH]` (issued, waiting and now serving per service).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::store::Store;
use kiosk::visits::{self, Service, number_text};

/// Queue numbers at the lobby.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: QueueCommand,
}

#[derive(clap::Subcommand)]
enum QueueCommand {
    /// Calls the longest-waiting number of a service (A visit, B goods deposit, C information);
    /// prints it, or `none waiting` with exit code 1.
    Call {
        /// Service letter: A, B or C.
        service: String,
        /// Store file.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Facility id (default: the only facility in the store).
        #[arg(long)]
        facility: Option<String>,
    },
    /// One line per service: `A issued=N waiting=N serving=A-007`.
    Status {
        /// Store file.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Facility id (default: the only facility in the store).
        #[arg(long)]
        facility: Option<String>,
    },
}

fn open(path: Option<PathBuf>, facility: Option<String>) -> anyhow::Result<(Store, String)> {
    let path = path.context("no store given (--store PATH)")?;
    if !path.exists() {
        anyhow::bail!("store {} does not exist", path.display());
    }
    let store = Store::open(&path)?;
    let facility = match facility {
        Some(id) => id,
        None => {
            let ids = store.facility_ids()?;
            match ids.as_slice() {
                [only] => only.clone(),
                [] => anyhow::bail!("the store has no facility"),
                _ => anyhow::bail!("the store has several facilities; choose one with --facility"),
            }
        }
    };
    Ok((store, facility))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let now = chrono::Local::now().fixed_offset();
    match args.command {
        QueueCommand::Call { service, store, facility } => {
            let service = Service::from_letter(&service)
                .with_context(|| format!("unknown service `{service}` (A, B or C)"))?;
            let (mut store, facility) = open(store, facility)?;
            match visits::call_next(&mut store, &facility, service, now)? {
                Some(ticket) => {
                    println!("{}", number_text(ticket.service, ticket.number));
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    println!("none waiting");
                    Ok(ExitCode::from(1))
                }
            }
        }
        QueueCommand::Status { store, facility } => {
            let (store, facility) = open(store, facility)?;
            for queue in store.queue_status(&facility, now.date_naive())? {
                let serving = queue
                    .last_called
                    .map(|t| number_text(t.service, t.number))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{} issued={} waiting={} serving={serving}",
                    queue.service.letter(),
                    queue.issued,
                    queue.waiting
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
