//! 1:N identification: find the one enrolled person a finger belongs to, or say "not recognised".
//!
//! The gallery holds every enrolled template in memory (several fingers per person), grouped by
//! person. A search scores the probe against all of them and keeps each person's best score.
//!
//! Decision rule (docs/MATCHER.md §5): scores are calibrated as −10·log10 FMR, so with N gallery
//! templates the chance that some impostor clears a threshold T is about N·10^(−T/10). The best
//! person is accepted only when
//! - their score s1 ≥ `threshold`, and
//! - s1 leads the best *other* person's score s2 by at least `margin`.
//!
//! With an exponential impostor tail the gap between the two best impostor scores is itself
//! exponential, P(gap ≥ Δ) = 10^(−Δ/10), so the margin buys Δ/10 decades of false-positive
//! identification rate at almost no cost to genuine users (a mate sits far above every impostor).
//! Otherwise the answer is "not recognised" with a hint: no candidate (place the finger flat,
//! clean it) or ambiguous (use another enrolled finger).
//!
//! Repeated rejections lock identification for a while ([`IdentifySettings::max_failures`],
//! [`IdentifySettings::lockout_seconds`]): it slows down someone trying fingers at random.

pub mod enrol;
pub mod kiosk_matcher;
pub mod prefilter;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Identification policy (a section of the kiosk configuration).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentifySettings {
    /// Lowest accepted score (−10·log10 FMR per comparison).
    pub threshold: f64,
    /// Lowest lead of the best person over the next person, score units.
    pub margin: f64,
    /// Consecutive rejections that lock identification.
    pub max_failures: u32,
    /// How long a lockout lasts, seconds.
    pub lockout_seconds: u32,
    /// Templates the prefilter passes to the full matcher per search (0 = compare all).
    pub shortlist: usize,
}

/// Default threshold: with about 10,000 templates, N·10^(−(T+Δ)/10) = 10^4·10^(−6) = 1 % false
/// positive identifications at most, before the lockout (see the module documentation).
pub const DEFAULT_THRESHOLD: f64 = 40.0;
/// Default prefilter shortlist: 10 % of a 10,000-template gallery. Measured there
/// (`kiosk bench identify`, one core): 250 kept 73 % of synthetic mates, rank-1 70 %, p95 19 ms;
/// 1,000 keeps 88 %, rank-1 84 %, p95 45 ms, well inside the 100 ms budget.
pub const DEFAULT_SHORTLIST: usize = 1000;
/// Default margin over the next person (two decades of FPIR).
pub const DEFAULT_MARGIN: f64 = 20.0;

impl Default for IdentifySettings {
    fn default() -> Self {
        IdentifySettings {
            threshold: DEFAULT_THRESHOLD,
            margin: DEFAULT_MARGIN,
            max_failures: 5,
            lockout_seconds: 60,
            shortlist: DEFAULT_SHORTLIST,
        }
    }
}

/// One enrolled finger in the gallery.
#[derive(Clone, Debug)]
pub struct GalleryEntry<T> {
    /// Index into [`Gallery::persons`].
    person: u32,
    /// Finger name, e.g. `right-thumb`.
    pub finger: String,
    /// The template.
    pub template: T,
}

/// All enrolled templates, grouped by person. `T` is the template type (the biometrics
/// `Template` in the kiosk; anything in tests).
#[derive(Clone, Debug)]
pub struct Gallery<T> {
    persons: Vec<String>,
    entries: Vec<GalleryEntry<T>>,
}

impl<T> Default for Gallery<T> {
    fn default() -> Self {
        Gallery { persons: Vec::new(), entries: Vec::new() }
    }
}

/// The best score of one person in a search.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonScore {
    /// Person id.
    pub person_id: String,
    /// Their best finger.
    pub finger: String,
    /// Best score over their fingers.
    pub score: f64,
}

/// The two best persons of a search (different persons).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ranking {
    /// Best person.
    pub best: Option<PersonScore>,
    /// Best other person.
    pub second: Option<PersonScore>,
    /// Templates compared.
    pub comparisons: usize,
}

