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
    /// Fingerprint templates: extract from an image, compare two.
    Template(cli::template::Args),
    /// Benchmarks: FVC-style accuracy and speed.
    Bench(cli::bench::Args),
}

fn main() -> ExitCode {
    cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Store(args) => cli::store::run(args),
        Command::Template(args) => cli::template::run(args),
        Command::Bench(args) => cli::bench::run(args),
    };
    cli::finish(result)
}
