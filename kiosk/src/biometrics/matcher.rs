//! Matching by pair graphs (after SourceAFIS): an edge between two minutiae of one template is
//! described by its length and the angles of both minutiae relative to it, which rotation and
//! translation do not change. The probe hashes its edges once; a candidate's edges vote for
//! probe/candidate minutia pairs, the best-supported pairs become roots, and from each root a
//! spider walks both edge tables at once, pairing neighbours whose edges agree. Only local edges
//! are compared, so skin distortion accumulates slowly. The best root's pairing is scored.

use super::minutiae::{Minutia, MinutiaKind};
use super::parameters::{
    EDGE_ANGLE_TOLERANCE, EDGE_LENGTH_TOLERANCE, EDGE_LENGTH_TOLERANCE_RELATIVE, EDGE_NEIGHBOURS,
    HASH_ANGLE_BIN, HASH_LENGTH_BIN, MAX_ROOTS, MIN_ROOT_VOTES,
};
use super::template::Template;

/// Score at or above which two templates are declared the same finger. On the six shared FVC
/// sets (2002 DB1/DB3/DB4, 2004 DB1/DB3/DB4, all different-finger pairs) it is passed by about
/// 1 impostor comparison in 1,000 (FMR ~ 0.1 %).
pub const MATCH_THRESHOLD: f64 = 30.0;
/// Score above which no impostor comparison of the six shared FVC sets was seen (zero FMR).
pub const ZERO_IMPOSTOR_THRESHOLD: f64 = 40.0;

/// An edge from a minutia to one of its nearest neighbours.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Edge {
    /// Index of the neighbour.
    pub neighbour: u8,
    /// Length in pixels.
    pub length: f32,
    /// Angle of the edge relative to the minutia's direction (1/256 turns).
    pub from_angle: u8,
    /// Angle of the edge relative to the neighbour's direction (1/256 turns).
    pub to_angle: u8,
}

/// For each minutia its edges to the nearest neighbours, shortest first.
#[derive(Clone, Debug, Default)]
pub(crate) struct EdgeTable {
    /// `EDGE_NEIGHBOURS` slots per minutia (fewer used when the template is small).
    pub edges: Vec<Edge>,
    /// Used slots per minutia.
    pub counts: Vec<u8>,
    /// Whether each minutia is a bifurcation.
    pub bifurcations: Vec<bool>,
}

/// Direction of the vector (dx, dy) in image axes as 1/256 turns counter-clockwise (y up).
fn turn_units(dx: f32, dy: f32) -> u8 {
    let turns = ((-dy).atan2(dx) / std::f32::consts::TAU).rem_euclid(1.0);
    ((turns * 256.0).round() as u32 % 256) as u8
}

/// Signed difference of two angles in 1/256 turns, -128..127.
fn angle_difference(a: u8, b: u8) -> i32 {
    a.wrapping_sub(b) as i8 as i32
}

impl EdgeTable {
    pub(crate) fn new(minutiae: &[Minutia]) -> Self {
        let n = minutiae.len();
        let mut edges = vec![Edge::default(); n * EDGE_NEIGHBOURS];
        let mut counts = vec![0u8; n];
        let mut others: Vec<(f32, usize)> = Vec::with_capacity(n);
        for (i, a) in minutiae.iter().enumerate() {
            others.clear();
            for (j, b) in minutiae.iter().enumerate() {
                if i != j {
                    let d = (b.x as f32 - a.x as f32).hypot(b.y as f32 - a.y as f32);
                    others.push((d, j));
                }
            }
            others.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
            let k = others.len().min(EDGE_NEIGHBOURS);
            counts[i] = k as u8;
            for (slot, &(length, j)) in others[..k].iter().enumerate() {
                let b = &minutiae[j];
                let angle = turn_units(b.x as f32 - a.x as f32, b.y as f32 - a.y as f32);
                edges[i * EDGE_NEIGHBOURS + slot] = Edge {
                    neighbour: j as u8,
                    length,
                    from_angle: angle.wrapping_sub(a.direction),
                    to_angle: angle.wrapping_sub(b.direction),
                };
            }
        }
        EdgeTable {
            edges,
            counts,
            bifurcations: minutiae.iter().map(|m| m.kind == MinutiaKind::Bifurcation).collect(),
        }
    }

    fn len(&self) -> usize {
        self.counts.len()
    }

    fn star(&self, i: usize) -> &[Edge] {
        &self.edges[i * EDGE_NEIGHBOURS..i * EDGE_NEIGHBOURS + self.counts[i] as usize]
    }
}

fn length_tolerance(length: f32) -> f32 {
    EDGE_LENGTH_TOLERANCE + EDGE_LENGTH_TOLERANCE_RELATIVE * length
}

