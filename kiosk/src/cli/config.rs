//! `kiosk config check FILE` and `kiosk config hash-pin`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::config::{Config, PrinterConfig, hash_pin};

/// Configuration tools.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(clap::Subcommand)]
enum ConfigCommand {
    /// Reads a configuration file and reports the first problem with its line, or a summary.
    Check {
        /// The configuration file.
        file: PathBuf,
    },
    /// Reads a technician PIN (6-12 digits) from standard input and prints the line to put in the
    /// configuration file: `technician_pin_hash = "$argon2id$..."`.
    HashPin,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ConfigCommand::Check { file } => check(file),
        ConfigCommand::HashPin => hash(),
    }
}

fn check(file: PathBuf) -> anyhow::Result<ExitCode> {
    let config = Config::load(&file)?;
    println!("config: {}", file.display());
    println!("role: {:?}", config.role);
    println!("terminal_id: {}", config.terminal_id);
    println!(
        "facility: {} ({}, {})",
        config.facility.name,
        config.facility.code,
        config.facility.time_zone.name()
    );
    println!("reader: {}", config.reader.driver.name());
    match &config.printer {
        PrinterConfig::Serial { port, baud, flow_control } => {
            println!(
                "printer: serial {} {} baud, flow control {flow_control:?}",
                port.display(),
                baud.bits_per_sec()
            )
        }
        PrinterConfig::Simulated { .. } => println!("printer: simulated"),
    }
    println!("store: {}", config.store.path.display());
    match &config.hub {
        Some(hub) => {
            println!("hub: {} (tls {})", hub.url.as_str(), if hub.tls { "on" } else { "off" })
        }
        None => println!("hub: not configured"),
    }
    println!(
        "technician_pin: {}",
        if config.technician_pin_hash.is_some() { "set" } else { "not set (diagnostics locked)" }
    );
    Ok(ExitCode::SUCCESS)
}

fn hash() -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("technician PIN (6-12 digits): ");
        std::io::stderr().flush().ok();
    }
    let mut pin = String::new();
    stdin.lock().read_line(&mut pin).context("cannot read the PIN from standard input")?;
    let hash = hash_pin(pin.trim_end_matches(['\r', '\n']))?;
    println!("technician_pin_hash = \"{}\"", hash.as_str());
    Ok(ExitCode::SUCCESS)
}
