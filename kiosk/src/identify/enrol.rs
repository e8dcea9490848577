//! Enrolment quality control: three impressions of one finger, each good enough, all matching
//! each other, and not already enrolled to somebody else. The checks are generic over the
//! template type so the kiosk UI, the `kiosk enroll` command and the tests share them.

use super::Gallery;

/// Impressions taken per enrolment.
pub const IMPRESSIONS: usize = 3;
/// Lowest image quality (0-100) an enrolment impression may have.
pub const QUALITY_FLOOR: u8 = 40;

/// One enrolment impression after extraction.
#[derive(Clone, Debug)]
pub struct EnrolImpression<T> {
    /// Its template.
    pub template: T,
    /// Image quality, 0-100.
    pub quality: u8,
}

/// Why an enrolment was refused. Every variant has a sentence on the enrolment screen.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EnrolRefusal {
    /// Not exactly three impressions.
    #[error("enrolment needs {IMPRESSIONS} impressions, got {0}")]
    WrongCount(usize),
    /// An impression is below the quality floor (1-based number).
    #[error(
        "impression {impression} has quality {quality}, below the floor {floor}: clean the finger and sensor, press flat, retake"
    )]
    LowQuality {
        /// Which impression (1-based).
        impression: usize,
        /// Its quality.
        quality: u8,
        /// The floor.
        floor: u8,
    },
    /// Two impressions do not match each other: probably different fingers, or a smudge.
    #[error(
        "impressions {a} and {b} do not match each other (score {score:.1}, need {threshold:.1}): take all three of the same finger"
    )]
    Inconsistent {
        /// First impression (1-based).
        a: usize,
        /// Second impression (1-based).
        b: usize,
        /// Their score.
        score: f64,
        /// The threshold.
        threshold: f64,
    },
    /// The finger is already enrolled to another person: a duplicate registration.
    #[error(
        "this finger is already enrolled to person {person_id} ({finger}, score {score:.1}); enrolment refused"
    )]
    EnrolledToOtherPerson {
        /// The person who owns it.
        person_id: String,
        /// Their finger it matched.
        finger: String,
        /// Score of the match.
        score: f64,
    },
}

/// The accepted result: which impression to store and its quality.
#[derive(Clone, Debug, PartialEq)]
pub struct EnrolChoice {
    /// Index (0-based) of the impression whose template is stored: the one agreeing best with
    /// the other two.
    pub chosen: usize,
    /// Its quality.
    pub quality: u8,
    /// Lowest score between two impressions.
    pub min_pair_score: f64,
}