/// Matching error of two edges (0 = identical), or None when outside tolerance.
#[inline]
fn edge_error(a: &Edge, b: &Edge) -> Option<f32> {
    let tolerance = length_tolerance(a.length.max(b.length));
    let dl = (a.length - b.length).abs();
    if dl > tolerance {
        return None;
    }
    let d1 = angle_difference(a.from_angle, b.from_angle).abs();
    let d2 = angle_difference(a.to_angle, b.to_angle).abs();
    if d1 > EDGE_ANGLE_TOLERANCE || d2 > EDGE_ANGLE_TOLERANCE {
        return None;
    }
    Some(dl / tolerance + (d1 + d2) as f32 / EDGE_ANGLE_TOLERANCE as f32)
}

const LENGTH_BINS: usize = 24;
const ANGLE_BINS: usize = (256 / HASH_ANGLE_BIN) as usize;

fn hash_key(length_bin: usize, from_bin: usize, to_bin: usize) -> usize {
    (length_bin * ANGLE_BINS + from_bin) * ANGLE_BINS + to_bin
}

/// A probe prepared for many comparisons: its edges hashed by (length, angle, angle) so each
/// candidate edge finds its tolerant matches with one lookup.
pub struct Probe<'a> {
    template: &'a Template,
    /// Bucket start offsets into `entries` (CSR), one more than the bucket count.
    offsets: Vec<u32>,
    /// Probe edge indices (minutia * EDGE_NEIGHBOURS + slot) per bucket.
    entries: Vec<u16>,
}

impl<'a> Probe<'a> {
    /// Hashes the probe's edges.
    pub fn new(template: &'a Template) -> Self {
        let table = &template.edges;
        let buckets = LENGTH_BINS * ANGLE_BINS * ANGLE_BINS;
        let mut offsets = vec![0u32; buckets + 1];
        let mut inserts: Vec<(usize, u16)> = Vec::new();
        for i in 0..table.len() {
            for (slot, e) in table.star(i).iter().enumerate() {
                let index = (i * EDGE_NEIGHBOURS + slot) as u16;
                let tolerance = length_tolerance(e.length) * 1.1 + 1.0;
                let l0 = ((e.length - tolerance).max(0.0) / HASH_LENGTH_BIN) as usize;
                let l1 = (((e.length + tolerance) / HASH_LENGTH_BIN) as usize).min(LENGTH_BINS - 1);
                for l in l0.min(LENGTH_BINS - 1)..=l1 {
                    for f in angle_bins(e.from_angle) {
                        for t in angle_bins(e.to_angle) {
                            inserts.push((hash_key(l, f, t), index));
                        }
                    }
                }
            }
        }
        for &(key, _) in &inserts {
            offsets[key + 1] += 1;
        }
        for k in 0..buckets {
            offsets[k + 1] += offsets[k];
        }
        let mut fill = offsets.clone();
        let mut entries = vec![0u16; inserts.len()];
        for &(key, index) in &inserts {
            entries[fill[key] as usize] = index;
            fill[key] += 1;
        }
        Probe { template, offsets, entries }
    }

    /// Similarity to a candidate: about -10·log10 of the chance that a different finger scores
    /// this high (see `MATCH_THRESHOLD`).
    pub fn score(&self, candidate: &Template) -> f64 {
        let probe = &self.template.edges;
        let other = &candidate.edges;
        let (np, nc) = (probe.len(), other.len());
        if np < 2 || nc < 2 {
            return 0.0;
        }
        // Votes: every pair of matching edges supports both of its minutia pairs.
        let mut votes = vec![0u8; np * nc];
        for j in 0..nc {
            for ce in other.star(j) {
                let l = ((ce.length / HASH_LENGTH_BIN) as usize).min(LENGTH_BINS - 1);
                let key = hash_key(
                    l,
                    (ce.from_angle as i32 / HASH_ANGLE_BIN) as usize,
                    (ce.to_angle as i32 / HASH_ANGLE_BIN) as usize,
                );
                let range = self.offsets[key] as usize..self.offsets[key + 1] as usize;
                for &pe_index in &self.entries[range] {
                    let pe = &probe.edges[pe_index as usize];
                    if edge_error(pe, ce).is_some() {
                        let i = pe_index as usize / EDGE_NEIGHBOURS;
                        let i2 = pe.neighbour as usize;
                        let j2 = ce.neighbour as usize;
                        let v = &mut votes[i * nc + j];
                        *v = v.saturating_add(1);
                        let v = &mut votes[i2 * nc + j2];
                        *v = v.saturating_add(1);
                    }
                }
            }
        }
        // The best-voted pairs, kept sorted in a small array (votes desc, then indices).
        let mut roots = [(0u8, 0u16, 0u16); MAX_ROOTS];
        let mut root_count = 0;
        for i in 0..np {
            for j in 0..nc {
                let v = votes[i * nc + j];
                if v < MIN_ROOT_VOTES || (root_count == MAX_ROOTS && v <= roots[MAX_ROOTS - 1].0) {
                    continue;
                }
                let mut k = root_count.min(MAX_ROOTS - 1);
                while k > 0 && roots[k - 1].0 < v {
                    roots[k] = roots[k - 1];
                    k -= 1;
                }
                roots[k] = (v, i as u16, j as u16);
                root_count = (root_count + 1).min(MAX_ROOTS);
            }
        }
        let roots = &roots[..root_count];
        let mut spider = Spider::new(np, nc);
        let mut best = 0.0f64;
        for &(_, i, j) in roots {
            // A root already paired the same way by an earlier spider gives the same tree.
            if spider.tried_pair(i as usize, j as usize) {
                continue;
            }
            let raw = spider.crawl(probe, other, i as usize, j as usize);
            best = best.max(raw);
        }
        shape(best)
    }
}

