//! `kiosk bench identify --dir DIR --dpi N --gallery N [--shortlist N] [--json]`: 1:N
//! identification at scale.
//!
//! Enrols the first impression of every finger in DIR (`F_I.ext`), grows the gallery to N
//! templates, identifies every other impression of DIR (genuine probes) and 1,000 impressions
//! of synthetic fingers that are not in the gallery (impostor probes). Each gallery template is
//! its own person, the hardest case for the margin rule.
//!
//! Growing the gallery: extracting thousands of synthetic fingers would take most of an hour on
//! one core, so the gallery is grown from a pool of distinct synthetic fingers (one extracted
//! impression each), and every pool template is reused with a random rigid transform, 20 %
//! minutia drop-out and position/direction jitter. Times are for the search only (the probe's
//! extraction is reported separately): one core, no threads.
//!
//! The prefilter is measured on its own as well: for every genuine probe, the rank of its mate
//! among all gallery templates by prefilter score, and how often that rank is inside the
//! shortlist (a mate outside it can never be found, whatever the full matcher would say).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use kiosk::biometrics::{self, Template};
use kiosk::identify::kiosk_matcher::{IndexedTemplate, KioskGallery, search, template_from_synth};
use kiosk::identify::prefilter::PrefilterProbe;
use kiosk::identify::{Decision, IdentifySettings, decide};
use kiosk::synth;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Database seed of the synthetic gallery pool (distinct from `kiosk synth`'s default 1).
const POOL_SEED: u64 = 0x6A11_E2E7;
/// Database seed of the impostor fingers (never in the gallery).
const IMPOSTOR_SEED: u64 = 0x1B05_7E25;
/// Impostor fingers and impressions of each: 250 x 4 = 1,000 probes.
const IMPOSTOR_FINGERS: u64 = 250;
const IMPOSTOR_IMPRESSIONS: u64 = 4;

/// 1:N identification benchmark.
#[derive(clap::Args)]
pub struct IdentifyArgs {
    /// Folder of `F_I.ext` images (F finger, I impression).
    #[arg(long)]
    dir: PathBuf,
    /// Resolution of the images in DIR.
    #[arg(long)]
    dpi: u32,
    /// Gallery size to reach, templates.
    #[arg(long)]
    gallery: usize,
    /// Templates the prefilter passes to the full matcher (0 = no prefilter, full matcher on
    /// every template); the identification settings' default when not given.
    #[arg(long)]
    shortlist: Option<usize>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn load_dir(dir: &Path) -> anyhow::Result<BTreeMap<u32, Vec<(u32, PathBuf)>>> {
    let mut fingers: BTreeMap<u32, Vec<(u32, PathBuf)>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        let Some((f, i)) = stem.split_once('_') else { continue };
        let (Ok(f), Ok(i)) = (f.parse::<u32>(), i.parse::<u32>()) else { continue };
        let is_image = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(e.to_ascii_lowercase().as_str(), "png" | "tif" | "tiff" | "bmp")
        });
        if is_image {
            fingers.entry(f).or_default().push((i, path));
        }
    }
    for list in fingers.values_mut() {
        list.sort();
    }
    Ok(fingers)
}

fn extract_file(path: &Path, dpi: u32) -> anyhow::Result<Template> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let image = biometrics::decode_image(&bytes).with_context(|| format!("{}", path.display()))?;
    Ok(biometrics::extract(&image, dpi).with_context(|| format!("{}", path.display()))?)
}

fn extract_synthetic(master: &synth::MasterPrint, seed: u64) -> Option<Template> {
    let image = synth::impression(master, seed, &synth::ImpressionSettings::default());
    template_from_synth(&image).ok()
}

/// A new gallery finger from a pool template: rigid transform, drop-out, jitter.
fn variant(template: &Template, rng: &mut ChaCha8Rng) -> Option<Template> {
    let (w, h) = (template.width(), template.height());
    let (cx, cy) = (f32::from(w) / 2.0, f32::from(h) / 2.0);
    let angle: f32 = rng.gen_range(-0.5..0.5);
    let (sin, cos) = angle.sin_cos();
    let (tx, ty): (f32, f32) = (rng.gen_range(-30.0..30.0), rng.gen_range(-30.0..30.0));
    let turn = (angle / std::f32::consts::TAU * 256.0).round() as i32;
    let mut minutiae = Vec::with_capacity(template.minutiae().len());
    for m in template.minutiae() {
        if rng.gen_range(0.0..1.0) < 0.2 {
            continue;
        }
        let (dx, dy) = (f32::from(m.x) - cx, f32::from(m.y) - cy);
        // y points down: a counter-clockwise turn (y up) of the point set.
        let x = cx + cos * dx + sin * dy + tx + rng.gen_range(-2.0..2.0);
        let y = cy - sin * dx + cos * dy + ty + rng.gen_range(-2.0..2.0);
        if x < 0.0 || y < 0.0 || x >= f32::from(w) || y >= f32::from(h) {
            continue;
        }
        let mut moved = *m;
        moved.x = x as u16;
        moved.y = y as u16;
        moved.direction =
            (i32::from(m.direction) + turn + rng.gen_range(-4..=4)).rem_euclid(256) as u8;
        minutiae.push(moved);
    }
    Template::new(w, h, minutiae).ok()
}

