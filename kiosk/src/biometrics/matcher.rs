//! Matching by pair graphs (after SourceAFIS): an edge between two minutiae of one template is
//! described by its length and the angles of both minutiae relative to it, which rotation and
//! translation do not change. The probe hashes its edges once; a candidate's edges vote for
//! probe/candidate minutia pairs, the best-supported pairs become roots, and from each root a
//! spider walks both edge tables at once, pairing neighbours whose edges agree. Only local edges
//! are compared, so skin distortion accumulates slowly. The best root's pairing is scored.

use super::minutiae::{Minutia, MinutiaKind};
use super::parameters::{
    EDGE_ANGLE_TOLERANCE, EDGE_LENGTH_TOLERANCE, EDGE_LENGTH_TOLERANCE_RELATIVE, EDGE_NEIGHBOURS,
    FRACTION_WEIGHT, HASH_ANGLE_BIN, HASH_LENGTH_BIN, HASHED_NEIGHBOURS, MAX_ROOTS, MIN_ROOT_VOTES,
    PAIR_WEIGHT, SUPPORT_WEIGHT, TYPE_WEIGHT, VOTE_NEIGHBOURS,
};
use super::template::Template;

/// Score at or above which two templates are declared the same finger. Scores are calibrated so
/// that score ≈ -10·log10(FMR) on the pooled different-finger comparisons of the six shared FVC
/// B-sets: 30 is passed by about 1 impostor comparison in 1,000 (FMR ≈ 0.1 %).
pub const MATCH_THRESHOLD: f64 = 30.0;
/// Score that no different-finger comparison of the six shared FVC B-sets reached (zero FMR over
/// 17,280 impostor comparisons; the highest scored 39). For 1:N over a large gallery use at least
/// this.
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

const fn angle_tolerance() -> i32 {
    EDGE_ANGLE_TOLERANCE
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
    let at = angle_tolerance();
    if d1 > at || d2 > at {
        return None;
    }
    Some(dl / tolerance + (d1 + d2) as f32 / at as f32)
}

const LENGTH_BINS: usize = 48;
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
    /// Length bins in use (no probe edge reaches beyond them).
    length_bins: usize,
    /// Probe edge indices (minutia * EDGE_NEIGHBOURS + slot) per bucket.
    entries: Vec<HashedEdge>,
    /// Buffers reused by every `score` call (a probe serves one thread).
    scratch: std::cell::RefCell<Scratch>,
}

/// A probe edge as stored in the hash: everything the vote needs, in 8 bytes.
#[derive(Clone, Copy, Default)]
struct HashedEdge {
    length: f32,
    from_angle: u8,
    to_angle: u8,
    minutia: u8,
    neighbour: u8,
}

/// Per-comparison working memory, kept between comparisons so none is allocated in the loop.
#[derive(Default)]
struct Scratch {
    votes: Vec<u8>,
    spider: Spider,
}

impl<'a> Probe<'a> {
    /// Hashes the probe's edges.
    pub fn new(template: &'a Template) -> Self {
        let table = &template.edges;
        let mut inserts: Vec<(u32, u16)> = Vec::new();
        let mut length_bins = 1;
        for i in 0..table.len() {
            let star = table.star(i);
            for (slot, e) in star[..star.len().min(HASHED_NEIGHBOURS)].iter().enumerate() {
                let index = (i * EDGE_NEIGHBOURS + slot) as u16;
                let tolerance = length_tolerance(e.length) * 1.1 + 1.0;
                let l0 = ((e.length - tolerance).max(0.0) / HASH_LENGTH_BIN) as usize;
                let l1 = (((e.length + tolerance) / HASH_LENGTH_BIN) as usize).min(LENGTH_BINS - 1);
                length_bins = length_bins.max(l1 + 1);
                for l in l0.min(LENGTH_BINS - 1)..=l1 {
                    for f in angle_bins(e.from_angle) {
                        for t in angle_bins(e.to_angle) {
                            inserts.push((hash_key(l, f, t) as u32, index));
                        }
                    }
                }
            }
        }
        // Counting sort into buckets; only as many length bins as the probe's longest edge needs.
        let buckets = length_bins * ANGLE_BINS * ANGLE_BINS;
        let mut offsets = vec![0u32; buckets + 1];
        for &(key, _) in &inserts {
            offsets[key as usize] += 1;
        }
        let mut total = 0;
        for offset in offsets.iter_mut() {
            total += *offset;
            *offset = total;
        }
        let mut entries = vec![HashedEdge::default(); inserts.len()];
        for &(key, index) in inserts.iter().rev() {
            let e = &table.edges[index as usize];
            offsets[key as usize] -= 1;
            entries[offsets[key as usize] as usize] = HashedEdge {
                length: e.length,
                from_angle: e.from_angle,
                to_angle: e.to_angle,
                minutia: (index as usize / EDGE_NEIGHBOURS) as u8,
                neighbour: e.neighbour,
            };
        }
        Probe { template, offsets, entries, length_bins, scratch: Default::default() }
    }

