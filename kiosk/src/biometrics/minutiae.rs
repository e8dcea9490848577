//! Minutiae read from the skeleton: endings (one neighbour run) and bifurcations (three or more),
//! each with the ridges leaving it traced, so filters can see what it connects to and its
//! direction can be measured along the ridge.

use super::parameters::{DIRECTION_TRACE, MAX_TRACE};
use super::skeleton::{RING, Skeleton, crossing_number};

/// Ridge ending or bifurcation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    /// A ridge ends.
    Ending,
    /// A ridge splits in two.
    Bifurcation,
}

/// A minutia of a template: position in pixels at 500 dpi, direction in 1/256 turns measured
/// counter-clockwise from the x axis (as ISO/IEC 19794-2), quality 0..100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Minutia {
    /// Column.
    pub x: u16,
    /// Row (down).
    pub y: u16,
    /// Direction, 256 = full turn, counter-clockwise with y up.
    pub direction: u8,
    /// Ending or bifurcation.
    pub kind: MinutiaKind,
    /// 0..100, higher = more reliable.
    pub quality: u8,
}

/// Where a traced ridge went.
#[derive(Clone, Copy, Debug)]
pub struct Trace {
    /// Pixels walked.
    pub length: usize,
    /// Index of the minutia the ridge ran into, if any within `MAX_TRACE`.
    pub reached: Option<usize>,
    /// Point `DIRECTION_TRACE` pixels along the ridge (or the last one walked).
    pub direction_point: (i32, i32),
}

/// A minutia candidate straight from the skeleton.
#[derive(Clone, Debug)]
pub struct SkeletonMinutia {
    /// Column.
    pub x: i32,
    /// Row.
    pub y: i32,
    /// Ending or bifurcation.
    pub kind: MinutiaKind,
    /// Ridges leaving the minutia.
    pub traces: Vec<Trace>,
    /// Direction in radians, image axes (y down); for an ending it points away from the ridge.
    pub direction: f32,
}

/// Finds and traces every minutia of the skeleton.
pub fn detect(skeleton: &Skeleton) -> Vec<SkeletonMinutia> {
    let (w, h) = (skeleton.width as i32, skeleton.height as i32);
    let mut nodes = vec![-1i32; skeleton.pixels.len()];
    let mut found = Vec::new();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = (y * w + x) as usize;
            if !skeleton.pixels[i] {
                continue;
            }
            let ring = skeleton.ring(x, y);
            let cn = crossing_number(ring);
            let kind = match cn {
                1 => MinutiaKind::Ending,
                c if c >= 3 => MinutiaKind::Bifurcation,
                _ => continue,
            };
            // A junction may span adjacent pixels: they belong to the first one found.
            let owner = RING.iter().find_map(|&(dx, dy)| {
                let j = ((y + dy) * w + x + dx) as usize;
                (nodes[j] >= 0 && kind == MinutiaKind::Bifurcation).then_some(nodes[j])
            });
            match owner {
                Some(o) => nodes[i] = o,
                None => {
                    nodes[i] = found.len() as i32;
                    found.push(SkeletonMinutia { x, y, kind, traces: Vec::new(), direction: 0.0 });
                }
            }
        }
    }
    for (index, m) in found.iter_mut().enumerate() {
        let ring = skeleton.ring(m.x, m.y);
        for start in branch_starts(ring) {
            let (dx, dy) = RING[start];
            m.traces.push(trace(skeleton, &nodes, index as i32, (m.x, m.y), (m.x + dx, m.y + dy)));
        }
        m.direction = direction(m);
    }
    found
}

/// One ring position per run of set neighbours (preferring a 4-neighbour within the run).
fn branch_starts(ring: u8) -> Vec<usize> {
    let bit = |k: usize| ring & (1 << (k % 8)) != 0;
    let mut starts = Vec::new();
    for k in 0..8 {
        if bit(k) && !bit(k + 7) {
            // Run begins at k.
            let mut best = k;
            let mut j = k;
            while bit(j) && j < k + 8 {
                if (j % 8) % 2 == 0 {
                    best = j % 8;
                    break;
                }
                j += 1;
            }
            starts.push(best);
        }
    }
    if starts.is_empty() && ring != 0 {
        starts.push(0);
    }
    starts
}

fn trace(
    skeleton: &Skeleton,
    nodes: &[i32],
    own: i32,
    origin: (i32, i32),
    start: (i32, i32),
) -> Trace {
    let w = skeleton.width as i32;
    let (mut prev2, mut prev, mut cur) = (origin, origin, start);
    let mut direction_point = None;
    let mut length = 1;
    loop {
        if length == DIRECTION_TRACE {
            direction_point = Some(cur);
        }
        let node = nodes[(cur.1 * w + cur.0) as usize];
        if node >= 0 && node != own {
            return Trace {
                length,
                reached: Some(node as usize),
                direction_point: direction_point.unwrap_or(cur),
            };
        }
        if length >= MAX_TRACE {
            return Trace {
                length,
                reached: None,
                direction_point: direction_point.unwrap_or(cur),
            };
        }
        let mut next = None;
        for (k, &(dx, dy)) in RING.iter().enumerate() {
            let p = (cur.0 + dx, cur.1 + dy);
            if p == prev || p == prev2 || !skeleton.get(p.0, p.1) {
                continue;
            }
            if nodes[(p.1 * w + p.0) as usize] == own {
                continue;
            }
            // Prefer 4-neighbours: a diagonal step may cut a corner of the line.
            if next.is_none() || k % 2 == 0 {
                next = Some(p);
                if k % 2 == 0 {
                    break;
                }
            }
        }
        match next {
            Some(p) => {
                prev2 = prev;
                prev = cur;
                cur = p;
                length += 1;
            }
            None => {
                return Trace {
                    length,
                    reached: None,
                    direction_point: direction_point.unwrap_or(cur),
                };
            }
        }
    }
}

fn branch_angle(m: &SkeletonMinutia, t: &Trace) -> f32 {
    ((t.direction_point.1 - m.y) as f32).atan2((t.direction_point.0 - m.x) as f32)
}

/// Ending: from the ridge towards its free end. Bifurcation: away from the stem, into the fork
/// (the stem is the branch farthest in angle from the other two).
fn direction(m: &SkeletonMinutia) -> f32 {
    use std::f32::consts::PI;
    match m.kind {
        MinutiaKind::Ending => match m.traces.first() {
            Some(t) => branch_angle(m, t) + PI,
            None => 0.0,
        },
        MinutiaKind::Bifurcation => {
            if m.traces.len() < 3 {
                return m.traces.first().map(|t| branch_angle(m, t) + PI).unwrap_or(0.0);
            }
            let a: Vec<f32> = m.traces.iter().take(3).map(|t| branch_angle(m, t)).collect();
            let gap = |i: usize, j: usize| angle_distance(a[i], a[j]);
            // The fork is the closest pair; the stem is the third.
            let pairs = [(0, 1, 2), (0, 2, 1), (1, 2, 0)];
            let mut stem = 2;
            let mut best = f32::MAX;
            for (i, j, k) in pairs {
                if gap(i, j) < best {
                    best = gap(i, j);
                    stem = k;
                }
            }
            a[stem] + PI
        }
    }
}

/// Absolute difference of two angles, 0..π.
pub fn angle_distance(a: f32, b: f32) -> f32 {
    use std::f32::consts::{PI, TAU};
    let d = (a - b).rem_euclid(TAU);
    if d > PI { TAU - d } else { d }
}
