//! `kiosk enroll --person ID --finger right-thumb (--reader | --images A B C) [--dpi N]
//! [--store PATH]`: enrols one finger from three impressions with quality control.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use drivers::fingerprint::{self, CancelToken, ReaderError};
use kiosk::biometrics::{self, GreyImage};
use kiosk::identify::IdentifySettings;
use kiosk::identify::kiosk_matcher::{EnrolError, enrol_images};
use kiosk::store::Store;

/// How long to wait for each finger placement on the reader.
const PLACE_TIMEOUT: Duration = Duration::from_secs(30);

/// Enrol one finger of a person.
#[derive(clap::Args)]
pub struct Args {
    /// Person id (must exist in the store).
    #[arg(long)]
    person: String,
    /// Finger name, e.g. right-thumb, left-index.
    #[arg(long)]
    finger: String,
    /// Take the three impressions from the first supported reader.
    #[arg(long, conflicts_with = "images")]
    reader: bool,
    /// Three image files of the same finger.
    #[arg(long, num_args = 3, value_names = ["A", "B", "C"])]
    images: Option<Vec<PathBuf>>,
    /// Resolution of the image files.
    #[arg(long, default_value_t = 500)]
    dpi: u32,
    /// Store file.
    #[arg(long)]
    store: Option<PathBuf>,
    /// Terminal id written to the audit log.
    #[arg(long, default_value = "cli")]
    terminal: String,
}

fn from_reader() -> anyhow::Result<(Vec<GreyImage>, u32)> {
    let mut reader = match fingerprint::open_first() {
        Ok(reader) => reader,
        Err(ReaderError::NotFound) => anyhow::bail!("no supported fingerprint reader found"),
        Err(err) => return Err(err).context("cannot open the fingerprint reader"),
    };
    let cancel = CancelToken::new();
    let mut images = Vec::new();
    let mut dpi = 500;
    for n in 1..=3 {
        eprintln!("impression {n} of 3: place the finger on the reader");
        reader.wait_finger_on(&cancel, Some(PLACE_TIMEOUT)).context("waiting for a finger")?;
        let image = reader.capture().context("capturing")?;
        dpi = image.dpi;
        images.push(GreyImage::new(image.width, image.height, image.pixels)?);
        eprintln!("lift the finger");
        match reader.wait_finger_off(&cancel, Some(PLACE_TIMEOUT)) {
            Ok(()) | Err(ReaderError::Timeout) => {}
            Err(err) => return Err(err).context("waiting for the finger to lift"),
        }
    }
    reader.close().context("closing the reader")?;
    Ok((images, dpi))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store_path = args.store.context("no store given (--store PATH)")?;
    let store = Store::open(&store_path)?;
    let (images, dpi) = if args.reader {
        from_reader()?
    } else {
        let paths = args.images.context("give --reader or --images A B C")?;
        let mut images = Vec::new();
        for path in &paths {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            images.push(
                biometrics::decode_image(&bytes).with_context(|| format!("{}", path.display()))?,
            );
        }
        (images, args.dpi)
    };
    let settings = IdentifySettings::default();
    match enrol_images(&store, &args.terminal, &args.person, &args.finger, &images, dpi, &settings)
    {
        Ok(done) => {
            println!(
                "enrolled {} of {}: impression {} stored, quality {}, lowest pair score {:.1}",
                args.finger,
                args.person,
                done.chosen + 1,
                done.quality,
                done.min_pair_score
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(EnrolError::Refused(refusal)) => {
            eprintln!("enrolment refused: {refusal}");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err.into()),
    }
}
