//! `kiosk screenshot --out DIR [--lang id|en] [--size WxH]`: every screen, headless, demo data.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use kiosk::app::format::Language;
use kiosk::app::screenshot;

#[derive(clap::Args)]
pub struct Args {
    /// Folder for `<screen>.png` (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Language of the screens: id (default) or en.
    #[arg(long, default_value = "id")]
    lang: String,
    /// Window size in pixels, WIDTHxHEIGHT (1280x800 landscape, 800x1280 portrait).
    #[arg(long, default_value = "1280x800")]
    size: String,
}

fn parse_size(text: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = text.split_once(['x', 'X']).context("size must look like 1280x800")?;
    let w: u32 = w.trim().parse().context("width must be a number")?;
    let h: u32 = h.trim().parse().context("height must be a number")?;
    if !(320..=8192).contains(&w) || !(320..=8192).contains(&h) {
        bail!("size {w}x{h} out of range (320..8192 each way)");
    }
    Ok((w, h))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(language) = Language::from_code(&args.lang) else {
        bail!("unknown language {:?}: use id or en", args.lang);
    };
    let size = parse_size(&args.size)?;
    screenshot::init_headless().context("starting the headless Slint backend")?;
    let files = screenshot::render_all(&args.out, language, size)?;
    for f in &files {
        println!("{}", f.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_and_bad_ones_are_errors() {
        assert_eq!(parse_size("1280x800").unwrap(), (1280, 800));
        assert_eq!(parse_size("800X1280").unwrap(), (800, 1280));
        for bad in ["", "1280", "x800", "axb", "10x10", "99999x800"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