    /// Every pair of matching edges votes for both of its minutia pairs.
    #[inline(never)]
    fn vote(&self, other: &EdgeTable, votes: &mut [u8]) {
        let nc = other.len();
        for j in 0..nc {
            let star = other.star(j);
            for ce in &star[..star.len().min(VOTE_NEIGHBOURS)] {
                let l = (ce.length / HASH_LENGTH_BIN) as usize;
                if l >= self.length_bins {
                    continue;
                }
                let key = hash_key(
                    l,
                    (ce.from_angle as i32 / HASH_ANGLE_BIN) as usize,
                    (ce.to_angle as i32 / HASH_ANGLE_BIN) as usize,
                );
                let range = self.offsets[key] as usize..self.offsets[key + 1] as usize;
                let tolerance = length_tolerance(ce.length) * 1.05;
                for pe in &self.entries[range] {
                    if (pe.length - ce.length).abs() <= tolerance
                        && angle_difference(pe.from_angle, ce.from_angle).abs()
                            <= EDGE_ANGLE_TOLERANCE
                        && angle_difference(pe.to_angle, ce.to_angle).abs() <= EDGE_ANGLE_TOLERANCE
                    {
                        let i = pe.minutia as usize;
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
        let mut scratch = self.scratch.borrow_mut();
        let Scratch { votes, spider } = &mut *scratch;
        votes.clear();
        votes.resize(np * nc, 0);
        self.vote(other, votes);
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
        spider.reset(np, nc);
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
    let lo = (angle as i32 - angle_tolerance() - 1).rem_euclid(256) / HASH_ANGLE_BIN;
    let hi = (angle as i32 + angle_tolerance() + 1).rem_euclid(256) / HASH_ANGLE_BIN;
    let count = (hi - lo).rem_euclid(ANGLE_BINS as i32) + 1;
    (0..count).map(move |k| ((lo + k) % ANGLE_BINS as i32) as usize)
}

/// Pairing state reused across roots and comparisons.
#[derive(Default)]
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
    fn reset(&mut self, np: usize, nc: usize) {
        self.probe_to_candidate.clear();
        self.probe_to_candidate.resize(np, UNPAIRED);
        self.candidate_to_probe.clear();
        self.candidate_to_probe.resize(nc, UNPAIRED);
        self.seen.clear();
        self.seen.resize(np * nc, false);
        self.queue.clear();
        self.nc = nc;
    }

    fn tried_pair(&self, i: usize, j: usize) -> bool {
        self.seen[i * self.nc + j]
    }

    /// Grows a pairing tree from the root pair; returns its raw score.
    #[inline(never)]
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
    PAIR_WEIGHT * p
        + FRACTION_WEIGHT * fraction
        + SUPPORT_WEIGHT * supporting as f64
        + TYPE_WEIGHT * types as f64
}

/// Raw score -> calibrated score knots. The calibrated score is about -10·log10(FMR): the raw
/// knots are the 50 %, 10 %, 1 % and 0.1 % upper quantiles and the maximum of the 17,280
/// different-finger comparisons of the six shared FVC B-sets (pooled, not per set).
const SHAPE: [(f64, f64); 6] =
    [(0.0, 0.0), (5.76, 3.0), (8.30, 10.0), (11.73, 20.0), (15.37, 30.0), (19.40, 39.0)];

/// Maps the raw score to the calibrated scale, piecewise linear, extrapolated above the last
/// knot with the slope of the last segment.
fn shape(raw: f64) -> f64 {
    if raw <= 0.0 {
        return 0.0;
    }
    for pair in SHAPE.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if raw <= x1 {
            return y0 + (raw - x0) * (y1 - y0) / (x1 - x0);
        }
    }
    let ((x0, y0), (x1, y1)) = (SHAPE[SHAPE.len() - 2], SHAPE[SHAPE.len() - 1]);
    y1 + (raw - x1) * (y1 - y0) / (x1 - x0)
}

/// Compares two templates (the probe side is prepared on the fly).
pub fn compare(probe: &Template, candidate: &Template) -> f64 {
    Probe::new(probe).score(candidate)
}
