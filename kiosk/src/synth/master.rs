//! Master prints: the finger itself, before any contact with a sensor.
//! Area shape (four quarter-ellipses and a rectangle), orientation and density maps, and the
//! ridge pattern grown from a few seeds by iterated, space-variant Gabor filtering.

use std::f32::consts::PI;
use std::sync::OnceLock;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::orientation::{FingerClass, SingularKind, SingularPoint};
use super::{Stage, stage_rng};

/// Blank margin around the finger area on the master canvas, pixels.
const MARGIN: usize = 24;
/// Largest master canvas (columns, rows): the 288x384 frame plus room for rotation and shifts.
const MAX_CANVAS: (usize, usize) = (360, 460);
/// Orientation bins of the filter bank over π (5.6° steps; banding is not visible).
const ORIENTATION_BINS: usize = 32;
/// Ridge periods of the filter bank: PERIOD_MIN + i * PERIOD_STEP.
const PERIOD_MIN: f32 = 6.0;
const PERIOD_STEP: f32 = 0.5;
const PERIOD_BINS: usize = 16;
/// Largest ridge period the bank holds, pixels.
const PERIOD_MAX: f32 = PERIOD_MIN + PERIOD_STEP * (PERIOD_BINS as f32 - 1.0);
/// Filter support radius as a multiple of the period: the SFinGe envelope (σ ≈ 0.404 T) is
/// down to about 1 % there, so the cut costs nothing visible and saves half the work of 1.5 T.
const SUPPORT: f32 = 1.1;
/// Padding of the growth buffer: the largest kernel radius.
const PAD: usize = 15;
/// Edge of the blocks used to skip settled regions.
const BLOCK: usize = 16;
/// Gain of one growth step: a matched sinusoid answers 1, so > 1 drives ridges to saturation.
const GAIN: f32 = 1.8;
/// Most growth passes; growth settles in 6-14 passes in practice.
const MAX_PASSES: usize = 24;
/// Planted minutiae: one per this many pixels of finger area (range of the per-finger draw).
/// Growth alone heals most front collisions, which leaves only the minutiae the orientation and
/// density maps force (around cores and deltas) — much alike between fingers of one class.
const PLANT_AREA: (f32, f32) = (1300.0, 2400.0);
/// Planted minutiae keep this many ridge periods from each other and from singular points.
const PLANT_SPACING: f32 = 2.5;
/// Radius of the clamped patch around a planted minutia, in ridge periods.
const PLANT_RADIUS: f32 = 0.9;
/// Largest per-finger orientation perturbation, radians (a smooth field added to the model).
const ORIENTATION_JITTER: (f32, f32) = (0.06, 0.16);

/// A master print: ridge ink and the maps it was made from. All maps are `width * height`,
/// row-major.
#[derive(Clone, Debug)]
pub struct MasterPrint {
    /// Henry class.
    pub class: FingerClass,
    /// Canvas columns.
    pub width: usize,
    /// Canvas rows.
    pub height: usize,
    /// Ridge ink, 1 = ridge, 0 = valley; already cut to the finger area.
    pub ink: Vec<f32>,
    /// Finger area, 1 inside, 0 outside, soft edge of a few pixels.
    pub mask: Vec<f32>,
    /// Approximate distance to the area border, pixels (negative outside).
    pub border_distance: Vec<f32>,
    /// Ridge direction modulo π (y down).
    pub orientation: Vec<f32>,
    /// Local ridge period, pixels.
    pub period: Vec<f32>,
    /// Mean ridge period over the area, pixels.
    pub mean_period: f32,
    /// Cores and deltas.
    pub singular: Vec<SingularPoint>,
    /// Centre of the finger area (x, y).
    pub centre: (f32, f32),
    /// Size of the finger area (width, height).
    pub area_size: (f32, f32),
    /// Growth passes used (diagnostics).
    pub passes: usize,
}

/// The finger area: four quarter-ellipses around a central rectangle (docs/SYNTH.md §1).
#[derive(Clone, Copy, Debug)]
struct AreaShape {
    right: f32,
    left: f32,
    top: f32,
    bottom: f32,
    middle: f32,
}

impl AreaShape {
    fn draw(rng: &mut ChaCha8Rng) -> AreaShape {
        AreaShape {
            right: rng.gen_range(120.0..165.0),
            left: rng.gen_range(120.0..165.0),
            top: rng.gen_range(160.0..215.0),
            middle: rng.gen_range(30.0..90.0),
            bottom: rng.gen_range(100.0..150.0),
        }
    }

