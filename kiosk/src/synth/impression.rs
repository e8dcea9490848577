//! Impressions: one contact of a master print with a sensor (docs/SYNTH.md §5). Contact region,
//! pressure and skin dryness (grey erosion / dilation), plastic distortion (Cappelli, Maio,
//! Maltoni 2001: close-contact ellipse, elastic band, rigidly moving outside), global rotation and
//! translation, ridge noise (white blobs, denser near the border), scratches, sensor background.

use std::f32::consts::PI;

use rand::Rng;

use super::master::{MasterPrint, normal, smooth_field};
use super::{IMAGE_HEIGHT, IMAGE_WIDTH, Stage, SynthImage, stage_rng};

/// How hard impressions are: the maxima of the random draws (SFinGe's per-impression maxima).
#[derive(Clone, Debug, PartialEq)]
pub struct ImpressionSettings {
    /// Largest global rotation, degrees (drawn from a normal with σ = max/2, clamped).
    pub max_rotation_deg: f32,
    /// Largest global translation per axis, pixels.
    pub max_translation_px: f32,
    /// Largest shift of the contact region over the finger, as a fraction of the area size.
    pub max_contact_shift: f32,
    /// Scale of the plastic distortion (0 = none, 1 = typical, 2 = exaggerated).
    pub distortion: f32,
    /// Scale of pressure / dryness variation (0 = always the master's ridge width).
    pub pressure: f32,
    /// Scale of ridge noise and scratches.
    pub noise: f32,
    /// Probability that only part of the finger touches (a cut-off side).
    pub partial_contact: f32,
}

impl Default for ImpressionSettings {
    fn default() -> Self {
        ImpressionSettings {
            max_rotation_deg: 15.0,
            max_translation_px: 30.0,
            max_contact_shift: 0.12,
            distortion: 1.0,
            pressure: 1.0,
            noise: 1.0,
            partial_contact: 0.25,
        }
    }
}

impl ImpressionSettings {
    /// Near-identical impressions: for tests that need the same finger to match reliably.
    pub fn easy() -> Self {
        ImpressionSettings {
            max_rotation_deg: 5.0,
            max_translation_px: 10.0,
            max_contact_shift: 0.04,
            distortion: 0.3,
            pressure: 0.3,
            noise: 0.3,
            partial_contact: 0.0,
        }
    }
}

/// Bilinear sample of a canvas map; `outside` beyond the canvas.
fn sample(map: &[f32], width: usize, height: usize, x: f32, y: f32, outside: f32) -> f32 {
    if !(x >= 0.0 && y >= 0.0) {
        return outside;
    }
    let x0 = x as usize;
    let y0 = y as usize;
    if x0 + 1 >= width || y0 + 1 >= height {
        return outside;
    }
    let fx = x - x0 as f32;
    let fy = y - y0 as f32;
    let i = y0 * width + x0;
    let a = map[i] * (1.0 - fx) + map[i + 1] * fx;
    let b = map[i + width] * (1.0 - fx) + map[i + width + 1] * fx;
    a * (1.0 - fy) + b * fy
}

/// Separable min (erode) or max (dilate) filter with a `size`×`size` square.
fn morph(src: &[f32], width: usize, height: usize, size: usize, dilate: bool) -> Vec<f32> {
    let pick = |a: f32, b: f32| if dilate { a.max(b) } else { a.min(b) };
    let lo = (size - 1) / 2;
    let hi = size - 1 - lo;
    let mut tmp = vec![0.0; src.len()];
    for y in 0..height {
        for x in 0..width {
            let mut v = src[y * width + x];
            for xx in x.saturating_sub(lo)..=(x + hi).min(width - 1) {
                v = pick(v, src[y * width + xx]);
            }
            tmp[y * width + x] = v;
        }
    }
    let mut out = vec![0.0; src.len()];
    for y in 0..height {
        for x in 0..width {
            let mut v = tmp[y * width + x];
            for yy in y.saturating_sub(lo)..=(y + hi).min(height - 1) {
                v = pick(v, tmp[yy * width + x]);
            }
            out[y * width + x] = v;
        }
    }
    out
}

/// The plastic distortion model: points inside the close-contact ellipse stay, points far outside
/// move rigidly, the band in between blends with brake(s, k) = ½(1 − cos(π s / k)).
struct PlasticDistortion {
    centre: (f32, f32),
    semi_axes: (f32, f32),
    band: f32,
    rotation: f32,
    translation: (f32, f32),
}

