//! `kiosk printer status --port PATH [--baud N]` and `kiosk printer test --port PATH [--baud N]`.
//!
//! Both print one word per line: `ok`, or each fault (`paper-out`, `paper-near-end`,
//! `cover-open`, `offline`, `cutter-error`), and exit 0 only when the answer is `ok`. A port that
//! cannot be opened is an unplugged printer: `offline`, with the reason on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use drivers::printer::{Printer, PrinterError, PrinterStatus, SerialConfig, SerialPrinter};
use kiosk::config::Config;
use kiosk::tickets::{TestTicket, test_ticket, zone_abbreviation};

/// The serial ESC/POS printer.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PrinterCommand,
}

#[derive(Debug, clap::Args)]
struct PortArgs {
    /// Serial device of the printer, e.g. /dev/ttyUSB0.
    #[arg(long)]
    port: String,
    /// Baud rate set on the printer.
    #[arg(long, default_value_t = 19200)]
    baud: u32,
}

#[derive(Debug, clap::Subcommand)]
enum PrinterCommand {
    /// Asks the printer for its state: `ok` or one fault per line; exit 0 only when ok.
    Status(PortArgs),
    /// Prints the test ticket (facility, TES PRINTER, date and time, CODE128 and QR of
    /// KIOSK-TEST, cut), then prints the printer's state like `status`.
    Test {
        #[command(flatten)]
        port: PortArgs,
        /// Configuration file for the facility name and time zone (default: the demo's).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PrinterCommand::Status(port) => status(&port),
        PrinterCommand::Test { port, config } => test(&port, config),
    }
}

fn open(port: &PortArgs) -> Result<SerialPrinter, PrinterError> {
    SerialPrinter::open(&port.port, SerialConfig { baud: port.baud, ..SerialConfig::default() })
}

fn report(status: &PrinterStatus) -> ExitCode {
    if status.is_ok() {
        println!("ok");
        return ExitCode::SUCCESS;
    }
    for fault in status.faults() {
        println!("{}", fault.word());
    }
    ExitCode::from(1)
}

fn offline(reason: &PrinterError) -> ExitCode {
    eprintln!("printer offline: {reason}");
    report(&PrinterStatus::offline())
}

fn status(port: &PortArgs) -> anyhow::Result<ExitCode> {
    let mut printer = match open(port) {
        Ok(printer) => printer,
        Err(error) => return Ok(offline(&error)),
    };
    Ok(report(&printer.status()?))
}

fn test(port: &PortArgs, config: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let config = match config {
        Some(path) => Config::load(&path)?,
        None => Config::demo(PathBuf::from("demo.sqlite")).context("demo configuration")?,
    };
    let zone = config.facility.time_zone;
    let ticket = TestTicket {
        facility_name: config.facility.name.as_str().to_string(),
        printed_at: Utc::now().with_timezone(&zone.offset()).naive_local(),
        zone: zone_abbreviation(zone).to_string(),
    };
    let mut printer = match open(port) {
        Ok(printer) => printer,
        Err(error) => return Ok(offline(&error)),
    };
    match printer.print(&test_ticket(&ticket)) {
        // Printed; a near-end roll still deserves a word to the technician.
        Ok(()) => Ok(report(&printer.status()?)),
        Err(PrinterError::NotReady(status)) => Ok(report(&status)),
        Err(error @ PrinterError::Offline(_)) => Ok(offline(&error)),
        Err(error) => Err(error).context("test ticket"),
    }
}
