//! Synthetic fingerprints after the SFinGe method (Cappelli, Maio, Maltoni; notes in
//! docs/SYNTH.md): a *master print* per finger (area shape, orientation model with cores and
//! deltas by class, ridge-frequency map, ridges grown by iterated oriented Gabor filtering from
//! seeds) and any number of *impressions* of it (contact region, pressure / skin dryness, plastic
//! distortion, global rotation and translation, ridge noise, scratches, sensor background).
//!
//! Everything is deterministic: every random stream is derived from (database seed, finger,
//! impression, stage), so one image can be regenerated without generating the others.
//! Images are 8-bit grey, 500 dpi, 288x384 (the FVC DB4 frame).

#[cfg(test)]
mod impostors;
mod impression;
mod master;
mod orientation;

pub use impression::{ImpressionSettings, impression};
pub use master::{MasterPrint, master_print};
pub use orientation::{FingerClass, SingularKind, SingularPoint};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Resolution of every generated image, dots per inch.
pub const DPI: u32 = 500;
/// Width of a generated impression, pixels (FVC DB4 frame).
pub const IMAGE_WIDTH: usize = 288;
/// Height of a generated impression, pixels (FVC DB4 frame).
pub const IMAGE_HEIGHT: usize = 384;

/// An 8-bit grey image, row-major, 0 = black.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthImage {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width * height` grey values, row after row.
    pub pixels: Vec<u8>,
}

impl SynthImage {
    /// Grey value at (x, y); the caller keeps x, y inside the image.
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// Encodes the image as an 8-bit grey PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, SynthError> {
        let buffer =
            image::GrayImage::from_raw(self.width as u32, self.height as u32, self.pixels.clone())
                .ok_or(SynthError::Size { width: self.width, height: self.height })?;
        let mut out = std::io::Cursor::new(Vec::new());
        buffer.write_to(&mut out, image::ImageFormat::Png).map_err(SynthError::Encode)?;
        Ok(out.into_inner())
    }
}

/// What can go wrong when turning generated prints into files.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The pixel buffer does not match the stated size (a bug, reported rather than panicking).
    #[error("image buffer does not match {width}x{height}")]
    Size {
        /// Stated width.
        width: usize,
        /// Stated height.
        height: usize,
    },
    /// PNG encoding failed.
    #[error("cannot encode PNG: {0}")]
    Encode(image::ImageError),
}

/// Generation stages, each with its own random stream.
#[derive(Clone, Copy, Debug)]
#[repr(u64)]
pub(crate) enum Stage {
    Class = 1,
    Shape = 2,
    Orientation = 3,
    Density = 4,
    Seeds = 5,
    Scratches = 6,
    Minutiae = 7,
    Perturbation = 8,
    Contact = 11,
    Pressure = 12,
    Distortion = 13,
    Noise = 14,
    Background = 15,
}

/// SplitMix64 finaliser: a well-mixed 64-bit value from any input.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of one finger of a database: what [`master_print`] takes.
pub fn finger_seed(db_seed: u64, finger: u64) -> u64 {
    mix(mix(db_seed) ^ finger.wrapping_mul(0xA24B_AED4_963E_E407))
}

/// The seed of one impression of a finger: what [`impression`] takes.
pub fn impression_seed(finger_seed: u64, impression: u64) -> u64 {
    mix(finger_seed ^ mix(impression.wrapping_add(0x1234_5678)))
}

/// The random stream of one stage of one finger or impression.
pub(crate) fn stage_rng(seed: u64, stage: Stage) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed ^ mix(stage as u64)))
}

/// Impression `impression` of the finger with seed `finger_seed`, default settings. Convenience
/// for the simulated reader: each call generates the master again (about 0.1-0.3 s in release);
/// keep the [`MasterPrint`] when serving many impressions of one finger.
pub fn finger_impression(finger_seed: u64, impression_seed: u64) -> SynthImage {
    let master = master_print(finger_seed);
    impression(&master, impression_seed, &ImpressionSettings::default())
}

/// Fingers of a demo person, in [`DEMO_FINGERS`] order: for each finger its seed and `impressions`
/// images (impression seeds 0..impressions). The person seed is any stable number (e.g. a hash of
/// the person id); the same seed always gives the same fingers.
pub fn demo_fingers(person_seed: u64, impressions: usize) -> Vec<DemoFinger> {
    DEMO_FINGERS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let seed = finger_seed(person_seed, index as u64);
            let master = master_print(seed);
            let images = (0..impressions)
                .map(|i| {
                    impression(
                        &master,
                        impression_seed(seed, i as u64),
                        &ImpressionSettings::default(),
                    )
                })
                .collect();
            DemoFinger { finger: name, seed, images }
        })
        .collect()
}

/// Fingers enrolled for demo persons (names as in the store's `fingerprint.finger`).
pub const DEMO_FINGERS: &[&str] = &["right-thumb", "right-index", "left-thumb", "left-index"];

/// One synthetic finger of a demo person.
#[derive(Clone, Debug)]
pub struct DemoFinger {
    /// Finger name, e.g. `right-index`.
    pub finger: &'static str,
    /// The finger's seed: `finger_impression(seed, any)` gives a fresh impression of it.
    pub seed: u64,
    /// Enrolment impressions.
    pub images: Vec<SynthImage>,
}

/// A stable person seed from a person id (FNV-1a), for [`demo_fingers`].
pub fn person_seed(person_id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in person_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    mix(hash)
}

impl SynthImage {
    /// The image as the simulated reader delivers it (500 dpi).
    pub fn to_finger_image(&self) -> drivers::fingerprint::FingerImage {
        drivers::fingerprint::FingerImage {
            width: self.width as u32,
            height: self.height as u32,
            dpi: DPI,
            pixels: self.pixels.clone(),
        }
    }
}

