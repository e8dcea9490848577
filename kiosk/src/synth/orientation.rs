//! Directional map: Sherlock–Monro zero-pole model with the Vizcaya–Gerhardt piecewise-linear
//! correction (8 knots per singularity), and a separate bump field for plain arches.
//! Coordinates are image pixels with y pointing down; θ is the ridge direction modulo π,
//! measured in the same frame (direction vector (cos θ, sin θ)).

use std::f32::consts::PI;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Henry class of a finger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FingerClass {
    /// Plain arch: no singular points.
    Arch,
    /// Tented arch: a core with a delta right below it.
    TentedArch,
    /// Left loop: ridges enter and leave on the viewer's left, delta on the right.
    LeftLoop,
    /// Right loop: mirror image of the left loop.
    RightLoop,
    /// Whorl: two cores, two deltas.
    Whorl,
}

impl FingerClass {
    /// Draws a class with SFinGe's "natural" frequencies: A 3.7 %, T 2.9 %, L 33.8 %, R 31.7 %,
    /// W 27.9 %.
    pub fn draw(rng: &mut ChaCha8Rng) -> FingerClass {
        let u: f32 = rng.r#gen::<f32>() * 100.0;
        if u < 3.7 {
            FingerClass::Arch
        } else if u < 6.6 {
            FingerClass::TentedArch
        } else if u < 40.4 {
            FingerClass::LeftLoop
        } else if u < 72.1 {
            FingerClass::RightLoop
        } else {
            FingerClass::Whorl
        }
    }
}

/// Core or delta.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SingularKind {
    /// A core (Poincaré index +1/2).
    Core,
    /// A delta (Poincaré index −1/2).
    Delta,
}

/// A singular point with its own Vizcaya–Gerhardt correction knots.
#[derive(Clone, Debug)]
pub struct SingularPoint {
    /// Core or delta.
    pub kind: SingularKind,
    /// Column, master-print pixels.
    pub x: f32,
    /// Row, master-print pixels.
    pub y: f32,
    /// ḡ(α_i) − α_i at the knots α_i = −π + 2πi/8.
    offsets: [f32; KNOTS],
}

const KNOTS: usize = 8;
/// Largest knot offset: larger values break the field's topology.
const MAX_KNOT_OFFSET: f32 = 0.3;

impl SingularPoint {
    pub(crate) fn new(kind: SingularKind, x: f32, y: f32, rng: &mut ChaCha8Rng) -> SingularPoint {
        let raw: [f32; KNOTS] = std::array::from_fn(|_| rng.gen_range(-1.0f32..1.0));
        // Circular smoothing so neighbouring knots move together (no kinks in the field).
        let offsets = std::array::from_fn(|i| {
            let prev = raw[(i + KNOTS - 1) % KNOTS];
            let next = raw[(i + 1) % KNOTS];
            (0.25 * prev + 0.5 * raw[i] + 0.25 * next) * MAX_KNOT_OFFSET
        });
        SingularPoint { kind, x, y, offsets }
    }

    /// g(α): the corrected angle, piecewise linear between the knots, g(α ± 2π) = g(α) ± 2π.
    fn corrected(&self, alpha: f32) -> f32 {
        let step = 2.0 * PI / KNOTS as f32;
        let t = ((alpha + PI) / step).clamp(0.0, KNOTS as f32 - 1e-4);
        let i = t as usize;
        let frac = t - i as f32;
        let a = self.offsets[i];
        let b = self.offsets[(i + 1) % KNOTS];
        alpha + a + (b - a) * frac
    }
}

/// The orientation model of one master print.
#[derive(Clone, Debug)]
pub(crate) enum OrientationModel {
    /// Zero-pole model around singular points.
    ZeroPole { singular: Vec<SingularPoint>, theta0: f32 },
    /// Plain arch: ridges bulge upward in the middle; `amplitude` is the slope at the edges,
    /// largest around `peak_y`.
    Arch { centre_x: f32, width: f32, peak_y: f32, height: f32, amplitude: f32 },
}

impl OrientationModel {
    /// Ridge direction at (x, y), modulo π.
    pub(crate) fn theta(&self, x: f32, y: f32) -> f32 {
        match self {
            OrientationModel::ZeroPole { singular, theta0 } => {
                let mut sum = 0.0f32;
                for point in singular {
                    let alpha = (y - point.y).atan2(x - point.x);
                    let g = point.corrected(alpha);
                    match point.kind {
                        SingularKind::Core => sum += g,
                        SingularKind::Delta => sum -= g,
                    }
                }
                theta0 + 0.5 * sum
            }
            OrientationModel::Arch { centre_x, width, peak_y, height, amplitude } => {
                let u = (x - centre_x) / width; // about -0.5..0.5 across the finger
                let v = (y - peak_y) / height;
                let a = amplitude * (-(v * v) * 4.0).exp();
                // Ridge y(x) ∝ -cos(π u): slope a·sin(π u); arcs open downward (y down).
                (a * (PI * u).sin()).atan()
            }
        }
    }

    pub(crate) fn singular_points(&self) -> &[SingularPoint] {
        match self {
            OrientationModel::ZeroPole { singular, .. } => singular,
            OrientationModel::Arch { .. } => &[],
        }
    }
}

