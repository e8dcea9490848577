//! Image quality for enrolment and the reader screen: how much of the image is clear ridge flow,
//! and a hint telling the person what to change.

use super::block_orientations;
use super::grey_image::GreyImage;
use super::parameters::{MAX_DPI, MIN_DPI, MIN_IMAGE_SIDE};
use super::resized_image;
use super::segmentation_mask;

/// What the person should change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QualityHint {
    /// Too little of the finger touches the reader.
    PressHarder,
    /// The finger sits near an edge of the reader.
    MoveToCentre,
    /// Ridges run together: dark, low contrast.
    TooWet,
    /// Ridges broken and faint: light, low contrast.
    TooDry,
    /// No finger on the reader.
    NoFinger,
}

/// Quality score 0..100 and an optional hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageQuality {
    /// 0 = unusable, 100 = excellent.
    pub score: u8,
    /// What to change, if anything.
    pub hint: Option<QualityHint>,
}

const NO_FINGER: ImageQuality = ImageQuality { score: 0, hint: Some(QualityHint::NoFinger) };

/// Rates an image taken at `dpi`.
pub fn quality(image: &GreyImage, dpi: u32) -> ImageQuality {
    if !(MIN_DPI..=MAX_DPI).contains(&dpi)
        || image.pixels.len() != image.width as usize * image.height as usize
    {
        return NO_FINGER;
    }
    let resized =
        resized_image::resize(image.width as usize, image.height as usize, &image.pixels, dpi);
    if resized.width < MIN_IMAGE_SIDE as usize || resized.height < MIN_IMAGE_SIDE as usize {
        return NO_FINGER;
    }
    let orientations = block_orientations::compute(&resized);
    let mask = segmentation_mask::compute(&resized, &orientations);
    let blocks = mask.blocks.len().max(1);
    let foreground: Vec<usize> = (0..mask.blocks.len()).filter(|&i| mask.blocks[i]).collect();
    let area = foreground.len() as f32 / blocks as f32;
    if foreground.len() < 16 {
        return NO_FINGER;
    }
    let coherence = foreground.iter().map(|&i| orientations.coherence[i]).sum::<f32>()
        / foreground.len() as f32;
    let contrast =
        foreground.iter().map(|&i| mask.block_contrast[i]).sum::<f32>() / foreground.len() as f32;
    let (mut cx, mut cy, mut grey, mut count) = (0f32, 0f32, 0f32, 0f32);
    for y in 0..mask.height {
        for x in 0..mask.width {
            if mask.pixels[y * mask.width + x] {
                cx += x as f32;
                cy += y as f32;
                grey += resized.pixels[y * mask.width + x];
                count += 1.0;
            }
        }
    }
    let (cx, cy, grey) = (cx / count, cy / count, grey / count);
    let off_centre =
        ((cx / mask.width as f32 - 0.5).abs()).max((cy / mask.height as f32 - 0.5).abs());
    let area_factor = (area / 0.5).min(1.0);
    let contrast_factor = (contrast / 80.0).min(1.0);
    let score = (100.0 * (coherence * 1.6).min(1.0) * area_factor * (0.5 + 0.5 * contrast_factor))
        .round()
        .clamp(0.0, 100.0) as u8;
    let hint = if off_centre > 0.2 {
        Some(QualityHint::MoveToCentre)
    } else if area < 0.15 {
        Some(QualityHint::PressHarder)
    } else if contrast < 50.0 && grey < 100.0 {
        Some(QualityHint::TooWet)
    } else if contrast < 50.0 && grey > 160.0 {
        Some(QualityHint::TooDry)
    } else if area < 0.35 {
        Some(QualityHint::PressHarder)
    } else {
        None
    };
    ImageQuality { score, hint }
}
