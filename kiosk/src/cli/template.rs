//! `kiosk template extract IMAGE --dpi N --out FILE [--iso] [--debug-dir DIR]` and
//! `kiosk template compare A B`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use kiosk::biometrics::{self, Template, Transparency};

/// Fingerprint templates.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TemplateCommand,
}

#[derive(clap::Subcommand)]
enum TemplateCommand {
    /// Extracts a template from a fingerprint image (PNG, TIFF, BMP).
    Extract {
        /// Fingerprint image.
        image: PathBuf,
        /// Scanning resolution of the image.
        #[arg(long)]
        dpi: u32,
        /// Where to write the template.
        #[arg(long)]
        out: PathBuf,
        /// Write ISO/IEC 19794-2:2005 instead of the kiosk format.
        #[arg(long)]
        iso: bool,
        /// Write a PNG of every pipeline stage into this folder.
        #[arg(long)]
        debug_dir: Option<PathBuf>,
    },
    /// Prints the similarity score of two templates (kiosk or ISO format).
    Compare {
        /// First template.
        a: PathBuf,
        /// Second template.
        b: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        TemplateCommand::Extract { image, dpi, out, iso, debug_dir } => {
            extract(&image, dpi, &out, iso, debug_dir)
        }
        TemplateCommand::Compare { a, b } => {
            let (a, b) = (read_template(&a)?, read_template(&b)?);
            println!("{:.2}", biometrics::compare(&a, &b));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes every stage picture as `<key>.png` into a folder.
struct DebugDir {
    dir: PathBuf,
    error: Option<anyhow::Error>,
}

impl Transparency for DebugDir {
    fn accepts(&self, _key: &str) -> bool {
        true
    }

    fn image(&mut self, key: &str, width: usize, height: usize, pixels: &[u8]) {
        let path = self.dir.join(format!("{key}.png"));
        let result = image::GrayImage::from_raw(width as u32, height as u32, pixels.to_vec())
            .context("picture size mismatch")
            .and_then(|img| img.save(&path).with_context(|| format!("writing {}", path.display())));
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

fn extract(
    image: &Path,
    dpi: u32,
    out: &Path,
    iso: bool,
    debug_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(image).with_context(|| format!("reading {}", image.display()))?;
    let grey = biometrics::decode_image(&bytes)
        .with_context(|| format!("decoding {}", image.display()))?;
    let template = match debug_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut sink = DebugDir { dir, error: None };
            let result = biometrics::extract_with(&grey, dpi, &mut sink);
            if let Some(e) = sink.error {
                return Err(e);
            }
            result?
        }
        None => biometrics::extract(&grey, dpi)?,
    };
    let data = if iso { template.to_iso() } else { template.to_bytes() };
    std::fs::write(out, data).with_context(|| format!("writing {}", out.display()))?;
    println!("{} minutiae -> {}", template.minutiae().len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// Reads a template in either format (ISO records start with "FMR").
fn read_template(path: &Path) -> anyhow::Result<Template> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let template = if bytes.starts_with(b"FMR\0") {
        Template::from_iso(&bytes)
    } else {
        Template::from_bytes(&bytes)
    };
    template.with_context(|| format!("reading template {}", path.display()))
}
