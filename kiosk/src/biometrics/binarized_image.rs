//! Binarisation: ridge where the enhanced image is negative, then a majority vote flips pixels
//! that most of their neighbourhood disagrees with (fills holes in ridges, removes specks).

use super::enhanced_image::EnhancedImage;
use super::parameters::{BINARY_VOTE_MAJORITY, BINARY_VOTE_RADIUS};
use super::segmentation_mask::SegmentationMask;

/// Ridge pixels.
pub struct BinarizedImage {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Per pixel: true = ridge.
    pub pixels: Vec<bool>,
}

/// Computes the binary ridge map.
pub fn binarize(enhanced: &EnhancedImage, mask: &SegmentationMask) -> BinarizedImage {
    let (w, h) = (enhanced.width, enhanced.height);
    let raw: Vec<bool> =
        enhanced.pixels.iter().zip(&mask.pixels).map(|(&v, &m)| m && v < 0.0).collect();
    // Integral image of ridge counts for the vote.
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += raw[y * w + x] as u32;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = BINARY_VOTE_RADIUS;
    let mut pixels = raw.clone();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !mask.pixels[i] {
                continue;
            }
            let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
            let (x1, y1) = ((x + r + 1).min(w), (y + r + 1).min(h));
            let ones = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let area = ((x1 - x0) * (y1 - y0)) as f32;
            let ones = ones as f32;
            if raw[i] && area - ones >= BINARY_VOTE_MAJORITY * area {
                pixels[i] = false;
            } else if !raw[i] && ones >= BINARY_VOTE_MAJORITY * area {
                pixels[i] = true;
            }
        }
    }
    BinarizedImage { width: w, height: h, pixels }
}

/// The valleys: foreground pixels that are not ridge.
pub fn valleys(ridges: &BinarizedImage, mask: &SegmentationMask) -> BinarizedImage {
    let pixels = ridges.pixels.iter().zip(&mask.pixels).map(|(&r, &m)| m && !r).collect();
    BinarizedImage { width: ridges.width, height: ridges.height, pixels }
}