    /// Normalised radius at offset (dx, dy) from the top of the rectangle's centre line:
    /// < 1 inside, 1 on the border. Also returns the relevant semi-axis scale.
    fn radius(&self, dx: f32, dy: f32) -> (f32, f32) {
        let a = if dx >= 0.0 { self.right } else { self.left };
        if dy < 0.0 {
            let r = ((dx / a).powi(2) + (dy / self.top).powi(2)).sqrt();
            (r, a.min(self.top))
        } else if dy <= self.middle {
            ((dx / a).abs(), a)
        } else {
            let e = dy - self.middle;
            let r = ((dx / a).powi(2) + (e / self.bottom).powi(2)).sqrt();
            (r, a.min(self.bottom))
        }
    }
}

/// One oriented Gabor kernel, `(2 r + 1)²` taps.
struct Kernel {
    radius: usize,
    taps: Vec<f32>,
}

/// The SFinGe filter bank: kernel for every (orientation bin, period bin).
fn bank() -> &'static [Kernel] {
    static BANK: OnceLock<Vec<Kernel>> = OnceLock::new();
    BANK.get_or_init(|| {
        let mut kernels = Vec::with_capacity(ORIENTATION_BINS * PERIOD_BINS);
        for o in 0..ORIENTATION_BINS {
            let theta = PI * o as f32 / ORIENTATION_BINS as f32;
            for p in 0..PERIOD_BINS {
                let period = PERIOD_MIN + PERIOD_STEP * p as f32;
                kernels.push(gabor(theta, period));
            }
        }
        kernels
    })
}

/// g(x, y) = exp(−(x²+y²)/2σ²)·cos(2π/T·⟨(x, y), n_θ⟩), σ² = −9T²/(8 ln 0.001); zero mean,
/// scaled so a matched sinusoid answers 1.
fn gabor(theta: f32, period: f32) -> Kernel {
    let radius = ((SUPPORT * period).ceil() as usize).min(PAD);
    let side = 2 * radius + 1;
    let sigma2 = -9.0 * period * period / (8.0 * (0.001f32).ln());
    let (nx, ny) = (-theta.sin(), theta.cos());
    let mut taps = Vec::with_capacity(side * side);
    let mut envelope = Vec::with_capacity(side * side);
    for j in 0..side {
        for i in 0..side {
            let x = i as f32 - radius as f32;
            let y = j as f32 - radius as f32;
            let e = (-(x * x + y * y) / (2.0 * sigma2)).exp();
            envelope.push(e);
            taps.push(e * (2.0 * PI / period * (x * nx + y * ny)).cos());
        }
    }
    // Zero mean: a blank or uniform neighbourhood must not answer.
    let env_sum: f32 = envelope.iter().sum();
    let mean_ratio = taps.iter().sum::<f32>() / env_sum;
    for (t, e) in taps.iter_mut().zip(&envelope) {
        *t -= mean_ratio * e;
    }
    // Response to the matched sinusoid cos(2π/T ⟨x, n⟩) at the centre.
    let mut matched = 0.0;
    for j in 0..side {
        for i in 0..side {
            let x = i as f32 - radius as f32;
            let y = j as f32 - radius as f32;
            matched += taps[j * side + i] * (2.0 * PI / period * (x * nx + y * ny)).cos();
        }
    }
    for t in taps.iter_mut() {
        *t /= matched;
    }
    Kernel { radius, taps }
}

fn orientation_bin(theta: f32) -> usize {
    let t = theta.rem_euclid(PI);
    ((t / PI * ORIENTATION_BINS as f32).round() as usize) % ORIENTATION_BINS
}

fn period_bin(period: f32) -> usize {
    (((period - PERIOD_MIN) / PERIOD_STEP).round().max(0.0) as usize).min(PERIOD_BINS - 1)
}

/// Dot product in eight lanes so the compiler vectorises it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; 8];
    let chunks = n / 8;
    for c in 0..chunks {
        let (x, y) = (&a[c * 8..c * 8 + 8], &b[c * 8..c * 8 + 8]);
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for i in chunks * 8..n {
        sum += a[i] * b[i];
    }
    sum
}

/// Standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f32 = rng.gen_range(1e-7f32..1.0);
    let u2: f32 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
}