/// Places a fresh impression of a synthetic finger on a simulated reader (demo developer panel).
pub fn place_synthetic_finger(
    reader: &drivers::fingerprint::SimulatedReaderHandle,
    finger_seed: u64,
    impression_seed: u64,
) {
    reader.place_finger(finger_impression(finger_seed, impression_seed).to_finger_image());
}

#[cfg(test)]
mod tests {
    use std::f32::consts::PI;

    use super::*;

    #[test]
    fn same_seed_same_image_other_seed_other_image() {
        let seed = finger_seed(42, 101);
        let master = master_print(seed);
        let again = master_print(seed);
        assert_eq!(master.ink, again.ink);
        let settings = ImpressionSettings::default();
        let a = impression(&master, impression_seed(seed, 1), &settings);
        let b = impression(&again, impression_seed(seed, 1), &settings);
        assert_eq!(a, b);
        let c = impression(&master, impression_seed(seed, 2), &settings);
        assert_ne!(a, c);
        let other = master_print(finger_seed(42, 102));
        assert_ne!(master.ink, other.ink);
        assert_eq!(
            (a.width, a.height, a.pixels.len()),
            (IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_WIDTH * IMAGE_HEIGHT)
        );
    }

    /// Ridge period measured on the master across the local ridge direction: zero crossings of
    /// the ink along the normal, over four nominal periods.
    fn measured_period(master: &MasterPrint, x: usize, y: usize) -> Option<f32> {
        let i = y * master.width + x;
        let theta = master.orientation[i];
        let (nx, ny) = (-theta.sin(), theta.cos());
        let length = 4.0 * master.period[i];
        let steps = (length * 2.0) as usize;
        let mut crossings = 0;
        let mut prev: Option<bool> = None;
        for s in 0..=steps {
            let t = s as f32 * 0.5 - length / 2.0;
            let px = (x as f32 + nx * t).round();
            let py = (y as f32 + ny * t).round();
            if px < 0.0 || py < 0.0 || px as usize >= master.width || py as usize >= master.height {
                return None;
            }
            let j = py as usize * master.width + px as usize;
            if master.border_distance[j] < 8.0 {
                return None;
            }
            let ridge = master.ink[j] > 0.5;
            if prev.is_some_and(|p| p != ridge) {
                crossings += 1;
            }
            prev = Some(ridge);
        }
        (crossings > 0).then(|| 2.0 * length / crossings as f32)
    }

    #[test]
    fn ridge_period_is_in_the_range_of_real_skin() {
        for finger in 0..3 {
            let master = master_print(finger_seed(7, finger));
            assert!((7.0..=14.0).contains(&master.mean_period), "{}", master.mean_period);
            let mut periods = Vec::new();
            for y in (20..master.height - 20).step_by(23) {
                for x in (20..master.width - 20).step_by(23) {
                    // Away from singular points, where the period is not defined.
                    let near_singular = master.singular.iter().any(|p| {
                        (p.x - x as f32).powi(2) + (p.y - y as f32).powi(2) < 40.0f32.powi(2)
                    });
                    if !near_singular {
                        periods.extend(measured_period(&master, x, y));
                    }
                }
            }
            assert!(periods.len() > 30, "too few samples: {}", periods.len());
            periods.sort_by(f32::total_cmp);
            let median = periods[periods.len() / 2];
            // Real skin at 500 dpi: 7-12 px; the master asked for mean_period.
            assert!((6.5..=13.0).contains(&median), "median period {median}");
            assert!(
                (median - master.mean_period).abs() < 0.25 * master.mean_period,
                "median {median} vs {}",
                master.mean_period
            );
            // Ridges cover about half the area (neither blank nor solid).
            let inside: Vec<f32> = master
                .ink
                .iter()
                .zip(&master.border_distance)
                .filter(|(_, d)| **d > 8.0)
                .map(|(v, _)| *v)
                .collect();
            let ridge_share =
                inside.iter().filter(|v| **v > 0.5).count() as f32 / inside.len() as f32;
            assert!((0.3..0.7).contains(&ridge_share), "ridge share {ridge_share}");
            let _ = PI;
        }
    }

    #[test]
    fn impression_shows_a_dark_print_on_a_bright_background() {
        let seed = finger_seed(3, 1);
        let master = master_print(seed);
        let image = impression(&master, impression_seed(seed, 1), &ImpressionSettings::default());
        // Corners are background (bright), the centre region holds ridges and valleys (contrast).
        let corner = image.get(2, 2) as f32;
        assert!(corner > 140.0, "corner {corner}");
        let (cx, cy) = (image.width / 2, image.height / 2);
        let mut values = Vec::new();
        for y in cy - 30..cy + 30 {
            for x in cx - 30..cx + 30 {
                values.push(image.get(x, y));
            }
        }
        values.sort_unstable();
        let (p10, p90) = (values[values.len() / 10], values[values.len() * 9 / 10]);
        assert!(p10 < 90 && p90 > p10 + 80, "ridge/valley contrast: p10 {p10} p90 {p90}");
        let png = image.to_png().expect("png");
        let decoded = image::load_from_memory(&png).expect("decode").to_luma8();
        assert_eq!(decoded.as_raw(), &image.pixels);
    }

    #[test]
    fn person_seeds_are_stable_and_distinct() {
        assert_eq!(person_seed("P-1"), person_seed("P-1"));
        assert_ne!(person_seed("P-1"), person_seed("P-2"));
        assert_ne!(finger_seed(1, 1), finger_seed(1, 2));
        assert_ne!(impression_seed(5, 1), impression_seed(5, 2));
    }
}
