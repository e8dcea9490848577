//! Ridge orientation per block from the gradient structure tensor (Bazen–Gerez): summed
//! Gx², Gy², GxGy over a window, doubled-angle vectors smoothed over neighbouring blocks.

use super::parameters::{BLOCK_SIZE, ORIENTATION_RADIUS_BLOCKS, ORIENTATION_SMOOTHING_PASSES};
use super::resized_image::ResizedImage;

/// Orientation field on a grid of `BLOCK_SIZE` blocks.
pub struct BlockOrientations {
    /// Blocks per row.
    pub columns: usize,
    /// Blocks per column.
    pub rows: usize,
    /// Ridge orientation in radians, [0, π), image axes (y down).
    pub angle: Vec<f32>,
    /// Coherence 0..1: how strongly one orientation dominates (0 = noise or flat).
    pub coherence: Vec<f32>,
}

impl BlockOrientations {
    /// Orientation of the block holding pixel (x, y).
    pub fn at_pixel(&self, x: usize, y: usize) -> f32 {
        let c = (x / BLOCK_SIZE).min(self.columns - 1);
        let r = (y / BLOCK_SIZE).min(self.rows - 1);
        self.angle[r * self.columns + c]
    }

    /// Coherence of the block holding pixel (x, y).
    pub fn coherence_at_pixel(&self, x: usize, y: usize) -> f32 {
        let c = (x / BLOCK_SIZE).min(self.columns - 1);
        let r = (y / BLOCK_SIZE).min(self.rows - 1);
        self.coherence[r * self.columns + c]
    }

    /// A picture: a short line per block in the ridge direction.
    pub fn picture(&self, width: usize, height: usize) -> Vec<u8> {
        let mut out = vec![255u8; width * height];
        for r in 0..self.rows {
            for c in 0..self.columns {
                let i = r * self.columns + c;
                let (cx, cy) = (
                    (c * BLOCK_SIZE + BLOCK_SIZE / 2) as f32,
                    (r * BLOCK_SIZE + BLOCK_SIZE / 2) as f32,
                );
                let (dx, dy) = (self.angle[i].cos(), self.angle[i].sin());
                let shade = (255.0 * (1.0 - self.coherence[i].clamp(0.0, 1.0))) as u8;
                for t in -3..=3 {
                    let x = (cx + dx * t as f32).round() as i64;
                    let y = (cy + dy * t as f32).round() as i64;
                    if x >= 0 && y >= 0 && (x as usize) < width && (y as usize) < height {
                        out[y as usize * width + x as usize] = shade;
                    }
                }
            }
        }
        out
    }
}

/// Computes the orientation field of an image.
pub fn compute(image: &ResizedImage) -> BlockOrientations {
    let (w, h) = (image.width, image.height);
    let columns = w.div_ceil(BLOCK_SIZE);
    let rows = h.div_ceil(BLOCK_SIZE);
    let mut xx = vec![0f32; columns * rows];
    let mut yy = vec![0f32; columns * rows];
    let mut xy = vec![0f32; columns * rows];
    let p = &image.pixels;
    for y in 1..h.saturating_sub(1) {
        let row_block = (y / BLOCK_SIZE) * columns;
        for x in 1..w - 1 {
            let i = y * w + x;
            // Sobel gradients.
            let gx = (p[i - w + 1] + 2.0 * p[i + 1] + p[i + w + 1])
                - (p[i - w - 1] + 2.0 * p[i - 1] + p[i + w - 1]);
            let gy = (p[i + w - 1] + 2.0 * p[i + w] + p[i + w + 1])
                - (p[i - w - 1] + 2.0 * p[i - w] + p[i - w + 1]);
            let b = row_block + x / BLOCK_SIZE;
            xx[b] += gx * gx;
            yy[b] += gy * gy;
            xy[b] += gx * gy;
        }
    }
    let r = ORIENTATION_RADIUS_BLOCKS as isize;
    let mut vx = vec![0f32; columns * rows];
    let mut vy = vec![0f32; columns * rows];
    let mut coherence = vec![0f32; columns * rows];
    for br in 0..rows as isize {
        for bc in 0..columns as isize {
            let (mut sxx, mut syy, mut sxy) = (0f32, 0f32, 0f32);
            for dr in -r..=r {
                for dc in -r..=r {
                    let (rr, cc) = (br + dr, bc + dc);
                    if rr >= 0 && cc >= 0 && rr < rows as isize && cc < columns as isize {
                        let j = rr as usize * columns + cc as usize;
                        sxx += xx[j];
                        syy += yy[j];
                        sxy += xy[j];
                    }
                }
            }
            let i = br as usize * columns + bc as usize;
            // Doubled-angle vector of the gradient; the ridge runs perpendicular to it.
            vx[i] = sxx - syy;
            vy[i] = 2.0 * sxy;
            let energy = sxx + syy;
            coherence[i] = if energy > 0.0 { (vx[i].hypot(vy[i]) / energy).min(1.0) } else { 0.0 };
        }
    }
    for _ in 0..ORIENTATION_SMOOTHING_PASSES {
        vx = smooth3(&vx, columns, rows);
        vy = smooth3(&vy, columns, rows);
    }
    let angle = vx
        .iter()
        .zip(&vy)
        .map(|(&x, &y)| {
            let gradient = 0.5 * y.atan2(x);
            let mut ridge = gradient + std::f32::consts::FRAC_PI_2;
            if ridge >= std::f32::consts::PI {
                ridge -= std::f32::consts::PI;
            }
            if ridge < 0.0 {
                ridge += std::f32::consts::PI;
            }
            ridge
        })
        .collect();
    BlockOrientations { columns, rows, angle, coherence }
}

fn smooth3(v: &[f32], columns: usize, rows: usize) -> Vec<f32> {
    let mut out = vec![0f32; v.len()];
    for r in 0..rows {
        for c in 0..columns {
            let mut sum = 0.0;
            for rr in r.saturating_sub(1)..=(r + 1).min(rows - 1) {
                for cc in c.saturating_sub(1)..=(c + 1).min(columns - 1) {
                    sum += v[rr * columns + cc];
                }
            }
            out[r * columns + c] = sum;
        }
    }
    out
}
