//! `kiosk sentence [FILE.json]`: one inmate record in (stdin without a file), the report out as
//! JSON (schema in docs/DOMAIN.md). Without `today` in the record, today's local date is used.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kiosk::sentence::{self, SentenceInput, SentenceSettings};

/// Compute sentence, remission and release dates.
#[derive(clap::Args)]
pub struct Args {
    /// Inmate record (JSON); standard input when absent.
    file: Option<PathBuf>,
    /// Settings for the open conventions (JSON object, any subset of the fields).
    #[arg(long)]
    settings: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = match &args.file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
            text
        }
    };
    let settings: SentenceSettings = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("invalid settings in {}", path.display()))?
        }
        None => SentenceSettings::default(),
    };
    let mut input = SentenceInput::from_json(&text)?;
    if input.today.is_none() {
        input.today = Some(chrono::Local::now().date_naive());
    }
    let report = sentence::compute(&input, &settings)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