impl PlasticDistortion {
    fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (cx, cy) = self.centre;
        let (dx, dy) = (x - cx, y - cy);
        let rho = ((dx / self.semi_axes.0).powi(2) + (dy / self.semi_axes.1).powi(2)).sqrt();
        // Distance outside the ellipse in pixels (ellipse-radius units times the mean axis).
        let s = (rho - 1.0) * 0.5 * (self.semi_axes.0 + self.semi_axes.1);
        let brake = if s <= 0.0 {
            return (x, y);
        } else if s <= self.band {
            0.5 * (1.0 - (PI * s / self.band).cos())
        } else {
            1.0
        };
        let (sin, cos) = self.rotation.sin_cos();
        let tx = cx + cos * dx - sin * dy + self.translation.0;
        let ty = cy + sin * dx + cos * dy + self.translation.1;
        (x + (tx - x) * brake, y + (ty - y) * brake)
    }
}

/// Renders impression `seed` of `master` as a 288×384, 500 dpi grey image.
pub fn impression(master: &MasterPrint, seed: u64, settings: &ImpressionSettings) -> SynthImage {
    let (mw, mh) = (master.width, master.height);
    let (area_w, area_h) = master.area_size;

    // Contact region: the finger area shifted and shrunk over the master; sometimes one side
    // does not touch at all.
    let mut rng = stage_rng(seed, Stage::Contact);
    let shift = settings.max_contact_shift;
    let contact_shift = (
        rng.gen_range(-1.0f32..=1.0) * shift * area_w,
        rng.gen_range(-1.0f32..=1.0) * shift * area_h,
    );
    let contact_scale = rng.gen_range(0.85f32..=1.0);
    let cut = if rng.gen_range(0.0f32..1.0) < settings.partial_contact {
        let angle: f32 = rng.gen_range(0.0..2.0 * PI);
        let offset = rng.gen_range(0.15f32..0.35) * area_w.min(area_h);
        Some((angle.cos(), angle.sin(), offset))
    } else {
        None
    };

    // Pressure / dryness: < 0 dry or light (thin ridges), > 0 wet or heavy (thick ridges).
    let mut rng = stage_rng(seed, Stage::Pressure);
    let pressure = (0.5 * normal(&mut rng) * settings.pressure).clamp(-1.0, 1.0);
    let size = 2 + (pressure.abs() * 2.0).round() as usize;
    let ink = if pressure.abs() > 0.05 {
        let morphed = morph(&master.ink, mw, mh, size, pressure > 0.0);
        let blend = pressure.abs().min(1.0);
        master.ink.iter().zip(&morphed).map(|(a, b)| a + (b - a) * blend).collect()
    } else {
        master.ink.clone()
    };
    let ridge_level: f32 = rng.gen_range(0.0..25.0) - 20.0 * pressure;
    let dryness_breaks = (-pressure).max(0.0);

    // Geometry: global rigid motion (sensor frame) and plastic distortion (finger frame).
    let mut rng = stage_rng(seed, Stage::Distortion);
    let rotation = (normal(&mut rng) * 0.5 * settings.max_rotation_deg)
        .clamp(-settings.max_rotation_deg, settings.max_rotation_deg)
        .to_radians();
    let translation = (
        rng.gen_range(-1.0f32..=1.0) * settings.max_translation_px,
        rng.gen_range(-1.0f32..=1.0) * settings.max_translation_px,
    );
    let d = settings.distortion;
    let plastic = PlasticDistortion {
        centre: (
            master.centre.0 + rng.gen_range(-20.0..20.0),
            master.centre.1 + rng.gen_range(-20.0..20.0),
        ),
        semi_axes: (rng.gen_range(40.0..80.0), rng.gen_range(40.0..80.0)),
        band: rng.gen_range(30.0..100.0),
        rotation: (rng.gen_range(-8.0f32..8.0) * d).to_radians(),
        translation: (rng.gen_range(-15.0..15.0) * d, rng.gen_range(-15.0..15.0) * d),
    };

    let (ow, oh) = (IMAGE_WIDTH, IMAGE_HEIGHT);
    let out_centre = (ow as f32 / 2.0, oh as f32 / 2.0);
    let (sin, cos) = (-rotation).sin_cos();
    let mut value = vec![0.0f32; ow * oh]; // ridge ink seen by the sensor
    let mut foreground = vec![0.0f32; ow * oh];
    let mut border = vec![0.0f32; ow * oh];
    for y in 0..oh {
        for x in 0..ow {
            let px = x as f32 - out_centre.0 - translation.0;
            let py = y as f32 - out_centre.1 - translation.1;
            let qx = master.centre.0 + cos * px - sin * py;
            let qy = master.centre.1 + sin * px + cos * py;
            let (qx, qy) = plastic.apply(qx, qy);
            // Where this point of the finger lies in the contact region.
            let cx = master.centre.0 + (qx - master.centre.0 - contact_shift.0) / contact_scale;
            let cy = master.centre.1 + (qy - master.centre.1 - contact_shift.1) / contact_scale;
            let mut fg = sample(&master.mask, mw, mh, cx, cy, 0.0)
                * sample(&master.mask, mw, mh, qx, qy, 0.0);
            if let Some((nx, ny, offset)) = cut {
                let s = (qx - master.centre.0) * nx + (qy - master.centre.1) * ny;
                fg *= ((offset - s) / 4.0 + 0.5).clamp(0.0, 1.0);
            }
            let i = y * ow + x;
            foreground[i] = fg;
            value[i] = sample(&ink, mw, mh, qx, qy, 0.0) * fg;
            border[i] = sample(&master.border_distance, mw, mh, cx, cy, -1.0).min(sample(
                &master.border_distance,
                mw,
                mh,
                qx,
                qy,
                -1.0,
            ));
        }
    }

    // Ridge noise: white blobs on ridges, denser towards the border of the contact region and
    // on dry skin; then a 3×3 blur; valleys are pasted back so the blur does not grey them.
    let mut rng = stage_rng(seed, Stage::Noise);
    // Ragged ridge edges: fine multiplicative noise on the ink.
    let mut noisy: Vec<f32> = value
        .iter()
        .map(|v| v * (1.0 - 0.3 * settings.noise.min(1.5) * rng.gen_range(0.0f32..1.0)))
        .collect();
    let blobs = ((2500.0 + 4000.0 * dryness_breaks) * settings.noise) as usize;
    for _ in 0..blobs {
        let x = rng.gen_range(0..ow);
        let y = rng.gen_range(0..oh);
        let i = y * ow + x;
        if value[i] < 0.3 {
            continue;
        }
        let keep = 6.0 / (border[i].max(0.0) + 6.0) + 0.15 + 0.3 * dryness_breaks;
        if rng.gen_range(0.0f32..1.0) > keep {
            continue;
        }
        let r: f32 = rng.gen_range(0.7..2.0);
        let ri = r.ceil() as i64;
        let strength: f32 = rng.gen_range(0.5..1.0);
        for dy in -ri..=ri {
            for dx in -ri..=ri {
                let (xx, yy) = (x as i64 + dx, y as i64 + dy);
                if xx < 0 || yy < 0 || xx >= ow as i64 || yy >= oh as i64 {
                    continue;
                }
                if ((dx * dx + dy * dy) as f32) <= r * r {
                    let j = yy as usize * ow + xx as usize;
                    noisy[j] *= 1.0 - strength;
                }
            }
        }
    }
    // Per-impression scratches (dirt, sensor scratches): thin light lines.
    let scratches =
        if rng.gen_range(0.0f32..1.0) < 0.3 * settings.noise { rng.gen_range(1..=3) } else { 0 };
    for _ in 0..scratches {
        let (x0, y0) = (rng.gen_range(0.0..ow as f32), rng.gen_range(0.0..oh as f32));
        let angle: f32 = rng.gen_range(0.0..PI);
        let length: f32 = rng.gen_range(20.0..150.0);
        for s in 0..(length as usize) {
            let x = x0 + angle.cos() * s as f32;
            let y = y0 + angle.sin() * s as f32;
            if x >= 0.0 && y >= 0.0 && (x as usize) < ow && (y as usize) < oh {
                noisy[y as usize * ow + x as usize] *= 0.3;
            }
        }
    }
    let mut blurred = noisy.clone();
    for y in 1..oh - 1 {
        for x in 1..ow - 1 {
            let mut sum = 0.0;
            for yy in y - 1..=y + 1 {
                for xx in x - 1..=x + 1 {
                    sum += noisy[yy * ow + xx];
                }
            }
            blurred[y * ow + x] = sum / 9.0;
        }
    }
    for (b, v) in blurred.iter_mut().zip(&value) {
        if *v < 0.2 {
            *b = *v;
        }
    }

    // Sensor: uneven bright background, the print darkens it, sensor noise, contrast and gamma.
    let mut rng = stage_rng(seed, Stage::Background);
    let background = smooth_field(ow, oh, 4, &mut rng);
    let bg_level: f32 = rng.gen_range(180.0..225.0);
    let valley_level: f32 = bg_level - rng.gen_range(0.0..25.0);
    let sensor_noise: f32 = rng.gen_range(2.0..6.0);
    let gamma: f32 = rng.gen_range(0.8..1.25);
    let mut pixels = vec![0u8; ow * oh];
    for i in 0..ow * oh {
        let bg = bg_level + 10.0 * background[i];
        let fg = foreground[i];
        // Valleys in contact still darken the glass slightly.
        let skin = valley_level + (ridge_level - valley_level) * blurred[i].clamp(0.0, 1.0);
        let mut v = bg + (skin - bg) * fg + sensor_noise * normal(&mut rng);
        v = 255.0 * (v.clamp(0.0, 255.0) / 255.0).powf(gamma);
        pixels[i] = v.round().clamp(0.0, 255.0) as u8;
    }
    SynthImage { width: ow, height: oh, pixels }
}
