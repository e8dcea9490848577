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
    /// The kiosk on the demo data with the simulated reader and printer.
    Demo(cli::demo::Args),
    /// Production start from the configuration file.
    Run(cli::run::Args),
    /// Renders every screen headlessly with demo data to DIR/<screen>.png.
    Screenshot(cli::screenshot::Args),
    /// Synthetic fingerprints (SFinGe method): FVC-named PNGs and a dpi note.
    Synth(cli::synth::Args),
    /// Enrol one finger of a person from three impressions, with quality control.
    Enroll(cli::enroll::Args),
    /// Sync with the hub: push local events, pull master data.
    Sync(cli::sync::Args),
    /// Hub administration: schema migrations, CSV import.
    Hub(cli::hub::Args),
    /// Fingerprint readers: list the supported ones on USB, capture one image.
    Reader(cli::reader::Args),
    /// Configuration tools: check a file, hash a technician PIN.
    Config(cli::config::Args),
    /// The ticket printer: live status, test ticket.
    Printer(cli::printer::Args),
    /// Self-test of reader, printer, store and hub: one line per check, non-zero exit on failure.
    Diag(cli::diag::Args),
    /// Fingerprint templates: extract from an image, compare two.
    Template(cli::template::Args),
    /// Benchmarks: FVC-style accuracy and speed.
    Bench(cli::bench::Args),
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
        Command::Demo(args) => cli::demo::run(args),
        Command::Run(args) => cli::run::run(args),
        Command::Screenshot(args) => cli::screenshot::run(args),
        Command::Synth(args) => cli::synth::run(args),
        Command::Enroll(args) => cli::enroll::run(args),
        Command::Sync(args) => cli::sync::run(args),
        Command::Hub(args) => cli::hub::run(args),
        Command::Reader(args) => cli::reader::run(args),
        Command::Config(args) => cli::config::run(args),
        Command::Printer(args) => cli::printer::run(args),
        Command::Diag(args) => cli::diag::run(args),
        Command::Template(args) => cli::template::run(args),
        Command::Bench(args) => cli::bench::run(args),
        Command::Sentence(args) => cli::sentence::run(args),
        Command::Queue(args) => cli::queue::run(args),
    };
    cli::finish(result)
}
