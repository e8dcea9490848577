//! Thinning of the ridge map to one-pixel lines (Zhang–Suen sub-iterations over the remaining
//! ridge pixels only), then removal of staircase corners so every line pixel has exactly two
//! neighbours and minutiae can be read from the neighbourhood.

use super::binarized_image::BinarizedImage;
use super::parameters::THINNING_PASSES;

/// One-pixel-wide ridge lines.
pub struct Skeleton {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Per pixel: true = on a ridge line.
    pub pixels: Vec<bool>,
}

/// Ring of the 8 neighbours, clockwise from north: (dx, dy).
pub const RING: [(i32, i32); 8] =
    [(0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1)];

impl Skeleton {
    /// Whether (x, y) is inside and set.
    pub fn get(&self, x: i32, y: i32) -> bool {
        x >= 0
            && y >= 0
            && (x as usize) < self.width
            && (y as usize) < self.height
            && self.pixels[y as usize * self.width + x as usize]
    }

    /// Neighbour ring bits of pixel index `i`, which must not lie on the image frame.
    #[inline]
    fn ring_inner(&self, i: usize) -> u8 {
        let w = self.width;
        let p = &self.pixels;
        (p[i - w] as u8)
            | (p[i - w + 1] as u8) << 1
            | (p[i + 1] as u8) << 2
            | (p[i + w + 1] as u8) << 3
            | (p[i + w] as u8) << 4
            | (p[i + w - 1] as u8) << 5
            | (p[i - 1] as u8) << 6
            | (p[i - w - 1] as u8) << 7
    }

    /// Neighbour ring bits of (x, y), bit k = RING[k].
    pub fn ring(&self, x: i32, y: i32) -> u8 {
        if x > 0 && y > 0 && (x as usize) + 1 < self.width && (y as usize) + 1 < self.height {
            return self.ring_inner(y as usize * self.width + x as usize);
        }
        let mut bits = 0u8;
        for (k, &(dx, dy)) in RING.iter().enumerate() {
            if self.get(x + dx, y + dy) {
                bits |= 1 << k;
            }
        }
        bits
    }
}

/// Number of 0 -> 1 transitions around the ring (1 = ending, 2 = line, >= 3 = bifurcation).
pub fn crossing_number(ring: u8) -> u32 {
    let rotated = ring.rotate_right(1);
    (ring & !rotated).count_ones()
}

/// Thins the ridge map.
pub fn thin(binary: &BinarizedImage) -> Skeleton {
    let (w, h) = (binary.width, binary.height);
    let mut skeleton = Skeleton { width: w, height: h, pixels: binary.pixels.clone() };
    // Clear the outermost frame so neighbour reads never leave the image.
    for x in 0..w {
        skeleton.pixels[x] = false;
        skeleton.pixels[(h - 1) * w + x] = false;
    }
    for y in 0..h {
        skeleton.pixels[y * w] = false;
        skeleton.pixels[y * w + w - 1] = false;
    }
    let mut active: Vec<usize> = (0..w * h).filter(|&i| skeleton.pixels[i]).collect();
    let mut removal = Vec::new();
    for _ in 0..THINNING_PASSES {
        let mut changed = false;
        for step in 0..2 {
            removal.clear();
            for &i in &active {
                let ring = skeleton.ring_inner(i);
                let n = ring.count_ones();
                if !(2..=6).contains(&n) || crossing_number(ring) != 1 {
                    continue;
                }
                let bit = |k: usize| ring & (1 << k) != 0;
                let (p2, p4, p6, p8) = (bit(0), bit(2), bit(4), bit(6));
                let keep = if step == 0 {
                    p2 && p4 && p6 || p4 && p6 && p8
                } else {
                    p2 && p4 && p8 || p2 && p6 && p8
                };
                if !keep {
                    removal.push(i);
                }
            }
            if !removal.is_empty() {
                changed = true;
            }
            for &i in &removal {
                skeleton.pixels[i] = false;
            }
        }
        active.retain(|&i| skeleton.pixels[i]);
        if !changed {
            break;
        }
    }
    // Staircase corners: a pixel whose neighbours stay connected without it and which is not an
    // ending is redundant.
    for &i in &active {
        if !skeleton.pixels[i] {
            continue;
        }
        let ring = skeleton.ring_inner(i);
        let n = ring.count_ones();
        if (2..=3).contains(&n) && crossing_number(ring) == 1 && ring_is_connected(ring) {
            skeleton.pixels[i] = false;
        }
    }
    skeleton
}

/// Whether the set ring pixels form one 8-connected group without the centre. Consecutive ring
/// positions are adjacent; two 4-neighbours one diagonal apart are adjacent too.
fn ring_is_connected(ring: u8) -> bool {
    // With crossing number 1 the set pixels are one run; a run is connected without the centre
    // unless it is a lone diagonal-4-diagonal chain longer than... any run of consecutive ring
    // pixels is connected through consecutive adjacency. Require a 4-neighbour pair around a
    // corner so removal cannot shorten a line end.
    let bit = |k: usize| ring & (1 << (k % 8)) != 0;
    (0..4).any(|q| bit(2 * q) && bit(2 * q + 2))
}
