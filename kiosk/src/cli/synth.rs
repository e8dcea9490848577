//! `kiosk synth --fingers N --impressions K [--seed S] --out DIR`: a synthetic fingerprint
//! database in FVC naming (`F_I.png`, F finger, I impression from 1) plus `dpi.txt`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use kiosk::synth::{self, ImpressionSettings};

/// Synthetic fingerprint database.
#[derive(clap::Args)]
pub struct Args {
    /// Number of fingers.
    #[arg(long)]
    fingers: u32,
    /// Impressions per finger.
    #[arg(long)]
    impressions: u32,
    /// Database seed: the same seed gives the same images.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of the first finger in file names (1, or 101 like the FVC B sets).
    #[arg(long, default_value_t = 1)]
    first: u32,
    /// Impression difficulty: `easy` or `normal`.
    #[arg(long, default_value = "normal")]
    difficulty: String,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = match args.difficulty.as_str() {
        "easy" => ImpressionSettings::easy(),
        "normal" => ImpressionSettings::default(),
        other => anyhow::bail!("unknown difficulty `{other}` (easy, normal)"),
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let started = Instant::now();
    let mut master_ms = Vec::new();
    for f in 0..args.fingers {
        let finger = args.first + f;
        let finger_seed = synth::finger_seed(args.seed, u64::from(finger));
        let t = Instant::now();
        let master = synth::master_print(finger_seed);
        master_ms.push(t.elapsed().as_secs_f64() * 1e3);
        for i in 1..=args.impressions {
            let image = synth::impression(
                &master,
                synth::impression_seed(finger_seed, u64::from(i)),
                &settings,
            );
            let path = args.out.join(format!("{finger}_{i}.png"));
            std::fs::write(&path, image.to_png()?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    let dpi_note = args.out.join("dpi.txt");
    std::fs::write(&dpi_note, format!("{}\n", synth::DPI))
        .with_context(|| format!("cannot write {}", dpi_note.display()))?;
    master_ms.sort_by(f64::total_cmp);
    let median = master_ms.get(master_ms.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{} fingers x {} impressions in {}: {} dpi, master median {:.0} ms, total {:.1} s",
        args.fingers,
        args.impressions,
        args.out.display(),
        synth::DPI,
        median,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