/// Smooth random field in [-1, 1]: a coarse `cells`×`cells` grid of uniform values, bilinear.
pub(crate) fn smooth_field(
    width: usize,
    height: usize,
    cells: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let g = cells + 1;
    let grid: Vec<f32> = (0..g * g).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
    let mut out = vec![0.0; width * height];
    for y in 0..height {
        let gy = y as f32 / height as f32 * cells as f32;
        let iy = (gy as usize).min(cells - 1);
        let fy = gy - iy as f32;
        // Smoothstep interpolation hides the grid lines.
        let fy = fy * fy * (3.0 - 2.0 * fy);
        for x in 0..width {
            let gx = x as f32 / width as f32 * cells as f32;
            let ix = (gx as usize).min(cells - 1);
            let fx = gx - ix as f32;
            let fx = fx * fx * (3.0 - 2.0 * fx);
            let a = grid[iy * g + ix] * (1.0 - fx) + grid[iy * g + ix + 1] * fx;
            let b = grid[(iy + 1) * g + ix] * (1.0 - fx) + grid[(iy + 1) * g + ix + 1] * fx;
            out[y * width + x] = a * (1.0 - fy) + b * fy;
        }
    }
    out
}

/// Generates the master print of the finger with seed `seed`.
pub fn master_print(seed: u64) -> MasterPrint {
    let class = FingerClass::draw(&mut stage_rng(seed, Stage::Class));
    let shape = AreaShape::draw(&mut stage_rng(seed, Stage::Shape));
    let area_w = shape.left + shape.right;
    let area_h = shape.top + shape.middle + shape.bottom;
    // Fingers are larger than the sensor: ridges beyond what any impression can show are not
    // grown, so the canvas stops a little beyond the frame's reach.
    let width = (area_w.ceil() as usize + 2 * MARGIN).min(MAX_CANVAS.0);
    let height = (area_h.ceil() as usize + 2 * MARGIN).min(MAX_CANVAS.1);
    // The area's centre sits at the canvas centre.
    let origin_x = width as f32 / 2.0 + (shape.left - shape.right) / 2.0;
    let origin_y = height as f32 / 2.0 - (shape.middle + shape.bottom - shape.top) / 2.0;
    let n = width * height;

    // Area mask and distance to its border.
    let mut mask = vec![0.0f32; n];
    let mut border_distance = vec![0.0f32; n];
    for y in 0..height {
        for x in 0..width {
            let (r, scale) = shape.radius(x as f32 - origin_x, y as f32 - origin_y);
            let d = (1.0 - r) * scale;
            border_distance[y * width + x] = d;
            mask[y * width + x] = (d / 3.0 + 0.5).clamp(0.0, 1.0);
        }
    }

    // Orientation.
    let model = super::orientation::model_for_class(
        class,
        origin_x - shape.left,
        origin_y - shape.top,
        area_w,
        area_h,
        &mut stage_rng(seed, Stage::Orientation),
    );
    // A smooth per-finger perturbation on top of the model: fingers of one class must not share
    // their ridge flow. Adding a single-valued field cannot create or remove singular points.
    let mut rng = stage_rng(seed, Stage::Perturbation);
    let jitter = rng.gen_range(ORIENTATION_JITTER.0..ORIENTATION_JITTER.1);
    let cells = rng.gen_range(3..=5);
    let perturbation = smooth_field(width, height, cells, &mut rng);
    let mut orientation = vec![0.0f32; n];
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            orientation[i] = model.theta(x as f32, y as f32) + jitter * perturbation[i];
        }
    }

    // Density: a base period, longer above the highest core and below the lowest delta,
    // ±7 % smooth noise.
    let mut rng = stage_rng(seed, Stage::Density);
    let base = (8.8 + 0.7 * normal(&mut rng)).clamp(7.2, 11.0);
    let top_core = model
        .singular_points()
        .iter()
        .filter(|p| p.kind == SingularKind::Core)
        .map(|p| p.y)
        .fold(f32::INFINITY, f32::min);
    let low_delta = model
        .singular_points()
        .iter()
        .filter(|p| p.kind == SingularKind::Delta)
        .map(|p| p.y)
        .fold(f32::NEG_INFINITY, f32::max);
    let (top_band, low_band) = if top_core.is_finite() {
        (top_core, if low_delta.is_finite() { low_delta } else { top_core + 60.0 })
    } else {
        let mid = origin_y + shape.middle * 0.5;
        (mid - 40.0, mid + 40.0)
    };
    let above = rng.gen_range(0.05f32..0.12);
    let below = rng.gen_range(0.05f32..0.12);
    let noise = smooth_field(width, height, 6, &mut rng);
    let mut period = vec![0.0f32; n];
    let mut period_sum = 0.0f64;
    let mut inside = 0usize;
    for y in 0..height {
        let yf = y as f32;
        let ramp_up = ((top_band - yf) / 80.0).clamp(0.0, 1.0);
        let ramp_down = ((yf - low_band) / 80.0).clamp(0.0, 1.0);
        let factor = 1.0 + above * ramp_up + below * ramp_down;
        for x in 0..width {
            let i = y * width + x;
            let p = (base * factor * (1.0 + 0.07 * noise[i])).clamp(PERIOD_MIN, PERIOD_MAX);
            period[i] = p;
            if mask[i] > 0.5 {
                period_sum += f64::from(p);
                inside += 1;
            }
        }
    }
    let mean_period = (period_sum / inside.max(1) as f64) as f32;

    // Ridge growth.
    let (state, passes) =
        grow(width, height, &orientation, &period, &border_distance, model.singular_points(), seed);

    let mut ink = vec![0.0f32; n];
    for i in 0..n {
        ink[i] = (((state[i] * 1.5).clamp(-1.0, 1.0) + 1.0) * 0.5) * mask[i];
    }
    permanent_scratches(&mut ink, width, height, &mut stage_rng(seed, Stage::Scratches));

    MasterPrint {
        class,
        width,
        height,
        ink,
        mask,
        border_distance,
        orientation,
        period,
        mean_period,
        singular: model.singular_points().to_vec(),
        centre: (width as f32 / 2.0, height as f32 / 2.0),
        area_size: (area_w, area_h),
        passes,
    }
}