impl<T> Gallery<T> {
    /// An empty gallery.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an enrolled finger.
    pub fn insert(&mut self, person_id: &str, finger: &str, template: T) {
        // Entries arrive grouped by person from the store; search from the end first.
        let person = match self.persons.iter().rposition(|p| p == person_id) {
            Some(index) => index,
            None => {
                self.persons.push(person_id.to_string());
                self.persons.len() - 1
            }
        } as u32;
        self.entries.push(GalleryEntry { person, finger: finger.to_string(), template });
    }

    /// Number of templates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is enrolled.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of distinct persons.
    pub fn person_count(&self) -> usize {
        self.persons.len()
    }

    /// The entries, for callers that build their own search.
    pub fn entries(&self) -> &[GalleryEntry<T>] {
        &self.entries
    }

    /// Person id of an entry.
    pub fn person_of(&self, entry: &GalleryEntry<T>) -> &str {
        &self.persons[entry.person as usize]
    }

    /// Scores every template with `score` and returns the two best distinct persons.
    pub fn search(&self, score: impl FnMut(&T) -> f64) -> Ranking {
        self.search_among(0..self.entries.len(), score)
    }

    /// Like [`Gallery::search`], over the entries at `indices` only (a prefilter's shortlist).
    pub fn search_among(
        &self,
        indices: impl IntoIterator<Item = usize>,
        mut score: impl FnMut(&T) -> f64,
    ) -> Ranking {
        // Best score per person, then the two best persons.
        let mut best_per_person: Vec<(f64, usize)> =
            vec![(f64::NEG_INFINITY, 0); self.persons.len()];
        let mut comparisons = 0;
        for index in indices {
            let Some(entry) = self.entries.get(index) else { continue };
            comparisons += 1;
            let s = score(&entry.template);
            let slot = &mut best_per_person[entry.person as usize];
            if s > slot.0 {
                *slot = (s, index);
            }
        }
        let mut first: Option<usize> = None;
        let mut second: Option<usize> = None;
        for (person, &(s, _)) in best_per_person.iter().enumerate() {
            if s == f64::NEG_INFINITY {
                continue;
            }
            if first.is_none_or(|f| s > best_per_person[f].0) {
                second = first;
                first = Some(person);
            } else if second.is_none_or(|f| s > best_per_person[f].0) {
                second = Some(person);
            }
        }
        let describe = |person: usize| {
            let (score, entry) = best_per_person[person];
            PersonScore {
                person_id: self.persons[person].clone(),
                finger: self.entries[entry].finger.clone(),
                score,
            }
        };
        Ranking { best: first.map(describe), second: second.map(describe), comparisons }
    }
}

/// Why a finger was not recognised; the screen turns it into a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRecognisedHint {
    /// Nobody scored high enough: place the finger flat and still, clean or moisten it, retry.
    NoMatch,
    /// Two persons scored close together: try another enrolled finger.
    Ambiguous,
}

/// The answer of one identification attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// The person was identified.
    Accepted(PersonScore),
    /// Not recognised; the best candidate is kept for the audit log only, never shown.
    NotRecognised { hint: NotRecognisedHint, best: Option<PersonScore>, second_score: Option<f64> },
    /// Too many failures: identification is locked until the given instant.
    LockedOut { until: DateTime<Utc> },
}

/// Applies the threshold and margin rule to a ranking.
pub fn decide(ranking: &Ranking, settings: &IdentifySettings) -> Decision {
    let second_score = ranking.second.as_ref().map(|s| s.score);
    let Some(best) = ranking.best.clone() else {
        return Decision::NotRecognised {
            hint: NotRecognisedHint::NoMatch,
            best: None,
            second_score,
        };
    };
    if best.score < settings.threshold {
        return Decision::NotRecognised {
            hint: NotRecognisedHint::NoMatch,
            best: Some(best),
            second_score,
        };
    }
    // With no second person the lead is over a zero score (nothing matched at all).
    let lead = best.score - second_score.unwrap_or(0.0).max(0.0);
    if lead < settings.margin {
        return Decision::NotRecognised {
            hint: NotRecognisedHint::Ambiguous,
            best: Some(best),
            second_score,
        };
    }
    Decision::Accepted(best)
}

/// Counts consecutive rejections and locks identification after too many.
#[derive(Clone, Debug, Default)]
pub struct Lockout {
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
}