fn percentile<T: Copy + Default>(sorted: &[T], p: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Rank (1 = best) of the best mate entry of `person` in the prefilter ordering of the whole
/// gallery, with the tie-break `search` uses (lower index first); None if the person has no entry.
fn mate_prefilter_rank(gallery: &KioskGallery, probe: &Template, person: &str) -> Option<usize> {
    let filter = PrefilterProbe::new(probe.minutiae());
    let scores: Vec<f32> =
        gallery.entries().iter().map(|e| filter.score(&e.template.keys)).collect();
    let ahead = |mate: usize| {
        scores
            .iter()
            .enumerate()
            .filter(|&(i, &s)| s > scores[mate] || (s == scores[mate] && i < mate))
            .count()
    };
    gallery
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| gallery.person_of(e) == person)
        .map(|(i, _)| ahead(i) + 1)
        .min()
}

pub fn run(args: IdentifyArgs) -> anyhow::Result<ExitCode> {
    let mut settings = IdentifySettings::default();
    if let Some(shortlist) = args.shortlist {
        settings.shortlist = shortlist;
    }
    let fingers = load_dir(&args.dir)?;
    if fingers.is_empty() {
        anyhow::bail!("no F_I images in {}", args.dir.display());
    }

    // Enrol DIR's first impressions; the rest are genuine probes.
    let mut gallery = KioskGallery::new();
    let mut genuine: Vec<(String, Template)> = Vec::new();
    let mut extract_ms = Vec::new();
    let mut failed = 0usize;
    for (finger, impressions) in &fingers {
        let person = format!("dir-{finger}");
        for (k, (_, path)) in impressions.iter().enumerate() {
            let t0 = Instant::now();
            match extract_file(path, args.dpi) {
                Ok(t) => {
                    extract_ms.push(t0.elapsed().as_secs_f64() * 1e3);
                    if k == 0 {
                        gallery.insert(&person, "finger", IndexedTemplate::new(t));
                    } else {
                        genuine.push((person.clone(), t));
                    }
                }
                Err(err) => {
                    failed += 1;
                    tracing::warn!("{err:#}");
                }
            }
        }
    }
    let dir_templates = gallery.len();

    // Pool of distinct synthetic fingers, then variants up to the gallery size.
    let missing = args.gallery.saturating_sub(dir_templates);
    if missing > 0 {
        let pool_size = (missing / 25).clamp(50, 400).min(missing);
        eprintln!("generating {pool_size} synthetic gallery fingers ...");
        let mut pool = Vec::with_capacity(pool_size);
        let mut k = 0u64;
        while pool.len() < pool_size && k < pool_size as u64 * 3 {
            let seed = synth::finger_seed(POOL_SEED, k);
            k += 1;
            let master = synth::master_print(seed);
            if let Some(t) = extract_synthetic(&master, synth::impression_seed(seed, 0)) {
                pool.push(t);
            }
        }
        if pool.is_empty() {
            anyhow::bail!("no synthetic gallery finger could be extracted");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(POOL_SEED);
        let mut made = 0usize;
        let mut attempts = 0usize;
        while made < missing && attempts < missing * 3 {
            let base = &pool[attempts % pool.len()];
            attempts += 1;
            // The first use of each pool finger is the finger itself.
            let template =
                if attempts <= pool.len() { Some(base.clone()) } else { variant(base, &mut rng) };
            if let Some(t) = template {
                gallery.insert(&format!("syn-{made}"), "finger", IndexedTemplate::new(t));
                made += 1;
            }
        }
    }

    eprintln!("generating {} impostor probes ...", IMPOSTOR_FINGERS * IMPOSTOR_IMPRESSIONS);
    let mut impostors = Vec::new();
    let wanted = (IMPOSTOR_FINGERS * IMPOSTOR_IMPRESSIONS) as usize;
    let mut f = 0u64;
    // Keep adding fingers until enough impressions extracted (a few do not extract).
    while impostors.len() < wanted && f < IMPOSTOR_FINGERS * 2 {
        let seed = synth::finger_seed(IMPOSTOR_SEED, f);
        f += 1;
        let master = synth::master_print(seed);
        for i in 0..IMPOSTOR_IMPRESSIONS {
            if impostors.len() < wanted
                && let Some(t) = extract_synthetic(&master, synth::impression_seed(seed, i))
            {
                impostors.push(t);
            }
        }
    }

    // Searches, one core.
    eprintln!(
        "searching {} genuine and {} impostor probes in {} templates ...",
        genuine.len(),
        impostors.len(),
        gallery.len()
    );
    let mut times = Vec::new();
    let mut comparisons = 0usize;
    let mut rank1 = 0usize;
    let mut accepted_genuine = 0usize;
    let mut false_matches = 0usize;
    let mut search = |probe: &Template| {
        let t0 = Instant::now();
        let ranking = search(&gallery, probe, settings.shortlist);
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        // Effective rate: gallery templates searched (prefilter plus full matcher on the
        // shortlist) per second, the figure that compares with a linear scan.
        comparisons += gallery.len();
        ranking
    };
    for (person, probe) in &genuine {
        let ranking = search(probe);
        if ranking.best.as_ref().is_some_and(|b| &b.person_id == person) {
            rank1 += 1;
        }
        match decide(&ranking, &settings) {
            Decision::Accepted(p) if &p.person_id == person => accepted_genuine += 1,
            Decision::Accepted(_) => false_matches += 1,
            _ => {}
        }
    }
    // Prefilter ranks of the mates, outside the timed searches.
    let mut mate_ranks: Vec<usize> = genuine
        .iter()
        .filter_map(|(person, probe)| mate_prefilter_rank(&gallery, probe, person))
        .collect();
    mate_ranks.sort_unstable();
    // With no prefilter (or a gallery no larger than the shortlist) every mate is compared.
    let everyone = settings.shortlist == 0 || gallery.len() <= settings.shortlist;
    let in_shortlist = mate_ranks.iter().filter(|&&r| everyone || r <= settings.shortlist).count();
    let in_shortlist_rate =
        if mate_ranks.is_empty() { 0.0 } else { in_shortlist as f64 / mate_ranks.len() as f64 };
    let (rank_p50, rank_p95, rank_max) =
        (percentile(&mate_ranks, 0.5), percentile(&mate_ranks, 0.95), percentile(&mate_ranks, 1.0));

    let mut impostor_best = Vec::new();
    for probe in &impostors {
        let ranking = search(probe);
        impostor_best.push(ranking.best.as_ref().map_or(0.0, |b| b.score));
        if matches!(decide(&ranking, &settings), Decision::Accepted(_)) {
            false_matches += 1;
        }
    }
    let total_s: f64 = times.iter().sum::<f64>() / 1e3;
    times.sort_by(f64::total_cmp);
    impostor_best.sort_by(f64::total_cmp);
    let p50 = percentile(&times, 0.5);
    let p95 = percentile(&times, 0.95);
    let cps = if total_s > 0.0 { comparisons as f64 / total_s } else { 0.0 };
    let rank1_rate = if genuine.is_empty() { 0.0 } else { rank1 as f64 / genuine.len() as f64 };
    let accept_rate =
        if genuine.is_empty() { 0.0 } else { accepted_genuine as f64 / genuine.len() as f64 };

    if args.json {
        let out = serde_json::json!({
            "gallery": gallery.len(),
            "genuine_probes": genuine.len(),
            "impostor_probes": impostors.len(),
            "p50_ms": p50,
            "p95_ms": p95,
            "comparisons_per_sec": cps,
            "rank1_rate": rank1_rate,
            "false_matches": false_matches,
            "shortlist": settings.shortlist,
            "accepted_rate": accept_rate,
            "impostor_best_max": impostor_best.last().copied().unwrap_or(0.0),
            "impostor_best_p99": percentile(&impostor_best, 0.99),
            "mate_in_shortlist_rate": in_shortlist_rate,
            "mate_prefilter_rank_p50": rank_p50,
            "mate_prefilter_rank_p95": rank_p95,
            "mate_prefilter_rank_max": rank_max,
        });
        println!("{out}");
    } else {
        extract_ms.sort_by(f64::total_cmp);
        println!(
            "gallery: {} templates ({} from {}, rest synthetic)",
            gallery.len(),
            dir_templates,
            args.dir.display()
        );
        println!(
            "genuine probes: {}  impostor probes: {}  unreadable images: {failed}",
            genuine.len(),
            impostors.len()
        );
        println!(
            "search p50 {p50:.2} ms  p95 {p95:.2} ms  ({cps:.0} templates searched/s, one core, shortlist {})",
            settings.shortlist
        );
        println!("extraction median {:.1} ms", percentile(&extract_ms, 0.5));
        println!(
            "rank-1 rate {:.2} %  accepted (threshold {} margin {}) {:.2} %",
            rank1_rate * 100.0,
            settings.threshold,
            settings.margin,
            accept_rate * 100.0
        );
        println!("false matches: {false_matches}");
        println!(
            "mate inside the shortlist: {:.2} %  (mate's prefilter rank: median {rank_p50}  p95 {rank_p95}  max {rank_max})",
            in_shortlist_rate * 100.0
        );
        println!(
            "impostor best score: median {:.1}  p99 {:.1}  max {:.1}",
            percentile(&impostor_best, 0.5),
            percentile(&impostor_best, 0.99),
            impostor_best.last().copied().unwrap_or(0.0)
        );
    }
    Ok(if false_matches == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
