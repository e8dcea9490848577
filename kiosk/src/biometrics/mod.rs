//! biometrics: image -> template -> score. One module per pipeline stage, named after what it
//! produces; `extract` below is the whole recipe. All constants live in `parameters`.

pub mod binarized_image;
pub mod block_orientations;
pub mod enhanced_image;
pub mod grey_image;
pub mod iso19794_2;
pub mod matcher;
pub mod minutia_filters;
pub mod minutiae;
pub mod parameters;
pub mod quality;
pub mod resized_image;
pub mod segmentation_mask;
pub mod skeleton;
pub mod template;
pub mod transparency;

pub use grey_image::{GreyImage, decode_image, decode_raw_grey};
pub use matcher::{MATCH_THRESHOLD, Probe, ZERO_IMPOSTOR_THRESHOLD, compare};
pub use minutiae::{Minutia, MinutiaKind};
pub use quality::{ImageQuality, QualityHint, quality};
pub use template::Template;
pub use transparency::{NoTransparency, Transparency};

use parameters::{MAX_DPI, MIN_DPI, MIN_FOREGROUND_PIXELS, MIN_IMAGE_SIDE, MIN_MINUTIAE};
use transparency::{bool_picture, float_picture, log_image};

/// What can go wrong from image bytes to score.
#[derive(Debug, thiserror::Error)]
pub enum BiometricError {
    /// The bytes are not a decodable image, or the pixel data is inconsistent.
    #[error("invalid image: {0}")]
    InvalidImage(String),
    /// The image is larger than any reader delivers.
    #[error("image too large ({width}x{height})")]
    ImageTooLarge {
        /// Columns (0 if the decoder refused before telling).
        width: u32,
        /// Rows.
        height: u32,
    },
    /// The image is too small to hold a fingerprint.
    #[error("image too small ({width}x{height} at 500 dpi)")]
    ImageTooSmall {
        /// Columns at 500 dpi.
        width: u32,
        /// Rows at 500 dpi.
        height: u32,
    },
    /// The resolution is outside what fingerprint readers use.
    #[error("unsupported resolution {0} dpi (250-1500 supported)")]
    UnsupportedResolution(u32),
    /// The image holds no usable fingerprint.
    #[error("no usable fingerprint: {0}")]
    NoUsableFingerprint(String),
    /// A kiosk template could not be read.
    #[error("invalid template: {0}")]
    InvalidTemplate(String),
    /// An ISO/IEC 19794-2 record could not be read.
    #[error("invalid ISO/IEC 19794-2 record: {0}")]
    InvalidIso(String),
}

/// Extracts the template of the fingerprint in `image`, scanned at `dpi`. Deterministic.
pub fn extract(image: &GreyImage, dpi: u32) -> Result<Template, BiometricError> {
    extract_with(image, dpi, &mut NoTransparency)
}

