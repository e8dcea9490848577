//! Resampling to 500 dpi by area averaging: each output pixel is the overlap-weighted mean of the
//! input pixels it covers (no aliasing when shrinking, smooth when growing).

use super::parameters::TARGET_DPI;

/// A float grey image at 500 dpi (0..255).
pub struct ResizedImage {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Row-major grey levels.
    pub pixels: Vec<f32>,
}

/// Resamples `pixels` (width x height at `dpi`) to 500 dpi.
pub fn resize(width: usize, height: usize, pixels: &[u8], dpi: u32) -> ResizedImage {
    let scale = TARGET_DPI as f64 / dpi as f64;
    if (scale - 1.0).abs() < 0.01 {
        return ResizedImage { width, height, pixels: pixels.iter().map(|&p| p as f32).collect() };
    }
    let out_w = ((width as f64 * scale).round() as usize).max(1);
    let out_h = ((height as f64 * scale).round() as usize).max(1);
    let xs = spans(width, out_w);
    let ys = spans(height, out_h);
    // Separable: rows first, then columns.
    let mut rows = vec![0f32; out_w * height];
    for y in 0..height {
        let src = &pixels[y * width..(y + 1) * width];
        for (ox, span) in xs.iter().enumerate() {
            rows[y * out_w + ox] = span.iter().map(|&(i, w)| src[i] as f32 * w).sum();
        }
    }
    let mut out = vec![0f32; out_w * out_h];
    for (oy, span) in ys.iter().enumerate() {
        for &(iy, w) in span {
            let src = &rows[iy * out_w..(iy + 1) * out_w];
            let dst = &mut out[oy * out_w..(oy + 1) * out_w];
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s * w;
            }
        }
    }
    ResizedImage { width: out_w, height: out_h, pixels: out }
}

/// For every output cell, the input cells it overlaps and normalised weights.
fn spans(input: usize, output: usize) -> Vec<Vec<(usize, f32)>> {
    let step = input as f64 / output as f64;
    (0..output)
        .map(|o| {
            let (start, end) = (o as f64 * step, (o as f64 + 1.0) * step);
            let (mut lo, mut hi) = (start, end);
            if end - start < 1.0 {
                // Enlarging: a unit-wide window centred on the output cell (linear interpolation).
                let centre = (start + end) / 2.0;
                lo = (centre - 0.5).max(0.0);
                hi = (centre + 0.5).min(input as f64);
            }
            let mut cells = Vec::new();
            let mut total = 0.0;
            let mut i = lo.floor() as usize;
            while (i as f64) < hi && i < input {
                let w = (hi.min(i as f64 + 1.0) - lo.max(i as f64)).max(0.0);
                if w > 0.0 {
                    cells.push((i, w));
                    total += w;
                }
                i += 1;
            }
            if cells.is_empty() {
                cells.push((input.saturating_sub(1).min(lo as usize), 1.0));
                total = 1.0;
            }
            cells.into_iter().map(|(i, w)| (i, (w / total) as f32)).collect()
        })
        .collect()
}
