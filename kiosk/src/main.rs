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
    /// Fingerprint readers: list the supported ones on USB, capture one image.
    Reader(cli::reader::Args),
    /// Configuration tools: check a file, hash a technician PIN.
    Config(cli::config::Args),
    /// Sentence, remission and release dates for one inmate record (JSON in, JSON out).
    Sentence(cli::sentence::Args),
    /// Lobby queue: call the next number, show waiting counts.
    Queue(cli::queue::Args),
}

fn main() -> ExitCode {
    cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Store(args) => cli::store::run(args),
        Command::Reader(args) => cli::reader::run(args),
        Command::Config(args) => cli::config::run(args),
        Command::Sentence(args) => cli::sentence::run(args),
        Command::Queue(args) => cli::queue::run(args),
    };
    cli::finish(result)
}