/// `extract`, handing every stage's result to `sink`.
pub fn extract_with(
    image: &GreyImage,
    dpi: u32,
    sink: &mut dyn Transparency,
) -> Result<Template, BiometricError> {
    if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
        return Err(BiometricError::UnsupportedResolution(dpi));
    }
    let image = GreyImage::new(image.width, image.height, image.pixels.clone())?;
    let resized =
        resized_image::resize(image.width as usize, image.height as usize, &image.pixels, dpi);
    let (w, h) = (resized.width, resized.height);
    if w < MIN_IMAGE_SIDE as usize || h < MIN_IMAGE_SIDE as usize {
        return Err(BiometricError::ImageTooSmall { width: w as u32, height: h as u32 });
    }
    log_image(sink, "resized-image", w, h, || float_picture(&resized.pixels));

    let orientations = block_orientations::compute(&resized);
    log_image(sink, "block-orientations", w, h, || orientations.picture(w, h));

    let mask = segmentation_mask::compute(&resized, &orientations);
    log_image(sink, "segmentation-mask", w, h, || bool_picture(&mask.pixels));
    if mask.area() < MIN_FOREGROUND_PIXELS {
        return Err(BiometricError::NoUsableFingerprint("too little ridge area".into()));
    }

    let (enhanced, along) = enhanced_image::compute(&resized, &mask, &orientations);
    log_image(sink, "parallel-smoothing", w, h, || float_picture(&along));
    log_image(sink, "enhanced-image", w, h, || float_picture(&enhanced.pixels));

    let binary = binarized_image::binarize(&enhanced, &mask);
    log_image(sink, "binarized-image", w, h, || bool_picture(&binary.pixels));

    // Ridges and valleys are thinned alike: a valley ending is a ridge bifurcation, so both
    // kinds come from the same, well-behaved ending detection.
    let skeleton = skeleton::thin(&binary);
    log_image(sink, "ridge-skeleton", w, h, || bool_picture(&skeleton.pixels));
    let valleys = binarized_image::valleys(&binary, &mask);
    let valley_skeleton = skeleton::thin(&valleys);
    log_image(sink, "valley-skeleton", w, h, || bool_picture(&valley_skeleton.pixels));

    let ridge_candidates = minutiae::detect(&skeleton);
    let valley_candidates = minutiae::detect(&valley_skeleton);
    log_image(sink, "skeleton-minutiae", w, h, || {
        minutia_picture(&skeleton, ridge_candidates.iter().map(|m| (m.x, m.y, m.kind)))
    });
    let mut structural = minutia_filters::endings(&minutia_filters::structural(&ridge_candidates));
    let mut valley_endings =
        minutia_filters::endings(&minutia_filters::structural(&valley_candidates));
    for m in &mut valley_endings {
        m.kind = MinutiaKind::Bifurcation;
    }
    let candidates_count = ridge_candidates.len() + valley_candidates.len();
    structural.extend(valley_endings);
    let inner = minutia_filters::inner_mask(&mask);
    log_image(sink, "inner-mask", w, h, || bool_picture(&inner));
    let minutiae = minutia_filters::finish(&structural, &mask, &inner, &orientations);
    let bifurcations = |k: &mut dyn Iterator<Item = MinutiaKind>| {
        k.filter(|&k| k == MinutiaKind::Bifurcation).count()
    };
    tracing::debug!(
        candidates = candidates_count,
        structural = structural.len(),
        structural_bifurcations = bifurcations(&mut structural.iter().map(|m| m.kind)),
        kept = minutiae.len(),
        kept_bifurcations = bifurcations(&mut minutiae.iter().map(|m| m.kind)),
        "minutiae"
    );
    log_image(sink, "minutiae", w, h, || {
        minutia_picture(&skeleton, minutiae.iter().map(|m| (m.x as i32, m.y as i32, m.kind)))
    });
    if minutiae.len() < MIN_MINUTIAE {
        return Err(BiometricError::NoUsableFingerprint(format!(
            "only {} minutiae found",
            minutiae.len()
        )));
    }
    Template::new(w.min(u16::MAX as usize) as u16, h.min(u16::MAX as usize) as u16, minutiae)
}

/// The skeleton in light grey with a black square on each ending and a dark ring on each
/// bifurcation.
fn minutia_picture(
    skeleton: &skeleton::Skeleton,
    points: impl Iterator<Item = (i32, i32, MinutiaKind)>,
) -> Vec<u8> {
    let (w, h) = (skeleton.width as i32, skeleton.height as i32);
    let mut out: Vec<u8> = skeleton.pixels.iter().map(|&p| if p { 170 } else { 255 }).collect();
    for (x, y, kind) in points {
        for dy in -3..=3i32 {
            for dx in -3..=3i32 {
                let ring = dx.abs() == 3 || dy.abs() == 3;
                if kind == MinutiaKind::Bifurcation && !ring {
                    continue;
                }
                let (px, py) = (x + dx, y + dy);
                if px >= 0 && py >= 0 && px < w && py < h {
                    out[(py * w + px) as usize] = 0;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