/// Grows the ridge pattern from seeds; returns the state in [-1, 1] (ridge > 0) and the passes.
fn grow(
    width: usize,
    height: usize,
    orientation: &[f32],
    period: &[f32],
    border_distance: &[f32],
    singular: &[SingularPoint],
    seed: u64,
) -> (Vec<f32>, usize) {
    let kernels = bank();
    let pw = width + 2 * PAD;
    let ph = height + 2 * PAD;
    let mut state = vec![0.0f32; pw * ph];
    let n = width * height;
    // Grow a little beyond the area so ridges reach its border without a seam.
    let region: Vec<bool> = border_distance.iter().map(|&d| d > -6.0).collect();
    let kernel_of: Vec<u16> = (0..n)
        .map(|i| (orientation_bin(orientation[i]) * PERIOD_BINS + period_bin(period[i])) as u16)
        .collect();

    // Seeds: short oriented ridge patches at random places and on every singular point.
    let mut rng = stage_rng(seed, Stage::Seeds);
    let area = region.iter().filter(|&&r| r).count();
    let count = (area / rng.gen_range(1200..2500)).max(4);
    let mut seeds: Vec<(f32, f32)> = singular.iter().map(|p| (p.x, p.y)).collect();
    let mut tries = 0;
    while seeds.len() < count + singular.len() && tries < count * 50 {
        tries += 1;
        let x = rng.gen_range(0.0..width as f32);
        let y = rng.gen_range(0.0..height as f32);
        let i = y as usize * width + x as usize;
        if border_distance[i] > 10.0 {
            seeds.push((x, y));
        }
    }
    let bw = width.div_ceil(BLOCK);
    let bh = height.div_ceil(BLOCK);
    let mut active = vec![false; bw * bh];
    // Planted minutiae are clamped for the whole growth, so it cannot heal them.
    let mut fixed = vec![false; n];
    let planted = plant_minutiae(period, border_distance, singular, width, height, area, seed);
    for m in &planted {
        stamp_minutia(m, orientation, period, width, height, &mut |x, y, v| {
            state[(y + PAD) * pw + x + PAD] = v;
            fixed[y * width + x] = true;
            active[(y / BLOCK) * bw + x / BLOCK] = true;
        });
    }
    for &(sx, sy) in &seeds {
        let i = (sy as usize).min(height - 1) * width + (sx as usize).min(width - 1);
        let t = period[i];
        let (nx, ny) = (-orientation[i].sin(), orientation[i].cos());
        let phase: f32 = rng.gen_range(0.0..2.0 * PI);
        let r = t.ceil() as i64;
        for dy in -r..=r {
            for dx in -r..=r {
                let x = sx as i64 + dx;
                let y = sy as i64 + dy;
                if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
                    continue;
                }
                if fixed[y as usize * width + x as usize] {
                    continue;
                }
                let (fx, fy) = (dx as f32, dy as f32);
                let env = (-(fx * fx + fy * fy) / (2.0 * (0.6 * t).powi(2))).exp();
                let v = (2.0 * PI / t * (fx * nx + fy * ny) + phase).cos() * env;
                state[(y as usize + PAD) * pw + x as usize + PAD] = v;
                active[(y as usize / BLOCK) * bw + x as usize / BLOCK] = true;
            }
        }
    }

    let settle = (n / 1000).max(16);
    let mut passes = 0;
    for pass in 0..MAX_PASSES {
        passes = pass + 1;
        // A block is worth filtering when it or a neighbour changed last pass.
        let mut visit = vec![false; bw * bh];
        for by in 0..bh {
            for bx in 0..bw {
                if !active[by * bw + bx] {
                    continue;
                }
                for ny in by.saturating_sub(1)..(by + 2).min(bh) {
                    for nx in bx.saturating_sub(1)..(bx + 2).min(bw) {
                        visit[ny * bw + nx] = true;
                    }
                }
            }
        }
        let mut changed_blocks = vec![false; bw * bh];
        let mut flips = 0usize;
        let forward = pass % 2 == 0;
        for step in 0..bh * bw {
            let b = if forward { step } else { bh * bw - 1 - step };
            if !visit[b] {
                continue;
            }
            let (bx, by) = (b % bw, b / bw);
            let y0 = by * BLOCK;
            let x0 = bx * BLOCK;
            for yy in 0..BLOCK {
                let y = if forward { y0 + yy } else { y0 + BLOCK - 1 - yy };
                if y >= height {
                    continue;
                }
                for xx in 0..BLOCK {
                    let x = if forward { x0 + xx } else { x0 + BLOCK - 1 - xx };
                    if x >= width {
                        continue;
                    }
                    let i = y * width + x;
                    if !region[i] || fixed[i] {
                        continue;
                    }
                    let kernel = &kernels[kernel_of[i] as usize];
                    let r = kernel.radius;
                    let side = 2 * r + 1;
                    let mut response = 0.0;
                    for (row, taps) in kernel.taps.chunks_exact(side).enumerate() {
                        let start = (y + PAD + row - r) * pw + x + PAD - r;
                        response += dot(taps, &state[start..start + side]);
                    }
                    let new = (response * GAIN).clamp(-1.0, 1.0);
                    let cell = &mut state[(y + PAD) * pw + x + PAD];
                    let old = *cell;
                    let was_set = old.abs() >= 0.5;
                    let is_set = new.abs() >= 0.5;
                    if was_set != is_set || (is_set && (old > 0.0) != (new > 0.0)) {
                        flips += 1;
                    }
                    if (new - old).abs() > 0.02 {
                        changed_blocks[b] = true;
                    }
                    *cell = new;
                }
            }
        }
        active = changed_blocks;
        if flips < settle && pass >= 2 {
            break;
        }
    }

    let mut out = vec![0.0f32; n];
    for y in 0..height {
        out[y * width..(y + 1) * width]
            .copy_from_slice(&state[(y + PAD) * pw + PAD..(y + PAD) * pw + PAD + width]);
    }
    (out, passes)
}

