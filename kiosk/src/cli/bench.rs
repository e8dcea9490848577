//! `kiosk bench fvc DIR --dpi N [--scores FILE.csv] [--json]`: FVC-style evaluation. Every image
//! is extracted once, every unordered pair compared once (probe = the smaller file stem).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use kiosk::biometrics::{self, Probe, Template};

/// Benchmarks.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(clap::Subcommand)]
enum BenchCommand {
    /// FVC-style verification accuracy and speed on a folder of `F_I.ext` images.
    Fvc(FvcArgs),
    /// 1:N identification at scale: enrol DIR, grow the gallery, genuine and impostor probes.
    Identify(super::bench_identify::IdentifyArgs),
}

/// Arguments of `bench fvc`.
#[derive(clap::Args)]
pub struct FvcArgs {
    /// Folder of `F_I.ext` images (F finger, I impression).
    dir: PathBuf,
    /// Scanning resolution of the images.
    #[arg(long)]
    dpi: u32,
    /// Write every comparison as `a,b,score`.
    #[arg(long)]
    scores: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        BenchCommand::Fvc(args) => fvc(args),
        BenchCommand::Identify(args) => super::bench_identify::run(args),
    }
}

/// CPU time of the calling thread in seconds: the benchmark reports one core's work, unaffected by
/// other processes sharing the machine.
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if rc != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// One image of the set.
struct Sample {
    stem: String,
    finger: String,
    template: Option<Template>,
}

fn list_images(dir: &Path) -> anyhow::Result<Vec<(String, String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if !matches!(ext.as_str(), "tif" | "tiff" | "png" | "bmp") {
            continue;
        }
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
            continue;
        };
        let Some((finger, impression)) = stem.split_once('_') else { continue };
        if finger.is_empty() || impression.is_empty() {
            continue;
        }
        out.push((stem.clone(), finger.to_string(), path));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Error rates from genuine and impostor scores.
pub struct Rates {
    pub eer: f64,
    pub fmr100: f64,
    pub fmr1000: f64,
    pub fnmr_at_zero_fmr: f64,
}

/// FNMR at the lowest threshold whose FMR is at most `fmr` (accept = score >= threshold).
fn fnmr_at(genuine: &[f64], impostor: &[f64], fmr: f64) -> f64 {
    // Thresholds just above each impostor score, from high to low.
    let mut sorted = impostor.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let allowed = (fmr * impostor.len() as f64).floor() as usize;
    // Accepting no more than `allowed` impostors: threshold above the (allowed+1)-th best.
    let threshold = match sorted.get(allowed) {
        Some(&s) => next_up(s),
        None => f64::NEG_INFINITY,
    };
    genuine.iter().filter(|&&g| g < threshold).count() as f64 / genuine.len().max(1) as f64
}

fn next_up(v: f64) -> f64 {
    v + 1e-9 * v.abs().max(1.0)
}

pub fn rates(genuine: &[f64], impostor: &[f64]) -> Rates {
    let mut thresholds: Vec<f64> = genuine.iter().chain(impostor).copied().collect();
    thresholds.push(f64::INFINITY);
    thresholds.sort_by(|a, b| a.total_cmp(b));
    thresholds.dedup();
    let (ng, ni) = (genuine.len().max(1) as f64, impostor.len().max(1) as f64);
    let mut eer = 1.0;
    let mut best_gap = f64::MAX;
    for &t in &thresholds {
        let fmr = impostor.iter().filter(|&&s| s >= t).count() as f64 / ni;
        let fnmr = genuine.iter().filter(|&&s| s < t).count() as f64 / ng;
        let gap = (fmr - fnmr).abs();
        if gap < best_gap {
            best_gap = gap;
            eer = (fmr + fnmr) / 2.0;
        }
    }
    Rates {
        eer,
        fmr100: fnmr_at(genuine, impostor, 0.01),
        fmr1000: fnmr_at(genuine, impostor, 0.001),
        fnmr_at_zero_fmr: fnmr_at(genuine, impostor, 0.0),
    }
}

