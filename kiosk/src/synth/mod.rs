//! Synthetic fingerprints after the SFinGe method (Cappelli, Maio, Maltoni; notes in
//! docs/SYNTH.md): a *master print* per finger (area shape, orientation model with cores and
//! deltas by class, ridge-frequency map, ridges grown by iterated oriented Gabor filtering from
//! seeds) and any number of *impressions* of it (contact region, pressure / skin dryness, plastic
//! distortion, global rotation and translation, ridge noise, scratches, sensor background).
//!
//! Everything is deterministic: every random stream is derived from (database seed, finger,
//! impression, stage), so one image can be regenerated without generating the others.
//! Images are 8-bit grey, 500 dpi, 288x384 (the FVC DB4 frame).

mod impression;
mod master;
mod orientation;

pub use impression::{ImpressionSettings, impression};
pub use master::{MasterPrint, master_print};
pub use orientation::{FingerClass, SingularPoint, SingularKind};

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
                    impression(&master, impression_seed(seed, i as u64), &ImpressionSettings::default())
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
