//! The identification and enrolment flows on the kiosk's own biometrics: gallery from the store,
//! identify with audit, enrol three images with quality control.

use chrono::{DateTime, Utc};

use super::enrol::{EnrolImpression, EnrolRefusal, QUALITY_FLOOR, check_enrolment};
use super::prefilter::{PrefilterKeys, PrefilterProbe};
use super::{Decision, Gallery, Identifier, IdentifySettings, Ranking, audit_detail};
use crate::biometrics::{self, BiometricError, GreyImage, Probe, Template};
use crate::store::audit::{AuditEvent, AuditOutcome};
use crate::store::{Store, StoreError};

/// Finger names the store accepts.
pub const FINGERS: &[&str] = &[
    "right-thumb",
    "right-index",
    "right-middle",
    "right-ring",
    "right-little",
    "left-thumb",
    "left-index",
    "left-middle",
    "left-ring",
    "left-little",
];

/// A gallery template with its prefilter keys.
#[derive(Clone, Debug)]
pub struct IndexedTemplate {
    /// The template.
    pub template: Template,
    /// Its prefilter keys.
    pub keys: PrefilterKeys,
}

impl IndexedTemplate {
    /// Indexes a template.
    pub fn new(template: Template) -> Self {
        let keys = PrefilterKeys::new(template.minutiae());
        IndexedTemplate { template, keys }
    }
}

/// The kiosk's gallery.
pub type KioskGallery = Gallery<IndexedTemplate>;