fn fvc(args: FvcArgs) -> anyhow::Result<ExitCode> {
    let images = list_images(&args.dir)?;
    if images.len() < 2 {
        anyhow::bail!("{} holds fewer than two F_I images", args.dir.display());
    }
    let mut samples = Vec::with_capacity(images.len());
    let mut extract_seconds = 0.0;
    let mut failures = 0;
    for (stem, finger, path) in images {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let grey = biometrics::decode_image(&bytes)
            .with_context(|| format!("decoding {}", path.display()))?;
        let start = thread_cpu_seconds();
        let template = biometrics::extract(&grey, args.dpi);
        extract_seconds += thread_cpu_seconds() - start;
        let template = match template {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!("{stem}: {e}");
                failures += 1;
                None
            }
        };
        samples.push(Sample { stem, finger, template });
    }
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    let mut rows = Vec::new();
    let mut compare_seconds = 0.0;
    let mut comparisons = 0u64;
    for (a_index, a) in samples.iter().enumerate() {
        // The probe is prepared once per row, as in 1:N search. One clock reading per row keeps
        // the clock's own cost out of the figure; preparation is included.
        let start = thread_cpu_seconds();
        let probe = a.template.as_ref().map(Probe::new);
        let mut row = Vec::with_capacity(samples.len() - a_index);
        for b in &samples[a_index + 1..] {
            let score = match (&probe, &b.template) {
                (Some(p), Some(t)) => {
                    comparisons += 1;
                    p.score(t)
                }
                // A failed extraction rejects every comparison it takes part in.
                _ => 0.0,
            };
            row.push(score);
        }
        compare_seconds += thread_cpu_seconds() - start;
        for (b, score) in samples[a_index + 1..].iter().zip(row) {
            if a.finger == b.finger {
                genuine.push(score);
            } else {
                impostor.push(score);
            }
            rows.push((a.stem.as_str(), b.stem.as_str(), score));
        }
    }
    if let Some(path) = &args.scores {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        writeln!(out, "a,b,score")?;
        for (a, b, s) in &rows {
            writeln!(out, "{a},{b},{s:.4}")?;
        }
        out.flush()?;
    }
    let r = rates(&genuine, &impostor);
    let extract_ms = extract_seconds * 1000.0 / samples.len() as f64;
    let per_sec = if compare_seconds > 0.0 { comparisons as f64 / compare_seconds } else { 0.0 };
    if args.json {
        let value = serde_json::json!({
            "images": samples.len(),
            "genuine": genuine.len(),
            "impostor": impostor.len(),
            "eer": r.eer,
            "fmr100": r.fmr100,
            "fmr1000": r.fmr1000,
            "fnmr_at_zero_fmr": r.fnmr_at_zero_fmr,
            "extract_ms_mean": extract_ms,
            "comparisons_per_sec": per_sec,
        });
        println!("{value}");
    } else {
        println!("images: {} ({} without a usable fingerprint)", samples.len(), failures);
        println!("genuine pairs: {}", genuine.len());
        println!("impostor pairs: {}", impostor.len());
        println!("EER: {:.2} %", r.eer * 100.0);
        println!("FMR100: {:.2} %", r.fmr100 * 100.0);
        println!("FMR1000: {:.2} %", r.fmr1000 * 100.0);
        println!("FNMR at zero FMR: {:.2} %", r.fnmr_at_zero_fmr * 100.0);
        println!("mean extraction: {extract_ms:.2} ms (CPU time, one thread)");
        println!("comparisons per second: {per_sec:.0} (CPU time, one thread)");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::rates;

    #[test]
    fn rates_of_separated_and_overlapping_scores() {
        let r = rates(&[50.0, 60.0, 70.0], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((r.eer, r.fmr100, r.fmr1000, r.fnmr_at_zero_fmr), (0.0, 0.0, 0.0, 0.0));
        // One genuine below the best impostor: it is lost at zero FMR.
        let r = rates(&[2.5, 60.0, 70.0, 80.0], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(r.fnmr_at_zero_fmr, 0.25);
        assert!(r.eer > 0.0 && r.eer <= 0.25, "{}", r.eer);
    }
}
