//! Foreground segmentation: a block is fingerprint when its clipped contrast is high enough in
//! absolute terms and relative to the image's better blocks, and its ridges have a clear
//! orientation. The block mask is smoothed by majority votes and its holes are filled.

use super::block_orientations::BlockOrientations;
use super::parameters::{
    BLOCK_SIZE, CONTRAST_CLIP, CONTRAST_RADIUS_BLOCKS, MASK_VOTE_PASSES, MASK_VOTE_RADIUS,
    MIN_ABSOLUTE_CONTRAST, MIN_COHERENCE, MIN_RELATIVE_CONTRAST,
};
use super::resized_image::ResizedImage;

/// Which pixels belong to the fingerprint.
pub struct SegmentationMask {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Per pixel: true = fingerprint.
    pub pixels: Vec<bool>,
    /// Per block contrast (grey levels), kept for the quality score.
    pub block_contrast: Vec<f32>,
    /// Per block foreground flag.
    pub blocks: Vec<bool>,
}

impl SegmentationMask {
    /// Foreground pixel count.
    pub fn area(&self) -> usize {
        self.pixels.iter().filter(|&&p| p).count()
    }

    /// Whether (x, y) is inside and foreground.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        if x < 0.0 || y < 0.0 {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        x < self.width && y < self.height && self.pixels[y * self.width + x]
    }
}

/// Per-block clipped contrast: the grey range after dropping `CONTRAST_CLIP` of the pixels at each
/// end, measured over a window of neighbouring blocks.
pub fn block_contrast(image: &ResizedImage, columns: usize, rows: usize) -> Vec<f32> {
    let (w, h) = (image.width, image.height);
    let r = CONTRAST_RADIUS_BLOCKS;
    let mut out = vec![0f32; columns * rows];
    let mut histogram = [0u32; 256];
    for br in 0..rows {
        for bc in 0..columns {
            histogram.fill(0);
            let y0 = br.saturating_sub(r) * BLOCK_SIZE;
            let y1 = ((br + r + 1) * BLOCK_SIZE).min(h);
            let x0 = bc.saturating_sub(r) * BLOCK_SIZE;
            let x1 = ((bc + r + 1) * BLOCK_SIZE).min(w);
            for y in y0..y1 {
                for &p in &image.pixels[y * w + x0..y * w + x1] {
                    histogram[(p as usize).min(255)] += 1;
                }
            }
            let total = ((y1 - y0) * (x1 - x0)) as f32;
            let clip = (total * CONTRAST_CLIP) as u32;
            let (mut lo, mut seen) = (0usize, 0u32);
            while lo < 255 && seen + histogram[lo] <= clip {
                seen += histogram[lo];
                lo += 1;
            }
            let (mut hi, mut seen) = (255usize, 0u32);
            while hi > 0 && seen + histogram[hi] <= clip {
                seen += histogram[hi];
                hi -= 1;
            }
            out[br * columns + bc] = hi.saturating_sub(lo) as f32;
        }
    }
    out
}

/// Computes the mask.
pub fn compute(image: &ResizedImage, orientations: &BlockOrientations) -> SegmentationMask {
    let (columns, rows) = (orientations.columns, orientations.rows);
    let contrast = block_contrast(image, columns, rows);
    let mut sorted = contrast.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let better_half = &sorted[..sorted.len().div_ceil(2)];
    let reference = better_half.iter().sum::<f32>() / better_half.len().max(1) as f32;
    let mut blocks: Vec<bool> = (0..columns * rows)
        .map(|i| {
            contrast[i] >= MIN_ABSOLUTE_CONTRAST
                && contrast[i] >= MIN_RELATIVE_CONTRAST * reference
                && orientations.coherence[i] >= MIN_COHERENCE
        })
        .collect();
    for _ in 0..MASK_VOTE_PASSES {
        blocks = vote(&blocks, columns, rows, MASK_VOTE_RADIUS);
    }
    fill_holes(&mut blocks, columns, rows);
    let (w, h) = (image.width, image.height);
    let mut pixels = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            pixels[y * w + x] = blocks[(y / BLOCK_SIZE) * columns + x / BLOCK_SIZE];
        }
    }
    SegmentationMask { width: w, height: h, pixels, block_contrast: contrast, blocks }
}

/// Majority vote in a square window; outside the grid counts as background.
fn vote(blocks: &[bool], columns: usize, rows: usize, radius: usize) -> Vec<bool> {
    let mut out = vec![false; blocks.len()];
    let area = ((2 * radius + 1) * (2 * radius + 1)) as f32;
    for r in 0..rows {
        for c in 0..columns {
            let mut n = 0;
            for rr in r.saturating_sub(radius)..=(r + radius).min(rows - 1) {
                for cc in c.saturating_sub(radius)..=(c + radius).min(columns - 1) {
                    n += blocks[rr * columns + cc] as usize;
                }
            }
            out[r * columns + c] = n as f32 > area * 0.5;
        }
    }
    out
}

/// Background regions not touching the border become foreground.
fn fill_holes(blocks: &mut [bool], columns: usize, rows: usize) {
    let mut outside = vec![false; blocks.len()];
    let mut stack: Vec<usize> = Vec::new();
    for r in 0..rows {
        for c in 0..columns {
            if (r == 0 || c == 0 || r == rows - 1 || c == columns - 1) && !blocks[r * columns + c] {
                outside[r * columns + c] = true;
                stack.push(r * columns + c);
            }
        }
    }
    while let Some(i) = stack.pop() {
        let (r, c) = (i / columns, i % columns);
        let mut visit = |j: usize| {
            if !blocks[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        };
        if r > 0 {
            visit(i - columns);
        }
        if r + 1 < rows {
            visit(i + columns);
        }
        if c > 0 {
            visit(i - 1);
        }
        if c + 1 < columns {
            visit(i + 1);
        }
    }
    for (b, o) in blocks.iter_mut().zip(outside) {
        *b = !o;
    }
}
