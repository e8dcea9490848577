//! The `kiosk` command line. Commands and flags are a contract (docs/ARCHITECTURE.md): other tools
//! call them, so names, flags and output formats stay as written there.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

#[derive(Parser)]
#[command(name = "kiosk", version, about = "Fingerprint self-service kiosk (Rutan / Lapas)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Store maintenance: integrity check, schema version, row counts.
    Store(cli::store::Args),
    /// Synthetic fingerprints (SFinGe method): FVC-named PNGs and a dpi note.
    Synth(cli::synth::Args),
    /// Fingerprint readers: list the supported ones on USB, capture one image.
    Reader(cli::reader::Args),
    /// Configuration tools: check a file, hash a technician PIN.
    Config(cli::config::Args),
    /// The ticket printer: live status, test ticket.
    Printer(cli::printer::Args),
}

fn main() -> ExitCode {
    cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Store(args) => cli::store::run(args),
        Command::Synth(args) => cli::synth::run(args),
        Command::Reader(args) => cli::reader::run(args),
        Command::Config(args) => cli::config::run(args),
        Command::Printer(args) => cli::printer::run(args),
    };
    cli::finish(result)
}