impl Lockout {
    /// `Some(until)` while locked at `now`.
    pub fn locked(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| now < *until)
    }

    /// Records an attempt's result; returns the lock end when this failure started a lockout.
    pub fn record(
        &mut self,
        accepted: bool,
        now: DateTime<Utc>,
        settings: &IdentifySettings,
    ) -> Option<DateTime<Utc>> {
        if self.locked_until.is_some_and(|until| now >= until) {
            self.locked_until = None;
            self.failures = 0;
        }
        if accepted {
            self.failures = 0;
            return None;
        }
        self.failures += 1;
        if settings.max_failures > 0 && self.failures >= settings.max_failures {
            let until = now + Duration::seconds(i64::from(settings.lockout_seconds));
            self.locked_until = Some(until);
            self.failures = 0;
            return Some(until);
        }
        None
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// An identifier: gallery, policy and lockout state of one terminal.
#[derive(Debug)]
pub struct Identifier<T> {
    gallery: Gallery<T>,
    settings: IdentifySettings,
    lockout: Lockout,
}

impl<T> Identifier<T> {
    /// An identifier over `gallery`.
    pub fn new(gallery: Gallery<T>, settings: IdentifySettings) -> Self {
        Identifier { gallery, settings, lockout: Lockout::default() }
    }

    /// Replaces the gallery (after a sync or an enrolment); the lockout state stays.
    pub fn replace_gallery(&mut self, gallery: Gallery<T>) {
        self.gallery = gallery;
    }

    /// The gallery.
    pub fn gallery(&self) -> &Gallery<T> {
        &self.gallery
    }

    /// The policy.
    pub fn settings(&self) -> &IdentifySettings {
        &self.settings
    }

    /// One attempt at `now`: search with `score` (probe against a gallery template), decide,
    /// update the lockout. While locked no search is made.
    pub fn identify(&mut self, now: DateTime<Utc>, score: impl FnMut(&T) -> f64) -> Decision {
        self.identify_with(now, |gallery| gallery.search(score))
    }

    /// [`Identifier::identify`] with a caller-made search (e.g. prefilter, then full scores).
    pub fn identify_with(
        &mut self,
        now: DateTime<Utc>,
        search: impl FnOnce(&Gallery<T>) -> Ranking,
    ) -> Decision {
        if let Some(until) = self.lockout.locked(now) {
            return Decision::LockedOut { until };
        }
        let ranking = search(&self.gallery);
        let decision = decide(&ranking, &self.settings);
        let accepted = matches!(decision, Decision::Accepted(_));
        self.lockout.record(accepted, now, &self.settings);
        decision
    }
}

/// The audit row detail of an attempt: scores and reason code, machine readable, no names.
pub fn audit_detail(decision: &Decision, comparisons: usize, elapsed_ms: f64) -> String {
    match decision {
        Decision::Accepted(best) => format!(
            "finger={} score={:.1} templates={comparisons} ms={elapsed_ms:.1}",
            best.finger, best.score
        ),
        Decision::NotRecognised { hint, best, second_score } => format!(
            "reason={} best={:.1} second={:.1} templates={comparisons} ms={elapsed_ms:.1}",
            match hint {
                NotRecognisedHint::NoMatch => "no_match",
                NotRecognisedHint::Ambiguous => "ambiguous",
            },
            best.as_ref().map_or(0.0, |b| b.score),
            second_score.unwrap_or(0.0),
        ),
        Decision::LockedOut { until } => format!("reason=locked_out until={}", until.to_rfc3339()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gallery of persons whose "templates" are plain numbers; the test score looks them up.
    fn gallery() -> Gallery<u32> {
        let mut g = Gallery::new();
        g.insert("P1", "right-thumb", 1);
        g.insert("P1", "right-index", 2);
        g.insert("P2", "right-thumb", 3);
        g.insert("P3", "left-thumb", 4);
        g
    }

    fn scores(table: &'static [(u32, f64)]) -> impl FnMut(&u32) -> f64 {
        move |t| table.iter().find(|(k, _)| k == t).map_or(0.0, |(_, s)| *s)
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("valid instant")
    }

    #[test]
    fn search_keeps_each_persons_best_finger() {
        let ranking = gallery().search(scores(&[(1, 20.0), (2, 70.0), (3, 35.0), (4, 10.0)]));
        let best = ranking.best.expect("best");
        assert_eq!(
            (best.person_id.as_str(), best.finger.as_str(), best.score),
            ("P1", "right-index", 70.0)
        );
        // The second is another person, not P1's other finger.
        let second = ranking.second.expect("second");
        assert_eq!((second.person_id.as_str(), second.score), ("P2", 35.0));
        assert_eq!(ranking.comparisons, 4);
    }

    #[test]
    fn accepts_only_above_threshold_with_margin() {
        let settings = IdentifySettings { threshold: 40.0, margin: 10.0, ..Default::default() };
        let g = gallery();
        // Clear winner.
        let d = decide(&g.search(scores(&[(2, 70.0), (3, 35.0)])), &settings);
        assert!(matches!(d, Decision::Accepted(ref p) if p.person_id == "P1"));
        // Below threshold.
        let d = decide(&g.search(scores(&[(2, 39.9), (3, 5.0)])), &settings);
        assert!(matches!(d, Decision::NotRecognised { hint: NotRecognisedHint::NoMatch, .. }));
        // Above threshold but too close to another person.
        let d = decide(&g.search(scores(&[(2, 55.0), (4, 46.0)])), &settings);
        assert!(matches!(d, Decision::NotRecognised { hint: NotRecognisedHint::Ambiguous, .. }));
        // Exactly at threshold and margin: accepted.
        let d = decide(&g.search(scores(&[(1, 40.0), (4, 30.0)])), &settings);
        assert!(matches!(d, Decision::Accepted(_)), "{d:?}");
        // Empty gallery.
        let empty: Gallery<u32> = Gallery::new();
        assert!(matches!(
            decide(&empty.search(|_| 100.0), &settings),
            Decision::NotRecognised { hint: NotRecognisedHint::NoMatch, best: None, .. }
        ));
    }

    #[test]
    fn one_person_gallery_accepts_a_strong_match() {
        let mut g = Gallery::new();
        g.insert("P1", "right-thumb", 1u32);
        let settings = IdentifySettings::default();
        let d = decide(&g.search(|_| settings.threshold + settings.margin + 1.0), &settings);
        assert!(matches!(d, Decision::Accepted(_)));
    }

    #[test]
    fn repeated_failures_lock_then_expire() {
        let settings =
            IdentifySettings { max_failures: 3, lockout_seconds: 60, ..Default::default() };
        let mut id = Identifier::new(gallery(), settings);
        for i in 0..2 {
            assert!(matches!(id.identify(at(i), |_| 0.0), Decision::NotRecognised { .. }));
        }
        // Third failure starts the lockout; further attempts are refused without a search.
        assert!(matches!(id.identify(at(2), |_| 0.0), Decision::NotRecognised { .. }));
        let mut searched = false;
        let d = id.identify(at(3), |_| {
            searched = true;
            100.0
        });
        assert_eq!(d, Decision::LockedOut { until: at(62) });
        assert!(!searched);
        // After the lockout a genuine finger is accepted and the counter starts again.
        let d = id.identify(at(62), scores(&[(1, 90.0)]));
        assert!(matches!(d, Decision::Accepted(_)), "{d:?}");
    }

    #[test]
    fn success_resets_the_failure_count() {
        let settings = IdentifySettings { max_failures: 2, ..Default::default() };
        let mut id = Identifier::new(gallery(), settings);
        assert!(matches!(id.identify(at(0), |_| 0.0), Decision::NotRecognised { .. }));
        assert!(matches!(id.identify(at(1), scores(&[(3, 90.0)])), Decision::Accepted(_)));
        assert!(matches!(id.identify(at(2), |_| 0.0), Decision::NotRecognised { .. }));
        // Only one failure since the success: not locked.
        assert!(matches!(id.identify(at(3), scores(&[(3, 90.0)])), Decision::Accepted(_)));
    }

    #[test]
    fn settings_refuse_unknown_keys_and_default_missing_ones() {
        let s: IdentifySettings = toml::from_str("margin = 12.5").expect("parse");
        assert_eq!(s.margin, 12.5);
        assert_eq!(s.threshold, DEFAULT_THRESHOLD);
        assert!(toml::from_str::<IdentifySettings>("treshold = 3").is_err());
    }
}