/// A minutia planted in the master: a phase dislocation of charge ±1 in the local ridge
/// pattern, i.e. one ridge more on one side than on the other.
#[derive(Clone, Copy, Debug)]
struct PlantedMinutia {
    x: f32,
    y: f32,
    /// +1 or −1: which side of the point holds the extra ridge.
    charge: f32,
    /// Phase of the pattern: decides ending or bifurcation.
    phase: f32,
}

/// Draws planted minutiae spread over the whole finger area, apart from each other and from the
/// singular points, so that minutiae are not only where the maps force them.
fn plant_minutiae(
    period: &[f32],
    border_distance: &[f32],
    singular: &[SingularPoint],
    width: usize,
    height: usize,
    area: usize,
    seed: u64,
) -> Vec<PlantedMinutia> {
    let mut rng = stage_rng(seed, Stage::Minutiae);
    let per = rng.gen_range(PLANT_AREA.0..PLANT_AREA.1);
    let count = (area as f32 / per) as usize;
    let mut planted: Vec<PlantedMinutia> = Vec::with_capacity(count);
    let mut tries = 0;
    while planted.len() < count && tries < count * 30 {
        tries += 1;
        let x = rng.gen_range(0.0..width as f32);
        let y = rng.gen_range(0.0..height as f32);
        let i = y as usize * width + x as usize;
        if border_distance[i] < 8.0 {
            continue;
        }
        let spacing = PLANT_SPACING * period[i];
        let near = |px: f32, py: f32| (px - x).powi(2) + (py - y).powi(2) < spacing * spacing;
        if singular.iter().any(|p| near(p.x, p.y)) || planted.iter().any(|m| near(m.x, m.y)) {
            continue;
        }
        let charge = if rng.r#gen::<bool>() { 1.0 } else { -1.0 };
        planted.push(PlantedMinutia { x, y, charge, phase: rng.gen_range(0.0..2.0 * PI) });
    }
    planted
}

