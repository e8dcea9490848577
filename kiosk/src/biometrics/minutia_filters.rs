//! False-minutia removal: structural filters read the traced ridges (fragments, spurs, bridges,
//! gaps), spatial filters drop minutiae at the print's border, in clusters and beyond the cap.

use std::f32::consts::PI;

use super::block_orientations::BlockOrientations;
use super::minutiae::{Minutia, MinutiaKind, SkeletonMinutia, angle_distance};
use super::parameters::{
    INNER_MASK_BORDER, MASK_DISPLACEMENT, MAX_BRIDGE_LENGTH, MAX_CLOUD_SIZE, MAX_GAP_ANGLE,
    MAX_GAP_SIZE, MAX_MINUTIAE, MIN_FRAGMENT_LENGTH, MIN_MINUTIA_DISTANCE, MIN_TAIL_LENGTH,
    MINUTIA_CLOUD_RADIUS,
};
use super::segmentation_mask::SegmentationMask;

/// Removes fragments, spurs, bridges and gaps; returns the survivors.
pub fn structural(candidates: &[SkeletonMinutia]) -> Vec<SkeletonMinutia> {
    let mut removed = vec![false; candidates.len()];
    for (i, m) in candidates.iter().enumerate() {
        for t in &m.traces {
            let Some(j) = t.reached else { continue };
            let other = &candidates[j];
            match (m.kind, other.kind) {
                (MinutiaKind::Ending, MinutiaKind::Ending) if t.length < MIN_FRAGMENT_LENGTH => {
                    removed[i] = true;
                    removed[j] = true;
                }
                (MinutiaKind::Ending, MinutiaKind::Bifurcation) if t.length < MIN_TAIL_LENGTH => {
                    removed[i] = true;
                    removed[j] = true;
                }
                (MinutiaKind::Bifurcation, MinutiaKind::Bifurcation)
                    if t.length < MAX_BRIDGE_LENGTH =>
                {
                    removed[i] = true;
                    removed[j] = true;
                }
                _ => {}
            }
        }
    }
    // Broken ridges: two endings facing each other across a short gap.
    for (i, a) in candidates.iter().enumerate() {
        if a.kind != MinutiaKind::Ending {
            continue;
        }
        for (j, b) in candidates.iter().enumerate().skip(i + 1) {
            if b.kind != MinutiaKind::Ending {
                continue;
            }
            let (dx, dy) = ((b.x - a.x) as f32, (b.y - a.y) as f32);
            if dx.hypot(dy) > MAX_GAP_SIZE {
                continue;
            }
            let towards_b = dy.atan2(dx);
            if angle_distance(a.direction, towards_b) < MAX_GAP_ANGLE
                && angle_distance(b.direction, towards_b + PI) < MAX_GAP_ANGLE
            {
                removed[i] = true;
                removed[j] = true;
            }
        }
    }
    candidates.iter().zip(removed).filter(|(_, r)| !r).map(|(m, _)| m.clone()).collect()
}

/// Only the endings (bifurcations come from the valley skeleton's endings).
pub fn endings(minutiae: &[SkeletonMinutia]) -> Vec<SkeletonMinutia> {
    minutiae.iter().filter(|m| m.kind == MinutiaKind::Ending).cloned().collect()
}

/// The mask eroded by `INNER_MASK_BORDER` pixels (square structuring element, via an integral
/// image), also excluding the image frame.
pub fn inner_mask(mask: &SegmentationMask) -> Vec<bool> {
    let (w, h) = (mask.width, mask.height);
    let mut integral = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0;
        for x in 0..w {
            row += mask.pixels[y * w + x] as u32;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = INNER_MASK_BORDER;
    let mut out = vec![false; w * h];
    for y in r..h.saturating_sub(r) {
        for x in r..w.saturating_sub(r) {
            let (x0, y0, x1, y1) = (x - r, y - r, x + r + 1, y + r + 1);
            let n = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            out[y * w + x] = n as usize == (2 * r + 1) * (2 * r + 1);
        }
    }
    out
}

/// Final minutiae: direction snapped to the orientation field, border/cluster filters, quality,
/// cap. Sorted by position so the output is canonical.
pub fn finish(
    candidates: &[SkeletonMinutia],
    mask: &SegmentationMask,
    inner: &[bool],
    orientations: &BlockOrientations,
) -> Vec<Minutia> {
    let w = mask.width;
    let inside = |x: f32, y: f32| {
        x >= 0.0
            && y >= 0.0
            && (x as usize) < w
            && (y as usize) < mask.height
            && inner[y as usize * w + x as usize]
    };
    let mut kept: Vec<(SkeletonMinutia, f32)> = Vec::new();
    for m in candidates {
        // Snap to the smoothed orientation field when it agrees with the traced ridge.
        let field = orientations.at_pixel(m.x as usize, m.y as usize);
        let mut direction = m.direction;
        for candidate in [field, field + PI] {
            if angle_distance(candidate, m.direction) < PI / 5.0 {
                direction = candidate;
            }
        }
        let back = (
            m.x as f32 - MASK_DISPLACEMENT * direction.cos(),
            m.y as f32 - MASK_DISPLACEMENT * direction.sin(),
        );
        if !inside(m.x as f32, m.y as f32) || !inside(back.0, back.1) {
            continue;
        }
        let mut m = m.clone();
        m.direction = direction;
        let coherence = orientations.coherence_at_pixel(m.x as usize, m.y as usize);
        kept.push((m, coherence));
    }
    let n = kept.len();
    let mut drop = vec![false; n];
    for i in 0..n {
        let mut cloud = 0;
        for j in 0..n {
            if i == j {
                continue;
            }
            let d = ((kept[i].0.x - kept[j].0.x) as f32).hypot((kept[i].0.y - kept[j].0.y) as f32);
            if d < MIN_MINUTIA_DISTANCE {
                drop[i] = true;
            }
            if d < MINUTIA_CLOUD_RADIUS {
                cloud += 1;
            }
        }
        if cloud > MAX_CLOUD_SIZE {
            drop[i] = true;
        }
    }
    let mut out: Vec<Minutia> = kept
        .iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|((m, coherence), _)| Minutia {
            x: m.x as u16,
            y: m.y as u16,
            direction: to_turn_units(m.direction),
            kind: m.kind,
            quality: (coherence.clamp(0.0, 1.0) * 100.0).round() as u8,
        })
        .collect();
    if out.len() > MAX_MINUTIAE {
        out.sort_by(|a, b| b.quality.cmp(&a.quality).then((a.y, a.x).cmp(&(b.y, b.x))));
        out.truncate(MAX_MINUTIAE);
    }
    out.sort_by_key(|m| (m.y, m.x, m.direction));
    out
}

/// Image-axes radians (y down) -> 1/256 turns counter-clockwise with y up.
pub fn to_turn_units(image_angle: f32) -> u8 {
    let turns = (-image_angle / std::f32::consts::TAU).rem_euclid(1.0);
    ((turns * 256.0).round() as u32 % 256) as u8
}
