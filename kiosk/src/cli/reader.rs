//! `kiosk reader list` and `kiosk reader capture --out FILE.png [--timeout SECS]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use drivers::fingerprint::{self, CancelToken, ReaderError};

/// Fingerprint readers on USB.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ReaderCommand,
}

#[derive(Debug, Subcommand)]
enum ReaderCommand {
    /// Lists the supported readers found on USB, one per line: driver, USB id, model, place.
    List,
    /// Waits for a finger on the first supported reader and saves one capture as 8-bit grey PNG,
    /// exactly as the device delivered it. `KIOSK_DEVICE_EMULATION=1` fixes every random value.
    Capture {
        /// PNG file to write.
        #[arg(long)]
        out: PathBuf,
        /// Seconds to wait for a finger.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
    },
}

/// How long `capture` waits for the finger to be lifted before powering the reader down.
const LIFT_WAIT: Duration = Duration::from_secs(2);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ReaderCommand::List => list(),
        ReaderCommand::Capture { out, timeout } => capture(&out, timeout),
    }
}

fn list() -> anyhow::Result<ExitCode> {
    let readers = fingerprint::list().context("cannot enumerate USB devices")?;
    if readers.is_empty() {
        eprintln!("no supported fingerprint reader found");
        return Ok(ExitCode::from(1));
    }
    for reader in readers {
        println!("{}\t{}\t{}\t{}", reader.driver, reader.usb_id(), reader.model, reader.location);
    }
    Ok(ExitCode::SUCCESS)
}

fn capture(out: &std::path::Path, timeout: f64) -> anyhow::Result<ExitCode> {
    let timeout = Duration::try_from_secs_f64(timeout)
        .map_err(|_| anyhow::anyhow!("--timeout must be a number of seconds >= 0"))?;
    let mut reader = match fingerprint::open_first() {
        Ok(reader) => reader,
        Err(ReaderError::NotFound) => {
            eprintln!("no supported fingerprint reader found");
            return Ok(ExitCode::from(1));
        }
        Err(err) => return Err(err).context("cannot open the fingerprint reader"),
    };
    let info = reader.info();
    eprintln!("{} ({}): place a finger on the reader", info.model, info.usb_id());
    let cancel = CancelToken::new();
    reader.wait_finger_on(&cancel, Some(timeout)).context("waiting for a finger")?;
    let image = reader.capture().context("capturing")?;
    let grey = image.to_gray_image().ok_or_else(|| {
        anyhow::anyhow!(
            "reader delivered {} pixels for {}x{}",
            image.pixels.len(),
            image.width,
            image.height
        )
    })?;
    grey.save_with_format(out, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("{} {}x{} {} dpi", out.display(), image.width, image.height, image.dpi);
    // Let the sensor see the finger go before powering down, as its protocol expects; a finger
    // left on is not an error for a one-shot capture.
    match reader.wait_finger_off(&cancel, Some(LIFT_WAIT)) {
        Ok(()) | Err(ReaderError::Timeout) => {}
        Err(err) => tracing::warn!(%err, "waiting for the finger to lift"),
    }
    reader.close().context("closing the reader")?;
    Ok(ExitCode::SUCCESS)
}