/// Writes the ridge pattern of `m` into a disc of PLANT_RADIUS periods: `put(x, y, value)`.
fn stamp_minutia(
    m: &PlantedMinutia,
    orientation: &[f32],
    period: &[f32],
    width: usize,
    height: usize,
    put: &mut impl FnMut(usize, usize, f32),
) {
    let i = (m.y as usize).min(height - 1) * width + (m.x as usize).min(width - 1);
    let t = period[i];
    let (dx, dy) = (orientation[i].cos(), orientation[i].sin());
    let radius = PLANT_RADIUS * t;
    let r = radius.ceil() as i64;
    for oy in -r..=r {
        for ox in -r..=r {
            let (x, y) = (m.x as i64 + ox, m.y as i64 + oy);
            if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
                continue;
            }
            let (fx, fy) = (x as f32 + 0.5 - m.x, y as f32 + 0.5 - m.y);
            if fx * fx + fy * fy > radius * radius {
                continue;
            }
            // Across (u) and along (w) the ridges; the angle term winds once around the point.
            let u = -fx * dy + fy * dx;
            let w = fx * dx + fy * dy;
            let phi = 2.0 * PI * u / t + m.charge * u.atan2(w) + m.phase;
            put(x as usize, y as usize, phi.cos());
        }
    }
}

/// Scars that belong to the finger: thin valley-coloured lines seen in every impression.
fn permanent_scratches(ink: &mut [f32], width: usize, height: usize, rng: &mut ChaCha8Rng) {
    let count = match rng.gen_range(0..10) {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    };
    for _ in 0..count {
        let x0: f32 = rng.gen_range(0.0..width as f32);
        let y0: f32 = rng.gen_range(0.0..height as f32);
        let angle: f32 = rng.gen_range(0.0..PI);
        let length: f32 = rng.gen_range(30.0..120.0);
        let half_width: f32 = rng.gen_range(0.6..1.6);
        let bend: f32 = rng.gen_range(-0.004..0.004);
        let steps = (length * 2.0) as usize;
        for s in 0..steps {
            let t = s as f32 * 0.5;
            let a = angle + bend * t;
            let cx = x0 + a.cos() * t;
            let cy = y0 + a.sin() * t;
            let r = half_width.ceil() as i64;
            for dy in -r..=r {
                for dx in -r..=r {
                    let x = cx as i64 + dx;
                    let y = cy as i64 + dy;
                    if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
                        continue;
                    }
                    let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                    if d <= half_width {
                        ink[y as usize * width + x as usize] *= 0.1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_are_zero_mean_and_matched() {
        for o in [0.0, 0.7, 2.0] {
            for p in [6.0, 9.5, 13.5] {
                let k = gabor(o, p);
                let sum: f32 = k.taps.iter().sum();
                assert!(sum.abs() < 1e-3, "mean {sum}");
            }
        }
    }

    #[test]
    fn bins_cover_the_range() {
        assert_eq!(orientation_bin(0.0), 0);
        assert_eq!(orientation_bin(PI - 0.01), 0);
        assert_eq!(orientation_bin(PI / 2.0), ORIENTATION_BINS / 2);
        assert_eq!(period_bin(1.0), 0);
        assert_eq!(period_bin(40.0), PERIOD_BINS - 1);
    }
}