/// Angle bins an angle may fall in within the edge tolerance.
fn angle_bins(angle: u8) -> impl Iterator<Item = usize> {
    let lo = (angle as i32 - EDGE_ANGLE_TOLERANCE - 1).rem_euclid(256) / HASH_ANGLE_BIN;
    let hi = (angle as i32 + EDGE_ANGLE_TOLERANCE + 1).rem_euclid(256) / HASH_ANGLE_BIN;
    let count = (hi - lo).rem_euclid(ANGLE_BINS as i32) + 1;
    (0..count).map(move |k| ((lo + k) % ANGLE_BINS as i32) as usize)
}

/// Pairing state reused across roots of one comparison.
struct Spider {
    probe_to_candidate: Vec<u16>,
    candidate_to_probe: Vec<u16>,
    /// Pairs of all earlier trees (probe * nc + candidate).
    seen: Vec<bool>,
    queue: Vec<(u16, u16)>,
    nc: usize,
}

const UNPAIRED: u16 = u16::MAX;

impl Spider {
    fn new(np: usize, nc: usize) -> Self {
        Spider {
            probe_to_candidate: vec![UNPAIRED; np],
            candidate_to_probe: vec![UNPAIRED; nc],
            seen: vec![false; np * nc],
            queue: Vec::with_capacity(np.min(nc)),
            nc,
        }
    }

    fn tried_pair(&self, i: usize, j: usize) -> bool {
        self.seen[i * self.nc + j]
    }

    /// Grows a pairing tree from the root pair; returns its raw score.
    fn crawl(
        &mut self,
        probe: &EdgeTable,
        candidate: &EdgeTable,
        root_i: usize,
        root_j: usize,
    ) -> f64 {
        self.probe_to_candidate.fill(UNPAIRED);
        self.candidate_to_probe.fill(UNPAIRED);
        self.queue.clear();
        self.pair(root_i, root_j);
        let mut supporting = 0u32;
        let mut head = 0;
        while head < self.queue.len() {
            let (i, j) = self.queue[head];
            head += 1;
            let (i, j) = (i as usize, j as usize);
            for pe in probe.star(i) {
                let mut best: Option<(f32, usize)> = None;
                let tolerance = length_tolerance(pe.length) * 1.2;
                for ce in candidate.star(j) {
                    // Stars are sorted by length: skip the short ones, stop at the long ones.
                    if ce.length < pe.length - tolerance {
                        continue;
                    }
                    if ce.length > pe.length + tolerance {
                        break;
                    }
                    if let Some(error) = edge_error(pe, ce)
                        && best.is_none_or(|(e, _)| error < e)
                    {
                        best = Some((error, ce.neighbour as usize));
                    }
                }
                let Some((_, j2)) = best else { continue };
                let i2 = pe.neighbour as usize;
                let paired = self.probe_to_candidate[i2];
                if paired == j2 as u16 {
                    supporting += 1;
                } else if paired == UNPAIRED && self.candidate_to_probe[j2] == UNPAIRED {
                    self.pair(i2, j2);
                }
            }
        }
        let pairs = self.queue.len();
        let mut types = 0;
        for &(i, j) in &self.queue {
            self.seen[i as usize * self.nc + j as usize] = true;
            if probe.bifurcations[i as usize] == candidate.bifurcations[j as usize] {
                types += 1;
            }
        }
        raw_score(pairs, supporting, types, probe.len(), candidate.len())
    }

    fn pair(&mut self, i: usize, j: usize) {
        self.probe_to_candidate[i] = j as u16;
        self.candidate_to_probe[j] = i as u16;
        self.queue.push((i as u16, j as u16));
    }
}

/// Raw score of a pairing: paired minutiae count most, relative to the template sizes; edges that
/// close loops in the pairing (support) confirm it.
fn raw_score(pairs: usize, supporting: u32, types: usize, np: usize, nc: usize) -> f64 {
    if pairs < 2 {
        return 0.0;
    }
    let p = pairs as f64;
    let fraction = 0.5 * (p / np as f64 + p / nc as f64);
    0.5 * p + 10.0 * fraction + 0.25 * supporting as f64 + 0.3 * types as f64
}

/// Maps the raw score to the published scale (about -10·log10 FMR).
fn shape(raw: f64) -> f64 {
    raw
}

/// Compares two templates (the probe side is prepared on the fly).
pub fn compare(probe: &Template, candidate: &Template) -> f64 {
    Probe::new(probe).score(candidate)
}
