//! Enhancement by oriented smoothing: grey levels are averaged along the ridge (closing pores and
//! small breaks), then compared with their average across the ridge (about one ridge period).
//! The difference is negative on ridges (dark) and positive in valleys. No frequency estimate is
//! needed, which keeps it robust on thermal and capacitive sensors.

use super::block_orientations::BlockOrientations;
use super::parameters::{
    ACROSS_RIDGE_RADIUS, ALONG_RIDGE_RADIUS, BLOCK_SIZE, SMOOTHING_ORIENTATIONS,
};
use super::resized_image::ResizedImage;
use super::segmentation_mask::SegmentationMask;

/// Along-ridge minus across-ridge average: < 0 on ridges.
pub struct EnhancedImage {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Row-major contrast values, 0 outside the mask.
    pub pixels: Vec<f32>,
}

/// Pixel offsets of a line through the origin for each quantised orientation.
fn line_offsets(radius: i32, across: bool) -> Vec<Vec<(i32, i32)>> {
    (0..SMOOTHING_ORIENTATIONS)
        .map(|k| {
            let mut angle = k as f32 * std::f32::consts::PI / SMOOTHING_ORIENTATIONS as f32;
            if across {
                angle += std::f32::consts::FRAC_PI_2;
            }
            let (dx, dy) = (angle.cos(), angle.sin());
            (-radius..=radius)
                .map(|t| ((dx * t as f32).round() as i32, (dy * t as f32).round() as i32))
                .collect()
        })
        .collect()
}

fn orientation_bin(angle: f32) -> usize {
    let k = (angle / std::f32::consts::PI * SMOOTHING_ORIENTATIONS as f32).round() as usize;
    k % SMOOTHING_ORIENTATIONS
}

/// Averages `source` along the per-pixel lines selected by the orientation field.
fn smooth(
    source: &[f32],
    width: usize,
    height: usize,
    mask: &SegmentationMask,
    orientations: &BlockOrientations,
    lines: &[Vec<(i32, i32)>],
    radius: i32,
) -> Vec<f32> {
    let mut out = vec![0f32; source.len()];
    let (w, h) = (width as i32, height as i32);
    // Linear offsets per orientation for pixels far enough from the frame.
    let linear: Vec<Vec<isize>> = lines
        .iter()
        .map(|line| line.iter().map(|&(dx, dy)| (dy * w + dx) as isize).collect())
        .collect();
    let bins: Vec<usize> = orientations.angle.iter().map(|&a| orientation_bin(a)).collect();
    for y in 0..h {
        let block_row = (y as usize / BLOCK_SIZE) * orientations.columns;
        for x in 0..w {
            let i = (y * w + x) as usize;
            if !mask.pixels[i] {
                continue;
            }
            let bin = bins[block_row + x as usize / BLOCK_SIZE];
            let mut sum = 0.0;
            if x >= radius && y >= radius && x < w - radius && y < h - radius {
                for &offset in &linear[bin] {
                    sum += source[(i as isize + offset) as usize];
                }
            } else {
                for &(dx, dy) in &lines[bin] {
                    let (sx, sy) = ((x + dx).clamp(0, w - 1), (y + dy).clamp(0, h - 1));
                    sum += source[(sy * w + sx) as usize];
                }
            }
            out[i] = sum / lines[bin].len() as f32;
        }
    }
    out
}

/// Computes the enhanced image.
pub fn compute(
    image: &ResizedImage,
    mask: &SegmentationMask,
    orientations: &BlockOrientations,
) -> (EnhancedImage, Vec<f32>) {
    let along_lines = line_offsets(ALONG_RIDGE_RADIUS, false);
    let across_lines = line_offsets(ACROSS_RIDGE_RADIUS, true);
    let (w, h) = (image.width, image.height);
    let along = smooth(&image.pixels, w, h, mask, orientations, &along_lines, ALONG_RIDGE_RADIUS);
    let across = smooth(&along, w, h, mask, orientations, &across_lines, ACROSS_RIDGE_RADIUS);
    let pixels = along.iter().zip(&across).map(|(a, c)| a - c).collect();
    (EnhancedImage { width: w, height: h, pixels }, along)
}