/// Searches `gallery` for `probe`: the prefilter ranks every template, the best `shortlist`
/// (all when 0 or when the gallery is smaller) get the full matcher.
pub fn search(gallery: &KioskGallery, probe: &Template, shortlist: usize) -> Ranking {
    let prepared = Probe::new(probe);
    let score = |t: &IndexedTemplate| prepared.score(&t.template);
    let n = gallery.len();
    if shortlist == 0 || n <= shortlist {
        return gallery.search(score);
    }
    let filter = PrefilterProbe::new(probe.minutiae());
    let mut ranked: Vec<(f32, usize)> = gallery
        .entries()
        .iter()
        .enumerate()
        .map(|(i, e)| (filter.score(&e.template.keys), i))
        .collect();
    ranked.select_nth_unstable_by(shortlist - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    gallery.search_among(ranked[..shortlist].iter().map(|&(_, i)| i), score)
}

/// Builds the gallery from the store. A row whose template cannot be read is skipped with a
/// warning (and counted), never fatal: one bad row must not stop the kiosk.
pub fn load_gallery(store: &Store) -> Result<(KioskGallery, usize), StoreError> {
    let mut gallery = Gallery::new();
    let mut skipped = 0;
    for row in store.fingerprints()? {
        match Template::from_bytes(&row.template) {
            Ok(template) => {
                gallery.insert(&row.person_id, &row.finger, IndexedTemplate::new(template))
            }
            Err(err) => {
                skipped += 1;
                tracing::warn!(id = %row.id, person = %row.person_id, %err, "unreadable template skipped");
            }
        }
    }
    Ok((gallery, skipped))
}

/// Reloads the gallery of `identifier` from the store (after a sync or an enrolment).
pub fn refresh(
    identifier: &mut Identifier<IndexedTemplate>,
    store: &Store,
) -> Result<usize, StoreError> {
    let (gallery, skipped) = load_gallery(store)?;
    identifier.replace_gallery(gallery);
    Ok(skipped)
}

/// One identification attempt with `probe`, written to the audit log whatever the outcome.
pub fn identify_and_audit(
    identifier: &mut Identifier<IndexedTemplate>,
    store: &Store,
    terminal_id: &str,
    probe: &Template,
    now: DateTime<Utc>,
) -> Result<Decision, StoreError> {
    let started = std::time::Instant::now();
    let shortlist = identifier.settings().shortlist;
    let decision = identifier.identify_with(now, |gallery| search(gallery, probe, shortlist));
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    let (person, outcome) = match &decision {
        Decision::Accepted(best) => (Some(best.person_id.as_str()), AuditOutcome::Accepted),
        _ => (None, AuditOutcome::Rejected),
    };
    let detail = audit_detail(&decision, identifier.gallery().len(), elapsed_ms);
    store.audit(terminal_id, AuditEvent::Identify, person, outcome, Some(&detail))?;
    Ok(decision)
}

/// What can stop an enrolment.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// The policy refused it (quality, consistency, duplicate).
    #[error(transparent)]
    Refused(#[from] EnrolRefusal),
    /// An impression held no usable fingerprint.
    #[error("impression {impression}: {source}")]
    Biometric {
        /// Which impression (1-based).
        impression: usize,
        /// Why.
        source: BiometricError,
    },
    /// Unknown finger name.
    #[error("unknown finger `{0}` (expected e.g. right-thumb, left-index)")]
    UnknownFinger(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored enrolment.
#[derive(Clone, Debug, PartialEq)]
pub struct Enrolled {
    /// Row id of the stored template.
    pub fingerprint_id: String,
    /// Quality of the stored impression.
    pub quality: u8,
    /// Which impression was stored (0-based).
    pub chosen: usize,
    /// Lowest score between the impressions.
    pub min_pair_score: f64,
}

/// Enrols `finger` of `person_id` from three images taken at `dpi`: quality floor, mutual
/// match, duplicate check against everyone enrolled, then stores the best-agreeing template
/// with its quality. Every attempt, accepted or refused, is audited.
pub fn enrol_images(
    store: &Store,
    terminal_id: &str,
    person_id: &str,
    finger: &str,
    images: &[GreyImage],
    dpi: u32,
    settings: &IdentifySettings,
) -> Result<Enrolled, EnrolError> {
    let result = enrol_inner(store, person_id, finger, images, dpi, settings);
    let (outcome, detail) = match &result {
        Ok(done) => (
            AuditOutcome::Accepted,
            format!("finger={finger} quality={} min_pair={:.1}", done.quality, done.min_pair_score),
        ),
        Err(EnrolError::Refused(refusal)) => {
            (AuditOutcome::Rejected, format!("finger={finger} refused: {refusal}"))
        }
        Err(err) => (AuditOutcome::Error, format!("finger={finger} error: {err}")),
    };
    store.audit(terminal_id, AuditEvent::Enrol, Some(person_id), outcome, Some(&detail))?;
    result
}

fn enrol_inner(
    store: &Store,
    person_id: &str,
    finger: &str,
    images: &[GreyImage],
    dpi: u32,
    settings: &IdentifySettings,
) -> Result<Enrolled, EnrolError> {
    if !FINGERS.contains(&finger) {
        return Err(EnrolError::UnknownFinger(finger.to_string()));
    }
    let mut impressions = Vec::with_capacity(images.len());
    for (i, image) in images.iter().enumerate() {
        let quality = biometrics::quality(image, dpi).score;
        if quality < QUALITY_FLOOR {
            // Refuse before extraction: a poor image may not even extract.
            return Err(EnrolRefusal::LowQuality {
                impression: i + 1,
                quality,
                floor: QUALITY_FLOOR,
            }
            .into());
        }
        let template = biometrics::extract(image, dpi)
            .map_err(|source| EnrolError::Biometric { impression: i + 1, source })?;
        impressions.push(EnrolImpression { template: IndexedTemplate::new(template), quality });
    }
    let (gallery, _) = load_gallery(store)?;
    let choice = check_enrolment(
        person_id,
        &impressions,
        &gallery,
        settings.threshold,
        QUALITY_FLOOR,
        |a, b| biometrics::compare(&a.template, &b.template),
    )?;
    let chosen = &impressions[choice.chosen];
    let fingerprint_id = store.save_fingerprint(
        person_id,
        finger,
        &chosen.template.template.to_bytes(),
        chosen.quality,
        Utc::now(),
    )?;
    Ok(Enrolled {
        fingerprint_id,
        quality: choice.quality,
        chosen: choice.chosen,
        min_pair_score: choice.min_pair_score,
    })
}

/// A synthetic image as the biometrics pipeline takes it.
pub fn grey_from_synth(image: &crate::synth::SynthImage) -> Result<GreyImage, BiometricError> {
    GreyImage::new(image.width as u32, image.height as u32, image.pixels.clone())
}

/// The template of a synthetic image, extracted at the generator's resolution.
pub fn template_from_synth(image: &crate::synth::SynthImage) -> Result<Template, BiometricError> {
    biometrics::extract(&grey_from_synth(image)?, crate::synth::DPI)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::{Decision, NotRecognisedHint};
    use crate::synth::{self, ImpressionSettings};

    fn store() -> Store {
        let store = Store::open_in_memory().expect("store");
        store
            .conn()
            .execute_batch(
                "INSERT INTO facility (id, name) VALUES ('F', 'Rutan Test');
                 INSERT INTO person (id, facility_id, kind, full_name) VALUES
                     ('P1', 'F', 'inmate', 'Satu'), ('P2', 'F', 'inmate', 'Dua');",
            )
            .expect("seed");
        store
    }

    /// `count` easy impressions of synthetic finger `finger`.
    fn impressions(finger: u64, first: u64, count: u64) -> Vec<GreyImage> {
        let seed = synth::finger_seed(99, finger);
        let master = synth::master_print(seed);
        (first..first + count)
            .map(|i| {
                let image = synth::impression(
                    &master,
                    synth::impression_seed(seed, i),
                    &ImpressionSettings::easy(),
                );
                grey_from_synth(&image).expect("grey")
            })
            .collect()
    }

    fn audit_outcomes(store: &Store, event: &str) -> Vec<String> {
        let mut stmt = store
            .conn()
            .prepare("SELECT outcome FROM audit_log WHERE event = ?1 ORDER BY rowid")
            .expect("prepare");
        stmt.query_map([event], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn enrols_identifies_and_refuses_duplicates() {
        let store = store();
        let settings = IdentifySettings::default();
        let finger_a = impressions(1, 0, 4);
        let done = enrol_images(&store, "T1", "P1", "right-thumb", &finger_a[..3], 500, &settings)
            .expect("enrolled");
        assert!(done.quality >= QUALITY_FLOOR);
        assert_eq!(store.fingerprints().expect("rows").len(), 1);

        // The same finger presented for another person: a duplicate registration.
        let again = impressions(1, 10, 3);
        match enrol_images(&store, "T1", "P2", "left-index", &again, 500, &settings) {
            Err(EnrolError::Refused(EnrolRefusal::EnrolledToOtherPerson { person_id, .. })) => {
                assert_eq!(person_id, "P1");
            }
            other => panic!("expected duplicate refusal, got {other:?}"),
        }

        // Three impressions of two different fingers: inconsistent.
        let mut mixed = impressions(2, 0, 2);
        mixed.extend(impressions(3, 0, 1));
        assert!(matches!(
            enrol_images(&store, "T1", "P2", "left-index", &mixed, 500, &settings),
            Err(EnrolError::Refused(EnrolRefusal::Inconsistent { .. }))
        ));

        // A blank image is below the quality floor.
        let mut blank = impressions(2, 0, 2);
        blank.push(GreyImage::new(288, 384, vec![200; 288 * 384]).expect("grey"));
        assert!(matches!(
            enrol_images(&store, "T1", "P2", "left-index", &blank, 500, &settings),
            Err(EnrolError::Refused(EnrolRefusal::LowQuality { impression: 3, .. }))
        ));
        // Unknown finger name.
        assert!(matches!(
            enrol_images(&store, "T1", "P2", "left-toe", &finger_a[..3], 500, &settings),
            Err(EnrolError::UnknownFinger(_))
        ));
        assert_eq!(
            audit_outcomes(&store, "enrol"),
            ["accepted", "rejected", "rejected", "rejected", "error"]
        );

        // Identification: the enrolled finger is found, another finger is not; both audited.
        let (gallery, skipped) = load_gallery(&store).expect("gallery");
        assert_eq!((gallery.len(), skipped), (1, 0));
        let mut identifier = Identifier::new(gallery, settings);
        let probe = biometrics::extract(&finger_a[3], 500).expect("probe");
        let now = Utc::now();
        let decision =
            identify_and_audit(&mut identifier, &store, "T1", &probe, now).expect("identify");
        assert!(
            matches!(decision, Decision::Accepted(ref p) if p.person_id == "P1"),
            "{decision:?}"
        );
        let stranger = biometrics::extract(&impressions(4, 0, 1)[0], 500).expect("stranger");
        let decision =
            identify_and_audit(&mut identifier, &store, "T1", &stranger, now).expect("identify");
        assert!(
            matches!(decision, Decision::NotRecognised { hint: NotRecognisedHint::NoMatch, .. }),
            "{decision:?}"
        );
        assert_eq!(audit_outcomes(&store, "identify"), ["accepted", "rejected"]);
    }

    #[test]
    fn unreadable_template_rows_are_skipped() {
        let store = store();
        store.save_fingerprint("P1", "right-thumb", b"garbage", 50, Utc::now()).expect("save");
        let (gallery, skipped) = load_gallery(&store).expect("gallery");
        assert_eq!((gallery.len(), skipped), (0, 1));
    }
}
