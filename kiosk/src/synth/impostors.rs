//! Distinct synthetic fingers must look distinct to the matcher: real FVC sets have no
//! different-finger comparison at or above the zero-impostor threshold, so a synthetic set that
//! has some would make demo enrolments refuse fingers as duplicates and flatter nothing.

use super::{ImpressionSettings, finger_seed, impression, impression_seed, master_print};
use crate::biometrics::{Probe, Template, ZERO_IMPOSTOR_THRESHOLD};
use crate::identify::kiosk_matcher::template_from_synth;

/// Masters compared pairwise (one impression each: 435 pairs, both directions scored).
const MASTERS: u64 = 30;
/// Database seed: the set `kiosk synth --fingers 30 --impressions 1` writes by default.
const DB_SEED: u64 = 1;

/// Impression 1 of finger `finger` (numbered from 1 like `kiosk synth`), extracted.
fn template(finger: u64) -> Option<Template> {
    let seed = finger_seed(DB_SEED, finger);
    let master = master_print(seed);
    let image = impression(&master, impression_seed(seed, 1), &ImpressionSettings::default());
    template_from_synth(&image).ok()
}

#[test]
fn distinct_masters_stay_below_the_zero_impostor_threshold() {
    let templates: Vec<(u64, Template)> =
        (1..=MASTERS).filter_map(|f| template(f).map(|t| (f, t))).collect();
    // A few unreadable impressions are normal; most must extract or the test proves nothing.
    assert!(templates.len() as u64 >= MASTERS - 2, "only {} templates", templates.len());
    let probes: Vec<Probe> = templates.iter().map(|(_, t)| Probe::new(t)).collect();
    let mut worst = (0.0f64, 0, 0);
    for (a, probe) in probes.iter().enumerate() {
        for (b, (_, candidate)) in templates.iter().enumerate() {
            if a == b {
                continue;
            }
            // The matcher is asymmetric: both directions count.
            let score = probe.score(candidate);
            if score > worst.0 {
                worst = (score, templates[a].0, templates[b].0);
            }
        }
    }
    let (score, a, b) = worst;
    assert!(
        score < ZERO_IMPOSTOR_THRESHOLD,
        "fingers {a} and {b} score {score:.1} (>= {ZERO_IMPOSTOR_THRESHOLD})"
    );
}