/// Places singular points for `class` on a finger whose area has bounding box
/// (left, top, width, height), following the layouts in docs/SYNTH.md §2.
pub(crate) fn model_for_class(
    class: FingerClass,
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    rng: &mut ChaCha8Rng,
) -> OrientationModel {
    let at = |fx: f32, fy: f32| (left + fx * width, top + fy * height);
    let mut singular = Vec::new();
    match class {
        FingerClass::Arch => {
            return OrientationModel::Arch {
                centre_x: left + width * rng.gen_range(0.45..0.55),
                width,
                peak_y: top + height * rng.gen_range(0.5..0.7),
                height,
                amplitude: rng.gen_range(0.3..1.0),
            };
        }
        FingerClass::TentedArch => {
            let (cx, cy) = at(0.5 + rng.gen_range(-0.03..0.03), rng.gen_range(0.40..0.50));
            singular.push(SingularPoint::new(SingularKind::Core, cx, cy, rng));
            let dy = rng.gen_range(40.0..90.0);
            let dx = width * rng.gen_range(-0.03..0.03);
            singular.push(SingularPoint::new(SingularKind::Delta, cx + dx, cy + dy, rng));
        }
        FingerClass::LeftLoop | FingerClass::RightLoop => {
            let (cx, cy) = at(rng.gen_range(0.45..0.55), rng.gen_range(0.35..0.50));
            let mut dx = width * rng.gen_range(0.15..0.30);
            if class == FingerClass::RightLoop {
                dx = -dx;
            }
            let dy = height * rng.gen_range(0.20..0.35);
            singular.push(SingularPoint::new(SingularKind::Core, cx, cy, rng));
            singular.push(SingularPoint::new(SingularKind::Delta, cx + dx, cy + dy, rng));
        }
        FingerClass::Whorl => {
            let (cx, cy) = at(rng.gen_range(0.45..0.55), rng.gen_range(0.40..0.50));
            let half = rng.gen_range(5.0..20.0);
            let tilt: f32 = rng.gen_range(-1.2..1.2);
            let (s, c) = tilt.sin_cos();
            singular.push(SingularPoint::new(
                SingularKind::Core,
                cx - c * half,
                cy - s * half,
                rng,
            ));
            singular.push(SingularPoint::new(
                SingularKind::Core,
                cx + c * half,
                cy + s * half,
                rng,
            ));
            let (lx, ly) = at(rng.gen_range(0.15..0.30), rng.gen_range(0.65..0.85));
            let (rx, ry) = at(rng.gen_range(0.70..0.85), rng.gen_range(0.65..0.85));
            singular.push(SingularPoint::new(SingularKind::Delta, lx, ly, rng));
            singular.push(SingularPoint::new(SingularKind::Delta, rx, ry, rng));
        }
    }
    OrientationModel::ZeroPole { singular, theta0: 0.0 }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    /// Smallest difference between two orientations modulo π.
    fn orientation_delta(a: f32, b: f32) -> f32 {
        let mut d = (a - b) % PI;
        if d > PI / 2.0 {
            d -= PI;
        }
        if d < -PI / 2.0 {
            d += PI;
        }
        d
    }

    /// Total turn of the orientation along a circle around (x, y) (Poincaré index × 2π).
    fn winding(model: &OrientationModel, x: f32, y: f32, r: f32) -> f32 {
        let steps = 72;
        let mut total = 0.0;
        let mut prev = model.theta(x + r, y);
        for i in 1..=steps {
            let a = 2.0 * PI * i as f32 / steps as f32;
            let t = model.theta(x + r * a.cos(), y + r * a.sin());
            total += orientation_delta(t, prev);
            prev = t;
        }
        total
    }

    #[test]
    fn singular_points_have_their_poincare_index() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for class in [FingerClass::LeftLoop, FingerClass::RightLoop, FingerClass::Whorl] {
            let model = model_for_class(class, 0.0, 0.0, 240.0, 320.0, &mut rng);
            for point in model.singular_points() {
                let turn = winding(&model, point.x, point.y, 4.0);
                let expected = match point.kind {
                    SingularKind::Core => PI,
                    SingularKind::Delta => -PI,
                };
                assert!((turn - expected).abs() < 0.2, "{class:?} {:?}: turn {turn}", point.kind);
            }
        }
    }

    #[test]
    fn left_loop_recurves_around_core_and_opens_away_from_delta() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let model = model_for_class(FingerClass::LeftLoop, 0.0, 0.0, 240.0, 320.0, &mut rng);
        let points = model.singular_points();
        let core = &points[0];
        let delta = &points[1];
        assert!(delta.x > core.x, "left loop: delta on the viewer's right");
        // On the delta's side of the core the ridges turn round (steep); on the open side they
        // run out as near-horizontal legs.
        let r = 15.0;
        let toward_delta = model.theta(core.x + r, core.y).sin().abs();
        let open_side = model.theta(core.x - r, core.y).sin().abs();
        assert!(toward_delta > open_side + 0.3, "turn {toward_delta} vs legs {open_side}");
        // Far above the core the ridges are arcs: close to horizontal.
        assert!(model.theta(core.x, core.y - 120.0).sin().abs() < 0.5);
    }

    #[test]
    fn knot_correction_is_continuous_and_periodic() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let point = SingularPoint::new(SingularKind::Core, 0.0, 0.0, &mut rng);
        let lo = point.corrected(-PI + 1e-5);
        let hi = point.corrected(PI - 1e-5);
        assert!((hi - lo - 2.0 * PI).abs() < 1e-3);
        for i in 0..1000 {
            let a = -PI + 2.0 * PI * i as f32 / 1000.0;
            let b = a + 2.0 * PI / 1000.0;
            assert!((point.corrected(b) - point.corrected(a)).abs() < 0.05);
        }
    }
}