/// Checks three impressions of one finger of `person_id` against the quality floor, each other
/// (`threshold`) and the gallery (no other person may own the finger).
pub fn check_enrolment<T>(
    person_id: &str,
    impressions: &[EnrolImpression<T>],
    gallery: &Gallery<T>,
    threshold: f64,
    quality_floor: u8,
    mut score: impl FnMut(&T, &T) -> f64,
) -> Result<EnrolChoice, EnrolRefusal> {
    if impressions.len() != IMPRESSIONS {
        return Err(EnrolRefusal::WrongCount(impressions.len()));
    }
    for (i, imp) in impressions.iter().enumerate() {
        if imp.quality < quality_floor {
            return Err(EnrolRefusal::LowQuality {
                impression: i + 1,
                quality: imp.quality,
                floor: quality_floor,
            });
        }
    }
    // Pairwise consistency; the matcher is asymmetric, so score both ways and keep the better.
    let n = impressions.len();
    let mut agreement = vec![0.0; n];
    let mut min_pair_score = f64::INFINITY;
    for a in 0..n {
        for b in a + 1..n {
            let s = score(&impressions[a].template, &impressions[b].template)
                .max(score(&impressions[b].template, &impressions[a].template));
            if s < threshold {
                return Err(EnrolRefusal::Inconsistent { a: a + 1, b: b + 1, score: s, threshold });
            }
            agreement[a] += s;
            agreement[b] += s;
            min_pair_score = min_pair_score.min(s);
        }
    }
    // Duplicate registration: any impression matching another person's finger.
    for imp in impressions {
        let ranking = gallery.search(|t| score(&imp.template, t));
        for candidate in [ranking.best, ranking.second].into_iter().flatten() {
            if candidate.person_id != person_id && candidate.score >= threshold {
                return Err(EnrolRefusal::EnrolledToOtherPerson {
                    person_id: candidate.person_id,
                    finger: candidate.finger,
                    score: candidate.score,
                });
            }
        }
    }
    let chosen = (0..n)
        .max_by(|&a, &b| {
            agreement[a]
                .total_cmp(&agreement[b])
                .then(impressions[a].quality.cmp(&impressions[b].quality))
        })
        .unwrap_or(0);
    Ok(EnrolChoice { chosen, quality: impressions[chosen].quality, min_pair_score })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test templates: (finger identity, variant). Same identity scores 80, else 5.
    type Fake = (u32, u32);

    fn score(a: &Fake, b: &Fake) -> f64 {
        if a.0 == b.0 { 80.0 - f64::from(a.1.abs_diff(b.1)) } else { 5.0 }
    }

    fn imps(list: &[(Fake, u8)]) -> Vec<EnrolImpression<Fake>> {
        list.iter().map(|&(template, quality)| EnrolImpression { template, quality }).collect()
    }

    #[test]
    fn accepts_three_good_consistent_impressions() {
        let mut gallery = Gallery::new();
        gallery.insert("P2", "right-thumb", (9, 0));
        let choice = check_enrolment(
            "P1",
            &imps(&[((1, 0), 70), ((1, 1), 60), ((1, 2), 90)]),
            &gallery,
            40.0,
            QUALITY_FLOOR,
            score,
        )
        .expect("accepted");
        // Impression 2 (variant 1) agrees best with both others.
        assert_eq!(choice.chosen, 1);
        assert_eq!(choice.quality, 60);
        assert_eq!(choice.min_pair_score, 78.0);
    }

    #[test]
    fn refuses_low_quality() {
        let r = check_enrolment(
            "P1",
            &imps(&[((1, 0), 70), ((1, 1), 20), ((1, 2), 90)]),
            &Gallery::new(),
            40.0,
            QUALITY_FLOOR,
            score,
        );
        assert_eq!(
            r,
            Err(EnrolRefusal::LowQuality { impression: 2, quality: 20, floor: QUALITY_FLOOR })
        );
    }

    #[test]
    fn refuses_inconsistent_impressions() {
        let r = check_enrolment(
            "P1",
            &imps(&[((1, 0), 70), ((1, 1), 70), ((2, 0), 90)]),
            &Gallery::new(),
            40.0,
            QUALITY_FLOOR,
            score,
        );
        assert!(matches!(r, Err(EnrolRefusal::Inconsistent { a: 1, b: 3, .. })), "{r:?}");
    }

    #[test]
    fn refuses_a_finger_enrolled_to_another_person() {
        let mut gallery = Gallery::new();
        gallery.insert("P2", "left-index", (1, 5));
        let r = check_enrolment(
            "P1",
            &imps(&[((1, 0), 70), ((1, 1), 70), ((1, 2), 90)]),
            &gallery,
            40.0,
            QUALITY_FLOOR,
            score,
        );
        match r {
            Err(EnrolRefusal::EnrolledToOtherPerson { person_id, finger, .. }) => {
                assert_eq!((person_id.as_str(), finger.as_str()), ("P2", "left-index"));
            }
            other => panic!("expected refusal, got {other:?}"),
        }
        // The same person re-enrolling the finger is not a duplicate.
        let mut own = Gallery::new();
        own.insert("P1", "right-thumb", (1, 5));
        assert!(
            check_enrolment(
                "P1",
                &imps(&[((1, 0), 70), ((1, 1), 70), ((1, 2), 90)]),
                &own,
                40.0,
                QUALITY_FLOOR,
                score
            )
            .is_ok()
        );
    }

    #[test]
    fn refuses_wrong_count() {
        let r = check_enrolment(
            "P1",
            &imps(&[((1, 0), 70)]),
            &Gallery::new(),
            40.0,
            QUALITY_FLOOR,
            score,
        );
        assert_eq!(r, Err(EnrolRefusal::WrongCount(1)));
    }
}
